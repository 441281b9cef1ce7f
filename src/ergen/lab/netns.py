"""Network namespaces, veth pairs and bridges, through iproute2. Only namespaces the lab made are touched."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from ergen.errors import ErgenError


class LabError(ErgenError):
    """The lab could not be built, queried or removed."""


def run(*args: str, ns: str | None = None, check: bool = True, timeout: float = 30,
        input: str | None = None) -> subprocess.CompletedProcess:
    cmd = list(args)
    if ns is not None:
        cmd = ["ip", "netns", "exec", ns, *cmd]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, input=input)
    except FileNotFoundError:
        raise LabError(f"{cmd[0]} is not installed") from None
    except subprocess.TimeoutExpired:
        raise LabError(f"{' '.join(cmd)} did not finish within {timeout:g} s") from None
    if check and res.returncode != 0:
        raise LabError(f"{' '.join(cmd)} failed: {(res.stderr or res.stdout).strip()[:300]}")
    return res


def ip(*args: str, ns: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return run("ip", *(["-n", ns] if ns else []), *args, check=check)


def existing() -> set[str]:
    res = run("ip", "netns", "list", check=False)
    return {line.split()[0] for line in res.stdout.splitlines() if line.strip()}


def add(ns: str) -> None:
    if ns in existing():
        raise LabError(f"network namespace {ns} already exists (another lab of the same name?)")
    ip("netns", "add", ns)
    ip("link", "set", "lo", "up", ns=ns)
    for key in ("net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0",
                "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"):
        run("sysctl", "-qw", key, ns=ns)


def veth(a_ns: str, a_name: str, b_ns: str, b_name: str) -> None:
    ip("link", "add", a_name, "netns", a_ns, "type", "veth", "peer", "name", b_name, "netns", b_ns)
    for ns, dev in ((a_ns, a_name), (b_ns, b_name)):
        # the device was born with the creating namespace's defaults: no IPv6 DAD wait here either
        run("sysctl", "-qw", f"net.ipv6.conf.{dev.replace('.', '/')}.accept_dad=0", ns=ns)
        ip("link", "set", dev, "up", ns=ns)


def bridge(ns: str, name: str, ports: list[str]) -> None:
    ip("link", "add", name, "type", "bridge", ns=ns)
    ip("link", "set", name, "up", ns=ns)
    for p in ports:
        ip("link", "set", p, "master", name, ns=ns)


def address(ns: str, dev: str, cidr: str) -> None:
    ip("-6" if ":" in cidr else "-4", "addr", "add", cidr, "dev", dev, ns=ns)


def pids(ns: str) -> list[int]:
    res = run("ip", "netns", "pids", ns, check=False)
    return [int(p) for p in res.stdout.split() if p.isdigit()]


def kill_all(namespaces: list[str], grace: float = 2.0) -> None:
    """SIGTERM every process in the namespaces, then SIGKILL what is left after ``grace`` seconds."""
    live = set(existing())
    targets = [p for ns in namespaces if ns in live for p in pids(ns)]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for p in targets:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            targets = [p for p in targets if _alive(p)]
            if not targets:
                return
            time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers; it is gone for our purpose
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def delete(namespaces: list[str]) -> None:
    live = existing()
    for ns in namespaces:
        if ns in live:
            ip("netns", "del", ns, check=False)


def tcp_md5_counters(ns: str) -> dict[str, int]:
    """TcpExt MD5 counters of a namespace: TCPMD5NotFound, TCPMD5Unexpected, TCPMD5Failure."""
    res = run("cat", "/proc/net/netstat", ns=ns, check=False)
    lines = res.stdout.splitlines()
    for head, values in zip(lines[::2], lines[1::2]):
        if head.startswith("TcpExt:"):
            pairs = dict(zip(head.split()[1:], values.split()[1:]))
            return {k: int(v) for k, v in pairs.items() if k.startswith("TCPMD5")}
    return {}
