"""ergen.azure.live and ergen.azure.verify without any Azure: names, masking, saving, comparing."""

from __future__ import annotations

import json
import os
import stat
from types import SimpleNamespace

import pytest

from ergen.errors import ErgenError, InputError, OutputError
from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY

SUB = "00000000-0000-0000-0000-000000000000"


def test_specs_and_ids():
    from ergen.azure.live import parse_id, parse_spec

    ref = parse_spec(f"{SUB}/rg-network-prod/er-ams-prod")
    assert (ref.subscription, ref.resource_group, ref.name) == (SUB, "rg-network-prod", "er-ams-prod")
    assert parse_spec(ref.id) == ref and ref.label == f"azure:{SUB}/rg-network-prod/er-ams-prod"
    port = parse_id(f"/subscriptions/{SUB}/resourceGroups/RG/providers/Microsoft.Network/expressRoutePorts/p1")
    assert port.kind == "expressRoutePorts" and port.name == "p1"
    for bad, why in [("er-ams-prod", "neither"), (f"{SUB}/rg", "neither"), ("not-a-guid/rg/er", "subscription ID"),
                     (f"{SUB}/rg/bad name", "not a valid circuit name"),
                     (port.id, "not expressRouteCircuits")]:
        with pytest.raises(InputError) as exc:
            parse_spec(bad)
        assert why in str(exc.value) and "\n" not in str(exc.value)


def test_mask_secrets_everywhere_and_only_secrets():
    from ergen.azure.live import MASK, has_secrets, mask_secrets
    from ergen.azure.reader import parse_circuits

    doc = json.loads(EXAMPLE_CIRCUIT.read_text())
    doc["properties"]["authorizations"] = [{"name": "a1", "properties": {"authorizationKey": "k-123"}}]
    masked = mask_secrets(doc)
    text = json.dumps(masked)
    assert "ExampleKey2026ams" not in text and "k-123" not in text and has_secrets(doc) and not has_secrets(masked)
    assert masked["properties"]["serviceKey"] == doc["properties"]["serviceKey"]     # an id, not a secret
    (c,) = parse_circuits(text, "fetched.json")
    private = c.peering("private")
    assert private.shared_key is None and private.shared_key_set                     # "set in Azure, not shown"
    assert MASK.startswith("***")
    assert doc["properties"]["peerings"][0]["properties"]["sharedKey"] == "ExampleKey2026ams"   # a copy


def test_save_is_atomic_refuses_to_clobber_and_keeps_secrets_private(tmp_path):
    from ergen.azure.live import save

    doc = json.loads(EXAMPLE_CIRCUIT.read_text())
    umask = os.umask(0o022)
    os.umask(umask)
    out = save(doc, tmp_path / "c.json")
    assert "ExampleKey2026ams" not in out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask                     # an ordinary file
    with pytest.raises(OutputError, match="exists; --force replaces it"):
        save(doc, out)
    save(doc, out, force=True, show_secrets=True)
    assert "ExampleKey2026ams" in out.read_text() and stat.S_IMODE(out.stat().st_mode) == 0o600
    with pytest.raises(OutputError, match="does not exist"):
        save(doc, tmp_path / "no" / "c.json")
    with pytest.raises(OutputError, match="is a folder"):
        save(doc, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]                 # no temporary left


def test_missing_extra_is_one_line(monkeypatch):
    import sys

    from ergen.azure import live

    monkeypatch.setitem(sys.modules, "azure.mgmt.network", None)   # as if not installed
    with pytest.raises(ErgenError) as exc:
        live.Session(credential=object())
    assert "pip install 'ergen[azure]'" in str(exc.value)


def test_unknown_cloud():
    from ergen.azure.live import CLOUDS, _cloud

    assert set(CLOUDS) == {"public", "usgov", "china"}
    with pytest.raises(InputError, match="unknown cloud"):
        _cloud("germany")


# ----------------------------------------------------------------------------- compare
def _expected():
    import ergen
    from ergen.azure.verify import expected_sessions

    circuits = ergen.load_circuits(EXAMPLE_CIRCUIT)
    return expected_sessions(ergen.plan(circuits, ergen.load_inventory(EXAMPLE_INVENTORY)).intents, circuits)


