"""The adopt report as text (side by side per router and peering) and the migration plan as files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from ergen.adopt.running import lines_of
from ergen.change.review import mask_keys


def _cell(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def as_text(report, *, width: int = 120) -> str:
    out: list[str] = []
    for ra in report.routers:
        n = len(ra.findings)
        out.append(f"{ra.router} ({ra.platform}, running config from {ra.source}): "
                   + ("matches ergen's intent" if not n else f"{n} difference(s) from ergen's intent"))
        for v in ra.views:
            out.append(f"  {v.circuit} {v.link} link, {v.peering} peering")
            iw = max(len(r.item) for r in v.rows) if v.rows else 10
            cw = max(20, (width - iw - 10) // 2)
            out.append(f"    {'':{iw}}  {'on the router':{cw}}   ergen would render")
            for r in v.rows:
                left, right = _cell(r.existing, cw), _cell(r.ergen, cw)
                mark = " " if r.same else "≠"
                for k in range(max(len(left), len(right))):
                    out.append(f"  {mark if k == 0 else ' '} {r.item if k == 0 else '':{iw}}  "
                               f"{left[k] if k < len(left) else '':{cw}}   {right[k] if k < len(right) else ''}".rstrip())
        if ra.findings:
            out.append("  differences:")
            for f in ra.findings:
                where = " ".join(x for x in (f.link, f.peering, f"IPv{f.family}" if f.family else "") if x)
                out += textwrap.wrap(f"{where}: {f.text}" + (" [blocks the migration]" if f.blocker else ""), width - 4,
                                     initial_indent="    - ", subsequent_indent="      ")
        if ra.adopted:
            out.append(f"  adopted (the migration replaces them with ergen's): {len(ra.adopted)} objects")
            for o in ra.adopted:
                k = len(lines_of(ra.running, o))
                out.append(f"    {o.kind} {o.name} ({k} line{'' if k == 1 else 's'})")
        if ra.kept:
            out.append("  kept (not ergen's; the migration leaves them as they are):")
            for k in ra.kept:
                out += textwrap.wrap(f"{k.obj.kind} {k.obj.name}: {k.why}", width - 4, initial_indent="    ",
                                     subsequent_indent="      ")
        for note in ra.running.notes:
            out += textwrap.wrap(f"not read: {note}", width - 4, initial_indent="    ", subsequent_indent="      ")
        out.append("")
    for r in report.missing:
        out.append(f"{r}: no running config given (--running {r}=FILE): not compared")
    ok = report.ok
    out.append(f"adopt: {len(report.routers)} router(s); " + ("every one matches ergen's intent" if ok else
               f"{sum(len(r.findings) for r in report.routers)} difference(s)"
               + (f", {len(report.missing)} router(s) not read" if report.missing else "")))
    from ergen.secrets import mask
    return mask(mask_keys("\n".join(out)), [s for ra in report.routers for s in ra.intent.secrets]) + "\n"


def migration_text(migration, *, show_secrets: bool = False) -> str:
    out = [f"# Migration to ergen, link by link: {' then '.join(migration.order)}",
           f"# drain: local preference {migration.drain.local_preference} inbound, the router's ASN prepended "
           f"{migration.drain.prepend} times outbound", ""]
    for w in migration.warnings:
        out.append(f"# WARNING: {w}")
    for s in migration.steps:
        out += [f"## step {s.number} ({s.link} link, {s.router}, {s.platform}): {s.kind}", f"# {s.title}"]
        if s.display:
            out += ["", s.display.rstrip("\n"), ""]
        if s.check:
            out.append(f"# check: {s.check}")
        if s.rollback:
            out += ["# rollback of this step:", *("#   " + l for l in s.rollback.rstrip("\n").splitlines())]
        for w in s.warnings:
            out.append(f"# WARNING: {w}")
        out.append("")
    text = "\n".join(out) + "\n"
    return text if show_secrets else mask_keys(text)


def write_plan(folder: str | Path, report, migration, *, circuits: list[str], inventory: str,
               force: bool = False) -> list[Path]:
    """``plan.json`` (what ``ergen push --adopt`` executes) and ``migration.txt`` (what a reviewer reads);
    keys masked in both (the push renders ergen's config again, with the keys)."""
    from ergen.errors import OutputError
    from ergen.pipeline import commit_staged, stage_file

    out = Path(folder)
    files = {"plan.json": json.dumps(plan_dict(report, migration, circuits=circuits, inventory=inventory), indent=2)
             + "\n", "migration.txt": migration_text(migration)}
    existing = [str(out / f) for f in files if (out / f).exists()]
    if existing and not force:
        raise OutputError(f"would overwrite {', '.join(existing)}; pass --force to replace", file=str(out),
                          field="--plan")
    if out.exists() and not out.is_dir():
        raise OutputError("exists and is not a folder", file=str(out), field="--plan")
    import tempfile
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ergen-", dir=out))
    try:
        staged = {name: stage_file(tmp, name, text, out) for name, text in files.items()}
        return commit_staged(staged, out, tmp)
    finally:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


def plan_dict(report, migration, *, circuits: list[str], inventory: str) -> dict:
    from ergen import __version__
    return {
        "ergen": __version__, "kind": "adopt-migration", "circuits": circuits, "inventory": inventory,
        "order": migration.order,
        "drain": {"local_preference": migration.drain.local_preference, "prepend": migration.drain.prepend},
        "routers": {ra.router: {"platform": ra.platform, "links": ra.links, "source": ra.source,
                                "adopted": sorted([o.kind, o.name] for o in ra.adopted)}
                    for ra in report.routers},
        "steps": [{k: v for k, v in s.as_dict().items() if k not in ("display", "rollback")}
                  for s in migration.steps],
        "warnings": migration.warnings,
    }


def load_plan(folder: str | Path) -> dict:
    from ergen.errors import InputError

    p = Path(folder) / "plan.json" if Path(folder).is_dir() else Path(folder)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no migration plan here (ergen adopt ... --plan DIR writes one)", file=str(p),
                         field="--adopt") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"not a migration plan: {exc}", file=str(p), field="--adopt") from None
    if not isinstance(data, dict) or data.get("kind") != "adopt-migration":
        raise InputError("not a migration plan written by ergen adopt --plan", file=str(p), field="--adopt")
    for key, typ in (("order", list), ("routers", dict), ("drain", dict)):
        if not isinstance(data.get(key), typ):
            raise InputError(f"{key} is missing or of the wrong type (hand-edited?)", file=str(p), field=key)
    try:
        data["drain"] = {"local_preference": int(data["drain"]["local_preference"]),
                         "prepend": int(data["drain"]["prepend"])}
        for name, r in data["routers"].items():
            r["adopted"] = sorted([str(k), str(n)] for k, n in r["adopted"])
    except (KeyError, TypeError, ValueError):
        raise InputError("drain or routers.*.adopted is malformed (hand-edited?)", file=str(p),
                         field="routers") from None
    for link in data["order"]:
        if link not in ("primary", "secondary"):
            raise InputError(f"order names {str(link)!r:.20}, not primary or secondary", file=str(p), field="order")
    return data
