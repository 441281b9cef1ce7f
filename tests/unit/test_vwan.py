"""IPsec over ExpressRoute to a Virtual WAN hub: the readers (REST and az CLI shapes), every vWAN rule
both ways, and the intent the tunnels get."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import ergen
from ergen.azure import load_vpn
from ergen.errors import InputError
from ergen.model.vpn import ExpressRouteGateway, VpnConnection, VpnGateway, VpnSite
from ergen.rules import RULES
from helpers import EXAMPLE_CIRCUIT, ROOT, SCENARIOS

BASE = SCENARIOS / "ipsec-vwan"
AZ = ROOT / "tests" / "fixtures" / "vwan"
FILES = ("vpn-gateway.json", "vpn-connection.json", "vpn-site.json", "er-gateway.json")


# ----------------------------------------------------------------------------- readers
@pytest.mark.parametrize("shape", ["rest", "az"])
def test_every_resource_reads_the_same_in_both_shapes(shape):
    path = (lambda n: BASE / n) if shape == "rest" else (lambda n: AZ / f"az-{n}")
    gw, conns, site, er = (load_vpn(path(n)) for n in FILES)
    assert isinstance(gw, VpnGateway) and gw.kind == "vwan" and gw.name == "vpngw-hub-weu"
    assert gw.bgp_asn == 65515 and gw.hub_id.endswith("/virtualHubs/hub-weu") and gw.enable_private_ip
    assert [(i.name, i.public_ip, i.private_ip, i.bgp_ip) for i in gw.instances] == [
        ("Instance0", "203.0.113.50", "10.110.0.4", "10.110.0.12"),
        ("Instance1", "203.0.113.51", "10.110.0.5", "10.110.0.13")]
    assert isinstance(conns, list) and all(isinstance(c, VpnConnection) for c in conns)
    assert [(c.name, c.parent, c.kind, c.enable_bgp, c.use_local_azure_ip_address, c.connection_protocol)
            for c in conns] == [("link-ams-er-r1", "cn-site-ams", "vwan", True, True, "IKEv2"),
                                ("link-ams-er-r2", "cn-site-ams", "vwan", True, True, "IKEv2")]
    assert conns[0].gateway_id == gw.id and conns[0].site_link_id.endswith("/vpnSiteLinks/ams-er-r1")
    assert conns[0].site_id.endswith("/vpnSites/site-ams") and conns[0].dpd_timeout_seconds == 45
    assert isinstance(site, VpnSite) and site.virtual_wan_id.endswith("/virtualWans/vwan-corp")
    assert [(l.name, l.ip_address, l.bgp_asn, l.bgp_address, l.speed_mbps) for l in site.links] == [
        ("ams-er-r1", "10.20.255.1", 64500, "10.20.254.1", 1000), ("ams-er-r2", "10.20.255.2", 64500, "10.20.254.2", 1000)]
    assert isinstance(er, ExpressRouteGateway) and er.hub_id == gw.hub_id
    assert er.connections[0].peering_id.endswith("/expressRouteCircuits/er-ams-prod/peerings/AzurePrivatePeering")


def test_resources_are_told_apart_by_content_without_type(tmp_path):
    for n, kind in zip(FILES, (VpnGateway, list, VpnSite, ExpressRouteGateway)):
        d = json.loads((AZ / f"az-{n}").read_text())
        d.pop("type")
        (tmp_path / n).write_text(json.dumps(d))
        assert isinstance(load_vpn(tmp_path / n), kind), n


def test_a_gateway_with_embedded_connections_brings_them(tmp_path):
    gw = json.loads((BASE / "vpn-gateway.json").read_text())
    gw["properties"]["connections"] = [json.loads((BASE / "vpn-connection.json").read_text())]
    (tmp_path / "gw.json").write_text(json.dumps(gw))
    g = load_vpn(tmp_path / "gw.json")
    assert [c.name for c in g.connections] == ["link-ams-er-r1", "link-ams-er-r2"]
    assert all(c.gateway_id == g.id for c in g.connections)
    # and the rules see them: the gateway, the site and the ER gateway are enough
    files = [tmp_path / "gw.json", BASE / "vpn-site.json", BASE / "er-gateway.json"]
    report = ergen.validate(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(BASE / "inventory"),
                            vpn=[load_vpn(f) for f in files])
    assert report.ok, [p.line() for p in report.errors]


def test_older_single_link_site_and_connection(tmp_path):
    site = {"name": "site-old", "type": "Microsoft.Network/vpnSites",
            "properties": {"ipAddress": "10.20.255.9", "bgpProperties": {"asn": 64500, "bgpPeeringAddress": "10.20.254.9"}}}
    conn = {"name": "cn-old", "id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/vpnGateways/g/vpnConnections/cn-old",
            "type": "Microsoft.Network/vpnGateways/vpnConnections",
            "properties": {"remoteVpnSite": {"id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/vpnSites/site-old"},
                           "enableBgp": True, "useLocalAzureIpAddress": True, "sharedKey": "x" * 20}}
    (tmp_path / "s.json").write_text(json.dumps(site))
    (tmp_path / "c.json").write_text(json.dumps(conn))
    s = load_vpn(tmp_path / "s.json")
    assert [(l.name, l.ip_address, l.bgp_address) for l in s.links] == [("site-old", "10.20.255.9", "10.20.254.9")]
    (c,) = load_vpn(tmp_path / "c.json")
    assert (c.name, c.parent, c.enable_bgp, c.shared_key_set) == ("cn-old", None, True, True)
    assert c.gateway_id.endswith("/vpnGateways/g")


@pytest.mark.parametrize("file,mutate,field", [
    ("vpn-gateway.json", lambda d: d["properties"]["bgpSettings"].update(asn="sixty-five"), "properties.bgpSettings.asn"),
    ("vpn-gateway.json", lambda d: d["properties"]["bgpSettings"]["bgpPeeringAddresses"][1].update(ipconfigurationId="Instance7"),
     "properties.bgpSettings.bgpPeeringAddresses[1].ipconfigurationId"),
    ("vpn-connection.json", lambda d: d["properties"]["vpnLinkConnections"][0]["properties"].update(enableBgp="maybe"),
     "properties.vpnLinkConnections[0].properties.enableBgp"),
    ("vpn-site.json", lambda d: d["properties"].update(vpnSiteLinks={"name": "x"}), "properties.vpnSiteLinks"),
    ("vpn-site.json", lambda d: d["properties"]["vpnSiteLinks"][0]["properties"]["bgpProperties"].update(asn=-4),
     "properties.vpnSiteLinks[0].properties.bgpProperties.asn"),
    ("er-gateway.json", lambda d: d["properties"]["expressRouteConnections"][0]["properties"].update(
        expressRouteCircuitPeering=7), "properties.expressRouteConnections[0].properties.expressRouteCircuitPeering"),
])
def test_bad_input_is_one_line_naming_file_and_field(tmp_path, file, mutate, field):
    d = json.loads((BASE / file).read_text())
    mutate(d)
    (tmp_path / file).write_text(json.dumps(d))
    with pytest.raises(InputError) as e:
        load_vpn(tmp_path / file)
    line = str(e.value)
    assert "\n" not in line and file in line and field in line, line


# ----------------------------------------------------------------------------- rules
def case(tmp: Path, mutate=None):
    inv = tmp / "inv"
    shutil.copytree(BASE / "inventory", inv)
    for f in (inv / "secrets").iterdir():
        f.chmod(0o600)
    docs = {n: json.loads((BASE / n).read_text()) for n in FILES}
    hosts = yaml.safe_load((inv / "hosts.yaml").read_text())
    groups = yaml.safe_load((inv / "groups.yaml").read_text())
    if mutate:
        mutate(hosts, groups, docs)
    (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    (inv / "groups.yaml").write_text(yaml.safe_dump(groups, sort_keys=False))
    files = []
    for n, d in docs.items():
        if d is not None:
            (tmp / n).write_text(json.dumps(d))
            files.append(tmp / n)
    vpn = [load_vpn(f) for f in files]
    return ergen.validate(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn), vpn, inv


def ip(hosts, router="ams-er-r1"):
    return hosts[router]["data"]["ipsec"][0]


def link(d, k=0):
    return d["vpn-connection.json"]["properties"]["vpnLinkConnections"][k]["properties"]


def site_link(d, k=0):
    return d["vpn-site.json"]["properties"]["vpnSiteLinks"][k]["properties"]


CASES = [
    ("ER914", lambda h, g, d: d["vpn-gateway.json"]["properties"]["bgpSettings"].update(asn=65001),
     "properties.bgpSettings.asn"),
    ("ER914", lambda h, g, d: (g["ams"]["data"].update(bgp_asn=65520), site_link(d).update(bgpProperties={"asn": 65520, "bgpPeeringAddress": "10.20.254.1"})),
     "ams-er-r1.data.bgp_asn"),
    ("ER915", lambda h, g, d: site_link(d).update(ipAddress="10.20.255.77"), "ams-er-r1.data.ipsec[0].local_address"),
    ("ER915", lambda h, g, d: ip(h).update(bgp_addresses=["10.20.254.99"]), "ams-er-r1.data.ipsec[0].bgp_addresses[0]"),
    ("ER915", lambda h, g, d: site_link(d).update(bgpProperties={"asn": 64999, "bgpPeeringAddress": "10.20.254.1"}),
     "ams-er-r1.data.bgp_asn"),
    ("ER915", lambda h, g, d: site_link(d).pop("bgpProperties"), "properties.vpnSiteLinks[0].properties.bgpProperties"),
    ("ER915", lambda h, g, d: d.update({"vpn-site.json": None}), "ams-er-r1.data.ipsec[0].connection"),
    ("ER916", lambda h, g, d: site_link(d).update(bgpProperties={"asn": 64500, "bgpPeeringAddress": "169.254.21.5"}),
     "ams-er-r1.data.ipsec[0].connection"),
    ("ER916", lambda h, g, d: ip(h).pop("bgp_interface"), "ams-er-r1.data.ipsec[0].bgp_interface"),
    ("ER916", lambda h, g, d: ip(h).update(bgp_interface="Loopback100"), "ams-er-r1.data.ipsec[0].bgp_interface"),
    ("ER916", lambda h, g, d: ip(h).update(bgp_addresses=["10.20.254.1", "10.20.254.3"]), "ams-er-r1.data.ipsec[0].bgp_addresses"),
    ("ER916", lambda h, g, d: site_link(d).update(bgpProperties={"asn": 64500, "bgpPeeringAddress": "10.20.255.1"}),
     "ams-er-r1.data.ipsec[0].connection"),
    ("ER917", lambda h, g, d: d["er-gateway.json"]["properties"]["expressRouteConnections"][0]["properties"][
        "expressRouteCircuitPeering"].update(id="/subscriptions/0/resourceGroups/r/providers/Microsoft.Network/"
                                               "expressRouteCircuits/er-fra-dr/peerings/AzurePrivatePeering"),
     "properties.expressRouteConnections"),
    ("ER918", lambda h, g, d: link(d).update(enableBgp=False), "properties.vpnLinkConnections[0].properties.enableBgp"),
    ("ER906", lambda h, g, d: link(d).update(useLocalAzureIpAddress=False),
     "properties.vpnLinkConnections[0].properties.useLocalAzureIpAddress"),
    ("ER904", lambda h, g, d: site_link(d, 1).update(bgpProperties={"asn": 64500, "bgpPeeringAddress": "10.20.254.1"}),
     "ams-er-r2.data.ipsec[0].connection"),
    ("ER901", lambda h, g, d: ip(h).update(connection="cn-site-ams/link-nowhere"), "ams-er-r1.data.ipsec[0].connection"),
]


def test_the_scenario_is_clean(tmp_path):
    report, _, _ = case(tmp_path)
    assert report.ok, [p.line() for p in report.errors]
    assert not [c for c in report.codes() if c.startswith("ER91") and c != "ER913"]


@pytest.mark.parametrize("code,mutate,where", CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_vwan_rule_fires(tmp_path, code, mutate, where):
    report, _, _ = case(tmp_path, mutate)
    hits = [p for p in report.problems if p.code == code]
    assert hits, [p.line() for p in report.problems]
    assert any(where in p.where for p in hits), [p.line() for p in hits]
    assert all("\n" not in p.line() and "Demo-Vpn-Psk-2026-ams" not in p.line() for p in report.problems)
    assert RULES[code].severity.value == "error"


def test_srx_needs_no_bgp_interface_but_refuses_a_second_lo0_unit(tmp_path):
    def srx(extra):
        def m(h, g, d):
            for r in h.values():
                r["platform"] = "junos-srx"
                r["data"]["expressroute"][0]["interface"] = "xe-0/0/0"
                a = r["data"]["ipsec"][0]
                a["local_interface"] = "lo0.100"
                a.pop("bgp_interface")
                a.update(extra)
        return m
    report, _, _ = case(tmp_path / "a", srx({}))
    assert report.ok, [p.line() for p in report.errors]
    report, _, _ = case(tmp_path / "b", srx({"bgp_interface": "lo0.101"}))
    assert any(p.code == "ER916" and "one lo0 unit" in p.message for p in report.problems)


# ----------------------------------------------------------------------------- intent
def test_tunnels_to_both_hub_instances_share_one_bgp_address(tmp_path):
    _, vpn, inv = case(tmp_path)
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    r1, r2 = sorted(result.intents, key=lambda i: i.name)
    assert [(t.remote_address, t.inner_local, t.inner_remote, t.remote_as, t.inner_interface, t.hub) for t in r1.ipsec] == [
        ("10.110.0.4", "10.20.254.1", "10.110.0.12", 65515, "Loopback101", "hub-weu"),
        ("10.110.0.5", "10.20.254.1", "10.110.0.13", 65515, "Loopback101", "hub-weu")]
    assert [t.inner_local for t in r2.ipsec] == ["10.20.254.2", "10.20.254.2"]
    assert all(t.esp_lifetime_s == 3600 and t.underlay_next_hop for t in r1.ipsec)
    vpn_nb = [n for n in r1.neighbors if n.peering == "vpn"]
    assert [(n.address, n.update_source, n.update_interface, n.ebgp_multihop) for n in vpn_nb] == [
        ("10.110.0.12", "10.20.254.1", "Loopback101", 2), ("10.110.0.13", "10.20.254.1", "Loopback101", 2)]
    assert r1.tunnel_interfaces == (("Loopback100", "IPsec tunnel source toward Azure VPN gateways", ("10.20.255.1",)),
                                    ("Loopback101", "BGP address toward the Azure Virtual WAN hub (both tunnels)",
                                     ("10.20.254.1",)))


def test_the_link_connection_is_found_by_its_own_name_and_bgp_address_from_the_inventory(tmp_path):
    def m(h, g, d):
        ip(h).update(connection="link-ams-er-r1", bgp_addresses=["10.20.254.1"])
        d["vpn-site.json"] = None
        ip(h, "ams-er-r2").update(bgp_addresses=["10.20.254.2"])
    report, vpn, inv = case(tmp_path, m)
    assert report.ok, [p.line() for p in report.errors]
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    r1 = next(i for i in result.intents if i.name == "ams-er-r1")
    assert {t.inner_local for t in r1.ipsec} == {"10.20.254.1"}


def test_custom_policy_and_lifetime_on_a_link_connection(tmp_path):
    pol = {"saLifeTimeSeconds": 7200, "saDataSizeKilobytes": 2048000, "ipsecEncryption": "GCMAES256",
           "ipsecIntegrity": "GCMAES256", "ikeEncryption": "GCMAES256", "ikeIntegrity": "SHA384",
           "dhGroup": "ECP384", "pfsGroup": "ECP384"}
    report, vpn, inv = case(tmp_path, lambda h, g, d: [link(d, k).update(ipsecPolicies=[pol]) for k in (0, 1)])
    assert report.ok and "ER913" not in report.codes()
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    t = next(i for i in result.intents if i.name == "ams-er-r1").ipsec[0]
    assert (t.ike[0].encryption, t.ike[0].dh_group, t.esp[0].pfs_group, t.esp_lifetime_s, t.esp_lifetime_kb) == (
        "aes256gcm16", 20, 20, 7200, 2048000)


# ----------------------------------------------------------------------------- read back from the render
@pytest.mark.parametrize("platform", ["ios-xe", "junos-srx", "frr"])
def test_the_render_reads_back_into_the_intent(tmp_path, platform):
    from ergen.roundtrip import IGNORE, compare, expected, parse
    from scenarios import inventory_for, plan_case
    result = plan_case("ipsec-vwan", platform)
    r1 = next(i for i in result.intents if i.name == "ams-er-r1")
    text = ergen.render_configs([r1], show_secrets=True)["ams-er-r1"]
    assert compare(expected(r1), parse(platform, text), ignore=IGNORE.get(platform, ())) == []   # BGP inside too
    if platform == "junos-srx":
        from ergen.roundtrip.junos import ipsec as srx_ipsec, parse_tree
        got = {v["vpn"]: v for v in srx_ipsec(text)}
        assert set(got) == {t.name for t in r1.ipsec}
        for t in r1.ipsec:
            v = got[t.name]
            assert (v["gateway"], v["local_address"], v["external_interface"]) == (t.remote_address, "10.20.255.1", "lo0.100")
            assert v["unit"] == {"address": None, "mtu": 1400}               # unnumbered: no address per tunnel
            assert v["routes"] == [f"{t.inner_remote}/32"]
        lo0 = parse_tree(text).first("interfaces").first("lo0")
        (unit,) = lo0.find("unit")
        assert [a.words[1] for a in unit.first("family", "inet").find("address")] == ["10.20.255.1/32", "10.20.254.1/32"]
    elif platform == "ios-xe":
        for t in r1.ipsec:
            block = text.split(f"interface Tunnel{t.number}\n", 1)[1].split("!\n", 1)[0]
            assert " ip unnumbered Loopback101\n" in block and f" tunnel destination {t.remote_address}\n" in block
            assert " ip address" not in block
        assert "interface Loopback101\n description BGP address toward the Azure Virtual WAN hub (both tunnels)\n" \
               " ip address 10.20.254.1 255.255.255.255\n" in text
        assert text.count("update-source Loopback101") == 2
    else:
        assert "interface lo\n ip address 10.20.255.1/32\n ip address 10.20.254.1/32\nexit\n" in text
        assert "interface ipsec0" not in text
        assert text.count("update-source 10.20.254.1") == 2
