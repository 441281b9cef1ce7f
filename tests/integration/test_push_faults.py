"""Push faults on the lab's SSH routers (lab "f1"), N trials each (ERGEN_FAULT_TRIALS, default 5):
connection refused (the router's sshd stopped; a wrong port), authentication failure (a key the router
does not know), timeout (replies blackholed inside the router's namespace), SSH cut mid-commit (every
sshd session of the router killed while frr-reload runs), and a line the daemon rejects (frr-reload
applies the lines before it, then fails).

After each trial: the push result names the router and the fault in one line, and the router's running
config (vtysh in its namespace) is what it was before, 100% of the trials. Needs root, Debian's frr and
openssh-server; in CI a missing one is a failure. Only the lab's own namespaces are touched."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import ergen
from helpers import require
from ergen import lab
from ergen.change import push as change
from ergen.lab import frr, netns
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, lab_name

pytestmark = pytest.mark.integration

LAB = lab_name("f1")
N = int(os.environ.get("ERGEN_FAULT_TRIALS", "5"))
ROUTER = "ams-er-r1"
ACK = 5            # seconds an applied commit waits for the session's word before it is undone
RESULTS: dict[str, list[dict]] = {}


def need():
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the push fault tests need root in CI")
        pytest.skip("needs root")
    for b in ("vtysh", "/usr/lib/frr/frr-reload.py", "/usr/sbin/sshd", "ssh-keygen"):
        require(b)


@pytest.fixture(scope="module")
def state():
    need()
    try:
        lab.down(LAB)
    except lab.LabError:
        pass
    res = lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY), name=LAB)
    assert res.seconds_to_established is not None
    try:
        yield lab.load_state(LAB)
    finally:
        lab.down(LAB)
    assert not [n for n in netns.existing() if n.startswith(f"erg-{LAB}-")]


def router(state, name=ROUTER) -> dict:
    return next(r for r in state["routers"] if r["name"] == name)


def running(state, name=ROUTER) -> list[str]:
    text = frr.vtysh(router(state, name)["pathspace"], "show running-config")
    return [l.rstrip() for l in text.splitlines()
            if l.strip() and not l.startswith(("Building", "Current configuration", "!"))]


@pytest.fixture(scope="module")
def candidate(state, tmp_path_factory):
    """ams-er-r1's config with maximum-prefix 900 instead of 1000 (a change the router must not keep)."""
    tmp = tmp_path_factory.mktemp("inv")
    inv = tmp / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    f = inv / "circuits.yaml"
    f.write_text(f.read_text().replace("maximum_prefix: 1000 ", "maximum_prefix: 900 "))
    inventory = lab.lab_inventory(ergen.load_inventory(inv))
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), inventory)
    tg = change.targets(result.intents, inventory, configs=ergen.render_configs(result.intents, show_secrets=True),
                        lab=state)
    t = next(x for x in tg if x.router == ROUTER)
    t.optional_args["ack_timeout"] = ACK
    return t


def target(candidate, **changes):
    import copy
    t = copy.deepcopy(candidate)
    for k, v in changes.items():
        if k == "optional_args":
            t.optional_args.update(v)
        else:
            setattr(t, k, v)
    return t


def push(t, tmp_path, timeout=30):
    res, _ = change.run([t], commit=True, order="parallel", state_dir=tmp_path / "state", timeout=timeout)
    assert len(res) == 1
    return res[0]


def job_done(state, within: float, name=ROUTER) -> bool:
    """The driver's commit job on the router has ended (its lock file gone or its process dead)."""
    lock = Path(state["workdir"]) / router(state, name)["pathspace"] / "ergen-state" / "apply.lock"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(int(lock.read_text()), 0)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            return True
        time.sleep(0.3)
    return False


def record(fault, res, before_ok, seconds, **extra):
    RESULTS.setdefault(fault, []).append({"status": res.status, "error": res.error, "unchanged": before_ok,
                                          "seconds": round(seconds, 1), **extra})


def check_result(res, *pieces):
    assert res.router == ROUTER and res.status == "failed" and not res.ok, (res.status, res.error)
    assert "\n" not in res.error and len(res.error) <= 400, res.error
    assert all(p in res.error for p in pieces), res.error
    assert "ExampleKey2026ams" not in res.error and "ExampleMsftKey2026" not in res.error


# ------------------------------------------------------------------------------------------ the faults
def sshd_listener(state, name=ROUTER) -> int:
    r = router(state, name)
    return int((Path(state["workdir"]) / r["pathspace"] / "sshd.pid").read_text())


def restart_sshd(state, name=ROUTER):
    r = router(state, name)
    work = Path(state["workdir"])
    lab.start_sshd(r["ns"], r["mgmt_address"], work / r["pathspace"], r["name"], work / "ssh_host_ed25519_key",
                   work / "authorized_keys")
    lab.wait_sshd(r["ns"], r["mgmt_address"], work / r["pathspace"])


def test_control_a_push_does_change_the_router_and_rolls_back(state, candidate, tmp_path):
    """Without a fault the same candidate is applied: the faults' "unchanged" means something."""
    before = running(state)
    res = push(candidate, tmp_path)
    assert res.status == "changed", res.error
    assert running(state) != before and any("maximum-prefix 900" in l for l in running(state))
    time.sleep(ACK + 1)                          # acknowledged: it stays past the window
    assert any("maximum-prefix 900" in l for l in running(state))
    back, _ = change.run([candidate], action="rollback", state_dir=tmp_path / "state")
    assert back[0].status == "rolled back", back[0].error
    assert running(state) == before


