"""Running configs of the IOS family: Cisco IOS-XE, Arista EOS, Cisco NX-OS and FRRouting.

One indentation tree (``ergen.roundtrip.tree``) and one pass over it; what differs per platform is a
keyword here and there, kept in the small tables below (NX-OS's BGP is a tree of neighbor blocks, the
others write ``neighbor X ...`` lines). Reads configs as engineers write them (peer groups, any names,
upper-case IPv6, encrypted keys, prefix lists with or without ``seq``, EOS's block prefix lists) as well
as ergen's own renders. Anything it does not model stays in ``lines`` (never touched) and, where it
could matter, in ``notes``.
"""

from __future__ import annotations

import ipaddress
import re

from ergen.adopt.running import (Bfd, BfdTemplate, CommunityList, Interface, Key, Line, Neighbor, Network,
                                 PeerGroup, Policy, PrefixEntry, PrefixList, Redistribute, RunningConfig,
                                 Session, StaticRoute, Term, normal_address, normal_interface_address,
                                 normal_prefix)
from ergen.roundtrip.tree import Node, parse_tree

# "password <type> <value>": what the number means, per platform
_KEY_TYPES = {"0": "clear", "7": "type7", "6": "type6", "3": "type3", "8": "type8", "9": "type9"}
_DISCARD = {"null0", "blackhole", "reject", "null 0"}
_BANNER = re.compile(r"^banner\s+\S+\s+(\^C|\S)")


def _strip_banners(text: str) -> str:
    """IOS banners run over several lines between two delimiters; they are text, not config."""
    out, delim = [], None
    for line in text.splitlines():
        if delim is not None:
            if delim in line:
                delim = None
            continue
        m = _BANNER.match(line.strip())
        if m:
            d = m.group(1)
            rest = line.strip()[m.end():]
            if d not in rest:
                delim = d
            out.append(line.strip().split()[0] + " " + line.strip().split()[1])   # keep "banner motd" as a line
            continue
        out.append(line)
    return "\n".join(out)


def _walk(node: Node, parent: Line = ()):
    for c in node.children:
        path = parent + (c.text,)
        yield path, c
        yield from _walk(c, path)


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _int(text: str) -> int:
    return int(text)


