"""IOS-XR running config (``show running-config``, as NAPALM's get_config returns it) -> RunningConfig.

Reads what engineers write by hand as well as ergen's own renders: neighbor-groups, session-groups and
af-groups, neighbors in VRFs, upper-case IPv6, ``password encrypted`` keys, route policies (RPL) with
if/elseif/else chains, named and inline prefix and community sets, ``router static`` with or without VRFs.

The tree
    Lines nest by indentation, as ``show running-config`` prints them. Blocks that end with a closer
    (``route-policy`` ... ``end-policy``, ``prefix-set`` / ``community-set`` / any ``*-set`` ... ``end-set``)
    own every line up to their closer whatever its indentation. ``!``, ``end``, ``exit``, ``endif``,
    ``end-policy``, ``end-set`` and RPL remarks (``# ...``) are not nodes. ``Building configuration...``,
    ``!! IOS XR Configuration ...`` and the timestamp line before the config are skipped.

RPL
    A policy becomes a list of :class:`Term` in statement order. An ``if``/``elseif``/``else`` block is one
    ``chain``, one term per branch. ``pass`` -> "pass", ``drop`` -> "deny", ``done`` -> "permit"; a branch
    that modifies the route (``set``, ``prepend``, ...) without a disposition passes it (RPL: a modified
    route is accepted unless dropped). Statements outside any ``if`` are terms without a match. Nested ifs
    are flattened when the result is exact (their match joined with the enclosing branch's, and the earlier
    branches of the enclosing chain all end in drop/done); otherwise the term is marked ``unknown``. A match
    ergen does not evaluate (``as-path``, ``not``, ``and`` of two prefix tests, ``apply``, a set with regular
    expressions, ...) goes to ``Term.unknown`` with its text.

BGP groups
    ``neighbor-group G`` is a :class:`PeerGroup` keyed ``G``. ``session-group S`` and ``af-group A
    address-family ...`` are PeerGroups too (kinds ``session-group`` / ``af-group``, keyed ``"session-group S"``
    / ``"af-group A"``) so that their lines have an owner; what a neighbor or neighbor-group takes from them
    (``use session-group`` / ``use af-group``) is folded into that neighbor's or group's own session, below
    its own settings (the model has one group per neighbor). The model has one set of policies per session:
    a neighbor's address-family settings are those of its own family; when a neighbor-group's IPv4 and IPv6
    address families disagree, the group keeps only what they share and each neighbor gets its family's
    values in its own session (noted).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field

from ergen.adopt.running import (
    Bfd,
    CommunityList,
    Interface,
    Key,
    Line,
    Neighbor,
    Network,
    PeerGroup,
    Policy,
    PrefixEntry,
    PrefixList,
    Redistribute,
    RunningConfig,
    Session,
    StaticRoute,
    Term,
    normal_address,
    normal_interface_address,
    normal_prefix,
)
from ergen.errors import InputError

# lines that close a block: never nodes
_CLOSERS = {"exit", "end-policy", "end-set", "endif", "end-policy-map", "end-class-map", "end-group",
            "end-global", "exit-address-family", "end-if"}
# top-level blocks that run to a closer, not to the next less-indented line
_DELIMITED = {"route-policy": "end-policy", "policy-global": "end-global"}
_SET_CLOSER = "end-set"
# first words that start a top-level block: a column-0 line starting so ends a block whose closer is missing
_TOP_WORDS = {
    "interface", "router", "route-policy", "prefix-set", "community-set", "as-path-set", "extcommunity-set",
    "large-community-set", "rd-set", "tag-set", "policy-global", "hostname", "vrf", "ssh", "ntp", "logging",
    "line", "domain", "username", "bfd", "l2vpn", "mpls", "multicast-routing", "control-plane", "class-map",
    "policy-map", "key", "telnet", "snmp-server", "tacacs-server", "aaa", "call-home", "cdp", "lldp",
    "netconf", "netconf-yang", "xml", "grpc", "telemetry", "explicit-path", "flow", "sampler-map",
    "segment-routing", "evpn", "taskgroup", "usergroup", "banner", "clock", "service", "fpd", "hw-module",
    "ipv4", "ipv6", "macsec-policy", "lacp", "lpts", "group", "tpa", "alias", "prefix-list",
}
_TIMESTAMP = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                        r"\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}(\.\d+)?(\s+\S+)?$")
_PROMPT = re.compile(r"^RP/\S+#")
_IF = re.compile(r"^(if|elseif)\s+(.*?)\s*\bthen\b\s*(.*)$")
_COMMUNITY = re.compile(r"^\d+(\.\d+)?:\d+$")
_WELL_KNOWN = {"internet", "no-export", "no-advertise", "local-as", "local-AS", "graceful-shutdown",
               "accept-own", "blackhole", "no-peer", "llgr-stale", "no-llgr"}
_IFACE = re.compile(r"^[A-Za-z][A-Za-z\-]*\d[\w/.:\-]*$")
_AF_KEYS = ("policy_in", "policy_out", "max_prefix")
_MAX_DEPTH = 32                       # nested ifs deeper than this are not modelled
_MAX_TREE = 64                        # lines nested deeper are kept at this depth (real configs: under 10)


def parse(text: str, source: str = "<running>", platform: str = "ios-xr") -> RunningConfig:
    """An IOS-XR running config -> RunningConfig. Raises only InputError (one line, naming ``source``)."""
    if not isinstance(text, str):
        raise InputError(f"an IOS-XR config must be text, not {type(text).__name__}", file=source)
    try:
        return _Parser(text, source, platform).run()
    except InputError:
        raise
    except (RecursionError, MemoryError) as e:          # absurd input
        raise InputError(f"IOS-XR config too deeply nested or too large to read ({type(e).__name__})",
                         file=source) from None
    except Exception as e:                               # a bug: still one line naming the file
        raise InputError(f"IOS-XR config not understood ({type(e).__name__}: {e})", file=source) from None


# ----------------------------------------------------------------------------- the tree
class _Node:
    __slots__ = ("text", "words", "path", "children", "body", "lineno")

    def __init__(self, text: str, path: Line, lineno: int) -> None:
        self.text = text
        self.words = text.split()
        self.path = path
        self.children: list[_Node] = []
        self.body: list[str] | None = None      # delimited blocks: every statement, closers included
        self.lineno = lineno

    def first(self, *prefix: str) -> "_Node | None":
        n = len(prefix)
        return next((c for c in self.children if c.words[:n] == list(prefix)), None)


def _int(text: str | None, lo: int = 0, hi: int = 2**32 - 1) -> int | None:
    try:
        v = int(text)                   # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return v if lo <= v <= hi else None


def _asn(text: str | None) -> int | None:
    """64500, 4200000001 or asdot 1.10 -> asplain."""
    if text is None:
        return None
    if "." in text:
        hi, _, lo = text.partition(".")
        h, lo_ = _int(hi, 0, 65535), _int(lo, 0, 65535)
        return h * 65536 + lo_ if h is not None and lo_ is not None and (h or lo_) else None
    return _int(text, 1)


def _family(words: list[str]) -> int | None:
    """``address-family ipv4 unicast`` -> 4 (only unicast: the families a session's policies filter)."""
    if words[2:3] != ["unicast"]:
        return None
    return {"ipv4": 4, "ipv6": 6}.get(words[1] if len(words) > 1 else "")


def _rest(text: str, n: int) -> str:
    """The text after the first ``n`` words."""
    parts = text.split(None, n)
    return parts[n] if len(parts) > n else ""


# ----------------------------------------------------------------------------- BGP sources
@dataclass
class _Src:
    kind: str                             # neighbor | neighbor-group | session-group | af-group
    name: str
    path: Line
    vrf: str | None = None
    common: dict = field(default_factory=dict)
    afs: dict[int, dict] = field(default_factory=dict)
    use_ng: str | None = None
    use_sg: str | None = None


def _fold(own: dict, other: dict) -> dict:
    out = dict(other)
    out.update(own)
    return out


def _uniform(afs: dict[int, dict]) -> dict:
    """What every address family of a group says alike."""
    if not afs:
        return {}
    vals = list(afs.values())
    out = {}
    for k in _AF_KEYS + ("af_group",):
        first = vals[0].get(k)
        if first is not None and all(v.get(k) == first for v in vals):
            out[k] = first
    return out


def _session(common: dict, af: dict, activated: set[int] | None) -> Session:
    interval, mult = common.get("bfd_interval"), common.get("bfd_multiplier")
    return Session(
        remote_as=common.get("remote_as"), local_as=common.get("local_as"),
        description=common.get("description"), key=common.get("key"), bfd=common.get("bfd"),
        bfd_timers=Bfd(interval, interval, mult) if (interval is not None or mult is not None) else None,
        policy_in=af.get("policy_in"), policy_out=af.get("policy_out"), max_prefix=af.get("max_prefix"),
        shutdown=common.get("shutdown"), timers=common.get("timers"), update_source=common.get("update_source"),
        ebgp_multihop=common.get("ebgp_multihop"), activated=activated)


# ----------------------------------------------------------------------------- RPL
@dataclass
class _Match:
    prefix_lists: list[str] = field(default_factory=list)
    prefixes: list[PrefixEntry] = field(default_factory=list)
    community_lists: list[str] = field(default_factory=list)
    communities: list[str] = field(default_factory=list)
    protocols: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def kinds(self) -> set[str]:
        k = set()
        if self.prefix_lists or self.prefixes:
            k.add("prefix")
        if self.community_lists or self.communities:
            k.add("community")
        if self.protocols:
            k.add("protocol")
        return k

    def merged(self, other: "_Match") -> "_Match":
        return _Match(self.prefix_lists + other.prefix_lists, self.prefixes + other.prefixes,
                      self.community_lists + other.community_lists, self.communities + other.communities,
                      self.protocols + other.protocols, self.unknown + other.unknown)

    def both(self, other: "_Match", text: str) -> "_Match":
        """Both matches (AND): exact only when they test different things."""
        if self.kinds() & other.kinds():
            return _Match(unknown=self.unknown + other.unknown + [text])
        return self.merged(other)


def _split_top(text: str, word: str) -> list[str]:
    """Split at `` word `` outside parentheses and quotes."""
    out, depth, start, i, quote = [], 0, 0, 0, None
    pat = f" {word} "
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif depth == 0 and text.startswith(pat, i):
            out.append(text[start:i].strip())
            i += len(pat)
            start = i
            continue
        i += 1
    out.append(text[start:].strip())
    return out


def _strip_parens(text: str) -> str:
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        depth = 0
        for i, ch in enumerate(text):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(text) - 1:
                return text          # "(a) and (b)": the first paren closes early
        text = text[1:-1].strip()
    return text


def _prefix_entry(text: str) -> PrefixEntry | None:
    """``10.0.0.0/8 le 32`` / ``ge 16 le 24`` / ``eq 24`` -> PrefixEntry (None: not understood)."""
    w = text.split()
    if not w:
        return None
    try:
        prefix = normal_prefix(w[0])
    except ValueError:
        return None
    ge = le = None
    i = 1
    while i < len(w):
        if w[i] in ("ge", "le", "eq") and i + 1 < len(w) and _int(w[i + 1], 0, 128) is not None:
            v = int(w[i + 1])
            if w[i] == "ge":
                ge = v
            elif w[i] == "le":
                le = v
            else:
                ge = le = v
            i += 2
        else:
            return None
    return PrefixEntry("permit", prefix, ge, le)


def _inline(text: str) -> list[str] | None:
    """``(a, b, c)`` -> [a, b, c]; None when not a parenthesised inline set."""
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return None
    return [x.strip() for x in text[1:-1].split(",") if x.strip()]


def _statements(body: list[str]) -> list[str]:
    """RPL statements, one per element: remarks dropped, ``if X then pass endif`` on one line split."""
    out: list[str] = []
    for s in body:
        s = s.strip()
        if not s or s.startswith("#"):
            continue
        while s:
            m = _IF.match(s)
            if m and m.group(3):
                out.append(f"{m.group(1)} {m.group(2)} then")
                s = m.group(3).strip()
                continue
            w = s.split(None, 1)
            if w[0] == "else" and len(w) > 1:
                out.append("else")
                s = w[1]
                continue
            if len(w) > 1 and s.endswith(" endif") and not s.startswith(("if ", "elseif ")):
                out.append(s[:-len(" endif")].strip())
                out.append("endif")
                break
            out.append(s)
            break
    return out


@dataclass
class _If:
    branches: list[tuple[str | None, list]]      # (condition text, None for else; body items)
    header: list[str]                             # the branch lines as written
    closed: bool = True


class _Parser:
    def __init__(self, text: str, source: str, platform: str) -> None:
        self.text = text
        self.rc = RunningConfig(platform=platform, source=source)
        self._notes: set[str] = set()
        self.sets_unknown: dict[str, list[str]] = {}          # set name -> entries ergen cannot evaluate
        self.community_values: dict[str, list[str]] = {}
        self.srcs: dict[tuple[str, str], _Src] = {}           # (kind, name) -> group sources
        self.neighbor_srcs: list[tuple[_Src, Neighbor]] = []
        self.chain = 0

    def note(self, text: str) -> None:
        text = " ".join(text.split())
        if text not in self._notes:
            self._notes.add(text)
            self.rc.notes.append(text)

    # ------------------------------------------------------------------ tree
    def tree(self) -> _Node:
        root = _Node("", (), 0)
        lines = self.text.splitlines()
        n = len(lines)
        i = 0
        started = False
        stack: list[tuple[int, _Node]] = [(-1, root)]

        def add(parent: _Node, text: str, lineno: int) -> _Node:
            node = _Node(text, parent.path + (text,), lineno)
            parent.children.append(node)
            self.rc.lines.append(node.path)
            return node

        while i < n:
            line = lines[i].expandtabs(8).rstrip()
            i += 1
            stripped = line.strip()
            if not stripped or stripped.startswith("!"):
                continue
            if not started and (stripped.startswith(("Building configuration", "Current configuration"))
                                or _TIMESTAMP.match(stripped) or _PROMPT.match(stripped)):
                continue
            indent = len(line) - len(line.lstrip(" "))
            if stripped == "end" and indent == 0:
                rest = [x for x in lines[i:] if x.strip() and not x.strip().startswith("!")]
                if rest:
                    self.note(f"{len(rest)} line(s) after 'end' ignored")
                break
            started = True
            if stripped in _CLOSERS:
                continue
            while stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1]
            node = add(parent, stripped, i)
            word = node.words[0]
            if parent is root and word == "banner":
                i = self._banner(node, lines, i)
                continue
            closer = _DELIMITED.get(word) or (_SET_CLOSER if word.endswith("-set") else None)
            if parent is root and closer:
                i = self._delimited(node, closer, lines, i, indent, add)
                continue
            if len(stack) <= _MAX_TREE:
                stack.append((indent, node))
            else:
                self.note(f"lines nested deeper than {_MAX_TREE} levels are kept at that depth")
        return root

    def _banner(self, node: _Node, lines: list[str], i: int) -> int:
        """``banner motd ^C ... ^C``: the text is no config; skip to the closing delimiter."""
        w = node.words
        if len(w) < 3:
            return i
        tok = w[2]
        delim = tok[:2] if tok.startswith("^") and len(tok) > 1 else tok[:1]
        after = node.text.split(None, 2)[2][len(delim):]
        if delim in after:
            return i
        while i < len(lines):
            i += 1
            if delim in lines[i - 1]:
                return i
        self.note(f"{node.text[:40]}: no closing delimiter")
        return i

    def _delimited(self, node: _Node, closer: str, lines: list[str], i: int, indent: int, add) -> int:
        node.body = []
        stack: list[tuple[int, _Node]] = [(indent, node)]
        while i < len(lines):
            line = lines[i].expandtabs(8).rstrip()
            stripped = line.strip()
            if not stripped or stripped.startswith("!"):
                i += 1
                continue
            ind = len(line) - len(line.lstrip(" "))
            if stripped == closer:
                return i + 1
            first = stripped.split()[0]
            if ind == 0 and (first in _TOP_WORDS or stripped == "end"):
                self.note(f"{node.text}: no {closer} before line {i + 1}")
                return i
            i += 1
            node.body.append(stripped)
            if stripped.startswith("#") or stripped in _CLOSERS:
                continue
            while len(stack) > 1 and stack[-1][0] >= ind:
                stack.pop()
            child = add(stack[-1][1], stripped, i)
            if len(stack) <= _MAX_TREE:
                stack.append((ind, child))
        self.note(f"{node.text}: no {closer}")
        return i

    # ------------------------------------------------------------------ the whole config
    def run(self) -> RunningConfig:
        root = self.tree()
        policies: list[_Node] = []
        bgp_seen = False
        for node in root.children:
            w = node.words
            if w[0] == "hostname" and len(w) > 1:
                self.rc.hostname = w[1]
            elif w[0] == "interface":
                self.interface(node)
            elif w[0] == "prefix-set":
                self.prefix_set(node)
            elif w[0] == "community-set":
                self.community_set(node)
            elif w[0].endswith("-set"):
                self.note(f"{node.text}: not modelled (policies matching it are unknown)")
            elif w[0] == "route-policy":
                policies.append(node)
            elif w[:2] == ["router", "static"]:
                self.statics(node)
            elif w[:2] == ["router", "bgp"]:
                if bgp_seen:
                    self.note(f"{node.text}: a second BGP instance, not modelled")
                    continue
                bgp_seen = True
                self.bgp(node)
            elif w == ["bfd"]:
                inside = "; ".join(c.text for c in node.children) or "empty"
                self.note(f"bfd: global BFD settings not modelled ({inside})")
            elif w[0] == "group" or w[0] == "apply-group":
                self.note(f"{node.text}: configuration groups are not applied by ergen's reading")
            elif w[0] == "policy-global":
                self.note("policy-global: RPL global parameters not modelled")
        for node in policies:
            self.policy(node)
        self.resolve_bgp()
        return self.rc

    # ------------------------------------------------------------------ interfaces
    def interface(self, node: _Node) -> None:
        w = node.words
        if len(w) < 2:
            self.note(f"line {node.lineno}: interface without a name")
            return
        if w[1] == "preconfigure":
            self.note(f"{node.text}: preconfigured interface not modelled")
            return
        name = w[1]
        if "l2transport" in w[2:] or node.first("l2transport"):
            self.note(f"interface {name}: l2transport (layer 2) subinterface, not modelled")
            return
        i = self.rc.interfaces.get(name)
        if i is None:
            parent, unit = None, None
            if "." in name:
                p, _, u = name.rpartition(".")
                if u.isdigit() and p:
                    parent, unit = p, int(u)
            i = Interface(name=name, parent=parent, unit=unit, paths=[node.path])
            self.rc.interfaces[name] = i
        elif node.path not in i.paths:
            i.paths.append(node.path)
        for c in node.children:
            cw = c.words
            k = cw[0]
            if k == "description":
                i.description = _rest(c.text, 1)
            elif k == "shutdown":
                i.shutdown = True
            elif k == "vrf" and len(cw) > 1:
                i.vrf = cw[1]
            elif cw[:2] == ["ipv4", "address"] and len(cw) >= 3:
                try:
                    addr = normal_interface_address(cw[2], cw[3] if len(cw) > 3 and "/" not in cw[2] else None)
                except ValueError:
                    self.note(f"interface {name}: address not understood: {c.text}")
                    continue
                if addr not in i.ipv4:
                    i.ipv4.append(addr)
            elif cw[:2] == ["ipv6", "address"] and len(cw) >= 3:
                if len(cw) > 3 and cw[3] in ("link-local", "eui-64"):
                    if cw[3] == "eui-64":
                        self.note(f"interface {name}: EUI-64 address not modelled")
                    continue
                try:
                    addr = normal_interface_address(cw[2])
                except ValueError:
                    self.note(f"interface {name}: address not understood: {c.text}")
                    continue
                if addr not in i.ipv6:
                    i.ipv6.append(addr)
            elif k == "encapsulation" and len(cw) >= 3:
                self._encapsulation(i, cw, c.text)
            elif cw[:2] == ["dot1q", "vlan"] and len(cw) >= 3:      # old IOS-XR: dot1q vlan 300 100
                outer, inner = _int(cw[2], 1, 4094), _int(cw[3], 1, 4094) if len(cw) > 3 else None
                if inner is not None:
                    i.s_tag, i.c_tag = outer, inner
                else:
                    i.c_tag = outer

    def _encapsulation(self, i: Interface, cw: list[str], text: str) -> None:
        # encapsulation dot1q 100 | dot1q 300 second-dot1q 100 | dot1ad 300 dot1q 100
        if cw[1] == "dot1q" and "second-dot1q" in cw:
            j = cw.index("second-dot1q")
            i.s_tag, i.c_tag = _int(cw[2], 1, 4094), _int(cw[j + 1] if j + 1 < len(cw) else None, 1, 4094)
        elif cw[1] == "dot1ad" and "dot1q" in cw[3:]:
            j = cw.index("dot1q", 3)
            i.s_tag, i.c_tag = _int(cw[2], 1, 4094), _int(cw[j + 1] if j + 1 < len(cw) else None, 1, 4094)
        elif cw[1] == "dot1q":
            i.c_tag = _int(cw[2].rstrip(","), 1, 4094)
        else:
            self.note(f"interface {i.name}: encapsulation not modelled: {text}")
            return
        if i.c_tag is None:
            self.note(f"interface {i.name}: VLAN tag not understood: {text}")

    # ------------------------------------------------------------------ sets
    def _set_items(self, node: _Node) -> list[str]:
        text = " ".join(s for s in (node.body or []) if not s.startswith("#"))
        return [x.strip() for x in text.split(",") if x.strip()]

    def prefix_set(self, node: _Node) -> None:
        if len(node.words) < 2:
            return
        name = node.words[1]
        entries, bad = [], []
        for item in self._set_items(node):
            e = _prefix_entry(item)
            if e is None:
                bad.append(item)
            else:
                entries.append(e)
        fams = {ipaddress.ip_network(e.prefix).version for e in entries}
        family = fams.pop() if len(fams) == 1 else None
        if bad:
            self.sets_unknown[f"prefix-set {name}"] = bad
            self.note(f"prefix-set {name}: entries not understood: {', '.join(bad)}")
        self.rc.prefix_lists[(family, name)] = PrefixList(name=name, kind="prefix-set", family=family,
                                                          entries=entries, paths=[node.path])

    def community_set(self, node: _Node) -> None:
        if len(node.words) < 2:
            return
        name = node.words[1]
        values, bad = [], []
        for item in self._set_items(node):
            if _COMMUNITY.match(item) or item in _WELL_KNOWN:
                values.append(item)
            else:
                bad.append(item)
        if bad:
            self.sets_unknown[f"community-set {name}"] = bad
            self.note(f"community-set {name}: entries ergen does not evaluate (wildcards, ranges, regular "
                      f"expressions): {', '.join(bad)}")
        self.community_values[name] = values
        self.rc.community_lists[name] = CommunityList(name=name, kind="community-set",
                                                      entries=[("permit", [v]) for v in values],
                                                      paths=[node.path])

    # ------------------------------------------------------------------ static routes
    def statics(self, node: _Node) -> None:
        for c in node.children:
            if c.words[0] == "address-family":
                self._static_af(c, None)
            elif c.words[0] == "vrf" and len(c.words) > 1:
                for cc in c.children:
                    if cc.words[0] == "address-family":
                        self._static_af(cc, c.words[1])

    def _static_af(self, af: _Node, vrf: str | None) -> None:
        if _family(af.words) is None:
            self.note(f"router static {af.text}: not modelled")
            return
        for r in af.children:
            w = r.words
            try:
                prefix = normal_prefix(w[0])
            except ValueError:
                self.note(f"router static: route not understood: {r.text}")
                continue
            nh = iface = dist = None
            j = 1
            while j < len(w):
                t = w[j]
                if t in ("tag", "metric", "track", "vrf", "tunnel-id", "label", "segment-route"):
                    j += 2
                    continue
                if t in ("description", "bfd"):
                    break
                try:
                    ipaddress.ip_address(t)
                    nh = nh or t
                except ValueError:
                    if t.isdigit():
                        dist = dist if dist is not None else _int(t, 1, 255)
                    elif _IFACE.match(t) and iface is None:
                        iface = t
                j += 1
            discard = iface is not None and iface.lower() == "null0"
            self.rc.statics.append(StaticRoute(
                name=w[0], vrf=vrf, prefix=prefix, discard=discard,
                next_hop=normal_address(nh) if nh else (iface if not discard else None),
                distance=dist, paths=[r.path]))

    # ------------------------------------------------------------------ BGP
    def bgp(self, node: _Node) -> None:
        w = node.words
        self.rc.bgp_asn = _asn(w[2]) if len(w) > 2 else None
        if self.rc.bgp_asn is None:
            self.note(f"{node.text}: AS number not understood")
        if len(w) > 3:
            self.note(f"{node.text}: BGP instance options not modelled")
        self.rc.bgp_path = node.path
        for c in node.children:
            cw = c.words
            if cw[:2] == ["bgp", "router-id"] and len(cw) > 2:
                self.rc.router_id = cw[2]
            elif cw[0] == "address-family":
                self._bgp_af(c, None)
            elif cw[0] in ("neighbor-group", "session-group") and len(cw) > 1:
                src = _Src(cw[0], cw[1], c.path)
                self._session_block(src, c)
                self.srcs[(cw[0], cw[1])] = src
            elif cw[0] == "af-group" and len(cw) > 1:
                fam = _family(cw[2:]) if len(cw) > 4 else None
                src = _Src("af-group", cw[1], c.path)
                if fam is None:
                    self.note(f"{c.text}: not an IPv4/IPv6 unicast af-group, not modelled")
                else:
                    src.afs[fam] = self._af_block(src, c)
                self.srcs[("af-group", cw[1])] = src
            elif cw[0] == "neighbor" and len(cw) > 1:
                self._neighbor(c, None)
            elif cw[0] == "vrf" and len(cw) > 1:
                for cc in c.children:
                    if cc.words[0] == "address-family":
                        self._bgp_af(cc, cw[1])
                    elif cc.words[0] == "neighbor" and len(cc.words) > 1:
                        self._neighbor(cc, cw[1])
            elif cw[0] == "bfd":
                self.note(f"router bgp: '{c.text}' (a BGP-wide BFD default) not modelled")

    def _bgp_af(self, af: _Node, vrf: str | None) -> None:
        fam = _family(af.words)
        if fam is None:
            return
        for c in af.children:
            w = c.words
            if w[0] == "network" and len(w) > 1:
                try:
                    prefix = normal_prefix(w[1], w[2] if len(w) > 2 and w[2][:1].isdigit() else None)
                except ValueError:
                    self.note(f"router bgp: network not understood: {c.text}")
                    continue
                self.rc.networks.append(Network(name=w[1], vrf=vrf, prefix=prefix, paths=[c.path]))
            elif w[0] == "redistribute" and len(w) > 1:
                pol = w[w.index("route-policy") + 1].split("(")[0] if "route-policy" in w[:-1] else None
                proto = w[1] if w[1] in ("static", "connected") or len(w) < 3 or w[2] == "route-policy" \
                    else f"{w[1]} {w[2]}"
                self.rc.redistribute.append(Redistribute(name=proto, vrf=vrf, family=fam, protocol=proto,
                                                         policy=pol, paths=[c.path]))

    def _neighbor(self, node: _Node, vrf: str | None) -> None:
        written = node.words[1]
        try:
            ipaddress.ip_address(written)
        except ValueError:
            self.note(f"{node.text}: not a neighbor address (a range or a name), not modelled")
            return
        address = normal_address(written)
        key = (vrf, address)
        n = self.rc.neighbors.get(key)
        if n is None:
            n = Neighbor(name=written, address=address, vrf=vrf, paths=[node.path])
            self.rc.neighbors[key] = n
            src = _Src("neighbor", written, node.path, vrf)
            self.neighbor_srcs.append((src, n))
        else:
            src = next(s for s, x in self.neighbor_srcs if x is n)
            if node.path not in n.paths:
                n.paths.append(node.path)
        self._session_block(src, node)

    def _session_block(self, src: _Src, node: _Node) -> None:
        label = f"{src.kind} {src.name}"
        d = src.common
        for c in node.children:
            w = c.words
            k = w[0]
            if k == "remote-as" and len(w) > 1:
                d["remote_as"] = _asn(w[1])
                if d["remote_as"] is None:
                    self.note(f"{label}: remote-as not understood")
            elif k == "local-as" and len(w) > 1:
                d["local_as"] = _asn(w[1])
            elif k == "description":
                d["description"] = _rest(c.text, 1)
            elif k == "password" and len(w) > 1:
                if w[1] == "clear" and len(w) > 2:
                    d["key"] = Key("clear", _rest(c.text, 2))
                elif w[1] == "encrypted" and len(w) > 2:
                    d["key"] = Key("type7", _rest(c.text, 2))
                elif w[1] == "inheritance-disable":
                    self.note(f"{label}: 'password inheritance-disable' (no key, whatever a group says) "
                              f"not modelled")
                else:
                    self.note(f"{label}: password form not understood")
            elif k == "keychain":
                self.note(f"{label}: TCP authentication by keychain not modelled")
            elif k == "bfd" and len(w) > 1:
                if w[1] == "fast-detect":
                    d["bfd"] = not (len(w) > 2 and w[2] in ("disable", "inheritance-disable"))
                elif w[1] == "minimum-interval" and len(w) > 2:
                    d["bfd_interval"] = _int(w[2], 1)
                elif w[1] == "multiplier" and len(w) > 2:
                    d["bfd_multiplier"] = _int(w[2], 1)
            elif k == "shutdown":
                d["shutdown"] = not (len(w) > 1 and w[1] == "inheritance-disable")
            elif k == "update-source" and len(w) > 1:
                d["update_source"] = w[1]
            elif k == "ebgp-multihop":
                d["ebgp_multihop"] = _int(w[1], 1, 255) if len(w) > 1 else 255
            elif k == "timers" and len(w) > 2:
                ka, hold = _int(w[1], 0, 65535), _int(w[2], 0, 65535)
                if ka is not None and hold is not None:
                    d["timers"] = (ka, hold)
            elif k == "use" and len(w) > 2:
                if w[1] == "neighbor-group":
                    src.use_ng = w[2]
                elif w[1] == "session-group":
                    src.use_sg = w[2]
                    self.note(f"{label}: uses session-group {w[2]}; its settings are folded into "
                              f"{src.kind} {src.name}")
                else:
                    self.note(f"{label}: '{c.text}' not modelled")
            elif k == "address-family":
                fam = _family(w)
                if fam is None:
                    continue
                src.afs[fam] = _fold(self._af_block(src, c), src.afs.get(fam, {}))

    def _af_block(self, src: _Src, node: _Node) -> dict:
        label = f"{src.kind} {src.name}"
        d: dict = {}
        for c in node.children:
            w = c.words
            if w[0] == "route-policy" and len(w) > 2 and w[-1] in ("in", "out"):
                name = w[1]
                if "(" in name:
                    self.note(f"{label}: route-policy {name} takes parameters; terms using them are unknown")
                    name = name.split("(")[0]
                d["policy_in" if w[-1] == "in" else "policy_out"] = [name]
            elif w[0] == "maximum-prefix" and len(w) > 1:
                d["max_prefix"] = _int(w[1], 1)
                if "warning-only" in w:
                    self.note(f"{label}: maximum-prefix {w[1]} warning-only (the session is not torn down)")
            elif w[:2] == ["use", "af-group"] and len(w) > 2:
                d["af_group"] = w[2]
                self.note(f"{label}: uses af-group {w[2]}; its settings are folded into {src.kind} {src.name}")
        return d

    # ---- inheritance
    def _sg_common(self, name: str | None, seen: frozenset = frozenset()) -> dict:
        src = self.srcs.get(("session-group", name or ""))
        if src is None or name in seen:
            if name and src is None:
                self.note(f"session-group {name} is used but not configured")
            return {}
        return _fold(src.common, self._sg_common(src.use_sg, seen | {name}))

    def _af_resolved(self, af: dict, seen: frozenset = frozenset()) -> dict:
        """An address family's settings with the af-group it uses folded in."""
        name = af.get("af_group")
        if not name or name in seen:
            return af
        src = self.srcs.get(("af-group", name))
        if src is None:
            self.note(f"af-group {name} is used but not configured")
            return af
        base = next(iter(src.afs.values()), {})
        return _fold(af, self._af_resolved(base, seen | {name}))

    def _own_afs(self, src: _Src) -> dict[int, dict]:
        return {f: self._af_resolved(a) for f, a in src.afs.items()}

    def _ng(self, name: str | None, seen: frozenset = frozenset()) -> tuple[dict, dict[int, dict]] | None:
        """A neighbor-group's settings (own, then its session-group, then the neighbor-group it uses)."""
        src = self.srcs.get(("neighbor-group", name or ""))
        if src is None or name in seen:
            return None
        common = _fold(src.common, self._sg_common(src.use_sg))
        afs = self._own_afs(src)
        parent = self._ng(src.use_ng, seen | {name}) if src.use_ng else None
        if parent is not None:
            common = _fold(common, parent[0])
            for f, a in parent[1].items():
                afs[f] = _fold(afs.get(f, {}), a)
        return common, afs

    def resolve_bgp(self) -> None:
        rc = self.rc
        for (kind, name), src in self.srcs.items():
            if kind == "neighbor-group":
                common, afs = self._ng(name) or ({}, {})
                g = PeerGroup(name=name, paths=[src.path],
                              session=_session(common, _uniform(afs), set(afs) or None))
                rc.groups[name] = g
                if len(afs) > 1 and any(k not in _uniform(afs) for a in afs.values() for k in a if k != "af_group"):
                    self.note(f"neighbor-group {name}: its IPv4 and IPv6 address families differ; each neighbor "
                              f"using it carries its own family's policies and limits in its own session")
            elif kind == "session-group":
                rc.groups[f"session-group {name}"] = PeerGroup(
                    kind="session-group", name=name, paths=[src.path],
                    session=_session(self._sg_common(name), {}, None))
            else:
                afs = self._own_afs(src)
                rc.groups[f"af-group {name}"] = PeerGroup(
                    kind="af-group", name=name, paths=[src.path],
                    session=_session({}, next(iter(afs.values()), {}), set(afs) or None))
        for src, n in self.neighbor_srcs:
            fam = n.family
            common = _fold(src.common, self._sg_common(src.use_sg))
            own_afs = self._own_afs(src)
            g_common, g_afs = {}, {}
            if src.use_ng:
                n.group = src.use_ng
                got = self._ng(src.use_ng)
                if got is None:
                    self.note(f"neighbor {n.name}: uses neighbor-group {src.use_ng} that is not configured")
                else:
                    g_common, g_afs = got
            union = set(own_afs) | set(g_afs)
            sf = fam if fam in union or len(union) != 1 else next(iter(union))
            af = dict(own_afs.get(sf, {}))
            uniform = _uniform(g_afs)
            for k in _AF_KEYS:
                if k not in af and k not in uniform and g_afs.get(sf, {}).get(k) is not None:
                    af[k] = g_afs[sf][k]
            if len(own_afs) > 1:
                other = [f for f in own_afs if f != sf]
                if any(own_afs[f].get(k) != own_afs[sf].get(k) for f in other for k in _AF_KEYS):
                    self.note(f"neighbor {n.name}: its IPv{other[0]} unicast address family has other policies or "
                              f"limits than IPv{sf} (only IPv{sf}'s are modelled)")
            # BFD timers inherit field by field: a neighbor's own interval with its group's multiplier
            if ("bfd_interval" in common) != ("bfd_multiplier" in common):
                for k in ("bfd_interval", "bfd_multiplier"):
                    if k not in common and k in g_common:
                        common[k] = g_common[k]
            inherited = ({fam} & set(g_afs)) if fam in g_afs else set(g_afs)
            n.session = _session(common, af, set(own_afs) | inherited)

    # ------------------------------------------------------------------ RPL
    def policy(self, node: _Node) -> None:
        if len(node.words) < 2:
            return
        header = _rest(node.text, 1)
        name = header.split("(")[0].strip()
        pol = Policy(name=name, default="deny", paths=[node.path])
        if "(" in header:
            self.note(f"route-policy {name} takes parameters; terms using them are unknown")
        items = self._block(_statements(node.body or []), [0], 0, pol)
        self._flatten(items, _Match(), None, pol)
        if name in self.rc.policies:
            self.note(f"route-policy {name} is configured twice; the last one is modelled")
        self.rc.policies[name] = pol

    def _block(self, stmts: list[str], pos: list[int], depth: int, pol: Policy) -> list:
        """Statements up to elseif/else/endif (or the end) -> items: str or _If."""
        items: list = []
        while pos[0] < len(stmts):
            s = stmts[pos[0]]
            w0 = s.split()[0]
            if w0 in ("elseif", "else", "endif"):
                if depth == 0:
                    self.note(f"route-policy {pol.name}: '{s}' without an if")
                    pos[0] += 1
                    continue
                return items
            pos[0] += 1
            if w0 != "if":
                items.append(s)
                continue
            if depth >= _MAX_DEPTH:
                items.append(f"[if nested deeper than {_MAX_DEPTH}] {s}")
                continue
            blk = _If(branches=[], header=[])
            cond: str | None = _cond_of(s)
            header = s
            while True:
                body = self._block(stmts, pos, depth + 1, pol)
                blk.branches.append((cond, body))
                blk.header.append(header)
                if pos[0] >= len(stmts):
                    blk.closed = False
                    self.note(f"route-policy {pol.name}: an if without endif")
                    break
                nxt = stmts[pos[0]]
                pos[0] += 1
                if nxt == "endif":
                    break
                if nxt == "else":
                    if cond is None:          # a second else
                        self.note(f"route-policy {pol.name}: more than one else in an if")
                    cond, header = None, "else"
                else:                         # elseif
                    cond, header = _cond_of(nxt), nxt
            items.append(blk)
        return items

    def _flatten(self, items: list, ctx: _Match, poison: str | None, pol: Policy) -> bool:
        """Emit the terms of ``items`` (run when ``ctx`` matches). True: the items end in drop/done."""
        group: list[str] = []
        for item in items:
            if isinstance(item, str):
                group.append(item)
                if item.split()[0] in ("drop", "done"):
                    self._term(group, ctx, None, poison, pol, " ; ".join(group))
                    return True           # anything after is never run
                continue
            if group:
                self._term(group, ctx, None, poison, pol, " ; ".join(group))
                group = []
            self.chain += 1
            chain = self.chain
            prev_terminal = True
            all_terminal = True
            has_else = False
            for (cond, body), header in zip(item.branches, item.header):
                m = ctx if cond is None else ctx.both(self._condition(cond, pol), header)
                has_else = has_else or cond is None
                lead = []
                for x in body:
                    if not isinstance(x, str):
                        break
                    lead.append(x)
                    if x.split()[0] in ("drop", "done"):
                        break
                self._term(lead, m, chain, poison, pol, header)
                rest = body[len(lead):]
                terminal = bool(lead) and lead[-1].split()[0] in ("drop", "done")
                if rest and not terminal:
                    why = poison or (None if prev_terminal else
                                     f"a nested if under '{header}' after a branch that does not stop")
                    terminal = self._flatten(rest, m, why, pol)
                prev_terminal = prev_terminal and terminal
                all_terminal = all_terminal and terminal
            if has_else and all_terminal:
                return True
        if group:
            self._term(group, ctx, None, poison, pol, " ; ".join(group))
        return False

    def _term(self, stmts: list[str], m: _Match, chain: int | None, poison: str | None, pol: Policy,
              name: str) -> None:
        t = Term(name=name, chain=chain, prefix_lists=list(m.prefix_lists), prefixes=list(m.prefixes),
                 community_lists=list(m.community_lists), communities=list(m.communities),
                 protocols=list(m.protocols), unknown=list(m.unknown))
        if poison:
            t.unknown.append(poison)
        modified = False
        for s in stmts:
            w = s.split()
            k = w[0]
            if k == "pass":
                t.action = t.action or "pass"
            elif k == "drop":
                t.action = "deny"
                break
            elif k == "done":
                t.action = "permit"
                break
            elif w[:2] == ["set", "local-preference"] and len(w) == 3 and _int(w[2]) is not None:
                t.local_preference = int(w[2])
                modified = True
            elif w[:2] == ["prepend", "as-path"] and len(w) in (3, 4) and _asn(w[2]) is not None \
                    and (len(w) == 3 or _int(w[3], 1, 64) is not None):
                t.prepend = [_asn(w[2])] * (int(w[3]) if len(w) == 4 else 1) + t.prepend
                modified = True
            elif (w[:2] == ["set", "local-preference"] or w[:2] == ["prepend", "as-path"]
                  or k == "apply" or "$" in s or k.startswith("[")):
                t.unknown.append(s)      # changes what ergen evaluates in a way it cannot model
                modified = True
            elif k in ("set", "delete", "remove", "prepend", "replace", "suppress-route", "unsuppress-route"):
                self.note(f"route-policy {pol.name}: '{s}' not modelled (does not change what passes)")
                modified = True
            else:
                t.unknown.append(s)
        if modified and t.action is None:
            t.action = "pass"            # RPL: a modified route is accepted unless dropped
        pol.terms.append(t)

    def _condition(self, text: str | None, pol: Policy) -> _Match:
        if text is None:
            return _Match(unknown=["if without a condition"])
        text = _strip_parens(text)
        ors = _split_top(text, "or")
        ands = _split_top(text, "and")
        if len(ors) > 1 and len(ands) > 1:
            return _Match(unknown=[text])
        if len(ors) > 1:
            parts = [self._condition(p, pol) for p in ors]
            kinds = [p.kinds() for p in parts]
            if any(p.unknown for p in parts) or any(len(k) != 1 for k in kinds) or len(set.union(*kinds)) != 1:
                return _Match(unknown=[text])
            out = _Match()
            for p in parts:
                out = out.merged(p)
            return out
        if len(ands) > 1:
            out = self._condition(ands[0], pol)
            for p in ands[1:]:
                out = out.both(self._condition(p, pol), text)
            return out
        return self._atom(text)

    def _atom(self, text: str) -> _Match:
        w = text.split(None, 2)
        if len(w) < 3 or "$" in text:
            return _Match(unknown=[text])
        subject, op, arg = w
        inline = _inline(arg)
        if subject == "destination" and op == "in":
            if inline is None:
                if " " in arg:
                    return _Match(unknown=[text])
                if f"prefix-set {arg}" in self.sets_unknown:
                    return _Match(unknown=[f"{text} (prefix-set {arg} has entries ergen cannot evaluate)"])
                return _Match(prefix_lists=[arg])
            entries = [_prefix_entry(x) for x in inline]
            if not entries or any(e is None for e in entries):
                return _Match(unknown=[text])
            return _Match(prefixes=entries)                        # type: ignore[arg-type]
        if subject == "community" and op in ("matches-any", "matches-every"):
            if inline is None:
                if " " in arg:
                    return _Match(unknown=[text])
                if f"community-set {arg}" in self.sets_unknown:
                    return _Match(unknown=[f"{text} (community-set {arg} has entries ergen cannot evaluate)"])
                if op == "matches-every" and len(self.community_values.get(arg, [])) != 1:
                    return _Match(unknown=[text])                  # all of several values: not modelled
                return _Match(community_lists=[arg])
            if not inline or not all(_COMMUNITY.match(x) or x in _WELL_KNOWN for x in inline):
                return _Match(unknown=[text])
            if op == "matches-every" and len(inline) != 1:
                return _Match(unknown=[text])
            return _Match(communities=inline)
        if subject == "protocol":
            if op == "is" and inline is None:
                return _Match(protocols=[arg.split()[0]])
            if op == "in" and inline:
                return _Match(protocols=[p.split()[0] for p in inline])
        return _Match(unknown=[text])


def _cond_of(stmt: str) -> str | None:
    m = _IF.match(stmt)
    return m.group(2) if m else None
