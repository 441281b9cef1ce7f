"""``ergen init``: a starter inventory from Azure's circuit JSON.

:func:`init_inventory` writes ``hosts.yaml``, ``circuits.yaml``, ``groups.yaml`` and ``secrets/README.md``
into a folder, every key commented with what it is and its choices, so that
``ergen validate CIRCUIT -i FOLDER`` accepts it (warnings aside) and ``ergen render`` works once the
key files named in ``secrets/README.md`` exist.

Each value comes from the first of these that has it:

1. the caller's arguments (the CLI's flags: ``--link``, ``--advertise``, ``--md5`` ...);
2. ``facts``: what the routers already run (:class:`RouterFacts`, filled from their running configs);
3. Azure's JSON (Microsoft peering advertises Azure's advertisedPublicPrefixes; a peering whose JSON
   shows a sharedKey gets an MD5 key file reference);
4. ergen's defaults, written out so that the file shows them.

Arguments naming a peering are keyed ``"private"`` / ``"microsoft"`` (every circuit that has that
peering) or ``"<circuit>.private"`` (that circuit only). Errors name the CLI flag they come from and
are raised before anything is written; the files are staged in a temporary folder inside ``out`` and
moved into place together (:func:`ergen.pipeline.commit_staged`), so ``out`` gets all four or none.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ergen.errors import InputError, OutputError
from ergen.model.circuit import Circuit, Peering, PeeringKind
from ergen.model.inventory import PLATFORMS

LINKS = ("primary", "secondary")
PEERINGS = ("private", "microsoft")
REDUNDANCY = ("active-standby", "active-active")
FILES = ("hosts.yaml", "circuits.yaml", "groups.yaml", "secrets/README.md")

_ROUTER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")        # as the inventory loader requires
_INTERFACE = re.compile(r"[A-Za-z][A-Za-z0-9/:._-]*")          # LinkAttachment.interface
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_TAG = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,23}")             # CircuitPolicy.tag
_SECRET = re.compile(r"env:[A-Za-z_][A-Za-z0-9_]*|file:[^\x00-\x1f\x7f]+")
_IPV4 = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+@:-]*")          # written without quotes when YAML reads it back as text
_COLUMN = 36                                                    # where comments start, as in README's examples


# ----------------------------------------------------------------------------- what the routers run
@dataclass(frozen=True)
class PeeringFacts:
    """One peering of one link as a router runs it (its subinterface and BGP sessions)."""

    vlan: int | None = None                  # router-side 802.1Q tag of the peering's subinterface
    advertise: Sequence[str] = ()            # IPv4 prefixes the router advertises to Microsoft
    advertise_ipv6: Sequence[str] = ()       # IPv6 prefixes it advertises
    md5: bool = False                        # the session has an MD5 key (its value is never carried here)
    bfd: bool | None = None                  # BFD on the session; None: not known
    maximum_prefix: int | None = None        # IPv4 maximum-prefix towards Microsoft
    maximum_prefix_ipv6: int | None = None


@dataclass(frozen=True)
class LinkFacts:
    """One link of a circuit (``circuit``'s ``link``: primary or secondary) as a router terminates it."""

    circuit: str
    link: str
    interface: str | None = None             # provider-facing parent interface
    s_tag: int | None = None                 # QinQ outer tag
    peerings: Mapping[str, PeeringFacts] = field(default_factory=dict)   # "private" / "microsoft"


@dataclass(frozen=True)
class RouterFacts:
    """What one router already runs, read from its running config; ``init_inventory(facts=...)`` takes
    ``{router name: RouterFacts}`` and uses them where no argument gives the value."""

    bgp_asn: int | None = None
    router_id: str | None = None
    links: Sequence[LinkFacts] = ()

    def link(self, circuit: str, role: str) -> LinkFacts | None:
        for lf in self.links:
            if lf.circuit.lower() == circuit.lower() and lf.link == role:
                return lf
        return None


@dataclass(frozen=True)
class Landing:
    """Where one link lands: ``--link [CIRCUIT.]LINK=ROUTER:INTERFACE``. ``circuit`` None: the only circuit."""

    link: str
    router: str
    interface: str
    circuit: str | None = None


# ----------------------------------------------------------------------------- flag parsing
def parse_link(text: str) -> Landing:
    """``primary=ams-er-r1:TenGigabitEthernet0/1/0`` or ``er-ams-prod.primary=...``."""
    key, sep, value = text.partition("=")
    router, colon, interface = value.partition(":")
    if not sep or not colon:
        raise InputError(f"{_shown(text)!r}: expected [CIRCUIT.]primary=ROUTER:INTERFACE or "
                         "[CIRCUIT.]secondary=ROUTER:INTERFACE", field="--link")
    circuit, role = _split_key(key.strip(), LINKS, "--link")
    router, interface = router.strip(), interface.strip()
    check_router(router, "--link")
    check_interface(interface, "--link")
    return Landing(link=role, router=router, interface=interface, circuit=circuit)


def parse_pairs(values: Iterable[str] | None, flag: str) -> dict[str, str]:
    """``KEY=VALUE`` flags (``--md5 private=file:...``, ``--hostname r1=192.0.2.11``); a key given twice
    is refused. Values are not shown in errors (``--md5`` may be handed a key by mistake)."""
    out: dict[str, str] = {}
    for text in values or ():
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:   # not shown: it may be a key given by mistake
            raise InputError("expected KEY=VALUE: one of the values has no '=' or nothing after it", field=flag)
        if key in out:
            raise InputError(f"{_shown(key)!r} is given twice", field=flag)
        out[key] = value
    return out


def parse_lists(values: Iterable[str] | None, flag: str) -> dict[str, list[str]]:
    """``KEY=A,B,C`` flags (``--advertise private=10.20.0.0/16,10.21.0.0/16``); a key given again adds to
    its list."""
    out: dict[str, list[str]] = {}
    for text in values or ():
        key, sep, value = text.partition("=")
        items = [v.strip() for v in value.split(",") if v.strip()]
        if not sep or not key.strip() or not items:
            raise InputError(f"expected PEERING=A,B,..., got {_shown(text)!r}", field=flag)
        out.setdefault(key.strip(), []).extend(items)
    return out


def parse_ints(values: Iterable[str] | None, flag: str) -> dict[str, int]:
    """``KEY=N`` flags (``--maximum-prefix private=1000``)."""
    out: dict[str, int] = {}
    for key, value in parse_pairs(values, flag).items():
        if not value.isdigit() or int(value) < 1:
            raise InputError(f"{_shown(key)}: expected a whole number of at least 1, got {_shown(value)!r}",
                             field=flag)
        out[key] = int(value)
    return out


def parse_tags(values: Iterable[str] | None) -> str | dict[str, str] | None:
    """``--tag AMS-PROD`` (one circuit) or ``--tag CIRCUIT=TAG`` (repeat it per circuit)."""
    values = list(values or ())
    if not values:
        return None
    if len(values) == 1 and "=" not in values[0]:
        return values[0].strip()
    if any("=" not in v for v in values):
        raise InputError("with several --tag, write each as CIRCUIT=TAG", field="--tag")
    return parse_pairs(values, "--tag")


def parse_asn(text: str | None) -> int | None:
    if text is None:
        return None
    t = text.strip()
    if not t.isdigit() or not 1 <= int(t) <= 4294967295:
        raise InputError(f"expected an AS number 1-4294967295, got {_shown(t)!r}", field="--asn")
    return int(t)


def check_router(name: str, flag: str) -> str:
    if not _ROUTER.fullmatch(name):
        raise InputError(f"router name {_shown(name)!r}: letters, digits, '.', '_' and '-', starting with a "
                         "letter or digit (it names the router's config file)", field=flag)
    return name


def check_interface(name: str, flag: str) -> str:
    if not _INTERFACE.fullmatch(name):
        raise InputError(f"interface {_shown(name)!r}: a name such as TenGigabitEthernet0/1/0, xe-0/1/0 or "
                         "eth1 (letters, digits, / : . _ -)", field=flag)
    return name


def check_platform(platform: str | None) -> str:
    if platform not in PLATFORMS:
        got = f"got {_shown(platform)!r}" if platform else "none given"
        raise InputError(f"the routers' platform: one of {', '.join(PLATFORMS)} ({got})", field="--platform")
    return platform


# ----------------------------------------------------------------------------- the inventory
@dataclass
class _Att:
    circuit: Circuit
    link: str
    interface: str
    facts: LinkFacts | None
    override: dict[str, dict[str, list[str]]] = field(default_factory=dict)   # peering -> advertise lists


def init_inventory(circuits: Sequence[Circuit], out: str | Path, *, platform: str,
                   links: Iterable[Landing], asn: int | None = None,
                   hostnames: Mapping[str, str] | None = None, group: str | None = None,
                   advertise: Mapping[str, Sequence[str]] | None = None,
                   md5: Mapping[str, str] | None = None,
                   accept_communities: Mapping[str, Sequence[str]] | None = None,
                   tag: str | Mapping[str, str] | None = None, redundancy: str | None = None,
                   maximum_prefix: Mapping[str, int] | None = None, username: str | None = None,
                   password_ref: str | None = None, force: bool = False,
                   facts: Mapping[str, RouterFacts] | None = None,
                   ask: Callable[[str, str], tuple[str, str]] | None = None) -> list[Path]:
    """Write a starter inventory for ``circuits`` into ``out``; return the files written.

    ``links``: where each link of each circuit lands (every link needs one, from here or ``facts``).
    ``advertise``, ``md5``, ``accept_communities``, ``maximum_prefix``: keyed by peering (``private``,
    ``microsoft``) or ``<circuit>.<peering>``; ``advertise`` lists may mix IPv4 and IPv6 prefixes.
    ``md5`` and ``password_ref`` are references (``env:NAME``, ``file:PATH``), never keys. ``tag``: a
    tag (one circuit) or {circuit: tag}. ``asn``: the routers' BGP ASN, written to the site group.
    ``group``: the site group of every router (default: from the circuit's peering location).
    ``out`` must be empty (or missing) unless ``force``; with ``force`` only the four files are
    replaced, nothing else in ``out`` is touched.
    ``ask(circuit name, link) -> (router, interface)`` is called, once every argument has been checked,
    for each link that neither ``links`` nor ``facts`` lands (the CLI prompts); without it such a link is
    an error naming --link.
    """
    circuits = list(circuits)
    if not circuits:
        raise InputError("give at least one circuit", field="CIRCUIT")
    names = [c.name.lower() for c in circuits]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})[0]
        raise InputError(f"circuit {dup!r} is given more than once", field="CIRCUIT")
    out = Path(out)
    _check_out(out, force)                  # before anything is asked
    platform = check_platform(platform)
    if redundancy is not None and redundancy not in REDUNDANCY:
        raise InputError(f"one of {', '.join(REDUNDANCY)}, got {_shown(redundancy)!r}", field="--redundancy")
    if asn is not None and not 1 <= asn <= 4294967295:
        raise InputError(f"expected an AS number 1-4294967295, got {asn}", field="--asn")
    if group is not None and not _GROUP.fullmatch(group):
        raise InputError(f"group name {_shown(group)!r}: letters, digits, '.', '_' and '-'", field="--group")
    if username is not None and (not username.strip() or not username.isprintable()):
        raise InputError("the login name is one line of text", field="--username")
    if password_ref is not None:
        _check_ref(password_ref, "--password-ref")
    facts = dict(facts or {})
    for rname in facts:
        check_router(rname, "facts")
    tags = _tags(tag, circuits)
    adv = _per_peering(advertise, "--advertise", circuits)
    keys = _per_peering(md5, "--md5", circuits)
    comms = _per_peering(accept_communities, "--accept-communities", circuits)
    limits = _per_peering(maximum_prefix, "--maximum-prefix", circuits)
    for where, ref in keys.items():
        _check_ref(ref, "--md5", f"{where[1]}" if len(circuits) == 1 else f"{where[0]}.{where[1]}")
    for items in comms.values():
        _check_communities(items)
    for where, n in limits.items():
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise InputError(f"{where[1]}: a whole number of at least 1", field="--maximum-prefix")
    adv_split = {where: _split_families(items) for where, items in adv.items()}

    routers = _landings(circuits, list(links), facts, ask)
    hostnames = dict(hostnames or {})
    for rname, host in hostnames.items():
        if rname not in routers:
            raise InputError(f"router {_shown(rname)!r} terminates no link: give it a --link too", field="--hostname")
        if not host or not host.isprintable() or any(ch.isspace() for ch in host):
            raise InputError(f"{rname}: a management address or DNS name, one word", field="--hostname")
    groups = _groups(routers, group)

    ctx = _Inputs(circuits=circuits, platform=platform, routers=routers, facts=facts, hostnames=hostnames,
                  groups=groups, asn=asn, username=username, password_ref=password_ref, tags=tags,
                  redundancy=redundancy, advertise=adv_split, md5=keys, communities=comms, limits=limits)
    circuits_text = _circuits_yaml(ctx)     # first: it decides the per-link overrides hosts.yaml holds
    texts = {"hosts.yaml": _hosts_yaml(ctx), "circuits.yaml": circuits_text, "groups.yaml": _groups_yaml(ctx),
             "secrets/README.md": _secrets_readme(ctx)}   # last: the keys the other files name
    return _write(out, texts, force=force)


