"""The Junos running-config parser (ergen.adopt.parsers.junos): hand-built configs in brace and set form,
ergen's own renders, and text that is not a config at all."""

from __future__ import annotations

import pathlib
import time

import pytest

from ergen.adopt.parsers import parse_running
from ergen.adopt.parsers.junos import parse
from ergen.adopt.running import (
    Bfd, CommunityList, Interface, Key, PrefixEntry, PrefixList, RunningConfig, StaticRoute, lines_of,
)
from ergen.errors import InputError
from ergen.roundtrip import junos as roundtrip_junos

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "running" / "junos"
GOLDENS = sorted((ROOT / "tests" / "golden" / "junos").glob("*/*.cfg"))
MODEL_FIELDS = ("hostname", "bgp_asn", "router_id", "interfaces", "neighbors", "groups", "policies",
                "prefix_lists", "community_lists", "statics", "networks", "redistribute", "bfd_templates",
                "bgp_path")


def load(name: str) -> RunningConfig:
    return parse_running("junos", (FIX / name).read_text(), source=name)


@pytest.fixture(scope="module")
def r1() -> RunningConfig:
    return load("ams-er-r1.conf")


@pytest.fixture(scope="module")
def r1set() -> RunningConfig:
    return load("ams-er-r1.set")


@pytest.fixture(scope="module")
def r2() -> RunningConfig:
    return load("ams-er-r2.set")


def objects(rc: RunningConfig):
    yield from rc.interfaces.values()
    yield from rc.neighbors.values()
    yield from rc.groups.values()
    yield from rc.policies.values()
    yield from rc.prefix_lists.values()
    yield from rc.community_lists.values()
    yield from rc.statics


# ----------------------------------------------------------------------------- r1 (brace form, primary)
def test_r1_identity(r1):
    assert r1.platform == "junos" and r1.source == "ams-er-r1.conf"
    assert (r1.hostname, r1.bgp_asn, r1.router_id) == ("ams-er-r1", 64500, "10.0.0.1")
    assert r1.bgp_path == ("protocols", "bgp")
    assert r1.networks == [] and r1.bfd_templates == {} and r1.redistribute == []
    assert ("version", "21.2R3-S4.8") in r1.lines


def test_r1_interfaces(r1):
    assert sorted(r1.interfaces) == ["fxp0.0", "ge-0/0/0.0", "ge-0/0/1.0", "lo0.0", "xe-0/1/0.100",
                                     "xe-0/1/0.200", "xe-0/1/0.300", "xe-0/1/1.0"]
    assert r1.interfaces["xe-0/1/0.100"] == Interface(
        name="xe-0/1/0.100", parent="xe-0/1/0", unit=100, c_tag=100, ipv4=["192.168.100.129/30"],
        ipv6=["2001:db8:100::1/126"], description="ER er-ams-prod private primary",
        paths=[("interfaces", "xe-0/1/0", "unit", "100")])
    assert r1.interfaces["xe-0/1/0.200"] == Interface(
        name="xe-0/1/0.200", parent="xe-0/1/0", unit=200, c_tag=200, ipv4=["203.0.113.1/30"],
        description="ER er-ams-prod microsoft primary", paths=[("interfaces", "xe-0/1/0", "unit", "200")])
    assert r1.interfaces["xe-0/1/0.300"].ipv4 == ["172.31.255.1/30"]
    assert r1.interfaces["lo0.0"].ipv4 == ["10.0.0.1/32"] and r1.interfaces["lo0.0"].c_tag is None
    assert not any(i.shutdown or i.vrf for i in r1.interfaces.values())


def test_r1_a_unit_owns_only_its_own_lines(r1):
    owned = lines_of(r1, r1.interfaces["xe-0/1/0.100"])
    assert owned[0] == ("interfaces", "xe-0/1/0", "unit", "100")
    assert ("interfaces", "xe-0/1/0", "unit", "100", "family", "inet", "address", "192.168.100.129/30") in owned
    assert all(line[:4] == ("interfaces", "xe-0/1/0", "unit", "100") for line in owned)
    # the physical interface, the other units and the security zone that names the unit are not the unit's
    assert ("interfaces", "xe-0/1/0", "vlan-tagging") not in owned
    assert ("interfaces", "xe-0/1/0", "unit", "300") not in owned
    zone = ("security", "zones", "security-zone", "azure", "interfaces", "xe-0/1/0.100")
    assert zone in r1.lines and zone not in owned


def test_r1_groups_hold_group_settings(r1):
    assert sorted(r1.groups) == ["AZURE-MSFT", "AZURE-PRIV-V4", "AZURE-PRIV-V6", "IBGP", "ISP-TRANSIT"]
    g = r1.groups["AZURE-PRIV-V4"]
    assert g.paths == [("protocols", "bgp", "group", "AZURE-PRIV-V4")] and g.vrf is None
    s = g.session
    assert (s.remote_as, s.policy_in, s.policy_out) == (12076, ["AZURE-PRIV-IN"], ["AZURE-PRIV-V4-OUT"])
    assert s.key == Key("junos9", "x") and s.key.value.startswith("$9$")
    assert (s.bfd, s.bfd_timers, s.max_prefix, s.activated) == (None, None, None, None)
    assert s.description == "ExpressRoute er-ams-prod private peering"
    assert r1.groups["AZURE-PRIV-V6"].session.activated == {6}
    assert r1.groups["IBGP"].session.activated == {4}


