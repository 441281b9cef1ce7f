"""Junos set form: every Junos reference config in set form reads back into the same statements and the same
facts as its brace form (the adopt parser reads both; the round-trip parser the brace form)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ergen.adopt.parsers import parse_running
from ergen.cli import app
from ergen.render.setform import to_set
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT

GOLDENS = sorted([*(ROOT / "tests" / "golden" / "junos").glob("*/*.cfg"), *(ROOT / "tests" / "golden" / "junos-srx").glob("*/*.cfg")])


def leaves(lines) -> set:
    """The statements: paths no other path extends (block headers are implied by them)."""
    s = set(lines)
    prefixes = {l[:i] for l in s for i in range(1, len(l))}
    return s - prefixes


@pytest.mark.parametrize("golden", GOLDENS, ids=[f"{p.parent.name}/{p.stem}" for p in GOLDENS])
def test_every_junos_golden_in_set_form_says_the_same(golden: Path):
    brace = golden.read_text()
    text = to_set(brace)
    assert all(l.startswith(("set ", "deactivate ", "#")) for l in text.splitlines() if l)
    a, b = parse_running("junos", brace, "brace"), parse_running("junos", text, "set")
    assert leaves(a.lines) == leaves(b.lines)        # the same statements, word for word
    assert a.bgp_asn == b.bgp_asn and set(a.neighbors) == set(b.neighbors) and set(a.interfaces) == set(b.interfaces)
    for key, n in a.neighbors.items():
        sa, sb = a.effective(n), b.effective(b.neighbors[key])
        assert (sa.remote_as, sa.policy_in, sa.policy_out, sa.max_prefix, sa.bfd) == \
            (sb.remote_as, sb.policy_in, sb.policy_out, sb.max_prefix, sb.bfd)
    for name, p in a.policies.items():
        assert [(t.name, t.action, t.local_preference, t.prepend) for t in p.terms] == \
            [(t.name, t.action, t.local_preference, t.prepend) for t in b.policies[name].terms]
    assert {(s.vrf, s.prefix, s.distance) for s in a.statics} == {(s.vrf, s.prefix, s.distance) for s in b.statics}


def test_inactive_statements_become_deactivate_lines():
    text = to_set("protocols { bgp { group G { inactive: neighbor 192.0.2.1 { peer-as 12076; } } } }")
    assert text.splitlines() == ["set protocols bgp group G neighbor 192.0.2.1 peer-as 12076",
                                 "deactivate protocols bgp group G neighbor 192.0.2.1"]


def test_lists_give_one_line_per_element_in_order():
    assert to_set("policy-options { community C members [ 12076:5010 12076:51002 ]; }").splitlines() == [
        "set policy-options community C members 12076:5010", "set policy-options community C members 12076:51002"]


def test_render_format_set(tmp_path):
    res = CliRunner().invoke(app, ["render", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--platform",
                                   "junos", "--stdout", "--format", "set"])
    assert res.exit_code == 0, res.output
    assert "set protocols bgp group ER-AMS-PROD-MSEE neighbor 192.168.100.130 peer-as 12076" in res.stdout
    assert "{" not in "".join(l for l in res.stdout.splitlines() if not l.startswith("#"))
    bad = CliRunner().invoke(app, ["render", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--stdout",
                                   "--format", "set"])
    assert bad.exit_code == 1 and "junos" in bad.stderr
