"""Pushes over SSH to real FRR daemons (lab routers and a 20-router fleet), through ergen's NAPALM FRR
driver and Nornir. Needs root, Debian's frr and openssh-server; in CI a missing one is a failure."""

from __future__ import annotations

import os
import re
import shutil
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
P1 = lab_name("p1")


def need():
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the push tests need root in CI")
        pytest.skip("needs root")
    for b in ("vtysh", "/usr/lib/frr/frr-reload.py", "/usr/sbin/sshd", "ssh-keygen"):
        require(b)


@pytest.fixture(scope="module")
def lab_up():
    need()
    try:
        lab.down(P1)
    except lab.LabError:
        pass
    res = lab.up(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY), name=P1)
    assert res.seconds_to_converged is not None
    try:
        yield lab.load_state(P1)
    finally:
        lab.down(P1)


def inventory_with(tmp_path: Path, old: str, new: str) -> Path:
    inv = tmp_path / "inv"
    if inv.exists():
        shutil.rmtree(inv)
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    f = inv / "circuits.yaml"
    text = f.read_text()
    assert old in text
    f.write_text(text.replace(old, new))
    return inv


def lab_targets(state, inv):
    inventory = lab.lab_inventory(ergen.load_inventory(inv))
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), inventory)
    return change.targets(result.intents, inventory, configs=ergen.render_configs(result.intents, show_secrets=True),
                          lab=state)


def running(state, router: str) -> str:
    r = next(x for x in state["routers"] if x["name"] == router)
    return frr.vtysh(r["pathspace"], "show running-config")


def normalized(text: str) -> list[str]:
    return [l.rstrip() for l in text.splitlines()
            if l.strip() and not l.startswith(("Building", "Current configuration", "!"))]


def test_push_changes_the_running_config_and_a_second_push_is_empty(lab_up, tmp_path):
    state = lab_up
    before = {r: running(state, r) for r in ("ams-er-r1", "ams-er-r2")}
    inv = inventory_with(tmp_path, "maximum_prefix: 1000 ", "maximum_prefix: 900 ")
    tg = lab_targets(state, inv)
    dry, _ = change.run(tg, state_dir=tmp_path / "state")
    assert [r.status for r in dry] == ["would change", "would change"]
    assert "maximum-prefix 900" in dry[0].diff and "ExampleKey2026ams" not in dry[0].diff
    assert {r: running(state, r) for r in before} == before   # a dry run changes nothing
    done, _ = change.run(tg, commit=True, state_dir=tmp_path / "state")
    assert [r.status for r in done] == ["changed", "changed"], [r.error for r in done]
    assert "neighbor 192.168.100.130 maximum-prefix 900 80 restart 5" in running(state, "ams-er-r1")
    again, _ = change.run(tg, state_dir=tmp_path / "state")
    assert [r.status for r in again] == ["no change", "no change"], [r.diff for r in again]
    # rollback: the previous running config again
    back, _ = change.run(tg, action="rollback", state_dir=tmp_path / "state")
    assert [r.status for r in back] == ["rolled back", "rolled back"]
    for r, text in before.items():
        assert normalized(running(state, r)) == normalized(text)


def test_unconfirmed_commit_reverts_and_confirmed_stays(lab_up, tmp_path):
    state = lab_up
    before = running(state, "ams-er-r1")
    inv = inventory_with(tmp_path, "prepend: 3", "prepend: 2")
    tg = [t for t in lab_targets(state, inv) if t.router == "ams-er-r2"]
    r2_before = running(state, "ams-er-r2")
    res, _ = change.run(tg, commit=True, confirm_timeout=6, verify_wait=0, state_dir=tmp_path / "s")
    assert res[0].status == "pending", res[0].error
    assert "set as-path prepend 64500 64500\n" in running(state, "ams-er-r2")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "set as-path prepend 64500 64500 64500" not in running(state, "ams-er-r2"):
        time.sleep(0.5)
    assert normalized(running(state, "ams-er-r2")) == normalized(r2_before), "did not revert by itself"
    # with ergen's BGP check: confirmed, and it stays
    res, _ = change.run(tg, commit=True, confirm_timeout=8, verify_wait=30, state_dir=tmp_path / "s")
    assert res[0].status == "confirmed" and all(res[0].bgp.values()), (res[0].status, res[0].error)
    time.sleep(10)
    assert "set as-path prepend 64500 64500\n" in running(state, "ams-er-r2")
    assert running(state, "ams-er-r1") == before  # the other router untouched
    change.run(tg, action="rollback", state_dir=tmp_path / "s")


