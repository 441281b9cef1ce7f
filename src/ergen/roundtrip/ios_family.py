"""One round-trip parser for the IOS family: IOS-XE, EOS, NX-OS, IOS-XR and FRR.

The configs share a shape (an indentation tree, see ``tree``): ``interface NAME`` blocks, ``ip route``
lines, ``router bgp ASN`` with neighbors, address families and VRF sections, prefix lists, community
lists and route maps. One walk reads them all; what differs per platform is a keyword here and there,
kept as data in a :class:`Dialect` that each platform module fills in (``ios_xe.DIALECT`` …). The few
things with no counterpart elsewhere (IOS-XR's route policies, the MACsec profiles, BFD templates)
are hooks in the platform modules.

Prefixes are read as written: one printed with host bits (``10.0.0.1/24``) stays so, and fails the
comparison with the intent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, Policy, route_target
from ergen.roundtrip.tree import Node, parse_tree

END = "$"    # last word of a keyword: the line ends there (``bfd`` alone, not ``bfd interval …``)
DISCARD = {"Null0", "blackhole"}
UNITS = {"bps": 1, "kbps": 1_000, "mbps": 1_000_000, "gbps": 1_000_000_000}

# Neighbor settings: a field -> the words that set it, as written after ``neighbor ADDR`` (IOS-XE, EOS, FRR)
# or on a line of the neighbor's block (NX-OS, IOS-XR). The value follows; "policy" is ``<words> NAME in|out``;
# "bfd_interval" and "bfd_multiplier" are BFD timers set on the neighbor (IOS-XR), not Neighbor fields.
NEIGHBOR = {
    "remote_as": ("remote-as",),
    "local_as": ("local-as",),
    "md5": ("password",),
    "bfd": ("bfd",),
    "shutdown": ("shutdown", END),
    "max_prefix": ("maximum-prefix",),
    "policy": ("route-map",),
    "next_hop_self": ("next-hop-self", END),
    "source": ("update-source",),
}

Hook = Callable[[Node, dict[str, Node], Facts], None]


@dataclass(frozen=True)
class Dialect:
    """How one platform spells what the shared walk reads. A keyword is a tuple of words; the value
    follows it (``vrf_member=("vrf", "forwarding")`` reads ``vrf forwarding NAME``)."""

    name: str
    # interfaces: a subinterface is one with a tag line (outer or only tag right after it, the inner after
    # ``inner_tag``); None: the tags are in the name (FRR's eth0.100, eth0.200.100)
    encapsulation: tuple[str, ...] | None
    inner_tag: str | None = None
    ipv4_address: tuple[str, ...] = ("ip", "address")      # then A/L, or A MASK
    vrf_member: tuple[str, ...] | None = ("vrf",)          # None: on the interface line (interface X vrf V)
    interface_bfd: tuple[str, ...] | None = None           # the line that turns BFD on for the interface
    interface_bfd_rx: str | None = None                    # …which also says "TX <rx> RX multiplier N"
    # VRFs: the top-level block (name after it); where the route targets are (in it, or in BGP's VRF section)
    vrf_definition: tuple[str, ...] = ("vrf",)
    route_targets_in: Literal["definition", "bgp"] = "definition"
    bgp_vrf_defines: bool = False                          # FRR: "router bgp N vrf V" is a VRF by itself
    # BGP
    router_id: tuple[str, ...] = ("bgp", "router-id")
    neighbor_block: bool = False      # "neighbor X" then its settings under it; family from its address-family
    neighbor: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(NEIGHBOR))
    family_settings: frozenset[str] = frozenset()   # settings read only in an address family, the others only
                                                    # outside one (empty: anywhere)
    key_types: frozenset[str] = frozenset()   # words that may come between "password" and the key (0, 7 …)
    key_type_required: bool = False           # a key without one of them is not in clear: not read
    # QoS: the unit of a shaper rate written without one
    shape_unit: str = "bps"
    # hooks
    policies: Callable[[Node], dict[str, Policy]] | None = None    # None: route maps (IOS-XR: its RPL)
    extras: tuple[Hook, ...] = ()      # MACsec, BFD templates …: (root, interfaces by name, facts)

    def parse(self, text: str) -> Facts:
        return parse(text, self)


def neighbor_words(**changes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {**NEIGHBOR, **changes}


# --------------------------------------------------------------------------- small readers

def cidr(address: str, mask: str) -> str:
    return str(netaddr.IPNetwork(f"{address}/{mask}"))


def iface_cidr(address: str, mask: str) -> str:
    """An interface address with its length (the host address kept): 192.0.2.1 255.255.255.252 -> 192.0.2.1/30."""
    return f"{address}/{netaddr.IPNetwork(f'{address}/{mask}').prefixlen}"


def _after(w: list[str], word: str) -> str:
    return w[w.index(word) + 1]


def _opt_int(w: list[str], word: str) -> int | None:
    return int(_after(w, word)) if word in w else None


def _is(words: list[str], keyword: tuple[str, ...] | None) -> bool:
    if not keyword:
        return False
    if keyword[-1] == END:
        return words == list(keyword[:-1])
    return words[:len(keyword)] == list(keyword)


def _value(node: Node | None, keyword: tuple[str, ...]) -> str | None:
    return node.words[len(keyword)] if node is not None and len(node.words) > len(keyword) else None


# --------------------------------------------------------------------------- filters

def prefix_lists(root: Node) -> dict[str, list[tuple]]:
    """``ip prefix-list NAME seq N permit P [ge X] [le Y]`` (and ipv6), or EOS's block (``ip prefix-list NAME``
    then ``seq N permit P …`` under it) → name → [(action, cidr, ge, le)] in sequence order."""
    lists: dict[str, list[tuple[int, tuple]]] = {}

    def entry(name: str, w: list[str]) -> None:        # w: seq N ACTION P …
        lists.setdefault(name, []).append(
            (int(w[1]), (w[2], str(netaddr.IPNetwork(w[3])), _opt_int(w, "ge"), _opt_int(w, "le"))))

    for n in root.children:
        w = n.words
        if w[0] not in ("ip", "ipv6") or w[1:2] != ["prefix-list"] or len(w) < 3:
            continue
        if len(w) >= 7 and w[3] == "seq":
            entry(w[2], w[3:])
        elif len(w) == 3:
            for c in n.find("seq"):
                entry(w[2], c.words)
    return {k: [e for _, e in sorted(v, key=lambda t: t[0])] for k, v in lists.items()}


def community_lists(root: Node) -> dict[str, list[str]]:
    """``ip community-list standard NAME permit V…`` (FRR: ``bgp community-list standard NAME seq N permit V``),
    or EOS's ``ip community-list NAME permit V…``."""
    out: dict[str, list[str]] = {}
    for n in root.children:
        w = n.words
        if len(w) < 5 or w[0] not in ("ip", "bgp") or w[1] != "community-list":
            continue
        if w[2] == "standard":
            out.setdefault(w[3], []).extend(w[w.index("permit") + 1:] if "permit" in w else [])
        elif w[2] not in ("regexp", "expanded") and w[3] == "permit":
            out.setdefault(w[2], []).extend(w[4:])
    return out


