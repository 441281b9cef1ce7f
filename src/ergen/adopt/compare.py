"""What already serves a circuit on a router, and how it differs from ergen's intent.

For each router the intent renders, given what the router runs (:class:`RunningConfig`):

* **find**: per link and peering, the subinterface (by the customer address, else by parent and tags),
  the BGP neighbors at Microsoft's addresses (any VRF, any spelling of the address), and what those
  use: peer groups, route maps / policies, prefix and community lists, BFD templates, the discard
  (anchor) routes of the prefixes ergen advertises. An object used by anything else on the router
  (another neighbor, the IGP, NAT, ...) is *kept*, never adopted: a line that is not adopted and names
  it (as a whole word) makes it shared.
* **compare**: each session's effective settings (peer group resolved) against the intent's neighbor,
  in networking terms: BFD, maximum-prefix, what the inbound policy accepts (a default route, private
  space on Microsoft peering, routes without the communities ergen filters on) and the local preference
  it sets, what the router advertises and with which AS path, keys (compared in memory, never shown;
  encrypted ones cannot be compared), addresses, tags, VRF.
"""

from __future__ import annotations

from ergen.platforms import family

import dataclasses
import ipaddress
from dataclasses import dataclass, field

from ergen.adopt.running import (ConfigObject, Interface, Neighbor, RunningConfig, Session, Verdict,
                                 lines_of, owned_by, owner_set, prefix_list_permits)
from ergen.intent.model import Neighbor as IntentNeighbor
from ergen.intent.model import RouterIntent, Subinterface
from ergen.lab.policy import permitted_prefixes, route_map_permits

DEFAULT_LP = 100
_PRIVATE_V4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
_PRIVATE_V6 = ("fc00::/7",)


@dataclass
class Finding:
    router: str
    circuit: str
    link: str
    peering: str | None
    family: int | None
    topic: str                       # bfd | maximum-prefix | inbound | local-preference | prepend | advertised |
    #                                  key | remote-as | local-as | address | vlan | vrf | missing | asn | shutdown |
    #                                  anchor-route | outbound
    text: str                        # in networking terms; never a key
    existing: str | None = None
    ergen: str | None = None
    blocker: bool = False            # the migration cannot do this (e.g. the router's BGP ASN differs)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("router", "circuit", "link", "peering", "family", "topic", "text",
                                              "existing", "ergen", "blocker")}


@dataclass
class Row:
    item: str
    existing: str
    ergen: str
    alike: bool | None = None        # set where the two texts differ but say the same (a key, a peer group)

    @property
    def same(self) -> bool:
        return self.alike if self.alike is not None else self.existing.lower() == self.ergen.lower()


@dataclass
class PeeringView:
    circuit: str
    link: str
    peering: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Kept:
    obj: ConfigObject
    why: str


@dataclass
class RouterAdoption:
    router: str
    platform: str
    source: str
    intent: RouterIntent
    running: RunningConfig
    adopted: list[ConfigObject] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    views: list[PeeringView] = field(default_factory=list)

    @property
    def links(self) -> list[str]:
        return sorted({c.link for c in self.intent.circuits})

    @property
    def matches(self) -> bool:
        return not self.findings

    def adopted_lines(self):
        own = owner_set(p for o in self.adopted for p in o.paths)
        return [l for l in self.running.lines if owned_by(l, own)]

    def as_dict(self) -> dict:
        """For ``-o json``: key lines masked (a hand-built config's keys, clear or encrypted, never shown)."""
        from ergen.change.review import mask_keys
        from ergen.secrets import mask
        hide = lambda t: mask(mask_keys(t), list(self.intent.secrets))  # noqa: E731
        return {
            "router": self.router, "platform": self.platform, "source": self.source,
            "links": self.links, "matches": self.matches,
            "adopted": [{"kind": o.kind, "name": o.name,
                         "lines": [hide(line_text(self.platform, l)) for l in lines_of(self.running, o)]}
                        for o in self.adopted],
            "kept": [{"kind": k.obj.kind, "name": k.obj.name, "why": k.why} for k in self.kept],
            "findings": [f.as_dict() for f in self.findings],
            "peerings": [{"circuit": v.circuit, "link": v.link, "peering": v.peering,
                          "rows": [{"item": r.item, "existing": r.existing, "ergen": r.ergen} for r in v.rows]}
                         for v in self.views],
            "notes": list(self.running.notes),
        }


