"""Drain and undrain as intent, on all six platforms: rendered, parsed back by the round-trip parsers; the
drained link only; undrain renders byte for byte what was there before; the drain state file's errors."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import ergen
from ergen import drain as ops
from ergen.cli import app
from ergen.errors import InputError
from ergen.roundtrip import IGNORE, compare, expected, parse
from helpers import example_data, write_case

PARENTS = {"ios-xe": "TenGigabitEthernet0/1/0", "junos": "xe-0/1/0", "eos": "Ethernet1", "nx-os": "Ethernet1/1",
           "ios-xr": "TenGigE0/0/0/0", "frr": "eth1"}


def case(tmp_path, platform):
    circuit, hosts, groups, circuits = example_data()
    for name in ("ams-er-r1", "ams-er-r2"):
        hosts[name]["platform"] = platform
        hosts[name]["data"]["expressroute"][0]["interface"] = PARENTS[platform]
        hosts[name]["data"]["router_id"] = "10.0.0.1" if name.endswith("1") else "10.0.0.2"
    cfile, inv = write_case(tmp_path, circuit, hosts, groups, circuits)
    for f in (inv / "secrets").glob("*"):
        f.chmod(0o600)
    return cfile, inv


def render(cfile, inv):
    return ergen.render_configs(ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv)).intents,
                                show_secrets=True)


@pytest.mark.parametrize("platform", list(PARENTS))
@pytest.mark.parametrize("mode", ["prepend", "shutdown"])
def test_drain_renders_on_the_drained_link_only_and_round_trips(tmp_path, platform, mode):
    cfile, inv = case(tmp_path, platform)
    before = render(cfile, inv)
    res = CliRunner().invoke(app, ["drain", str(cfile), "-i", str(inv), "--link", "primary", "--mode", mode,
                                   "--state-only"])
    assert res.exit_code == 0, res.stdout + res.stderr
    plan = ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv))
    after = ergen.render_configs(plan.intents, show_secrets=True)
    assert after["ams-er-r2"] == before["ams-er-r2"]            # the other link: byte for byte
    assert after["ams-er-r1"] != before["ams-er-r1"]
    r1 = next(i for i in plan.intents if i.name == "ams-er-r1")
    facts = parse(platform, after["ams-er-r1"])
    assert compare(expected(r1), facts, ignore=IGNORE[platform]) == []
    for key, n in facts.neighbors.items():
        assert n.policy_out.prepend == [64500] * 5, key           # longer than the standby link's 3
        assert n.policy_in.local_preference == 50, key            # below the standby link's 100
        assert n.shutdown is (mode == "shutdown"), key
    # undrain: the very config of before
    res = CliRunner().invoke(app, ["undrain", str(cfile), "-i", str(inv), "--link", "primary", "--state-only"])
    assert res.exit_code == 0, res.stdout + res.stderr
    assert render(cfile, inv) == before
    assert not (inv / "drains.yaml").exists()


def test_drain_of_one_peering(tmp_path):
    cfile, inv = case(tmp_path, "ios-xe")
    assert CliRunner().invoke(app, ["drain", str(cfile), "-i", str(inv), "--link", "secondary", "--peering",
                                    "microsoft", "--state-only"]).exit_code == 0
    plan = ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv))
    r2 = next(i for i in plan.intents if i.name == "ams-er-r2")
    rms = {m.name: m.entries[0] for m in r2.route_maps}
    assert rms["ER-AMS-PROD-MSFT-V4-OUT"].set_as_path_prepend == (64500,) * 5
    assert rms["ER-AMS-PROD-PRIV-V4-OUT"].set_as_path_prepend == (64500,) * 3     # the standby's own


def test_refuses_the_last_working_link(tmp_path):
    cfile, inv = case(tmp_path, "frr")
    run = lambda *a: CliRunner().invoke(app, ["drain", str(cfile), "-i", str(inv), *a])  # noqa: E731
    assert run("--link", "primary", "--state-only").exit_code == 0
    res = run("--link", "secondary", "--state-only")
    assert res.exit_code == 1 and "refusing to drain the last working link" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "secondary" not in (inv / "drains.yaml").read_text()
    res = run("--link", "secondary", "--state-only", "--force")
    assert res.exit_code == 0 and "warning: draining the last working link" in res.stderr
    # one peering drained on one link, the other peering on the other: allowed
    (inv / "drains.yaml").unlink()
    assert run("--link", "primary", "--peering", "private", "--state-only").exit_code == 0
    assert run("--link", "secondary", "--peering", "microsoft", "--state-only").exit_code == 0


def test_a_link_landing_nowhere_is_the_last_working_link(tmp_path):
    circuit, hosts, groups, circuits = example_data()
    del hosts["ams-er-r2"]
    cfile, inv = write_case(tmp_path, circuit, hosts, groups, circuits)
    res = CliRunner().invoke(app, ["drain", str(cfile), "-i", str(inv), "--link", "primary", "--state-only"])
    assert res.exit_code == 1 and "lands on no router" in res.stderr


def test_microsoft_peering_with_a_private_asn_warns_that_prepend_does_not_help(tmp_path):
    circuit, hosts, groups, circuits = example_data()
    for p in circuit["properties"]["peerings"]:
        p["properties"]["peerASN"] = 65010
    groups["ams"]["data"]["bgp_asn"] = 65010
    cfile, inv = write_case(tmp_path, circuit, hosts, groups, circuits)
    res = CliRunner().invoke(app, ["drain", str(cfile), "-i", str(inv), "--link", "primary", "--state-only"])
    assert res.exit_code == 0 and "Microsoft strips private ASNs" in res.stderr


@pytest.mark.parametrize("text,where", [
    ("er-ams-prod:\n  primary:\n    mode: sideways\n", "er-ams-prod.primary.mode"),
    ("er-ams-prod:\n  tertiary:\n    mode: prepend\n", "er-ams-prod.tertiary"),
    ("er-ams-prod:\n  primary:\n    prepend: 99\n", "er-ams-prod.primary.prepend"),
    ("er-ams-prod:\n  primary:\n    peerings: [public]\n", "er-ams-prod.primary.peerings"),
    ("er-ams-prod:\n  primary:\n    local_preference: high\n", "er-ams-prod.primary.local_preference"),
    ("er-ams-prod:\n  primary:\n    colour: blue\n", "er-ams-prod.primary.colour"),
    ("- just a list\n", "(document)"),
    ("er-ams-prod: [\n", ""),
])
def test_a_corrupt_or_hand_edited_drain_state_is_one_line(tmp_path, text, where):
    cfile, inv = case(tmp_path, "ios-xe")
    (inv / "drains.yaml").write_text(text)
    for cmd in (["render", str(cfile), "-i", str(inv), "--stdout"], ["validate", str(cfile), "-i", str(inv)],
                ["undrain", str(cfile), "-i", str(inv), "--link", "primary"]):
        res = CliRunner().invoke(app, cmd)
        lines = [l for l in res.stderr.splitlines() if l.strip() and not l.startswith("warning")]
        assert res.exit_code == 1, (cmd, res.stdout)
        assert len(lines) == 1 and "drains.yaml" in lines[0] and where in lines[0], lines
        assert "Traceback" not in res.stderr


def test_undrain_of_a_link_not_drained(tmp_path):
    cfile, inv = case(tmp_path, "ios-xe")
    with pytest.raises(InputError, match="is not drained"):
        ops.plan_undrain(ergen.load_circuits(cfile), ops.load(inv), circuit="er-ams-prod", link="primary")
