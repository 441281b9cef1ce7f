"""Terraform state as a circuit input (src/ergen/azure/terraform.py).

The fixtures in tests/fixtures/terraform are the bundled example circuit (examples/er-ams-prod.json)
as ``terraform show -json`` (circuit in module.expressroute, the Microsoft peering one module deeper)
and as a raw version-4 ``terraform.tfstate`` (count and for_each index keys), plus a second circuit
whose Microsoft peering has IPv6 with its own microsoft_peering block, beside a VNet to ignore.
Bad inputs are built here from the good fixtures: each must be exit 1 through the CLI with exactly one
stderr line naming the file, the resource address and the attribute.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

import ergen
from ergen.azure import parse_circuits
from ergen.azure.terraform import PLAN_JSON, SHOW_JSON, STATE
from ergen.cli import app
from ergen.errors import InputError
from ergen.model.circuit import Circuit, PeeringKind
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT

TF = ROOT / "tests" / "fixtures" / "terraform"
SHOW = TF / "show-modules.json"
TFSTATE = TF / "terraform.tfstate"
V6 = TF / "ipv6-microsoft.json"
SHARED_KEYS = ("ExampleKey2026ams", "ExampleMsftKey2026")
SERVICE_KEY = "a1b2c3d4-0000-4000-8000-00000000e001"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"

MOD = "module.expressroute"
SHOW_CIRCUIT = f"{MOD}.azurerm_express_route_circuit.this"
SHOW_PRIVATE = f"{MOD}.azurerm_express_route_circuit_peering.private"
SHOW_MSFT = f"{MOD}.module.microsoft.azurerm_express_route_circuit_peering.this"
STATE_CIRCUIT = f"{MOD}.azurerm_express_route_circuit.this[0]"
STATE_PRIVATE = f'{MOD}.azurerm_express_route_circuit_peering.this["private"]'
STATE_MSFT = f'{MOD}.azurerm_express_route_circuit_peering.this["microsoft"]'

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def one(path: Path) -> Circuit:
    circuits = ergen.load_circuits(path)
    assert len(circuits) == 1
    return circuits[0]


# the parts of each fixture the bad-input tests change
def show_parts(doc: dict) -> dict:
    mod = doc["values"]["root_module"]["child_modules"][0]
    return {"circuit": mod["resources"][0]["values"], "private": mod["resources"][1]["values"],
            "microsoft": mod["child_modules"][0]["resources"][0]["values"], "module": mod}


def state_parts(doc: dict) -> dict:
    res = doc["resources"]
    return {"circuit": res[2]["instances"][0]["attributes"], "private": res[3]["instances"][1]["attributes"],
            "microsoft": res[3]["instances"][0]["attributes"], "resources": res}


# ----------------------------------------------------------------------------- the good fixtures
def test_show_json_with_nested_modules():
    c = one(SHOW)
    assert c.source_format == SHOW_JSON == "Terraform show -json"
    assert c.source_file == str(SHOW)
    assert (c.name, c.location, c.peering_location, c.service_provider_name) == \
        ("er-ams-prod", "westeurope", "Amsterdam", "Equinix")
    assert c.id == f"{SUB}/resourceGroups/rg-network-prod/providers/Microsoft.Network/expressRouteCircuits/er-ams-prod"
    assert (c.sku_name, c.sku_tier, c.sku_family) == ("Premium_MeteredData", "Premium", "MeteredData")
    assert (c.bandwidth_in_mbps, c.bandwidth_in_gbps, c.bandwidth_label) == (1000, None, "1 Gbps")   # gbps 0: unset
    assert c.service_provider_provisioning_state == "Provisioned"
    assert c.service_key is None                    # sensitive in the provider's schema: never read
    assert c.express_route_port_id is None and not c.is_direct
    assert [p.kind for p in c.peerings] == [PeeringKind.private, PeeringKind.microsoft]
    private, msft = c.peerings
    assert (private.name, private.vlan_id, private.peer_asn, private.azure_asn, private.state) == \
        ("AzurePrivatePeering", 100, 64500, 12076, "Enabled")
    assert (private.primary_peer_address_prefix, private.secondary_peer_address_prefix) == \
        ("192.168.100.128/30", "192.168.100.132/30")
    assert private.shared_key.get_secret_value() == "ExampleKey2026ams" and private.shared_key_set
    v6 = private.ipv6_peering_config
    assert (v6.primary_peer_address_prefix, v6.secondary_peer_address_prefix, v6.state) == \
        ("2001:db8:100::/126", "2001:db8:100::4/126", "Enabled")
    assert v6.microsoft_peering_config is None and v6.route_filter_id is None
    assert private.microsoft_peering_config is None and private.route_filter_id is None
    assert private.primary_azure_port is None          # "" in the state, as in Azure's JSON
    assert msft.shared_key.get_secret_value() == "ExampleMsftKey2026" and msft.shared_key_set
    cfg = msft.microsoft_peering_config
    assert cfg.advertised_public_prefixes == ["198.51.100.0/27"]
    assert (cfg.routing_registry_name, cfg.customer_asn, cfg.advertised_public_prefixes_state) == ("ARIN", None, None)
    assert msft.route_filter_id.endswith("/routeFilters/rf-ams-o365")
    # where each field came from: the resource address and the attribute
    assert private.where("vlan_id") == f"{SHOW_PRIVATE}: vlan_id"
    assert private.where("state") == f"{SHOW_PRIVATE}: ipv4_enabled"
    assert v6.where("primary_peer_address_prefix") == f"{SHOW_PRIVATE}: ipv6[0].primary_peer_address_prefix"
    assert msft.where("peer_asn") == f"{SHOW_MSFT}: peer_asn"
    assert cfg.where("advertised_public_prefixes") == f"{SHOW_MSFT}: microsoft_peering_config[0].advertised_public_prefixes"
    assert msft.where("") == SHOW_MSFT
    assert c.where("sku_tier") == f"{SHOW_CIRCUIT}: sku[0].tier"
    assert c.where("service_provider_provisioning_state") == f"{SHOW_CIRCUIT}: service_provider_provisioning_state"
    assert c.where("stag") == SHOW_CIRCUIT           # no such attribute: the resource itself


def test_raw_tfstate_with_index_keys():
    c = one(TFSTATE)
    assert c.source_format == STATE == "Terraform state"
    assert c.name == "er-ams-prod" and c.service_key is None
    # the state lists the Microsoft peering first; peerings come out private, Microsoft, public
    assert [p.kind for p in c.peerings] == [PeeringKind.private, PeeringKind.microsoft]
    private, msft = c.peerings
    # the private peering's resource group is spelt RG-Network-Prod: Azure's names match in any case
    assert private.vlan_id == 100 and msft.vlan_id == 200
    assert private.where("vlan_id") == f"{STATE_PRIVATE}: vlan_id"
    assert msft.microsoft_peering_config.where("routing_registry_name") == \
        f"{STATE_MSFT}: microsoft_peering_config[0].routing_registry_name"
    assert c.where("name") == f"{STATE_CIRCUIT}: name"
    assert c.bandwidth_in_gbps is None                # null here, 0 in the show -json fixture


def arm_as_terraform_has_it() -> Circuit:
    """The bundled ARM circuit without what a Terraform state cannot hold (docs/terraform.md): Azure's
    circuitProvisioningState, provisioningState, globalReachEnabled, each peering's provisioningState,
    advertisedPublicPrefixesState and legacyMode, and the service key ergen does not read from a state.
    The Terraform fixtures also set the Microsoft peering's shared_key (the inventory's demo key), which
    the ARM example does not show."""
    arm = ergen.load_circuits(EXAMPLE_CIRCUIT)[0]
    assert (arm.circuit_provisioning_state, arm.provisioning_state, arm.global_reach_enabled) == \
        ("Enabled", "Succeeded", False)
    peerings = []
    for p in arm.peerings:
        update = {"provisioning_state": None}
        if p.microsoft_peering_config:
            update["microsoft_peering_config"] = p.microsoft_peering_config.model_copy(
                update={"advertised_public_prefixes_state": None, "legacy_mode": None})
        if p.kind is PeeringKind.microsoft:
            assert p.shared_key is None and not p.shared_key_set
            update.update(shared_key=SecretStr("ExampleMsftKey2026"), shared_key_set=True)
        peerings.append(p.model_copy(update=update))
    return arm.model_copy(update={"service_key": None, "circuit_provisioning_state": None,
                                  "provisioning_state": None, "global_reach_enabled": None, "peerings": peerings})


@pytest.mark.parametrize("path", [SHOW, TFSTATE], ids=["show-json", "tfstate"])
def test_same_circuit_as_the_arm_json(path):
    # model_dump leaves out paths, source_file and source_format (excluded fields); SecretStr compares by value
    assert one(path).model_dump() == arm_as_terraform_has_it().model_dump()


def test_ipv6_microsoft_peering_and_an_unrelated_resource():
    circuits = ergen.load_circuits(V6)
    assert [c.name for c in circuits] == ["er-fra-dr"]      # the azurerm_virtual_network is ignored
    c = circuits[0]
    assert (c.peering_location, c.location, c.bandwidth_in_mbps, c.sku_tier, c.sku_family) == \
        ("Frankfurt", "germanywestcentral", 500, "Standard", "UnlimitedData")
    [p] = c.peerings
    assert (p.kind, p.peer_asn, p.vlan_id) == (PeeringKind.microsoft, 64501, 300)
    assert p.shared_key is None and not p.shared_key_set
    assert p.microsoft_peering_config.advertised_public_prefixes == ["198.51.100.64/28"]
    assert p.microsoft_peering_config.routing_registry_name == "RIPENCC"
    v6 = p.ipv6_peering_config
    assert (v6.primary_peer_address_prefix, v6.secondary_peer_address_prefix, v6.state) == \
        ("2001:db8:200::/126", "2001:db8:200::4/126", "Enabled")
    assert v6.route_filter_id.endswith("/routeFilters/rf-fra-o365")
    m6 = v6.microsoft_peering_config
    assert (m6.advertised_public_prefixes, m6.customer_asn, m6.routing_registry_name) == \
        (["2001:db8:2000::/48"], 64501, "RIPENCC")
    assert m6.where("advertised_public_prefixes") == \
        "azurerm_express_route_circuit_peering.microsoft[0]: ipv6[0].microsoft_peering[0].advertised_public_prefixes"
    assert c.where("") == "azurerm_express_route_circuit.dr[0]"


# ----------------------------------------------------------------------------- render and show
def _configs(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("path", [SHOW, TFSTATE], ids=["show-json", "tfstate"])
def test_render_matches_the_arm_render(path, tmp_path):
    arm_out, tf_out = tmp_path / "arm", tmp_path / "tf"
    for src, out in ((EXAMPLE_CIRCUIT, arm_out), (path, tf_out)):
        res = run("render", src, "-i", EXAMPLE_INVENTORY, "--out", out)
        assert res.exit_code == 0, res.output
    arm, tf = _configs(arm_out), _configs(tf_out)
    assert sorted(arm) == sorted(tf) == ["ams-er-r1.cfg", "ams-er-r2.cfg"]
    for name in arm:
        # The only difference allowed: ergen does not read the service key from a Terraform state, so the
        # ARM render's " skey <key>" in interface descriptions is removed, and its header's
        # "service key <key>" reads "service key -" as for any circuit without one.
        assert f" skey {SERVICE_KEY}" in arm[name] and SERVICE_KEY not in tf[name]
        expected = arm[name].replace(f" skey {SERVICE_KEY}", "").replace(f"service key {SERVICE_KEY}", "service key -")
        assert tf[name] == expected, name


@pytest.mark.parametrize("path", [SHOW, TFSTATE], ids=["show-json", "tfstate"])
def test_keys_are_never_shown(path):
    text = run("show", path)
    as_json = run("show", path, "-o", "json")
    masked = run("render", path, "-i", EXAMPLE_INVENTORY, "--stdout")
    checked = run("validate", path, "-i", EXAMPLE_INVENTORY)
    for res in (text, as_json, masked, checked):
        assert res.exit_code == 0, res.output
        for secret in (*SHARED_KEYS, SERVICE_KEY):
            assert secret not in res.stdout and secret not in res.stderr
    assert "MD5 key set in Azure" in text.stdout and "Terraform" in text.stdout
    data = json.loads(as_json.stdout)
    assert [p["shared_key_set"] for p in data["peerings"]] == [True, True]
    assert data["service_key"] is None
    c = one(path)
    assert not any(k in repr(c) or k in str(c.model_dump()) for k in SHARED_KEYS)


def test_validate_names_resource_and_attribute(tmp_path):
    doc = load(SHOW)
    show_parts(doc)["private"]["vlan_id"] = 5000
    f = tmp_path / "state.json"
    f.write_text(json.dumps(doc))
    res = run("validate", f, "-i", EXAMPLE_INVENTORY)
    assert res.exit_code == 1
    assert f"{f}: {SHOW_PRIVATE}: vlan_id: error ER302" in res.stdout + res.stderr


def test_disabled_peering_is_er508(tmp_path):
    # ipv4_enabled is the provider's view of Azure's peering state
    doc = load(SHOW)
    show_parts(doc)["microsoft"]["ipv4_enabled"] = False
    f = tmp_path / "state.json"
    f.write_text(json.dumps(doc))
    res = run("validate", f, "-i", EXAMPLE_INVENTORY)
    assert f"{f}: {SHOW_MSFT}: ipv4_enabled: warning ER508" in res.stdout + res.stderr


def test_unknown_states_do_not_misfire():
    """The facts a state lacks stay None: ER507, ER508 and ER602 treat None as unknown and stay quiet,
    also when the provider's own service_provider_provisioning_state and ipv4_enabled are null."""
    doc = load(TFSTATE)
    parts = state_parts(doc)
    parts["circuit"]["service_provider_provisioning_state"] = None
    parts["private"]["ipv4_enabled"] = parts["microsoft"]["ipv4_enabled"] = None
    for circuits in (ergen.load_circuits(TFSTATE), parse_circuits(json.dumps(doc), "nulls.tfstate")):
        c = circuits[0]
        assert c.circuit_provisioning_state is None and c.provisioning_state is None
        assert all(p.provisioning_state is None for p in c.peerings)
        assert c.peering("microsoft").microsoft_peering_config.advertised_public_prefixes_state is None
        report = ergen.validate(circuits, ergen.load_inventory(EXAMPLE_INVENTORY))
        codes = {p.code for p in report.problems}
        assert not codes & {"ER507", "ER508", "ER602"}, codes
        assert not report.errors


