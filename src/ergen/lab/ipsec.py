"""IPsec in the lab: Azure VPN gateway instances as namespaces (strongSwan + FRR), reached over the
private peering through a "VNet" bridge behind both Microsoft edges.

Each instance is configured from the gateway and connection JSON only (its private IP, its APIPA BGP
address, ASN 65515, Azure's proposals or the connection's policy); the on-premises end of each tunnel
(the router's tunnel source and BGP address) comes from the inventory, as it would from the local
network gateway. strongSwan runs with userspace IPsec (kernel-libipsec on a TUN device): this kernel
has no XFRM. Azure does not initiate BGP from APIPA addresses, so the instances' BGP is passive.

A Virtual WAN hub is the same pair of instances (Instance0, Instance1) answering as the hub's VPN
gateway does: its private IPs and default BGP addresses from the vpnGateways JSON, one BGP peer per
site link (the vpnSites JSON's BGP address, shared by both tunnels of a link), and BGP it initiates
itself (the site's address is not APIPA); the ESP SA lifetime the hub's configuration gives (3,600 s).
"""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ergen.lab import frr, netns
from ergen.lab.netns import LabError

# what an Azure route-based gateway accepts by default (expressroute-facts.md §5)
AZURE_IKE = "aes256-sha1-modp1024,aes256-sha256-modp1024,aes128-sha1-modp1024,aes128-sha256-modp1024," \
            "3des-sha1-modp1024,3des-sha256-modp1024"
AZURE_ESP = "aes256gcm16,aes256-sha1,3des-sha1,aes256-sha256,aes128-sha1,3des-sha256"
PLUGINS = "random nonce openssl pem pkcs1 pkcs8 x509 pubkey aes sha1 sha2 hmac gcm kdf gmp curve25519 " \
          "kernel-libipsec kernel-netlink socket-default vici updown"


@dataclass
class GatewaySim:
    name: str                 # the instance (ipConfiguration) name
    ns: str
    pathspace: str
    private_ip: str
    prefixlen: int
    bgp_ip: str               # its APIPA address
    asn: int
    peers: list[dict] = field(default_factory=list)   # {router, local_address, inner, psk, ike, esp, passive}
    vnet_address: str = ""    # an address "in the VNet" behind the gateway (pinged through the tunnel)


def charon_conf(workdir: Path) -> str:
    return f"""charon-systemd {{
  journal {{
    default = -1
  }}
}}
charon {{
  load_modular = no
  load = {PLUGINS}
  install_routes = no
  install_virtual_ip = no
  retransmit_timeout = 1.0
  retransmit_tries = 2
  retransmit_base = 1.4
  plugins {{
    vici {{
      socket = unix://{workdir}/charon.vici
    }}
  }}
  filelog {{
    main {{
      path = {workdir}/charon.log
      time_format = %T
      default = 1
      ike = 2
      flush_line = yes
    }}
  }}
}}
"""


def gateway_swanctl(g: GatewaySim) -> str:
    conns, secrets = [], []
    for i, p in enumerate(g.peers):
        conns.append(f"""  from-{p['router']} {{
    version = 2
    local_addrs = {g.private_ip}
    remote_addrs = {p['local_address']}
    proposals = {p['ike']}
    encap = yes
    dpd_delay = 10s
    local {{
      auth = psk
      id = {g.private_ip}
    }}
    remote {{
      auth = psk
      id = {p['local_address']}
    }}
    children {{
      to-{p['router']} {{
        local_ts = 0.0.0.0/0
        remote_ts = 0.0.0.0/0
        esp_proposals = {p['esp']}
        start_action = none
        dpd_action = clear
      }}
    }}
  }}""")
        secrets.append(f"""  ike-{i} {{
    id-local = {g.private_ip}
    id-remote = {p['local_address']}
    secret = "{p['psk']}"
  }}""")
    return "connections {\n" + "\n".join(conns) + "\n}\nsecrets {\n" + "\n".join(secrets) + "\n}\n"