def test_ssh_cut_mid_commit_leaves_the_previous_config(lab_up, tmp_path):
    """The commit job on the router undoes a commit its session did not acknowledge (ack_timeout, 5 s
    here): an SSH cut mid-commit leaves the router on its previous config, never half of the new one.
    (test_push_faults.py repeats this N times.)"""
    state = lab_up
    inv = inventory_with(tmp_path, "maximum_prefix: 1000 ", "maximum_prefix: 700 ")
    tg = [t for t in lab_targets(state, inv) if t.router == "ams-er-r1"]
    for t in tg:
        t.optional_args["ack_timeout"] = 5
    r = next(x for x in state["routers"] if x["name"] == "ams-er-r1")
    before = running(state, "ams-er-r1")
    reverted = Path(state["workdir"]) / r["pathspace"] / "ergen-state" / "reverted"
    reverted.unlink(missing_ok=True)
    # apply.log appears when the detached frr-reload job has started on the router
    marker = Path(state["workdir"]) / r["pathspace"] / "ergen-state" / "apply.log"
    marker.unlink(missing_ok=True)
    out = {}
    th = threading.Thread(target=lambda: out.update(res=change.run(tg, commit=True, state_dir=tmp_path / "c")[0]))
    th.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert marker.exists(), "the apply never started"
    # cut every SSH session of that router (sshd's per-connection children), leave the listener
    listener = int((Path(state["workdir"]) / r["pathspace"] / "sshd.pid").read_text())
    for pid in netns.pids(r["ns"]):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "sshd" in cmd and pid != listener:
            os.kill(pid, 9)
    th.join(120)
    assert out["res"][0].status in ("changed", "failed")
    deadline = time.monotonic() + 90          # the job waits ack_timeout, then reloads the previous config
    while not reverted.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert reverted.exists(), "the router did not undo the unacknowledged commit"
    time.sleep(1)
    text = running(state, "ams-er-r1")
    new = len(re.findall(r"maximum-prefix 700 80 restart 5", text))
    old = len(re.findall(r"maximum-prefix 1000 80 restart 5", text))
    assert (new, old) == (0, 1), f"{new} new, {old} old lines"
    assert text == before
    print(f"\nSSH cut mid-commit: router back on its previous config, client saw {out['res'][0].status}")


def test_push_cli_diff_push_confirm_rollback(lab_up, tmp_path):
    state = lab_up
    inv = inventory_with(tmp_path, "maximum_prefix: 1000 ", "maximum_prefix: 800 ")
    base = ["ergen"]
    run = lambda *a: subprocess.run([*base, *a], capture_output=True, text=True, timeout=180)  # noqa: E731
    d = run("diff", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--lab", P1)
    assert d.returncode == 0 and "maximum-prefix 800" in d.stdout, d.stderr
    p = run("push", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--lab", P1, "--commit", "--confirm-timeout", "30",
            "--no-verify", "--state-dir", str(tmp_path / "st"))
    assert p.returncode == 0 and p.stdout.count("pending") == 2, p.stdout + p.stderr
    c = run("confirm", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--lab", P1)
    assert c.returncode == 0 and c.stdout.count("confirmed-manually") == 2, c.stdout
    rb = run("rollback", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--lab", P1)
    assert rb.returncode == 0 and rb.stdout.count("rolled back") == 2
    again = run("push", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", P1, "-o", "json")
    assert again.returncode == 0 and '"status": "no change"' in again.stdout
    for out in (d, p, c, rb, again):
        assert "ExampleKey2026ams" not in out.stdout + out.stderr


# ------------------------------------------------------------------------------------------- fleet
FLEET = 20
FL = lab_name("fl")          # the fleet's namespaces, FRR pathspaces and root-namespace veth carry the run's tag
FLEET_NET: list[str] = []    # the fleet's management /24 prefix (e.g. "198.18.250"), chosen free when it starts


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """20 FRR routers (zebra, staticd, bgpd) with an sshd each, on one management bridge."""
    need()
    from ergen.lab import start_sshd, wait_sshd
    work = Path(f"/run/ergen/fleet-{FL}")
    names = [f"erg-{FL}-r{i:02d}" for i in range(FLEET)]
    mgmt = f"erg-{FL}-mgmt"

    def cleanup():
        netns.kill_all(names + [mgmt])
        netns.delete(names + [mgmt])
        for i in range(FLEET):
            frr.remove_runtime(f"erg{FL}{i:02d}")
        shutil.rmtree(work, ignore_errors=True)

    cleanup()
    work.mkdir(parents=True)
    work.chmod(0o711)
    try:
        netns.add(mgmt)
        from ergen.lab.topology import _mgmt_subnet
        FLEET_NET[:] = [str(_mgmt_subnet(FL).network).rsplit(".", 1)[0]]
        net = FLEET_NET[0]
        netns.ip("link", "add", f"ergm-{FL}", "type", "veth", "peer", "name", "up0", "netns", mgmt)
        netns.ip("link", "set", f"ergm-{FL}", "up")
        netns.ip("link", "set", "up0", "up", ns=mgmt)
        netns.ip("addr", "add", f"{net}.1/24", "dev", f"ergm-{FL}")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "id")], check=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "hostkey")], check=True)
        auth = work / "authorized_keys"
        auth.write_text((work / "id.pub").read_text())
        auth.chmod(0o600)
        ports = ["up0"]
        for i, ns in enumerate(names):
            netns.add(ns)
            netns.veth(ns, "mgmt0", mgmt, f"m{i}")
            netns.address(ns, "mgmt0", f"{net}.{10 + i}/24")
            ports.append(f"m{i}")
        netns.bridge(mgmt, "br0", ports)
        for i, ns in enumerate(names):
            d = work / f"r{i:02d}"
            frr.start(ns, f"erg{FL}{i:02d}", d, hostname=f"fleet-r{i:02d}")
            (d / "run").mkdir(exist_ok=True)
            (d / "base.conf").write_text(f"ip route 10.{i}.0.0/16 blackhole 250\nrouter bgp 65{100 + i}\n"
                                         f" bgp router-id 10.255.0.{i + 1}\nexit\n")
            frr.load(f"erg{FL}{i:02d}", d / "base.conf")
            start_sshd(ns, f"{net}.{10 + i}", d, f"fleet-r{i:02d}", work / "hostkey", auth)
        for i, ns in enumerate(names):
            wait_sshd(ns, f"{net}.{10 + i}", work / f"r{i:02d}")
        yield work
    finally:
        cleanup()
    assert not [n for n in netns.existing() if n.startswith(f"erg-{FL}-")]


