"""A whole estate at once: every circuit the inventory names, read from the Azure exports it points to.

``ergen render --all INV`` reads each circuit's Azure JSON from its ``source`` (relative to the
inventory; default ``azure/<circuit>.json``), checks every rule across all customers, and writes one
file per router with all the customers it carries. ``--customer C`` checks the same whole estate but
writes only the routers that carry C, so one customer's change touches no other file; within those
files, :func:`customer_lines` tells C's lines from the others' (the test that other customers' lines
stay byte-identical uses it, and so does the diff ``--customer`` prints).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ergen.errors import InputError
from ergen.intent.model import RouterIntent
from ergen.model.inventory import Inventory

DEFAULT_SOURCE = "azure/{circuit}.json"


def circuit_sources(inventory: Inventory) -> list[tuple[str, Path, str, str]]:
    """(circuit, JSON path, policy file, YAML path of its source) of every circuit in the inventory."""
    from ergen.rules.engine import Context
    ctx = Context(circuits=[], inventory=inventory)
    root = Path(inventory.path)
    out = []
    for key, pol in inventory.circuits.items():
        rel = pol.source or DEFAULT_SOURCE.format(circuit=key)
        out.append((key, root / rel, ctx.policy_file(key), f"{ctx.policy_where(key)}.source"))
    return out


def load_estate(inventory: Inventory) -> list:
    """Every circuit of the inventory, from its Azure export; a missing export names the policy's file."""
    from ergen.azure import load_circuits

    circuits, seen = [], {}
    for key, path, file, where in circuit_sources(inventory):
        if not path.is_file():
            raise InputError(f"{path} not found (the circuit's Azure export; set source: to its path, "
                             f"relative to {inventory.path})", file=file, field=where)
        for c in load_circuits(path):
            if c.name.lower() in seen:
                raise InputError(f"circuit {c.name!r} is also in {seen[c.name.lower()]}", file=str(path),
                                 field="name")
            seen[c.name.lower()] = str(path)
            circuits.append(c)
        if key.lower() not in seen:
            raise InputError(f"{path} does not hold circuit {key!r}", file=file, field=where)
    if not circuits:
        raise InputError("the inventory names no circuit (circuits.yaml or customers/)", file=inventory.path,
                         field="circuits")
    return circuits


def customer_routers(intents: list[RouterIntent], inventory: Inventory, customer: str) -> list[RouterIntent]:
    """The intents of the routers that carry ``customer``'s circuits."""
    if customer not in inventory.customers:
        known = ", ".join(sorted(inventory.customers)) or "none"
        raise InputError(f"no customer {customer!r} (known: {known})", file=inventory.path, field="--customer")
    mine = {k.lower() for k, p in inventory.circuits.items() if p.customer == customer}
    return [i for i in intents if any(c.name.lower() in mine for c in i.circuits)]


def customer_markers(intent: RouterIntent, inventory: Inventory, customer: str) -> tuple[str, ...]:
    """Words that mark a config line as the customer's: its circuits' names and owned prefix, its VRF,
    its subinterfaces, and its sessions in the global table (a VRF's are inside the VRF's block)."""
    mine = {k.lower() for k, p in inventory.circuits.items() if p.customer == customer}
    words = {c.owned_prefix for c in intent.circuits if c.name.lower() in mine}
    words |= {c.name for c in intent.circuits if c.name.lower() in mine}
    words |= {v.name for v in intent.vrfs if v.customer == customer}
    words |= {i.name for i in intent.interfaces if i.circuit.lower() in mine}
    words |= {n.address for n in intent.neighbors if n.circuit.lower() in mine and n.vrf is None}
    return tuple(sorted(words))


_CLOSERS = ("!", "}", "exit", "exit-address-family", "end", "exit-vrf")


