"""Build :class:`RouterIntent` for every router from checked circuits and the inventory.

Decisions made here (and nowhere else):

* addresses: the customer router takes the first usable address of each /30 and /126,
  Microsoft's edge the second (``intent.addressing``);
* which peerings land on which router interface, with which tags (router-side VLAN
  where the provider rewrites Azure's tag; S-tag from the inventory, or Azure's
  ``stag`` on ExpressRoute Direct QinQ ports);
* the standby link (active-standby): outbound AS-path prepend ×N of the peering's ASN
  and inbound local preference lower than on the active link; active-active: neither;
* filters: outbound only the inventory's prefixes (plus 0.0.0.0/0 when
  ``default_route``); inbound never a default route, on Microsoft peering no
  private or reserved space, and with ``accept_communities`` only routes carrying
  one of those communities;
* maximum-prefix per session (inventory, or Azure's limits toward on-premises:
  1,000 IPv4 and 100 IPv6 prefixes on private peering).
"""

from __future__ import annotations

from functools import lru_cache

import netaddr

from ergen.errors import InputError, RenderError
from ergen.intent import naming
from ergen.intent import customers as csp
from ergen.intent.addressing import Prefix, link_addresses, pe_addresses
from ergen.communities import community_value
from ergen.intent.model import (BfdProfile, BgpInstance, CircuitSummary, CommunityList, Macsec,
                                MaximumPrefix, Neighbor, PrefixList, PrefixListEntry, RouteMap,
                                RouteMapEntry, RouterIntent, Shaper, SourceNat, StaticRoute,
                                Subinterface, Vrf)
from ergen.model.circuit import PeeringKind
from ergen.platforms import subinterface
from ergen.rules.engine import Context, Landing
from ergen.rules.asn import MICROSOFT_ASN
from ergen.sites import engineering, ibgp_mesh, site_of

DEFAULT_MAX_PREFIX = {("private", 4): 1000, ("private", 6): 100,
                      ("microsoft", 4): 4000, ("microsoft", 6): 1000}
_BOGONS_V4 = ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
              "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")
_BOGONS_V6 = ("fc00::/7", "fe80::/10", "ff00::/8")


def build_intents(ctx: Context) -> list[RouterIntent]:
    """One RouterIntent per router with at least one landing, in inventory order."""
    by_router: dict[str, list[Landing]] = {}
    for landing in ctx.landings():
        by_router.setdefault(landing.router.name, []).append(landing)
    return [_router(ctx, landings) for landings in by_router.values()]


_CIPHERS = {"gcmaes128": "gcm-aes-128", "gcmaes256": "gcm-aes-256",
            "gcmaesxpn128": "gcm-aes-xpn-128", "gcmaesxpn256": "gcm-aes-xpn-256"}


