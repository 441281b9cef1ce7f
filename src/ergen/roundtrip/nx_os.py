"""Parse a Cisco NX-OS config (as ergen renders it) back into Facts."""

from __future__ import annotations

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, route_target
from ergen.roundtrip.ios_common import community_lists, prefix_lists, resolve, route_maps
from ergen.roundtrip.tree import Node, parse_tree

_UNIT = {"bps": 1, "kbps": 1_000, "mbps": 1_000_000, "gbps": 1_000_000_000}


def _net(text: str) -> str:
    return str(netaddr.IPNetwork(text).cidr)


def _static(node: Node, vrf: str | None, f: Facts) -> None:
    w = node.words
    if len(w) >= 4 and w[0] in ("ip", "ipv6") and w[1] == "route" and w[3] == "Null0":
        f.statics.add((vrf, _net(w[2])))


def _shape_bps(policy: Node) -> int | None:
    for c in policy.walk():
        w = c.words
        if w[:1] == ["shape"] and "max" in w:
            i = w.index("max")
            return int(w[i + 1]) * _UNIT[w[i + 2]]
    return None


def parse(text: str) -> Facts:
    root = parse_tree(text)
    f = Facts()
    pls, cls, rms = prefix_lists(root), community_lists(root), route_maps(root)
    ciphers = {n.words[2]: n.first("cipher-suite").words[1].lower() for n in root.find("macsec", "policy")
               if n.first("cipher-suite")}
    queuing = {n.words[3]: n for n in root.find("policy-map", "type", "queuing")}
    for v in root.find("vrf", "context"):
        rd = v.first("rd")
        f.vrfs[v.words[2]] = rd.words[1] if rd else None
        rts = [c.words for af in v.find("address-family") for c in af.find("route-target")]
        f.route_targets[v.words[2]] = route_target([w[2] for w in rts if w[1] == "import"],
                                                   [w[2] for w in rts if w[1] == "export"])
        for c in v.children:
            _static(c, v.words[2], f)
    for n in root.children:
        _static(n, None, f)
    nat_out, nat_in = [], []
    for n in root.find("interface"):
        name = n.words[1]
        if n.first("ip", "nat", "outside"):
            nat_out.append(name)
        if n.first("ip", "nat", "inside"):
            nat_in.append(name)
        sp = n.first("service-policy", "type", "queuing", "output")
        if sp and sp.words[4] in queuing:
            bps = _shape_bps(queuing[sp.words[4]])
            if bps:
                f.shapers[name] = bps
        ms = n.first("macsec", "keychain")
        if ms and "policy" in ms.words:
            f.macsec[name] = ciphers.get(ms.words[ms.words.index("policy") + 1], "?")
        enc = n.first("encapsulation", "dot1q")
        if enc is None:
            continue
        i = Interface(c_tag=int(enc.words[2]))
        ip = n.first("ip", "address")
        if ip:
            i.ipv4 = ip.words[2]
        ip6 = n.first("ipv6", "address")
        if ip6:
            i.ipv6 = ip6.words[2]
        vrf = n.first("vrf", "member")
        i.vrf = vrf.words[2] if vrf else None
        bfd = n.first("bfd", "interval")
        if bfd:
            w = bfd.words
            i.bfd = True
            f.bfd_timers.add((int(w[2]), int(w[w.index("min_rx") + 1]), int(w[w.index("multiplier") + 1])))
        d = n.first("description")
        i.description = d.text.split(" ", 1)[1] if d else None
        f.interfaces[name] = i
    # NAT
    acls = {a.words[2]: sorted(_net(c.words[2]) for c in a.find("permit", "ip"))
            for a in root.find("ip", "access-list")}
    pools = {n.words[3]: n.words for n in root.find("ip", "nat", "pool")}
    for n in root.find("ip", "nat", "inside", "source", "list"):
        w = n.words
        acl, pool = w[5], w[7]
        pw = pools.get(pool)
        if pw and "overload" in w:
            plen = int(pw[pw.index("prefix-length") + 1])
            f.nat.append({"pool": str(netaddr.IPNetwork(f"{pw[4]}/{plen}").cidr), "first": pw[4], "last": pw[5],
                          "inside": acls.get(acl, []), "outside": sorted(nat_out), "inside_interfaces": sorted(nat_in)})
    # BGP
    bgp = root.first("router", "bgp")
    if bgp is None:
        return f
    f.bgp_asn = int(bgp.words[2])
    rid = bgp.first("router-id")
    f.router_id = rid.words[1] if rid else None

    def table(node: Node, vrf: str | None) -> None:
        for af in node.find("address-family"):
            for c in af.find("network"):
                f.networks.add((vrf, _net(c.words[1])))
        for c in node.find("neighbor"):
            addr = c.words[1]
            nb = f.neighbors.setdefault((vrf, addr), Neighbor())
            for s in c.children:
                w = s.words
                if w[0] == "remote-as":
                    nb.remote_as = int(w[1])
                elif w[0] == "local-as":
                    nb.local_as = int(w[1])
                elif w[0] == "password":
                    nb.md5 = w[2] if w[1] == "0" else None
                elif w == ["bfd"]:
                    nb.bfd = True
                elif w == ["shutdown"]:
                    nb.shutdown = True
                elif w[0] == "address-family" and w[2:] == ["unicast"]:
                    nb.family = 4 if w[1] == "ipv4" else 6 if w[1] == "ipv6" else None
                    for a in s.children:
                        aw = a.words
                        if aw[0] == "route-map":
                            setattr(nb, "policy_in" if aw[2] == "in" else "policy_out", resolve(aw[1], rms, pls, cls))
                        elif aw[0] == "maximum-prefix":
                            nb.max_prefix = int(aw[1])

    table(bgp, None)
    for v in bgp.find("vrf"):
        table(v, v.words[1])
    return f
