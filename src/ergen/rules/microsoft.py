"""Microsoft peering: a route filter to receive anything, validated public prefixes."""

from __future__ import annotations

from ergen.communities import communities, community_value
from ergen.model.circuit import PeeringKind
from ergen.rules.engine import Context, check


@check
def microsoft_peering(ctx: Context) -> None:
    for circuit in ctx.circuits:
        for p in ctx.rendered_peerings(circuit):
            if p.kind is not PeeringKind.microsoft:
                continue
            f = circuit.source_file
            cfg = p.microsoft_peering_config
            if cfg is None or not cfg.advertised_public_prefixes:
                ctx.add("ER603", f, p.where("microsoft_peering_config"),
                        "no advertisedPublicPrefixes: Microsoft accepts nothing from this peering")
            elif cfg.advertised_public_prefixes_state == "ValidationNeeded":
                ctx.add("ER602", f, cfg.where("advertised_public_prefixes_state"),
                        "advertisedPublicPrefixesState is ValidationNeeded: open a ticket with a letter of "
                        "authorization; until then Microsoft drops these prefixes")
            if not p.route_filter_id:
                ctx.add("ER601", f, p.where("route_filter_id"),
                        "no route filter: a Microsoft peering created after 2017-08-01 receives no prefixes "
                        "until one is attached")


@check
def accepted_communities(ctx: Context) -> None:
    services = {v for k, v in communities().items() if not k.startswith("azure-")}
    for key, pol in ctx.inventory.circuits.items():
        for short in ("private", "microsoft"):
            for j, name in enumerate(getattr(pol, short).accept_communities):
                where = f"{ctx.policy_where(key)}.{short}.accept_communities[{j}]"
                value = community_value(name)
                if value is None:
                    known = ", ".join(sorted(communities()))
                    ctx.add("ER604", ctx.policy_file(key), where, f"unknown community {name!r}; known: {known}, "
                                                               "or a value 12076:NNNNN")
                elif short == "private" and value in services:
                    ctx.add("ER605", ctx.policy_file(key), where,
                            f"{name} ({value}) is a Microsoft peering service community")


@check
def source_nat(ctx: Context) -> None:
    from ergen.intent.addressing import PrefixError, parse_prefix

    for key, pol in ctx.inventory.circuits.items():
        if pol.private.nat is not None:
            ctx.add("ER606", ctx.policy_file(key), f"{ctx.policy_where(key)}.private.nat",
                    "NAT on private peering is not supported by ExpressRoute; use it on Microsoft peering")
        nat = pol.microsoft.nat
        if nat is None:
            continue
        try:
            pool = parse_prefix(nat.pool)
        except PrefixError as exc:
            ctx.add("ER401", ctx.policy_file(key), f"{ctx.policy_where(key)}.microsoft.nat.pool", str(exc))
            continue
        advertised = []
        for t in pol.microsoft.advertise:
            try:
                advertised.append(parse_prefix(t))
            except PrefixError:
                pass
        if not any(pool in a for a in advertised):
            ctx.add("ER607", ctx.policy_file(key), f"{ctx.policy_where(key)}.microsoft.nat.pool",
                    f"{nat.pool} is not inside microsoft.advertise; return traffic would not come back")
        for j, t in enumerate(nat.inside):
            try:
                parse_prefix(t)
            except PrefixError as exc:
                ctx.add("ER401", ctx.policy_file(key), f"{ctx.policy_where(key)}.microsoft.nat.inside[{j}]", str(exc))


@check
def direct_port_features(ctx: Context) -> None:
    for c in ctx.circuits:
        pol = ctx.policy(c)
        key = ctx.policy_name(c)
        port = c.express_route_port
        cipher = port.macsec_cipher if port else None
        if pol.macsec is not None and not cipher:
            ctx.add("ER610", ctx.policy_file(key), f"{ctx.policy_where(key)}.macsec",
                    f"{c.name} has no ExpressRoute Direct port with macSecConfig")
        if cipher and pol.macsec is None and any(l.circuit is c for l in ctx.landings()):
            ctx.add("ER611", ctx.policy_file(key), ctx.policy_where(key), f"the Direct port of {c.name} uses MACsec ({cipher}); "
                                                     "give macsec: {ckn: ..., cak: ...}")
        if pol.macsec is not None:
            for part in ("ckn", "cak"):
                ctx.secret(getattr(pol.macsec, part), ctx.policy_file(key), f"{ctx.policy_where(key)}.macsec.{part}")
        if pol.shape and not c.bandwidth_bps:
            ctx.add("ER612", ctx.policy_file(key), f"{ctx.policy_where(key)}.shape", f"{c.name} has no bandwidthInMbps/bandwidthInGbps")
