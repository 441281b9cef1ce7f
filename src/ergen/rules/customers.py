"""Cloud solution providers: many customers on shared routers, each in its own VRF, and IPVPN.

The checks here look across customers, so they are the ones a single-customer inventory never needs:
outer tags per port, VRF names and numbers, overlaps per routing table, and prefixes that belong to
another customer. Overlaps are found with a sort and a sweep (n log n), since an estate has thousands
of circuits.
"""

from __future__ import annotations

import bisect
from array import array

import netaddr

from ergen.intent import customers as csp
from ergen.intent.addressing import PrefixError, parse_prefix
from ergen.model.circuit import PeeringKind
from ergen.rules.asn import AZURE_RESERVED, INVALID, MICROSOFT_ASN
from ergen.rules.engine import Context, check


@check
def customer_names(ctx: Context) -> None:
    for key, pol in ctx.inventory.circuits.items():
        if pol.customer is not None and pol.customer not in ctx.inventory.customers:
            known = ", ".join(sorted(ctx.inventory.customers)) or "none"
            ctx.add("ER520", ctx.policy_file(key), f"{key}.customer",
                    f"customer {pol.customer!r} has no customers/{pol.customer}.yaml (known: {known})")


@check
def customer_vrfs(ctx: Context) -> None:
    """ER522 one VRF per customer, ER523 one number per customer, ER529 numbers a 4-byte ASN can carry."""
    vrfs = _cached(ctx, "vrfs", lambda: _vrf_index(ctx))
    for key, pol in ctx.inventory.circuits.items():
        for short in ("private", "microsoft"):
            v = getattr(pol, short).vrf
            owner = vrfs.owner(v) if v else None
            if owner is not None and owner != pol.customer:
                whose = f"customer {pol.customer}'s circuit" if pol.customer else "a circuit outside any customer"
                ctx.add("ER522", ctx.policy_file(key), f"{ctx.policy_where(key)}.{short}.vrf",
                        f"VRF {v} is customer {owner}'s; {key} is {whose}")
    _four_byte_numbers(ctx)


def _cached(ctx: Context, key: str, build):
    """An index over every customer of the estate: built once per estate (EstateFacts.cache) or per run."""
    cache = getattr(ctx.customer_facts, "cache", None)
    if cache is None:
        cache = ctx.rule_cache      # one run: built once per run (building reports problems)
    if key not in cache:
        cache[key] = build()
    return cache[key]


class _Vrfs:
    """Which customer each VRF is, over every customer of the estate (VRF names compare in any case).

    Held as the hashes of the lower-case names in a sorted array beside the customers' positions: 16 bytes
    a customer, where a dict of 10,000 lower-case names weighs a megabyte. An equal hash is only a hint: a
    customer owns a VRF when its VRF name, made again from its facts, is the same, so a hash collision
    neither hides nor invents a shared VRF."""

    def __init__(self, customers, hashes: array) -> None:
        self._customers = customers                                # (name, customer) by position
        order = sorted(range(len(hashes)), key=hashes.__getitem__)   # equal hashes in customer order
        self._hashes = array("q", (hashes[k] for k in order))
        self._positions = array("l", order)

    def first(self, vrf: str) -> int | None:
        """The position of the first customer whose VRF is ``vrf``, or None."""
        low = vrf.lower()
        h = hash(low)
        i = bisect.bisect_left(self._hashes, h)
        while i < len(self._hashes) and self._hashes[i] == h:
            k = self._positions[i]
            if csp.vrf_name(*self._customers[k]).lower() == low:
                return k
            i += 1
        return None

    def owner(self, vrf: str) -> str | None:
        """The customer whose VRF ``vrf`` is (the first one, if two have it), or None."""
        k = self.first(vrf)
        return None if k is None else self._customers[k][0]

    def shared(self) -> dict[int, int]:
        """Each customer whose VRF an earlier customer has: its position -> the first such customer's."""
        out = {}
        for i in range(1, len(self._hashes)):
            if self._hashes[i] == self._hashes[i - 1]:       # maybe the same VRF: compare the names
                k = self._positions[i]
                first = self.first(csp.vrf_name(*self._customers[k]))
                if first != k:
                    out[k] = first
        return out


