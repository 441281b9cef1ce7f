"""Parse an Arista EOS config (as ergen renders it) back into Facts.

EOS writes prefix lists in block form (``ip prefix-list NAME`` / ``seq N permit P``), one community
per ``ip community-list NAME permit C`` line, BFD timers on the interface, the RD under
``router bgp / vrf NAME``, and source NAT as a rule on the outside interface (EOS has no NAT
"inside" marking, so ``inside_interfaces`` cannot be read back; IGNORE["eos"] says so).
"""

from __future__ import annotations

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, route_target
from ergen.roundtrip.ios_common import resolve, route_maps
from ergen.roundtrip.tree import Node, parse_tree

# EOS cipher keyword -> the intent's (IEEE) spelling
CIPHERS = {"aes128-gcm": "gcm-aes-128", "aes256-gcm": "gcm-aes-256",
           "aes128-gcm-xpn": "gcm-aes-xpn-128", "aes256-gcm-xpn": "gcm-aes-xpn-256"}


def _net(text: str) -> str:
    return str(netaddr.IPNetwork(text).cidr)


def _prefix_lists(root: Node) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for n in root.children:
        w = n.words
        if len(w) == 3 and w[0] in ("ip", "ipv6") and w[1] == "prefix-list":
            entries = []
            for c in n.find("seq"):
                cw = c.words
                ge = int(cw[cw.index("ge") + 1]) if "ge" in cw else None
                le = int(cw[cw.index("le") + 1]) if "le" in cw else None
                entries.append((int(cw[1]), (cw[2], _net(cw[3]), ge, le)))
            out.setdefault(w[2], []).extend(entries)
    return {k: [e for _, e in sorted(v, key=lambda t: t[0])] for k, v in out.items()}


def _community_lists(root: Node) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for n in root.find("ip", "community-list"):
        w = n.words
        if len(w) >= 5 and w[2] not in ("regexp", "standard", "expanded") and w[3] == "permit":
            out.setdefault(w[2], []).extend(w[4:])
    return out