def test_r1_neighbors_and_effective_sessions(r1):
    assert sorted(r1.neighbors) == sorted([(None, "10.0.0.2"), (None, "192.0.2.1"), (None, "192.0.2.5"),
                                           (None, "192.168.100.130"), (None, "2001:db8:100::2"),
                                           (None, "203.0.113.2")])
    n = r1.neighbor("192.168.100.130")
    assert (n.group, n.vrf, n.family) == ("AZURE-PRIV-V4", None, 4)
    assert n.paths == [("protocols", "bgp", "group", "AZURE-PRIV-V4", "neighbor", "192.168.100.130")]
    assert n.session.description == "MSEE primary" and n.session.remote_as is None     # its own: description only
    e = r1.effective(n)
    assert (e.remote_as, e.key.scheme, e.policy_in, e.policy_out) == (
        12076, "junos9", ["AZURE-PRIV-IN"], ["AZURE-PRIV-V4-OUT"])
    assert (e.bfd, e.max_prefix, e.description, e.shutdown) == (None, None, "MSEE primary", None)

    v6 = r1.neighbor("2001:db8:100::2")                 # written 2001:DB8:100::2
    assert v6 is r1.find_neighbor("2001:DB8:100:0::2")
    assert (v6.name, v6.address, v6.family) == ("2001:DB8:100::2", "2001:db8:100::2", 6)
    assert v6.paths == [("protocols", "bgp", "group", "AZURE-PRIV-V6", "neighbor", "2001:DB8:100::2")]
    assert v6.paths[0] in r1.lines
    e6 = r1.effective(v6)
    assert (e6.remote_as, e6.activated, e6.policy_out) == (12076, {6}, ["AZURE-PRIV-V6-OUT"])

    ms = r1.effective(r1.neighbor("203.0.113.2"))
    assert (ms.remote_as, ms.key.scheme, ms.policy_in, ms.policy_out) == (
        12076, "junos9", ["AZURE-MSFT-IN"], ["AZURE-MSFT-OUT"])
    assert ms.description == "ExpressRoute er-ams-prod Microsoft peering"    # the group's


def test_r1_unrelated_bgp(r1):
    ibgp = r1.effective(r1.neighbor("10.0.0.2"))
    assert (ibgp.remote_as, ibgp.update_source, ibgp.policy_out, ibgp.description) == (
        64500, "10.0.0.1", ["IBGP-NHS"], "ams-er-r2")                       # type internal: our AS
    isp = r1.effective(r1.neighbor("192.0.2.1"))
    assert (isp.remote_as, isp.timers, isp.policy_in, isp.shutdown) == (65010, (10, 30), ["ISP-IN"], None)
    old = r1.neighbor("192.0.2.5")                        # inactive: kept, shut down
    assert old.session.shutdown is True and r1.effective(old).shutdown is True
    assert any("192.0.2.5" in n and "inactive" in n for n in r1.notes)


def test_r1_keys_are_never_printed(r1, r2):
    secrets = ["$9$tu0ORhrlMX-dbYoaGjHkqfT3/CtpB1h", "$9$0ylB1EyvMLxNb2ZGiHmfz6/A0BIRcl", "MadeUpMsftKey42"]
    seen = 0
    for rc in (r1, r2):
        for obj in list(rc.groups.values()) + list(rc.neighbors.values()):
            key = obj.session.key
            texts = [repr(obj), str(obj), repr(obj.session), repr(rc.effective(obj) if obj.kind == "neighbor"
                                                                else obj.session)]
            if key is not None:
                seen += 1
                texts += [str(key), repr(key), f"{key}"]
                assert key.value in secrets
            assert not any(s in t for s in secrets for t in texts)
    assert seen == 6
    assert str(r1.groups["AZURE-MSFT"].session.key) == "<encrypted key (junos9)>"
    assert str(r2.groups["AZURE-MSFT"].session.key) == "<key in clear>"


