"""Round trip: parse a rendered config back into facts and compare them with the intent it came from.

A template that drops or garbles a field (an address, a neighbor, a key, a filter entry, a
prepend) makes ``compare(expected(intent), parse(platform, text))`` non-empty. Each platform has
a parser module here (``ios_xe``, ``junos``, ``eos``, ``nx_os``, ``ios_xr``, ``frr``) with one
function ``parse(text) -> Facts``; they resolve names themselves, so policies are compared by what
they do (the filter entries, communities, local preference, prepends), not by how they are spelt.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from ergen.intent.model import RouterIntent
from ergen.render.filters import cfg_text

Entry = tuple[str, str, int | None, int | None]   # (permit|deny, cidr, ge, le)


@dataclass
class Policy:
    filter: list[Entry] = field(default_factory=list)   # in evaluation order; implicit deny after
    communities: list[str] = field(default_factory=list)  # accept only routes with one of these (empty: any)
    local_preference: int | None = None
    prepend: list[int] = field(default_factory=list)


@dataclass
class Neighbor:
    remote_as: int | None = None
    local_as: int | None = None
    md5: str | None = None
    bfd: bool = False
    max_prefix: int | None = None
    family: int | None = None
    policy_in: Policy | None = None
    policy_out: Policy | None = None
    shutdown: bool = False           # administratively down (a drain with --mode shutdown)
    next_hop_self: bool = False      # iBGP to the site's other routers
    source: str | None = None        # iBGP: the update source (interface), Junos its local address


@dataclass
class Interface:
    c_tag: int | None = None
    s_tag: int | None = None
    ipv4: str | None = None          # address/len
    ipv6: str | None = None
    vrf: str | None = None
    bfd: bool = False                # BFD configured on the interface itself (platforms that do so)
    description: str | None = None


@dataclass
class Facts:
    bgp_asn: int | None = None
    router_id: str | None = None
    interfaces: dict[str, Interface] = field(default_factory=dict)
    neighbors: dict[tuple[str | None, str], Neighbor] = field(default_factory=dict)
    networks: set[tuple[str | None, str]] = field(default_factory=set)
    statics: set[tuple[str | None, str]] = field(default_factory=set)    # discard (anchor) routes
    vrfs: dict[str, str | None] = field(default_factory=dict)            # name -> rd
    route_targets: dict[str, str | None] = field(default_factory=dict)   # VRF name -> its import+export RT
    bfd_timers: set[tuple[int, int, int]] = field(default_factory=set)   # (tx ms, rx ms, multiplier)
    shapers: dict[str, int] = field(default_factory=dict)                # interface -> bits/s
    macsec: dict[str, str] = field(default_factory=dict)                 # interface -> cipher
    nat: list[dict] = field(default_factory=list)


# Facts a platform's config cannot show, by platform (see compare's ``ignore``)
IGNORE = {
    "ios-xe": frozenset(),
    "junos": frozenset({"interface_bfd"}),
    "junos-srx": frozenset({"interface_bfd"}),
    "eos": frozenset({"nat_inside"}),   # EOS source NAT has no "inside" interfaces to show
    "nx-os": frozenset(),                   # BFD timers are set on each subinterface
    "ios-xr": frozenset({"interface_bfd"}),
    "frr": frozenset({"interface_bfd", "vrf_rd"}),
}

PARSERS = {"ios-xe": "ios_xe", "junos": "junos", "junos-srx": "junos", "eos": "eos", "nx-os": "nx_os", "ios-xr": "ios_xr", "frr": "frr"}


def route_target(imports: list[str], exports: list[str]) -> str | None:
    """One VRF's route target when it imports and exports exactly one and the same; else a description
    of what it does (so a compare shows the difference)."""
    if not imports and not exports:
        return None
    if set(imports) == set(exports) and len(set(imports)) == 1:
        return imports[0]
    return f"import {sorted(set(imports))} export {sorted(set(exports))}"


def parse(platform: str, text: str) -> Facts:
    return importlib.import_module(f"ergen.roundtrip.{PARSERS[platform]}").parse(text)


def _policy(intent: RouterIntent, name: str) -> Policy:
    rm = next(m for m in intent.route_maps if m.name == name)
    e = rm.entries[0]
    pls = {p.name: p for p in intent.prefix_lists}
    cls = {c.name: c for c in intent.community_lists}
    entries = [(x.action, x.prefix.cidr, x.ge, x.le) for x in pls[e.match_prefix_list].entries] \
        if e.match_prefix_list else []
    return Policy(filter=entries,
                  communities=sorted(cls[e.match_community_list].communities) if e.match_community_list else [],
                  local_preference=e.set_local_preference, prepend=list(e.set_as_path_prepend))


def expected(intent: RouterIntent, *, md5: bool = True) -> Facts:
    """What a correct rendering of ``intent`` contains (secrets in clear: render with show_secrets)."""
    f = Facts(bgp_asn=intent.bgp_asn, router_id=intent.router_id)
    for i in intent.interfaces:
        f.interfaces[i.name] = Interface(
            c_tag=i.c_tag, s_tag=i.s_tag, ipv4=i.ipv4.with_prefixlen,
            ipv6=i.ipv6.with_prefixlen if i.ipv6 else None, vrf=i.vrf, bfd=i.bfd is not None,
            description=cfg_text(i.description))
    for n in intent.neighbors:
        f.neighbors[(n.vrf, n.address)] = Neighbor(
            remote_as=n.remote_as, local_as=n.local_as, md5=n.md5.reveal() if (n.md5 and md5) else None,
            bfd=n.bfd is not None, max_prefix=n.maximum_prefix.limit, family=n.family,
            policy_in=_policy(intent, n.route_map_in), policy_out=_policy(intent, n.route_map_out),
            shutdown=n.shutdown)
    junos = intent.platform.startswith("junos")
    for b in intent.bgp:
        f.networks |= {(b.vrf, p.cidr) for p in b.networks}
        for n in b.ibgp:
            f.neighbors[(n.vrf, n.address)] = Neighbor(
                remote_as=n.remote_as, family=n.family, next_hop_self=True,
                source=n.local_address if junos else n.update_source)
    f.statics = {(s.vrf, s.prefix.cidr) for s in intent.static_routes}
    f.vrfs = {v.name: v.rd for v in intent.vrfs}
    f.route_targets = {v.name: v.route_target for v in intent.vrfs}
    f.bfd_timers = {(b.interval_ms, b.min_rx_ms, b.multiplier) for b in intent.bfd_profiles}
    f.shapers = {s.interface: s.rate_bps for s in intent.shapers}
    f.macsec = {m.interface: m.cipher for m in intent.macsec}
    f.nat = [{"pool": n.pool.cidr, "first": n.first, "last": n.last, "inside": sorted(p.cidr for p in n.inside),
              "outside": sorted(n.outside_interfaces), "inside_interfaces": sorted(n.inside_interfaces)}
             for n in intent.nat]
    return f


def compare(want: Facts, got: Facts, *, ignore: frozenset[str] = frozenset()) -> list[str]:
    """Differences, one line each ('' when the config says exactly what the intent says).

    ``ignore`` names Facts fields a platform cannot show (e.g. ``rd`` where a VRF has none)."""
    out: list[str] = []

    def cmp(label, a, b):
        if a != b:
            out.append(f"{label}: intent {a!r}, config {b!r}")

    for attr in ("bgp_asn", "router_id", "networks", "statics", "vrfs", "bfd_timers", "shapers", "macsec", "nat"):
        if attr in ignore:
            continue
        if attr == "vrfs" and "vrf_rd" in ignore:  # a platform whose plain VRFs carry no RD
            cmp("vrfs", sorted(want.vrfs), sorted(got.vrfs))
            continue
        if attr == "nat" and "nat_inside" in ignore:  # a platform whose NAT names no inside interfaces
            strip = lambda ns: [{k: v for k, v in n.items() if k != "inside_interfaces"} for n in ns]  # noqa: E731
            cmp("nat", strip(want.nat), strip(got.nat))
            continue
        cmp(attr, getattr(want, attr), getattr(got, attr))
    for vrf in sorted(set(want.route_targets) | set(got.route_targets)):
        a, b = want.route_targets.get(vrf), got.route_targets.get(vrf)
        if a != b and not (a is None and b == want.vrfs.get(vrf)):   # Junos: vrf-target is the RD's value
            out.append(f"vrf {vrf} route target: intent {a!r}, config {b!r}")
    for name in sorted(set(want.interfaces) | set(got.interfaces)):
        a, b = want.interfaces.get(name), got.interfaces.get(name)
        if a is None or b is None:
            out.append(f"interface {name}: {'missing from the config' if b is None else 'not in the intent'}")
            continue
        for k in ("c_tag", "s_tag", "ipv4", "ipv6", "vrf", "description") + (() if "interface_bfd" in ignore
                                                                             else ("bfd",)):
            cmp(f"interface {name} {k}", getattr(a, k), getattr(b, k))
    for key in sorted(set(want.neighbors) | set(got.neighbors), key=str):
        a, b = want.neighbors.get(key), got.neighbors.get(key)
        label = f"neighbor {key[1]}" + (f" vrf {key[0]}" if key[0] else "")
        if a is None or b is None:
            out.append(f"{label}: {'missing from the config' if b is None else 'not in the intent'}")
            continue
        for k in ("remote_as", "local_as", "md5", "bfd", "max_prefix", "family", "shutdown", "next_hop_self"):
            cmp(f"{label} {k}", getattr(a, k), getattr(b, k))
        if a.remote_as == want.bgp_asn:     # iBGP (the site's other routers): sourced as said, no policies
            cmp(f"{label} source", a.source, b.source)
        for k in ("policy_in", "policy_out"):
            pa, pb = getattr(a, k), getattr(b, k)
            if pa is None:
                cmp(f"{label} {k}", None, pb and "a policy")
                continue
            if pb is None:
                out.append(f"{label} {k}: missing from the config")
                continue
            for pk in ("filter", "communities", "local_preference", "prepend"):
                cmp(f"{label} {k} {pk}", getattr(pa, pk), getattr(pb, pk))
    return out
