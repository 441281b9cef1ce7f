"""Shared helpers: build cases from the bundled example by mutating plain data, then load them
through the real readers (so file names and JSON paths in problems are the real ones)."""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_CIRCUIT = ROOT / "examples" / "er-ams-prod.json"
EXAMPLE_INVENTORY = ROOT / "inventories" / "example"
SCENARIOS = ROOT / "tests" / "scenarios"


def example_data() -> tuple[dict, dict, dict, dict]:
    circuit = json.loads(EXAMPLE_CIRCUIT.read_text())
    hosts = yaml.safe_load((EXAMPLE_INVENTORY / "hosts.yaml").read_text())
    groups = yaml.safe_load((EXAMPLE_INVENTORY / "groups.yaml").read_text())
    circuits = yaml.safe_load((EXAMPLE_INVENTORY / "circuits.yaml").read_text())
    return circuit, hosts, groups, circuits


def write_case(tmp: Path, circuit: dict, hosts: dict, groups: dict | None, circuits: dict | None,
               secrets: dict[str, str] | None = None) -> tuple[Path, Path]:
    """Write a circuit JSON and an inventory folder under tmp; return (circuit file, inventory dir)."""
    inv = tmp / "inv"
    (inv / "secrets").mkdir(parents=True, exist_ok=True)
    cfile = tmp / "circuit.json"
    cfile.write_text(json.dumps(circuit, indent=2))
    (inv / "hosts.yaml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    if groups is not None:
        (inv / "groups.yaml").write_text(yaml.safe_dump(groups, sort_keys=False))
    if circuits is not None:
        (inv / "circuits.yaml").write_text(yaml.safe_dump(circuits, sort_keys=False))
    default_secrets = {"er-ams-prod-private.md5": "ExampleKey2026ams",
                       "er-ams-prod-microsoft.md5": "ExampleMsftKey2026"}
    for name, value in {**default_secrets, **(secrets or {})}.items():
        (inv / "secrets" / name).write_text(value + "\n")
    return cfile, inv


def peering(circuit: dict, kind: str) -> dict:
    for p in circuit["properties"]["peerings"]:
        if p["properties"]["peeringType"] == kind:
            return p["properties"]
    raise KeyError(kind)


def deep(d):
    return copy.deepcopy(d)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


# Labs made by tests carry a tag of this test run (ERGEN_TEST_LAB_TAG, else from the process ID), so two runs
# on one host (a CI job beside a developer's run) never take down or reuse each other's namespaces.
LAB_TAG = os.environ.get("ERGEN_TEST_LAB_TAG") or _base36(os.getpid() % 36 ** 3).rjust(3, "0")


def lab_name(base: str) -> str:
    """A lab name for a test: ``base`` (at most 5 characters) and this run's tag."""
    assert len(base) + len(LAB_TAG) <= 8, base
    return base + LAB_TAG


def require(binary: str) -> str:
    """The path of a binary an integration test needs. Missing: skip locally, fail in CI (CI=true)."""
    path = shutil.which(binary) or (binary if os.path.exists(binary) else None)
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{binary} is required in CI (install it in .ci/run)")
    pytest.skip(f"{binary} not installed")
