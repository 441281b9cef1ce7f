"""Reference configs: each scenario rendered for each platform equals the file read and checked by hand.

Regenerate only on purpose, then read every changed line against the vendor's syntax:
    ERGEN_REGEN_GOLDEN=1 python -m pytest tests/unit/test_golden.py
"""

from __future__ import annotations

import os

import pytest

import ergen
from scenarios import GOLDEN, cases, plan_case


@pytest.mark.parametrize("scenario,platform", cases(), ids=[f"{p}-{s}" for s, p in cases()])
def test_golden(scenario, platform):
    from ergen.pipeline import render_extra
    result = plan_case(scenario, platform)
    configs = {f"{k}.cfg": v for k, v in ergen.render_configs(result.intents).items()}
    configs.update(render_extra(result.intents))      # e.g. <router>.swanctl.conf for FRR with IPsec
    folder = GOLDEN / platform / scenario
    if os.environ.get("ERGEN_REGEN_GOLDEN") == "1":
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*"):
            old.unlink()
        for name, text in configs.items():
            (folder / name).write_text(text)
    expected = {p.name: p.read_text() for p in sorted(folder.glob("*"))}
    assert sorted(configs) == sorted(expected), "routers differ from the reference set"
    for name, text in configs.items():
        assert text == expected[name], f"{platform}/{scenario}/{name} differs from the reference"