def test_r1_policies(r1):
    assert sorted(r1.policies) == ["AZURE-MSFT-IN", "AZURE-MSFT-OUT", "AZURE-PRIV-IN", "AZURE-PRIV-V4-OUT",
                                   "AZURE-PRIV-V6-OUT", "IBGP-NHS", "ISP-IN", "ISP-OUT"]
    assert all(p.default == "next" and p.paths == [("policy-options", "policy-statement", p.name)]
               for p in r1.policies.values())
    (accept_all,) = r1.policies["AZURE-PRIV-IN"].terms               # then accept; no term: one unnamed term
    assert (accept_all.name, accept_all.action, accept_all.prefixes, accept_all.prefix_lists) == ("", "permit", [], [])

    onprem, rest = r1.policies["AZURE-PRIV-V4-OUT"].terms
    assert (onprem.name, onprem.action, onprem.prefix_lists) == ("ONPREM", "permit", ["ONPREM-V4"])
    assert (rest.name, rest.action, rest.prefix_lists, rest.prefixes) == ("REST", "deny", [], [])

    v6, final = r1.policies["AZURE-PRIV-V6-OUT"].terms           # prefix-list-filter orlonger, unnamed final term
    assert v6.prefixes == [PrefixEntry("permit", "2001:db8:a000::/48", None, 128)] and v6.prefix_lists == []
    assert (final.name, final.action) == ("", "deny")

    bogons, services, rest = r1.policies["AZURE-MSFT-IN"].terms
    assert bogons.action == "deny" and bogons.prefixes == [
        PrefixEntry("permit", "0.0.0.0/0"), PrefixEntry("permit", "10.0.0.0/8", None, 32),
        PrefixEntry("permit", "172.16.0.0/12", None, 32), PrefixEntry("permit", "192.168.0.0/16", None, 32)]
    assert (services.community_lists, services.action) == (["MSFT-EXO", "MSFT-WEU"], "permit")
    assert rest.action == "deny"

    (nhs,) = r1.policies["IBGP-NHS"].terms
    assert (nhs.protocols, nhs.action, nhs.unknown) == (["bgp"], None, [])         # next-hop self: no terminal
    public, _ = r1.policies["ISP-OUT"].terms
    assert (public.protocols, public.prefix_lists) == (["aggregate"], ["PUBLIC-V4"])


def test_r1_prefix_lists_communities_statics(r1):
    assert sorted(r1.prefix_lists) == [(None, "MGMT-NETS"), (None, "ONPREM-V4"), (None, "ONPREM-V6"),
                                       (None, "PUBLIC-V4")]
    assert r1.prefix_lists[(None, "ONPREM-V4")] == PrefixList(
        name="ONPREM-V4", family=4, entries=[PrefixEntry("permit", "10.20.0.0/16")],
        paths=[("policy-options", "prefix-list", "ONPREM-V4")])
    assert r1.prefix_lists[(None, "ONPREM-V6")].family == 6
    assert r1.prefix_list("ONPREM-V4", 4) is r1.prefix_lists[(None, "ONPREM-V4")]
    assert r1.community_lists == {
        "MSFT-EXO": CommunityList(name="MSFT-EXO", entries=[("permit", ["12076:5010"])],
                                  paths=[("policy-options", "community", "MSFT-EXO")]),
        "MSFT-WEU": CommunityList(name="MSFT-WEU", entries=[("permit", ["12076:51002"])],
                                  paths=[("policy-options", "community", "MSFT-WEU")])}
    assert r1.statics == [
        StaticRoute(name="0.0.0.0/0", prefix="0.0.0.0/0", next_hop="192.0.2.1",
                    paths=[("routing-options", "static", "route", "0.0.0.0/0")]),
        StaticRoute(name="10.20.0.0/16", prefix="10.20.0.0/16", discard=True,
                    paths=[("routing-options", "static", "route", "10.20.0.0/16")]),
        StaticRoute(name="172.16.0.0/12", prefix="172.16.0.0/12", next_hop="172.16.99.1",
                    paths=[("routing-options", "static", "route", "172.16.0.0/12")]),
        StaticRoute(name="2001:db8:a000::/48", prefix="2001:db8:a000::/48", discard=True, distance=200,
                    paths=[("routing-options", "rib", "inet6.0", "static", "route", "2001:db8:a000::/48")])]


def test_r1_evaluate(r1):
    n4 = r1.effective(r1.neighbor("192.168.100.130"))
    v = r1.evaluate(n4.policy_in, "0.0.0.0/0")                    # inbound accepts a default route
    assert (v.accepted, v.policy, v.unknown, v.local_preference) == (True, True, False, None)
    assert r1.evaluate(n4.policy_out, "10.20.0.0/16", direction="out").accepted is True
    assert r1.evaluate(n4.policy_out, "10.21.0.0/16", direction="out").accepted is False
    assert r1.evaluate(n4.policy_out, "10.20.1.0/24", direction="out").accepted is False     # a prefix-list is exact
    n6 = r1.effective(r1.neighbor("2001:db8:100::2"))
    assert r1.evaluate(n6.policy_out, "2001:db8:a000::/48", direction="out").accepted is True
    assert r1.evaluate(n6.policy_out, "2001:db8:a000:10::/64", direction="out").accepted is True   # orlonger
    assert r1.evaluate(n6.policy_out, "2001:db8:b000::/48", direction="out").accepted is False
    ms = r1.effective(r1.neighbor("203.0.113.2"))
    assert r1.evaluate(ms.policy_in, "20.64.0.0/11", ["12076:5010"]).accepted is True
    assert r1.evaluate(ms.policy_in, "20.64.0.0/11", ["12076:51002", "65000:1"]).accepted is True
    assert r1.evaluate(ms.policy_in, "20.64.0.0/11", ["12076:5020"]).accepted is False
    assert r1.evaluate(ms.policy_in, "10.1.0.0/16", ["12076:5010"]).accepted is False          # a bogon
    assert r1.evaluate(ms.policy_in, "0.0.0.0/0", ["12076:5010"]).accepted is False
    assert r1.evaluate(ms.policy_out, "198.51.100.0/27", direction="out").accepted is True
    assert r1.evaluate(["IBGP-NHS"], "10.20.0.0/16", direction="out", protocol="static").accepted is False


