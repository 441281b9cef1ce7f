"""Pushes with hostile router names: nothing is written outside --state-dir."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ergen
from ergen.change import push as change
from ergen.errors import InputError
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY


@pytest.mark.parametrize("name", ["../../pwned", "a/b", ".hidden", "..", "r1\nr2"])
def test_router_name_that_is_a_path_is_refused_before_anything_is_sent(tmp_path, monkeypatch, name):
    monkeypatch.setenv("ERGEN_AMS_PASSWORD", "x")
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    hosts = inv / "hosts.yaml"
    import json
    hosts.write_text(hosts.read_text().replace("ams-er-r1:", f"{json.dumps(name)}:", 1))
    inventory = ergen.load_inventory(inv)
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), inventory)
    configs = ergen.render_configs(result.intents, show_secrets=True)
    with pytest.raises(InputError) as info:
        change.targets(result.intents, inventory, configs=configs)
    assert "cannot name a file" in str(info.value) and str(hosts) in str(info.value)
    assert "\n" not in str(info.value)


def test_state_file_outside_the_state_dir_is_refused(tmp_path):
    with pytest.raises(InputError, match="outside"):
        change._state_file(tmp_path / "st", "../x", "last")
    assert change._state_file(tmp_path / "st", "ams-er-r1", "last") == tmp_path / "st" / "ams-er-r1.last.cfg"
    assert not list(Path(tmp_path).glob("x*"))
