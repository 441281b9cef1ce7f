"""Multi-circuit sites: traffic engineering across circuits on six platforms, the site rules (a failing case
and a near miss each), and the resiliency tiers."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import ergen
from ergen.cli import app
from ergen.roundtrip import IGNORE, compare, expected, parse
from helpers import ROOT

SITE = ROOT / "inventories" / "resilient-site"
AMS = ROOT / "examples" / "er-ams-prod.json"
FRA = ROOT / "examples" / "er-fra-dr.json"
PARENTS = {"ios-xe": "TenGigabitEthernet0/1/0", "junos": "xe-0/1/0", "eos": "Ethernet1", "nx-os": "Ethernet1/1",
           "ios-xr": "TenGigE0/0/0/0", "frr": "eth1"}


def copy_site(tmp_path: Path, *, hosts=None, circuits=None, sites=None) -> Path:
    inv = tmp_path / "inv"
    shutil.copytree(SITE, inv)
    for name, change in (("hosts.yaml", hosts), ("circuits.yaml", circuits), ("sites.yaml", sites)):
        if change is not None:
            data = yaml.safe_load((inv / name).read_text())
            change(data)
            (inv / name).write_text(yaml.safe_dump(data, sort_keys=False))
    for f in (inv / "secrets").glob("*.md5"):
        f.chmod(0o600)
    return inv


def circuits(*files):
    out = []
    for f in files or (AMS, FRA):
        out += ergen.load_circuits(f)
    return out


def codes(inv, files=None):
    report = ergen.validate(circuits(*(files or ())), ergen.load_inventory(inv))
    return {(p.code, p.where) for p in report.problems}, report


# ----------------------------------------------------------------------------- traffic engineering
def test_the_example_site_validates_and_ranks_the_circuits():
    inv = ergen.load_inventory(SITE)
    plan = ergen.plan(circuits(), inv)
    te = {}
    for it in plan.intents:
        for rm in it.route_maps:
            e = rm.entries[0]
            if rm.name.endswith("PRIV-V4-IN"):
                te.setdefault(it.name, {})["lp"] = e.set_local_preference
            if rm.name.endswith("PRIV-V4-OUT"):
                te.setdefault(it.name, {})["prepend"] = len(e.set_as_path_prepend)
    assert te == {"ams-er-r1": {"lp": 400, "prepend": 0}, "ams-er-r2": {"lp": 350, "prepend": 3},
                  "fra-er-r1": {"lp": 200, "prepend": 8}, "fra-er-r2": {"lp": 150, "prepend": 11}}
    # the preferred circuit's standby link beats any link of the backup, in both directions
    assert te["ams-er-r2"]["lp"] > te["fra-er-r1"]["lp"] and te["ams-er-r2"]["prepend"] < te["fra-er-r1"]["prepend"]


def test_a_single_circuit_site_renders_as_before(tmp_path):
    """A site of one circuit changes nothing: byte for byte the render without sites.yaml."""
    def ams_only(h):
        h.pop("fra-er-r1"), h.pop("fra-er-r2")
    inv = copy_site(tmp_path, hosts=ams_only, sites=lambda s: (s["ams-campus"]["circuits"].pop("er-fra-dr"),
                                                               s["ams-campus"].pop("ibgp"),
                                                               s["ams-campus"].update({"resiliency": "standard"})))
    (tmp_path / "plain").mkdir()
    plain = copy_site(tmp_path / "plain", hosts=ams_only)
    (plain / "sites.yaml").unlink()
    a = ergen.render_configs(ergen.plan(circuits(AMS), ergen.load_inventory(inv)).intents)
    b = ergen.render_configs(ergen.plan(circuits(AMS), ergen.load_inventory(plain)).intents)
    assert a == b


@pytest.mark.parametrize("platform", list(PARENTS))
def test_a_two_circuit_site_round_trips_on_every_platform(tmp_path, platform):
    def hosts(h):
        for r in h.values():
            r["platform"] = platform
            r["data"]["expressroute"][0]["interface"] = PARENTS[platform]
            r["data"]["router_id"] = "10.0.0.1"
    inv = copy_site(tmp_path, hosts=hosts)
    plan = ergen.plan(circuits(), ergen.load_inventory(inv))
    configs = ergen.render_configs(plan.intents, show_secrets=True)
    for it in plan.intents:
        facts = parse(platform, configs[it.name])
        assert compare(expected(it), facts, ignore=IGNORE[platform]) == [], it.name
    fra1 = next(i for i in plan.intents if i.name == "fra-er-r1")
    assert all(len(parse(platform, configs["fra-er-r1"]).neighbors[(n.vrf, n.address)].policy_out.prepend) == 8
               for n in fra1.neighbors)


@pytest.mark.parametrize("platform", list(PARENTS))
def test_a_metro_circuit_and_a_preferred_plus_backup_site_round_trip(tmp_path, platform):
    def hosts(h):
        for r in h.values():
            r["platform"] = platform
            r["data"]["expressroute"][0]["interface"] = PARENTS[platform]
            r["data"]["router_id"] = "10.0.0.1"

    def metro(c):
        c["er-ams-prod"]["metro"] = {"primary": "Amsterdam", "secondary": "Amsterdam2"}
    inv = copy_site(tmp_path, hosts=hosts, circuits=metro,
                    sites=lambda s: s["ams-campus"]["circuits"].update({"er-fra-dr": "secondary"}))
    plan = ergen.plan(circuits(), ergen.load_inventory(inv))
    configs = ergen.render_configs(plan.intents, show_secrets=True)
    for it in plan.intents:
        assert compare(expected(it), parse(platform, configs[it.name]), ignore=IGNORE[platform]) == []


# ----------------------------------------------------------------------------- rules: fails, and its near miss
def _msft_on_fra(c):
    c["er-fra-dr"]["microsoft"] = {"advertise": ["198.51.100.0/27"], "md5_key": "file:secrets/er-ams-prod-microsoft.md5"}


def _two_sites(s):
    s["other"] = {"circuits": {"er-fra-dr": "preferred"}}


CASES = [
    # code, mutation of (hosts, circuits, sites), the near miss that passes
    ("ER540", dict(sites=lambda s: s["ams-campus"]["circuits"].update({"er-nowhere": "secondary"})),
     dict(sites=lambda s: s["ams-campus"]["circuits"].update({"er-fra-dr": "secondary"}))),
    ("ER541", dict(sites=_two_sites), dict(sites=lambda s: s.update({"other": {"circuits": {"er-other": "preferred"}}}))),
    ("ER542", dict(sites=lambda s: s["ams-campus"]["circuits"].update({"er-fra-dr": "preferred"})),
     dict(sites=lambda s: s["ams-campus"]["circuits"].update({"er-ams-prod": "active", "er-fra-dr": "active"}))),
    ("ER543", dict(circuits=lambda c: c.update({"er-fra-dr": {**c["er-fra-dr"], "metro": None}}),
                   files=(AMS, "same-location")),
     dict(sites=lambda s: s["ams-campus"].update({"resiliency": "standard"}), files=(AMS, "same-location"))),
    ("ER544", dict(circuits=lambda c: c["er-fra-dr"]["private"].update({"advertise": ["10.20.0.0/16"]})),
     dict(circuits=lambda c: c["er-fra-dr"]["private"].update({"advertise": ["10.20.0.0/16"]}),
          sites=lambda s: s["ams-campus"].update({"same_prefixes": False}))),
    # Microsoft peering on both circuits with a private ASN: the prepends never reach Azure; the same with
    # the public ASN passes
    ("ER545", dict(files=("private-asn", "private-asn-fra"), circuits=_msft_on_fra),
     dict(files=(AMS, "msft-fra"), circuits=_msft_on_fra)),
    ("ER546", dict(circuits=lambda c: [c[x]["private"].update({"advertise_ipv6": [f"2001:db8:{i:x}::/48" for i in range(101)]})
                                       for x in ("er-ams-prod", "er-fra-dr")]),
     dict(circuits=lambda c: [c[x]["private"].update({"advertise_ipv6": [f"2001:db8:{i:x}::/48" for i in range(100)]})
                              for x in ("er-ams-prod", "er-fra-dr")])),
    ("ER547", dict(hosts=lambda h: h["ams-er-r1"]["data"]["expressroute"].append(
        {"circuit": "er-fra-dr", "link": "primary", "interface": "TenGigabitEthernet0/2/0"}) or h.pop("fra-er-r1")),
     dict(hosts=lambda h: h["ams-er-r1"].update({"platform": "ios-xe"}))),
    # the iBGP mesh: a router of the mesh that terminates no circuit of the site (a core router: warned) ...
    ("ER548", dict(sites=lambda s: s["ams-campus"]["ibgp"].update({"core-r1": {"address": "10.255.0.9"}})),
     dict(sites=lambda s: s["ams-campus"]["ibgp"].update({"fra-er-r2": {"address": "10.255.0.9"}}))),
    # ... a router of the site left out (a mesh of none passes: the site runs its own iBGP) ...
    ("ER549", dict(sites=lambda s: s["ams-campus"]["ibgp"].pop("fra-er-r2")),
     dict(sites=lambda s: s["ams-campus"].pop("ibgp"))),
    # ... an address twice, or no family shared; the near miss: distinct addresses, IPv6 beside IPv4 ...
    ("ER550", dict(sites=lambda s: s["ams-campus"]["ibgp"]["fra-er-r2"].update({"address": "10.255.0.3"})),
     dict(sites=lambda s: s["ams-campus"]["ibgp"]["fra-er-r2"].update({"address6": "fd00::4"}))),
    ("ER550", dict(sites=lambda s: s["ams-campus"]["ibgp"].update({"fra-er-r2": {"address6": "fd00::4"}})),
     dict(sites=lambda s: s["ams-campus"]["ibgp"].update({"fra-er-r2": {"address": "10.255.0.4",
                                                                         "address6": "fd00::4"}}))),
    # ... and one AS: a router in another AS breaks iBGP
    ("ER551", dict(hosts=lambda h: h["fra-er-r2"]["data"].update({"bgp_asn": 65010})),
     dict(hosts=lambda h: h["fra-er-r2"]["data"].update({"bgp_asn": 64500}))),
]


def _files(tmp_path, which):
    """Circuit files for a case: the example ones, or variants written here."""
    out = []
    for f in which:
        if isinstance(f, Path):
            out.append(f)
            continue
        if f == "same-location":          # er-fra-dr moved to Amsterdam
            data = json.loads(FRA.read_text())
            data["properties"]["serviceProviderProperties"]["peeringLocation"] = "Amsterdam"
            p = tmp_path / "fra-in-ams.json"
        else:                              # private ASN 65010 (and Microsoft peering on fra)
            src = AMS if f == "private-asn" else FRA
            data = json.loads(src.read_text())
            if f in ("private-asn-fra", "msft-fra"):
                msft = copy.deepcopy([x for x in json.loads(AMS.read_text())["properties"]["peerings"]
                                      if x["properties"]["peeringType"] == "MicrosoftPeering"][0])
                msft["properties"]["primaryPeerAddressPrefix"] = "203.0.113.16/30"
                msft["properties"]["secondaryPeerAddressPrefix"] = "203.0.113.20/30"
                msft["properties"]["vlanId"] = 210
                data["properties"]["peerings"].append(msft)
            for x in data["properties"]["peerings"]:
                if f != "msft-fra":
                    x["properties"]["peerASN"] = 65010
            p = tmp_path / f"{f}.json"
        p.write_text(json.dumps(data))
        out.append(p)
    return out


@pytest.mark.parametrize("code,fails,passes", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_site_rules_fail_and_the_near_miss_passes(tmp_path, code, fails, passes):
    for i, (case, want) in enumerate(((fails, True), (passes, False))):
        d = tmp_path / f"c{i}"
        d.mkdir()
        change = {k: v for k, v in case.items() if k != "files"}
        asn = "private-asn" in [str(x) for x in case.get("files", ())]
        if asn:
            change.setdefault("hosts", None)
        inv = copy_site(d, **change)
        if asn:
            g = yaml.safe_load((inv / "groups.yaml").read_text())
            g["site"]["data"]["bgp_asn"] = 65010
            (inv / "groups.yaml").write_text(yaml.safe_dump(g))
        files = _files(d, case.get("files", (AMS, FRA)))
        got, report = codes(inv, files)
        assert any(c == code for c, _ in got) is want, (code, want, [p.line() for p in report.problems])


# ----------------------------------------------------------------------------- tiers
def _tier(inv, files=None):
    res = CliRunner().invoke(app, ["resiliency", *[str(f) for f in (files or (AMS, FRA))], "-i", str(inv),
                                   "-o", "json"])
    return res, json.loads(res.stdout)


def test_tier_maximum_for_the_example_site():
    res, data = _tier(SITE)
    assert res.exit_code == 0, res.output
    site = next(s for s in data if s["site"] == "ams-campus")
    assert site["tier"] == "maximum" and site["ok"] and "Amsterdam" in site["why"] and "Frankfurt" in site["why"]
    assert any("--routing-weight 100" in a and "er-ams-prod" in a for a in site["azure"])
    assert any("--routing-weight 10" in a and "er-fra-dr" in a for a in site["azure"])


def test_tier_standard_for_one_circuit():
    res = CliRunner().invoke(app, ["resiliency", str(AMS), "-i", str(ROOT / "inventories" / "example")])
    assert res.exit_code == 0, res.output
    assert "er-ams-prod: standard" in res.stdout and "Metro circuit (high)" in res.stdout


def test_tier_high_for_a_metro_circuit(tmp_path):
    inv = copy_site(tmp_path, hosts=lambda h: (h.pop("fra-er-r1"), h.pop("fra-er-r2")),
                    circuits=lambda c: c["er-ams-prod"].update(
        {"metro": {"primary": "Amsterdam", "secondary": "Amsterdam2"}}),
        sites=lambda s: s.update({"ams-campus": {"resiliency": "high", "circuits": {"er-ams-prod": "preferred"}}}))
    res, data = _tier(inv, (AMS,))
    site = next(s for s in data if s["site"] == "ams-campus")
    assert site["tier"] == "high" and site["ok"] and "Metro" in site["why"]
    assert "second circuit in another peering location" in site["next"]


def test_a_broken_maximum_site_sharing_a_router(tmp_path):
    def hosts(h):
        h["ams-er-r1"]["data"]["expressroute"].append(
            {"circuit": "er-fra-dr", "link": "primary", "interface": "TenGigabitEthernet0/2/0"})
        h.pop("fra-er-r1")
    inv = copy_site(tmp_path, hosts=hosts)
    res, data = _tier(inv)
    assert res.exit_code == 1
    site = next(s for s in data if s["site"] == "ams-campus")
    assert site["tier"] != "maximum" and not site["ok"]
    assert "ams-er-r1 terminates more than one circuit" in site["why"]
    assert "claims maximum" in site["problems"][0]


# ----------------------------------------------------------------------------- the site's iBGP mesh
def _on(platform):
    def hosts(h):
        for r in h.values():
            r["platform"] = platform
            r["data"]["expressroute"][0]["interface"] = PARENTS[platform]
    return hosts


def test_the_ibgp_mesh_is_full_per_family_with_next_hop_self():
    plan = ergen.plan(circuits(), ergen.load_inventory(SITE))
    mesh = {it.name: [(n.router, n.address, n.family, n.update_source) for b in it.bgp for n in b.ibgp]
            for it in plan.intents}
    assert mesh["ams-er-r1"] == [("ams-er-r2", "10.255.0.2", 4, "Loopback0"), ("fra-er-r1", "10.255.0.3", 4, "Loopback0"),
                                 ("fra-er-r2", "10.255.0.4", 4, "Loopback0")]
    assert {n for r in mesh.values() for n in [len(r)]} == {3}
    configs = ergen.render_configs(plan.intents)
    assert "neighbor 10.255.0.1 next-hop-self" in configs["fra-er-r2"]
    assert "neighbor 10.255.0.4" not in configs["fra-er-r2"]        # not to itself


@pytest.mark.parametrize("platform", list(PARENTS))
def test_the_ibgp_mesh_in_the_private_peerings_vrf_with_ipv6_round_trips(tmp_path, platform):
    """Private peering in a VRF: the mesh goes in that VRF; IPv6 sessions between the two routers that have an
    IPv6 address. A config without next-hop-self, or sourced elsewhere, is caught by the round trip."""
    def vrf(c):
        for name in ("er-ams-prod", "er-fra-dr"):
            c[name]["private"].update({"vrf": "CORP", "rd": f"64500:{10 if name == 'er-ams-prod' else 20}"})

    def six(s):
        s["ams-campus"]["ibgp"]["ams-er-r1"]["address6"] = "FD00:255::1"      # any letter case
        s["ams-campus"]["ibgp"]["ams-er-r2"]["address6"] = "fd00:255:0::2"
    inv = copy_site(tmp_path, hosts=_on(platform), circuits=vrf, sites=six)
    plan = ergen.plan(circuits(), ergen.load_inventory(inv))
    r1 = next(i for i in plan.intents if i.name == "ams-er-r1")
    assert [(b.vrf, n.address, n.family) for b in r1.bgp for n in b.ibgp] == [
        ("CORP", "10.255.0.2", 4), ("CORP", "fd00:255::2", 6), ("CORP", "10.255.0.3", 4), ("CORP", "10.255.0.4", 4)]
    configs = ergen.render_configs(plan.intents, show_secrets=True)
    for it in plan.intents:
        got = parse(platform, configs[it.name])
        assert compare(expected(it), got, ignore=IGNORE[platform]) == [], it.name
        assert sum(1 for k, n in got.neighbors.items() if k[0] == "CORP" and n.remote_as == 64500) == \
            (4 if it.name.startswith("ams") else 3)
    broken = configs["ams-er-r1"]
    if platform == "junos":
        broken = broken.replace("next-hop self;", "")
        broken = broken.replace("local-address 10.255.0.1;", "local-address 10.255.0.9;")
    else:
        broken = "\n".join(l for l in broken.splitlines() if "next-hop-self" not in l)
        broken = broken.replace("update-source Loopback0", "update-source Loopback9")
    diff = "\n".join(compare(expected(r1), parse(platform, broken), ignore=IGNORE[platform]))
    assert "neighbor 10.255.0.2 vrf CORP next_hop_self" in diff and "neighbor 10.255.0.2 vrf CORP source" in diff


def test_a_bad_ibgp_address_is_one_line_naming_the_file_and_field(tmp_path):
    inv = copy_site(tmp_path, sites=lambda s: s["ams-campus"]["ibgp"]["ams-er-r2"].update({"address": "fd00::2"}))
    res = CliRunner().invoke(app, ["validate", str(AMS), str(FRA), "-i", str(inv)])
    assert res.exit_code != 0
    line = [l for l in res.output.splitlines() if "sites.yaml" in l]
    assert len(line) == 1 and "ams-campus" in line[0] and "ibgp" in line[0] and "address" in line[0], res.output
    assert "Traceback" not in res.output
