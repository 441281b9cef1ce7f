"""The on-premises side: what Azure does not know.

An inventory is a folder (``inventories/<name>/``) with

* ``hosts.yaml``: the customer edge routers, in the shape Nornir's SimpleInventory reads
  (name → hostname, platform, groups, data). ergen's own per-router facts live under
  ``data``: the router's BGP ASN and the ExpressRoute links it terminates.
* ``groups.yaml`` and ``defaults.yaml`` (optional, Nornir's shape too): values a host
  inherits (host over group over defaults, key by key).
* ``circuits.yaml``: per circuit (by its Azure name) the policy both links share:
  prefixes to advertise per peering, standby policy, BFD, MD5 key by reference.

Secrets are references only: ``env:NAME`` or ``file:PATH`` (relative to the inventory).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ergen.model.site import Site

PLATFORMS = ("ios-xe", "junos", "junos-srx", "eos", "nx-os", "ios-xr", "frr")  # the renderer checks capabilities
Platform = Literal["ios-xe", "junos", "junos-srx", "eos", "nx-os", "ios-xr", "frr"]
LinkRole = Literal["primary", "secondary"]
PeeringName = Literal["private", "microsoft"]
SECRET_PATTERN = r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SecretRef(_Strict):
    """Where a secret lives. Written in YAML as a plain string ``env:NAME`` or ``file:PATH``."""

    ref: str = Field(pattern=SECRET_PATTERN)


class NatPolicy(_Strict):
    """Source NAT of on-premises ranges to a public pool (Microsoft peering only)."""

    inside: list[str] = Field(min_length=1, description="on-premises prefixes translated")
    pool: str = Field(description="public prefix the inside ranges are translated to; advertise it")


class MacsecKeys(_Strict):
    """MACsec pre-shared keys for ExpressRoute Direct (the same as in Azure's Key Vault), by reference."""

    ckn: str = Field(pattern=SECRET_PATTERN)
    cak: str = Field(pattern=SECRET_PATTERN)


class PeeringPolicy(_Strict):
    """What the customer routers do on one peering (both links, unless a link overrides it)."""

    advertise: list[str] = Field(default_factory=list, description="IPv4 prefixes to advertise to Microsoft")
    advertise_ipv6: list[str] = Field(default_factory=list, description="IPv6 prefixes to advertise to Microsoft")
    default_route: bool = Field(False, description="advertise 0.0.0.0/0 (forced tunneling; private peering only)")
    md5_key: str | None = Field(None, pattern=SECRET_PATTERN,
                                description="BGP MD5 key by reference: env:NAME or file:PATH")
    maximum_prefix: int | None = Field(None, ge=1, description="IPv4 prefixes accepted from Microsoft "
                                                              "before the session is reset")
    maximum_prefix_ipv6: int | None = Field(None, ge=1)
    anchor_routes: bool = Field(True, description="add discard routes (AD 250) so each advertised prefix "
                                                  "is in the RIB, as 'network' statements need; any real "
                                                  "route to it wins. false: your IGP supplies exact matches")
    accept_communities: list[str] = Field(default_factory=list, description=(
        "accept from Microsoft only routes with one of these communities: names from ergen's list "
        "(exchange, sharepoint, azure-westeurope, ...) or values 12076:NNNNN; empty: accept all"))
    vrf: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$",
                            description="put this peering in a VRF (routing instance) of this name")
    rd: str | None = Field(None, pattern=r"^(\d{1,10}|\d{1,3}(\.\d{1,3}){3}):\d{1,10}$",
                           description="route distinguisher of the VRF (default: <bgp asn>:<vlan>)")
    nat: NatPolicy | None = Field(None, description="Microsoft peering: source NAT to a public pool")
    enabled: bool = Field(True, description="false: render nothing for this peering")


class IpvpnLink(_Strict):
    """The customer router's side of one link to the IPVPN provider's PE."""

    address: str = Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$",
                         description="this router's address on the link to the PE, with its length (a /30 or /31)")
    neighbor: str = Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}$", description="the PE's address: the BGP neighbor")
    vlan: int = Field(ge=1, le=4094, description="802.1Q tag of the subinterface facing the PE")


