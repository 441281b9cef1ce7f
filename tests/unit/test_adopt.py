"""ergen adopt on hand-built running configs of every platform: what is found, every difference named, and the
migration: nothing outside the adopted objects is ever removed.

The fixtures (tests/fixtures/running/<platform>/) are written as engineers write them: peer groups (BGP groups,
templates, neighbor-groups), their own names, upper-case and uncompressed IPv6, encrypted keys (IOS type 7,
NX-OS type 3, EOS 7, Junos $9$, XR encrypted), unrelated neighbors (iBGP, an ISP), an IGP, NAT, management.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ergen
from ergen.adopt import adopt, read_running_files
from ergen.adopt.migrate import plan_migration, simulate_removal
from ergen.adopt.running import lines_of
from ergen.cli import app
from ergen.errors import InputError
from helpers import EXAMPLE_CIRCUIT, ROOT, example_data, write_case

FIX = ROOT / "tests" / "fixtures" / "running"

# platform -> (parent interface of r1, of r2, fixture files {router: file})
CASES = {
    "ios-xe": ("TenGigabitEthernet0/1/0", "TenGigabitEthernet0/1/0",
               {"ams-er-r1": "ios-xe/ams-er-r1.cfg", "ams-er-r2": "ios-xe/ams-er-r2.cfg"}),
    "eos": ("Ethernet1", "Ethernet1", {"ams-er-r1": "eos/ams-er-r1.cfg"}),
    "nx-os": ("Ethernet1/1", "Ethernet1/1", {"ams-er-r2": "nx-os/ams-er-r2.cfg"}),
    "ios-xr": ("TenGigE0/0/0/0", "TenGigE0/0/0/1",
               {"ams-er-r1": "ios-xr/ams-er-r1.cfg", "ams-er-r2": "ios-xr/ams-er-r2.cfg"}),
    "junos": ("xe-0/1/0", "xe-0/1/0", {"ams-er-r1": "junos/ams-er-r1.conf", "ams-er-r2": "junos/ams-er-r2.set"}),
    "frr": ("er0", "er0", {"ams-er-r1": "frr/ams-er-r1.conf", "ams-er-r2": "frr/ams-er-r2.conf"}),
}

# lines of unrelated configuration that the migration must never remove (a substring of the line)
MUST_STAY = {
    "ios-xe": ["router ospf 1", "neighbor 10.0.0.2", "neighbor 10.0.0.1", "neighbor 198.51.100.249", "ip nat",
               "ISP-A", "TenGigabitEthernet0/1/0.300", "ip route 0.0.0.0", "network 10.20.0.0 mask",
               "router-id", "snmp-server", "line vty"],
    "eos": ["router ospf 1", "neighbor IBGP", "neighbor 10.0.0.2", "neighbor 198.51.100.249", "ip nat",
            "ISP-OUT", "Ethernet1.300", "ip route 0.0.0.0/0", "management ssh", "network 10.20.0.0/16"],
    "nx-os": ["router ospf 1", "neighbor 10.0.0.1", "ip nat", "REDIST-MGMT", "LAB-MGMT", "vrf context management",
              "Ethernet1/3", "network 10.20.0.0/16"],
    "ios-xr": ["router isis CORE", "neighbor 10.0.0.2", "TRANSIT", "BOGONS-V4", "TenGigE0/0/0/0.300",
               "0.0.0.0/0 192.0.2.1", "198.51.100.0/24 Null0", "Loopback0", "ntp"],
    "junos": ["ospf", "IBGP", "ISP", "nat", "unit 300", "system", "snmp", "fxp0", "route 0.0.0.0/0"],
    "frr": ["172.16.99.0/24", "SITE-EXPORT", "SITE-ONLY", "bgp router-id", "network 10.20.0.0/16"],
}


def case(tmp_path: Path, platform: str):
    """(circuits, inventory) of the example with that platform and the fixtures' parent interfaces."""
    circuit, hosts, groups, circuits = example_data()
    p1, p2, _ = CASES[platform]
    for name, parent in (("ams-er-r1", p1), ("ams-er-r2", p2)):
        hosts[name]["platform"] = platform
        hosts[name]["data"]["expressroute"][0]["interface"] = parent
        if platform == "ios-xr":
            hosts[name]["data"]["router_id"] = "10.0.0.1" if name.endswith("1") else "10.0.0.2"
    cfile, inv = write_case(tmp_path, circuit, hosts, groups, circuits)
    return ergen.load_circuits(cfile), ergen.load_inventory(inv), cfile, inv


