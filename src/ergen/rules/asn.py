"""ASNs: the customer's peer ASN must be valid and not one Azure reserves."""

from __future__ import annotations

from ergen.model.circuit import PeeringKind
from ergen.rules.engine import Context, check

AZURE_RESERVED = {8074, 8075, 12076, *range(65515, 65521)}
INVALID = {0, 23456, 65535, 4294967295}
DOCUMENTATION = {*range(64496, 64512), *range(65536, 65552)}
MICROSOFT_ASN = 12076


def is_private_asn(asn: int) -> bool:
    return 64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294


@check
def peer_asns(ctx: Context) -> None:
    for circuit in ctx.circuits:
        for p in ctx.rendered_peerings(circuit):
            f, path = circuit.source_file, p.where("peer_asn")
            asn = p.peer_asn
            if asn is None:
                ctx.add("ER201", f, path, f"{p.name} has no peerASN")
                continue
            if asn in INVALID or not 1 <= asn <= 4294967295:
                ctx.add("ER202", f, path, f"peer ASN {asn} is not a usable ASN")
            elif asn in AZURE_RESERVED:
                ctx.add("ER203", f, path, f"peer ASN {asn} is reserved by Azure (65515-65520, 8074, 8075, 12076)")
            elif asn in DOCUMENTATION:
                ctx.add("ER204", f, path, f"peer ASN {asn} is a documentation ASN (RFC 5398)")
            elif p.kind is PeeringKind.microsoft and is_private_asn(asn):
                ctx.add("ER205", f, path, f"Microsoft peering with private ASN {asn}: Microsoft strips it "
                                          "from the path, so the standby link's prepend has no effect")
            if p.azure_asn is not None and p.azure_asn != MICROSOFT_ASN:
                ctx.add("ER206", f, p.where("azure_asn"), f"azureASN is {p.azure_asn}, not 12076; "
                                                          "ergen peers with the ASN the circuit gives")


@check
def router_asns(ctx: Context) -> None:
    for router in ctx.inventory.routers.values():
        asn = router.data.bgp_asn
        if asn is None:
            continue
        where = f"{router.name}.data.bgp_asn"
        if asn in INVALID:
            ctx.add("ER202", ctx.hosts_file, where, f"BGP ASN {asn} is not a usable ASN")
        elif asn in AZURE_RESERVED:
            ctx.add("ER203", ctx.hosts_file, where, f"BGP ASN {asn} is reserved by Azure")
