"""Running configs (ergen adopt, init --from-running) mutated line by line: a parser and the whole adopt
(find, compare, plan the migration) raise nothing but a one-line InputError, whatever the router sent."""

from __future__ import annotations

import pathlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ergen
from ergen.adopt import adopt
from ergen.adopt.parsers import parse_running
from ergen.errors import InputError

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "fixtures" / "running"
SEEDS = {"ios-xe": "ios-xe/ams-er-r1.cfg", "eos": "eos/ams-er-r1.cfg", "nx-os": "nx-os/ams-er-r2.cfg",
         "ios-xr": "ios-xr/ams-er-r1.cfg", "junos": "junos/ams-er-r1.conf", "frr": "frr/ams-er-r1.conf"}
JUNK = ["", " ", "}", "{", "!", "exit", "end-policy", "endif", "neighbor", "router bgp", "interface",
        "route-map X permit", "ip prefix-list L seq x permit 1.2.3.4/40", "set", "delete", "\x00", "é", "\u2028",
        "neighbor 2001:DB8::2 remote-as", "address-family ipv6", "password 7", "  ", "\t", "#", "/*"]


@st.composite
def mutated(draw, text: str):
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["drop", "dup", "junk", "cut", "indent", "swap"]))
        if not lines:
            lines = [""]
        i = draw(st.integers(0, len(lines) - 1))
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "junk":
            lines.insert(i, draw(st.sampled_from(JUNK)))
        elif op == "cut":
            lines[i] = lines[i][: draw(st.integers(0, max(0, len(lines[i]))))]
        elif op == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


@pytest.mark.parametrize("platform", list(SEEDS))
def test_parsers_and_adopt_never_crash(platform):
    seed = (FIX / SEEDS[platform]).read_text()
    circuits = ergen.load_circuits(ROOT / "examples" / "er-ams-prod.json")
    inv = ergen.load_inventory(ROOT / "inventories" / "example")
    if platform == "frr":                     # Linux interface names: the lab's er0
        from ergen.lab import lab_inventory
        inv = lab_inventory(inv)
    intents = ergen.plan(circuits, inv, platform=platform).intents
    router = "ams-er-r2" if platform == "nx-os" else "ams-er-r1"

    @given(mutated(seed))
    def check(text):
        try:
            parse_running(platform, text, "fuzz")
            adopt(circuits, inv, {router: (text, "fuzz")}, intents=intents)
        except InputError as exc:
            assert "\n" not in str(exc)

    check()
