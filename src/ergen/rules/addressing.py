"""Link subnets: a /30 per IPv4 link, a /126 per IPv6 link, all distinct within a circuit."""

from __future__ import annotations

from ergen.intent.addressing import LINK_PREFIXLEN, PrefixError, parse_prefix
from ergen.rules.engine import Context, check


def link_prefixes(peering, family: int):
    """(field name, path, text) of each link prefix of a peering in one family."""
    if family == 4:
        src = peering
    else:
        src = peering.ipv6_peering_config
        if src is None:
            return []
    return [(name, src.where(f"{name}_peer_address_prefix"), getattr(src, f"{name}_peer_address_prefix"))
            for name in ("primary", "secondary")]


@check
def link_subnets(ctx: Context) -> None:
    for circuit in ctx.circuits:
        seen = []  # (network, path)
        for peering in ctx.rendered_peerings(circuit):
            for family in (4, 6):
                fields = link_prefixes(peering, family)
                present = [f for f in fields if f[2]]
                if family == 4 and len(present) < 2 or family == 6 and len(present) == 1:
                    for name, path, text in fields:
                        if not text:
                            ctx.add("ER103", circuit.source_file, path,
                                    f"{peering.name} has no {name} IPv{family} link prefix")
                for name, path, text in present:
                    try:
                        net = parse_prefix(text)
                    except PrefixError as exc:
                        ctx.add("ER101", circuit.source_file, path, str(exc))
                        continue
                    if net.version != family:
                        ctx.add("ER101", circuit.source_file, path,
                                f"{text} is IPv{net.version}; this field takes an IPv{family} link prefix")
                        continue
                    want = LINK_PREFIXLEN[family]
                    if net.prefixlen != want:
                        hint = " (split a /29 into two /30s: the first for primary, the second for secondary)" \
                            if family == 4 and net.prefixlen == 29 else ""
                        ctx.add("ER102", circuit.source_file, path,
                                f"{text} is a /{net.prefixlen}; each IPv{family} link is a /{want}{hint}")
                        continue
                    for other, opath in seen:
                        if net in other or other in net:
                            ctx.add("ER104", circuit.source_file, path, f"{text} overlaps {other} at {opath}")
                            break
                    seen.append((net, path))
