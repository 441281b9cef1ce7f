"""Render: the two links are mirror images; Azure's text cannot become a command; secrets are masked."""

from __future__ import annotations

import difflib
import re

import pytest

import ergen
from ergen.errors import RenderError
from ergen.render.filters import cfg_text
from helpers import example_data, write_case
from scenarios import CORE, plan_case


def per_link_tokens(intent) -> set[str]:
    tokens = {intent.name, "primary", "secondary", "prepend", "local-preference"}
    if intent.router_id:
        tokens.add(intent.router_id)
    for i in intent.interfaces:
        tokens |= {i.name, i.ipv4.address}
        if i.ipv6:
            tokens.add(i.ipv6.address)
    for n in intent.neighbors:
        tokens.add(n.address)
    return tokens


@pytest.mark.parametrize("scenario,platform", [(s, p) for s in CORE for p in ("ios-xe", "frr")])
def test_links_differ_only_in_per_link_lines(scenario, platform):
    result = plan_case(scenario, platform)
    by_link = {i.circuits[0].link: i for i in result.intents}
    configs = ergen.render_configs(result.intents)
    a = configs[by_link["primary"].name].splitlines()
    b = configs[by_link["secondary"].name].splitlines()
    tokens = per_link_tokens(by_link["primary"]) | per_link_tokens(by_link["secondary"])
    changed = [l[2:] for l in difflib.ndiff(a, b) if l[:2] in ("- ", "+ ")]
    assert changed, "the two links' configs cannot be identical (addresses differ)"
    for line in changed:
        assert any(t in line for t in tokens), f"not a per-link line: {line!r}"
    # one structure, two links: line for line the same once the standby's prepends are set aside
    strip = lambda lines: [l for l in lines if "set as-path prepend" not in l]  # noqa: E731
    assert len(strip(a)) == len(strip(b))


@pytest.mark.parametrize("text,expected", [
    ("plain name", "plain name"),
    ("two\nlines", "two lines"),
    ("a!b#c;d{e}f\"g'h`i$j|k&l<m>n", "a_b_c_d_e_f_g_h_i_j_k_l_m_n"),
    ("Zürich Éire", "Zurich Eire"),
    ("tab\there\r\nend", "tab here end"),
    ("\u2028line sep\u0085", "line sep"),
])
def test_cfg_text(text, expected):
    assert cfg_text(text) == expected


def test_cfg_text_cuts_long_text():
    assert len(cfg_text("x" * 1000)) == 200
    assert len(cfg_text("y" * 1000, 80)) == 80


EVIL = {
    "serviceProviderName": "Equinix\nrouter bgp 1\n neighbor 6.6.6.6 remote-as 1\n!",
    "peeringLocation": "Amsterdam; reload\r\nend",
}


@pytest.mark.parametrize("platform", ["ios-xe", "frr"])
def test_azure_text_cannot_inject_commands(tmp_path, platform):
    c, h, g, ci = example_data()
    c["properties"]["serviceProviderProperties"].update(EVIL)
    c["properties"]["serviceKey"] = "key\ninterface Loopback666"
    for name in h:
        h[name]["platform"] = platform
        if platform == "frr":
            h[name]["data"]["expressroute"][0]["interface"] = "eth1"
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    result = ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv))
    for text in ergen.render_configs(result.intents).values():
        lines = text.splitlines()
        assert not any(re.match(r"\s*(neighbor 6\.6\.6\.6|reload|interface Loopback666|end$)", l)
                       for l in lines if not l.startswith("!")) or platform == "ios-xe" and lines[-1] == "end"
        assert [l for l in lines if l.strip().startswith("router bgp")] == ["router bgp 64500"]
        assert sum(1 for l in lines if l.strip() == "end") == (1 if platform == "ios-xe" else 0)
        assert not any("6.6.6.6" in l for l in lines if not l.startswith("!"))


def test_secrets_masked_unless_asked():
    result = plan_case("private-microsoft", "frr")
    masked = ergen.render_configs(result.intents)
    shown = ergen.render_configs(result.intents, show_secrets=True)
    for name in masked:
        assert "ExampleKey2026ams" not in masked[name] and "ExampleMsftKey2026" not in masked[name]
        assert "password <secret file:secrets/er-ams-prod-private.md5>" in masked[name]
        assert " password ExampleKey2026ams" in shown[name]
        assert " password ExampleMsftKey2026" in shown[name]


def test_user_templates_override_one_section(tmp_path):
    (tmp_path / "ios-xe").mkdir()
    (tmp_path / "ios-xe" / "bfd.j2").write_text("! site BFD policy lives elsewhere\n")
    result = plan_case("private-microsoft", "ios-xe")
    text = ergen.render_configs(result.intents, templates=tmp_path)["ams-er-r1"]
    assert "! site BFD policy lives elsewhere" in text
    assert "bfd-template single-hop" not in text
    assert "router bgp 64500" in text  # the other sections still come from the built-in folder


def test_user_template_using_missing_field_is_a_render_error(tmp_path):
    (tmp_path / "frr").mkdir()
    (tmp_path / "frr" / "bgp.j2").write_text("router bgp {{ r.no_such_field }}\n")
    result = plan_case("private-microsoft", "frr")
    with pytest.raises(RenderError) as exc:
        ergen.render_configs(result.intents, templates=tmp_path)
    assert "no_such_field" in str(exc.value) and "\n" not in str(exc.value)


def test_template_printing_a_raw_secret_is_refused(tmp_path):
    (tmp_path / "frr").mkdir()
    (tmp_path / "frr" / "bgp.j2").write_text("{% for n in r.neighbors %}pw {{ n.md5 }}\n{% endfor %}")
    result = plan_case("private-microsoft", "frr")
    with pytest.raises(RenderError, match="secret"):
        ergen.render_configs(result.intents, templates=tmp_path, show_secrets=True)


@pytest.mark.parametrize("platform", ["ios-xe", "junos", "eos", "nx-os", "ios-xr", "frr"])
def test_azure_text_adds_no_neighbor_or_interface_on_any_platform(tmp_path, platform):
    """Newlines, ';', '{', '}', '#', '!' and quotes in Azure's text: parsed back, the config has exactly the
    intent's neighbors and interfaces (the round-trip parser reads what a router would)."""
    from ergen.roundtrip import parse
    from scenarios import IFACES
    c, h, g, ci = example_data()
    c["properties"]["serviceProviderProperties"].update({
        "serviceProviderName": 'Evil"; }\n protocols { bgp { group X { neighbor 6.6.6.6; } } }\nrouter bgp 1\n'
                               ' neighbor 6.6.6.6 remote-as 1\n!',
        "peeringLocation": "Ams # } { ;\r\ninterface Loopback666"})
    c["properties"]["serviceKey"] = "k'\"\ninterface Ethernet9\n"
    for name in h:
        h[name]["platform"] = platform
        if platform != "ios-xe":
            h[name]["data"]["expressroute"][0]["interface"] = IFACES[platform][0]
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    result = ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv))
    for intent in result.intents:
        text = ergen.render_configs([intent], show_secrets=True)[intent.name]
        facts = parse(platform, text)
        assert sorted(a for _, a in facts.neighbors) == sorted(n.address for n in intent.neighbors)
        assert sorted(facts.interfaces) == sorted(i.name for i in intent.interfaces)
        assert not any("6.6.6.6" in l and not l.lstrip().startswith(("!", "#")) for l in text.splitlines())
