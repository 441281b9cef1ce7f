"""The CLI through Typer's runner, and once as the installed console script in a real process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ergen.cli import app
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT, example_data, peering, write_case

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def test_show_table_and_json():
    res = run("show", EXAMPLE_CIRCUIT)
    assert res.exit_code == 0, res.output
    for text in ("er-ams-prod", "192.168.100.129", "192.168.100.134", "2001:db8:100::6", "203.0.113.2"):
        assert text in res.stdout
    data = json.loads(run("show", EXAMPLE_CIRCUIT, "--output", "json").stdout)
    links = data["peerings"][0]["links"]
    assert (links[1]["customer"], links[1]["microsoft"]) == ("192.168.100.133", "192.168.100.134")


@pytest.mark.parametrize("fixture", sorted((ROOT / "tests" / "fixtures" / "azure").glob("*.json")),
                         ids=lambda p: p.stem)
def test_show_reads_every_azure_shape(fixture):
    res = run("show", fixture, "--output", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for c in data if isinstance(data, list) else [data]:
        assert c["name"]


def test_show_from_stdin():
    res = run("show", "-", "-o", "json", input=EXAMPLE_CIRCUIT.read_text())
    assert res.exit_code == 0 and json.loads(res.stdout)["name"] == "er-ams-prod"


def test_validate_clean_example():
    res = run("validate", EXAMPLE_CIRCUIT, "--inventory", EXAMPLE_INVENTORY)
    assert res.exit_code == 0, res.output
    assert "0 error(s)" in res.stdout


BAD = {
    "reserved-asn": (lambda c: peering(c, "AzurePrivatePeering").update(peerASN=65515),
                     "properties.peerings[0].properties.peerASN", "ER203"),
    "slash-29": (lambda c: peering(c, "AzurePrivatePeering").update(primaryPeerAddressPrefix="192.168.100.128/29"),
                 "properties.peerings[0].properties.primaryPeerAddressPrefix", "ER102"),
    "duplicate-vlan": (lambda c: peering(c, "MicrosoftPeering").update(vlanId=100),
                       "properties.peerings[1].properties.vlanId", "ER303"),
    "private-prefix-on-microsoft": (
        lambda c: peering(c, "MicrosoftPeering")["microsoftPeeringConfig"].update(
            advertisedPublicPrefixes=["10.50.0.0/24"]),
        "properties.peerings[1].properties.microsoftPeeringConfig.advertisedPublicPrefixes[0]", "ER403"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_circuits_exit_1_with_one_line_per_problem(tmp_path, case):
    mutate, field, code = BAD[case]
    c, h, g, ci = example_data()
    mutate(c)
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    res = run("validate", cfile, "--inventory", inv)
    assert res.exit_code == 1
    lines = [l for l in res.stdout.splitlines() if " error ER" in l]
    assert any(field in l and code in l and str(cfile) in l for l in lines), res.stdout
    assert "Traceback" not in res.output
    # render refuses too, and writes nothing
    out = tmp_path / "out"
    res = run("render", cfile, "--inventory", inv, "--out", out)
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert any(field in l and code in l for l in res.stderr.splitlines())
    assert not out.exists()


def test_validate_json_output(tmp_path):
    c, h, g, ci = example_data()
    peering(c, "AzurePrivatePeering")["vlanId"] = 5000
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    res = run("validate", cfile, "-i", inv, "-o", "json")
    data = json.loads(res.stdout)
    assert res.exit_code == 1 and data["ok"] is False
    hit = [p for p in data["problems"] if p["code"] == "ER302"]
    assert hit and hit[0]["severity"] == "error" and hit[0]["where"].endswith("peerings[0].properties.vlanId")


@pytest.mark.parametrize("args,message", [
    (["show", "no-such-file.json"], "no-such-file.json: (file): file not found"),
    (["render", EXAMPLE_CIRCUIT, "-i", "no-such-inventory", "--stdout"], "no-such-inventory: (folder)"),
    (["render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY], "give either --out DIR or --stdout"),
])
def test_user_errors_are_one_line(args, message):
    res = run(*args)
    assert res.exit_code == 1
    assert res.stderr.count("\n") == 1 and message in res.stderr and "Traceback" not in res.output


def test_bad_inventory_names_file_and_key(tmp_path):
    c, h, g, ci = example_data()
    h["ams-er-r1"]["data"]["expressroute"][0]["link"] = "tertiary"
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    res = run("validate", cfile, "-i", inv)
    assert res.exit_code == 1
    assert f"{inv / 'hosts.yaml'}: ams-er-r1.data.expressroute[0].link:" in res.stderr


def test_secret_in_clear_is_refused(tmp_path):
    c, h, g, ci = example_data()
    ci["er-ams-prod"]["private"]["md5_key"] = "ExampleKey2026ams"
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    res = run("render", cfile, "-i", inv, "--stdout")
    assert res.exit_code == 1 and "env:NAME or file:PATH" in res.stderr
    assert "ExampleKey2026ams" not in res.output


def test_render_writes_then_refuses_to_overwrite(tmp_path):
    out = tmp_path / "out"
    res = run("render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--out", out)
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["ams-er-r1.cfg", "ams-er-r2.cfg"]
    assert (out / "ams-er-r1.cfg").stat().st_mode & 0o777 == 0o600
    assert " password ExampleKey2026ams" in (out / "ams-er-r1.cfg").read_text()
    (out / "ams-er-r1.cfg").write_text("mine\n")
    res = run("render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--out", out)
    assert res.exit_code == 1 and "--force" in res.stderr
    assert (out / "ams-er-r1.cfg").read_text() == "mine\n"
    res = run("render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--out", out, "--force")
    assert res.exit_code == 0 and (out / "ams-er-r1.cfg").read_text().startswith("! ergen")
    assert sorted(p.name for p in out.iterdir()) == files  # no temporary folder left behind


def test_render_stdout_masks_secrets_unless_asked():
    res = run("render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--stdout")
    assert res.exit_code == 0
    assert "ExampleKey2026ams" not in res.stdout and "<secret file:secrets/er-ams-prod-private.md5>" in res.stdout
    res = run("render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--stdout", "--show-secrets")
    assert "password ExampleKey2026ams" in res.stdout


def test_schema_and_rules():
    schema = json.loads(run("schema", "inventory").stdout)
    assert "hosts.yaml" in schema["$defs"] and "circuits.yaml" in schema["$defs"]
    rules = run("rules").stdout
    assert "ER102" in rules and "link-prefix-length" in rules


GUARD = r"""
import sys
class Guard:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("napalm", "netmiko", "nornir", "paramiko"):
            raise ImportError("ergen imported " + name)