# ----------------------------------------------------------------------------- brace form == set form
def test_brace_and_set_form_give_the_same_model(r1, r1set):
    for f in MODEL_FIELDS:
        assert getattr(r1set, f) == getattr(r1, f), f
    assert set(r1set.lines) == set(r1.lines)
    assert len(r1set.lines) == len(r1.lines)
    note = "inactive: protocols bgp group ISP-TRANSIT neighbor 192.0.2.5"
    assert any(note in n for n in r1.notes) and any(note in n for n in r1set.notes)
    leaf = ("interfaces", "xe-0/1/0", "unit", "100", "vlan-id", "100")
    for rc in (r1, r1set):
        assert {("interfaces",), ("interfaces", "xe-0/1/0"), ("interfaces", "xe-0/1/0", "unit", "100"),
                leaf} <= set(rc.lines)


@pytest.mark.parametrize("name", ["ams-er-r1.conf", "ams-er-r1.set", "ams-er-r2.set"])
def test_every_object_path_is_a_node(name):
    rc = load(name)
    lines = set(rc.lines)
    for obj in objects(rc):
        assert obj.paths and all(p in lines for p in obj.paths), obj.label
        assert lines_of(rc, obj)


# ----------------------------------------------------------------------------- r2 (set form, secondary)
def test_r2_objects(r2):
    assert (r2.hostname, r2.bgp_asn, r2.router_id) == ("ams-er-r2", 64500, "10.0.0.2")
    i = r2.interfaces["xe-0/1/0.100"]
    assert (i.c_tag, i.ipv4, i.ipv6, i.vrf) == (100, ["192.168.100.133/30"], ["2001:db8:100::5/126"], None)
    assert r2.interfaces["xe-0/1/0.200"].ipv4 == ["203.0.113.5/30"]
    assert r2.interfaces["xe-0/1/0.300"].vrf == "PARTNER"

    p4 = r2.effective(r2.neighbor("192.168.100.134"))
    assert (p4.remote_as, p4.key.scheme, p4.bfd, p4.bfd_timers, p4.max_prefix, p4.activated) == (
        12076, "junos9", True, Bfd(300, 300, 3), 4000, {4})
    v6 = r2.neighbor("2001:db8:100::6")                 # written 2001:db8:100:0:0:0:0:6
    assert v6.name == "2001:db8:100:0:0:0:0:6"
    assert v6.paths == [("protocols", "bgp", "group", "AZURE-PRIV-V6", "neighbor", "2001:db8:100:0:0:0:0:6")]
    p6 = r2.effective(v6)
    assert (p6.max_prefix, p6.activated, p6.bfd) == (100, {6}, True)        # accepted-prefix-limit
    ms = r2.effective(r2.neighbor("203.0.113.6"))
    assert (ms.key.scheme, ms.key.clear, ms.timers, ms.bfd) == ("clear", True, (30, 90), None)
    assert ms.key.value == "MadeUpMsftKey42"

    partner = r2.neighbor("172.31.255.6", vrf="PARTNER")
    assert r2.neighbor("172.31.255.6") is None
    assert (partner.group, partner.vrf) == ("PARTNER/PARTNER-EBGP", "PARTNER")
    assert partner.paths == [("routing-instances", "PARTNER", "protocols", "bgp", "group", "PARTNER-EBGP",
                              "neighbor", "172.31.255.6")]
    g = r2.groups["PARTNER/PARTNER-EBGP"]
    assert (g.name, g.vrf, r2.effective(partner).remote_as) == ("PARTNER-EBGP", "PARTNER", 65020)
    assert [s for s in r2.statics if s.vrf == "PARTNER"] == [StaticRoute(
        name="172.31.0.0/16", vrf="PARTNER", prefix="172.31.0.0/16", next_hop="172.31.255.6",
        paths=[("routing-instances", "PARTNER", "routing-options", "static", "route", "172.31.0.0/16")])]
    assert [(s.prefix, s.discard, s.distance) for s in r2.statics if s.vrf is None] == [
        ("0.0.0.0/0", False, None), ("10.20.0.0/16", True, None), ("10.21.0.0/16", True, 250),
        ("2001:db8:a000::/48", True, None)]
    assert r2.prefix_lists[(None, "ONPREM-V4")].entries == [PrefixEntry("permit", "10.20.0.0/16"),
                                                           PrefixEntry("permit", "10.21.0.0/16")]


