"""The csp-example estate as writable test data (customers, hosts, Azure exports), for unit and integration
tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

import ergen
from ergen.estate import load_estate
from helpers import ROOT
from scenarios import IFACES

ESTATE = ROOT / "inventories" / "csp-example"
PORTS = ("TenGigabitEthernet0/1/0", "TenGigabitEthernet0/2/0")


class Estate:
    """A writable copy of csp-example: customers, hosts and the Azure exports as Python data."""

    def __init__(self, root: Path):
        self.root = root
        self.customers = {p.stem: yaml.safe_load(p.read_text()) for p in (root / "customers").glob("*.yaml")}
        self.hosts = yaml.safe_load((root / "hosts.yaml").read_text())
        self.groups = yaml.safe_load((root / "groups.yaml").read_text())
        self.azure = {p.stem: json.loads(p.read_text()) for p in (root / "azure").glob("*.json")}
        self.circuits_yaml: dict = {}

    def circuit(self, customer: str) -> dict:
        return next(iter(self.customers[customer]["circuits"].values()))

    def peering(self, circuit: str, kind: str = "AzurePrivatePeering") -> dict:
        return next(p["properties"] for p in self.azure[circuit]["properties"]["peerings"] if p["name"] == kind)

    def save(self) -> Path:
        for name, data in self.customers.items():
            (self.root / "customers" / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        for p in (self.root / "customers").glob("*.yaml"):
            if p.stem not in self.customers:
                p.unlink()
        (self.root / "hosts.yaml").write_text(yaml.safe_dump(self.hosts, sort_keys=False))
        (self.root / "groups.yaml").write_text(yaml.safe_dump(self.groups, sort_keys=False))
        for name, data in self.azure.items():
            (self.root / "azure" / f"{name}.json").write_text(json.dumps(data, indent=2))
        if self.circuits_yaml:
            (self.root / "circuits.yaml").write_text(yaml.safe_dump(self.circuits_yaml, sort_keys=False))
        return self.root


def estate(tmp_path: Path, name: str = "estate") -> Estate:
    dest = tmp_path / name
    shutil.copytree(ESTATE, dest)
    return Estate(dest)


def for_platform(e: Estate, platform: str) -> Estate:
    if platform != "ios-xe":
        for h in e.hosts.values():
            h["platform"] = platform
        ports = dict(zip(PORTS, IFACES[platform]))
        for cust in e.customers.values():
            for c in cust["circuits"].values():
                for landing in c["landings"]:
                    landing["interface"] = ports[landing["interface"]]
    return e


def check(root: Path):
    inv = ergen.load_inventory(root)
    return ergen.validate(load_estate(inv), inv)


def plan(root: Path, platform: str | None = None):
    inv = ergen.load_inventory(root)
    return ergen.plan(load_estate(inv), inv, platform=platform), inv
