"""Parse a Juniper Junos config (curly-brace format, as ergen renders it) back into Facts.

A small brace tree: ``word word;`` is a leaf, ``word word { ... }`` a block; strings in double
quotes are one word, ``[ a b ]`` lists are flattened into the words, ``#`` and ``/* */`` are comments.
Policies are resolved by what they do: each term with a route filter is a filter entry (accept = permit,
reject = deny), its community match and its sets (local preference, AS-path prepend) are the policy's;
a term without a match that rejects is the implicit deny. Junos has no ``network`` statement, so the
networks of a table are the prefixes its neighbors' export policies accept exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import netaddr

from ergen.roundtrip import Facts, Interface, Neighbor, Policy, route_target


@dataclass
class Node:
    words: list[str]
    children: list["Node"] = field(default_factory=list)
    block: bool = False

    def find(self, *prefix: str) -> list["Node"]:
        n = len(prefix)
        return [c for c in self.children if c.words[:n] == list(prefix)]

    def first(self, *prefix: str) -> "Node | None":
        found = self.find(*prefix)
        return found[0] if found else None

    def path(self, *steps: str) -> "Node | None":
        """The block reached by child names one after another (each step one word)."""
        node: Node | None = self
        for s in steps:
            node = node.first(s) if node else None
        return node

    def value(self, keyword: str) -> str | None:
        """The word after ``keyword`` in the leaf ``keyword value;``."""
        leaf = self.first(keyword)
        return leaf.words[1] if leaf and len(leaf.words) > 1 else None


def tokens(text: str) -> list[str]:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append("\x00" + text[i + 1:j])      # quoted: never a keyword
            i = j + 1
        elif ch in "{};[]":
            out.append(ch)
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '{};[]"':
                j += 1
            out.append(text[i:j])
            i = j
    return out


def parse_tree(text: str) -> Node:
    root = Node([], block=True)
    stack = [root]
    words: list[str] = []
    in_list = False
    for t in tokens(text):
        if t == "[":
            in_list = True
        elif t == "]":
            in_list = False
        elif in_list:
            words.append(t.lstrip("\x00"))
        elif t == ";":
            if words:
                stack[-1].children.append(Node(words))
            words = []
        elif t == "{":
            node = Node(words, block=True)
            stack[-1].children.append(node)
            stack.append(node)
            words = []
        elif t == "}":
            if len(stack) > 1:
                stack.pop()
            words = []
        else:
            words.append(t.lstrip("\x00"))
    return root


# -- policy-options

def _maxlen(prefix: str) -> int:
    return 128 if ":" in prefix else 32


def _route_filter(words: list[str]) -> tuple[str, int | None, int | None]:
    """``route-filter P exact|orlonger|longer|upto /N|prefix-length-range /A-/B`` → (cidr, ge, le)."""
    pfx = str(netaddr.IPNetwork(words[1]).cidr)
    kind = words[2] if len(words) > 2 else "exact"
    if kind == "exact":
        return pfx, None, None
    if kind == "orlonger":
        return pfx, None, _maxlen(pfx)
    if kind == "longer":
        return pfx, netaddr.IPNetwork(pfx).prefixlen + 1, _maxlen(pfx)
    if kind == "upto":
        return pfx, None, int(words[3].lstrip("/"))
    if kind == "prefix-length-range":
        lo, hi = (int(x.lstrip("/")) for x in words[3].split("-"))
        return pfx, lo, None if hi == _maxlen(pfx) else hi     # ge alone is ge to the family's length
    raise ValueError(f"route-filter match type {kind!r} not understood")


def _then(term: Node) -> tuple[str | None, Node | None]:
    """(accept | reject | None, the then block if it is one)."""
    for t in term.find("then"):
        if len(t.words) > 1 and t.words[1] in ("accept", "reject"):
            return t.words[1], None
        if t.block:
            action = next((c.words[0] for c in t.children if c.words[0] in ("accept", "reject")), None)
            return action, t
    return None, None


@dataclass
class _Resolved:
    policy: Policy
    exact_accepts: list[str]         # prefixes accepted exactly: what an export policy originates
    next_hop_self: bool = False      # a term sets "next-hop self" (iBGP to the site's other routers)
    only_next_hop: bool = False      # …and the policy does nothing else (no filter, no accept or reject)


def policies(root: Node) -> dict[str, _Resolved]:
    po = root.first("policy-options")
    if po is None:
        return {}
    comms = {c.words[1]: c.words[c.words.index("members") + 1:] if "members" in c.words
             else [w for m in c.find("members") for w in m.words[1:]]
             for c in po.find("community")}
    out: dict[str, _Resolved] = {}
    for ps in po.find("policy-statement"):
        pol, exact = Policy(), []
        communities: set[str] = set()
        nhs, other = False, False
        for term in ps.find("term"):
            action, then = _then(term)
            sets_nh = any(t.words[1:] == ["next-hop", "self"] for t in term.find("then")) or any(
                c.words == ["next-hop", "self"] for t in term.find("then") if t.block for c in t.children)
            nhs |= sets_nh
            other |= action is not None or not sets_nh
            frm = term.first("from")
            filters = [c.words for c in frm.find("route-filter")] if frm else []
            if frm is None and action == "reject":
                continue                    # the implicit deny
            for w in filters:
                cidr, ge, le = _route_filter(w)
                pol.filter.append(("permit" if action == "accept" else "deny", cidr, ge, le))
                if action == "accept" and ge is None and le is None:
                    exact.append(cidr)
            if action == "accept":
                for c in (frm.find("community") if frm else []):
                    for name in c.words[1:]:
                        communities.update(comms.get(name, [f"?{name}"]))
                if then is not None:
                    lp = then.value("local-preference")
                    if lp is not None:
                        pol.local_preference = int(lp)
                    pp = then.first("as-path-prepend")
                    if pp:
                        pol.prepend = [int(a) for w in pp.words[1:] for a in w.split()]
        pol.communities = sorted(communities)
        out[ps.words[1]] = _Resolved(pol, exact, nhs, nhs and not other)
    return out


# -- the rest

def _rate(text: str) -> int:
    mult = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
    return int(float(text[:-1]) * mult[text[-1].lower()]) if text[-1].lower() in mult else int(text)


def _statics(ro: Node | None, vrf: str | None, f: Facts) -> None:
    if ro is None:
        return
    tables = [ro.first("static")] + [r.first("static") for r in ro.find("rib")]
    for st in tables:
        for route in (st.find("route") if st else []):
            if route.first("discard") or "discard" in route.words[2:]:
                f.statics.add((vrf, str(netaddr.IPNetwork(route.words[1]).cidr)))


def _bfd_timers(bfd: Node) -> tuple[int, int, int]:
    mi = bfd.value("minimum-interval")
    tx = rx = int(mi) if mi else None
    ti = bfd.first("transmit-interval")
    if ti is not None and ti.value("minimum-interval"):
        tx = int(ti.value("minimum-interval"))
    if bfd.value("minimum-receive-interval"):
        rx = int(bfd.value("minimum-receive-interval"))
    return tx, rx, int(bfd.value("multiplier") or 3)


def _bgp(bgp: Node | None, vrf: str | None, f: Facts, pols: dict[str, _Resolved]) -> None:
    if bgp is None:
        return
    for group in bgp.find("group"):
        # "inactive: neighbor X {...}": a neighbor deactivated (a drain with --mode shutdown)
        for nb in group.find("neighbor") + group.find("inactive:", "neighbor"):
            addr = nb.words[-1]

            def get(keyword: str) -> Node | None:
                return nb.first(keyword) or group.first(keyword) or bgp.first(keyword)

            fam = get("family")
            family = (6 if fam.words[1] == "inet6" else 4) if fam else (6 if ":" in addr else 4)
            n = Neighbor(family=family)
            pa = get("peer-as")
            n.remote_as = int(pa.words[1]) if pa else None
            if get("type") is not None and get("type").words[1:] == ["internal"]:
                n.remote_as = f.bgp_asn         # internal: the router's own AS
                la_ = get("local-address")
                n.source = la_.words[1] if la_ else None
            la = get("local-as")
            n.local_as = int(la.words[1]) if la else None
            key = get("authentication-key")
            n.md5 = key.words[1] if key else None
            bfd = get("bfd-liveness-detection")
            if bfd is not None:
                n.bfd = True
                f.bfd_timers.add(_bfd_timers(bfd))
            if fam is not None:
                limit = fam.path("unicast", "prefix-limit")
                if limit is not None and limit.value("maximum"):
                    n.max_prefix = int(limit.value("maximum"))
            for direction, attr in (("import", "policy_in"), ("export", "policy_out")):
                leaf = get(direction)
                names = leaf.words[1:] if leaf else []
                if len(names) == 1 and names[0] in pols:
                    if direction == "export" and pols[names[0]].next_hop_self:
                        n.next_hop_self = True
                        if pols[names[0]].only_next_hop:
                            continue            # sets the next hop only: no policy of what is sent
                    setattr(n, attr, pols[names[0]].policy)
                    if direction == "export":
                        f.networks |= {(vrf, p) for p in pols[names[0]].exact_accepts}
            n.shutdown = nb.words[0] == "inactive:"
            f.neighbors[(vrf, addr)] = n


def parse(text: str) -> Facts:
    root = parse_tree(text)
    f = Facts()
    pols = policies(root)
    # interfaces
    for ifd in (root.first("interfaces").children if root.first("interfaces") else []):
        for unit in ifd.find("unit"):
            i = Interface()
            vt = unit.first("vlan-tags")
            if vt is not None:
                w = vt.words
                i.s_tag, i.c_tag = int(w[w.index("outer") + 1]), int(w[w.index("inner") + 1])
            elif unit.value("vlan-id"):
                i.c_tag = int(unit.value("vlan-id"))
            else:
                continue        # not a subinterface toward a provider (st0, lo0: IPsec on SRX)
            for fam, attr in (("inet", "ipv4"), ("inet6", "ipv6")):
                block = unit.first("family", fam)
                addr = block.first("address") if block else None
                if addr:
                    setattr(i, attr, addr.words[1])
            i.description = unit.value("description")
            f.interfaces[f"{ifd.words[0]}.{unit.words[1]}"] = i
    # class of service: a traffic control profile's shaping rate, or a shaping rate on the interface
    cos = root.first("class-of-service")
    if cos is not None:
        tcps = {t.words[0]: t.value("shaping-rate")
                for t in (cos.first("traffic-control-profiles").children if cos.first("traffic-control-profiles")
                          else [])}
        for ifd in (cos.first("interfaces").children if cos.first("interfaces") else []):
            rate = ifd.value("shaping-rate") or tcps.get(ifd.value("output-traffic-control-profile") or "")
            if rate:
                f.shapers[ifd.words[0]] = _rate(rate)
    # MACsec
    macsec = root.path("security", "macsec")
    if macsec is not None:
        ciphers = {ca.words[1]: ca.value("cipher-suite") for ca in macsec.find("connectivity-association")}
        for ifd in (macsec.first("interfaces").children if macsec.first("interfaces") else []):
            ca = ifd.value("connectivity-association")
            if ca:
                f.macsec[ifd.words[0]] = ciphers.get(ca) or "?"
    # the global table
    ro = root.first("routing-options")
    if ro is not None:
        asn = ro.value("autonomous-system")
        f.bgp_asn = int(asn) if asn else None
        f.router_id = ro.value("router-id")
    _statics(ro, None, f)
    _bgp(root.path("protocols", "bgp"), None, f, pols)
    # VRFs
    for ri in (root.first("routing-instances").children if root.first("routing-instances") else []):
        name = ri.words[0]
        if ri.value("instance-type") != "vrf":
            continue
        f.vrfs[name] = ri.value("route-distinguisher")
        target = ri.value("vrf-target")
        f.route_targets[name] = target.removeprefix("target:") if target else None
        for leaf in ri.find("interface"):
            if leaf.words[1] in f.interfaces:
                f.interfaces[leaf.words[1]].vrf = name
        _statics(ri.first("routing-options"), name, f)
        _bgp(ri.path("protocols", "bgp"), name, f, pols)
    return f


def ipsec(text: str) -> list[dict]:
    """SRX: each route-based VPN as the config says it (gateway, local address and interface, IKE and ESP
    proposals, PFS, the st0 unit with its address and MTU, the route through it), by VPN name."""
    root = parse_tree(text)
    sec = root.first("security")
    if sec is None:
        return []
    ike, ips = sec.first("ike"), sec.first("ipsec")
    props = lambda blk: {p.words[1]: p for p in (blk.find("proposal") if blk else [])}  # noqa: E731
    ike_p, esp_p = props(ike), props(ips)
    gws = {g.words[1]: g for g in (ike.find("gateway") if ike else [])}
    ike_pol = {p.words[1]: p for p in (ike.find("policy") if ike else [])}
    esp_pol = {p.words[1]: p for p in (ips.find("policy") if ips else [])}
    units = {}
    ifs = root.first("interfaces")
    st0 = ifs.first("st0") if ifs else None
    for u in (st0.find("unit") if st0 else []):
        fam = u.first("family", "inet")
        units[f"st0.{u.words[1]}"] = {"address": fam.first("address").words[1] if fam and fam.first("address") else None,
                                      "mtu": int(fam.value("mtu")) if fam and fam.value("mtu") else None}
    routes = {}
    ro = root.first("routing-options")
    st = ro.first("static") if ro else None
    for r in (st.find("route") if st else []):
        if "next-hop" in r.words:
            routes[r.words[1]] = r.words[r.words.index("next-hop") + 1]
    out = []
    for v in (ips.find("vpn") if ips else []):
        name = v.words[1]
        i = v.first("ike")
        gw = gws.get(i.value("gateway")) if i else None
        ipol = ike_pol.get(gw.value("ike-policy")) if gw else None
        epol = esp_pol.get(i.value("ipsec-policy")) if i else None
        bind = v.value("bind-interface")
        pfs = epol.path("perfect-forward-secrecy") if epol else None

        def names(pol):
            leaf = pol.first("proposals") if pol else None
            return leaf.words[1:] if leaf else []
        out.append({
            "vpn": name, "gateway": gw.value("address") if gw else None,
            "local_address": gw.value("local-address") if gw else None,
            "external_interface": gw.value("external-interface") if gw else None,
            "version": gw.value("version") if gw else None,
            "ike": [(ike_p[p].value("encryption-algorithm"), ike_p[p].value("authentication-algorithm"),
                     ike_p[p].value("dh-group")) for p in names(ipol) if p in ike_p],
            "esp": [(esp_p[p].value("encryption-algorithm"), esp_p[p].value("authentication-algorithm"))
                    for p in names(epol) if p in esp_p],
            "pfs": pfs.value("keys") if pfs else None,
            "psk": (ipol.first("pre-shared-key").words[-1] if ipol and ipol.first("pre-shared-key") else None),
            "bind": bind, "unit": units.get(bind, {}),
            "routes": sorted(p for p, nh in routes.items() if nh == bind),
        })
    return out