def run_case(tmp_path, platform):
    circuits, inv, cfile, invdir = case(tmp_path, platform)
    files = {r: str(FIX / f) for r, f in CASES[platform][2].items()}
    report = adopt(circuits, inv, read_running_files([f"{r}={f}" for r, f in files.items()]))
    return report, circuits, inv, cfile, invdir


def findings(report, router):
    r = next(x for x in report.routers if x.router == router)
    return r, {(f.peering, f.family, f.topic) for f in r.findings}


# ----------------------------------------------------------------------------- ergen's own renders match
@pytest.mark.parametrize("platform", list(CASES))
def test_ergens_own_render_matches_its_intent(tmp_path, platform):
    """adopt on what ergen renders finds nothing to change: exit 0 (what a migrated router shows)."""
    circuits, inv, _, _ = case(tmp_path, platform)
    intents = ergen.plan(circuits, inv).intents
    configs = ergen.render_configs(intents, show_secrets=True)
    report = adopt(circuits, inv, {k: (v, k) for k, v in configs.items()}, intents=intents)
    assert report.ok, {r.router: [f.text for f in r.findings] for r in report.routers}
    for r in report.routers:
        assert {o.kind for o in r.adopted} >= {"interface", "neighbor", "policy"}
        assert not r.kept


def test_a_changed_render_is_found(tmp_path):
    """The same check can fail: ergen's render with BFD and the IPv6 maximum-prefix removed."""
    circuits, inv, _, _ = case(tmp_path, "ios-xe")
    intents = ergen.plan(circuits, inv).intents
    configs = ergen.render_configs(intents, show_secrets=True)
    text = re.sub(r".*fall-over bfd\n", "", configs["ams-er-r1"])
    text = text.replace("neighbor 2001:db8:100::2 maximum-prefix 100 80 restart 5", "")
    report = adopt(circuits, inv, {"ams-er-r1": (text, "edited")}, intents=intents)
    _, topics = findings(report, "ams-er-r1")
    assert ("private", 4, "bfd") in topics and ("private", 6, "maximum-prefix") in topics
    assert not report.ok and report.missing == ["ams-er-r2"]


# ----------------------------------------------------------------------------- hand-built configs
def test_ios_xe_primary_findings(tmp_path):
    report, *_ = run_case(tmp_path, "ios-xe")
    r1, t = findings(report, "ams-er-r1")
    for x in [("private", 4, "bfd"), ("private", 4, "maximum-prefix"), ("private", 4, "inbound"),
              ("private", 4, "local-preference"), ("private", 4, "advertised"), ("private", 4, "key"),
              ("private", 6, "bfd"), ("private", 6, "outbound"), ("microsoft", 4, "inbound"),
              ("microsoft", 4, "maximum-prefix"), (None, 4, "anchor-route")]:
        assert x in t, x
    texts = [f.text for f in r1.findings]
    assert any("inbound accepts a default route (0.0.0.0/0)" in x for x in texts)
    assert any("inbound accepts private address space (10.0.0.0/8)" in x for x in texts)
    assert any("not 10.21.0.0/16" in x for x in texts)
    # type 7: cannot compare, and never shown
    key = [f for f in r1.findings if f.topic == "key" and f.family == 4 and f.peering == "private"][0]
    assert "encrypted (type7): cannot compare" in key.text
    # the upper-case IPv6 neighbor (2001:DB8:100::2) is the intent's 2001:db8:100::2
    assert any(o.kind == "neighbor" and o.name == "2001:DB8:100::2" for o in r1.adopted)
    adopted = {(o.kind, o.name) for o in r1.adopted}
    assert {("peer-group", "AZURE-PRIVATE"), ("policy", "TO-AZURE"), ("policy", "MSFT-IN"),
            ("prefix-list", "ONPREM"), ("static", "10.20.0.0/16")} <= adopted
    # unrelated: the ISP's lists and route map, the NAT ACL, the default route
    assert not adopted & {("prefix-list", "ISP-A-IN"), ("policy", "ISP-A-OUT"), ("static", "0.0.0.0/0")}
    # NAT on the Microsoft peering's subinterface is kept
    assert any(k.obj.name == "TenGigabitEthernet0/1/0.200" and "ip nat outside" in k.why for k in r1.kept)


