"""Every rule code fires on a case built to break it, and stays silent on the clean example."""

from __future__ import annotations

from typing import Callable

import pytest

from ergen.azure import load_circuits
from ergen.inventory import load_inventory
from ergen import validate
from ergen.rules import RULES
from helpers import example_data, peering, write_case

PRIV, MSFT = "AzurePrivatePeering", "MicrosoftPeering"


def _m(fn: Callable[[dict, dict, dict, dict], None]):
    return fn


def set_peering(kind, **fields):
    def mut(c, h, g, ci):
        peering(c, kind).update(fields)
    return mut


def set_v6(kind, **fields):
    def mut(c, h, g, ci):
        peering(c, kind).setdefault("ipv6PeeringConfig", {}).update(fields)
    return mut


def set_msft_config(**fields):
    def mut(c, h, g, ci):
        peering(c, MSFT)["microsoftPeeringConfig"].update(fields)
    return mut


def set_policy(path: str, value):
    def mut(c, h, g, ci):
        node = ci["er-ams-prod"]
        *head, last = path.split(".")
        for k in head:
            node = node.setdefault(k, {})
        node[last] = value
    return mut


def set_link(router: str, **fields):
    def mut(c, h, g, ci):
        h[router]["data"]["expressroute"][0].update(fields)
    return mut


def both_links_on_r1(c, h, g, ci):
    h["ams-er-r1"]["data"]["expressroute"].append(
        {"circuit": "er-ams-prod", "link": "secondary", "interface": "TenGigabitEthernet0/2/0"})
    del h["ams-er-r2"]


def add_public_peering(c, h, g, ci):
    c["properties"]["peerings"].append({"name": "AzurePublicPeering", "properties": {
        "peeringType": "AzurePublicPeering", "peerASN": 64500, "azureASN": 12076, "vlanId": 300,
        "primaryPeerAddressPrefix": "198.51.100.64/30", "secondaryPeerAddressPrefix": "198.51.100.68/30"}})


def secret_file(name, value):
    def mut(c, h, g, ci):
        ci.setdefault("_secrets", {})[name] = value
    return mut


def md5_env(var):
    def mut(c, h, g, ci):
        ci["er-ams-prod"]["private"]["md5_key"] = f"env:{var}"
    return mut


def macsec_port_without_keys(c, h, g, ci):
    c["properties"]["expressRoutePort"] = {"id": "/subscriptions/0/resourceGroups/rg/providers/"
                                                 "Microsoft.Network/expressRoutePorts/p1"}
    ci["_port"] = {"id": c["properties"]["expressRoutePort"]["id"], "properties": {
        "encapsulation": "Dot1Q", "links": [{"name": "link1", "properties": {"macSecConfig": {
            "cipher": "GcmAes256", "sciState": "Disabled"}}}]}}


def drop_md5(c, h, g, ci):
    ci["er-ams-prod"]["private"].pop("md5_key")


