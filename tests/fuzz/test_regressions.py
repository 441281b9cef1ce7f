"""Inputs the fuzzer (bench/fuzz.py, tests/fuzz/test_fuzz_readers.py) found, each fixed in the reader it
broke: now one-line errors naming the file and the field."""

from __future__ import annotations

import json

import pytest

import ergen
from ergen.azure import load_vpn, vpn
from ergen.errors import ErgenError, InputError
from fuzzkit import FIXTURES, SCENARIOS, check_line


def one_line_error(fn, path, field_part: str | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        fn(path)
    err = info.value
    assert check_line(str(err), [str(path)], need_field=True, exc=err) is None, str(err)
    if field_part is not None:
        assert field_part in err.field, err.field
    return err


@pytest.mark.parametrize("props", [5, "x", [1], True])
def test_load_vpn_with_properties_not_an_object(tmp_path, props):
    """fuzz: {"properties": 5} reached {**data, **5} in ergen.azure.load_vpn (TypeError)."""
    p = tmp_path / "gw.json"
    p.write_text(json.dumps({"name": "gw", "properties": props}))
    one_line_error(load_vpn, p)


def test_load_vpn_detects_pascal_case_and_refuses_a_list(tmp_path):
    data = json.loads((FIXTURES / "vpn" / "rest-2024-gateway-active-active.json").read_text())
    p = tmp_path / "gw.json"
    p.write_text(json.dumps({"Properties": data["properties"], "Name": data["name"]}))
    assert load_vpn(p).name == data["name"]
    p.write_text(json.dumps([data]))
    assert "this is a list" in one_line_error(load_vpn, p).message


def test_key_with_a_line_break_is_escaped_in_the_field(tmp_path):
    """fuzz: a key "prope\\nrties" matches `properties` (keys match on letters and digits) and went into the
    error's field as spelt: a two-line error."""
    port = json.loads((SCENARIOS / "qinq-direct" / "port.json").read_text())
    port["prope\nrties"] = port.pop("properties")
    port["prope\nrties"]["links"][1] = "link2"
    p = tmp_path / "port.json"
    p.write_text(json.dumps(port))
    err = one_line_error(lambda f: ergen.load_circuits(SCENARIOS / "qinq-direct" / "circuit.json", port=f), p)
    assert err.field == "prope\\nrties.links[1]"


def test_very_long_or_control_character_key_is_cut_and_escaped(tmp_path):
    c = json.loads((FIXTURES / "rest-2024-circuit.json").read_text())
    peering = c["properties"]["peerings"][0]["properties"]
    peering.pop("vlanId")
    peering["vlan\x1b\x07" + " " * 500 + "Id"] = "ten"   # matches vlanId: keys match on letters and digits
    p = tmp_path / "c.json"
    p.write_text(json.dumps(c))
    err = one_line_error(ergen.load_circuits, p, "vlan\\x1b\\x07")
    assert len(err.field) < 120 and err.field.endswith("...")


def test_whole_number_with_more_digits_than_python_converts(tmp_path):
    """fuzz: "vlanId": "999...9" (5000 digits, a string) raised int()'s ValueError (digit limit)."""
    c = json.loads((FIXTURES / "rest-2024-circuit.json").read_text())
    c["properties"]["peerings"][0]["properties"]["vlanId"] = "9" * 5000
    p = tmp_path / "c.json"
    p.write_text(json.dumps(c))
    err = one_line_error(ergen.load_circuits, p, "vlanId")
    assert "5000 digits" in err.message and len(str(err)) < 300


@pytest.mark.parametrize("reader,fixture", [
    (ergen.load_circuits, FIXTURES / "rest-2024-circuit.json"),
    (vpn.load_gateway, FIXTURES / "vpn" / "rest-2024-gateway-active-active.json"),
    (vpn.load_connection, FIXTURES / "vpn" / "rest-2024-connection-custom-policy.json"),
    (lambda f: ergen.load_circuits(SCENARIOS / "qinq-direct" / "circuit.json", port=f),
     SCENARIOS / "qinq-direct" / "port.json"),
])
def test_resource_type_with_terminal_escapes_is_quoted(tmp_path, reader, fixture):
    """A `type` from the file was printed raw in the message: ESC sequences reached the terminal."""
    data = json.loads(fixture.read_text())
    data["type"] = "Microsoft.Evil/\x1b[31mred\x07"
    p = tmp_path / "x.json"
    p.write_text(json.dumps(data))
    err = one_line_error(reader, p, "type")
    assert "\\x1b[31mred" in err.message


def test_names_and_ids_with_control_characters_are_refused(tmp_path):
    """fuzz: a circuit name (or an id it is taken from) with a line break reached rule messages (ER501 in two
    lines) and object names; Azure allows none in a name, so the readers refuse them, naming the field."""
    items = json.loads((FIXTURES / "rest-peering-list.json").read_text())["value"]
    items[0]["id"] = items[0]["id"].replace("/expressRouteCircuits/", "/expressRouteCircuits/evil\x1b[2J")
    p = tmp_path / "p.json"
    p.write_text(json.dumps({"value": items}))
    err = one_line_error(ergen.load_circuits, p, "value[0].id")
    assert "\\x1b[2J" in err.message
    c = json.loads((FIXTURES / "rest-2024-circuit.json").read_text())
    c["name"] = "er-ams\n!\nrouter bgp 1"
    p.write_text(json.dumps(c))
    one_line_error(ergen.load_circuits, p, "name")
    gw = json.loads((FIXTURES / "vpn" / "rest-2024-gateway-active-active.json").read_text())
    gw["properties"]["ipConfigurations"][0]["name"] = "cfg\u2028x"
    p.write_text(json.dumps(gw))
    one_line_error(vpn.load_gateway, p, "ipConfigurations[0].name")


def test_peerings_of_different_circuits_are_named_quoted(tmp_path):
    items = json.loads((FIXTURES / "rest-peering-list.json").read_text())["value"]
    items[0]["id"] = items[0]["id"].replace("/expressRouteCircuits/", "/expressRouteCircuits/other-")
    p = tmp_path / "p.json"
    p.write_text(json.dumps({"value": items}))
    err = one_line_error(ergen.load_circuits, p)
    assert "different circuits: '" in err.message


def test_number_too_large_for_a_float(tmp_path):
    """bench/fuzz.py: "bandwidthInGbps": 10**400 (a JSON whole number) raised float()'s OverflowError."""
    port = json.loads((SCENARIOS / "qinq-direct" / "port.json").read_text())
    port["properties"]["bandwidthInGbps"] = 10**400
    p = tmp_path / "port.json"
    p.write_text(json.dumps(port))
    err = one_line_error(lambda f: ergen.load_circuits(SCENARIOS / "qinq-direct" / "circuit.json", port=f), p,
                         "bandwidthInGbps")
    assert "too large" in err.message


def test_errors_are_ergen_errors():
    assert issubclass(InputError, ErgenError)
