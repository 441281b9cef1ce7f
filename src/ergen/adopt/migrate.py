"""The migration from hand-built objects to ergen's, one link at a time.

For each link, standby link first (active-active: the secondary first), on each router of that link:

1. **drain**: the hand-built policies of that link's sessions get a lower local preference inbound (the
   site prefers the other link) and a longer AS path outbound (Azure prefers the other link); the
   sessions stay up, only policies change, so traffic moves without loss;
2. **replace**: the adopted objects are removed (exactly those: every line that goes is a line of an
   adopted object, checked before anything is shown or sent) and ergen's config goes in; the drained
   link's sessions restart on ergen's config;
3. **verify**: every session of the link Established and receiving prefixes before the next link.

What is sent depends on the platform:

* IOS-XE, EOS, NX-OS, IOS-XR: configuration commands (``no`` lines for the adopted objects, then ergen's
  config), merged;
* Junos: ``delete`` commands (set form), then ergen's config (load merge), one commit;
* FRR: the whole config the router ends with (frr-reload computes the commands), replaced.

A shared policy (used by a session ergen does not adopt) is never modified: the drain of that link says
it cannot move traffic and the migration of that link is not hitless.
"""

from __future__ import annotations

from ergen.platforms import family

import difflib
from dataclasses import dataclass, field

from ergen.adopt.compare import RouterAdoption, _find_neighbor
from ergen.adopt.running import (ConfigObject, Interface, Line, Neighbor, PeerGroup, Policy, RunningConfig,
                                 StaticRoute, owned_by)
from ergen.errors import InputError
from ergen.intent.model import Drain

IOS_FAMILY = ("ios-xe", "eos", "nx-os", "ios-xr", "frr")


@dataclass
class Load:
    mode: str                        # merge | replace
    text: str                        # keys in clear when built for a push (shown masked)
    format: str = "text"             # text | set (Junos)


@dataclass
class Change:
    loads: list[Load]
    display: str                     # what a reviewer reads (keys masked by the caller)
    rollback: str
    warnings: list[str] = field(default_factory=list)
    removed: list[Line] = field(default_factory=list)    # running-config nodes this change removes
    commands: list[str] = field(default_factory=list)    # IOS-style: the removal commands alone


@dataclass
class Step:
    number: int
    link: str
    router: str
    platform: str
    kind: str                        # drain | replace | verify
    title: str
    display: str = ""
    rollback: str = ""
    check: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("number", "link", "router", "platform", "kind", "title", "display",
                                              "rollback", "check", "warnings")}




