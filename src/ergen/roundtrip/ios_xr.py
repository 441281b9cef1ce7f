"""Parse a Cisco IOS-XR config (as ergen renders it) back into Facts: the IOS-family walk (``ios_family``) in
IOS-XR's words (neighbors are blocks, statics under ``router static``), its route policies and MACsec.

IOS-XR has no route maps: each route policy (RPL) tests its prefix entries in order,
``if``/``elseif destination in (P [ge X] [le Y]) then pass|drop``, ends the chain with
``else drop``, then may require a community set, set the local preference and prepend.
The policy is resolved here into the same ``Policy`` that ``expected()`` builds from the intent.
"""

from __future__ import annotations

import re

import netaddr

from ergen.roundtrip import Facts, Policy
from ergen.roundtrip.ios_family import Dialect, neighbor_words
from ergen.roundtrip.tree import Node

_DEST = re.compile(r"^(?:if|elseif) destination in \((?P<set>[^)]*)\) then$")
_COMM = re.compile(r"^if community matches-any (?P<name>\S+) then$")


def _inline_prefix(text: str) -> tuple[str, int | None, int | None]:
    w = text.split()
    ge = int(w[w.index("ge") + 1]) if "ge" in w else None
    le = int(w[w.index("le") + 1]) if "le" in w else None
    return str(netaddr.IPNetwork(w[0]).cidr), ge, le


def _community_sets(root: Node) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in root.find("community-set"):
        values = [v.strip() for c in n.children for v in c.text.split(",") if v.strip()]
        out[n.words[1]] = values
    return out


def _policy(node: Node, csets: dict[str, list[str]]) -> Policy:
    """One route-policy: the destination chain, the community test, the set actions."""
    p = Policy()
    chain_closed = None          # None: no destination chain; False: open; True: closed by "else drop"
    for c in node.children:
        if c.text == "else" and chain_closed is False:
            chain_closed = [x.text for x in c.children] == ["drop"]
            continue
        m = _DEST.match(c.text)
        if m:
            if chain_closed is None:
                chain_closed = False
            entries = [x.strip() for x in m.group("set").split(",")]
            action = c.children[0].text if c.children else ""
            if len(entries) != 1 or action not in ("pass", "drop"):
                p.filter.append(("?", c.text, None, None))
                continue
            cidr, ge, le = _inline_prefix(entries[0])
            p.filter.append(("permit" if action == "pass" else "deny", cidr, ge, le))
            continue
        m = _COMM.match(c.text)
        if m:
            # accepted only when the route carries one of them: "then pass else drop"
            then = [x.text for x in c.children]
            if then == ["pass"]:
                p.communities = sorted(csets.get(m.group("name"), []))
            continue
        w = c.words
        if w[:2] == ["set", "local-preference"]:
            p.local_preference = int(w[2])
        elif w[:2] == ["prepend", "as-path"]:
            p.prepend += [int(w[2])] * (int(w[3]) if len(w) > 3 else 1)
    if chain_closed is False:    # a route no entry matches would go on (and pass if a later action sets it)
        p.filter.append(("?", "no else drop after the prefix entries", None, None))
    return p


def policies(root: Node) -> dict[str, Policy]:
    csets = _community_sets(root)
    return {n.words[1]: _policy(n, csets) for n in root.find("route-policy")}


def _macsec(root: Node, interfaces: dict[str, Node], f: Facts) -> None:
    ciphers = {}
    for mp in root.find("macsec-policy"):
        cs = mp.first("cipher-suite")
        if cs:
            ciphers[mp.words[1]] = cs.words[1].lower()
    for name, n in interfaces.items():
        ms = n.first("macsec", "psk-keychain")
        if ms:
            w = ms.words
            policy = w[w.index("policy") + 1] if "policy" in w else None
            f.macsec[name] = ciphers.get(policy, "gcm-aes-xpn-256")   # IOS-XR's default cipher


DIALECT = Dialect(
    "ios-xr",
    encapsulation=("encapsulation", "dot1q"), inner_tag="second-dot1q",    # encapsulation dot1q S second-dot1q C
    ipv4_address=("ipv4", "address"),
    neighbor_block=True,
    neighbor=neighbor_words(md5=("password", "clear"), bfd=("bfd", "fast-detect"), policy=("route-policy",),
                            bfd_interval=("bfd", "minimum-interval"), bfd_multiplier=("bfd", "multiplier")),
    family_settings=frozenset({"policy", "max_prefix", "next_hop_self"}),                   # under the neighbor's address-family
    shape_unit="kbps",                       # IOS-XR rates without a unit are kbps
    policies=policies,
    extras=(_macsec,),
)

parse = DIALECT.parse
