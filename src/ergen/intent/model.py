"""Per-router intent: the typed objects the templates print. Nothing here is computed in Jinja."""

from __future__ import annotations

from dataclasses import dataclass, field

from ergen.intent.addressing import Address, Prefix
from ergen.secrets import Secret


@dataclass(frozen=True)
class Drain:
    """A link with its traffic moved off: a lower local preference on what it receives (the site prefers
    the other link) and a longer AS path on what it sends (Azure prefers the other link)."""

    local_preference: int = 50
    prepend: int = 5            # times the AS is prepended (more than the standby link's prepend)
    shutdown: bool = False      # also take the link's BGP sessions administratively down


@dataclass(frozen=True)
class BfdProfile:
    name: str
    interval_ms: int = 300      # Microsoft's edge sends every 300 ms; the slower side wins
    min_rx_ms: int = 300
    multiplier: int = 3


@dataclass(frozen=True)
class Subinterface:
    name: str                   # platform's interface name, e.g. TenGigabitEthernet0/1/0.100 or eth1.100
    parent: str
    unit: int                   # subinterface number
    c_tag: int                  # the 802.1Q tag (inner tag with QinQ)
    s_tag: int | None           # QinQ outer tag
    description: str            # raw text (templates escape it)
    ipv4: Address
    ipv6: Address | None
    bfd: BfdProfile | None
    circuit: str
    peering: str                # private | microsoft
    link: str                   # primary | secondary
    vrf: str | None = None
    nat_outside: bool = False   # Microsoft peering's side of source NAT


@dataclass(frozen=True)
class PrefixListEntry:
    seq: int
    action: str                 # permit | deny
    prefix: Prefix
    ge: int | None = None
    le: int | None = None


@dataclass(frozen=True)
class PrefixList:
    name: str
    family: int                 # 4 | 6
    entries: tuple[PrefixListEntry, ...]


@dataclass(frozen=True)
class CommunityList:
    name: str
    communities: tuple[str, ...]    # values, e.g. 12076:5010


@dataclass(frozen=True)
class RouteMapEntry:
    seq: int
    action: str
    match_prefix_list: str | None = None
    match_community_list: str | None = None
    set_local_preference: int | None = None
    set_as_path_prepend: tuple[int, ...] = ()

    @property
    def prepend_text(self) -> str:
        return " ".join(str(a) for a in self.set_as_path_prepend)


@dataclass(frozen=True)
class RouteMap:
    name: str
    family: int
    entries: tuple[RouteMapEntry, ...]


@dataclass(frozen=True)
class MaximumPrefix:
    limit: int
    threshold_pct: int = 80
    restart_minutes: int = 5

    @property
    def restart_seconds(self) -> int:
        return self.restart_minutes * 60


@dataclass(frozen=True)
class Neighbor:
    address: str
    family: int
    remote_as: int
    local_as: int | None        # the peering's ASN when it is not the router's BGP ASN
    description: str            # raw text
    md5: Secret | None
    bfd: BfdProfile | None
    route_map_in: str
    route_map_out: str
    maximum_prefix: MaximumPrefix
    interface: str
    circuit: str
    peering: str
    link: str
    standby: bool
    vrf: str | None = None
    update_source: str | None = None   # BGP inside an IPsec tunnel: from the router's tunnel address
    ebgp_multihop: int | None = None
    tunnel: int | None = None          # the tunnel interface number it runs through
    update_interface: str | None = None  # IOS: the interface BGP inside the tunnel is sourced from
    provider_pe: bool = False          # IPVPN: the neighbor is the provider's PE, not Microsoft's edge
    shutdown: bool = False             # drained with --mode shutdown: administratively down
    drained: bool = False              # its link is drained (ergen drain): longer AS path, lower preference


@dataclass(frozen=True)
class IbgpNeighbor:
    """Another router of the site (sites.yaml ``ibgp``): iBGP with next-hop-self, so the routes and local
    preference learned from Microsoft on one router reach the others with a next hop they can resolve."""

    address: str
    family: int
    remote_as: int              # the router's own ASN (internal)
    description: str            # raw text (templates escape it)
    router: str                 # the peer's inventory name
    site: str
    local_address: str          # this router's own iBGP address of the family (Junos: local-address)
    group: str                  # Junos: the BGP group (owned name)
    export_policy: str          # Junos: the policy setting next-hop self (owned name)
    update_source: str | None = None   # the interface holding it (IOS family); None: on a shared LAN
    vrf: str | None = None