# ----------------------------------------------------------------------------- drain values
def drain_values(adoptions: list[RouterAdoption]) -> Drain:
    """Lower than any local preference either link uses (existing or ergen's), longer than any prepend."""
    lps, prepends = [100], [0]
    for ra in adoptions:
        for rm in ra.intent.route_maps:
            for e in rm.entries:
                if e.set_local_preference is not None:
                    lps.append(e.set_local_preference)
                prepends.append(len(e.set_as_path_prepend))
        for p in ra.running.policies.values():
            for t in p.terms:
                if t.local_preference is not None:
                    lps.append(t.local_preference)
                prepends.append(len(t.prepend))
    return Drain(local_preference=max(1, min(lps) // 2), prepend=max(prepends) + 2)


# ----------------------------------------------------------------------------- which objects a link owns
def link_objects(ra: RouterAdoption, link: str) -> list[ConfigObject]:
    """The adopted objects of one link on this router (all of them when the router carries only that link)."""
    if ra.links == [link]:
        return list(ra.adopted)
    raise InputError(f"{ra.router} carries both links of the circuit; ergen cannot migrate one link of it at a "
                     "time (migrate it in one step with --only left out)", field="--only")


def _sessions(ra: RouterAdoption) -> list[tuple]:
    """(intent neighbor, existing neighbor) of the adopted sessions."""
    out = []
    for n in ra.intent.neighbors:
        e = _find_neighbor(ra.running, n)
        if e is not None and e in ra.adopted:
            out.append((n, e))
    return out


# ----------------------------------------------------------------------------- drain
def drain(ra: RouterAdoption, values: Drain, *, tag: str) -> Change:
    """Move traffic off this router's link without touching its sessions: policies only."""
    rc = ra.running
    warnings: list[str] = []
    adopted_ids = {id(o) for o in ra.adopted}
    edits: list[tuple[str, Policy | None, Neighbor, str]] = []   # (direction, policy or None: create, neighbor, family)
    seen: set[tuple[str, str]] = set()
    for n, e in _sessions(ra):
        s = rc.effective(e)
        asn = n.local_as or ra.intent.bgp_asn
        for direction, names in (("in", s.policy_in), ("out", s.policy_out)):
            if not names:
                edits.append((direction, None, e, str(n.family)))
                continue
            for name in names:
                pol = rc.policies.get(name)
                if pol is None:
                    warnings.append(f"{ra.router}: policy {name} of neighbor {e.name} is not in the config")
                    continue
                if id(pol) not in adopted_ids:
                    warnings.append(f"{ra.router}: policy {name} is shared with sessions ergen does not adopt; the "
                                    f"drain leaves it as it is, so neighbor {e.name} keeps carrying traffic and its "
                                    "migration is not hitless")
                    continue
                if (direction, name) not in seen:
                    seen.add((direction, name))
                    edits.append((direction, pol, e, str(n.family)))
        del asn
    asn = ra.intent.bgp_asn
    neighbors_local_as = {e.address: (n.local_as or asn) for n, e in _sessions(ra)}
    fn = {"junos": _drain_junos, "ios-xr": _drain_xr, "frr": _drain_frr}.get(family(ra.platform), _drain_ios)
    return fn(ra, edits, values, neighbors_local_as, tag, warnings)


def _drain_name(tag: str, direction: str) -> str:
    return f"ER-{tag}-DRAIN-{direction.upper()}"


def _drain_ios(ra, edits, values, local_as, tag, warnings) -> Change:
    rc = ra.running
    cmds, undo = [], []
    for direction, pol, e, fam in edits:
        pre = " ".join([str(local_as[e.address])] * values.prepend)
        if pol is None:
            name = _drain_name(tag, direction)
            if f"route-map {name} permit 10" not in cmds:
                cmds += [f"route-map {name} permit 10",
                         f" set local-preference {values.local_preference}" if direction == "in"
                         else f" set as-path prepend {pre}"]
                undo += [f"no route-map {name}"]
            target = e.group if (e.group and direction == "out" and ra.platform != "nx-os") else e.name
            ctx, line = _apply_route_map(ra, e, target, name, direction)
            cmds += ctx + [line]
            indent = line[:len(line) - len(line.lstrip())]
            undo = ctx + [indent + "no " + line.strip()] + undo
            continue
        for t in pol.terms:
            if t.action not in ("permit",):
                continue
            head = f"route-map {pol.name} permit {t.name}"
            if direction == "in":
                cmds += [head, f" set local-preference {values.local_preference}"]
                undo += [head, f" set local-preference {t.local_preference}" if t.local_preference is not None
                         else f" no set local-preference {values.local_preference}"]
            else:
                cmds += [head, f" set as-path prepend {pre}"]
                undo += [head, f" set as-path prepend {' '.join(map(str, t.prepend))}" if t.prepend
                         else " no set as-path prepend"]
    text = "\n".join(cmds) + "\n" if cmds else ""
    return Change([Load("merge", text)] if text else [], text, "\n".join(undo) + "\n" if undo else "", warnings)


def _apply_route_map(ra, e: Neighbor, target: str, name: str, direction: str) -> tuple[list[str], str]:
    """The context lines and the command that apply route map ``name`` to neighbor (or group) ``target``."""
    rc = ra.running
    fam = "ipv6" if e.family == 6 else "ipv4"
    head = rc.bgp_path[0] if rc.bgp_path else f"router bgp {ra.intent.bgp_asn}"
    if ra.platform == "nx-os":
        ctx = [head] + ([f"  vrf {e.vrf}"] if e.vrf else []) + [f"  neighbor {e.name}", f"    address-family {fam} unicast"]
        return ctx, f"      route-map {name} {direction}"
    if ra.platform == "eos":
        ctx = [head] + ([f"   vrf {e.vrf}"] if e.vrf else []) + [f"   address-family {fam}"]
        return ctx, f"      neighbor {target} route-map {name} {direction}"
    af = f" address-family {fam}" + (f" vrf {e.vrf}" if e.vrf else "") + (" unicast" if ra.platform == "frr" else "")
    return [head, af], f"  neighbor {target} route-map {name} {direction}"


def _drain_frr(ra, edits, values, local_as, tag, warnings) -> Change:
    """FRR: the commands as for IOS, applied to the running config; the router gets the whole result."""
    ios = _drain_ios(ra, edits, values, local_as, tag, warnings)
    running = _running_text(ra)
    desired = apply_ios_commands(running, ios.display)
    return Change([Load("replace", desired)] if ios.display else [], _diff(running, desired, ra.router),
                  "ergen rollback (the config saved before this step)", warnings)


def _drain_junos(ra, edits, values, local_as, tag, warnings) -> Change:
    rc = ra.running
    cmds, undo = [], []
    for direction, pol, e, fam in edits:
        pre = " ".join([str(local_as[e.address])] * values.prepend)
        what = (f"local-preference {values.local_preference}" if direction == "in"
                else f'as-path-prepend "{pre}"')
        where = _junos_bgp_path(e)
        if pol is None:
            name = _drain_name(tag, direction)
            cmds.append(f"set policy-options policy-statement {name} then {what}")
            undo.append(f"delete policy-options policy-statement {name}")
            cmds.append(f"set {where} {'import' if direction == 'in' else 'export'} {name}")
            undo.insert(0, f"delete {where} {'import' if direction == 'in' else 'export'} {name}")
            continue
        for t in pol.terms:
            if t.action != "permit":
                continue
            base = f"policy-options policy-statement {pol.name}" + (f" term {t.name}" if t.name else "")
            cmds.append(f"set {base} then {what}")
            if direction == "in":
                undo.append(f"set {base} then local-preference {t.local_preference}" if t.local_preference is not None
                            else f"delete {base} then local-preference")
            else:
                undo.append(f'set {base} then as-path-prepend "{" ".join(map(str, t.prepend))}"' if t.prepend
                            else f"delete {base} then as-path-prepend")
    text = "\n".join(cmds) + "\n" if cmds else ""
    return Change([Load("merge", text, "set")] if text else [], text, "\n".join(undo) + "\n" if undo else "",
                  warnings)


def _junos_bgp_path(e: Neighbor) -> str:
    p = e.paths[0] if e.paths else ()
    return " ".join(p) if p else f"protocols bgp neighbor {e.name}"


def _drain_xr(ra, edits, values, local_as, tag, warnings) -> Change:
    """IOS-XR: a route policy is replaced whole: the same statements, the drain's set before each
    ``done`` and at the end (a passed route reaches the end)."""
    rc = ra.running
    cmds, undo = [], []
    done: set[str] = set()
    for direction, pol, e, fam in edits:
        pre = f"prepend as-path {local_as[e.address]} {values.prepend}"
        lp = f"set local-preference {values.local_preference}"
        stmt = lp if direction == "in" else pre
        if pol is None:
            name = _drain_name(tag, direction)
            if name not in done:
                done.add(name)
                cmds += [f"route-policy {name}", f"  {stmt}", "  pass", "end-policy"]
                undo += [f"no route-policy {name}"]
            head = rc.bgp_path[0] if rc.bgp_path else f"router bgp {ra.intent.bgp_asn}"
            ctx = [head] + ([f" vrf {e.vrf}"] if e.vrf else []) + [f" neighbor {e.name}",
                                                                  f"  address-family ipv{e.family} unicast"]
            cmds += ctx + [f"   route-policy {name} {direction}"]
            continue
        if pol.name in done:
            continue
        done.add(pol.name)
        body = [l for l in _running_lines(rc, pol) if l != (f"route-policy {pol.name}",)]
        lines = [" / ".join(l[1:]) for l in body]
        new = []
        for l in lines:
            if l.strip() == "done":
                new.append("  " + stmt)
            new.append("  " + l)
        new.append("  " + stmt)
        cmds += [f"route-policy {pol.name}", *new, "end-policy"]
        undo += [f"route-policy {pol.name}", *("  " + l for l in lines), "end-policy"]
    text = "\n".join(cmds) + "\n" if cmds else ""
    return Change([Load("merge", text)] if text else [], text, "\n".join(undo) + "\n" if undo else "", warnings)


def _running_lines(rc: RunningConfig, obj: ConfigObject) -> list[Line]:
    return [l for l in rc.lines if owned_by(l, obj.paths)]


# ----------------------------------------------------------------------------- replace
def replace(ra: RouterAdoption, candidate: str) -> Change:
    """Remove exactly the adopted objects, then ergen's config."""
    from ergen.adopt.parsers import parse_running

    cand = parse_running(ra.platform, candidate, "ergen")
    if ra.platform == "frr":
        return _replace_frr(ra, candidate)
    if family(ra.platform) == "junos":
        cmds = _junos_deletes(ra)
        removed = [l for l in ra.running.lines if owned_by(l, [_junos_delete_path(o) for o in ra.adopted])]
        text = "\n".join(cmds) + "\n"
        return Change([Load("merge", text, "set"), Load("merge", candidate)],
                      text + "\n# then load merge:\n" + candidate, _rollback_text(ra), removed=removed)
    cmds = _ios_removals(ra, cand)
    text = "\n".join(cmds) + "\n" if cmds else ""
    return Change([Load("merge", text + candidate)], text + candidate, _rollback_text(ra), commands=cmds)


def _rollback_text(ra: RouterAdoption) -> str:
    return ("ergen rollback: NAPALM puts back the config saved before this step. By hand: remove ergen's "
            f"objects ({ra.intent.circuits[0].owned_prefix}*) and the sessions, then re-enter the adopted lines "
            "listed in the report.")


def _ios_removals(ra: RouterAdoption, cand: RunningConfig) -> list[str]:
    """``no`` commands, object by object, in an order the router accepts (sessions before what they use)."""
    rc, p = ra.running, ra.platform
    order = {"neighbor": 0, "peer-group": 1, "policy": 2, "prefix-list": 3, "community-list": 4, "static": 5,
             "bfd-template": 7, "interface": 6}
    rendered: dict[Line, set[str]] = {}
    for l in cand.lines:
        rendered.setdefault(l[:-1], set()).add(" ".join(l[-1].lower().split()))
    out: list[str] = []
    contexts: dict[Line, list[str]] = {}
    top: list[str] = []
    for o in sorted(ra.adopted, key=lambda o: order.get(o.kind, 9)):
        if isinstance(o, Neighbor):
            path = min(o.paths, key=len)
            contexts.setdefault(path[:-1], []).append(f"no neighbor {o.name}")
        elif isinstance(o, PeerGroup):
            path = min(o.paths, key=len)
            cmd = {"ios-xe": f"no neighbor {o.name} peer-group", "eos": f"no neighbor {o.name} peer group",
                   "nx-os": f"no template peer {o.name}", "ios-xr": "no " + path[-1]}[p]
            contexts.setdefault(path[:-1], []).append(cmd)
        elif o.kind == "policy":
            top.append(f"no route-policy {o.name}" if p == "ios-xr" else f"no route-map {o.name}")
        elif o.kind in ("prefix-list", "prefix-set"):
            if p == "ios-xr":
                top.append(f"no prefix-set {o.name}")
            else:
                fam = o.paths[0][0].split()[0]
                top.append(f"no {fam} prefix-list {o.name}")
        elif o.kind in ("community-list", "community-set"):
            if p == "ios-xr":
                top.append(f"no community-set {o.name}")
            else:
                w = o.paths[0][0].split()
                kind = w[2] if len(w) > 2 and w[2] in ("standard", "expanded") else None
                top.append(f"no ip community-list {kind + ' ' if kind and p != 'eos' else ''}{o.name}")
        elif isinstance(o, StaticRoute):
            for path in o.paths:
                if " ".join(path[-1].lower().split()) in rendered.get(path[:-1], set()):
                    continue                     # ergen renders this very route: nothing to remove
                if len(path) == 1:
                    top.append("no " + path[0])
                else:
                    contexts.setdefault(path[:-1], []).append("no " + path[-1])
        elif isinstance(o, Interface):
            new = cand.interfaces.get(o.name)
            whole = o.paths == [(f"interface {o.name}",)]
            if whole and (new is None or (new.c_tag, new.s_tag) != (o.c_tag, o.s_tag)):
                top.append(f"no interface {o.name}")
                continue
            keep = {" ".join(l[-1].lower().split()) for l in cand.lines if l[:1] == (f"interface {o.name}",)}
            mine = _running_lines(rc, o)
            for l in rc.lines:
                if len(l) == 2 and l in mine and l[0] == f"interface {o.name}" and \
                        " ".join(l[1].lower().split()) not in keep:
                    w = l[1].split()
                    cmd = "no description" if w[0] == "description" else f"no {l[1]}"
                    if w[0] == "no":
                        cmd = l[1].split(None, 1)[1]
                    contexts.setdefault(l[:1], []).append(cmd)
        elif o.kind == "bfd-template":
            path = min(o.paths, key=len)
            contexts.setdefault(path[:-1], []).append("no " + path[-1]) if len(path) > 1 else top.append("no " + path[0])
    ind = 3 if p == "eos" else 2 if p == "nx-os" else 1
    for ctx, cmds in contexts.items():
        if not ctx:
            out += cmds
            continue
        for d, c in enumerate(ctx):
            out.append(" " * (d * ind) + c)
        out += [" " * (len(ctx) * ind) + c for c in cmds]
        if p == "ios-xr":
            out.append("!")
    out += top
    return out


def _junos_delete_path(o: ConfigObject) -> Line:
    return min(o.paths, key=len)


def _junos_deletes(ra: RouterAdoption) -> list[str]:
    order = {"neighbor": 0, "peer-group": 1, "policy": 2, "prefix-list": 3, "community-list": 4, "static": 5,
             "interface": 6}
    paths: list[Line] = []
    for o in sorted(ra.adopted, key=lambda o: order.get(o.kind, 9)):
        p = _junos_delete_path(o)
        if any(p[:len(q)] == q for q in paths):
            continue        # inside a group already deleted
        paths.append(p)
    # a group deleted whole makes its neighbors' deletes redundant
    return [f"delete {' '.join(p)}" for p in paths if not any(p != q and p[:len(q)] == q for q in paths)]


def _replace_frr(ra: RouterAdoption, candidate: str) -> Change:
    from ergen.change.scope import frr_desired

    running = _running_text(ra)
    adopted = nodes_text([l for l in ra.running.lines if owned_by(l, [p for o in ra.adopted for p in o.paths])])
    desired = frr_desired(running, adopted, candidate)
    return Change([Load("replace", desired)], _diff(running, desired, ra.router), _rollback_text(ra))


# ----------------------------------------------------------------------------- text helpers
def _running_text(ra: RouterAdoption) -> str:
    """The running config as text: the router's own when known, else rebuilt from the parsed nodes."""
    return getattr(ra, "running_text", None) or nodes_text(ra.running.lines)


def nodes_text(lines: list[Line], indent: int = 1) -> str:
    """Config text of IOS-style nodes (paths), blocks closed as FRR writes them."""
    out: list[str] = []
    prev: Line = ()
    for l in lines:
        common = 0
        while common < min(len(prev), len(l) - 1) and prev[common] == l[common]:
            common += 1
        for d in range(len(prev) - 1, common - 1, -1):
            if d < len(prev) - 1 or False:
                pass
        # close the blocks we leave
        depth_prev = len(prev) - 1
        for d in range(depth_prev - 1, common - 1, -1):
            out.append(" " * (d * indent) + ("exit-address-family" if prev[d].startswith("address-family")
                                              else "exit"))
        for d in range(common, len(l) - 1):
            out.append(" " * (d * indent) + l[d])
        out.append(" " * ((len(l) - 1) * indent) + l[-1])
        prev = l
    for d in range(len(prev) - 2, -1, -1):
        out.append(" " * (d * indent) + ("exit-address-family" if prev[d].startswith("address-family") else "exit"))
    return "\n".join(out) + "\n"


def _diff(a: str, b: str, router: str) -> str:
    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), f"{router} running", f"{router} after",
                                          lineterm="", n=1)) + "\n"


