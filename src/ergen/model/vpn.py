"""The Azure side of IPsec over ExpressRoute: a VPN gateway and its connection to the on-premises router.

Shaped like Azure's VirtualNetworkGateway and VirtualNetworkGatewayConnection resources
(Microsoft.Network, api-version 2024-05-01), vendor-neutral; readers in ``ergen.azure.vpn``.
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
    id: str | None = None
    location: str | None = None
    sku: str | None = None
    vpn_type: str | None = None                 # RouteBased | PolicyBased
    active_active: bool = False
    enable_private_ip: bool = False
    bgp_asn: int | None = None                  # default 65515
    instances: list[GatewayInstance] = Field(default_factory=list)
    source_file: str = Field(default="", exclude=True)


class CustomBgpAddress(_Model):
    ip_configuration_id: str
    address: str


class VpnConnection(_Model):
    name: str
    id: str | None = None
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
