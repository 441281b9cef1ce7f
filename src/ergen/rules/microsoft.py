"""Microsoft peering: a route filter to receive anything, validated public prefixes."""

from __future__ import annotations

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
