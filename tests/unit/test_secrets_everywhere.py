"""Known key values, followed through everything ergen prints, logs or raises: validate, render --stdout,
render --out, the offline diff (folders, every platform and scenario), push (dry run and a failing
commit, through NAPALM's mock driver), the log records of every logger, and rule errors about keys.
No value appears anywhere unless --show-secrets, and with it the value does appear (so these tests can
fail). The config files of render --out hold the keys: they are created 0600.
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import ergen
from ergen.cli import app
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY

PRIVATE = "ExampleKey2026ams"          # the private peering's MD5 key: in the circuit JSON and a key file
MICROSOFT = "MsftEnvKey77x"            # the Microsoft peering's, from an environment variable
PASSWORD = "Router-Pass-Word-5150"     # the routers' login password, from an environment variable
KEYS = (PRIVATE, MICROSOFT, PASSWORD)


def leaks(*texts: str, keys=KEYS) -> list[str]:
    return [k for k in keys if any(k in (t or "") for t in texts)]


@pytest.fixture
def case(tmp_path, monkeypatch):
    """The example, with the Microsoft key by env:, the password by env:, the routers on NAPALM's mock."""
    monkeypatch.chdir(tmp_path)                   # a nornir.log would appear here
    monkeypatch.setenv("ERGEN_TEST_MSFT_MD5", MICROSOFT)
    monkeypatch.setenv("ERGEN_AMS_PASSWORD", PASSWORD)
    circuit = json.loads(EXAMPLE_CIRCUIT.read_text())
    for p in circuit["properties"]["peerings"]:
        if p["properties"]["peeringType"] == "MicrosoftPeering":
            p["properties"]["sharedKey"] = MICROSOFT
    cf = tmp_path / "circuit.json"
    cf.write_text(json.dumps(circuit))
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    for f in (inv / "secrets").glob("*.md5"):
        f.chmod(0o600)
    c = inv / "circuits.yaml"
    c.write_text(c.read_text().replace("md5_key: file:secrets/er-ams-prod-microsoft.md5", "md5_key: env:ERGEN_TEST_MSFT_MD5"))
    mock = tmp_path / "mock"
    mock.mkdir()
    running = "hostname ams-er-r1\n!\nrouter bgp 64500\n neighbor 192.168.100.130 password " + PRIVATE + "\n!\n"
    files = {"get_config.1": {"running": running, "startup": running, "candidate": ""},
             "load_merge_candidate.1": {}, "discard_config.1": {}, "commit_config.1": {
                 "exception": "napalm.base.exceptions.CommitError",
                 "args": [f"% Invalid input: neighbor 203.0.113.2 password {MICROSOFT} (login {PASSWORD})"]},
             "compare_config.1": {"diff": f"+ neighbor 192.168.100.130 password {PRIVATE}\n"
                                          f"+  neighbor 203.0.113.2 password 7 {MICROSOFT}\n"}}
    for name, data in files.items():
        (mock / name).write_text(json.dumps(data))
    h = inv / "hosts.yaml"
    hosts = yaml.safe_load(h.read_text())
    for r in hosts.values():
        r["data"]["napalm_args"] = {"driver": "mock", "path": str(mock)}
    h.write_text(yaml.safe_dump(hosts))
    return cf, inv


def cli(*args):
    res = CliRunner().invoke(app, [str(a) for a in args])
    return res, res.stdout + res.stderr


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)               # every logger: ergen, napalm, netmiko, nornir, paramiko
    return caplog


def test_validate_and_rule_errors_about_keys_show_no_key(case, logs, tmp_path):
    cf, inv = case
    res, out = cli("validate", cf, "-i", inv)
    assert res.exit_code == 0, out
    assert not leaks(out, logs.text)
    # a key that differs from Azure's (ER702) and one too long for MD5 (ER701): named, never shown
    (inv / "secrets" / "er-ams-prod-private.md5").write_text("Wrong" + PRIVATE + "andTooLongForMd5\n")
    res, out = cli("validate", cf, "-i", inv, "-o", "json")
    codes = {p["code"] for p in json.loads(res.stdout)["problems"]}
    assert res.exit_code == 1 and {"ER701", "ER702"} <= codes, out
    assert not leaks(out, logs.text, keys=(*KEYS, "Wrong" + PRIVATE))
    res, out = cli("render", cf, "-i", inv, "--stdout")
    assert res.exit_code == 1 and not leaks(out, logs.text, keys=(*KEYS, "Wrong" + PRIVATE))


