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
                where = f"{key}.{short}.accept_communities[{j}]"
                value = community_value(name)
                if value is None:
                    known = ", ".join(sorted(communities()))
                    ctx.add("ER604", ctx.circuits_file, where, f"unknown community {name!r}; known: {known}, "
                                                               "or a value 12076:NNNNN")
                elif short == "private" and value in services:
                    ctx.add("ER605", ctx.circuits_file, where,
                            f"{name} ({value}) is a Microsoft peering service community")