def _shared_numbers(numbers: array) -> dict[int, int]:
    """Each customer whose number an earlier customer has: its position -> the first such customer's."""
    out: dict[int, int] = {}
    order = sorted(range(len(numbers)), key=numbers.__getitem__)   # equal numbers in customer order
    for prev, k in zip(order, order[1:]):
        if numbers[k] == numbers[prev]:
            out[k] = out.get(prev, prev)
    return out


def _vrf_index(ctx: Context) -> _Vrfs:
    """Every customer's VRF; ER522 (two customers, one VRF) and ER523 (two customers, one number, so one
    RD and route target), each on the later customer, naming the first."""
    customers = ctx.all_customers()
    hashes, numbers = array("q"), array("q")
    for name, cust in customers:
        hashes.append(hash(csp.vrf_name(name, cust).lower()))
        numbers.append(csp.number(name, cust))
    vrfs = _Vrfs(customers, hashes)
    if ctx.global_checks:
        same_vrf, same_number = vrfs.shared(), _shared_numbers(numbers)
        for k in sorted(same_vrf.keys() | same_number.keys()):
            name, cust = customers[k]
            f = ctx.customer_file(name)
            if k in same_vrf:
                ctx.add("ER522", f, "vrf", f"VRF {csp.vrf_name(name, cust)} is also customer "
                                           f"{customers[same_vrf[k]][0]}'s")
            if k in same_number:
                how = "id" if cust.id is not None else "number derived from the name"
                ctx.add("ER523", f, "id", f"{how} {numbers[k]} is also customer {customers[same_number[k]][0]}'s, "
                                          "so their RDs and route targets would be equal; give one a distinct id")
    return vrfs


def _four_byte_numbers(ctx: Context) -> None:
    for router in ctx.inventory.routers.values():
        asn = router.data.bgp_asn
        if asn is None or asn <= 65535:
            continue
        for name in sorted({ctx.policy(l.circuit).customer for l in _router_landings(ctx, router.name)} - {None}):
            cust = ctx.inventory.customers.get(name)
            if cust is not None and csp.route_distinguisher(asn, name, cust) is None:
                ctx.add("ER529", ctx.customer_file(name), "id",
                        f"router {router.name} has 4-byte ASN {asn}: its RDs are <asn>:<16 bits>, and "
                        f"{name}'s number {csp.number(name, cust)} does not fit")


def _router_landings(ctx: Context, router: str):
    return ctx.landings_by_router().get(router, [])


@check
def outer_tags(ctx: Context) -> None:
    """ER521: an S-tag on a port is one customer's; a single-tagged VLAN never equals an S-tag there."""
    seen: dict[tuple[str, str, int], tuple[str, str, str]] = {}   # (router, port, outer) -> (kind, owner, label)
    for l in ctx.landings():
        stag, ctag = ctx.tags(l)
        if ctag is None:
            continue
        outer, kind = (stag, "S-tag") if stag is not None else (ctag, "VLAN")
        owner = ctx.policy(l.circuit).customer or f"circuit {l.circuit.name}"
        key = (l.router.name, l.attachment.interface, outer)
        label = f"{l.circuit.name} {l.peering.short}"
        prev = seen.get(key)
        if prev is None:
            seen[key] = (kind, owner, label)
            continue
        pkind, powner, plabel = prev
        if pkind != kind:
            ctx.add("ER521", ctx.attachment_file(l.attachment), l.where,
                    f"{label} uses {kind} {outer} on {l.attachment.interface}, where {plabel} uses it as "
                    f"{pkind}: frames with outer tag {outer} would be ambiguous")
        elif kind == "S-tag" and powner != owner:
            ctx.add("ER521", ctx.attachment_file(l.attachment), l.where,
                    f"S-tag {outer} on {l.attachment.interface} carries {plabel} ({powner}) and {label} "
                    f"({owner}): one S-tag is one customer's")


def _interval(net: netaddr.IPNetwork) -> tuple[int, int, int]:
    return net.version, net.first, net.last