def test_unresolvable_secret_names_the_reference_not_a_value(case, monkeypatch, logs):
    cf, inv = case
    monkeypatch.delenv("ERGEN_TEST_MSFT_MD5")
    res, out = cli("render", cf, "-i", inv, "--stdout")
    assert res.exit_code == 1 and "ERGEN_TEST_MSFT_MD5" in out and not leaks(out, logs.text)


def test_render_stdout_masks_unless_show_secrets(case, logs):
    cf, inv = case
    res, out = cli("render", cf, "-i", inv, "--stdout")
    assert res.exit_code == 0 and "<secret file:secrets/er-ams-prod-private.md5>" in out
    assert not leaks(out, logs.text)
    res, out = cli("render", cf, "-i", inv, "--stdout", "--show-secrets")
    assert res.exit_code == 0 and leaks(out) == [PRIVATE, MICROSOFT]   # the keys, never the login password


def test_render_out_files_hold_the_keys_mode_0600_and_print_none(case, tmp_path, logs):
    cf, inv = case
    res, out = cli("render", cf, "-i", inv, "--out", tmp_path / "configs")
    assert res.exit_code == 0 and not leaks(out, logs.text)
    files = sorted((tmp_path / "configs").iterdir())
    assert [f.name for f in files] == ["ams-er-r1.cfg", "ams-er-r2.cfg"]
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o600
        assert leaks(f.read_text()) == [PRIVATE, MICROSOFT]


def test_offline_diff_of_two_folders_masks_unless_show_secrets(case, tmp_path, logs):
    cf, inv = case
    cli("render", cf, "-i", inv, "--out", tmp_path / "a")
    c = inv / "circuits.yaml"
    c.write_text(c.read_text().replace("maximum_prefix: 1000", "maximum_prefix: 900"))
    (tmp_path / "a" / "ams-er-r2.cfg").unlink()           # a router added: its whole config in the diff
    cli("render", cf, "-i", inv, "--out", tmp_path / "b")
    for fmt in ("unified", "markdown", "json"):
        res, out = cli("diff", "--from", tmp_path / "a", "--to", tmp_path / "b", "--format", fmt)
        assert res.exit_code == 0 and "maximum-prefix 900" in out, out
        assert not leaks(out, logs.text), fmt
    res, out = cli("diff", "--from", tmp_path / "a", "--to", tmp_path / "b", "--show-secrets")
    assert PRIVATE in out and MICROSOFT in out


def test_offline_diff_masks_every_platform_and_key_kind(tmp_path):
    """mask_keys against every platform's key syntax: MD5 (all six), MACsec CAK/CKN, IPsec pre-shared keys."""
    from ergen.change.review import compare_configs
    from scenarios import cases, plan_case
    seen = set()
    for scenario, platform in cases():
        result = plan_case(scenario, platform)
        values = {s.reveal() for i in result.intents for s in i.secrets}
        from ergen.pipeline import render_extra
        shown = {**ergen.render_configs(result.intents, show_secrets=True),
                 **render_extra(result.intents, show_secrets=True)}          # swanctl.conf: its PSK
        assert values and all(any(v in t for t in shown.values()) for v in values), (scenario, platform)
        changes = compare_configs({}, shown)
        text = "\n".join(l for c in changes for l in [*c.diff, *(c.remediation or [])])
        assert not [v for v in values if v in text], f"{scenario} {platform}: a key in the diff"
        seen.add(platform)
    assert len(seen) == 7                 # every platform, junos-srx (its IPsec keys) included


def test_push_dry_run_and_failed_commit_mask_keys_and_password(case, tmp_path, logs):
    cf, inv = case
    state = tmp_path / "state"
    for extra in ([], ["-o", "json"]):
        res, out = cli("push", cf, "-i", inv, "--state-dir", state, *extra)
        assert res.exit_code == 0 and "would change" in out, out
        assert not leaks(out, logs.text), extra
    res, out = cli("push", cf, "-i", inv, "--state-dir", state, "--commit", "--order", "parallel")
    assert res.exit_code == 1 and "CommitError" in out and "Invalid input" in out, out
    assert not leaks(out, logs.text)
    for f in state.iterdir():                     # the saved running configs hold keys: private files
        assert f.stat().st_mode & 0o777 == 0o600, f
    assert not (tmp_path / "nornir.log").exists()
    res, out = cli("push", cf, "-i", inv, "--state-dir", state, "--show-secrets")
    assert PRIVATE in out and MICROSOFT in out


def test_secret_objects_never_print_their_value(case):
    cf, inv = case
    result = ergen.plan(ergen.load_circuits(cf), ergen.load_inventory(inv))
    for intent in result.intents:
        assert not leaks(repr(intent), str(intent), repr(intent.secrets))
    circuit = ergen.load_circuits(cf)[0]
    assert not leaks(repr(circuit), circuit.model_dump_json())
