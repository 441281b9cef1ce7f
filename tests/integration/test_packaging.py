"""The wheel carries the templates: installed outside the repository, ergen still renders."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT

pytestmark = pytest.mark.integration


def test_wheel_ships_templates_and_renders_from_elsewhere(tmp_path):
    dist = tmp_path / "dist"
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                         capture_output=True, text=True, timeout=300)
    if res.returncode != 0:
        pytest.fail(f"pip wheel failed: {res.stderr[-800:]}")
    wheel = next(dist.glob("ergen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for platform in ("ios-xe", "frr"):
        for section in ("main", "interfaces", "bgp", "bfd", "filters"):
            assert f"ergen/templates/{platform}/{section}.j2" in names
    assert "ergen/data/communities.yaml" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import ergen; print(ergen.__file__)"], cwd=elsewhere, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(target)), where
    res = subprocess.run([sys.executable, "-m", "ergen", "render", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY),
                          "--out", "configs"], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert (elsewhere / "configs" / "ams-er-r1.cfg").read_text().startswith("! ergen")