def test_connection_refused_sshd_stopped(state, candidate, tmp_path):
    before = running(state)
    for i in range(N):
        os.kill(sshd_listener(state), signal.SIGTERM)
        deadline = time.monotonic() + 5
        while lab._listening(router(state)["ns"], router(state)["mgmt_address"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        t0 = time.monotonic()
        try:
            res = push(candidate, tmp_path / str(i))
        finally:
            restart_sshd(state)
        check_result(res, "cannot connect to", router(state)["mgmt_address"])
        assert "refused" in res.error.lower(), res.error
        record("connection refused (sshd stopped)", res, running(state) == before, time.monotonic() - t0)
        assert running(state) == before


def test_connection_refused_wrong_port(state, candidate, tmp_path):
    before = running(state)
    for i in range(N):
        t0 = time.monotonic()
        res = push(target(candidate, optional_args={"port": 2222}), tmp_path / str(i))
        check_result(res, "cannot connect to", ":2222")
        record("connection refused (wrong port)", res, running(state) == before, time.monotonic() - t0)
        assert running(state) == before


def test_authentication_failure(state, candidate, tmp_path):
    before = running(state)
    key = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    for i in range(N):
        t0 = time.monotonic()
        res = push(target(candidate, optional_args={"key_file": str(key)}), tmp_path / str(i))
        check_result(res, "authentication failed for root@")
        record("authentication failure", res, running(state) == before, time.monotonic() - t0)
        assert running(state) == before


def test_timeout_replies_blackholed(state, candidate, tmp_path):
    """Inside the router's namespace (the lab's own), a blackhole route for the management host: the SYN
    arrives, the SYN-ACK never leaves."""
    before = running(state)
    r = router(state)
    import ipaddress
    host = str(ipaddress.ip_network(state["mgmt_subnet"]).network_address + 1)
    for i in range(N):
        netns.ip("route", "add", "blackhole", f"{host}/32", ns=r["ns"])
        t0 = time.monotonic()
        try:
            res = push(candidate, tmp_path / str(i), timeout=6)
        finally:
            netns.ip("route", "del", "blackhole", f"{host}/32", ns=r["ns"])
        secs = time.monotonic() - t0
        check_result(res, "cannot connect to", r["mgmt_address"])
        assert "timed out" in res.error.lower() or "timeout" in res.error.lower(), res.error
        assert secs < 40, f"the timeout took {secs:.0f} s"
        record("timeout (replies blackholed)", res, running(state) == before, secs)
        assert running(state) == before


def test_ssh_cut_mid_commit(state, candidate, tmp_path):
    """Every sshd session of the router killed while frr-reload applies the candidate (the listener stays):
    the client reports the lost session; the router, not told the commit was seen, reloads its previous
    config by itself."""
    before = running(state)
    r = router(state)
    marker = Path(state["workdir"]) / r["pathspace"] / "ergen-state" / "apply.log"
    for i in range(N):
        marker.unlink(missing_ok=True)
        out: dict = {}
        th = threading.Thread(target=lambda: out.update(res=push(candidate, tmp_path / str(i))))
        t0 = time.monotonic()
        th.start()
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not marker.exists():
            th.join(120)
            pytest.fail(f"the apply never started: {out.get('res')}")
        listener = sshd_listener(state)
        killed = 0
        for pid in netns.pids(r["ns"]):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "sshd" in cmd and pid != listener:
                os.kill(pid, signal.SIGKILL)
                killed += 1
        th.join(120)
        res = out["res"]
        assert killed, "no SSH session to cut"
        check_result(res)
        assert "session was lost" in res.error or "Socket" in res.error or "closed" in res.error.lower(), res.error
        assert job_done(state, within=ACK + 60), "the commit job on the router did not end"
        reverted = (Path(state["workdir"]) / r["pathspace"] / "ergen-state" / "reverted")
        ok = running(state) == before
        assert reverted.exists() and "previous config reloaded" in reverted.read_text(), "not undone by the router"
        record("SSH cut mid-commit", res, ok, time.monotonic() - t0, sessions_killed=killed)
        assert ok, "the router kept (part of) the commit after the session was cut"


def test_line_the_daemon_rejects(state, candidate, tmp_path):
    """The candidate with its real changes first, then a second BGP instance (another AS) that bgpd refuses
    when frr-reload applies it: the lines before it were applied; the router must not keep them."""
    before = running(state)
    bad = target(candidate, config=candidate.config + "router bgp 65001\n bgp router-id 10.255.255.1\nexit\n")
    for i in range(N):
        t0 = time.monotonic()
        res = push(bad, tmp_path / str(i))
        check_result(res, "frr-reload failed", "nothing kept")
        record("a line the daemon rejects", res, running(state) == before, time.monotonic() - t0)
        assert running(state) == before, "lines of the rejected commit stayed on the router"


def test_the_other_router_was_never_touched_and_the_figures(state):
    if not RESULTS:
        pytest.skip("no fault ran")
    lines = [f"{'fault':38} {'trials':>6} {'unchanged':>9} {'mean s':>7}  error (first trial)"]
    for fault, trials in RESULTS.items():
        ok = sum(t["unchanged"] for t in trials)
        mean = sum(t["seconds"] for t in trials) / len(trials)
        lines.append(f"{fault:38} {len(trials):6d} {ok:6d}/{len(trials):<2d} {mean:7.1f}  {trials[0]['error'][:110]}")
    print("\n" + "\n".join(lines))
    if os.environ.get("ERGEN_FAULT_REPORT"):
        Path(os.environ["ERGEN_FAULT_REPORT"]).write_text(json.dumps(RESULTS, indent=2))
    assert all(t["unchanged"] for trials in RESULTS.values() for t in trials)
    r2 = router(state, "ams-er-r2")
    assert "maximum-prefix 900" not in frr.vtysh(r2["pathspace"], "show running-config")