def gateway_frr(g: GatewaySim, vnet_prefix: str, instances: list[GatewaySim] = ()) -> str:
    """FRR of one gateway instance. ``instances``: all of them; each reaches the others' VNet addresses over
    the gateway subnet, as Azure's instances both reach the whole VNet (a site's router spreads traffic over
    its tunnels by ECMP, so a packet for one instance's address may arrive at the other)."""
    l = ["interface ipsec0", f" ip address {g.bgp_ip}/32", "exit", "interface lo",
         f" ip address {g.vnet_address}/32", "exit", f"ip route {vnet_prefix} blackhole"]
    l += [f"ip route {o.vnet_address}/32 {o.private_ip}" for o in instances if o is not g]
    l += [f"ip route {p['inner']}/32 ipsec0" for p in g.peers]
    l += ["route-map ALL permit 10", "exit", f"router bgp {g.asn}", f" bgp router-id {g.private_ip}",
          " no bgp default ipv4-unicast"]
    for p in g.peers:
        l += [f" neighbor {p['inner']} remote-as {p['asn']}"]
        l += [f" neighbor {p['inner']} passive"] if p.get("passive", True) else []
        l += [f" neighbor {p['inner']} ebgp-multihop 2", f" neighbor {p['inner']} update-source {g.bgp_ip}",
              f" neighbor {p['inner']} timers 10 30"]
    l += [" address-family ipv4 unicast", f"  network {vnet_prefix}"]
    for p in g.peers:
        l += [f"  neighbor {p['inner']} activate", f"  neighbor {p['inner']} route-map ALL in",
              f"  neighbor {p['inner']} route-map ALL out"]
    l += [" exit-address-family", "exit", ""]
    return "\n".join(l)


def start_charon(ns: str, workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "strongswan.conf"
    conf.write_text(charon_conf(workdir))
    env = {**os.environ, "STRONGSWAN_CONF": str(conf)}
    subprocess.Popen(["ip", "netns", "exec", ns, "/usr/sbin/charon-systemd"], env=env, stdin=subprocess.DEVNULL,
                     stdout=open(workdir / "charon.stdout", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    vici = workdir / "charon.vici"
    deadline = time.monotonic() + 15
    while not vici.exists():
        if time.monotonic() > deadline:
            raise LabError(f"strongSwan did not start in {ns} (see {workdir / 'charon.stdout'})")
        time.sleep(0.05)
    # kernel-libipsec routes everything into its TUN through table 220: only our own routes may use it
    for _ in range(50):
        if netns.run("ip", "rule", "del", "lookup", "220", ns=ns, check=False).returncode != 0:
            break


def load_swanctl(workdir: Path, config_text: str) -> None:
    f = workdir / "swanctl.conf"
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(config_text)
    res = netns.run("swanctl", "--load-all", "--file", str(f), "--uri", f"unix://{workdir}/charon.vici",
                    check=False, timeout=30)
    if res.returncode != 0:
        raise LabError(f"swanctl could not load {f}: {(res.stderr or res.stdout).strip()[:300]}")


def sa_states(workdir: Path) -> dict[str, str]:
    """IKE SA name -> state (ESTABLISHED, CONNECTING, ...), CHILD SAs as '<name>/child' -> INSTALLED."""
    res = netns.run("swanctl", "--list-sas", "--raw", "--uri", f"unix://{workdir}/charon.vici", check=False)
    out: dict[str, str] = {}
    for m in re.finditer(r"([\w.-]+) \{uniqueid=\d+ version=\d+ state=(\w+)", res.stdout):
        out[m.group(1)] = m.group(2)
    for m in re.finditer(r"\{name=([\w.-]+) uniqueid=\d+ reqid=\d+ state=(\w+)", res.stdout):
        if out.get(f"{m.group(1)}/child") != "INSTALLED":
            out[f"{m.group(1)}/child"] = m.group(2)
    return out


def failure_reason(workdir: Path) -> str | None:
    try:
        log = (workdir / "charon.log").read_text(errors="replace")
    except OSError:
        return None
    for word in ("NO_PROPOSAL_CHOSEN", "AUTHENTICATION_FAILED", "TS_UNACCEPTABLE", "INVALID_KE_PAYLOAD"):
        if word in log:
            return word
    if "retransmit" in log and "giving up" in log:
        return "no answer from the gateway (retransmits given up)"
    return None


def vnet_subnet(ips: list[str]) -> ipaddress.IPv4Network:
    return ipaddress.ip_network(f"{ips[0]}/24", strict=False)