def customer_lines(text: str, markers: tuple[str, ...]) -> list[bool]:
    """For each line of a rendered config: is it the customer's? A line is when it names a marker as a
    whole word (an owned prefix such as ER-TAG- as the start of one), when a block it sits in (by
    indentation) starts with such a line, or when it closes such a block (!, }, exit...)."""
    parts = []
    for m in sorted(markers, key=len, reverse=True):
        tail = "" if m.endswith("-") else r"(?![\w:/-]|\.\d)"
        parts.append(rf"(?<![\w.:/-]){re.escape(m)}{tail}")
    pat = re.compile("|".join(parts)) if parts else None
    out: list[bool] = []
    stack: list[tuple[int, bool]] = []   # open blocks: (indent, the customer's)
    for line in text.splitlines():
        body = line.strip()
        indent = len(line) - len(line.lstrip())
        closed = None
        while stack and stack[-1][0] >= indent:
            closed = stack.pop()
        inherited = any(o for _, o in stack)
        if body in _CLOSERS or not body:
            own = inherited or bool(closed and closed[0] == indent and closed[1])
        else:
            own = inherited or bool(pat and pat.search(line))
            stack.append((indent, own))
        out.append(own)
    return out


def others_lines(text: str, markers: tuple[str, ...]) -> list[str]:
    """The lines that are not the customer's, in order."""
    return [line for line, own in zip(text.splitlines(), customer_lines(text, markers)) if not own]


def diff_against_folder(folder: Path, intents: list[RouterIntent], *, templates=None) -> str:
    """Unified diffs (keys masked) of the files ``intents`` would write over those already in ``folder``."""
    from ergen.change.review import compare_configs
    from ergen.pipeline import render_configs

    new = render_configs(intents, templates=templates, show_secrets=True)
    old = {name: (folder / f"{name}.cfg").read_text(encoding="utf-8") for name in new
           if (folder / f"{name}.cfg").is_file()}
    lines = []
    for change in compare_configs(old, new, label_old="old", label_new="new"):
        if change.status == "unchanged":
            lines.append(f"{change.router}: unchanged")
        else:
            lines.append(f"{change.router}: {change.status}, +{change.added} -{change.removed}")
            lines += change.diff
    return "\n".join(lines) + "\n"


class EstateResult:
    def __init__(self, routers: int, circuits: int, files: list[Path], warnings: list, warning_count: int,
                 groups: int = 0, cached_groups: int = 0):
        self.routers, self.circuits, self.files = routers, circuits, files
        self.warnings, self.warning_count = warnings, warning_count
        self.groups, self.cached_groups = groups, cached_groups    # router groups, and those from the cache


@dataclass(slots=True)
class CustomerFact:
    """What the cross-customer checks need of a customer the current router group does not carry."""

    id: int | None
    vrf: str | None
    prefixes: tuple[str, ...]


class EstateFacts:
    """(name, CustomerFact) of every customer, iterated in file order or taken by position (the rules'
    indexes keep positions), with the indexes the rules build over them (once, in ``cache``). Held in
    columns (names, ids in an array, VRFs, a lone prefix as its string): about a third of the memory of
    one object each."""

    def __init__(self) -> None:
        from array import array

        self.cache: dict = {}
        self.names: list[str] = []          # each customer's name: the same string every time (the rules'
        #                                     indexes and the router groups keep it, so it is held once)
        self._ids = array("q")
        self._has_id = bytearray()
        self._vrfs: list[str | None] = []
        self._prefixes: list[str | tuple[str, ...]] = []

    def append(self, name: str, id: int | None, vrf: str | None, prefixes) -> None:
        self.names.append(name)
        self._ids.append(id if id is not None else 0)
        self._has_id.append(id is not None)
        self._vrfs.append(vrf)
        self._prefixes.append(prefixes[0] if len(prefixes) == 1 else tuple(prefixes))

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, k: int) -> tuple[str, CustomerFact]:
        pfx = self._prefixes[k]
        return self.names[k], CustomerFact(self._ids[k] if self._has_id[k] else None, self._vrfs[k],
                                           (pfx,) if isinstance(pfx, str) else pfx)

    def __iter__(self):
        return (self[k] for k in range(len(self.names)))


MAX_WARNINGS_KEPT = 1000


