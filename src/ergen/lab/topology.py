"""Plan a lab from circuits and an inventory: namespaces, links, addresses and every FRR config.

Topology (per circuit; one namespace each)::

    lan host ── bridge (lan ns) ── ce<i> (customer router, FRR: ergen's config + lab site glue)
                                     │  one veth per subinterface (this kernel has no 802.1Q devices)
                               provider ns: one bridge per link, so that a link failure on the far
                                     │  side keeps carrier on the router and only BFD can tell
                            edge-<link>-<peering> (Microsoft's edge, FRR, configured from the circuit JSON)

Customer routers run as FRR whatever their platform in the inventory: the lab renders the same
intent for platform ``frr``, with parent interfaces renamed ``er0``, ``er1``… (Linux names).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import netaddr
import yaml

from ergen.communities import community_value
from ergen.errors import InputError
from ergen.intent.addressing import link_addresses
from ergen.intent.model import RouterIntent
from ergen.lab.policy import permitted_prefixes, route_map_permits
from ergen.model.circuit import Circuit, PeeringKind
from ergen.model.inventory import Inventory
from ergen.rules.asn import MICROSOFT_ASN

NAME = re.compile(r"^[a-z0-9]{1,8}$")
LAB_ROOT = Path("/run/ergen/lab")


@dataclass
class Announce:
    prefix: str
    communities: list[str] = field(default_factory=list)


@dataclass
class Session:
    router: str
    circuit: str
    link: str
    peering: str
    family: int
    ce_ns: str
    ce_pathspace: str
    edge_ns: str
    edge_pathspace: str
    ce_address: str
    edge_address: str
    expected_sent: list[str]
    expected_received: list[str]
    prepend: int
    ce_asn: int
    edge_kind: str = "frr"        # frr | bird: which BGP implementation plays Microsoft's edge
    edge_socket: str = ""         # bird: its control socket

    @property
    def label(self) -> str:
        return f"{self.router} {self.link} {self.peering} IPv{self.family}"


@dataclass
class Edge:
    ns: str
    pathspace: str
    circuit: str
    link: str
    peering: str
    config: str = field(repr=False)
    kind: str = "frr"             # frr | bird
    addresses: list[str] = field(default_factory=list)   # bird: the addresses the lab puts on ce0 and lo
    socket: str = ""


@dataclass
class CustomerRouter:
    name: str
    ns: str
    pathspace: str
    lan_if: str
    lan_address: str
    config: str = field(repr=False)       # ergen's rendered FRR config, unchanged
    site: str = field(repr=False)         # lab-only glue: LAN address, iBGP to the other routers, default route
    mgmt_address: str = ""                # sshd listens here (the lab's management network)


@dataclass
class Wire:
    ce_ns: str
    ce_if: str
    edge_ns: str
    bridge: str
    ce_port: str
    edge_port: str
    router: str
    link: str
    peering: str


@dataclass
class LabPlan:
    name: str
    workdir: str
    namespaces: list[str]
    pathspaces: list[str]
    provider_ns: str
    lan_ns: str
    lan_host: str            # address/len of the on-premises host
    lan_gateway: str
    ping_target: str         # an Azure address (on each private-peering edge)
    routers: list[CustomerRouter]
    edges: list[Edge]
    wires: list[Wire]
    sessions: list[Session]
    notes: list[str] = field(default_factory=list)
    vnet_ns: str = ""                    # IPsec: the bridge behind the private-peering edges
    vnet_prefix: str = ""
    gateways: list = field(default_factory=list)        # ergen.lab.ipsec.GatewaySim (psk stripped in state)
    tunnels: list[dict] = field(default_factory=list)   # per router tunnel: what lab check looks at
    ipsec_configs: dict[str, str] = field(default_factory=dict, repr=False)  # router -> swanctl.conf
    mgmt_ns: str = ""
    mgmt_host_if: str = ""               # the veth in the root namespace
    mgmt_subnet: str = ""                # e.g. 198.18.7.0/24 (RFC 2544 benchmarking space)
    ssh_key: str = ""                    # private key that logs in as root on every lab router

    def public(self) -> dict:
        """The plan without configs (they hold keys): what the state file keeps."""
        d = asdict(self)
        for r in d["routers"]:
            r.pop("config"), r.pop("site")
        for e in d["edges"]:
            e.pop("config")
        d.pop("ipsec_configs", None)
        for g in d.get("gateways", []):
            for p in g.get("peers", []):
                p.pop("psk", None)
        return d


def load_lab_file(path: str | Path | None) -> dict:
    if path is None:
        text = (resources.files("ergen") / "data" / "lab.yaml").read_text()
        label = "ergen/data/lab.yaml"
    else:
        try:
            text = Path(path).read_text()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror}", file=str(path), field="(file)") from None
        label = str(path)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=label, field="(document)") from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping with private and microsoft", file=label, field="(document)")
    out = {"private4": [], "private6": [], "microsoft": []}
    priv = data.get("private") or {}
    for fam, key in ((4, "ipv4"), (6, "ipv6")):
        for j, p in enumerate(priv.get(key) or []):
            out[f"private{fam}"].append(_prefix(p, label, f"private.{key}[{j}]"))
    for j, item in enumerate(data.get("microsoft") or []):
        where = f"microsoft[{j}]"
        if not isinstance(item, dict) or "prefix" not in item:
            raise InputError("expected {prefix: P, community: NAME}", file=label, field=where)
        comm = item.get("community")
        value = community_value(str(comm)) if comm else None
        if comm and value is None:
            raise InputError(f"unknown community {comm!r}", file=label, field=f"{where}.community")
        out["microsoft"].append(Announce(_prefix(item["prefix"], label, f"{where}.prefix"),
                                         [value] if value else []))
    if not out["private4"]:
        raise InputError("at least one private.ipv4 prefix is needed (the lab pings its first address)",
                         file=label, field="private.ipv4")
    return out


def _prefix(text, file, where) -> str:
    try:
        return str(netaddr.IPNetwork(str(text)).cidr)
    except (netaddr.AddrFormatError, ValueError):
        raise InputError(f"{text!r} is not a prefix", file=file, field=where) from None


def lab_inventory(inventory: Inventory) -> Inventory:
    """The same inventory with every router as FRR and parent interfaces renamed er0, er1, …"""
    routers = {}
    for name, r in inventory.routers.items():
        parents: dict[str, str] = {}
        atts = []
        for att in r.data.expressroute:
            new = parents.setdefault(att.interface, f"er{len(parents)}")
            atts.append(att.model_copy(update={"interface": new}))
        # Linux: the tunnel source (and a Virtual WAN site's BGP address) on lo
        ipsec = [a.model_copy(update={"local_interface": "lo", "bgp_interface": "lo" if a.bgp_interface else None})
                 for a in r.data.ipsec]
        data = r.data.model_copy(update={"expressroute": atts, "ipsec": ipsec})
        routers[name] = r.model_copy(update={"platform": "frr", "data": data})
    # the site's iBGP mesh from each router's lo (the lab's glue routes the addresses over the LAN)
    sites = {name: s.model_copy(update={"ibgp": {r: p.model_copy(update={"source": "lo"})
                                                 for r, p in s.ibgp.items()}})
             for name, s in (inventory.sites or {}).items()}
    return inventory.model_copy(update={"routers": routers, "sites": sites})


def plan_lab(name: str, circuits: list[Circuit], intents: list[RouterIntent], configs: dict[str, str],
             md5: dict[tuple[str, str], str | None], lab: dict, notes: list[str], edge_kind: str = "frr") -> LabPlan:
    if not NAME.match(name):
        raise InputError("a lab name is 1-8 lowercase letters or digits", field="--name")
    ns = lambda role: f"erg-{name}-{role}"  # noqa: E731
    ps = lambda role: f"erg{name}{role.replace('-', '')}"  # noqa: E731
    by_circuit = {c.name: c for c in circuits}
    routers, edges, wires, sessions = [], [], [], []

    # the on-premises LAN: the first private IPv4 prefix the routers advertise
    lan_prefix = None
    for it in intents:
        for pl in it.prefix_lists:
            if "-PRIV-V4-OUT" in pl.name:
                cands = [p for p in permitted_prefixes(pl) if p != "0.0.0.0/0"]
                if cands:
                    lan_prefix = netaddr.IPNetwork(cands[0])
                    break
        if lan_prefix is not None:
            break
    if lan_prefix is None or lan_prefix.prefixlen > 28:
        raise InputError("the lab needs a private-peering IPv4 prefix of /28 or larger to advertise "
                         "(it becomes the on-premises LAN)", field="private.advertise")
    lan_len = lan_prefix.prefixlen
    lan_host = f"{netaddr.IPAddress(lan_prefix.first + 10)}/{lan_len}"
    ce_lan = {it.name: str(netaddr.IPAddress(lan_prefix.first + 2 + i)) for i, it in enumerate(intents)}
    primary_ce = next((it.name for it in intents if any(c.link == "primary" for c in it.circuits)), intents[0].name)

    edge_keys: dict[tuple[str, str, str], Edge] = {}
    k = 0
    for i, it in enumerate(intents):
        role = f"ce{i}"
        ce = CustomerRouter(name=it.name, ns=ns(role), pathspace=ps(role), lan_if="lan0",
                            lan_address=f"{ce_lan[it.name]}/{lan_len}", config=configs[it.name],
                            site=_site_glue(it, ce_lan, lan_len, lan_host.split("/")[0]))
        routers.append(ce)
        for sub in it.interfaces:
            circuit = by_circuit[sub.circuit]
            peering = circuit.peering(sub.peering)
            key = (sub.circuit, sub.link, sub.peering)
            if key not in edge_keys:
                n = len(edge_keys)
                edge_keys[key] = Edge(ns=ns(f"edge{n}-{sub.link[:3]}-{sub.peering[:4]}"), pathspace=ps(f"e{n}"),
                                      circuit=sub.circuit, link=sub.link, peering=sub.peering, config="")
            edge = edge_keys[key]
            edge.kind = edge_kind
            wires.append(Wire(ce_ns=ce.ns, ce_if=sub.name, edge_ns=edge.ns, bridge=f"b{k}",
                              ce_port=f"p{k}c", edge_port=f"p{k}e", router=it.name, link=sub.link,
                              peering=sub.peering))
            k += 1
            announce = ([Announce(p) for p in lab["private4"] + lab["private6"]]
                        if peering.kind is PeeringKind.private else list(lab["microsoft"]))
            if edge_kind == "bird":
                edge.config, edge.addresses = _bird_config(edge, circuit, peering, sub.link, announce,
                                                           md5.get((sub.circuit, sub.peering)),
                                                           lab["private4"][0] if peering.kind is PeeringKind.private
                                                           else None, name)
                edge.socket = str(LAB_ROOT / name / edge.pathspace / "bird.ctl")
            else:
                edge.config = _edge_config(edge, circuit, peering, sub.link, announce,
                                           md5.get((sub.circuit, sub.peering)),
                                           lab["private4"][0] if peering.kind is PeeringKind.private else None)
            for n in it.neighbors:
                if n.interface != sub.name:
                    continue
                ce_addr = sub.ipv4.address if n.family == 4 else sub.ipv6.address
                out_pl = next(p for p in it.prefix_lists if p.name == f"{n.route_map_out}-PFX")
                received = [a.prefix for a in announce
                            if netaddr.IPNetwork(a.prefix).version == n.family
                            and route_map_permits(it, n.route_map_in, a.prefix, a.communities)]
                prepend = next(m for m in it.route_maps if m.name == n.route_map_out).entries[0].set_as_path_prepend
                sessions.append(Session(
                    router=it.name, circuit=sub.circuit, link=sub.link, peering=sub.peering, family=n.family,
                    ce_ns=ce.ns, ce_pathspace=ce.pathspace, edge_ns=edge.ns, edge_pathspace=edge.pathspace,
                    ce_address=ce_addr, edge_address=n.address, expected_sent=permitted_prefixes(out_pl),
                    expected_received=received, prepend=len(prepend), ce_asn=n.local_as or it.bgp_asn,
                    edge_kind=edge.kind, edge_socket=edge.socket))
    edges = list(edge_keys.values())
    namespaces = [ns("lan"), ns("provider"), ns("mgmt"), *(r.ns for r in routers), *(e.ns for e in edges)]
    pathspaces = [*(r.pathspace for r in routers), *(e.pathspace for e in edges if e.kind == "frr")]
    mgmt = _mgmt_subnet(name)
    for i, r in enumerate(routers):
        r.mgmt_address = str(mgmt.network + 10 + i)
    return LabPlan(name=name, workdir=str(LAB_ROOT / name), namespaces=namespaces, pathspaces=pathspaces,
                   mgmt_ns=ns("mgmt"), mgmt_host_if=f"ergm-{name}", mgmt_subnet=str(mgmt),
                   ssh_key=str(LAB_ROOT / name / "id_ed25519"),
                   provider_ns=ns("provider"), lan_ns=ns("lan"), lan_host=lan_host,
                   lan_gateway=ce_lan[primary_ce], ping_target=str(netaddr.IPNetwork(lab["private4"][0]).ip + 1),
                   routers=routers, edges=edges, wires=wires, sessions=sessions, notes=notes)


def _site_glue(it: RouterIntent, ce_lan: dict[str, str], lan_len: int, lan_host: str) -> str:
    """Lab only: the site around ergen's config. LAN address, a default route towards the site's
    firewall (the LAN host), and iBGP with next-hop-self between the customer routers, so the
    local preference ergen sets steers the whole site to the active link (when the inventory has ergen
    render that iBGP, sites.yaml ``ibgp``, only the routes to the routers' loopbacks)."""
    me = ce_lan[it.name]
    lines = ["! lab only: the site around the config ergen rendered", "interface lan0",
             f" ip address {me}/{lan_len}", "exit", f"ip route 0.0.0.0/0 {lan_host}"]
    # the more specific prefixes sent over IPsec tunnels: the site's IGP would have them; here, on-link
    lines += [f"ip route {p.cidr} lan0" for p in dict.fromkeys(p for t in it.ipsec for p in t.advertise)]
    ibgp = [n for b in it.bgp for n in b.ibgp]
    if ibgp:
        # ergen renders the site's iBGP (sites.yaml ibgp): the site's IGP would carry the loopbacks; here, the
        # router's address on lo and a static route to each other router's over the LAN
        lines += ["interface lo", *dict.fromkeys(f" ip address {n.local_address}/32" for n in ibgp if n.family == 4),
                  "exit"]
        lines += [f"ip route {n.address}/32 {ce_lan[n.router]}" for n in ibgp if n.family == 4 and n.router in ce_lan]
        return "\n".join(lines + [""])
    lines += [f"router bgp {it.bgp_asn}"]
    others = [a for n, a in ce_lan.items() if n != it.name]
    for a in others:
        lines += [f" neighbor {a} remote-as {it.bgp_asn}", f" neighbor {a} description lab site iBGP",
                  f" neighbor {a} timers connect 1"]
    lines.append(" address-family ipv4 unicast")
    for a in others:
        lines += [f"  neighbor {a} activate", f"  neighbor {a} next-hop-self"]
    lines += [" exit-address-family", "exit", ""]
    return "\n".join(lines)


def _edge_config(edge: Edge, circuit: Circuit, peering, link: str, announce: list[Announce],
                 md5: str | None, ping_prefix: str | None) -> str:
    """Microsoft's edge for one link of one peering, from the circuit JSON alone (plus the lab's routes)."""
    asn = peering.azure_asn or MICROSOFT_ASN
    v4 = link_addresses(getattr(peering, f"{link}_peer_address_prefix"))
    v6_prefix = getattr(peering.ipv6_peering_config, f"{link}_peer_address_prefix", None) \
        if peering.ipv6_peering_config else None
    v6 = link_addresses(v6_prefix) if v6_prefix else None
    premium = (circuit.sku_tier or "").lower() == "premium"
    limit = {PeeringKind.private: 10000 if premium else 4000, PeeringKind.microsoft: 200}[peering.kind]
    limit6 = {PeeringKind.private: 100, PeeringKind.microsoft: 200}[peering.kind]
    l = [f"! simulated Microsoft edge: {circuit.name} {peering.name} {link} link",
         "interface ce0", f" ip address {v4.microsoft.with_prefixlen}"]
    if v6:
        l.append(f" ipv6 address {v6.microsoft.with_prefixlen}")
    l += ["exit"]
    if ping_prefix:
        l += ["interface lo", f" ip address {netaddr.IPNetwork(ping_prefix).ip + 1}/32", "exit"]
    for a in announce:
        l.append(f"{'ipv6' if ':' in a.prefix else 'ip'} route {a.prefix} blackhole")
    l += ["bfd", " profile msee", "  transmit-interval 300", "  receive-interval 300", "  detect-multiplier 3",
          " exit", "exit", "route-map ACCEPT permit 10", "exit", "route-map SEND permit 10", "exit"]
    for j, a in enumerate(announce):
        if a.communities:
            l += [f"route-map TAG{j} permit 10", f" set community {' '.join(a.communities)}", "exit"]
    l += [f"router bgp {asn}", f" bgp router-id {v4.microsoft.address}", " no bgp default ipv4-unicast"]
    peers = [(4, v4.customer.address)] + ([(6, v6.customer.address)] if v6 else [])
    for _, addr in peers:
        l += [f" neighbor {addr} remote-as {peering.peer_asn}", f" neighbor {addr} timers 60 180",
              f" neighbor {addr} timers connect 1", f" neighbor {addr} bfd profile msee"]
        if md5:
            l.append(f" neighbor {addr} password {md5}")
    for fam, addr in peers:
        l.append(f" address-family {'ipv4' if fam == 4 else 'ipv6'} unicast")
        for j, a in enumerate(announce):
            if (":" in a.prefix) == (fam == 6):
                l.append(f"  network {a.prefix}" + (f" route-map TAG{j}" if a.communities else ""))
        l += [f"  neighbor {addr} activate", f"  neighbor {addr} send-community",
              f"  neighbor {addr} route-map ACCEPT in", f"  neighbor {addr} route-map SEND out",
              f"  neighbor {addr} maximum-prefix {limit if fam == 4 else limit6}", " exit-address-family"]
    l += ["exit", ""]
    return "\n".join(l)


def _bird_config(edge: Edge, circuit: Circuit, peering, link: str, announce: list[Announce], md5: str | None,
                 ping_prefix: str | None, lab_name: str) -> tuple[str, list[str]]:
    """BIRD 2 as Microsoft's edge, from the circuit JSON alone (see ergen.lab.bird); and the addresses the
    lab puts on its interfaces (BIRD does not configure addresses)."""
    from ergen.lab.bird import edge_config

    asn = peering.azure_asn or MICROSOFT_ASN
    v4 = link_addresses(getattr(peering, f"{link}_peer_address_prefix"))
    v6_prefix = getattr(peering.ipv6_peering_config, f"{link}_peer_address_prefix", None) \
        if peering.ipv6_peering_config else None
    v6 = link_addresses(v6_prefix) if v6_prefix else None
    premium = (circuit.sku_tier or "").lower() == "premium"
    limit = {PeeringKind.private: 10000 if premium else 4000, PeeringKind.microsoft: 200}[peering.kind]
    limit6 = {PeeringKind.private: 100, PeeringKind.microsoft: 200}[peering.kind]
    peers = [(4, v4.microsoft.address, v4.customer.address)]
    addresses = [f"ce0 {v4.microsoft.with_prefixlen}"]
    if v6:
        peers.append((6, v6.microsoft.address, v6.customer.address))
        addresses.append(f"ce0 {v6.microsoft.with_prefixlen}")
    if ping_prefix:
        addresses.append(f"lo {netaddr.IPNetwork(ping_prefix).ip + 1}/32")
    text = edge_config(asn=asn, router_id=v4.microsoft.address, peers=peers, peer_asn=peering.peer_asn,
                       announce=announce, md5=md5, limit4=limit, limit6=limit6,
                       log=LAB_ROOT / lab_name / edge.pathspace / "bird.log")
    return text, addresses


def _mgmt_subnet(name: str) -> netaddr.IPNetwork:
    """A /24 of 198.18.0.0/15 (RFC 2544) that no interface on this host uses yet, stable per lab name."""
    import subprocess
    import zlib
    used = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True).stdout
    start = zlib.crc32(name.encode()) % 250
    for k in range(250):
        x = 1 + (start + k) % 250
        if f" 198.18.{x}." not in used:
            return netaddr.IPNetwork(f"198.18.{x}.0/24")
    raise InputError("no free /24 left in 198.18.0.0/16 for the lab's management network", field="--name")
