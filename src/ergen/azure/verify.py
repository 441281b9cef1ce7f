"""``ergen verify``: Azure's own view of each link against the intent.

After a change, ask Microsoft's edge (through Resource Manager) what it sees on every peering and
device path (primary, secondary): its ARP table (does it see the customer router's address?) and
its route table summary (the BGP session, and how many prefixes it receives from the router). The
intent says what should be there: the router's address on that link, its ASN, and the prefixes its
outbound prefix list lets through. :func:`compare` needs no SDK; :func:`verify` fetches the tables.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

from ergen.errors import InputError


@dataclass(frozen=True)
class Expected:
    """One BGP session of the intent towards Microsoft's edge."""

    router: str
    circuit: str
    peering: str            # private | microsoft
    peering_name: str       # Azure's name: AzurePrivatePeering | MicrosoftPeering
    link: str               # primary | secondary (Azure's device path)
    family: int
    customer: str           # the router's address on the link
    microsoft: str          # Microsoft's edge address
    asn: int                # the ASN the router speaks to Microsoft
    advertised: tuple[str, ...]
    interface: str
    vlan: int | None = None
    prepend: int = 0        # times the router's ASN is prepended toward Microsoft (standby link, drain)
    drained: bool = False


@dataclass
class LinkCheck:
    router: str
    circuit: str
    peering: str
    link: str
    family: int
    customer: str
    arp: str                # what Microsoft's ARP table says about the router ("-" for IPv6)
    bgp: str                # the session state on Microsoft's edge
    received: int | None    # prefixes Microsoft's edge receives from the router
    advertised: int         # prefixes the intent advertises
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        return f"{self.router} {self.link} {self.peering} IPv{self.family}"

    def as_dict(self) -> dict[str, Any]:
        return {"router": self.router, "circuit": self.circuit, "peering": self.peering, "link": self.link,
                "family": self.family, "customer_address": self.customer, "arp": self.arp, "bgp": self.bgp,
                "received": self.received, "advertised": self.advertised, "ok": self.ok,
                "problems": self.problems}


@dataclass
class VerifyReport:
    checks: list[LinkCheck]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "links": [c.as_dict() for c in self.checks]}


def expected_sessions(intents, circuits) -> list[Expected]:
    """Every ExpressRoute BGP session of the intents (IPsec tunnel sessions are not Microsoft's edge, and
    with IPVPN the router's session is with the provider's PE: Azure's tables show the PE, not us)."""
    from ergen.lab.policy import permitted_prefixes

    by_name = {c.name: c for c in circuits}
    out = []
    for it in intents:
        subs = {s.name: s for s in it.interfaces}
        pls = {p.name: p for p in it.prefix_lists}
        for n in it.neighbors:
            if n.tunnel is not None or n.provider_pe or n.interface not in subs:
                continue
            sub = subs[n.interface]
            circuit = by_name[n.circuit]
            peering = circuit.peering(n.peering)
            addr = sub.ipv4 if n.family == 4 else sub.ipv6
            if peering is None or addr is None:
                continue
            pl = pls.get(f"{n.route_map_out}-PFX")
            rm = next((m for m in it.route_maps if m.name == n.route_map_out), None)
            prepend = len(rm.entries[0].set_as_path_prepend) if rm and rm.entries else 0
            out.append(Expected(router=it.name, circuit=n.circuit, peering=n.peering, peering_name=peering.name,
                                link=n.link, family=n.family, customer=addr.address, microsoft=n.address,
                                asn=n.local_as or it.bgp_asn,
                                advertised=tuple(permitted_prefixes(pl)) if pl else (), interface=sub.name,
                                vlan=sub.c_tag, prepend=prepend,
                                drained=n.drained))
    return out


def _same(a: Any, b: str) -> bool:
    try:
        return ipaddress.ip_address(str(a).strip()) == ipaddress.ip_address(b)
    except ValueError:
        return False


def _lower(row: dict) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in row.items()}