def apply_ios_commands(running: str, commands: str) -> str:
    """The IOS-style config after ``commands`` (route-map ``set`` lines replace a set of the same kind;
    ``no`` lines remove): used for FRR, whose driver takes the whole config."""
    from ergen.roundtrip.tree import Node, parse_tree

    run = parse_tree(running)
    cmd = parse_tree(commands)

    def kind(n: Node) -> tuple[str, ...]:
        w = n.words
        if w[:2] == ["set", "as-path"]:
            return tuple(w[:3])
        if w[:1] == ["set"]:
            return tuple(w[:2])
        return tuple(w)

    def apply(base: Node, add: Node) -> None:
        for c in add.children:
            if c.words[:1] == ["no"]:
                target = c.words[1:]
                base.children = [x for x in base.children if x.words[:len(target)] != target]
                continue
            same = next((x for x in base.children if x.text == c.text), None)
            if same is not None and c.children:
                apply(same, c)
                continue
            if same is not None:
                continue
            k = kind(c)
            repl = next((i for i, x in enumerate(base.children) if kind(x) == k and c.words[:1] == ["set"]), None)
            if repl is not None:
                base.children[repl] = c
            else:
                base.children.append(c)

    apply(run, cmd)
    lines: list[Line] = []

    def walk(n: Node, p: Line) -> None:
        for c in n.children:
            lines.append(p + (c.text,))
            walk(c, p + (c.text,))

    walk(run, ())
    return nodes_text(lines)


