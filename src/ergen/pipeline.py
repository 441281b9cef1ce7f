"""source → model → rules → intent → render → files, as one set of functions."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ergen import __version__
from ergen.errors import InputError, OutputError
from ergen.intent.build import build_intents
from ergen.intent.model import RouterIntent
from ergen.model.circuit import Circuit
from ergen.model.inventory import Inventory
from ergen.render import render_router
from ergen.rules.engine import Context, Report, run
from ergen.secrets import mask


class RulesFailed(InputError):
    """validate() found errors; ``report`` holds every problem."""

    def __init__(self, report: Report) -> None:
        first = report.errors[0]
        super().__init__(f"{len(report.errors)} rule error(s); first: {first.line()}")
        self.report = report


@dataclass
class Plan:
    report: Report
    intents: list[RouterIntent]
    context: Context | None = None     # the rules' context: circuits, inventory, resolved secrets


def plan(circuits: list[Circuit], inventory: Inventory, *, platform: str | None = None,
         vpn: list | None = None, drains: dict | None = None) -> Plan:
    """Check the rules and, when none fails, compute every router's intent.

    ``drains``: {(circuit, link): intent.model.Drain}: those links render drained (lower local preference
    in, longer AS path out). ``platform`` renders every router as that platform (``ergen render --platform``). A router whose
    intent uses a feature its platform lacks is an ER801 problem, named with platform and feature.
    """
    if platform is not None:
        inventory = with_platform(inventory, platform)
    ctx = run(circuits, inventory, vpn)
    if not ctx.report.ok:
        raise RulesFailed(ctx.report)
    if drains is None:                # the inventory's drain state (drains.yaml, ergen drain / undrain)
        from ergen.drain import load as load_drains
        drains = load_drains(inventory.path).intent_drains()
    ctx.drains = dict(drains)         # (circuit, link[, peering]) -> Drain: that link's traffic moved off
    intents = build_intents(ctx)
    capability_problems(ctx, intents)
    if not ctx.report.ok:
        raise RulesFailed(ctx.report)
    return Plan(report=ctx.report, intents=intents, context=ctx)


def check(circuits: list[Circuit], inventory: Inventory | None = None, *, platform: str | None = None,
          vpn: list | None = None) -> Report:
    """Every problem: the rules, then (when they pass) what each router's platform cannot express."""
    try:
        return plan(circuits, inventory, platform=platform, vpn=vpn).report if inventory is not None \
            else run(circuits, None, vpn).report
    except RulesFailed as exc:
        return exc.report


def with_platform(inventory: Inventory, platform: str) -> Inventory:
    from ergen.platforms import platforms
    if platform not in platforms():
        raise InputError(f"unknown platform {platform!r}; known: {', '.join(platforms())}", field="--platform")
    routers = {n: r.model_copy(update={"platform": platform}) for n, r in inventory.routers.items()}
    return inventory.model_copy(update={"routers": routers})


def capability_problems(ctx, intents: list[RouterIntent]) -> None:
    from ergen.platforms import features, platforms
    names = features()
    for intent in intents:
        info = platforms()[intent.platform]
        if intent.platform == "ios-xr" and intent.router_id is None:
            ctx.add("ER802", ctx.hosts_file, f"{intent.name}.data.router_id",
                    "no router_id: BGP on IOS-XR stays down unless a loopback gives it one")
        for feature in sorted(intent.features):
            if not info.supports(feature):
                ctx.add("ER801", ctx.hosts_file, f"{intent.name}.platform",
                        f"{info.title} ({intent.platform}) cannot render {names[feature]}: "
                        f"{info.unsupported[feature]}")


def render_configs(intents: list[RouterIntent], *, templates: str | Path | None = None,
                   show_secrets: bool = False, fmt: str = "text") -> dict[str, str]:
    """{router: config}; ``fmt="set"``: Junos routers in set form (``display set``), the others as always."""
    out = {}
    for intent in intents:
        text = render_router(intent, templates=templates, show_secrets=show_secrets, version=__version__)
        if not show_secrets:
            text = mask(text, list(intent.secrets))  # belt and braces: no key value in masked output
        if fmt == "set" and intent.platform in ("junos", "junos-srx"):
            from ergen.render.setform import to_set
            text = to_set(text)
        out[intent.name] = text
    return out


def config_filename(router: str) -> str:
    """``<router>.cfg``; a name that would leave the output folder (a path, a hidden file) is refused
    (the inventory loader refuses such names already)."""
    if not router or "/" in router or "\\" in router or router.startswith(".") or not router.isprintable():
        raise OutputError(f"router name {router!r} cannot name a file", field="--out")
    return f"{router}.cfg"


