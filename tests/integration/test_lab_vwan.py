"""IPsec over ExpressRoute to a Virtual WAN hub in the lab: the FRR and strongSwan configs ergen renders for
the ipsec-vwan scenario negotiate with a simulated hub VPN gateway (Instance0 and Instance1 as strongSwan +
FRR, configured from the vpnGateways, vpnConnections and vpnSites JSON), BGP runs inside the tunnels from
the site link's BGP address, and LAN traffic to the VNet crosses them. Root, frr and strongSwan needed; in
CI a missing one is a failure."""

from __future__ import annotations

import subprocess
import time

import pytest

import ergen
from ergen import lab
from ergen.lab import netns
from helpers import EXAMPLE_CIRCUIT, SCENARIOS, lab_name
from .test_lab_ipsec import need, packets

pytestmark = pytest.mark.integration
V1, V2 = lab_name("v1"), lab_name("v2")
BASE = SCENARIOS / "ipsec-vwan"
FILES = ("vpn-gateway.json", "vpn-connection.json", "vpn-site.json", "er-gateway.json")


def up(name, **kw):
    try:
        lab.down(name)
    except lab.LabError:
        pass
    t0 = time.monotonic()
    res = lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(BASE / "inventory"), name=name,
                 vpn=[ergen.load_vpn(BASE / f) for f in FILES], **kw)
    res.wall = time.monotonic() - t0
    return res


@pytest.fixture(scope="module")
def vwan_lab():
    need()
    res = up(V1)
    try:
        yield res
    finally:
        lab.down(V1)
    assert not [n for n in netns.existing() if n.startswith(f"erg-{V1}-")]


def test_tunnels_to_the_hub_up_bgp_from_the_site_address_and_ping_crosses(vwan_lab):
    res = vwan_lab
    report = lab.check(V1)
    assert res.seconds_to_converged is not None, [(s.session, s.problems) for s in report.sessions if not s.ok]
    tunnels = [s for s in report.sessions if " IPsec " in s.session]
    assert len(tunnels) == 4 and all(s.ok for s in tunnels)        # 2 routers x Instance0, Instance1
    assert {s.session.rsplit(" ", 1)[1] for s in tunnels} == {"Instance0", "Instance1"}
    assert all(s.state == "Established" and "IKE ESTABLISHED, CHILD INSTALLED" in s.bfd for s in tunnels)
    print(f"\nVirtual WAN lab: 4 tunnels and their BGP sessions as the intent says {res.seconds_to_converged:.1f} s "
          f"after lab up (ExpressRoute BGP Established at {res.seconds_to_established:.1f} s)")
    state = lab.load_state(V1)
    r1 = next(r for r in state["routers"] if r["name"] == "ams-er-r1")
    # BGP to the hub's default addresses, from the site link's BGP address both tunnels share
    out = subprocess.run(["vtysh", "-N", r1["pathspace"], "-c", "show bgp ipv4 unicast summary json"],
                         capture_output=True, text=True).stdout
    import json
    peers = json.loads(out)["peers"]
    assert {a: p["state"] for a, p in peers.items() if a.startswith("10.110.0.")} == {
        "10.110.0.12": "Established", "10.110.0.13": "Established"}
    gw0 = next(g for g in state["gateways"] if g["name"] == "Instance0")
    hub = subprocess.run(["vtysh", "-N", gw0["pathspace"], "-c", "show bgp ipv4 unicast summary json"],
                         capture_output=True, text=True).stdout
    assert json.loads(hub)["peers"]["10.20.254.1"]["state"] == "Established"
    # LAN traffic to the VNet goes through the tunnels, not in clear over ExpressRoute
    before = packets(state, "ams-er-r1", "ER-AMS-PROD-VPN0") + packets(state, "ams-er-r1", "ER-AMS-PROD-VPN1")
    # both instances' VNet addresses: the router spreads flows over its two tunnels (ECMP), and each
    # instance reaches the whole VNet, as in Azure
    for gw in state["gateways"]:
        out = netns.run("ping", "-c", "20", "-i", "0.05", "-W", "1", gw["vnet_address"], ns=state["lan_ns"],
                        check=False).stdout
        assert " 0% packet loss" in out, (gw["name"], out)
    after = packets(state, "ams-er-r1", "ER-AMS-PROD-VPN0") + packets(state, "ams-er-r1", "ER-AMS-PROD-VPN1")
    assert after - before >= 40, "the pings did not go through the tunnels"
    route = subprocess.run(["vtysh", "-N", r1["pathspace"], "-c", "show ip route 10.100.0.0/16"],
                           capture_output=True, text=True).stdout
    assert 'Known via "bgp"' in route and ("10.110.0.12" in route or "10.110.0.13" in route), route
    assert "192.168.100.130" not in route, route


def test_a_proposal_the_hub_refuses_is_named():
    need()
    try:
        res = up(V2, gateway_ike="aes128gcm16-prfsha384-ecp384", wait=25)
        assert res.seconds_to_converged is None
        report = lab.check(V2)
        bad = [s for s in report.sessions if " IPsec " in s.session]
        assert len(bad) == 4 and all(not s.ok for s in bad)
        assert all("NO_PROPOSAL_CHOSEN" in s.problems[0] and "\n" not in s.problems[0] for s in bad), \
            [s.problems for s in bad]
    finally:
        lab.down(V2)
    assert not [n for n in netns.existing() if n.startswith(f"erg-{V2}-")]