def compare(expected: list[Expected], tables: dict[tuple[str, str, str], Any]) -> VerifyReport:
    """``tables[(circuit, peering_name, link)]`` holds ``.arp`` and ``.routes`` (Azure's rows)."""
    checks = []
    # layer 2 per link, from the IPv4 ARP entry (Azure's ARP table has no IPv6 neighbours)
    seen_l2 = {}
    for e in expected:
        if e.family == 4:
            arp_rows = [_lower(r) for r in tables[(e.circuit, e.peering_name, e.link)].arp]
            seen_l2[(e.router, e.circuit, e.peering, e.link)] = any(
                _same(r.get("ipaddress"), e.customer) for r in arp_rows)
    for e in expected:
        t = tables[(e.circuit, e.peering_name, e.link)]
        arp_rows = [_lower(r) for r in t.arp]
        route_rows = [_lower(r) for r in t.routes]
        problems: list[str] = []
        l2 = seen_l2.get((e.router, e.circuit, e.peering, e.link), True)
        if e.family == 4:
            mine = [r for r in arp_rows if _same(r.get("ipaddress"), e.customer)]
            onprem = [r for r in arp_rows if str(r.get("interface", "")).lower().replace("-", "") == "onprem"]
            if mine and str(mine[0].get("macaddress") or "").strip().lower() not in ("", "incomplete"):
                arp = f"{e.customer} {mine[0].get('macaddress')}"
            elif onprem:
                other = onprem[0]
                arp = f"{other.get('ipaddress')} {other.get('macaddress') or ''}".strip()
                problems.append(f"Microsoft's edge sees {other.get('ipaddress')} on this link, not the router's "
                                f"{e.customer}: check the address on {e.interface}")
            else:
                arp = "none"
                tag = f"VLAN {e.vlan}" if e.vlan is not None else "the VLAN"
                problems.append(f"Microsoft's edge has no ARP entry for the router ({e.customer}): check {tag} at "
                                f"the provider, that {e.interface} is up and has {e.customer}")
        else:
            arp = "-"
        # BGP: the session on Microsoft's edge and the prefixes it receives
        row = next((r for r in route_rows if _same(r.get("neighbor"), e.customer)), None)
        received: int | None = None
        if row is None:
            bgp = "absent"
            problems.append(f"Azure's route summary has no neighbor {e.customer}: Microsoft's edge has no IPv{e.family} "
                            f"session for this peering and link")
        else:
            state = str(row.get("statepfxrcd") if row.get("statepfxrcd") is not None else "").strip()
            updown = str(row.get("updown") or "").strip()
            if state.isdigit():
                received = int(state)
                bgp = "Established" + (f" {updown}" if updown else "")
            else:
                bgp = state or "unknown"
                why = (f"the MD5 key, the neighbor address {e.microsoft} and AS {e.asn} on the router" if l2
                       else "layer 2 first (no ARP entry for the router on this link)")
                problems.append(f"BGP is {bgp} on Microsoft's edge (up/down {updown or '?'}): check {why}")
            peer_as = row.get("as")
            if peer_as not in (None, "") and str(peer_as).strip() != str(e.asn):
                problems.append(f"Microsoft's edge sees AS {peer_as}, the intent speaks AS {e.asn}")
            if received is not None and received != len(e.advertised):
                more = ""
                if received < len(e.advertised) and any(p in ("0.0.0.0/0", "::/0") for p in e.advertised):
                    more = " (the default route is advertised only while the router has one)"
                elif received < len(e.advertised) and e.peering == "microsoft":
                    more = " (Microsoft peering takes only prefixes in advertisedPublicPrefixes, once validated)"
                problems.append(f"Microsoft's edge receives {received} prefix(es), the intent advertises "
                                f"{len(e.advertised)} ({', '.join(e.advertised) or 'none'}){more}")
        checks.append(LinkCheck(router=e.router, circuit=e.circuit, peering=e.peering, link=e.link, family=e.family,
                                customer=e.customer, arp=arp, bgp=bgp, received=received,
                                advertised=len(e.advertised), problems=problems))
    return VerifyReport(checks)


def as_path_problems(e: Expected, rows: list[dict]) -> list[str]:
    """Azure's route table of one link (``network``, ``path`` per route): the router's prefixes arrive with
    its ASN as many times as the intent prepends, plus its own (a drained or standby link: longer)."""
    problems = []
    mine = {str(r.get("network", "")).strip(): str(r.get("path", "")).split() for r in (_lower(x) for x in rows)}
    want = 1 + e.prepend
    for p in e.advertised:
        if p in ("0.0.0.0/0", "::/0"):
            continue
        path = mine.get(p)
        if path is None:
            continue        # the summary's prefix count says whether it arrived
        got = sum(1 for a in path if a == str(e.asn))
        if got != want:
            what = "drained" if e.drained else ("standby" if e.prepend else "active")
            problems.append(f"Azure's route table has {p} with AS path '{' '.join(path)}': {got} x AS {e.asn}, the "
                            f"intent sends {want} ({what} link" + (f", {e.prepend} prepends)" if e.prepend else ")"))
    return problems


def verify(circuits, intents, *, cloud: str = "public", credential=None, endpoint: str | None = None,
           session=None, routes: bool = False) -> VerifyReport:
    """Fetch Azure's ARP table and route summary of every peering and link the intents use; compare."""
    from ergen.azure import live

    expected = expected_sessions(intents, circuits)
    if not expected:
        raise InputError("no router of the inventory has a BGP session towards Microsoft on these circuits",
                         field="--inventory")
    wanted: dict[str, set[tuple[str, str]]] = {}
    for e in expected:
        wanted.setdefault(e.circuit, set()).add((e.peering_name, e.link))
    by_name = {c.name: c for c in circuits}
    own = session is None
    s = session or live.Session(cloud=cloud, credential=credential, endpoint=endpoint)
    tables = {}
    try:
        for name, pairs in wanted.items():
            c = by_name[name]
            if not c.id:
                raise InputError(f"circuit {name} has no id, so ergen cannot tell where it is in Azure; give "
                                 "--from-azure SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT", file=c.source_file, field="id")
            ref = live.parse_id(c.id, "expressRouteCircuits", field="id")
            for t in live.link_tables(s, ref, sorted(pairs)):
                tables[(name, t.peering, t.path)] = t
            if routes:          # the full route table: the AS path Azure sees for each prefix
                for (peering, path), rows in live.route_tables(s, ref, sorted(pairs)).items():
                    tables[(name, peering, path)].table = rows
    finally:
        if own:
            s.close()
    report = compare(expected, tables)
    if routes:
        by = {(c.router, c.circuit, c.peering, c.link, c.family): c for c in report.checks}
        for e in expected:
            if e.family != 4:
                continue        # Azure's route table lists the IPv4 routes
            check = by.get((e.router, e.circuit, e.peering, e.link, e.family))
            rows = getattr(tables[(e.circuit, e.peering_name, e.link)], "table", [])
            if check is not None:
                check.problems += as_path_problems(e, rows)
    return report