def _overlaps(items: list[tuple[tuple[int, int, int], object]]):
    """Pairs (outer, inner) of overlapping CIDR blocks (blocks nest or are disjoint): a sort and a sweep."""
    items = sorted(items, key=lambda x: (x[0][0], x[0][1], -x[0][2]))
    stack: list[tuple[tuple[int, int, int], object]] = []
    for iv, obj in items:
        while stack and (stack[-1][0][0] != iv[0] or stack[-1][0][2] < iv[1]):
            stack.pop()
        for outer in reversed(stack):
            yield outer[1], obj
        stack.append((iv, obj))


@check
def table_overlaps(ctx: Context) -> None:
    """ER524, per router and routing table: link subnets of two circuits overlap, or prefixes advertised
    by two customers do."""
    tables: dict[tuple[str, str | None], dict[str, list]] = {}
    done_adv: set[tuple] = set()
    for l in ctx.landings():
        asn = l.router.data.bgp_asn or l.peering.peer_asn or 0
        vrf, _, _ = csp.routing_table(ctx, l, asn)
        t = tables.setdefault((l.router.name, vrf), {"links": [], "adv": []})
        pol = ctx.policy(l.circuit)
        subnets = []
        if pol.connectivity == "ipvpn" and pol.ipvpn and getattr(pol.ipvpn, l.attachment.link):
            subnets.append(getattr(pol.ipvpn, l.attachment.link).address)
        else:
            src6 = l.peering.ipv6_peering_config
            subnets += [getattr(l.peering, f"{l.attachment.link}_peer_address_prefix"),
                        getattr(src6, f"{l.attachment.link}_peer_address_prefix") if src6 else None]
        for text in subnets:
            try:
                net = netaddr.IPNetwork(text) if text else None
            except (netaddr.AddrFormatError, ValueError, TypeError):
                net = None
            if net is not None:
                t["links"].append((_interval(net.cidr), (str(net.cidr), l)))
        owner = pol.customer
        for ipv6 in (False, True):
            texts, file, where = ctx.advertised(l, ipv6)
            for j, text in enumerate(texts):
                key = (l.router.name, vrf, l.circuit.name, text)
                if key in done_adv:
                    continue
                done_adv.add(key)
                try:
                    net = parse_prefix(text)
                except PrefixError:
                    continue
                if net.prefixlen == 0:
                    continue
                t["adv"].append((_interval(net), (text, owner, l, file, f"{where}[{j}]")))
    for (router, vrf), t in tables.items():
        table = f"VRF {vrf}" if vrf else "the global table"
        reported = set()
        for (a_txt, a), (b_txt, b) in _overlaps(t["links"]):
            if a.circuit.name == b.circuit.name or (b.circuit.name, a.circuit.name) in reported:
                continue
            reported.add((b.circuit.name, a.circuit.name))
            ctx.add("ER524", ctx.attachment_file(b.attachment), b.where,
                    f"on {router}, in {table}, {b.circuit.name}'s link {b_txt} overlaps {a.circuit.name}'s {a_txt}")
        for a, b in _overlaps(t["adv"]):
            if a[1] == b[1] or a[1] is None and b[1] is None:
                continue
            ctx.add("ER524", b[3], b[4], f"on {router}, in {table}, {b[0]} ({b[1] or 'no customer'}) overlaps "
                                         f"{a[0]} advertised for {a[1] or 'no customer'} ({a[2].circuit.name})")


@check
def customer_space(ctx: Context) -> None:
    """ER530 valid address space; ER525 another customer's prefix in a table that is not theirs;
    ER531 a customer's private peering advertising outside its own space."""
    space = _cached(ctx, "space", lambda: _space_index(ctx))
    if space.empty:
        return
    _check_advertisements(ctx, space)


