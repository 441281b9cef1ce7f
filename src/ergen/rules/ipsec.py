"""IPsec over ExpressRoute: the tunnels to Azure's VPN gateway (site-to-site over Microsoft peering, or
a gateway's private IPs over private peering), per expressroute-facts.md §5."""

from __future__ import annotations

import hmac

import netaddr

from ergen.intent.addressing import PrefixError, parse_prefix
from ergen.rules.engine import Context, check

IKE_ENCRYPTION = {"AES256", "AES192", "AES128", "GCMAES256", "GCMAES128", "DES3", "DES"}
IKE_INTEGRITY = {"SHA384", "SHA256", "SHA1", "MD5", "GCMAES256", "GCMAES128"}
DH_GROUPS = {"DHGroup24", "ECP384", "ECP256", "DHGroup14", "DHGroup2048", "DHGroup2", "DHGroup1", "None"}
IPSEC_ENCRYPTION = {"GCMAES256", "GCMAES192", "GCMAES128", "AES256", "AES192", "AES128", "DES3", "DES", "None"}
IPSEC_INTEGRITY = {"GCMAES256", "GCMAES192", "GCMAES128", "SHA256", "SHA1", "MD5"}
PFS_GROUPS = {"PFS24", "ECP384", "ECP256", "PFS2048", "PFS2", "PFS1", "PFS14", "PFSMM", "None"}
APIPA = netaddr.IPRange("169.254.21.0", "169.254.22.255")
_PSK_CHARS = __import__("re").compile(r"^[A-Za-z0-9_.:+=@%*!,/-]+$")
DEFAULT_GATEWAY_ASN = 65515


def _ins(value: str, allowed: set[str]) -> bool:
    return value.lower() in {a.lower() for a in allowed}