class Ipvpn(_Strict):
    """Any-to-any (IPVPN) connectivity: the customer router peers with the provider's PE, which peers
    with Microsoft's edge. Addresses and the provider's ASN are the provider's, so they come from here."""

    provider_asn: int = Field(ge=1, le=4294967295, description="the provider's BGP ASN (the PE's)")
    primary: IpvpnLink | None = None
    secondary: IpvpnLink | None = None
    md5_key: str | None = Field(None, pattern=SECRET_PATTERN, description="BGP MD5 key of the PE sessions")


Connectivity = Literal["cross-connect", "point-to-point", "ipvpn"]


class CircuitPolicy(_Strict):
    """Inventory facts about one circuit, keyed by the circuit's Azure name in circuits.yaml."""

    customer: str | None = Field(None, description="the customer (customers/<name>.yaml) this circuit serves; "
                                                   "set by the loader for circuits under a customer")
    connectivity: Connectivity = Field("cross-connect", description=(
        "cross-connect or point-to-point: the router peers with Microsoft's edge on Azure's /30s; "
        "ipvpn: it peers with the provider's PE (see ipvpn)"))
    ipvpn: Ipvpn | None = None
    source: str | None = Field(None, description="the circuit's Azure JSON, relative to the inventory "
                                                 "(render --all; default azure/<circuit name>.json)")

    tag: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,23}$",
                            description="short name in ergen's object names (ER-<tag>-...); "
                                        "default: from the circuit name")
    redundancy: Literal["active-standby", "active-active"] = "active-standby"
    active_link: LinkRole = "primary"
    prepend: int = Field(3, ge=1, le=10, description="AS-path prepends on the standby link")
    local_preference_active: int = Field(150, ge=0, le=4294967295)
    local_preference_standby: int = Field(100, ge=0, le=4294967295)
    bfd: bool = True
    shape: bool = Field(False, description="shape the provider-facing interface to the circuit's bandwidth")
    macsec: MacsecKeys | None = Field(None, description="ExpressRoute Direct: MACsec keys (cipher from the port)")
    asymmetric_prefixes: bool = Field(False, description="allow the two links to advertise different prefixes")
    metro: dict[LinkRole, str] | None = Field(None, description=(
        "ExpressRoute Metro: the peering location of each link (Azure's JSON names the metro, not each link), "
        "e.g. {primary: Amsterdam, secondary: Amsterdam2}"))
    private: PeeringPolicy = Field(default_factory=PeeringPolicy)
    microsoft: PeeringPolicy = Field(default_factory=PeeringPolicy)


class LinkOverride(_Strict):
    advertise: list[str] | None = None
    advertise_ipv6: list[str] | None = None


class LinkAttachment(_Strict):
    """One ExpressRoute link (primary or secondary of a circuit) landing on this router."""

    circuit: str = Field(description="the circuit's Azure name")
    link: LinkRole
    interface: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$",
                           description="the router's provider-facing (parent) interface")
    peerings: list[PeeringName] | None = Field(None, description="peerings on this link (default: all "
                                                                 "the circuit has)")
    s_tag: int | None = Field(None, ge=1, le=4094, description="outer tag (QinQ); default: the circuit's stag "
                                                               "on ExpressRoute Direct QinQ ports")
    vlan: dict[PeeringName, int] = Field(default_factory=dict,
                                         description="router-side VLAN where the provider rewrites Azure's tag")
    private: LinkOverride | None = None
    microsoft: LinkOverride | None = None
    nat_inside: list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$")]] = Field(
        default_factory=list, description="interfaces facing the inside of Microsoft peering's source NAT")
    origin: tuple[str, str] | None = Field(None, exclude=True, description=(
        "(file, YAML path) where a customer file defined this link; None: hosts.yaml"))

    @field_validator("vlan")
    @classmethod
    def _vlan_range(cls, v: dict[str, int]) -> dict[str, int]:
        for k, tag in v.items():
            if not 1 <= tag <= 4094:
                raise ValueError(f"VLAN {tag} for {k} is outside 1-4094")
        return v


