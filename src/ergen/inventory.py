"""Load an inventory folder into :class:`ergen.model.inventory.Inventory`.

hosts.yaml, groups.yaml and defaults.yaml follow Nornir's SimpleInventory layout, so
the same folder can feed a Nornir runner; circuits.yaml is ergen's own. Errors name the
file and the YAML key path (``ams-er-r1.data.expressroute[0].link``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ergen.errors import InputError
from ergen.model.inventory import CircuitPolicy, Customer, HostEntry, Inventory, LinkAttachment, Router

HOSTS, GROUPS, DEFAULTS, CIRCUITS = "hosts.yaml", "groups.yaml", "defaults.yaml", "circuits.yaml"
SITES = "sites.yaml"        # circuits serving the same networks (multi-circuit resiliency)
CUSTOMERS = "customers"     # folder: one <customer>.yaml per customer (cloud solution providers)
_CUSTOMER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")
_ROUTER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_INHERITED = ("hostname", "platform", "port", "username", "password")


_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml's parser when PyYAML has it: ~10x faster


class _UniqueKeyLoader(_BASE):
    """A YAML loader that refuses a key given twice (PyYAML would keep the last silently)."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice", key_node.start_mark)
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"


def _construct(loader: _UniqueKeyLoader, node, memo: dict[int, Any]) -> Any:
    """The Python value of a composed node: what PyYAML's safe constructor gives (plain strings, lists and
    dicts built directly; every other tag through PyYAML's constructor), a key given twice refused, an
    alias giving the same object. An estate has thousands of small YAML files; this is most of the
    time spent reading them."""
    hit = memo.get(id(node))
    if hit is not None:
        return hit[0]
    tag = node.tag
    if tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if tag == _SEQ and isinstance(node, yaml.SequenceNode):
        out: Any = []
        memo[id(node)] = (out,)
        out.extend(_construct(loader, n, memo) for n in node.value)
        return out
    if tag == _MAP and isinstance(node, yaml.MappingNode):
        out = {}
        memo[id(node)] = (out,)
        seen: set[Any] = set()
        merged = False
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                merged = True
                continue
            key = _construct(loader, key_node, memo)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError("while constructing a mapping", node.start_mark,
                                                        "found unhashable key", key_node.start_mark) from None
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice",
                                                        key_node.start_mark)
            seen.add(key)
        if merged:
            loader.flatten_mapping(node)      # PyYAML's merge (<<): explicit keys win over merged ones
        for key_node, value_node in node.value:
            out[_construct(loader, key_node, memo)] = _construct(loader, value_node, memo)
        return out
    value = loader.construct_object(node, deep=True)   # ints, bools, nulls, dates, !!set ...: PyYAML's rules
    memo[id(node)] = (value,)
    return value


def _load_text(text: str) -> Any:
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        return _construct(loader, node, {}) if node is not None else None
    finally:
        loader.dispose()


class _EntryLoader(_UniqueKeyLoader, yaml.composer.Composer):
    """Composes a top-level mapping one entry at a time (the parser's events, Python's composer), so a
    hosts.yaml of thousands of routers never has its whole node tree in memory at once."""

    def __init__(self, stream) -> None:
        _UniqueKeyLoader.__init__(self, stream)
        yaml.composer.Composer.__init__(self)

    def entries(self):
        self.get_event()                                   # stream start
        if self.check_event(yaml.StreamEndEvent):
            return None
        self.get_event()                                   # document start
        if not self.check_event(yaml.MappingStartEvent):   # not a mapping: the caller reports its type
            node = self.compose_node(None, None)
            return self.construct_document(node)
        start = self.get_event()
        out: dict[Any, Any] = {}
        while not self.check_event(yaml.MappingEndEvent):
            key_node = self.compose_node(None, None)
            value_node = self.compose_node(None, None)
            key = _construct(self, key_node, {})
            if not isinstance(key, str):
                raise InputError(f"names must be text, got {key!r}", field=str(key))
            if key in out:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice",
                                                        key_node.start_mark)
            out[key] = _construct(self, value_node, {})
            self.constructed_objects.clear()   # keep anchors (nodes), drop what was built for this entry
            self.recursive_objects.clear()
        del start
        self.get_event()                                   # mapping end
        self.get_event()                                   # document end
        if not self.check_event(yaml.StreamEndEvent):
            raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                              "but found another document", self.get_event().start_mark)
        return out


