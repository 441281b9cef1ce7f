"""CLI start-up: `ergen --help` and a one-circuit render, whole process, against `python -c "import typer"`.

Prints the median of N runs of each and the ratios (goal: at most 1.5x for --help). Run from the repo:
    python bench/startup.py [N]
"""

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args, n):
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
        runs.append(time.perf_counter() - t)
    return statistics.median(runs)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    py = sys.executable
    base = timed([py, "-c", "import typer"], n)
    helpt = timed([py, "-m", "ergen", "--help"], n)
    with tempfile.TemporaryDirectory() as tmp:
        render = timed([py, "-m", "ergen", "render", "examples/er-ams-prod.json", "-i", "inventories/example",
                        "--out", tmp, "--force"], n)
    print(f"import typer           {base * 1000:7.0f} ms")
    print(f"ergen --help           {helpt * 1000:7.0f} ms   ratio {helpt / base:.2f}  (goal <= 1.5)")
    print(f"ergen render (1 circ.) {render * 1000:7.0f} ms   ratio {render / base:.2f}")


if __name__ == "__main__":
    main()
