"""Day-2 commands: ``ergen drain``, ``ergen undrain``."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ergen.cli.main import PortOpt, app, user_errors


class Mode(str, Enum):
    prepend = "prepend"
    shutdown = "shutdown"


class Link(str, Enum):
    primary = "primary"
    secondary = "secondary"


class Peering(str, Enum):
    private = "private"
    microsoft = "microsoft"


class Output(str, Enum):
    text = "text"
    json = "json"


class _Quiet:                # the drill's steps print nothing on stdout (the drill reports them)
    value = "quiet"


CircuitArgs = Annotated[list[str], typer.Argument(metavar="CIRCUIT...", help="Azure circuit JSON or Terraform state")]
InventoryReq = Annotated[str, typer.Option("--inventory", "-i", help="inventory folder (drains.yaml is kept there)")]
LinkReq = Annotated[Link, typer.Option("--link", help="the link to drain: primary or secondary")]
CircuitOpt = Annotated[Optional[str], typer.Option(
    "--circuit", help="which circuit (when several circuit files are given)")]
CommitOpt = Annotated[bool, typer.Option("--commit", help="push it (commit-confirm), verify, then record it")]
StateOnlyOpt = Annotated[bool, typer.Option(
    "--state-only", help="only record the drain state (renders and pushes carry it); contact no router")]
LabOpt = Annotated[Optional[str], typer.Option("--lab", help="the routers of this ergen lab")]
ConfirmOpt = Annotated[Optional[int], typer.Option("--confirm-timeout", help="seconds: the router reverts "
                                                                              "unless confirmed")]
WaitOpt = Annotated[float, typer.Option("--verify-wait", help="seconds to wait for BGP to settle and verify")]
OutOpt = Annotated[Output, typer.Option("--output", "-o")]
AzureOpt = Annotated[bool, typer.Option(
    "--azure", help="after the routers: Azure's route table of each link (the AS path Azure sees) and sessions")]
EndpointOpt = Annotated[Optional[str], typer.Option("--arm-endpoint", hidden=True)]


@app.command()
@user_errors
def drain(circuit: CircuitArgs, inventory: InventoryReq, link: LinkReq, circuit_name: CircuitOpt = None,
          peering: Annotated[Optional[list[Peering]], typer.Option(
              "--peering", help="only this peering of the link (repeat; default: all)")] = None,
          mode: Annotated[Mode, typer.Option(
              "--mode", help="prepend: policies only, the sessions stay up; shutdown: then the BGP sessions "
                             "down too")] = Mode.prepend,
          reason: Annotated[str, typer.Option("--reason", help="why (kept in drains.yaml)")] = "",
          force: Annotated[bool, typer.Option("--force", help="drain even the last working link")] = False,
          commit: CommitOpt = False, state_only: StateOnlyOpt = False, lab: LabOpt = None,
          confirm_timeout: ConfirmOpt = None, verify_wait: WaitOpt = 30.0, port: PortOpt = None,
          azure: AzureOpt = False, arm_endpoint: EndpointOpt = None,
          output: OutOpt = Output.text) -> None:
    """Move traffic off a link before anything goes down: a longer AS path toward Microsoft (Azure prefers
    the other link) and a lower local preference inbound (the site prefers the other link); with --mode
    shutdown, then the link's BGP sessions down. Without --commit or --state-only: what would change."""
    from ergen import drain as ops
    from ergen.cli.main import _err, _load
    from ergen import load_inventory

    circuits = _load(circuit, None, port)
    inv = load_inventory(inventory)
    state = ops.load(inv.path)
    name = _circuit_name(circuits, circuit_name)
    new, warnings = ops.plan_drain(circuits, inv, state, circuit=name, link=link.value,
                                   peerings=[p.value for p in peering or []] or None, mode=mode.value, force=force,
                                   reason=reason)
    for w in warnings:
        _err(f"warning: {w}")
    _apply(circuit, inventory, circuits, inv, state, new, link.value, "drain", commit=commit, state_only=state_only,
           lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait, port=port, output=output,
           azure=azure, arm_endpoint=arm_endpoint)


