"""A whole estate at once: every circuit the inventory names, read from the Azure exports it points to.

``ergen render --all INV`` reads each circuit's Azure JSON from its ``source`` (relative to the
inventory; default ``azure/<circuit>.json``), checks every rule across all customers, and writes one
file per router with all the customers it carries. ``--customer C`` checks the same whole estate but
writes only the routers that carry C, so one customer's change touches no other file; within those
files, :func:`customer_lines` tells C's lines from the others' (the test that other customers' lines
stay byte-identical uses it, and so does the diff ``--customer`` prints).
"""

from __future__ import annotations

import re
from pathlib import Path

from ergen.errors import InputError
from ergen.intent.model import RouterIntent
from ergen.model.inventory import Inventory

DEFAULT_SOURCE = "azure/{circuit}.json"


def circuit_sources(inventory: Inventory) -> list[tuple[str, Path, str, str]]:
    """(circuit, JSON path, policy file, YAML path of its source) of every circuit in the inventory."""
    from ergen.rules.engine import Context
    ctx = Context(circuits=[], inventory=inventory)
    root = Path(inventory.path)
    out = []
    for key, pol in inventory.circuits.items():
        rel = pol.source or DEFAULT_SOURCE.format(circuit=key)
        out.append((key, root / rel, ctx.policy_file(key), f"{ctx.policy_where(key)}.source"))
    return out


def load_estate(inventory: Inventory) -> list:
    """Every circuit of the inventory, from its Azure export; a missing export names the policy's file."""
    from ergen.azure import load_circuits

    circuits, seen = [], {}
    for key, path, file, where in circuit_sources(inventory):
        if not path.is_file():
            raise InputError(f"{path} not found (the circuit's Azure export; set source: to its path, "
                             f"relative to {inventory.path})", file=file, field=where)
        for c in load_circuits(path):
            if c.name.lower() in seen:
                raise InputError(f"circuit {c.name!r} is also in {seen[c.name.lower()]}", file=str(path),
                                 field="name")
            seen[c.name.lower()] = str(path)
            circuits.append(c)
        if key.lower() not in seen:
            raise InputError(f"{path} does not hold circuit {key!r}", file=file, field=where)
    if not circuits:
        raise InputError("the inventory names no circuit (circuits.yaml or customers/)", file=inventory.path,
                         field="circuits")
    return circuits


def customer_routers(intents: list[RouterIntent], inventory: Inventory, customer: str) -> list[RouterIntent]:
    """The intents of the routers that carry ``customer``'s circuits."""
    if customer not in inventory.customers:
        known = ", ".join(sorted(inventory.customers)) or "none"
        raise InputError(f"no customer {customer!r} (known: {known})", file=inventory.path, field="--customer")
    mine = {k.lower() for k, p in inventory.circuits.items() if p.customer == customer}
    return [i for i in intents if any(c.name.lower() in mine for c in i.circuits)]


def customer_markers(intent: RouterIntent, inventory: Inventory, customer: str) -> tuple[str, ...]:
    """Words that mark a config line as the customer's: its circuits' names and owned prefix, its VRF,
    its subinterfaces, and its sessions in the global table (a VRF's are inside the VRF's block)."""
    mine = {k.lower() for k, p in inventory.circuits.items() if p.customer == customer}
    words = {c.owned_prefix for c in intent.circuits if c.name.lower() in mine}
    words |= {c.name for c in intent.circuits if c.name.lower() in mine}
    words |= {v.name for v in intent.vrfs if v.customer == customer}
    words |= {i.name for i in intent.interfaces if i.circuit.lower() in mine}
    words |= {n.address for n in intent.neighbors if n.circuit.lower() in mine and n.vrf is None}
    return tuple(sorted(words))


_CLOSERS = ("!", "}", "exit", "exit-address-family", "end", "exit-vrf")


def customer_lines(text: str, markers: tuple[str, ...]) -> list[bool]:
    """For each line of a rendered config: is it the customer's? A line is when it names a marker as a
    whole word (an owned prefix such as ER-TAG- as the start of one), when a block it sits in (by
    indentation) starts with such a line, or when it closes such a block (!, }, exit...)."""
    parts = []
    for m in sorted(markers, key=len, reverse=True):
        tail = "" if m.endswith("-") else r"(?![\w:/-]|\.\d)"
        parts.append(rf"(?<![\w.:/-]){re.escape(m)}{tail}")
    pat = re.compile("|".join(parts)) if parts else None
    out: list[bool] = []
    stack: list[tuple[int, bool]] = []   # open blocks: (indent, the customer's)
    for line in text.splitlines():
        body = line.strip()
        indent = len(line) - len(line.lstrip())
        closed = None
        while stack and stack[-1][0] >= indent:
            closed = stack.pop()
        inherited = any(o for _, o in stack)
        if body in _CLOSERS or not body:
            own = inherited or bool(closed and closed[0] == indent and closed[1])
        else:
            own = inherited or bool(pat and pat.search(line))
            stack.append((indent, own))
        out.append(own)
    return out


def others_lines(text: str, markers: tuple[str, ...]) -> list[str]:
    """The lines that are not the customer's, in order."""
    return [line for line, own in zip(text.splitlines(), customer_lines(text, markers)) if not own]


def diff_against_folder(folder: Path, intents: list[RouterIntent], *, templates=None) -> str:
    """Unified diffs (keys masked) of the files ``intents`` would write over those already in ``folder``."""
    from ergen.change.review import compare_configs
    from ergen.pipeline import render_configs

    new = render_configs(intents, templates=templates, show_secrets=True)
    old = {name: (folder / f"{name}.cfg").read_text(encoding="utf-8") for name in new
           if (folder / f"{name}.cfg").is_file()}
    lines = []
    for change in compare_configs(old, new, label_old="old", label_new="new"):
        if change.status == "unchanged":
            lines.append(f"{change.router}: unchanged")
        else:
            lines.append(f"{change.router}: {change.status}, +{change.added} -{change.removed}")
            lines += change.diff
    return "\n".join(lines) + "\n"