@dataclass
class _Inputs:
    circuits: list[Circuit]
    platform: str
    routers: dict[str, list[_Att]]
    facts: dict[str, RouterFacts]
    hostnames: dict[str, str]
    groups: dict[str, str]                     # router -> group
    asn: int | None
    username: str | None
    password_ref: str | None
    tags: dict[str, str]
    redundancy: str | None
    advertise: dict[tuple[str, str], tuple[list[str], list[str]]]
    md5: dict[tuple[str, str], str]
    communities: dict[tuple[str, str], list[str]]
    limits: dict[tuple[str, str], int]
    secrets: list[tuple[str, str]] = field(default_factory=list)      # (reference, what it is for)


def _check_ref(ref: str, flag: str, what: str = "") -> str:
    if not _SECRET.fullmatch(ref):
        head = f"{what}: " if what else ""
        # never echo the value: it may be the key itself
        raise InputError(f"{head}a secret is given by reference only: env:NAME or file:PATH (file:secrets/NAME "
                         "for a file in the inventory's secrets folder), never the value itself", field=flag)
    return ref


def _check_communities(items: Sequence[str]) -> None:
    from ergen.communities import community_value
    for name in items:
        if community_value(name) is None:
            raise InputError(f"unknown community {_shown(name)!r}: a name from ergen's list (exchange, "
                             "sharepoint, azure-westeurope, ...: src/ergen/data/communities.yaml) or 12076:NNNNN",
                             field="--accept-communities")