@app.command()
@user_errors
def undrain(circuit: CircuitArgs, inventory: InventoryReq, link: LinkReq, circuit_name: CircuitOpt = None,
            commit: CommitOpt = False, state_only: StateOnlyOpt = False, lab: LabOpt = None,
            confirm_timeout: ConfirmOpt = None, verify_wait: WaitOpt = 30.0, port: PortOpt = None,
            azure: AzureOpt = False, arm_endpoint: EndpointOpt = None,
            output: OutOpt = Output.text) -> None:
    """Put a drained link back: ergen's config as rendered, the sessions up, the link preferred again as the
    inventory says. Without --commit or --state-only: what would change."""
    from ergen import drain as ops
    from ergen.cli.main import _load
    from ergen import load_inventory

    circuits = _load(circuit, None, port)
    inv = load_inventory(inventory)
    state = ops.load(inv.path)
    name = _circuit_name(circuits, circuit_name)
    new = ops.plan_undrain(circuits, state, circuit=name, link=link.value)
    entry = state.get(next((c.name for c in circuits if c.name.lower() == name.lower()), name), link.value)
    if commit and entry is not None and entry.mode == "shutdown":
        # the sessions come back up still drained, and only once they carry routes both ways does the
        # drain go: the link never attracts traffic its edge cannot yet send back
        import dataclasses
        step = ops.DrainState(state.path, [dataclasses.replace(e, mode="prepend") if e is entry else e
                                           for e in state.entries])
        _apply(circuit, inventory, circuits, inv, state, step, link.value, "undrain (sessions up, still drained)",
               commit=True, state_only=False, lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait,
               port=port, output=output)
        state = step
    _apply(circuit, inventory, circuits, inv, state, new, link.value, "undrain", commit=commit,
           state_only=state_only, lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait, port=port,
           output=output, azure=azure, arm_endpoint=arm_endpoint)


def _circuit_name(circuits, given: str | None) -> str:
    from ergen.errors import InputError
    if given:
        return given
    if len(circuits) != 1:
        raise InputError("several circuits given: name the one with --circuit", field="--circuit")
    return circuits[0].name


def _apply(circuit_files, inventory, circuits, inv, old, new, link, what, *, commit, state_only, lab,
           confirm_timeout, verify_wait, port, output, azure=False, arm_endpoint=None):
    """Show the change; with --state-only record it; with --commit push, verify, then record it."""
    import ergen
    from ergen import drain as ops
    from ergen.change.review import compare_configs
    from ergen.cli.main import _err
    from ergen.errors import InputError

    if commit and state_only:
        raise InputError("--commit or --state-only, not both", field="--commit")
    plan_inv = inv
    if lab:
        from ergen.lab import lab_inventory
        plan_inv = lab_inventory(inv)
    before = ergen.render_configs(ergen.plan(circuits, plan_inv, drains=old.intent_drains()).intents)
    after_plan = ergen.plan(circuits, plan_inv, drains=new.intent_drains())
    after = ergen.render_configs(after_plan.intents)
    changes = [c for c in compare_configs(before, after, label_old="before", label_new=f"after {what}")
               if c.status != "unchanged"]
    result: dict = {"action": what, "link": link, "routers": [c.router for c in changes], "recorded": False,
                    "pushed": False, "checks": []}
    if output.value == "text":
        for c in changes:
            sys.stdout.write("\n".join(c.diff) + "\n")
    if state_only:
        ops.save(new)
        result["recorded"] = True
        _err(f"{what}: recorded in {new.path}; renders and pushes of this inventory carry it")
    elif not commit:
        _err(f"{what}: a dry run ({len(changes)} router(s) would change); --commit pushes it, --state-only "
             "records it")
    else:
        ok, checks = _push_and_verify(circuit_files, inventory, after_plan.intents, new, [c.router for c in changes],
                                      lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait, port=port,
                                      what=what)
        if ok and azure:      # Azure's side: each link's AS path and sessions as the intent now says
            from ergen.azure.verify import verify as az_verify
            from ergen.drain import Check
            rep = az_verify(circuits, after_plan.intents, endpoint=arm_endpoint, routes=True)
            checks += [Check(c.router, f"Azure {c.label}", c.ok, "; ".join(c.problems) or "as the intent says")
                       for c in rep.checks]
            ok = rep.ok
        result["pushed"] = True
        result["checks"] = [c.as_dict() for c in checks]
        if output.value == "text":
            for c in checks:
                print(f"{'ok  ' if c.ok else 'FAIL'} {c.router}: {c.what}: {c.detail}")
        if ok:
            ops.save(new)
            result["recorded"] = True
            _err(f"{what}: pushed, verified and recorded in {new.path}")
        else:
            _err(f"{what}: not verified; the drain state is unchanged ({old.path})")
            if output.value == "json":
                print(json.dumps(result, indent=2))
            raise typer.Exit(1)
    if output.value == "json":
        print(json.dumps(result, indent=2))


