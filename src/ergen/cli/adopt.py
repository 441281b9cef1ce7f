"""``ergen adopt``: compare what routers already run with ergen's intent, and plan the migration."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ergen.cli.main import PlatformOpt, PortOpt, app, user_errors


class Output(str, Enum):
    text = "text"
    json = "json"


@app.command()
@user_errors
def adopt(circuit: Annotated[list[str], typer.Argument(metavar="CIRCUIT...", help="Azure circuit JSON or Terraform state")],
          inventory: Annotated[str, typer.Option("--inventory", "-i", help="inventory folder")],
          running: Annotated[Optional[list[str]], typer.Option(
              "--running", help="ROUTER=FILE: a router's running config from a file (repeat it); without it "
                                "the routers are read over NAPALM (get_config, read only)")] = None,
          lab: Annotated[Optional[str], typer.Option("--lab", help="read the routers of this ergen lab")] = None,
          plan: Annotated[Optional[str], typer.Option(
              "--plan", help="write the migration to this folder: migration.txt (per step, per platform) and "
                             "plan.json (what ergen push --adopt executes)")] = None,
          force: Annotated[bool, typer.Option("--force", help="replace an existing plan")] = False,
          output: Annotated[Output, typer.Option("--output", "-o")] = Output.text,
          platform: PlatformOpt = None, port: PortOpt = None,
          workers: Annotated[int, typer.Option("--workers", help="routers read in parallel")] = 4) -> None:
    """Find what already serves each link and peering on the routers (subinterfaces, Microsoft's BGP
    neighbors, their peer groups, policies, prefix lists, BFD, keys, anchor routes), show it beside what
    ergen would render, and name every difference. Exit 0 when every router matches ergen's intent, 1
    when any differs. Never writes to a router."""
    from ergen.adopt import adopt as run_adopt
    from ergen.adopt import read_running_files
    from ergen.adopt.report import as_text, write_plan
    from ergen.cli.main import _err, _load

    circuits = _load(circuit, None, port)
    inv, intents = _intents(circuits, inventory, lab=lab, platform=platform)
    if running:
        configs = read_running_files(running)
    else:
        configs = _fetch(intents, inv, lab=lab, workers=workers)
    report = run_adopt(circuits, inv, configs, intents=intents)
    if plan:
        migration = plan_for(report, circuits, intents, inv, platform)
        for p in write_plan(plan, report, migration, circuits=list(circuit), inventory=str(inventory), force=force):
            _err(f"wrote {p}")
    if output is Output.json:
        data = report.as_dict()
        print(json.dumps(data, indent=2))
    else:
        sys.stdout.write(as_text(report))
    if not report.ok:
        raise typer.Exit(1)


def _intents(circuits, inventory: str, *, lab: str | None = None, platform: str | None = None):
    import ergen

    inv = ergen.load_inventory(inventory)
    if lab:
        from ergen.lab import lab_inventory
        inv = lab_inventory(inv)
    return inv, ergen.plan(circuits, inv, platform=platform).intents


def _fetch(intents, inv, *, lab: str | None, workers: int) -> dict[str, tuple[str, str]]:
    from ergen.change import push as change
    from ergen.cli.main import _err
    from ergen.errors import InputError

    lab_state = None
    if lab:
        from ergen.lab import load_state
        lab_state = load_state(lab)
    tgts = change.targets(intents, inv, configs={i.name: "" for i in intents}, lab=lab_state)
    got = change.get_configs(tgts, workers=workers)
    out = {}
    for router, (text, why) in got.items():
        if text is None:
            _err(f"{router}: running config not read: {why}")
            continue
        out[router] = (text, f"router {router}" + (f" (lab {lab})" if lab else ""))
    if not out:
        raise InputError("no router's running config could be read", field="--running")
    return out


def plan_for(report, circuits, intents, inv, platform=None):
    """The migration of a report: ergen's config per router, as rendered and drained (keys in clear, as
    pushed), and the plan."""
    import ergen
    from ergen.adopt.migrate import drain_values, plan_migration
    from ergen.intent import naming

    names = {r.router for r in report.routers}
    configs = ergen.render_configs([i for i in intents if i.name in names], show_secrets=True)
    values = drain_values(report.routers)
    drains = {(c.name, c.link): values for i in intents for c in i.circuits}
    drained_intents = ergen.plan(circuits, inv, platform=platform, drains=drains).intents
    drained = ergen.render_configs([i for i in drained_intents if i.name in names], show_secrets=True)

    def tag_of(ra):
        c = ra.intent.circuits[0].name
        return naming.circuit_tag(c, inv.policy(c).tag)

    return plan_migration(report.routers, configs, tag_of=tag_of, drained=drained, values=values)
