"""Atomic output: a render that fails or is interrupted leaves the --out folder as it was, byte for byte
(files already there unchanged, no new file, no temporary folder left behind).

The cases write_configs did not hold at first (an interrupt between two renames, disk full, a new --out
left behind, a router name writing outside --out) were xfail(strict=True) tests until src/ergen/pipeline.py
was fixed (commit 7a763e4); they are plain tests now."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ergen
import ergen.pipeline as pipeline
from ergen.cli import app
from ergen.errors import ErgenError, OutputError, RenderError
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]] | None:
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"<dir>", p.stat().st_mode)
            for p in sorted(folder.rglob("*"))}


@pytest.fixture
def intents():
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY))
    assert len(result.intents) == 2
    return result.intents


@pytest.fixture
def out(tmp_path) -> Path:
    """A folder from an earlier render (one router's config, older) and a file of the user's own."""
    d = tmp_path / "configs"
    d.mkdir()
    (d / "ams-er-r1.cfg").write_text("! an older render of ams-er-r1\n")
    (d / "ams-er-r1.cfg").chmod(0o600)
    (d / "README").write_text("the network team's notes\n")
    return d


def test_the_last_router_failing_to_render_writes_nothing(intents, out, monkeypatch):
    before = snapshot(out)
    real = pipeline.render_router

    def render(intent, **kw):
        if intent.name == intents[-1].name:
            raise RenderError("the last router's template failed")
        return real(intent, **kw)

    monkeypatch.setattr(pipeline, "render_router", render)
    with pytest.raises(RenderError):
        ergen.write_configs(intents, out, force=True)
    assert snapshot(out) == before


def test_interrupt_while_staging_leaves_the_folder_as_it_was(intents, out, monkeypatch):
    before = snapshot(out)
    real, calls = os.open, []

    def interrupted(path, *a, **kw):
        calls.append(path)
        if len(calls) == 2:           # the second staged file: the first is written in the temporary folder
            raise KeyboardInterrupt
        return real(path, *a, **kw)

    monkeypatch.setattr(pipeline.os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ergen.write_configs(intents, out, force=True)
    monkeypatch.undo()
    assert snapshot(out) == before, "a staged file or the temporary folder was left behind"


def test_refusing_to_overwrite_writes_nothing(intents, out):
    before = snapshot(out)
    with pytest.raises(OutputError, match="--force"):
        ergen.write_configs(intents, out)
    assert snapshot(out) == before


def test_cli_render_failing_on_rules_leaves_out_alone(out, tmp_path):
    import json
    c = json.loads(EXAMPLE_CIRCUIT.read_text())
    c["properties"]["peerings"][0]["properties"]["vlanId"] = 5000      # ER3xx: out of range
    cf = tmp_path / "bad.json"
    cf.write_text(json.dumps(c))
    before = snapshot(out)
    res = CliRunner().invoke(app, ["render", str(cf), "-i", str(EXAMPLE_INVENTORY), "--out", str(out), "--force"])
    assert res.exit_code == 1 and "nothing written" in res.stderr
    assert snapshot(out) == before


def test_a_successful_render_replaces_the_set_and_keeps_other_files(intents, out):
    written = ergen.write_configs(intents, out, force=True)
    assert sorted(p.name for p in written) == ["ams-er-r1.cfg", "ams-er-r2.cfg"]
    assert sorted(p.name for p in out.iterdir()) == ["README", "ams-er-r1.cfg", "ams-er-r2.cfg"]
    for p in written:
        assert p.stat().st_mode & 0o777 == 0o600      # they hold the MD5 keys
    assert (out / "README").read_text() == "the network team's notes\n"


# ------------------------------------------------------------------------------- held since 7a763e4
@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError(errno.EIO, "I/O error")], ids=["interrupt", "EIO"])
def test_interrupt_between_renames_leaves_the_folder_as_it_was(intents, out, monkeypatch, exc):
    before = snapshot(out)
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise exc
        return real(src, dst)

    monkeypatch.setattr(pipeline.os, "replace", replace)
    with pytest.raises((KeyboardInterrupt, OSError, ErgenError)):
        ergen.write_configs(intents, out, force=True)
    monkeypatch.undo()
    assert snapshot(out) == before


def test_disk_full_is_a_one_line_output_error(intents, out, monkeypatch):
    before = snapshot(out)
    real = os.fdopen

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.fh.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pipeline.os, "fdopen", lambda fd, *a, **kw: Full(real(fd, *a, **kw)))
    try:
        with pytest.raises(OutputError) as info:
            ergen.write_configs(intents, out, force=True)
    finally:
        monkeypatch.undo()
        assert snapshot(out) == before
    assert "No space left" in str(info.value) and "\n" not in str(info.value)


def test_a_failed_render_does_not_create_the_out_folder(intents, tmp_path, monkeypatch):
    out = tmp_path / "new-folder"

    def replace(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        ergen.write_configs(intents, out)
    monkeypatch.undo()
    assert not out.exists()


def test_router_name_cannot_write_outside_out(tmp_path):
    import json
    import shutil
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    hosts = inv / "hosts.yaml"
    hosts.write_text(hosts.read_text().replace("ams-er-r1:", json.dumps("../escaped") + ":", 1))
    out = tmp_path / "a" / "configs"
    out.mkdir(parents=True)
    try:
        result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv))
        ergen.write_configs(result.intents, out)
    except ErgenError:
        pass
    assert not (tmp_path / "a" / "escaped.cfg").exists(), "a config was written outside --out"