def fleet_targets(work: Path, n: int, extra_unreachable: bool = False):
    net = FLEET_NET[0]
    out = []
    for i in range(n):
        d = work / f"r{i:02d}"
        cfg = (f"ip prefix-list ER-FLEET-OUT-PFX seq 10 permit 10.{i}.0.0/16\n"
               f"route-map ER-FLEET-OUT permit 10\n match ip address prefix-list ER-FLEET-OUT-PFX\nexit\n"
               f"router bgp 65{100 + i}\n address-family ipv4 unicast\n  network 10.{i}.0.0/16\n"
               " exit-address-family\nexit\n")
        out.append(change.Target(
            router=f"fleet-r{i:02d}", platform="frr", hostname=f"{net}.{10 + i}", username="root",
            password=None, port=22, optional_args={"key_file": str(work / "id"), "pathspace": f"erg{FL}{i:02d}",
                                                   "confdir": str(d / "etc"), "rundir": str(d / "run"),
                                                   "state_dir": str(d / "ergen-state")},
            config=cfg, secrets=(), neighbors=[], standby=False))
    if extra_unreachable:  # an address on the fleet's own bridge where nothing answers
        out.append(change.Target(router="fleet-gone", platform="frr", hostname=f"{net}.250", username="root",
                                 password=None, port=22, optional_args={"key_file": str(work / "id")},
                                 config="!\n", secrets=(), neighbors=[], standby=False))
    return out


def test_twenty_routers_in_parallel_one_unreachable(fleet, tmp_path):
    one = fleet_targets(fleet, 1)
    t0 = time.monotonic()
    res1, _ = change.run(one, commit=True, workers=1, state_dir=tmp_path / "one", timeout=10)
    t_one = time.monotonic() - t0
    assert res1[0].status == "changed", res1[0].error
    change.run(one, action="rollback", state_dir=tmp_path / "one", timeout=10)
    many = fleet_targets(fleet, FLEET, extra_unreachable=True)
    t0 = time.monotonic()
    res, _ = change.run(many, commit=True, workers=FLEET + 1, state_dir=tmp_path / "many", timeout=10)
    t_many = time.monotonic() - t0
    by = {r.router: r for r in res}
    assert len(res) == FLEET + 1
    assert by["fleet-gone"].status == "failed" and f"{FLEET_NET[0]}.250" in by["fleet-gone"].error
    assert all(by[f"fleet-r{i:02d}"].status == "changed" for i in range(FLEET)), \
        [(r.router, r.error) for r in res if not r.ok]
    for i in range(FLEET):
        text = frr.vtysh(f"erg{FL}{i:02d}", "show running-config")
        assert f"network 10.{i}.0.0/16" in text
    print(f"\npush: 1 router {t_one:.1f} s; {FLEET} routers (+1 unreachable) in parallel {t_many:.1f} s, "
          f"ratio {t_many / t_one:.2f}")
    assert t_many < 5 * t_one + 15


def test_preflight_on_the_lab(lab_up):
    state = lab_up
    r = state["routers"][0]
    ok = subprocess.run(["ergen", "preflight", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", P1],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.count("ok   ") >= 10, ok.stdout + ok.stderr
    conf = Path(state["workdir"]) / r["pathspace"] / "etc" / r["pathspace"] / "vtysh.conf"
    saved = conf.read_text()
    conf.write_text("! no integrated config\n")
    try:
        bad = subprocess.run(["ergen", "preflight", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", P1],
                             capture_output=True, text=True, timeout=120)
        assert bad.returncode == 1
        assert f"{r['name']}: FAIL {conf} has 'service integrated-vtysh-config'" in bad.stdout
    finally:
        conf.write_text(saved)
