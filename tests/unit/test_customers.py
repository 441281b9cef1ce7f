"""Cloud solution providers: the csp-example estate (4 customers on 2 shared routers, cross-connect and
IPVPN) on all six platforms, each cross-customer rule failing and passing, stable RD/RT numbers, and
render --all / --customer with other customers' lines byte-identical."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
import yaml

import ergen
from ergen.estate import customer_markers, customer_routers, load_estate, others_lines
from scenarios import PLATFORMS

from csp import ESTATE, PORTS, Estate, check, estate, for_platform, plan  # noqa: F401


# --------------------------------------------------------------------------- the example estate

def test_example_estate_validates_with_four_customers_two_shared_routers_and_both_models():
    report = check(ESTATE)
    assert report.ok, [p.line() for p in report.errors]
    inv = ergen.load_inventory(ESTATE)
    assert len(inv.customers) >= 3 and len(inv.routers) == 2
    assert {p.connectivity for p in inv.circuits.values()} == {"cross-connect", "ipvpn"}
    result, _ = plan(ESTATE)
    for intent in result.intents:   # every router carries every customer, each in its own VRF
        assert {v.customer for v in intent.vrfs} == set(inv.customers)
        assert len({v.rd for v in intent.vrfs}) == len(intent.vrfs)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_example_estate_round_trips_on_every_platform(tmp_path, platform):
    from ergen.roundtrip import IGNORE, compare, expected, parse
    root = for_platform(estate(tmp_path), platform).save()
    result, _ = plan(root)
    configs = ergen.render_configs(result.intents, show_secrets=True)
    assert len(configs) == 2
    for intent in result.intents:
        text = configs[intent.name]
        diffs = compare(expected(intent), parse(platform, text), ignore=IGNORE[platform])
        assert diffs == [], f"{platform} {intent.name}: {diffs}"
        got = parse(platform, text)
        assert got.route_targets == {v.name: v.route_target for v in intent.vrfs}


def test_ipvpn_customer_peers_with_the_provider_pe_not_microsoft():
    result, _ = plan(ESTATE)
    r1 = next(i for i in result.intents if i.name == "csp-ams-r1")
    r2 = next(i for i in result.intents if i.name == "csp-ams-r2")
    pe1 = next(n for n in r1.neighbors if n.circuit == "er-tailspin-ipvpn")
    pe2 = next(n for n in r2.neighbors if n.circuit == "er-tailspin-ipvpn")
    assert (pe1.address, pe1.remote_as, pe1.vrf, pe1.local_as) == ("100.64.40.2", 65010, "TAILSPIN", None)
    assert pe2.address == "100.64.40.6" and pe2.standby
    out2 = next(m for m in r2.route_maps if m.name == pe2.route_map_out)
    assert out2.entries[0].set_as_path_prepend == (64510,) * 3   # our ASN, not the provider's
    sub = next(i for i in r1.interfaces if i.circuit == "er-tailspin-ipvpn")
    assert (sub.c_tag, sub.ipv4.with_prefixlen, sub.parent) == (940, "100.64.40.1/30", "TenGigabitEthernet0/2/0")
    assert all(n.peering == "private" for n in r1.neighbors if n.circuit == "er-tailspin-ipvpn")


def test_customers_reusing_link_subnets_stay_apart_in_their_vrfs():
    result, _ = plan(ESTATE)
    r1 = next(i for i in result.intents if i.name == "csp-ams-r1")
    same = [i for i in r1.interfaces if i.ipv4.address == "192.168.10.1"]
    assert {i.vrf for i in same} == {"CONTOSO", "FABRIKAM"}


# --------------------------------------------------------------------------- RD/RT numbers

def test_customer_numbers_are_stable_when_a_customer_is_added(tmp_path):
    before, _ = plan(ESTATE)
    e = estate(tmp_path)
    e.customers["aaa-first"] = {"description": "sorts before everyone",
                                "circuits": {"er-aaa-ams": {
                                    "landings": [
                                        {"router": "csp-ams-r1", "link": "primary", "interface": PORTS[0]},
                                        {"router": "csp-ams-r2", "link": "secondary", "interface": PORTS[0]}],
                                    "private": {"advertise": ["10.60.0.0/16"]}}}}
    az = json.loads(json.dumps(e.azure["er-fabrikam-ams"]).replace("er-fabrikam-ams", "er-aaa-ams"))
    p = az["properties"]["peerings"][0]["properties"]
    p.update(vlanId=160, primaryPeerAddressPrefix="192.168.60.0/30", secondaryPeerAddressPrefix="192.168.60.4/30")
    p.pop("sharedKey")
    e.azure["er-aaa-ams"] = az
    after, _ = plan(e.save())
    for b, a in zip(before.intents, after.intents):
        old = {v.name: (v.rd, v.route_target) for v in b.vrfs}
        new = {v.name: (v.rd, v.route_target) for v in a.vrfs}
        assert "AAA-FIRST" in new
        assert {k: new[k] for k in old} == old


def test_derived_number_depends_on_the_name_only():
    from ergen.intent.customers import number
    from ergen.model.inventory import Customer
    n = number("fabrikam", Customer())
    assert n == number("Fabrikam", Customer(description="other")) and n >= 65536
    assert number("fabrikam", Customer(id=7)) == 7
    assert number("fabrikam2", Customer()) != n


# --------------------------------------------------------------------------- cross-customer rules

def _lonely(e: Estate):
    az = json.loads(json.dumps(e.azure["er-northwind-ams"]).replace("er-northwind-ams", "er-lonely"))
    e.azure["er-lonely"] = az
    e.circuits_yaml["er-lonely"] = {"customer": "ghost"}


def _shared_vrf(e: Estate):
    for c in ("fabrikam", "northwind"):
        e.circuit(c)["private"]["vrf"] = "SHARED"


def _shared_vrf_same_links(e: Estate):
    _shared_vrf(e)
    e.peering("er-northwind-ams").update(primaryPeerAddressPrefix="192.168.10.0/30",
                                         secondaryPeerAddressPrefix="192.168.10.4/30")


def _shared_vrf_overlapping_prefixes(e: Estate):
    _shared_vrf(e)
    e.circuit("northwind")["private"]["advertise"] = ["10.30.64.0/18"]


def _ipvpn(**fields):
    def mut(e: Estate):
        ip = e.circuit("tailspin")["ipvpn"]
        for k, v in fields.items():
            if v is None:
                ip.pop(k)
            else:
                ip[k] = v
    return mut


def _four_byte_asn(e: Estate):
    e.groups["csp-ams"]["data"]["bgp_asn"] = 4200000001


def _set(customer: str, path: str, value):
    def mut(e: Estate):
        d = e.customers[customer]
        *head, last = path.split(".")
        for k in head:
            d = e.circuit(customer) if k == "@circuit" else d[k]
        d[last] = value
    return mut


def _landing(customer: str, index: int, **fields):
    def mut(e: Estate):
        e.circuit(customer)["landings"][index].update(fields)
    return mut


FAILS: list[tuple[str, Callable, str]] = [
    ("ER520", _lonely, "er-lonely.customer"),
    ("ER521", lambda e: (_landing("northwind", 0, s_tag=300)(e), _landing("contoso", 0, s_tag=300)(e)),
     "circuits.er-northwind-ams.landings[0]"),
    ("ER521", lambda e: (_landing("northwind", 0, s_tag=300)(e), _landing("fabrikam", 0, vlan={"private": 300})(e)),
     "circuits.er-northwind-ams.landings[0]"),
    ("ER522", _set("fabrikam", "vrf", "CONTOSO"), "vrf"),
    ("ER522", _set("fabrikam", "@circuit.private.vrf", "NORTHWIND"), "circuits.er-fabrikam-ams.private.vrf"),
    ("ER523", _set("fabrikam", "id", 101), "id"),
    ("ER524", _shared_vrf_same_links, "circuits.er-northwind-ams.landings[0]"),
    ("ER524", _shared_vrf_overlapping_prefixes, "circuits.er-northwind-ams.private.advertise[0]"),
    ("ER525", _set("northwind", "@circuit.private.advertise", ["10.40.0.0/16", "10.20.1.0/24"]),
     "circuits.er-northwind-ams.private.advertise[1]"),
    ("ER526", _ipvpn(secondary=None), "circuits.er-tailspin-ipvpn.ipvpn.secondary"),
    ("ER526", _set("tailspin", "@circuit.ipvpn", None), "circuits.er-tailspin-ipvpn.ipvpn"),
    ("ER527", _ipvpn(primary={"address": "100.64.40.0/30", "neighbor": "100.64.40.2", "vlan": 940}),
     "circuits.er-tailspin-ipvpn.ipvpn.primary"),
    ("ER527", _ipvpn(primary={"address": "100.64.40.1/29", "neighbor": "100.64.40.2", "vlan": 940}),
     "circuits.er-tailspin-ipvpn.ipvpn.primary"),
    ("ER527", _ipvpn(primary={"address": "100.64.40.1/30", "neighbor": "100.64.40.1", "vlan": 940}),
     "circuits.er-tailspin-ipvpn.ipvpn.primary"),
    ("ER528", _ipvpn(provider_asn=12076), "circuits.er-tailspin-ipvpn.ipvpn.provider_asn"),
    ("ER528", _ipvpn(provider_asn=64510), "csp-ams-r1.data.bgp_asn"),
    ("ER529", _four_byte_asn, "id"),
    ("ER530", _set("contoso", "prefixes", ["10.20.0.1/16"]), "prefixes[0]"),
    ("ER531", _set("contoso", "@circuit.private.advertise", ["10.20.0.0/16", "10.99.0.0/16"]),
     "circuits.er-contoso-ams.private.advertise[1]"),
]

PASSES: list[tuple[str, Callable]] = [
    # another S-tag on the same port
    ("ER521", lambda e: (_landing("northwind", 0, s_tag=300)(e), _landing("contoso", 0, s_tag=301)(e))),
    ("ER522", _set("fabrikam", "vrf", "FABRIKAM-2")),
    ("ER523", _set("fabrikam", "id", 102)),
    # two customers in one non-customer VRF with distinct links and prefixes
    ("ER524", _shared_vrf),
    # a prefix in two customers' declared space is fine in the table of either
    ("ER525", lambda e: (_set("fabrikam", "prefixes", ["10.30.0.0/16", "10.20.0.0/16"])(e),
                         _set("fabrikam", "@circuit.private.advertise", ["10.30.0.0/16", "10.20.1.0/24"])(e))),
    ("ER526", _ipvpn(md5_key=None)),
    ("ER527", _ipvpn(primary={"address": "100.64.40.0/31", "neighbor": "100.64.40.1", "vlan": 940})),
    ("ER528", _ipvpn(provider_asn=65011)),
    ("ER529", lambda e: (_four_byte_asn(e), _set("fabrikam", "id", 102)(e))),
    ("ER530", _set("contoso", "prefixes", ["10.20.0.0/16", "2001:db8:20::/48"])),
    ("ER531", _set("contoso", "@circuit.private.advertise", ["10.20.0.0/17", "10.20.128.0/17"])),
]


def test_clean_estate_fires_no_cross_customer_rule():
    codes = check(ESTATE).codes()
    assert not codes & {c for c, _, _ in FAILS}


@pytest.mark.parametrize("code,mutate,where", FAILS, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(FAILS)])
def test_cross_customer_rule_fires(tmp_path, code, mutate, where):
    e = estate(tmp_path)
    mutate(e)
    report = check(e.save())
    hits = [p for p in report.problems if p.code == code]
    assert hits, f"{code} did not fire; got {[p.line() for p in report.problems if p.severity.value == 'error']}"
    assert any(p.where == where for p in hits), [p.line() for p in hits]
    for p in hits:
        line = p.line()
        assert "\n" not in line and p.file and Path(p.file).name in line


@pytest.mark.parametrize("code,mutate", PASSES, ids=[c for c, _ in PASSES])
def test_cross_customer_rule_passes_the_near_miss(tmp_path, code, mutate):
    e = estate(tmp_path)
    mutate(e)
    report = check(e.save())
    assert code not in report.codes(), [p.line() for p in report.problems if p.code == code]
    assert report.ok, [p.line() for p in report.errors]


def test_customer_file_errors_name_the_file_and_field(tmp_path):
    from ergen.errors import InputError
    e = estate(tmp_path)
    e.circuit("contoso")["landings"][0]["router"] = "nope"
    with pytest.raises(InputError) as exc:
        ergen.load_inventory(e.save())
    assert "contoso.yaml" in str(exc.value) and "circuits.er-contoso-ams.landings[0].router" in str(exc.value)
    e = estate(tmp_path, "e2")
    e.circuits_yaml["er-contoso-ams"] = {"tag": "X"}
    with pytest.raises(InputError, match="also defined in"):
        ergen.load_inventory(e.save())
    e = estate(tmp_path, "e3")
    (e.root / "azure" / "er-fabrikam-ams.json").unlink()
    with pytest.raises(InputError) as exc:
        load_estate(ergen.load_inventory(e.root))
    assert "fabrikam.yaml" in str(exc.value) and "circuits.er-fabrikam-ams.source" in str(exc.value)


# --------------------------------------------------------------------------- one customer's change

@pytest.mark.parametrize("platform", PLATFORMS)
def test_one_customers_change_leaves_other_customers_lines_byte_identical(tmp_path, platform):
    base = for_platform(estate(tmp_path, "a"), platform).save()
    e = for_platform(estate(tmp_path, "b"), platform)
    fab = e.circuit("fabrikam")
    fab["private"]["advertise"] = ["10.30.0.0/16", "10.30.128.0/17"]
    fab["private"]["maximum_prefix"] = 500
    fab["bfd"] = False
    changed = e.save()
    old, inv_old = plan(base)
    new, inv_new = plan(changed)
    old_cfg = ergen.render_configs(old.intents, show_secrets=True)
    new_cfg = ergen.render_configs(new.intents, show_secrets=True)
    touched = 0
    for a, b in zip(old.intents, new.intents):
        assert old_cfg[a.name] != new_cfg[b.name]        # fabrikam's lines did change
        marks = tuple(sorted(set(customer_markers(a, inv_old, "fabrikam")) |
                             set(customer_markers(b, inv_new, "fabrikam"))))
        assert others_lines(old_cfg[a.name], marks) == others_lines(new_cfg[b.name], marks)
        touched += sum(1 for x, y in zip(old_cfg[a.name].splitlines(), new_cfg[b.name].splitlines()) if x != y)
    assert touched


def test_customer_markers_catch_a_change_to_another_customer(tmp_path):
    """The byte-identical check can fail: contoso's change shows up among fabrikam's others' lines."""
    e = estate(tmp_path)
    e.circuit("contoso")["private"]["advertise"] = ["10.20.0.0/16", "10.20.128.0/17"]
    old, inv = plan(ESTATE)
    new, _ = plan(e.save())
    a, b = old.intents[0], new.intents[0]
    marks = customer_markers(a, inv, "fabrikam")
    assert others_lines(ergen.render_configs([a])[a.name], marks) != \
        others_lines(ergen.render_configs([b])[b.name], marks)