def _split_key(key: str, last: Sequence[str], flag: str) -> tuple[str | None, str]:
    """``private`` -> (None, private); ``er-ams-prod.private`` -> (er-ams-prod, private)."""
    head, dot, tail = key.rpartition(".")
    if tail in last:
        return (head if dot and head else None), tail
    raise InputError(f"{_shown(key)!r}: expected {' or '.join(last)}, or CIRCUIT.{last[0]}", field=flag)


def _find_circuit(name: str, circuits: Sequence[Circuit], flag: str) -> Circuit:
    for c in circuits:
        if c.name.lower() == name.lower():
            return c
    raise InputError(f"no circuit {_shown(name)!r} among the circuit files (they are: "
                     f"{', '.join(c.name for c in circuits)})", field=flag)


def _per_peering(values: Mapping[str, Any] | None, flag: str,
                 circuits: Sequence[Circuit]) -> dict[tuple[str, str], Any]:
    """{(circuit name, peering): value}: a bare peering key applies to every circuit that has it, a
    ``CIRCUIT.peering`` key (which wins) to that circuit."""
    out: dict[tuple[str, str], Any] = {}
    bare, specific = [], []
    for key, value in (values or {}).items():
        cname, peering = _split_key(key, PEERINGS, flag)
        (bare if cname is None else specific).append((cname, peering, value))
    for _, peering, value in bare:
        hits = [c for c in circuits if _peering(c, peering) is not None]
        if not hits:
            raise InputError(f"no circuit has a {peering} peering", field=flag)
        for c in hits:
            out[(c.name, peering)] = value
    for cname, peering, value in specific:
        c = _find_circuit(cname, circuits, flag)
        if _peering(c, peering) is None:
            raise InputError(f"circuit {c.name} has no {peering} peering", field=flag)
        out[(c.name, peering)] = value
    return out


