"""Benchmark: ergen audit of a whole estate from a folder of running configs (a config backup).

    .venv/bin/python bench/audit.py                   # 100 and 1,000 circuits
    .venv/bin/python bench/audit.py --sizes 100,1000,10000

The estate is bench/estate.py's synthetic one (one customer per circuit, ten circuits per router pair,
all six platforms in turn). Its render (``ergen render --all --out``) stands for the routers' running
configs; one router in ten gets a line removed, so the audit has drift to find. Measured in a fresh
process each: ``ergen audit --all INV --running-dir DIR -o json`` end to end (reading the estate, every
rule, every intent, parsing and comparing every router), in one process and with ``--jobs 2``. Printed:
seconds (the median of ``--runs`` runs), routers, seconds per router, and the ratio to the smallest estate
per circuit (linear: 1.0).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
ERGEN = str(ROOT / ".venv" / "bin" / "ergen")


def main() -> None:
    from estate import make_estate

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--runs", type=int, default=5, help="runs of each figure; the median is printed")
    args = ap.parse_args()
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="ergen-audit-bench-") as d:
            inv = make_estate(Path(d), n)
            out = Path(d) / "running"
            subprocess.run([ERGEN, "render", "--all", str(inv), "--out", str(out)], check=True,
                           capture_output=True, env=dict(os.environ, ERGEN_NO_CACHE="1"))
            files = sorted(out.glob("*.cfg"))
            changed = 0
            for i, f in enumerate(files):
                if i % 10 == 0:      # drift: a line of ergen's removed by hand
                    text = f.read_text()
                    new = re.sub(r"(?m)^.*maximum-(prefix|routes).*\n", "", text, count=1)
                    if new != text:
                        f.write_text(new)
                        changed += 1
            for jobs in (1, 2):
                times = []
                for _ in range(args.runs):
                    t0 = time.monotonic()
                    res = subprocess.run([ERGEN, "audit", "--all", str(inv), "--running-dir", str(out), "-o",
                                          "json", "--jobs", str(jobs)], capture_output=True, text=True)
                    times.append(time.monotonic() - t0)
                    data = json.loads(res.stdout)
                    bad = sum(1 for r in data["routers"] if not r["ok"])
                    assert bad == changed, (bad, changed)
                rows.append((n, jobs, len(files), statistics.median(times), bad))
    base = {j: s / n for n, j, _, s, _ in rows if n == rows[0][0]}
    print(f"{'circuits':>8} {'jobs':>4} {'routers':>7} {'seconds':>8} {'ms/router':>9} {'vs smallest':>11} {'found':>6}")
    for n, jobs, routers, secs, bad in rows:
        print(f"{n:8d} {jobs:4d} {routers:7d} {secs:8.2f} {secs / routers * 1000:9.1f} {secs / n / base[jobs]:11.2f} "
              f"{bad:6d}")


if __name__ == "__main__":
    main()
