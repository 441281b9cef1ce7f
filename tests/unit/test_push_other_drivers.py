"""Pushes to the other platforms' NAPALM drivers, exercised through NAPALM's own mock driver (no IOS-XE,
Junos, EOS, NX-OS or IOS-XR device can run here); and the commit-confirm rules checked before sending."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ergen
from ergen.change import push as change
from ergen.change.scope import remediation_commands
from ergen.errors import InputError
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY


@pytest.fixture(autouse=True)
def _password(monkeypatch):
    monkeypatch.setenv("ERGEN_AMS_PASSWORD", "not-used-by-the-mock")


def mock_dir(tmp: Path, running: str, diff: str, bgp_up: bool) -> Path:
    d = tmp / "mock"
    d.mkdir()
    files = {
        "get_config.1": {"running": running, "startup": "", "candidate": ""},
        "load_merge_candidate.1": {}, "compare_config.1": {"diff": diff}, "commit_config.1": {},
        "confirm_commit.1": {}, "discard_config.1": {},
        "get_bgp_neighbors.1": {"global": {"router_id": "192.0.2.11", "peers": {
            a: {"local_as": 64500, "remote_as": 12076, "remote_id": a, "is_up": bgp_up, "is_enabled": True,
                "description": "", "uptime": 10, "address_family": {}}
            for a in ("192.168.100.130", "2001:db8:100::2", "203.0.113.2")}}},
    }
    for name, data in files.items():
        (d / name).write_text(json.dumps(data))
    for k in range(2, 10):  # ergen polls BGP once a second until its deadline
        (d / f"get_bgp_neighbors.{k}").write_text((d / "get_bgp_neighbors.1").read_text())
    return d


def ios_target(tmp: Path, **kw):
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY))
    configs = ergen.render_configs(result.intents, show_secrets=True)
    t = change.targets(result.intents, ergen.load_inventory(EXAMPLE_INVENTORY), configs=configs)[0]
    assert t.password is not None and t.password.reveal() == "not-used-by-the-mock"
    assert "not-used" not in repr(t)          # a Secret never prints its value
    t.driver_override = "mock"
    t.optional_args = {"path": str(mock_dir(tmp, **kw))}
    return t


def test_ios_xe_push_with_confirm_through_the_mock_driver(tmp_path):
    t = ios_target(tmp_path, running="hostname ams-er-r1\n", diff="+router bgp 64500", bgp_up=True)
    res, warnings = change.run([t], commit=True, confirm_timeout=120, verify_wait=5, state_dir=tmp_path / "s")
    assert res[0].status == "confirmed", res[0].error
    assert res[0].bgp == {"192.168.100.130": True, "2001:db8:100::2": True, "203.0.113.2": True}
    assert (tmp_path / "s" / "ams-er-r1.last.cfg").read_text() == t.config      # what ergen owns now
    saved = [p for p in (tmp_path / "s").glob("ams-er-r1.before-*.cfg")]
    assert saved and saved[0].read_text() == "hostname ams-er-r1\n"             # saved before sending
    assert warnings == []


def test_bgp_down_leaves_the_commit_to_revert(tmp_path):
    t = ios_target(tmp_path, running="hostname ams-er-r1\n", diff="+x", bgp_up=False)
    res, _ = change.run([t], commit=True, confirm_timeout=60, verify_wait=2, state_dir=tmp_path / "s")
    assert res[0].status == "reverting" and not res[0].ok
    assert "not confirmed" in res[0].error and "192.168.100.130" in res[0].error


def test_dry_run_says_would_change(tmp_path):
    t = ios_target(tmp_path, running="hostname ams-er-r1\n", diff="+ip prefix-list X", bgp_up=True)
    res, _ = change.run([t], state_dir=tmp_path / "s")
    assert res[0].status == "would change" and not (tmp_path / "s").exists()


@pytest.mark.parametrize("platform,timeout,allow,revert,warn", [
    ("ios-xe", 120, False, 2, None),           # NAPALM ios: whole minutes
    ("ios-xe", 90, True, 2, "rounded to 120 s"),
    ("junos", 120, False, 120, None),
    ("junos", 100, True, 120, "rounded to 120 s"),
    ("eos", 45, False, 45, None),
    ("frr", 30, False, 30, None),
    ("ios-xr", 60, True, None, "no commit-confirm"),
    ("nx-os", 60, True, None, "no commit-confirm"),
])
def test_confirm_rules(platform, timeout, allow, revert, warn):
    got, w = change.check_confirm(platform, timeout, allow)
    assert got == revert
    assert (w is None) if warn is None else (warn in w)


@pytest.mark.parametrize("platform,timeout,message", [
    ("ios-xe", 90, "whole minutes"), ("junos", 100, "multiples of 60"), ("ios-xr", 60, "no commit-confirm"),
    ("nx-os", 60, "--allow-downgrade"), ("ios-xe", 3 * 3600, "60-7200 s"),
])
def test_confirm_refused_before_anything_is_sent(tmp_path, platform, timeout, message):
    t = ios_target(tmp_path, running="", diff="", bgp_up=True)
    t.platform = platform
    with pytest.raises(InputError, match=message):
        change.run([t], commit=True, confirm_timeout=timeout, state_dir=tmp_path / "s")
    assert not (tmp_path / "s").exists()


def test_scoped_remediation_never_removes_what_ergen_did_not_push():
    a = Path("tests/golden/ios-xe/private-microsoft/ams-er-r1.cfg").read_text()
    b = a.replace("10.21.0.0", "10.22.0.0")
    running = a + "interface GigabitEthernet9\n description not ergen's\n!\nip route 0.0.0.0 0.0.0.0 192.0.2.1\n"
    cmds = remediation_commands("ios-xe", running, a, b)
    assert "no ip route 10.21.0.0 255.255.0.0 Null0 250" in cmds and "ip route 10.22.0.0 255.255.0.0 Null0 250" in cmds
    assert "GigabitEthernet9" not in cmds and "0.0.0.0 0.0.0.0 192.0.2.1" not in cmds


def test_preflight_ios_checks_through_the_mock_driver(tmp_path):
    t = ios_target(tmp_path, running="", diff="", bgp_up=True)
    d = Path(t.optional_args["path"])
    (d / "cli.1.show_archive.0").write_text("Archive feature not enabled\n")
    (d / "cli.2.show_running_config_include_ip_scp_server_enable.0").write_text("ip scp server enable\n")
    (d / "cli.3.show_privilege.0").write_text("Current privilege level is 15\n")
    # NAPALM's mock driver answers the ios checks' commands from the files above
    import unittest.mock as um
    with um.patch.object(change.Target, "driver", property(lambda self: "ios")):
        with um.patch.object(change, "_nornir", lambda tg, w, to: _mock_nornir(tg, to)):
            report = change.preflight([t])
    checks = {c: ok for c, ok, _ in report["ams-er-r1"]}
    assert checks == {"NAPALM session opens": True, "archive (path ...)": False, "SCP server": True,
                      "privilege level 15": True}


def _mock_nornir(tgts, timeout):
    """Nornir with NAPALM's mock driver standing in for ios (the checks run as for ios)."""
    from nornir.core import Nornir
    from nornir.core.configuration import Config
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir.plugins.runners import ThreadedRunner
    ConnectionPluginRegister.auto_register()
    hosts = Hosts()
    for t in tgts:
        hosts[t.router] = Host(name=t.router, hostname=t.hostname, platform="mock", connection_options={
            "napalm": ConnectionOptions(extras={"optional_args": t.optional_args})})
    return Nornir(inventory=Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()),
                  runner=ThreadedRunner(num_workers=1), config=Config())


