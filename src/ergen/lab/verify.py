"""``ergen lab check``: compare what FRR really did with what the intent says it should."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ergen.lab import frr, netns
from ergen.lab.netns import LabError


@dataclass
class SessionCheck:
    session: str
    state: str
    bfd: str
    sent: list[str]
    expected_sent: list[str]
    received: list[str]
    expected_received: list[str]
    edge_as_path: dict[str, str] = field(default_factory=dict)
    expected_as_path: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class CheckReport:
    name: str
    sessions: list[SessionCheck]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.sessions)

    def as_dict(self) -> dict:
        return {"lab": self.name, "ok": self.ok,
                "sessions": [{**asdict(s), "ok": s.ok} for s in self.sessions]}


def _routes(pathspace: str, family: int, neighbor: str, which: str) -> dict:
    afi = "ipv4" if family == 4 else "ipv6"
    try:
        data = frr.vtysh_json(pathspace, f"show bgp {afi} unicast neighbors {neighbor} {which} json")
    except LabError:
        return {}
    key = "advertisedRoutes" if which == "advertised-routes" else "routes"
    return data.get(key) or {}


def _bfd(pathspace: str) -> dict[str, str]:
    try:
        data = frr.vtysh_json(pathspace, "show bfd peers json")
    except LabError:
        return {}
    return {p.get("peer"): p.get("status", "?") for p in data} if isinstance(data, list) else {}


def check_lab(state: dict) -> CheckReport:
    out = []
    bfd_cache: dict[str, dict[str, str]] = {}
    for s in state["sessions"]:
        label = f"{s['router']} {s['link']} {s['peering']} IPv{s['family']}"
        nb = frr.vtysh_json(s["ce_pathspace"], f"show bgp neighbors {s['edge_address']} json").get(
            s["edge_address"], {})
        st = nb.get("bgpState", "unknown")
        bfd = bfd_cache.setdefault(s["ce_pathspace"], _bfd(s["ce_pathspace"])).get(s["edge_address"], "none")
        sent = sorted(_routes(s["ce_pathspace"], s["family"], s["edge_address"], "advertised-routes"))
        received = sorted(_routes(s["ce_pathspace"], s["family"], s["edge_address"], "routes"))
        if s.get("edge_kind") == "bird":
            from ergen.lab import bird
            paths = bird.routes(s["edge_socket"], f"ce_v{s['family']}")
        else:
            at_edge = _routes(s["edge_pathspace"], s["family"], s["ce_address"], "routes")
            paths = {p: (v[0].get("path", "") if isinstance(v, list) and v else "") for p, v in at_edge.items()}
        want_path = " ".join([str(s["ce_asn"])] * (1 + s["prepend"]))
        c = SessionCheck(session=label, state=st, bfd=bfd, sent=sent, expected_sent=sorted(s["expected_sent"]),
                         received=received, expected_received=sorted(s["expected_received"]),
                         edge_as_path=paths, expected_as_path=want_path)
        if s.get("shutdown"):          # drained with --mode shutdown: down on purpose, and it must be
            reason = str(nb.get("lastResetDueTo", "")) + str(nb.get("lastNotificationReason", ""))
            if st == "Established":
                c.problems.append("BGP Established: the drain should have shut the session down")
            elif "Admin" not in reason and "shutdown" not in reason.lower() and \
                    "Administratively" not in str(nb.get("bgpStateIs", "")):
                c.problems.append(f"BGP {st} but not administratively shut down" + _why_down(s, nb))
            out.append(c)
            continue
        if st != "Established":
            c.problems.append(f"BGP {st}" + _why_down(s, nb))
        else:
            if c.sent != c.expected_sent:
                c.problems.append(_diff("sent", c.sent, c.expected_sent))
            if c.received != c.expected_received:
                c.problems.append(_diff("received", c.received, c.expected_received))
            if sorted(paths) != c.expected_sent:
                c.problems.append(_diff("arrived at the edge", sorted(paths), c.expected_sent))
            wrong = sorted(p for p, path in paths.items() if path != want_path)
            if wrong:
                c.problems.append(f"AS path at the edge for {', '.join(wrong)} is {paths[wrong[0]]!r}, "
                                  f"intent says {want_path!r}")
            if bfd not in ("up", "none"):
                c.problems.append(f"BFD {bfd}")
        out.append(c)
    out += _tunnels(state)
    return CheckReport(state["name"], out)


def _tunnels(state: dict) -> list[SessionCheck]:
    """IPsec: each router's tunnel to each gateway instance: IKE and CHILD SA, BGP inside."""
    from pathlib import Path

    from ergen.lab.ipsec import failure_reason, sa_states

    out = []
    routers = {r["name"]: r for r in state["routers"]}
    for t in state.get("tunnels", []):
        r = routers[t["router"]]
        work = Path(state["workdir"]) / r["pathspace"] / "ipsec"
        sas = sa_states(work)
        ike, child = sas.get(t["name"], "none"), sas.get(f"{t['name']}/child", "none")
        nb = frr.vtysh_json(r["pathspace"], f"show bgp neighbors {t['inner_remote']} json").get(t["inner_remote"], {})
        st = nb.get("bgpState", "unknown")
        c = SessionCheck(session=f"{t['router']} IPsec {t['name']} to {t['gateway']}", state=st,
                         bfd=f"IKE {ike}, CHILD {child}", sent=[], expected_sent=[], received=[], expected_received=[])
        if ike != "ESTABLISHED" or child != "INSTALLED":
            why = failure_reason(work)
            c.problems.append(f"tunnel not up (IKE {ike}, CHILD {child})" + (f": {why}" if why else ""))
        elif st != "Established":
            c.problems.append(f"BGP inside the tunnel {st}")
        out.append(c)
    return out


def _diff(what: str, got: list[str], want: list[str]) -> str:
    extra, missing = sorted(set(got) - set(want)), sorted(set(want) - set(got))
    parts = [f"extra {', '.join(extra)}" if extra else "", f"missing {', '.join(missing)}" if missing else ""]
    return f"{what}: " + "; ".join(p for p in parts if p)


def _why_down(s: dict, nb: dict) -> str:
    edge = netns.tcp_md5_counters(s["edge_ns"])
    ce = netns.tcp_md5_counters(s["ce_ns"])
    if edge.get("TCPMD5Failure", 0) or ce.get("TCPMD5Failure", 0):
        return (f": MD5 key mismatch (segments with a wrong MD5 signature: edge {edge.get('TCPMD5Failure', 0)}, "
                f"router {ce.get('TCPMD5Failure', 0)})")
    if edge.get("TCPMD5NotFound", 0) or ce.get("TCPMD5NotFound", 0):
        return ": MD5 key missing on one side (TCPMD5NotFound)"
    if edge.get("TCPMD5Unexpected", 0) or ce.get("TCPMD5Unexpected", 0):
        return ": one side sends MD5 the other does not expect (TCPMD5Unexpected)"
    reason = nb.get("lastNotificationReason") or nb.get("lastResetDueTo")
    return f": {reason}" if reason else ""