def line_text(platform: str, line) -> str:
    """A config node as a reader knows it: Junos in set form, IOS-style as its block path."""
    return " ".join(line) if family(platform) == "junos" else " / ".join(line)


# ----------------------------------------------------------------------------- finding what serves
def _find_interface(rc: RunningConfig, sub: Subinterface) -> Interface | None:
    """ergen's own subinterface by name; else the one holding the customer address in the same routing
    table; else the one on the parent with the peering's tags; else the address in any table (customers
    of a provider reuse the same /30s in their own VRFs, so the table counts first)."""
    want = sub.ipv4.with_prefixlen if hasattr(sub.ipv4, "with_prefixlen") else str(sub.ipv4)
    same = rc.interfaces.get(sub.name)
    if same is not None and (want in same.ipv4 or (same.c_tag, same.s_tag) == (sub.c_tag, sub.s_tag)):
        return same
    for i in rc.interfaces.values():
        if want in i.ipv4 and (i.vrf or None) == (sub.vrf or None):
            return i
    for i in rc.interfaces.values():
        if i.parent == sub.parent and i.c_tag == sub.c_tag and i.s_tag == sub.s_tag:
            return i
    hits = [i for i in rc.interfaces.values() if want in i.ipv4]
    return hits[0] if len(hits) == 1 else None


def _find_neighbor(rc: RunningConfig, n) -> Neighbor | None:
    """The neighbor at Microsoft's address in the intent's table; else in any table, if only one has it."""
    e = rc.neighbor(n.address, n.vrf)
    if e is not None:
        return e
    from ergen.adopt.running import normal_address
    a = normal_address(n.address)
    hits = [x for (v, addr), x in rc.neighbors.items() if addr == a]
    return hits[0] if len(hits) == 1 else None


# what ergen renders on a subinterface: these lines of a hand-built one are replaced, any other (NAT, ACLs,
# QoS, IGP) stays
_MANAGED_IOS = ("description", "encapsulation", "ip address", "ipv6 address", "ipv4 address", "bfd", "vrf",
                "ip vrf forwarding", "shutdown", "no shutdown", "ipv6 enable", "no ip redirects",
                "no ipv6 redirects")
_MANAGED_JUNOS = (("vlan-id",), ("vlan-tags",), ("description",), ("disable",), ("family", "inet", "address"),
                  ("family", "inet6", "address"))


def _interface_paths(rc: RunningConfig, i: Interface) -> tuple[list, list]:
    """(paths ergen takes over, paths it leaves) of a subinterface: the whole block when it holds only
    what ergen renders, else just those lines."""
    head = i.paths[0]
    below = [l for l in rc.lines if len(l) > len(head) and l[:len(head)] == head]
    if rc.platform == "junos":
        leaves = [l for l in below if not any(m[:len(l)] == l and len(m) > len(l) for m in below)]
        own, other = [], []
        for l in leaves:
            rest = l[len(head):]
            m = next((k for k in _MANAGED_JUNOS if rest[:len(k)] == k), None)
            (own if m else other).append(head + rest[:max(len(m) + 1 if m and m[-1] == "address" else len(m), 1)]
                                         if m else l)
        own = list(dict.fromkeys(own))
        return ([head] if not other else own), other
    kids = [l for l in below if len(l) == len(head) + 1]
    own = [l for l in kids if any(" ".join(l[-1].split()).startswith(k) for k in _MANAGED_IOS)]
    other = [l for l in kids if l not in own]
    return ([head] if not other else own), other


def _words(line: tuple[str, ...]) -> set[str]:
    last = line[-1] if line else ""
    if last.split()[:1] in (["description"],):
        return set()
    out: set[str] = set()
    for part in line:
        out.update(x.strip('"') for x in part.replace(",", " ").split())
    return out