def _tables(expected, edit=None):
    tables = {}
    for e in expected:
        key = (e.circuit, e.peering_name, e.link)
        t = tables.setdefault(key, SimpleNamespace(arp=[], routes=[]))
        if e.family == 4:
            t.arp += [{"age": 0, "interface": "Microsoft", "ipAddress": e.microsoft, "macAddress": "00:22:bd:00:00:01"},
                      {"age": 3, "interface": "On-Prem", "ipAddress": e.customer, "macAddress": "5c:5e:ab:00:00:01"}]
        t.routes.append({"neighbor": e.customer, "v": 4, "as": e.asn, "upDown": "01:02:03",
                         "statePfxRcd": str(len(e.advertised))})
    if edit:
        edit(tables)
    return tables


def test_expected_sessions_of_the_example():
    exp = _expected()
    assert {(e.router, e.link, e.peering, e.family, e.customer, len(e.advertised)) for e in exp} == {
        ("ams-er-r1", "primary", "private", 4, "192.168.100.129", 2),
        ("ams-er-r1", "primary", "private", 6, "2001:db8:100::1", 1),
        ("ams-er-r1", "primary", "microsoft", 4, "203.0.113.1", 1),
        ("ams-er-r2", "secondary", "private", 4, "192.168.100.133", 2),
        ("ams-er-r2", "secondary", "private", 6, "2001:db8:100::5", 1),
        ("ams-er-r2", "secondary", "microsoft", 4, "203.0.113.5", 1)}
    assert {e.peering_name for e in exp} == {"AzurePrivatePeering", "MicrosoftPeering"}


def test_compare_all_as_intended():
    from ergen.azure.verify import compare

    exp = _expected()
    report = compare(exp, _tables(exp))
    assert report.ok and len(report.checks) == 6
    assert all(c.bgp == "Established 01:02:03" for c in report.checks)


def test_compare_finds_wrong_address_wrong_as_and_missing_neighbor():
    from ergen.azure.verify import compare

    exp = _expected()
    key = ("er-ams-prod", "AzurePrivatePeering", "primary")

    def edit(tables):
        t = tables[key]
        t.arp[1]["ipAddress"] = "192.168.100.130"           # someone else answers (a swapped address)
        t.routes[0]["as"] = 64501
        t.routes[1]["neighbor"] = "2001:db8:100:0:0:0:0:1"  # the same address, written long: still found
        tables[("er-ams-prod", "MicrosoftPeering", "secondary")].routes.clear()

    report = compare(exp, _tables(exp, edit))
    by = {(c.router, c.peering, c.family): c for c in report.checks}
    v4 = by[("ams-er-r1", "private", 4)]
    assert any("sees 192.168.100.130 on this link, not the router's 192.168.100.129" in p for p in v4.problems)
    assert any("Microsoft's edge sees AS 64501, the intent speaks AS 64500" in p for p in v4.problems)
    assert by[("ams-er-r1", "private", 6)].ok
    msft = by[("ams-er-r2", "microsoft", 4)]
    assert msft.bgp == "absent" and "has no neighbor 203.0.113.5" in msft.problems[0]
    assert not report.ok and report.as_dict()["ok"] is False


def test_compare_explains_a_missing_default_route():
    from ergen.azure.verify import Expected, compare

    e = Expected(router="r1", circuit="c", peering="private", peering_name="AzurePrivatePeering", link="primary",
                 family=4, customer="10.0.0.1", microsoft="10.0.0.2", asn=65001,
                 advertised=("0.0.0.0/0", "10.1.0.0/16"), interface="eth1.100", vlan=100)
    t = SimpleNamespace(arp=[{"interface": "On-Prem", "ipAddress": "10.0.0.1", "macAddress": "aa:bb:cc:dd:ee:ff"}],
                        routes=[{"Neighbor": "10.0.0.1", "As": 65001, "StatePfxRcd": "1"}])   # any key case
    (c,) = compare([e], {("c", "AzurePrivatePeering", "primary"): t}).checks
    assert c.received == 1 and "only while the router has one" in c.problems[0]
