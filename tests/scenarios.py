"""The reference scenarios, rendered for every platform.

Each scenario is a circuit JSON (and, for ExpressRoute Direct, the port's JSON) with an inventory
written for IOS-XE; for another platform the harness copies the inventory, sets the platform and
renames the provider-facing interfaces in order of appearance (IFACES below). The core scenarios
render on all six platforms; the extras only where capabilities.yaml has their features.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml

from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT, SCENARIOS

GOLDEN = ROOT / "tests" / "golden"
PLATFORMS = ("ios-xe", "junos", "junos-srx", "eos", "nx-os", "ios-xr", "frr")
IFACES = {
    "junos": ["xe-0/1/0", "xe-0/1/1", "ge-0/0/2"],
    "junos-srx": ["xe-0/0/0", "xe-0/0/1", "ge-0/0/2"],
    "eos": ["Ethernet1", "Ethernet2", "Ethernet3"],
    "nx-os": ["Ethernet1/1", "Ethernet1/2", "Ethernet1/3"],
    "ios-xr": ["TenGigE0/0/0/1", "TenGigE0/0/0/2", "GigabitEthernet0/0/0/3"],
    "frr": ["eth1", "eth2", "eth3"],
}


def _s(name: str, port: bool = False, vpn: tuple[str, ...] = ()):
    d = SCENARIOS / name
    return d / "circuit.json", d / "inventory", (d / "port.json") if port else None, tuple(d / v for v in vpn)


CORE = {
    "private-only": _s("private-only"),
    "private-microsoft": (EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, None, ()),
    "qinq-direct": _s("qinq-direct", port=True),
    "dual-stack": _s("dual-stack"),
    "private-vrf": _s("private-vrf"),
    "active-active": _s("active-active"),
}
EXTRAS = {
    "direct-macsec-shaper": (_s("direct-macsec-shaper", port=True), ("macsec", "shaper")),
    "microsoft-nat": (_s("microsoft-nat"), ("nat",)),
    "ipsec-private": ((EXAMPLE_CIRCUIT, SCENARIOS / "ipsec-private" / "inventory", None,
                       tuple(SCENARIOS / "ipsec-private" / f for f in
                             ("gateway.json", "connection-r1.json", "connection-r2.json"))), ("ipsec",)),
    "ipsec-microsoft": ((EXAMPLE_CIRCUIT, SCENARIOS / "ipsec-microsoft" / "inventory", None,
                         tuple(SCENARIOS / "ipsec-microsoft" / f for f in
                               ("gateway.json", "connection-r1.json", "connection-r2.json"))), ("ipsec",)),
    "ipsec-vwan": ((EXAMPLE_CIRCUIT, SCENARIOS / "ipsec-vwan" / "inventory", None,
                    tuple(SCENARIOS / "ipsec-vwan" / f for f in
                          ("vpn-gateway.json", "vpn-connection.json", "vpn-site.json", "er-gateway.json"))),
                   ("ipsec",)),
    # two circuits of one site (preferred + backup) with ergen's iBGP mesh between its four routers
    "site-ibgp": (((ROOT / "examples" / "er-ams-prod.json", ROOT / "examples" / "er-fra-dr.json"),
                   ROOT / "inventories" / "resilient-site", None, ()), ("ibgp",)),
}
LOOPBACK = {"ios-xe": "Loopback100", "junos": "lo0", "junos-srx": "lo0.100", "eos": "Loopback100", "nx-os": "loopback100",
            "ios-xr": "Loopback100", "frr": "lo"}
IBGP_LOOPBACK = {"ios-xe": "Loopback0", "junos": "lo0.0", "junos-srx": "lo0.0", "eos": "Loopback0",
                 "nx-os": "loopback0", "ios-xr": "Loopback0", "frr": "lo"}
BGP_LOOPBACK = {"ios-xe": "Loopback101", "junos": None, "junos-srx": None, "eos": "Loopback101",
                "nx-os": "loopback101", "ios-xr": "Loopback101", "frr": "lo"}


def supported(platform: str, feats) -> bool:
    from ergen.platforms import platforms
    return all(platforms()[platform].supports(f) for f in feats)


def rendered_platforms() -> tuple[str, ...]:
    """The platforms whose template folder exists (all six once the platform work is in)."""
    from ergen.platforms import family
    return tuple(p for p in PLATFORMS if (ROOT / "templates" / family(p) / "main.j2").exists())


_FEATURES: dict[str, frozenset[str]] = {}


def scenario_features(scenario: str) -> frozenset[str]:
    """The features a scenario uses: its intent on IOS-XE, which has every feature."""
    if scenario not in _FEATURES:
        _FEATURES[scenario] = frozenset().union(*(i.features for i in plan_case(scenario, "ios-xe").intents))
    return _FEATURES[scenario]


def all_scenarios() -> list[str]:
    return [*CORE, *EXTRAS]


def cases() -> list[tuple[str, str]]:
    """Every scenario × rendered platform whose platform has all the scenario's features."""
    return [(s, p) for s in all_scenarios() for p in rendered_platforms() if supported(p, scenario_features(s))]