CASES: list[tuple[str, Callable, str]] = [
    # code, mutation, a fragment the problem's "where" must contain
    ("ER101", set_peering(PRIV, primaryPeerAddressPrefix="192.168.100.129/30"), "primaryPeerAddressPrefix"),
    ("ER101", set_peering(PRIV, secondaryPeerAddressPrefix="2001:db8::/126"), "secondaryPeerAddressPrefix"),
    ("ER102", set_peering(PRIV, primaryPeerAddressPrefix="192.168.100.128/29"), "primaryPeerAddressPrefix"),
    ("ER102", set_v6(PRIV, secondaryPeerAddressPrefix="2001:db8:100::/64"), "ipv6PeeringConfig.secondaryPeerAddressPrefix"),
    ("ER103", set_peering(PRIV, secondaryPeerAddressPrefix=None), "secondaryPeerAddressPrefix"),
    ("ER104", set_peering(PRIV, secondaryPeerAddressPrefix="192.168.100.128/30"), "secondaryPeerAddressPrefix"),
    ("ER104", set_peering(MSFT, primaryPeerAddressPrefix="192.168.100.132/30"), "peerings[1]"),
    ("ER201", set_peering(PRIV, peerASN=None), "peerASN"),
    ("ER202", set_peering(PRIV, peerASN=23456), "peerASN"),
    ("ER202", set_peering(PRIV, peerASN=4294967296), "peerASN"),
    ("ER203", set_peering(PRIV, peerASN=65515), "peerASN"),
    ("ER203", set_peering(PRIV, peerASN=12076), "peerASN"),
    ("ER204", set_peering(PRIV, peerASN=64511), "peerASN"),
    ("ER205", set_peering(MSFT, peerASN=65010), "peerings[1].properties.peerASN"),
    ("ER206", set_peering(PRIV, azureASN=8075), "azureASN"),
    ("ER301", set_peering(PRIV, vlanId=None), "vlanId"),
    ("ER302", set_peering(PRIV, vlanId=4095), "vlanId"),
    ("ER303", set_peering(MSFT, vlanId=100), "peerings[1].properties.vlanId"),
    ("ER304", set_link("ams-er-r1", vlan={"microsoft": 100}), "ams-er-r1.data.expressroute[0]"),
    ("ER401", set_policy("private.advertise", ["10.20.0.1/16"]), "er-ams-prod.private.advertise[0]"),
    ("ER401", set_policy("private.advertise", ["not-a-prefix"]), "er-ams-prod.private.advertise[0]"),
    ("ER402", set_policy("microsoft.advertise", [f"198.51.100.{i}/32" for i in range(201)]),
     "er-ams-prod.microsoft.advertise"),
    ("ER403", set_policy("microsoft.advertise", ["10.30.0.0/24"]), "er-ams-prod.microsoft.advertise[0]"),
    ("ER403", set_peering(MSFT, primaryPeerAddressPrefix="10.255.0.0/30"), "peerings[1].properties.primaryPeerAddressPrefix"),
    ("ER404", set_policy("microsoft.advertise", ["198.51.100.0/28"]), "er-ams-prod.microsoft.advertise[0]"),
    ("ER405", set_policy("microsoft.default_route", True), "er-ams-prod.microsoft.default_route"),
    ("ER405", set_policy("microsoft.advertise", ["0.0.0.0/0"]), "er-ams-prod.microsoft.advertise[0]"),
    ("ER406", set_link("ams-er-r2", private={"advertise": ["10.20.0.0/16"]}), "ams-er-r2.data.expressroute[0].private.advertise"),
    ("ER407", set_policy("microsoft.advertise", ["203.0.113.128/25"]), "er-ams-prod.microsoft.advertise[0]"),
    ("ER408", set_policy("private.advertise", []), "er-ams-prod.private.advertise"),
    ("ER409", set_policy("private.advertise", ["2001:db8:b000::/48"]), "er-ams-prod.private.advertise[0]"),
    ("ER410", set_policy("microsoft.advertise_ipv6", ["2001:db8:c000::/48"]), "er-ams-prod.microsoft.advertise_ipv6"),
    ("ER501", set_link("ams-er-r1", circuit="er-fra-prod"), "ams-er-r1.data.expressroute[0].circuit"),
    ("ER502", set_link("ams-er-r2", link="primary"), "data.expressroute[0]"),
    ("ER503", both_links_on_r1, "ams-er-r1.data.expressroute"),
    ("ER504", lambda c, h, g, ci: h.pop("ams-er-r2"), "(hosts)"),
    ("ER505", lambda c, h, g, ci: (c["properties"]["peerings"].pop(1),
                                   h["ams-er-r1"]["data"]["expressroute"][0].update(peerings=["microsoft"])),
     "ams-er-r1.data.expressroute[0].peerings[0]"),
    ("ER506", lambda c, h, g, ci: ci.update({"er-fra-prod": {}}), "er-fra-prod"),
    ("ER507", lambda c, h, g, ci: c["properties"].update(serviceProviderProvisioningState="NotProvisioned"),
     "serviceProviderProvisioningState"),
    ("ER508", set_peering(PRIV, state="Disabled"), "peerings[0].properties.state"),
    ("ER509", add_public_peering, "peerings[2]"),
    ("ER601", set_peering(MSFT, routeFilter=None), "peerings[1].properties.routeFilter"),
    ("ER602", set_msft_config(advertisedPublicPrefixesState="ValidationNeeded"), "advertisedPublicPrefixesState"),
    ("ER603", set_peering(MSFT, microsoftPeeringConfig=None), "peerings[1].properties.microsoftPeeringConfig"),
    ("ER604", set_policy("microsoft.accept_communities", ["exchange", "teams-typo"]),
     "er-ams-prod.microsoft.accept_communities[1]"),
    ("ER605", set_policy("private.accept_communities", ["sharepoint"]), "er-ams-prod.private.accept_communities[0]"),
    ("ER606", set_policy("private.nat", {"inside": ["10.20.0.0/16"], "pool": "198.51.100.0/27"}),
     "er-ams-prod.private.nat"),
    ("ER607", set_policy("microsoft.nat", {"inside": ["10.20.0.0/16"], "pool": "198.51.100.64/27"}),
     "er-ams-prod.microsoft.nat.pool"),
    ("ER610", set_policy("macsec", {"ckn": "file:secrets/er-ams-prod-private.md5",
                                    "cak": "file:secrets/er-ams-prod-private.md5"}), "er-ams-prod.macsec"),
    ("ER611", macsec_port_without_keys, "er-ams-prod"),
    ("ER612", lambda c, h, g, ci: (c["properties"].pop("serviceProviderProperties"),
                                   ci["er-ams-prod"].update(shape=True)), "er-ams-prod.shape"),
    ("ER701", secret_file("er-ams-prod-private.md5", "has-a-dash"), "er-ams-prod.private.md5_key"),
    ("ER701", secret_file("er-ams-prod-private.md5", "A" * 26), "er-ams-prod.private.md5_key"),
    ("ER702", set_peering(PRIV, sharedKey="SomethingElse1"), "er-ams-prod.private.md5_key"),
    ("ER703", lambda c, h, g, ci: (peering(c, PRIV).update(sharedKey="ExampleKey2026ams"), drop_md5(c, h, g, ci)),
     "er-ams-prod.private.md5_key"),
    ("ER704", md5_env("ERGEN_TEST_UNSET_VARIABLE"), "er-ams-prod.private.md5_key"),
    ("ER704", set_policy("private.md5_key", "file:secrets/missing.md5"), "er-ams-prod.private.md5_key"),
    ("ER801", lambda c, h, g, ci: (h["ams-er-r1"].update(platform="frr"),
                                   h["ams-er-r1"]["data"]["expressroute"][0].update(interface="eth1"),
                                   ci["er-ams-prod"].update(shape=True)), "ams-er-r1.platform"),
    ("ER802", lambda c, h, g, ci: (h["ams-er-r1"].update(platform="ios-xr"),
                                   h["ams-er-r1"]["data"]["expressroute"][0].update(interface="TenGigE0/0/0/1")),
     "ams-er-r1.data.router_id"),
]