def read_yaml(path: Path, *, required: bool, by_entry: bool = False) -> dict[str, Any]:
    """A YAML file holding a mapping of names. ``by_entry``: compose it one top-level entry at a time
    (same result, a fraction of the peak memory for a large hosts.yaml)."""
    if not path.exists():
        if required:
            raise InputError("file not found", file=str(path), field="(file)")
        return {}
    try:
        text = path.read_text(encoding="utf-8")
        if by_entry:
            loader = _EntryLoader(text)
            try:
                data = loader.entries()
            finally:
                loader.dispose()
        else:
            data = _load_text(text)
    except InputError as exc:
        raise InputError(exc.message, file=str(path), field=exc.field) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}" if mark else "(document)"
        raise InputError(f"not valid YAML: {exc.problem or exc.context}", file=str(path), field=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", file=str(path), field="(document)") from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path), field="(file)") from None
    except RecursionError:
        raise InputError("nested too deeply to read", file=str(path), field="(document)") from None
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}", file=str(path), field="(file)") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:   # PyYAML's constructors (!!timestamp, ...)
        raise InputError(f"not valid YAML: {shown(str(exc), 120)}", file=str(path), field="(document)") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of names, got {type(data).__name__}", file=str(path),
                         field="(document)")
    for k in data:
        if not isinstance(k, str):
            raise InputError(f"names must be text, got {k!r}", file=str(path), field=str(k))
    return data


def shown(text: str, limit: int = 60) -> str:
    """A YAML key or value as an error line may show it: unprintable characters (line breaks, escapes,
    U+2028) written as Python escapes, cut when long, and '""' for an empty one."""
    if text == "":
        return '""'
    out = text if text.isprintable() else "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return out if len(out) <= limit else out[:limit] + "..."


def _pydantic_error(exc: ValidationError, file: Path, prefix: str) -> InputError:
    err = exc.errors(include_url=False)[0]
    field = shown(prefix) if prefix else ""
    for x in err["loc"]:
        field += f"[{x}]" if isinstance(x, int) else (f".{shown(str(x))}" if field else shown(str(x)))
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        msg = "unknown key (check its spelling against 'ergen schema inventory')"
    elif err["type"] == "string_pattern_mismatch" and any(x in ("md5_key", "password") for x in err["loc"]):
        msg = "a secret must be a reference: env:NAME or file:PATH, never the value itself"
    elif err["type"] == "literal_error":
        msg = f"{msg}, got {err.get('input')!r:.40}"
    return InputError(msg, file=str(file), field=field)