def test_ios_xe_secondary_findings(tmp_path):
    report, *_ = run_case(tmp_path, "ios-xe")
    r2, t = findings(report, "ams-er-r2")
    texts = [f.text for f in r2.findings]
    # a clear key that differs: said, neither shown
    assert any("MD5 key differs" in x and "neither is shown" in x for x in texts)
    assert "OldKey2019" not in "".join(texts) and "ExampleKey2026ams" not in "".join(texts)
    # the Microsoft peering's clear key equals the inventory's: no key finding there
    assert ("microsoft", 4, "key") not in t
    assert ("private", 4, "maximum-prefix") in t and any("maximum-prefix 500; ergen 1000" in x for x in texts)
    assert ("private", 4, "bfd") not in t          # interface BFD 300 x 3 and fall-over bfd: as ergen
    assert any("IPv6 is not prepended like IPv4" in x for x in texts)
    assert ("private", 4, "prepend") not in t       # IPv4: 64500 x3 as ergen


@pytest.mark.parametrize("platform,router,expected", [
    ("eos", "ams-er-r1", [("private", 4, "bfd"), ("private", 4, "maximum-prefix"), ("private", 4, "key"),
                          ("private", 4, "inbound"), ("microsoft", 4, "inbound"), (None, 4, "anchor-route")]),
    ("nx-os", "ams-er-r2", [("private", 4, "key"), ("private", 4, "inbound"), ("private", 6, "bfd"),
                            ("private", 6, "prepend"), ("microsoft", 4, "bfd")]),
    ("ios-xr", "ams-er-r1", [("private", 4, "bfd"), ("private", 4, "maximum-prefix"), ("private", 4, "inbound"),
                             ("private", 4, "advertised"), ("private", 4, "key"), ("microsoft", 4, "inbound")]),
    ("ios-xr", "ams-er-r2", [("private", 4, "prepend"), ("private", 6, "prepend"), ("microsoft", 4, "key")]),
    ("junos", "ams-er-r1", [("private", 4, "bfd"), ("private", 4, "maximum-prefix"), ("private", 4, "inbound"),
                            ("private", 4, "advertised"), ("private", 4, "key"), ("private", 6, "inbound")]),
    ("frr", "ams-er-r1", [("private", 4, "bfd"), ("private", 4, "maximum-prefix"), ("private", 4, "inbound"),
                          ("private", 4, "local-preference")]),
    ("frr", "ams-er-r2", [("private", 6, "prepend"), ("microsoft", 4, "inbound")]),
])
def test_findings_on_every_platform(tmp_path, platform, router, expected):
    report, *_ = run_case(tmp_path, platform)
    r, t = findings(report, router)
    for x in expected:
        assert x in t, (x, sorted(t, key=str))
    assert not r.matches
    # every session and subinterface was found (none reported missing)
    assert not [f for f in r.findings if f.topic == "missing"], [f.text for f in r.findings if f.topic == "missing"]


@pytest.mark.parametrize("platform,router,scheme", [
    ("ios-xe", "ams-er-r1", "type7"), ("eos", "ams-er-r1", "type7"), ("nx-os", "ams-er-r2", "type3"),
    ("ios-xr", "ams-er-r1", "type7"), ("junos", "ams-er-r1", "junos9")])
def test_encrypted_keys_cannot_compare_and_never_show(tmp_path, platform, router, scheme):
    report, *_ = run_case(tmp_path, platform)
    r, _ = findings(report, router)
    keys = [f for f in r.findings if f.topic == "key"]
    assert keys and all(f"encrypted ({scheme}): cannot compare" in f.text for f in keys if f.peering == "private")
    from ergen.adopt.report import as_text
    text = as_text(report) + json.dumps(report.as_dict())
    for n in r.running.neighbors.values():
        s = r.running.effective(n)
        if s.key is not None:
            assert s.key.value not in text, f"{platform}: a key's text is in the report"
    assert "ExampleKey2026ams" not in text