def _push_and_verify(circuit_files, inventory, intents, new, routers, *, lab, confirm_timeout, verify_wait,
                     port, what):
    """Push the routers that change (scoped replace, commit-confirm), then verify every router of the
    circuit: the drained link drained, the others carrying traffic."""
    import time

    from ergen import drain as ops
    from ergen.change import push as change
    from ergen.cli.change import _targets
    from ergen.cli.main import _err

    tgts, inv = _targets(circuit_files, inventory, lab=lab, port=port, drains=new.intent_drains())
    state_dir = Path(inv.path) / ".ergen-state" / (f"lab-{lab}" if lab else "")
    push = [t for t in tgts if t.router in routers]
    if push:
        results, warnings = change.run(push, action="push", commit=True, mode="replace",
                                       confirm_timeout=confirm_timeout, verify_wait=verify_wait, order="parallel",
                                       state_dir=state_dir)
        for w in warnings:
            _err(f"warning: {w}")
        for r in results:
            _err(f"{what} {r.router}: {r.status}" + (f" ({r.error})" if r.error else ""))
        if not all(r.ok for r in results):
            return False, []
    if lab:
        from ergen.lab import expect
        expect(lab, intents)
    deadline = time.monotonic() + verify_wait
    while True:
        running = {k: v for k, (v, _) in change.get_configs(tgts).items() if v is not None}
        bgp = _bgp(tgts)
        checks = ops.verify(intents, new, running, bgp)
        if all(c.ok for c in checks) or time.monotonic() > deadline:
            return all(c.ok for c in checks), checks
        time.sleep(2)


def _bgp(tgts) -> dict[str, dict]:
    """NAPALM get_bgp_neighbors of each router (read only)."""
    from nornir.core.task import Result

    from ergen.change import push as change

    nr = change._nornir(tgts, 4, 60)

    def task(task):
        try:
            dev = task.host.get_connection("napalm", task.nornir.config)
            return Result(host=task.host, result=dev.get_bgp_neighbors())
        except Exception as exc:   # one router's failure is its own
            return Result(host=task.host, result={}, failed=True, exception=exc)

    agg = nr.run(task=task, name="ergen bgp")
    nr.close_connections(on_good=True, on_failed=True)
    return {name: (multi[0].result or {}) for name, multi in agg.items()}


class Format(str, Enum):
    table = "table"
    markdown = "markdown"
    dot = "dot"
    mermaid = "mermaid"


