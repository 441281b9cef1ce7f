"""Juniper Junos running config -> :class:`~ergen.adopt.running.RunningConfig`.

Both forms are read, and give the same model and the same paths:

* brace form (``show configuration``, NAPALM ``get_config``): ``interfaces { xe-0/1/0 { unit 100 { ... } } }``;
* set form (``show configuration | display set``): ``set interfaces xe-0/1/0 unit 100 vlan-id 100``, with
  ``deactivate``/``activate``/``delete`` lines applied in order.

Paths are word tuples as ``display set`` shows them. Quoted strings are one word without the quotes; a
``[ a b ]`` list gives one leaf per item (``import [ A B ]`` -> ``(..., "import", "A")`` and ``(..., "import",
"B")``, as ``display set`` shows them). Comments (``#``, ``/* */``), ``## Last changed`` headers, CLI prompts,
``{master}`` and ``[edit]`` lines are not nodes.

Which nodes exist
    Brace form: every statement and block header, exactly as written. Set form has only leaves, so the
    block nodes above them come from a small schema of Junos hierarchies (``_ROOT``): ``unit 100``, ``group
    G``, ``neighbor A``, ``policy-statement P``, ``term T``, ``route P``, ``community C`` ... In both forms
    a one-line statement is also split where the schema knows an object starts (``route 10.20.0.0/16
    discard;`` gives the node ``(..., "route", "10.20.0.0/16")``; ``community C members X;`` gives ``(...,
    "community", "C")``), so every object's path is a node. Outside the schema, set-form block nodes are a
    guess (a keyword-like word followed by two or more words opens a block); leaves are always exact.

Inactive statements
    ``inactive:`` (brace) and ``deactivate`` (set) statements stay in ``lines`` (they are in the config and a
    ``delete`` of their parent removes them) but are absent from the model, with a note. A BGP group, BGP
    neighbor or interface unit that is inactive as a whole (or under an inactive parent) is kept, with
    ``shutdown=True``: it is still a hand-built object that a migration has to remove.

What is modelled (everything else is only ``lines``; ``groups``/``apply-groups`` are not resolved)
    ``system host-name``; ``routing-options`` autonomous-system, router-id, static routes (``static`` and
    ``rib <table> static``); logical units of ``interfaces``; ``protocols bgp`` groups and neighbors (the
    BGP-level settings are folded into each group's session); ``policy-options`` policy-statements,
    prefix-lists and communities; the same per ``routing-instances`` (vrf = the instance's name). Junos has
    no ``network`` statement and no BFD template: ``networks`` and ``bfd_templates`` stay empty.

Peer groups in a routing instance are keyed ``"<instance>/<group>"`` in ``RunningConfig.groups`` (and in
``Neighbor.group``), global ones by their name: a group name may repeat across instances.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from ergen.adopt.running import (
    Bfd, CommunityList, Interface, Key, Line, Neighbor, PeerGroup, Policy, PrefixEntry, PrefixList,
    RunningConfig, Session, StaticRoute, Term, merge_session, normal_address, normal_interface_address,
    normal_prefix,
)
from ergen.errors import InputError

MAX_NOTES = 200

# ----------------------------------------------------------------------------- schema (set form's blocks)
# A spec maps a keyword to (kind, child spec): "c" a block named by the keyword alone (``interfaces``),
# "n" a block named by the keyword and one more word (``unit 100``), "l" a leaf that takes the rest of the
# statement (``vlan-tags outer 300 inner 100``). "*" matches any word that is not a keyword of the spec (an
# interface name under ``interfaces``). _LEAVES: every unknown child is a leaf; otherwise unknown children
# are guessed (set form only).
_LEAVES = 0
_L = ("l", None)


def _c(spec: dict | None = None) -> tuple:
    return ("c", {} if spec is None else spec)


def _n(spec: dict | None = None) -> tuple:
    return ("n", {} if spec is None else spec)


_FAMILY = {"address": _n(), "filter": _c({"input": _L, "output": _L, "input-list": _L, "output-list": _L}),
           "mtu": _L, "rpf-check": _c()}
_UNIT = {"family": _n(_FAMILY), "vlan-id": _L, "vlan-tags": _L, "description": _L, "disable": _L,
         "encapsulation": _L}
_IFD = {"unit": _n(_UNIT), "description": _L, "vlan-tagging": _L, "flexible-vlan-tagging": _L, "mtu": _L,
        "encapsulation": _L, "disable": _L, "gigether-options": _c({"802.3ad": _L}),
        "ether-options": _c({"802.3ad": _L}),
        "aggregated-ether-options": _c({"lacp": _c(), "minimum-links": _L})}
_INTERFACES = {"*": _c(_IFD), "interface-range": _n(_IFD), "traceoptions": _c()}
_LIMIT = {"maximum": _L, "teardown": _L, "drop-excess": _L, "hide-excess": _L}
_AFI = {"prefix-limit": _c(_LIMIT), "accepted-prefix-limit": _c(_LIMIT), "rib-group": _L,
        "add-path": _c({"send": _c()})}
_BGP_FAMILY = {"unicast": _c(_AFI), "any": _c(_AFI), "labeled-unicast": _c(_AFI), "multicast": _c(_AFI),
               "flow": _c()}
_BGP_PEER = {
    "family": _n(_BGP_FAMILY), "multihop": _c({"ttl": _L}), "local-as": _L, "peer-as": _L, "import": _L,
    "export": _L, "authentication-key": _L, "authentication-key-chain": _L, "authentication-algorithm": _L,
    "description": _L, "type": _L, "local-address": _L, "hold-time": _L, "allow": _L, "cluster": _L,
    "bfd-liveness-detection": _c({"transmit-interval": _c(), "detection-time": _c(), "authentication": _c(),
                                  "minimum-interval": _L, "minimum-receive-interval": _L, "multiplier": _L}),
    "traceoptions": _c({"file": _L, "flag": _L}), "graceful-restart": _c(), "remove-private": _c(),
}
_BGP_GROUP = dict(_BGP_PEER, neighbor=_n(_BGP_PEER))
_BGP = dict(_BGP_PEER, group=_n(_BGP_GROUP))
_OSPF = {"area": _n({"interface": _n({"authentication": _c({"md5": _n()}), "bfd-liveness-detection": _c(),
                                       "interface-type": _L, "metric": _L, "passive": _L}),
                     "stub": _L, "nssa": _c(), "area-range": _n()}),
         "export": _L, "import": _L, "reference-bandwidth": _L, "traceoptions": _c()}
_PROTOCOLS = {"bgp": _c(_BGP), "ospf": _c(_OSPF), "ospf3": _c(_OSPF), "lldp": _c({"interface": _n()}),
              "isis": _c({"interface": _n(), "level": _n()}), "mpls": _c({"interface": _n()}),
              "ldp": _c({"interface": _n()}), "rsvp": _c({"interface": _n()}), "pim": _c({"interface": _n()}),
              "bfd": _c()}
_STATIC = {"route": _n({"next-hop": _L, "qualified-next-hop": _n(), "preference": _L, "discard": _L,
                        "reject": _L, "tag": _L, "metric": _L}),
           "defaults": _c(), "rib-group": _L}
_AGGREGATE = {"route": _n(), "defaults": _c()}
_ROUTING_OPTIONS = {
    "static": _c(_STATIC), "aggregate": _c(_AGGREGATE), "generate": _c(_AGGREGATE),
    "rib": _n({"static": _c(_STATIC), "aggregate": _c(_AGGREGATE), "generate": _c(_AGGREGATE)}),
    "autonomous-system": _L, "router-id": _L, "forwarding-table": _c({"export": _L}),
    "rib-groups": _n({"import-rib": _L, "export-rib": _L}), "graceful-restart": _c(),
    "interface-routes": _c({"rib-group": _c()}),
}
_MATCH = {_LEAVES: True}
_TERM = {"from": _c(_MATCH), "to": _c(_MATCH), "then": _c(_MATCH)}
_POLICY_OPTIONS = {
    "policy-statement": _n(dict(_TERM, term=_n(_TERM))), "prefix-list": _n({"apply-path": _L}),
    "community": _n({"members": _L, "invert-match": _L}), "as-path": _n(), "as-path-group": _n({"as-path": _n()}),
    "condition": _n(), "route-filter-list": _n(),
}
_RI = {"instance-type": _L, "interface": _n(), "route-distinguisher": _L, "vrf-target": _c(), "vrf-import": _L,
       "vrf-export": _L, "description": _L, "vrf-table-label": _L, "routing-options": _c(_ROUTING_OPTIONS),
       "protocols": _c(_PROTOCOLS)}
_AUTH = {"encrypted-password": _L, "ssh-rsa": _L, "ssh-ed25519": _L, "ssh-ecdsa": _L}
_SYSTEM = {
    "host-name": _L, "domain-name": _L, "time-zone": _L, "root-authentication": _c(_AUTH),
    "login": _c({"user": _n({"authentication": _c(_AUTH), "class": _L, "uid": _L, "full-name": _L}),
                 "class": _n({"permissions": _L, "allow-commands": _L, "deny-commands": _L, "idle-timeout": _L}),
                 "message": _L, "announcement": _L}),
    "services": _c({"ssh": _c({"root-login": _L, "protocol-version": _L, "connection-limit": _L, "rate-limit": _L}),
                    "netconf": _c({"ssh": _c({"port": _L})}), "web-management": _c({"https": _c()}),
                    "telnet": _c(), "ftp": _c()}),
    "syslog": _c({"user": _n(), "host": _n(), "file": _n({"archive": _c()}), "source-address": _L,
                  "time-format": _c()}),
    "ntp": _c({"server": _n(), "boot-server": _L, "source-address": _n(), "authentication-key": _n(),
               "trusted-key": _L}),
    "name-server": _c(), "tacplus-server": _n(), "radius-server": _n(), "authentication-order": _L,
    "archival": _c({"configuration": _c({"archive-sites": _c(), "transfer-on-commit": _L})}),
}
_SNMP = {"community": _n({"clients": _c(), "authorization": _L}),
         "trap-group": _n({"targets": _c(), "categories": _c(), "version": _L}),
         "location": _L, "contact": _L, "description": _L, "trap-options": _c({"source-address": _L})}
_HOST_INBOUND = {"system-services": _c(), "protocols": _c()}
_ZONE = {"interfaces": _c({"*": _c({"host-inbound-traffic": _c(_HOST_INBOUND)})}),
         "host-inbound-traffic": _c(_HOST_INBOUND), "address-book": _c({"address": _n()})}
_NAT_RULES = {"pool": _n({"address": _n()}), "address-persistent": _L,
              "rule-set": _n({"from": _L, "to": _L,
                              "rule": _n({"match": _c(_MATCH),
                                          "then": _c({"source-nat": _c({"pool": _n(), "interface": _c(),
                                                                        "off": _L}),
                                                      "destination-nat": _c(), "static-nat": _c()})})})}
_SECURITY = {
    "nat": _c({"source": _c(_NAT_RULES), "destination": _c(_NAT_RULES), "static": _c(_NAT_RULES)}),
    "zones": _c({"security-zone": _n(_ZONE), "functional-zone": _n(_ZONE)}),
    "policies": _c({"from-zone": _n({"to-zone": _n({"policy": _n({"match": _c(_MATCH), "then": _c()})})}),
                    "global": _c({"policy": _n({"match": _c(_MATCH), "then": _c()})})}),
    "macsec": _c({"connectivity-association": _n({"pre-shared-key": _c({"ckn": _L, "cak": _L}),
                                                  "cipher-suite": _L, "security-mode": _L}),
                  "interfaces": _c({"*": _c({"connectivity-association": _L})})}),
    "screen": _c(), "ike": _c(), "ipsec": _c(),
}
_FW_FROM = {"source-prefix-list": _c(), "destination-prefix-list": _c(), "prefix-list": _c(),
            "source-address": _c(), "destination-address": _c(), "address": _c(), _LEAVES: True}
_FILTER = {"term": _n({"from": _c(_FW_FROM), "then": _c(_MATCH)}), "interface-specific": _L}
_FIREWALL = {"family": _n({"filter": _n(_FILTER)}), "filter": _n(_FILTER),
             "policer": _n({"if-exceeding": _c(), "then": _c()})}
_COS = {"traffic-control-profiles": _c({"*": _c({"shaping-rate": _L})}),
        "interfaces": _c({"*": _c({"unit": _n(), "output-traffic-control-profile": _L, "shaping-rate": _L,
                                   "scheduler-map": _L})}),
        "schedulers": _c({"*": _c()}), "scheduler-maps": _c({"*": _c({"forwarding-class": _n()})}),
        "forwarding-classes": _c({"class": _n()}), "classifiers": _c()}
_ROOT: dict = {
    "version": _L, "apply-groups": _L, "system": _c(_SYSTEM), "interfaces": _c(_INTERFACES), "snmp": _c(_SNMP),
    "routing-options": _c(_ROUTING_OPTIONS), "protocols": _c(_PROTOCOLS), "policy-options": _c(_POLICY_OPTIONS),
    "routing-instances": _c({"*": _c(_RI)}), "security": _c(_SECURITY), "firewall": _c(_FIREWALL),
    "class-of-service": _c(_COS), "chassis": _c(), "services": _c(), "forwarding-options": _c(),
}
_ROOT["groups"] = _c({"*": _c(_ROOT)})
_ROOT["logical-systems"] = _c({"*": _c(_ROOT)})

_GUESS = object()        # spec state: a hierarchy the schema does not know
_KEYWORD = re.compile(r"[a-z][a-z0-9-]*\Z")


def _bounds(words: tuple[str, ...], spec, guess: bool) -> tuple[list[int], object]:
    """Where blocks end inside ``words`` (indices, the full length excluded), and the spec after them.

    ``guess``: split unknown hierarchies heuristically (set form); otherwise only where the schema knows."""
    out: list[int] = []
    i, n = 0, len(words)
    while i < n:
        if spec is None:
            break
        if spec is _GUESS:
            if guess and n - i >= 3 and _KEYWORD.match(words[i]):
                i += 1
                out.append(i)
                continue
            spec = None
            break
        entry = spec.get(words[i])
        if entry is None and "*" in spec:
            entry = spec["*"]
        if not isinstance(entry, tuple):
            spec = None if spec.get(_LEAVES) else _GUESS
            continue
        kind, child = entry
        if kind == "l":
            spec = None
            break
        i += 1 if kind == "c" else 2
        if i < n:
            out.append(i)
        spec = child
    return out, spec


# ----------------------------------------------------------------------------- tokens
_TOKEN = re.compile(r"""
    (?P<nl>\n) | (?P<ws>[^\S\n]+) | (?P<comment>\#[^\n]*) | (?P<block>/\*.*?\*/) | (?P<openc>/\*.*)
  | (?P<str>"(?:[^"\\]|\\.)*") | (?P<ustr>".*) | (?P<punct>[{};\[\]]) | (?P<word>[^\s{};\[\]"]+)
""", re.S | re.X)
_PROMPT = re.compile(r"""\s*(?:\S+@\S+[>#%](?:\s.*)?                         # user@router> show configuration
                         | (?:\{(?:master|backup|primary|secondary|linecard|hold|ineligible)[^{}]*\})?
                           \[edit(?:\s[^\]]*)?\]                                # {master}[edit interfaces]
                         | \{(?:master|backup|primary|secondary|linecard|hold|ineligible)[^{}]*\}
                         | -+\s*\(more[^)]*\)\s*-*)\s*\Z""", re.X)
_SET_COMMANDS = ("set", "deactivate", "activate", "delete", "protect", "unprotect", "annotate", "insert")
_ANNOTATIONS = ("inactive:", "protect:", "replace:", "active:")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.S) if "\\" in text else text


def _expand(items: list) -> list[tuple[str, ...]]:
    """Statement words, a [ list ] among them as a list: one word tuple per list item (the first list)."""
    at = next((k for k, w in enumerate(items) if isinstance(w, list)), None)
    if at is None:
        return [tuple(items)]
    flat = lambda ws: tuple(x for w in ws for x in (w if isinstance(w, list) else [w]))  # noqa: E731
    pre, post = flat(items[:at]), flat(items[at + 1:])
    return [pre + (item,) + post for item in items[at]] or [pre + post]


# ----------------------------------------------------------------------------- the word tree
class _T:
    """A word of a path; an inactive statement marks its node ``off``."""

    __slots__ = ("kids", "off")

    def __init__(self) -> None:
        self.kids: dict[str, _T] = {}
        self.off = False


def _get(t: _T | None, *words: str) -> _T | None:
    """The active node below ``t`` (``t`` itself may be inactive: the caller decided to read it)."""
    for w in words:
        if t is None:
            return None
        t = t.kids.get(w)
        if t is None or t.off:
            return None
    return t


def _keys(t: _T | None) -> list[str]:
    return [k for k, c in t.kids.items() if not c.off] if t is not None else []


def _val(t: _T | None, *words: str) -> str | None:
    ks = _keys(_get(t, *words))
    return ks[0] if ks else None


def _all(t: _T | None, word: str) -> list[tuple[str, _T, bool]]:
    """Every child of ``t[word]`` with whether it (or ``t[word]``) is inactive."""
    node = t.kids.get(word) if t is not None else None
    return [(k, c, node.off or c.off) for k, c in node.kids.items()] if node is not None else []


def _leaves(t: _T | None, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if t is None:
        return
    for k, c in t.kids.items():
        if c.off:
            continue
        if c.kids:
            yield from _leaves(c, prefix + (k,))
        else:
            yield prefix + (k,)


def _words(t: _T | None, keyword: str) -> list[str] | None:
    """The words after ``keyword`` of its first statement (``vlan-tags outer 300 inner 100``)."""
    node = _get(t, keyword)
    if node is None:
        return None
    return list(next(_leaves(node), ()))


# ----------------------------------------------------------------------------- values
def _maxlen(prefix: str) -> int:
    return 128 if ":" in prefix else 32


def _route_filter(words: tuple[str, ...]) -> PrefixEntry | None:
    """``P exact|orlonger|longer|upto /n|prefix-length-range /a-/b`` (no action after it) -> a permit entry."""
    if len(words) < 2:
        return None
    try:
        net = ipaddress.ip_network(words[0], strict=False)
    except ValueError:
        return None
    prefix, length, top = str(net), net.prefixlen, net.max_prefixlen
    kind, used = words[1], 2
    ge = le = None
    try:
        if kind == "exact":
            pass
        elif kind == "orlonger":
            le = top
        elif kind == "longer":
            ge, le = length + 1, top
        elif kind == "upto" and len(words) > 2:
            le, used = int(words[2].lstrip("/")), 3
        elif kind == "prefix-length-range" and len(words) > 2:
            lo, hi = words[2].split("-", 1)
            ge, le, used = int(lo.lstrip("/")), int(hi.lstrip("/")), 3
        else:
            return None
    except ValueError:
        return None
    if len(words) > used or any(x is not None and not 0 <= x <= top for x in (ge, le)):
        return None                          # an action in the filter (route-filter P orlonger reject)
    return PrefixEntry("permit", prefix, ge, le)


def _protocol(name: str) -> str:
    name = name.lower()
    return {"ospf2": "ospf", "connected": "direct"}.get(name, name)


# ----------------------------------------------------------------------------- the parser
class _Parser:
    def __init__(self, source: str, platform: str) -> None:
        self.rc = RunningConfig(platform=platform, source=source)
        self.ctx = ""                          # where we are, for an unexpected failure's message
        self.nodes: dict[Line, None] = {}
        self.off: dict[Line, int] = {}         # inactive statements -> line
        self._dropped = 0

    # -- notes
    def note(self, text: str) -> None:
        if len(self.rc.notes) < MAX_NOTES:
            if text not in self.rc.notes:
                self.rc.notes.append(text)
        else:
            self._dropped += 1

    # -- reading the text
    def run(self, text: str) -> RunningConfig:
        rows = text.split("\n")
        cleaned, form = [], "brace"
        first = True
        for k, row in enumerate(rows, 1):
            if _PROMPT.match(row):
                self.note(f"line {k}: a CLI prompt or pager line, skipped")
                cleaned.append("")
                continue
            cleaned.append(row)
            s = row.strip()
            if first and s and not s.startswith(("#", "/*")):
                first = False
                if s.split(None, 1)[0] in _SET_COMMANDS and not s.endswith(("{", ";")):
                    form = "set"
        self.ctx = "reading the text"
        if form == "set":
            self._set_form(cleaned)
        else:
            self._brace_form("\n".join(cleaned))
        self.rc.lines = list(self.nodes)
        if not self.nodes:
            self.note("no Junos statement found (empty, or not a Junos config)")
        self.ctx = "building the tree"
        root = self._tree()
        self._model(root)
        if self._dropped:
            self.rc.notes.append(f"... and {self._dropped} more notes")
        return self.rc

    def _add(self, parent: Line, words: tuple[str, ...], spec, guess: bool) -> tuple[Line, object, list[int]]:
        bounds, after = _bounds(words, spec, guess)
        for b in bounds:
            self.nodes.setdefault(parent + words[:b])
        full = parent + words
        self.nodes.setdefault(full)
        return full, after, bounds

    def _brace_form(self, text: str) -> None:
        stack: list[tuple[Line, object]] = [((), _ROOT)]
        items: list = []
        in_list: list | None = None
        inactive, start, line = False, 0, 1

        def statement(block: bool):
            nonlocal items, in_list, inactive
            parent, spec = stack[-1]
            if in_list is not None:
                self.note(f"line {line}: a [ list ] is not closed")
            if block:                          # a list in a block's name: its words, in place
                variants = [tuple(x for w in items for x in (w if isinstance(w, list) else [w]))]
                at = None
            else:
                variants = _expand(items)
                at = next((k for k, w in enumerate(items) if isinstance(w, list)), None)
            full, after = parent, _GUESS
            for words in variants:
                if not words:
                    continue
                full, after, bounds = self._add(parent, words, spec, guess=False)
                if inactive:                   # a one-line statement is deactivated at its object
                    cut = len(words) if block else min([len(words)] + bounds[:1] + ([at] if at else []))
                    self.off.setdefault(parent + words[:cut], start)
            if block and not any(variants):
                self.note(f"line {start}: a block without a name")
            items, in_list, inactive = [], None, False
            return full, (after if isinstance(after, dict) else _GUESS)

        for m in _TOKEN.finditer(text):
            kind = m.lastgroup
            tok = m.group()
            if kind == "nl":
                line += 1
                continue
            if kind in ("ws", "comment"):
                continue
            if kind == "block":
                line += tok.count("\n")
                continue
            if kind == "openc":
                self.note(f"line {line}: a /* comment */ is not closed: the rest is ignored")
                break
            if kind == "ustr":
                self.note(f"line {line}: a quoted string is not closed: the rest is ignored")
                break
            if kind in ("str", "word"):
                word = _unescape(tok[1:-1]) if kind == "str" else tok
                if kind == "word" and not items and in_list is None and tok in _ANNOTATIONS:
                    inactive = inactive or tok == "inactive:"
                    start = line
                    continue
                if in_list is not None:
                    in_list.append(word)
                else:
                    if not items and not inactive:
                        start = line
                    items.append(word)
                line += tok.count("\n")
                continue
            # punctuation
            if tok == "[":
                if in_list is not None:
                    self.note(f"line {line}: a [ list ] inside a list")
                else:
                    in_list = []
                    if not items and not inactive:
                        start = line
                    items.append(in_list)
            elif tok == "]":
                if in_list is None:
                    self.note(f"line {line}: a ']' without '['")
                in_list = None
            elif tok == ";":
                if items:
                    statement(block=False)
                else:
                    inactive = False
            elif tok == "{":
                if not items:
                    start = line
                full, child = statement(block=True)
                stack.append((full, child))
            elif tok == "}":
                if items:
                    self.note(f"line {start}: a statement without ';' before '}}'")
                    statement(block=False)
                if len(stack) > 1:
                    stack.pop()
                else:
                    self.note(f"line {line}: a '}}' without a block to close")
        if items:
            self.note(f"line {start}: the last statement has no ';' (truncated config?)")
            statement(block=False)
        if len(stack) > 1:
            self.note(f"{len(stack) - 1} block(s) not closed at the end, the innermost "
                      f"{' '.join(stack[-1][0]) or 'without a name'} (truncated config?)")

    def _set_form(self, rows: list[str]) -> None:
        bad = 0
        for k, row in enumerate(rows, 1):
            s = row.strip()
            if not s or s.startswith(("#", "/*")):
                continue
            items: list = []
            in_list: list | None = None
            for m in _TOKEN.finditer(s):
                kind, tok = m.lastgroup, m.group()
                if kind in ("ws", "nl", "comment", "block"):
                    continue
                if kind in ("openc", "ustr"):
                    self.note(f"line {k}: an unclosed quote or comment, the rest of the line is ignored")
                    break
                if tok == "[":
                    in_list = []
                    items.append(in_list)
                elif tok == "]":
                    in_list = None
                elif tok in "{};" and kind == "punct":
                    self.note(f"line {k}: '{tok}' in a set-form line, ignored")
                else:
                    word = _unescape(tok[1:-1]) if kind == "str" else tok
                    (in_list if in_list is not None else items).append(word)
            if not items or isinstance(items[0], list) or items[0] not in _SET_COMMANDS:
                bad += 1
                if bad <= 5:
                    self.note(f"line {k}: not a set-form command, ignored")
                continue
            cmd = items[0]
            if len(items) == 1 and cmd in ("deactivate", "activate", "delete"):
                self.note(f"line {k}: {cmd} without a statement" + (": everything before it is deleted"
                                                                      if cmd == "delete" else ", ignored"))
                if cmd != "delete":
                    continue
            for words in _expand(items[1:]):
                if cmd == "set":
                    if words:
                        self._add((), words, _ROOT, guess=True)
                elif cmd == "deactivate":
                    self.off[words] = k
                elif cmd == "activate":
                    self.off.pop(words, None)
                elif cmd == "delete":
                    n = len(words)
                    for p in [p for p in self.nodes if p[:n] == words]:
                        del self.nodes[p]
                    for p in [p for p in self.off if p[:n] == words]:
                        del self.off[p]
                elif cmd == "insert":
                    self.note(f"line {k}: insert is not applied (the order of terms or entries may differ)")
                # protect, unprotect, annotate: no effect on what the router runs
        if bad > 5:
            self.note(f"{bad} lines in all are not set-form commands")

    def _tree(self) -> _T:
        root = _T()
        for path in self.nodes:
            t = root
            for w in path:
                nxt = t.kids.get(w)
                if nxt is None:
                    nxt = t.kids[w] = _T()
                t = nxt
        for path, line in self.off.items():
            t: _T | None = root
            for w in path:
                t = t.kids.get(w) if t is not None else None
            if t is None:
                self.note(f"line {line}: deactivate {' '.join(path)}: no such statement")
                continue
            t.off = True
            self.note(f"line {line}: inactive: {' '.join(path)} (not in effect; ignored where it is a setting)")
        return root

    # -- the model
    def _model(self, root: _T) -> None:
        rc = self.rc
        self.ctx = "system"
        rc.hostname = _val(root, "system", "host-name")
        ro = _get(root, "routing-options")
        rc.bgp_asn = self._asn(_val(ro, "autonomous-system"), "routing-options autonomous-system")
        rc.router_id = _val(ro, "router-id")
        self._notes_for_groups(root)

        instances = [(name, ri, off) for name, ri, off in _all(root, "routing-instances")
                     if not name.startswith(("apply-groups", "<"))]
        vrf_of: dict[str, str] = {}
        for name, ri, off in instances:
            if off:
                continue
            for ifl in _keys(_get(ri, "interface")):
                if ifl in vrf_of and vrf_of[ifl] != name:
                    self.note(f"interface {ifl} is in routing instances {vrf_of[ifl]} and {name}")
                vrf_of.setdefault(ifl, name)
        self._interfaces(root, vrf_of)

        po = root.kids.get("policy-options")
        po_off = po is not None and po.off
        if po_off:
            self.note("policy-options is inactive: its policies, prefix lists and communities are ignored")
        else:
            self._prefix_lists(po)
            self._communities(po)
            self._policies(po)

        self.ctx = "routing-options"
        self._statics(root.kids.get("routing-options"), ("routing-options",), None)
        protocols = root.kids.get("protocols")
        bgp = protocols.kids.get("bgp") if protocols is not None else None
        if bgp is not None:
            rc.bgp_path = ("protocols", "bgp")
            self._bgp(bgp, ("protocols", "bgp"), None, rc.bgp_asn, protocols.off)
        for name, ri, off in instances:
            base = ("routing-instances", name)
            self.ctx = " ".join(base)
            ri_ro = ri.kids.get("routing-options")
            asn = self._asn(_val(ri_ro, "autonomous-system"), f"routing-instances {name} autonomous-system")
            if off:
                self.note(f"routing-instances {name} is inactive: its static routes are ignored, "
                          "its BGP neighbors shut down")
            else:
                self._statics(ri_ro, base + ("routing-options",), name)
            ri_proto = ri.kids.get("protocols")
            ri_bgp = ri_proto.kids.get("bgp") if ri_proto is not None else None
            if ri_bgp is not None:
                self._bgp(ri_bgp, base + ("protocols", "bgp"), name, asn or rc.bgp_asn, off or ri_proto.off)

    def _notes_for_groups(self, root: _T) -> None:
        if "groups" in root.kids:
            self.note("configuration groups (groups) are defined: what they add is not resolved")
        seen: set[Line] = set()
        for line in self.rc.lines:
            if line[0] == "groups":
                continue
            for k, w in enumerate(line[:-1]):
                if w in ("apply-groups", "apply-groups-except") and line[:k] not in seen:
                    seen.add(line[:k])
                    where = " ".join(line[:k]) or "the top level"
                    self.note(f"{w} at {where}: the inherited config is not resolved (not checked)")
        if "logical-systems" in root.kids:
            self.note("logical-systems are not read (not checked)")

    def _asn(self, text: str | None, where: str) -> int | None:
        if text is None:
            return None
        m = re.fullmatch(r"(\d+)(?:\.(\d+))?", text)
        if m:
            value = int(m[1]) * 65536 + int(m[2]) if m[2] is not None else int(m[1])
            if 0 < value < 2 ** 32 and (m[2] is None or int(m[1]) < 65536 and int(m[2]) < 65536):
                return value
        self.note(f"{where}: {text!r} is not an AS number")
        return None

    def _int(self, text: str | None, where: str) -> int | None:
        if text is None:
            return None
        if text.isdigit() and len(text) < 12:
            return int(text)
        self.note(f"{where}: {text!r} is not a number")
        return None

    # -- interfaces
    def _tag(self, text: str | None, where: str) -> int | None:
        if text is None:
            return None
        value = text.rsplit(".", 1)[-1] if text.lower().startswith("0x") else text   # 0x8100.300 -> 300
        tag = self._int(value, where)
        return tag if tag is None or 0 <= tag <= 4095 else None

    def _interfaces(self, root: _T, vrf_of: dict[str, str]) -> None:
        for ifd, ifd_t, ifd_off in _all(root, "interfaces"):
            if ifd in ("traceoptions", "apply-groups", "apply-groups-except") or ifd.startswith("<"):
                continue
            if ifd == "interface-range":
                self.note("interfaces interface-range: the ranges' members are not expanded (not checked)")
                continue
            self.ctx = f"interfaces {ifd}"
            phys_down = _get(ifd_t, "disable") is not None
            for unit, ut, unit_off in _all(ifd_t, "unit"):
                off = ifd_off or unit_off
                name = f"{ifd}.{unit}"
                where = f"interfaces {ifd} unit {unit}"
                self.ctx = where
                i = Interface(name=name, parent=ifd, unit=int(unit) if unit.isdigit() else None,
                              paths=[("interfaces", ifd, "unit", unit)], vrf=vrf_of.get(name))
                if i.unit is None:
                    self.note(f"{where}: the unit is not a number")
                i.c_tag = self._tag(_val(ut, "vlan-id"), f"{where} vlan-id")
                tags = _words(ut, "vlan-tags")
                if tags:
                    pairs = dict(zip(tags[::2], tags[1::2]))
                    i.s_tag = self._tag(pairs.get("outer"), f"{where} vlan-tags outer")
                    i.c_tag = self._tag(pairs.get("inner"), f"{where} vlan-tags inner")
                    if "inner" not in pairs:
                        self.note(f"{where}: vlan-tags without a single inner tag ({' '.join(tags)})")
                for fam, attr in (("inet", "ipv4"), ("inet6", "ipv6")):
                    for a in _keys(_get(ut, "family", fam, "address")):
                        try:
                            getattr(i, attr).append(normal_interface_address(a))
                        except ValueError:
                            self.note(f"{where} family {fam} address {a}: not an address")
                i.description = _val(ut, "description")
                i.shutdown = off or phys_down or _get(ut, "disable") is not None
                if off:
                    self.note(f"{where} is inactive: kept as a shut down interface")
                elif phys_down:
                    self.note(f"{where}: the physical interface {ifd} is disabled")
                self.rc.interfaces[name] = i

    # -- policy-options
    def _prefix_lists(self, po: _T | None) -> None:
        for name, lt, off in _all(po, "prefix-list"):
            where = f"policy-options prefix-list {name}"
            if off:
                self.note(f"{where} is inactive: ignored")
                continue
            entries = []
            for e in _keys(lt):
                if e == "apply-path":
                    self.note(f"{where}: apply-path is not resolved (its entries are not checked)")
                    continue
                try:
                    entries.append(PrefixEntry("permit", normal_prefix(e)))
                except ValueError:
                    self.note(f"{where}: {e!r} is not a prefix")
            families = {ipaddress.ip_network(e.prefix).version for e in entries}
            self.rc.prefix_lists[(None, name)] = PrefixList(
                name=name, family=families.pop() if len(families) == 1 else None, entries=entries,
                paths=[("policy-options", "prefix-list", name)])

    def _communities(self, po: _T | None) -> None:
        for name, ct, off in _all(po, "community"):
            where = f"policy-options community {name}"
            if off:
                self.note(f"{where} is inactive: ignored")
                continue
            members = _keys(_get(ct, "members"))
            if _get(ct, "invert-match") is not None:
                self.note(f"{where}: invert-match is not modelled")
            if any(re.search(r"[*^$\[\]()|+?]", m) or re.search(r"\.", m.split(":")[-1]) for m in members):
                self.note(f"{where}: a member is a regular expression, compared as text")
            # Junos: a route matches a community when it carries ALL of its members
            self.rc.community_lists[name] = CommunityList(
                name=name, entries=[("permit", members)] if members else [],
                paths=[("policy-options", "community", name)])

    def _policies(self, po: _T | None) -> None:
        for name, pt, off in _all(po, "policy-statement"):
            where = f"policy-options policy-statement {name}"
            self.ctx = where
            if off:
                self.note(f"{where} is inactive: ignored")
                continue
            terms: list[Term] = []
            next_policy: list[str] = []
            for tname, tt, toff in _all(pt, "term"):
                if toff:
                    continue                   # noted with the inactive statements
                terms.append(self._term(tname, tt, f"{where} term {tname}", next_policy))
            if any(_get(pt, k) is not None for k in ("from", "to", "then")):
                terms.append(self._term("", pt, f"{where} (the unnamed final term)", next_policy))
            for tname in next_policy:
                if tname != terms[-1].name:
                    self.note(f"{where} term {tname}: 'then next policy' is modelled as 'next term' "
                              "(the terms after it are evaluated too)")
            self.rc.policies[name] = Policy(name=name, terms=terms, default="next",
                                            paths=[("policy-options", "policy-statement", name)])

    def _term(self, name: str, t: _T, where: str, next_policy: list[str]) -> Term:
        term = Term(name=name)
        filters = 0
        for leaf in _leaves(_get(t, "from")):
            kw, rest = leaf[0], leaf[1:]
            text = "from " + " ".join(leaf)
            if kw == "prefix-list" and len(rest) == 1:
                term.prefix_lists.append(rest[0])
            elif kw == "prefix-list-filter" and rest:
                entries = self._prefix_list_filter(rest)
                if entries is None:
                    term.unknown.append(text)
                else:
                    term.prefixes.extend(entries)
            elif kw == "route-filter":
                entry = _route_filter(rest)
                if entry is None:
                    term.unknown.append(text)
                    self.note(f"{where}: {text} is not evaluated")
                else:
                    term.prefixes.append(entry)
                    filters += 1
            elif kw == "community" and len(rest) == 1:
                term.community_lists.append(rest[0])
            elif kw == "protocol" and len(rest) == 1:
                term.protocols.append(_protocol(rest[0]))
            else:
                term.unknown.append(text)
        if filters > 1 and _longest_match_differs(term.prefixes):
            self.note(f"{where}: nested route-filters: Junos lets the longest matching prefix decide alone, "
                      "evaluated here as any of them (not checked)")
        for leaf in _leaves(_get(t, "to")):
            term.unknown.append("to " + " ".join(leaf))
        ignored = []
        for leaf in _leaves(_get(t, "then")):
            kw = leaf[0]
            if kw in ("accept", "reject"):
                term.action = "permit" if kw == "accept" else "deny"
            elif kw == "next":
                term.action = None
                if leaf[1:] == ("policy",):
                    next_policy.append(name)
            elif kw == "local-preference" and len(leaf) == 2 and leaf[1].isdigit():
                term.local_preference = int(leaf[1])
            elif kw == "as-path-prepend" and len(leaf) >= 2:
                asns = [self._asn(a, f"{where} as-path-prepend") for w in leaf[1:] for a in w.split()]
                term.prepend = [a for a in asns if a is not None]
            elif leaf == ("next-hop", "self"):
                term.next_hop_self = True
            elif kw not in ("trace",):
                ignored.append(" ".join(leaf))
        if ignored:
            self.note(f"{where}: then {'; '.join(ignored)}: not modelled")
        return term

    def _prefix_list_filter(self, rest: tuple[str, ...]) -> list[PrefixEntry] | None:
        pl = self.rc.prefix_lists.get((None, rest[0]))
        kind = rest[1] if len(rest) > 1 else None
        if pl is None or len(rest) != 2 or kind not in ("exact", "orlonger", "longer"):
            return None
        out = []
        for e in pl.entries:
            top, length = _maxlen(e.prefix), ipaddress.ip_network(e.prefix).prefixlen
            ge, le = {"exact": (None, None), "orlonger": (None, top), "longer": (length + 1, top)}[kind]
            out.append(PrefixEntry("permit", e.prefix, ge, le))
        return out

    # -- static routes
    def _statics(self, ro: _T | None, base: Line, vrf: str | None) -> None:
        if ro is None or ro.off:
            return
        tables: list[tuple[Line, _T | None]] = [(("static",), ro.kids.get("static"))]
        for rib, rt, off in _all(ro, "rib"):
            if not off:
                tables.append((("rib", rib, "static"), rt.kids.get("static")))
        for sub, st in tables:
            if st is None or st.off:
                continue
            for prefix, pt, off in _all(st, "route"):
                where = " ".join(base + sub + ("route", prefix))
                if off:
                    continue                   # noted with the inactive statements
                try:
                    net = normal_prefix(prefix)
                except ValueError:
                    self.note(f"{where}: not a prefix")
                    continue
                hops = _keys(_get(pt, "next-hop")) or _keys(_get(pt, "qualified-next-hop"))
                self.rc.statics.append(StaticRoute(
                    name=prefix, vrf=vrf, prefix=net,
                    discard=_get(pt, "discard") is not None or _get(pt, "reject") is not None,
                    next_hop=normal_address(hops[0]) if hops else None,
                    distance=self._int(_val(pt, "preference"), f"{where} preference"),
                    paths=[base + sub + ("route", prefix)]))

    # -- BGP
    def _session(self, t: _T, where: str) -> tuple[Session, set[int] | None, dict[int, int | None]]:
        s = Session()
        s.remote_as = self._asn(_val(t, "peer-as"), f"{where} peer-as")
        s.local_as = self._asn(_val(t, "local-as"), f"{where} local-as")
        s.description = _val(t, "description")
        key = _val(t, "authentication-key")
        if key is not None:
            s.key = Key("junos9" if key.startswith("$9$") else "clear", key)
        chain = _val(t, "authentication-key-chain")
        if chain is not None and s.key is None:
            s.key = Key("key-chain", chain)
            self.note(f"{where}: authentication-key-chain {chain}: its keys are not read")
        bfd = _get(t, "bfd-liveness-detection")
        if bfd is not None:
            s.bfd = True
            mi = self._int(_val(bfd, "minimum-interval"), f"{where} bfd minimum-interval")
            tx = self._int(_val(bfd, "transmit-interval", "minimum-interval"), f"{where} bfd transmit-interval")
            rx = self._int(_val(bfd, "minimum-receive-interval"), f"{where} bfd minimum-receive-interval")
            mult = self._int(_val(bfd, "multiplier"), f"{where} bfd multiplier")
            s.bfd_timers = Bfd(tx if tx is not None else mi, rx if rx is not None else mi,
                               mult if mult is not None else 3)           # Junos' default multiplier: 3
        imp, exp = _keys(_get(t, "import")), _keys(_get(t, "export"))
        s.policy_in, s.policy_out = imp or None, exp or None
        hold = self._int(_val(t, "hold-time"), f"{where} hold-time")
        if hold is not None:
            s.timers = (hold // 3, hold)                                   # Junos keepalive: hold / 3
        mh = _get(t, "multihop")
        if mh is not None:
            ttl = self._int(_val(mh, "ttl"), f"{where} multihop ttl")
            s.ebgp_multihop = ttl if ttl is not None else 64               # Junos' default multihop TTL
        la = _val(t, "local-address")
        s.update_source = normal_address(la) if la is not None else None
        if _get(t, "shutdown") is not None or _get(t, "disable") is not None:
            s.shutdown = True
        fam = _get(t, "family")
        if fam is None:
            return s, None, {}
        activated: set[int] = set()
        limits: dict[int, int | None] = {}
        for f in _keys(fam):
            v = {"inet": 4, "inet6": 6}.get(f)
            if v is None:
                continue
            ft = fam.kids[f]
            subs = _keys(ft)
            if subs and not {"unicast", "any", "labeled-unicast"} & set(subs):
                continue                       # multicast / flow only: no unicast routes
            activated.add(v)
            limits[v] = None
            for sub in ("unicast", "any", "labeled-unicast"):
                st = _get(ft, sub)
                lim = _val(st, "prefix-limit", "maximum") or _val(st, "accepted-prefix-limit", "maximum")
                if lim is not None:
                    limits[v] = self._int(lim, f"{where} family {f} {sub} prefix-limit maximum")
                    break
        return s, activated, limits

    @staticmethod
    def _one_limit(limits: dict[int, int | None]) -> int | None:
        values = set(limits.values())
        return values.pop() if len(values) == 1 else None

    @staticmethod
    def _limit_for(limits: dict[int, int | None], family: int) -> int | None:
        if family in limits:
            return limits[family]
        values = set(limits.values())
        return values.pop() if len(values) == 1 else None

    def _bgp(self, bgp: _T, base: Line, vrf: str | None, asn: int | None, off: bool) -> None:
        rc = self.rc
        off = off or bgp.off
        table = " ".join(base)
        self.ctx = table
        top, top_fams, top_limits = self._session(bgp, table)
        if any(getattr(top, f) is not None for f in top.__dataclass_fields__) or top_fams is not None:
            self.note(f"{table}: settings at the BGP level apply to every group; folded into the groups' "
                      "sessions")
        top_type = _val(bgp, "type")
        groups = _all(bgp, "group")
        if not groups:
            self.note(f"{table} has no group: Junos BGP neighbors are configured in groups")
        for gname, gt, goff in groups:
            goff = off or goff
            where = f"{table} group {gname}"
            self.ctx = where
            own, fams, limits = self._session(gt, where)
            if fams is None:
                fams, limits = top_fams, top_limits
            gs = merge_session(top, own)
            gs.activated = set(fams) if fams is not None else None
            gs.max_prefix = self._one_limit(limits) if fams is not None else None
            if (_val(gt, "type") or top_type) == "internal" and gs.remote_as is None:
                gs.remote_as = asn                                         # iBGP: the peer is in our AS
            if goff:
                gs.shutdown = True
                self.note(f"{where} is inactive: kept as shut down")
            key = gname if vrf is None else f"{vrf}/{gname}"
            if key in rc.groups:
                self.note(f"{where}: a second group of that name, the first is kept")
                continue
            rc.groups[key] = PeerGroup(name=gname, vrf=vrf, session=gs, paths=[base + ("group", gname)])
            for addr, nt, noff in _all(gt, "neighbor"):
                noff = goff or noff
                nwhere = f"{where} neighbor {addr}"
                self.ctx = nwhere
                try:
                    family = ipaddress.ip_address(addr.split("%")[0]).version
                except ValueError:
                    self.note(f"{nwhere}: not an IP address, ignored")
                    continue
                ns, nfams, nlimits = self._session(nt, nwhere)
                ns.activated = nfams
                if nfams is not None:
                    ns.max_prefix = self._limit_for(nlimits, family)
                    if ns.max_prefix is None and gs.max_prefix is not None:
                        self.note(f"{nwhere}: its own family statement drops the group's prefix-limit "
                                  f"(Junos does not inherit families); shown with the group's {gs.max_prefix}")
                elif fams is not None:
                    inherited = self._limit_for(limits, family)
                    if inherited != gs.max_prefix and inherited is not None:
                        ns.max_prefix = inherited
                if noff:
                    ns.shutdown = True
                    if not goff:
                        self.note(f"{nwhere} is inactive: kept as shut down")
                n = Neighbor(name=addr, address=normal_address(addr), vrf=vrf, group=key, session=ns,
                             paths=[base + ("group", gname, "neighbor", addr)])
                old = rc.neighbors.get((vrf, n.address))
                if old is not None:
                    self.note(f"{nwhere}: the neighbor is also in group {old.group}")
                    if not (old.session.shutdown and not ns.shutdown):
                        continue
                rc.neighbors[(vrf, n.address)] = n


def _lengths(e: PrefixEntry, net) -> tuple[int, int]:
    lo = e.ge if e.ge is not None else net.prefixlen
    hi = e.le if e.le is not None else (net.max_prefixlen if e.ge is not None else net.prefixlen)
    return lo, hi


def _longest_match_differs(entries: list[PrefixEntry]) -> bool:
    """Whether Junos' route-filter semantics (the longest matching prefix decides alone) can give another
    answer than "any of them": a route under a longer filter that rejects it, accepted by a shorter one."""
    nets = [(ipaddress.ip_network(e.prefix), e) for e in entries]
    for n1, e1 in nets:
        for n2, e2 in nets:
            if n1.version != n2.version or n1 == n2 or not n2.subnet_of(n1):
                continue
            lo1, hi1 = _lengths(e1, n1)
            lo2, hi2 = _lengths(e2, n2)
            lo = max(lo1, n2.prefixlen)
            if lo <= hi1 and (lo < lo2 or hi1 > hi2):
                return True
    return False


def parse(text: str, source: str = "<running>", platform: str = "junos") -> RunningConfig:
    """A Junos config (brace or set form) -> RunningConfig. Bad text gives notes; only text that is not
    text at all raises :class:`InputError`."""
    if not isinstance(text, str):
        raise InputError("a running config must be text", file=source)
    if "\x00" in text:
        raise InputError(f"line {text.count(chr(10), 0, text.index(chr(0))) + 1}: binary data (a NUL byte), "
                         "not a Junos config", file=source)
    p = _Parser(source, platform)
    try:
        return p.run(text)
    except InputError:
        raise
    except Exception as exc:        # noqa: BLE001 - a bug here must still be one line naming the place
        raise InputError(f"cannot read this Junos config ({type(exc).__name__}: {exc})", file=source,
                         field=p.ctx or None) from exc
