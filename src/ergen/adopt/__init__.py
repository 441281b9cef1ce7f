"""Brownfield adoption: read what a router already runs, compare it with ergen's intent, and plan the
migration from hand-built objects to ergen's.

    report = adopt(circuits, inventory, {"ams-er-r1": (text, "r1.cfg"), ...})
    report.routers[0].findings          # differences in networking terms
    report.ok                           # True when every router already does what ergen would render

The running configs come from files (``--running ROUTER=FILE``), from the routers over NAPALM
(``get_config``, read only) or from the lab. Parsers: ``ergen.adopt.parsers``; the model:
``ergen.adopt.running``; finding and comparing: ``ergen.adopt.compare``; the migration:
``ergen.adopt.migrate``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ergen.errors import InputError


@dataclass
class AdoptReport:
    routers: list = field(default_factory=list)      # compare.RouterAdoption, in intent order
    missing: list[str] = field(default_factory=list)  # routers of the intent without a running config

    @property
    def ok(self) -> bool:
        return all(r.matches for r in self.routers) and not self.missing

    def as_dict(self) -> dict:
        return {"ok": self.ok, "routers": [r.as_dict() for r in self.routers], "missing": self.missing}


def adopt(circuits, inventory, running: dict[str, tuple[str, str]], *, platform: str | None = None,
          intents=None) -> AdoptReport:
    """Compare each router's running config (``{router: (text, where it came from)}``) with ergen's intent.

    ``intents``: already planned intents (the lab plans its own, for FRR); else ``ergen.plan``."""
    from ergen.adopt.compare import RouterAdoption, compare, find
    from ergen.adopt.parsers import parse_running

    if intents is None:
        import ergen
        intents = ergen.plan(circuits, inventory, platform=platform).intents
    names = {i.name for i in intents}
    unknown = sorted(set(running) - names)
    if unknown:
        raise InputError(f"router {unknown[0]!r} does not terminate any of these circuits' links in the inventory",
                         field="--running")
    report = AdoptReport()
    for it in intents:
        if it.name not in running:
            report.missing.append(it.name)
            continue
        text, source = running[it.name]
        rc = parse_running(it.platform, text, source)
        adopted, kept, serves = find(rc, it)
        findings, views = compare(rc, it, serves)
        report.routers.append(RouterAdoption(it.name, it.platform, source, it, rc, adopted, kept, findings, views))
    return report


def read_running_files(pairs: list[str]) -> dict[str, tuple[str, str]]:
    """``ROUTER=FILE`` arguments -> {router: (text, file)}; a bad pair or file is a one-line error."""
    from pathlib import Path

    out: dict[str, tuple[str, str]] = {}
    for pair in pairs:
        router, sep, file = pair.partition("=")
        if not sep or not router or not file:
            raise InputError(f"{pair!r:.80} is not ROUTER=FILE", field="--running")
        if router in out:
            raise InputError(f"router {router!r:.40} is given twice", field="--running")
        p = Path(file)
        try:
            raw = p.read_bytes()
        except FileNotFoundError:
            raise InputError("file not found", file=file, field="--running") from None
        except IsADirectoryError:
            raise InputError("is a folder, not a running config", file=file, field="--running") from None
        except OSError as exc:
            raise InputError(f"cannot read it: {exc.strerror}", file=file, field="--running") from None
        if len(raw) > 32 * 1024 * 1024:
            raise InputError("larger than 32 MiB: not a running config", file=file, field="--running")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("latin-1")
            except UnicodeDecodeError:
                raise InputError("not text in UTF-8, UTF-16 or Latin-1", file=file, field="--running") from None
        out[router] = (text.replace("\r\n", "\n"), file)
    return out
