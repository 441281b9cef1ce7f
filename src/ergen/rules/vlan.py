"""VLANs: one per peering, 1-4094, unique within the circuit; no two peerings on the same tags of one port."""

from __future__ import annotations

from ergen.rules.engine import Context, check


@check
def circuit_vlans(ctx: Context) -> None:
    for circuit in ctx.circuits:
        seen: dict[int, str] = {}
        for p in ctx.rendered_peerings(circuit):
            f, path = circuit.source_file, p.where("vlan_id")
            if p.vlan_id is None:
                ctx.add("ER301", f, path, f"{p.name} has no vlanId")
                continue
            if not 1 <= p.vlan_id <= 4094:
                ctx.add("ER302", f, path, f"VLAN {p.vlan_id} is outside 1-4094")
                continue
            if p.vlan_id in seen:
                ctx.add("ER303", f, path, f"VLAN {p.vlan_id} is also used by {seen[p.vlan_id]}")
            else:
                seen[p.vlan_id] = p.name


@check
def subinterface_tags(ctx: Context) -> None:
    """On one router interface, no two peerings (of any circuits) may use the same (S-tag, C-tag)."""
    seen: dict[tuple[str, str, int | None, int], str] = {}
    for landing in ctx.landings():
        att = landing.attachment
        stag, ctag = ctx.tags(landing)
        if ctag is None:
            continue
        key = (landing.router.name, att.interface, stag, ctag)
        label = f"{landing.circuit.name} {landing.peering.short}"
        if key in seen and seen[key] != label:
            tags = f"S-tag {stag} C-tag {ctag}" if stag else f"VLAN {ctag}"
            ctx.add("ER304", ctx.attachment_file(att), landing.where,
                    f"{label} on {att.interface} uses {tags}, as {seen[key]} does")
        seen.setdefault(key, label)