# ----------------------------------------------------------------------------- bad input, through the CLI
def _circuit_values_list(d):
    show_parts(d)["circuit"]["sku"] = [["Premium", "MeteredData"]]


def _no_circuit_show(d):
    del show_parts(d)["module"]["resources"][0]


def _no_circuit_state(d):
    del state_parts(d)["resources"][2]


def _set(part, key, value, *, state=False):
    def mutate(d):
        (state_parts if state else show_parts)(d)[part][key] = value
    return mutate


def _delete(part, key, *, state=False):
    def mutate(d):
        del (state_parts if state else show_parts)(d)[part][key]
    return mutate


def _msft_config(key, value):
    def mutate(d):
        show_parts(d)["microsoft"]["microsoft_peering_config"][0][key] = value
    return mutate


def _values_of_circuit(value):
    def mutate(d):
        show_parts(d)["module"]["resources"][0]["values"] = value
    return mutate


def _instance(key, value):
    def mutate(d):
        state_parts(d)["resources"][3]["instances"][0][key] = value
    return mutate


def _top(key, value):
    def mutate(d):
        d[key] = value
    return mutate


def _child_modules(value):
    def mutate(d):
        d["values"]["root_module"]["child_modules"] = value
    return mutate


BAD = {
    # terraform show -json
    "vlan-letters": (SHOW, _set("private", "vlan_id", "one hundred"), f"{SHOW_PRIVATE}: vlan_id"),
    "vlan-null": (SHOW, _set("private", "vlan_id", None), f"{SHOW_PRIVATE}: vlan_id"),
    "vlan-missing": (SHOW, _delete("private", "vlan_id"), f"{SHOW_PRIVATE}: vlan_id"),
    "vlan-a-list": (SHOW, _set("private", "vlan_id", [100]), f"{SHOW_PRIVATE}: vlan_id"),
    "peer-asn-negative": (SHOW, _set("microsoft", "peer_asn", -64500), f"{SHOW_MSFT}: peer_asn"),
    "peer-asn-true": (SHOW, _set("microsoft", "peer_asn", True), f"{SHOW_MSFT}: peer_asn"),
    "peering-type-missing": (SHOW, _delete("private", "peering_type"), f"{SHOW_PRIVATE}: peering_type"),
    "peering-type-unknown": (SHOW, _set("private", "peering_type", "AzureGlobalPeering"), f"{SHOW_PRIVATE}: peering_type"),
    "peering-type-twice": (SHOW, _set("microsoft", "peering_type", "AzurePrivatePeering"), f"{SHOW_MSFT}: peering_type"),
    "circuit-not-in-state": (SHOW, _set("microsoft", "express_route_circuit_name", "er-ams-other"),
                             f"{SHOW_MSFT}: express_route_circuit_name"),
    "circuit-in-other-group": (SHOW, _set("microsoft", "resource_group_name", "rg-network-test"),
                               f"{SHOW_MSFT}: express_route_circuit_name"),
    "sku-list-in-list": (SHOW, _circuit_values_list, f"{SHOW_CIRCUIT}: sku[0]"),
    "sku-an-object": (SHOW, _set("circuit", "sku", {"tier": "Premium"}), f"{SHOW_CIRCUIT}: sku"),
    "two-sku-blocks": (SHOW, _set("circuit", "sku", [{"tier": "Premium"}, {"tier": "Standard"}]), f"{SHOW_CIRCUIT}: sku"),
    "ipv6-an-object": (SHOW, _set("private", "ipv6", {"enabled": True}), f"{SHOW_PRIVATE}: ipv6"),
    "ipv6-list-of-lists": (SHOW, _set("private", "ipv6", [[]]), f"{SHOW_PRIVATE}: ipv6[0]"),
    "ipv6-enabled-text": (SHOW, _set("private", "ipv6", [{"enabled": "maybe"}]), f"{SHOW_PRIVATE}: ipv6[0].enabled"),
    "ipv4-enabled-number": (SHOW, _set("private", "ipv4_enabled", 2), f"{SHOW_PRIVATE}: ipv4_enabled"),
    "prefixes-an-object": (SHOW, _msft_config("advertised_public_prefixes", {"a": 1}),
                           f"{SHOW_MSFT}: microsoft_peering_config[0].advertised_public_prefixes"),
    "customer-asn-negative": (SHOW, _msft_config("customer_asn", -1),
                              f"{SHOW_MSFT}: microsoft_peering_config[0].customer_asn"),
    "shared-key-a-list": (SHOW, _set("private", "shared_key", ["ExampleKey2026ams"]), f"{SHOW_PRIVATE}: shared_key"),
    "prefix-an-object": (SHOW, _set("private", "primary_peer_address_prefix", {"ip": "192.168.100.128"}),
                         f"{SHOW_PRIVATE}: primary_peer_address_prefix"),
    "circuit-name-missing": (SHOW, lambda d: show_parts(d)["circuit"].update(name=None, id=None), f"{SHOW_CIRCUIT}: name"),
    "circuit-name-newline": (SHOW, _set("circuit", "name", "er-ams\nprod"), f"{SHOW_CIRCUIT}: name"),
    "bandwidth-negative": (SHOW, _set("circuit", "bandwidth_in_mbps", -1000), f"{SHOW_CIRCUIT}: bandwidth_in_mbps"),
    "bandwidth-text": (SHOW, _set("circuit", "bandwidth_in_gbps", "ten"), f"{SHOW_CIRCUIT}: bandwidth_in_gbps"),
    "values-a-list": (SHOW, _values_of_circuit([]), f"{SHOW_CIRCUIT}: values"),
    "values-null": (SHOW, _values_of_circuit(None), f"{SHOW_CIRCUIT}: values"),
    "child-modules-an-object": (SHOW, _child_modules({}), "values.root_module.child_modules"),
    "root-module-a-list": (SHOW, lambda d: d["values"].update(root_module=[]), "values.root_module"),
    "no-circuit": (SHOW, _no_circuit_show, "(document)"),
    "empty-state": (SHOW, lambda d: d.pop("values"), "(document)"),
    # terraform.tfstate
    "state-vlan-letters": (TFSTATE, _set("private", "vlan_id", "abc", state=True), f"{STATE_PRIVATE}: vlan_id"),
    "state-peer-asn-negative": (TFSTATE, _set("microsoft", "peer_asn", -1, state=True), f"{STATE_MSFT}: peer_asn"),
    "state-index-key-object": (TFSTATE, _instance("index_key", {"k": 1}),
                               f"{MOD}.azurerm_express_route_circuit_peering.this: instances[0].index_key"),
    "state-attributes-a-list": (TFSTATE, _instance("attributes", [1, 2]), f"{STATE_MSFT}: attributes"),
    "state-instances-an-object": (TFSTATE, lambda d: state_parts(d)["resources"][3].update(instances={}),
                                  f"{MOD}.azurerm_express_route_circuit_peering.this: instances"),
    "state-circuit-not-in-state": (TFSTATE, _no_circuit_state, "(document)"),
    "state-orphan-peering": (TFSTATE, _set("private", "express_route_circuit_name", "er-fra-dr", state=True),
                             f"{STATE_PRIVATE}: express_route_circuit_name"),
    "state-version-3": (TFSTATE, _top("version", 3), "version"),
    "state-resources-an-object": (TFSTATE, _top("resources", {}), "resources"),
    "state-module-a-number": (TFSTATE, lambda d: state_parts(d)["resources"][2].update(module=7), "resources[2].module"),
    "state-resource-a-list": (TFSTATE, lambda d: state_parts(d)["resources"].append([]), "resources[4]"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line(case, tmp_path):
    src, mutate, field = BAD[case]
    doc = load(src)
    mutate(doc)
    f = tmp_path / src.name
    f.write_text(json.dumps(doc))
    res = run("validate", f, "-i", EXAMPLE_INVENTORY)
    assert res.exit_code == 1, res.output
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"ergen: error: {f}: {field}: "), lines[0]
    assert "Traceback" not in res.output and "internal error" not in res.stderr
    for secret in (*SHARED_KEYS, SERVICE_KEY):
        assert secret not in res.stderr and secret not in res.stdout
    # the library raises the same line
    with pytest.raises(InputError) as info:
        ergen.load_circuits(f)
    assert str(info.value) == lines[0].removeprefix("ergen: error: ")


# ----------------------------------------------------------------------------- odd but valid input
def test_nulls_and_empty_lists_are_unset():
    doc = load(TFSTATE)
    parts = state_parts(doc)
    keep = {"name", "resource_group_name"}
    for k in list(parts["circuit"]):
        if k not in keep:
            parts["circuit"][k] = None if k not in ("sku", "tags") else []
    for k in list(parts["microsoft"]):
        if k not in {"peering_type", "express_route_circuit_name", "resource_group_name", "vlan_id"}:
            parts["microsoft"][k] = None
    parts["private"].update(ipv6=[], microsoft_peering_config=[None], shared_key="", ipv4_enabled=None)
    c = parse_circuits(json.dumps(doc), "odd.tfstate")[0]
    assert (c.name, c.id, c.sku_tier, c.sku_name, c.bandwidth_in_mbps, c.location) == \
        ("er-ams-prod", None, None, None, None, None)
    private, msft = c.peerings
    assert private.ipv6_peering_config is None and private.microsoft_peering_config is None
    assert private.shared_key is None and not private.shared_key_set and private.state is None
    assert (msft.peer_asn, msft.azure_asn, msft.primary_peer_address_prefix, msft.microsoft_peering_config,
            msft.shared_key_set, msft.id) == (None, None, None, None, False, None)


def test_empty_blocks_and_lists():
    doc = load(SHOW)
    parts = show_parts(doc)
    parts["microsoft"]["microsoft_peering_config"] = [{"advertised_public_prefixes": [], "advertised_communities": None,
                                                       "customer_asn": None, "routing_registry_name": "NONE"}]
    parts["private"]["ipv6"] = [{"microsoft_peering": [], "primary_peer_address_prefix": None}]
    c = parse_circuits(json.dumps(doc), "empty.json")[0]
    cfg = c.peering("microsoft").microsoft_peering_config
    assert (cfg.advertised_public_prefixes, cfg.advertised_communities, cfg.customer_asn, cfg.routing_registry_name) == \
        ([], [], None, None)
    v6 = c.peering("private").ipv6_peering_config
    assert v6.primary_peer_address_prefix is None and v6.microsoft_peering_config is None and v6.state is None


def _show_doc(resources_by_module: dict[str, list[dict]]) -> dict:
    """A show -json document with the given resources in the given module addresses ("" for root)."""
    root: dict = {"resources": resources_by_module.get("", [])}
    for addr, resources in resources_by_module.items():
        if not addr:
            continue
        node, path = root, []
        for part in addr.split(".module."):    # module.a.module.b: module.a, then module.a.module.b
            path.append(part)
            full = ".module.".join(path)
            kids = node.setdefault("child_modules", [])
            child = next((k for k in kids if k["address"] == full), None)
            if child is None:
                child = {"address": full, "resources": []}
                kids.append(child)
            node = child
        node["resources"] += resources
    return {"format_version": "1.0", "values": {"root_module": root}}


def _res(module: str, typ: str, name: str, index, values: dict, mode: str = "managed") -> dict:
    idx = "" if index is None else f"[{json.dumps(index)}]"
    addr = f"{module + '.' if module else ''}{'data.' if mode == 'data' else ''}{typ}.{name}{idx}"
    r = {"address": addr, "mode": mode, "type": typ, "name": name, "values": values, "sensitive_values": {}}
    if index is not None:
        r["index"] = index
    return r


def test_three_modules_deep_and_index_keys():
    base = show_parts(load(SHOW))
    deep = "module.a.module.b.module.c"
    doc = _show_doc({
        "module.a": [_res("module.a", "azurerm_express_route_circuit_peering", "p", "private", base["private"])],
        deep: [_res(deep, "azurerm_express_route_circuit", "c", 0, base["circuit"]),
               _res(deep, "azurerm_express_route_circuit_peering", "p", 1, base["microsoft"])],
        # a data source of the circuit's type is not the managed circuit
        "": [_res("", "azurerm_express_route_circuit", "existing", None, {"name": "er-ams-prod"}, mode="data")],
    })
    c = parse_circuits(json.dumps(doc), "deep.json")[0]
    assert c.where("") == f"{deep}.azurerm_express_route_circuit.c[0]"
    assert c.peering("private").where("vlan_id") == 'module.a.azurerm_express_route_circuit_peering.p["private"]: vlan_id'
    assert c.peering("microsoft").where("vlan_id") == f"{deep}.azurerm_express_route_circuit_peering.p[1]: vlan_id"


def test_raw_state_module_paths_and_deposed_objects():
    doc = load(TFSTATE)
    res = state_parts(doc)["resources"]
    res[2]["module"] = "module.a.module.b.module.c"
    res[2]["instances"][0]["index_key"] = "ams"
    old = copy.deepcopy(res[2]["instances"][0])
    old.update(deposed="00000001", index_key="ams")
    old["attributes"]["peering_location"] = "Old Location"
    res[2]["instances"].append(old)   # create_before_destroy: the old object waits to be destroyed
    c = parse_circuits(json.dumps(doc), "x.tfstate")[0]
    assert c.where("name") == 'module.a.module.b.module.c.azurerm_express_route_circuit.this["ams"]: name'
    assert c.peering_location == "Amsterdam"


def test_several_circuits_in_one_state():
    b = load(V6)["values"]["root_module"]["resources"]
    doc = load(SHOW)
    doc["values"]["root_module"]["resources"] += b
    names = [(c.name, [p.short for p in c.peerings]) for c in parse_circuits(json.dumps(doc), "two.json")]
    assert names == [("er-fra-dr", ["microsoft"]), ("er-ams-prod", ["private", "microsoft"])]


def test_the_same_circuit_twice_is_an_error():
    doc = load(SHOW)
    mod = show_parts(doc)["module"]
    twin = copy.deepcopy(mod["resources"][0])
    twin["address"] = f"{MOD}.azurerm_express_route_circuit.twin"
    twin["values"]["name"] = "ER-AMS-PROD"
    mod["resources"].append(twin)
    with pytest.raises(InputError) as info:
        parse_circuits(json.dumps(doc), "twice.json")
    assert str(info.value).startswith(f"twice.json: {MOD}.azurerm_express_route_circuit.twin: name: ")
    assert SHOW_CIRCUIT in str(info.value)


def test_masked_shared_key_is_set_but_unknown():
    doc = load(SHOW)
    show_parts(doc)["private"]["shared_key"] = "(sensitive value)"
    p = parse_circuits(json.dumps(doc), "masked.json")[0].peering("private")
    assert p.shared_key is None and p.shared_key_set


def test_a_saved_plan_reads_its_planned_values():
    show = load(SHOW)
    plan = {"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": show["values"],
            "prior_state": {"format_version": "1.0", "values": {"root_module": {}}}, "resource_changes": []}
    c = parse_circuits(json.dumps(plan), "plan.json")[0]
    assert c.source_format == PLAN_JSON
    assert c.peering("private").where("vlan_id") == f"{SHOW_PRIVATE}: vlan_id"


def test_peering_without_id_or_names_uses_the_id():
    doc = load(SHOW)
    msft = show_parts(doc)["microsoft"]
    msft["express_route_circuit_name"] = msft["resource_group_name"] = None   # the id still names both
    assert [p.short for p in parse_circuits(json.dumps(doc), "id.json")[0].peerings] == ["private", "microsoft"]


def test_arm_json_is_not_taken_for_terraform():
    # keys of Azure's own shapes never make a document Terraform's
    data = load(EXAMPLE_CIRCUIT)
    data["version"] = 4
    data["resources"] = []
    assert parse_circuits(json.dumps(data), "arm.json")[0].source_format == "ARM/REST"


# ----------------------------------------------------------------------------- mutations
_ODD = [None, "", "abc", -1, 0, 2**70, 1.5, True, [], {}, [None], [[]], [{}], {"a": 1}, "x\ny", "\u2028", ["a"]]


def _slots(obj, out, parent=None, key=None):
    out.append((parent, key))
    if isinstance(obj, dict):
        for k, v in obj.items():
            _slots(v, out, obj, k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            _slots(v, out, obj, i)
    return out


def _mutate(doc, rng: random.Random):
    for _ in range(rng.choice([1, 1, 2, 3])):
        parent, key = rng.choice(_slots(doc, []))
        if parent is None:
            continue
        op = rng.randrange(4)
        if op == 0 and isinstance(parent, dict):
            del parent[key]
        elif op == 1:
            parent[key] = [parent[key]] if rng.random() < 0.5 else {"values": parent[key]}
        else:
            parent[key] = copy.deepcopy(rng.choice(_ODD))
    return doc


@pytest.mark.parametrize("path", [SHOW, TFSTATE, V6], ids=lambda p: p.name)
def test_mutated_states_read_or_fail_in_one_line(path):
    rng = random.Random(f"terraform-{path.name}")
    base = load(path)
    read = failed = 0
    for _ in range(400):
        text = json.dumps(_mutate(copy.deepcopy(base), rng))
        try:
            circuits = parse_circuits(text, "mutated.json")
        except InputError as exc:
            line = str(exc)
            assert line.startswith("mutated.json: ") and exc.field, line
            assert len(line.splitlines()) == 1 and line.isprintable(), line
            assert not any(s in line for s in SHARED_KEYS), line
            failed += 1
        else:
            assert circuits and all(isinstance(c, Circuit) for c in circuits)
            read += 1
    assert read and failed   # both happen: the mutations are neither all harmless nor all fatal