# ----------------------------------------------------------------------------- what the removal removes
def simulate_removal(platform: str, running: RunningConfig, commands: list[str]) -> set[Line]:
    """The running-config nodes the removal commands take away, by each platform's documented meaning:
    ``no neighbor X`` removes every line of X in the BGP process (any address family), ``no route-map R``
    every entry of R, ``no ip prefix-list L`` every line of L, ``no interface I`` the block, ``no <line>``
    inside a block that line; Junos ``delete <path>`` the statement and everything under it."""
    gone: set[Line] = set()
    lines = running.lines
    if family(platform) == "junos":
        for c in commands:
            w = tuple(c.split()[1:]) if c.startswith("delete ") else None
            if w:
                gone |= {l for l in lines if l[:len(w)] == w}
        return gone
    ctx: list[str] = []
    step = 3 if platform == "eos" else 2 if platform == "nx-os" else 1
    for raw in commands:
        if not raw.strip() or raw.strip() == "!":
            continue
        depth = (len(raw) - len(raw.lstrip(" "))) // step
        text = raw.strip()
        ctx = ctx[:depth]
        if not text.startswith("no "):
            ctx.append(text)
            continue
        target = text[3:].split()
        if platform in ("ios-xe", "eos") and len(target) >= 3 and target[0] == "neighbor" and \
                target[2:] in (["peer-group"], ["peer", "group"]):
            target = target[:2]                              # the whole group
        scope = tuple(ctx)
        for l in lines:
            if l[:len(scope)] != scope or len(l) <= len(scope):
                continue
            sub = l[len(scope):]
            w = sub[0].split()
            if target[0] == "neighbor" and len(scope) >= 1:
                hit = any(x.split()[:2] == target[:2] for x in sub) if target[0:1] == ["neighbor"] else False
                if hit and (len(target) == 2 or sub[0].split()[:len(target)] == target):
                    gone.add(l)
                continue
            if target == ["description"] and w[:1] == ["description"]:
                gone.add(l)
            elif w[:len(target)] == target:
                gone.add(l)
                gone |= {x for x in lines if x[:len(l)] == l}
    return gone


