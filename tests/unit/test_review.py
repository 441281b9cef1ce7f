"""Offline review diffs: two render folders, two git refs; unified, markdown; keys masked."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

import ergen
from ergen.change.review import diff_folders, diff_git_refs
from ergen.cli import app
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY

runner = CliRunner()


def two_renders(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    inv_b = tmp_path / "inv-b"
    shutil.copytree(EXAMPLE_INVENTORY, inv_b)
    text = (inv_b / "circuits.yaml").read_text()
    (inv_b / "circuits.yaml").write_text(text.replace("10.21.0.0/16", "10.22.0.0/16").replace("prepend: 3", "prepend: 2"))
    ergen.write_configs(ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY)).intents, a)
    ergen.write_configs(ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv_b)).intents, b)
    return a, b


def test_folder_diff_with_remediation_and_masked_keys(tmp_path):
    a, b = two_renders(tmp_path)
    changes = {c.router: c for c in diff_folders(a, b)}
    r1, r2 = changes["ams-er-r1"], changes["ams-er-r2"]
    assert r1.status == r2.status == "changed"
    assert "+ip prefix-list ER-AMS-PROD-PRIV-V4-OUT-PFX seq 20 permit 10.22.0.0/16" in r1.diff
    assert "-ip prefix-list ER-AMS-PROD-PRIV-V4-OUT-PFX seq 20 permit 10.21.0.0/16" in r1.diff
    # the prepend changes only on the standby router
    assert not any("prepend" in l for l in r1.diff if l[:1] in "+-")
    assert " set as-path prepend 64500 64500" in [l[1:] for l in r2.diff if l.startswith("+")]
    assert "no ip prefix-list ER-AMS-PROD-PRIV-V4-OUT-PFX seq 20 permit 10.21.0.0/16" in r1.remediation
    assert "    network 10.22.0.0 mask 255.255.0.0" in r1.remediation
    text = "\n".join(r1.diff + r2.diff + r1.remediation + r2.remediation)
    assert "ExampleKey2026ams" not in text and "ExampleMsftKey2026" not in text


def test_cli_unified_markdown_json(tmp_path):
    a, b = two_renders(tmp_path)
    res = runner.invoke(app, ["diff", "--from", str(a), "--to", str(b)])
    assert res.exit_code == 0 and "2 of 2 router(s) change" in res.stdout
    assert "# remediation for ams-er-r1 (ios-xe):" in res.stdout
    md = runner.invoke(app, ["diff", "--from", str(a), "--to", str(b), "--format", "markdown"]).stdout
    assert md.startswith("**ergen review**: 2 of 2 router(s) change")
    assert "### ams-er-r2 (ios-xe): changed" in md and "```diff" in md
    data = json.loads(runner.invoke(app, ["diff", "--from", str(a), "--to", str(b), "-f", "json"]).stdout)
    assert {d["router"] for d in data} == {"ams-er-r1", "ams-er-r2"}
    same = runner.invoke(app, ["diff", "--from", str(a), "--to", str(a), "--exit-code"])
    assert same.exit_code == 0 and "nothing" in same.stdout
    assert runner.invoke(app, ["diff", "--from", str(a), "--to", str(b), "--exit-code"]).exit_code == 1
    assert "ExampleKey2026ams" not in res.stdout + md
    shown = runner.invoke(app, ["diff", "--from", str(a), "--to", str(b), "--show-secrets"]).stdout
    assert "ExampleKey2026ams" not in shown  # unchanged lines are context only where near a change
    assert runner.invoke(app, ["diff", "--from", str(a), "--to", str(tmp_path / "nope")]).exit_code == 1


def test_git_refs_of_an_inventory_repo(tmp_path):
    if shutil.which("git") is None:
        pytest.fail("git is needed")
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_INVENTORY, repo / "inventory")
    shutil.copy(EXAMPLE_CIRCUIT, repo / "circuit.json")
    g = lambda *a: subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True)  # noqa: E731
    g("init", "-q")
    g("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    g("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "one")
    f = repo / "inventory" / "circuits.yaml"
    f.write_text(f.read_text().replace("maximum_prefix: 1000", "maximum_prefix: 800"))
    g("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qam", "two")
    changes = {c.router: c for c in diff_git_refs("HEAD~1", "HEAD", [str(repo / "circuit.json")],
                                                  str(repo / "inventory"))}
    for c in changes.values():
        assert [l for l in c.diff if l[:1] in "+-" and not l[:3] in ("+++", "---")] == [
            "-  neighbor 192.168.100.130 maximum-prefix 1000 80 restart 5" if c.router == "ams-er-r1" else
            "-  neighbor 192.168.100.134 maximum-prefix 1000 80 restart 5",
            ("+  neighbor 192.168.100.130" if c.router == "ams-er-r1" else "+  neighbor 192.168.100.134")
            + " maximum-prefix 800 80 restart 5"]
    res = runner.invoke(app, ["diff", str(repo / "circuit.json"), "-i", str(repo / "inventory"),
                              "--from", "HEAD~1", "--to", "HEAD", "-f", "markdown"])
    assert res.exit_code == 0 and "maximum-prefix 800" in res.stdout
    bad = runner.invoke(app, ["diff", str(repo / "circuit.json"), "-i", str(repo / "inventory"),
                              "--from", "no-such-ref", "--to", "HEAD"])
    assert bad.exit_code == 1 and "not a git ref" in bad.stderr
