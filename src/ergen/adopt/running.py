"""What a router already runs, vendor-neutral, with the lines each object is made of.

A platform parser (``ergen.adopt.parsers.<platform>``) turns a running config, written by hand or by
ergen, into a :class:`RunningConfig`. Every object keeps ``paths``: the config nodes it consists of,
so that a migration removes exactly those nodes and nothing else.

Lines and paths
    A config is a tree. A node is addressed by its *path*, a tuple of strings from the top:

    * IOS-style (IOS-XE, EOS, NX-OS, IOS-XR, FRR): each element is one stripped line, e.g.
      ``("router bgp 64500", "address-family ipv4", "neighbor 192.168.100.130 activate")``;
    * Junos: each element is one *word* of the statement as ``display set`` shows it, e.g.
      ``("interfaces", "xe-0/1/0", "unit", "100", "vlan-id", "100")`` (brace and set form give the same
      paths).

    An object owns every node whose path starts with one of its ``paths``. ``RunningConfig.lines`` lists
    every node of the config (block headers and leaves), in order.

Keys
    :class:`Key` keeps a key as the router shows it. Clear keys are compared in memory, never printed;
    encrypted ones (IOS type 7, Junos ``$9$``, NX-OS type 3, ...) are never decrypted: they compare as
    "cannot compare".
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

Line = tuple[str, ...]


# ----------------------------------------------------------------------------- small values
@dataclass(frozen=True)
class Key:
    """An authentication key as the router shows it."""

    scheme: str                      # clear | type7 | type6 | type3 | junos9 | encrypted (any other)
    value: str = field(repr=False, compare=False)

    @property
    def clear(self) -> bool:
        return self.scheme == "clear"

    def __str__(self) -> str:        # never the value
        return "<key in clear>" if self.clear else f"<encrypted key ({self.scheme})>"


@dataclass(frozen=True)
class Bfd:
    interval_ms: int | None = None
    min_rx_ms: int | None = None
    multiplier: int | None = None


@dataclass(frozen=True)
class PrefixEntry:
    """One prefix-list / prefix-set / route-filter entry, in IOS terms.

    Junos route-filter types map to ge/le: ``exact`` (none), ``orlonger`` (le = max), ``longer``
    (ge = length + 1, le = max), ``upto /n`` (le = n), ``prefix-length-range /a-/b`` (ge = a, le = b).
    """

    action: str                      # permit | deny
    prefix: str                      # normalised network, e.g. 10.20.0.0/16, 2001:db8::/32
    ge: int | None = None
    le: int | None = None

    def matches(self, prefix: str) -> bool:
        net = ipaddress.ip_network(prefix, strict=False)
        base = ipaddress.ip_network(self.prefix, strict=False)
        if net.version != base.version or not net.subnet_of(base):
            return False
        lo = self.ge if self.ge is not None else base.prefixlen
        hi = self.le if self.le is not None else (net.max_prefixlen if self.ge is not None else base.prefixlen)
        return lo <= net.prefixlen <= hi


# ----------------------------------------------------------------------------- objects
@dataclass(kw_only=True)
class ConfigObject:
    kind: str = ""                   # interface | neighbor | peer-group | policy | prefix-list | community-list
    #                                  | static | bfd-template | network | redistribute
    name: str = ""                       # as the router names it (interface, neighbor address as written, ...)
    paths: list[Line] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(kw_only=True)
class Interface(ConfigObject):
    kind: str = "interface"
    parent: str | None = None        # the physical interface of a subinterface / unit
    unit: int | None = None
    c_tag: int | None = None         # 802.1Q tag (the inner one with QinQ)
    s_tag: int | None = None         # QinQ outer tag
    ipv4: list[str] = field(default_factory=list)   # host address with length: 192.168.100.129/30
    ipv6: list[str] = field(default_factory=list)   # normalised: 2001:db8:100::1/126
    vrf: str | None = None
    description: str | None = None
    bfd: Bfd | None = None           # BFD timers set on the interface (IOS-XE, EOS, NX-OS)
    shutdown: bool = False


@dataclass
class Session:
    """BGP settings of a neighbor or a peer group (None: not set here)."""

    remote_as: int | None = None
    local_as: int | None = None
    description: str | None = None
    key: Key | None = None
    bfd: bool | None = None
    bfd_timers: Bfd | None = None
    policy_in: list[str] | None = None       # route maps / policy statements / route policies, in order
    policy_out: list[str] | None = None
    prefix_list_in: str | None = None        # a prefix list applied straight to the neighbor
    prefix_list_out: str | None = None
    max_prefix: int | None = None
    shutdown: bool | None = None
    timers: tuple[int, int] | None = None    # keepalive, hold
    update_source: str | None = None
    ebgp_multihop: int | None = None
    activated: set[int] | None = None        # address families the session carries (4, 6)


_SESSION_FIELDS = tuple(Session.__dataclass_fields__)


def merge_session(group: Session | None, own: Session) -> Session:
    """A neighbor's effective settings: its own, else its peer group's."""
    if group is None:
        return own
    out = Session()
    for f in _SESSION_FIELDS:
        v = getattr(own, f)
        setattr(out, f, v if v is not None else getattr(group, f))
    return out


@dataclass(kw_only=True)
class PeerGroup(ConfigObject):
    kind: str = "peer-group"         # IOS peer-group, EOS peer group, NX-OS template peer, XR neighbor-group,
    #                                  Junos BGP group
    vrf: str | None = None
    session: Session = field(default_factory=Session)


@dataclass(kw_only=True)
class Neighbor(ConfigObject):
    kind: str = "neighbor"
    address: str = ""                # normalised (lower case, compressed IPv6)
    vrf: str | None = None
    group: str | None = None         # the peer group it inherits from
    session: Session = field(default_factory=Session)

    @property
    def family(self) -> int:
        return ipaddress.ip_address(self.address).version


@dataclass(kw_only=True)
class Term:
    """One route-map entry, policy-statement term or route-policy branch.

    A term matches a route when every match given matches (within one kind: any of the listed); a term
    with ``unknown`` matches (as-path, tags, ...) cannot be evaluated by ergen.
    """

    name: str
    action: str | None = None        # permit (accept, stop) | deny (reject, stop) | pass (accepted unless a later
    #                                  term drops it; go on: RPL "pass") | None (no final action, go on)
    chain: int | None = None         # terms with the same chain are one if/elseif/else: only the first that
    #                                  matches runs (RPL)
    prefix_lists: list[str] = field(default_factory=list)
    prefixes: list[PrefixEntry] = field(default_factory=list)     # inline: route-filter, inline prefix set
    community_lists: list[str] = field(default_factory=list)
    communities: list[str] = field(default_factory=list)          # inline community values
    protocols: list[str] = field(default_factory=list)            # Junos "from protocol"
    unknown: list[str] = field(default_factory=list)              # matches ergen does not evaluate
    local_preference: int | None = None
    prepend: list[int] = field(default_factory=list)
    next_hop_self: bool = False      # sets the next hop to the router itself (Junos "then next-hop self": iBGP)


@dataclass(kw_only=True)
class Policy(ConfigObject):
    kind: str = "policy"             # route-map, policy-statement, route-policy
    terms: list[Term] = field(default_factory=list)
    default: str = "deny"            # what happens after the last term: deny | next (Junos: the next policy
    #                                  of the chain, then the protocol's default)


@dataclass(kw_only=True)
class PrefixList(ConfigObject):
    kind: str = "prefix-list"        # prefix-list, prefix-set
    family: int | None = None        # 4 | 6 | None (Junos: by its entries)
    entries: list[PrefixEntry] = field(default_factory=list)


@dataclass(kw_only=True)
class CommunityList(ConfigObject):
    kind: str = "community-list"     # community-list, community-set, Junos community
    entries: list[tuple[str, list[str]]] = field(default_factory=list)   # (permit|deny, values that all match)


@dataclass(kw_only=True)
class StaticRoute(ConfigObject):
    kind: str = "static"
    vrf: str | None = None
    prefix: str = ""
    discard: bool = False            # Null0 / blackhole / discard / reject
    next_hop: str | None = None
    distance: int | None = None


@dataclass(kw_only=True)
class BfdTemplate(ConfigObject):
    kind: str = "bfd-template"       # IOS-XE bfd-template, FRR bfd profile
    timers: Bfd = field(default_factory=Bfd)


@dataclass(kw_only=True)
class Network(ConfigObject):
    kind: str = "network"            # a BGP network statement
    vrf: str | None = None
    prefix: str = ""


@dataclass(kw_only=True)
class Redistribute(ConfigObject):
    kind: str = "redistribute"
    vrf: str | None = None
    family: int = 4
    protocol: str = ""
    policy: str | None = None


@dataclass(kw_only=True)
class RunningConfig:
    platform: str
    source: str = ""                 # file name or "router <name>" (for messages)
    hostname: str | None = None
    bgp_asn: int | None = None
    router_id: str | None = None
    interfaces: dict[str, Interface] = field(default_factory=dict)
    neighbors: dict[tuple[str | None, str], Neighbor] = field(default_factory=dict)   # (vrf, address)
    groups: dict[str, PeerGroup] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    prefix_lists: dict[tuple[int | None, str], PrefixList] = field(default_factory=dict)  # (family, name)
    community_lists: dict[str, CommunityList] = field(default_factory=dict)
    statics: list[StaticRoute] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    redistribute: list[Redistribute] = field(default_factory=list)
    bfd_templates: dict[str, BfdTemplate] = field(default_factory=dict)
    bgp_path: Line | None = None     # the BGP process's own node (router bgp N / protocols bgp)
    lines: list[Line] = field(default_factory=list)   # every node, in order
    notes: list[str] = field(default_factory=list)    # what the parser saw but does not model

    # -- lookups ------------------------------------------------------------------------------
    def neighbor(self, address: str, vrf: str | None = None) -> Neighbor | None:
        return self.neighbors.get((vrf, normal_address(address)))

    def find_neighbor(self, address: str) -> Neighbor | None:
        """The neighbor at ``address`` in any VRF."""
        a = normal_address(address)
        return next((n for (v, x), n in self.neighbors.items() if x == a), None)

    def effective(self, n: Neighbor) -> Session:
        return merge_session(self.groups[n.group].session if n.group in self.groups else None, n.session)

    def prefix_list(self, name: str, family: int | None) -> PrefixList | None:
        return (self.prefix_lists.get((family, name)) or self.prefix_lists.get((None, name))
                or next((p for (f, n), p in self.prefix_lists.items() if n == name), None))

    # -- policy evaluation ---------------------------------------------------------------------
    def evaluate(self, names: list[str] | None, prefix: str, communities: list[str] = (), *,
                 direction: str = "in", protocol: str = "bgp") -> "Verdict":
        """What the policy chain ``names`` does with a route (``None``/empty: no policy).

        IOS-style route maps and RPL end in an implicit deny; a Junos chain falls through to the next
        policy, then to BGP's default (import: accept; export: accept BGP routes only)."""
        family = ipaddress.ip_network(prefix, strict=False).version
        lp, prepend, unknown = None, [], False
        if not names:
            return Verdict(self.platform_default(direction, protocol), None, [], False, policy=False)
        for name in names:
            pol = self.policies.get(name)
            if pol is None:
                return Verdict(None, lp, prepend, True, missing=name)
            decided, passed, chains_done = None, False, set()
            for t in pol.terms:
                if t.chain is not None and t.chain in chains_done:
                    continue
                m = self._term_matches(t, prefix, family, communities, protocol)
                if m is None:
                    unknown = True
                    continue
                if not m:
                    continue
                if t.chain is not None:
                    chains_done.add(t.chain)
                if t.local_preference is not None:
                    lp = t.local_preference
                if t.prepend:
                    prepend = list(t.prepend)
                if t.action == "pass":
                    passed = True
                elif t.action is not None:
                    decided = t.action == "permit"
                    break
            if decided is None and passed:
                decided = True
            if decided is not None:
                return Verdict(decided, lp if decided else None, prepend if decided else [], unknown)
            if pol.default == "deny":
                return Verdict(False, None, [], unknown)
        # a Junos chain ran out: the protocol's default
        return Verdict(self.platform_default(direction, protocol), lp, prepend, unknown)

    def platform_default(self, direction: str, protocol: str) -> bool:
        if self.platform == "junos":
            return direction == "in" or protocol == "bgp"
        if self.platform == "ios-xr":
            return False                 # eBGP without a route policy exchanges nothing
        return True

    def _term_matches(self, t: Term, prefix: str, family: int, communities, protocol) -> bool | None:
        if t.unknown:
            return None
        if t.protocols and protocol not in t.protocols:
            return False
        if t.prefix_lists or t.prefixes:
            hit = any(e.matches(prefix) for e in t.prefixes if e.action == "permit")
            for name in t.prefix_lists:
                pl = self.prefix_list(name, family)
                if pl is None:
                    return None
                if self.platform == "junos":       # a Junos prefix-list: exact matches
                    hit = hit or any(e.matches(prefix) for e in pl.entries)
                else:
                    hit = hit or prefix_list_permits(pl.entries, prefix)
            if not hit:
                return False
        if t.community_lists or t.communities:
            have = set(communities)
            hit = bool(set(t.communities) & have)
            for name in t.community_lists:
                cl = self.community_lists.get(name)
                if cl is None:
                    return None
                for action, values in cl.entries:
                    if set(values) <= have:
                        hit = hit or action == "permit"
                        break
            if not hit:
                return False
        return True


