"""Intent: addresses, tags, standby policy and filters are decided in Python, per router."""

from __future__ import annotations

import pytest

import ergen
from ergen.errors import RenderError
from ergen.intent import naming
from ergen.intent.addressing import link_addresses
from helpers import example_data, peering, write_case


def plan(tmp_path, mutate=None):
    c, h, g, ci = example_data()
    if mutate:
        mutate(c, h, g, ci)
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    return {i.name: i for i in ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv)).intents}


@pytest.mark.parametrize("prefix,customer,microsoft", [
    ("192.168.100.128/30", "192.168.100.129", "192.168.100.130"),   # Microsoft's own example
    ("192.168.100.132/30", "192.168.100.133", "192.168.100.134"),
    ("203.0.113.252/30", "203.0.113.253", "203.0.113.254"),
    ("2001:db8:100::/126", "2001:db8:100::1", "2001:db8:100::2"),
    ("2001:db8:100::4/126", "2001:db8:100::5", "2001:db8:100::6"),
])
def test_link_addresses(prefix, customer, microsoft):
    a = link_addresses(prefix)
    assert (a.customer.address, a.microsoft.address) == (customer, microsoft)
    assert a.customer.prefixlen == (30 if "." in prefix else 126)


def test_example_routers(tmp_path):
    r = plan(tmp_path)
    r1, r2 = r["ams-er-r1"], r["ams-er-r2"]
    assert [(n.address, n.remote_as, n.family) for n in r1.neighbors] == [
        ("192.168.100.130", 12076, 4), ("2001:db8:100::2", 12076, 6), ("203.0.113.2", 12076, 4)]
    assert [n.address for n in r2.neighbors] == ["192.168.100.134", "2001:db8:100::6", "203.0.113.6"]
    assert [(i.name, i.c_tag, i.ipv4.address, i.ipv4.netmask) for i in r2.interfaces] == [
        ("TenGigabitEthernet0/1/0.100", 100, "192.168.100.133", "255.255.255.252"),
        ("TenGigabitEthernet0/1/0.200", 200, "203.0.113.5", "255.255.255.252")]
    assert r2.interfaces[0].ipv6.with_prefixlen == "2001:db8:100::5/126"
    assert r1.bgp_asn == 64500 and all(n.local_as is None for n in r1.neighbors)
    # the secondary is the standby: prepended out, lower local preference in
    out2 = {m.name: m for m in r2.route_maps}
    assert out2["ER-AMS-PROD-PRIV-V4-OUT"].entries[0].set_as_path_prepend == (64500, 64500, 64500)
    assert out2["ER-AMS-PROD-PRIV-V4-IN"].entries[0].set_local_preference == 100
    out1 = {m.name: m for m in r1.route_maps}
    assert out1["ER-AMS-PROD-PRIV-V4-OUT"].entries[0].set_as_path_prepend == ()
    assert out1["ER-AMS-PROD-PRIV-V4-IN"].entries[0].set_local_preference == 150
    assert [n.standby for n in r2.neighbors] == [True, True, True]
    # every object ergen owns starts with the circuit's prefix
    owned = [*(p.name for p in r1.prefix_lists), *(m.name for m in r1.route_maps),
             *(b.name for b in r1.bfd_profiles)]
    assert owned and all(n.startswith("ER-AMS-PROD-") for n in owned)
    assert {n.maximum_prefix.limit for n in r1.neighbors if n.peering == "private"} == {1000, 100}


def test_active_active_has_no_prepend_or_local_preference(tmp_path):
    r = plan(tmp_path, lambda c, h, g, ci: ci["er-ams-prod"].update(redundancy="active-active"))
    for intent in r.values():
        for m in intent.route_maps:
            assert m.entries[0].set_as_path_prepend == () and m.entries[0].set_local_preference is None


def test_active_link_secondary_moves_the_prepend(tmp_path):
    r = plan(tmp_path, lambda c, h, g, ci: ci["er-ams-prod"].update(active_link="secondary", prepend=2))
    rm = {m.name: m for m in r["ams-er-r1"].route_maps}
    assert rm["ER-AMS-PROD-PRIV-V4-OUT"].entries[0].set_as_path_prepend == (64500, 64500)


def test_local_as_when_the_peering_asn_is_not_the_routers(tmp_path):
    def mut(c, h, g, ci):
        peering(c, "AzurePrivatePeering")["peerASN"] = 65010
    r = plan(tmp_path, mut)["ams-er-r1"]
    by_peering = {(n.peering, n.family): n for n in r.neighbors}
    assert by_peering[("private", 4)].local_as == 65010
    assert by_peering[("microsoft", 4)].local_as is None
    # the prepend uses the ASN Microsoft sees on that peering
    rm = {m.name: m for m in plan(tmp_path, mut)["ams-er-r2"].route_maps}
    assert rm["ER-AMS-PROD-PRIV-V4-OUT"].entries[0].set_as_path_prepend == (65010,) * 3


