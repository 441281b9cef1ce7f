"""Commands: show, validate, render, schema."""

from __future__ import annotations

import json
import sys
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

app = typer.Typer(
    name="ergen",
    help="Azure ExpressRoute circuits → edge-router configs (IOS-XE, Junos, EOS, NX-OS, IOS-XR, FRR): Azure's rules first, then render, lab, diff, push.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
)


class Output(str, Enum):
    text = "text"
    json = "json"


def _err(line: str) -> None:
    sys.stderr.write(line.rstrip("\n") + "\n")


def user_errors(fn: Callable) -> Callable:
    """Any ErgenError becomes one line on stderr and exit 1; rule failures print every problem."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        from ergen.errors import ErgenError
        from ergen.pipeline import RulesFailed

        try:
            return fn(*args, **kwargs)
        except RulesFailed as exc:
            for p in exc.report.problems:
                _err(p.line())
            _err(f"ergen: {len(exc.report.errors)} error(s), {len(exc.report.warnings)} warning(s); "
                 "nothing written")
            raise typer.Exit(1) from None
        except ErgenError as exc:
            _err(f"ergen: error: {exc}")
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug in ergen, not the user's input
            import os
            if os.environ.get("ERGEN_DEBUG"):
                raise
            _err(f"ergen: internal error (a bug in ergen, please report it): {type(exc).__name__}: "
                 f"{' '.join(str(exc).split())[:300]}; ERGEN_DEBUG=1 shows the traceback")
            raise typer.Exit(70) from None
    return wrapper


CircuitArgs = Annotated[list[str], typer.Argument(
    metavar="CIRCUIT...", help="Azure circuit JSON (ARM/REST, az CLI or PowerShell) or Terraform state (show -json "
                               "or terraform.tfstate), or - for stdin")]
PeeringsOpt = Annotated[Optional[str], typer.Option(
    "--peerings", help="a peering list (REST {value:[...]} or az peering list) to add to the circuit")]
PortOpt = Annotated[Optional[str], typer.Option(
    "--port", help="the ExpressRoute Direct port's JSON (encapsulation, MACsec cipher)")]
VpnOpt = Annotated[Optional[list[str]], typer.Option(
    "--vpn", help="an Azure VPN gateway or connection JSON, or a Virtual WAN hub's vpnGateways, "
    "vpnConnections, vpnSites or expressRouteGateways JSON (IPsec over ExpressRoute); repeat it")]
PlatformOpt = Annotated[Optional[str], typer.Option(
    "--platform", "-p", help="render every router as this platform (ergen platforms lists them)")]
InventoryOpt = Annotated[Path, typer.Option("--inventory", "-i", help="inventory folder (hosts.yaml, circuits.yaml)")]


def _load(circuit_files: list[str], peerings: str | None, port: str | None = None):
    from ergen import load_circuits

    if peerings and len(circuit_files) != 1:
        from ergen.errors import InputError
        raise InputError("--peerings goes with exactly one circuit file", field="--peerings")
    circuits = []
    if port and len(circuit_files) != 1:
        from ergen.errors import InputError
        raise InputError("--port goes with exactly one circuit file", field="--port")
    for f in circuit_files:
        circuits += load_circuits(f, peerings=peerings, port=port)
    names = [c.name.lower() for c in circuits]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        from ergen.errors import InputError
        raise InputError(f"circuit {sorted(dup)[0]!r} is given more than once", field="CIRCUIT")
    return circuits


def _check_all(circuit_files, inventory) -> None:
    if circuit_files or inventory is not None:
        from ergen.errors import InputError
        raise InputError("--all INVENTORY reads the circuits the inventory names; give no CIRCUIT files and "
                         "no --inventory with it", field="--all")


def _load_estate(folder: Path):
    """(circuits, inventory) of a whole estate: every circuit the inventory names, from its export."""
    from ergen import load_inventory
    from ergen.estate import load_estate
    inv = load_inventory(folder)
    return load_estate(inv), inv


@app.command()
@user_errors
def show(circuit: CircuitArgs, peerings: PeeringsOpt = None,
         output: Annotated[Output, typer.Option("--output", "-o")] = Output.text,
         graph: Annotated[Optional[str], typer.Option(
             "--graph", metavar="mermaid|dot", help="draw circuit -> links -> routers -> peerings with the drains "
                                                   "instead (needs -i; as ergen graph)")] = None,
         inventory: Annotated[Optional[Path], typer.Option(
             "--inventory", "-i", help="inventory folder (for --graph)")] = None) -> None:
    """Show circuits, their peerings and each link's customer and Microsoft addresses. Needs no inventory."""
    from ergen.show import describe

    if graph is not None:
        from ergen import load_inventory
        from ergen.audit import plan_graph
        from ergen.errors import InputError
        if graph not in ("mermaid", "dot"):
            raise InputError(f"{graph!r}: mermaid or dot", field="--graph")
        if inventory is None:
            raise InputError("--graph draws where the links land: give the inventory (-i)", field="--inventory")
        sys.stdout.write(plan_graph(_load(circuit, peerings), load_inventory(inventory), fmt=graph))
        return

    data = [describe(c) for c in _load(circuit, peerings)]
    if output is Output.json:
        print(json.dumps(data if len(data) > 1 else data[0], indent=2))
        return
    from ergen.cli.tables import print_circuits
    print_circuits(data)