def _split_families(items: Sequence[str]) -> tuple[list[str], list[str]]:
    v4, v6 = [], []
    for text in items:
        try:
            net = ipaddress.ip_network(text, strict=True)
        except ValueError as exc:
            raise InputError(f"{_shown(text)!r} is not a network: {exc}", field="--advertise") from None
        (v4 if net.version == 4 else v6).append(str(text))
    return v4, v6


def _tags(tag: str | Mapping[str, str] | None, circuits: Sequence[Circuit]) -> dict[str, str]:
    if tag is None:
        return {}
    if isinstance(tag, str):
        if len(circuits) != 1:
            raise InputError("with several circuits, give --tag CIRCUIT=TAG for each", field="--tag")
        tag = {circuits[0].name: tag}
    out = {}
    for cname, t in tag.items():
        c = _find_circuit(cname, circuits, "--tag")
        if not _TAG.fullmatch(t):
            raise InputError(f"tag {_shown(t)!r}: up to 24 letters, digits and '-', starting with a letter or "
                             "digit", field="--tag")
        out[c.name] = t
    return out


def _peering(circuit: Circuit, short: str) -> Peering | None:
    kind = PeeringKind.private if short == "private" else PeeringKind.microsoft
    return next((p for p in circuit.peerings if p.kind == kind), None)


def _landings(circuits: list[Circuit], links: list[Landing], facts: dict[str, RouterFacts],
              ask: Callable[[str, str], tuple[str, str]] | None) -> dict[str, list[_Att]]:
    """{router: its links}, routers in the order their first link appears (circuits in order, primary
    before secondary)."""
    chosen: dict[tuple[str, str], tuple[str, str]] = {}
    for l in links:
        if l.link not in LINKS:
            raise InputError(f"{_shown(l.link)!r}: primary or secondary", field="--link")
        check_router(l.router, "--link")
        check_interface(l.interface, "--link")
        if l.circuit is None:
            if len(circuits) != 1:
                raise InputError(f"with several circuits, write --link CIRCUIT.{l.link}=ROUTER:INTERFACE",
                                 field="--link")
            c = circuits[0]
        else:
            c = _find_circuit(l.circuit, circuits, "--link")
        if (c.name, l.link) in chosen:
            raise InputError(f"{c.name} {l.link} link is given twice", field="--link")
        chosen[(c.name, l.link)] = (l.router, l.interface)
    for rname, rf in sorted(facts.items()):
        for lf in rf.links:
            if lf.link not in LINKS:
                raise InputError(f"{_shown(lf.link)!r}: primary or secondary", field=f"facts.{rname}")
            c = _find_circuit(lf.circuit, circuits, f"facts.{rname}")
            if (c.name, lf.link) in chosen or not lf.interface:
                continue
            other = [n for n, f in facts.items() if n != rname and getattr(f.link(c.name, lf.link), "interface", None)]
            if other:
                raise InputError(f"{c.name} {lf.link} link: the running configs of {rname} and {other[0]} both "
                                 "terminate it; give --link for it", field="--link")
            chosen[(c.name, lf.link)] = (rname, check_interface(lf.interface, f"facts.{rname}"))
    routers: dict[str, list[_Att]] = {}
    for c in circuits:
        for role in LINKS:
            if (c.name, role) not in chosen and ask is not None:
                router, interface = ask(c.name, role)
                chosen[(c.name, role)] = (check_router(router, "--link"), check_interface(interface, "--link"))
            if (c.name, role) not in chosen:
                what = f"{role}=ROUTER:INTERFACE" if len(circuits) == 1 else f"{c.name}.{role}=ROUTER:INTERFACE"
                raise InputError(f"where does {c.name}'s {role} link land? give --link {what}", field="--link")
            rname, interface = chosen[(c.name, role)]
            rf = facts.get(rname)
            routers.setdefault(rname, []).append(_Att(c, role, interface, rf.link(c.name, role) if rf else None))
    for rname, rf in facts.items():
        if rname not in routers:
            why = "--link gives its links to other routers" if rf.links else \
                "its running config shows no link of these circuits"
            raise InputError(f"{rname} would terminate no link: {why}", field=f"facts.{rname}")
    return routers


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:63] if s and s[0].isalnum() else ""


def _site(circuit: Circuit) -> str:
    for place in (circuit.peering_location, circuit.express_route_port and circuit.express_route_port.peering_location,
                  circuit.location):
        if place and _slug(place):
            return _slug(place)
    return "site"


def _groups(routers: dict[str, list[_Att]], group: str | None) -> dict[str, str]:
    return {r: group or _site(atts[0].circuit) for r, atts in routers.items()}


# ----------------------------------------------------------------------------- YAML text
def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if _PLAIN.fullmatch(text) and not _ipv6(text) and _reads_back(text):
        return text
    return _quoted(text)


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: every character that is not printable (line breaks, U+2028, controls)
    as an escape, so that Azure's text stays one value on one line."""
    out = []
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return '"' + "".join(out) + '"'


def _ipv6(text: str) -> bool:
    """IPv6 addresses and prefixes are quoted, as README's examples write them (a YAML 1.1 reader may take
    some for base-60 numbers)."""
    try:
        return ":" in text and ipaddress.ip_network(text, strict=False).version == 6
    except ValueError:
        return False


def _reads_back(text: str) -> bool:
    import yaml
    try:
        return yaml.safe_load(f"[{text}]") == [text]
    except yaml.YAMLError:
        return False


def _text(text: Any) -> str:
    """Azure's free text in a comment: one line, printable, short."""
    s = " ".join(str(text).split())
    s = "".join(ch if ch.isprintable() else "?" for ch in s)
    return s if len(s) <= 80 else s[:77] + "..."