class IpsecAttachment(_Strict):
    """IPsec/IKEv2 tunnels from this router to an Azure VPN gateway, over one peering of a circuit."""

    connection: str = Field(description="the Azure VirtualNetworkGatewayConnection's name, or a Virtual WAN "
                                        "vpnLinkConnection's (<connection>/<link> or <link>), from --vpn files")
    circuit: str = Field(description="the circuit whose peering carries the tunnels")
    over: PeeringName = Field("private", description="private (gateway private IPs) or microsoft (public IPs)")
    local_address: str = Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}$",
                               description="tunnel source: an address of this router inside the peering's "
                                           "advertised prefixes (Azure must route back to it)")
    local_interface: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$",
                                 description="the interface holding local_address (e.g. Loopback100, lo)")
    psk: str = Field(pattern=SECRET_PATTERN, description="pre-shared key by reference")
    bgp_addresses: list[str] = Field(default_factory=list, description=(
        "this router's BGP address in each tunnel, by instance: APIPA 169.254.21.0-169.254.22.255 to a VNet "
        "gateway; to a Virtual WAN hub one address, the site link's BGP address (taken from the vpnSites "
        "file when left out)"))
    bgp_interface: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$", description=(
        "Virtual WAN: the interface holding the site link's BGP address, which both tunnels share (e.g. "
        "Loopback101, lo0.101); the tunnels are unnumbered to it"))
    advertise: list[str] = Field(default_factory=list, description="prefixes sent over the tunnels (more "
                                                                   "specific than over the peering)")


class RouterData(_Strict):
    bgp_asn: int | None = Field(None, ge=1, le=4294967295,
                                description="the router's BGP ASN (default: the peer ASN Azure has)")
    router_id: str | None = Field(None, pattern=r"^\d{1,3}(\.\d{1,3}){3}$")
    expressroute: list[LinkAttachment] = Field(default_factory=list)
    ipsec: list[IpsecAttachment] = Field(default_factory=list)
    napalm_args: dict[str, str | int | bool] = Field(default_factory=dict, description=(
        "NAPALM optional_args for pushes (e.g. secret, transport, pathspace for FRR); no secrets in clear"))


class HostEntry(_Strict):
    """A customer edge router as written in hosts.yaml: a Nornir host."""

    hostname: str | None = Field(None, description="management address or DNS name")
    platform: Platform
    port: int | None = None
    username: str | None = None
    password: str | None = Field(None, pattern=SECRET_PATTERN, description="by reference only")
    groups: list[str] = Field(default_factory=list)
    data: RouterData = Field(default_factory=RouterData)


class Router(HostEntry):
    """A customer edge router, with the name it has in hosts.yaml and what it inherited from groups."""

    name: str


class CircuitLanding(_Strict):
    """Where one link of a customer's circuit lands: a router of hosts.yaml and its port."""

    router: str
    link: LinkRole
    interface: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$")
    peerings: list[PeeringName] | None = None
    s_tag: int | None = Field(None, ge=1, le=4094)
    vlan: dict[PeeringName, int] = Field(default_factory=dict)
    private: LinkOverride | None = None
    microsoft: LinkOverride | None = None
    nat_inside: list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$")]] = Field(default_factory=list)


class CustomerCircuit(CircuitPolicy):
    """A circuit under a customer: its policy, and the routers and ports its links land on."""

    landings: list[CircuitLanding] = Field(default_factory=list, description="one per link (primary, secondary)")


class Customer(_Strict):
    """One customer of a cloud solution provider (customers/<name>.yaml)."""

    id: int | None = Field(None, ge=1, le=4294967295, description=(
        "the customer's number in route distinguishers and route targets (<bgp asn>:<id>); default: a "
        "stable number from the name (65536 and up), so adding a customer never renumbers another"))
    description: str | None = Field(None, max_length=200)
    vrf: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$",
                            description="the VRF of the customer's private peerings (default: the name in capitals)")
    prefixes: list[str] = Field(default_factory=list, description=(
        "the customer's own address space; no other customer may advertise inside it"))
    circuits: dict[str, CustomerCircuit] = Field(default_factory=dict)


class Inventory(_Strict):
    path: str
    routers: dict[str, Router]
    circuits: dict[str, CircuitPolicy] = Field(default_factory=dict)
    customers: dict[str, Customer] = Field(default_factory=dict)
    sites: dict[str, Site] = Field(default_factory=dict, description="sites.yaml: circuits serving the same networks")
    files: dict[str, str] = Field(default_factory=dict, description="role -> file path")
    origins: dict[str, str] = Field(default_factory=dict, exclude=True,
                                    description="router name -> file its definition came from")

    def policy(self, circuit: str) -> CircuitPolicy:
        return self.circuits.get(circuit) or CircuitPolicy()
