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
    with pytest.raises(InputError) as info:   # the inventory refuses it (since 7a763e4), else targets() does
        inventory = ergen.load_inventory(inv)
        result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), inventory)
        configs = ergen.render_configs(result.intents, show_secrets=True)
        change.targets(result.intents, inventory, configs=configs)
    assert str(hosts) in str(info.value) and "\n" not in str(info.value)


def test_targets_refuse_a_path_name_even_from_a_hand_made_inventory(monkeypatch):
    from types import SimpleNamespace
    with pytest.raises(InputError, match="cannot name a file"):
        change._check_router_name("../../pwned", SimpleNamespace(files={"hosts": "hosts.yaml"}))


def test_state_file_outside_the_state_dir_is_refused(tmp_path):
    with pytest.raises(InputError, match="outside"):
        change._state_file(tmp_path / "st", "../x", "last")
    assert change._state_file(tmp_path / "st", "ams-er-r1", "last") == tmp_path / "st" / "ams-er-r1.last.cfg"
    assert not list(Path(tmp_path).glob("x*"))


# ---------------------------------------------------------------- masking in diffs and push results
@pytest.mark.parametrize("line,masked", [
    ("      key 0123456789abcdef0123456789abcdef 0 fedcba9876543210fedcba9876543210",   # EOS MACsec CKN + CAK
     "      key <secret> 0 <secret>"),
    ("    secret = \"Demo-Vpn-Psk-2026-ams\"", "    secret = <secret>"),                  # strongSwan
    (" pre-shared-key local 6 AbCdEf", " pre-shared-key local 6 <secret>"),                # IOS-XE, as shown
    (" neighbor 1.2.3.4 password <secret file:secrets/a.md5>",                          # already masked: kept
     " neighbor 1.2.3.4 password <secret file:secrets/a.md5>"),
    ("   neighbor 1.2.3.4 password 7 0822455D0A16", "   neighbor 1.2.3.4 password 7 <secret>"),
    ("authentication-key \"$9$abc\";", "authentication-key <secret>;"),
])
def test_mask_keys(line, masked):
    from ergen.change.review import mask_keys
    assert mask_keys(line) == masked


def test_remediation_reads_a_section_given_twice():
    """EOS with NAT renders `interface Ethernet1.200` twice; hier_config refused the duplicate
    (DuplicateChildError: `ergen diff --from/--to` failed with an internal error)."""
    from ergen.change.review import compare_configs
    from scenarios import plan_case
    result = plan_case("microsoft-nat", "eos")
    text = ergen.render_configs(result.intents)[result.intents[0].name]
    assert sum(1 for l in text.splitlines() if l.startswith("interface ") and l.endswith(".200")) == 2
    change_ = compare_configs({}, {"r": text})[0]
    rem = change_.remediation
    assert rem and sum(1 for l in rem if l.startswith("interface ") and l.endswith(".200")) == 1
    assert any("ip nat" in l for l in rem)


def test_push_error_never_shows_the_login_password():
    from ergen.secrets import Secret
    t = change.Target(router="r1", platform="frr", hostname="192.0.2.1", username="u",
                      password=Secret("env:P", "S3cr3t-Login"), port=22, optional_args={}, config="",
                      secrets=(Secret("file:k", "Md5Key"),), neighbors=[], standby=False)
    text = "AuthenticationException: bad password S3cr3t-Login; neighbor x password Md5Key"
    assert "S3cr3t-Login" not in change._masked(text, t, show=False)
    assert "S3cr3t-Login" not in change._masked(text, t, show=True)      # --show-secrets shows keys only
    assert "Md5Key" in change._masked(text, t, show=True)