class _Doc:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def comment(self, indent: int, text: str) -> None:
        self.lines.append(" " * indent + "# " + text if text else " " * indent + "#")

    def blank(self) -> None:
        self.lines.append("")

    def key(self, indent: int, key: str, value: Any = None, note: str | None = None, *,
            off: bool = False, item: bool = False) -> None:
        """``key: value  # note``; ``value`` None opens a mapping; ``off`` writes it commented out (an
        optional key and an example of its value); ``item`` starts a list item (``- key: value``)."""
        lead = " " * indent + ("# " if off else "") + ("- " if item else "")
        body = f"{lead}{_scalar(key)}:" + ("" if value is None else f" {_scalar(value)}")
        if note:
            body += " " * max(_COLUMN - len(body), 2) + "# " + note
        self.lines.append(body.rstrip())

    def text(self) -> str:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "\n".join(self.lines) + "\n"


def _header(doc: _Doc, what: str, ctx: _Inputs) -> None:
    doc.comment(0, what)
    files = ", ".join(sorted({Path(c.source_file).name or "stdin" for c in ctx.circuits}))
    doc.comment(0, f"Written by `ergen init` from {_text(files)}; edit it freely. Every key: `ergen schema inventory`.")


def _circuit_label(c: Circuit) -> str:
    parts = [p for p in (c.service_provider_name, c.peering_location) if p]
    label = " ".join(parts) or ("ExpressRoute Direct" if c.is_direct else "")
    bits = [b for b in (label, c.bandwidth_label if c.bandwidth_bps else "",
                        f"service key {c.service_key}" if c.service_key else "") if b]
    return _text(", ".join(bits)) if bits else "ExpressRoute circuit"


def _hosts_yaml(ctx: _Inputs) -> str:
    doc = _Doc()
    _header(doc, "hosts.yaml: the customer edge routers, one entry each (Nornir SimpleInventory's shape).", ctx)
    doc.comment(0, "A router inherits what it does not set (username, password, data.bgp_asn) from its groups.")
    for rname, atts in ctx.routers.items():
        rf = ctx.facts.get(rname)
        doc.blank()
        doc.key(0, rname)
        if rname in ctx.hostnames:
            doc.key(2, "hostname", ctx.hostnames[rname], "management address or DNS name: where diff and push connect")
        else:
            doc.key(2, "hostname", "192.0.2.1", "management address or DNS name: where diff and push connect",
                    off=True)
        doc.key(2, "platform", ctx.platform, " | ".join(PLATFORMS))
        doc.key(2, "groups", [ctx.groups[rname]], "groups.yaml: the site's login and BGP ASN")
        doc.key(2, "data", None, "ergen's facts about this router")
        asn = _router_asn(ctx, rname)
        if asn is not None:
            doc.key(4, "bgp_asn", asn, "this router's BGP ASN, from its running config")
        router_id = rf.router_id if rf and rf.router_id else None
        if router_id is not None and _IPV4.fullmatch(router_id):
            doc.key(4, "router_id", router_id, "BGP router ID, from its running config")
        else:
            doc.key(4, "router_id", "10.0.0.1", "optional: BGP router ID (IOS-XR needs one unless a loopback "
                                                "gives it)", off=True)
        doc.key(4, "expressroute", None, "the ExpressRoute links this router terminates")
        for a in atts:
            _attachment(doc, a)
    return doc.text()


def _attachment(doc: _Doc, a: _Att) -> None:
    c, lf = a.circuit, a.facts
    doc.key(6, "circuit", c.name, "the circuit's Azure name", item=True)
    doc.key(8, "link", a.link, "primary | secondary")
    doc.key(8, "interface", a.interface, "provider-facing parent interface: the subinterfaces go on it")
    here = [p.short for p in c.peerings if p.short in PEERINGS]
    doc.key(8, "peerings", here or list(PEERINGS), "optional: the peerings on this link (default: all the circuit "
                                                   "has)", off=True)
    if lf is not None and lf.s_tag is not None and lf.s_tag != c.stag:
        doc.key(8, "s_tag", lf.s_tag, "QinQ outer tag, from the running config")
    elif c.stag:
        doc.key(8, "s_tag", c.stag, f"optional: QinQ outer tag (default Azure's stag, {c.stag})", off=True)
    else:
        doc.key(8, "s_tag", 300, "optional: QinQ outer tag, where the provider adds one", off=True)
    azure_vlans = {p.short: p.vlan_id for p in c.peerings if p.short in PEERINGS and p.vlan_id}
    vlans = {}
    if lf is not None:
        vlans = {k: pf.vlan for k, pf in sorted(lf.peerings.items(), key=lambda kv: PEERINGS.index(kv[0]))
                 if k in PEERINGS and pf.vlan is not None and pf.vlan != azure_vlans.get(k)}
    if vlans:
        doc.key(8, "vlan", vlans, "router-side tags where the provider rewrites Azure's, from the running config")
    elif azure_vlans:
        shown = ", ".join(f"{k} {v}" for k, v in azure_vlans.items())
        doc.key(8, "vlan", {next(iter(azure_vlans)): 1100},
                f"optional: router-side tag where the provider rewrites Azure's ({shown})", off=True)
    for peering in PEERINGS:
        lists = a.override.get(peering)
        if lists:
            doc.key(8, peering, None, "this link's own prefixes (asymmetric_prefixes), from the running config")
            doc.key(10, "advertise", lists["advertise"], "IPv4 prefixes this link advertises")
            doc.key(10, "advertise_ipv6", lists["advertise_ipv6"], "IPv6 prefixes this link advertises")


