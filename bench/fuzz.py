"""The long fuzz run: >= 10,000 mutated inputs per reader, with a table of what happened.

Every reader (circuit JSON as ARM/REST, az CLI and PowerShell write it; --peerings lists; the --port
file; VPN gateways and connections), the inventory loader (hosts, groups, circuits, defaults and
customers/*.yaml), the whole pipeline (validate, plan, render on all six platforms) and the CLI
(validate and render --out) get inputs made by mutating the repository's real files (see
tests/fuzz/fuzzkit.py for the mutations and how an outcome is judged). Per reader it prints: inputs
tried, read (ok), refused with a one-line error naming file and field (user errors), known bugs (found
earlier in files outside the hardening work: tests/fuzz/test_found_elsewhere.py), new bugs, and seconds.
Each input is seeded by its reader's name and number: ``--only NAME --start I -n 1`` reproduces one.

Run from the repository (about 11 minutes for the default 10,000 per reader, the CLI at 2,000):

    .venv/bin/python bench/fuzz.py                       # every reader, 10,000 inputs each
    .venv/bin/python bench/fuzz.py -n 1000 --only circuit  # readers whose name contains "circuit"
    .venv/bin/python bench/fuzz.py --save /tmp/fuzz-bugs   # write each bug's input and traceback there

Exit status 1 when any new bug was found. The CI-sized run is ``pytest tests/fuzz`` (200 per reader).
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "fuzz"), str(ROOT / "src")]

import fuzzkit  # noqa: E402

SLOW = {"CLI (validate, render --out)": 2000}   # an in-process CLI run is ~150 ms: fewer by default


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10_000, help="inputs per reader (default 10,000)")
    ap.add_argument("--only", action="append", default=[], help="readers whose name contains this (repeat)")
    ap.add_argument("--start", type=int, default=0, help="first input number (to reproduce one)")
    ap.add_argument("--save", type=Path, help="write each bug's input and report to this folder")
    ap.add_argument("--json", type=Path, help="write the figures as JSON here too")
    ap.add_argument("--show", type=int, default=3, help="bugs printed per reader and kind (default 3)")
    args = ap.parse_args()

    rows, new_bugs = [], 0
    print(f"{'reader':48} {'inputs':>7} {'ok':>7} {'user err':>8} {'known':>6} {'bugs':>5} {'seconds':>8}")
    for name, case in fuzzkit.READERS.items():
        if args.only and not any(o.lower() in name.lower() for o in args.only):
            continue
        n = args.n if args.n != 10_000 or name not in SLOW else SLOW[name]
        wd = fuzzkit.Workdir()
        counts: collections.Counter = collections.Counter()
        seen: dict[str, list] = collections.defaultdict(list)
        t0 = time.perf_counter()
        slowest = (0.0, -1)
        try:
            for i in range(args.start, args.start + n):
                t = time.perf_counter()
                out = case(random.Random(f"{name}-{i}"), wd)
                dt = time.perf_counter() - t
                slowest = max(slowest, (dt, i))
                counts[out.kind] += 1
                if out.kind in ("bug", "known"):
                    key = f"{out.kind} {out.where} {out.detail.splitlines()[0][:90]}"
                    seen[key].append(i)
                    if args.save and len(seen[key]) == 1:
                        fuzzkit.save_bug(args.save, name, i, out)
        finally:
            wd.close()
        secs = time.perf_counter() - t0
        new_bugs += counts["bug"]
        rows.append({"reader": name, "inputs": n, "ok": counts["ok"], "user_errors": counts["error"],
                     "known_bugs": counts["known"], "bugs": counts["bug"], "seconds": round(secs, 1),
                     "slowest_input": {"number": slowest[1], "seconds": round(slowest[0], 2)},
                     "bug_kinds": {k: {"count": len(v), "first": v[0]} for k, v in seen.items()}})
        print(f"{name:48} {n:7d} {counts['ok']:7d} {counts['error']:8d} {counts['known']:6d} {counts['bug']:5d} "
              f"{secs:8.1f}", flush=True)
        for key, idx in sorted(seen.items(), key=lambda kv: -len(kv[1]))[: args.show * 4]:
            if key.startswith("bug") or args.show > 3:
                print(f"    {len(idx):5d}x  {key}   (first: --only '{name}' --start {idx[0]} -n 1)")
    total = sum(r["inputs"] for r in rows)
    print(f"{'total':48} {total:7d} {sum(r['ok'] for r in rows):7d} {sum(r['user_errors'] for r in rows):8d} "
          f"{sum(r['known_bugs'] for r in rows):6d} {new_bugs:5d} {sum(r['seconds'] for r in rows):8.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 1 if new_bugs else 0


if __name__ == "__main__":
    sys.exit(main())