# ----------------------------------------------------------------------------- the migration
def _migration(tmp_path, platform):
    report, circuits, inv, cfile, invdir = run_case(tmp_path, platform)
    intents = ergen.plan(circuits, inv).intents
    from ergen.cli.adopt import plan_for
    return report, plan_for(report, circuits, intents, inv)


@pytest.mark.parametrize("platform", list(CASES))
def test_migration_removes_only_adopted_lines(tmp_path, platform):
    report, m = _migration(tmp_path, platform)
    if len(report.routers) == 2:
        assert m.order == ["secondary", "primary"]   # the standby link first
    for ra in report.routers:
        change = m.changes[(ra.router, "replace")]
        owned = set(ra.adopted_lines())
        assert change.removed, f"{ra.router}: the replace removes nothing?"
        assert set(change.removed) <= owned
        for line in change.removed:
            text = " ".join(line)
            for marker in MUST_STAY[platform]:
                assert marker not in text, f"{ra.router}: the migration removes {text!r} ({marker})"
        # every unrelated line is still there after the removal
        for line in ra.running.lines:
            if any(m_ in " ".join(line) for m_ in MUST_STAY[platform]):
                assert line not in change.removed


@pytest.mark.parametrize("platform", list(CASES))
def test_migration_steps_and_text(tmp_path, platform):
    report, m = _migration(tmp_path, platform)
    from ergen.adopt.report import migration_text
    text = migration_text(m)
    kinds = [(s.router, s.kind) for s in m.steps]
    per_router = ["drain", "replace", "verify", "undrain", "verify"]
    routers = [r for r in ("ams-er-r2", "ams-er-r1") if r in CASES[platform][2]]
    assert kinds == [(r, k) for r in routers for k in per_router]
    assert "ExampleKey2026ams" not in text and "ExampleMsftKey2026" not in text
    for ra in report.routers:
        drain = next(s for s in m.steps if s.router == ra.router and s.kind == "drain")
        assert f"local-preference {m.drain.local_preference}" in drain.display or \
            f"set local-preference {m.drain.local_preference}" in drain.display
        undrain = next(s for s in m.steps if s.router == ra.router and s.kind == "undrain")
        assert "local-preference" in undrain.display or "prepend" in undrain.display


def test_ios_xe_replace_commands(tmp_path):
    report, m = _migration(tmp_path, "ios-xe")
    r1 = m.changes[("ams-er-r1", "replace")].commands
    assert r1[:5] == ["router bgp 64500", " no neighbor 192.168.100.130", " no neighbor 2001:DB8:100::2",
                      " no neighbor 203.0.113.2", " no neighbor AZURE-PRIVATE peer-group"]
    for cmd in ("no route-map TO-AZURE", "no route-map MSFT-IN", "no ip prefix-list ONPREM",
                "no ip route 10.20.0.0 255.255.0.0 Null0"):
        assert cmd in r1
    assert not any("ISP" in c or "ospf" in c or "nat" in c for c in r1)
    # the subinterface is kept (same name and tags): only its description goes, NAT stays
    assert "interface TenGigabitEthernet0/1/0.200" in r1 and "no interface TenGigabitEthernet0/1/0.200" not in r1
    # the documented meaning of each command removes exactly the adopted lines
    ra = next(r for r in report.routers if r.router == "ams-er-r1")
    same = {l for o in ra.adopted if o.kind == "interface" for l in lines_of(ra.running, o)
            if len(l) == 1 or l[-1].startswith(("encapsulation", "ip address", "ipv6 address"))}
    assert simulate_removal("ios-xe", ra.running, r1) == set(ra.adopted_lines()) - same


def test_junos_migration_switches_the_port_to_flexible_tagging(tmp_path):
    report, m = _migration(tmp_path, "junos")
    r1 = next(r for r in report.routers if r.router == "ams-er-r1")
    assert any(o.kind == "tagging" and o.name == "xe-0/1/0 vlan-tagging" for o in r1.adopted)
    loads = m.changes[("ams-er-r1", "replace")].loads
    assert loads[0].format == "set" and "delete interfaces xe-0/1/0 vlan-tagging" in loads[0].text
    assert "flexible-vlan-tagging" in loads[1].text
    assert "delete interfaces xe-0/1/0 unit 300" not in loads[0].text