def parse(text: str) -> Facts:
    root = parse_tree(text)
    f = Facts()
    pls, cls, rms = _prefix_lists(root), _community_lists(root), route_maps(root)

    # MACsec profiles
    ciphers: dict[str, str] = {}
    for ms in root.find("mac", "security"):
        for prof in ms.find("profile"):
            c = prof.first("cipher")
            ciphers[prof.words[1]] = CIPHERS.get(c.words[1], c.words[1]) if c else "?"

    for v in root.find("vrf", "instance"):
        f.vrfs[v.words[2]] = None

    # interfaces: a name may have more than one stanza (nat.j2 adds the NAT rule separately)
    stanzas: dict[str, list[Node]] = {}
    for n in root.find("interface"):
        stanzas.setdefault(n.words[1], []).append(n)
    nat_rules: list[tuple[str, str, str]] = []      # (interface, acl, pool)
    for name, nodes in stanzas.items():
        lines = [c for n in nodes for c in n.children]
        node = Node(f"interface {name}", lines)
        sr = node.first("shape", "rate")
        if sr:
            w = sr.words
            unit = w[3] if len(w) > 3 else "kbps"
            if unit == "kbps":
                f.shapers[name] = int(w[2]) * 1000
        mp = node.first("mac", "security", "profile")
        if mp:
            f.macsec[name] = ciphers.get(mp.words[3], "?")
        for c in node.find("ip", "nat", "source", "dynamic", "access-list"):
            w = c.words
            if "pool" in w:
                nat_rules.append((name, w[5], w[w.index("pool") + 1]))
        bfd = node.first("bfd", "interval")
        if bfd:
            w = bfd.words
            f.bfd_timers.add((int(w[2]), int(w[w.index("min-rx") + 1]), int(w[w.index("multiplier") + 1])))
        enc = node.first("encapsulation", "dot1q", "vlan")
        if enc is None:
            continue
        w = enc.words
        i = Interface()
        if "inner" in w:
            i.s_tag, i.c_tag = int(w[3]), int(w[w.index("inner") + 1])
        else:
            i.c_tag = int(w[3])
        ip = node.first("ip", "address")
        if ip:
            i.ipv4 = ip.words[2]
        ip6 = node.first("ipv6", "address")
        if ip6:
            i.ipv6 = ip6.words[2]
        vrf = node.first("vrf")
        i.vrf = vrf.words[1] if vrf else None
        i.bfd = bfd is not None
        d = node.first("description")
        i.description = d.text.split(" ", 1)[1] if d else None
        f.interfaces[name] = i

    # discard (anchor) routes: ip|ipv6 route [vrf V] P Null0 [distance]
    for n in root.children:
        w = n.words
        if len(w) >= 4 and w[0] in ("ip", "ipv6") and w[1] == "route" and "Null0" in w:
            vrf = w[3] if w[2] == "vrf" else None
            f.statics.add((vrf, _net(w[4] if vrf else w[2])))

    # NAT
    acls = {a.words[2]: sorted(_net(c.words[2]) for c in a.children if c.words[:2] == ["permit", "ip"])
            for a in root.find("ip", "access-list") if len(a.words) == 3}
    pools = {}
    for p in root.find("ip", "nat", "pool"):
        w = p.words
        rng = p.first("range")
        if "prefix-length" in w and rng:
            plen = int(w[w.index("prefix-length") + 1])
            pools[w[3]] = (rng.words[1], rng.words[2], plen)
    by_rule: dict[tuple[str, str], list[str]] = {}
    for iface, acl, pool in nat_rules:
        by_rule.setdefault((acl, pool), []).append(iface)
    for (acl, pool), ifaces in by_rule.items():
        if pool in pools:
            first, last, plen = pools[pool]
            f.nat.append({"pool": str(netaddr.IPNetwork(f"{first}/{plen}").cidr), "first": first, "last": last,
                          "inside": acls.get(acl, []), "outside": sorted(ifaces), "inside_interfaces": []})

    # BGP
    bgp = root.first("router", "bgp")
    if bgp is None:
        return f
    f.bgp_asn = int(bgp.words[2])
    rid = bgp.first("router-id")
    f.router_id = rid.words[1] if rid else None

    def session(node: Node, vrf: str | None):
        for c in node.find("neighbor"):
            w = c.words
            nb = f.neighbors.setdefault((vrf, w[1]), Neighbor(family=6 if ":" in w[1] else 4))
            if w[2] == "remote-as":
                nb.remote_as = int(w[3])
            elif w[2] == "local-as":
                nb.local_as = int(w[3])
            elif w[2] == "password":
                nb.md5 = w[4] if w[3] in ("0", "7", "8a") and len(w) > 4 else w[3]
            elif w[2] == "bfd" and len(w) == 3:
                nb.bfd = True
            elif w[2:] == ["shutdown"]:
                nb.shutdown = True
            elif w[2] == "maximum-routes":
                nb.max_prefix = int(w[3])

    def families(node: Node, vrf: str | None):
        for af in node.find("address-family"):
            for c in af.find("neighbor"):
                w = c.words
                nb = f.neighbors.setdefault((vrf, w[1]), Neighbor(family=6 if ":" in w[1] else 4))
                if w[2] == "route-map":
                    setattr(nb, "policy_in" if w[4] == "in" else "policy_out", resolve(w[3], rms, pls, cls))
            for c in af.find("network"):
                f.networks.add((vrf, _net(c.words[1])))

    session(bgp, None)
    families(bgp, None)
    for v in bgp.find("vrf"):
        name = v.words[1]
        rd = v.first("rd")
        if name in f.vrfs or rd:
            f.vrfs[name] = rd.words[1] if rd else None
        rts = [c.words for c in v.find("route-target")]
        f.route_targets[name] = route_target([w[3] for w in rts if w[1] == "import"],
                                             [w[3] for w in rts if w[1] == "export"])
        session(v, name)
        families(v, name)
    return f
