"""Config injection, generated: Azure's free text (the circuit's name, provider, location, service key,
tags, peering names; the VPN gateway's and its instances' names) filled with newlines, ``!``, ``#``,
``;``, braces, quotes, control characters, very long and non-ASCII strings, for every platform.

The proof that no extra command appears: the config rendered with the evil text has exactly the lines of
the config rendered with harmless placeholders, line for line, except the lines that carried a
placeholder (comments, descriptions); and the round-trip parser (what a router would read) finds exactly
the intent's neighbors and interfaces. An input the readers or rules refuse is safe too (one-line
error); at least some inputs must render, so the test cannot pass by refusing everything.
(tests/unit/test_render.py has the fixed-string version of this test.)
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import event, given, settings
from hypothesis import strategies as st

import ergen
from fuzzkit import EXAMPLES
from ergen.errors import ErgenError
from helpers import example_data, write_case
from scenarios import IFACES, PLATFORMS, SCENARIOS

PIECES = ["\n", "\r\n", "\r", "!", "#", ";", "{", "}", "{}", '"', "'", "`", "$(reboot)", "\\", "|", "&", "<", ">",
          "\u2028", "\u0085", "\x00", "\x1b[2J", "\t", "é", "Zürich", "日本", "🙂", "\ufeff", " " * 30,
          "\nrouter bgp 1\n neighbor 6.6.6.6 remote-as 1\n", "}\nprotocols { bgp { group X { neighbor 6.6.6.6; } } }\n{",
          "\ninterface Loopback666\n ip address 6.6.6.6 255.255.255.255\n", "; set protocols bgp group X neighbor 6.6.6.6",
          "\nend\n", "\nno router bgp 64500\n", "\nexit\nrouter bgp 1\n", "\" ; neighbor 6.6.6.6 remote-as 1 ; \"",
          "\n!\nline vty 0 4\n transport input all\n", "description x\nshutdown"]
evil_text = st.one_of(
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), min_size=1, max_size=8).map("".join),
    st.text(min_size=150, max_size=2000),
    st.builds(lambda p, n: p * n, st.sampled_from(PIECES), st.integers(20, 300)),
)
# Azure refuses control characters in a name and so do ergen's readers: a name gets the printable rest
evil_name = st.lists(st.one_of(st.sampled_from([p for p in PIECES if p.isprintable() and p.strip()]),
                               st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Cf", "Co", "Zl", "Zp", "Zs")),
                                       min_size=1, max_size=10)),
                     min_size=1, max_size=6).map("".join).filter(lambda s: s.strip() and len(s) <= 200)

FIELDS = ("serviceProviderName", "peeringLocation", "serviceKey", "location", "tag", "peering name")
PLACEHOLDER = {f: f"zqx{i}placeholder" for i, f in enumerate(FIELDS)}
NAME = "er-ams-prod"


def case(values: dict[str, str], name: str, platform: str, tmp: Path):
    c, h, g, ci = copy.deepcopy(example_data())
    props = c["properties"]
    props["serviceProviderProperties"]["serviceProviderName"] = values["serviceProviderName"]
    props["serviceProviderProperties"]["peeringLocation"] = values["peeringLocation"]
    props["serviceKey"] = values["serviceKey"]
    c["location"] = values["location"]
    c["tags"] = {"owner": values["tag"], values["tag"][:500] or "x": "1"}
    for p in props["peerings"]:
        p["name"] = p["properties"]["peeringType"]   # the kind comes from peeringType; the name is text
        p["properties"]["name"] = values["peering name"]
        p["properties"]["peeringType"] = p["properties"]["peeringType"]
    c["name"] = name
    for r in h.values():
        r["platform"] = platform
        for att in r["data"]["expressroute"]:
            att["circuit"] = name
            if platform != "ios-xe":
                att["interface"] = IFACES[platform][0]
    ci = {name: ci[NAME]}
    cfile, inv = write_case(tmp, c, h, g, ci)
    for f in (inv / "secrets").iterdir():
        f.chmod(0o600)
    result = ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv))
    return result, ergen.render_configs(result.intents, show_secrets=True)


def assert_no_extra_command(platform: str, evil: dict, base: dict, result, marks: list[str]):
    from ergen.roundtrip import parse
    for intent in result.intents:
        a, b = base[intent.name].splitlines(), evil[intent.name].splitlines()
        assert len(a) == len(b), f"{intent.name}: {len(b) - len(a):+d} lines"
        for x, y in zip(a, b):
            if x != y:
                assert any(m in x for m in marks), f"a line changed that carried no Azure text:\n{x!r}\n{y!r}"
        facts = parse(platform, evil[intent.name])
        assert sorted(a for _, a in facts.neighbors) == sorted(n.address for n in intent.neighbors)
        assert sorted(facts.interfaces) == sorted(i.name for i in intent.interfaces)
        for line in b:
            assert line.isprintable() or line == "", f"an unprintable character reached the config: {line!r}"


_rendered: dict[str, int] = {}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_azure_text_adds_no_command(platform):
    with tempfile.TemporaryDirectory() as tmp:
        base_result, base = case(PLACEHOLDER, NAME, platform, Path(tmp) / "base")
    marks = [*PLACEHOLDER.values(), NAME]

    @settings(max_examples=max(15, EXAMPLES // 10))
    @given(values=st.fixed_dictionaries({f: evil_name if f == "peering name" else evil_text for f in FIELDS}),
           name=st.one_of(st.just(NAME), evil_name))
    def one(values, name):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                result, evil = case(values, name, platform, Path(tmp))
            except ErgenError as exc:   # refused: safe, if it is one line
                assert "\n" not in str(exc)
                event("refused")
                return
        event("rendered")
        _rendered[platform] = _rendered.get(platform, 0) + 1
        assert_no_extra_command(platform, evil, base, result, marks + [name])

    one()
    assert _rendered.get(platform, 0) >= 5, "almost every input was refused: the test proves nothing"


VPN = SCENARIOS / "ipsec-private"


@pytest.mark.parametrize("platform", ["ios-xe", "frr"])
@settings(max_examples=max(10, EXAMPLES // 20))
@given(gw_name=evil_name, inst=st.lists(evil_name, min_size=2, max_size=2, unique=True))
def test_vpn_gateway_names_add_no_command(platform, gw_name, inst):
    """The gateway's and its instances' names print in descriptions (and name the tunnels' peers)."""
    from scenarios import inventory_for
    gw = json.loads((VPN / "gateway.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inv = inventory_for("ipsec-private", platform, tmp)
        conns = []
        for f in ("connection-r1.json", "connection-r2.json"):
            conn = json.loads((VPN / f).read_text())
            conns.append(conn)
        out = {}
        for label, name, names in (("base", "vgw-hub-weu", ["default", "activeActive"]), ("evil", gw_name, inst)):
            g = copy.deepcopy(gw)
            g["name"] = name
            old = [c["name"] for c in g["properties"]["ipConfigurations"]]
            for c, new in zip(g["properties"]["ipConfigurations"], names):
                c["name"] = new
            text = json.dumps(g)
            for o, new in zip(old, names):   # the BGP entries name the ip configurations by id
                text = text.replace(f"/ipConfigurations/{o}\"", f"/ipConfigurations/{json.dumps(new)[1:-1]}\"")
            (tmp / f"{label}-gw.json").write_text(text)
            for k, conn in enumerate(conns):
                (tmp / f"{label}-c{k}.json").write_text(json.dumps(conn))
            try:
                vpn = [ergen.load_vpn(tmp / f"{label}-gw.json"), *(ergen.load_vpn(tmp / f"{label}-c{k}.json")
                                                                   for k in range(len(conns)))]
                result = ergen.plan(ergen.load_circuits(ergen_example()), ergen.load_inventory(inv), vpn=vpn)
            except ErgenError as exc:
                assert label == "evil" and "\n" not in str(exc)
                return
            from ergen.pipeline import render_extra
            out[label] = (result, {**ergen.render_configs(result.intents, show_secrets=True),
                                   **render_extra(result.intents, show_secrets=True)})
    (_, base), (result, evil) = out["base"], out["evil"]
    marks = ["vgw-hub-weu", "default", "activeActive", gw_name, *inst]
    for key in base:
        a, b = base[key].splitlines(), evil[key].splitlines()
        assert len(a) == len(b), key
        for x, y in zip(a, b):
            if x != y:
                assert any(m in x for m in marks[:3]), f"{key}: a line changed that carried no Azure name:\n{x!r}\n{y!r}"
    from ergen.roundtrip import parse
    for intent in result.intents:
        facts = parse(platform, evil[intent.name])
        assert sorted(a for _, a in facts.neighbors) == sorted(n.address for n in intent.neighbors)


def ergen_example():
    from helpers import EXAMPLE_CIRCUIT
    return EXAMPLE_CIRCUIT


def test_placeholders_reach_the_config():
    """The comparison above only means something if the placeholders are printed."""
    with tempfile.TemporaryDirectory() as tmp:
        _, base = case(PLACEHOLDER, NAME, "ios-xe", Path(tmp))
    text = "\n".join(base.values())
    for f in ("serviceProviderName", "peeringLocation", "serviceKey"):
        assert PLACEHOLDER[f] in text, f
    assert yaml  # (imported for write_case's YAML)
