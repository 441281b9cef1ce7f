"""``ergen diff``: offline review between two renders (folders or git refs)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ergen.cli.main import PlatformOpt, PortOpt, VpnOpt, app, user_errors


class Mode(str, Enum):
    merge = "merge"
    replace = "replace"


class Order(str, Enum):
    standby_first = "standby-first"
    parallel = "parallel"


class Link(str, Enum):
    primary = "primary"
    secondary = "secondary"


LabOpt = Annotated[Optional[str], typer.Option("--lab", help="push to the routers of this ergen lab")]
ModeOpt = Annotated[Mode, typer.Option("--mode", help="merge, or replace only what ergen pushed before")]
WorkersOpt = Annotated[int, typer.Option("--workers", help="routers worked on in parallel")]
CircuitArgs = Annotated[list[str], typer.Argument(metavar="CIRCUIT...", help="Azure circuit JSON")]
InventoryReq = Annotated[str, typer.Option("--inventory", "-i", help="inventory folder")]
StateOpt = Annotated[Optional[str], typer.Option(
    "--state-dir", help="where ergen keeps what it pushed and the configs saved before (default: "
                        "<inventory>/.ergen-state)")]


class JunosFormat(str, Enum):
    text = "text"
    set = "set"


class Format(str, Enum):
    unified = "unified"
    markdown = "markdown"
    json = "json"


@app.command()
@user_errors
def diff(circuit: Annotated[Optional[list[str]], typer.Argument(
             metavar="[CIRCUIT...]", help="with git refs: the circuit JSON to render both refs with")] = None,
         from_: Annotated[Optional[str], typer.Option("--from", help="old: a render folder, or a git ref")] = None,
         to: Annotated[Optional[str], typer.Option("--to", help="new: a render folder, or a git ref")] = None,
         inventory: Annotated[Optional[str], typer.Option("--inventory", "-i",
                                                          help="with git refs: the inventory folder in the repo")] = None,
         fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.unified,
         show_secrets: Annotated[bool, typer.Option("--show-secrets")] = False,
         exit_code: Annotated[bool, typer.Option("--exit-code", help="exit 1 when anything changes")] = False,
         port: PortOpt = None, platform: PlatformOpt = None, lab: LabOpt = None, vpn: VpnOpt = None,
         mode: ModeOpt = Mode.merge, workers: WorkersOpt = 4) -> None:
    """Review a change. With --from/--to: two render folders or two git refs (unified diff, keys masked,
    remediation for IOS-style platforms). Without: the rendered config against each router's running
    config, over NAPALM (--lab NAME: the lab's routers)."""
    from pathlib import Path

    from ergen.change.review import as_markdown, diff_folders, diff_git_refs
    from ergen.errors import InputError

    if not from_ and not to:
        # online: the rendered candidate against each router's running config
        if not circuit or not inventory:
            raise InputError("give --from and --to (two renders), or CIRCUIT and --inventory (routers)",
                             field="--from/--to")
        _change("diff", circuit, inventory, lab=lab, platform=platform, port=port, output=fmt,
                show_secrets=show_secrets, workers=workers, mode=mode.value, vpn=vpn)
        return
    if not from_ or not to:
        raise InputError("give both --from and --to (two render folders, or two git refs)", field="--from/--to")
    if Path(from_).is_dir() and Path(to).is_dir():
        changes = diff_folders(from_, to, show_secrets=show_secrets)
    else:
        if not circuit or not inventory:
            raise InputError("with git refs, give the circuit file(s) and --inventory", field="--from/--to")
        changes = diff_git_refs(from_, to, circuit, inventory, port=port, platform=platform)
    if fmt is Format.markdown:
        sys.stdout.write(as_markdown(changes))
    elif fmt is Format.json:
        print(json.dumps([{"router": c.router, "platform": c.platform, "status": c.status, "added": c.added,
                           "removed": c.removed, "diff": c.diff, "remediation": c.remediation} for c in changes],
                         indent=2))
    else:
        color = sys.stdout.isatty()
        for c in changes:
            if c.status == "unchanged":
                continue
            for line in c.diff:
                style = ("green" if line.startswith("+") else "red" if line.startswith("-")
                         else "cyan" if line.startswith("@@") else None)
                print(typer.style(line, fg=style) if color and style else line)
            if c.remediation:
                print(f"# remediation for {c.router} ({c.platform}):")
                for line in c.remediation:
                    print(f"#   {line}")
        changed = [c for c in changes if c.status != "unchanged"]
        print(f"{len(changed)} of {len(changes)} router(s) change: "
              + (", ".join(f"{c.router} +{c.added} -{c.removed}" for c in changed) or "nothing"))
    if exit_code and any(c.status != "unchanged" for c in changes):
        raise typer.Exit(1)


def _targets(circuit, inventory, *, lab=None, platform=None, port=None, only=None, vpn=None, drains=None,
             junos_format="text"):
    """(targets, inventory): the routers to work on, with their rendered configs (the lab's routers with --lab)."""
    from ergen import load_inventory, plan, render_configs
    from ergen.change import push as change
    from ergen.cli.main import _load

    inv = load_inventory(inventory)
    lab_state = None
    if lab:
        from ergen.lab import lab_inventory, load_state
        lab_state, inv = load_state(lab), lab_inventory(inv)
    from ergen import load_vpn
    result = plan(_load(circuit, None, port), inv, platform=platform, vpn=[load_vpn(v) for v in vpn or []],
                  drains=drains)
    configs = render_configs(result.intents, show_secrets=True, fmt=junos_format)
    return change.targets(result.intents, inv, configs=configs, lab=lab_state, only=only), inv


def _change(action, circuit, inventory, *, lab=None, platform=None, port=None, output=None, show_secrets=False,
            workers=4, mode="merge", commit=False, confirm_timeout=None, allow_downgrade=False, verify=True,
            verify_wait=60.0, order="standby-first", only=None, state_dir=None, ask_password=False, vpn=None,
            junos_format="text"):
    from pathlib import Path

    from ergen.change import push as change
    from ergen.cli.main import _err

    tgts, inv = _targets(circuit, inventory, lab=lab, platform=platform, port=port, only=only, vpn=vpn,
                         junos_format=junos_format)
    if ask_password:
        import getpass

        from ergen.secrets import Secret
        for t in tgts:
            if t.password is None and not t.optional_args.get("key_file"):
                t.password = Secret("prompt", getpass.getpass(f"password for {t.username}@{t.hostname} ({t.router}): "))
    state = Path(state_dir) if state_dir else Path(inv.path) / ".ergen-state" / (f"lab-{lab}" if lab else "")
    done = []
    bar = None
    if sys.stderr.isatty():
        from rich.progress import Progress
        bar = Progress(transient=True)
        bar.start()
        job = bar.add_task(f"ergen {action}", total=len(tgts))

    def progress(r):
        done.append(r)
        if bar is not None:
            bar.update(job, advance=1, description=f"ergen {action}: {r.router} {r.status}")
        else:
            _err(f"[{len(done)}/{len(tgts)}] {r.router}: {r.status}" + (f" ({r.error})" if r.error else ""))

    try:
        results, warnings = change.run(
            tgts, action=action, commit=commit, mode=mode, confirm_timeout=confirm_timeout,
            allow_downgrade=allow_downgrade, verify_wait=verify_wait if verify else 0, order=order,
            workers=workers, state_dir=state, show_secrets=show_secrets, on_done=progress)
    finally:
        if bar is not None:
            bar.stop()
    for w in warnings:
        _err(f"warning: {w}")
    if output is not None and getattr(output, "value", output) == "json":
        print(json.dumps({"action": action, "dry_run": action == "push" and not commit,
                          "results": [r.as_dict() for r in results]}, indent=2))
    else:
        for r in results:
            if r.diff:
                print(f"--- {r.router} ({'candidate vs running' if action != 'push' or not commit else 'applied'})")
                print(r.diff)
        from ergen.cli.tables import print_results
        print_results(results, dry_run=action == "push" and not commit)
    if any(not r.ok for r in results):
        raise typer.Exit(1)


@app.command()
@user_errors
def push(circuit: CircuitArgs, inventory: InventoryReq, lab: LabOpt = None,
         commit: Annotated[bool, typer.Option("--commit", help="apply (without it: a dry run)")] = False,
         mode: ModeOpt = Mode.merge,
         confirm_timeout: Annotated[Optional[int], typer.Option(
             "--confirm-timeout", help="seconds: the router reverts unless confirmed")] = None,
         no_verify: Annotated[bool, typer.Option(
             "--no-verify", help="with --confirm-timeout: do not check BGP and confirm; ergen confirm does")] = False,
         verify_wait: Annotated[float, typer.Option(help="seconds to wait for BGP toward Microsoft")] = 60.0,
         only: Annotated[Optional[Link], typer.Option("--only", help="only the routers of this link")] = None,
         order: Annotated[Order, typer.Option(help="standby-first: the standby link's routers, checked, "
                                                   "then the active ones")] = Order.standby_first,
         workers: WorkersOpt = 4,
         allow_downgrade: Annotated[bool, typer.Option(
             "--allow-downgrade", help="adjust or drop commit-confirm where a platform cannot do it")] = False,
         state_dir: StateOpt = None, platform: PlatformOpt = None, port: PortOpt = None, vpn: VpnOpt = None,
         show_secrets: Annotated[bool, typer.Option("--show-secrets")] = False,
         ask_password: Annotated[bool, typer.Option(
             "--ask-password", help="prompt for the password of routers the inventory gives none")] = False,
         output: Annotated[Format, typer.Option("--output", "-o")] = Format.unified,
         adopt: Annotated[Optional[str], typer.Option(
             "--adopt", help="execute the migration plan ergen adopt --plan wrote (a folder): per link, standby "
                             "link first (--only: one link), drain, replace the adopted objects with ergen's, "
                             "verify")] = None,
         drain_wait: Annotated[float, typer.Option(
             help="with --adopt: seconds between the drain and the replace, for BGP to move traffic")] = 10.0,
         junos_format: Annotated[JunosFormat, typer.Option(
             "--junos-format", help="text (braces, load merge) or set (set commands, load set)")] = JunosFormat.text) -> None:
    """Push the rendered configs over NAPALM. A dry run unless --commit."""
    if adopt:
        _adopt_push(circuit, inventory, adopt, lab=lab, platform=platform, port=port, output=output,
                    show_secrets=show_secrets, workers=workers, commit=commit, confirm_timeout=confirm_timeout,
                    allow_downgrade=allow_downgrade, verify=not no_verify, verify_wait=verify_wait,
                    only=only.value if only else None, state_dir=state_dir, drain_wait=drain_wait)
        return
    _change("push", circuit, inventory, lab=lab, platform=platform, port=port, output=output,
            junos_format=junos_format.value if junos_format else "text",
            show_secrets=show_secrets, workers=workers, mode=mode.value, commit=commit,
            confirm_timeout=confirm_timeout, allow_downgrade=allow_downgrade, verify=not no_verify,
            verify_wait=verify_wait, order=order.value, only=only.value if only else None, state_dir=state_dir,
            ask_password=ask_password, vpn=vpn)


@app.command()
@user_errors
def confirm(circuit: CircuitArgs, inventory: InventoryReq, lab: LabOpt = None,
            only: Annotated[Optional[Link], typer.Option("--only")] = None, workers: WorkersOpt = 4,
            platform: PlatformOpt = None, port: PortOpt = None, vpn: VpnOpt = None,
            output: Annotated[Format, typer.Option("--output", "-o")] = Format.unified) -> None:
    """Confirm a pending commit (made with --confirm-timeout --no-verify) on the routers."""
    _change("confirm", circuit, inventory, lab=lab, platform=platform, port=port, output=output,
            workers=workers, only=only.value if only else None, vpn=vpn)


@app.command()
@user_errors
def rollback(circuit: CircuitArgs, inventory: InventoryReq, lab: LabOpt = None,
             only: Annotated[Optional[Link], typer.Option("--only")] = None, workers: WorkersOpt = 4,
             platform: PlatformOpt = None, port: PortOpt = None, vpn: VpnOpt = None,
             output: Annotated[Format, typer.Option("--output", "-o")] = Format.unified) -> None:
    """NAPALM rollback: each router goes back to its config before ergen's last commit."""
    _change("rollback", circuit, inventory, lab=lab, platform=platform, port=port, output=output,
            workers=workers, only=only.value if only else None, vpn=vpn)


@app.command()
@user_errors
def preflight(circuit: CircuitArgs, inventory: InventoryReq, lab: LabOpt = None, workers: WorkersOpt = 4,
              platform: PlatformOpt = None, port: PortOpt = None, vpn: VpnOpt = None,
              output: Annotated[Format, typer.Option("--output", "-o")] = Format.unified) -> None:
    """Per router: what its NAPALM driver needs (FRR: vtysh, frr-reload.py, integrated config; IOS: archive,
    SCP, privilege 15; EOS eAPI, Junos NETCONF) and how to fix what is missing."""
    from ergen.change import push as change

    tgts, _ = _targets(circuit, inventory, lab=lab, platform=platform, port=port, vpn=vpn)
    report = change.preflight(tgts, workers=workers)
    if output.value == "json":
        print(json.dumps({r: [{"check": c, "ok": ok, "fix": fix} for c, ok, fix in checks]
                          for r, checks in report.items()}, indent=2))
    else:
        for router, checks in report.items():
            for check, ok, fix in checks:
                print(f"{router}: {'ok  ' if ok else 'FAIL'} {check}" + ("" if ok or not fix else f" -> {fix}"))
    if any(not ok for checks in report.values() for _, ok, _ in checks):
        raise typer.Exit(1)


def _adopt_push(circuit, inventory, plan_dir, *, lab=None, platform=None, port=None, output=None,
                show_secrets=False, workers=4, commit=False, confirm_timeout=None, allow_downgrade=False,
                verify=True, verify_wait=60.0, only=None, state_dir=None, drain_wait=10.0):
    """``ergen push --adopt PLAN``: the migration, link by link, through the push path."""
    import time
    from pathlib import Path

    from ergen.adopt.report import load_plan
    from ergen.change import push as change
    from ergen.cli.main import _err
    from ergen.errors import InputError
    from ergen.intent import naming

    from ergen.intent.model import Drain

    plan = load_plan(plan_dir)
    tgts, inv = _targets(circuit, inventory, lab=lab, platform=platform, port=port)
    missing = [t.router for t in tgts if t.router not in plan["routers"]]
    if missing:
        raise InputError(f"{missing[0]} is not in the migration plan (ergen adopt ... --plan)", field="--adopt")
    values = Drain(plan["drain"]["local_preference"], plan["drain"]["prepend"])
    drains = {(c.name, c.link): values for t in tgts for c in t.intent.circuits}
    drained_tgts, _ = _targets(circuit, inventory, lab=lab, platform=platform, port=port, drains=drains)
    for t in drained_tgts:
        c = t.intent.circuits[0].name
        t.adopt = {"plan": plan["routers"][t.router], "drain": plan["drain"],
                   "tag": naming.circuit_tag(c, inv.policy(c).tag)}
    drained_by = {t.router: t for t in drained_tgts}
    state = Path(state_dir) if state_dir else Path(inv.path) / ".ergen-state" / (f"lab-{lab}" if lab else "")
    order = [l for l in plan["order"] if only in (None, l)]
    all_results = []

    def step(name, batch, mode="merge", quiet=False):
        results, warnings = change.run(batch, action=name, commit=commit, confirm_timeout=confirm_timeout, mode=mode,
                                       allow_downgrade=allow_downgrade, verify_wait=verify_wait if verify else 0,
                                       order="parallel", workers=workers, state_dir=state,
                                       show_secrets=show_secrets)
        for w in warnings:
            _err(f"warning: {w}")
        if quiet and not all(r.ok for r in results):
            return False                 # a retry follows: only its last answer is reported
        for r in results:
            label = "undrain" if name == "push" else name.removeprefix("adopt-")
            _err(f"{label} {r.router}: {r.status}" + (f" ({r.error})" if r.error else ""))
            if r.diff and output is not None and getattr(output, "value", output) != "json":
                print(f"--- {r.router}: {name.removeprefix('adopt-')}")
                print(r.diff)
        all_results.extend((name, r) for r in results)
        return all(r.ok for r in results)

    ok = True
    for link in order:
        batch = [t for t in tgts if link in t.links]
        others = [t for t in tgts if link not in t.links]
        if not batch:
            continue
        if commit and others and not step("verify", others):
            _err(f"the other link is not Established with prefixes: refusing to drain the {link} link")
            ok = False
            break
        drained_batch = [drained_by[t.router] for t in batch]
        if not step("adopt-drain", drained_batch):
            ok = False
            break
        if commit:
            time.sleep(drain_wait)
        if not step("adopt-replace", drained_batch):
            ok = False
            break
        if commit and not _settle(step, batch, verify_wait):
            ok = False
            break
        if not commit:
            continue          # the undrain's diff depends on the replace having happened
        if not step("push", batch, mode="replace"):
            ok = False
            break
        if not _settle(step, batch, verify_wait):
            ok = False
            break
    if output is not None and getattr(output, "value", output) == "json":
        print(json.dumps({"action": "adopt", "dry_run": not commit, "links": order,
                          "results": [{"step": n, **r.as_dict()} for n, r in all_results]}, indent=2))
    if not ok:
        raise typer.Exit(1)


def _settle(step, batch, wait: float) -> bool:
    """Every session of the batch Established and receiving prefixes, within ``wait`` seconds."""
    import time
    deadline = time.monotonic() + wait
    while not step("verify", batch, quiet=True):
        if time.monotonic() > deadline:
            return step("verify", batch)
        time.sleep(2)
    return True