def _inherit(host: dict[str, Any], groups: dict[str, Any], defaults: dict[str, Any],
             file: Path, name: str) -> dict[str, Any]:
    """Nornir's resolution: the host's own value, else its groups' in order, else defaults."""
    chain: list[dict[str, Any]] = []
    where = shown(name)
    names = host.get("groups") or []
    if not isinstance(names, list) or not all(isinstance(g, str) for g in names):
        raise InputError("groups is a list of group names", file=str(file), field=f"{where}.groups")
    if not isinstance(host.get("data") or {}, dict):
        raise InputError("data is a mapping", file=str(file), field=f"{where}.data")
    for g in names:
        if g not in groups:
            raise InputError(f"group {shown(g)!r} is not in {GROUPS}", file=str(file), field=f"{where}.groups")
        if not isinstance(groups[g] or {}, dict):
            raise InputError("a group is a mapping", file=str(file.parent / GROUPS), field=shown(g))
        if not isinstance((groups[g] or {}).get("data") or {}, dict):
            raise InputError("data is a mapping", file=str(file.parent / GROUPS), field=f"{shown(g)}.data")
        chain.append(groups[g] or {})
    if not isinstance(defaults.get("data") or {}, dict):
        raise InputError("data is a mapping", file=str(file.parent / DEFAULTS), field="data")
    chain.append(defaults or {})
    out = dict(host)
    for attr in _INHERITED:
        if out.get(attr) is None:
            for src in chain:
                if src.get(attr) is not None:
                    out[attr] = src[attr]
                    break
    data = dict(host.get("data") or {})
    for src in chain:
        for k, v in (src.get("data") or {}).items():
            data.setdefault(k, v)
    if data:
        out["data"] = data
    return out


_HOST = TypeAdapter(HostEntry)


def _router(name: str, merged: dict[str, Any], hosts_file: Path) -> Router:
    try:
        host = _HOST.validate_python(merged)
    except ValidationError as exc:
        raise _pydantic_error(exc, hosts_file, name) from None
    return Router(name=name, **host.model_dump(exclude_unset=False))


class RouterStore:
    """An estate's routers, kept as the checked YAML pickled (about a hundred bytes each) rather than as
    models (a few kilobytes each) or dicts (a kilobyte): a router group asks for its own routers, built again
    when it needs them."""

    def __init__(self, hosts_file: Path) -> None:
        self.hosts_file = hosts_file
        self.raw: dict[str, bytes] = {}
        self.platforms: dict[str, str] = {}
        self.attachments: dict[str, list[str]] = {}    # circuit (lower case) -> routers naming it in hosts.yaml
        self.platform_override: str | None = None

    def add(self, name: str, merged: dict[str, Any], router: Router) -> None:
        import pickle
        self.raw[name] = pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL)
        self.platforms[name] = router.platform
        for att in router.data.expressroute:
            self.attachments.setdefault(att.circuit.lower(), []).append(name)

    def __contains__(self, name: object) -> bool:
        return name in self.raw

    def routers(self, names) -> dict[str, Router]:
        import pickle
        out = {}
        for n in names:
            r = _router(n, pickle.loads(self.raw[n]), self.hosts_file)  # noqa: S301 (pickled by add() above)
            out[n] = r.model_copy(update={"platform": self.platform_override}) if self.platform_override else r
        return out


