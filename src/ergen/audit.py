"""``ergen audit``: does every router still do what was reviewed? Read only.

Per router of the inventory (or an estate):

* **drift** within ergen's scope: the lines of ergen's objects (its subinterfaces, the sessions toward
  Microsoft, its route maps, lists, BFD templates, anchor routes) that the router lacks, and lines the
  router has in those objects that ergen does not render; plus the differences in networking terms
  (``ergen.adopt.compare``: no BFD, another maximum-prefix, an inbound policy that accepts a default
  route ...). Lines outside ergen's objects are the router's own business and not reported.
* **BGP** toward Microsoft (NAPALM ``get_bgp_neighbors``, when the router is read live): each session
  Established and receiving prefixes, or shut down where the drain state says so;
* **drain state** (``drains.yaml``);
* with ``--azure``: Azure's view of each link (``ergen verify``: ARP, the route summary).

A router that cannot be read is reported alone; the others go on. Nothing is ever written to a router:
only ``get_config`` and ``get_bgp_neighbors``.
"""

from __future__ import annotations

from ergen.platforms import family

from dataclasses import dataclass, field

from ergen.adopt.running import Line, owned_by, owner_set


@dataclass
class RouterAudit:
    router: str
    platform: str
    source: str = ""                     # where the running config came from
    error: str = ""                      # could not be read: why
    missing: list[str] = field(default_factory=list)    # ergen's lines the router lacks
    extra: list[str] = field(default_factory=list)      # lines in ergen's objects that ergen does not render
    findings: list[str] = field(default_factory=list)   # the differences in networking terms
    bgp: list[dict] = field(default_factory=list)       # {neighbor, link, peering, family, state, prefixes, ok}
    drained: list[str] = field(default_factory=list)    # "primary (prepend, since ...)"
    azure: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (not self.error and not self.missing and not self.extra and not self.findings
                and all(b["ok"] for b in self.bgp) and all(a["ok"] for a in self.azure))

    def as_dict(self) -> dict:
        return {"router": self.router, "platform": self.platform, "ok": self.ok, "source": self.source,
                "error": self.error, "drift": {"missing": self.missing, "extra": self.extra},
                "findings": self.findings, "bgp": self.bgp, "drained": self.drained, "azure": self.azure}


@dataclass
class AuditReport:
    routers: list[RouterAudit]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.routers)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "routers": [r.as_dict() for r in self.routers],
                "summary": {"routers": len(self.routers), "ok": sum(1 for r in self.routers if r.ok),
                            "unreachable": sum(1 for r in self.routers if r.error),
                            "seconds": round(self.seconds, 2)}}


def _norm(line: Line) -> tuple[str, ...]:
    return tuple(" ".join(x.lower().split()) for x in line)


def _text(platform: str, line: Line) -> str:
    return " ".join(line) if family(platform) == "junos" else " / ".join(line)


def audit_router(intent, candidate: str, running: str, source: str, *, drains=None) -> RouterAudit:
    """One router: its running config against ergen's candidate, within ergen's scope."""
    from ergen.adopt.compare import compare, find
    from ergen.adopt.parsers import parse_running
    from ergen.change.review import mask_keys
    from ergen.secrets import mask

    hide = lambda t: mask(mask_keys(t), list(intent.secrets))  # noqa: E731
    rc = parse_running(intent.platform, running, source)
    cand = parse_running(intent.platform, candidate, "ergen")
    mine = owner_set(p for o in _objects(cand) for p in o.paths)
    want = [l for l in cand.lines if owned_by(l, mine)]
    adopted, _, serves = find(rc, intent)
    theirs = owner_set(p for o in adopted for p in o.paths)
    have = [l for l in rc.lines if owned_by(l, theirs)]
    have_n = {_norm(l) for l in rc.lines}
    want_n = {_norm(l) for l in want}
    out = RouterAudit(intent.name, intent.platform, source)
    out.missing = [hide(_text(intent.platform, l)) for l in want if _norm(l) not in have_n]
    cand_n = {_norm(x) for x in cand.lines}
    by_parent: dict = {}
    for x in cand_n:
        by_parent.setdefault(x[:-1], []).append(x[-1])

    def covered(l) -> bool:
        """The router shows part of a rendered line on its own (FRR: "neighbor X bfd" beside
        "neighbor X bfd profile P"): not a line of its own."""
        n = _norm(l)
        return n in cand_n or any(c.startswith(n[-1] + " ") for c in by_parent.get(n[:-1], ()))

    out.extra = [hide(_text(intent.platform, l)) for l in have if not covered(l)]
    findings, _ = compare(rc, intent, serves)
    out.findings = [hide(f"{f.link} {f.peering or ''} {('IPv%d' % f.family) if f.family else ''}: {f.text}".replace("  ", " "))
                    for f in findings]
    return out


def _objects(rc):
    return [*rc.interfaces.values(), *rc.neighbors.values(), *rc.groups.values(), *rc.policies.values(),
            *rc.prefix_lists.values(), *rc.community_lists.values(), *rc.statics, *rc.bfd_templates.values()]