def route_maps(root: Node) -> dict[str, list[dict]]:
    out: dict[str, list[tuple[int, dict]]] = {}
    for n in root.find("route-map"):
        w = n.words
        entry = {"action": w[2], "prefix_list": None, "community_list": None, "local_preference": None,
                 "prepend": []}
        for c in n.children:
            cw = c.words
            if cw[:1] == ["match"] and "prefix-list" in cw:
                entry["prefix_list"] = cw[-1]
            elif cw[:2] == ["match", "community"]:
                entry["community_list"] = cw[2]
            elif cw[:2] == ["set", "local-preference"]:
                entry["local_preference"] = int(cw[2])
            elif cw[:3] == ["set", "as-path", "prepend"]:
                entry["prepend"] = [int(x) for x in cw[3:]]
        out.setdefault(w[1], []).append((int(w[3]), entry))
    return {k: [e for _, e in sorted(v, key=lambda t: t[0])] for k, v in out.items()}


def resolve(name: str | None, rms: dict, pls: dict, cls: dict) -> Policy | None:
    """A route map by name → the Policy it applies (its first permit entry; ergen writes one)."""
    if name is None or name not in rms:
        return None
    e = rms[name][0]
    return Policy(filter=list(pls.get(e["prefix_list"], [])) if e["prefix_list"] else [],
                  communities=sorted(cls.get(e["community_list"], [])) if e["community_list"] else [],
                  local_preference=e["local_preference"], prepend=e["prepend"])


def route_map_policies(root: Node) -> dict[str, Policy]:
    """Every route map, resolved through its prefix and community lists."""
    pls, cls, rms = prefix_lists(root), community_lists(root), route_maps(root)
    return {name: resolve(name, rms, pls, cls) for name in rms}


# --------------------------------------------------------------------------- the walk