def _referenced_names(rc: RunningConfig, lines) -> set[str]:
    out: set[str] = set()
    for l in lines:
        out |= _words(l)
    return out


def _named_objects(rc: RunningConfig) -> dict[str, list[ConfigObject]]:
    """Objects that others refer to by name: policies, prefix/community lists, peer groups, BFD templates."""
    out: dict[str, list[ConfigObject]] = {}
    for o in (*rc.policies.values(), *rc.prefix_lists.values(), *rc.community_lists.values(),
              *rc.groups.values(), *rc.bfd_templates.values()):
        out.setdefault(o.name, []).append(o)
    return out


def find(rc: RunningConfig, intent: RouterIntent) -> tuple[list[ConfigObject], list[Kept], dict]:
    """(adopted objects, kept related objects, what serves each intent object)."""
    serves: dict = {"interfaces": {}, "neighbors": {}}
    core: list[ConfigObject] = []
    kept: list[Kept] = []
    for sub in intent.interfaces:
        i = _find_interface(rc, sub)
        if i is not None:
            serves["interfaces"][sub.name] = i
            if all(i.name != o.name for o in core if isinstance(o, Interface)):
                own, other = _interface_paths(rc, i)
                core.append(dataclasses.replace(i, paths=own))
                if other:
                    kept.append(Kept(dataclasses.replace(i, paths=other), "lines on the subinterface that are not "
                                     "ergen's (kept): " + "; ".join(" ".join(l[len(i.paths[0]):]) for l in other[:4])))
    for n in intent.neighbors:
        e = _find_neighbor(rc, n)
        if e is not None:
            serves["neighbors"][(n.vrf, n.address)] = e
            if all(e is not o for o in core):
                core.append(e)
    # Junos: ergen's parent interface uses flexible-vlan-tagging, which cannot stand beside vlan-tagging or
    # stacked-vlan-tagging (the commit fails); the port's other units keep working under it
    if rc.platform == "junos":
        for parent in dict.fromkeys(s.parent for s in intent.interfaces):
            for mode in ("vlan-tagging", "stacked-vlan-tagging"):
                path = ("interfaces", parent, mode)
                if path in rc.lines:
                    core.append(ConfigObject(kind="tagging", name=f"{parent} {mode}", paths=[path]))
    # anchor routes: discard routes of the prefixes ergen anchors
    anchors = {(s.vrf, s.prefix.cidr) for s in intent.static_routes}
    for s in rc.statics:
        if s.discard and (s.vrf, s.prefix) in anchors and all(s is not o for o in core):
            core.append(s)
    adopted = list(core)
    named = _named_objects(rc)
    # peer groups: adopted only when every member is
    adopted_nb = {id(o) for o in adopted if isinstance(o, Neighbor)}
    groups = {o.group for o in adopted if isinstance(o, Neighbor) and o.group}
    for g in sorted(groups):
        grp = rc.groups.get(g)
        if grp is None:
            continue
        others = [n for n in rc.neighbors.values() if n.group == g and id(n) not in adopted_nb]
        if others:
            kept.append(Kept(grp, f"peer group also used by neighbor {', '.join(n.name for n in others[:3])}"))
        else:
            adopted.append(grp)
    # what the adopted objects refer to, until nothing new: policies, lists, templates
    considered: set[int] = {id(o) for o in adopted} | {id(k.obj) for k in kept}
    words = {l: _words(l) for l in rc.lines}
    mentions: dict[str, list] = {}
    for l, ws in words.items():
        for w in ws:
            if w in named:
                mentions.setdefault(w, []).append(l)
    paths = owner_set(p for o in adopted for p in o.paths)
    while True:
        refs: set[str] = set()
        for l in rc.lines:
            if owned_by(l, paths):
                refs |= words[l]
        new = [o for name in refs for o in named.get(name, []) if id(o) not in considered]
        if not new:
            break
        for o in new:
            if id(o) in considered:
                continue
            # objects of one name (a route map and the prefix list named like it, IPv4 and IPv6 lists) are
            # judged together: their own lines do not make each other shared
            same = [x for x in named.get(o.name, []) if id(x) not in considered]
            considered.update(id(x) for x in same)
            own = owner_set(p for x in same for p in x.paths)
            outside = [l for l in mentions.get(o.name, ()) if not owned_by(l, paths) and not owned_by(l, own)]
            for x in same:
                if outside:
                    kept.append(Kept(x, f"also used by: {line_text(rc.platform, outside[0])}"))
                else:
                    adopted.append(x)
                    paths |= set(x.paths)
    return adopted, kept, serves