def load_inventory(path: str | Path, *, customers: bool = True, lazy_routers: bool = False):
    """The inventory folder; ``customers`` False leaves customers/ out (an estate render reads them one
    router group at a time, see :func:`with_customers`). ``lazy_routers`` (estates) returns
    ``(inventory without routers, RouterStore)``."""
    root = Path(path)
    if not root.exists():
        raise InputError("inventory folder not found", file=str(root), field="(folder)")
    if root.is_file():  # a hosts.yaml named directly
        root = root.parent
    hosts_file, groups_file = root / HOSTS, root / GROUPS
    defaults_file, circuits_file = root / DEFAULTS, root / CIRCUITS
    hosts = read_yaml(hosts_file, required=True, by_entry=True)
    groups = read_yaml(groups_file, required=False)
    defaults = read_yaml(defaults_file, required=False)
    circuits_raw = read_yaml(circuits_file, required=False)

    routers: dict[str, Router] = {}
    store = RouterStore(hosts_file) if lazy_routers else None
    for name in list(hosts):
        raw = hosts.pop(name) if store is not None else hosts[name]   # an estate: one router's dicts at a time
        if raw is None:
            raw = {}
        if not _ROUTER_NAME.match(name):
            raise InputError("a router name is letters, digits, '.', '_' and '-', starting with a letter or "
                             "digit (it names the router's config file)", file=str(hosts_file), field=shown(name))
        if not isinstance(raw, dict):
            raise InputError(f"expected a mapping, got {type(raw).__name__}", file=str(hosts_file),
                             field=shown(name))
        merged = _inherit(raw, groups, defaults, hosts_file, name)
        router = _router(name, merged, hosts_file)
        if store is None:
            routers[name] = router
        else:
            store.add(name, merged, router)

    circuits: dict[str, CircuitPolicy] = {}
    policy = TypeAdapter(CircuitPolicy)
    for cname, raw in circuits_raw.items():
        try:
            circuits[cname] = policy.validate_python(raw or {})
        except ValidationError as exc:
            raise _pydantic_error(exc, circuits_file, cname) from None

    sites_file = root / SITES
    sites: dict = {}
    if sites_file.exists():
        from ergen.model.site import Site
        site_model = TypeAdapter(Site)
        for sname, raw in read_yaml(sites_file, required=False).items():
            try:
                sites[sname] = site_model.validate_python(raw or {})
            except ValidationError as exc:
                raise _pydantic_error(exc, sites_file, sname) from None

    customers_dir = root / CUSTOMERS
    found = {}
    if customers and customers_dir.is_dir():
        found = _load_customers(sorted(customers_dir.glob("*.yaml")), routers, circuits, circuits_file)
    customers = found

    files = {"hosts": str(hosts_file)}
    if circuits_file.exists():
        files["circuits"] = str(circuits_file)
    if customers:
        files["customers"] = str(customers_dir)
    if sites:
        files["sites"] = str(sites_file)
    inv = Inventory(path=str(root), routers=routers, circuits=circuits, customers=customers, sites=sites,
                    files=files)
    return (inv, store) if store is not None else inv


def customer_files(root: str | Path) -> list[Path]:
    return sorted((Path(root) / CUSTOMERS).glob("*.yaml"))


def read_customer(file: Path, *, parsed: Path | None = None, save_parsed: Path | None = None,
                  cache=None, digest: bytes | None = None) -> Customer:
    """customers/<name>.yaml. An estate render reads each file twice (facts first, then with its router
    group): ``save_parsed`` keeps the parsed YAML in a private staging file (pickle, written by this
    process), and ``parsed`` reads it back instead of parsing the YAML again. ``cache`` (``ergen.cache``)
    keeps the checked customer across runs, keyed by ergen's code and the file's bytes (``digest``, their
    SHA-256, when the caller has it)."""
    import pickle

    if not _CUSTOMER_NAME.match(file.stem):
        raise InputError("a customer file is named <customer>.yaml with letters, digits, - and _",
                         file=str(file), field="(file)")
    key = None
    if cache is not None:
        from ergen import cache as cache_mod
        if digest is None:
            try:
                digest = cache_mod.file_digest(file.read_bytes())
            except OSError:
                digest = None
        if digest is not None:
            key = cache_mod.digest("customer", cache_mod.code_fingerprint(), digest)
            hit = cache.get("customer", key)
            if hit is not None:
                return hit
    raw = None
    if parsed is not None and parsed.is_file():
        with open(parsed, "rb") as fh:
            raw = pickle.load(fh)  # noqa: S301 (our own file, in our own 0700 staging folder)
    if raw is None:
        raw = read_yaml(file, required=True)
    try:
        cust = TypeAdapter(Customer).validate_python(raw)
    except ValidationError as exc:
        raise _pydantic_error(exc, file, "") from None
    if save_parsed is not None:
        with open(save_parsed, "wb") as fh:
            pickle.dump(raw, fh, protocol=pickle.HIGHEST_PROTOCOL)
    if key is not None:
        cache.put("customer", key, cust)
    return cust


