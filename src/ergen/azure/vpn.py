"""Read the Azure side of IPsec over ExpressRoute: a VPN gateway and its site-to-site connection.

Shapes handled (detected, not configured):

* ARM/REST ``Microsoft.Network/virtualNetworkGateways`` (fields under ``properties``, each
  ipConfiguration again under ``properties``); ``bgpSettings.bgpPeeringAddresses[]`` from
  api-version 2020 on, only ``bgpSettings.bgpPeeringAddress`` (comma-separated for
  active/active, in ipConfigurations order) before;
* ``az network vnet-gateway show``: the same with ``properties`` lifted to the top;
* ARM/REST ``Microsoft.Network/connections`` and ``az network vpn-connection show``;
* Virtual WAN's vpnGateways, vpnConnections, vpnSites and expressRouteGateways (``ergen.azure.vwan``).

PowerShell's PascalCase is read too, as :class:`~ergen.azure.node.Node` matches keys on their
letters only. Unknown fields are ignored; a missing required field or a wrong type is an
:class:`~ergen.errors.InputError` naming the file and the JSON path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ergen.azure.node import Node
from ergen.azure.reader import _MASKED, _read_text, parse_json
from ergen.errors import InputError
from ergen.model.vpn import CustomBgpAddress, GatewayInstance, IpsecPolicy, VpnConnection, VpnGateway

_GATEWAY_FROM_ID = re.compile(r"/virtualnetworkgateways/([^/]+)", re.IGNORECASE)
_CONNECTION_FROM_ID = re.compile(r"/connections/([^/]+)", re.IGNORECASE)
_LAST_SEGMENT = re.compile(r"([^/]+)/*$")


# ----------------------------------------------------------------------------- entry points
def load_gateway(path: str | Path) -> VpnGateway:
    """Read a VPN virtual network gateway from ``path`` ("-" for stdin)."""
    label, text = _read_text(path)
    return parse_gateway(text, label)


def load_connection(path: str | Path) -> VpnConnection:
    """Read a site-to-site (IPsec) connection from ``path`` ("-" for stdin)."""
    label, text = _read_text(path)
    return parse_connection(text, label)


def load_vpn(path: str | Path):
    """A VirtualNetworkGateway or a VirtualNetworkGatewayConnection file, told apart by its content; or a
    Virtual WAN resource (``ergen.azure.vwan``): a hub's vpnGateways (a VpnGateway), a vpnConnections
    (a list of VpnConnection, one per link connection), a vpnSites (a VpnSite) or the hub's
    expressRouteGateways (an ExpressRouteGateway)."""
    label, text = _read_text(path)
    return parse_vpn(text, label)


def parse_vpn(text: str, file: str = "<input>"):
    data = parse_json(text, file)
    flat = Node(data, "", file) if isinstance(data, dict) else None
    if flat is not None and isinstance(flat.raw("properties"), dict):
        flat = flat.flattened()
    typ = flat.raw("type") if flat is not None else None
    typ = typ.lower() if isinstance(typ, str) else ""
    has = (lambda k: flat is not None and flat.key(k) is not None)  # noqa: E731
    if flat is not None:
        from ergen.azure import vwan
        kind = vwan.kind_of(flat)
        if kind is not None:
            return vwan.parse(_resource(data, file, "Virtual WAN resource", "az network vpn-gateway show"), kind)
    if typ.endswith("/connections") or has("connectionType") or has("virtualNetworkGateway1"):
        return parse_connection(text, file)
    if typ.endswith("/virtualnetworkgateways") or has("gatewayType") or has("bgpSettings"):
        return parse_gateway(text, file)
    if isinstance(data, list) or (isinstance(data, dict) and isinstance(data.get("value"), list)):
        raise InputError("this is a list; give one VPN gateway or connection (`az network vnet-gateway show`, "
                         "`az network vpn-connection show`)", file=file, field="(document)")
    raise InputError("neither a VPN gateway nor a VPN connection", file=file, field="(document)")


def parse_gateway(text: str, file: str = "<input>") -> VpnGateway:
    root = _resource(parse_json(text, file), file, "virtual network gateway",
                     "az network vnet-gateway show")
    return _gateway(root)


def parse_connection(text: str, file: str = "<input>") -> VpnConnection:
    root = _resource(parse_json(text, file), file, "VPN connection", "az network vpn-connection show")
    return _connection(root)


# ----------------------------------------------------------------------------- document
def _resource(data: Any, file: str, what: str, command: str) -> Node:
    """The one resource object of the document; a list (REST ``value`` or az ``list``) is refused."""
    if isinstance(data, list) or (isinstance(data, dict) and isinstance(data.get("value"), list)
                                  and "properties" not in data):
        raise InputError(f"this is a list; give one {what} (the output of `{command}`)",
                         file=file, field="(document)")
    if not isinstance(data, dict):
        raise InputError(f"expected a JSON object describing a {what}", file=file, field="(document)")
    node = Node(data, "", file)
    props = node.raw("properties")
    if props is not None and not isinstance(props, dict):
        raise node.fail("properties", f"expected an object, got {type(props).__name__}")
    return node


def _check_type(node: Node, flat: Node, suffix: str, what: str) -> None:
    typ = flat.str("type")
    if typ and not typ.lower().endswith(suffix):
        raise node.fail("type", f"this is a {typ!r:.80} resource, not a {what}")


def _name(node: Node, flat: Node, pattern: re.Pattern[str]) -> str:
    name = flat.str("name")
    if name is None:
        m = pattern.search(flat.str("id") or "")
        name = m.group(1) if m else None
    if not name:
        raise node.fail("name", "required field is missing")
    return name


def _last_segment(rid: str | None) -> str | None:
    m = _LAST_SEGMENT.search(rid or "")
    return m.group(1) if m else None


def _first(node: Node, name: str) -> tuple[str | None, str]:
    """The first item of a list of addresses, and its JSON path."""
    items = node.strs(name)
    return (items[0] if items else None), f"{node.at(name)}[0]"


# ----------------------------------------------------------------------------- gateway
def _gateway(node: Node) -> VpnGateway:
    g = node.flattened()
    _check_type(node, g, "/virtualnetworkgateways", "virtual network gateway "
                "(Microsoft.Network/virtualNetworkGateways)")
    if not any(g.has(k) for k in ("name", "id", "gatewayType", "ipConfigurations", "bgpSettings")):
        raise InputError("not a virtual network gateway: none of name, id, gatewayType, ipConfigurations "
                         "or bgpSettings is present", file=node.file, field="(document)")
    gateway_type = g.str("gatewayType")
    if gateway_type is not None and gateway_type.lower() != "vpn":
        raise g.fail("gatewayType", f"gatewayType is {gateway_type!r:.30}; only a VPN gateway "
                                    "(gatewayType Vpn) carries IPsec tunnels")
    name = _name(node, g, _GATEWAY_FROM_ID)
    sku = g.child("sku")
    bgp = g.child("bgpSettings")
    asn = bgp.int("asn") if bgp else None
    if asn is not None and not 1 <= asn <= 4294967295:
        raise bgp.fail("asn", f"ASN {asn} is out of range 1-4294967295")
    instances = _instances(g, bgp)
    paths = {"": node.path, "name": node.at("name"), "id": node.at("id"),
             "location": node.at("location"),
             "sku": sku.at("name") if sku else g.at("sku"), "vpn_type": g.at("vpnType"),
             "active_active": g.at("activeActive"), "enable_private_ip": g.at("enablePrivateIpAddress"),
             "bgp_asn": bgp.at("asn") if bgp else g.at("bgpSettings"),
             "instances": g.at("ipConfigurations")}
    return VpnGateway(
        name=name, id=g.str("id"), location=g.str("location"),
        sku=sku.str("name") if sku else None, vpn_type=g.str("vpnType"),
        active_active=bool(g.bool("activeActive")),
        enable_private_ip=bool(g.bool("enablePrivateIpAddress")),
        bgp_asn=asn, instances=instances, paths=paths, source_file=node.file,
    )


def _instances(g: Node, bgp: Node | None) -> list[GatewayInstance]:
    configs = g.children("ipConfigurations")
    peers = bgp.children("bgpPeeringAddresses") if bgp else []
    enable_private = bool(g.bool("enablePrivateIpAddress"))
    if not configs:
        if peers:  # a trimmed file: the instances are known by their BGP entries only
            return [_instance(None, p, None, enable_private) for p in peers]
        if bgp is not None and bgp.str("bgpPeeringAddress"):
            raise g.fail("ipConfigurations", "required to tell which instance has which "
                                             "bgpSettings.bgpPeeringAddress; the list is missing")
        return []
    by_id: dict[str, Node] = {}
    by_name: dict[str, Node] = {}
    for p in peers:
        pid = p.str("ipconfigurationId", required=True)
        by_id[pid.lower()] = p
        by_name.setdefault((_last_segment(pid) or "").lower(), p)
    flat = [c.flattened() for c in configs]
    matched: set[int] = set()
    legacy = _legacy_addresses(bgp, len(flat)) if not peers else None
    out = []
    for i, (raw, c) in enumerate(zip(configs, flat)):
        cid, cname = c.str("id"), c.str("name")
        peer = by_id.get((cid or "").lower()) if cid else None
        if peer is None:  # a hand-made file may give the ipConfiguration's name, not its id
            peer = by_name.get((cname or _last_segment(cid) or "").lower())
        if peer is not None:
            matched.add(id(peer))
        bgp_ip = legacy[i] if legacy else None
        out.append(_instance(raw, peer, bgp_ip, enable_private,
                             bgp.at("bgpPeeringAddress") if legacy else None))
    for p in peers:
        if id(p) not in matched:
            raise p.fail("ipconfigurationId", f"names ip configuration {p.str('ipconfigurationId')!r:.160}, "
                                              "which ipConfigurations does not hold")
    return out


def _legacy_addresses(bgp: Node | None, count: int) -> list[str] | None:
    """Older api-versions: one ``bgpPeeringAddress``, comma-separated per instance."""
    text = bgp.str("bgpPeeringAddress") if bgp else None
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    if any(not p for p in parts):
        raise bgp.fail("bgpPeeringAddress", f"empty address in {text!r:.80}")
    if len(parts) != count:
        raise bgp.fail("bgpPeeringAddress", f"{len(parts)} address(es) for {count} ip configuration(s); "
                                            "expected one per instance, in ipConfigurations order")
    return parts


def _instance(raw: Node | None, peer: Node | None, legacy_bgp_ip: str | None, enable_private: bool,
              legacy_path: str | None = None) -> GatewayInstance:
    c = raw.flattened() if raw is not None else None
    paths: dict[str, str] = {}
    if c is not None:
        name = c.str("name") or _last_segment(c.str("id"))
        if not name:
            raise raw.fail("name", "required field is missing")
        cid = c.str("id")
        private_ip = c.str("privateIPAddress")
        paths.update({"": raw.path, "name": raw.at("name"), "ip_configuration_id": raw.at("id"),
                      "private_ip": c.at("privateIPAddress")})
    else:
        cid = peer.str("ipconfigurationId", required=True)
        name = _last_segment(cid) or cid
        private_ip = None
        paths.update({"": peer.path, "name": peer.at("ipconfigurationId"),
                      "ip_configuration_id": peer.at("ipconfigurationId")})
    public_ip = bgp_ip = None
    apipa: list[str] = []
    if peer is not None:
        public_ip, paths["public_ip"] = _first(peer, "tunnelIpAddresses")
        bgp_ip, paths["bgp_ip"] = _first(peer, "defaultBgpIpAddresses")
        apipa = peer.strs("customBgpIpAddresses")
        paths["apipa_bgp_ips"] = peer.at("customBgpIpAddresses")
        tunnels = peer.strs("tunnelIpAddresses")
        if private_ip is None and enable_private and len(tunnels) > 1:
            # with enablePrivateIpAddress Azure lists [public, private] in tunnelIpAddresses
            private_ip = tunnels[1]
            paths["private_ip"] = f"{peer.at('tunnelIpAddresses')}[1]"
    elif legacy_bgp_ip is not None:
        bgp_ip = legacy_bgp_ip
        paths["bgp_ip"] = legacy_path or ""
    return GatewayInstance(name=name, ip_configuration_id=cid, public_ip=public_ip, private_ip=private_ip,
                           bgp_ip=bgp_ip, apipa_bgp_ips=apipa, paths=paths)


# ----------------------------------------------------------------------------- connection
def _connection(node: Node) -> VpnConnection:
    c = node.flattened()
    _check_type(node, c, "/connections", "virtual network gateway connection (Microsoft.Network/connections)")
    if not any(c.has(k) for k in ("name", "id", "connectionType", "virtualNetworkGateway1")):
        raise InputError("not a VPN connection: none of name, id, connectionType or virtualNetworkGateway1 "
                         "is present", file=node.file, field="(document)")
    ctype = c.str("connectionType")
    if ctype is not None and ctype.lower() != "ipsec":
        raise c.fail("connectionType", f"connectionType is {ctype!r:.30}; only an IPsec (site-to-site) "
                                       "connection reaches an on-premises router")
    name = _name(node, c, _CONNECTION_FROM_ID)
    shared = c.str("sharedKey")
    clear = shared if shared and not _MASKED.match(shared) else None
    policies = [_policy(p) for p in c.children("ipsecPolicies")]
    custom = [_custom_bgp(b) for b in c.children("gatewayCustomBgpIpAddresses")]
    dpd = c.int("dpdTimeoutSeconds")
    if dpd is not None and dpd < 0:
        raise c.fail("dpdTimeoutSeconds", f"expected a positive number of seconds, got {dpd}")
    paths = {"": node.path, "name": node.at("name"), "id": node.at("id"),
             "connection_type": c.at("connectionType"), "connection_protocol": c.at("connectionProtocol"),
             "gateway_id": c.at("virtualNetworkGateway1"),
             "local_network_gateway_id": c.at("localNetworkGateway2"),
             "enable_bgp": c.at("enableBgp"),
             "use_policy_based_traffic_selectors": c.at("usePolicyBasedTrafficSelectors"),
             "use_local_azure_ip_address": c.at("useLocalAzureIpAddress"),
             "shared_key": c.at("sharedKey"), "shared_key_set": c.at("sharedKey"),
             "ipsec_policies": c.at("ipsecPolicies"),
             "custom_bgp_addresses": c.at("gatewayCustomBgpIpAddresses"),
             "dpd_timeout_seconds": c.at("dpdTimeoutSeconds")}
    return VpnConnection(
        name=name, id=c.str("id"), connection_type=ctype, connection_protocol=c.str("connectionProtocol"),
        gateway_id=c.ref_id("virtualNetworkGateway1"),
        local_network_gateway_id=c.ref_id("localNetworkGateway2"),
        enable_bgp=bool(c.bool("enableBgp")),
        use_policy_based_traffic_selectors=bool(c.bool("usePolicyBasedTrafficSelectors")),
        use_local_azure_ip_address=bool(c.bool("useLocalAzureIpAddress")),
        shared_key=clear, shared_key_set=bool(shared),
        ipsec_policies=policies, custom_bgp_addresses=custom, dpd_timeout_seconds=dpd,
        paths=paths, source_file=node.file,
    )


_POLICY_FIELDS = {"sa_lifetime_seconds": "saLifeTimeSeconds", "sa_data_size_kilobytes": "saDataSizeKilobytes",
                  "ipsec_encryption": "ipsecEncryption", "ipsec_integrity": "ipsecIntegrity",
                  "ike_encryption": "ikeEncryption", "ike_integrity": "ikeIntegrity",
                  "dh_group": "dhGroup", "pfs_group": "pfsGroup"}


def _policy(p: Node) -> IpsecPolicy:
    values: dict[str, Any] = {}
    for field, key in _POLICY_FIELDS.items():
        if field.startswith("sa_"):
            v = p.int(key)
            if v is not None and v < 0:
                raise p.fail(key, f"expected a positive number, got {v}")
            values[field] = v
        else:
            values[field] = p.str(key, required=True)
    paths = {"": p.path, **{field: p.at(key) for field, key in _POLICY_FIELDS.items()}}
    return IpsecPolicy(**values, paths=paths)


def _custom_bgp(b: Node) -> CustomBgpAddress:
    return CustomBgpAddress(
        ip_configuration_id=b.str("ipConfigurationId", required=True),
        address=b.str("customBgpIpAddress", required=True),
        paths={"": b.path, "ip_configuration_id": b.at("ipConfigurationId"),
               "address": b.at("customBgpIpAddress")},
    )
