"""``ergen lab``: the rendered FRR configs against simulated Microsoft edges, in network namespaces.

    up(circuits, inventory, name)  → build namespaces, start FRR, load configs, wait for BGP
    check(name)                    → every session: state, BFD, prefixes sent/received vs intent
    down(name)                     → remove every namespace, process and file the lab made
    status()                       → the labs that are up

Needs root (namespaces) and Debian's frr. Nothing is sent outside the lab's own namespaces.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ergen.errors import InputError
from ergen.lab import frr, netns
from ergen.lab.netns import LabError
from ergen.lab.topology import LAB_ROOT, NAME, LabPlan, lab_inventory, load_lab_file, plan_lab

__all__ = ["LabError", "up", "check", "down", "status", "UpResult", "load_state", "lab_inventory"]


def _need_root() -> None:
    if os.geteuid() != 0:
        raise LabError("ergen lab needs root: it creates network namespaces and starts FRR (run it with sudo)")
    if not shutil.which("ip"):
        raise LabError("iproute2 (ip) is not installed")
    frr.check_installed()


@dataclass
class UpResult:
    plan: LabPlan
    seconds_to_established: float | None
    established: int
    expected: int
    seconds_to_converged: float | None = None   # every session also sends and receives what the intent says


def build(circuits, inventory, name: str = "er", lab_file=None, vpn=None, gateway_ike: str | None = None,
          running: dict[str, str] | None = None, edge: str = "frr") -> LabPlan:
    """Plan a lab (no side effects): render FRR for every router, configure the edges from the circuits,
    and with ``vpn`` the Azure VPN gateway instances from the gateway and connection JSON.

    ``running``: a brownfield start: {router: FRR config written by hand} runs instead of ergen's render
    on those routers (the lab names their parent interfaces er0, er1... and each subinterface
    ``er0.<vlan>``, as ergen's render for the lab does); the edges are configured from the circuits as always."""
    import ergen

    inv = lab_inventory(inventory)
    result = ergen.plan(circuits, inv, vpn=vpn)
    configs = ergen.render_configs(result.intents, show_secrets=True)
    unknown = sorted(set(running or {}) - set(configs))
    if unknown:
        raise InputError(f"router {unknown[0]!r} is not among the lab's routers ({', '.join(configs)})",
                         field="--running")
    configs.update(running or {})
    ctx = result.context
    notes = ["802.1Q: this kernel has no VLAN devices; each subinterface is its own veth with the "
             "subinterface's name (the tags are checked in the rendered config, not on the wire)"]
    md5: dict[tuple[str, str], str | None] = {}
    for c in circuits:
        for p in c.peerings:
            key = (c.name, p.short)
            if p.shared_key is not None:
                md5[key] = p.shared_key.get_secret_value()
            else:
                ref = getattr(ctx.policy(c), p.short).md5_key if p.short in ("private", "microsoft") else None
                secret = ctx.secret(ref, ctx.circuits_file, "md5_key") if ref else None
                md5[key] = secret.reveal() if secret else None
                if secret:
                    notes.append(f"{c.name} {p.short}: the circuit JSON does not show Azure's sharedKey; "
                                 "the simulated edge uses the inventory's key")
    if running:
        notes.append(f"brownfield start: {', '.join(sorted(running))} run the config given with --running, not "
                     "ergen's render; lab check compares them with ergen's intent")
    if edge not in ("frr", "bird"):
        raise InputError("the simulated edge is frr or bird", field="--edge")
    if edge == "bird":
        if vpn:
            raise InputError("--edge bird runs the core lab; the IPsec gateways need the FRR edges", field="--edge")
        notes.append("Microsoft's edges run BIRD 2 (configured from the circuit JSON alone), not FRR")
    plan = plan_lab(name, circuits, result.intents, configs, md5, load_lab_file(lab_file), notes, edge_kind=edge)
    if any(i.ipsec for i in result.intents):
        _plan_ipsec(plan, result.intents, ctx, gateway_ike)
    return plan


def _plan_ipsec(plan: LabPlan, intents, ctx, gateway_ike: str | None) -> None:
    """Gateway instances from the VPN JSON; the routers' strongSwan configs as ergen renders them."""
    from ergen.lab.ipsec import AZURE_ESP, AZURE_IKE, GatewaySim, vnet_subnet
    from ergen.pipeline import render_extra

    extra = render_extra(intents, show_secrets=True)
    gws: dict[str, GatewaySim] = {}
    private_ips = []
    for it in intents:
        if not it.ipsec:
            continue
        plan.ipsec_configs[it.name] = extra[f"{it.name}.swanctl.conf"]
        for t in it.ipsec:
            k = len(gws) if t.remote_name not in gws else None
            g = gws.get(t.remote_name)
            if g is None:
                g = gws[t.remote_name] = GatewaySim(
                    name=t.remote_name, ns=f"erg-{plan.name}-gw{k}", pathspace=f"erg{plan.name}gw{k}",
                    private_ip=t.remote_address, prefixlen=24, bgp_ip=t.inner_remote, asn=t.remote_as)
                private_ips.append(t.remote_address)
            ike = gateway_ike or AZURE_IKE
            # Azure does not initiate BGP to APIPA addresses; a Virtual WAN hub peers with a site's own address
            g.peers.append({"router": it.name, "local_address": t.local_address, "inner": t.inner_local,
                            "psk": t.psk.reveal(), "ike": ike, "esp": AZURE_ESP, "asn": it.bgp_asn,
                            "passive": t.hub is None})
            plan.tunnels.append({"router": it.name, "name": t.name, "gateway": t.remote_name,
                                 "inner_remote": t.inner_remote, "remote_address": t.remote_address})
    net = vnet_subnet(private_ips)
    plan.vnet_ns = f"erg-{plan.name}-vnet"
    plan.vnet_prefix = str(net)
    # an address "in the VNet" on each instance, inside the range it announces through the tunnels (a
    # Virtual WAN hub's own range lies outside the VNets it announces)
    announced = ipaddress.ip_network(_vnet_routes(plan))
    gw_net = ipaddress.ip_network(plan.vnet_prefix)
    base = gw_net if gw_net.subnet_of(announced) else announced
    for i, g in enumerate(gws.values()):
        g.vnet_address = str(base.network_address + 200 + i)
    plan.gateways = list(gws.values())
    plan.namespaces += [plan.vnet_ns, *(g.ns for g in plan.gateways)]
    plan.pathspaces += [g.pathspace for g in plan.gateways]
    plan.notes.append("IPsec: strongSwan with userspace IPsec (kernel-libipsec, TUN ipsec0): this kernel has "
                      "no XFRM; the gateway instances are configured from the VPN gateway and connection JSON")


def up(circuits, inventory, name: str = "er", lab_file=None, wait: float = 60.0, vpn=None,
       gateway_ike: str | None = None, running: dict[str, str] | None = None, edge: str = "frr") -> UpResult:
    """``gateway_ike``: the simulated gateway's IKE proposals instead of Azure's (to test a mismatch);
    ``running``: hand-written FRR configs for some routers (a brownfield start, see :func:`build`)."""
    _need_root()
    if edge == "bird":
        from ergen.lab import bird
        bird.check_installed()
    plan = build(circuits, inventory, name, lab_file, vpn=vpn, gateway_ike=gateway_ike, running=running, edge=edge)
    workdir = Path(plan.workdir)
    if workdir.exists() or set(plan.namespaces) & netns.existing():
        raise LabError(f"lab {name} is already up (ergen lab down --name {name})")
    t0 = time.monotonic()
    workdir.mkdir(parents=True)
    workdir.chmod(0o711)  # FRR (user frr) must reach its run folder; nothing here is listable
    _save(plan)
    try:
        _create(plan)
        established, when = _wait(plan, wait, t0)
        if plan.gateways and when is not None:
            _ipsec_initiate(plan)
        # a brownfield lab runs what the user wrote: it is not expected to do what the intent says
        converged = _converge(plan, wait, t0) if when is not None and not running else None
    except BaseException:
        _teardown(plan.namespaces, plan.pathspaces, workdir)
        raise
    return UpResult(plan, when, established, len(plan.sessions), converged)


def _converge(plan: LabPlan, wait: float, t0: float) -> float | None:
    """After Established, wait until every session's prefixes are as the intent says (or the deadline)."""
    from ergen.lab.verify import check_lab

    state = plan.public()
    deadline = t0 + wait
    while True:
        if check_lab(state).ok:
            return time.monotonic() - t0
        if time.monotonic() > deadline:
            return None
        time.sleep(0.3)


def _save(plan: LabPlan) -> None:
    path = Path(plan.workdir) / "state.json"
    path.write_text(json.dumps(plan.public(), indent=2))
    path.chmod(0o600)


def _create(plan: LabPlan) -> None:
    for ns in plan.namespaces:
        netns.add(ns)
    # customer routers' LAN and the LAN host (a bridge in the lan namespace)
    ports = []
    for i, r in enumerate(plan.routers):
        netns.veth(r.ns, r.lan_if, plan.lan_ns, f"c{i}")
        ports.append(f"c{i}")
    netns.bridge(plan.lan_ns, "br0", ports)
    netns.address(plan.lan_ns, "br0", plan.lan_host)
    netns.ip("route", "add", "default", "via", plan.lan_gateway, ns=plan.lan_ns)
    # one veth per subinterface, through a bridge per link in the provider namespace
    for w in plan.wires:
        netns.veth(w.ce_ns, w.ce_if, plan.provider_ns, w.ce_port)
        edge_if = "ce0"
        netns.veth(w.edge_ns, edge_if, plan.provider_ns, w.edge_port)
        netns.bridge(plan.provider_ns, w.bridge, [w.ce_port, w.edge_port])
    work = Path(plan.workdir)
    _management(plan)
    if plan.gateways:
        _ipsec_network(plan)
    for r in plan.routers:
        frr.start(r.ns, r.pathspace, work / r.pathspace, hostname=r.name)
    for e in plan.edges:
        if e.kind == "frr":
            frr.start(e.ns, e.pathspace, work / e.pathspace)
    # the customer routers first: the edges connect to them (connect retry 1 s)
    for r in plan.routers:
        d = work / r.pathspace
        for fname, text in (("ergen.conf", r.config), ("site.conf", r.site)):
            f = d / fname
            fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            frr.load(r.pathspace, f)
    for e in plan.edges:
        if e.kind == "bird":
            from ergen.lab import bird
            for spec in e.addresses:
                dev, cidr = spec.split()
                netns.address(e.ns, dev, cidr)
            netns.ip("link", "set", "ce0", "up", ns=e.ns)
            bird.start(e.ns, work / e.pathspace, e.config)
            continue
        f = work / e.pathspace / "edge.conf"
        f.write_text(e.config)
        frr.load(e.pathspace, f)
    if plan.gateways:
        _ipsec_start(plan)
    # bgpd holds new peers until it has seen the end of the configuration (FRR 8: about 4 s
    # after vtysh -f); that, not the network, is most of the time to Established.


def _ipsec_network(plan: LabPlan) -> None:
    """The VNet: a bridge behind both private-peering edges, one namespace per gateway instance."""
    from ergen.lab.ipsec import start_charon

    net = ipaddress.ip_network(plan.vnet_prefix)
    ports = []
    private_edges = [e for e in plan.edges if e.peering == "private"]
    for i, e in enumerate(private_edges):
        netns.veth(e.ns, "vnet0", plan.vnet_ns, f"e{i}")
        netns.address(e.ns, "vnet0", f"{net.network_address + 1 + i}/{net.prefixlen}")
        ports.append(f"e{i}")
    for i, g in enumerate(plan.gateways):
        netns.veth(g.ns, "eth0", plan.vnet_ns, f"g{i}")
        netns.address(g.ns, "eth0", f"{g.private_ip}/{net.prefixlen}")
        ports.append(f"g{i}")
    netns.bridge(plan.vnet_ns, "br0", ports)
    for g in plan.gateways:  # back to on-premises over ExpressRoute: the primary edge first
        netns.ip("route", "add", "default", "via", str(net.network_address + 1), ns=g.ns)
    work = Path(plan.workdir)
    for g in plan.gateways:
        start_charon(g.ns, work / g.pathspace / "ipsec")
    for r in plan.routers:
        if r.name in plan.ipsec_configs:
            start_charon(r.ns, work / r.pathspace / "ipsec")


def _ipsec_start(plan: LabPlan) -> None:
    from ergen.lab.ipsec import gateway_frr, gateway_swanctl, load_swanctl

    work = Path(plan.workdir)
    for g in plan.gateways:
        d = work / g.pathspace
        frr.start(g.ns, g.pathspace, d)
        (d / "gateway.conf").write_text(gateway_frr(g, _vnet_routes(plan), plan.gateways))
        frr.load(g.pathspace, d / "gateway.conf")
        load_swanctl(d / "ipsec", gateway_swanctl(g))


def _ipsec_initiate(plan: LabPlan) -> None:
    """The routers' strongSwan configs (as ergen rendered them), once ExpressRoute carries their packets."""
    from ergen.lab.ipsec import load_swanctl
    work = Path(plan.workdir)
    for r in plan.routers:
        if r.name in plan.ipsec_configs:
            load_swanctl(work / r.pathspace / "ipsec", plan.ipsec_configs[r.name])


def _vnet_routes(plan: LabPlan) -> str:
    """The VNet range the gateways announce inside the tunnels (the lab's first private-peering prefix)."""
    return plan.ping_target.rsplit(".", 2)[0] + ".0.0/16"


def _management(plan: LabPlan) -> None:
    """A management network (root namespace ↔ bridge ↔ each router's mgmt0) and an sshd per router.

    sshd runs in the router's namespace with its own UTS namespace (hostname = router name), root
    login by the lab's key only; pushes (NAPALM, frr driver) go over it like to a real router."""
    import ipaddress

    work = Path(plan.workdir)
    net = ipaddress.ip_network(plan.mgmt_subnet)
    netns.ip("link", "add", plan.mgmt_host_if, "type", "veth", "peer", "name", "up0", "netns", plan.mgmt_ns)
    netns.ip("link", "set", plan.mgmt_host_if, "up")
    netns.ip("link", "set", "up0", "up", ns=plan.mgmt_ns)
    netns.ip("addr", "add", f"{net.network_address + 1}/{net.prefixlen}", "dev", plan.mgmt_host_if)
    ports = ["up0"]
    for i, r in enumerate(plan.routers):
        netns.veth(r.ns, "mgmt0", plan.mgmt_ns, f"m{i}")
        netns.address(r.ns, "mgmt0", f"{r.mgmt_address}/{net.prefixlen}")
        ports.append(f"m{i}")
    netns.bridge(plan.mgmt_ns, "br0", ports)
    if not shutil.which("sshd") and not Path("/usr/sbin/sshd").exists():
        raise LabError("openssh-server is not installed (Debian: apt-get install openssh-server)")
    key = Path(plan.ssh_key)
    netns.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"ergen-lab-{plan.name}", "-f", str(key))
    netns.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(work / "ssh_host_ed25519_key"))
    auth = work / "authorized_keys"
    auth.write_text(Path(f"{key}.pub").read_text())
    auth.chmod(0o600)
    for r in plan.routers:
        start_sshd(r.ns, r.mgmt_address, work / r.pathspace, r.name, work / "ssh_host_ed25519_key", auth)
    for r in plan.routers:
        wait_sshd(r.ns, r.mgmt_address, work / r.pathspace)