class _Space:
    """Every customer's declared address space as sorted blocks, per IP version, each block packed in one
    integer (first address << 32 or 128 | last address) beside an array of owners. An IPv4 block fits in
    64 bits, so IPv4 blocks are held in an array (8 bytes each, no object); IPv6 blocks in a list of
    integers. Blocks are CIDR, so two either nest or are apart: the blocks containing a prefix are found
    by a bisect for each prefix length the index holds (a few), those inside it by a scan from its first
    address."""

    _BITS = {4: 32, 6: 128}

    def __init__(self) -> None:
        self.names: list[str] = []       # customers with a block, in the order they were added
        self._keys: dict[int, list[int] | array] = {4: [], 6: []}
        self._owners = {4: array("l"), 6: array("l")}     # index into names, one per key
        self._lengths: dict[int, set[int]] = {4: set(), 6: set()}   # the blocks' prefix lengths
        self._sorted: list[str] = []     # the same names sorted: "has space" by bisect (no set of 10,000)

    @property
    def empty(self) -> bool:
        return not (self._keys[4] or self._keys[6])

    def add(self, name: str, net: netaddr.IPNetwork) -> None:
        """A customer's blocks added one after the other share one entry in ``names`` (any order is right)."""
        if not self.names or self.names[-1] != name:
            self.names.append(name)
        v = net.version
        self._keys[v].append(net.first << self._BITS[v] | net.last)
        self._owners[v].append(len(self.names) - 1)
        self._lengths[v].add(net.prefixlen)

    def finish(self) -> None:
        for v, keys in self._keys.items():
            order = sorted(range(len(keys)), key=keys.__getitem__)
            ordered = (keys[j] for j in order)
            self._keys[v] = array("Q", ordered) if v == 4 else list(ordered)
            self._owners[v] = array("l", (self._owners[v][j] for j in order))
        self._sorted = sorted(self.names)

    def declares(self, name: str) -> bool:
        """The customer has address space (at least one valid block)."""
        i = bisect.bisect_left(self._sorted, name)
        return i < len(self._sorted) and self._sorted[i] == name

    def _exact(self, v: int, first: int, last: int) -> set[str]:
        out = set()
        keys, owners = self._keys[v], self._owners[v]
        k = first << self._BITS[v] | last
        i = bisect.bisect_left(keys, k)
        while i < len(keys) and keys[i] == k:
            out.add(self.names[owners[i]])
            i += 1
        return out

    def containing(self, net: netaddr.IPNetwork) -> set[str]:
        v, first = net.version, net.first
        bits = self._BITS[v]
        out: set[str] = set()
        for length in self._lengths[v]:
            if length <= net.prefixlen:
                size = 1 << (bits - length)
                f = first & ~(size - 1)
                out |= self._exact(v, f, f + size - 1)
        return out

    def overlapping(self, net: netaddr.IPNetwork) -> set[str]:
        """Customers with a block containing ``net`` or inside it."""
        out = self.containing(net)
        # every block of this version whose first address lies in net, in key order
        v, bits = net.version, self._BITS[net.version]
        keys, owners = self._keys[v], self._owners[v]
        i = bisect.bisect_left(keys, net.first << bits)
        end = (net.last + 1) << bits
        while i < len(keys) and keys[i] < end:
            out.add(self.names[owners[i]])
            i += 1
        return out


def _space_index(ctx: Context) -> _Space:
    space = _Space()
    for name, cust in ctx.all_customers():
        for j, text in enumerate(cust.prefixes):
            try:
                net = parse_prefix(text)
            except PrefixError as exc:
                if ctx.global_checks:
                    ctx.add("ER530", ctx.customer_file(name), f"prefixes[{j}]", str(exc))
                continue
            space.add(name, net)
    space.finish()
    return space


