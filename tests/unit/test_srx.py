"""IPsec over ExpressRoute on Juniper SRX (platform junos-srx): every ER9xx rule as on IOS-XE, the tunnels
read back from the rendered config (gateway, proposals in SRX's names, st0 units, routes, BGP inside),
Azure's default and a custom policy, both instances of an active/active gateway, and the security zones."""

from __future__ import annotations

import pytest

import ergen
from ergen.roundtrip import IGNORE, compare, expected, parse
from ergen.roundtrip.junos import ipsec as srx_ipsec
from test_ipsec import CASES, case, ip, policy

SRX_IKE = {"aes256": "aes-256-cbc", "aes128": "aes-128-cbc", "aes256gcm16": "aes-256-gcm"}
SRX_ESP = {"aes256gcm16": "aes-256-gcm", "aes256": "aes-256-cbc"}


def on_srx(mutate=None):
    """The IPsec scenario with both routers as SRX (tunnel source lo0.100), then ``mutate``."""
    def mut(h, c, d, inv):
        for r in h.values():
            r["platform"] = "junos-srx"
            r["data"]["expressroute"][0]["interface"] = "xe-0/0/0"
            for a in r["data"]["ipsec"]:
                a["local_interface"] = "lo0.100"
        if mutate:
            mutate(h, c, d, inv)
    return mut


@pytest.mark.parametrize("code,mutate,where", [c for c in CASES if c[0] != "ER913"],
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(CASES) if c != "ER913"])
def test_every_ipsec_rule_fires_on_srx_too(tmp_path, code, mutate, where):
    report, _, _ = case(tmp_path, on_srx(mutate))
    hits = [p for p in report.problems if p.code == code]
    assert hits and any(where in p.where for p in hits), [p.line() for p in report.problems]


def test_the_srx_scenario_is_clean_without_the_ios_xe_warning(tmp_path):
    report, _, _ = case(tmp_path, on_srx())
    assert report.ok, [p.line() for p in report.errors]
    assert "ER913" not in report.codes()          # DH group 2 is an IOS-XE 17.11 matter


@pytest.mark.parametrize("custom", [False, True])
def test_the_tunnels_read_back_from_the_srx_config(tmp_path, custom):
    report, vpn, inv = case(tmp_path, on_srx(policy() if custom else None))
    result = ergen.plan(ergen.load_circuits(__import__("helpers").EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    r1 = next(i for i in result.intents if i.name == "ams-er-r1")
    text = ergen.render_configs([r1], show_secrets=True)["ams-er-r1"]
    assert compare(expected(r1), parse("junos-srx", text), ignore=IGNORE["junos-srx"]) == []   # BGP inside too
    got = {v["vpn"]: v for v in srx_ipsec(text)}
    assert len(r1.ipsec) == 2 and set(got) == {t.name for t in r1.ipsec}     # both instances (active/active)
    for t in r1.ipsec:
        v = got[t.name]
        assert (v["gateway"], v["local_address"], v["external_interface"], v["version"]) == \
            (t.remote_address, t.local_address, "lo0.100", "v2-only")
        assert [x[0] for x in v["ike"]] == [SRX_IKE[p.encryption] for p in t.ike]
        assert [x[2] for x in v["ike"]] == [f"group{p.dh_group}" for p in t.ike]
        assert [x[0] for x in v["esp"]] == [SRX_ESP[p.encryption] for p in t.esp]
        assert v["pfs"] == (f"group{t.esp[0].pfs_group}" if t.esp[0].pfs_group else None)
        assert v["psk"] == t.psk.reveal()
        assert v["bind"] == f"st0.{t.number}" and v["unit"] == {"address": f"{t.inner_local}/32", "mtu": 1400}
        assert v["routes"] == [f"{t.inner_remote}/32"]
    if custom:
        assert got[r1.ipsec[0].name]["ike"] == [("aes-256-cbc", "sha-256", "group14")]
        assert got[r1.ipsec[0].name]["esp"] == [("aes-256-gcm", None)] and got[r1.ipsec[0].name]["pfs"] == "group14"


def test_zones_let_in_bgp_bfd_and_ike(tmp_path):
    report, vpn, inv = case(tmp_path, on_srx())
    result = ergen.plan(ergen.load_circuits(__import__("helpers").EXAMPLE_CIRCUIT), ergen.load_inventory(inv), vpn=vpn)
    r1 = next(i for i in result.intents if i.name == "ams-er-r1")
    zones = {z.name: dict((i, (p, s)) for i, p, s in z.interfaces) for z in r1.security_zones}
    assert zones["ER-AMS-PROD-EXPRESSROUTE"]["xe-0/0/0.100"] == (("bgp", "bfd"), ("ping",))
    assert zones["ER-AMS-PROD-EXPRESSROUTE"]["lo0.100"] == ((), ("ike", "ping"))
    assert set(zones["ER-AMS-PROD-VPN"]) == {"st0.100", "st0.101"}


def test_ipsec_on_junos_mx_is_still_refused(tmp_path):
    def mx(h, c, d, inv):
        on_srx()(h, c, d, inv)
        for r in h.values():
            r["platform"] = "junos"
    report, _, _ = case(tmp_path, mx)
    assert any(p.code == "ER801" and "services card" in p.message for p in report.problems)