def test_customer_routers_and_unknown_customer():
    from ergen.errors import InputError
    result, inv = plan(ESTATE)
    assert [i.name for i in customer_routers(result.intents, inv, "tailspin")] == ["csp-ams-r1", "csp-ams-r2"]
    with pytest.raises(InputError, match="no customer 'nobody'"):
        customer_routers(result.intents, inv, "nobody")


# --------------------------------------------------------------------------- the CLI

def _cli(*args):
    from typer.testing import CliRunner
    from ergen.cli import app
    return CliRunner().invoke(app, [str(a) for a in args])


def test_render_all_writes_one_file_per_router_with_every_customer(tmp_path):
    out = tmp_path / "out"
    res = _cli("render", "--all", ESTATE, "--out", out)
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["csp-ams-r1.cfg", "csp-ams-r2.cfg"]
    text = (out / "csp-ams-r1.cfg").read_text()
    for vrf in ("CONTOSO", "FABRIKAM", "NORTHWIND", "TAILSPIN"):
        assert f"vrf definition {vrf}" in text
    assert "ContosoPriv2026" in text     # the file holds the key (mode 0600) ...
    assert (out / "csp-ams-r1.cfg").stat().st_mode & 0o077 == 0
    res = _cli("render", "--all", ESTATE, "--stdout")
    assert "ContosoPriv2026" not in res.output   # ... the screen does not


