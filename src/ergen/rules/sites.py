"""Sites of several circuits (sites.yaml): roles, locations, prefixes, prepends, limits, device diversity."""

from __future__ import annotations

from ergen.model.circuit import PeeringKind
from ergen.rules.engine import Context, check


def _file(ctx: Context) -> str:
    return ctx.inventory.files.get("sites", f"{ctx.inventory.path}/sites.yaml")


def _private_asn(asn: int | None) -> bool:
    return asn is not None and (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294)


@check
def sites(ctx: Context) -> None:
    from ergen.model.site import RANK
    from ergen.sites import _shape, engineering

    all_sites = getattr(ctx.inventory, "sites", None) or {}
    if not all_sites:
        return
    file = _file(ctx)
    owner: dict[str, str] = {}
    for name, site in all_sites.items():
        for cname in site.circuits:
            key = cname.lower()
            if key in owner:
                ctx.add("ER541", file, f"{name}.circuits.{cname}",
                        f"circuit {cname} is also in site {owner[key]}: a circuit serves one site")
            owner.setdefault(key, name)
    _ibgp(ctx, all_sites, file)
    for name, site in all_sites.items():
        roles = site.circuits
        preferred = [c for c, r in roles.items() if r == "preferred"]
        if len(preferred) > 1:
            ctx.add("ER542", file, f"{name}.circuits", f"two preferred circuits ({', '.join(preferred)}): one is "
                                                       "preferred, or make them all active (active/active)")
        if "active" in roles.values() and any(r != "active" for r in roles.values()):
            ctx.add("ER542", file, f"{name}.circuits", "active (active/active across circuits) cannot be mixed with "
                                                       "preferred, secondary or backup")
        if any(r in ("secondary", "backup") for r in roles.values()) and not preferred:
            ctx.add("ER542", file, f"{name}.circuits", "a secondary or backup circuit needs a preferred one")
        loaded = []
        for cname in roles:
            c = ctx.circuit(cname)
            if c is None:
                if ctx.circuits:
                    ctx.add("ER540", file, f"{name}.circuits.{cname}",
                            f"circuit {cname} is not among the circuit files given: the site is checked without it")
                continue
            loaded.append(c)
        shapes = [_shape(c, ctx.inventory, roles[next(k for k in roles if k.lower() == c.name.lower())])
                  for c in loaded]
        # maximum resiliency: two peering locations
        if site.resiliency == "maximum" and len(loaded) == len(roles):
            locs = {loc for s in shapes for loc in s.locations.values() if loc}
            if len(roles) < 2 or len(locs) < 2:
                ctx.add("ER543", file, f"{name}.resiliency",
                        f"maximum resiliency needs two circuits in two peering locations; "
                        f"{', '.join(c.name for c in loaded)} {'is' if len(loaded) == 1 else 'are'} all in "
                        f"{', '.join(sorted(locs)) or 'an unknown location'}")
        # device diversity
        if site.resiliency == "maximum" or len(loaded) > 1:
            seen_r: dict[str, str] = {}
            seen_i: dict[tuple[str, str], str] = {}
            for s in shapes:
                for link, pairs in s.interfaces.items():
                    for router, iface in pairs:
                        if router in seen_r and seen_r[router] != s.name:
                            ctx.add("ER547", file, f"{name}.circuits",
                                    f"{router} terminates {seen_r[router]} and {s.name}: no device diversity "
                                    "(that router's failure takes both circuits)")
                        seen_r.setdefault(router, s.name)
                        if (router, iface) in seen_i and seen_i[(router, iface)] != s.name:
                            ctx.add("ER547", file, f"{name}.circuits",
                                    f"{router} {iface} carries {seen_i[(router, iface)]} and {s.name}: one port for "
                                    "two circuits")
                        seen_i.setdefault((router, iface), s.name)
        if len(loaded) < 2:
            continue
        # the same prefixes on every circuit's private peering
        adv: dict[str, set] = {}
        objs = {c.name: c for c in loaded}
        for c in loaded:
            pol = ctx.policy(c)
            if c.peering(PeeringKind.private) is not None and pol.private.enabled:
                adv[c.name] = set(pol.private.advertise) | set(pol.private.advertise_ipv6)
        if site.same_prefixes and len(adv) > 1:
            first = next(iter(adv))
            for cname, pfx in adv.items():
                if pfx != adv[first]:
                    diff = sorted(pfx ^ adv[first])
                    ctx.add("ER544", ctx.policy_file(objs[cname]), f"{ctx.policy_key(objs[cname])}.private.advertise",
                            f"{cname} and {first} serve site {name} but advertise different prefixes on private "
                            f"peering ({', '.join(diff[:4])}): the site fails over to a circuit that lacks routes "
                            "(or set same_prefixes: false)")
        # the site's prefixes fit every circuit's limit
        union = set().union(*adv.values()) if adv else set()
        v4 = sum(1 for p in union if ":" not in p)
        v6 = len(union) - v4
        for c in loaded:
            premium = (c.sku_tier or "").lower() == "premium"
            limit4 = 10000 if premium else 4000
            if v4 > limit4 or v6 > 100:
                ctx.add("ER546", _file(ctx), f"{name}.circuits.{c.name}",
                        f"the site sends {v4} IPv4 and {v6} IPv6 prefixes; {c.name}'s private peering takes "
                        f"{limit4} and 100 (more drops the session)")
        # the backup circuit is longer than the preferred one's standby link, as Azure sees the path
        for kind in (PeeringKind.private, PeeringKind.microsoft):
            seen = []
            for c in loaded:
                p = c.peering(kind)
                if p is None:
                    continue
                role = roles[next(k for k in roles if k.lower() == c.name.lower())]
                pol = ctx.policy(c)
                te_a = engineering(ctx.inventory, c.name, standby=False, prepend=pol.prepend)
                te_s = engineering(ctx.inventory, c.name, standby=pol.redundancy == "active-standby",
                                   prepend=pol.prepend)
                stripped = kind is PeeringKind.microsoft and _private_asn(p.peer_asn)
                lo = 0 if stripped else te_a[1]
                hi = 0 if stripped else te_s[1]
                seen.append((RANK[role], role, c.name, lo, hi, stripped))
            for rank, role, cname, lo, hi, stripped in seen:
                better = [x for x in seen if x[0] < rank]
                for b in better:
                    if lo <= b[4]:
                        why = (" (Microsoft strips private ASNs on Microsoft peering: the prepends never reach "
                               "Azure; use a public ASN, or rely on the connection weights)") if stripped or b[5] else ""
                        ctx.add("ER545", _file(ctx), f"{name}.circuits.{cname}",
                                f"on {kind.short} peering Azure sees {cname} ({role}) with an AS path no longer than "
                                f"{b[2]}'s standby link ({lo} against {b[4]} prepends){why}")