# ----------------------------------------------------------------------------- comparing
def _intent_policy(intent: RouterIntent, name: str):
    rm = next(m for m in intent.route_maps if m.name == name)
    return rm.entries[0]


def _lp(v: Verdict) -> int:
    return v.local_preference if v.local_preference is not None else DEFAULT_LP


def _existing_accepts(rc: RunningConfig, s: Session, prefix: str, communities=(), direction="in") -> Verdict:
    pl = s.prefix_list_in if direction == "in" else s.prefix_list_out
    fam = ipaddress.ip_network(prefix, strict=False).version
    if pl:
        lst = rc.prefix_list(pl, fam)
        if lst is None:
            return Verdict(None, None, [], True, missing=pl)
        if not prefix_list_permits(lst.entries, prefix):
            return Verdict(False, None, [], False)
    names = s.policy_in if direction == "in" else s.policy_out
    v = rc.evaluate(names, prefix, list(communities), direction=direction,
                    protocol="static" if any(x.prefix == prefix for x in rc.statics) else "bgp")
    if not names and pl:
        v.policy = True
    return v


def _inbound_probes(n: IntentNeighbor, peering: str, communities: tuple[str, ...]) -> list[tuple[str, tuple, str]]:
    """(prefix, communities, what it stands for) routes Microsoft's edge could send on this session."""
    v4 = n.family == 4
    default = "0.0.0.0/0" if v4 else "::/0"
    tag = communities[:1] if communities else ()
    probes = [(default, tag, "a default route")]
    if peering == "private":
        probes.append(("10.1.0.0/16" if v4 else "fd00:1::/48", (), "a VNet route"))
    else:
        probes.append(("20.190.128.0/18" if v4 else "2603:1000::/40", tag, "a Microsoft service route"))
        for p in (_PRIVATE_V4 if v4 else _PRIVATE_V6)[:2]:
            probes.append((p, tag, f"private address space"))
        if communities:
            probes.append(("52.96.0.0/14" if v4 else "2603:1006::/40", ("12076:5999",),
                           "a route without the communities ergen accepts"))
    return probes


def _fmt_policy(names, pl) -> str:
    parts = []
    if names:
        parts.append(" ".join(names))
    if pl:
        parts.append(f"prefix-list {pl}")
    return ", ".join(parts) or "no policy"


def _advertised_existing(rc: RunningConfig, s: Session, family: int, vrf, candidates: list[str]) -> dict[str, Verdict]:
    """Which of ``candidates`` (and the router's own network statements) the session sends, and how."""
    nets = [x.prefix for x in rc.networks if x.vrf == vrf]
    originated = set(nets)
    statics = {x.prefix for x in rc.statics if x.vrf == vrf}
    if any(r.protocol == "static" and r.vrf == vrf for r in rc.redistribute):
        originated |= statics
    if rc.platform == "junos":       # no network statement: the export policy picks among active routes
        originated |= statics | set(candidates)
    out = {}
    for p in sorted(originated | set(candidates), key=lambda x: (ipaddress.ip_network(x).version, x)):
        if ipaddress.ip_network(p).version != family:
            continue
        if p not in originated:
            continue
        v = _existing_accepts(rc, s, p, (), "out")
        if rc.platform == "junos" and not (s.policy_out or s.prefix_list_out):
            v = Verdict(False, None, [], False, policy=False)   # Junos exports only BGP routes by default
        if v.accepted or v.accepted is None:
            out[p] = v
    return out