@app.command()
@user_errors
def audit(circuit: Annotated[Optional[list[str]], typer.Argument(
              metavar="[CIRCUIT...]", help="the circuits' Azure JSON or Terraform state (or --all)")] = None,
          inventory: Annotated[Optional[str], typer.Option("--inventory", "-i", help="inventory folder")] = None,
          all_: Annotated[Optional[Path], typer.Option(
              "--all", help="a whole estate: every circuit the inventory (customers/) names")] = None,
          running: Annotated[Optional[list[str]], typer.Option(
              "--running", help="ROUTER=FILE: a router's running config from a file; repeat")] = None,
          running_dir: Annotated[Optional[Path], typer.Option(
              "--running-dir", help="a folder of running configs, <router>.cfg (a config backup)")] = None,
          lab: LabOpt = None,
          azure: Annotated[bool, typer.Option("--azure", help="also Azure's view of each link (ergen verify)")] = False,
          arm_endpoint: Annotated[Optional[str], typer.Option("--arm-endpoint", hidden=True)] = None,
          output: OutOpt = Output.text,
          fmt: Annotated[Format, typer.Option("--format", "-f", help="table, markdown (with a Mermaid graph), "
                                                                      "or only the graph: mermaid, dot")] = Format.table,
          workers: Annotated[int, typer.Option("--workers", help="routers read in parallel")] = 8,
          jobs: Annotated[int, typer.Option("--jobs", help="processes comparing configs (large estates)")] = 1,
          port: PortOpt = None) -> None:
    """Every router against ergen's intent, read only: drift of its running config within ergen's objects,
    BGP toward Microsoft, drain state, and with --azure Azure's view. Exit 1 on any difference. Routers are
    read over NAPALM in parallel (get_config, get_bgp_neighbors), or from --running files, or --lab."""
    import time

    import ergen
    from ergen import drain as ops
    from ergen.audit import as_markdown, as_table, audit as run_audit, graph

    t0 = time.monotonic()
    from ergen.cli.main import _err, _load, _load_estate
    from ergen.errors import InputError

    if all_ is not None:
        if circuit or inventory:
            raise InputError("--all INVENTORY reads the circuits the inventory names; give no CIRCUIT and no "
                             "--inventory with it", field="--all")
        circuits, inv = _load_estate(all_)
    else:
        if not circuit or not inventory:
            raise InputError("give CIRCUIT files and --inventory, or --all INVENTORY", field="CIRCUIT")
        circuits, inv = _load(circuit, None, port), ergen.load_inventory(inventory)
    if lab:
        from ergen.lab import lab_inventory
        inv = lab_inventory(inv)
    result = ergen.plan(circuits, inv)
    intents = result.intents
    candidates = ergen.render_configs(intents, show_secrets=True)
    state = ops.load(inv.path)
    bgp = None
    if running or running_dir:
        from ergen.adopt import read_running_files
        pairs = list(running or [])
        if running_dir is not None:
            if not running_dir.is_dir():
                raise InputError("not a folder of running configs", file=str(running_dir), field="--running-dir")
            pairs += [f"{it.name}={running_dir / (it.name + '.cfg')}" for it in intents
                      if (running_dir / f"{it.name}.cfg").exists()]
        configs = {k: (t, src) for k, (t, src) in read_running_files(pairs).items()}
    else:
        configs, bgp = _read_routers(intents, inv, lab=lab, workers=workers)
    az = None
    if azure:
        from ergen.azure.verify import verify as az_verify
        az = az_verify(circuits, intents, endpoint=arm_endpoint)
    report = run_audit(intents, candidates, configs, bgp=bgp, drain_state=state, azure=az, jobs=jobs)
    report.seconds = time.monotonic() - t0      # the whole audit: reading the routers too
    if output.value == "json":
        print(json.dumps(report.as_dict(), indent=2))
    elif fmt in (Format.mermaid, Format.dot):
        sys.stdout.write(graph(intents, report, drain_state=state, fmt=fmt.value))
    elif fmt is Format.markdown:
        sys.stdout.write(as_markdown(report, graph(intents, report, drain_state=state)))
    else:
        sys.stdout.write(as_table(report))
    if not report.ok:
        raise typer.Exit(1)


