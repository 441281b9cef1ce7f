"""Scoped changes: ergen changes only what it generated.

``desired = running - last_pushed + candidate``: the router's running config, without the lines
ergen pushed last time (kept in a state folder), plus what ergen renders now. Lines ergen never
pushed are never removed. FRR: a small tree over the text (vtysh's contexts); IOS-style platforms:
hier_config, which also gives the remediation commands NAPALM merges.
"""

from __future__ import annotations

from ergen.roundtrip.tree import Node, parse_tree

_AF_CLOSE = "exit-address-family"


def _key(n: Node) -> str:
    return " ".join(n.words)


def _subtract(run: Node, prev: Node, keep: Node) -> None:
    """Remove from ``run`` what ``prev`` has and ``keep`` (the new candidate) has not, recursively."""
    prev_by = {_key(c): c for c in prev.children}
    keep_by = {_key(c): c for c in keep.children}
    out = []
    for c in run.children:
        k = _key(c)
        if k in prev_by:
            if not c.children and not prev_by[k].children:
                if k not in keep_by:
                    continue                      # a line ergen pushed and no longer wants
            else:
                _subtract(c, prev_by[k], keep_by.get(k, Node(k)))
                if not c.children and k not in keep_by:
                    continue                      # an emptied block ergen had created
        out.append(c)
    run.children = out


def _merge(base: Node, add: Node) -> None:
    by = {_key(c): c for c in base.children}
    for c in add.children:
        k = _key(c)
        if k in by:
            _merge(by[k], c)
        else:
            base.children.append(c)
            by[k] = c


def _text(n: Node, depth: int = 0) -> list[str]:
    out = []
    for c in n.children:
        out.append(" " * depth + c.text)
        if c.children:
            out += _text(c, depth + 1)
            out.append(" " * depth + (_AF_CLOSE if c.words[:1] == ["address-family"] else "exit"))
    return out


def frr_desired(running: str, last_pushed: str, candidate: str) -> str:
    run, prev, cand = parse_tree(running), parse_tree(last_pushed), parse_tree(candidate)
    _subtract(run, prev, cand)
    _merge(run, cand)
    return "\n".join(_text(run)) + "\n"


_HIER = {"ios-xe": "CISCO_IOS", "nx-os": "CISCO_NXOS", "eos": "ARISTA_EOS", "ios-xr": "CISCO_XR",
         "junos": "JUNIPER_JUNOS", "junos-srx": "JUNIPER_JUNOS"}


def remediation_commands(platform: str, running: str, last_pushed: str, candidate: str) -> str:
    """IOS-style: the commands (with ``no`` lines) that take the router from running to desired."""
    from hier_config import Platform, WorkflowRemediation, get_hconfig

    from ergen.change.review import _strip_comments

    p = getattr(Platform, _HIER[platform])
    run = get_hconfig(p, _strip_comments(running))
    prev = get_hconfig(p, _strip_comments(last_pushed)) if last_pushed else None
    cand = get_hconfig(p, _strip_comments(candidate))
    desired = get_hconfig(p, _strip_comments(running))
    if prev is not None:
        gone = prev.difference(cand)  # what ergen pushed before and no longer renders
        desired = desired.difference(gone)
    desired.merge(cand)
    wf = WorkflowRemediation(run, desired)
    return "\n".join(wf.remediation_config.dump_simple()) + "\n"