def test_qinq_and_router_side_vlan(tmp_path):
    def mut(c, h, g, ci):
        h["ams-er-r1"]["data"]["expressroute"][0].update(s_tag=300, vlan={"private": 1100})
    r1 = plan(tmp_path, mut)["ams-er-r1"]
    i = r1.interfaces[0]
    assert (i.name, i.s_tag, i.c_tag, i.unit) == ("TenGigabitEthernet0/1/0.3001100", 300, 1100, 3001100)
    assert r1.interfaces[1].c_tag == 200  # Microsoft peering keeps Azure's tag


def test_frr_interface_names_follow_linux(tmp_path):
    def mut(c, h, g, ci):
        for name in h:
            h[name]["platform"] = "frr"
            h[name]["data"]["expressroute"][0]["interface"] = "eth1"
        h["ams-er-r1"]["data"]["expressroute"][0]["s_tag"] = 300
    r = plan(tmp_path, mut)
    assert [i.name for i in r["ams-er-r1"].interfaces] == ["eth1.300.100", "eth1.300.200"]
    assert [i.name for i in r["ams-er-r2"].interfaces] == ["eth1.100", "eth1.200"]


def test_frr_interface_name_too_long_is_an_error(tmp_path):
    def mut(c, h, g, ci):
        h["ams-er-r1"]["platform"] = "frr"
        h["ams-er-r1"]["data"]["expressroute"][0]["interface"] = "enp0s31f6long"
    with pytest.raises(RenderError) as exc:
        plan(tmp_path, mut)
    assert "ams-er-r1.data.expressroute[0].interface" in str(exc.value)


def test_default_route_is_originated_but_never_anchored(tmp_path):
    def mut(c, h, g, ci):
        ci["er-ams-prod"]["private"].update(default_route=True, anchor_routes=True)
    r1 = plan(tmp_path, mut)["ams-er-r1"]
    assert "0.0.0.0/0" in [p.cidr for p in r1.networks]
    assert "0.0.0.0/0" not in [s.prefix.cidr for s in r1.static_routes]
    assert [s.prefix.cidr for s in r1.static_routes] == [
        "10.20.0.0/16", "10.21.0.0/16", "198.51.100.0/27", "2001:db8:a000::/48"]
    pl = {p.name: p for p in r1.prefix_lists}["ER-AMS-PROD-PRIV-V4-OUT-PFX"]
    assert [e.prefix.cidr for e in pl.entries] == ["0.0.0.0/0", "10.20.0.0/16", "10.21.0.0/16"]


def test_nothing_to_advertise_denies_everything(tmp_path):
    r1 = plan(tmp_path, lambda c, h, g, ci: ci["er-ams-prod"]["private"].update(advertise=[]))["ams-er-r1"]
    pl = {p.name: p for p in r1.prefix_lists}["ER-AMS-PROD-PRIV-V4-OUT-PFX"]
    assert [(e.action, e.prefix.cidr, e.le) for e in pl.entries] == [("deny", "0.0.0.0/0", 32)]


def test_both_links_on_one_router_get_per_link_names(tmp_path):
    def mut(c, h, g, ci):
        h["ams-er-r1"]["data"]["expressroute"].append(
            {"circuit": "er-ams-prod", "link": "secondary", "interface": "TenGigabitEthernet0/2/0"})
        del h["ams-er-r2"]
    r1 = plan(tmp_path, mut)["ams-er-r1"]
    names = {m.name for m in r1.route_maps}
    assert {"ER-AMS-PROD-PRIV-V4-PRI-OUT", "ER-AMS-PROD-PRIV-V4-SEC-OUT"} <= names
    assert len(r1.neighbors) == 6


def test_only_listed_peerings_land(tmp_path):
    def mut(c, h, g, ci):
        for name in h:
            h[name]["data"]["expressroute"][0]["peerings"] = ["private"]
    r = plan(tmp_path, mut)
    assert {n.peering for i in r.values() for n in i.neighbors} == {"private"}


@pytest.mark.parametrize("name,tag,expected", [
    ("er-ams-prod", None, "AMS-PROD"), ("ExpressRoute_Circuit 01", None, "CIRCUIT-01"),
    ("contoso-er", None, "CONTOSO-ER"), ("ER", None, "ER"), ("x", "Lab-1", "LAB-1")])
def test_circuit_tags(name, tag, expected):
    assert naming.circuit_tag(name, tag) == expected


def test_two_peerings_on_one_junos_unit_are_refused(tmp_path):
    """Junos units are the C-tag: a QinQ peering and a dot1Q one with that tag would share a unit."""
    def mut(c, h, g, ci):
        for name in h:
            h[name]["platform"] = "junos"
            h[name]["data"]["expressroute"][0]["interface"] = "xe-0/1/0"
        h["ams-er-r1"]["data"]["expressroute"][0]["s_tag"] = 300          # QinQ 300/100 -> unit 100
        h["ams-er-r1"]["data"]["expressroute"].append(                     # dot1Q 100    -> unit 100
            {"circuit": "er-ams-prod", "link": "secondary", "interface": "xe-0/1/0"})
        del h["ams-er-r2"]
    with pytest.raises(RenderError) as exc:
        plan(tmp_path, mut)
    assert "ER304" in str(exc.value) and "xe-0/1/0.100" in str(exc.value)