def with_customers(base: Inventory, files: list[Path], routers: set[str], parsed: Path | None = None,
                   store: RouterStore | None = None, cache=None, digests: dict[str, bytes] | None = None) -> Inventory:
    """``base`` (loaded without customers) cut to ``routers`` (from ``store`` when given), with the
    circuits of the customers in ``files`` that land on them folded in: one router group of an estate."""
    if store is not None:
        kept = store.routers(sorted(routers))
    else:
        kept = {n: r for n, r in base.routers.items() if n in routers}
    attached = {a.circuit.lower() for r in kept.values() for a in r.data.expressroute}
    circuits = {k: v for k, v in base.circuits.items() if k.lower() in attached}
    customers = _load_customers(files, kept, circuits, Path(base.files.get("circuits", Path(base.path) / CIRCUITS)),
                                only_routers=routers, parsed=parsed, cache=cache, digests=digests)
    files_ = dict(base.files)
    if customers:
        files_["customers"] = str(Path(base.path) / CUSTOMERS)
    return Inventory(path=base.path, routers=kept, circuits=circuits, customers=customers, files=files_)


def _load_customers(files: list[Path], routers: dict[str, Router], circuits: dict[str, CircuitPolicy],
                    circuits_file: Path, only_routers: set[str] | None = None,
                    parsed: Path | None = None, cache=None,
                    digests: dict[str, bytes] | None = None) -> dict[str, Customer]:
    """Read customers/<name>.yaml (in name order) and fold each circuit's policy into ``circuits`` and
    each landing into its router's ``data.expressroute``, remembering the file and path it came from."""
    customers: dict[str, Customer] = {}
    owner = {k.lower(): str(circuits_file) for k in circuits}
    extra: dict[str, list[LinkAttachment]] = {}
    lower: set[str] = set()
    for file in files:
        name = file.stem
        cust = read_customer(file, parsed=parsed / f"{name}.pickle" if parsed else None, cache=cache,
                             digest=(digests or {}).get(file.stem))
        if name.lower() in lower:
            raise InputError(f"customer {name!r} is given twice (names are case-insensitive)", file=str(file),
                             field="(file)")
        lower.add(name.lower())
        for cname, circuit in cust.circuits.items():
            if only_routers is not None and not {l.router for l in circuit.landings} <= only_routers:
                continue   # another router group's circuit
            if cname.lower() in owner:
                raise InputError(f"circuit {cname!r} is also defined in {owner[cname.lower()]}", file=str(file),
                                 field=f"circuits.{cname}")
            owner[cname.lower()] = str(file)
            fields = circuit.model_dump(exclude={"landings"}, exclude_unset=True)
            fields["customer"] = name
            circuits[cname] = CircuitPolicy.model_validate(fields)
            for i, landing in enumerate(circuit.landings):
                where = f"circuits.{cname}.landings[{i}]"
                if landing.router not in routers:
                    raise InputError(f"router {landing.router!r} is not in {HOSTS}", file=str(file),
                                     field=f"{where}.router")
                extra.setdefault(landing.router, []).append(LinkAttachment(
                    circuit=cname, origin=(str(file), where),
                    **landing.model_dump(exclude={"router"}, exclude_unset=True)))
        customers[name] = cust
    for rname, atts in extra.items():
        r = routers[rname]
        routers[rname] = r.model_copy(update={"data": r.data.model_copy(
            update={"expressroute": list(r.data.expressroute) + atts})})
    return customers


def inventory_schema() -> str:
    """JSON Schema of hosts.yaml and circuits.yaml (for editors and CI linters)."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ergen inventory",
        "description": "hosts.yaml (Nornir SimpleInventory shape) and circuits.yaml of an ergen inventory",
        "$defs": {
            "hosts.yaml": TypeAdapter(dict[str, HostEntry]).json_schema(),
            "circuits.yaml": TypeAdapter(dict[str, CircuitPolicy]).json_schema(),
            "customers/<customer>.yaml": TypeAdapter(Customer).json_schema(),
        },
    }
    return json.dumps(schema, indent=2)
