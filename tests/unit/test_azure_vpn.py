"""Readers for the Azure side of IPsec over ExpressRoute: VPN gateways and their connections.

Every fixture in tests/fixtures/azure/vpn is read and its real values checked; the error
tests check that a user mistake is one InputError line naming the file and JSON path.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ergen.azure.vpn import load_connection, load_gateway, parse_connection, parse_gateway
from ergen.errors import InputError
from ergen.model.vpn import VpnConnection, VpnGateway

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "azure" / "vpn"
SUB = "/subscriptions/00000000-0000-0000-0000-000000000000"
HUB_GW = f"{SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/virtualNetworkGateways/vgw-hub-weu"

REST_GW = "rest-2024-gateway-active-active.json"
AZ_GW = "azcli-gateway-active-active.json"
OLD_GW = "rest-2018-gateway-single.json"
ER_GW = "rest-2024-gateway-expressroute.json"
CUSTOM_CN = "rest-2024-connection-custom-policy.json"
DEFAULT_CN = "azcli-connection-default-policy.json"


def fixture(name: str) -> Path:
    return FIXTURES / name


def fixture_json(name: str):
    return json.loads(fixture(name).read_text(encoding="utf-8"))


def write_json(tmp_path: Path, name: str, data) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return p


def expect_error(loader, path: Path | str, *, field: str) -> InputError:
    """loader(path) must raise a one-line InputError naming the file and ``field``."""
    with pytest.raises(InputError) as info:
        loader(path)
    err = info.value
    text = str(err)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(f"{path}: "), text
    assert f": {field}: " in text, text
    assert err.field == field
    assert err.file == str(path)
    return err


def lift_properties(obj):
    """What az CLI does to a REST resource: ``properties`` lifted into the object, recursively."""
    if isinstance(obj, list):
        return [lift_properties(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: lift_properties(v) for k, v in obj.items() if k != "properties"}
    if isinstance(obj.get("properties"), dict):
        out.update(lift_properties(obj["properties"]))
    return out


# ----------------------------------------------------------------------------- gateways
def test_rest_2024_active_active_gateway():
    gw = load_gateway(fixture(REST_GW))
    assert isinstance(gw, VpnGateway)
    assert gw.name == "vgw-hub-weu"
    assert gw.id == HUB_GW
    assert gw.location == "westeurope"
    assert gw.sku == "VpnGw2AZ"
    assert gw.vpn_type == "RouteBased"
    assert gw.active_active is True
    assert gw.enable_private_ip is True
    assert gw.bgp_asn == 65515
    assert gw.source_file == str(fixture(REST_GW))
    assert [i.name for i in gw.instances] == ["default", "activeActive"]
    i0, i1 = gw.instances
    assert i0.ip_configuration_id == f"{HUB_GW}/ipConfigurations/default"
    assert i1.ip_configuration_id == f"{HUB_GW}/ipConfigurations/activeActive"
    assert (i0.public_ip, i1.public_ip) == ("203.0.113.10", "203.0.113.11")
    assert (i0.private_ip, i1.private_ip) == ("10.20.255.4", "10.20.255.5")
    assert (i0.bgp_ip, i1.bgp_ip) == ("10.20.255.12", "10.20.255.13")
    assert i0.apipa_bgp_ips == ["169.254.21.1", "169.254.21.5"]
    assert i1.apipa_bgp_ips == ["169.254.21.2", "169.254.21.6"]


def test_rest_2024_gateway_paths_name_the_source_fields():
    gw = load_gateway(fixture(REST_GW))
    assert gw.where("name") == "name"
    assert gw.where("sku") == "properties.sku.name"
    assert gw.where("active_active") == "properties.activeActive"
    assert gw.where("bgp_asn") == "properties.bgpSettings.asn"
    i1 = gw.instances[1]
    assert i1.where("") == "properties.ipConfigurations[1]"
    assert i1.where("private_ip") == "properties.ipConfigurations[1].properties.privateIPAddress"
    assert i1.where("public_ip") == "properties.bgpSettings.bgpPeeringAddresses[1].tunnelIpAddresses[0]"
    assert i1.where("bgp_ip") == "properties.bgpSettings.bgpPeeringAddresses[1].defaultBgpIpAddresses[0]"
    assert i1.where("apipa_bgp_ips") == "properties.bgpSettings.bgpPeeringAddresses[1].customBgpIpAddresses"


def test_azcli_gateway_reads_the_same_values():
    gw = load_gateway(fixture(AZ_GW))
    assert gw.name == "vgw-hub-weu"
    assert gw.sku == "VpnGw2AZ"
    assert gw.bgp_asn == 65515
    assert [(i.name, i.public_ip, i.private_ip, i.bgp_ip, i.apipa_bgp_ips) for i in gw.instances] == [
        ("default", "203.0.113.10", "10.20.255.4", "10.20.255.12", ["169.254.21.1", "169.254.21.5"]),
        ("activeActive", "203.0.113.11", "10.20.255.5", "10.20.255.13", ["169.254.21.2", "169.254.21.6"]),
    ]
    assert gw.instances[0].where("private_ip") == "ipConfigurations[0].privateIPAddress"
    assert gw.where("sku") == "sku.name"


def test_rest_and_azcli_give_the_same_gateway():
    rest, az = load_gateway(fixture(REST_GW)), load_gateway(fixture(AZ_GW))
    assert rest.model_dump() == az.model_dump()


def test_peering_addresses_are_matched_by_id_not_by_order(tmp_path):
    data = fixture_json(REST_GW)
    bgp = data["properties"]["bgpSettings"]
    bgp["bgpPeeringAddresses"].reverse()
    for peer in bgp["bgpPeeringAddresses"]:
        peer["ipconfigurationId"] = peer["ipconfigurationId"].upper()  # ids compare case-insensitively
    gw = load_gateway(write_json(tmp_path, "gw.json", data))
    assert gw.model_dump() == load_gateway(fixture(REST_GW)).model_dump()
    assert gw.instances[0].where("bgp_ip") == "properties.bgpSettings.bgpPeeringAddresses[1].defaultBgpIpAddresses[0]"


def test_old_single_instance_gateway_with_only_bgp_peering_address():
    gw = load_gateway(fixture(OLD_GW))
    assert gw.name == "vgw-branch"
    assert gw.location == "northeurope"
    assert gw.sku == "VpnGw1"
    assert gw.active_active is False
    assert gw.enable_private_ip is False  # absent in this api-version
    assert gw.bgp_asn == 64620
    (inst,) = gw.instances
    assert inst.name == "vnetGatewayConfig0"
    assert inst.bgp_ip == "10.30.0.254"
    assert inst.where("bgp_ip") == "properties.bgpSettings.bgpPeeringAddress"
    assert inst.public_ip is None and inst.private_ip is None
    assert inst.apipa_bgp_ips == []


def test_old_active_active_gateway_splits_bgp_peering_address_in_order(tmp_path):
    data = fixture_json(REST_GW)
    del data["properties"]["bgpSettings"]["bgpPeeringAddresses"]
    data["properties"]["bgpSettings"]["bgpPeeringAddress"] = "10.20.255.12, 10.20.255.13"
    gw = load_gateway(write_json(tmp_path, "gw.json", data))
    assert [i.bgp_ip for i in gw.instances] == ["10.20.255.12", "10.20.255.13"]
    assert [i.public_ip for i in gw.instances] == [None, None]
    assert [i.private_ip for i in gw.instances] == ["10.20.255.4", "10.20.255.5"]


def test_old_bgp_peering_address_count_must_match_instances(tmp_path):
    data = fixture_json(REST_GW)
    del data["properties"]["bgpSettings"]["bgpPeeringAddresses"]
    data["properties"]["bgpSettings"]["bgpPeeringAddress"] = "10.20.255.12"
    err = expect_error(load_gateway, write_json(tmp_path, "gw.json", data),
                       field="properties.bgpSettings.bgpPeeringAddress")
    assert "1 address(es) for 2 ip configuration(s)" in err.message


def test_private_ip_from_tunnel_addresses_when_ip_configuration_lacks_it(tmp_path):
    data = fixture_json(REST_GW)
    for ic in data["properties"]["ipConfigurations"]:
        del ic["properties"]["privateIPAddress"]
    gw = load_gateway(write_json(tmp_path, "gw.json", data))
    assert [i.private_ip for i in gw.instances] == ["10.20.255.4", "10.20.255.5"]
    assert gw.instances[0].where("private_ip") == \
        "properties.bgpSettings.bgpPeeringAddresses[0].tunnelIpAddresses[1]"


def test_expressroute_gateway_is_refused():
    err = expect_error(load_gateway, fixture(ER_GW), field="properties.gatewayType")
    assert "ExpressRoute" in err.message and "Vpn" in err.message


def test_expressroute_gateway_from_azcli_is_refused(tmp_path):
    p = write_json(tmp_path, "er.json", lift_properties(fixture_json(ER_GW)))
    expect_error(load_gateway, p, field="gatewayType")


def test_powershell_pascal_case_gateway(tmp_path):
    data = fixture_json(AZ_GW)

    def pascal(obj):
        if isinstance(obj, list):
            return [pascal(v) for v in obj]
        if isinstance(obj, dict):
            return {k[:1].upper() + k[1:]: pascal(v) for k, v in obj.items()}
        return obj

    gw = load_gateway(write_json(tmp_path, "ps.json", pascal(data)))
    assert gw.model_dump() == load_gateway(fixture(AZ_GW)).model_dump()


def test_gateway_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(fixture(AZ_GW).read_text(encoding="utf-8")))
    gw = load_gateway("-")
    assert gw.source_file == "<stdin>"
    assert gw.instances[1].public_ip == "203.0.113.11"


def test_parse_gateway_names_the_given_file():
    with pytest.raises(InputError) as info:
        parse_gateway("{", "gw.json")
    assert str(info.value).startswith("gw.json: (document): not valid JSON")


# ----------------------------------------------------------------------------- gateway errors
def test_gateway_invalid_json(tmp_path):
    p = tmp_path / "gw.json"
    p.write_text('{"name": "vgw", ', encoding="utf-8")
    err = expect_error(load_gateway, p, field="(document)")
    assert "not valid JSON" in err.message


def test_gateway_file_not_found(tmp_path):
    expect_error(load_gateway, tmp_path / "missing.json", field="(file)")


def test_gateway_list_is_refused(tmp_path):
    data = fixture_json(REST_GW)
    expect_error(load_gateway, write_json(tmp_path, "list.json", {"value": [data]}), field="(document)")
    expect_error(load_gateway, write_json(tmp_path, "bare.json", [data]), field="(document)")


def test_gateway_json_not_an_object(tmp_path):
    expect_error(load_gateway, write_json(tmp_path, "gw.json", "vgw-hub-weu"), field="(document)")


def test_gateway_missing_name(tmp_path):
    data = fixture_json(REST_GW)
    del data["name"], data["id"]
    err = expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="name")
    assert "required" in err.message


def test_gateway_name_from_id_when_name_is_missing(tmp_path):
    data = fixture_json(REST_GW)
    del data["name"]
    assert load_gateway(write_json(tmp_path, "gw.json", data)).name == "vgw-hub-weu"


def test_gateway_wrong_resource_type(tmp_path):
    data = fixture_json(REST_GW)
    data["type"] = "Microsoft.Network/expressRouteCircuits"
    err = expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="type")
    assert "Microsoft.Network/expressRouteCircuits" in err.message


def test_vwan_vpn_gateway_is_refused(tmp_path):
    data = fixture_json(REST_GW)
    data["type"] = "Microsoft.Network/vpnGateways"
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="type")


def test_connection_file_given_as_gateway(tmp_path):
    expect_error(load_gateway, fixture(CUSTOM_CN), field="type")


def test_gateway_not_a_gateway_at_all(tmp_path):
    expect_error(load_gateway, write_json(tmp_path, "gw.json", {"foo": 1}), field="(document)")


def test_gateway_properties_not_an_object(tmp_path):
    data = fixture_json(REST_GW)
    data["properties"] = "Microsoft.Azure.Commands.Network.Models.PSVirtualNetworkGateway"
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="properties")


@pytest.mark.parametrize("field, value, path", [
    ("activeActive", "yes", "properties.activeActive"),
    ("enablePrivateIpAddress", 1, "properties.enablePrivateIpAddress"),
    ("ipConfigurations", {"name": "default"}, "properties.ipConfigurations"),
    ("bgpSettings", "Microsoft.Azure.Commands.Network.Models.PSBgpSettings", "properties.bgpSettings"),
    ("sku", ["VpnGw2AZ"], "properties.sku"),
])
def test_gateway_wrong_types(tmp_path, field, value, path):
    data = fixture_json(REST_GW)
    data["properties"][field] = value
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field=path)


@pytest.mark.parametrize("asn", ["65515a", 0, 4294967296, True])
def test_gateway_bad_asn(tmp_path, asn):
    data = fixture_json(REST_GW)
    data["properties"]["bgpSettings"]["asn"] = asn
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="properties.bgpSettings.asn")


def test_gateway_asn_as_text_is_accepted(tmp_path):
    data = fixture_json(AZ_GW)
    data["bgpSettings"]["asn"] = "4200000001"
    assert load_gateway(write_json(tmp_path, "gw.json", data)).bgp_asn == 4200000001


def test_gateway_custom_bgp_addresses_not_text(tmp_path):
    data = fixture_json(REST_GW)
    data["properties"]["bgpSettings"]["bgpPeeringAddresses"][1]["customBgpIpAddresses"] = [{"ip": "x"}]
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data),
                 field="properties.bgpSettings.bgpPeeringAddresses[1].customBgpIpAddresses[0]")


def test_gateway_peering_address_without_ipconfiguration_id(tmp_path):
    data = fixture_json(REST_GW)
    del data["properties"]["bgpSettings"]["bgpPeeringAddresses"][0]["ipconfigurationId"]
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data),
                 field="properties.bgpSettings.bgpPeeringAddresses[0].ipconfigurationId")


def test_gateway_peering_address_of_unknown_ip_configuration(tmp_path):
    data = fixture_json(REST_GW)
    peer = data["properties"]["bgpSettings"]["bgpPeeringAddresses"][1]
    peer["ipconfigurationId"] = f"{HUB_GW}/ipConfigurations/other"
    err = expect_error(load_gateway, write_json(tmp_path, "gw.json", data),
                       field="properties.bgpSettings.bgpPeeringAddresses[1].ipconfigurationId")
    assert "ipConfigurations does not hold" in err.message


def test_gateway_ip_configuration_without_name_or_id(tmp_path):
    data = fixture_json(REST_GW)
    del data["properties"]["ipConfigurations"][1]["name"], data["properties"]["ipConfigurations"][1]["id"]
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="properties.ipConfigurations[1].name")


def test_gateway_error_in_azcli_file_names_the_flat_path(tmp_path):
    data = fixture_json(AZ_GW)
    data["ipConfigurations"][0]["privateIPAddress"] = ["10.20.255.4"]
    expect_error(load_gateway, write_json(tmp_path, "gw.json", data), field="ipConfigurations[0].privateIPAddress")


# ----------------------------------------------------------------------------- connections
def test_rest_connection_with_custom_policy():
    cn = load_connection(fixture(CUSTOM_CN))
    assert isinstance(cn, VpnConnection)
    assert cn.name == "cn-hub-weu-to-dc1"
    assert cn.id.endswith("/connections/cn-hub-weu-to-dc1")
    assert cn.connection_type == "IPsec"
    assert cn.connection_protocol == "IKEv2"
    assert cn.gateway_id == HUB_GW
    assert cn.local_network_gateway_id == \
        f"{SUB}/resourceGroups/rg-hub/providers/Microsoft.Network/localNetworkGateways/lng-dc1"
    assert cn.enable_bgp is True
    assert cn.use_local_azure_ip_address is True
    assert cn.use_policy_based_traffic_selectors is False
    assert cn.dpd_timeout_seconds == 45
    assert cn.shared_key_set is True
    assert cn.shared_key is not None and cn.shared_key.get_secret_value() == "ergen-fixture-psk-not-a-secret"
    assert "ergen-fixture-psk" not in repr(cn)
    (pol,) = cn.ipsec_policies
    assert (pol.sa_lifetime_seconds, pol.sa_data_size_kilobytes) == (27000, 102400000)
    assert (pol.ipsec_encryption, pol.ipsec_integrity) == ("GCMAES256", "GCMAES256")
    assert (pol.ike_encryption, pol.ike_integrity) == ("AES256", "SHA384")
    assert (pol.dh_group, pol.pfs_group) == ("ECP384", "ECP384")
    assert pol.where("dh_group") == "properties.ipsecPolicies[0].dhGroup"
    assert [(b.ip_configuration_id.rsplit("/", 1)[1], b.address) for b in cn.custom_bgp_addresses] == [
        ("default", "169.254.21.1"), ("activeActive", "169.254.21.2")]
    assert cn.custom_bgp_addresses[1].where("address") == \
        "properties.gatewayCustomBgpIpAddresses[1].customBgpIpAddress"
    assert cn.where("use_local_azure_ip_address") == "properties.useLocalAzureIpAddress"


def test_connection_custom_bgp_addresses_name_the_gateway_instances():
    gw, cn = load_gateway(fixture(REST_GW)), load_connection(fixture(CUSTOM_CN))
    apipa = {i.ip_configuration_id.lower(): i.apipa_bgp_ips for i in gw.instances}
    for b in cn.custom_bgp_addresses:
        assert b.address in apipa[b.ip_configuration_id.lower()]


def test_azcli_connection_with_default_policy_and_no_shared_key():
    cn = load_connection(fixture(DEFAULT_CN))
    assert cn.name == "cn-hub-weu-to-dc2"
    assert cn.connection_type == "IPsec"
    assert cn.connection_protocol == "IKEv2"
    assert cn.gateway_id == HUB_GW
    assert cn.local_network_gateway_id.endswith("/localNetworkGateways/lng-dc2")
    assert cn.enable_bgp is True
    assert cn.use_local_azure_ip_address is False
    assert cn.ipsec_policies == []
    assert cn.custom_bgp_addresses == []
    assert cn.shared_key is None and cn.shared_key_set is False
    assert cn.dpd_timeout_seconds == 45
    assert cn.where("enable_bgp") == "enableBgp"


def test_rest_and_azcli_give_the_same_connection(tmp_path):
    rest = load_connection(fixture(CUSTOM_CN))
    az = load_connection(write_json(tmp_path, "az.json", lift_properties(fixture_json(CUSTOM_CN))))
    assert rest.model_dump() == az.model_dump()
    assert az.ipsec_policies[0].where("pfs_group") == "ipsecPolicies[0].pfsGroup"


def test_azcli_and_rest_give_the_same_default_connection(tmp_path):
    az = fixture_json(DEFAULT_CN)
    envelope = {k: az.pop(k) for k in ("name", "id", "etag", "type", "location", "tags")}
    rest = load_connection(write_json(tmp_path, "rest.json", {**envelope, "properties": az}))
    assert rest.model_dump() == load_connection(fixture(DEFAULT_CN)).model_dump()


@pytest.mark.parametrize("masked", ["****", "********", "<redacted>"])
def test_masked_shared_key_is_set_but_not_kept(tmp_path, masked):
    data = fixture_json(CUSTOM_CN)
    data["properties"]["sharedKey"] = masked
    cn = load_connection(write_json(tmp_path, "cn.json", data))
    assert cn.shared_key is None
    assert cn.shared_key_set is True


def test_connection_gateway_reference_as_full_object(tmp_path):
    # older az output embeds the whole gateway in virtualNetworkGateway1
    data = fixture_json(DEFAULT_CN)
    data["virtualNetworkGateway1"] = lift_properties(fixture_json(REST_GW))
    assert load_connection(write_json(tmp_path, "cn.json", data)).gateway_id == HUB_GW


def test_connection_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(fixture(CUSTOM_CN).read_text(encoding="utf-8")))
    cn = load_connection("-")
    assert cn.source_file == "<stdin>"
    assert cn.ipsec_policies[0].dh_group == "ECP384"


# ----------------------------------------------------------------------------- connection errors
def test_connection_invalid_json(tmp_path):
    p = tmp_path / "cn.json"
    p.write_text("[1, 2", encoding="utf-8")
    expect_error(load_connection, p, field="(document)")
    with pytest.raises(InputError):
        parse_connection("nul", "cn.json")


def test_connection_missing_name(tmp_path):
    data = fixture_json(DEFAULT_CN)
    del data["name"], data["id"]
    expect_error(load_connection, write_json(tmp_path, "cn.json", data), field="name")


def test_connection_name_not_text(tmp_path):
    data = fixture_json(CUSTOM_CN)
    data["name"] = {"value": "cn"}
    expect_error(load_connection, write_json(tmp_path, "cn.json", data), field="name")


def test_gateway_file_given_as_connection():
    err = expect_error(load_connection, fixture(REST_GW), field="type")
    assert "Microsoft.Network/virtualNetworkGateways" in err.message


def test_expressroute_connection_is_refused(tmp_path):
    data = fixture_json(CUSTOM_CN)
    data["properties"]["connectionType"] = "ExpressRoute"
    err = expect_error(load_connection, write_json(tmp_path, "cn.json", data), field="properties.connectionType")
    assert "ExpressRoute" in err.message


def test_connection_list_is_refused(tmp_path):
    expect_error(load_connection, write_json(tmp_path, "cn.json", [fixture_json(DEFAULT_CN)]), field="(document)")


@pytest.mark.parametrize("field, value, path", [
    ("enableBgp", "sometimes", "properties.enableBgp"),
    ("useLocalAzureIpAddress", 0, "properties.useLocalAzureIpAddress"),
    ("dpdTimeoutSeconds", "45s", "properties.dpdTimeoutSeconds"),
    ("dpdTimeoutSeconds", -1, "properties.dpdTimeoutSeconds"),
    ("ipsecPolicies", {"dhGroup": "ECP384"}, "properties.ipsecPolicies"),
    ("ipsecPolicies", ["AES256"], "properties.ipsecPolicies[0]"),
    ("gatewayCustomBgpIpAddresses", "169.254.21.1", "properties.gatewayCustomBgpIpAddresses"),
    ("virtualNetworkGateway1", 42, "properties.virtualNetworkGateway1"),
    ("sharedKey", ["a"], "properties.sharedKey"),
])
def test_connection_wrong_types(tmp_path, field, value, path):
    data = fixture_json(CUSTOM_CN)
    data["properties"][field] = value
    expect_error(load_connection, write_json(tmp_path, "cn.json", data), field=path)


@pytest.mark.parametrize("key", ["ipsecEncryption", "ikeIntegrity", "dhGroup", "pfsGroup"])
def test_ipsec_policy_missing_field(tmp_path, key):
    data = fixture_json(CUSTOM_CN)
    del data["properties"]["ipsecPolicies"][0][key]
    err = expect_error(load_connection, write_json(tmp_path, "cn.json", data),
                       field=f"properties.ipsecPolicies[0].{key}")
    assert "required" in err.message


def test_ipsec_policy_lifetime_not_a_number(tmp_path):
    data = fixture_json(CUSTOM_CN)
    data["properties"]["ipsecPolicies"][0]["saLifeTimeSeconds"] = "8 hours"
    expect_error(load_connection, write_json(tmp_path, "cn.json", data),
                 field="properties.ipsecPolicies[0].saLifeTimeSeconds")


@pytest.mark.parametrize("key", ["ipConfigurationId", "customBgpIpAddress"])
def test_custom_bgp_address_missing_field(tmp_path, key):
    data = fixture_json(CUSTOM_CN)
    del data["properties"]["gatewayCustomBgpIpAddresses"][1][key]
    expect_error(load_connection, write_json(tmp_path, "cn.json", data),
                 field=f"properties.gatewayCustomBgpIpAddresses[1].{key}")


def test_connection_error_in_azcli_file_names_the_flat_path(tmp_path):
    data = fixture_json(DEFAULT_CN)
    data["usePolicyBasedTrafficSelectors"] = "no"
    expect_error(load_connection, write_json(tmp_path, "cn.json", data), field="usePolicyBasedTrafficSelectors")