@check
def ipsec_tunnels(ctx: Context) -> None:
    seen_bgp: dict[str, str] = {}
    for router in ctx.inventory.routers.values():
        for i, att in enumerate(router.data.ipsec):
            where = f"{router.name}.data.ipsec[{i}]"
            f = ctx.hosts_file
            conn = ctx.connection(att.connection)
            if conn is None:
                ctx.add("ER901", f, f"{where}.connection", f"VPN connection {att.connection!r} is not among the "
                                                           "--vpn files")
                continue
            gw = ctx.gateway_of(conn)
            if gw is None:
                ctx.add("ER901", f, f"{where}.connection", f"the gateway of {conn.name} ({conn.gateway_id}) is not "
                                                           "among the --vpn files")
                continue
            for j, pol in enumerate(conn.ipsec_policies):
                for field, allowed in (("ike_encryption", IKE_ENCRYPTION), ("ike_integrity", IKE_INTEGRITY),
                                       ("dh_group", DH_GROUPS), ("ipsec_encryption", IPSEC_ENCRYPTION),
                                       ("ipsec_integrity", IPSEC_INTEGRITY), ("pfs_group", PFS_GROUPS)):
                    v = getattr(pol, field)
                    if not _ins(v, allowed):
                        ctx.add("ER902", conn.source_file, f"ipsecPolicies[{j}].{field}",
                                f"{v!r} is not an Azure value; allowed: {', '.join(sorted(allowed))}")
                gcm_enc, gcm_int = pol.ipsec_encryption.upper().startswith("GCM"), pol.ipsec_integrity.upper().startswith("GCM")
                if gcm_enc != gcm_int or (gcm_enc and pol.ipsec_encryption.upper() != pol.ipsec_integrity.upper()):
                    ctx.add("ER902", conn.source_file, f"ipsecPolicies[{j}].ipsec_integrity",
                            "with GCM, IPsec encryption and integrity must be the same GCM algorithm")
            vwan = conn.kind == "vwan"
            if not conn.enable_bgp:
                ctx.add("ER918", conn.source_file, conn.where("enable_bgp"),
                        f"{conn.name} has enableBgp off; ergen runs BGP inside the tunnels")
            # reachability of the gateway over the chosen peering
            if att.over == "private" and vwan and not conn.use_local_azure_ip_address:
                ctx.add("ER906", conn.source_file, conn.where("use_local_azure_ip_address"),
                        f"{conn.name} does not use the hub's private IPs (useLocalAzureIpAddress is off): over "
                        "private peering the tunnels go to Instance0/Instance1's private IPs")
            elif att.over == "private" and not (gw.enable_private_ip and conn.use_local_azure_ip_address):
                ctx.add("ER906", f, f"{where}.over", f"{gw.name} has no private IPs in use (enablePrivateIpAddress "
                                                     "and the connection's useLocalAzureIpAddress must be on)")
            if att.over == "microsoft" and not all(inst.public_ip for inst in gw.instances):
                ctx.add("ER906", f, f"{where}.over", f"{gw.name} has no public tunnel IPs for Microsoft peering")
            asn = router.data.bgp_asn
            circuit = ctx.circuit(att.circuit)
            if vwan:
                _vwan(ctx, router, att, where, conn, gw, circuit, asn, seen_bgp)
            # tunnel count and APIPA addresses
            elif len(att.bgp_addresses) != len(gw.instances):
                ctx.add("ER910", f, f"{where}.bgp_addresses", f"{len(att.bgp_addresses)} address(es) for "
                                                              f"{len(gw.instances)} gateway instance(s)")
            for j, a in enumerate(att.bgp_addresses if not vwan else []):
                try:
                    ip = netaddr.IPAddress(a)
                except (netaddr.AddrFormatError, ValueError):
                    ctx.add("ER903", f, f"{where}.bgp_addresses[{j}]", f"{a!r} is not an IPv4 address")
                    continue
                if ip not in APIPA:
                    ctx.add("ER903", f, f"{where}.bgp_addresses[{j}]", f"{a} is outside 169.254.21.0-169.254.22.255")
                if a in seen_bgp:
                    ctx.add("ER904", f, f"{where}.bgp_addresses[{j}]", f"{a} is also used at {seen_bgp[a]}")
                seen_bgp.setdefault(a, f"{where}.bgp_addresses[{j}]")
            for inst in gw.instances:
                for a in [*inst.apipa_bgp_ips, *(c.address for c in conn.custom_bgp_addresses)]:
                    if a in att.bgp_addresses:
                        ctx.add("ER904", f, f"{where}.bgp_addresses", f"{a} is Azure's BGP address on {inst.name}")
            if not vwan and asn is not None and asn == (gw.bgp_asn or DEFAULT_GATEWAY_ASN):
                ctx.add("ER909", f, f"{router.name}.data.bgp_asn", f"{asn} is the gateway's ASN")
            # the tunnel source is advertised over the peering, the tunnel prefixes are more specific
            pol = ctx.policy(circuit) if circuit else None
            peer_adv = []
            for t in (getattr(pol, att.over).advertise if pol else []):
                try:
                    peer_adv.append(parse_prefix(t))
                except PrefixError:
                    pass
            src = netaddr.IPAddress(att.local_address)
            if circuit is None:
                ctx.add("ER501", f, f"{where}.circuit", f"circuit {att.circuit!r} is not among the circuit files")
            elif not any(src in p for p in peer_adv):
                ctx.add("ER907", f, f"{where}.local_address", f"{src} is not inside {att.over}.advertise of "
                                                              f"{circuit.name}")
            for j, t in enumerate(att.advertise):
                try:
                    net = parse_prefix(t)
                except PrefixError as exc:
                    ctx.add("ER401", f, f"{where}.advertise[{j}]", str(exc))
                    continue
                same = [p for p in peer_adv if p.prefixlen >= net.prefixlen and (net in p or p in net)]
                if same:
                    ctx.add("ER905", f, f"{where}.advertise[{j}]", f"{net} is not more specific than {same[0]} "
                                                                   f"advertised over {att.over} peering")
            if router.platform == "ios-xe" and not conn.ipsec_policies:
                ctx.add("ER913", conn.source_file, "properties.ipsecPolicies",
                        f"{router.name} is IOS-XE and {conn.name} uses Azure's default policy (DH group 2): "
                        "IOS-XE 17.11+ blocks group 2 (Cisco field notice FN72510)")
            # over Microsoft peering the gateway's public IPs arrive tagged with its region's community
            if att.over == "microsoft" and circuit is not None and gw.location:
                from ergen.communities import community_value
                wanted = community_value(f"azure-{gw.location.lower()}")
                accepted = [community_value(n) for n in pol.microsoft.accept_communities]
                if accepted and wanted and wanted not in accepted:
                    ctx.add("ER912", ctx.policy_file(circuit), f"{ctx.policy_key(circuit)}.microsoft.accept_communities",
                            f"{gw.name} is in {gw.location} ({wanted}); without it the router never learns the "
                            "gateway's public IPs over Microsoft peering")
            # the pre-shared key
            secret = ctx.secret(att.psk, f, f"{where}.psk")
            if secret is not None:
                v = secret.reveal()
                if len(v) < 16 or v.isdigit() or v.isalpha() or len(set(v)) < 6:
                    ctx.add("ER908", f, f"{where}.psk", f"the key in {att.psk} is weak (16+ characters, "
                                                        "letters and digits, not repetitive)")
                elif not _PSK_CHARS.match(v):
                    ctx.add("ER908", f, f"{where}.psk", f"the key in {att.psk} has characters a router config "
                                                        "cannot quote safely (use letters, digits and -_.:+=@%*!,/)")
                if conn.shared_key is not None and not hmac.compare_digest(conn.shared_key.get_secret_value(), v):
                    ctx.add("ER911", f, f"{where}.psk", f"the key in {att.psk} differs from {conn.name}'s sharedKey")


AZURE_RESERVED_ASNS = range(65515, 65521)   # the hub (65515) and Azure's own (65517-65520)
_NEEDS_BGP_INTERFACE = ("ios-xe",)   # one address on two tunnels: a loopback of its own holds it