def _check_advertisements(ctx: Context, space: _Space) -> None:
    seen = set()
    for l in ctx.landings():
        pol = ctx.policy(l.circuit)
        asn = l.router.data.bgp_asn or l.peering.peer_asn or 0
        vrf, _, rt = csp.routing_table(ctx, l, asn)
        table_owner = pol.customer
        if vrf is not None and rt is None:     # a VRF named by a policy: whose is it?
            table_owner = _cached(ctx, "vrfs", lambda: _vrf_index(ctx)).owner(vrf) or table_owner
        for ipv6 in (False, True):
            texts, file, where = ctx.advertised(l, ipv6)
            for j, text in enumerate(texts):
                key = (l.circuit.name, l.peering.short, text, file, where)
                if key in seen:
                    continue
                seen.add(key)
                try:
                    net = parse_prefix(text)
                except PrefixError:
                    continue
                if net.prefixlen == 0:
                    continue
                mine = table_owner is not None and table_owner in space.containing(net)
                others = sorted(space.overlapping(net) - {table_owner})
                if others and not mine:
                    tname = f"VRF {vrf}" if vrf else "the global table"
                    ctx.add("ER525", file, f"{where}[{j}]",
                            f"{text} is in customer {others[0]}'s address space, but {l.circuit.name} advertises "
                            f"it in {tname}" + (f" ({table_owner}'s)" if table_owner else ""))
                elif (table_owner is not None and l.peering.kind is PeeringKind.private
                      and space.declares(table_owner) and not mine):
                    ctx.add("ER531", file, f"{where}[{j}]",
                            f"{text} is outside customer {table_owner}'s prefixes")


@check
def ipvpn_links(ctx: Context) -> None:
    """ER526-ER528: IPVPN needs the provider's ASN and addresses for each landed link."""
    landed: dict[str, set[str]] = {}
    for router, _, att in ctx.attachments():
        landed.setdefault(att.circuit.lower(), set()).add(att.link)
    for key, pol in ctx.inventory.circuits.items():
        f, base = ctx.policy_file(key), ctx.policy_where(key)
        if pol.connectivity != "ipvpn":
            if pol.ipvpn is not None:
                ctx.add("ER526", f, f"{base}.connectivity", "ipvpn: is given but connectivity is not ipvpn")
            continue
        if pol.ipvpn is None:
            ctx.add("ER526", f, f"{base}.ipvpn", "connectivity ipvpn needs ipvpn: provider_asn and the PE "
                                                 "addresses of each link")
            continue
        asn = pol.ipvpn.provider_asn
        if asn in INVALID or asn in AZURE_RESERVED or asn == MICROSOFT_ASN:
            ctx.add("ER528", f, f"{base}.ipvpn.provider_asn", f"{asn} is not a provider's ASN (reserved or "
                                                              "Microsoft's)")
        for link in sorted(landed.get(key.lower(), ())):
            pe = getattr(pol.ipvpn, link)
            where = f"{base}.ipvpn.{link}"
            if pe is None:
                ctx.add("ER526", f, where, f"the {link} link lands on a router but ipvpn has no {link}: "
                                           "address, neighbor, vlan")
                continue
            try:
                iface = netaddr.IPNetwork(pe.address)
                nb = netaddr.IPAddress(pe.neighbor)
            except (netaddr.AddrFormatError, ValueError):
                ctx.add("ER527", f, where, f"{pe.address} / {pe.neighbor} are not IPv4 addresses")
                continue
            net = iface.cidr
            problem = None
            if net.prefixlen not in (30, 31):
                problem = f"{pe.address} is a /{net.prefixlen}; a PE link is a /30 or /31"
            elif iface.ip not in (usable := set(net) if net.prefixlen == 31 else set(list(net)[1:-1])) \
                    or nb not in usable:
                problem = f"{pe.address} and {pe.neighbor} must both be usable addresses of {net}"
            elif iface.ip == nb:
                problem = f"the router and the PE both have {nb}"
            if problem:
                ctx.add("ER527", f, where, problem)
    for router in ctx.inventory.routers.values():
        pols = [ctx.policy(l.circuit) for l in _router_landings(ctx, router.name)]
        ipvpn_asns = {p.ipvpn.provider_asn for p in pols if p.connectivity == "ipvpn" and p.ipvpn}
        if not ipvpn_asns:
            continue
        where = f"{router.name}.data.bgp_asn"
        if router.data.bgp_asn is None:
            ctx.add("ER528", ctx.hosts_file, where, "with IPVPN the router's own ASN cannot come from Azure "
                                                    "(the circuit's peerASN is the provider's): set data.bgp_asn")
        elif router.data.bgp_asn in ipvpn_asns:
            ctx.add("ER528", ctx.hosts_file, where, f"{router.data.bgp_asn} is the provider's ASN; the router "
                                                    "needs its own")
