"""Graceful drain, for real: the lab's routers run ergen's configs, the LAN host pings the Azure test
address every 20 ms, and ergen drain / undrain (over SSH, commit-confirm) move the traffic off the primary
link and back. Lost pings are counted at each step (target: 0), then compared with a hard failure of the
same link, which only BFD detects.

Real FRR on both sides, real BGP, BFD and TCP-MD5. Root and Debian's frr needed; in CI a missing one is
a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, require, lab_name

pytestmark = pytest.mark.integration
NAME = lab_name("dn")
FIGURES: dict[str, str] = {}


def ergen(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([require("ergen"), *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def drainlab(tmp_path_factory):
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the lab tests need root in CI")
        pytest.skip("the lab needs root")
    for b in ("vtysh", "ip", "ping", "/usr/sbin/sshd", "/usr/lib/frr/frr-reload.py"):
        require(b)
    tmp = tmp_path_factory.mktemp("drain")
    inv = tmp / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    for f in (inv / "secrets").glob("*.md5"):
        f.chmod(0o600)
    ergen("lab", "down", "--name", NAME)
    up = ergen("lab", "up", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--name", NAME)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        state = json.loads(Path(f"/run/ergen/lab/{NAME}/state.json").read_text())
        yield {"inv": inv, "state": state, "tmp": tmp}
    finally:
        ergen("lab", "down", "--name", NAME)
        if FIGURES:
            print("\n" + "\n".join(f"{k}: {v}" for k, v in FIGURES.items()))


class Ping:
    """A continuous ping from the LAN host to the Azure test address (every 20 ms), lost ones counted."""

    def __init__(self, state, log: Path):
        self.log = log
        fh = log.open("w")
        self.p = subprocess.Popen(["ip", "netns", "exec", state["lan_ns"], "ping", "-i", "0.02", "-W", "1", "-D",
                                   state["ping_target"]], stdout=fh, stderr=subprocess.STDOUT)
        time.sleep(1.5)

    def stop(self) -> tuple[int, int, float]:
        """(sent, lost, longest gap without replies in s)."""
        time.sleep(1.5)
        self.p.send_signal(signal.SIGINT)
        self.p.wait(10)
        out = self.log.read_text()
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        sent, got = int(m.group(1)), int(m.group(2))
        stamps = [float(x) for x in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
        gap = max((b - a for a, b in zip(stamps, stamps[1:])), default=0.0)
        return sent, sent - got, gap


def routed_via(state, router: str, prefix: str) -> str:
    r = next(x for x in state["routers"] if x["name"] == router)
    out = subprocess.run(["vtysh", "-N", r["pathspace"], "-c", f"show ip route {prefix} json"],
                         capture_output=True, text=True).stdout
    data = json.loads(out or "{}").get(prefix, [{}])
    best = next((e for e in data if e.get("selected")), {})
    return best.get("protocol", "") + " " + " ".join(h.get("ip", h.get("interfaceName", "")) for h in best.get("nexthops", []))


def step(drainlab, label, *args):
    ping = Ping(drainlab["state"], drainlab["tmp"] / f"ping-{label.replace(' ', '-')}.txt")
    t0 = time.monotonic()
    res = ergen(*args)
    seconds = time.monotonic() - t0
    sent, lost, gap = ping.stop()
    FIGURES[label] = f"{lost} of {sent} pings lost (every 20 ms), longest gap {gap * 1000:.0f} ms, {seconds:.1f} s"
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return lost


def test_graceful_drain_shutdown_undrain_lose_nothing(drainlab):
    inv, state = drainlab["inv"], drainlab["state"]
    common = [str(EXAMPLE_CIRCUIT), "-i", str(inv), "--link", "primary", "--lab", NAME, "--commit",
              "--confirm-timeout", "60"]
    check = ergen("lab", "check", "--name", NAME)
    assert check.returncode == 0, check.stdout
    assert routed_via(state, "ams-er-r1", "10.100.0.0/16").startswith("bgp 192.168.100.130")
    before = {r: (inv / f"{r}.cfg") for r in ("ams-er-r1", "ams-er-r2")}
    render0 = ergen("render", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--stdout")

    # 1. drain by policy: traffic moves, the sessions stay up
    assert step(drainlab, "drain (prepend)", "drain", *common) == 0
    assert (inv / "drains.yaml").exists()
    report = json.loads(ergen("lab", "check", "--name", NAME, "-o", "json").stdout)
    assert report["ok"], report
    pri = next(s for s in report["sessions"] if s["session"] == "ams-er-r1 primary private IPv4")
    assert set(pri["edge_as_path"].values()) == {" ".join(["64500"] * 6)}      # the edge sees 5 prepends
    # the site now sends Azure traffic through the secondary (over iBGP to ams-er-r2)
    assert "192.168.100.130" not in routed_via(state, "ams-er-r1", "10.100.0.0/16")

    # 2. then the sessions down
    assert step(drainlab, "shutdown after drain", "drain", *common, "--mode", "shutdown") == 0
    report = json.loads(ergen("lab", "check", "--name", NAME, "-o", "json").stdout)
    assert report["ok"], report
    assert {s["state"] for s in report["sessions"] if s["session"].startswith("ams-er-r1")} == {"Idle"}

    # 3. back: sessions up still drained, then the drain goes
    assert step(drainlab, "undrain", "undrain", *common) == 0
    assert not (inv / "drains.yaml").exists()
    assert ergen("lab", "check", "--name", NAME).returncode == 0
    assert routed_via(state, "ams-er-r1", "10.100.0.0/16").startswith("bgp 192.168.100.130")
    # undrained, ergen renders byte for byte what it rendered before the drain
    assert ergen("render", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--stdout").stdout == render0.stdout
    assert before


def test_hard_failure_of_the_same_link_for_comparison(drainlab):
    """The primary link's far side fails (the router keeps carrier): only BFD can tell. Its loss is what a
    drain avoids."""
    state = drainlab["state"]
    assert ergen("lab", "check", "--name", NAME).returncode == 0
    wire = next(w for w in state["wires"] if w["router"] == "ams-er-r1" and w["peering"] == "private")
    ping = Ping(state, drainlab["tmp"] / "ping-hard.txt")
    try:
        subprocess.run(["ip", "-n", state["provider_ns"], "link", "set", wire["edge_port"], "down"], check=True)
        time.sleep(4)
    finally:
        subprocess.run(["ip", "-n", state["provider_ns"], "link", "set", wire["edge_port"], "up"], check=True)
    sent, lost, gap = ping.stop()
    FIGURES["hard failure (BFD)"] = f"{lost} of {sent} pings lost (every 20 ms), longest gap {gap * 1000:.0f} ms"
    assert lost > 0, "a hard failure loses traffic until BFD detects it"
    assert gap < 2.0
    deadline = time.monotonic() + 60
    while ergen("lab", "check", "--name", NAME).returncode != 0:
        assert time.monotonic() < deadline, "the lab did not recover"
        time.sleep(2)


def test_refuses_the_last_working_link_and_a_hand_edited_state(drainlab):
    inv = drainlab["inv"]
    ok = ergen("drain", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--link", "secondary", "--state-only")
    assert ok.returncode == 0, ok.stderr
    res = ergen("drain", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--link", "primary", "--lab", NAME, "--commit")
    assert res.returncode == 1
    assert "refusing to drain the last working link" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    (inv / "drains.yaml").write_text("er-ams-prod:\n  secondary:\n    mode: sideways\n")
    res = ergen("render", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--stdout")
    assert res.returncode == 1 and "er-ams-prod.secondary.mode" in res.stderr and "Traceback" not in res.stderr
    (inv / "drains.yaml").unlink()


def test_drill_reports_each_step(drainlab):
    res = ergen("drill", str(EXAMPLE_CIRCUIT), "-i", str(drainlab["inv"]), "--link", "primary", "--lab", NAME,
                "-o", "json")
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    data = json.loads(res.stdout)
    assert [s["step"] for s in data["steps"]] == ["drain (prepend)", "drain (shutdown)", "undrain"]
    for s in data["steps"]:
        assert s["verified"] and s["sent"] > 100 and s["seconds"] > 0
        FIGURES[f"drill {s['step']}"] = f"{s['lost']} of {s['sent']} lost, longest gap {s['longest_gap_ms']} ms, {s['seconds']} s"
        assert s["lost"] == 0, s
    assert not (drainlab["inv"] / "drains.yaml").exists()


def test_audit_clean_then_a_hand_change_then_an_unreachable_router(drainlab):
    import jsonschema

    from ergen import audit as _  # noqa: F401  (the schema ships with ergen)
    schema = json.loads((Path(__file__).resolve().parents[2] / "src" / "ergen" / "data" / "audit.schema.json")
                        .read_text())
    inv, state = drainlab["inv"], drainlab["state"]
    args = ["audit", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--lab", NAME]

    def router_side():
        """What a write would change on the routers: their running configs, the driver's files."""
        out = {}
        for r in state["routers"]:
            run = subprocess.run(["vtysh", "-N", r["pathspace"], "-c", "show running-config"], capture_output=True,
                                 text=True).stdout
            d = Path(state["workdir"]) / r["pathspace"] / "ergen-state"
            files = sorted((p.name, p.stat().st_mtime_ns) for p in d.iterdir()) if d.exists() else []
            out[r["name"]] = (run, files)
        return out

    before = router_side()
    t0 = time.monotonic()
    clean = ergen(*args, "-o", "json")
    FIGURES["audit of the lab (2 routers)"] = f"{time.monotonic() - t0:.1f} s"
    assert clean.returncode == 0, clean.stdout
    data = json.loads(clean.stdout)
    jsonschema.validate(data, schema)
    assert data["ok"] and all(b["ok"] for r in data["routers"] for b in r["bgp"])
    assert router_side() == before, "the audit changed something on a router"
    # a line removed by hand over vtysh: that router and that line, exit 1
    r1 = next(r for r in state["routers"] if r["name"] == "ams-er-r1")
    subprocess.run(["vtysh", "-N", r1["pathspace"], "-c", "configure terminal", "-c", "router bgp 64500", "-c",
                    "no neighbor 203.0.113.2 bfd"], check=True, capture_output=True)
    res = ergen(*args)
    assert res.returncode == 1
    assert "ams-er-r1: missing: router bgp 64500 / neighbor 203.0.113.2 bfd profile ER-AMS-PROD-BFD" in res.stdout
    assert "ams-er-r2" in res.stdout and not any(l.startswith("ams-er-r2:") for l in res.stdout.splitlines())
    data = json.loads(ergen(*args, "-o", "json").stdout)
    jsonschema.validate(data, schema)
    by = {r["router"]: r for r in data["routers"]}
    assert not by["ams-er-r1"]["ok"] and by["ams-er-r2"]["ok"]
    md = ergen(*args, "-f", "markdown").stdout
    assert "```mermaid" in md and "flowchart LR" in md and "| ams-er-r1 |" in md
    # an unreachable router is reported alone; the other is still audited
    r2 = next(r for r in state["routers"] if r["name"] == "ams-er-r2")
    subprocess.run(["pkill", "-f", f"{r2['pathspace']}/sshd_config"], check=False)
    res = ergen(*args, "-o", "json")
    assert res.returncode == 1
    data = json.loads(res.stdout)
    jsonschema.validate(data, schema)
    by = {r["router"]: r for r in data["routers"]}
    assert "connection refused" in by["ams-er-r2"]["error"] and by["ams-er-r1"]["drift"]["missing"]
    assert data["summary"]["unreachable"] == 1
