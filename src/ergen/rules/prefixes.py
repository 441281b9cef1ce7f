"""Prefixes advertised to Microsoft: valid, within ExpressRoute's limits, the same on both links."""

from __future__ import annotations

from ergen.intent.addressing import PrefixError, is_documentation, is_public, parse_prefix
from ergen.model.circuit import PeeringKind
from ergen.rules.engine import Context, check

# Prefixes Microsoft accepts per BGP session before it drops the session (expressroute-routing).
LIMITS = {
    (PeeringKind.private, 4, False): 4000,
    (PeeringKind.private, 4, True): 10000,   # Premium
    (PeeringKind.private, 6, False): 100,
    (PeeringKind.private, 6, True): 100,
    (PeeringKind.microsoft, 4, False): 200,
    (PeeringKind.microsoft, 4, True): 200,
    (PeeringKind.microsoft, 6, False): 200,
    (PeeringKind.microsoft, 6, True): 200,
}


def _public_prefixes(peering, family: int) -> list[str]:
    if family == 4:
        cfg = peering.microsoft_peering_config
    else:
        v6 = peering.ipv6_peering_config
        cfg = v6.microsoft_peering_config if v6 else None
    return list(cfg.advertised_public_prefixes) if cfg else []


@check
def advertised(ctx: Context) -> None:
    by_link: dict[tuple[str, str, int], dict[str, tuple[frozenset[str], str, str]]] = {}
    reported: set[tuple[str, str]] = set()
    for landing in ctx.landings():
        circuit, peering = landing.circuit, landing.peering
        pol = getattr(ctx.policy(circuit), peering.short)
        premium = (circuit.sku_tier or "").lower() == "premium"
        for family in (4, 6):
            prefixes, file, path = ctx.advertised(landing, ipv6=family == 6)
            nets = []
            once = (file, path) not in reported
            reported.add((file, path))
            for j, text in enumerate(prefixes):
                try:
                    net = parse_prefix(text)
                except PrefixError as exc:
                    if once:
                        ctx.add("ER401", file, f"{path}[{j}]", str(exc))
                    continue
                if net.version != family:
                    if once:
                        key = "advertise_ipv6" if net.version == 6 else "advertise"
                        ctx.add("ER409", file, f"{path}[{j}]", f"{text} is IPv{net.version}; list it under {key}")
                    continue
                nets.append((j, net))
            if family == 6 and nets and once and not (peering.ipv6_peering_config and
                                                      peering.ipv6_peering_config.primary_peer_address_prefix):
                ctx.add("ER410", file, path, f"{peering.name} has no ipv6PeeringConfig in Azure")
            count = len(nets) + (1 if family == 4 and pol.default_route else 0)
            limit = LIMITS[(peering.kind, family, premium)]
            if count > limit and once:
                ctx.add("ER402", file, path, f"{count} IPv{family} prefixes on {peering.short} peering; "
                                             f"Microsoft accepts {limit} per session and drops it beyond")
            if once:
                _check_content(ctx, landing, family, nets, file, path, pol.default_route)
            by_link.setdefault((circuit.name, peering.short, family), {})[landing.attachment.link] = (
                frozenset(str(n.cidr) for _, n in nets), file, path)
    for (cname, pshort, family), links in by_link.items():
        circuit = ctx.circuit(cname)
        if ctx.policy(circuit).asymmetric_prefixes or len(links) < 2:
            continue
        (p_set, _, _), (s_set, sfile, spath) = links.get("primary"), links.get("secondary")
        if p_set != s_set:
            only_p = sorted(p_set - s_set)
            only_s = sorted(s_set - p_set)
            detail = "; ".join(x for x in (f"only primary: {', '.join(only_p)}" if only_p else "",
                                           f"only secondary: {', '.join(only_s)}" if only_s else "") if x)
            ctx.add("ER406", sfile, spath, f"the links of {cname} advertise different IPv{family} prefixes "
                                           f"on {pshort} peering ({detail})")


def _check_content(ctx, landing, family, nets, file, path, default_route) -> None:
    peering = landing.peering
    if family == 4 and default_route and peering.kind is not PeeringKind.private:
        ctx.add("ER405", file, path.rsplit(".", 1)[0] + ".default_route",
                "default_route is set on Microsoft peering; 0.0.0.0/0 is accepted on private peering only")
    if family == 4 and not nets and not default_route:
        ctx.add("ER408", file, path, f"nothing to advertise on {peering.short} peering")
    public = _public_prefixes(peering, family)
    registered = []
    for t in public:
        try:
            registered.append(parse_prefix(t))
        except PrefixError:
            pass
    for j, net in nets:
        if net.prefixlen == 0:
            if peering.kind is not PeeringKind.private:
                ctx.add("ER405", file, f"{path}[{j}]", f"{net} on Microsoft peering; a default route is "
                                                       "accepted on private peering only")
            else:
                ctx.add("ER401", file, f"{path}[{j}]", f"{net} in the prefix list; set default_route: true "
                                                       "to advertise a default route")
            continue
        if peering.kind is PeeringKind.microsoft:
            if not is_public(net):
                ctx.add("ER403", file, f"{path}[{j}]", f"{net} is not public address space")
            elif is_documentation(net):
                ctx.add("ER404", file, f"{path}[{j}]", f"{net} is a documentation prefix")
            if registered and not any(net in r for r in registered):
                ctx.add("ER407", file, f"{path}[{j}]",
                        f"{net} is not inside advertisedPublicPrefixes ({', '.join(public)})")


@check
def microsoft_public_space(ctx: Context) -> None:
    """Microsoft peering's link subnets and advertisedPublicPrefixes must be public address space."""
    from ergen.rules.addressing import link_prefixes

    for circuit in ctx.circuits:
        for p in ctx.rendered_peerings(circuit):
            if p.kind is not PeeringKind.microsoft:
                continue
            items = [(path, text) for fam in (4, 6) for _, path, text in link_prefixes(p, fam) if text]
            for fam in (4, 6):
                src = p.microsoft_peering_config if fam == 4 else (
                    p.ipv6_peering_config.microsoft_peering_config if p.ipv6_peering_config else None)
                if src:
                    base = src.where("advertised_public_prefixes")
                    items += [(f"{base}[{j}]", t) for j, t in enumerate(src.advertised_public_prefixes)]
            for path, text in items:
                try:
                    net = parse_prefix(text)
                except PrefixError as exc:
                    if "advertisedPublicPrefixes" in path or "advertised" in path.lower():
                        ctx.add("ER401", circuit.source_file, path, str(exc))
                    continue  # link prefixes: reported by ER101
                if not is_public(net):
                    ctx.add("ER403", circuit.source_file, path, f"{text} is not public address space; "
                                                                "Microsoft peering needs registered public IPs")
                elif is_documentation(net):
                    ctx.add("ER404", circuit.source_file, path, f"{text} is a documentation prefix")