def test_r2_policies_and_evaluation(r2):
    p4 = r2.effective(r2.neighbor("192.168.100.134"))
    p6 = r2.effective(r2.neighbor("2001:db8:100::6"))
    v = r2.evaluate(p4.policy_out, "10.21.0.0/16", direction="out")
    assert (v.accepted, v.prepend) == (True, [64500, 64500])
    v = r2.evaluate(p6.policy_out, "2001:db8:a000::/48", direction="out")
    assert (v.accepted, v.prepend) == (True, [])                 # IPv6 not prepended like IPv4
    assert r2.evaluate(p6.policy_out, "2001:db8:a000::/56", direction="out").accepted is False
    v = r2.evaluate(p4.policy_in, "0.0.0.0/0")
    assert (v.accepted, v.local_preference) == (True, 100)
    # the deactivated term is gone: 12076:5100 (other O365) is not accepted
    assert [t.name for t in r2.policies["AZURE-MSFT-IN"].terms] == ["BOGONS", "MSFT-SERVICES", "REST"]
    ms = r2.effective(r2.neighbor("203.0.113.6"))
    assert r2.evaluate(ms.policy_in, "52.96.0.0/14", ["12076:5100"]).accepted is False
    v = r2.evaluate(ms.policy_in, "52.96.0.0/14", ["12076:5010"])
    assert (v.accepted, v.local_preference) == (True, 100)
    assert "MSFT-O365-OTHER" in r2.community_lists
    (partner_in, _) = r2.policies["PARTNER-IN"].terms[:2]
    assert partner_in.prefixes == [PrefixEntry("permit", "172.31.0.0/16", None, 24)]
    assert r2.policies["PARTNER-OUT"].terms[0].prefixes == [PrefixEntry("permit", "10.30.0.0/16", 20, 24)]
    assert r2.evaluate(["PARTNER-OUT"], "10.30.16.0/20", direction="out").accepted is True
    assert r2.evaluate(["PARTNER-OUT"], "10.30.16.0/25", direction="out").accepted is False


def test_r2_notes(r2):
    text = "\n".join(r2.notes)
    assert "apply-groups at the top level" in text and "groups" in text
    assert "inactive: policy-options policy-statement AZURE-MSFT-IN term LEGACY-O365" in text
    # what groups define is not modelled: BASE's NTP and syslog are lines only
    assert ("groups", "BASE", "system", "ntp", "server", "10.0.10.11") in r2.lines


# ----------------------------------------------------------------------------- ergen's own renders
@pytest.mark.parametrize("path", GOLDENS, ids=[f"{p.parent.name}/{p.name}" for p in GOLDENS])
def test_goldens_agree_with_the_roundtrip_parser(path):
    text = path.read_text()
    rc = parse(text, source=str(path))
    facts = roundtrip_junos.parse(text)
    assert rc.notes == []
    assert set(rc.neighbors) == set(facts.neighbors)
    assert set(rc.interfaces) == set(facts.interfaces)
    assert rc.bgp_asn == facts.bgp_asn
    for name, fi in facts.interfaces.items():
        i = rc.interfaces[name]
        assert (i.c_tag, i.s_tag, i.vrf, i.description) == (fi.c_tag, fi.s_tag, fi.vrf, fi.description)
        assert i.ipv4 == ([fi.ipv4] if fi.ipv4 else []) and i.ipv6 == ([fi.ipv6] if fi.ipv6 else [])
    assert {(s.vrf, s.prefix) for s in rc.statics if s.discard} == facts.statics
    for key, fn in facts.neighbors.items():
        n = rc.neighbors[key]
        e = rc.effective(n)
        if fn.next_hop_self:         # the site's iBGP mesh (no key, BFD or policy of ergen's): read, not compared
            continue
        assert (e.remote_as, e.local_as, e.bfd, e.max_prefix) == (fn.remote_as, fn.local_as, fn.bfd or None,
                                                                  fn.max_prefix)
        assert e.key.value == fn.md5 and e.activated == {fn.family}
        assert e.bfd_timers == Bfd(300, 300, 3)
        for pol, rpol in ((e.policy_in, fn.policy_in), (e.policy_out, fn.policy_out)):
            assert len(pol) == 1 and pol[0] in rc.policies
            terms = rc.policies[pol[0]].terms
            got = [(t.action, p.prefix, p.ge, p.le if p.le != (128 if ":" in p.prefix else 32) or p.ge is None
                    else None) for t in terms for p in t.prefixes]
            assert got == [(a, c, g, l) for a, c, g, l in rpol.filter]
            lp = {t.local_preference for t in terms if t.local_preference is not None}
            assert lp == ({rpol.local_preference} if rpol.local_preference is not None else set())
            assert all(t.prepend == rpol.prepend for t in terms if t.action == "permit")
            comms = sorted(v for t in terms for c in t.community_lists for _, vs in rc.community_lists[c].entries
                           for v in vs)
            assert comms == rpol.communities
            if rpol.communities:           # ergen: one community per value, a term matching any of them
                prefix = "20.0.0.0/8" if n.family == 4 else "2a01:111::/32"
                for c in rpol.communities:
                    assert rc.evaluate(pol, prefix, [c]).accepted is True
                assert rc.evaluate(pol, prefix, ["12076:1"]).accepted is False
    # what the export policies accept exactly is what the roundtrip calls the networks
    for vrf, prefix in facts.networks:
        assert any(rc.evaluate(rc.effective(n).policy_out, prefix, direction="out").accepted
                   for (v, _), n in rc.neighbors.items() if v == vrf)
    lines = set(rc.lines)
    assert all(p in lines for obj in objects(rc) for p in obj.paths)