# ----------------------------------------------------------------------------- the plan
@dataclass
class Migration:
    order: list[str]                         # links, in the order they are migrated
    drain: Drain
    steps: list[Step]
    changes: dict[tuple[str, str], Change]   # (router, drain|replace) -> what is sent
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"order": self.order, "drain": {"local_preference": self.drain.local_preference,
                                               "prepend": self.drain.prepend},
                "steps": [s.as_dict() for s in self.steps], "warnings": self.warnings}


def link_order(adoptions: list[RouterAdoption]) -> list[str]:
    """Standby link first; active-active (no standby): the secondary first."""
    standby = {n.link for ra in adoptions for n in ra.intent.neighbors if n.standby}
    links = sorted({l for ra in adoptions for l in ra.links}, key=lambda l: (l not in standby, l != "secondary"))
    return links


def removal_lines(change: Change) -> list[str]:
    return [l for l in change.display.splitlines()]


def plan_migration(adoptions: list[RouterAdoption], candidates: dict[str, str], *, tag_of,
                   drained: dict[str, str] | None = None, values: Drain | None = None) -> Migration:
    """Every step, in order. ``candidates``: each router's rendered config; ``drained``: the same with the
    router's link drained (what the replace step puts in, so that the new sessions come up carrying no
    traffic; the undrain step then changes only policies). Keys in clear: what is sent.

    Refuses (InputError) what it cannot do: a router whose BGP ASN differs."""
    for ra in adoptions:
        blockers = [f for f in ra.findings if f.blocker]
        if blockers:
            raise InputError(f"{ra.router}: {blockers[0].text}; the migration cannot change the BGP process's ASN",
                             field="--plan")
    values = values or drain_values(adoptions)
    drained = drained or candidates
    order = link_order(adoptions)
    steps: list[Step] = []
    changes: dict[tuple[str, str], Change] = {}
    warnings: list[str] = []
    for ra in adoptions:
        if len(ra.links) > 1:
            warnings.append(f"{ra.router} carries both links: it is migrated in one step, not hitless")
    done: set[str] = set()
    for link in order:
        routers = [ra for ra in adoptions if link in ra.links and ra.router not in done]
        other = [l for l in order if l != link]
        for ra in routers:
            tag = tag_of(ra)
            d = drain(ra, values, tag=tag)
            r = replace(ra, drained[ra.router])
            check_removal(ra, r)
            u = _diff(drained[ra.router], candidates[ra.router], ra.router).replace(
                f"{ra.router} running", f"{ra.router} drained").replace(f"{ra.router} after", f"{ra.router} undrained")
            changes[(ra.router, "drain")] = d
            changes[(ra.router, "replace")] = r
            n = len(steps)
            mk = lambda k, kind, title, display="", rollback="", check="", w=(): steps.append(  # noqa: E731
                Step(n + k, link, ra.router, ra.platform, kind, title, display, rollback, check, list(w)))
            mk(1, "drain", f"drain the {link} link on {ra.router} (its own policies): local preference "
                           f"{values.local_preference} inbound, AS path +{values.prepend} outbound; the sessions "
                           "stay up", d.display, d.rollback,
               f"the {', '.join(other) or 'other'} link's sessions Established and receiving prefixes before; this "
               "router's sessions still Established after", d.warnings)
            mk(2, "replace", f"replace the hand-built objects on {ra.router} with ergen's config, drained "
                             f"({len(ra.adopted)} objects out; the {link} link's sessions restart on ergen's "
                             "config while the other link carries the traffic)", r.display, r.rollback,
               "commit-confirm: kept only when every session toward Microsoft is Established")
            mk(3, "verify", f"verify the {link} link on {ra.router}: every session Established and receiving "
                            "prefixes", check="BGP state and received prefixes per session (NAPALM get_bgp_neighbors)")
            mk(4, "undrain", f"undrain: ergen's config as rendered (only route-map/policy values change; the "
                             "sessions stay up)", u, "ergen rollback (back to the drained config)",
               "commit-confirm: kept only when every session toward Microsoft is Established")
            mk(5, "verify", f"verify the {link} link on {ra.router} again, before the next link",
               check="BGP state and received prefixes per session")
            done.add(ra.router)
            warnings += d.warnings
    return Migration(order, values, steps, changes, warnings)