def compare(rc: RunningConfig, intent: RouterIntent, serves: dict, *, show: bool = False) -> tuple[list[Finding], list[PeeringView]]:
    findings: list[Finding] = []
    views: dict[tuple, PeeringView] = {}

    def add(n_or_sub, family, topic, text, existing=None, ergen=None, blocker=False):
        findings.append(Finding(intent.name, n_or_sub.circuit, n_or_sub.link, n_or_sub.peering, family, topic,
                                text, existing, ergen, blocker))

    if rc.bgp_asn is not None and rc.bgp_asn != intent.bgp_asn:
        c = intent.circuits[0]
        findings.append(Finding(intent.name, c.name, c.link, None, None, "asn",
                                f"the router's BGP process is AS {rc.bgp_asn}; ergen renders AS {intent.bgp_asn} "
                                "(set data.bgp_asn in hosts.yaml or groups.yaml)", str(rc.bgp_asn),
                                str(intent.bgp_asn), blocker=True))

    for sub in intent.interfaces:
        view = views.setdefault((sub.circuit, sub.link, sub.peering), PeeringView(sub.circuit, sub.link, sub.peering))
        want = f"{sub.name} {_tags(sub.c_tag, sub.s_tag)} {sub.ipv4.with_prefixlen}" + \
            (f" {sub.ipv6.with_prefixlen}" if sub.ipv6 else "") + (f" vrf {sub.vrf}" if sub.vrf else "")
        i = serves["interfaces"].get(sub.name)
        if i is None:
            view.rows.append(Row("subinterface", "none", want))
            add(sub, None, "missing", f"no subinterface with {sub.ipv4.with_prefixlen} or {_tags(sub.c_tag, sub.s_tag)} "
                                      f"on {sub.parent}: ergen adds {sub.name}", "none", sub.name)
            continue
        have = f"{i.name} {_tags(i.c_tag, i.s_tag)} {' '.join(i.ipv4) or 'no IPv4'}" + \
            (f" {' '.join(i.ipv6)}" if i.ipv6 else "") + (f" vrf {i.vrf}" if i.vrf else "")
        view.rows.append(Row("subinterface", have, want))
        if (i.c_tag, i.s_tag) != (sub.c_tag, sub.s_tag):
            add(sub, None, "vlan", f"{i.name} is tagged {_tags(i.c_tag, i.s_tag)}; the peering needs "
                                   f"{_tags(sub.c_tag, sub.s_tag)}", _tags(i.c_tag, i.s_tag), _tags(sub.c_tag, sub.s_tag))
        if sub.ipv4.with_prefixlen not in i.ipv4:
            add(sub, 4, "address", f"{i.name} has {' '.join(i.ipv4) or 'no IPv4 address'}; ergen: "
                                   f"{sub.ipv4.with_prefixlen}", " ".join(i.ipv4) or "none", sub.ipv4.with_prefixlen)
        if sub.ipv6 and sub.ipv6.with_prefixlen not in i.ipv6:
            add(sub, 6, "address", f"{i.name} has {' '.join(i.ipv6) or 'no IPv6 address'}; ergen: "
                                   f"{sub.ipv6.with_prefixlen} (the peering has IPv6)", " ".join(i.ipv6) or "none",
                sub.ipv6.with_prefixlen)
        if (i.vrf or None) != (sub.vrf or None):
            add(sub, None, "vrf", f"{i.name} is in {'VRF ' + i.vrf if i.vrf else 'the global table'}; ergen puts "
                                  f"it in {'VRF ' + sub.vrf if sub.vrf else 'the global table'}", i.vrf or "global",
                sub.vrf or "global")
        if i.shutdown:
            add(sub, None, "shutdown", f"{i.name} is shut down", "shutdown", "up")

    for n in intent.neighbors:
        view = views.setdefault((n.circuit, n.link, n.peering), PeeringView(n.circuit, n.link, n.peering))
        fam = f"IPv{n.family}"
        e = serves["neighbors"].get((n.vrf, n.address))
        if e is None:
            view.rows.append(Row(f"{fam} neighbor", "none", f"{n.address} AS {n.remote_as}"))
            add(n, n.family, "missing", f"no BGP neighbor at {n.address} (Microsoft's {n.link} edge, {n.peering} "
                                        f"peering, {fam}): ergen adds the session", "none", n.address)
            continue
        s = rc.effective(e)
        grp = f" (peer group {e.group})" if e.group else ""
        view.rows.append(Row(f"{fam} neighbor", f"{e.name} AS {s.remote_as}{grp}", f"{n.address} AS {n.remote_as}",
                             alike=s.remote_as == n.remote_as and (e.vrf or None) == (n.vrf or None)))
        if (e.vrf or None) != (n.vrf or None):
            add(n, n.family, "vrf", f"neighbor {e.name} is in {'VRF ' + e.vrf if e.vrf else 'the global table'}; "
                                    f"ergen: {'VRF ' + n.vrf if n.vrf else 'the global table'}")
        if s.remote_as != n.remote_as:
            add(n, n.family, "remote-as", f"neighbor {e.name}: remote AS {s.remote_as}; Microsoft's edge is AS "
                                          f"{n.remote_as}", str(s.remote_as), str(n.remote_as))
        if (s.local_as or None) != (n.local_as or None):
            add(n, n.family, "local-as", f"neighbor {e.name}: local-as {s.local_as or 'none'}; ergen: "
                                         f"{n.local_as or 'none'}", str(s.local_as or "none"), str(n.local_as or "none"))
        if s.shutdown:
            add(n, n.family, "shutdown", f"neighbor {e.name} is administratively shut down", "shutdown", "up")
        # key: compared in memory, never shown
        want_key = n.md5.reveal() if n.md5 else None
        have = s.key
        if have is None and want_key is None:
            key_e, key_g = "none", "none"
        elif have is None:
            key_e, key_g = "none", str(n.md5.ref)
            add(n, n.family, "key", f"neighbor {e.name}: no MD5 key; ergen sets the inventory's ({n.md5.ref})",
                "none", n.md5.ref)
        elif want_key is None:
            key_e, key_g = str(have), "none"
            add(n, n.family, "key", f"neighbor {e.name}: an MD5 key is set; the inventory gives none (the session "
                                    "drops if Azure has one and ergen removes it)", "set", "none")
        elif not have.clear:
            key_e, key_g = f"encrypted ({have.scheme})", str(n.md5.ref)
            add(n, n.family, "key", f"neighbor {e.name}: the key is encrypted ({have.scheme}): cannot compare it "
                                    f"with {n.md5.ref}; ergen writes the inventory's key", f"encrypted ({have.scheme})",
                n.md5.ref)
        elif have.value != want_key:
            key_e, key_g = "set (differs)", str(n.md5.ref)
            add(n, n.family, "key", f"neighbor {e.name}: the MD5 key differs from the inventory's ({n.md5.ref}); "
                                    "neither is shown", "differs", n.md5.ref)
        else:
            key_e, key_g = "same as the inventory's", str(n.md5.ref)
        view.rows.append(Row(f"{fam} MD5 key", key_e, key_g, alike=key_e in ("same as the inventory's", "none")
                             and (key_e == "none") == (key_g == "none")))
        # BFD
        bfd_e = "on" if s.bfd else "none"
        bfd_g = f"{n.bfd.interval_ms} ms x {n.bfd.multiplier}" if n.bfd else "none"
        if s.bfd:
            timers = s.bfd_timers or _interface_bfd(rc, serves, n)
            if timers and timers.interval_ms:
                bfd_e = f"{timers.interval_ms} ms x {timers.multiplier}"
        view.rows.append(Row(f"{fam} BFD", bfd_e, bfd_g))
        if n.bfd and not s.bfd:
            add(n, n.family, "bfd", f"neighbor {e.name}: no BFD (a failure of the far side is seen after the hold "
                                    f"time, 180 s, instead of {n.bfd.interval_ms * n.bfd.multiplier / 1000:g} s)",
                "none", bfd_g)
        elif s.bfd and not n.bfd:
            add(n, n.family, "bfd", f"neighbor {e.name}: BFD is on; the inventory turns it off", "on", "none")
        elif s.bfd and n.bfd and bfd_e not in ("on", bfd_g):
            add(n, n.family, "bfd", f"neighbor {e.name}: BFD {bfd_e}; ergen {bfd_g} (Microsoft's edge sends every "
                                    "300 ms)", bfd_e, bfd_g)
        # maximum-prefix
        mp_g = str(n.maximum_prefix.limit)
        view.rows.append(Row(f"{fam} maximum-prefix", str(s.max_prefix or "none"), mp_g))
        if s.max_prefix is None:
            add(n, n.family, "maximum-prefix", f"neighbor {e.name}: no maximum-prefix (a route leak from Azure "
                                               f"fills the table); ergen {mp_g}", "none", mp_g)
        elif s.max_prefix != n.maximum_prefix.limit:
            add(n, n.family, "maximum-prefix", f"neighbor {e.name}: maximum-prefix {s.max_prefix}; ergen {mp_g}",
                str(s.max_prefix), mp_g)
        # inbound
        _compare_inbound(rc, intent, n, e, s, view, add)
        _compare_outbound(rc, intent, n, e, s, view, add)

    # anchor routes
    anchors = {(st.vrf, st.prefix.cidr): st for st in intent.static_routes}
    for st in rc.statics:
        want = anchors.get((st.vrf, st.prefix))
        default = 5 if rc.platform == "junos" else 1       # a static route's distance when none is given
        d = st.distance or default
        if st.discard and want and d != want.distance:
            c = intent.circuits[0]
            why = ("it wins over the routes your IGP and iBGP learn for it" if d < 200
                   else "a real route for it still wins, as over ergen's")
            findings.append(Finding(intent.name, c.name, c.link, None, ipaddress.ip_network(st.prefix).version,
                                    "anchor-route", f"discard route {st.prefix} at distance {d} ({why}); ergen's "
                                    f"anchor is at {want.distance}", str(d), str(want.distance)))
    _compare_families(intent, findings)
    return findings, list(views.values())


