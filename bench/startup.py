"""CLI start-up: `ergen --help` and a one-circuit render, whole process, against `python -c "import typer"`.

Prints the median of N runs of each and the ratios against `import typer` measured in the same run
(goals, issue 17: --help at most 1.3x, a one-circuit render at most 2x), and two floors: Typer running a
command that does nothing, and the same importing the libraries every render needs. Each command runs once first
so that every module's bytecode is cached, as after any install (PYTHONDONTWRITEBYTECODE, which some
shells set, is dropped for the measured processes: without it every ergen module compiles on each run).
Run from the repo:
    python bench/startup.py [N]
"""

import os

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(args, n):
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT, env=ENV)
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT, env=ENV)
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
    # the floor under any render: Typer running one command that does nothing, then the same with the
    # libraries a render cannot do without (inventory models, YAML, templates, addresses)
    empty = timed([py, "-c", _EMPTY_COMMAND, "x"], n)
    libs = timed([py, "-c", _EMPTY_COMMAND.replace("pass", "import pydantic, yaml, jinja2, netaddr"), "x"], n)
    print(f"import typer           {base * 1000:7.0f} ms")
    print(f"ergen --help           {helpt * 1000:7.0f} ms   ratio {helpt / base:.2f}  (goal <= 1.3)")
    print(f"ergen render (1 circ.) {render * 1000:7.0f} ms   ratio {render / base:.2f}  (goal <= 2)")
    print(f"floor: a Typer command that does nothing          {empty * 1000:7.0f} ms   ratio {empty / base:.2f}")
    print(f"floor: ... importing pydantic, yaml, jinja2, netaddr {libs * 1000:5.0f} ms   ratio {libs / base:.2f}")


_EMPTY_COMMAND = """
import typer
app = typer.Typer()
@app.command()
def render(circuit: str):
    pass
app()
"""


if __name__ == "__main__":
    main()
