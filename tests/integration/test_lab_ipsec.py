"""IPsec over ExpressRoute in the lab: the strongSwan and FRR configs ergen renders negotiate with
simulated Azure VPN gateway instances (strongSwan + FRR, configured from the gateway and connection
JSON), BGP runs inside the tunnels, and LAN traffic to the VNet crosses them. Root, frr and strongSwan
needed; in CI a missing one is a failure."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import pytest

import ergen
from helpers import require
from ergen import lab
from ergen.lab import netns
from ergen.lab.ipsec import sa_states
from helpers import EXAMPLE_CIRCUIT, SCENARIOS, lab_name

pytestmark = pytest.mark.integration
I1, I2 = lab_name("i1"), lab_name("i2")
BASE = SCENARIOS / "ipsec-private"


def need():
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the IPsec lab needs root in CI")
        pytest.skip("needs root")
    for b in ("vtysh", "swanctl", "/usr/sbin/charon-systemd", "/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so"):
        require(b)


def vpn():
    return [ergen.load_vpn(BASE / f) for f in ("gateway.json", "connection-r1.json", "connection-r2.json")]


def up(name, **kw):
    try:
        lab.down(name)
    except lab.LabError:
        pass
    t0 = time.monotonic()
    res = lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(BASE / "inventory"), name=name,
                 vpn=vpn(), **kw)
    res.wall = time.monotonic() - t0
    return res


def packets(state, router, tunnel):
    r = next(x for x in state["routers"] if x["name"] == router)
    out = netns.run("swanctl", "--list-sas", "--raw", "--uri",
                    f"unix://{state['workdir']}/{r['pathspace']}/ipsec/charon.vici").stdout
    m = re.search(rf"\{{name={re.escape(tunnel)} [^{{}}]*?packets-out=(\d+)", out)
    return int(m.group(1)) if m else 0


@pytest.fixture(scope="module")
def ipsec_lab():
    need()
    res = up(I1)
    try:
        yield res
    finally:
        lab.down(I1)


def test_tunnels_up_bgp_inside_and_ping_crosses_them(ipsec_lab):
    res = ipsec_lab
    assert res.seconds_to_converged is not None, [(s.session, s.problems) for s in lab.check(I1).sessions if not s.ok]
    report = lab.check(I1)
    tunnels = [s for s in report.sessions if " IPsec " in s.session]
    assert len(tunnels) == 4 and all(s.ok for s in tunnels)        # 2 routers x 2 gateway instances
    assert all(s.state == "Established" and "IKE ESTABLISHED, CHILD INSTALLED" in s.bfd for s in tunnels)
    print(f"\nIPsec lab: all tunnels and BGP sessions as the intent says {res.seconds_to_converged:.1f} s after "
          f"lab up (ExpressRoute BGP Established at {res.seconds_to_established:.1f} s)")
    state = lab.load_state(I1)
    before = packets(state, "ams-er-r1", "ER-AMS-PROD-VPN0") + packets(state, "ams-er-r1", "ER-AMS-PROD-VPN1")
    target = state["gateways"][0]["vnet_address"]
    out = netns.run("ping", "-c", "10", "-i", "0.05", "-W", "1", target, ns=state["lan_ns"], check=False).stdout
    assert " 0% packet loss" in out, out
    after = packets(state, "ams-er-r1", "ER-AMS-PROD-VPN0") + packets(state, "ams-er-r1", "ER-AMS-PROD-VPN1")
    assert after - before >= 10, "the pings did not go through the tunnels"
    # the router prefers the tunnel's routes to the same VNet range over ExpressRoute
    r1 = state["routers"][0]
    route = subprocess.run(["vtysh", "-N", r1["pathspace"], "-c", "show ip route 10.100.0.0/16"],
                           capture_output=True, text=True).stdout
    assert 'Known via "bgp"' in route and "169.254.21.1" in route and "192.168.100.130" not in route


def test_one_gateway_instance_down_traffic_on_the_other(ipsec_lab):
    state = lab.load_state(I1)
    gws = state["gateways"]
    names = ["ER-AMS-PROD-VPN0", "ER-AMS-PROD-VPN1"]
    # which tunnel carries the LAN's traffic now?
    before = [packets(state, "ams-er-r1", n) for n in names]
    netns.run("ping", "-c", "20", "-i", "0.05", "-W", "1", gws[0]["vnet_address"], ns=state["lan_ns"], check=False)
    grew = [packets(state, "ams-er-r1", n) - b for n, b in zip(names, before)]
    busy = 0 if grew[0] >= grew[1] else 1
    other = 1 - busy
    assert grew[busy] >= 20
    target = gws[other]["vnet_address"]   # lives on the surviving instance
    ping = subprocess.Popen(["ip", "netns", "exec", state["lan_ns"], "ping", "-D", "-i", "0.1", "-c", "450", "-W", "1",
                             target], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        t_cut = time.time()
        netns.ip("link", "set", "eth0", "down", ns=gws[busy]["ns"])   # the busy instance fails, no goodbye
        out, _ = ping.communicate(timeout=90)
    finally:
        if ping.poll() is None:
            ping.kill()
        netns.ip("link", "set", "eth0", "up", ns=gws[busy]["ns"])
    stamps = [float(x) for x in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
    after_cut = [x for x in stamps if x > t_cut]
    assert after_cut and after_cut[-1] > t_cut + 30, "traffic did not come back on the other instance"
    gaps = [(b - a, a) for a, b in zip(stamps, stamps[1:])]
    outage, start = max(gaps)
    assert start >= t_cut - 0.2, "the longest gap is not the failure"
    print(f"\nactive/active: instance {gws[busy]['name']} down, traffic back through {gws[other]['name']} after "
          f"{outage:.1f} s (dead peer detection: 10 s delay, 2 retransmits)")
    assert outage < 40
    moved = packets(state, "ams-er-r1", names[other])
    assert moved > before[other] + 100, "the surviving tunnel did not carry the traffic"


def test_proposal_mismatch_is_reported_in_one_line():
    need()
    try:
        res = up(I2, gateway_ike="aes128gcm16-prfsha384-ecp384", wait=25)
        assert res.seconds_to_converged is None
        report = lab.check(I2)
        bad = [s for s in report.sessions if " IPsec " in s.session]
        assert bad and all(not s.ok for s in bad)
        assert all("NO_PROPOSAL_CHOSEN" in s.problems[0] and "\n" not in s.problems[0] for s in bad), \
            [s.problems for s in bad]
        cli = subprocess.run(["ergen", "lab", "check", "--name", I2, "-o", "json"], capture_output=True, text=True)
        assert cli.returncode == 1 and "NO_PROPOSAL_CHOSEN" in cli.stdout
        assert "Demo-Vpn-Psk-2026-ams" not in cli.stdout
    finally:
        lab.down(I2)
    assert not [n for n in netns.existing() if n.startswith(f"erg-{I2}-")]