def run_case(tmp_path, mutate=None):
    import json
    c, h, g, ci = example_data()
    if mutate:
        mutate(c, h, g, ci)
    secrets = ci.pop("_secrets", None)
    port = ci.pop("_port", None)
    cfile, inv = write_case(tmp_path, c, h, g, ci, secrets)
    pfile = None
    if port:
        pfile = tmp_path / "port.json"
        pfile.write_text(json.dumps(port))
    return validate(load_circuits(cfile, port=pfile), load_inventory(inv)), cfile, inv


def test_clean_example_has_no_errors(tmp_path):
    report, _, _ = run_case(tmp_path)
    assert report.ok, [p.line() for p in report.errors]
    # only the documentation-range warnings the example is bound to have
    assert report.codes() == {"ER204", "ER404"}


@pytest.mark.parametrize("code,mutate,where", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires(tmp_path, code, mutate, where):
    report, cfile, inv = run_case(tmp_path, mutate)
    hits = [p for p in report.problems if p.code == code]
    assert hits, f"{code} did not fire; got {[p.line() for p in report.problems]}"
    p = hits[0]
    assert where in p.where, p.line()
    assert p.severity == RULES[code].severity
    assert p.file in (str(cfile), str(inv / "hosts.yaml"), str(inv / "circuits.yaml"))
    line = p.line()
    assert "\n" not in line and code in line and p.file in line
    # a problem never shows a secret's value
    assert "ExampleKey2026ams" not in line and "SomethingElse1" not in line


def test_every_code_has_a_case():
    from test_customers import FAILS as CSP
    from test_ipsec import CASES as IPSEC
    from test_sites import CASES as SITES
    from test_vwan import CASES as VWAN
    assert {c for c, _, _ in CASES} | {c for c, _, _ in IPSEC} | {c for c, _, _ in CSP} | \
        {c for c, _, _ in SITES} | {c for c, _, _ in VWAN} == set(RULES)


def test_codes_are_stable_and_unique():
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))
    assert all(code.startswith("ER") and len(code) == 5 for code in RULES)


def test_asymmetric_prefixes_allowed_when_declared(tmp_path):
    def mut(c, h, g, ci):
        set_link("ams-er-r2", private={"advertise": ["10.20.0.0/16"]})(c, h, g, ci)
        ci["er-ams-prod"]["asymmetric_prefixes"] = True
    report, _, _ = run_case(tmp_path, mut)
    assert "ER406" not in report.codes()


def test_premium_raises_the_private_limit(tmp_path):
    many = [f"10.{i // 256}.{i % 256}.0/24" for i in range(4001)]
    report, _, _ = run_case(tmp_path, set_policy("private.advertise", many))
    assert "ER402" not in report.codes()  # the example is Premium: 10,000

    def standard(c, h, g, ci):
        set_policy("private.advertise", many)(c, h, g, ci)
        c["sku"]["tier"] = "Standard"
    report, _, _ = run_case(tmp_path, standard)
    assert "ER402" in report.codes()


def test_circuits_alone_run_azure_rules(tmp_path):
    c, h, g, ci = example_data()
    peering(c, PRIV)["peerASN"] = 65517
    cfile, _ = write_case(tmp_path, c, h, g, ci)
    report = validate(load_circuits(cfile))
    assert "ER203" in report.codes()
