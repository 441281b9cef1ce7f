"""Parse an FRR config (as ergen renders it) back into Facts.

FRR's own parser checks the syntax (``vtysh --dryrun``, and the lab loads it into real daemons);
this reads what the text says, so it can be compared with the intent.
"""

from __future__ import annotations

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, route_target
from ergen.roundtrip.ios_common import community_lists, prefix_lists, resolve, route_maps
from ergen.roundtrip.tree import parse_tree


def parse(text: str) -> Facts:
    root = parse_tree(text)
    f = Facts()
    pls, cls, rms = prefix_lists(root), community_lists(root), route_maps(root)
    for prof in (p for b in root.find("bfd") for p in b.find("profile")):
        # absent = FRR's default (300 ms, 300 ms, x3), which FRR never prints
        get = lambda k, d: int(prof.first(k).words[1]) if prof.first(k) else d  # noqa: E731
        f.bfd_timers.add((get("transmit-interval", 300), get("receive-interval", 300), get("detect-multiplier", 3)))
    for n in root.find("interface"):
        w = n.words
        name = w[1]
        parts = name.split(".")
        if len(parts) < 2:
            continue
        i = Interface()
        if len(parts) == 3:
            i.s_tag, i.c_tag = int(parts[1]), int(parts[2])
        else:
            i.c_tag = int(parts[1])
        i.vrf = w[3] if len(w) > 3 and w[2] == "vrf" else None
        ip = n.first("ip", "address")
        i.ipv4 = ip.words[2] if ip else None
        ip6 = n.first("ipv6", "address")
        i.ipv6 = ip6.words[2] if ip6 else None
        d = n.first("description")
        i.description = d.text.split(" ", 1)[1] if d else None
        f.interfaces[name] = i

    def statics(node, vrf):
        for c in node.children:
            w = c.words
            if w[:1] in (["ip"], ["ipv6"]) and w[1:2] == ["route"] and "blackhole" in w:
                f.statics.add((vrf, str(netaddr.IPNetwork(w[2]))))

    statics(root, None)
    for v in root.find("vrf"):
        f.vrfs.setdefault(v.words[1], None)
        statics(v, v.words[1])
    for bgp in root.find("router", "bgp"):
        w = bgp.words
        vrf = w[4] if len(w) > 4 and w[3] == "vrf" else None
        if vrf:
            f.vrfs[vrf] = None  # FRR keeps no RD for a plain VRF
        f.bgp_asn = int(w[2])
        rid = bgp.first("bgp", "router-id")
        f.router_id = rid.words[2] if rid else f.router_id

        def session(node):
            for c in node.find("neighbor"):
                cw = c.words
                nb = f.neighbors.setdefault((vrf, cw[1]), Neighbor(family=6 if ":" in cw[1] else 4))
                if cw[2] == "remote-as":
                    nb.remote_as = int(cw[3])
                elif cw[2] == "local-as":
                    nb.local_as = int(cw[3])
                elif cw[2] == "password":
                    nb.md5 = cw[3]
                elif cw[2] == "bfd":
                    nb.bfd = True
                elif cw[2:] == ["shutdown"]:
                    nb.shutdown = True
                elif cw[2] == "route-map":
                    setattr(nb, "policy_in" if cw[4] == "in" else "policy_out", resolve(cw[3], rms, pls, cls))
                elif cw[2] == "maximum-prefix":
                    nb.max_prefix = int(cw[3])

        session(bgp)
        rts = [c.words[3] for af in bgp.find("address-family") for c in af.find("rt", "vpn", "both")]
        if vrf:
            f.route_targets[vrf] = route_target(rts, rts)
        for af in bgp.find("address-family"):
            session(af)
            for c in af.find("network"):
                f.networks.add((vrf, str(netaddr.IPNetwork(c.words[1]))))
    return f
