"""The inventory against the circuits: every link lands once, on two different routers."""

from __future__ import annotations

from ergen.model.circuit import PeeringKind
from ergen.rules.engine import Context, check


@check
def attachments(ctx: Context) -> None:
    known = {c.name.lower() for c in ctx.circuits}
    landed: dict[tuple[str, str], list[tuple[str, str, str]]] = {}  # (circuit, link) -> [(router, where, file)]
    for router, i, att in ctx.attachments():
        file, where = ctx.attachment_where(router, i, att)
        circuit = ctx.circuit(att.circuit)
        if circuit is None:
            loaded = ", ".join(sorted(c.name for c in ctx.circuits)) or "none"
            ctx.add("ER501", file, f"{where}.circuit",
                    f"circuit {att.circuit!r} is not among the circuit files given (loaded: {loaded})")
            continue
        kinds = {p.short for p in circuit.peerings if p.kind is not PeeringKind.public}
        for j, name in enumerate(att.peerings or []):
            if name not in kinds:
                ctx.add("ER505", file, f"{where}.peerings[{j}]",
                        f"circuit {circuit.name} has no {name} peering")
        landed.setdefault((circuit.name, att.link), []).append((router.name, where, file))
    for (cname, link), places in landed.items():
        if len(places) > 1:
            others = ", ".join(p[0] for p in places[:-1])
            ctx.add("ER502", places[-1][2], places[-1][1],
                    f"the {link} link of {cname} also lands on {others}")
    landed_circuits = {k[0] for k in landed}
    for c in ctx.circuits:
        prim = {p[0] for p in landed.get((c.name, "primary"), [])}
        sec = {p[0] for p in landed.get((c.name, "secondary"), [])}
        if ctx.inventory.routers and (prim & sec):
            r = sorted(prim & sec)[0]
            ctx.add("ER503", ctx.hosts_file, f"{r}.data.expressroute",
                    f"both links of {c.name} land on {r}; a second router is what protects against its failure")
        if ctx.inventory.routers and c.name in landed_circuits:
            for link, routers in (("primary", prim), ("secondary", sec)):
                if not routers:
                    ctx.add("ER504", ctx.hosts_file, "(hosts)",
                            f"the {link} link of {c.name} lands on no router; Azure's SLA needs both sessions")
    for key in ctx.inventory.circuits:
        if key.lower() not in known and ctx.circuits:
            ctx.add("ER506", ctx.policy_file(key), ctx.policy_where(key), f"circuit {key!r} is not among the circuit files given")


@check
def circuit_state(ctx: Context) -> None:
    for c in ctx.circuits:
        state = c.service_provider_provisioning_state
        if state and state != "Provisioned":
            ctx.add("ER507", c.source_file, c.where("service_provider_provisioning_state"),
                    f"serviceProviderProvisioningState is {state}; peerings come up once it is Provisioned")
        for p in c.peerings:
            if p.kind is PeeringKind.public:
                ctx.add("ER509", c.source_file, p.where(""), "AzurePublicPeering is retired by Microsoft; "
                                                             "ergen does not render it (move to Microsoft peering)")
            elif p.state and p.state.lower() == "disabled":
                ctx.add("ER508", c.source_file, p.where("state"),
                        f"{p.name} is Disabled in Azure; the router side is rendered but stays down")
