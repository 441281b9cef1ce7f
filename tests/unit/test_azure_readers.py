"""Readers for Azure's ExpressRoute JSON shapes: ARM/REST, az CLI, PowerShell, peering lists.

Every fixture in tests/fixtures/azure is read and its real values checked; the error
tests check that a user mistake is one InputError line naming the file and JSON path.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ergen.azure import load_circuits, parse_circuits
from ergen.errors import InputError
from ergen.model.circuit import Circuit, PeeringKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"


def fixture(name: str) -> Path:
    return FIXTURES / name


def fixture_json(name: str):
    return json.loads(fixture(name).read_text(encoding="utf-8-sig"))


def load_one(name: str) -> Circuit:
    circuits = load_circuits(fixture(name))
    assert len(circuits) == 1
    return circuits[0]


def expect_error(path: Path | str, *, field: str, file: Path | str | None = None, **kwargs) -> InputError:
    """load_circuits(path) must raise a one-line InputError naming ``file`` (default: path) and ``field``."""
    with pytest.raises(InputError) as info:
        load_circuits(path, **kwargs)
    err = info.value
    text = str(err)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(f"{file or path}: "), text
    assert f": {field}: " in text, text
    assert err.field == field
    return err


def write_json(tmp_path: Path, name: str, data) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return p


# ----------------------------------------------------------------------------- ARM/REST 2024-05-01
def test_rest_2024_circuit():
    c = load_one("rest-2024-circuit.json")
    assert c.source_format == "ARM/REST"
    assert c.source_file == str(fixture("rest-2024-circuit.json"))
    assert c.name == "er-fra-contoso-01"
    assert c.id == f"{SUB}/resourceGroups/rg-er-fra/providers/Microsoft.Network/expressRouteCircuits/er-fra-contoso-01"
    assert c.location == "germanywestcentral"
    assert (c.sku_name, c.sku_tier, c.sku_family) == ("Premium_UnlimitedData", "Premium", "UnlimitedData")
    assert c.service_provider_name == "Equinix"
    assert c.peering_location == "Frankfurt"
    assert c.bandwidth_in_mbps == 1000
    assert c.bandwidth_in_gbps is None
    assert c.bandwidth_label == "1 Gbps"
    assert c.service_key == "00000000-0000-0000-0000-00000000c0de"
    assert c.service_provider_provisioning_state == "Provisioned"
    assert c.circuit_provisioning_state == "Enabled"
    assert c.provisioning_state == "Succeeded"
    assert c.global_reach_enabled is True
    assert c.express_route_port_id is None and c.stag is None and not c.is_direct
    assert [p.kind for p in c.peerings] == [PeeringKind.private, PeeringKind.microsoft]


def test_rest_2024_private_peering():
    p = load_one("rest-2024-circuit.json").peering("private")
    assert p.name == "AzurePrivatePeering"
    assert p.state == "Enabled"
    assert (p.azure_asn, p.peer_asn) == (12076, 65010)
    assert p.primary_peer_address_prefix == "172.16.10.0/30"
    assert p.secondary_peer_address_prefix == "172.16.10.4/30"
    assert p.primary_azure_port == "FRA-EQX-06GMR-CIS-1-PRI-A"
    assert p.secondary_azure_port == "FRA-EQX-06GMR-CIS-2-SEC-A"
    assert p.vlan_id == 110
    assert p.microsoft_peering_config is None
    assert p.route_filter_id is None
    assert p.shared_key is None and p.shared_key_set is False
    assert p.provisioning_state == "Succeeded"
    assert p.express_route_connection_id == (
        f"{SUB}/resourceGroups/rg-vwan-fra/providers/Microsoft.Network/expressRouteGateways/"
        "ergw-vhub-fra/expressRouteConnections/conn-er-fra-contoso-01")
    v6 = p.ipv6_peering_config
    assert v6.primary_peer_address_prefix == "2001:db8:a10::/126"
    assert v6.secondary_peer_address_prefix == "2001:db8:a10::4/126"
    assert v6.state == "Enabled"
    assert v6.microsoft_peering_config is None and v6.route_filter_id is None
    assert p.id.endswith("/expressRouteCircuits/er-fra-contoso-01/peerings/AzurePrivatePeering")


def test_rest_2024_microsoft_peering():
    p = load_one("rest-2024-circuit.json").peering(PeeringKind.microsoft)
    assert (p.azure_asn, p.peer_asn, p.vlan_id) == (12076, 64500, 120)
    assert (p.primary_peer_address_prefix, p.secondary_peer_address_prefix) == ("203.0.113.16/30", "203.0.113.20/30")
    m = p.microsoft_peering_config
    assert m.advertised_public_prefixes == ["198.51.100.0/26", "198.51.100.64/27"]
    assert m.advertised_communities == ["64500:100"]
    assert m.advertised_public_prefixes_state == "Configured"
    assert m.customer_asn == 64501
    assert m.routing_registry_name == "RIPENCC"
    assert m.legacy_mode == 0
    assert p.route_filter_id == f"{SUB}/resourceGroups/rg-er-fra/providers/Microsoft.Network/routeFilters/rf-fra-m365"
    assert p.express_route_connection_id is None  # "" in the file
    v6 = p.ipv6_peering_config
    assert (v6.primary_peer_address_prefix, v6.secondary_peer_address_prefix) == ("2001:db8:f00::/126", "2001:db8:f00::4/126")
    assert v6.microsoft_peering_config.advertised_public_prefixes == ["2001:db8:f100::/48"]
    assert v6.microsoft_peering_config.advertised_public_prefixes_state == "ValidationNeeded"
    assert v6.microsoft_peering_config.customer_asn == 64501
    assert v6.route_filter_id.endswith("/routeFilters/rf-fra-m365-v6")


def test_rest_2024_paths_name_the_source_fields():
    c = load_one("rest-2024-circuit.json")
    p = c.peering("microsoft")
    assert c.where("name") == "name"
    assert c.where("peerings") == "properties.peerings"
    assert c.where("bandwidth_in_mbps") == "properties.serviceProviderProperties.bandwidthInMbps"
    assert c.where("sku_tier") == "sku.tier"
    assert p.where("vlan_id") == "properties.peerings[1].properties.vlanId"
    assert p.where("peer_asn") == "properties.peerings[1].properties.peerASN"
    assert p.where("name") == "properties.peerings[1].name"
    assert p.where("route_filter_id") == "properties.peerings[1].properties.routeFilter"
    assert p.microsoft_peering_config.where("customer_asn") == \
        "properties.peerings[1].properties.microsoftPeeringConfig.customerASN"
    assert p.ipv6_peering_config.where("primary_peer_address_prefix") == \
        "properties.peerings[1].properties.ipv6PeeringConfig.primaryPeerAddressPrefix"


# ----------------------------------------------------------------------------- ARM/REST 2018
def test_rest_2018_circuit_nulls_and_empty_strings():
    c = load_one("rest-2018-circuit.json")
    assert c.source_format == "ARM/REST"
    assert c.name == "er-sea-fabrikam-legacy"
    assert (c.service_provider_name, c.peering_location, c.bandwidth_in_mbps) == ("Megaport", "Seattle", 500)
    assert (c.sku_tier, c.sku_family) == ("Standard", "MeteredData")
    assert c.global_reach_enabled is None  # not in this api-version
    assert c.express_route_port_id is None and c.bandwidth_in_gbps is None
    assert [p.kind for p in c.peerings] == [PeeringKind.private, PeeringKind.public, PeeringKind.microsoft]

    private = c.peering("private")
    assert (private.peer_asn, private.vlan_id) == (65020, 100)
    assert (private.primary_peer_address_prefix, private.secondary_peer_address_prefix) == ("10.20.0.0/30", "10.20.0.4/30")
    assert private.primary_azure_port is None  # "" in the file
    assert private.microsoft_peering_config is None  # null
    assert private.ipv6_peering_config is None       # null
    assert private.route_filter_id is None           # null
    assert private.express_route_connection_id is None  # ""
    assert private.shared_key is None and private.shared_key_set is False

    public = c.peering("public")
    assert public.name == "AzurePublicPeering"
    assert (public.state, public.peer_asn, public.vlan_id) == ("Disabled", 64502, 200)
    assert public.primary_peer_address_prefix == "192.0.2.0/30"

    msft = c.peering("microsoft")
    assert msft.vlan_id == 300
    m = msft.microsoft_peering_config
    assert m.advertised_public_prefixes == ["203.0.113.192/26"]
    assert m.advertised_communities == []  # null
    assert m.customer_asn is None          # null
    assert m.legacy_mode == 1
    assert m.routing_registry_name == "ARIN"


# ----------------------------------------------------------------------------- new circuit, peering list
def test_rest_circuit_without_peerings():
    c = load_one("rest-circuit-no-peerings.json")
    assert c.source_format == "ARM/REST"
    assert c.name == "er-lon-contoso-02"
    assert c.service_provider_provisioning_state == "NotProvisioned"
    assert (c.service_provider_name, c.peering_location, c.bandwidth_in_mbps) == ("Colt", "London2", 200)
    assert c.bandwidth_label == "200 Mbps"
    assert c.peerings == []
    assert c.peering("private") is None


def test_rest_peering_list():
    c = load_one("rest-peering-list.json")
    assert c.source_format == "peering list (ARM/REST)"
    assert c.name == "er-lon-contoso-02"  # taken from the peering ids
    assert [(p.name, p.vlan_id, p.peer_asn) for p in c.peerings] == [
        ("AzurePrivatePeering", 300, 65030), ("MicrosoftPeering", 310, 64503)]
    private, msft = c.peerings
    assert private.ipv6_peering_config.primary_peer_address_prefix == "2001:db8:30::/126"
    assert msft.microsoft_peering_config.advertised_public_prefixes == ["198.51.100.160/28"]
    assert msft.microsoft_peering_config.customer_asn is None  # 0 means unset
    assert msft.microsoft_peering_config.routing_registry_name == "ARIN"
    assert msft.route_filter_id.endswith("/routeFilters/rf-lon-m365")
    assert msft.where("vlan_id") == "value[1].properties.vlanId"


def test_circuit_file_plus_peering_list_are_merged():
    circuits = load_circuits(fixture("rest-circuit-no-peerings.json"), peerings=fixture("rest-peering-list.json"))
    assert len(circuits) == 1
    c = circuits[0]
    assert c.name == "er-lon-contoso-02"
    assert c.source_format == "ARM/REST"
    assert c.service_provider_name == "Colt"
    assert [p.kind for p in c.peerings] == [PeeringKind.private, PeeringKind.microsoft]
    assert c.peering("private").primary_peer_address_prefix == "192.168.30.0/30"
    assert c.peering("microsoft").secondary_peer_address_prefix == "203.0.113.36/30"
    assert c.peering("microsoft").where("vlan_id") == "value[1].properties.vlanId"


def test_peering_list_of_another_circuit_is_refused():
    err = expect_error(fixture("rest-circuit-no-peerings.json"), field="(document)",
                       peerings=fixture("azcli-peering-list.json"), file=fixture("azcli-peering-list.json"))
    assert "er-ams-contoso-01" in str(err)


def test_peering_list_repeating_a_peering_is_refused(tmp_path):
    peerings = fixture_json("azcli-show.json")["peerings"][:1]
    extra = write_json(tmp_path, "fra-peerings.json", peerings)
    err = expect_error(fixture("rest-2024-circuit.json"), field="(document)", peerings=extra, file=extra)
    assert "AzurePrivatePeering" in str(err)


# ----------------------------------------------------------------------------- az CLI
def test_azcli_show():
    c = load_one("azcli-show.json")
    assert c.source_format == "az CLI"
    assert c.name == "er-fra-contoso-01"
    assert (c.service_provider_name, c.peering_location, c.bandwidth_in_mbps) == ("Equinix", "Frankfurt", 1000)
    assert c.sku_name == "Premium_UnlimitedData"
    private, msft = c.peerings
    assert (private.azure_asn, private.peer_asn, private.vlan_id) == (12076, 65010, 110)
    assert private.express_route_connection_id.endswith("/expressRouteConnections/conn-er-fra-contoso-01")
    assert private.ipv6_peering_config.secondary_peer_address_prefix == "2001:db8:a10::4/126"
    assert msft.microsoft_peering_config.customer_asn == 64501  # spelt customerAsn
    assert msft.microsoft_peering_config.advertised_public_prefixes == ["198.51.100.0/26", "198.51.100.64/27"]
    assert msft.route_filter_id.endswith("/routeFilters/rf-fra-m365")
    assert msft.express_route_connection_id is None  # null
    assert msft.where("peer_asn") == "peerings[1].peerAsn"
    assert msft.where("vlan_id") == "peerings[1].vlanId"
    assert msft.microsoft_peering_config.where("customer_asn") == "peerings[1].microsoftPeeringConfig.customerAsn"


def test_rest_and_azcli_give_the_same_circuit():
    rest = load_one("rest-2024-circuit.json")
    cli = load_one("azcli-show.json")
    assert [p.model_dump() for p in rest.peerings] == [p.model_dump() for p in cli.peerings]
    assert rest.model_dump() == cli.model_dump()
    assert (rest.source_format, cli.source_format) == ("ARM/REST", "az CLI")


def test_azcli_peering_list():
    c = load_one("azcli-peering-list.json")
    assert c.source_format == "peering list (az CLI)"
    assert c.name == "er-ams-contoso-01"
    private, msft = c.peerings
    assert (private.kind, private.peer_asn, private.vlan_id) == (PeeringKind.private, 65040, 400)
    assert (private.primary_peer_address_prefix, private.secondary_peer_address_prefix) == ("10.40.255.0/30", "10.40.255.4/30")
    assert private.ipv6_peering_config is None
    assert (msft.kind, msft.peer_asn, msft.vlan_id) == (PeeringKind.microsoft, 64504, 410)
    assert msft.microsoft_peering_config.advertised_public_prefixes == ["198.51.100.192/28", "198.51.100.208/28"]
    assert msft.microsoft_peering_config.customer_asn is None
    assert msft.ipv6_peering_config.primary_peer_address_prefix == "2001:db8:4000::/126"
    assert msft.ipv6_peering_config.microsoft_peering_config.advertised_public_prefixes == ["2001:db8:4400::/48"]
    assert msft.ipv6_peering_config.route_filter_id.endswith("/routeFilters/rf-ams-m365")
    assert msft.where("vlan_id") == "[1].vlanId"


def test_azcli_list_of_two_circuits():
    circuits = load_circuits(fixture("azcli-list.json"))
    assert [c.name for c in circuits] == ["er-sin-fabrikam-01", "er-syd-fabrikam-02"]
    assert {c.source_format for c in circuits} == {"az CLI"}
    sin, syd = circuits
    assert (sin.service_provider_name, sin.bandwidth_in_mbps, sin.bandwidth_label) == ("Singtel", 2000, "2 Gbps")
    assert [(p.name, p.peer_asn, p.vlan_id, p.primary_peer_address_prefix) for p in sin.peerings] == [
        ("AzurePrivatePeering", 65050, 500, "10.50.0.0/30")]
    assert sin.peerings[0].where("vlan_id") == "[0].peerings[0].vlanId"
    assert (syd.sku_tier, syd.service_provider_provisioning_state, syd.peerings) == ("Local", "NotProvisioned", [])


# ----------------------------------------------------------------------------- PowerShell
def test_powershell_fixture_has_a_bom():
    assert fixture("powershell-circuit.json").read_bytes().startswith(b"\xef\xbb\xbf")


def test_powershell_circuit():
    c = load_one("powershell-circuit.json")
    assert c.source_format == "PowerShell"
    assert c.name == "er-sin-woodgrove-01"
    assert c.location == "southeastasia"
    assert (c.service_provider_name, c.peering_location, c.bandwidth_in_mbps) == ("Equinix", "Singapore", 500)
    assert (c.sku_name, c.sku_tier, c.sku_family) == ("Standard_MeteredData", "Standard", "MeteredData")
    assert c.global_reach_enabled is False
    private, msft = c.peerings
    assert (private.kind, private.azure_asn, private.peer_asn, private.vlan_id) == (PeeringKind.private, 12076, 65060, 600)
    assert private.primary_peer_address_prefix == "172.20.60.0/30"
    assert private.ipv6_peering_config.primary_peer_address_prefix == "2001:db8:60::/126"
    # PowerShell writes CustomerASN 0 and RoutingRegistryName "NONE" for unset values
    assert private.microsoft_peering_config.customer_asn is None
    assert private.microsoft_peering_config.routing_registry_name is None
    assert private.microsoft_peering_config.advertised_public_prefixes == []
    assert (msft.kind, msft.peer_asn, msft.vlan_id) == (PeeringKind.microsoft, 64505, 610)
    assert msft.secondary_peer_address_prefix == "203.0.113.64/30"
    assert msft.microsoft_peering_config.advertised_public_prefixes == ["198.51.100.240/29"]
    assert msft.microsoft_peering_config.customer_asn is None
    assert msft.microsoft_peering_config.routing_registry_name is None
    assert msft.route_filter_id.endswith("/routeFilters/rf-sin-m365")  # {"Id": ...}
    assert msft.ipv6_peering_config is None
    assert msft.where("vlan_id") == "Peerings[1].VlanId"
    assert msft.microsoft_peering_config.where("customer_asn") == "Peerings[1].MicrosoftPeeringConfig.CustomerASN"


def test_powershell_utf16_file(tmp_path):
    # Windows PowerShell 5.1 `Out-File` writes UTF-16 LE with a BOM
    text = fixture("powershell-circuit.json").read_text(encoding="utf-8-sig")
    p = tmp_path / "ps-utf16.json"
    p.write_bytes(text.encode("utf-16"))
    c = load_circuits(p)[0]
    assert c.name == "er-sin-woodgrove-01" and c.peering("private").vlan_id == 600


# ----------------------------------------------------------------------------- ExpressRoute Direct
def test_direct_qinq_circuit():
    c = load_one("direct-qinq-circuit.json")
    assert c.source_format == "ARM/REST"
    assert c.name == "erd-ams-tailspin-01"
    assert c.is_direct
    assert c.express_route_port_id == \
        f"{SUB}/resourceGroups/rg-erd-ams/providers/Microsoft.Network/expressRoutePorts/erport-ams-tailspin"
    assert c.bandwidth_in_gbps == 10.0
    assert c.bandwidth_label == "10 Gbps"
    assert c.bandwidth_in_mbps is None and c.service_provider_name is None
    assert c.stag == 17
    assert c.where("stag") == "properties.stag"
    assert c.where("express_route_port_id") == "properties.expressRoutePort"
    p = c.peering("private")
    assert (p.peer_asn, p.vlan_id) == (4200000070, 700)
    assert p.primary_peer_address_prefix == "192.168.70.0/30"
    assert p.ipv6_peering_config.secondary_peer_address_prefix == "2001:db8:70::4/126"


# ----------------------------------------------------------------------------- stdin
def test_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(fixture("azcli-show.json").read_text()))
    c = load_circuits("-")[0]
    assert c.name == "er-fra-contoso-01"
    assert c.source_file == "<stdin>"
    assert c.source_format == "az CLI"
    assert c.peering("private").vlan_id == 110


def test_stdin_with_bom(monkeypatch):
    # `ergen - < powershell-circuit.json`: text-mode stdin keeps the BOM as U+FEFF
    monkeypatch.setattr(sys, "stdin", io.StringIO(fixture("powershell-circuit.json").read_text(encoding="utf-8")))
    c = load_circuits("-")[0]
    assert (c.name, c.source_format) == ("er-sin-woodgrove-01", "PowerShell")


def test_stdin_as_peering_list(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(fixture("rest-peering-list.json").read_text()))
    c = load_circuits(fixture("rest-circuit-no-peerings.json"), peerings="-")[0]
    assert [p.vlan_id for p in c.peerings] == [300, 310]


def test_stdin_error_names_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("{not json"))
    with pytest.raises(InputError) as info:
        load_circuits("-")
    assert str(info.value).startswith("<stdin>: (document): not valid JSON")


# ----------------------------------------------------------------------------- errors
def test_invalid_json(tmp_path):
    p = tmp_path / "broken.json"
    p.write_text('{\n  "name": "er-fra-contoso-01",\n  "properties": {\n')
    err = expect_error(p, field="(document)")
    assert "not valid JSON" in str(err)


def test_empty_json_list(tmp_path):
    p = write_json(tmp_path, "empty.json", [])
    err = expect_error(p, field="(document)")
    assert "empty" in str(err)


def test_empty_rest_value_list(tmp_path):
    p = write_json(tmp_path, "empty-value.json", {"value": []})
    expect_error(p, field="(document)")


def test_peering_without_type_and_unknown_name(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    peering = data["properties"]["peerings"][0]
    peering["name"] = "CustomerPeering"
    del peering["properties"]["peeringType"]
    p = write_json(tmp_path, "no-type.json", data)
    err = expect_error(p, field="properties.peerings[0].properties.peeringType")
    assert "CustomerPeering" in str(err)


def test_peering_without_type_is_known_by_its_name(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    del data["properties"]["peerings"][1]["properties"]["peeringType"]
    c = load_circuits(write_json(tmp_path, "named.json", data))[0]
    assert c.peerings[1].kind == PeeringKind.microsoft


def test_peering_without_type_or_name(tmp_path):
    data = fixture_json("azcli-show.json")
    del data["peerings"][0]["peeringType"]
    del data["peerings"][0]["name"]
    p = write_json(tmp_path, "anonymous.json", data)
    expect_error(p, field="peerings[0].peeringType")


def test_vlan_id_not_a_number(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    data["properties"]["peerings"][0]["properties"]["vlanId"] = "abc"
    p = write_json(tmp_path, "vlan-abc.json", data)
    err = expect_error(p, field="properties.peerings[0].properties.vlanId")
    assert "'abc'" in str(err)


def test_vlan_id_as_numeric_text_is_accepted(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    data["properties"]["peerings"][0]["properties"]["vlanId"] = " 110 "
    assert load_circuits(write_json(tmp_path, "vlan-text.json", data))[0].peerings[0].vlan_id == 110


@pytest.mark.parametrize("bad", ["--5", "1-1", "²", "1.5", "0x10", ""])
def test_vlan_id_malformed_text(tmp_path, bad):
    data = fixture_json("rest-2024-circuit.json")
    data["properties"]["peerings"][0]["properties"]["vlanId"] = bad
    p = write_json(tmp_path, "vlan-bad.json", data)
    if bad == "":  # Azure writes "" for unset
        assert load_circuits(p)[0].peerings[0].vlan_id is None
    else:
        expect_error(p, field="properties.peerings[0].properties.vlanId")


def test_vlan_id_in_powershell_file(tmp_path):
    data = fixture_json("powershell-circuit.json")
    data["Peerings"][1]["VlanId"] = "abc"
    p = write_json(tmp_path, "ps-vlan.json", data)
    expect_error(p, field="Peerings[1].VlanId")


def test_vlan_id_in_rest_peering_list(tmp_path):
    data = fixture_json("rest-peering-list.json")
    data["value"][1]["properties"]["vlanId"] = [310]
    p = write_json(tmp_path, "list-vlan.json", data)
    expect_error(p, field="value[1].properties.vlanId")


def test_vlan_id_in_azcli_list(tmp_path):
    data = fixture_json("azcli-list.json")
    data[0]["peerings"][0]["vlanId"] = "five hundred"
    p = write_json(tmp_path, "cli-list-vlan.json", data)
    expect_error(p, field="[0].peerings[0].vlanId")


def test_peer_asn_boolean(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    data["properties"]["peerings"][1]["properties"]["peerASN"] = True
    p = write_json(tmp_path, "asn-true.json", data)
    err = expect_error(p, field="properties.peerings[1].properties.peerASN")
    assert "true/false" in str(err)


def test_peer_asn_boolean_azcli(tmp_path):
    data = fixture_json("azcli-show.json")
    data["peerings"][0]["peerAsn"] = False
    p = write_json(tmp_path, "cli-asn.json", data)
    expect_error(p, field="peerings[0].peerAsn")


def test_peerings_as_object(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    data["properties"]["peerings"] = {"AzurePrivatePeering": data["properties"]["peerings"][0]}
    p = write_json(tmp_path, "peerings-object.json", data)
    err = expect_error(p, field="properties.peerings")
    assert "expected a list" in str(err)


def test_peering_item_not_an_object(tmp_path):
    data = fixture_json("rest-2024-circuit.json")
    data["properties"]["peerings"][1] = "MicrosoftPeering"
    p = write_json(tmp_path, "peering-str.json", data)
    expect_error(p, field="properties.peerings[1]")


def test_bare_list_item_not_an_object(tmp_path):
    data = fixture_json("azcli-list.json")
    data.append("er-extra")
    p = write_json(tmp_path, "list-str.json", data)
    expect_error(p, field="[2]")


def test_resource_of_another_type(tmp_path):
    vnet = {
        "name": "vnet-hub-fra",
        "id": f"{SUB}/resourceGroups/rg-hub-fra/providers/Microsoft.Network/virtualNetworks/vnet-hub-fra",
        "etag": "W/\"00000000-0000-0000-0000-000000000001\"",
        "type": "Microsoft.Network/virtualNetworks",
        "location": "germanywestcentral",
        "properties": {
            "provisioningState": "Succeeded",
            "addressSpace": {"addressPrefixes": ["10.100.0.0/16"]},
            "subnets": [{"name": "GatewaySubnet", "properties": {"addressPrefix": "10.100.255.0/27"}}],
            "virtualNetworkPeerings": [],
        },
    }
    p = write_json(tmp_path, "vnet.json", vnet)
    err = expect_error(p, field="type")
    assert "Microsoft.Network/virtualNetworks" in str(err)


def test_circuit_authorization_is_not_a_circuit(tmp_path):
    auth = fixture_json("rest-2024-circuit.json")["properties"]["authorizations"][0]
    p = write_json(tmp_path, "auth.json", auth)
    err = expect_error(p, field="type")
    assert "expressRouteCircuits/authorizations" in str(err)


def test_object_that_is_no_circuit(tmp_path):
    p = write_json(tmp_path, "other.json", {"foo": 1})
    expect_error(p, field="(document)")


def test_json_scalar(tmp_path):
    p = tmp_path / "scalar.json"
    p.write_text("42")
    expect_error(p, field="(document)")


def test_number_too_long(tmp_path):
    p = tmp_path / "long.json"
    p.write_text('{"name": "er-x", "properties": {"stag": ' + "7" * 5000 + "}}")
    err = expect_error(p, field="(document)")
    assert "not valid JSON" in str(err)


@pytest.mark.parametrize("bad", ["NaN", "Infinity"])
def test_bandwidth_not_finite(tmp_path, bad):
    data = fixture_json("direct-qinq-circuit.json")
    data["properties"]["bandwidthInGbps"] = bad
    p = write_json(tmp_path, "bw.json", data)
    expect_error(p, field="properties.bandwidthInGbps")


def test_file_not_found(tmp_path):
    missing = tmp_path / "no-such-circuit.json"
    err = expect_error(missing, field="(file)")
    assert "not found" in str(err)


def test_folder_path(tmp_path):
    err = expect_error(tmp_path, field="(file)")
    assert "folder" in str(err)


def test_missing_peering_file(tmp_path):
    missing = tmp_path / "peerings.json"
    expect_error(fixture("rest-circuit-no-peerings.json"), field="(file)", peerings=missing, file=missing)


def test_not_text(tmp_path):
    p = tmp_path / "binary.json"
    p.write_bytes(b"\xff\xfe\x00\xd8")  # a UTF-16 BOM then a lone surrogate
    expect_error(p, field="(file)")


def test_parse_circuits_names_the_given_file():
    with pytest.raises(InputError) as info:
        parse_circuits("[]", "circuits/er.json")
    assert str(info.value).startswith("circuits/er.json: (document): ")

