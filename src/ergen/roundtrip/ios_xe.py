"""Parse a Cisco IOS-XE config (as ergen renders it) back into Facts."""

from __future__ import annotations

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, route_target
from ergen.roundtrip.ios_common import cidr, community_lists, iface_cidr, prefix_lists, resolve, route_maps
from ergen.roundtrip.tree import parse_tree


def parse(text: str) -> Facts:
    root = parse_tree(text)
    f = Facts()
    pls, cls, rms = prefix_lists(root), community_lists(root), route_maps(root)
    ciphers = {n.words[2]: n.first("macsec-cipher-suite").words[1] for n in root.find("mka", "policy")
               if n.first("macsec-cipher-suite")}
    policies = {n.words[1]: n for n in root.find("policy-map")}
    for n in root.find("bfd-template", "single-hop"):
        iv = n.first("interval")
        if iv:
            w = iv.words
            f.bfd_timers.add((int(w[w.index("min-tx") + 1]), int(w[w.index("min-rx") + 1]),
                              int(w[w.index("multiplier") + 1])))
    for v in root.find("vrf", "definition"):
        rd = v.first("rd")
        f.vrfs[v.words[2]] = rd.words[1] if rd else None
        rts = [c.words for af in v.find("address-family") for c in af.find("route-target")]
        f.route_targets[v.words[2]] = route_target([w[2] for w in rts if w[1] == "import"],
                                                   [w[2] for w in rts if w[1] == "export"])
    nat_out, nat_in = [], []
    for n in root.find("interface"):
        name = n.words[1]
        if n.first("ip", "nat", "outside"):
            nat_out.append(name)
        if n.first("ip", "nat", "inside"):
            nat_in.append(name)
        sp = n.first("service-policy", "output")
        if sp and sp.words[2] in policies:
            shape = next((c for c in policies[sp.words[2]].walk() if c.words[:2] == ["shape", "average"]), None)
            if shape:
                f.shapers[name] = int(shape.words[2])
        mka = n.first("mka", "policy")
        if n.first("macsec", "network-link") and mka:
            f.macsec[name] = ciphers.get(mka.words[2], "?")
        enc = n.first("encapsulation")
        if enc is None:
            continue
        w = enc.words
        i = Interface()
        if "second-dot1q" in w:
            i.s_tag, i.c_tag = int(w[2]), int(w[w.index("second-dot1q") + 1])
        else:
            i.c_tag = int(w[2])
        ip = n.first("ip", "address")
        if ip:
            i.ipv4 = iface_cidr(ip.words[2], ip.words[3])
        ip6 = n.first("ipv6", "address")
        if ip6:
            i.ipv6 = ip6.words[2]
        vrf = n.first("vrf", "forwarding")
        i.vrf = vrf.words[2] if vrf else None
        i.bfd = n.first("bfd", "template") is not None
        d = n.first("description")
        i.description = d.text.split(" ", 1)[1] if d else None
        f.interfaces[name] = i
    for n in root.children:
        w = n.words
        if w[:2] == ["ip", "route"] and w[-2:-1] == ["Null0"]:
            vrf = w[3] if w[2] == "vrf" else None
            net, mask = (w[4], w[5]) if vrf else (w[2], w[3])
            f.statics.add((vrf, cidr(net, mask)))
        elif w[:2] == ["ipv6", "route"] and w[-2:-1] == ["Null0"]:
            vrf = w[3] if w[2] == "vrf" else None
            f.statics.add((vrf, str(netaddr.IPNetwork(w[4] if vrf else w[2]))))
    # NAT
    acls = {a.words[3]: sorted(cidr(c.words[1], str(netaddr.IPAddress(int(netaddr.IPAddress(c.words[2])) ^ 0xFFFFFFFF)))
                               for c in a.find("permit"))
            for a in root.find("ip", "access-list", "standard")}
    pools = {n.words[3]: n.words for n in root.find("ip", "nat", "pool")}
    for n in root.find("ip", "nat", "inside", "source", "list"):
        w = n.words
        acl, pool = w[5], w[7]
        pw = pools.get(pool)
        if pw:
            plen = int(pw[pw.index("prefix-length") + 1])
            f.nat.append({"pool": str(netaddr.IPNetwork(f"{pw[4]}/{plen}").cidr), "first": pw[4], "last": pw[5],
                          "inside": acls.get(acl, []), "outside": sorted(nat_out), "inside_interfaces": sorted(nat_in)})
    # BGP
    bgp = root.first("router", "bgp")
    if bgp is None:
        return f
    f.bgp_asn = int(bgp.words[2])
    rid = bgp.first("bgp", "router-id")
    f.router_id = rid.words[2] if rid else None

    def session(node, vrf):
        for c in node.find("neighbor"):
            w = c.words
            nb = f.neighbors.setdefault((vrf, w[1]), Neighbor(family=6 if ":" in w[1] else 4))
            if w[2] == "remote-as":
                nb.remote_as = int(w[3])
            elif w[2] == "local-as":
                nb.local_as = int(w[3])
            elif w[2] == "password":
                nb.md5 = w[3]
            elif w[2:4] == ["fall-over", "bfd"]:
                nb.bfd = True
            elif w[2:] == ["shutdown"]:
                nb.shutdown = True
            elif w[2] == "route-map":
                setattr(nb, "policy_in" if w[4] == "in" else "policy_out", resolve(w[3], rms, pls, cls))
            elif w[2] == "maximum-prefix":
                nb.max_prefix = int(w[3])

    session(bgp, None)
    for af in bgp.find("address-family"):
        vrf = af.words[3] if len(af.words) > 3 and af.words[2] == "vrf" else None
        session(af, vrf)
        for c in af.find("network"):
            w = c.words
            f.networks.add((vrf, cidr(w[1], w[3]) if "mask" in w else str(netaddr.IPNetwork(w[1]))))
    return f