# files a platform needs beside its config, rendered from another template of its folder
EXTRA_FILES = {"frr": (("swanctl.conf", "swanctl.j2", "ipsec"),)}


def extra_filenames(intents: list[RouterIntent]) -> list[str]:
    """The names render_extra would write, without rendering."""
    return [f"{i.name}.{suffix}" for i in intents for suffix, _, feature in EXTRA_FILES.get(i.platform, ())
            if feature in i.features]


def render_extra(intents: list[RouterIntent], *, templates=None, show_secrets: bool = False) -> dict[str, str]:
    """{file name: text} of the extra files (FRR with IPsec: <router>.swanctl.conf for strongSwan)."""
    from ergen.render.environment import render_template
    out = {}
    for intent in intents:
        for suffix, template, feature in EXTRA_FILES.get(intent.platform, ()):
            if feature in intent.features:
                text = render_template(intent, template, templates=templates, show_secrets=show_secrets,
                                       version=__version__)
                out[f"{intent.name}.{suffix}"] = text if show_secrets else mask(text, list(intent.secrets))
    return out


def rendered_files(intents: list[RouterIntent], *, templates=None, fmt: str = "text") -> dict[str, str]:
    """{file name: text} of everything ``intents`` write, keys in clear (the files go to the routers):
    each router's config and the extra files its platform needs."""
    out = {config_filename(k): v for k, v in render_configs(intents, templates=templates, show_secrets=True,
                                                             fmt=fmt).items()}
    out.update(render_extra(intents, templates=templates, show_secrets=True))
    return out


def write_configs(intents: list[RouterIntent], out: str | Path, *, templates: str | Path | None = None,
                  force: bool = False, fmt: str = "text") -> list[Path]:
    """Render every router, then write all files or none.

    Nothing is written if any router fails to render or any target exists without ``force``. Files are
    staged in a temporary folder inside ``out`` and moved into place by :func:`commit_staged`, which puts
    the old files back if anything (an error, an interrupt) stops it halfway; configs holding keys are
    created mode 0600. A folder ``out`` that did not exist is not left behind by a failure.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError("exists and is not a folder", file=str(out), field="--out")
    rendered = rendered_files(intents, templates=templates, fmt=fmt)   # all or nothing
    targets = {name: out / name for name in rendered}
    existing = [str(p) for p in targets.values() if p.exists()]
    if existing and not force:
        raise OutputError(f"would overwrite {', '.join(existing)}; pass --force to replace", file=str(out),
                          field="--out")
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".ergen-", dir=out))
    except OSError as exc:
        raise OutputError(f"cannot create it: {exc.strerror or exc}", file=str(out), field="--out") from None
    try:
        staged = {}
        for name, text in rendered.items():
            staged[name] = stage_file(tmp, name, text, out)
        return commit_staged(staged, out, tmp)
    except BaseException:
        _remove_tree(tmp)
        if created:
            _remove_if_empty(out)
        raise
    finally:
        _remove_tree(tmp)


def stage_file(folder: Path, name: str, text: str, out: Path) -> Path:
    """Write one rendered file (mode 0600: it may hold keys) into the staging folder."""
    p = folder / name
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {exc.strerror or exc}; nothing in it changed", file=str(out),
                          field="--out") from None
    return p


def commit_staged(staged: dict[str, Path], out: Path, backups: Path) -> list[Path]:
    """Move staged files into ``out``, all or none: each file it replaces is kept (a hard link in
    ``backups``) until every move is done; if one fails or the run is interrupted, the moved files are
    taken back and the old ones restored, so ``out`` is as it was."""
    done: list[tuple[Path, Path | None]] = []
    try:
        for name, src in staged.items():
            target = out / name
            backup = None
            if target.exists():
                backup = backups / f"{name}.before"
                try:
                    os.link(target, backup)
                except OSError:
                    shutil.copy2(target, backup)
            os.replace(src, target)
            done.append((target, backup))
    except BaseException as exc:
        for target, backup in reversed(done):
            try:
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink()
            except OSError:
                pass
        if isinstance(exc, OSError):
            raise OutputError(f"cannot move the configs into place: {exc.strerror or exc}; the folder is as it "
                              "was", file=str(out), field="--out") from None
        raise
    return [t for t, _ in done]


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _remove_if_empty(path: Path) -> None:
    try:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    except OSError:
        pass
