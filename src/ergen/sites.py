"""Multi-circuit resiliency: traffic engineering across the circuits of a site, and the tier a site reaches.

Across a site's circuits (``sites.yaml``, :mod:`ergen.model.site`), on every router of the site:

* **local preference** inbound by the circuit's role, then by link within the circuit:
  ``400 - 100 x rank`` on the active link, 50 less on the standby link (preferred 400/350, secondary
  300/250, backup 200/150; ``active`` circuits share the preferred values). A site of one circuit keeps
  the circuit's own values (150/100), so nothing changes for it;
* **AS-path prepend** outbound: ``rank x (P + 1)`` on the active link, ``P`` more on the standby link, P
  being the largest ``prepend`` of the site's circuits: the preferred circuit's standby link (P) always
  beats any link of the next circuit (at least P + 1);
* the Azure side: each circuit's connection to the virtual network gateways gets a routing weight by role
  (Azure prefers the higher weight before it looks at AS paths): preferred 100, secondary 50, backup 10.

Tiers (Microsoft's resiliency guidance): *maximum* two circuits in two peering locations, each with both
links, on separate routers; *high* an ExpressRoute Metro circuit (its links in two peering locations of one
metro); *standard* one circuit with both links; *none* a link lands nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ergen.model.site import RANK

WEIGHT = {"preferred": 100, "active": 100, "secondary": 50, "backup": 10}


def site_of(inventory, circuit: str):
    """(site name, Site, role) of a circuit, or None."""
    for name, s in (getattr(inventory, "sites", None) or {}).items():
        for c, role in s.circuits.items():
            if c.lower() == circuit.lower():
                return name, s, role
    return None


def engineering(inventory, circuit: str, *, standby: bool, prepend: int):
    """(local preference, prepends) of one link of ``circuit`` in a multi-circuit site, or None (the
    circuit's own values apply)."""
    found = site_of(inventory, circuit)
    if found is None or len(found[1].circuits) < 2:
        return None
    _, site, role = found
    rank = RANK[role]
    step = max(inventory.policy(c).prepend for c in site.circuits) + 1
    lp = 400 - 100 * rank - (50 if standby else 0)
    return lp, rank * step + (prepend if standby else 0)


def ibgp_mesh(inventory, site: str, router: str, asn: int, tag: str, vrf: str | None = None) -> list:
    """The iBGP neighbors of ``router`` in ``site``'s ``ibgp`` full mesh: one session per other router and per
    family in which both have an address, in the order of the routers' names. ``tag``: the circuit tag the
    router's owned names for it start with."""
    from ergen.intent import naming
    from ergen.intent.model import IbgpNeighbor

    mesh = inventory.sites[site].ibgp
    me = mesh[router]
    out = []
    for other in sorted(mesh):
        if other == router:
            continue
        for family, mine, theirs in ((4, me.address, mesh[other].address), (6, me.address6, mesh[other].address6)):
            if mine and theirs:
                out.append(IbgpNeighbor(address=theirs, family=family, remote_as=asn,
                                        description=f"iBGP site {site} {other}", router=other, site=site,
                                        local_address=mine, group=naming.ibgp_group(tag),
                                        export_policy=naming.ibgp_policy(tag), update_source=me.source, vrf=vrf))
    return out


# ----------------------------------------------------------------------------- tiers
@dataclass
class CircuitShape:
    name: str
    role: str
    locations: dict[str, str | None]     # link -> peering location
    metro: bool
    landed: dict[str, list[str]]          # link -> routers
    interfaces: dict[str, list[tuple[str, str]]]   # link -> (router, interface)

    @property
    def complete(self) -> bool:
        return bool(self.landed.get("primary")) and bool(self.landed.get("secondary"))


@dataclass
class SiteReport:
    site: str
    tier: str                            # maximum | high | standard | none
    claims: str | None
    why: str
    next_tier: str
    circuits: list[CircuitShape] = field(default_factory=list)
    azure: list[str] = field(default_factory=list)     # settings to apply on Azure's side
    problems: list[str] = field(default_factory=list)  # the site claims more than it reaches

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"site": self.site, "tier": self.tier, "claims": self.claims, "why": self.why,
                "next": self.next_tier, "ok": self.ok, "problems": self.problems, "azure": self.azure,
                "circuits": [{"name": c.name, "role": c.role, "locations": c.locations, "metro": c.metro,
                              "complete": c.complete, "routers": c.landed} for c in self.circuits]}


