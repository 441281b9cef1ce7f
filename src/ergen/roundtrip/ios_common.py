"""Pieces shared by the IOS-style parsers: prefix lists, community lists, route maps, policy resolution."""

from __future__ import annotations

import netaddr

from ergen.roundtrip import Policy
from ergen.roundtrip.tree import Node


def cidr(address: str, mask: str) -> str:
    return str(netaddr.IPNetwork(f"{address}/{mask}"))


def iface_cidr(address: str, mask: str) -> str:
    """An interface address with its length (the host address kept): 192.0.2.1 255.255.255.252 -> 192.0.2.1/30."""
    return f"{address}/{netaddr.IPNetwork(f'{address}/{mask}').prefixlen}"


def prefix_lists(root: Node, keyword: str = "prefix-list") -> dict[str, list[tuple]]:
    """``ip prefix-list NAME seq N permit P [ge X] [le Y]`` (and ipv6) → name → [(action, cidr, ge, le)]."""
    lists: dict[str, list[tuple[int, tuple]]] = {}
    for n in root.children:
        w = n.words
        if len(w) >= 6 and w[0] in ("ip", "ipv6") and w[1] == keyword and w[3] == "seq":
            name, seq, action, pfx = w[2], int(w[4]), w[5], w[6]
            ge = int(w[w.index("ge") + 1]) if "ge" in w else None
            le = int(w[w.index("le") + 1]) if "le" in w else None
            lists.setdefault(name, []).append((seq, (action, str(netaddr.IPNetwork(pfx)), ge, le)))
    return {k: [e for _, e in sorted(v)] for k, v in lists.items()}


def community_lists(root: Node) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in root.children:
        w = n.words
        # IOS: ip community-list standard NAME permit V ; FRR: bgp community-list standard NAME seq N permit V
        if len(w) >= 5 and w[1] == "community-list" and w[2] == "standard":
            values = w[w.index("permit") + 1:] if "permit" in w else []
            out.setdefault(w[3], []).extend(values)
    return out


def route_maps(root: Node) -> dict[str, list[dict]]:
    out: dict[str, list[tuple[int, dict]]] = {}
    for n in root.find("route-map"):
        w = n.words
        entry = {"action": w[2], "prefix_list": None, "community_list": None, "local_preference": None,
                 "prepend": []}
        for c in n.children:
            cw = c.words
            if cw[:1] == ["match"] and "prefix-list" in cw:
                entry["prefix_list"] = cw[-1]
            elif cw[:2] == ["match", "community"]:
                entry["community_list"] = cw[2]
            elif cw[:2] == ["set", "local-preference"]:
                entry["local_preference"] = int(cw[2])
            elif cw[:3] == ["set", "as-path", "prepend"]:
                entry["prepend"] = [int(x) for x in cw[3:]]
        out.setdefault(w[1], []).append((int(w[3]), entry))
    return {k: [e for _, e in sorted(v, key=lambda t: t[0])] for k, v in out.items()}


def resolve(name: str | None, rms: dict, pls: dict, cls: dict) -> Policy | None:
    """A route map by name → the Policy it applies (its first permit entry; ergen writes one)."""
    if name is None or name not in rms:
        return None
    e = rms[name][0]
    return Policy(filter=list(pls.get(e["prefix_list"], [])) if e["prefix_list"] else [],
                  communities=sorted(cls.get(e["community_list"], [])) if e["community_list"] else [],
                  local_preference=e["local_preference"], prepend=e["prepend"])