def test_golden_neighbors_keep_their_group_and_vrf():
    rc = parse((ROOT / "tests/golden/junos/private-vrf/ams-er-r1.cfg").read_text())
    assert sorted(rc.groups) == ["CORP/ER-AMS-PROD-MSEE", "ER-AMS-PROD-MSEE"]
    n = rc.neighbor("192.168.100.130", vrf="CORP")
    assert n.group == "CORP/ER-AMS-PROD-MSEE" and rc.effective(n).max_prefix == 1000
    assert rc.interfaces["xe-0/1/0.100"].vrf == "CORP"
    assert any(s.paths == [("routing-instances", "CORP", "routing-options", "rib", "CORP.inet6.0", "static",
                            "route", "2001:db8:a000::/48")] for s in rc.statics)


# ----------------------------------------------------------------------------- statements, one by one
BGP_SNIPPET = """
routing-options { autonomous-system 64500; }
protocols {
    bgp {
        import BGP-WIDE;
        hold-time 60;
        group G {
            type external;
            peer-as 12076;
            local-as 65001 private;
            import [ A B ];
            family inet { unicast { prefix-limit { maximum 500; teardown 80; } } }
            family inet6 { unicast { prefix-limit { maximum 50; } } }
            bfd-liveness-detection {
                transmit-interval { minimum-interval 500; }
                minimum-receive-interval 400;
            }
            multihop;
            neighbor 10.1.1.1 { import C; multihop { ttl 3; } local-address 10.1.1.2; }
            neighbor 2001:db8::1;
            neighbor 10.1.1.5 { family inet { unicast; } authentication-key-chain KC; shutdown; }
        }
        group INT { type internal; neighbor 10.9.9.9; }
    }
}
"""


def test_bgp_levels_families_and_limits():
    rc = parse(BGP_SNIPPET)
    g = rc.groups["G"].session
    assert g.policy_in == ["A", "B"] and g.timers == (20, 60)           # hold-time from the BGP level
    assert (g.local_as, g.activated, g.max_prefix) == (65001, {4, 6}, None)
    assert g.bfd_timers == Bfd(500, 400, 3) and g.ebgp_multihop == 64
    a = rc.effective(rc.neighbor("10.1.1.1"))
    assert (a.policy_in, a.ebgp_multihop, a.update_source, a.max_prefix) == (["C"], 3, "10.1.1.2", 500)
    b = rc.effective(rc.neighbor("2001:db8::1"))
    assert (b.policy_in, b.max_prefix, b.activated) == (["A", "B"], 50, {4, 6})
    c = rc.effective(rc.neighbor("10.1.1.5"))
    assert (c.activated, c.shutdown, c.key.scheme) == ({4}, True, "key-chain")
    assert rc.effective(rc.neighbor("10.9.9.9")).remote_as == 64500
    assert rc.effective(rc.neighbor("10.9.9.9")).policy_in == ["BGP-WIDE"]
    text = "\n".join(rc.notes)
    assert "settings at the BGP level" in text and "authentication-key-chain KC" in text
    assert ("protocols", "bgp", "group", "G", "import", "A") in rc.lines
    assert ("protocols", "bgp", "group", "G", "import", "B") in rc.lines
    set_form = parse("set routing-options autonomous-system 64500\n"
                     "set protocols bgp group G import A\nset protocols bgp group G import B\n"
                     "set protocols bgp group G neighbor 10.1.1.1\n")
    assert set_form.groups["G"].session.policy_in == ["A", "B"]


def test_policy_matches_and_actions():
    rc = parse("""
policy-options {
    prefix-list L { 10.0.0.0/8; }
    policy-statement P {
        term F {
            from {
                route-filter 10.0.0.0/8 longer;
                route-filter 192.0.2.0/24 through 192.0.2.128/25;
                prefix-list-filter L exact;
            }
            then next policy;
        }
        term G { from { as-path AZ; neighbor 10.0.0.1; family inet6; } then accept; }
        term H { from { route-filter 10.0.0.0/8 orlonger reject; } then { local-preference add 10; accept; } }
        term I { from { protocol [ direct ospf2 ]; prefix-list-filter NOPE orlonger; } then reject; }
        term J { to neighbor 10.0.0.1; then { as-path-prepend 64500; community add X; next term; } }
        term K { from { route-filter 10.0.0.0/8 orlonger; route-filter 10.1.0.0/16 exact; } then accept; }
    }
}""")
    f, g, h, i, j, k = rc.policies["P"].terms
    assert f.prefixes == [PrefixEntry("permit", "10.0.0.0/8", 9, 32), PrefixEntry("permit", "10.0.0.0/8")]
    assert f.unknown == ["from route-filter 192.0.2.0/24 through 192.0.2.128/25"] and f.action is None
    assert g.unknown == ["from as-path AZ", "from neighbor 10.0.0.1", "from family inet6"]
    assert h.unknown and h.local_preference is None and h.action == "permit"
    assert i.protocols == ["direct", "ospf"] and i.unknown == ["from prefix-list-filter NOPE orlonger"]
    assert j.unknown == ["to neighbor 10.0.0.1"] and j.prepend == [64500] and j.action is None
    assert k.action == "permit"
    assert rc.evaluate(["P"], "10.1.0.0/16").unknown is True            # as-path: ergen cannot tell
    text = "\n".join(rc.notes)
    assert "next policy" in text and "local-preference add 10" in text and "community add X" in text
    assert "term K: nested route-filters" in text