def _read_routers(intents, inv, *, lab, workers):
    """Each router's running config and BGP neighbors over NAPALM, in parallel, with a progress bar on a
    terminal; an unreachable router is reported alone."""
    from ergen.change import push as change
    from ergen.cli.main import _err

    lab_state = None
    if lab:
        from ergen.lab import load_state
        lab_state = load_state(lab)
    tgts = change.targets(intents, inv, configs={i.name: "" for i in intents}, lab=lab_state)
    bar = None
    if sys.stderr.isatty():
        from rich.progress import Progress
        bar = Progress(transient=True)
        bar.start()
        job = bar.add_task("ergen audit: reading routers", total=len(tgts))
    try:
        got = change.get_configs(tgts, workers=workers,
                                 on_done=(lambda r, ok: bar.update(job, advance=1)) if bar else None)
        ok = [t for t in tgts if got.get(t.router, (None,))[0] is not None]
        bgp = _bgp(ok) if ok else {}
    finally:
        if bar is not None:
            bar.stop()
    configs = {}
    for t in tgts:
        text, why = got.get(t.router, (None, "no answer"))
        configs[t.router] = (text, f"router {t.router}" if text is not None else why)
    return configs, bgp


@app.command()
@user_errors
def graph(circuit: Annotated[list[str], typer.Argument(metavar="CIRCUIT...", help="Azure circuit JSON")],
          inventory: InventoryReq,
          fmt: Annotated[Format, typer.Option("--format", "-f", help="mermaid or dot")] = Format.mermaid,
          port: PortOpt = None) -> None:
    """Circuit -> links -> routers -> peerings, with the drain state (ergen audit -f mermaid adds each
    session's BGP state): Mermaid for markdown, or Graphviz DOT."""
    import ergen
    from ergen.audit import plan_graph
    from ergen.cli.main import _load

    sys.stdout.write(plan_graph(_load(circuit, None, port), ergen.load_inventory(inventory),
                                fmt="dot" if fmt is Format.dot else "mermaid"))


@app.command()
@user_errors
def drill(circuit: CircuitArgs, inventory: InventoryReq, link: LinkReq, circuit_name: CircuitOpt = None,
          lab: LabOpt = None,
          shutdown: Annotated[bool, typer.Option(
              "--shutdown/--no-shutdown", help="after the drain, take the sessions down too (a maintenance)")] = True,
          confirm_timeout: ConfirmOpt = 60, verify_wait: WaitOpt = 30.0, port: PortOpt = None,
          output: OutOpt = Output.text) -> None:
    """A failover drill: drain the link, (shut its sessions,) undrain it; each step verified. On the lab
    (--lab), with a ping every 20 ms from the LAN host to Azure, it reports per step the time and the pings
    lost. Without --lab: the plan to run in production, step by step."""
    import time

    from ergen import drain as ops
    from ergen import load_inventory
    from ergen.cli.main import _err, _load

    circuits = _load(circuit, None, port)
    name = _circuit_name(circuits, circuit_name)
    base = [*circuit, "-i", str(inventory)] + (["--circuit", name] if circuit_name else [])
    steps = [("drain (prepend)", "drain", []), *([("drain (shutdown)", "drain", ["--mode", "shutdown"])]
                                                  if shutdown else []), ("undrain", "undrain", [])]
    if not lab:
        lines = [f"# failover drill of the {link.value} link of {name}, for a change window", ""]
        lines.append(f"ergen audit {' '.join(base)}          # before: every router as reviewed, every session up")
        for i, (label, cmd, extra) in enumerate(steps, 1):
            lines.append(f"ergen {cmd} {' '.join(base)} --link {link.value} {' '.join(extra)} --commit "
                         f"--confirm-timeout 120    # step {i}: {label}; verified before it returns")
            lines.append(f"ergen audit {' '.join(base)}          # after step {i}")
        lines.append("# watch: the other link's sessions Established with prefixes (the drain refuses otherwise), "
                     "traffic counters on both links, and your monitoring's loss from a site host to a VNet host")
        print("\n".join(lines))
        return
    from ergen.lab import load_state
    from ergen.lab.traffic import Ping

    state = load_state(lab)
    results = []
    for label, cmd, extra in steps:
        ping = Ping(state)
        t0 = time.monotonic()
        inv = load_inventory(inventory)
        old = ops.load(inv.path)
        if cmd == "drain":
            new, warnings = ops.plan_drain(circuits, inv, old, circuit=name, link=link.value,
                                           mode=extra[1] if extra else "prepend")
            for w in warnings:
                _err(f"warning: {w}")
            ok = True
            try:
                _apply(circuit, inventory, circuits, inv, old, new, link.value, f"drill {label}", commit=True,
                       state_only=False, lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait,
                       port=port, output=_Quiet())
            except typer.Exit:
                ok = False
        else:
            ok = True
            try:
                _undrain_commit(circuit, inventory, circuits, inv, old, name, link.value, lab, confirm_timeout,
                                verify_wait, port)
            except typer.Exit:
                ok = False
        seconds = time.monotonic() - t0
        loss = ping.stop()
        results.append({"step": label, "seconds": round(seconds, 1), **loss.as_dict(), "verified": ok})
        if not ok:
            break
    if output.value == "json":
        print(json.dumps({"drill": link.value, "circuit": name, "lab": lab, "steps": results}, indent=2))
    else:
        print(f"{'step':18} {'seconds':>7} {'pings':>6} {'lost':>5} {'longest gap':>12}  verified")
        for r in results:
            print(f"{r['step']:18} {r['seconds']:7.1f} {r['sent']:6d} {r['lost']:5d} {r['longest_gap_ms']:9.0f} ms"
                  f"  {'yes' if r['verified'] else 'NO'}")
    if not all(r["verified"] for r in results):
        raise typer.Exit(1)


