"""``ergen lab up|check|down|status``: the rendered FRR configs against simulated Microsoft edges."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ergen.cli.main import CircuitArgs, InventoryOpt, Output, PeeringsOpt, _load, user_errors

lab_app = typer.Typer(help="A lab in network namespaces: your routers (FRR) against simulated Microsoft edges.",
                      no_args_is_help=True, rich_markup_mode=None)
NameOpt = Annotated[str, typer.Option("--name", "-n", help="lab name (1-8 lowercase letters or digits)")]


@lab_app.command("up")
@user_errors
def lab_up(circuit: CircuitArgs, inventory: InventoryOpt, name: NameOpt = "er",
           lab_file: Annotated[Optional[Path], typer.Option(
               "--lab", help="what the simulated edges announce (default: ergen/data/lab.yaml)")] = None,
           wait: Annotated[float, typer.Option(help="seconds to wait for every BGP session")] = 60.0,
           vpn: Annotated[Optional[list[Path]], typer.Option(
               "--vpn", help="an Azure VPN gateway or connection JSON, or a Virtual WAN hub's vpnGateways, "
               "vpnConnections, vpnSites or expressRouteGateways JSON (IPsec over ExpressRoute); repeat")] = None,
           peerings: PeeringsOpt = None,
           edge: Annotated[str, typer.Option(
               "--edge", help="what plays Microsoft's edge: frr, or bird (BIRD 2, a second BGP implementation)")] = "frr",
           running: Annotated[Optional[list[str]], typer.Option(
               "--running", help="ROUTER=FILE: run this hand-written FRR config on ROUTER instead of ergen's "
                                 "render (a brownfield start, to rehearse ergen adopt's migration); repeat")] = None
           ) -> None:
    """Build the lab and wait until every BGP session to the simulated edges is Established."""
    from ergen import load_inventory, load_vpn, lab

    given = None
    if running:
        from ergen.adopt import read_running_files
        given = {r: text for r, (text, _) in read_running_files(running).items()}
    res = lab.up(_load(circuit, peerings), load_inventory(inventory), name=name, lab_file=lab_file, wait=wait,
                 vpn=[load_vpn(v) for v in vpn or []], running=given, edge=edge)
    p = res.plan
    for note in p.notes:
        print(f"note: {note}")
    print(f"lab {p.name}: {len(p.namespaces)} namespaces, {len(p.routers)} routers, {len(p.edges)} edges, "
          f"LAN host {p.lan_host}, Azure test address {p.ping_target}")
    if res.seconds_to_established is None:
        print(f"{res.established} of {res.expected} sessions Established after {wait:g} s; see ergen lab check")
        raise typer.Exit(1)
    print(f"all {res.expected} BGP sessions Established {res.seconds_to_established:.1f} s after lab up began")
    if running:
        print("brownfield start: the routers run the configs given with --running; ergen adopt --lab "
              f"{p.name} compares them with ergen's intent")
        return
    if res.seconds_to_converged is None:
        print("but not every session sends and receives what the intent says; see ergen lab check")
        raise typer.Exit(1)
    print(f"every session sends and receives what the intent says after {res.seconds_to_converged:.1f} s")


@lab_app.command("check")
@user_errors
def lab_check(name: NameOpt = "er",
              output: Annotated[Output, typer.Option("--output", "-o")] = Output.text) -> None:
    """Per session: BGP state, BFD, prefixes sent and received against the intent. Exit 1 on any difference."""
    from ergen import lab

    report = lab.check(name)
    if output is Output.json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        from ergen.cli.tables import print_lab_check
        print_lab_check(report)
    if not report.ok:
        raise typer.Exit(1)


@lab_app.command("down")
@user_errors
def lab_down(name: NameOpt = "er") -> None:
    """Remove every namespace, process and file of the lab."""
    from ergen import lab
    removed = lab.down(name)
    print(f"lab {name}: removed {len(removed)} namespaces")


@lab_app.command("status")
@user_errors
def lab_status() -> None:
    """The labs that are up."""
    from ergen import lab
    labs = lab.status()
    if not labs:
        print("no lab is up")
    for l in labs:
        print(f"{l['name']}: {l['alive']}/{l['namespaces']} namespaces alive, {l['sessions']} sessions, "
              f"routers {', '.join(l['routers'])}")