def _vwan(ctx: Context, router, att, where: str, conn, gw, circuit, asn, seen_bgp: dict) -> None:
    """A Virtual WAN hub: its ASN, the site link Azure has for this router, the one BGP address both
    tunnels share, and the circuit's private peering connected to the hub (expressroute-facts.md §5)."""
    f = ctx.hosts_file
    if gw.bgp_asn is not None and gw.bgp_asn != DEFAULT_GATEWAY_ASN:
        ctx.add("ER914", gw.source_file, gw.where("bgp_asn"), f"a Virtual WAN hub's ASN is 65515, the file says "
                                                              f"{gw.bgp_asn}")
    if asn is not None and asn in AZURE_RESERVED_ASNS:
        ctx.add("ER914", f, f"{router.name}.data.bgp_asn", f"{asn} is reserved by Azure (65515-65520) and a "
                                                          "Virtual WAN hub would refuse the session")
    site, link = ctx.site_link_of(conn)
    given = att.bgp_addresses
    if len(given) > 1:
        ctx.add("ER916", f, f"{where}.bgp_addresses", f"{len(given)} addresses; to a Virtual WAN hub the router "
                                                      "has one (the site link's BGP address), shared by both tunnels")
    if link is None:
        if not given:
            ctx.add("ER915", f, f"{where}.connection",
                    f"the site link of {conn.name} ({conn.site_link_id or 'none named'}) is not among the --vpn "
                    "files: give the vpnSites file (or bgp_addresses)")
    else:
        sf = site.source_file
        if link.ip_address and link.ip_address != att.local_address:
            ctx.add("ER915", f, f"{where}.local_address", f"{att.local_address} is not site link {link.name}'s "
                                                          f"ipAddress {link.ip_address}: the hub expects the "
                                                          "tunnels from there")
        if not link.bgp_address:
            ctx.add("ER915", sf, link.where("bgp_address"), f"site link {link.name} has no BGP address "
                                                            "(bgpProperties.bgpPeeringAddress): the hub runs no BGP "
                                                            "with it")
        elif given and given[0] != link.bgp_address:
            ctx.add("ER915", f, f"{where}.bgp_addresses[0]", f"{given[0]} is not site link {link.name}'s BGP "
                                                             f"address {link.bgp_address}")
        if link.bgp_asn is not None and asn is not None and link.bgp_asn != asn:
            ctx.add("ER915", f, f"{router.name}.data.bgp_asn", f"{asn} is not site link {link.name}'s BGP ASN "
                                                              f"{link.bgp_asn}")
    address = given[0] if given else (link.bgp_address if link else None)
    field_ = f"{where}.bgp_addresses[0]" if given else f"{where}.connection"
    if address:
        try:
            ip = netaddr.IPAddress(address)
        except (netaddr.AddrFormatError, ValueError):
            ctx.add("ER916", f, field_, f"{address!r} is not an IPv4 address")
            ip = None
        if ip is not None and (ip in netaddr.IPNetwork("169.254.0.0/16")):
            ctx.add("ER916", f, field_, f"{address} is APIPA: over ExpressRoute a Virtual WAN site's BGP address "
                                        "cannot be")
        if address == att.local_address:
            ctx.add("ER916", f, field_, f"{address} is also the tunnel source: give BGP an address of its own")
        if address in seen_bgp:
            ctx.add("ER904", f, field_, f"{address} is also used at {seen_bgp[address]}")
        seen_bgp.setdefault(address, field_)
    if router.platform in _NEEDS_BGP_INTERFACE and not att.bgp_interface:
        ctx.add("ER916", f, f"{where}.bgp_interface", f"{router.platform} needs the interface (a loopback) to hold "
                                                      f"the BGP address {address or ''}: both tunnels are unnumbered "
                                                      "to it".replace("  ", " "))
    elif router.platform in _NEEDS_BGP_INTERFACE and att.bgp_interface == att.local_interface:
        ctx.add("ER916", f, f"{where}.bgp_interface", f"{att.bgp_interface} holds the tunnel source already; "
                                                      "give the BGP address an interface of its own")
    elif (router.platform.startswith("junos") and att.bgp_interface and att.bgp_interface.startswith("lo0")
          and att.local_interface.startswith("lo0") and att.bgp_interface.split(".")[0:2] !=
          (att.local_interface.split(".") + ["0"])[0:2]):
        ctx.add("ER916", f, f"{where}.bgp_interface", f"Junos allows one lo0 unit per routing instance and the "
                                                      f"tunnel source is on {att.local_interface}: leave "
                                                      "bgp_interface out (the address joins that unit)")
    # the tunnels ride the circuit's private peering into the hub: its ExpressRoute gateway must connect it
    if att.over == "private" and circuit is not None and gw.hub_id:
        hub = gw.hub_id.lower()
        er = [g for g in ctx.er_gateways if (g.hub_id or "").lower() == hub]
        want = f"/expressroutecircuits/{circuit.name.lower()}/peerings/azureprivatepeering"
        if er and not any((c.peering_id or "").lower().endswith(want) for g in er for c in g.connections):
            ctx.add("ER917", er[0].source_file, er[0].where("connections"),
                    f"no connection of {', '.join(g.name for g in er)} reaches {circuit.name}'s private peering: "
                    "the tunnels to the hub have no path")
