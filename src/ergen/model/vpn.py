"""The Azure side of IPsec over ExpressRoute: a VPN gateway and its connection to the on-premises router.

Shaped like Azure's VirtualNetworkGateway and VirtualNetworkGatewayConnection resources
(Microsoft.Network, api-version 2024-05-01), vendor-neutral; readers in ``ergen.azure.vpn``.

Virtual WAN fits the same two shapes: a hub's ``vpnGateways`` resource is a :class:`VpnGateway` of
kind ``vwan`` (always two instances, Instance0 and Instance1), each ``vpnLinkConnection`` of its
``vpnConnections`` a :class:`VpnConnection` (one on-premises device: tunnels to both instances), and
the ``vpnSites`` resource a :class:`VpnSite` whose links say which address and BGP peer Azure expects
on premises; the hub's ``expressRouteGateways`` resource (:class:`ExpressRouteGateway`) says which
circuits' private peerings reach the hub. Readers in ``ergen.azure.vwan``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from ergen.model.circuit import _Model


class IpsecPolicy(_Model):
    """A connection's custom IPsec/IKE policy (Azure's names: AES256, SHA256, DHGroup14, PFS2048 ...)."""

    sa_lifetime_seconds: int | None = None
    sa_data_size_kilobytes: int | None = None
    ipsec_encryption: str            # e.g. AES256, GCMAES256, None
    ipsec_integrity: str             # e.g. SHA256, GCMAES256
    ike_encryption: str              # e.g. AES256, GCMAES256
    ike_integrity: str               # e.g. SHA384
    dh_group: str                    # e.g. DHGroup14, ECP384, DHGroup2
    pfs_group: str                   # e.g. None, PFS2048, ECP384


class GatewayInstance(_Model):
    """One instance of an (active/active) VPN gateway."""

    name: str                                   # the ipConfiguration's name (e.g. "default", "activeActive")
    ip_configuration_id: str | None = None
    public_ip: str | None = None                # tunnelIpAddresses (reached over Microsoft peering)
    private_ip: str | None = None               # with enablePrivateIpAddress (over private peering)
    bgp_ip: str | None = None                   # the default BGP address in the GatewaySubnet
    apipa_bgp_ips: list[str] = Field(default_factory=list)  # customBgpIpAddresses (169.254.21.0-169.254.22.255)


class VpnGateway(_Model):
    name: str
    kind: str = "vnet"                          # vnet (virtualNetworkGateways) | vwan (a hub's vpnGateways)
    id: str | None = None
    hub_id: str | None = None                   # vwan: the virtualHub
    location: str | None = None
    sku: str | None = None
    vpn_type: str | None = None                 # RouteBased | PolicyBased
    active_active: bool = False
    enable_private_ip: bool = False
    bgp_asn: int | None = None                  # default 65515
    instances: list[GatewayInstance] = Field(default_factory=list)
    # vwan: the connections Azure embeds in the gateway (one per vpnLinkConnection)
    connections: list["VpnConnection"] = Field(default_factory=list, exclude=True, repr=False)
    source_file: str = Field(default="", exclude=True)


class CustomBgpAddress(_Model):
    ip_configuration_id: str
    address: str


class VpnConnection(_Model):
    name: str
    kind: str = "vnet"                          # vnet | vwan (one vpnLinkConnection of a vpnConnection)
    id: str | None = None
    parent: str | None = None                   # vwan: the vpnConnection's name (the link connection's parent)
    site_id: str | None = None                  # vwan: remoteVpnSite.id
    site_link_id: str | None = None             # vwan: vpnSiteLink.id
    connection_type: str | None = None          # IPsec
    connection_protocol: str | None = None      # IKEv2 | IKEv1
    gateway_id: str | None = None               # virtualNetworkGateway1.id
    local_network_gateway_id: str | None = None
    enable_bgp: bool = False
    use_policy_based_traffic_selectors: bool = False
    use_local_azure_ip_address: bool = False    # tunnels to the gateway's private IPs
    shared_key: SecretStr | None = None
    shared_key_set: bool = False
    ipsec_policies: list[IpsecPolicy] = Field(default_factory=list)
    custom_bgp_addresses: list[CustomBgpAddress] = Field(default_factory=list)
    dpd_timeout_seconds: int | None = None
    source_file: str = Field(default="", exclude=True)


class VpnSiteLink(_Model):
    """One link of a Virtual WAN VPN site: the on-premises device's address and BGP peer, as Azure has them."""

    name: str
    id: str | None = None
    ip_address: str | None = None               # the device's tunnel address (private: over ExpressRoute)
    fqdn: str | None = None
    bgp_asn: int | None = None
    bgp_address: str | None = None              # the device's BGP address (bgpProperties.bgpPeeringAddress)
    provider: str | None = None
    speed_mbps: int | None = None


class VpnSite(_Model):
    name: str
    id: str | None = None
    virtual_wan_id: str | None = None
    address_prefixes: list[str] = Field(default_factory=list)
    links: list[VpnSiteLink] = Field(default_factory=list)
    source_file: str = Field(default="", exclude=True)


class ExpressRouteHubConnection(_Model):
    name: str
    peering_id: str | None = None               # expressRouteCircuitPeering.id
    routing_weight: int | None = None
    enable_internet_security: bool = False


class ExpressRouteGateway(_Model):
    """A Virtual WAN hub's ExpressRoute gateway: which circuits' private peerings reach the hub."""

    name: str
    id: str | None = None
    hub_id: str | None = None
    connections: list[ExpressRouteHubConnection] = Field(default_factory=list)
    source_file: str = Field(default="", exclude=True)


VpnGateway.model_rebuild()
