"""Drain state: the links whose traffic is moved off, held in the inventory folder (``drains.yaml``).

``ergen drain`` writes an entry, ``ergen undrain`` removes it; every render and push of that inventory
renders the drained links drained (the intent decides it: ``ergen.intent.build``), so a later change does
not put traffic back by accident. The file is plain YAML a reviewer can read::

    # ergen drain state ...
    er-ams-prod:
      primary:
        mode: prepend              # prepend: policies only; shutdown: also the BGP sessions down
        peerings: [private, microsoft]
        local_preference: 50       # inbound, below anything the other link uses
        prepend: 5                 # outbound, the router's ASN this many times
        since: "2026-12-04T15:00:00Z"
        reason: provider maintenance CHG-1234

A corrupt or hand-edited file is a one-line error naming the file and the key.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ergen.errors import InputError, OutputError

DRAINS = "drains.yaml"
MODES = ("prepend", "shutdown")
PEERINGS = ("private", "microsoft")


@dataclass(frozen=True)
class DrainEntry:
    circuit: str
    link: str                                   # primary | secondary
    mode: str = "prepend"
    peerings: tuple[str, ...] = PEERINGS        # the peerings of that link that are drained
    local_preference: int = 50
    prepend: int = 5
    since: str = ""
    reason: str = ""

    def as_yaml(self) -> dict:
        d = {"mode": self.mode, "peerings": list(self.peerings), "local_preference": self.local_preference,
             "prepend": self.prepend, "since": self.since}
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass
class DrainState:
    path: Path
    entries: list[DrainEntry] = field(default_factory=list)

    def get(self, circuit: str, link: str) -> DrainEntry | None:
        return next((e for e in self.entries if e.circuit == circuit and e.link == link), None)

    def intent_drains(self) -> dict:
        """{(circuit, link, peering): intent.model.Drain} for ``ergen.plan(drains=...)``."""
        from ergen.intent.model import Drain
        out = {}
        for e in self.entries:
            for p in e.peerings:
                out[(e.circuit, e.link, p)] = Drain(e.local_preference, e.prepend, shutdown=e.mode == "shutdown")
        return out


def _fail(file: Path, where: str, why: str) -> InputError:
    return InputError(f"{why} (drain state written by ergen drain; fix or remove the entry, or run ergen undrain)",
                      file=str(file), field=where)


def load(inventory: str | Path) -> DrainState:
    """The drain state of an inventory folder (none: no file)."""
    from ergen.inventory import read_yaml

    path = Path(inventory) / DRAINS
    state = DrainState(path)
    if not path.exists():
        return state
    data = read_yaml(path, required=False)
    if not isinstance(data, dict):
        raise _fail(path, "(document)", "expected a mapping of circuits to links")
    for circuit, links in data.items():
        if not isinstance(circuit, str) or not circuit:
            raise _fail(path, repr(circuit)[:40], "a circuit name is text")
        if not isinstance(links, dict) or not links:
            raise _fail(path, circuit, "expected primary: and/or secondary: under the circuit")
        for link, e in links.items():
            where = f"{circuit}.{link}"
            if link not in ("primary", "secondary"):
                raise _fail(path, where, f"{str(link)[:20]!r} is not a link (primary or secondary)")
            if not isinstance(e, dict):
                raise _fail(path, where, "expected mode, peerings, local_preference, prepend, since")
            unknown = set(e) - {"mode", "peerings", "local_preference", "prepend", "since", "reason"}
            if unknown:
                raise _fail(path, f"{where}.{sorted(map(str, unknown))[0]}", "not a drain setting")
            mode = e.get("mode", "prepend")
            if mode not in MODES:
                raise _fail(path, f"{where}.mode", f"{str(mode)[:20]!r} is not prepend or shutdown")
            peerings = e.get("peerings", list(PEERINGS))
            if not isinstance(peerings, list) or not peerings or any(p not in PEERINGS for p in peerings):
                raise _fail(path, f"{where}.peerings", "a list of private and/or microsoft")
            lp = e.get("local_preference", 50)
            pre = e.get("prepend", 5)
            if not isinstance(lp, int) or isinstance(lp, bool) or not 0 <= lp <= 4294967295:
                raise _fail(path, f"{where}.local_preference", "a number 0-4294967295")
            if not isinstance(pre, int) or isinstance(pre, bool) or not 1 <= pre <= 20:
                raise _fail(path, f"{where}.prepend", "a number of prepends, 1-20")
            since, reason = e.get("since", ""), e.get("reason", "")
            if not isinstance(since, str) or not isinstance(reason, str) or not reason.isprintable():
                raise _fail(path, f"{where}.since", "since and reason are one line of text")
            state.entries.append(DrainEntry(circuit, link, mode, tuple(dict.fromkeys(peerings)), lp, pre, since,
                                            reason))
    return state


def save(state: DrainState) -> Path:
    """Write the state (all or nothing: a temporary file renamed over the old one); no entries: no file."""
    import yaml

    path = state.path
    if not state.entries:
        if path.exists():
            path.unlink()
        return path
    data: dict = {}
    for e in sorted(state.entries, key=lambda e: (e.circuit, e.link)):
        data.setdefault(e.circuit, {})[e.link] = e.as_yaml()
    text = ("# ergen drain state: links whose traffic is moved off. Written by ergen drain, removed by ergen\n"
            "# undrain; every render and push of this inventory keeps these links drained until then.\n"
            + yaml.safe_dump(data, sort_keys=False, default_flow_style=None))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".drains-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write the drain state: {exc.strerror or exc}", file=str(path),
                          field=DRAINS) from None
    return path


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# ----------------------------------------------------------------------------- drain and undrain
def values_for(policy) -> tuple[int, int]:
    """(local preference, prepends) of a drain: below any local preference either link uses, more
    prepends than the standby link's."""
    lp = max(0, min(policy.local_preference_standby, policy.local_preference_active, 100) // 2)
    return lp, policy.prepend + 2


def values_from_intents(circuits, inventory, policy) -> tuple[int, int]:
    """(local preference, prepends) of a drain, from what the routers render undrained: below every local
    preference any link uses (a site of several circuits goes down to 150), more prepends than any link's."""
    import ergen

    intents = ergen.plan(circuits, inventory, drains={}).intents
    maps = {(it.name, rm.name): rm for it in intents for rm in it.route_maps}
    ins = [maps[(it.name, n.route_map_in)].entries[0] for it in intents for n in it.neighbors
           if (it.name, n.route_map_in) in maps]
    outs = [maps[(it.name, n.route_map_out)].entries[0] for it in intents for n in it.neighbors
            if (it.name, n.route_map_out) in maps]
    # a session whose policy sets none has BGP's default, 100
    lp = min([e.set_local_preference if e.set_local_preference is not None else 100 for e in ins] or [100])
    pre = max([len(e.set_as_path_prepend) for e in outs] + [policy.prepend])
    return max(0, lp // 2), min(20, pre + 2)


def plan_drain(circuits, inventory, state: DrainState, *, circuit: str, link: str, peerings=None,
               mode: str = "prepend", force: bool = False, reason: str = "") -> tuple[DrainState, list[str]]:
    """The drain state after draining ``link`` of ``circuit`` (``peerings``: some of its peerings; default
    all). Refuses (InputError) to drain the last working link of a peering unless ``force``: the other link
    drained already, or landing on no router of the inventory. Returns (new state, warnings)."""
    from ergen.model.circuit import PeeringKind

    if link not in ("primary", "secondary"):
        raise InputError("a link is primary or secondary", field="--link")
    if mode not in MODES:
        raise InputError("the mode is prepend or shutdown", field="--mode")
    c = next((x for x in circuits if x.name.lower() == circuit.lower()), None)
    if c is None:
        raise InputError(f"circuit {circuit!r:.60} is not among the circuit files", field="CIRCUIT")
    have = [p.short for p in c.peerings if p.short in PEERINGS]
    peerings = list(peerings or have)
    for p in peerings:
        if p not in have:
            raise InputError(f"{c.name} has no {p} peering", field="--peering")
    other = "secondary" if link == "primary" else "primary"
    landed = {(a.circuit.lower(), a.link) for r in inventory.routers.values() for a in r.data.expressroute}
    warnings: list[str] = []
    why = None
    if (c.name.lower(), other) not in landed:
        why = f"the {other} link of {c.name} lands on no router of the inventory"
    else:
        o = state.get(c.name, other)
        if o is not None and set(o.peerings) & set(peerings):
            why = (f"the {other} link of {c.name} is drained already ({o.mode}, since {o.since or 'unknown'}): "
                   f"draining the {link} link too leaves the {', '.join(sorted(set(o.peerings) & set(peerings)))} "
                   "peering no link to carry traffic")
    if why:
        if not force:
            raise InputError(f"refusing to drain the last working link: {why} (--force drains it anyway)",
                             field="--link")
        warnings.append(f"draining the last working link (--force): {why}")
    lp, pre = values_from_intents(circuits, inventory, inventory.policy(c.name))
    if mode == "prepend":
        for p in c.peerings:
            if p.kind is PeeringKind.microsoft and p.short in peerings and _private_asn(p.peer_asn):
                warnings.append(f"{c.name} Microsoft peering uses private ASN {p.peer_asn}: Microsoft strips private "
                                "ASNs, so the prepend does not lengthen the path Azure sees there; only the local "
                                "preference moves traffic (--mode shutdown moves Azure's too)")
    entries = [e for e in state.entries if not (e.circuit == c.name and e.link == link)]
    entries.append(DrainEntry(c.name, link, mode, tuple(p for p in PEERINGS if p in peerings), lp, pre, now(),
                              reason))
    return DrainState(state.path, entries), warnings


def plan_undrain(circuits, state: DrainState, *, circuit: str, link: str) -> DrainState:
    c = next((x for x in circuits if x.name.lower() == circuit.lower()), None)
    name = c.name if c else circuit
    if state.get(name, link) is None:
        raise InputError(f"the {link} link of {name} is not drained (nothing in {state.path.name})", field="--link")
    return DrainState(state.path, [e for e in state.entries if not (e.circuit == name and e.link == link)])


def _private_asn(asn: int | None) -> bool:
    return asn is not None and (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294)


# ----------------------------------------------------------------------------- did traffic move?
@dataclass
class Check:
    router: str
    what: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"router": self.router, "check": self.what, "ok": self.ok, "detail": self.detail}


def verify(intents, state: DrainState, running: dict[str, str], bgp: dict[str, dict]) -> list[Check]:
    """Per router, from its running config (``running``) and BGP (``bgp``: NAPALM get_bgp_neighbors):

    * a drained link's sessions advertise with the drain's prepends and take the drain's local preference
      (read from the router's own running config, evaluated as the router would), or, with shutdown, are
      shut down in the config and not Established;
    * every other session toward Microsoft is Established and receives prefixes (the other link carries the
      traffic)."""
    from ergen.adopt.compare import _find_neighbor
    from ergen.adopt.parsers import parse_running

    out: list[Check] = []
    drained = {(e.circuit, e.link, p): e for e in state.entries for p in e.peerings}
    for it in intents:
        text = running.get(it.name)
        rc = parse_running(it.platform, text, f"router {it.name}") if text is not None else None
        peers = {}
        for vrf_data in (bgp.get(it.name) or {}).values():
            peers.update(vrf_data.get("peers", {}))
        for n in it.neighbors:
            label = f"{n.link} {n.peering} IPv{n.family} {n.address}"
            e = drained.get((n.circuit, n.link, n.peering))
            peer = next((v for k, v in peers.items() if _same(k, n.address)), None)
            if e is None:
                if peer is None:
                    out.append(Check(it.name, f"{label} carries traffic", False, "not in the router's BGP table"))
                    continue
                fam = "ipv6" if n.family == 6 else "ipv4"
                got = (peer.get("address_family") or {}).get(fam, {})
                n_pfx = int(got.get("accepted_prefixes", got.get("received_prefixes", 0)) or 0)
                ok = bool(peer.get("is_up")) and n_pfx > 0
                out.append(Check(it.name, f"{label} carries traffic", ok,
                                 f"{'Established' if peer.get('is_up') else 'not Established'}, {n_pfx} prefixes"))
                continue
            ex = _find_neighbor(rc, n) if rc else None
            if ex is None:
                out.append(Check(it.name, f"{label} drained", False, "the neighbor is not in the running config"))
                continue
            s = rc.effective(ex)
            if e.mode == "shutdown":
                down = peer is None or not peer.get("is_up")
                out.append(Check(it.name, f"{label} shut down", bool(s.shutdown) and down,
                                 f"config {'shutdown' if s.shutdown else 'not shut down'}, BGP "
                                 f"{'not Established' if down else 'Established'}"))
                continue
            pl = next(p for p in it.prefix_lists if p.name == f"{n.route_map_out}-PFX")
            sample = next((x.prefix.cidr for x in pl.entries if x.action == "permit"), None)
            v_out = rc.evaluate(s.policy_out, sample, direction="out") if sample else None
            # a route Microsoft's edge would send on this session, which ergen's policy accepts
            from ergen.adopt.compare import _inbound_probes
            rm_in = next(m for m in it.route_maps if m.name == n.route_map_in).entries[0]
            comm = next((c.communities for c in it.community_lists if c.name == rm_in.match_community_list), ())
            probe, tags, _ = _inbound_probes(n, n.peering, tuple(comm))[1]
            v_in = rc.evaluate(s.policy_in, probe, list(tags), direction="in")
            pre = len(v_out.prepend) if v_out and v_out.accepted else None
            lp = v_in.local_preference if v_in.accepted else None
            ok = pre == e.prepend and lp == e.local_preference and bool(peer and peer.get("is_up"))
            out.append(Check(it.name, f"{label} drained", ok,
                             f"sends {sample} with {pre if pre is not None else 'no'} prepends (drain: {e.prepend}), "
                             f"takes routes at local preference {lp} (drain: {e.local_preference}), session "
                             f"{'Established' if peer and peer.get('is_up') else 'not Established'}"))
    return out


def _same(a: str, b: str) -> bool:
    from ergen.adopt.running import normal_address
    return normal_address(a) == normal_address(b)