def bgp_checks(intent, peers: dict) -> list[dict]:
    """Each session toward Microsoft from ``get_bgp_neighbors`` (all VRFs flattened)."""
    from ergen.adopt.running import normal_address

    flat = {}
    for vrf in peers.values():
        for addr, p in (vrf.get("peers") or {}).items():
            flat[normal_address(addr)] = p
    out = []
    for n in intent.neighbors:
        p = flat.get(normal_address(n.address))
        fam = "ipv6" if n.family == 6 else "ipv4"
        got = ((p or {}).get("address_family") or {}).get(fam, {})
        pfx = int(got.get("accepted_prefixes", got.get("received_prefixes", 0)) or 0)
        up = bool(p and p.get("is_up"))
        if n.shutdown:
            ok, state = not up, "shut down (drained)" if not up else "Established (should be shut down)"
        else:
            ok, state = up and pfx > 0, ("Established" if up else "not Established") if p else "not configured"
        out.append({"neighbor": n.address, "circuit": n.circuit, "link": n.link, "peering": n.peering,
                    "family": n.family, "state": state, "prefixes": pfx, "ok": ok})
    return out


def audit(intents, candidates: dict[str, str], running: dict[str, tuple[str | None, str]], *,
          bgp: dict[str, dict] | None = None, drain_state=None, azure=None, jobs: int = 1) -> AuditReport:
    """Every router: ``running`` {router: (text or None, source or why it could not be read)}."""
    import time

    t0 = time.monotonic()
    routers: list[RouterAudit] = []
    work = [it for it in intents]
    if jobs > 1 and len(work) > 8:
        routers = _parallel(work, candidates, running, jobs)
    else:
        for it in work:
            routers.append(_one(it, candidates, running))
    by = {r.router: r for r in routers}
    for it in intents:
        r = by[it.name]
        if bgp is not None and not r.error:
            r.bgp = bgp_checks(it, bgp.get(it.name) or {})
        if drain_state is not None:
            for e in drain_state.entries:
                if any(c.name == e.circuit and c.link == e.link for c in it.circuits):
                    r.drained.append(f"{e.circuit} {e.link} ({e.mode}, {', '.join(e.peerings)}, since {e.since})")
    if azure is not None:
        for c in azure.checks:
            if c.router in by:
                by[c.router].azure.append({"link": c.label, "arp": c.arp, "bgp": c.bgp, "received": c.received,
                                           "advertised": c.advertised, "ok": c.ok, "problems": c.problems})
    return AuditReport([by[it.name] for it in intents], time.monotonic() - t0)


def _one(it, candidates, running) -> RouterAudit:
    from ergen.errors import ErgenError

    text, source = running.get(it.name, (None, "not read"))
    if text is None:
        return RouterAudit(it.name, it.platform, error=source or "not read")
    try:
        return audit_router(it, candidates[it.name], text, source)
    except ErgenError as exc:
        return RouterAudit(it.name, it.platform, source, error=str(exc))