@dataclass
class Verdict:
    accepted: bool | None            # None: ergen cannot tell (a match it does not evaluate, a missing policy)
    local_preference: int | None
    prepend: list[int]
    unknown: bool = False
    policy: bool = True              # False: no policy applied (the platform's default decided)
    missing: str | None = None       # a policy the chain names but the config lacks


def prefix_list_permits(entries: list[PrefixEntry], prefix: str) -> bool:
    """IOS semantics: the first entry that matches decides; none: deny."""
    for e in entries:
        if e.matches(prefix):
            return e.action == "permit"
    return False


# ----------------------------------------------------------------------------- helpers for parsers
def normal_address(text: str) -> str:
    """An IP address as ergen compares it: IPv6 lower case and compressed (2001:DB8:0::2 -> 2001:db8::2)."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return text.strip().lower()


def normal_interface_address(text: str, mask: str | None = None) -> str:
    """``192.0.2.1 255.255.255.252`` or ``192.0.2.1/30`` or ``2001:DB8::1/126`` -> host address with length,
    normalised."""
    if mask is not None:
        text = f"{text}/{mask}"
    iface = ipaddress.ip_interface(text.strip())
    return f"{iface.ip}/{iface.network.prefixlen}"


def normal_prefix(text: str, mask: str | None = None) -> str:
    """A network, normalised (host bits cleared): ``10.20.0.0 255.255.0.0`` -> 10.20.0.0/16."""
    if mask is not None:
        text = f"{text}/{mask}"
    return str(ipaddress.ip_network(text.strip(), strict=False))


def owned_by(line: Line, paths) -> bool:
    """Does a node belong to one of ``paths`` (it or one of its parents is one)? ``paths``: a list, or an
    :func:`owner_set` for many lookups (each then costs the line's depth, not the number of paths)."""
    if isinstance(paths, (set, frozenset)):
        return any(line[:i] in paths for i in range(1, len(line) + 1))
    return any(line[:len(p)] == p for p in paths)


def owner_set(paths) -> set:
    return set(paths)


def lines_of(rc: RunningConfig, obj: ConfigObject) -> list[Line]:
    own = owner_set(obj.paths)
    return [l for l in rc.lines if owned_by(l, own)]
