"""Read Virtual WAN's side of IPsec over ExpressRoute into the VPN model (``ergen.model.vpn``).

Shapes handled (detected by content, as for VNet gateways):

* a hub's VPN gateway, ``Microsoft.Network/vpnGateways`` (REST, or ``az network vpn-gateway show``):
  ``ipConfigurations[]`` (``Instance0``/``Instance1`` with their public and private IPs) and
  ``bgpSettings.bgpPeeringAddresses[]``; its ``connections[]`` come along when Azure embeds them;
* a connection, ``Microsoft.Network/vpnGateways/vpnConnections`` (``az network vpn-gateway connection
  show``): each ``vpnLinkConnections[]`` entry is one on-premises device (tunnels to both instances),
  read as one :class:`~ergen.model.vpn.VpnConnection` of kind ``vwan``; a connection without links (a
  single-link site of older api-versions) is one itself;
* a site, ``Microsoft.Network/vpnSites`` (``az network vpn-site show``): its ``vpnSiteLinks[]`` (or the
  site's own ``ipAddress``/``bgpProperties`` before links existed);
* the hub's ExpressRoute gateway, ``Microsoft.Network/expressRouteGateways`` (``az network
  express-route gateway show``): ``expressRouteConnections[]`` to circuit peerings.

REST nests each sub-resource's fields under ``properties``; the az CLI lifts them up; both are read.
"""

from __future__ import annotations

import re

from ergen.azure.node import Node
from ergen.azure.reader import _MASKED
from ergen.errors import InputError
from ergen.model.vpn import (CustomBgpAddress, ExpressRouteGateway, ExpressRouteHubConnection, GatewayInstance,
                             VpnConnection, VpnGateway, VpnSite, VpnSiteLink)

_VPN_GATEWAY_ID = re.compile(r"^(.*/vpngateways/[^/]+)", re.IGNORECASE)
_LAST = re.compile(r"([^/]+)/*$")

KINDS = {
    "microsoft.network/vpngateways": "gateway",
    "microsoft.network/vpngateways/vpnconnections": "connection",
    "microsoft.network/vpnsites": "site",
    "microsoft.network/expressroutegateways": "er-gateway",
}


def kind_of(flat: Node) -> str | None:
    """Which Virtual WAN resource a document holds (None: not one)."""
    typ = flat.raw("type")
    if isinstance(typ, str) and typ.lower() in KINDS:
        return KINDS[typ.lower()]
    if flat.key("vpnLinkConnections") is not None or flat.key("remoteVpnSite") is not None:
        return "connection"
    if flat.key("vpnSiteLinks") is not None:
        return "site"
    if flat.key("expressRouteConnections") is not None:
        return "er-gateway"
    if flat.key("vpnGatewayScaleUnit") is not None or (flat.key("virtualHub") is not None and
                                                       flat.key("bgpSettings") is not None):
        return "gateway"
    return None


def parse(node: Node, kind: str):
    if kind == "gateway":
        return gateway(node)
    if kind == "connection":
        return connections(node)
    if kind == "site":
        return site(node)
    return er_gateway(node)


def _last(rid: str | None) -> str | None:
    m = _LAST.search(rid or "")
    return m.group(1) if m else None


def _name(node: Node, flat: Node) -> str:
    name = flat.str("name") or _last(flat.str("id"))
    if not name:
        raise node.fail("name", "required field is missing")
    return name