def _parallel(work, candidates, running, jobs: int) -> list[RouterAudit]:
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    global _SHARED
    _SHARED = (candidates, running)
    with ctx.Pool(jobs) as pool:
        return pool.map(_one_shared, work, chunksize=max(1, len(work) // (jobs * 8)))


_SHARED: tuple = ({}, {})


def _one_shared(it) -> RouterAudit:
    return _one(it, *_SHARED)


# ----------------------------------------------------------------------------- output
def as_table(report: AuditReport) -> str:
    rows = [("router", "config", "BGP toward Microsoft", "drain", "Azure", "result")]
    for r in report.routers:
        if r.error:
            rows.append((r.router, "not read", "-", ", ".join(r.drained) or "-", "-", f"unreachable: {r.error}"))
            continue
        drift = len(r.missing) + len(r.extra) + len(r.findings)
        up = sum(1 for b in r.bgp if b["ok"])
        rows.append((r.router, "as rendered" if not drift else f"{drift} difference(s)",
                     f"{up}/{len(r.bgp)} as expected" if r.bgp else "not read", ", ".join(r.drained) or "-",
                     (f"{sum(1 for a in r.azure if a['ok'])}/{len(r.azure)}" if r.azure else "-"),
                     "ok" if r.ok else "DIFFERS"))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    for r in report.routers:
        for l in r.missing:
            out.append(f"{r.router}: missing: {l}")
        for l in r.extra:
            out.append(f"{r.router}: not ergen's: {l}")
        for f in r.findings:
            out.append(f"{r.router}: {f}")
        for b in r.bgp:
            if not b["ok"]:
                out.append(f"{r.router}: BGP {b['link']} {b['peering']} IPv{b['family']} {b['neighbor']}: {b['state']}, "
                           f"{b['prefixes']} prefixes")
        for a in r.azure:
            if not a["ok"]:
                out.append(f"{r.router}: Azure {a['link']}: {'; '.join(a['problems'])}")
    bad = sum(1 for r in report.routers if not r.ok)
    out.append(f"audit: {len(report.routers)} router(s), {len(report.routers) - bad} as reviewed"
               + (f", {bad} differ" if bad else "") + f" ({report.seconds:.1f} s)")
    return "\n".join(out) + "\n"


def as_markdown(report: AuditReport, graph: str = "") -> str:
    out = [f"## ergen audit: {len(report.routers)} router(s), "
           + ("all as reviewed" if report.ok else f"{sum(1 for r in report.routers if not r.ok)} differ"), ""]
    if graph:
        out += ["```mermaid", graph.rstrip(), "```", ""]
    out += ["| router | config | BGP toward Microsoft | drain | result |", "|---|---|---|---|---|"]
    for r in report.routers:
        drift = len(r.missing) + len(r.extra) + len(r.findings)
        cfg = "not read: " + r.error if r.error else ("as rendered" if not drift else f"{drift} difference(s)")
        bgp = f"{sum(1 for b in r.bgp if b['ok'])}/{len(r.bgp)}" if r.bgp else "-"
        out.append(f"| {r.router} | {cfg} | {bgp} | {', '.join(r.drained) or '-'} | {'ok' if r.ok else '**differs**'} |")
    details = [r for r in report.routers if not r.ok and not r.error]
    for r in details:
        out += ["", f"### {r.router}", ""]
        out += [f"- missing: `{l}`" for l in r.missing]
        out += [f"- not ergen's: `{l}`" for l in r.extra]
        out += [f"- {f}" for f in r.findings]
        out += [f"- BGP {b['neighbor']}: {b['state']}" for b in r.bgp if not b["ok"]]
    return "\n".join(out) + "\n"


def plan_graph(circuits, inventory, fmt: str = "mermaid") -> str:
    """The graph of what ergen renders for ``circuits`` (no session states: ``ergen audit`` adds them), with
    the inventory's drains: ``ergen graph`` and ``ergen show --graph``."""
    import ergen
    from ergen import drain as drains
    return graph(ergen.plan(circuits, inventory).intents, None, drain_state=drains.load(inventory.path), fmt=fmt)


def graph(intents, report: AuditReport | None = None, *, drain_state=None, fmt: str = "mermaid") -> str:
    """Circuit -> links -> routers -> peerings, with each session's state and drains: Mermaid (GitHub and
    most review tools render it in markdown) or Graphviz DOT."""
    bgp = {}
    if report is not None:
        for r in report.routers:
            for b in r.bgp:
                bgp[(r.router, b["neighbor"])] = b
    drained = {(e.circuit, e.link): e for e in (drain_state.entries if drain_state else [])}
    nodes, edges = {}, []

    def node(key, label, kind):
        nodes.setdefault(key, (label, kind))
        return key

    def ident(*parts):
        return "n_" + "_".join("".join(ch if ch.isalnum() else "_" for ch in p) for p in parts)

    for it in intents:
        for c in it.circuits:
            cid = node(ident(c.name), f"circuit {c.name}", "circuit")
            d = drained.get((c.name, c.link))
            lid = node(ident(c.name, c.link), f"{c.link} link" + (f" (drained: {d.mode})" if d else ""),
                       "drained" if d else "link")
            edges.append((cid, lid, ""))
            rid = node(ident(it.name), f"{it.name} ({it.platform})", "router")
            edges.append((lid, rid, ""))
            for n in it.neighbors:
                if n.circuit != c.name or n.link != c.link:
                    continue
                b = bgp.get((it.name, n.address))
                state = b["state"] if b else ("shut down" if n.shutdown else "not read")
                pid = node(ident(it.name, n.address), f"{n.peering} IPv{n.family} {n.address}: {state}",
                           "up" if b and b["ok"] else ("down" if b else "unknown"))
                edges.append((rid, pid, ""))
    seen = set()
    edges = [e for e in edges if not (e in seen or seen.add(e))]
    if fmt == "dot":
        colour = {"circuit": "lightblue", "link": "white", "drained": "orange", "router": "lightgrey",
                  "up": "palegreen", "down": "salmon", "unknown": "white"}
        out = ["digraph ergen {", "  rankdir=LR;", "  node [shape=box, style=filled];"]
        for k, (label, kind) in nodes.items():
            out.append(f'  {k} [label="{_dot(label)}", fillcolor={colour[kind]}];')
        out += [f"  {a} -> {b};" for a, b, _ in edges]
        return "\n".join(out + ["}"]) + "\n"
    out = ["flowchart LR"]
    for k, (label, kind) in nodes.items():
        out.append(f'  {k}["{_mermaid(label)}"]:::{kind}')
    out += [f"  {a} --> {b}" for a, b, _ in edges]
    out += ["  classDef up fill:#c8f7c5", "  classDef down fill:#f7c5c5", "  classDef drained fill:#ffd59e",
            "  classDef unknown fill:#ffffff", "  classDef circuit fill:#cfe8ff", "  classDef link fill:#ffffff",
            "  classDef router fill:#eeeeee"]
    return "\n".join(out) + "\n"


def _dot(text: str) -> str:
    from ergen.render.filters import cfg_text
    return cfg_text(text).replace('"', "")


def _mermaid(text: str) -> str:
    from ergen.render.filters import cfg_text
    return cfg_text(text).replace('"', "")