@app.command()
@user_errors
def validate(circuit: Annotated[Optional[list[str]], typer.Argument(
                 metavar="[CIRCUIT...]", help="Azure circuit JSON (ARM/REST, az CLI or PowerShell), or - for "
                                              "stdin; not with --all")] = None,
             inventory: Annotated[Optional[Path], typer.Option(
                 "--inventory", "-i", help="inventory folder; without it only Azure-side rules run")] = None,
             all_: Annotated[Optional[Path], typer.Option(
                 "--all", metavar="INVENTORY", help="the whole estate: every circuit the inventory names")] = None,
             peerings: PeeringsOpt = None, port: PortOpt = None, platform: PlatformOpt = None,
             vpn: VpnOpt = None,
             output: Annotated[Output, typer.Option("--output", "-o")] = Output.text) -> None:
    """Check circuits (and the inventory) against ExpressRoute's rules. Exit 1 on any error."""
    from ergen import load_inventory, load_vpn, validate as run_rules
    from ergen.errors import InputError

    if all_ is not None:
        _check_all(circuit, inventory)
        circuits, inv = _load_estate(all_)
    else:
        if not circuit:
            raise InputError("give CIRCUIT files (or --all INVENTORY)", field="CIRCUIT")
        circuits = _load(circuit, peerings, port)
        inv = load_inventory(inventory) if inventory else None
    report = run_rules(circuits, inv, platform=platform, vpn=[load_vpn(v) for v in vpn or []])
    if output is Output.json:
        print(json.dumps({"ok": report.ok, "problems": [p.as_dict() for p in report.problems]}, indent=2))
    else:
        for p in report.problems:
            print(p.line())
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in "
              f"{len(circuits)} circuit(s)" + (f" and {inv.path}" if inv else ""))
    if not report.ok:
        raise typer.Exit(1)


