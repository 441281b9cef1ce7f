"""BIRD 2 as Microsoft's edge in the lab (``ergen lab up --edge bird``): a second BGP implementation, so a
mistake shared by ergen's FRR config and an FRR-simulated edge cannot pass unnoticed.

Configured, like the FRR edge, from the circuit JSON alone: ASN 12076 (or the peering's azureASN),
Microsoft's address of each /30 and /126, the peering's MD5 key, BFD 300 ms x 3, Azure's maximum-prefix
toward the customer (import limit), and the lab's Azure routes (VNet ranges on private peering; service
prefixes tagged with Microsoft's communities on Microsoft peering). Routes learned from the customer go
into the namespace's kernel table, so the Azure test address answers the LAN's pings.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from ergen.lab.netns import LabError, run


def check_installed() -> None:
    if not shutil.which("bird") or not shutil.which("birdc"):
        raise LabError("BIRD 2 is not installed (Debian: apt-get install bird2); --edge bird needs bird and birdc")


def _comm(values: list[str]) -> str:
    return "; ".join(f"bgp_community.add(({v.split(':')[0]},{v.split(':')[1]}))" for v in values)


def edge_config(*, asn: int, router_id: str, peers: list[tuple[int, str, str]], peer_asn: int,
                announce: list, md5: str | None, limit4: int, limit6: int, log: Path) -> str:
    """``peers``: (family, our address, the customer's address); ``announce``: lab Announce (prefix,
    communities)."""
    v4 = [a for a in announce if ":" not in a.prefix]
    v6 = [a for a in announce if ":" in a.prefix]
    lines = [f'log "{log}" all;', f"router id {router_id};", "", "protocol device {}", "",
             "protocol kernel k4 { ipv4 { import none; export all; }; }",
             "protocol kernel k6 { ipv6 { import none; export all; }; }", ""]
    for fam, routes in ((4, v4), (6, v6)):
        if routes:
            lines.append(f"protocol static s{fam} {{ ipv{fam};")
            lines += [f"  route {a.prefix} blackhole;" for a in routes]
            lines.append("}")
    lines += ["", 'protocol bfd { interface "ce0" { min rx interval 300 ms; min tx interval 300 ms; multiplier 3; }; }',
              ""]
    for fam, routes in ((4, v4), (6, v6)):
        lines.append(f"filter send{fam} {{")
        for a in routes:
            if a.communities:
                lines.append(f"  if net = {a.prefix} then {{ {_comm(a.communities)}; accept; }}")
        lines += ["  if source = RTS_STATIC then accept;", "  reject;", "}", ""]
    for fam, ours, theirs in peers:
        lines += [f"protocol bgp ce_v{fam} {{",
                  f"  local {ours} as {asn};",
                  f"  neighbor {theirs} as {peer_asn};",
                  "  hold time 180; keepalive time 60; connect retry time 1;",
                  "  error wait time 1, 10;     # BIRD waits 60-300 s after an error by default",
                  "  bfd on;"]
        if md5:
            lines.append(f'  password "{md5}";')
        lines += [f"  ipv{fam} {{ import limit {limit4 if fam == 4 else limit6} action restart; import all; "
                  f"export filter send{fam}; }};", "}", ""]
    return "\n".join(lines) + "\n"


def start(ns: str, workdir: Path, config: str) -> str:
    """Start BIRD in ``ns`` with its own control socket; returns the socket path."""
    workdir.mkdir(parents=True, exist_ok=True)
    conf, sock, pid = workdir / "bird.conf", workdir / "bird.ctl", workdir / "bird.pid"
    conf.write_text(config)
    conf.chmod(0o600)
    res = run("bird", "-c", str(conf), "-s", str(sock), "-P", str(pid), ns=ns, check=False, timeout=30)
    if res.returncode != 0:
        raise LabError(f"BIRD did not start in {ns}: {(res.stderr or res.stdout).strip()[:300]}")
    return str(sock)


def routes(socket: str, protocol: str) -> dict[str, str]:
    """{prefix: AS path} of the routes BIRD learned from ``protocol``."""
    res = run("birdc", "-s", socket, "show", "route", "protocol", protocol, "all", check=False, timeout=20)
    out: dict[str, str] = {}
    current = None
    for line in res.stdout.splitlines():
        m = re.match(r"^([0-9a-fA-F:.]+/\d+)\s", line)
        if m:
            current = m.group(1)
            out[current] = ""
            continue
        m = re.match(r"^\s+BGP\.as_path:\s*(.*)$", line)
        if m and current:
            out[current] = " ".join(m.group(1).split())
    return out


def state(socket: str, protocol: str) -> str:
    """The BGP session's state as BIRD names it (Established, Active, Connect, ...)."""
    res = run("birdc", "-s", socket, "show", "protocols", protocol, check=False, timeout=20)
    for line in res.stdout.splitlines():
        w = line.split()
        if w and w[0] == protocol:
            return w[-1] if len(w) >= 6 else "unknown"
    return "unknown"