def start_sshd(ns: str, address: str, workdir: Path, hostname: str, host_key: Path, authorized: Path) -> None:
    """An sshd in ``ns`` on ``address``: root by key only, its own UTS namespace named ``hostname``."""
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "sshd_config"
    conf.write_text("\n".join([
        f"ListenAddress {address}", "Port 22", f"HostKey {host_key}", f"PidFile {workdir / 'sshd.pid'}",
        "PermitRootLogin prohibit-password", "PubkeyAuthentication yes", f"AuthorizedKeysFile {authorized}",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
        "MaxStartups 100:30:200", "MaxSessions 50", "Subsystem sftp internal-sftp", ""]))
    subprocess.Popen(["ip", "netns", "exec", ns, "unshare", "-u", "sh", "-c", 'hostname "$0"; exec "$@"',
                      hostname, "/usr/sbin/sshd", "-D", "-f", str(conf), "-E", str(workdir / "sshd.log")],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def wait_sshd(ns: str, address: str, workdir: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not _listening(ns, address):
        if time.monotonic() > deadline:
            raise LabError(f"sshd in {ns} did not start (see {workdir / 'sshd.log'})")
        time.sleep(0.05)


def _listening(ns: str, address: str) -> bool:
    out = netns.run("ss", "-Hltn", ns=ns, check=False).stdout
    return f"{address}:22" in out


def _wait(plan: LabPlan, wait: float, t0: float) -> tuple[int, float | None]:
    deadline = t0 + wait
    while True:
        n = sum(1 for s in plan.sessions if _bgp_state(s.ce_pathspace, s.edge_address) == "Established")
        if n == len(plan.sessions):
            return n, time.monotonic() - t0
        if time.monotonic() > deadline:
            return n, None
        time.sleep(0.2)


def _bgp_state(pathspace: str, neighbor: str) -> str:
    try:
        data = frr.vtysh_json(pathspace, f"show bgp neighbors {neighbor} json")
    except LabError:
        return "unknown"
    return (data.get(neighbor) or {}).get("bgpState", "unknown")


def expect(name: str, intents) -> dict:
    """After a drain or undrain: what ``lab check`` expects of each session now (the AS path the edge
    sees, a session shut down), from the routers' current intents; saved in the lab's state."""
    state = load_state(name)
    by = {(n.address, it.name): (it, n) for it in intents for n in it.neighbors}
    for s in state["sessions"]:
        hit = by.get((s["edge_address"], s["router"]))
        if hit is None:
            continue
        it, n = hit
        rm = next(m for m in it.route_maps if m.name == n.route_map_out)
        s["prepend"] = len(rm.entries[0].set_as_path_prepend)
        s["shutdown"] = n.shutdown
    path = LAB_ROOT / name / "state.json"
    path.write_text(json.dumps(state, indent=2))
    path.chmod(0o600)
    return state


def load_state(name: str) -> dict:
    if not NAME.match(name):
        raise InputError("a lab name is 1-8 lowercase letters or digits", field="--name")
    path = LAB_ROOT / name / "state.json"
    if not path.exists():
        raise LabError(f"no lab named {name} is up (ergen lab status lists them)")
    return json.loads(path.read_text())


def down(name: str = "er") -> list[str]:
    """Remove the lab; returns the namespaces removed. Safe on a half-built lab."""
    _need_root()
    path = LAB_ROOT / name
    if (path / "state.json").exists():
        state = json.loads((path / "state.json").read_text())
        namespaces, pathspaces = state["namespaces"], state["pathspaces"]
    else:  # a lab that died before saving its state: find its namespaces by name
        namespaces = sorted(n for n in netns.existing() if n.startswith(f"erg-{name}-"))
        pathspaces = []
    if not namespaces and not path.exists():
        raise LabError(f"no lab named {name} is up")
    live = [n for n in namespaces if n in netns.existing()]
    _teardown(namespaces, pathspaces, path)
    return live


def _teardown(namespaces: list[str], pathspaces: list[str], workdir: Path) -> None:
    netns.kill_all(namespaces)
    netns.delete(namespaces)
    for ps in pathspaces:
        frr.remove_runtime(ps)
    shutil.rmtree(workdir, ignore_errors=True)


def status() -> list[dict]:
    out = []
    if LAB_ROOT.exists():
        live = netns.existing()
        for d in sorted(LAB_ROOT.iterdir()):
            f = d / "state.json"
            if f.exists():
                st = json.loads(f.read_text())
                out.append({"name": st["name"], "namespaces": len(st["namespaces"]),
                            "alive": sum(1 for n in st["namespaces"] if n in live),
                            "sessions": len(st["sessions"]), "routers": [r["name"] for r in st["routers"]]})
    return out


def check(name: str = "er") -> "CheckReport":
    from ergen.lab.verify import check_lab
    _need_root()
    return check_lab(load_state(name))


from ergen.lab.verify import CheckReport  # noqa: E402  (type for callers)