class _Parser:
    def __init__(self, text: str, source: str, platform: str) -> None:
        self.platform = platform
        self.root = parse_tree(_strip_banners(text))
        self.rc = RunningConfig(platform=platform, source=source)
        self.rc.lines = [p for p, _ in _walk(self.root)]
        self.vrf_interfaces: dict[str, str] = {}

    def note(self, path: Line, why: str) -> None:
        self.rc.notes.append(f"{' / '.join(path)}: {why}")

    def guarded(self, fn, node: Node, path: Line, *args) -> None:
        try:
            fn(node, path, *args)
        except (ValueError, IndexError, KeyError, TypeError) as exc:
            self.note(path, f"not understood ({type(exc).__name__})")

    # -- top level ---------------------------------------------------------------------------------
    def run(self) -> RunningConfig:
        for node in self.root.children:
            w, path = node.words, (node.text,)
            if not w:
                continue
            k = w[0].lower()
            if k == "hostname" and len(w) > 1:
                self.rc.hostname = w[1]
            elif k == "interface" and len(w) > 1:
                self.guarded(self.interface, node, path)
            elif k == "router" and len(w) > 2 and w[1] == "bgp":
                self.guarded(self.bgp, node, path)
            elif k == "route-map" and len(w) > 2:
                self.guarded(self.route_map, node, path)
            elif k in ("ip", "ipv6") and len(w) > 2 and w[1] == "prefix-list":
                self.guarded(self.prefix_list, node, path)
            elif (k == "ip" and len(w) > 2 and w[1] == "community-list") or \
                    (k == "bgp" and len(w) > 2 and w[1] == "community-list"):
                self.guarded(self.community_list, node, path)
            elif k in ("ip", "ipv6") and len(w) > 2 and w[1] == "route":
                self.guarded(self.static, node, path, None)
            elif k == "vrf" and len(w) > 1 and (w[1] == "context" or self.platform == "frr"):
                vrf = w[2] if w[1] == "context" else w[1]   # NX-OS: vrf context V; FRR: vrf V
                for c in node.children:
                    if c.words[:1] in (["ip"], ["ipv6"]) and c.words[1:2] == ["route"]:
                        self.guarded(self.static, c, path + (c.text,), vrf)
            elif k == "bfd-template" and len(w) > 2:
                self.guarded(self.bfd_template, node, path)
            elif k == "bfd" and self.platform == "frr":
                self.guarded(self.frr_bfd, node, path)
            elif k == "router" and len(w) > 1 and w[1] == "static":
                self.note(path, "router static: not read")
        # interfaces a VRF lists (none of these platforms does; kept for symmetry with Junos)
        return self.rc

    # -- interfaces ----------------------------------------------------------------------------------
    def interface(self, node: Node, path: Line) -> None:
        w = node.words
        name = w[1]
        i = self.rc.interfaces.get(name)
        if i is not None:                        # a second block for the same interface (EOS NAT): one object
            i.paths.append(path)
        else:
            i = Interface(name=name, paths=[path])
        if self.platform == "frr":
            if len(w) > 3 and w[2] == "vrf":
                i.vrf = w[3]
            parts = name.split(".")
            if len(parts) >= 2 and all(p.isdigit() for p in parts[1:]):
                i.parent = parts[0]
                i.c_tag = int(parts[-1])
                i.s_tag = int(parts[1]) if len(parts) == 3 else None
                i.unit = i.c_tag
        elif "." in name:
            i.parent, unit = name.rsplit(".", 1)
            i.unit = int(unit) if unit.isdigit() else None
        for c in node.children:
            cw = c.words
            if not cw:
                continue
            low = [x.lower() for x in cw]
            if low[0] == "encapsulation" and len(cw) > 2 and low[1] == "dot1q":
                # IOS-XE / NX-OS: encapsulation dot1Q 100 [second-dot1q 200]; EOS: encapsulation dot1q vlan 100 [inner 200]
                if low[2] == "vlan":
                    i.c_tag = int(cw[3])
                    if "inner" in low:
                        i.s_tag, i.c_tag = i.c_tag, int(cw[low.index("inner") + 1])
                else:
                    i.c_tag = int(cw[2])
                    if "second-dot1q" in low:
                        i.s_tag, i.c_tag = i.c_tag, int(cw[low.index("second-dot1q") + 1])
            elif low[:2] == ["ip", "address"] and len(cw) > 2:
                if cw[2].lower() in ("dhcp", "negotiated"):
                    continue
                addr = normal_interface_address(cw[2], cw[3] if len(cw) > 3 and "/" not in cw[2]
                                                and _ip(cw[3]) else None)
                i.ipv4.append(addr)
            elif low[:2] == ["ipv6", "address"] and len(cw) > 2 and "/" in cw[2]:
                i.ipv6.append(normal_interface_address(cw[2]))
            elif low[0] == "description":
                i.description = c.text.split(None, 1)[1] if len(cw) > 1 else ""
            elif low[0] == "shutdown":
                i.shutdown = True
            elif low[:2] in (["vrf", "forwarding"], ["ip", "vrf"]) and len(cw) > 2:
                i.vrf = cw[-1]
            elif low[:2] == ["vrf", "member"] and len(cw) > 2:    # NX-OS
                i.vrf = cw[2]
            elif low[0] == "vrf" and len(cw) == 2:                 # EOS
                i.vrf = cw[1]
            elif low[0] == "bfd" and len(cw) > 1:
                if low[1] == "interval":
                    nums = [x for x in cw[2:] if x.isdigit()]
                    i.bfd = Bfd(int(nums[0]), int(nums[1]), int(nums[2]))
                elif low[1] == "template" and len(cw) > 2:
                    t = self.rc.bfd_templates.get(cw[2])
                    i.bfd = t.timers if t else Bfd()
        self.rc.interfaces[name] = i

    # -- BFD templates / profiles -------------------------------------------------------------------
    def bfd_template(self, node: Node, path: Line) -> None:
        w = node.words
        name = w[2] if w[1] in ("single-hop", "multi-hop") and len(w) > 2 else w[1]
        t = BfdTemplate(name=name, paths=[path])
        for c in node.walk():
            cw = [x.lower() for x in c.words]
            if cw[:1] == ["interval"]:
                def val(k):
                    return int(cw[cw.index(k) + 1]) if k in cw else None
                t.timers = Bfd(val("min-tx"), val("min-rx"), val("multiplier"))
        self.rc.bfd_templates[name] = t

    def frr_bfd(self, node: Node, path: Line) -> None:
        for c in node.children:
            if c.words[:1] == ["profile"] and len(c.words) > 1:
                tx = rx = mult = None
                for d in c.children:
                    dw = d.words
                    if dw[0] == "transmit-interval":
                        tx = int(dw[1])
                    elif dw[0] == "receive-interval":
                        rx = int(dw[1])
                    elif dw[0] == "detect-multiplier":
                        mult = int(dw[1])
                # FRR's defaults: 300 ms both ways, multiplier 3
                self.rc.bfd_templates[c.words[1]] = BfdTemplate(
                    name=c.words[1], paths=[path + (c.text,)], timers=Bfd(tx or 300, rx or 300, mult or 3))

    # -- BGP -----------------------------------------------------------------------------------------
    def bgp(self, node: Node, path: Line) -> None:
        w = node.words
        asn = int(w[2])
        vrf = w[4] if len(w) > 4 and w[3] == "vrf" else None      # FRR: router bgp N vrf V
        if vrf is None:
            self.rc.bgp_asn = asn
            self.rc.bgp_path = path
        elif self.rc.bgp_asn is None:
            self.rc.bgp_asn = asn
        if self.platform == "nx-os":
            self.nxos_bgp(node, path, vrf)
            return
        self.bgp_block(node, path, vrf, family=None)

    def bgp_block(self, node: Node, path: Line, vrf: str | None, family: int | None) -> None:
        for c in node.children:
            cw = c.words
            cpath = path + (c.text,)
            if not cw:
                continue
            if cw[0] == "address-family" and len(cw) > 1:
                fam = 6 if cw[1] == "ipv6" else 4 if cw[1] == "ipv4" else None
                if fam is None:
                    continue                      # vpnv4, l2vpn ...: not ours
                afvrf = cw[cw.index("vrf") + 1] if "vrf" in cw else vrf   # IOS-XE: address-family ipv4 vrf V
                self.bgp_block(c, cpath, afvrf, fam)
            elif cw[0] == "vrf" and len(cw) > 1:                # EOS: vrf V inside router bgp
                self.bgp_block(c, cpath, cw[1], family)
            elif cw[:2] in (["bgp", "router-id"],) and len(cw) > 2:
                if vrf is None:
                    self.rc.router_id = cw[2]
            elif cw[0] == "router-id" and len(cw) > 1 and vrf is None:
                self.rc.router_id = cw[1]
            elif cw[0] == "neighbor" and len(cw) > 2:
                self.guarded(self.neighbor_line, c, cpath, vrf, family)
            elif cw[0] == "network" and len(cw) > 1:
                self.guarded(self.network, c, cpath, vrf)
            elif cw[0] == "redistribute" and len(cw) > 1:
                pol = cw[cw.index("route-map") + 1] if "route-map" in cw else None
                self.rc.redistribute.append(Redistribute(name=f"{cw[1]}", paths=[cpath], vrf=vrf,
                                                         family=family or 4, protocol=cw[1], policy=pol))

    def network(self, node: Node, path: Line, vrf: str | None) -> None:
        w = node.words
        if "mask" in w:
            pfx = normal_prefix(w[1], w[w.index("mask") + 1])
        elif "/" in w[1]:
            pfx = normal_prefix(w[1])
        else:  # classful: network 10.0.0.0
            net = ipaddress.ip_address(w[1])
            first = int(str(net).split(".")[0])
            pfx = normal_prefix(f"{net}/{8 if first < 128 else 16 if first < 192 else 24}")
        self.rc.networks.append(Network(name=pfx, paths=[path], vrf=vrf, prefix=pfx))

    def _holder(self, name: str, vrf: str | None, path: Line):
        """The neighbor or peer group ``name`` (created on first sight)."""
        if _ip(name):
            addr = normal_address(name)
            n = self.rc.neighbors.get((vrf, addr))
            if n is None:
                n = self.rc.neighbors[(vrf, addr)] = Neighbor(name=name, address=addr, vrf=vrf)
            return n
        g = self.rc.groups.get(name)
        if g is None:
            g = self.rc.groups[name] = PeerGroup(name=name, vrf=vrf)
        return g

    def neighbor_line(self, node: Node, path: Line, vrf: str | None, family: int | None) -> None:
        w = node.words
        name, rest = w[1], w[2:]
        low = [x.lower() for x in rest]
        obj = self._holder(name, vrf, path)
        obj.paths.append(path)
        s: Session = obj.session
        k = low[0]
        if k in ("peer-group", "peer") and (k == "peer-group" or low[1:2] == ["group"]):
            args = rest[1:] if k == "peer-group" else rest[2:]
            if isinstance(obj, Neighbor) and args:
                obj.group = args[0]
                g = self.rc.groups.get(args[0])
                if g is None:
                    self.rc.groups[args[0]] = PeerGroup(name=args[0], vrf=vrf)
            return                                  # "neighbor PG peer-group": the group itself
        if k == "remote-as":
            if rest[1].isdigit():
                s.remote_as = int(rest[1])
            else:
                self.note(path, f"remote-as {rest[1]}: not a number (internal/external)")
        elif k == "local-as":
            s.local_as = int(rest[1])
        elif k == "description":
            s.description = node.text.split(None, 3)[3] if len(w) > 3 else ""
        elif k == "password":
            s.key = _key(rest[1:], self.platform)
        elif k == "fall-over" and low[1:2] == ["bfd"]:
            s.bfd = True
        elif k == "bfd":
            s.bfd = True
            if low[1:2] == ["profile"] and len(rest) > 2:
                t = self.rc.bfd_templates.get(rest[2])
                s.bfd_timers = t.timers if t else None
            elif len(rest) == 4 and all(x.isdigit() for x in rest[1:]):     # FRR: bfd MULT RX TX
                s.bfd_timers = Bfd(int(rest[3]), int(rest[2]), int(rest[1]))
        elif k == "route-map" and len(rest) > 2:
            if low[2] == "in":
                s.policy_in = [rest[1]]
            elif low[2] == "out":
                s.policy_out = [rest[1]]
        elif k in ("prefix-list", "distribute-list") and len(rest) > 2:
            if low[2] == "in":
                s.prefix_list_in = rest[1]
            elif low[2] == "out":
                s.prefix_list_out = rest[1]
        elif k in ("maximum-prefix", "maximum-routes", "maximum-accepted-routes") and len(rest) > 1:
            s.max_prefix = int(rest[1])
        elif k == "shutdown":
            s.shutdown = True
        elif k == "timers" and len(rest) > 2 and rest[1].isdigit():
            s.timers = (int(rest[1]), int(rest[2]))
        elif k == "update-source":
            s.update_source = rest[1]
        elif k == "ebgp-multihop":
            s.ebgp_multihop = int(rest[1]) if len(rest) > 1 else 255
        elif k == "activate":
            fam = family or (ipaddress.ip_address(normal_address(name)).version if _ip(name) else 4)
            s.activated = (s.activated or set()) | {fam}
        elif k == "filter-list":
            self.note(path, "AS-path filter list: not evaluated")

    def nxos_bgp(self, node: Node, path: Line, vrf: str | None) -> None:
        """NX-OS: ``neighbor X`` and ``template peer T`` blocks, VRFs as ``vrf V`` blocks."""
        for c in node.children:
            cw = c.words
            cpath = path + (c.text,)
            if not cw:
                continue
            if cw[0] == "router-id" and vrf is None:
                self.rc.router_id = cw[1]
            elif cw[0] == "vrf" and len(cw) > 1:
                self.nxos_bgp(c, cpath, cw[1])
            elif cw[0] == "address-family" and len(cw) > 1:
                fam = 6 if cw[1] == "ipv6" else 4
                for d in c.children:
                    dw = d.words
                    if dw[:1] == ["network"]:
                        self.guarded(self.network, d, cpath + (d.text,), vrf)
                    elif dw[:1] == ["redistribute"] and len(dw) > 1:
                        pol = dw[dw.index("route-map") + 1] if "route-map" in dw else None
                        self.rc.redistribute.append(Redistribute(name=dw[1], paths=[cpath + (d.text,)], vrf=vrf,
                                                                 family=fam, protocol=dw[1], policy=pol))
            elif (cw[0] == "neighbor" and len(cw) > 1) or (cw[:2] == ["template", "peer"] and len(cw) > 2):
                self.guarded(self.nxos_neighbor, c, cpath, vrf)

    def nxos_neighbor(self, node: Node, path: Line, vrf: str | None) -> None:
        w = node.words
        if w[0] == "template":
            obj = self.rc.groups.setdefault(w[2], PeerGroup(name=w[2], vrf=vrf))
        else:
            addr = normal_address(w[1].split("/")[0])
            obj = self.rc.neighbors.setdefault((vrf, addr), Neighbor(name=w[1], address=addr, vrf=vrf))
            if len(w) > 3 and w[2] == "remote-as":
                obj.session.remote_as = int(w[3])
        obj.paths.append(path)
        s = obj.session
        for c in node.children:
            cw = c.words
            low = [x.lower() for x in cw]
            if not cw:
                continue
            if low[0] == "inherit" and low[1:2] == ["peer"] and isinstance(obj, Neighbor):
                obj.group = cw[2]
            elif low[0] == "remote-as" and cw[1].isdigit():
                s.remote_as = int(cw[1])
            elif low[0] == "local-as":
                s.local_as = int(cw[1])
            elif low[0] == "description":
                s.description = c.text.split(None, 1)[1] if len(cw) > 1 else ""
            elif low[0] == "password":
                s.key = _key(cw[1:], "nx-os")
            elif low[0] == "bfd":
                s.bfd = True
            elif low[0] == "shutdown":
                s.shutdown = True
            elif low[0] == "update-source":
                s.update_source = cw[1]
            elif low[0] == "ebgp-multihop":
                s.ebgp_multihop = int(cw[1])
            elif low[0] == "timers" and len(cw) > 2:
                s.timers = (int(cw[1]), int(cw[2]))
            elif low[0] == "address-family" and len(cw) > 1:
                fam = 6 if low[1] == "ipv6" else 4
                s.activated = (s.activated or set()) | {fam}
                for d in c.children:
                    dw = d.words
                    dl = [x.lower() for x in dw]
                    if dl[:1] == ["route-map"] and len(dw) > 2:
                        if dl[2] == "in":
                            s.policy_in = [dw[1]]
                        elif dl[2] == "out":
                            s.policy_out = [dw[1]]
                    elif dl[:1] == ["prefix-list"] and len(dw) > 2:
                        if dl[2] == "in":
                            s.prefix_list_in = dw[1]
                        else:
                            s.prefix_list_out = dw[1]
                    elif dl[:1] == ["maximum-prefix"]:
                        s.max_prefix = int(dw[1])
                    elif dl[:2] == ["inherit", "peer-policy"]:
                        self.note(path + (c.text, d.text), "peer-policy templates: not resolved")

    # -- policies ------------------------------------------------------------------------------------
    def route_map(self, node: Node, path: Line) -> None:
        w = node.words
        name = w[1]
        action = w[2].lower() if len(w) > 2 else "permit"
        seq = w[3] if len(w) > 3 else "10"
        pol = self.rc.policies.get(name)
        if pol is None:
            pol = self.rc.policies[name] = Policy(name=name, default="deny")
        pol.paths.append(path)
        t = Term(name=seq, action="permit" if action == "permit" else "deny")
        for c in node.children:
            cw = c.words
            low = [x.lower() for x in cw]
            if not cw or low[0] == "description":
                continue
            if low[0] == "match":
                if "prefix-list" in low:
                    t.prefix_lists += cw[low.index("prefix-list") + 1:]
                elif low[1:2] == ["community"] and len(cw) > 2:
                    t.community_lists += [x for x in cw[2:] if x.lower() != "exact-match"]
                    if "exact-match" in low:
                        t.unknown.append(c.text)
                else:
                    t.unknown.append(c.text)
            elif low[:2] == ["set", "local-preference"]:
                t.local_preference = int(cw[2])
            elif low[:3] == ["set", "as-path", "prepend"]:
                if low[3:4] == ["last-as"]:
                    t.unknown.append(c.text)
                else:
                    t.prepend = [int(x) for x in cw[3:] if x.isdigit()]
            elif low[0] in ("continue", "on-match", "call"):
                t.unknown.append(c.text)
        # entries are evaluated by sequence number
        pol.terms.append(t)
        pol.terms.sort(key=lambda x: int(x.name) if x.name.isdigit() else 0)

    def prefix_list(self, node: Node, path: Line) -> None:
        w = node.words
        fam = 6 if w[0].lower() == "ipv6" else 4
        name = w[2]
        key = (fam, name)
        pl = self.rc.prefix_lists.get(key)
        if pl is None:
            pl = self.rc.prefix_lists[key] = PrefixList(name=name, family=fam)
        pl.paths.append(path)
        seq_entries = getattr(pl, "_seq", None)
        if seq_entries is None:
            seq_entries = []
            pl._seq = seq_entries  # type: ignore[attr-defined]
        rest = w[3:]
        if rest:
            self._prefix_entry(pl, rest, seq_entries)
        for c in node.children:                      # EOS: ip prefix-list NAME / seq 10 permit P
            self._prefix_entry(pl, c.words, seq_entries)
        seq_entries.sort(key=lambda t: t[0])
        pl.entries = [e for _, e in seq_entries]

    def _prefix_entry(self, pl: PrefixList, words: list[str], seq_entries: list) -> None:
        low = [x.lower() for x in words]
        if not low or low[0] == "description":
            return
        if low[0] == "seq":
            seq, low, words = int(words[1]), low[2:], words[2:]
        else:
            seq = (seq_entries[-1][0] + 5) if seq_entries else 5
        if low[0] not in ("permit", "deny"):
            return
        ge = int(words[low.index("ge") + 1]) if "ge" in low else None
        le = int(words[low.index("le") + 1]) if "le" in low else None
        eq = int(words[low.index("eq") + 1]) if "eq" in low else None
        if eq is not None:
            ge = le = eq
        seq_entries.append((seq, PrefixEntry(low[0], normal_prefix(words[1]), ge, le)))

    def community_list(self, node: Node, path: Line) -> None:
        w = node.words
        low = [x.lower() for x in w]
        i = 2
        kind = "standard"
        if low[i] in ("standard", "expanded", "large"):
            kind, i = low[i], i + 1
        name = w[i]
        rest, rlow = w[i + 1:], low[i + 1:]
        if rlow[:1] == ["seq"]:
            rest, rlow = rest[2:], rlow[2:]
        cl = self.rc.community_lists.get(name)
        if cl is None:
            cl = self.rc.community_lists[name] = CommunityList(name=name)
        cl.paths.append(path)
        if not rlow or rlow[0] not in ("permit", "deny"):
            return
        values = rest[1:]
        if kind != "standard":
            self.note(path, f"{kind} community list: not evaluated")
            values = [f"{kind}:{' '.join(values)}"]
        cl.entries.append((rlow[0], values))

    # -- static routes -------------------------------------------------------------------------------
    def static(self, node: Node, path: Line, vrf: str | None) -> None:
        w = node.words
        rest = w[2:]
        if rest[:1] == ["vrf"]:
            vrf, rest = rest[1], rest[2:]
        if "/" in rest[0]:
            pfx, rest = normal_prefix(rest[0]), rest[1:]
        else:
            pfx, rest = normal_prefix(rest[0], rest[1]), rest[2:]
        target = rest[0] if rest else ""
        discard = target.lower() in _DISCARD or (target.lower() == "null" and rest[1:2] == ["0"])
        nh = None if discard else target
        dist = None
        tail = rest[2:] if target.lower() == "null" else rest[1:]
        if tail and tail[0].isdigit():
            dist = int(tail[0])
        elif nh and not _ip(nh) and tail and _ip(tail[0]):     # interface then next hop
            nh = tail[0]
            if len(tail) > 1 and tail[1].isdigit():
                dist = int(tail[1])
        if "vrf" in tail:                                         # FRR: ip route P NH vrf V
            vrf = tail[tail.index("vrf") + 1]
        self.rc.statics.append(StaticRoute(name=pfx, paths=[path], vrf=vrf, prefix=pfx, discard=discard,
                                           next_hop=nh, distance=dist))


def _key(words: list[str], platform: str) -> Key:
    """``password [0|7|3|...] VALUE`` -> Key; the value is kept, never printed."""
    if len(words) >= 2 and words[0] in _KEY_TYPES:
        return Key(_KEY_TYPES[words[0]], " ".join(words[1:]))
    if len(words) >= 2 and words[0].lower() in ("clear", "encrypted"):
        return Key("clear" if words[0].lower() == "clear" else "encrypted", " ".join(words[1:]))
    return Key("clear", " ".join(words))


def parse(text: str, source: str = "<running>", platform: str = "ios-xe") -> RunningConfig:
    if "\x00" in text:
        from ergen.errors import InputError
        raise InputError("a running config is text; this holds NUL bytes", file=source, field="(file)")
    p = _Parser(text, source, platform)
    rc = p.run()
    for pl in rc.prefix_lists.values():
        pl.__dict__.pop("_seq", None)
    return rc
