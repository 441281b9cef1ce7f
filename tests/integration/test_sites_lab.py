"""Two circuits in two peering locations, for real: four routers (each link on its own), six simulated
Microsoft edges, one Azure side reachable through both circuits, and the site's iBGP mesh as ergen renders it
(sites.yaml ibgp: loopbacks, next-hop-self). The preferred circuit's active link
carries the site's traffic; when the whole Amsterdam peering location fails (both links of the preferred
circuit), BFD moves the traffic to the Frankfurt circuit within 2 s, and back after recovery. Measured
with a ping every 20 ms.

Real FRR on both sides; root and Debian's frr needed (in CI a missing one is a failure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from helpers import ROOT, require, lab_name

pytestmark = pytest.mark.integration
NAME = lab_name("rs")
SITE = ROOT / "inventories" / "resilient-site"
CIRCUITS = [str(ROOT / "examples" / "er-ams-prod.json"), str(ROOT / "examples" / "er-fra-dr.json")]


def ergen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([require("ergen"), *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def sitelab(tmp_path_factory):
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the lab tests need root in CI")
        pytest.skip("the lab needs root")
    for b in ("vtysh", "ip", "ping", "/usr/lib/frr/bfdd"):
        require(b)
    inv = tmp_path_factory.mktemp("site") / "inv"
    shutil.copytree(SITE, inv)
    for f in (inv / "secrets").glob("*.md5"):
        f.chmod(0o600)
    ergen("lab", "down", "--name", NAME)
    up = ergen("lab", "up", *CIRCUITS, "-i", str(inv), "--name", NAME)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield json.loads(Path(f"/run/ergen/lab/{NAME}/state.json").read_text())
    finally:
        ergen("lab", "down", "--name", NAME)


def best(state, router: str, prefix: str = "10.100.0.0/16") -> str:
    r = next(x for x in state["routers"] if x["name"] == router)
    out = subprocess.run(["vtysh", "-N", r["pathspace"], "-c", f"show ip route {prefix} json"],
                         capture_output=True, text=True).stdout
    entry = next((e for e in json.loads(out or "{}").get(prefix, []) if e.get("selected")), {})
    return next((h.get("ip", "") for h in entry.get("nexthops", [])), "")    # BGP's next hop (before recursion)


def ibgp_established(state, router: str) -> set[str]:
    """The iBGP neighbors (the site's mesh ergen rendered) that are Established on ``router``."""
    r = next(x for x in state["routers"] if x["name"] == router)
    out = subprocess.run(["vtysh", "-N", r["pathspace"], "-c", "show bgp ipv4 unicast summary json"],
                         capture_output=True, text=True).stdout
    peers = json.loads(out or "{}").get("peers", {})
    return {a for a, p in peers.items() if p.get("remoteAs") == 64500 and p.get("state") == "Established"}


# the site's iBGP addresses (inventories/resilient-site/sites.yaml)
IBGP = {"ams-er-r1": "10.255.0.1", "ams-er-r2": "10.255.0.2", "fra-er-r1": "10.255.0.3", "fra-er-r2": "10.255.0.4"}


def test_all_sessions_up_and_the_preferred_circuit_carries_the_traffic(sitelab):
    check = json.loads(ergen("lab", "check", "--name", NAME, "-o", "json").stdout)
    assert check["ok"] and len(check["sessions"]) == 10, check
    # the iBGP mesh ergen rendered (sites.yaml ibgp) is up between all four routers
    deadline = time.monotonic() + 30
    while any(ibgp_established(sitelab, r) != set(IBGP.values()) - {a} for r, a in IBGP.items()):
        assert time.monotonic() < deadline, {r: ibgp_established(sitelab, r) for r in IBGP}
        time.sleep(0.5)
    # every router of the site sends Azure traffic out of the preferred circuit's active link: ams-er-r1 to
    # Microsoft's edge, the others to ams-er-r1 over that mesh (next-hop-self)
    assert best(sitelab, "ams-er-r1") == "192.168.100.130"
    for r in ("ams-er-r2", "fra-er-r1", "fra-er-r2"):
        assert best(sitelab, r) == IBGP["ams-er-r1"], r
    # Azure sees the backup circuit's links with the longest paths
    paths = {s["session"]: set(s["edge_as_path"].values()) for s in check["sessions"]}
    assert paths["ams-er-r1 primary private IPv4"] == {"64500"}
    assert paths["ams-er-r2 secondary private IPv4"] == {" ".join(["64500"] * 4)}
    assert paths["fra-er-r1 primary private IPv4"] == {" ".join(["64500"] * 9)}
    assert paths["fra-er-r2 secondary private IPv4"] == {" ".join(["64500"] * 12)}


def test_losing_a_peering_location_moves_traffic_to_the_other_circuit_within_2s(sitelab):
    from ergen.lab.traffic import Ping

    wires = [w for w in sitelab["wires"] if w["router"].startswith("ams-")]
    assert len(wires) == 4                       # both links of the preferred circuit, both peerings
    ping = Ping(sitelab)
    try:
        for w in wires:                          # the Amsterdam location fails: the routers keep carrier
            subprocess.run(["ip", "-n", sitelab["provider_ns"], "link", "set", w["edge_port"], "down"], check=True)
        deadline = time.monotonic() + 10
        while best(sitelab, "ams-er-r1") in ("192.168.100.130", "") and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)
    finally:
        lost = ping.stop()
    assert best(sitelab, "ams-er-r1") == IBGP["fra-er-r1"]          # now through Frankfurt's active link
    print(f"\nloss of the Amsterdam peering location: {lost.lost} of {lost.sent} pings lost (every 20 ms), "
          f"longest gap {lost.longest_gap_ms:.0f} ms")
    assert lost.longest_gap_ms < 2000

    # recovery: Amsterdam back, the traffic with it
    ping = Ping(sitelab)
    try:
        for w in wires:
            subprocess.run(["ip", "-n", sitelab["provider_ns"], "link", "set", w["edge_port"], "up"], check=True)
        deadline = time.monotonic() + 60
        while best(sitelab, "ams-er-r1") != "192.168.100.130":
            assert time.monotonic() < deadline, "traffic did not come back to Amsterdam"
            time.sleep(0.2)
        time.sleep(2)
    finally:
        back = ping.stop()
    assert not ping.log.exists()                 # the ping's own log is removed once read
    print(f"recovery: {back.lost} of {back.sent} pings lost, longest gap {back.longest_gap_ms:.0f} ms")
    check = json.loads(ergen("lab", "check", "--name", NAME, "-o", "json").stdout)
    deadline = time.monotonic() + 60
    while not check["ok"] and time.monotonic() < deadline:
        time.sleep(2)
        check = json.loads(ergen("lab", "check", "--name", NAME, "-o", "json").stdout)
    assert check["ok"], check