def test_a_community_with_several_members_needs_all_of_them():
    rc = parse("""
policy-options {
    community BOTH members [ 12076:5010 12076:51002 ];
    policy-statement P { term T { from community BOTH; then accept; } then reject; }
}""")
    assert rc.community_lists["BOTH"].entries == [("permit", ["12076:5010", "12076:51002"])]
    assert rc.evaluate(["P"], "20.0.0.0/8", ["12076:5010"]).accepted is False
    assert rc.evaluate(["P"], "20.0.0.0/8", ["12076:5010", "12076:51002"]).accepted is True
    assert ("policy-options", "community", "BOTH") in rc.lines
    assert ("policy-options", "community", "BOTH", "members", "12076:51002") in rc.lines


def test_interface_tags_states_and_vrfs():
    rc = parse("""
interfaces {
    xe-0/0/0 {
        flexible-vlan-tagging;
        unit 10 { vlan-tags outer 0x8100.300 inner 10; family inet { address 192.0.2.1/30; } }
        unit 11 { disable; vlan-id 11; family inet6 { address 2001:DB8:0:0::1/64; } }
        inactive: unit 12 { vlan-id 12; }
        unit 13 { vlan-id 13; inactive: family inet { address 192.0.2.9/30; } }
    }
    xe-0/0/1 { disable; unit 0 { family inet { address 198.51.100.1/24 { primary; } } } }
}
routing-instances { V { instance-type vrf; interface xe-0/0/0.10; } }
""")
    u10 = rc.interfaces["xe-0/0/0.10"]
    assert (u10.s_tag, u10.c_tag, u10.vrf, u10.ipv4) == (300, 10, "V", ["192.0.2.1/30"])
    u11 = rc.interfaces["xe-0/0/0.11"]
    assert (u11.shutdown, u11.ipv6) == (True, ["2001:db8::1/64"])
    assert rc.interfaces["xe-0/0/0.12"].shutdown is True                    # inactive as a whole: kept, down
    assert rc.interfaces["xe-0/0/0.13"].ipv4 == [] and not rc.interfaces["xe-0/0/0.13"].shutdown
    assert rc.interfaces["xe-0/0/1.0"].shutdown is True                     # the port is disabled
    assert rc.interfaces["xe-0/0/1.0"].ipv4 == ["198.51.100.1/24"]
    assert ("interfaces", "xe-0/0/0", "unit", "12", "vlan-id", "12") in rc.lines      # still a line
    text = "\n".join(rc.notes)
    assert "inactive: interfaces xe-0/0/0 unit 12" in text and "unit 13 family inet" in text


def test_set_form_deactivate_activate_delete():
    rc = parse("""set interfaces xe-0/0/0 unit 5 vlan-id 5
set interfaces xe-0/0/0 unit 6 vlan-id 6
set protocols bgp group G neighbor 10.0.0.1 peer-as 65001
set protocols bgp group G bfd-liveness-detection minimum-interval 300
deactivate protocols bgp group G bfd-liveness-detection
deactivate interfaces xe-0/0/0 unit 6
activate interfaces xe-0/0/0 unit 6
set interfaces xe-0/0/0 unit 7 vlan-id 7
delete interfaces xe-0/0/0 unit 7
protect interfaces xe-0/0/0
""")
    assert sorted(rc.interfaces) == ["xe-0/0/0.5", "xe-0/0/0.6"] and not rc.interfaces["xe-0/0/0.6"].shutdown
    assert rc.groups["G"].session.bfd is None
    assert ("protocols", "bgp", "group", "G", "bfd-liveness-detection", "minimum-interval", "300") in rc.lines
    assert not any(line[:4] == ("interfaces", "xe-0/0/0", "unit", "7") for line in rc.lines)
    assert rc.effective(rc.neighbor("10.0.0.1")).remote_as == 65001
    assert any("bfd-liveness-detection" in n for n in rc.notes)
    assert any("has no group" in n for n in parse("protocols { bgp { log-updown; } }").notes)


def test_prompts_comments_and_annotations():
    rc = parse("""{master}[edit]
admin@ams-er-r1# show
## Last changed: 2024-05-14 09:12:44 CEST
version 21.2R3;
/* multi-line
   annotation { } ; */
system { host-name "r1"; } # trailing comment { ;
protect: routing-options { autonomous-system 64500; }
""")
    assert (rc.hostname, rc.bgp_asn) == ("r1", 64500)
    assert rc.lines == [("version", "21.2R3"), ("system",), ("system", "host-name", "r1"), ("routing-options",),
                        ("routing-options", "autonomous-system", "64500")]
    assert any("prompt" in n for n in rc.notes)