def parse(text: str, d: Dialect) -> Facts:
    root = parse_tree(text)
    f = Facts()
    policies = (d.policies or route_map_policies)(root)
    for v in root.find(*d.vrf_definition):
        _vrf(d, v, f)
    _statics(root, None, f)
    for rs in root.find("router", "static"):        # IOS-XR: router static / [vrf V] / address-family / P Null0
        for node, vrf in [(rs, None)] + [(v, v.words[1]) for v in rs.find("vrf") if len(v.words) > 1]:
            for af in node.find("address-family"):
                for r in af.children:
                    _static(r.words, vrf, f)
    ifaces = interfaces(root)
    for name, node in ifaces.items():
        _interface(d, name, node, f)
    _shapers(d, root, ifaces, f)
    _nat(root, ifaces, f)
    for hook in d.extras:
        hook(root, ifaces, f)
    for bgp in root.find("router", "bgp"):
        _bgp(d, bgp, f, policies)
    return f


def interfaces(root: Node) -> dict[str, Node]:
    """``interface NAME`` blocks by name; a name written twice (a NAT marking added later) is one block."""
    out: dict[str, Node] = {}
    for n in root.find("interface"):
        if len(n.words) < 2:
            continue
        name = n.words[1]
        out[name] = Node(out[name].text, out[name].children + n.children) if name in out else n
    return out


def _vrf(d: Dialect, v: Node, f: Facts) -> None:
    name = _value(v, d.vrf_definition)
    if name is None:
        return
    f.vrfs[name] = _value(v.first("rd"), ("rd",))
    if d.route_targets_in == "definition":
        f.route_targets[name] = _route_targets(v)
    _statics(v, name, f)                            # NX-OS, FRR: the VRF's static routes are in its block


def _route_targets(node: Node) -> str | None:
    """``route-target import|export [family] RT`` (IOS-XE, NX-OS, EOS), ``import|export route-target`` with one RT
    a line under it (IOS-XR), ``rt vpn import|export|both RT`` (FRR): in ``node`` or its address families."""
    imports: list[str] = []
    exports: list[str] = []
    for c in node.children + [c for af in node.find("address-family") for c in af.children]:
        w = c.words
        if w[0] == "route-target" and len(w) > 2 and w[1] in ("import", "export"):
            (imports if w[1] == "import" else exports).append(w[-1])
        elif w[0] in ("import", "export") and w[1:] == ["route-target"]:
            (imports if w[0] == "import" else exports).extend(x.words[0] for x in c.children)
        elif w[:2] == ["rt", "vpn"] and len(w) > 3 and w[2] in ("import", "export", "both"):
            if w[2] != "export":
                imports.append(w[3])
            if w[2] != "import":
                exports.append(w[3])
    return route_target(imports, exports)


def _statics(node: Node, vrf: str | None, f: Facts) -> None:
    for c in node.children:
        w = c.words
        if w[0] in ("ip", "ipv6") and w[1:2] == ["route"]:
            _static(w[2:], vrf, f)


def _static(w: list[str], vrf: str | None, f: Facts) -> None:
    """``[vrf V] P|A MASK <next hop> …``: kept when the next hop discards (an anchor route)."""
    if w[:1] == ["vrf"] and len(w) > 2:
        vrf, w = w[1], w[2:]
    hop = 2 if len(w) > 2 and "/" not in w[0] and ":" not in w[0] else 1     # A MASK (IOS's IPv4) or P
    if len(w) > hop and w[hop] in DISCARD:
        f.statics.add((vrf, cidr(w[0], w[1]) if hop == 2 else str(netaddr.IPNetwork(w[0]))))


def _interface(d: Dialect, name: str, node: Node, f: Facts) -> None:
    i = Interface()
    if d.encapsulation is None:
        tags = name.split(".")
        if len(tags) < 2:
            return
        if len(tags) == 3:
            i.s_tag, i.c_tag = int(tags[1]), int(tags[2])
        else:
            i.c_tag = int(tags[1])
    else:
        enc = node.first(*d.encapsulation)
        if enc is None:
            return
        w = enc.words
        i.c_tag = int(w[len(d.encapsulation)])
        if d.inner_tag and d.inner_tag in w:
            i.s_tag, i.c_tag = i.c_tag, int(_after(w, d.inner_tag))
    ip = node.first(*d.ipv4_address)
    if ip is not None and len(ip.words) > len(d.ipv4_address):
        w = ip.words[len(d.ipv4_address):]
        i.ipv4 = iface_cidr(w[0], w[1]) if "/" not in w[0] and len(w) > 1 else w[0]
    i.ipv6 = _value(node.first("ipv6", "address"), ("ipv6", "address"))
    if d.vrf_member is None:
        w = node.words
        i.vrf = w[3] if len(w) > 3 and w[2] == "vrf" else None
    else:
        i.vrf = _value(node.first(*d.vrf_member), d.vrf_member)
    bfd = node.first(*d.interface_bfd) if d.interface_bfd else None
    i.bfd = bfd is not None
    if bfd is not None and d.interface_bfd_rx:
        w = bfd.words
        f.bfd_timers.add((int(w[len(d.interface_bfd)]), int(_after(w, d.interface_bfd_rx)),
                          int(_after(w, "multiplier"))))
    desc = node.first("description")
    i.description = desc.text.split(" ", 1)[1] if desc else None
    f.interfaces[name] = i


