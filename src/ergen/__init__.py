"""ergen: Azure ExpressRoute circuits → edge-router configs, diffs and pushes.

The Python API (the CLI calls exactly these)::

    from ergen import load_circuits, load_inventory, validate, plan, render_configs, write_configs
    circuits = load_circuits("examples/er-ams-prod.json")
    inventory = load_inventory("inventories/example")
    report = validate(circuits, inventory)          # rules: problems with codes and places
    result = plan(circuits, inventory)              # rules + per-router intent (raises on errors)
    configs = render_configs(result.intents)        # {router: text}, keys masked by default
    write_configs(result.intents, "out/")           # one file per router, atomically

Heavy or optional packages are imported by the functions that need them, so
``import ergen`` and ``ergen --help`` stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from ergen.pipeline import Plan


def load_circuits(path: Any, *, peerings: Any = None, port: Any = None):
    from ergen.azure import load_circuits as _load
    return _load(path, peerings=peerings, port=port)


def load_inventory(path: Any):
    from ergen.inventory import load_inventory as _load
    return _load(path)


def validate(circuits, inventory=None, *, platform: str | None = None, vpn=None):
    """Every problem: ExpressRoute's rules, then what each router's platform cannot express (ER801)."""
    from ergen.pipeline import check
    return check(circuits, inventory, platform=platform, vpn=vpn)


def plan(circuits, inventory, *, platform: str | None = None, vpn=None, drains=None) -> "Plan":
    """``vpn``: VPN gateways and connections (ergen.azure.load_vpn) for IPsec over ExpressRoute;
    ``drains``: {(circuit, link): ergen.intent.model.Drain}, links rendered with their traffic moved off."""
    from ergen.pipeline import plan as _plan
    return _plan(circuits, inventory, platform=platform, vpn=vpn, drains=drains)


def load_vpn(path: Any):
    from ergen.azure import load_vpn as _load
    return _load(path)


def render_configs(intents, *, templates=None, show_secrets: bool = False, fmt: str = "text") -> dict[str, str]:
    """``fmt="set"``: Junos routers in set form."""
    from ergen.pipeline import render_configs as _render
    return _render(intents, templates=templates, show_secrets=show_secrets, fmt=fmt)


def __getattr__(name: str):
    if name == "lab":  # ergen.lab: imported on first use
        import importlib
        return importlib.import_module("ergen.lab")
    raise AttributeError(name)


def write_configs(intents, out, *, templates=None, force: bool = False, fmt: str = "text"):
    from ergen.pipeline import write_configs as _write
    return _write(intents, out, templates=templates, force=force, fmt=fmt)