# ----------------------------------------------------------------------------- bad input
GARBAGE = [
    "", "\n\n", "}}}", "{{{", ";;;", "[ ] ; ; { } ]", "inactive: inactive: ;", "inactive:",
    "interfaces { xe-0/1/0 { unit 100 { vlan-id 100", '"unterminated', "/* open", "system { host-name \"x",
    "set", "set interfaces", "deactivate", "activate protocols", "delete", "set interfaces xe-0/1/0 unit\n",
    "set interfaces xe-0/1/0 unit 100 vlan-tags outer 0x8100.9999 inner 5",
    "set protocols bgp group G neighbor [ 10.0.0.1 10.0.0.2",
    "interfaces { xe-0/1/0 { unit abc { vlan-id 99999; family inet { address 999.1.1.1/33; } } } }",
    "protocols { bgp { group G { neighbor not-an-ip; neighbor 10.0.0.1 { peer-as 1.2.3.4.5; hold-time x; "
    "bfd-liveness-detection { multiplier lots; } multihop { ttl -1; } family inet { unicast { prefix-limit "
    "{ maximum many; } } } } } } }",
    "routing-options { autonomous-system 99999999999; router-id; static { route 10.0.0.0/33 discard; "
    "route { preference x; } } rib { static { route ::/0; } } }",
    "policy-options { policy-statement P { term T { from { route-filter 10.0.0.0/8 upto /xx; route-filter; "
    "route-filter garbage exact; route-filter 10.0.0.0/8 prefix-length-range /40-/50; prefix-list-filter; } "
    "then { as-path-prepend \"a b\"; local-preference x; next; } } } prefix-list L { apply-path \"x <*>\"; "
    "not-a-prefix; } community C { members; invert-match; } community D members \"^12076:.*$\"; }",
    "interface GigabitEthernet1\n ip address 192.0.2.1 255.255.255.0\n!\nrouter bgp 64500\n neighbor 1 remote-as 2\n",
    "\ufeff\u2028interfaces { \u00e9\u00e8 { unit 1 { description \"\u2603\\\"quoted\\\"\"; } } }",
    "routing-instances { { } } interfaces { interface-range R { member xe-0/0/[0-3]; } }",
    "groups { G { interfaces { <*> { unit <*> { family inet { mtu 1500; } } } } } } apply-groups G;",
    "logical-systems { LS { interfaces { xe-0/0/0 { unit 0; } } } }",
    "set groups\nset apply-groups [ A B ]\nfoo bar\nset system host-name x; y {\n",
]


@pytest.mark.parametrize("text", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gives_notes_never_an_exception(text):
    try:
        rc = parse(text, source="bad.conf")
    except InputError as e:
        assert "bad.conf" in str(e) and "\n" not in str(e)
        return
    assert isinstance(rc, RunningConfig)
    for obj in objects(rc):
        repr(obj)


def test_truncated_configs_never_raise():
    text = (FIX / "ams-er-r1.conf").read_text()
    for cut in range(0, len(text), 61):
        rc = parse(text[:cut], source="cut.conf")
        if 0 < cut < len(text) - 10 and text[:cut].count("{") > text[:cut].count("}"):
            assert any("not closed" in n or "no ';'" in n or "not closed" in n for n in rc.notes), cut
    stext = (FIX / "ams-er-r2.set").read_text()
    for cut in range(0, len(stext), 89):
        parse(stext[:cut], source="cut.set")


@pytest.mark.parametrize("bad", [b"interfaces { }", None, 42, "system {\x00}"])
def test_what_is_not_text_is_an_input_error(bad):
    with pytest.raises(InputError) as err:
        parse(bad, source="bin.conf")
    assert str(err.value).startswith("bin.conf: ") and "\n" not in str(err.value)


def test_truncated_and_unbalanced_are_noted():
    assert any("not closed" in n for n in parse("interfaces { xe-0/1/0 { unit 100 { vlan-id 100;").notes)
    assert any("without a block" in n for n in parse("system { host-name x; } }").notes)
    assert any("not a set-form command" in n for n in parse("set system host-name x\nhostname foo\n").notes)
    assert any("no such statement" in n for n in parse("set system host-name x\ndeactivate system ntp\n").notes)
    rc = parse("interfaces { xe-0/1/0 { unit 100 { vlan-id 100; } }")
    assert rc.interfaces["xe-0/1/0.100"].c_tag == 100


def test_ten_thousand_lines_parse_fast():
    out = ["routing-options { autonomous-system 64500; }", "interfaces {", "    xe-0/0/0 {"]
    for u in range(1, 1001):
        out += [f"        unit {u} {{", f"            vlan-id {u};", "            family inet {",
                f"                address 10.{u // 256}.{u % 256}.1/30;", "            }", "        }"]
    out += ["    }", "}", "protocols {", "    bgp {", "        group MANY {", "            peer-as 65001;"]
    for u in range(1, 1001):
        out += [f"            neighbor 10.{u // 256}.{u % 256}.2 {{", f"                description \"n{u}\";",
                "            }"]
    out += ["        }", "    }", "}"]
    text = "\n".join(out)
    assert text.count("\n") > 9000
    start = time.perf_counter()
    rc = parse(text)
    brace = time.perf_counter() - start
    assert len(rc.interfaces) == 1000 and len(rc.neighbors) == 1000
    set_text = "\n".join("set " + " ".join(line) for line in rc.lines)       # no word has a space
    start = time.perf_counter()
    rs = parse(set_text)
    setf = time.perf_counter() - start
    assert len(rs.interfaces) == 1000 and len(rs.neighbors) == 1000
    assert brace < 1.0 and setf < 1.0, (brace, setf)
