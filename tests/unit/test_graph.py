"""The picture for reviewers: `ergen graph` and `ergen show --graph` draw circuit -> links -> routers ->
sessions with the drains (Mermaid or Graphviz DOT), the same from both commands; bad requests are one line."""

from __future__ import annotations

import shutil

from typer.testing import CliRunner

import ergen
from ergen import drain
from ergen.cli import app
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY


def _inventory(tmp_path, drained: bool):
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    for f in (inv / "secrets").glob("*"):
        f.chmod(0o600)
    if drained:
        circuits = ergen.load_circuits(EXAMPLE_CIRCUIT)
        state, _ = drain.plan_drain(circuits, ergen.load_inventory(inv), drain.load(inv), circuit="er-ams-prod",
                                    link="secondary", mode="shutdown")
        drain.save(state)
    return inv


def test_graph_and_show_graph_draw_the_same_with_the_drain(tmp_path):
    inv = _inventory(tmp_path, drained=True)
    run = CliRunner().invoke
    for fmt in ("mermaid", "dot"):
        a = run(app, ["graph", str(EXAMPLE_CIRCUIT), "-i", str(inv), "-f", fmt])
        b = run(app, ["show", str(EXAMPLE_CIRCUIT), "--graph", fmt, "-i", str(inv)])
        assert a.exit_code == b.exit_code == 0, a.output + b.output
        assert a.stdout == b.stdout
        out = a.stdout
        assert out.startswith("flowchart LR" if fmt == "mermaid" else "digraph ergen {")
        assert "secondary link (drained: shutdown)" in out and "primary link" in out
        assert "ams-er-r1 (ios-xe)" in out and "ams-er-r2 (ios-xe)" in out
        assert "192.168.100.134: shut down" in out        # the drained link's private IPv4 session
        assert "192.168.100.130: not read" in out          # no audit: the state of a live session is not read


def test_graph_without_a_drain_marks_none(tmp_path):
    inv = _inventory(tmp_path, drained=False)
    out = CliRunner().invoke(app, ["show", str(EXAMPLE_CIRCUIT), "--graph", "mermaid", "-i", str(inv)]).stdout
    assert "drained" not in out.replace("classDef drained", "")


def test_show_graph_refuses_a_bad_format_or_no_inventory_in_one_line(tmp_path):
    inv = _inventory(tmp_path, drained=False)
    for args, words in ((["--graph", "svg", "-i", str(inv)], "--graph"), (["--graph", "dot"], "--inventory")):
        res = CliRunner().invoke(app, ["show", str(EXAMPLE_CIRCUIT), *args])
        assert res.exit_code != 0
        lines = [l for l in res.output.splitlines() if l.strip()]
        assert len(lines) == 1 and words in lines[0] and "Traceback" not in res.output, res.output