def _router_asn(ctx: _Inputs, rname: str) -> int | None:
    """A router's own bgp_asn in hosts.yaml: from facts, when its group does not carry the same one."""
    if ctx.asn is not None:
        return None
    rf = ctx.facts.get(rname)
    if rf is None or rf.bgp_asn is None:
        return None
    return None if _group_asn(ctx, ctx.groups[rname]) == rf.bgp_asn else rf.bgp_asn


def _group_asn(ctx: _Inputs, group: str) -> int | None:
    """The site group's bgp_asn: --asn, else the one every router of the group runs (facts)."""
    if ctx.asn is not None:
        return ctx.asn
    found = {ctx.facts[r].bgp_asn if r in ctx.facts else None for r, g in ctx.groups.items() if g == group}
    return found.pop() if len(found) == 1 and None not in found else None


def _groups_yaml(ctx: _Inputs) -> str:
    doc = _Doc()
    _header(doc, "groups.yaml: site-wide values the routers inherit (Nornir groups).", ctx)
    doc.comment(0, "A router's own value wins, then its groups' in the order it lists them, then defaults.yaml.")
    for gname in dict.fromkeys(ctx.groups.values()):
        members = [r for r, g in ctx.groups.items() if g == gname]
        sites = dict.fromkeys(_circuit_label(a.circuit).split(",")[0] for r in members for a in ctx.routers[r])
        doc.blank()
        doc.key(0, gname, None, f"the site: {', '.join(sites)}" if sites else "the site")
        if ctx.username:
            doc.key(2, "username", ctx.username, "login for ergen diff and push")
        else:
            doc.key(2, "username", "netops", "login for ergen diff and push", off=True)
        env = "ERGEN_" + re.sub(r"[^A-Z0-9]+", "_", gname.upper()).strip("_") + "_PASSWORD"
        if ctx.password_ref:
            doc.key(2, "password", ctx.password_ref, "by reference only (env:NAME or file:PATH); pushes only")
            ctx.secrets.append((ctx.password_ref, f"the login password of group {gname}'s routers (groups.yaml); "
                                                  "ergen diff and push need it"))
        else:
            doc.key(2, "password", f"env:{env}", "by reference only (env:NAME or file:PATH); pushes only", off=True)
        asn = _group_asn(ctx, gname)
        peer_asns = sorted({p.peer_asn for r in members for a in ctx.routers[r] for p in a.circuit.peerings
                            if p.peer_asn and p.short in PEERINGS})
        default = f"without it: the peering's peerASN, {', '.join(map(str, peer_asns))}" if peer_asns \
            else "without it: the peering's peerASN"
        if asn is not None:
            doc.key(2, "data")
            source = "--asn" if ctx.asn is not None else "every router's running config"
            doc.key(4, "bgp_asn", asn, f"the routers' BGP ASN, from {source} ({default})")
        else:
            doc.key(2, "data", None, "optional: data every router of the site inherits", off=True)
            doc.key(4, "bgp_asn", peer_asns[0] if peer_asns else 64500,
                    f"the routers' BGP ASN ({default})", off=True)
    return doc.text()


def _lists_from_facts(atts: list[_Att], peering: str) -> dict[str, tuple[list[str], list[str]]]:
    """{link: (IPv4, IPv6)} the routers advertise on ``peering``, for each link whose facts have it."""
    out = {}
    for a in atts:
        pf = a.facts.peerings.get(peering) if a.facts else None
        if pf is not None and (pf.advertise or pf.advertise_ipv6):
            out[a.link] = (list(pf.advertise), list(pf.advertise_ipv6))
    return out


def _peering_facts(atts: list[_Att], peering: str) -> list[PeeringFacts]:
    return [a.facts.peerings[peering] for a in atts if a.facts and peering in a.facts.peerings]


def _circuits_yaml(ctx: _Inputs) -> str:
    from ergen.intent.build import DEFAULT_MAX_PREFIX

    doc = _Doc()
    _header(doc, "circuits.yaml: per circuit (by its Azure name) the policy both of its links share.", ctx)
    for c in ctx.circuits:
        atts = [a for r in ctx.routers.values() for a in r if a.circuit is c]
        asymmetric = False
        doc.blank()
        doc.key(0, c.name, None, _circuit_label(c))
        name_tag = _default_tag(c.name)
        if c.name in ctx.tags:
            tag = ctx.tags[c.name]
            doc.key(2, "tag", tag, f"ergen's objects on the routers are named ER-{tag.upper()}-...")
        else:
            doc.key(2, "tag", name_tag, f"optional: ergen's objects are named ER-<tag>-... (default from the name: "
                                        f"ER-{name_tag}-...)", off=True)
        doc.key(2, "redundancy", ctx.redundancy or "active-standby",
                "active-standby: the standby link is prepended and less preferred | active-active")
        doc.key(2, "active_link", "primary", "primary | secondary: the preferred link (active-standby)")
        doc.key(2, "prepend", 3, "AS-path prepends on the standby link, 1-10 (active-standby)")
        bfd = [pf.bfd for p in PEERINGS for pf in _peering_facts(atts, p) if pf.bfd is not None]
        if bfd and not any(bfd):
            doc.key(2, "bfd", False, "the running configs have no BFD on these sessions; true: BFD 300 ms x 3")
        else:
            doc.key(2, "bfd", True, "BFD 300 ms x 3 with Microsoft's edge (its interval); false: none")
        peerings = [p for p in c.peerings if p.short in PEERINGS]
        lines_at = len(doc.lines)
        for p in c.peerings:
            if p.kind == PeeringKind.public:
                doc.comment(2, f"{p.name}: Azure public peering is retired; ergen does not render it")
        if not peerings:
            doc.comment(2, "Azure shows no private or Microsoft peering on this circuit yet: add them in Azure, "
                           "export the circuit again and run ergen init --force")
        for p in peerings:
            asymmetric |= _peering_policy(doc, ctx, c, p, atts, DEFAULT_MAX_PREFIX)
        doc.lines.insert(lines_at, "")   # placeholder for asymmetric_prefixes, set below
        mark = _Doc()
        if asymmetric:
            mark.key(2, "asymmetric_prefixes", True, "the routers advertise different prefixes on the two links")
        else:
            mark.key(2, "asymmetric_prefixes", False, "true: the two links may advertise different prefixes")
        doc.lines[lines_at] = mark.lines[0]
    return doc.text()