def test_a_router_whose_asn_differs_blocks_the_migration(tmp_path):
    report, circuits, inv, *_ = run_case(tmp_path, "frr")
    text = (FIX / "frr" / "ams-er-r1.conf").read_text().replace("router bgp 64500", "router bgp 65001")
    rep = adopt(circuits, inv, {"ams-er-r1": (text, "x")})
    f = [f for f in rep.routers[0].findings if f.topic == "asn"]
    assert f and f[0].blocker
    intents = ergen.plan(circuits, inv).intents
    from ergen.cli.adopt import plan_for
    with pytest.raises(InputError, match="cannot change the BGP process's ASN"):
        plan_for(rep, circuits, intents, inv)


def test_a_shared_policy_is_kept_and_the_drain_says_so(tmp_path):
    """TO-AZURE also applied to the ISP neighbor: not adopted, not modified by the drain."""
    circuits, inv, *_ = case(tmp_path, "ios-xe")
    text = (FIX / "ios-xe" / "ams-er-r2.cfg").read_text().replace(
        "  neighbor 10.0.0.1 next-hop-self", "  neighbor 10.0.0.1 next-hop-self\n  neighbor 10.0.0.1 route-map TO-AZURE out")
    rep = adopt(circuits, inv, {"ams-er-r2": (text, "x")})
    r2 = rep.routers[0]
    assert any(k.obj.name == "TO-AZURE" and "neighbor 10.0.0.1" in k.why for k in r2.kept)
    assert not any(o.name == "TO-AZURE" for o in r2.adopted)
    intents = ergen.plan(circuits, inv).intents
    from ergen.cli.adopt import plan_for
    m = plan_for(rep, circuits, intents, inv)
    assert any("TO-AZURE is shared" in w for w in m.warnings)
    assert "route-map TO-AZURE permit" not in m.changes[("ams-er-r2", "drain")].display
    assert not any(l[0].split()[:2] == ["route-map", "TO-AZURE"] for l in m.changes[("ams-er-r2", "replace")].removed)


# ----------------------------------------------------------------------------- CLI
def test_cli_report_exit_codes_and_json(tmp_path):
    _, _, cfile, invdir = case(tmp_path, "ios-xe")
    runner = CliRunner()
    args = ["adopt", str(cfile), "-i", str(invdir), "--running", f"ams-er-r1={FIX / 'ios-xe/ams-er-r1.cfg'}",
            "--running", f"ams-er-r2={FIX / 'ios-xe/ams-er-r2.cfg'}"]
    res = runner.invoke(app, args)
    assert res.exit_code == 1
    assert "ams-er-r1 (ios-xe, running config from" in res.stdout and "ergen would render" in res.stdout
    assert "0822455D0A165445415F59" not in res.stdout and "OldKey2019" not in res.stdout
    res = runner.invoke(app, args + ["-o", "json", "--plan", str(tmp_path / "plan")])
    data = json.loads(res.stdout)
    assert data["ok"] is False and {r["router"] for r in data["routers"]} == {"ams-er-r1", "ams-er-r2"}
    for r in data["routers"]:
        assert set(r) >= {"router", "platform", "findings", "adopted", "kept", "peerings", "matches"}
        for f in r["findings"]:
            assert set(f) == {"router", "circuit", "link", "peering", "family", "topic", "text", "existing",
                              "ergen", "blocker"}
    assert "0822455D0A165445415F59" not in res.stdout
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert plan["order"] == ["secondary", "primary"] and "ams-er-r1" in plan["routers"]
    # a second --plan without --force refuses and leaves the files
    before = (tmp_path / "plan" / "migration.txt").read_text()
    res = runner.invoke(app, args + ["--plan", str(tmp_path / "plan")])
    assert res.exit_code == 1 and "pass --force" in res.stderr
    assert (tmp_path / "plan" / "migration.txt").read_text() == before


def test_cli_renders_of_ergen_exit_0(tmp_path):
    _, _, cfile, invdir = case(tmp_path, "frr")
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["render", str(cfile), "-i", str(invdir), "--out", str(out)]).exit_code == 0
    res = CliRunner().invoke(app, ["adopt", str(cfile), "-i", str(invdir), "--running",
                                   f"ams-er-r1={out / 'ams-er-r1.cfg'}", "--running", f"ams-er-r2={out / 'ams-er-r2.cfg'}"])
    assert res.exit_code == 0, res.stdout
    assert "every one matches ergen's intent" in res.stdout