def _ibgp(ctx: Context, all_sites: dict, file: str) -> None:
    """The iBGP mesh of each site (``ibgp``): every router of the site in it, its own addresses, one AS."""
    by_router = ctx.landings_by_router()
    in_mesh: dict[str, str] = {}
    for name, site in all_sites.items():
        if not site.ibgp:
            continue
        circuits = {c.lower() for c in site.circuits}
        terminating = {r for r, ls in by_router.items() if any(l.circuit.name.lower() in circuits for l in ls)}
        for router in sorted(terminating - set(site.ibgp)):
            ctx.add("ER549", file, f"{name}.ibgp", f"{router} terminates a circuit of site {name} but is not in its "
                                                   "iBGP mesh: the local preference it sets would not reach the others")
        owner: dict[str, str] = {}
        asns: dict[int, list[str]] = {}
        for router, peer in site.ibgp.items():
            where = f"{name}.ibgp.{router}"
            if router not in terminating:
                ctx.add("ER548", file, where, f"{router} terminates none of site {name}'s circuits"
                        + ("" if router in ctx.inventory.routers else " and is not in hosts.yaml")
                        + ": ergen renders the sessions to it, not its config")
            if router in in_mesh:
                ctx.add("ER550", file, where, f"{router} is also in site {in_mesh[router]}'s iBGP mesh")
            in_mesh.setdefault(router, name)
            if not (peer.address or peer.address6):
                ctx.add("ER550", file, where, f"{router} has no iBGP address (address or address6)")
            for a in (peer.address, peer.address6):
                if a and a in owner:
                    ctx.add("ER550", file, where, f"{a} is also {owner[a]}'s iBGP address")
                elif a:
                    owner[a] = router
            others = [p for r, p in site.ibgp.items() if r != router]
            if (peer.address or peer.address6) and others and not any(
                    (peer.address and p.address) or (peer.address6 and p.address6) for p in others):
                ctx.add("ER550", file, where, f"{router}'s iBGP addresses share no family with another router's: "
                                              "no session")
            if router in terminating:
                ls = sorted(by_router[router], key=lambda l: (l.index, l.peering.kind is not PeeringKind.private))
                asn = ctx.inventory.routers[router].data.bgp_asn or ls[0].peering.peer_asn
                asns.setdefault(asn, []).append(router)
        if len(asns) > 1:
            ctx.add("ER551", file, f"{name}.ibgp", "iBGP needs one AS; the site's routers are in "
                    + "; ".join(f"AS {a} ({', '.join(rs)})" for a, rs in sorted(asns.items())))