def _shape(circuit, inventory, role: str) -> CircuitShape:
    pol = inventory.policy(circuit.name)
    port_loc = circuit.express_route_port.peering_location if circuit.express_route_port else None
    loc = circuit.peering_location or port_loc
    metro_links = getattr(pol, "metro", None) or {}
    metro = bool(metro_links) or bool(loc and "metro" in loc.lower())
    locations = {l: (metro_links.get(l) if metro_links else loc) for l in ("primary", "secondary")}
    landed: dict[str, list[str]] = {"primary": [], "secondary": []}
    ifaces: dict[str, list[tuple[str, str]]] = {"primary": [], "secondary": []}
    for r in inventory.routers.values():
        for a in r.data.expressroute:
            if a.circuit.lower() == circuit.name.lower():
                landed[a.link].append(r.name)
                ifaces[a.link].append((r.name, a.interface))
    return CircuitShape(circuit.name, role, locations, metro, landed, ifaces)


def _tier(shapes: list[CircuitShape]) -> tuple[str, str, str]:
    """(tier, why, what the next tier needs)."""
    done = [s for s in shapes if s.complete]
    if not done:
        missing = [f"{s.name} {l}" for s in shapes for l in ("primary", "secondary") if not s.landed[l]]
        return "none", f"no circuit has both links landed ({', '.join(missing)} lands on no router)", \
            "land both links of a circuit, each on its own router (standard)"
    locs = {}
    for s in done:
        locs.setdefault(frozenset(v for v in s.locations.values() if v) or frozenset({f"? {s.name}"}), []).append(s)
    distinct = {loc for s in done for loc in s.locations.values() if loc}
    routers = {s.name: {r for rs in s.landed.values() for r in rs} for s in done}
    if len(done) >= 2 and len(distinct) >= 2 and len({frozenset(v for v in s.locations.values() if v) for s in done}) >= 2:
        shared = sorted({r for a in done for b in done if a.name < b.name for r in routers[a.name] & routers[b.name]})
        if not shared:
            return "maximum", (f"{len(done)} circuits in {len(distinct)} peering locations "
                               f"({', '.join(sorted(distinct))}), each with both links, on separate routers"), \
                "nothing: this is Microsoft's highest tier"
        base, why, nxt = _tier_without_second_location(done)
        return base, (f"{why}; the circuits are in {len(distinct)} peering locations, but {', '.join(shared)} "
                      f"terminates more than one circuit (no device diversity: one router's failure takes them "
                      "both)"), "terminate each circuit on routers of its own (maximum)"
    return _tier_without_second_location(done)


def _tier_without_second_location(done: list[CircuitShape]) -> tuple[str, str, str]:
    metro = [s for s in done if s.metro]
    if metro:
        s = metro[0]
        where = " and ".join(v for v in dict.fromkeys(s.locations.values()) if v) or "two locations of its metro"
        return "high", f"{s.name} is an ExpressRoute Metro circuit: its links land in {where}", \
            "a second circuit in another peering location, each circuit on routers of its own (maximum)"
    s = done[0]
    loc = s.locations.get("primary") or "one peering location"
    return "standard", f"{s.name} has both links, in {loc}", \
        "an ExpressRoute Metro circuit (high) or a second circuit in another peering location (maximum)"


def resiliency(circuits, inventory) -> list[SiteReport]:
    """The tier of every site (and of every circuit that belongs to none, as a site of its own)."""
    by = {c.name.lower(): c for c in circuits}
    reports = []
    seen: set[str] = set()
    sites = list((getattr(inventory, "sites", None) or {}).items())
    for name, s in sites:
        shapes = []
        for cname, role in s.circuits.items():
            c = by.get(cname.lower())
            if c is not None:
                shapes.append(_shape(c, inventory, role))
                seen.add(c.name.lower())
        reports.append(_report(name, s.resiliency, shapes))
    for c in circuits:
        if c.name.lower() not in seen:
            reports.append(_report(c.name, None, [_shape(c, inventory, "preferred")]))
    return reports


_ORDER = {"none": 0, "standard": 1, "high": 2, "maximum": 3}


def _report(name: str, claims: str | None, shapes: list[CircuitShape]) -> SiteReport:
    tier, why, nxt = _tier(shapes)
    r = SiteReport(name, tier, claims, why, nxt, shapes)
    if claims and _ORDER[tier] < _ORDER[claims]:
        r.problems.append(f"the site claims {claims} resiliency but reaches {tier}: {why}")
    if len(shapes) > 1:
        for s in shapes:
            r.azure.append(f"circuit {s.name} ({s.role}): on each virtual network gateway it connects to, set the "
                           f"ExpressRoute connection's routing weight to {WEIGHT[s.role]} (az network vpn-connection "
                           f"update -g <rg> -n <connection of {s.name}> --routing-weight {WEIGHT[s.role]})")
    return r
