"""The FRR driver's commit, all or nothing, without a lab: the driver's shell commands run locally (a fake
SSH device), against stub ``vtysh`` and ``frr-reload.py`` scripts that keep the "running config" in a file.
A rejected line (the stub applies the lines before it, as frr-reload does), an SSH session cut during the
apply or before the acknowledgement, an unconfirmed commit: each leaves the previous config.
(On real FRR daemons over SSH: tests/integration/test_push_faults.py.)"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from napalm.base.exceptions import CommitError

from napalm_frr import FRRDriver

BEFORE = "hostname r1\nrouter bgp 64500\n neighbor 192.0.2.1 remote-as 12076\nexit\n"
AFTER = BEFORE + "ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n"

STUB_VTYSH = """#!/bin/sh
cat "$RUNNING"
"""
# --reload PATH: lines up to a REJECT line are applied, then it fails (frr-reload's partial apply); --test: a diff
STUB_RELOAD = """#!/bin/sh
for a; do last=$a; done
case "$1" in
  --test) echo "Lines To Add"; echo "============"; grep -vxF -f "$RUNNING" "$last"; exit 0;;
esac
[ -f "$SLOW" ] && sleep "$(cat "$SLOW")"
if grep -q REJECT "$last"; then sed '/REJECT/,$d' "$last" > "$RUNNING"; echo "line 9: % Unknown command: REJECT"; exit 1; fi
cp "$last" "$RUNNING"
"""


class FakeDevice:
    """netmiko's device, locally: each command through sh; ``cut_on`` makes commands fail from a match on."""

    def __init__(self, env):
        self.env, self.cut_on, self.cut = env, None, False
        self.remote_conn = None     # no SFTP here: the driver writes files by its shell fallback

    def send_command(self, cmd, read_timeout=30, **kw):
        if self.cut or (self.cut_on and self.cut_on in cmd):
            self.cut = True
            raise OSError("Socket is closed")
        r = subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, timeout=read_timeout, env=self.env)
        return r.stdout + r.stderr

    def is_alive(self):
        return not self.cut

    def disconnect(self):
        pass


@pytest.fixture
def router(tmp_path):
    running = tmp_path / "running.conf"
    running.write_text(BEFORE)
    for name, text in (("vtysh", STUB_VTYSH), ("frr-reload.py", STUB_RELOAD)):
        (tmp_path / name).write_text(text)
        (tmp_path / name).chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "RUNNING": str(running), "SLOW": str(tmp_path / "slow")}

    def connect(**extra):
        d = FRRDriver("r1.example", "root", None, timeout=10, optional_args={
            "vtysh": str(tmp_path / "vtysh"), "frr_reload": str(tmp_path / "frr-reload.py"),
            "state_dir": str(tmp_path / "state"), "ack_timeout": 3, **extra})
        d.device = FakeDevice(env)
        d._sh(f"mkdir -p {tmp_path / 'state'}")
        return d
    yield connect, running
    for pid_file in (tmp_path / "state").glob("*.lock"):   # no job outlives the test
        subprocess.run(["sh", "-c", f"kill $(cat {pid_file}) 2>/dev/null"], check=False)


def settle(running: Path, want: str, within: float = 12.0) -> str:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and running.read_text() != want:
        time.sleep(0.1)
    return running.read_text()


def test_acknowledged_commit_stays(router):
    connect, running = router
    d = connect()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.commit_config()
    time.sleep(3.5)                      # past the acknowledgement window: nothing undoes it
    assert running.read_text().rstrip("\n") == AFTER.rstrip("\n")


def test_rejected_line_leaves_the_previous_config(router):
    connect, running = router
    d = connect()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\nREJECT this\n")
    with pytest.raises(CommitError) as info:
        d.commit_config()
    msg = str(info.value)
    assert "frr-reload failed (rc 1), nothing kept" in msg and "Unknown command" in msg and "\n" not in msg
    assert running.read_text() == BEFORE + "\n" or running.read_text().rstrip("\n") == BEFORE.rstrip("\n")


def test_ssh_cut_before_the_acknowledgement_undoes_the_commit(router):
    connect, running = router
    d = connect()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.device.cut_on = "touch "           # the word that keeps the commit never arrives
    with pytest.raises(CommitError, match="lost before the commit was acknowledged"):
        d.commit_config()
    assert settle(running, BEFORE.rstrip("\n") + "\n").rstrip("\n") == BEFORE.rstrip("\n")