def _shapers(d: Dialect, root: Node, ifaces: dict[str, Node], f: Facts) -> None:
    """An output service policy whose policy map shapes (IOS-XE, NX-OS, IOS-XR), or EOS's ``shape rate``."""
    def rate(w: list[str], unit: str) -> int | None:          # w: N [unit]
        unit = w[1] if len(w) > 1 else unit
        return int(w[0]) * UNITS[unit] if unit in UNITS else None

    def shaped(pm: Node) -> int | None:
        for c in pm.walk():
            w = c.words
            if w[0] == "shape" and "max" in w:                 # NX-OS: shape min R unit max R unit
                return rate(w[w.index("max") + 1:w.index("max") + 3], d.shape_unit)
            if w[:2] == ["shape", "average"] and len(w) > 2:
                return rate(w[2:4], d.shape_unit)
        return None

    pmaps = {pm.words[-1]: pm for pm in root.find("policy-map")}
    for name, node in ifaces.items():
        bps = None
        sp = next((c for c in node.find("service-policy") if "output" in c.words[:-1]), None)
        if sp is not None and _after(sp.words, "output") in pmaps:
            bps = shaped(pmaps[_after(sp.words, "output")])
        sr = node.first("shape", "rate")
        if sr is not None and len(sr.words) > 2:
            bps = rate(sr.words[2:4], d.shape_unit)
        if bps is not None:
            f.shapers[name] = bps


def _nat(root: Node, ifaces: dict[str, Node], f: Facts) -> None:
    """Source NAT (PAT) to a pool: ``ip nat inside source list ACL pool P overload`` with the interfaces marked
    ``ip nat inside|outside`` (IOS-XE, NX-OS), or EOS's rule on the outside interface (no inside marking)."""
    acls: dict[str, list[str]] = {}
    for a in root.find("ip", "access-list"):
        entries = []
        for c in a.children:
            w = c.words
            if w[:2] == ["permit", "ip"] and len(w) > 2:           # permit ip P any
                entries.append(str(netaddr.IPNetwork(w[2])))
            elif w[:1] == ["permit"] and len(w) == 3 and "." in w[1] and "." in w[2]:   # permit A WILDCARD
                entries.append(cidr(w[1], str(netaddr.IPAddress(int(netaddr.IPAddress(w[2])) ^ 0xFFFFFFFF))))
        acls[a.words[-1]] = sorted(entries)
    pools = {}
    for p in root.find("ip", "nat", "pool"):
        w, rng = p.words, p.first("range")
        if "prefix-length" in w and len(w) > 3:
            first_last = rng.words[1:3] if rng else w[4:6] if w.index("prefix-length") == 6 else []
            if len(first_last) == 2:
                pools[w[3]] = (*first_last, int(_after(w, "prefix-length")))
    marked = {side: sorted(n for n, node in ifaces.items() if node.first("ip", "nat", side)) for side in
              ("inside", "outside")}
    rules = [(w[5], w[7], marked["outside"], marked["inside"]) for w in
             (n.words for n in root.find("ip", "nat", "inside", "source", "list"))
             if len(w) > 7 and w[6] == "pool" and "overload" in w]
    on_interface: dict[tuple[str, str], list[str]] = {}
    for name, node in ifaces.items():
        for c in node.find("ip", "nat", "source", "dynamic", "access-list"):
            if "pool" in c.words and len(c.words) > 5:
                on_interface.setdefault((c.words[5], _after(c.words, "pool")), []).append(name)
    rules += [(acl, pool, sorted(names), []) for (acl, pool), names in on_interface.items()]
    for acl, pool, outside, inside in rules:
        if pool in pools:
            first, last, plen = pools[pool]
            f.nat.append({"pool": str(netaddr.IPNetwork(f"{first}/{plen}").cidr), "first": first, "last": last,
                          "inside": acls.get(acl, []), "outside": outside, "inside_interfaces": inside})