def test_push_targets_carry_the_ipsec_config_with_vpn_files(monkeypatch):
    """push/diff/confirm/rollback/preflight take --vpn: the candidate then holds the tunnels (nothing is sent)."""
    from ergen.cli.change import _targets
    d = Path("tests/scenarios/ipsec-private")
    tgts, _ = _targets([str(EXAMPLE_CIRCUIT)], str(d / "inventory"),
                       vpn=[str(d / f) for f in ("gateway.json", "connection-r1.json", "connection-r2.json")])
    assert [t.router for t in tgts] == ["ams-er-r1", "ams-er-r2"]
    assert all("crypto ikev2 profile ER-AMS-PROD-VPN0" in t.config for t in tgts)
    assert any(s.ref == "file:secrets/vpn.psk" for s in tgts[0].secrets)    # masked in diffs like the MD5 keys


def test_junos_push_in_set_form_through_the_mock_driver(tmp_path):
    """push --junos-format set: the candidate NAPALM's junos driver gets is set commands (load set)."""
    inv = ergen.load_inventory(EXAMPLE_INVENTORY)
    result = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), inv, platform="junos")
    configs = ergen.render_configs(result.intents, show_secrets=True, fmt="set")
    t = change.targets(result.intents, ergen.with_platform(inv, "junos") if hasattr(ergen, "with_platform") else inv,
                       configs=configs)[0]
    assert t.config.splitlines()[3].startswith("set interfaces ")
    assert all(l.startswith(("set ", "#")) for l in t.config.splitlines() if l)
    t.driver_override = "mock"
    t.optional_args = {"path": str(mock_dir(tmp_path, running="", diff="[edit]\n+ interfaces", bgp_up=True))}
    res, _ = change.run([t], commit=True, confirm_timeout=120, verify_wait=5, state_dir=tmp_path / "s")
    assert res[0].status == "confirmed", res[0].error
    assert (tmp_path / "s" / "ams-er-r1.last.cfg").read_text() == t.config