@dataclass(frozen=True)
class StaticRoute:
    prefix: Prefix
    distance: int = 250         # floating discard route: any real route wins
    vrf: str | None = None


@dataclass(frozen=True)
class Vrf:
    name: str
    rd: str
    families: tuple[int, ...]
    route_target: str | None = None    # import and export (a customer's VRF); None: the platform's default
    description: str | None = None     # raw text (templates escape it)
    customer: str | None = None


@dataclass(frozen=True)
class BgpInstance:
    """The neighbors and originated prefixes of the global table (vrf None) or of one VRF."""

    vrf: str | None
    rd: str | None
    neighbors: tuple[Neighbor, ...]
    networks: tuple[Prefix, ...]
    route_target: str | None = None    # the VRF's (import and export), for platforms that set it under BGP
    ibgp: tuple[IbgpNeighbor, ...] = ()  # the site's other routers (sites.yaml ibgp)

    def neighbors_v(self, family: int) -> tuple[Neighbor, ...]:
        return tuple(n for n in self.neighbors if n.family == family)

    def ibgp_v(self, family: int) -> tuple[IbgpNeighbor, ...]:
        return tuple(n for n in self.ibgp if n.family == family)

    def networks_v(self, family: int) -> tuple[Prefix, ...]:
        return tuple(p for p in self.networks if p.version == family)

    @property
    def families(self) -> tuple[int, ...]:
        return tuple(f for f in (4, 6) if self.neighbors_v(f) or self.ibgp_v(f))


@dataclass(frozen=True)
class Shaper:
    name: str                   # policy name (owned)
    interface: str              # the provider-facing parent interface
    rate_bps: int
    circuit: str

    @property
    def rate_kbps(self) -> int:
        return self.rate_bps // 1000

    @property
    def rate_mbps(self) -> int:
        return self.rate_bps // 1_000_000


@dataclass(frozen=True)
class SourceNat:
    pool_name: str
    acl_name: str
    pool: Prefix
    first: str
    last: str
    inside: tuple[Prefix, ...]
    outside_interfaces: tuple[str, ...]
    inside_interfaces: tuple[str, ...]


@dataclass(frozen=True)
class Macsec:
    name: str                   # key chain / profile / connectivity association (owned)
    interface: str              # the Direct port's physical interface on this router
    cipher: str                 # gcm-aes-128 | gcm-aes-256 | gcm-aes-xpn-128 | gcm-aes-xpn-256
    ckn: Secret
    cak: Secret
    include_sci: bool

    @property
    def xpn(self) -> bool:
        return "xpn" in self.cipher

    @property
    def bits(self) -> int:
        return 256 if self.cipher.endswith("256") else 128


@dataclass(frozen=True)
class CircuitSummary:
    name: str
    link: str
    service_key: str | None
    provider: str | None
    peering_location: str | None
    bandwidth: str
    owned_prefix: str           # every object ergen creates for this circuit starts with it


@dataclass(frozen=True)
class IkeProposal:
    encryption: str             # aes256 | aes192 | aes128 | aes256gcm16 | aes128gcm16 | 3des
    integrity: str              # sha256 | sha384 | sha1 | md5 (GCM: the PRF)
    dh_group: int               # 2, 14, 24, 19 (ECP256), 20 (ECP384)


@dataclass(frozen=True)
class EspProposal:
    encryption: str             # aes256gcm16 | aes256 | aes128 | 3des ...
    integrity: str | None       # sha256 | sha1 | None (GCM)
    pfs_group: int | None       # None: no PFS