@app.command()
@user_errors
def render(circuit: Annotated[Optional[list[str]], typer.Argument(
               metavar="[CIRCUIT...]", help="Azure circuit JSON files (not with --all)")] = None,
           inventory: Annotated[Optional[Path], typer.Option(
               "--inventory", "-i", help="inventory folder (hosts.yaml, circuits.yaml, customers/)")] = None,
           all_: Annotated[Optional[Path], typer.Option(
               "--all", metavar="INVENTORY", help="the whole estate of this inventory: every circuit it names, "
                                                  "read from its source (default azure/<circuit>.json)")] = None,
           customer: Annotated[Optional[str], typer.Option(
               "--customer", help="check the whole estate, write only the routers carrying this customer, "
                                  "and show their diff against the files in --out")] = None,
           out: Annotated[Optional[Path], typer.Option("--out", help="folder for one config file per router")] = None,
           stdout: Annotated[bool, typer.Option("--stdout", help="print the configs instead of writing files")] = False,
           templates: Annotated[Optional[Path], typer.Option(
               "--templates", help="your template folder (<platform>/<section>.j2), looked in first")] = None,
           force: Annotated[bool, typer.Option("--force", help="replace existing files in --out")] = False,
           show_secrets: Annotated[bool, typer.Option(
               "--show-secrets", help="print keys in clear with --stdout (files always hold them)")] = False,
           peerings: PeeringsOpt = None, port: PortOpt = None, platform: PlatformOpt = None,
           vpn: VpnOpt = None,
           from_azure: Annotated[Optional[str], typer.Option(
               "--from-azure", metavar="SUB/RG/CIRCUIT",
               help="read the circuit live from Azure (ergen[azure], az login): "
                    "SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT or its ARM id")] = None,
           cloud: Annotated[str, typer.Option(
               "--cloud", envvar="ERGEN_AZURE_CLOUD", help="with --from-azure: public, usgov or china")] = "public",
           arm_endpoint: Annotated[Optional[str], typer.Option(
               "--arm-endpoint", envvar="ERGEN_ARM_ENDPOINT",
               help="with --from-azure: a Resource Manager URL instead of the cloud's")] = None,
           fmt: Annotated[str, typer.Option(
               "--format", help="text, or set: Junos routers in set form (display set, load set)")] = "text",
           no_cache: Annotated[bool, typer.Option(
               "--no-cache", help="with --all: do not use or fill the cache of earlier runs (ERGEN_NO_CACHE=1)")]
           = False) -> None:
    """Validate, then write each router's config (nothing is written if any rule fails)."""
    from ergen import load_inventory, load_vpn, plan, render_configs, write_configs
    from ergen.errors import InputError
    from ergen.pipeline import render_extra

    if (out is None) == (not stdout):
        raise InputError("give either --out DIR or --stdout", field="--out")
    if fmt not in ("text", "set"):
        raise InputError(f"{fmt!r:.20} is not a format: text or set", field="--format")
    if all_ is not None:
        _check_all(circuit, inventory)
        inventory = all_
        if out is not None and customer is None and vpn is None:   # stream, one router group at a time
            from ergen.estate import render_estate
            if not force and sys.stdin.isatty() and out.is_dir() and any(out.glob("*.cfg")):
                force = typer.confirm(f"Replace existing files in {out}?", default=False)
            result = render_estate(all_, out, templates=templates, force=force, platform=platform,
                                   cache=not no_cache)
            for p in result.warnings:
                _err(p.line())
            if result.warning_count > len(result.warnings):
                _err(f"ergen: {result.warning_count - len(result.warnings)} more warning(s) not shown")
            for path in result.files:
                print(f"wrote {path}")
            return
        circuits, inv = _load_estate(all_)
    elif from_azure is not None:
        if circuit or peerings or port:
            raise InputError("--from-azure reads the circuit and its Direct port from Azure; give no CIRCUIT "
                             "files, --peerings or --port with it", field="--from-azure")
        if inventory is None:
            raise InputError("--from-azure needs --inventory", field="--inventory")
        from ergen.azure.live import load_from_azure
        circuits = load_from_azure(from_azure, cloud=cloud, endpoint=arm_endpoint)
        inv = load_inventory(inventory)
    else:
        if not circuit or inventory is None:
            raise InputError("give CIRCUIT files and --inventory, or --all INVENTORY", field="CIRCUIT")
        circuits = _load(circuit, peerings, port)
        inv = load_inventory(inventory)
    result = plan(circuits, inv, platform=platform, vpn=[load_vpn(v) for v in vpn or []])
    for p in result.report.warnings:
        _err(p.line())
    intents = result.intents
    if customer is not None:
        from ergen.estate import customer_routers
        intents = customer_routers(intents, inv, customer)
    if not intents:
        raise InputError("no router in the inventory terminates these circuits", file=str(inventory),
                         field="data.expressroute")
    from ergen.platforms import family
    if fmt == "set" and not any(family(i.platform) == "junos" for i in intents):
        raise InputError("--format set is Junos's set form, and no router here is junos", field="--format")
    if stdout:
        for name, text in render_configs(intents, templates=templates, show_secrets=show_secrets, fmt=fmt).items():
            print(f"!! ===== {name} =====")
            sys.stdout.write(text)
        for name, text in render_extra(intents, templates=templates, show_secrets=show_secrets).items():
            print(f"## ===== {name} =====")
            sys.stdout.write(text)
        return
    from ergen.pipeline import config_filename
    from ergen.pipeline import extra_filenames
    names = [config_filename(i.name) for i in intents] + extra_filenames(intents)
    existing = [out / n for n in names if (out / n).exists()]
    if customer is not None and existing:
        from ergen.estate import diff_against_folder
        sys.stdout.write(diff_against_folder(out, intents, templates=templates))
    if existing and not force and sys.stdin.isatty():
        force = typer.confirm(f"Replace {len(existing)} existing file(s) in {out}?", default=False)
    for path in write_configs(intents, out, templates=templates, force=force, fmt=fmt):
        print(f"wrote {path}")


schema_app = typer.Typer(help="JSON Schemas of ergen's input files.", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(schema_app, name="schema")


@schema_app.command("inventory")
def schema_inventory() -> None:
    """JSON Schema of hosts.yaml and circuits.yaml."""
    from ergen.inventory import inventory_schema
    print(inventory_schema())


@app.command()
def platforms(output: Annotated[Output, typer.Option("--output", "-o")] = Output.text) -> None:
    """The platforms ergen renders and the feature matrix (capabilities.yaml)."""
    from ergen.platforms import features, platforms as all_platforms
    feats, plats = features(), all_platforms()
    if output is Output.json:
        print(json.dumps({p.id: {"title": p.title, "napalm": p.napalm_driver,
                                 "features": {f: p.supports(f) or p.unsupported[f] for f in feats}}
                          for p in plats.values()}, indent=2))
        return
    from ergen.cli.tables import print_matrix
    print_matrix(feats, plats)


@app.command()
def rules() -> None:
    """List every rule code with its severity and meaning."""
    from ergen.rules.codes import RULES
    for r in RULES.values():
        print(f"{r.code}  {r.severity.value:<7}  {r.name:<36}  {r.summary}")


@app.callback(invoke_without_command=True)
def _root(version: Annotated[bool, typer.Option("--version", help="print the version and exit")] = False) -> None:
    if version:
        from ergen import __version__
        print(f"ergen {__version__}")
        raise typer.Exit()


def _register_groups() -> None:
    from ergen.cli import change  # noqa: F401  (registers diff)
    from ergen.cli import azure  # noqa: F401  (registers fetch and verify)
    from ergen.cli import onboard  # noqa: F401  (registers init)
    from ergen.cli import adopt  # noqa: F401  (registers adopt)
    from ergen.cli import ops  # noqa: F401  (registers drain, undrain)
    from ergen.cli.lab import lab_app
    app.add_typer(lab_app, name="lab")


_register_groups()
