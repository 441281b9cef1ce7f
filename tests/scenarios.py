"""The reference scenarios: (name, platform) → (circuit file, inventory folder)."""

from __future__ import annotations

from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT, SCENARIOS

GOLDEN = ROOT / "tests" / "golden"

CASES = {
    ("private-only", "ios-xe"): (SCENARIOS / "private-only" / "circuit.json", SCENARIOS / "private-only" / "inventory-ios-xe"),
    ("private-only", "frr"): (SCENARIOS / "private-only" / "circuit.json", SCENARIOS / "private-only" / "inventory-frr"),
    ("private-microsoft", "ios-xe"): (EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY),
    ("private-microsoft", "frr"): (EXAMPLE_CIRCUIT, SCENARIOS / "private-microsoft" / "inventory-frr"),
}


def plan_case(scenario: str, platform: str):
    import ergen
    circuit, inventory = CASES[(scenario, platform)]
    return ergen.plan(ergen.load_circuits(circuit), ergen.load_inventory(inventory))