def test_render_customer_writes_only_its_routers_and_shows_its_diff(tmp_path):
    e = estate(tmp_path)
    out = tmp_path / "out"
    # a third router that carries only contoso: a --customer fabrikam render must not touch it
    e.hosts["csp-ams-r3"] = {"hostname": "192.0.2.23", "platform": "ios-xe", "groups": ["csp-ams"],
                             "data": {"router_id": "10.255.0.3"}}
    e.circuit("contoso")["landings"][1]["router"] = "csp-ams-r3"
    root = e.save()
    assert _cli("render", "--all", root, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    e.circuit("fabrikam")["private"]["advertise"] = ["10.30.0.0/16", "10.30.128.0/17"]
    e.save()
    res = _cli("render", "--all", root, "--customer", "fabrikam", "--out", out, "--force")
    assert res.exit_code == 0, res.output
    assert "+ip prefix-list ER-FABRIKAM-AMS-PRIV-V4-OUT-PFX seq 20 permit 10.30.128.0/17" in res.output
    assert "FabrikamPriv2026" not in res.output                  # the diff masks keys
    assert "wrote" in res.output and "csp-ams-r3" not in res.output.split("wrote", 1)[1]
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after["csp-ams-r3.cfg"] == before["csp-ams-r3.cfg"]
    assert after["csp-ams-r1.cfg"] != before["csp-ams-r1.cfg"]


def test_render_all_refuses_circuit_files_and_bad_estates(tmp_path):
    res = _cli("render", "--all", ESTATE, "examples/er-ams-prod.json", "--stdout")
    assert res.exit_code == 1 and "--all" in res.output
    e = estate(tmp_path)
    e.customers["fabrikam"]["id"] = 101
    out = tmp_path / "out"
    res = _cli("render", "--all", e.save(), "--out", out)
    assert res.exit_code == 1 and "ER523" in res.output and not out.exists()
    res = _cli("render", "--all", ESTATE, "--customer", "nobody", "--stdout")
    assert res.exit_code == 1 and "no customer 'nobody'" in res.output and "Traceback" not in res.output


def test_validate_all_checks_the_estate(tmp_path):
    res = _cli("validate", "--all", ESTATE)
    assert res.exit_code == 0 and "0 error(s)" in res.output and "4 circuit(s)" in res.output
    e = estate(tmp_path)
    e.customers["fabrikam"]["vrf"] = "CONTOSO"
    res = _cli("validate", "--all", e.save())
    assert res.exit_code == 1 and "ER522" in res.output


def test_space_index_agrees_with_a_brute_force_search():
    """The sorted-list index over customers' address space (containing / overlapping) against netaddr."""
    import random

    import netaddr

    from ergen.rules.customers import _Space
    rnd = random.Random(7)
    blocks = []
    for i in range(400):
        plen = rnd.choice([8, 12, 16, 20, 24, 28])
        net = netaddr.IPNetwork(f"10.{rnd.randrange(4)}.{rnd.randrange(256)}.0/{plen}").cidr
        blocks.append((f"c{i % 50}", net))
    blocks.append(("v6", netaddr.IPNetwork("2001:db8:a::/48")))
    space = _Space()
    for name, net in blocks:
        space.add(name, net)
    space.finish()
    assert all(space.declares(n) for n, _ in blocks) and not space.declares("c50") and not space.declares("c")
    probes = [b for _, b in blocks[:60]] + [netaddr.IPNetwork(f"10.{rnd.randrange(4)}.{rnd.randrange(256)}."
                                                              f"{rnd.randrange(256)}/32").cidr for _ in range(100)]
    probes.append(netaddr.IPNetwork("2001:db8:a:1::/64"))
    for p in probes:
        want_in = {n for n, b in blocks if b.version == p.version and p in b}
        want_over = want_in | {n for n, b in blocks if b.version == p.version and b in p}
        assert space.containing(p) == want_in, p
        assert space.overlapping(p) == want_over, p


def test_render_all_refuses_a_customer_given_twice_in_other_letter_case(tmp_path):
    e = estate(tmp_path)
    root = e.save()
    src = root / "customers" / "contoso.yaml"
    (root / "customers" / "Contoso.yaml").write_text(src.read_text())
    out = tmp_path / "out"
    res = _cli("render", "--all", root, "--out", out)
    assert res.exit_code == 1 and "given twice" in res.output and "Traceback" not in res.output
    assert "customers/contoso.yaml" in res.output and not out.exists()    # the later file in name order