def _tags(c: int | None, s: int | None) -> str:
    if c is None:
        return "untagged"
    return f"dot1q {c}" if s is None else f"qinq {s}.{c}"


def _interface_bfd(rc: RunningConfig, serves, n: IntentNeighbor):
    i = serves["interfaces"].get(n.interface)
    return i.bfd if i else None


def _compare_inbound(rc, intent, n, e, s, view, add) -> None:
    entry = _intent_policy(intent, n.route_map_in)
    comm = ()
    if entry.match_community_list:
        comm = next(c.communities for c in intent.community_lists if c.name == entry.match_community_list)
    accepts_e, accepts_g = [], []
    for prefix, tags, what in _inbound_probes(n, n.peering, comm):
        want = route_map_permits(intent, n.route_map_in, prefix, list(tags))
        got = _existing_accepts(rc, s, prefix, tags, "in")
        if want and what not in accepts_g:
            accepts_g.append(what)
        if got.accepted and what not in accepts_e:
            accepts_e.append(what)
        if got.accepted is None:
            add(n, n.family, "inbound", f"neighbor {e.name}: ergen cannot tell whether the inbound policy "
                                        f"({_fmt_policy(s.policy_in, s.prefix_list_in)}) accepts {what}"
                                        + (f" (policy {got.missing} is not in the config)" if got.missing else ""))
        elif got.accepted and not want:
            add(n, n.family, "inbound", f"neighbor {e.name}: inbound accepts {what} ({prefix}); ergen rejects it",
                "accepts", "rejects")
        elif want and not got.accepted:
            add(n, n.family, "inbound", f"neighbor {e.name}: inbound rejects {what} ({prefix}); ergen accepts it",
                "rejects", "accepts")
    view.rows.append(Row(f"IPv{n.family} inbound", f"{_fmt_policy(s.policy_in, s.prefix_list_in)}: accepts "
                         + (", ".join(accepts_e) or "nothing probed"),
                         f"{n.route_map_in}: accepts " + (", ".join(accepts_g) or "nothing probed")))
    # local preference on what both accept
    probe = _inbound_probes(n, n.peering, comm)[1]
    got = _existing_accepts(rc, s, probe[0], probe[1], "in")
    want_lp = entry.set_local_preference if entry.set_local_preference is not None else DEFAULT_LP
    if got.accepted:
        have_lp = _lp(got)
        view.rows.append(Row(f"IPv{n.family} local preference", str(have_lp), str(want_lp)))
        if have_lp != want_lp:
            add(n, n.family, "local-preference", f"neighbor {e.name}: routes from Microsoft get local preference "
                                                 f"{have_lp}; ergen {want_lp} ({'standby' if n.standby else 'active'} "
                                                 "link)", str(have_lp), str(want_lp))


