"""Parse a Cisco IOS-XR config (as ergen renders it) back into Facts.

IOS-XR has no route maps: each route policy (RPL) tests its prefix entries in order,
``if``/``elseif destination in (P [ge X] [le Y]) then pass|drop``, ends the chain with
``else drop``, then may require a community set, set the local preference and prepend.
The policy is resolved here into the same ``Policy`` that ``expected()`` builds from the intent.
"""

from __future__ import annotations

import re

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, Policy, route_target
from ergen.roundtrip.ios_common import iface_cidr
from ergen.roundtrip.tree import Node, parse_tree

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


def _policies(root: Node) -> dict[str, Policy]:
    csets = _community_sets(root)
    return {n.words[1]: _policy(n, csets) for n in root.find("route-policy")}


def _interfaces(root: Node, f: Facts) -> None:
    shapes: dict[str, int] = {}
    for pm in root.find("policy-map"):
        for c in pm.walk():
            w = c.words
            if w[:2] == ["shape", "average"] and len(w) >= 4:
                unit = {"bps": 1, "kbps": 1000, "mbps": 1_000_000, "gbps": 1_000_000_000}[w[3]]
                shapes[pm.words[1]] = int(w[2]) * unit
    ciphers = {}
    for mp in root.find("macsec-policy"):
        cs = mp.first("cipher-suite")
        if cs:
            ciphers[mp.words[1]] = cs.words[1].lower()
    for n in root.find("interface"):
        name = n.words[1]
        sp = n.first("service-policy", "output")
        if sp and sp.words[2] in shapes:
            f.shapers[name] = shapes[sp.words[2]]
        ms = n.first("macsec", "psk-keychain")
        if ms:
            w = ms.words
            policy = w[w.index("policy") + 1] if "policy" in w else None
            f.macsec[name] = ciphers.get(policy, "gcm-aes-xpn-256")   # IOS-XR's default cipher
        enc = n.first("encapsulation", "dot1q")
        if enc is None:
            continue
        w = enc.words
        i = Interface()
        if "second-dot1q" in w:
            i.s_tag, i.c_tag = int(w[2]), int(w[w.index("second-dot1q") + 1])
        else:
            i.c_tag = int(w[2])
        ip = n.first("ipv4", "address")
        if ip:
            i.ipv4 = iface_cidr(ip.words[2], ip.words[3])
        ip6 = n.first("ipv6", "address")
        if ip6:
            i.ipv6 = ip6.words[2]
        vrf = n.first("vrf")
        i.vrf = vrf.words[1] if vrf else None
        d = n.first("description")
        i.description = d.text.split(" ", 1)[1] if d else None
        f.interfaces[name] = i


def _statics(root: Node, f: Facts) -> None:
    def table(node: Node, vrf: str | None) -> None:
        for af in node.find("address-family"):
            for r in af.children:
                w = r.words
                if len(w) >= 2 and w[1] == "Null0":
                    f.statics.add((vrf, str(netaddr.IPNetwork(w[0]).cidr)))

    for rs in root.find("router", "static"):
        table(rs, None)
        for v in rs.find("vrf"):
            table(v, v.words[1])


def _bgp(root: Node, f: Facts, policies: dict[str, Policy]) -> None:
    bgp = root.first("router", "bgp")
    if bgp is None:
        return
    f.bgp_asn = int(bgp.words[2])
    rid = bgp.first("bgp", "router-id")
    f.router_id = rid.words[2] if rid else None

    def table(node: Node, vrf: str | None) -> None:
        for af in node.find("address-family"):
            if af.words[1:3] in (["ipv4", "unicast"], ["ipv6", "unicast"]):
                for net in af.find("network"):
                    f.networks.add((vrf, str(netaddr.IPNetwork(net.words[1]).cidr)))
        for nb in node.find("neighbor"):
            x = f.neighbors.setdefault((vrf, nb.words[1]), Neighbor())
            bfd: dict[str, int] = {}
            for c in nb.children:
                w = c.words
                if w[0] == "remote-as":
                    x.remote_as = int(w[1])
                elif w[0] == "local-as":
                    x.local_as = int(w[1])
                elif w[:2] == ["password", "clear"]:
                    x.md5 = w[2]
                elif w[:2] == ["bfd", "fast-detect"]:
                    x.bfd = True
                elif w == ["shutdown"]:
                    x.shutdown = True
                elif w[:2] == ["bfd", "minimum-interval"]:
                    bfd["interval"] = int(w[2])
                elif w[:2] == ["bfd", "multiplier"]:
                    bfd["multiplier"] = int(w[2])
                elif w[0] == "address-family" and w[2:3] == ["unicast"] and w[1] in ("ipv4", "ipv6"):
                    x.family = 4 if w[1] == "ipv4" else 6
                    for a in c.children:
                        aw = a.words
                        if aw[0] == "route-policy" and len(aw) == 3:
                            pol = policies.get(aw[1])
                            setattr(x, "policy_in" if aw[2] == "in" else "policy_out", pol)
                        elif aw[0] == "maximum-prefix":
                            x.max_prefix = int(aw[1])
            if x.bfd and "interval" in bfd:
                # one interval, both directions (IOS-XR has no separate receive interval)
                f.bfd_timers.add((bfd["interval"], bfd["interval"], bfd.get("multiplier", 3)))

    table(bgp, None)
    for v in bgp.find("vrf"):
        name = v.words[1]
        rd = v.first("rd")
        if name in f.vrfs and rd:          # a VRF exists only when declared at the top level
            f.vrfs[name] = rd.words[1]
        table(v, name)


def parse(text: str) -> Facts:
    root = parse_tree(text)
    f = Facts()
    for v in root.find("vrf"):
        f.vrfs[v.words[1]] = None
        imports = [x.words[0] for af in v.find("address-family") for n in af.find("import", "route-target")
                   for x in n.children]
        exports = [x.words[0] for af in v.find("address-family") for n in af.find("export", "route-target")
                   for x in n.children]
        f.route_targets[v.words[1]] = route_target(imports, exports)
    _interfaces(root, f)
    _statics(root, f)
    _bgp(root, f, _policies(root))
    return f