sys.meta_path.insert(0, Guard())
from ergen.cli import app
from typer.testing import CliRunner
r = CliRunner()
for args in (["--help"], ["render", sys.argv[1], "-i", sys.argv[2], "--stdout"], ["show", sys.argv[1]]):
    res = r.invoke(app, args)
    assert res.exit_code == 0, (args, res.output, res.exception)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("napalm", "netmiko", "nornir", "paramiko"))
assert not heavy, heavy
print("clean")
"""


def test_cli_does_not_import_napalm_or_netmiko():
    res = subprocess.run([sys.executable, "-c", GUARD, str(EXAMPLE_CIRCUIT), str(EXAMPLE_INVENTORY)],
                         capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and res.stdout.strip() == "clean", res.stderr


def test_help_imports_little():
    code = ("import sys; from ergen.cli import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['--help']); "
            "print(','.join(m for m in ('pydantic','jinja2','netaddr','yaml','rich.table','typer.rich_utils') "
            "if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0 and res.stdout.strip() == "", res.stdout


def test_installed_console_script(tmp_path):
    exe = shutil.which("ergen")
    if exe is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("the ergen console script is not installed")
        pytest.skip("ergen is not installed (pip install -e .)")
    out = tmp_path / "configs"
    res = subprocess.run([exe, "render", str(EXAMPLE_CIRCUIT), "--inventory", str(EXAMPLE_INVENTORY),
                          "--out", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ams-er-r1.cfg", "ams-er-r2.cfg"]
    res = subprocess.run([exe, "validate", str(EXAMPLE_CIRCUIT), "-i", "/nonexistent"], capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 1 and "Traceback" not in res.stderr and res.stderr.count("\n") == 1


def test_readme_lists_every_rule_and_the_commands():
    import importlib.util
    spec = importlib.util.spec_from_file_location("readme_tables", ROOT / "scripts" / "readme_tables.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    readme = (ROOT / "README.md").read_text()
    assert tables.rules_table() in readme, "README's rule table is stale: python scripts/readme_tables.py"
    assert tables.matrix_table() in readme, "README's feature matrix is stale: python scripts/readme_tables.py"
    assert "make example" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("platform", ["ios-xe", "junos", "eos", "nx-os", "ios-xr", "frr"])
def test_render_platform_flag(tmp_path, platform):
    from ergen.platforms import platforms
    from scenarios import inventory_for, rendered_platforms
    if platform not in rendered_platforms():
        pytest.fail(f"templates/{platform} is missing")
    inv = inventory_for("private-microsoft", "frr", tmp_path)  # Linux names render on every platform
    res = run("render", EXAMPLE_CIRCUIT, "-i", inv, "--platform", platform, "--stdout")
    assert res.exit_code == 0, res.output
    word = {"ios-xe": "IOS-XE", "junos": "Junos", "eos": "EOS", "nx-os": "NX-OS", "ios-xr": "IOS-XR",
            "frr": "FRRouting"}[platform]
    assert "ExpressRoute configuration for ams-er-r1" in res.stdout.splitlines()[1]
    assert word in res.stdout.splitlines()[1] and platforms()[platform]
    assert "ExampleKey2026ams" not in res.stdout


def test_render_unknown_platform_is_one_line():
    res = run("render", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--platform", "vyos", "--stdout")
    assert res.exit_code == 1 and "unknown platform 'vyos'" in res.stderr and res.stderr.count("\n") == 1


def test_unsupported_feature_is_refused_in_one_line_per_problem(tmp_path):
    c, h, g, ci = example_data()
    ci["er-ams-prod"]["shape"] = True
    for name in h:
        h[name]["data"]["expressroute"][0]["interface"] = "eth1"
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    out = tmp_path / "out"
    res = run("render", cfile, "-i", inv, "--platform", "frr", "--out", out)
    assert res.exit_code == 1 and not out.exists()
    lines = [l for l in res.stderr.splitlines() if "ER801" in l]
    assert len(lines) == 2 and all("FRRouting (Linux) (frr) cannot render QoS shaper" in l for l in lines)
    res = run("validate", cfile, "-i", inv, "--platform", "frr")
    assert res.exit_code == 1 and res.stdout.count("ER801") == 2


def test_platforms_command_prints_the_matrix():
    res = run("platforms")
    assert res.exit_code == 0
    for p in ("ios-xe", "junos", "eos", "nx-os", "ios-xr", "frr"):
        assert p in res.stdout.splitlines()[0]
    data = json.loads(run("platforms", "-o", "json").stdout)
    assert data["frr"]["features"]["bgp" if "bgp" in data["frr"]["features"] else "md5"] is True
    assert isinstance(data["frr"]["features"]["nat"], str)


def test_a_run_builds_only_the_command_it_names_and_behaves_the_same():
    """``ergen.cli.main`` gives Typer only the command argv names (start-up, issue 17): each command's and
    group's help, a run and an unknown command read exactly as with the whole app."""
    from typer.main import get_command_name

    from ergen.cli import for_argv
    names = [c.name or get_command_name(c.callback.__name__) for c in app.registered_commands]
    names += [g.name for g in app.registered_groups]
    assert {"render", "validate", "push", "adopt", "drain", "audit", "lab", "schema", "init"} <= set(names)
    for argv in [[n, "--help"] for n in names] + [["lab", "up", "--help"], ["platforms"], ["rules"],
                                                     ["--version"], ["--help"], ["nonsense"], []]:
        small = for_argv(argv)
        if argv and argv[0] in names:
            assert small is not app and len(small.registered_commands) + len(small.registered_groups) == 1
        whole, one = runner.invoke(app, argv), runner.invoke(small, argv)
        assert (one.exit_code, one.output) == (whole.exit_code, whole.output), argv