# --------------------------------------------------------------------------- BGP

def _bgp(d: Dialect, bgp: Node, f: Facts, policies: dict[str, Policy]) -> None:
    """``router bgp ASN [vrf V]``: its own section, then a section per ``vrf V`` block in it (EOS, NX-OS, IOS-XR);
    IOS-XE's VRFs are address families (``address-family ipv4 vrf V``)."""
    w = bgp.words
    if len(w) < 3:
        return
    vrf = w[4] if len(w) > 4 and w[3] == "vrf" else None
    f.bgp_asn = int(w[2])
    rid = _value(bgp.first(*d.router_id), d.router_id)
    f.router_id = rid or f.router_id
    for node, name in [(bgp, vrf)] + [(v, v.words[1]) for v in bgp.find("vrf") if len(v.words) > 1]:
        if name is not None:
            if d.bgp_vrf_defines:
                f.vrfs[name] = None
            rd = _value(node.first("rd"), ("rd",))
            if rd and name in f.vrfs:           # a VRF exists only when defined
                f.vrfs[name] = rd
            if d.route_targets_in == "bgp":
                f.route_targets[name] = _route_targets(node)
        _neighbors(d, node, name, f, policies)
        for af in node.find("address-family"):
            afv = af.words[3] if len(af.words) > 3 and af.words[2] == "vrf" else name
            if not d.neighbor_block:
                _neighbors(d, af, afv, f, policies, in_family=True)
            if af.words[1:2] in (["ipv4"], ["ipv6"]) and af.words[2:3] in ([], ["unicast"], ["vrf"]):
                for w in (c.words for c in af.find("network") if len(c.words) > 1):   # network P | A mask M
                    f.networks.add((afv, cidr(w[1], _after(w, "mask")) if "mask" in w[:-1]
                                    else str(netaddr.IPNetwork(w[1]))))


def _neighbors(d: Dialect, node: Node, vrf: str | None, f: Facts, policies: dict[str, Policy],
               in_family: bool = False) -> None:
    for c in node.find("neighbor"):
        if len(c.words) < 2:
            continue
        address = c.words[1]
        nb = f.neighbors.get((vrf, address))
        if nb is None:
            nb = f.neighbors[(vrf, address)] = Neighbor(
                family=None if d.neighbor_block else 6 if ":" in address else 4)
        lines = [(c.words[2:], in_family)] if not d.neighbor_block else []
        for s in c.children:
            w = s.words
            if w[0] == "address-family" and w[1:2] in (["ipv4"], ["ipv6"]) and w[2:3] == ["unicast"]:
                nb.family = 4 if w[1] == "ipv4" else 6
                lines += [(a.words, True) for a in s.children]
            elif w[0] != "address-family":
                lines.append((w, False))
        timers: dict[str, int] = {}
        for w, in_af in lines:
            _setting(d, nb, w, in_af, policies, timers)
        if nb.bfd and "bfd_interval" in timers:    # one interval, both directions (IOS-XR has no receive one)
            f.bfd_timers.add((timers["bfd_interval"], timers["bfd_interval"], timers.get("bfd_multiplier", 3)))


def _setting(d: Dialect, nb: Neighbor, w: list[str], in_af: bool, policies: dict[str, Policy],
             timers: dict[str, int]) -> None:
    """One neighbor setting (the words after ``neighbor ADDR``, or a line under its block)."""
    matches = [k for k, kw in d.neighbor.items() if _is(w, kw)]
    if not matches:
        return
    key = max(matches, key=lambda k: len(d.neighbor[k]))
    if d.family_settings and (key in d.family_settings) != in_af:
        return
    v = w[len(d.neighbor[key]):]
    if key in ("remote_as", "local_as", "max_prefix"):
        setattr(nb, key, int(v[0]))
    elif key == "source" and v:
        nb.source = v[0]
    elif key in ("bfd", "shutdown", "next_hop_self"):
        setattr(nb, key, True)
    elif key == "md5":
        if v[:1] and v[0] in d.key_types and len(v) > 1:
            nb.md5 = v[1]
        elif v and not d.key_type_required:
            nb.md5 = v[0]
    elif key == "policy" and len(v) == 2:
        setattr(nb, "policy_in" if v[1] == "in" else "policy_out", policies.get(v[0]))
    elif key in ("bfd_interval", "bfd_multiplier"):
        timers[key] = int(v[0])