# ----------------------------------------------------------------------------- the hub's VPN gateway
def gateway(node: Node) -> VpnGateway:
    g = node.flattened()
    name = _name(node, g)
    bgp = g.child("bgpSettings")
    asn = bgp.int("asn") if bgp else None
    if asn is not None and not 1 <= asn <= 4294967295:
        raise bgp.fail("asn", f"ASN {asn} is out of range 1-4294967295")
    peers = bgp.children("bgpPeeringAddresses") if bgp else []
    by_name = {}
    for p in peers:
        pid = p.str("ipconfigurationId", required=True)
        by_name[(_last(pid) or pid).lower()] = p
    configs = g.children("ipConfigurations")
    instances, seen = [], set()
    for raw in configs:
        c = raw.flattened()
        iname = _last(c.str("id")) or c.str("name")
        if not iname:
            raise raw.fail("id", "required field is missing (the instance, e.g. Instance0)")
        peer = by_name.get(iname.lower())
        seen.add(iname.lower())
        instances.append(_instance(raw, c, iname, peer))
    for key, p in by_name.items():
        if key not in seen:
            if configs:
                raise p.fail("ipconfigurationId", f"names instance {p.str('ipconfigurationId')!r:.80}, which "
                                                  "ipConfigurations does not hold")
            instances.append(_instance(None, None, _last(p.str("ipconfigurationId")) or key, p))
    gid = g.str("id")
    paths = {"": node.path, "name": node.at("name"), "id": node.at("id"), "location": g.at("location"),
             "bgp_asn": bgp.at("asn") if bgp else g.at("bgpSettings"), "instances": g.at("ipConfigurations"),
             "hub_id": g.at("virtualHub")}
    conns = []
    for c in g.children("connections"):
        conns += connections(c, gateway_id=gid or name)
    return VpnGateway(name=name, kind="vwan", id=gid, hub_id=g.ref_id("virtualHub"), location=g.str("location"),
                      vpn_type="RouteBased", active_active=len(instances) > 1, enable_private_ip=True,
                      bgp_asn=asn, instances=instances, connections=conns, paths=paths, source_file=node.file)


def _instance(raw: Node | None, c: Node | None, name: str, peer: Node | None) -> GatewayInstance:
    paths: dict[str, str] = {"": (raw or peer).path, "name": (raw.at("id") if raw else peer.at("ipconfigurationId"))}
    public_ip = private_ip = bgp_ip = None
    apipa: list[str] = []
    if c is not None:
        public_ip, private_ip = c.str("publicIpAddress"), c.str("privateIpAddress")
        paths.update(public_ip=c.at("publicIpAddress"), private_ip=c.at("privateIpAddress"))
    if peer is not None:
        tunnels = peer.strs("tunnelIpAddresses")
        if public_ip is None and tunnels:
            public_ip, paths["public_ip"] = tunnels[0], f"{peer.at('tunnelIpAddresses')}[0]"
        if private_ip is None and len(tunnels) > 1:
            private_ip, paths["private_ip"] = tunnels[1], f"{peer.at('tunnelIpAddresses')}[1]"
        default = peer.strs("defaultBgpIpAddresses")
        bgp_ip = default[0] if default else None
        paths["bgp_ip"] = f"{peer.at('defaultBgpIpAddresses')}[0]"
        apipa = peer.strs("customBgpIpAddresses")
        paths["apipa_bgp_ips"] = peer.at("customBgpIpAddresses")
    return GatewayInstance(name=name, ip_configuration_id=name, public_ip=public_ip, private_ip=private_ip,
                           bgp_ip=bgp_ip, apipa_bgp_ips=apipa, paths=paths)


# ----------------------------------------------------------------------------- connections
def connections(node: Node, gateway_id: str | None = None) -> list[VpnConnection]:
    """One VpnConnection per vpnLinkConnection (a connection without links is one itself)."""
    from ergen.azure.vpn import _policy

    c = node.flattened()
    name = _name(node, c)
    cid = c.str("id")
    if gateway_id is None:
        m = _VPN_GATEWAY_ID.match(cid or "")
        gateway_id = m.group(1) if m else None
    site_ref = c.raw(c.key("remoteVpnSite") or "remoteVpnSite")
    site_id = c.ref_id("remoteVpnSite") if not isinstance(site_ref, dict) else \
        Node(site_ref, c.at("remoteVpnSite"), c.file).str("id")
    links = c.children("vpnLinkConnections")
    out = []
    for link in links or [node]:
        l = link.flattened()
        lname = name if link is node else _name(link, l)
        shared = l.str("sharedKey")
        clear = shared if shared and not _MASKED.match(shared) else None
        dpd = l.int("dpdTimeoutSeconds")
        if dpd is not None and dpd < 0:
            raise l.fail("dpdTimeoutSeconds", f"expected a positive number of seconds, got {dpd}")
        custom = [CustomBgpAddress(ip_configuration_id=b.str("ipConfigurationId", required=True),
                                   address=b.str("customBgpIpAddress", required=True),
                                   paths={"": b.path, "address": b.at("customBgpIpAddress")})
                  for b in l.children("vpnGatewayCustomBgpAddresses")]
        paths = {"": link.path, "name": link.at("name"), "id": link.at("id"),
                 "connection_protocol": l.at("vpnConnectionProtocolType"), "enable_bgp": l.at("enableBgp"),
                 "use_local_azure_ip_address": l.at("useLocalAzureIpAddress"),
                 "use_policy_based_traffic_selectors": l.at("usePolicyBasedTrafficSelectors"),
                 "shared_key": l.at("sharedKey"), "ipsec_policies": l.at("ipsecPolicies"),
                 "custom_bgp_addresses": l.at("vpnGatewayCustomBgpAddresses"),
                 "site_link_id": l.at("vpnSiteLink"), "site_id": c.at("remoteVpnSite"),
                 "dpd_timeout_seconds": l.at("dpdTimeoutSeconds")}
        out.append(VpnConnection(
            name=lname, kind="vwan", id=l.str("id"), parent=name if link is not node else None,
            connection_type="IPsec", connection_protocol=l.str("vpnConnectionProtocolType"),
            gateway_id=gateway_id, site_id=site_id, site_link_id=l.ref_id("vpnSiteLink"),
            enable_bgp=bool(l.bool("enableBgp")),
            use_policy_based_traffic_selectors=bool(l.bool("usePolicyBasedTrafficSelectors")),
            use_local_azure_ip_address=bool(l.bool("useLocalAzureIpAddress")),
            shared_key=clear, shared_key_set=bool(shared),
            ipsec_policies=[_policy(p) for p in l.children("ipsecPolicies")], custom_bgp_addresses=custom,
            dpd_timeout_seconds=dpd, paths=paths, source_file=node.file))
    return out