@pytest.mark.parametrize("arg,msg", [
    ("ams-er-r1", "is not ROUTER=FILE"), ("ams-er-r1=/nonexistent/x.cfg", "file not found"),
    ("nobody=tests/fixtures/running/frr/ams-er-r1.conf", "does not terminate"),
    ("ams-er-r1=tests", "is a folder")])
def test_cli_bad_running_is_one_line(tmp_path, arg, msg):
    _, _, cfile, invdir = case(tmp_path, "frr")
    res = CliRunner().invoke(app, ["adopt", str(cfile), "-i", str(invdir), "--running", arg])
    assert res.exit_code == 1
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and msg in lines[0] and "Traceback" not in res.stderr


def test_garbage_running_config_is_read_without_a_traceback(tmp_path):
    circuits, inv, *_ = case(tmp_path, "ios-xe")
    for text in ("", "interface\n encapsulation dot1Q x\n", "router bgp x\n neighbor\n",
                 "route-map\nip prefix-list A seq x permit\n", "\x01\x02 {{{ }}}", "ip route 1.2.3\n"):
        rep = adopt(circuits, inv, {"ams-er-r1": (text, "garbage")})
        assert not rep.ok


def test_plan_file_hand_edited_is_one_line(tmp_path):
    from ergen.adopt.report import load_plan
    (tmp_path / "plan.json").write_text('{"kind": "adopt-migration", "order": ["tertiary"], "routers": {}, "drain": {"local_preference": 50, "prepend": 5}}')
    with pytest.raises(InputError, match="order names"):
        load_plan(tmp_path)
    (tmp_path / "plan.json").write_text("{not json")
    with pytest.raises(InputError, match="not a migration plan"):
        load_plan(tmp_path)


# ----------------------------------------------------------------------------- init --from-running
def test_init_from_running_fills_the_inventory_from_what_runs(tmp_path):
    """init reads links, interfaces, ASN, router ID and advertised prefixes from the running configs; the
    inventory validates, and adopt against it no longer reports the prefixes as different."""
    out = tmp_path / "inv"
    res = CliRunner().invoke(app, [
        "init", str(EXAMPLE_CIRCUIT), "--out", str(out), "--platform", "frr",
        "--from-running", f"ams-er-r1={FIX / 'frr/ams-er-r1.conf'}",
        "--from-running", f"ams-er-r2={FIX / 'frr/ams-er-r2.conf'}"])
    assert res.exit_code == 0, res.stdout + res.stderr
    hosts = (out / "hosts.yaml").read_text()
    assert "interface: er0" in hosts and "router_id: 10.20.0.2" in hosts
    assert "bgp_asn: 64500" in (out / "groups.yaml").read_text()
    circuits_yaml = (out / "circuits.yaml").read_text()
    assert "10.20.0.0/16, 10.21.0.0/16" in circuits_yaml and "ExampleKey2026ams" not in circuits_yaml
    for name, key in (("er-ams-prod-private.md5", "ExampleKey2026ams"), ("er-ams-prod-microsoft.md5", "ExampleMsftKey2026")):
        (out / "secrets" / name).write_text(key + "\n")
        (out / "secrets" / name).chmod(0o600)
    val = CliRunner().invoke(app, ["validate", str(EXAMPLE_CIRCUIT), "-i", str(out)])
    assert val.exit_code == 0, val.stdout + val.stderr
    circuits = ergen.load_circuits(EXAMPLE_CIRCUIT)
    inv = ergen.load_inventory(out)
    report = adopt(circuits, inv, read_running_files([f"ams-er-r1={FIX / 'frr/ams-er-r1.conf'}",
                                                      f"ams-er-r2={FIX / 'frr/ams-er-r2.conf'}"]))
    for r in report.routers:
        assert not [f for f in r.findings if f.topic in ("advertised", "missing", "asn", "address", "vlan")], \
            [f.text for f in r.findings]
    assert not report.ok          # BFD, maximum-prefix, the inbound policies still differ