def _router(ctx: Context, landings: list[Landing]) -> RouterIntent:
    router = landings[0].router
    landings = sorted(landings, key=lambda l: (l.index, l.peering.kind is not PeeringKind.private))
    bgp_asn = router.data.bgp_asn or landings[0].peering.peer_asn
    both_links = _circuits_with_both_links(landings)
    used: set[str] = set()

    circuits: dict[tuple[str, str], CircuitSummary] = {}
    bfd: dict[str, BfdProfile] = {}
    interfaces, prefix_lists, route_maps = [], [], []
    community_lists: dict[str, CommunityList] = {}
    instances: dict[str | None, dict] = {None: {"rd": None, "neighbors": [], "networks": {}}}
    vrfs: dict[str, Vrf] = {}
    statics: dict[tuple[str | None, str], StaticRoute] = {}
    shapers: dict[str, Shaper] = {}
    nats: list[SourceNat] = []
    macsecs: dict[str, Macsec] = {}

    for l in landings:
        c, p, att = l.circuit, l.peering, l.attachment
        pol = ctx.policy(c)
        ppol = getattr(pol, p.short)
        tag = naming.circuit_tag(c.name, pol.tag)
        used.add(f"{p.short}_peering")
        port = c.express_route_port
        circuits.setdefault((c.name, att.link), CircuitSummary(
            name=c.name, link=att.link, service_key=c.service_key,
            provider=c.service_provider_name or ("ExpressRoute Direct" if c.is_direct else None),
            peering_location=c.peering_location or (port.peering_location if port else None),
            bandwidth=c.bandwidth_label,
            owned_prefix=naming.owned_prefix(tag)))
        profile = None
        if pol.bfd:
            profile = bfd.setdefault(tag, BfdProfile(naming.bfd_profile(tag)))
            used.add("bfd")

        # -- the subinterface, in its VRF
        s_tag, c_tag = ctx.tags(l)
        cust = ctx.customer_of(c)
        ipvpn = pol.ipvpn if pol.connectivity == "ipvpn" else None
        pe = getattr(ipvpn, att.link) if ipvpn else None
        if ipvpn is not None and pe is None:  # validate() reports ER526 first
            raise InputError(f"ipvpn has no {att.link} link", file=ctx.policy_file(c),
                             field=f"{ctx.policy_key(c)}.ipvpn.{att.link}", code="ER526")
        used.add("qinq" if s_tag is not None else "dot1q")
        try:
            ifname, unit = subinterface(router.platform, att.interface, c_tag, s_tag)
        except RenderError as exc:
            raise RenderError(exc.message, file=ctx.attachment_file(att), field=f"{l.where}.interface") from None
        other = next((i for i in interfaces if i.name == ifname), None)
        if other is not None:
            raise RenderError(f"{c.name} {p.short} peering and {other.circuit} {other.peering} peering would share "
                              f"the subinterface {ifname} on {router.platform}; give one a router-side vlan",
                              file=ctx.attachment_file(att), field=f"{l.where}.interface", code="ER304")
        vrf, rd, rt = csp.routing_table(ctx, l, bgp_asn)
        if vrf:
            used.add("vrf")
        if pe is not None:
            v4, v6 = pe_addresses(pe.address, pe.neighbor), None
        else:
            v4 = link_addresses(_link_prefix(p, att.link, 4))
            v6_prefix = _link_prefix(p, att.link, 6)
            v6 = link_addresses(v6_prefix) if v6_prefix else None
        if v6:
            used.add("ipv6")
        nat = ppol.nat if p.kind is PeeringKind.microsoft else None
        interfaces.append(Subinterface(
            name=ifname, parent=att.interface, unit=unit, c_tag=c_tag, s_tag=s_tag,
            description=(f"IPVPN {ipvpn.provider_asn} {att.link} link for ExpressRoute {c.name} {p.short}"
                         if ipvpn else f"ExpressRoute {c.name} {p.short} peering {att.link} link")
                        + (f" skey {c.service_key}" if c.service_key else "")
                        + (f" customer {cust[0]}" if cust else ""),
            ipv4=v4.customer, ipv6=v6.customer if v6 else None, bfd=profile,
            circuit=c.name, peering=p.short, link=att.link, vrf=vrf, nat_outside=nat is not None))
        inst = instances.setdefault(vrf, {"rd": None, "neighbors": [], "networks": {}})
        if vrf:
            descr = owner = None
            if rt is not None:
                owner, descr = cust[0], cust[1].description or f"customer {cust[0]}"
            inst["rd"] = rd
            inst["rt"] = rt
            fams = (4, 6) if v6 else (4,)
            old = vrfs.get(vrf)
            vrfs[vrf] = Vrf(vrf, rd, tuple(sorted(set(fams) | set(old.families if old else ()))),
                            route_target=rt, description=descr, customer=owner)

        # -- shaper on the parent, MACsec on the Direct port
        if pol.shape and c.bandwidth_bps:
            shapers.setdefault(att.interface, Shaper(naming.shaper(tag), att.interface, c.bandwidth_bps, c.name))
            used.add("shaper")
        if pol.macsec and port and port.macsec_cipher and att.interface not in macsecs:
            where = f"{ctx.policy_key(c)}.macsec"
            ckn = ctx.secret(pol.macsec.ckn, ctx.policy_file(c), f"{where}.ckn")
            cak = ctx.secret(pol.macsec.cak, ctx.policy_file(c), f"{where}.cak")
            if ckn is None or cak is None:
                raise InputError("MACsec keys cannot be read", file=ctx.policy_file(c), field=where, code="ER704")
            macsecs[att.interface] = Macsec(
                naming.macsec(tag), att.interface, _CIPHERS[port.macsec_cipher.lower()], ckn, cak,
                include_sci=(port.macsec_sci_state or "").lower() == "enabled")
            used.add("macsec")

        # -- policy for this link
        standby = pol.redundancy == "active-standby" and att.link != pol.active_link
        local_pref = None
        if pol.redundancy == "active-standby":
            local_pref = pol.local_preference_standby if standby else pol.local_preference_active
            used.update(("prepend", "local_preference"))
        site_te = engineering(ctx.inventory, c.name, standby=standby, prepend=pol.prepend)
        if site_te is not None:     # a site of several circuits: the circuit's role decides, then the link
            local_pref = site_te[0]
            used.update(("prepend", "local_preference"))
        drained = ctx.drains.get((c.name, att.link, p.short)) or ctx.drains.get((c.name, att.link))
        if drained is not None:
            local_pref = drained.local_preference
            used.update(("prepend", "local_preference"))
        link_tag = att.link if (c.name in both_links) else None
        md5 = None
        md5_ref, md5_where = ((ipvpn.md5_key, "ipvpn.md5_key") if ipvpn else (ppol.md5_key, f"{p.short}.md5_key"))
        if md5_ref:
            md5 = ctx.secret(md5_ref, ctx.policy_file(c), f"{ctx.policy_key(c)}.{md5_where}")
            if md5 is None:  # validate() reports ER704 first; only direct callers reach this
                raise InputError(f"secret {md5_ref} cannot be read", file=ctx.policy_file(c),
                                 field=f"{ctx.policy_key(c)}.{md5_where}", code="ER704")
            used.add("md5")
        comm_list = None
        if ppol.accept_communities:
            comm_list = naming.community_list(tag, p.short, link_tag)
            community_lists.setdefault(comm_list, CommunityList(comm_list, tuple(dict.fromkeys(
                community_value(n) for n in ppol.accept_communities))))
            used.add("communities")

        for family, addrs in ((4, v4), (6, v6)):
            if addrs is None:
                continue
            adv_text, _, _ = ctx.advertised(l, ipv6=family == 6)
            advertise = [Prefix.of(t) for t in adv_text]
            if family == 4 and ppol.default_route and p.kind is PeeringKind.private:
                advertise.insert(0, Prefix.of("0.0.0.0/0"))
                used.add("default_route")
            rm_in = naming.route_map(tag, p.short, family, "in", link_tag)
            rm_out = naming.route_map(tag, p.short, family, "out", link_tag)
            pl_in = naming.prefix_list(tag, p.short, family, "in", link_tag)
            pl_out = naming.prefix_list(tag, p.short, family, "out", link_tag)
            prefix_lists.append(PrefixList(pl_in, family, _inbound_entries(p.kind, family)))
            prefix_lists.append(PrefixList(pl_out, family, _outbound_entries(advertise, family)))
            route_maps.append(RouteMap(rm_in, family, (
                RouteMapEntry(10, "permit", pl_in, match_community_list=comm_list,
                              set_local_preference=local_pref),)))
            prepend = tuple([bgp_asn if ipvpn else p.peer_asn] * pol.prepend) if standby else ()
            if site_te is not None:
                prepend = tuple([bgp_asn if ipvpn else p.peer_asn] * site_te[1])
            if drained is not None:
                prepend = tuple([bgp_asn if ipvpn else p.peer_asn] * drained.prepend)
            route_maps.append(RouteMap(rm_out, family, (
                RouteMapEntry(10, "permit", pl_out, set_as_path_prepend=prepend),)))
            limit = (ppol.maximum_prefix if family == 4 else ppol.maximum_prefix_ipv6) \
                or DEFAULT_MAX_PREFIX[(p.short, family)]
            used.add("maximum_prefix")
            inst["neighbors"].append(Neighbor(
                address=addrs.microsoft.address, family=family,
                remote_as=ipvpn.provider_asn if ipvpn else (p.azure_asn or MICROSOFT_ASN),
                local_as=p.peer_asn if (p.peer_asn != bgp_asn and not ipvpn) else None,
                description=(f"IPVPN provider PE {att.link} {c.name} {p.short}" if ipvpn
                             else f"Microsoft edge {att.link} {c.name} {p.short}"),
                md5=md5, bfd=profile, route_map_in=rm_in, route_map_out=rm_out,
                maximum_prefix=MaximumPrefix(limit), interface=ifname,
                circuit=c.name, peering=p.short, link=att.link, standby=standby, vrf=vrf,
                provider_pe=ipvpn is not None, shutdown=bool(drained and drained.shutdown),
                drained=drained is not None))
            for pfx in advertise:
                # 0.0.0.0/0 too: advertised while the router has a default route of its own
                inst["networks"].setdefault(pfx.cidr, pfx)
                if ppol.anchor_routes and not pfx.is_default:  # never a discard default
                    statics.setdefault((vrf, pfx.cidr), StaticRoute(pfx, vrf=vrf))

        if nat is not None:
            used.add("nat")
            pool = Prefix.of(nat.pool)
            net = netaddr.IPNetwork(pool.cidr)
            first, last = (net[0], net[-1]) if net.size <= 2 else (net[1], net[-2])
            if net.prefixlen == 32:
                first = last = net[0]
            nats.append(SourceNat(
                pool_name=naming.nat_pool(tag), acl_name=naming.nat_acl(tag), pool=pool,
                first=str(first), last=str(last), inside=tuple(Prefix.of(x) for x in nat.inside),
                outside_interfaces=(ifname,), inside_interfaces=tuple(att.nat_inside)))

    tunnels = ()
    if router.data.ipsec:
        from ergen.intent.ipsec import build_tunnels
        tunnels, nbs, pls, rms, nets = build_tunnels(
            ctx, router, lambda c: naming.circuit_tag(c.name, ctx.policy(c).tag), bgp_asn)
        used.add("ipsec")
        prefix_lists += pls
        route_maps += rms
        instances[None]["neighbors"] += nbs
        for p in nets:
            # no discard anchor here: these are more specific than what the router really routes, and a
            # discard route for them would win over the real, shorter routes (longest match)
            instances[None]["networks"].setdefault(p.cidr, p)
    # iBGP between the site's routers (sites.yaml ibgp), in the table of the site's private peering
    site_name = next((found[0] for i in interfaces
                      if (found := site_of(ctx.inventory, i.circuit)) and router.name in found[1].ibgp), None)
    if site_name is not None:
        site = ctx.inventory.sites[site_name]
        first = next((l for l in landings if any(c.lower() == l.circuit.name.lower() for c in site.circuits)))
        vrf = next((i.vrf for i in interfaces if i.peering == "private" and any(
            c.lower() == i.circuit.lower() for c in site.circuits)), None)
        tag = naming.circuit_tag(first.circuit.name, ctx.policy(first.circuit).tag)
        mesh = ibgp_mesh(ctx.inventory, site_name, router.name, bgp_asn, tag, vrf)
        if mesh:
            instances.setdefault(vrf, {"rd": None, "neighbors": [], "networks": {}})["ibgp"] = mesh
            used.add("ibgp")
    bgp = tuple(BgpInstance(vrf=k, rd=v["rd"], neighbors=tuple(v["neighbors"]),
                            networks=tuple(v["networks"].values()), route_target=v.get("rt"),
                            ibgp=tuple(v.get("ibgp", ())))
                for k, v in instances.items() if k is None or v["neighbors"])
    secrets = {n.md5.ref: n.md5 for b in bgp for n in b.neighbors if n.md5}
    for m in macsecs.values():
        secrets.update({m.ckn.ref: m.ckn, m.cak.ref: m.cak})
    for t in tunnels:
        secrets[t.psk.ref] = t.psk
    return RouterIntent(
        name=router.name, hostname=router.hostname, platform=router.platform, bgp_asn=bgp_asn,
        router_id=router.data.router_id, circuits=tuple(circuits.values()),
        bfd_profiles=tuple(bfd.values()), parents=tuple(dict.fromkeys(i.parent for i in interfaces)),
        interfaces=tuple(interfaces),
        prefix_lists=tuple(prefix_lists), community_lists=tuple(community_lists.values()),
        route_maps=tuple(route_maps), bgp=bgp, vrfs=tuple(vrfs.values()),
        static_routes=tuple(sorted(statics.values(), key=lambda s: (s.vrf or "", s.prefix.version))),
        shapers=tuple(shapers.values()), nat=tuple(nats), macsec=tuple(macsecs.values()), ipsec=tuple(tunnels),
        features=frozenset(used), secrets=tuple(secrets.values()))