@dataclass(frozen=True)
class IpsecTunnel:
    """One route-based IKEv2 tunnel to one Azure VPN gateway instance, with BGP inside."""

    name: str                   # ER-<TAG>-VPN<k>: IKE/IPsec objects, profile, connection
    index: int
    number: int                 # tunnel interface number (IOS: Tunnel<number>)
    local_address: str
    local_interface: str
    remote_address: str         # the gateway instance's private or public IP
    remote_name: str            # the instance (ipConfiguration) name
    psk: Secret
    ike: tuple[IkeProposal, ...]
    esp: tuple[EspProposal, ...]
    inner_local: str            # this router's BGP address in the tunnel (APIPA)
    inner_remote: str           # Azure's BGP address of that instance
    remote_as: int
    advertise: tuple[Prefix, ...]
    ike_lifetime_s: int = 28800
    esp_lifetime_s: int = 27000
    esp_lifetime_kb: int = 102400000
    dpd_s: int = 10
    mss: int = 1350
    mtu: int = 1400
    over: str = "private"
    circuit: str = ""
    underlay_next_hop: str | None = None   # Microsoft's edge on this router's link: the gateway address
    #                                        is reached over ExpressRoute, never through the tunnel itself
    inner_interface: str | None = None     # Virtual WAN: the interface holding inner_local, which the
    #                                        tunnels to both hub instances share (they are unnumbered)
    hub: str | None = None                 # Virtual WAN: the hub's name (descriptions)

    @property
    def description(self) -> str:
        """Raw text (templates escape it): the far end and the peering the tunnel runs over."""
        far = f"Azure Virtual WAN hub {self.hub} {self.remote_name}" if self.hub else \
            f"Azure VPN gateway {self.remote_name}"
        return f"{far} ({self.circuit} {self.over} peering)"

    @property
    def inner_ifd(self) -> str | None:
        """Junos: the BGP address's interface (lo0 of lo0.101)."""
        return self.inner_interface.split(".", 1)[0] if self.inner_interface else None

    @property
    def inner_unit(self) -> int | None:
        """Junos: the BGP address's unit (101 of lo0.101)."""
        if not self.inner_interface:
            return None
        rest = self.inner_interface.split(".", 1)[1:] or ["0"]
        return int(rest[0]) if rest[0].isdigit() else 0

    @property
    def esp_lifetime_bytes(self) -> int:
        return self.esp_lifetime_kb * 1024

    @property
    def local_ifd(self) -> str:
        """Junos: the tunnel source's interface (lo0 of lo0.100)."""
        return self.local_interface.split(".", 1)[0]

    @property
    def local_unit(self) -> int:
        """Junos: the tunnel source's unit (100 of lo0.100; 0 when none is named)."""
        rest = self.local_interface.split(".", 1)[1:] or ["0"]
        return int(rest[0]) if rest[0].isdigit() else 0

    @property
    def local_unit_name(self) -> str:
        return f"{self.local_ifd}.{self.local_unit}"


@dataclass(frozen=True)
class SecurityZone:
    """SRX: a security zone and what each of its interfaces lets in to the router itself."""

    name: str
    interfaces: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]   # (interface, protocols, services)


