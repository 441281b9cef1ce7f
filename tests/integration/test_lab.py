"""The lab: ergen's FRR configs peer with simulated Microsoft edges in network namespaces.

Real FRR (zebra, staticd, bfdd, bgpd) on both sides, real TCP-MD5 and BFD in the kernel. Needs
root and Debian's frr; in CI (CI=true) a missing one is a failure. Each lab is removed at the end,
also when a test fails midway.
"""

from __future__ import annotations

import os
import re
import subprocess
import time

import pytest

import ergen
from helpers import require
from ergen import lab
from ergen.lab import frr, netns
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, example_data, write_case, lab_name

pytestmark = pytest.mark.integration


def need_lab():
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the lab tests need root in CI")
        pytest.skip("the lab needs root")
    for b in ("vtysh", "ip", "ping", "/usr/lib/frr/bgpd", "/usr/lib/frr/bfdd"):
        require(b)


def leftovers(name: str) -> tuple[list[str], list[str]]:
    nss = sorted(n for n in netns.existing() if n.startswith(f"erg-{name}-"))
    procs = subprocess.run(["pgrep", "-af", f"-N erg{name}"], capture_output=True, text=True).stdout.split("\n")
    return nss, [p for p in procs if p.strip()]


T2, T3, T4, T5 = (lab_name(n) for n in ("t2", "t3", "t4", "t5"))
EDGES = {"frr": lab_name("t1"), "bird": lab_name("t1b")}     # the lab's core tests run with FRR and with BIRD 2 as Microsoft's edge
FIGURES: dict[str, str] = {}


@pytest.fixture(scope="module", params=list(EDGES))
def example_lab(request):
    need_lab()
    if request.param == "bird":
        require("bird")
        require("birdc")
    name = EDGES[request.param]
    circuits = ergen.load_circuits(EXAMPLE_CIRCUIT)
    inventory = ergen.load_inventory(EXAMPLE_INVENTORY)
    try:
        lab.down(name)
    except lab.LabError:
        pass
    t0 = time.monotonic()
    res = lab.up(circuits, inventory, name=name, wait=60, edge=request.param)
    res.wall = time.monotonic() - t0
    res.edge_kind = request.param
    try:
        yield res
    finally:
        lab.down(name)
        print("\n" + "\n".join(f"{k}: {v}" for k, v in FIGURES.items() if k.startswith(request.param)))


def set_edge_key(plan, e, ce_address: str, key: str) -> None:
    """Change the MD5 key Microsoft's edge uses toward one customer address (FRR or BIRD edge)."""
    if e.kind == "bird":
        from pathlib import Path
        conf = Path(plan.workdir) / e.pathspace / "bird.conf"
        text, out, inside = conf.read_text(), [], False
        for line in text.splitlines():
            if line.strip().startswith("neighbor ") and ce_address in line:
                inside = True
            if inside and line.strip().startswith("password "):
                line, inside = f'  password "{key}";', False
            out.append(line)
        conf.write_text("\n".join(out) + "\n")
        subprocess.run(["birdc", "-s", e.socket, "configure"], check=True, capture_output=True)
    else:
        frr.vtysh(e.pathspace, "configure terminal", "router bgp 12076", f"neighbor {ce_address} password {key}")


