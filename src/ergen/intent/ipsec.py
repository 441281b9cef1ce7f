"""IPsec over ExpressRoute: one route-based IKEv2 tunnel per gateway instance, BGP inside.

Proposals: the connection's custom ipsecPolicies, else what Azure's route-based gateways accept by
default (IKEv2 AES256/SHA256 with DH group 2, ESP GCM-AES256 or AES256/SHA1 without PFS; IKE 28,800 s,
ESP 27,000 s and 102,400,000 KB; expressroute-facts.md §5). MSS 1350 and MTU 1400 per Microsoft's
guidance. Azure does not initiate BGP from APIPA addresses, so the router peers actively.
"""

from __future__ import annotations

from ergen.errors import InputError
from ergen.intent import naming
from ergen.intent.addressing import Prefix
from ergen.intent.model import (EspProposal, IkeProposal, IpsecTunnel, MaximumPrefix, Neighbor, PrefixList,
                                PrefixListEntry, RouteMap, RouteMapEntry)
from ergen.rules.ipsec import DEFAULT_GATEWAY_ASN

_ENC = {"aes256": "aes256", "aes192": "aes192", "aes128": "aes128", "gcmaes256": "aes256gcm16",
        "gcmaes192": "aes192gcm16", "gcmaes128": "aes128gcm16", "des3": "3des", "des": "des"}
_INT = {"sha384": "sha384", "sha256": "sha256", "sha1": "sha1", "md5": "md5"}
_DH = {"dhgroup24": 24, "ecp384": 20, "ecp256": 19, "dhgroup14": 14, "dhgroup2048": 14, "dhgroup2": 2,
       "dhgroup1": 1}
_PFS = {"pfs24": 24, "ecp384": 20, "ecp256": 19, "pfs2048": 14, "pfs14": 14, "pfs2": 2, "pfs1": 1, "none": None}

TUNNEL_LOCAL_PREF = 200
DEFAULT_IKE = (IkeProposal("aes256", "sha256", 2), IkeProposal("aes256", "sha1", 2))
DEFAULT_ESP = (EspProposal("aes256gcm16", None, None), EspProposal("aes256", "sha1", None))


VWAN_ESP_LIFETIME_S = 3600   # what a Virtual WAN hub's device configuration file gives (facts §5)


def proposals(conn) -> tuple[tuple[IkeProposal, ...], tuple[EspProposal, ...], dict]:
    if not conn.ipsec_policies:
        return DEFAULT_IKE, DEFAULT_ESP, ({"esp_lifetime_s": VWAN_ESP_LIFETIME_S} if conn.kind == "vwan" else {})
    p = conn.ipsec_policies[0]
    ike_enc = _ENC[p.ike_encryption.lower()]
    ike_int = _INT.get(p.ike_integrity.lower(), "sha256")  # GCM IKE integrity: the PRF stays SHA-2
    ike = (IkeProposal(ike_enc, ike_int, _DH[p.dh_group.lower()]),)
    enc = _ENC[p.ipsec_encryption.lower()]
    integ = None if enc.endswith("gcm16") else _INT[p.ipsec_integrity.lower()]
    esp = (EspProposal(enc, integ, _PFS[p.pfs_group.lower()]),)
    life = {}
    if p.sa_lifetime_seconds:
        life["esp_lifetime_s"] = p.sa_lifetime_seconds
    if p.sa_data_size_kilobytes:
        life["esp_lifetime_kb"] = p.sa_data_size_kilobytes
    return ike, esp, life