def check_removal(ra: RouterAdoption, change: Change) -> None:
    """Every node the change takes away from the running config belongs to an adopted object: a guard
    against a bug here ever removing a line ergen does not own."""
    owned = set(ra.adopted_lines())
    if ra.platform == "frr":
        from ergen.adopt.parsers import parse_running
        after = parse_running("frr", change.loads[0].text, "desired").lines
        gone = set(ra.running.lines) - set(after)
    elif family(ra.platform) == "junos":
        gone = set(change.removed)
    else:
        gone = simulate_removal(ra.platform, ra.running, change.commands)
    change.removed = sorted(gone)
    stray = sorted(gone - owned)
    if stray:
        raise InputError(f"{ra.router}: the migration would remove {' / '.join(stray[0])}, which ergen did not "
                         "adopt; refusing (a bug in ergen: please report it)", field="--plan")


# ----------------------------------------------------------------------------- what ergen push --adopt sends
def adoption_loads(target, running: str, action: str) -> tuple[list[Load], str]:
    """For ``ergen push --adopt``: the loads of one step on one router, computed from the router's running
    config as it is now (not as it was when the plan was written), and the adopted objects' text (kept in
    the state folder, so later scoped pushes treat them as ergen's).

    Refuses when the router no longer holds what the plan adopted, or holds more (besides the drain's own
    route maps): the plan was made from another config."""
    from ergen.adopt.compare import RouterAdoption, compare, find
    from ergen.adopt.parsers import parse_running

    entry = target.adopt
    rc = parse_running(target.platform, running, f"router {target.router}")
    adopted, kept, serves = find(rc, target.intent)
    findings, views = compare(rc, target.intent, serves)
    ra = RouterAdoption(target.router, target.platform, f"router {target.router}", target.intent, rc, adopted, kept,
                        findings, views)
    ra.running_text = running
    now = {(o.kind, o.name) for o in adopted}
    planned = {tuple(x) for x in entry["plan"]["adopted"]}
    drain_prefix = f"ER-{entry['tag']}-DRAIN-"
    missing = sorted(planned - now)
    extra = sorted(x for x in now - planned if not x[1].startswith(drain_prefix))
    if missing or extra:
        what = f"no longer has {missing[0][0]} {missing[0][1]}" if missing else f"now also has {extra[0][0]} {extra[0][1]}"
        raise InputError(f"{target.router}: the running config {what}: the plan was made from another config; run "
                         "ergen adopt --plan again", field="--adopt")
    if action == "adopt-drain":
        d = entry["drain"]
        change = drain(ra, Drain(d["local_preference"], d["prepend"]), tag=entry["tag"])
    else:
        change = replace(ra, target.config)
        check_removal(ra, change)
    return change.loads, sorted([o.kind, o.name] for o in ra.adopted)