def _default_tag(name: str) -> str:
    t = re.sub(r"[^A-Z0-9]+", "-", name.upper()).strip("-")
    t = re.sub(r"^(ER|EXPRESSROUTE)-(?=.)", "", t)
    return t[:24].rstrip("-") or "CIRCUIT"


def _peering_policy(doc: _Doc, ctx: _Inputs, c: Circuit, p: Peering, atts: list[_Att],
                    default_max: dict[tuple[str, int], int]) -> bool:
    """One peering's block of circuits.yaml; True when the links advertise different prefixes."""
    short, key = p.short, (c.name, p.short)
    has_v6 = bool(p.ipv6_peering_config and (p.ipv6_peering_config.primary_peer_address_prefix
                                             or p.ipv6_peering_config.secondary_peer_address_prefix))
    facts = _peering_facts(atts, short)
    about = "Azure private peering (your VNets)" if short == "private" else \
        "Microsoft peering (Microsoft 365, Azure public services)"
    bits = [b for b in (f"VLAN {p.vlan_id}" if p.vlan_id else "", f"peer ASN {p.peer_asn}" if p.peer_asn else "",
                        "disabled in Azure" if (p.state or "").lower() == "disabled" else "") if b]
    doc.key(2, short, None, f"{about}: {', '.join(bits)}" if bits else about)

    asymmetric = False
    per_link = _lists_from_facts(atts, short)
    if key in ctx.advertise:
        v4, v6 = ctx.advertise[key]
        v4_note = ("IPv4 prefixes to advertise to Microsoft: your on-premises ranges" if short == "private" else
                   "public IPv4 prefixes to advertise: inside Azure's advertisedPublicPrefixes")
        v6_note = "IPv6 prefixes to advertise"
    elif per_link:
        v4, v6 = per_link.get("primary") or next(iter(per_link.values()))
        v4_note = v6_note = "what the routers advertise now (running config)"
        for a in atts:
            if a.link in per_link and per_link[a.link] != (v4, v6):
                a.override[short] = {"advertise": per_link[a.link][0], "advertise_ipv6": per_link[a.link][1]}
                asymmetric = True
    elif short == "microsoft":
        v4, v6 = [], []
        for pfx in (p.microsoft_peering_config.advertised_public_prefixes if p.microsoft_peering_config else []):
            (v6 if ":" in pfx else v4).append(pfx)
        ipv6_cfg = p.ipv6_peering_config.microsoft_peering_config if p.ipv6_peering_config else None
        v6 += [pfx for pfx in (ipv6_cfg.advertised_public_prefixes if ipv6_cfg else []) if pfx not in v6]
        v4_note = ("public IPv4 prefixes to advertise, inside Azure's advertisedPublicPrefixes (here all of them)"
                   if v4 else "FILL IN public IPv4 prefixes registered in Azure's advertisedPublicPrefixes")
        v6_note = "public IPv6 prefixes, inside Azure's advertisedPublicPrefixes"
    else:
        v4, v6 = [], []
        v4_note = "FILL IN your on-premises IPv4 prefixes: Azure does not know them (validate warns ER408 till then)"
        v6_note = "FILL IN your on-premises IPv6 prefixes, if any"
    doc.key(4, "advertise", v4, v4_note)
    if v6 or has_v6:
        doc.key(4, "advertise_ipv6", v6, v6_note)
    if short == "private":
        doc.key(4, "default_route", False, "true: advertise 0.0.0.0/0 too (forced tunneling; private peering only)")

    ref, why = _md5_ref(ctx, c, p, facts)
    if ref is not None:
        doc.key(4, "md5_key", ref, "BGP MD5 key by reference, never the key itself (secrets/README.md)")
        ctx.secrets.append((ref, f"the BGP MD5 key of {c.name}'s {short} peering; {why}"))
    else:
        doc.key(4, "md5_key", f"file:secrets/{_file_part(c.name)}-{short}.md5",
                "optional: BGP MD5 key by reference (Azure shows no key on this peering)", off=True)

    if short == "microsoft" or key in ctx.communities:
        comms = ctx.communities.get(key, [])
        note = ("only routes with these communities come in" if comms else
                "empty: accept what the route filter lets through; or names: exchange, azure-westeurope, ...")
        doc.key(4, "accept_communities", comms, note)

    limit = ctx.limits.get(key)
    found = [pf.maximum_prefix for pf in facts if pf.maximum_prefix]
    if limit is None and found:
        limit = max(found)
    az4, az6 = default_max[(short, 4)], default_max[(short, 6)]
    if limit is not None:
        doc.key(4, "maximum_prefix", limit, "IPv4 prefixes accepted from Microsoft before the session resets")
    else:
        doc.key(4, "maximum_prefix", az4, f"optional: IPv4 prefixes accepted from Microsoft (default {az4:,}, "
                                          "Azure's own limit)", off=True)
    if has_v6:
        found6 = [pf.maximum_prefix_ipv6 for pf in facts if pf.maximum_prefix_ipv6]
        if found6:
            doc.key(4, "maximum_prefix_ipv6", max(found6), "IPv6 prefixes accepted, from the running config")
        else:
            doc.key(4, "maximum_prefix_ipv6", az6, f"optional: IPv6 prefixes accepted (default {az6:,})", off=True)
    doc.key(4, "anchor_routes", True, 'discard routes (AD 250) put each prefix in the RIB for "network"; false: '
                                      "your IGP does")
    return asymmetric