def build_tunnels(ctx, router, tag_of, bgp_asn: int):
    """(tunnels, neighbors, prefix lists, route maps, networks) for one router's ``data.ipsec``."""
    tunnels, neighbors, pls, rms, nets = [], [], [], [], []
    for i, att in enumerate(router.data.ipsec):
        where = f"{router.name}.data.ipsec[{i}]"
        conn = ctx.connection(att.connection)
        gw = ctx.gateway_of(conn)
        circuit = ctx.circuit(att.circuit)
        tag = tag_of(circuit)
        psk = ctx.secret(att.psk, ctx.hosts_file, f"{where}.psk")
        if psk is None:
            raise InputError(f"secret {att.psk} cannot be read", file=ctx.hosts_file, field=f"{where}.psk",
                             code="ER704")
        ike, esp, life = proposals(conn)
        advertise = tuple(Prefix.of(t) for t in att.advertise)
        # the gateway's address goes over the peering: a host route via this router's Microsoft edge
        # (else the VNet route learned through the tunnel would carry the tunnel itself)
        link = next((a.link for a in router.data.expressroute if a.circuit.lower() == circuit.name.lower()), None)
        peering = circuit.peering(att.over)
        hop = None
        if link and peering is not None:
            from ergen.intent.addressing import link_addresses
            hop = link_addresses(getattr(peering, f"{link}_peer_address_prefix")).microsoft.address
        custom = {c.ip_configuration_id.lower(): c.address for c in conn.custom_bgp_addresses}
        vwan = conn.kind == "vwan"
        junos = router.platform.startswith("junos")   # one lo0 unit per routing instance: the source's
        if vwan:
            # one BGP address on premises for both hub instances: the site link's (or the inventory's)
            _, link_ = ctx.site_link_of(conn)
            site_bgp = att.bgp_addresses[0] if att.bgp_addresses else (link_.bgp_address if link_ else None)
            hub = (gw.hub_id or "").rstrip("/").rsplit("/", 1)[-1] or None
        for k, inst in enumerate(gw.instances):
            remote = inst.private_ip if att.over == "private" else inst.public_ip
            if vwan:   # over ExpressRoute the site's BGP address is not APIPA: the hub's default addresses
                azure_bgp, inner_local = inst.bgp_ip, site_bgp
            else:
                azure_bgp = custom.get((inst.ip_configuration_id or "").lower()) or \
                    (inst.apipa_bgp_ips[0] if inst.apipa_bgp_ips else inst.bgp_ip)
                inner_local = att.bgp_addresses[k]
            name = f"{naming.owned_prefix(tag)}VPN{k}"
            tunnels.append(IpsecTunnel(
                name=name, index=k, number=100 + 10 * i + k, local_address=att.local_address,
                local_interface=att.local_interface, remote_address=remote, remote_name=inst.name, psk=psk,
                ike=ike, esp=esp, inner_local=inner_local, inner_remote=azure_bgp,
                remote_as=gw.bgp_asn or DEFAULT_GATEWAY_ASN, advertise=advertise, over=att.over,
                circuit=circuit.name, underlay_next_hop=hop,
                inner_interface=(att.bgp_interface or (att.local_interface if junos else None)) if vwan else None,
                hub=hub if vwan else None, **life))
        rm_in, rm_out = f"{naming.owned_prefix(tag)}VPN-IN", f"{naming.owned_prefix(tag)}VPN-OUT"
        pl_in, pl_out = f"{rm_in}-PFX", f"{rm_out}-PFX"
        pls.append(PrefixList(pl_in, 4, (PrefixListEntry(10, "deny", Prefix.of("0.0.0.0/0")),
                                         PrefixListEntry(20, "permit", Prefix.of("0.0.0.0/0"), le=32))))
        pls.append(PrefixList(pl_out, 4, tuple(PrefixListEntry(10 * (j + 1), "permit", p)
                                               for j, p in enumerate(advertise)) or
                              (PrefixListEntry(10, "deny", Prefix.of("0.0.0.0/0"), le=32),)))
        # routes learned through the tunnels win over the same routes from the peering: traffic to Azure
        # goes encrypted (Azure, for its part, prefers the more specific prefixes sent over the tunnels)
        rms.append(RouteMap(rm_in, 4, (RouteMapEntry(10, "permit", pl_in, set_local_preference=TUNNEL_LOCAL_PREF),)))
        rms.append(RouteMap(rm_out, 4, (RouteMapEntry(10, "permit", pl_out),)))
        for t in tunnels[-len(gw.instances):]:
            neighbors.append(Neighbor(
                address=t.inner_remote, family=4, remote_as=t.remote_as, local_as=None,
                description=(f"Azure Virtual WAN hub {t.hub} {gw.name} {t.remote_name}" if t.hub else
                             f"Azure VPN gateway {gw.name} {t.remote_name}"), md5=None, bfd=None,
                route_map_in=rm_in, route_map_out=rm_out, maximum_prefix=MaximumPrefix(4000),
                interface=f"tunnel{t.number}", circuit=circuit.name, peering="vpn", link=t.remote_name,
                standby=False, update_source=t.inner_local, ebgp_multihop=2, tunnel=t.number,
                update_interface=t.inner_interface or f"Tunnel{t.number}"))
        nets += list(advertise)
    return tunnels, neighbors, pls, rms, nets