def test_ssh_cut_during_the_apply_undoes_the_commit(router, tmp_path):
    connect, running = router
    (tmp_path / "slow").write_text("1")
    d = connect()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.device.cut_on = "apply.rc 2>/dev/null"   # the first poll for the apply's result
    with pytest.raises(CommitError, match="lost during the commit"):
        d.commit_config()
    time.sleep(1.5)                              # the apply finishes on the router ...
    assert settle(running, BEFORE.rstrip("\n") + "\n").rstrip("\n") == BEFORE.rstrip("\n")   # ... and is undone


def test_a_commit_while_the_last_one_settles_is_refused(router):
    connect, running = router
    d = connect(ack_timeout=8)
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.device.cut_on = "touch "
    with pytest.raises(CommitError):
        d.commit_config()
    again = connect(ack_timeout=8)
    again.load_merge_candidate(config="ip prefix-list ER-Y seq 5 permit 10.30.0.0/16\n")
    with pytest.raises(CommitError, match="still settling"):
        again.commit_config()
    with pytest.raises(CommitError, match="still settling"):
        again.compare_config()            # no diff against a running config about to change by itself
    again.rollback()                      # the operator's way out: stops the job, reloads the previous config
    assert running.read_text().rstrip("\n") == BEFORE.rstrip("\n")


def test_unconfirmed_commit_reverts_and_a_confirmed_one_stays(router):
    connect, running = router
    d = connect()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.commit_config(revert_in=3)
    assert d.has_pending_commit() and "ER-X-OUT-PFX" in running.read_text()
    assert settle(running, BEFORE.rstrip("\n") + "\n").rstrip("\n") == BEFORE.rstrip("\n")
    assert not d.has_pending_commit()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.commit_config(revert_in=3)
    d.confirm_commit()
    time.sleep(3.5)
    assert "ER-X-OUT-PFX" in running.read_text() and not d.has_pending_commit()
    d.rollback()
    assert running.read_text().rstrip("\n") == BEFORE.rstrip("\n")


def test_rollback_abandons_a_commit_waiting_for_its_acknowledgement(router):
    """After a cut SSH, an operator's rollback does not wait for the job: it stops it and reloads at once
    (a later push is not refused as "still settling")."""
    connect, running = router
    d = connect(ack_timeout=20)
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.device.cut_on = "touch "
    with pytest.raises(CommitError):
        d.commit_config()
    again = connect(ack_timeout=20)
    t0 = time.monotonic()
    again.rollback()
    assert time.monotonic() - t0 < 10 and running.read_text().rstrip("\n") == BEFORE.rstrip("\n")
    again.load_merge_candidate(config="ip prefix-list ER-Y seq 5 permit 10.30.0.0/16\n")
    assert "ER-Y" in again.compare_config()


def test_shell_fallback_writes_files_with_a_long_state_dir(router, tmp_path):
    """Without SFTP every file went through `_put`, whose 400-character lines went through `_put` again:
    RecursionError. Now short lines, from inside the state folder."""
    connect, _ = router
    d = connect()
    text = "x" * 3000 + "\n" + "ü" * 500
    path = d._put("big.txt", text)
    assert Path(path).read_text() == text and len(d.state_dir) > 40


def test_a_commit_during_an_automatic_revert_waits_for_it(router, tmp_path):
    """A revert (an unconfirmed commit's) ends by itself: a commit meanwhile waits for it, not refused."""
    connect, running = router
    (tmp_path / "slow").write_text("2")          # every frr-reload takes 2 s
    d = connect()
    d.load_merge_candidate(config="ip prefix-list ER-X-OUT-PFX seq 10 permit 10.20.0.0/16\n")
    d.commit_config(revert_in=1)
    time.sleep(1.6)                              # the timer fired: the job reloads the previous config
    assert d._settling() == "reverting"
    again = connect()
    again.load_merge_candidate(config="ip prefix-list ER-Y seq 5 permit 10.30.0.0/16\n")
    again.commit_config()
    text = running.read_text()
    assert "ER-Y" in text and "ER-X-OUT-PFX" not in text
