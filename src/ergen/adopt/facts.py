"""What ``ergen init --from-running`` learns from routers' running configs: which links and peerings each
router terminates (by Microsoft's addresses and the customer addresses of the circuit's /30s), on which
interface and tags, the BGP ASN and router ID, what it advertises, whether it uses MD5 (never the key),
BFD and maximum-prefix."""

from __future__ import annotations

from ergen.adopt.compare import _advertised_existing
from ergen.adopt.parsers import parse_running
from ergen.adopt.running import RunningConfig
from ergen.intent.addressing import link_addresses


def _link_facts(rc: RunningConfig, circuit, link: str):
    from ergen.onboard import PeeringFacts

    peerings, parent, s_tag = {}, None, None
    for p in circuit.peerings:
        if p.short not in ("private", "microsoft"):
            continue
        prefix = getattr(p, f"{link}_peer_address_prefix")
        if not prefix:
            continue
        try:
            v4 = link_addresses(prefix)
        except (ValueError, TypeError):
            continue
        v6 = None
        if p.ipv6_peering_config and getattr(p.ipv6_peering_config, f"{link}_peer_address_prefix"):
            try:
                v6 = link_addresses(getattr(p.ipv6_peering_config, f"{link}_peer_address_prefix"))
            except (ValueError, TypeError):
                v6 = None
        iface = next((i for i in rc.interfaces.values() if v4.customer.with_prefixlen in i.ipv4), None)
        n4 = rc.find_neighbor(v4.microsoft.address)
        n6 = rc.find_neighbor(v6.microsoft.address) if v6 else None
        if iface is None and n4 is None:
            continue
        facts = {}
        if iface is not None:
            parent = parent or iface.parent
            s_tag = s_tag if s_tag is not None else iface.s_tag
            if iface.c_tag is not None and iface.c_tag != p.vlan_id:
                facts["vlan"] = iface.c_tag
        for fam, n in ((4, n4), (6, n6)):
            if n is None:
                continue
            s = rc.effective(n)
            sent = sorted(_advertised_existing(rc, s, fam, n.vrf, []))
            if fam == 4:
                facts.update(advertise=tuple(sent), md5=s.key is not None, bfd=bool(s.bfd),
                             maximum_prefix=s.max_prefix)
            else:
                facts.update(advertise_ipv6=tuple(sent), maximum_prefix_ipv6=s.max_prefix)
                facts["md5"] = facts.get("md5", False) or s.key is not None
        peerings[p.short] = PeeringFacts(**facts)
    return parent, s_tag, peerings


def facts_from_running(circuits, platform: str, running: dict[str, tuple[str, str]]) -> dict:
    """{router: onboard.RouterFacts} from {router: (running config text, where it came from)}."""
    from ergen.onboard import LinkFacts, RouterFacts

    out = {}
    for router, (text, source) in running.items():
        rc = parse_running(platform, text, source)
        links = []
        for c in circuits:
            for link in ("primary", "secondary"):
                parent, s_tag, peerings = _link_facts(rc, c, link)
                if peerings:
                    links.append(LinkFacts(circuit=c.name, link=link, interface=parent, s_tag=s_tag,
                                           peerings=peerings))
        out[router] = RouterFacts(bgp_asn=rc.bgp_asn, router_id=rc.router_id, links=tuple(links))
    return out