@dataclass(frozen=True)
class RouterIntent:
    name: str
    hostname: str | None
    platform: str
    bgp_asn: int
    router_id: str | None
    circuits: tuple[CircuitSummary, ...]
    bfd_profiles: tuple[BfdProfile, ...]
    parents: tuple[str, ...]            # provider-facing interfaces the subinterfaces sit on
    interfaces: tuple[Subinterface, ...]
    prefix_lists: tuple[PrefixList, ...]
    community_lists: tuple[CommunityList, ...]
    route_maps: tuple[RouteMap, ...]
    bgp: tuple[BgpInstance, ...]        # the global table first, then one per VRF
    vrfs: tuple[Vrf, ...]
    static_routes: tuple[StaticRoute, ...]
    shapers: tuple[Shaper, ...] = ()
    nat: tuple[SourceNat, ...] = ()
    macsec: tuple[Macsec, ...] = ()
    ipsec: tuple[IpsecTunnel, ...] = ()
    features: frozenset[str] = frozenset()   # capabilities.yaml feature ids this router uses
    secrets: tuple[Secret, ...] = field(default=(), repr=False)

    @property
    def neighbors(self) -> tuple[Neighbor, ...]:
        return tuple(n for b in self.bgp for n in b.neighbors)

    @property
    def networks(self) -> tuple[Prefix, ...]:
        return tuple(p for b in self.bgp for p in b.networks)

    @property
    def ibgp_policies(self) -> tuple[str, ...]:
        """Junos: the next-hop-self export policies of the site's iBGP groups."""
        return tuple(dict.fromkeys(n.export_policy for b in self.bgp for n in b.ibgp))

    @property
    def global_bgp(self) -> BgpInstance:
        return next(b for b in self.bgp if b.vrf is None)

    @property
    def vrf_bgp(self) -> tuple[BgpInstance, ...]:
        return tuple(b for b in self.bgp if b.vrf is not None)

    @property
    def families(self) -> tuple[int, ...]:
        return tuple(f for f in (4, 6) if any(n.family == f for n in self.neighbors))

    @property
    def tunnel_interfaces(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """The router's own interfaces the tunnels need, with their /32 addresses: (interface, purpose,
        addresses): the tunnel source, and to a Virtual WAN hub the BGP address both tunnels share."""
        out: dict[str, tuple[str, dict[str, None]]] = {}
        for t in self.ipsec:
            out.setdefault(t.local_interface, ("IPsec tunnel source toward Azure VPN gateways", {}))[1][
                t.local_address] = None
        for t in self.ipsec:
            if t.inner_interface:
                out.setdefault(t.inner_interface, ("BGP address toward the Azure Virtual WAN hub (both tunnels)",
                                                   {}))[1][t.inner_local] = None
        return tuple((name, text, tuple(addrs)) for name, (text, addrs) in out.items())

    @property
    def tunnel_units(self) -> tuple[tuple[str, tuple[tuple[int, str, tuple[str, ...]], ...]], ...]:
        """Junos: the units the tunnels need on the router's own interfaces, by interface: (unit,
        description, addresses): the tunnel source and, to a Virtual WAN hub, the BGP address both tunnels
        share (in the same unit unless bgp_interface names another: Junos allows one lo0 unit per
        routing instance)."""
        units: dict[str, dict[int, tuple[str, dict[str, None]]]] = {}
        for t in self.ipsec:
            units.setdefault(t.local_ifd, {}).setdefault(
                t.local_unit, ("IPsec tunnel source toward Azure VPN gateways", {}))[1][t.local_address] = None
        for t in self.ipsec:
            if t.inner_interface:
                units.setdefault(t.inner_ifd, {}).setdefault(
                    t.inner_unit, ("BGP address toward the Azure Virtual WAN hub", {}))[1][t.inner_local] = None
        return tuple((ifd, tuple((u, d, tuple(a)) for u, (d, a) in us.items())) for ifd, us in units.items())

    @property
    def security_zones(self) -> tuple[SecurityZone, ...]:
        """SRX (flow mode drops what no zone lets in): per circuit, its subinterfaces (BGP and BFD to
        Microsoft's edge) and the IPsec tunnel source (IKE); per circuit with tunnels, the st0 units (BGP
        inside the tunnels)."""
        out = []
        for c in dict.fromkeys(x.name for x in self.circuits):
            prefix = next(x.owned_prefix for x in self.circuits if x.name == c)
            ifs = [(i.name, ("bgp", "bfd"), ("ping",)) for i in self.interfaces if i.circuit == c]
            tunnels = [t for t in self.ipsec if t.circuit == c]
            for src in dict.fromkeys(t.local_unit_name for t in tunnels):
                ifs.append((src, (), ("ike", "ping")))
            for unit in dict.fromkeys(f"{t.inner_ifd}.{t.inner_unit}" for t in tunnels if t.inner_interface):
                if unit not in {t.local_unit_name for t in tunnels}:
                    ifs.append((unit, (), ("ping",)))
            if ifs:
                out.append(SecurityZone(f"{prefix}EXPRESSROUTE", tuple(ifs)))
            if tunnels:
                out.append(SecurityZone(f"{prefix}VPN", tuple((f"st0.{t.number}", ("bgp",), ("ping",))
                                                              for t in tunnels)))
        return tuple(out)
