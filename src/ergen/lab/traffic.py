"""Traffic in the lab: a continuous ping from the LAN host to the Azure test address, and what it lost.

Used by ``ergen drill --lab`` and the lab tests to measure what a drain, a failover or a migration costs
in real packets. Nothing leaves the lab's namespaces."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Loss:
    sent: int
    lost: int
    longest_gap_ms: float

    def as_dict(self) -> dict:
        return {"sent": self.sent, "lost": self.lost, "longest_gap_ms": round(self.longest_gap_ms)}


class Ping:
    """``ping -i 0.02`` (every 20 ms) in the lab's LAN namespace; :meth:`stop` counts what was lost."""

    def __init__(self, state: dict, *, interval: float = 0.02, log: Path | None = None, settle: float = 1.5):
        self.settle = settle
        self._own_log = log is None          # a log of its own is removed once read
        if log is None:
            fd, name = tempfile.mkstemp(prefix="ergen-ping-", suffix=".txt")
            os.close(fd)
            log = Path(name)
        self.log = log
        with self.log.open("w") as fh:
            self.proc = subprocess.Popen(["ip", "netns", "exec", state["lan_ns"], "ping", "-i", str(interval),
                                          "-W", "1", "-D", state["ping_target"]], stdout=fh, stderr=subprocess.STDOUT)
        time.sleep(settle)

    def stop(self) -> Loss:
        time.sleep(self.settle)
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        out = self.log.read_text()
        if self._own_log:
            self.log.unlink(missing_ok=True)
        m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
        sent, got = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        stamps = [float(x) for x in re.findall(r"^\[(\d+\.\d+)\] \d+ bytes from", out, re.M)]
        gap = max((b - a for a, b in zip(stamps, stamps[1:])), default=0.0)
        return Loss(sent, sent - got, gap * 1000)