def _compare_outbound(rc, intent, n, e, s, view, add) -> None:
    entry = _intent_policy(intent, n.route_map_out)
    pl = next(p for p in intent.prefix_lists if p.name == entry.match_prefix_list)
    want = permitted_prefixes(pl)
    got = _advertised_existing(rc, s, n.family, e.vrf, want)
    have = sorted(got, key=lambda p: (ipaddress.ip_network(p), p))
    unknown = [p for p, v in got.items() if v.accepted is None]
    view.rows.append(Row(f"IPv{n.family} advertises", ", ".join(have) or "nothing", ", ".join(want) or "nothing"))
    if unknown:
        add(n, n.family, "outbound", f"neighbor {e.name}: ergen cannot tell whether the outbound policy "
                                     f"({_fmt_policy(s.policy_out, s.prefix_list_out)}) sends {', '.join(unknown)}")
    extra = [p for p in have if p not in want and p not in unknown]
    missing = [p for p in want if p not in got]
    if extra or missing:
        add(n, n.family, "advertised",
            f"neighbor {e.name}: advertises different prefixes: "
            + "; ".join(x for x in (f"also {', '.join(extra)}" if extra else "",
                                     f"not {', '.join(missing)}" if missing else "") if x)
            + f" (ergen: {', '.join(want) or 'nothing'})", ", ".join(have) or "nothing", ", ".join(want) or "nothing")
    if not s.policy_out and not s.prefix_list_out and rc.platform not in ("junos", "ios-xr"):
        add(n, n.family, "outbound", f"neighbor {e.name}: no outbound filter (everything in the BGP table goes to "
                                     "Microsoft; ExpressRoute is never transit)", "none", n.route_map_out)
    want_prepend = list(entry.set_as_path_prepend)
    sample = [v for p, v in got.items() if p in want and v.accepted]
    have_prepend = sample[0].prepend if sample else []
    view.rows.append(Row(f"IPv{n.family} AS-path prepend", _prepend_text(have_prepend), _prepend_text(want_prepend)))
    if sample and have_prepend != want_prepend:
        add(n, n.family, "prepend", f"neighbor {e.name}: AS-path prepend {_prepend_text(have_prepend)}; ergen "
                                    f"{_prepend_text(want_prepend)} ({'standby' if n.standby else 'active'} link)",
            _prepend_text(have_prepend), _prepend_text(want_prepend))


def _prepend_text(p: list[int]) -> str:
    if not p:
        return "none"
    return f"{p[0]} x{len(p)}" if len(set(p)) == 1 else " ".join(map(str, p))


def _compare_families(intent: RouterIntent, findings: list[Finding]) -> None:
    """The standby link prepends IPv4 and IPv6 alike: say so when the router does one and not the other."""
    by = {}
    for f in findings:
        if f.topic == "prepend":
            by.setdefault((f.circuit, f.link, f.peering), {})[f.family] = f
    for n in intent.neighbors:
        if n.family != 6 or not n.standby:
            continue
        v4 = next((m for m in intent.neighbors if m.family == 4 and m.circuit == n.circuit and m.link == n.link
                   and m.peering == n.peering), None)
        if v4 is None:
            continue
        got = by.get((n.circuit, n.link, n.peering), {})
        f6, f4 = got.get(6), got.get(4)
        if f6 is not None and f6.existing == "none" and (f4 is None or f4.existing != "none"):
            findings.append(Finding(f6.router, n.circuit, n.link, n.peering, 6, "prepend",
                                    "IPv6 is not prepended like IPv4 on the standby link: Azure prefers this link "
                                    "for IPv6 (the other link carries IPv4)", "IPv4 only", "both"))