def owned_text(target, running: str, recorded: str) -> str:
    """The lines of the router's running config that belong, by name, to objects adopted earlier
    (``<router>.adopted.json``): whole route maps, lists and sessions of those names, and the subinterface
    lines ergen renders. A scoped push subtracts them like what ergen pushed itself, so a remnant or a
    re-added copy of a hand-built object goes; nothing else does."""
    import json

    from ergen.adopt.compare import _interface_paths
    from ergen.adopt.parsers import parse_running
    from ergen.adopt.running import Interface, owner_set

    try:
        names = {(str(k), str(n)) for k, n in json.loads(recorded)}
    except (ValueError, TypeError):
        raise InputError("the record of adopted objects is not what ergen writes (hand-edited?)",
                         file=f"{target.router}.adopted.json", field="(document)") from None
    rc = parse_running(target.platform, running, f"router {target.router}")
    objs = [*rc.interfaces.values(), *rc.neighbors.values(), *rc.groups.values(), *rc.policies.values(),
            *rc.prefix_lists.values(), *rc.community_lists.values(), *rc.statics, *rc.bfd_templates.values()]
    paths = []
    for o in objs:
        if (o.kind, o.name) not in names:
            continue
        paths += _interface_paths(rc, o)[0] if isinstance(o, Interface) else o.paths
    own = owner_set(paths)
    # a line the router shows as part of one ergen renders (FRR prints "neighbor X bfd" beside
    # "neighbor X bfd profile P") is ergen's rendering, not a remnant: removing it would undo the other
    cand = parse_running(target.platform, target.config, "ergen")
    shown: dict = {}
    for l in cand.lines:
        shown.setdefault(l[:-1], []).append(" ".join(l[-1].lower().split()))

    def part_of_ergens(l) -> bool:
        t = " ".join(l[-1].lower().split())
        return any(c == t or c.startswith(t + " ") for c in shown.get(l[:-1], ()))

    lines = [l for l in rc.lines if owned_by(l, own) and not part_of_ergens(l)]
    if family(target.platform) == "junos":
        return "\n".join("set " + " ".join(l) for l in lines) + "\n"
    return nodes_text(lines)