def _undrain_commit(circuit_files, inventory, circuits, inv, state, name, link, lab, confirm_timeout, verify_wait,
                    port):
    """undrain --commit, the two steps of a shutdown drain included."""
    import dataclasses

    from ergen import drain as ops

    new = ops.plan_undrain(circuits, state, circuit=name, link=link)
    entry = state.get(next((c.name for c in circuits if c.name.lower() == name.lower()), name), link)
    quiet = _Quiet()
    if entry is not None and entry.mode == "shutdown":
        step = ops.DrainState(state.path, [dataclasses.replace(e, mode="prepend") if e is entry else e
                                           for e in state.entries])
        _apply(circuit_files, inventory, circuits, inv, state, step, link, "undrain (sessions up, still drained)",
               commit=True, state_only=False, lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait,
               port=port, output=quiet)
        state = step
    _apply(circuit_files, inventory, circuits, inv, state, new, link, "undrain", commit=True, state_only=False,
           lab=lab, confirm_timeout=confirm_timeout, verify_wait=verify_wait, port=port, output=quiet)


@app.command()
@user_errors
def resiliency(circuit: CircuitArgs, inventory: InventoryReq, port: PortOpt = None,
               output: OutOpt = Output.text) -> None:
    """The resiliency tier each site reaches (maximum: two circuits in two peering locations on separate
    routers; high: an ExpressRoute Metro circuit; standard: one circuit with both links; none), why, what
    the next tier needs, and the connection weights to set on Azure's side. Exit 1 when a site claims more
    (sites.yaml resiliency:) than it reaches."""
    import ergen
    from ergen.cli.main import _load
    from ergen.sites import resiliency as tiers

    circuits = _load(circuit, None, port)
    inv = ergen.load_inventory(inventory)
    ergen.plan(circuits, inv)          # the rules first: a broken site is an error, not a tier
    reports = tiers(circuits, inv)
    if output.value == "json":
        print(json.dumps([r.as_dict() for r in reports], indent=2))
    else:
        for r in reports:
            claim = f" (claims {r.claims})" if r.claims else ""
            print(f"{r.site}: {r.tier}{claim}: {r.why}")
            print(f"  next: {r.next_tier}")
            for c in r.circuits:
                locs = ", ".join(f"{l} {v or '?'}" for l, v in c.locations.items())
                routers = "; ".join(f"{l} on {', '.join(v) or 'no router'}" for l, v in c.landed.items())
                print(f"  {c.name} ({c.role}{', Metro' if c.metro else ''}): {locs}; {routers}")
            for a in r.azure:
                print(f"  Azure: {a}")
            for p in r.problems:
                print(f"  PROBLEM: {p}")
    if not all(r.ok for r in reports):
        raise typer.Exit(1)
