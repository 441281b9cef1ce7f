"""The live migration, for real: hand-built FRR configs on both routers carry traffic in the lab; ergen adopt
reads them over SSH, plans the migration, and ergen push --adopt runs it link by link (commit-confirm) while
the LAN host pings the Azure test address every 20 ms. Target: no ping lost.

Real FRR on both sides, real SSH pushes (ergen's FRR NAPALM driver), real BGP/BFD/TCP-MD5. Root and
Debian's frr, sshd needed; in CI a missing one is a failure.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT, require, lab_name

pytestmark = pytest.mark.integration

FRR_FIXTURES = ROOT / "tests" / "fixtures" / "running" / "frr"
NAME = lab_name("ad")


def ergen(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([require("ergen"), *args], capture_output=True, text=True, timeout=timeout)


def vtysh(pathspace: str, cmd: str) -> str:
    return subprocess.run(["vtysh", "-N", pathspace, "-c", cmd], capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def brownfield(tmp_path_factory):
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the lab tests need root in CI")
        pytest.skip("the lab needs root")
    for b in ("vtysh", "ip", "ping", "/usr/sbin/sshd", "/usr/lib/frr/frr-reload.py"):
        require(b)
    ergen("lab", "down", "--name", NAME)
    up = ergen("lab", "up", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--name", NAME,
               "--running", f"ams-er-r1={FRR_FIXTURES / 'ams-er-r1.conf'}",
               "--running", f"ams-er-r2={FRR_FIXTURES / 'ams-er-r2.conf'}")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert "brownfield start" in up.stdout
        state = json.loads(Path(f"/run/ergen/lab/{NAME}/state.json").read_text())
        yield {"state": state, "tmp": tmp_path_factory.mktemp("adopt")}
    finally:
        ergen("lab", "down", "--name", NAME)


def router(state, name):
    return next(r for r in state["routers"] if r["name"] == name)


def test_adopt_reads_the_lab_and_names_the_differences(brownfield):
    plan = brownfield["tmp"] / "plan"
    res = ergen("adopt", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", NAME, "--plan", str(plan),
                "-o", "json")
    assert res.returncode == 1, res.stderr          # hand-built: differs from ergen's intent
    data = json.loads(res.stdout)
    by = {r["router"]: r for r in data["routers"]}
    r1, r2 = by["ams-er-r1"], by["ams-er-r2"]
    topics = lambda r: {(f["peering"], f["family"], f["topic"]) for f in r["findings"]}  # noqa: E731
    # no BFD, no maximum-prefix anywhere; inbound accepts a default route; r1 prefers with 200, ergen 150
    for r in (r1, r2):
        assert ("private", 4, "bfd") in topics(r) and ("private", 4, "maximum-prefix") in topics(r)
        assert any(f["topic"] == "inbound" and "default route" in f["text"] for f in r["findings"])
    assert ("private", 4, "local-preference") in topics(r1)
    # r2 prepends IPv4 but not IPv6 on the standby link
    assert any("IPv6 is not prepended like IPv4" in f["text"] for f in r2["findings"])
    # the running config came over SSH, with the clear keys: same as the inventory's, so no key finding
    assert not any(f["topic"] == "key" for r in (r1, r2) for f in r["findings"])
    assert "ExampleKey2026ams" not in res.stdout and "ExampleMsftKey2026" not in res.stdout
    # what is adopted and what is kept
    adopted1 = {(o["kind"], o["name"]) for o in r1["adopted"]}
    assert {("peer-group", "AZURE"), ("policy", "FROM-AZURE"), ("prefix-list", "ONPREM"),
            ("neighbor", "203.0.113.2")} <= adopted1
    assert not any(n in ("SITE-EXPORT", "SITE-ONLY") for _, n in adopted1)
    text = (plan / "migration.txt").read_text()
    assert "ExampleKey2026ams" not in text and "step 10" in text


def test_live_migration_loses_no_ping(brownfield):
    state, tmp = brownfield["state"], brownfield["tmp"]
    plan = tmp / "plan"
    if not (plan / "plan.json").exists():
        test_adopt_reads_the_lab_and_names_the_differences(brownfield)
    lan = state["lan_ns"]
    target = state["ping_target"]
    # traffic flows before anything starts
    assert subprocess.run(["ip", "netns", "exec", lan, "ping", "-c", "3", "-i", "0.2", "-W", "1", target],
                          capture_output=True).returncode == 0
    log = tmp / "ping.txt"
    with log.open("w") as fh:
        ping = subprocess.Popen(["ip", "netns", "exec", lan, "ping", "-i", "0.02", "-W", "1", "-D", target],
                                stdout=fh, stderr=subprocess.STDOUT)
    t0 = time.monotonic()
    try:
        time.sleep(2)
        res = ergen("push", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", NAME, "--adopt", str(plan),
                    "--commit", "--confirm-timeout", "120", "--state-dir", str(tmp / "state"), "-o", "json")
        seconds = time.monotonic() - t0
        time.sleep(2)
    finally:
        ping.send_signal(signal.SIGINT)
        ping.wait(10)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    out = log.read_text()
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    sent, got = int(m.group(1)), int(m.group(2))
    seqs = [int(x) for x in re.findall(r"icmp_seq=(\d+)", out)]
    lost = sorted(set(range(1, max(seqs) + 1)) - set(seqs))
    print(f"\nlive migration: {seconds:.1f} s, {sent} pings every 20 ms, {sent - got} lost {lost[:20]}")
    steps = json.loads(res.stdout)["results"]
    order = [(s["step"], s["router"]) for s in steps if s["step"] != "verify"]
    # standby link (secondary, ams-er-r2) first, then the primary
    assert order == [("adopt-drain", "ams-er-r2"), ("adopt-replace", "ams-er-r2"), ("push", "ams-er-r2"),
                     ("adopt-drain", "ams-er-r1"), ("adopt-replace", "ams-er-r1"), ("push", "ams-er-r1")]
    assert sent > 1000
    assert sent - got == 0, f"lost {sent - got} pings: {lost}"

    # the routers end on ergen's config: adopt matches, a second diff is empty, lab check is clean
    again = ergen("adopt", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", NAME)
    assert again.returncode == 0, again.stdout[-3000:]
    diff = ergen("diff", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", NAME, "-f", "json")
    assert diff.returncode == 0, diff.stderr
    assert all(r["status"] == "no change" for r in json.loads(diff.stdout)["results"])
    check = ergen("lab", "check", "--name", NAME)
    assert check.returncode == 0, check.stdout
    # nothing outside the adopted objects went: r1's unrelated static, prefix list and route map stay
    run1 = vtysh(router(state, "ams-er-r1")["pathspace"], "show running-config")
    assert "ip route 172.16.99.0/24 blackhole" in run1
    assert "route-map SITE-EXPORT permit 10" in run1 and "ip prefix-list SITE-ONLY seq 5 permit 172.16.99.0/24" in run1
    assert "FROM-AZURE" not in run1 and "peer-group" not in run1
    # the adopted objects are recorded: later scoped pushes treat them as ergen's
    assert (tmp / "state" / "ams-er-r1.adopted.json").exists()


def test_after_the_migration_pushes_stay_scoped_to_what_ergen_owns(brownfield):
    """The adopted objects are ergen's now: a hand-built remnant put back by hand is removed by a scoped
    push (--mode replace); the router's own unrelated objects stay."""
    state, tmp = brownfield["state"], brownfield["tmp"]
    assert (tmp / "state" / "ams-er-r1.adopted.json").exists(), "runs after the live migration (same module)"
    ps = router(state, "ams-er-r1")["pathspace"]
    subprocess.run(["vtysh", "-N", ps, "-c", "configure terminal", "-c", "route-map FROM-AZURE permit 10",
                    "-c", "set local-preference 200"], check=True, capture_output=True)
    assert "route-map FROM-AZURE permit 10" in vtysh(ps, "show running-config")
    res = ergen("push", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--lab", NAME, "--only", "primary",
                "--mode", "replace", "--commit", "--state-dir", str(tmp / "state"))
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    run1 = vtysh(ps, "show running-config")
    assert "FROM-AZURE" not in run1
    assert "route-map SITE-EXPORT permit 10" in run1 and "ip route 172.16.99.0/24 blackhole" in run1
