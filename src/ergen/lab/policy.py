"""Evaluate an intent's route maps in Python: what the lab expects FRR to accept and send.

This is ergen's own reading of the policy it wrote (prefix-list and community-list
semantics as IOS and FRR define them); the lab compares it with what FRR really did.
"""

from __future__ import annotations

import netaddr

from ergen.intent.model import PrefixList, RouterIntent


def prefix_list_permits(pl: PrefixList, prefix: str) -> bool:
    net = netaddr.IPNetwork(prefix)
    for e in sorted(pl.entries, key=lambda e: e.seq):
        base = netaddr.IPNetwork(e.prefix.cidr)
        if net.version != base.version or net not in base:
            continue
        lo = e.ge if e.ge is not None else base.prefixlen
        hi = e.le if e.le is not None else (net.max_prefixlen if e.ge is not None else base.prefixlen)
        if lo <= net.prefixlen <= hi:
            return e.action == "permit"
    return False


def route_map_permits(intent: RouterIntent, name: str, prefix: str, communities: list[str]) -> bool:
    rm = next(m for m in intent.route_maps if m.name == name)
    pls = {p.name: p for p in intent.prefix_lists}
    cls = {c.name: c for c in intent.community_lists}
    for e in sorted(rm.entries, key=lambda e: e.seq):
        if e.match_prefix_list and not prefix_list_permits(pls[e.match_prefix_list], prefix):
            continue
        if e.match_community_list and not set(cls[e.match_community_list].communities) & set(communities):
            continue
        return e.action == "permit"
    return False


def permitted_prefixes(pl: PrefixList) -> list[str]:
    """The exact prefixes an outbound list lets through (ergen's outbound lists are exact matches)."""
    return [e.prefix.cidr for e in pl.entries if e.action == "permit" and e.le is None and e.ge is None]