def customer_names(folder: Path) -> list[str]:
    """The file names of customers/*.yaml, sorted (as ``inventory.customer_files``), without making a Path of
    each: 10,000 Paths weigh 5 MB, and their interned parts grow the interpreter's table for good."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(n for n in names if n.endswith(".yaml") and not n.startswith("."))


def customer_path(folder: Path, name: str) -> Path:
    """customers/<name> as a Path made from a new string: ``folder / name`` would intern ``name`` itself
    (pathlib interns path parts), and with every customer's name interned for the whole run the interpreter's
    table of interned strings grows by a megabyte per 10,000 customers."""
    return Path(os.path.join(folder, name))


def router_groups(inventory: str | Path, store, parsed: Path | None = None, cache=None):
    """(facts, groups, digests): every customer's facts; the routers in groups joined by circuits (a
    circuit's two links join their routers), each group with the positions in ``facts`` of the customers
    (customers/<name>.yaml) it needs; with ``cache``, every customer file's SHA-256 (``cache.FileDigests``,
    by the same positions; else None). One pass over customers/, one customer in memory at a time."""
    from array import array

    from ergen.cache import FileDigests
    from ergen.inventory import read_customer

    parent: dict[str, str] = {}

    def find(r: str) -> str:
        while parent.setdefault(r, r) != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def union(routers: list[str]) -> None:
        roots = [find(r) for r in routers]
        for x in roots[1:]:
            parent[x] = roots[0]

    needs: dict[str, set[int]] = {}
    seen: set[int] = set()    # hashes of the lower-case names (a set of 10,000 strings weighs a megabyte)
    folder = Path(inventory) / "customers"
    files = [n[:-5] for n in customer_names(folder)]   # customers' names (the facts keep them; groups, positions)
    facts = EstateFacts()
    digests = FileDigests(len(files)) if cache is not None else None
    for i, name in enumerate(files):
        file = customer_path(folder, name + ".yaml")
        digest = None
        if digests is not None:
            try:
                digest = digests.add(i, file.read_bytes())
            except OSError:
                pass    # read_customer names the problem
        cust = read_customer(file, save_parsed=parsed / f"{file.stem}.pickle" if parsed else None, cache=cache,
                             digest=digest)
        low = name.lower()
        if hash(low) in seen and any(n.lower() == low for n in files[:i]):
            raise InputError(f"customer {name!r} is given twice (names are case-insensitive)",
                             file=str(file), field="(file)")
        seen.add(hash(low))
        facts.append(name, cust.id, cust.vrf, cust.prefixes)
        for cname, circuit in cust.circuits.items():
            routers = [l.router for l in circuit.landings]
            for j, r in enumerate(routers):
                if r not in store:
                    raise InputError(f"router {r!r} is not in hosts.yaml", file=str(file),
                                     field=f"circuits.{cname}.landings[{j}].router")
                needs.setdefault(r, set()).add(i)
            if routers:
                union(routers)
    by_circuit = store.attachments
    for routers in by_circuit.values():
        union(routers)
    groups: dict[str, list[str]] = {}
    for r in list(parent):               # union() put every router a circuit names into parent
        groups.setdefault(find(r), []).append(r)
    out = []
    for members in sorted((sorted(m) for m in groups.values()), key=lambda m: m[0]):
        idx = sorted(set().union(*(needs.get(r, set()) for r in members)))
        out.append((members, array("l", idx)))
    return facts, out, digests


def render_estate(inventory: str | Path, out: str | Path, *, templates=None, force: bool = False,
                  platform: str | None = None, jobs: int | None = None, cache: bool = True) -> EstateResult:
    """``ergen render --all``: the whole estate of ``inventory`` into ``out``, all files or none.

    It streams: customers are read once for their facts and the router groups, then each group (the
    routers a set of circuits joins) is loaded, checked, built, rendered and written to a staging folder
    before the next; nothing of a group stays in memory after it. Checks across customers use every
    customer's facts. ``jobs`` groups are worked on at once, in forked processes (default: the machine's
    cores, at most 4; ``ERGEN_JOBS`` overrides; 1: all in this process). On any error (in any group) the
    staging folder is removed and nothing in ``out`` changes; else the files are moved into place.

    ``cache`` (``ergen.cache``, on unless ERGEN_NO_CACHE=1): customers parsed and router groups rendered by
    an earlier run are taken from the cache when nothing they depend on changed."""
    import os
    import shutil
    import tempfile

    from ergen.errors import OutputError
    from ergen.inventory import load_inventory
    from ergen.pipeline import RulesFailed, commit_staged, config_filename, with_platform
    from ergen.rules.engine import Report

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError("exists and is not a folder", file=str(out), field="--out")
    base, store = load_inventory(inventory, customers=False, lazy_routers=True)
    if platform is not None:
        with_platform(base, platform)          # checks the name
        store.platform_override = platform
    from ergen import cache as cache_mod
    store_cache = cache_mod.Cache.open() if cache else None
    # 0700: pass 1's parsed customer files for pass 2 (with the cache, pass 2 finds them there)
    parsed = Path(tempfile.mkdtemp(prefix="ergen-parsed-")) if store_cache is None else None
    created = not out.exists()
    staging = None
    errors, warnings, warning_count = [], [], 0
    routers = circuits = cached = 0
    global _GROUP_WORK
    try:
        facts, groups, digests = router_groups(inventory, store, parsed, cache=store_cache)
        keys = None
        if store_cache is not None:     # what every group's result depends on besides its own inputs
            tops = sorted(p for p in Path(inventory).iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))
            keys = (cache_mod.code_fingerprint(str(templates) if templates else None), store.platform_override,
                    cache_mod.digest(*((p.name, p.read_bytes()) for p in tops)),
                    cache_mod.digest(*sorted((n, f.id, f.vrf, f.prefixes) for n, f in facts)))
        existing = [str(out / config_filename(r)) for members, _ in groups for r in members
                    if (out / config_filename(r)).exists()]
        if existing and not force:
            raise OutputError(f"would overwrite {', '.join(existing[:5])}{' ...' if len(existing) > 5 else ''}"
                              "; pass --force to replace", file=str(out), field="--out")
        jobs = jobs or int(os.environ.get("ERGEN_JOBS") or 0) or min(os.cpu_count() or 1, 4)
        jobs = max(1, min(jobs, len(groups) or 1))
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".ergen-", dir=out))
        _GROUP_WORK = (base, store, facts, staging, templates, parsed, store_cache, digests, keys)
        work = [(k, members, positions) for k, (members, positions) in enumerate(groups)]
        if jobs == 1:
            results = map(_render_group, work)
            pool = None
        else:
            import multiprocessing
            _precompile(store, templates)        # compiled once here, shared by the forked workers
            if store_cache is not None:
                store_cache.close()              # no connection crosses the fork; reopened for the writes
            pool = multiprocessing.get_context("fork").Pool(jobs)
            results = pool.imap(_render_group, work, chunksize=4)
        try:
            for res in results:
                if res["error"] is not None:
                    cls, message, file, field, code = res["error"]
                    raise cls(message, file=file, field=field, code=code)
                if res.get("entry") is not None:     # the workers read the cache; this process writes it
                    store_cache.put("group", *res["entry"])
                circuits += res["circuits"]
                routers += res["routers"]
                cached += res.get("cached", 0)
                for p in res["problems"]:   # each circuit is in one group: no problem comes twice
                    if p.severity.value == "error":
                        errors.append(p)
                    else:
                        warning_count += 1
                        if len(warnings) < MAX_WARNINGS_KEPT:
                            warnings.append(p)
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
        if errors:
            raise RulesFailed(Report(errors + warnings))
        if routers == 0:
            raise InputError("no router in the inventory terminates a circuit", file=str(inventory),
                             field="customers")
        staged = {p.name: p for p in sorted(staging.iterdir())}
        clash = [str(out / n) for n in staged if (out / n).exists()]
        if clash and not force:
            raise OutputError(f"would overwrite {clash[0]}; pass --force to replace", file=str(out), field="--out")
        written = commit_staged(staged, out, staging)     # all or none, old files back on an interrupt
    except BaseException:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()          # the folder did not exist before: leave no trace
        raise
    finally:
        _GROUP_WORK = None
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if parsed is not None:
            shutil.rmtree(parsed, ignore_errors=True)
        if store_cache is not None:
            store_cache.close()
    return EstateResult(routers, circuits, written, warnings, warning_count, len(groups), cached)


_GROUP_WORK = None   # (base inventory, customer facts, staging folder, templates) of the running render


def _precompile(store, templates) -> None:
    from ergen.render.environment import environment
    for platform in sorted({store.platform_override or p for p in store.platforms.values()}):
        env = environment(platform, str(templates) if templates else None, True)
        for name in env.list_templates(extensions=["j2"]):
            env.get_template(name)


def _group_key(inv, files: list[str], digests: dict[str, bytes], keys: tuple, first: bool) -> str | None:
    """The cache key of one router group: what the whole estate shares (``keys``), its routers, its
    customers' files, its circuits' Azure exports and the secrets they all name."""
    from ergen.cache import digest, secret_refs, secrets_digest

    if any(f not in digests for f in files):
        return None
    exports = []
    for _key, path, _file, _where in circuit_sources(inv):
        try:
            exports.append((path.name, digest(path.read_bytes())))
        except OSError:
            return None          # the render names the problem
    refs = set()
    for r in inv.routers.values():
        refs |= secret_refs(r)
    for pol in inv.circuits.values():
        refs |= secret_refs(pol)
    for c in inv.customers.values():
        refs |= secret_refs(c)
    return digest("group", keys, first, sorted(inv.routers), [(f, digests[f]) for f in files], exports,
                  secrets_digest(refs, Path(inv.path)))


def _render_group(item) -> dict:
    """Load, check, build, render and stage one router group (in this process or a forked worker)."""

    from ergen.errors import ErgenError
    from ergen.inventory import with_customers
    from ergen.intent.build import build_intents
    from ergen.pipeline import capability_problems, rendered_files, stage_file
    from ergen.rules.engine import run

    k, members, positions = item
    base, store, facts, staging, templates, parsed, cache, all_digests, keys = _GROUP_WORK
    res = {"problems": [], "routers": 0, "circuits": 0, "error": None}
    files = [facts.names[i] for i in positions]
    digests = {}       # the group's customer files' digests, by name (as with_customers and the key read them)
    if all_digests is not None:
        digests = {f: d for f, i in zip(files, positions) if (d := all_digests.get(i)) is not None}
    try:
        folder = Path(base.path) / "customers"
        inv = with_customers(base, [customer_path(folder, f + ".yaml") for f in files], set(members), parsed=parsed, store=store,
                             cache=cache, digests=digests)
        key = _group_key(inv, files, digests, keys, k == 0) if cache is not None and keys is not None else None
        hit = cache.get("group", key) if key is not None else None
        if hit is not None:
            from ergen.cache import show_secrets
            for name, text in show_secrets(hit["files"], hit["refs"], Path(base.path)).items():
                stage_file(staging, name, text, staging.parent)
            res.update(problems=hit["problems"], routers=hit["routers"], circuits=hit["circuits"], cached=1)
            return res
        group_circuits = load_estate(inv) if inv.circuits else []
        res["circuits"] = len(group_circuits)
        ctx = run(group_circuits, inv, customer_facts=facts, global_checks=k == 0)
        if ctx.report.ok:
            intents = build_intents(ctx)
            capability_problems(ctx, intents)
        res["problems"] = list(ctx.report.problems)
        if not ctx.report.ok:
            return res
        rendered = rendered_files(intents, templates=templates)
        for name, text in rendered.items():
            stage_file(staging, name, text, staging.parent)
        res["routers"] = len(intents)
        if key is not None:
            from ergen.cache import hide_secrets
            hidden = hide_secrets(rendered, [x for i in intents for x in i.secrets])
            if hidden is not None:
                res["entry"] = (key, {"files": hidden[0], "refs": hidden[1], "problems": res["problems"],
                                      "routers": res["routers"], "circuits": res["circuits"]})
    except ErgenError as exc:
        res["error"] = (type(exc), exc.message, exc.file, exc.field, exc.code)
    return res