def _circuits_with_both_links(landings: list[Landing]) -> set[str]:
    links: dict[str, set[str]] = {}
    for l in landings:
        links.setdefault(l.circuit.name, set()).add(l.attachment.link)
    return {c for c, s in links.items() if len(s) == 2}


def _link_prefix(peering, link: str, family: int) -> str | None:
    src = peering if family == 4 else peering.ipv6_peering_config
    if src is None:
        return None
    return getattr(src, f"{link}_peer_address_prefix")


@lru_cache(maxsize=8)
def _inbound_entries(kind: PeeringKind, family: int) -> tuple[PrefixListEntry, ...]:
    """Never accept a default route; on Microsoft peering also no private or reserved space."""
    default = Prefix.of("0.0.0.0/0" if family == 4 else "::/0")
    entries = [PrefixListEntry(10, "deny", default)]
    if kind is PeeringKind.microsoft:
        for i, b in enumerate(_BOGONS_V4 if family == 4 else _BOGONS_V6):
            pfx = Prefix.of(b)
            entries.append(PrefixListEntry(20 + 10 * i, "deny", pfx, le=32 if family == 4 else 128))
    entries.append(PrefixListEntry(entries[-1].seq + 10, "permit", default, le=32 if family == 4 else 128))
    return tuple(entries)


def _outbound_entries(advertise: list[Prefix], family: int) -> tuple[PrefixListEntry, ...]:
    """Exactly the prefixes to advertise; an explicit deny-all when there are none, because on
    IOS a route map that matches an empty (so missing) prefix list matches everything."""
    if not advertise:
        default = Prefix.of("0.0.0.0/0" if family == 4 else "::/0")
        return (PrefixListEntry(10, "deny", default, le=32 if family == 4 else 128),)
    return tuple(PrefixListEntry(10 * (i + 1), "permit", pfx) for i, pfx in enumerate(advertise))
