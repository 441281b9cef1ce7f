"""IPsec over ExpressRoute: every rule both ways, intent, and the rendered tunnels."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

import ergen
from ergen.rules import RULES
from helpers import EXAMPLE_CIRCUIT, SCENARIOS

BASE = SCENARIOS / "ipsec-private"


def case(tmp: Path, mutate=None):
    inv = tmp / "inv"
    shutil.copytree(BASE / "inventory", inv)
    docs = {n: json.loads((BASE / n).read_text()) for n in ("gateway.json", "connection-r1.json", "connection-r2.json")}
    hosts = yaml.safe_load((inv / "hosts.yaml").read_text())
    circuits = yaml.safe_load((inv / "circuits.yaml").read_text())
    if mutate:
        mutate(hosts, circuits, docs, inv)
    (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    (inv / "circuits.yaml").write_text(yaml.safe_dump(circuits, sort_keys=False))
    files = []
    for n, d in docs.items():
        (tmp / n).write_text(json.dumps(d))
        files.append(tmp / n)
    vpn = [ergen.load_vpn(f) for f in files]
    return ergen.validate(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn), vpn, inv


def ip(hosts, router="ams-er-r1"):
    return hosts[router]["data"]["ipsec"][0]


def policy(**kw):
    def mut(h, c, d, inv):
        p = {"saLifeTimeSeconds": 27000, "saDataSizeKilobytes": 102400000, "ipsecEncryption": "GCMAES256",
             "ipsecIntegrity": "GCMAES256", "ikeEncryption": "AES256", "ikeIntegrity": "SHA256",
             "dhGroup": "DHGroup14", "pfsGroup": "PFS2048"}
        p.update(kw)
        d["connection-r1.json"]["properties"]["ipsecPolicies"] = [p]
    return mut


def psk(value):
    def mut(h, c, d, inv):
        (inv / "secrets" / "vpn.psk").write_text(value + "\n")
    return mut


CASES = [
    ("ER901", lambda h, c, d, inv: ip(h).update(connection="cn-nowhere"), "ams-er-r1.data.ipsec[0].connection"),
    ("ER901", lambda h, c, d, inv: d["connection-r1.json"]["properties"]["virtualNetworkGateway1"].update(
        id="/subscriptions/0/resourceGroups/x/providers/Microsoft.Network/virtualNetworkGateways/other"),
     "ams-er-r1.data.ipsec[0].connection"),
    ("ER902", policy(ikeEncryption="AES512"), "ipsecPolicies[0].ike_encryption"),
    ("ER902", policy(ipsecIntegrity="SHA256"), "ipsecPolicies[0].ipsec_integrity"),
    ("ER903", lambda h, c, d, inv: ip(h).update(bgp_addresses=["169.254.23.2", "169.254.22.2"]),
     "ams-er-r1.data.ipsec[0].bgp_addresses[0]"),
    ("ER904", lambda h, c, d, inv: ip(h, "ams-er-r2").update(bgp_addresses=["169.254.21.2", "169.254.22.6"]),
     "ams-er-r2.data.ipsec[0].bgp_addresses[0]"),
    ("ER904", lambda h, c, d, inv: ip(h).update(bgp_addresses=["169.254.21.1", "169.254.22.2"]),
     "ams-er-r1.data.ipsec[0].bgp_addresses"),
    ("ER905", lambda h, c, d, inv: ip(h).update(advertise=["10.20.0.0/16"]), "ams-er-r1.data.ipsec[0].advertise[0]"),
    ("ER906", lambda h, c, d, inv: d["connection-r1.json"]["properties"].update(useLocalAzureIpAddress=False),
     "ams-er-r1.data.ipsec[0].over"),
    ("ER906", lambda h, c, d, inv: [b.update(tunnelIpAddresses=[]) for b in
                                    d["gateway.json"]["properties"]["bgpSettings"]["bgpPeeringAddresses"]]
     and ip(h).update(over="microsoft"), "ams-er-r1.data.ipsec[0].over"),
    ("ER907", lambda h, c, d, inv: ip(h).update(local_address="10.99.255.1"), "ams-er-r1.data.ipsec[0].local_address"),
    ("ER908", psk("short1"), "ams-er-r1.data.ipsec[0].psk"),
    ("ER908", psk("has\"a-quote-in-it-2026"), "ams-er-r1.data.ipsec[0].psk"),
    ("ER909", lambda h, c, d, inv: h["ams-er-r1"]["data"].update(bgp_asn=65515), "ams-er-r1.data.bgp_asn"),
    ("ER910", lambda h, c, d, inv: ip(h).update(bgp_addresses=["169.254.21.2"]), "ams-er-r1.data.ipsec[0].bgp_addresses"),
    ("ER911", lambda h, c, d, inv: d["connection-r1.json"]["properties"].update(sharedKey="Another-Key-2026-xyz"),
     "ams-er-r1.data.ipsec[0].psk"),
    ("ER913", None, "properties.ipsecPolicies"),
    ("ER912", lambda h, c, d, inv: (ip(h).update(over="microsoft"), d["gateway.json"].update(location="northeurope")),
     "er-ams-prod.microsoft.accept_communities"),
]


def test_the_scenario_is_clean(tmp_path):
    report, _, _ = case(tmp_path)
    assert report.ok, [p.line() for p in report.errors]
    assert "ER913" in report.codes()          # IOS-XE with Azure's default policy: warned


def test_custom_policy_silences_the_dh_group_2_warning(tmp_path):
    report, _, _ = case(tmp_path, lambda h, c, d, inv: [policy()(h, c, d, inv), d["connection-r2.json"]["properties"]
                                                         .update(ipsecPolicies=d["connection-r1.json"]["properties"]["ipsecPolicies"])])
    assert "ER913" not in report.codes()


@pytest.mark.parametrize("code,mutate,where", CASES, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES)])
def test_ipsec_rule_fires(tmp_path, code, mutate, where):
    report, _, _ = case(tmp_path, mutate)
    hits = [p for p in report.problems if p.code == code]
    assert hits, [p.line() for p in report.problems]
    assert any(where in p.where for p in hits), [p.line() for p in hits]
    assert all("Demo-Vpn-Psk-2026-ams" not in p.line() for p in report.problems)
    assert RULES[code].severity.value == ("warning" if code == "ER913" else "error")


def test_tunnels_per_instance(tmp_path):
    report, vpn, inv = case(tmp_path)
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    r1 = next(i for i in result.intents if i.name == "ams-er-r1")
    assert [(t.remote_address, t.inner_local, t.inner_remote, t.remote_as) for t in r1.ipsec] == [
        ("10.100.255.4", "169.254.21.2", "169.254.21.1", 65515), ("10.100.255.5", "169.254.22.2", "169.254.22.1", 65515)]
    assert r1.ipsec[0].ike[0].encryption == "aes256" and r1.ipsec[0].esp[0].encryption == "aes256gcm16"
    vpn_nb = [n for n in r1.neighbors if n.peering == "vpn"]
    assert [(n.address, n.update_source, n.ebgp_multihop) for n in vpn_nb] == [
        ("169.254.21.1", "169.254.21.2", 2), ("169.254.22.1", "169.254.22.2", 2)]
    assert "10.20.0.0/17" in [p.cidr for p in r1.networks]
    assert "ipsec" in r1.features


def test_custom_policy_becomes_the_proposal(tmp_path):
    report, vpn, inv = case(tmp_path, policy())
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    t = next(i for i in result.intents if i.name == "ams-er-r1").ipsec[0]
    assert (t.ike[0].encryption, t.ike[0].integrity, t.ike[0].dh_group) == ("aes256", "sha256", 14)
    assert (t.esp[0].encryption, t.esp[0].integrity, t.esp[0].pfs_group) == ("aes256gcm16", None, 14)
    text = ergen.render_configs([next(i for i in result.intents if i.name == "ams-er-r1")])["ams-er-r1"]
    assert " group 14" in text and "set pfs group14" in text and "esp-gcm 256" in text
