"""Inputs the fuzzer found that crashed, or got a malformed error from, files outside the readers:
src/ergen/inventory.py, src/ergen/pipeline.py, src/ergen/rules/ and src/ergen/model/inventory.py. They were
reported as xfail(strict=True) tests and fixed there (commit 7a763e4, and the empty router name after
it); these are now regression tests. A new one found goes here as xfail(strict=True) with an entry in
``fuzzkit.KNOWN_BUGS`` until it is fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import ergen
from ergen.errors import ErgenError
from fuzzkit import check_line

BROKEN = "src/ergen/inventory.py: "


def load(tmp_path: Path, files: dict[str, str | None]):
    inv = tmp_path / "inv"
    inv.mkdir()
    for name, text in files.items():
        if text is None:
            (inv / name).mkdir()
        else:
            (inv / name).write_text(text)
    try:
        ergen.load_inventory(inv)
    except ErgenError as exc:
        return inv, exc
    return inv, None


def assert_one_line_error(inv: Path, exc, *files: str):
    assert exc is not None, "the bad input was accepted"
    bad = check_line(str(exc), [str(inv / f) for f in files], need_field=True, exc=exc)
    assert bad is None, bad

@pytest.mark.parametrize("hosts,groups", [
    ("r1: {platform: frr, groups: 5}\n", None),                       # TypeError: int is not iterable
    ("r1: {platform: frr, groups: [{a: 1}]}\n", None),                # TypeError: unhashable dict
    ("r1: {platform: frr, groups: [g]}\n", "g: [1]\n"),               # AttributeError: list.get
    ("r1: {platform: frr, data: 5}\n", None),                         # TypeError: dict(5)
    ("r1: {platform: frr, data: [x]}\n", None),                       # ValueError: dict(['x'])
    ("r1: {platform: frr, groups: [g]}\n", "g: {data: x}\n"),         # AttributeError: str.items
], ids=["groups-int", "groups-item-mapping", "group-is-list", "data-int", "data-list", "group-data-text"])
def test_wrong_types_in_groups_and_data(tmp_path, hosts, groups):
    files = {"hosts.yaml": hosts}
    if groups:
        files["groups.yaml"] = groups
    inv, exc = load(tmp_path, files)
    assert_one_line_error(inv, exc, "hosts.yaml", "groups.yaml")   # the file holding the wrong value


@pytest.mark.parametrize("text", ["? [a, b]\n: 1\n", "? {a: 1}\n: 1\n"])
def test_complex_yaml_key(tmp_path, text):
    """Fuzz-found TypeError (a list or mapping key put in a set)."""
    inv, exc = load(tmp_path, {"hosts.yaml": text})
    assert_one_line_error(inv, exc, "hosts.yaml")


def test_hosts_yaml_is_a_folder(tmp_path):
    inv, exc = load(tmp_path, {"hosts.yaml": None})
    assert_one_line_error(inv, exc, "hosts.yaml")


@pytest.mark.parametrize("key", ["er\\nx", "er\\x1b[2Jx", "er\\u2028x"])
def test_key_with_line_break_in_circuits_yaml(tmp_path, key):
    inv, exc = load(tmp_path, {"hosts.yaml": "r1: {platform: frr}\n", "circuits.yaml": f'"{key}": {{bogus: 1}}\n'})
    assert_one_line_error(inv, exc, "circuits.yaml")


def test_empty_host_name(tmp_path):
    """Was xfail: an empty router name gave an error naming no field; the loader now checks names first."""
    inv, exc = load(tmp_path, {"hosts.yaml": '"": x\n'})
    assert_one_line_error(inv, exc, "hosts.yaml")


@pytest.mark.parametrize("text", ["[" * 5000 + "]" * 5000, "- " * 10 + "[" * 1000 + "]" * 1000])
def test_deep_nesting_is_a_one_line_error(tmp_path, text):
    """Fuzz-found RecursionError in PyYAML's pure-Python composer; libyaml's loader stops at its nesting
    limit."""
    inv, exc = load(tmp_path, {"hosts.yaml": text})
    assert_one_line_error(inv, exc, "hosts.yaml")


def test_deeply_nested_mappings(tmp_path):
    inv, exc = load(tmp_path, {"hosts.yaml": "a: " + "{b: " * 3000 + "1" + "}" * 3000})
    assert_one_line_error(inv, exc, "hosts.yaml")


@pytest.mark.parametrize("text", ["r1: !!timestamp not-a-date\n", "r1: {platform: frr, port: " + "9" * 5000 + "}\n"],
                         ids=["timestamp", "huge-int"])
def test_yaml_library_errors(tmp_path, text):
    inv, exc = load(tmp_path, {"hosts.yaml": text})
    assert_one_line_error(inv, exc, "hosts.yaml")


# ------------------------------------------------------------------ the rules and the templates
def _example(tmp_path, edit_circuit=None, edit_hosts=None, key: str | None = None):
    import json
    import shutil

    from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY
    c = json.loads(EXAMPLE_CIRCUIT.read_text())
    if edit_circuit:
        edit_circuit(c)
    cf = tmp_path / "c.json"
    cf.write_text(json.dumps(c))
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    for f in (inv / "secrets").glob("*.md5"):
        f.chmod(0o600)
    if key is not None:
        (inv / "secrets" / "er-ams-prod-private.md5").write_text(key + "\n")
    if edit_hosts:
        h = inv / "hosts.yaml"
        h.write_text(edit_hosts(h.read_text()))
    return cf, inv


def test_non_ascii_md5_key_is_compared(tmp_path):
    def edit(c):
        c["properties"]["peerings"][0]["properties"]["sharedKey"] = "Schlüssel2026"
    cf, inv = _example(tmp_path, edit, key="Schlüssel2026")
    report = ergen.validate(ergen.load_circuits(cf), ergen.load_inventory(inv))
    assert "ER702" not in report.codes()


@pytest.mark.parametrize("state", ["Not\nProvisioned", "x\u2028y", "\x1b[2Jx"])
def test_rule_problem_is_one_line(tmp_path, state):
    def edit(c):
        c["properties"]["serviceProviderProvisioningState"] = state
    cf, inv = _example(tmp_path, edit)
    report = ergen.validate(ergen.load_circuits(cf), ergen.load_inventory(inv))
    lines = [p.line() for p in report.problems if p.code == "ER507"]
    assert lines and all(check_line(l, [str(cf)], need_field=False) is None for l in lines), lines


def test_control_character_in_nat_inside_is_refused_naming_the_field(tmp_path):
    from scenarios import SCENARIOS
    import shutil
    inv = tmp_path / "inv"
    shutil.copytree(SCENARIOS / "microsoft-nat" / "inventory", inv)
    h = inv / "hosts.yaml"
    h.write_text(h.read_text().replace("- GigabitEthernet0/0/2", '- "GigabitEthernet0/0/2\\0"', 1))
    try:
        result = ergen.plan(ergen.load_circuits(SCENARIOS / "microsoft-nat" / "circuit.json"), ergen.load_inventory(inv))
        ergen.render_configs(result.intents)
    except ErgenError as exc:
        assert str(h) in str(exc) and "nat_inside" in str(exc), str(exc)
        return
    pytest.fail("a NUL in an interface name was accepted")
