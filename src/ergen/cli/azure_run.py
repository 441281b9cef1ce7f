"""The work behind ``ergen fetch`` and ``ergen verify`` (cli/azure.py declares the commands).

Imported only when one of those commands runs, so ``ergen --help`` never compiles or loads it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ergen.cli.main import Output, _err, _load


def _session(cloud: str, endpoint: str | None):
    from ergen.azure import live
    return live.Session(cloud=cloud, endpoint=endpoint)


def _write(doc, out: str, *, force: bool, show_secrets: bool, what: str) -> None:
    from ergen.azure import live

    if out == "-":
        data = doc if show_secrets else live.mask_secrets(doc)
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    path = Path(out)
    if path.exists() and not path.is_dir() and not force and sys.stdin.isatty():
        force = typer.confirm(f"Replace {path}?", default=False)
    live.save(doc, path, force=force, show_secrets=show_secrets)
    kept = ("secrets in clear, mode 0600" if show_secrets and live.has_secrets(doc) else
            "keys masked" if live.has_secrets(doc) else "no keys in it")
    print(f"wrote {path}: {what} ({kept})")


def fetch_circuit(subscription: str, resource_group: str, name: str, out: str, *, force: bool,
                  show_secrets: bool, cloud: str, arm_endpoint: str | None) -> None:
    from ergen.azure import live
    from ergen.azure.reader import parse_circuits

    with _session(cloud, arm_endpoint) as s:
        doc = live.fetch_circuit(subscription, resource_group, name, session=s)
    ref = live.ResourceRef(subscription, resource_group, name)
    circuit = parse_circuits(json.dumps(doc), ref.label)[0]        # Azure's answer must read as a circuit
    peerings = ", ".join(p.name for p in circuit.peerings) or "no peerings"
    _write(doc, out, force=force, show_secrets=show_secrets, what=f"circuit {circuit.name}, {peerings}")
    port = live.port_ref(doc)
    if port is not None:
        _err(f"note: {circuit.name} is on ExpressRoute Direct port {port.name}: ergen fetch port -s {port.subscription} "
             f"-g {port.resource_group} -n {port.name} --out PORT.json, then render with --port PORT.json")
    for rf in live.route_filter_refs(doc):
        _err(f"note: Microsoft peering uses route filter {rf.name}: ergen fetch route-filter -s {rf.subscription} "
             f"-g {rf.resource_group} -n {rf.name} --out {rf.name}.json")


def fetch_port(subscription: str, resource_group: str, name: str, out: str, *, force: bool, cloud: str,
               arm_endpoint: str | None) -> None:
    from ergen.azure import live
    from ergen.azure.reader import parse_port

    with _session(cloud, arm_endpoint) as s:
        doc = live.fetch_port(subscription, resource_group, name, session=s)
    port = parse_port(json.dumps(doc), live.ResourceRef(subscription, resource_group, name, "expressRoutePorts").label)
    _write(doc, out, force=force, show_secrets=False,
           what=f"ExpressRoute Direct port {port.name}, {port.encapsulation or 'encapsulation not shown'}")


def fetch_route_filter(subscription: str, resource_group: str, name: str, out: str, *, force: bool,
                       cloud: str, arm_endpoint: str | None) -> None:
    from ergen.azure import live

    with _session(cloud, arm_endpoint) as s:
        doc = live.fetch_route_filter(subscription, resource_group, name, session=s)
    props = doc.get("properties") if isinstance(doc.get("properties"), dict) else doc
    communities = sorted({c for r in props.get("rules") or [] if isinstance(r, dict)
                          for c in ((r.get("properties") or r).get("communities") or [])})
    _write(doc, out, force=force, show_secrets=False,
           what=f"route filter {name}, communities {', '.join(communities) or 'none'}")


def fetch_vpn(subscription: str, resource_group: str, gateway: str, out: Path, *, connection: list[str] | None,
              force: bool, show_secrets: bool, cloud: str, arm_endpoint: str | None) -> None:
    from ergen.azure import live
    from ergen.azure.vpn import parse_connection, parse_gateway
    from ergen.errors import OutputError

    with _session(cloud, arm_endpoint) as s:
        gw = live.fetch_vpn_gateway(subscription, resource_group, gateway, session=s)
        conns = live.fetch_vpn_connections(subscription, resource_group, gateway, names=connection, session=s)
    ref = live.ResourceRef(subscription, resource_group, gateway, "virtualNetworkGateways")
    parse_gateway(json.dumps(gw), ref.label)
    docs = [(out / f"{gateway}.json", gw, f"VPN gateway {gateway}")]
    for c in conns:
        cname = parse_connection(json.dumps(c), ref.label).name
        docs.append((out / f"{cname}.json", c, f"connection {cname}"))
    if out.exists() and not out.is_dir():
        raise OutputError("is a file; --out takes a folder here", file=str(out), field="--out")
    existing = [p for p, _, _ in docs if p.exists()]
    if existing and not force and sys.stdin.isatty():
        force = typer.confirm(f"Replace {len(existing)} existing file(s) in {out}?", default=False)
    if existing and not force:
        raise OutputError("exists; --force replaces it (nothing written)", file=str(existing[0]), field="--out")
    out.mkdir(parents=True, exist_ok=True)
    for path, doc, what in docs:
        _write(doc, str(path), force=force, show_secrets=show_secrets, what=what)
    if not conns:
        _err(f"note: no connection in resource group {resource_group} uses gateway {gateway}")


def fetch_list(subscription: str, resource_group: str | None, *, output: Output, show_secrets: bool, cloud: str,
               arm_endpoint: str | None) -> None:
    from ergen.azure import live
    from ergen.azure.reader import parse_circuits

    with _session(cloud, arm_endpoint) as s:
        items = live.list_circuits(subscription, resource_group, session=s)
    if output is Output.json:
        data = items if show_secrets else live.mask_secrets(items)
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    label = f"azure:{subscription}" + (f"/{resource_group}" if resource_group else "")
    circuits = parse_circuits(json.dumps({"value": items}), label) if items else []
    _print_list(circuits)
    print(f"{len(circuits)} circuit(s) in subscription {subscription}" +
          (f", resource group {resource_group}" if resource_group else ""))


def _print_list(circuits) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ergen.azure import live

    console = Console(highlight=False, width=max(Console().width, 120))
    t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
    for col in ("circuit", "resource group", "region", "provider / port", "location", "bandwidth", "SKU",
                "provider state", "peerings"):
        t.add_column(col)
    e = lambda v: escape(str(v)) if v not in (None, "") else "-"  # noqa: E731 (Azure text: no markup)
    for c in circuits:
        rg = "-"
        if c.id:
            try:
                rg = live.parse_id(c.id).resource_group
            except Exception:  # noqa: BLE001 (an odd id only loses this column)
                rg = "-"
        provider = (f"Direct {c.express_route_port_id.rsplit('/', 1)[-1]}" if c.express_route_port_id
                    else c.service_provider_name)
        t.add_row(e(c.name), e(rg), e(c.location), e(provider), e(c.peering_location), e(c.bandwidth_label),
                  e(f"{c.sku_tier or '-'}/{c.sku_family or '-'}"), e(c.service_provider_provisioning_state),
                  e(", ".join(p.short for p in c.peerings) or "none"))
    console.print(t)


def verify(inventory: Path, circuit: list[str] | None, *, from_azure: str | None, peerings: str | None,
           port: str | None, platform: str | None, vpn: list[str] | None, output: Output, cloud: str,
           arm_endpoint: str | None, routes: bool = False) -> None:
    from ergen import load_inventory, load_vpn, plan
    from ergen.azure import live
    from ergen.azure.verify import verify as run_verify
    from ergen.errors import InputError

    if bool(circuit) == bool(from_azure):
        raise InputError("give the circuit JSON or --from-azure SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT", field="CIRCUIT")
    with _session(cloud, arm_endpoint) as s:
        if from_azure:
            circuits = live.load_from_azure(from_azure, cloud=cloud, credential=s.credential,
                                            endpoint=arm_endpoint)
        else:
            circuits = _load(circuit, peerings, port)
        result = plan(circuits, load_inventory(inventory), platform=platform, vpn=[load_vpn(v) for v in vpn or []])
        for p in result.report.warnings:
            _err(p.line())
        report = run_verify(circuits, result.intents, session=s, routes=routes)
    if output is Output.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        _print_verify(report)
    if not report.ok:
        raise typer.Exit(1)


def _print_verify(report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 140))
    t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
    for col in ("link", "router address", "ARP on Microsoft's edge", "BGP", "received", "problem"):
        t.add_column(col)
    for c in report.checks:
        rcvd = "-" if c.received is None else str(c.received)
        if c.received != c.advertised:
            rcvd += f" (want {c.advertised})"
        t.add_row(escape(c.label), escape(c.customer), escape(c.arp), escape(c.bgp), rcvd,
                  "ok" if c.ok else escape("; ".join(c.problems)))
    console.print(t)
    bad = sum(1 for c in report.checks if not c.ok)
    console.print(f"{len(report.checks) - bad} of {len(report.checks)} sessions as the intent says"
                  + (f"; {bad} differ" if bad else ""))