def unsupported_cases() -> list[tuple[str, str, str]]:
    """Each unsupported cell of the matrix, with a scenario that uses that feature."""
    from ergen.platforms import platforms
    out = []
    for p in PLATFORMS:
        for f in sorted(platforms()[p].unsupported):
            s = next((s for s in all_scenarios() if f in scenario_features(s)), None)
            out.append((s, p, f))
    return out


def files(scenario: str):
    return CORE[scenario] if scenario in CORE else EXTRAS[scenario][0]


def inventory_for(scenario: str, platform: str, dest: Path) -> Path:
    """A copy of the scenario's inventory for ``platform`` (interfaces renamed in order of appearance)."""
    _, inv, _, _ = files(scenario)
    out = dest / f"inv-{scenario}-{platform}"
    shutil.copytree(inv, out)
    if platform == "ios-xe":
        return out
    hosts = yaml.safe_load((out / "hosts.yaml").read_text())
    names: dict[str, str] = {}
    for h in hosts.values():
        h["platform"] = platform
        for att in h.get("data", {}).get("expressroute", []):
            att["interface"] = names.setdefault(att["interface"], IFACES[platform][len(names)])
            if "nat_inside" in att:
                att["nat_inside"] = [names.setdefault(i, IFACES[platform][len(names)]) for i in att["nat_inside"]]
        for att in h.get("data", {}).get("ipsec", []):
            att["local_interface"] = LOOPBACK[platform]
            if "bgp_interface" in att:   # Junos: the BGP address joins the tunnel source's lo0 unit
                att["bgp_interface"] = BGP_LOOPBACK[platform]
                if att["bgp_interface"] is None:
                    del att["bgp_interface"]
    (out / "hosts.yaml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    if (out / "sites.yaml").exists():       # the iBGP mesh's loopbacks, in the platform's names
        sites = yaml.safe_load((out / "sites.yaml").read_text())
        for site in sites.values():
            for peer in (site.get("ibgp") or {}).values():
                if "source" in peer:
                    peer["source"] = IBGP_LOOPBACK[platform]
        (out / "sites.yaml").write_text(yaml.safe_dump(sites, sort_keys=False))
    return out


def plan_case(scenario: str, platform: str):
    import ergen
    from ergen.azure import load_vpn
    circuit, _, port, vpn = files(scenario)
    with tempfile.TemporaryDirectory() as tmp:
        inv = inventory_for(scenario, platform, Path(tmp))
        circuits = [c for f in (circuit if isinstance(circuit, tuple) else (circuit,))
                    for c in ergen.load_circuits(f, port=port)]
        return ergen.plan(circuits, ergen.load_inventory(inv), vpn=[load_vpn(v) for v in vpn])