# ----------------------------------------------------------------------------- sites
def site(node: Node) -> VpnSite:
    s = node.flattened()
    name = _name(node, s)
    space = s.child("addressSpace")
    links = [_link(l) for l in s.children("vpnSiteLinks")]
    if not links and (s.has("ipAddress") or s.has("bgpProperties")):   # a site from before links existed
        links = [_link(node)]
    return VpnSite(name=name, id=s.str("id"), virtual_wan_id=s.ref_id("virtualWan"),
                   address_prefixes=space.strs("addressPrefixes") if space else [], links=links,
                   paths={"": node.path, "name": node.at("name"), "links": s.at("vpnSiteLinks")},
                   source_file=node.file)


def _link(node: Node) -> VpnSiteLink:
    l = node.flattened()
    bgp = l.child("bgpProperties")
    props = l.child("linkProperties")
    asn = bgp.int("asn") if bgp else None
    if asn is not None and not 1 <= asn <= 4294967295:
        raise bgp.fail("asn", f"ASN {asn} is out of range 1-4294967295")
    return VpnSiteLink(
        name=_name(node, l), id=l.str("id"), ip_address=l.str("ipAddress"), fqdn=l.str("fqdn"),
        bgp_asn=asn, bgp_address=bgp.str("bgpPeeringAddress") if bgp else None,
        provider=props.str("linkProviderName") if props else None,
        speed_mbps=props.int("linkSpeedInMbps") if props else None,
        paths={"": node.path, "name": node.at("name"), "ip_address": l.at("ipAddress"),
               "bgp_asn": bgp.at("asn") if bgp else l.at("bgpProperties"),
               "bgp_address": bgp.at("bgpPeeringAddress") if bgp else l.at("bgpProperties")})


# ----------------------------------------------------------------------------- the hub's ExpressRoute gateway
def er_gateway(node: Node) -> ExpressRouteGateway:
    g = node.flattened()
    conns = []
    for raw in g.children("expressRouteConnections"):
        c = raw.flattened()
        conns.append(ExpressRouteHubConnection(
            name=_name(raw, c), peering_id=c.ref_id("expressRouteCircuitPeering"),
            routing_weight=c.int("routingWeight"), enable_internet_security=bool(c.bool("enableInternetSecurity")),
            paths={"": raw.path, "peering_id": c.at("expressRouteCircuitPeering")}))
    if not conns and not g.has("virtualHub"):
        raise InputError("not an ExpressRoute gateway: neither expressRouteConnections nor virtualHub is present",
                         file=node.file, field="(document)")
    return ExpressRouteGateway(name=_name(node, g), id=g.str("id"), hub_id=g.ref_id("virtualHub"),
                               connections=conns, paths={"": node.path, "connections": g.at("expressRouteConnections")},
                               source_file=node.file)