def _md5_ref(ctx: _Inputs, c: Circuit, p: Peering, facts: list[PeeringFacts]) -> tuple[str | None, str]:
    key = (c.name, p.short)
    if key in ctx.md5:
        return ctx.md5[key], "named by --md5"
    default = f"file:secrets/{_file_part(c.name)}-{p.short}.md5"
    if p.shared_key is not None:
        return default, f"the peering's sharedKey, which {Path(c.source_file).name or 'the circuit JSON'} shows"
    if p.shared_key_set:
        return default, "Azure has a sharedKey on this peering: the same key"
    if any(pf.md5 for pf in facts):
        return default, "the key the routers' running configs have on this session"
    return None, ""


def _file_part(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "circuit"


def _secrets_readme(ctx: _Inputs) -> str:
    lines = [
        "# Keys for this inventory",
        "",
        "ergen never reads a key from the YAML files: `md5_key` in circuits.yaml and `password` in groups.yaml",
        "name *where* the key is, and ergen reads it when it validates, renders or pushes. Two kinds:",
        "",
        "- `file:secrets/NAME`: a file in this folder (`file:` paths are relative to the inventory folder;",
        "  an absolute path works too). One key per file and nothing else (a final newline is ignored).",
        "  Make it readable by you alone, mode 0600: ergen warns about a key file its group or others can read.",
        "- `env:NAME`: the environment variable NAME holds the key (CI, or a secret manager that exports it).",
        "",
        "Never write a key itself into a YAML file (ergen refuses it), and keep key files out of version",
        "control (a `.gitignore` line `secrets/*.md5` in the inventory folder). Rendered configs hold the",
        "keys (they go to the routers) and are written mode 0600.",
        "",
        "To create a key file from the inventory folder without the key showing on screen or in your shell's",
        "history (paste the key, then Enter):",
        "",
        "```sh",
        "(umask 077; read -rs KEY && printf '%s\\n' \"$KEY\" > secrets/NAME.md5)",
        "```",
    ]
    todo = dict(reversed(ctx.secrets))          # one line per reference, its first reason
    if todo:
        lines += ["", "## To do before `ergen validate`", ""]
        for ref, why in sorted(todo.items(), key=lambda kv: [r for r, _ in ctx.secrets].index(kv[0])):
            kind, _, where = ref.partition(":")
            if kind == "file":
                lines.append(f"- [ ] create `{where}`: {why}. ergen init writes no keys.")
            else:
                lines.append(f"- [ ] `export {where}=...`: {why}.")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- all files or none
def _write(out: Path, texts: dict[str, str], *, force: bool) -> list[Path]:
    from ergen.pipeline import commit_staged

    _check_out(out, force)
    created = not out.exists()
    secrets = out / "secrets"
    secrets_created = not secrets.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".ergen-init-", dir=out))
    except OSError as exc:
        raise OutputError(f"cannot create it: {exc.strerror or exc}", file=str(out), field="--out") from None
    try:
        staged = {}
        (tmp / "secrets").mkdir()
        for name, text in texts.items():
            p = tmp / name
            try:
                fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
            except OSError as exc:
                raise OutputError(f"cannot write {name}: {exc.strerror or exc}; nothing in it changed",
                                  file=str(out), field="--out") from None
            staged[name] = p
        _self_check(tmp, out)
        try:
            secrets.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create secrets/: {exc.strerror or exc}", file=str(out), field="--out") from None
        return commit_staged(staged, out, tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if secrets_created:
            _rmdir_if_empty(secrets)
        if created:
            _rmdir_if_empty(out)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError("exists and is not a folder", file=str(out), field="--out")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError("the folder is not empty; give an empty or new folder, or --force to write the "
                         f"inventory's files ({', '.join(FILES)}) into it", file=str(out), field="--out")
    secrets = out / "secrets"
    if secrets.exists() and not secrets.is_dir():
        raise OutputError("exists and is not a folder", file=str(secrets), field="--out")


def _self_check(staged: Path, out: Path) -> None:
    """The staged files load as an inventory (what ergen validate reads first); a failure here names the
    file it will be in ``out``."""
    from ergen.inventory import load_inventory
    try:
        load_inventory(staged)
    except InputError as exc:
        file = exc.file
        if file:
            try:
                file = str(out / Path(file).relative_to(staged))
            except ValueError:
                pass
        raise InputError(exc.message, file=file, field=exc.field) from None


def _rmdir_if_empty(path: Path) -> None:
    try:
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    except OSError:
        pass


def _shown(text: Any, limit: int = 60) -> str:
    s = "" if text is None else str(text)
    s = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in s)
    return s if len(s) <= limit else s[:limit] + "..."


__all__ = ["Landing", "LinkFacts", "PeeringFacts", "RouterFacts", "init_inventory",
           "parse_link", "parse_pairs", "parse_lists", "parse_ints", "parse_tags", "parse_asn", "PLATFORMS"]
