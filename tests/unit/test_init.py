"""``ergen init``: a commented starter inventory from Azure's circuit JSON (ergen.onboard).

The main test: init with the right flags, plus the two demo key files, renders configs byte-identical to
the hand-written inventories/example."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import ergen
from ergen.cli import app
from ergen.errors import InputError
from ergen.onboard import LinkFacts, PeeringFacts, RouterFacts, init_inventory, parse_link
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT, peering

runner = CliRunner()
FILES = ["circuits.yaml", "groups.yaml", "hosts.yaml", "secrets/README.md"]
KEYS = {"er-ams-prod-private.md5": "ExampleKey2026ams", "er-ams-prod-microsoft.md5": "ExampleMsftKey2026"}
TERRAFORM = ROOT / "tests" / "fixtures" / "terraform" / "show-modules.json"
TERRAFORM_STATE = ROOT / "tests" / "fixtures" / "terraform" / "terraform.tfstate"
FRA = ROOT / "tests" / "fixtures" / "azure" / "azcli-show.json"     # er-fra-contoso-01: no sharedKey

EXAMPLE_FLAGS = [
    "--platform", "ios-xe",
    "--link", "primary=ams-er-r1:TenGigabitEthernet0/1/0", "--link", "secondary=ams-er-r2:TenGigabitEthernet0/1/0",
    "--hostname", "ams-er-r1=192.0.2.11", "--hostname", "ams-er-r2=192.0.2.12",
    "--asn", "64500", "--tag", "AMS-PROD",
    "--advertise", "private=10.20.0.0/16,10.21.0.0/16,2001:db8:a000::/48",
    "--md5", "private=file:secrets/er-ams-prod-private.md5",
    "--md5", "microsoft=file:secrets/er-ams-prod-microsoft.md5",
    "--accept-communities", "microsoft=exchange,azure-westeurope",
    "--maximum-prefix", "private=1000", "--group", "ams",
    "--username", "netops", "--password-ref", "env:ERGEN_AMS_PASSWORD",
]


def run(*args, input=None):
    return runner.invoke(app, [str(a) for a in args], input=input)


@pytest.fixture
def terminal(monkeypatch):
    """Pretend stdin is a terminal (CliRunner's is not), so init asks for what is missing."""
    monkeypatch.setattr("ergen.cli.onboard.interactive", lambda: True)


@pytest.fixture
def no_terminal(monkeypatch):
    monkeypatch.setattr("ergen.cli.onboard.interactive", lambda: False)


def copy_keys(inv: Path) -> None:
    for name in KEYS:
        shutil.copy(EXAMPLE_INVENTORY / "secrets" / name, inv / "secrets" / name)
        os.chmod(inv / "secrets" / name, 0o600)


def write_key(inv: Path, name: str, value: str) -> None:
    fd = os.open(inv / "secrets" / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")


def rendered(circuit: Path, inv: Path, out: Path) -> dict[str, bytes]:
    res = run("render", circuit, "-i", inv, "--out", out)
    assert res.exit_code == 0, res.output
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def init_example(tmp_path: Path, circuit: Path = EXAMPLE_CIRCUIT, name: str = "T") -> Path:
    inv = tmp_path / name
    res = run("init", circuit, "--out", inv, *EXAMPLE_FLAGS)
    assert res.exit_code == 0, res.output
    assert sorted(str(p.relative_to(inv)) for p in inv.rglob("*") if p.is_file()) == FILES
    return inv


def policy_dump(inv) -> dict:
    """What an inventory says, without where it was read from."""
    loaded = ergen.load_inventory(inv)
    return {"routers": {n: r.model_dump() for n, r in loaded.routers.items()},
            "circuits": {n: c.model_dump() for n, c in loaded.circuits.items()}}


# ----------------------------------------------------------------------------- the example, byte for byte
@pytest.mark.parametrize("circuit", [EXAMPLE_CIRCUIT, TERRAFORM, TERRAFORM_STATE],
                         ids=["azure-json", "terraform-show", "terraform-state"])
def test_init_renders_byte_identical_to_the_hand_written_example(tmp_path, circuit):
    if not circuit.exists():
        pytest.skip(f"{circuit.relative_to(ROOT)} is not there (the Terraform reader is not in this tree)")
    inv = init_example(tmp_path, circuit)
    copy_keys(inv)
    res = run("validate", circuit, "-i", inv)
    assert res.exit_code == 0, res.output
    assert "0 error(s)" in res.stdout
    mine = rendered(circuit, inv, tmp_path / "X")
    theirs = rendered(circuit, EXAMPLE_INVENTORY, tmp_path / "Y")
    assert list(mine) == ["ams-er-r1.cfg", "ams-er-r2.cfg"]
    assert mine == theirs


def test_init_inventory_says_what_the_hand_written_one_says(tmp_path):
    inv = init_example(tmp_path)
    assert policy_dump(inv) == policy_dump(EXAMPLE_INVENTORY)
    groups = yaml.safe_load((inv / "groups.yaml").read_text())
    assert groups == yaml.safe_load((EXAMPLE_INVENTORY / "groups.yaml").read_text())


def test_output_is_deterministic_commented_and_holds_no_key(tmp_path):
    a, b = init_example(tmp_path, name="a"), init_example(tmp_path, name="b")
    for name in FILES:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for name in ("hosts.yaml", "circuits.yaml", "groups.yaml"):
        text = (a / name).read_text()
        assert text.startswith(f"# {name}: ")
        for line in text.splitlines():
            body = line.split("#", 1)[0].strip()
            if body and not body.endswith(":") and ":" in body:   # a key with a value: says what it is
                assert "  # " in line, f"{name}: no comment on {line!r}"
    everything = "".join((a / n).read_text() for n in FILES)
    for value in KEYS.values():
        assert value not in everything
    assert not list((a / "secrets").glob("*.md5"))
    assert stat.S_IMODE((a / "secrets").stat().st_mode) == 0o700
    readme = (a / "secrets" / "README.md").read_text()
    for text in ("file:secrets/NAME", "env:NAME", "0600", "One key per file", "never"):
        assert text in readme, text
    assert "`secrets/er-ams-prod-private.md5`" in readme and "`secrets/er-ams-prod-microsoft.md5`" in readme
    assert "export ERGEN_AMS_PASSWORD=" in readme


def test_generated_yaml_passes_the_schema(tmp_path):
    from pydantic import TypeAdapter
    from ergen.model.inventory import CircuitPolicy, HostEntry
    inv = init_example(tmp_path)
    TypeAdapter(dict[str, HostEntry]).validate_python(yaml.safe_load((inv / "hosts.yaml").read_text()))
    TypeAdapter(dict[str, CircuitPolicy]).validate_python(yaml.safe_load((inv / "circuits.yaml").read_text()))
    schema = json.loads(run("schema", "inventory").stdout)
    hosts_props = schema["$defs"]["hosts.yaml"]["additionalProperties"]
    assert hosts_props  # the schema the models above produce


# ----------------------------------------------------------------------------- defaults
def test_defaults_validate_with_warnings_only(tmp_path, no_terminal):
    inv = tmp_path / "fra"
    res = run("init", FRA, "--out", inv, "--platform", "eos",
              "--link", "primary=fra-r1:Ethernet1", "--link", "secondary=fra-r2:Ethernet1")
    assert res.exit_code == 0, res.output
    res = run("validate", FRA, "-i", inv)
    assert res.exit_code == 0, res.output
    assert "warning ER408" in res.stdout and " error " not in res.stdout
    circuits = yaml.safe_load((inv / "circuits.yaml").read_text())["er-fra-contoso-01"]
    assert circuits["private"]["advertise"] == []
    assert "FILL IN" in (inv / "circuits.yaml").read_text()
    assert circuits["microsoft"]["advertise"] == ["198.51.100.0/26", "198.51.100.64/27"]   # Azure's
    assert "md5_key" not in circuits["private"] and "md5_key" not in circuits["microsoft"]
    groups = yaml.safe_load((inv / "groups.yaml").read_text())
    assert list(groups) == ["frankfurt"]           # the peering location, lower case
    res = run("render", FRA, "-i", inv, "--out", tmp_path / "cfg")
    assert res.exit_code == 0, res.output


def test_azure_shared_key_becomes_a_key_file_to_create(tmp_path, no_terminal):
    inv = tmp_path / "ams"
    res = run("init", EXAMPLE_CIRCUIT, "--out", inv, "--platform", "ios-xe",
              "--link", "primary=r1:Gi0/0/1", "--link", "secondary=r2:Gi0/0/1")
    assert res.exit_code == 0, res.output
    circuits = yaml.safe_load((inv / "circuits.yaml").read_text())["er-ams-prod"]
    assert circuits["private"]["md5_key"] == "file:secrets/er-ams-prod-private.md5"
    assert "md5_key" not in circuits["microsoft"]          # Azure shows no key there
    readme = (inv / "secrets" / "README.md").read_text()
    assert "create `secrets/er-ams-prod-private.md5`" in readme and "sharedKey" in readme
    assert "ExampleKey2026ams" not in readme
    res = run("validate", EXAMPLE_CIRCUIT, "-i", inv)      # until the file exists: exactly that error
    errors = [l for l in res.stdout.splitlines() if " error " in l]
    assert res.exit_code == 1 and len(errors) == 1 and "ER704" in errors[0] and "er-ams-prod-private.md5" in errors[0]
    write_key(inv, "er-ams-prod-private.md5", "ExampleKey2026ams")
    res = run("validate", EXAMPLE_CIRCUIT, "-i", inv)
    assert res.exit_code == 0, res.output
    assert "warning ER408" in res.stdout                   # private advertises nothing yet


def test_microsoft_ipv6_prefixes_go_to_advertise_ipv6(tmp_path):
    data = json.loads(EXAMPLE_CIRCUIT.read_text())
    msft = peering(data, "MicrosoftPeering")
    msft["microsoftPeeringConfig"]["advertisedPublicPrefixes"] = ["198.51.100.0/27", "2001:db8:b000::/48"]
    msft["ipv6PeeringConfig"] = {"primaryPeerAddressPrefix": "2001:db8:200::/126",
                                 "secondaryPeerAddressPrefix": "2001:db8:200::4/126", "state": "Enabled",
                                 "microsoftPeeringConfig": {"advertisedPublicPrefixes": ["2001:db8:c000::/48"]}}
    cfile = tmp_path / "c.json"
    cfile.write_text(json.dumps(data))
    inv = tmp_path / "inv"
    init_inventory(ergen.load_circuits(cfile), inv, platform="frr",
                   links=[parse_link("primary=r1:eth1"), parse_link("secondary=r2:eth1")],
                   md5={"private": "env:AMS_PRIVATE_MD5"}, advertise={"private": ["10.20.0.0/16"]})
    policy = ergen.load_inventory(inv).circuits["er-ams-prod"]
    assert policy.microsoft.advertise == ["198.51.100.0/27"]
    assert policy.microsoft.advertise_ipv6 == ["2001:db8:b000::/48", "2001:db8:c000::/48"]
    assert policy.private.md5_key == "env:AMS_PRIVATE_MD5"
    assert "`export AMS_PRIVATE_MD5=...`" in (inv / "secrets" / "README.md").read_text()


def test_several_circuits_take_circuit_dot_link_flags(tmp_path, no_terminal):
    inv = tmp_path / "two"
    res = run("init", EXAMPLE_CIRCUIT, FRA, "--out", inv, "--platform", "ios-xe",
              "--link", "er-ams-prod.primary=ams-r1:Gi0/0/1", "--link", "er-ams-prod.secondary=ams-r2:Gi0/0/1",
              "--link", "er-fra-contoso-01.primary=fra-r1:Gi0/0/1",
              "--link", "er-fra-contoso-01.secondary=fra-r2:Gi0/0/1",
              "--advertise", "er-fra-contoso-01.private=10.30.0.0/16", "--advertise", "private=10.20.0.0/16",
              "--tag", "er-ams-prod=AMS", "--tag", "er-fra-contoso-01=FRA")
    assert res.exit_code == 0, res.output
    loaded = ergen.load_inventory(inv)
    assert loaded.circuits["er-fra-contoso-01"].private.advertise == ["10.30.0.0/16"]   # CIRCUIT.peering wins
    assert loaded.circuits["er-ams-prod"].private.advertise == ["10.20.0.0/16"]
    assert (loaded.circuits["er-ams-prod"].tag, loaded.circuits["er-fra-contoso-01"].tag) == ("AMS", "FRA")
    assert {n: r.groups for n, r in loaded.routers.items()} == {
        "ams-r1": ["amsterdam"], "ams-r2": ["amsterdam"], "fra-r1": ["frankfurt"], "fra-r2": ["frankfurt"]}
    res = run("init", EXAMPLE_CIRCUIT, FRA, "--out", tmp_path / "bare", "--platform", "ios-xe",
              "--link", "primary=ams-r1:Gi0/0/1")
    assert res.exit_code == 1 and "CIRCUIT.primary=ROUTER:INTERFACE" in res.stderr
    assert not (tmp_path / "bare").exists()


def test_azure_text_cannot_add_yaml_keys(tmp_path):
    data = json.loads(EXAMPLE_CIRCUIT.read_text())
    data["properties"]["serviceProviderProperties"]["serviceProviderName"] = "Equinix\nevil: 1 # x"
    data["properties"]["serviceProviderProperties"]["peeringLocation"] = "Amsterdam\r\n  injected: true"
    cfile = tmp_path / "c.json"
    cfile.write_text(json.dumps(data))
    inv = tmp_path / "inv"
    init_inventory(ergen.load_circuits(cfile), inv, platform="ios-xe",
                   links=[parse_link("primary=r1:Gi0/0/1"), parse_link("secondary=r2:Gi0/0/1")])
    def keys(node):
        if isinstance(node, dict):
            for k, v in node.items():
                yield k
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)

    for name in ("hosts.yaml", "circuits.yaml", "groups.yaml"):
        found = set(keys(yaml.safe_load((inv / name).read_text())))
        assert not found & {"evil", "injected"}, name
    assert list(yaml.safe_load((inv / "groups.yaml").read_text())) == ["amsterdam-injected-true"]
    ergen.load_inventory(inv)


# ----------------------------------------------------------------------------- facts (--from-running)
def facts_for_example() -> dict[str, RouterFacts]:
    return {
        "r1": RouterFacts(bgp_asn=65010, router_id="10.0.0.1", links=(LinkFacts(
            "er-ams-prod", "primary", "GigabitEthernet0/0/1", s_tag=300, peerings={
                "private": PeeringFacts(vlan=1100, advertise=("10.20.0.0/16",), md5=True, bfd=False,
                                        maximum_prefix=500),
                "microsoft": PeeringFacts(vlan=1200, md5=True, bfd=False)}),)),
        "r2": RouterFacts(bgp_asn=65010, links=(LinkFacts(
            "er-ams-prod", "secondary", "GigabitEthernet0/0/1", s_tag=300, peerings={
                "private": PeeringFacts(vlan=1100, advertise=("10.20.0.0/16", "10.99.0.0/16"), bfd=False),
                "microsoft": PeeringFacts(vlan=1200, bfd=False)}),)),
    }


def test_facts_fill_what_no_flag_gives(tmp_path):
    inv = tmp_path / "inv"
    init_inventory(ergen.load_circuits(EXAMPLE_CIRCUIT), inv, platform="ios-xe", links=[],
                   facts=facts_for_example())
    loaded = ergen.load_inventory(inv)
    r1, r2 = loaded.routers["r1"], loaded.routers["r2"]
    assert (r1.data.bgp_asn, r2.data.bgp_asn, r1.data.router_id) == (65010, 65010, "10.0.0.1")
    assert yaml.safe_load((inv / "groups.yaml").read_text())["amsterdam"]["data"]["bgp_asn"] == 65010
    att1, att2 = r1.data.expressroute[0], r2.data.expressroute[0]
    assert (att1.interface, att1.s_tag) == ("GigabitEthernet0/0/1", 300)
    assert att1.vlan == {"private": 1100, "microsoft": 1200}
    policy = loaded.circuits["er-ams-prod"]
    assert policy.bfd is False and policy.asymmetric_prefixes is True
    assert policy.private.advertise == ["10.20.0.0/16"] and att1.private is None
    assert att2.private.advertise == ["10.20.0.0/16", "10.99.0.0/16"]
    assert policy.private.maximum_prefix == 500
    assert policy.private.md5_key == "file:secrets/er-ams-prod-private.md5"
    assert policy.microsoft.md5_key == "file:secrets/er-ams-prod-microsoft.md5"    # the router has one
    assert policy.microsoft.advertise == ["198.51.100.0/27"]                         # Azure's: no facts
    for name, value in KEYS.items():
        write_key(inv, name, value)
    res = run("validate", EXAMPLE_CIRCUIT, "-i", inv)
    assert res.exit_code == 0, res.output


def test_flags_win_over_facts(tmp_path):
    inv = tmp_path / "inv"
    init_inventory(ergen.load_circuits(EXAMPLE_CIRCUIT), inv, platform="ios-xe", asn=64500,
                   links=[parse_link("primary=r1:TenGigabitEthernet0/1/0")],
                   advertise={"private": ["10.40.0.0/16"]}, maximum_prefix={"private": 900},
                   md5={"private": "env:PRIVATE_MD5"}, facts=facts_for_example())
    loaded = ergen.load_inventory(inv)
    assert loaded.routers["r1"].data.expressroute[0].interface == "TenGigabitEthernet0/1/0"
    assert loaded.routers["r1"].data.bgp_asn == 64500              # --asn, in the group
    policy = loaded.circuits["er-ams-prod"]
    assert policy.private.advertise == ["10.40.0.0/16"] and policy.asymmetric_prefixes is False
    assert (policy.private.maximum_prefix, policy.private.md5_key) == (900, "env:PRIVATE_MD5")


# ----------------------------------------------------------------------------- the folder
def test_refuses_a_folder_that_is_not_empty_and_force_replaces_only_its_files(tmp_path):
    inv = tmp_path / "T"
    (inv / "secrets").mkdir(parents=True)
    (inv / "notes.txt").write_text("mine\n")
    (inv / "hosts.yaml").write_text("# my own\n")
    write_key(inv, "er-ams-prod-private.md5", "ExampleKey2026ams")
    res = run("init", EXAMPLE_CIRCUIT, "--out", inv, *EXAMPLE_FLAGS)
    assert res.exit_code == 1 and res.stderr.count("\n") == 1
    assert str(inv) in res.stderr and "--out" in res.stderr and "--force" in res.stderr
    assert (inv / "hosts.yaml").read_text() == "# my own\n"
    assert sorted(p.name for p in inv.iterdir()) == ["hosts.yaml", "notes.txt", "secrets"]
    res = run("init", EXAMPLE_CIRCUIT, "--out", inv, *EXAMPLE_FLAGS, "--force")
    assert res.exit_code == 0, res.output
    assert (inv / "notes.txt").read_text() == "mine\n"
    assert (inv / "secrets" / "er-ams-prod-private.md5").read_text() == "ExampleKey2026ams\n"
    assert (inv / "hosts.yaml").read_text().startswith("# hosts.yaml: ")
    assert not list(inv.glob(".ergen-*"))


def test_a_full_folder_is_refused_before_anything_is_asked(tmp_path, terminal):
    (tmp_path / "T").mkdir()
    (tmp_path / "T" / "x").write_text("")
    res = run("init", EXAMPLE_CIRCUIT, "--out", tmp_path / "T", "--platform", "frr", input="r1\neth1\nr2\neth1\n")
    assert res.exit_code == 1 and "router name" not in res.output and "--out" in res.stderr


def test_out_that_is_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    res = run("init", EXAMPLE_CIRCUIT, "--out", target, *EXAMPLE_FLAGS)
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and "not a folder" in res.stderr


def test_all_files_or_none_when_a_move_fails(tmp_path, monkeypatch):
    import ergen.pipeline
    real, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(src, dst)

    inv = tmp_path / "new"
    monkeypatch.setattr(ergen.pipeline.os, "replace", failing)
    links = [parse_link("primary=r1:Gi0/0/1"), parse_link("secondary=r2:Gi0/0/1")]
    with pytest.raises(ergen.errors.OutputError, match="as it was"):
        init_inventory(ergen.load_circuits(EXAMPLE_CIRCUIT), inv, platform="ios-xe", links=links)
    assert not inv.exists()
    # into an existing inventory with --force: the old files come back
    monkeypatch.setattr(ergen.pipeline.os, "replace", real)
    init_inventory(ergen.load_circuits(EXAMPLE_CIRCUIT), inv, platform="ios-xe", links=links)
    before = {n: (inv / n).read_bytes() for n in FILES}
    calls.clear()
    monkeypatch.setattr(ergen.pipeline.os, "replace", failing)
    with pytest.raises(ergen.errors.OutputError):
        init_inventory(ergen.load_circuits(EXAMPLE_CIRCUIT), inv, platform="junos", links=links, force=True)
    assert {n: (inv / n).read_bytes() for n in FILES} == before
    assert sorted(p.name for p in inv.iterdir()) == ["circuits.yaml", "groups.yaml", "hosts.yaml", "secrets"]


# ----------------------------------------------------------------------------- prompts
def test_prompts_for_platform_and_links_on_a_terminal(tmp_path, terminal):
    inv = tmp_path / "T"
    answers = "vyos\nios-xe\nams-er-r1\nTenGigabitEthernet0/1/0\nbad name!\nams-er-r2\nTenGigabitEthernet0/1/0\n"
    flags = [f for f in EXAMPLE_FLAGS]
    for flag in ("--platform", "--link", "--link"):
        i = flags.index(flag)
        del flags[i:i + 2]
    res = run("init", EXAMPLE_CIRCUIT, "--out", inv, *flags, input=answers)
    assert res.exit_code == 0, res.output
    assert "Platform of the routers" in res.output and "er-ams-prod primary link: router name" in res.output
    assert res.output.count("Error:") == 2          # vyos and "bad name!" were asked again
    assert policy_dump(inv) == policy_dump(EXAMPLE_INVENTORY)


def test_only_the_missing_link_is_asked(tmp_path, terminal):
    inv = tmp_path / "T"
    res = run("init", EXAMPLE_CIRCUIT, "--out", inv, "--platform", "frr", "--link", "primary=r1:eth1",
              input="r2\neth1\n")
    assert res.exit_code == 0, res.output
    assert "primary link: router name" not in res.output and "secondary link: router name" in res.output
    assert set(ergen.load_inventory(inv).routers) == {"r1", "r2"}


@pytest.mark.parametrize("drop,flag", [("--platform", "--platform"), ("--link", "--link")])
def test_without_a_terminal_a_missing_value_is_one_line(tmp_path, no_terminal, drop, flag):
    flags = list(EXAMPLE_FLAGS)
    i = flags.index(drop)
    del flags[i:i + 2]
    res = run("init", EXAMPLE_CIRCUIT, "--out", tmp_path / "T", *flags)
    assert res.exit_code == 1 and res.stderr.count("\n") == 1 and flag in res.stderr, res.output
    assert not (tmp_path / "T").exists()


# ----------------------------------------------------------------------------- bad flags
BAD = {
    "md5-not-a-reference": (["--md5", "private=ExampleKey2026ams"], "--md5"),
    "md5-unknown-peering": (["--md5", "public=env:X"], "--md5"),
    "md5-no-peering": (["--md5", "ExampleKey2026ams"], "--md5"),
    "link-no-interface": (["--link", "primary=ams-er-r1"], "--link"),
    "link-unknown-role": (["--link", "tertiary=r3:Gi0/0/1"], "--link"),
    "link-unknown-circuit": (["--link", "er-nope.primary=r3:Gi0/0/1"], "--link"),
    "link-given-twice": (["--link", "primary=r3:Gi0/0/1"], "--link"),
    "link-bad-router": (["--link", "er-ams-prod.primary=../x:Gi0/0/1"], "--link"),
    "advertise-host-bits": (["--advertise", "private=10.20.0.1/16"], "--advertise"),
    "advertise-no-value": (["--advertise", "private="], "--advertise"),
    "community-unknown": (["--accept-communities", "microsoft=nonsense"], "--accept-communities"),
    "maximum-prefix-zero": (["--maximum-prefix", "microsoft=0"], "--maximum-prefix"),
    "asn-text": (["--asn", "sixty"], "--asn"),
    "asn-zero": (["--asn", "0"], "--asn"),
    "redundancy": (["--redundancy", "hot-warm"], "--redundancy"),
    "tag": (["--tag", "bad tag!"], "--tag"),
    "hostname-unknown-router": (["--hostname", "nobody=192.0.2.99"], "--hostname"),
    "password-in-clear": (["--password-ref", "hunter2"], "--password-ref"),
    "group": (["--group", "a b"], "--group"),
    "platform": (["--platform", "vyos"], "--platform"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_flags_are_one_line_and_write_nothing(tmp_path, no_terminal, case):
    extra, flag = BAD[case]
    res = run("init", EXAMPLE_CIRCUIT, "--out", tmp_path / "T", *EXAMPLE_FLAGS, *extra)
    assert res.exit_code == 1, res.output
    assert res.stderr.count("\n") == 1 and flag in res.stderr and "Traceback" not in res.output, res.stderr
    assert not (tmp_path / "T").exists()
    assert "ExampleKey2026ams" not in res.output and "hunter2" not in res.output   # values never echoed


def test_library_errors_name_the_flag():
    circuits = ergen.load_circuits(EXAMPLE_CIRCUIT)
    with pytest.raises(InputError) as err:
        init_inventory(circuits, "/nonexistent/never", platform="ios-xe", links=[parse_link("primary=r1:Gi0/0/1")])
    assert err.value.field == "--link" and "secondary" in err.value.message
    with pytest.raises(InputError) as err:
        init_inventory(circuits, "/nonexistent/never", platform="ios-xe", links=[], md5={"private": "s3cretKey"})
    assert err.value.field == "--md5" and "s3cretKey" not in str(err.value)


# ----------------------------------------------------------------------------- start-up
def test_cli_module_imports_no_heavy_package():
    code = ("import sys; import ergen.cli.onboard; "
            "print(','.join(m for m in ('pydantic', 'yaml', 'jinja2', 'ergen.onboard') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert res.returncode == 0 and res.stdout.strip() == "", (res.stdout, res.stderr)


@pytest.mark.parametrize("name", ['er "ams" #1: x', "er-ams # evil: [1]", "yes", "1e3", "er-caf\u00e9", "-er"])
def test_any_circuit_name_reads_back_as_written(tmp_path, name):
    data = json.loads(EXAMPLE_CIRCUIT.read_text())
    data["name"] = name
    data["id"] = data["id"].replace("/er-ams-prod", "/x")
    for p in data["properties"]["peerings"]:
        p["id"] = p["id"].replace("/er-ams-prod/", "/x/")
    cfile = tmp_path / "c.json"
    cfile.write_text(json.dumps(data))
    circuits = ergen.load_circuits(cfile)
    assert circuits[0].name == name
    inv = tmp_path / "inv"
    init_inventory(circuits, inv, platform="frr",
                   links=[parse_link("primary=r1:eth1"), parse_link("secondary=r2:eth1")])
    loaded = ergen.load_inventory(inv)
    assert list(loaded.circuits) == [name]
    assert [a.circuit for r in loaded.routers.values() for a in r.data.expressroute] == [name, name]
    ref = loaded.circuits[name].private.md5_key
    assert ref.startswith("file:secrets/") and "/" not in ref[len("file:secrets/"):] and ref.isprintable()


def test_a_router_whose_facts_land_nothing_is_an_error(tmp_path):
    circuits = ergen.load_circuits(EXAMPLE_CIRCUIT)
    links = [parse_link("primary=r1:Gi0/0/1"), parse_link("secondary=r2:Gi0/0/1")]
    with pytest.raises(InputError, match="shows no link"):
        init_inventory(circuits, tmp_path / "a", platform="ios-xe", links=links, facts={"r9": RouterFacts()})
    with pytest.raises(InputError, match="other routers"):
        init_inventory(circuits, tmp_path / "b", platform="ios-xe", links=[parse_link("primary=r1:Gi0/0/1"),
                       parse_link("secondary=r3:Gi0/0/1")], facts=facts_for_example())
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