def wait_for(fn, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def session(report, label):
    return next(s for s in report.sessions if s.session == label)


def wire(plan, router, peering):
    return next(w for w in plan.wires if w.router == router and w.peering == peering)


def edge(plan, link, peering):
    return next(e for e in plan.edges if e.link == link and e.peering == peering)


def rx_packets(ns: str, dev: str) -> int:
    out = netns.run("cat", f"/sys/class/net/{dev}/statistics/rx_packets", ns=ns).stdout
    return int(out.strip())


def test_all_sessions_established_within_bound(example_lab):
    assert example_lab.seconds_to_established is not None, "not every session came up"
    assert example_lab.established == example_lab.expected == 6  # 2 links × (private v4, v6, Microsoft v4)
    assert example_lab.seconds_to_established < 30
    assert example_lab.seconds_to_converged is not None and example_lab.seconds_to_converged < 45
    FIGURES[f"{example_lab.edge_kind} edge: lab up"] = (f"all Established {example_lab.seconds_to_established:.2f} s, "
                                                        f"converged {example_lab.seconds_to_converged:.2f} s")


def test_prefixes_match_the_intent(example_lab):
    report = lab.check(example_lab.plan.name)
    assert report.ok, [(s.session, s.problems) for s in report.sessions if not s.ok]
    for link, router in (("primary", "ams-er-r1"), ("secondary", "ams-er-r2")):
        priv = session(report, f"{router} {link} private IPv4")
        # the inventory's on-prem prefixes arrive at the edge, and nothing else
        assert sorted(priv.edge_as_path) == ["10.20.0.0/16", "10.21.0.0/16"]
        assert sorted(session(report, f"{router} {link} private IPv6").edge_as_path) == ["2001:db8:a000::/48"]
        # the Azure prefixes arrive at the customer router
        assert priv.received == ["10.100.0.0/16", "10.101.0.0/16"]
        msft = session(report, f"{router} {link} microsoft IPv4")
        assert sorted(msft.edge_as_path) == ["198.51.100.0/27"]
        # accept_communities [exchange, azure-westeurope]: SharePoint's route (12076:5020) stays out
        assert msft.received == ["198.51.100.128/25", "203.0.113.64/26"]
        assert "203.0.113.128/26" not in msft.received


def test_standby_link_is_prepended_and_the_primary_preferred(example_lab):
    report = lab.check(example_lab.plan.name)
    sec = session(report, "ams-er-r2 secondary private IPv4")
    pri = session(report, "ams-er-r1 primary private IPv4")
    assert set(sec.edge_as_path.values()) == {"64500 64500 64500 64500"}
    assert set(pri.edge_as_path.values()) == {"64500"}
    plan = example_lab.plan
    r2 = next(r for r in plan.routers if r.name == "ams-er-r2")
    # the secondary router itself sends Azure traffic through the primary (local preference over iBGP)
    e1, e2 = edge(plan, "primary", "private"), edge(plan, "secondary", "private")
    before = rx_packets(e1.ns, "ce0"), rx_packets(e2.ns, "ce0")
    for ns, src in ((plan.lan_ns, None), (r2.ns, r2.lan_address.split("/")[0])):
        args = ["ping", "-c", "20", "-i", "0.01", "-W", "1", plan.ping_target]
        if src:
            args[1:1] = ["-I", src]
        res = netns.run(*args, ns=ns, check=False)
        assert " 0% packet loss" in res.stdout, res.stdout
    after = rx_packets(e1.ns, "ce0"), rx_packets(e2.ns, "ce0")
    assert after[0] - before[0] >= 40          # both pings went in through the primary edge
    assert after[1] - before[1] < 10           # the secondary edge saw (almost) nothing: BGP, BFD only


def test_wrong_md5_key_keeps_the_session_down_and_check_says_why(example_lab):
    plan = example_lab.plan
    e = edge(plan, "primary", "private")
    w = wire(plan, "ams-er-r1", "private")
    s = next(x for x in plan.sessions if x.router == "ams-er-r1" and x.peering == "private" and x.family == 4)
    set_edge_key(plan, e, s.ce_address, "WrongKey99")
    try:
        def down():
            r = session(lab.check(example_lab.plan.name), "ams-er-r1 primary private IPv4")
            return r if r.state != "Established" and "MD5" in " ".join(r.problems) else None
        r = wait_for(down, 30)
        assert r is not None, "the session stayed up with a wrong key"
        assert "MD5 key mismatch" in r.problems[0]
        time.sleep(5)  # and it stays down
        assert session(lab.check(example_lab.plan.name), "ams-er-r1 primary private IPv4").state != "Established"
        res = subprocess.run(["ergen", "lab", "check", "--name", example_lab.plan.name], capture_output=True, text=True)
        assert res.returncode == 1 and "MD5 key mismatch" in res.stdout
        assert "ExampleKey2026ams" not in res.stdout + res.stderr
    finally:
        key = (EXAMPLE_INVENTORY / "secrets" / "er-ams-prod-private.md5").read_text().strip()
        set_edge_key(plan, e, s.ce_address, key)
    assert wait_for(lambda: session(lab.check(example_lab.plan.name), "ams-er-r1 primary private IPv4").state == "Established", 60)
    assert w  # the wire is untouched


def test_bfd_moves_traffic_to_the_secondary_within_2s(example_lab):
    plan = example_lab.plan
    w = wire(plan, "ams-er-r1", "private")
    assert wait_for(lambda: lab.check(example_lab.plan.name).ok, 60), "lab not healthy before the failover test"
    ping = subprocess.Popen(["ip", "netns", "exec", plan.lan_ns, "ping", "-D", "-i", "0.01", "-c", "600", "-W", "1",
                             plan.ping_target], stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        t_cut = time.time()
        # the far side of the primary link fails; the router keeps carrier, only BFD can tell
        netns.ip("link", "set", w.edge_port, "down", ns=plan.provider_ns)
        out, _ = ping.communicate(timeout=30)
    finally:
        if ping.poll() is None:
            ping.kill()
        netns.ip("link", "set", w.edge_port, "up", ns=plan.provider_ns)
    stamps = [float(m) for m in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
    assert len(stamps) > 300, out[-500:]
    gaps = [(b - a, a) for a, b in zip(stamps, stamps[1:])]
    outage, start = max(gaps)
    assert start >= t_cut - 0.1, "the largest gap is not the failover"
    FIGURES[f"{example_lab.edge_kind} edge: BFD failover"] = f"{outage:.3f} s without replies (ping every 10 ms)"
    assert outage < 2.0
    r1 = next(r for r in plan.routers if r.name == "ams-er-r1")
    # the recovery: BFD and BGP come back, and traffic returns to the primary
    assert wait_for(lambda: session(lab.check(example_lab.plan.name), "ams-er-r1 primary private IPv4").state == "Established", 60)
    assert r1


def test_forced_tunneling_advertises_a_default_route(tmp_path):
    need_lab()
    c, h, g, ci = example_data()
    ci["er-ams-prod"]["private"]["default_route"] = True
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    try:
        res = lab.up(ergen.load_circuits(cfile), ergen.load_inventory(inv), name=T2, wait=60)
        assert res.seconds_to_established is not None
        report = lab.check(T2)
        assert report.ok, [(s.session, s.problems) for s in report.sessions if not s.ok]
        for label in ("ams-er-r1 primary private IPv4", "ams-er-r2 secondary private IPv4"):
            assert "0.0.0.0/0" in session(report, label).edge_as_path
        assert "0.0.0.0/0" not in session(report, "ams-er-r1 primary microsoft IPv4").edge_as_path
    finally:
        lab.down(T2)
    assert leftovers(T2) == ([], [])


def test_without_forced_tunneling_no_default_route(example_lab):
    report = lab.check(example_lab.plan.name)
    for s in report.sessions:
        assert "0.0.0.0/0" not in s.edge_as_path and "::/0" not in s.edge_as_path


def test_a_failure_midway_leaves_nothing(monkeypatch):
    need_lab()
    calls = {"n": 0}
    real = frr.load

    def failing_load(pathspace, config):
        calls["n"] += 1
        if calls["n"] == 3:
            raise lab.LabError("injected failure while loading a config")
        return real(pathspace, config)

    monkeypatch.setattr(frr, "load", failing_load)
    with pytest.raises(lab.LabError, match="injected"):
        lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY), name=T3)
    assert leftovers(T3) == ([], [])
    assert not os.path.exists(f"/run/ergen/lab/{T3}")


def test_down_leaves_nothing(example_lab):
    # runs last in this module's order of definition before the fixture tears down: check after an explicit cycle
    need_lab()
    res = lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY), name=T4, wait=5)
    assert len(netns.existing() & set(res.plan.namespaces)) == len(res.plan.namespaces)
    lab.down(T4)
    assert leftovers(T4) == ([], [])
    assert not any(os.path.exists(f"/var/run/frr/{p}") for p in res.plan.pathspaces)


def test_lab_without_root_says_so_in_one_line(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(lab.LabError) as exc:
        lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY), name=T5)
    assert "needs root" in str(exc.value) and "\n" not in str(exc.value)
