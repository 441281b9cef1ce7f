"""The inventory loader: Nornir's shape, inheritance, clear errors."""

from __future__ import annotations

import pytest

from ergen.errors import InputError
from ergen.inventory import load_inventory
from helpers import EXAMPLE_INVENTORY


def test_nornir_simple_inventory_reads_the_same_hosts():
    nornir = pytest.importorskip("nornir")
    nr = nornir.InitNornir(
        inventory={"plugin": "SimpleInventory", "options": {
            "host_file": str(EXAMPLE_INVENTORY / "hosts.yaml"), "group_file": str(EXAMPLE_INVENTORY / "groups.yaml")}},
        runner={"plugin": "serial"}, logging={"enabled": False})
    ours = load_inventory(EXAMPLE_INVENTORY)
    assert set(nr.inventory.hosts) == set(ours.routers)
    for name, host in nr.inventory.hosts.items():
        r = ours.routers[name]
        assert (host.hostname, host.platform, host.username) == (r.hostname, r.platform, r.username)
        assert host["bgp_asn"] == r.data.bgp_asn == 64500   # inherited from the group by both
        assert host["expressroute"][0]["link"] == r.data.expressroute[0].link


def test_groups_and_defaults_are_inherited(tmp_path):
    (tmp_path / "hosts.yaml").write_text(
        "r1:\n  groups: [g]\n  data:\n    expressroute: []\nr2:\n  platform: ios-xe\n  data: {bgp_asn: 65001}\n")
    (tmp_path / "groups.yaml").write_text("g:\n  platform: frr\n  data: {bgp_asn: 65002}\n")
    (tmp_path / "defaults.yaml").write_text("username: netops\ndata: {bgp_asn: 65003}\n")
    inv = load_inventory(tmp_path)
    assert inv.routers["r1"].platform == "frr" and inv.routers["r1"].data.bgp_asn == 65002
    assert inv.routers["r2"].data.bgp_asn == 65001 and inv.routers["r2"].username == "netops"


@pytest.mark.parametrize("hosts,message", [
    ("r1:\n  platform: junos-xyz\n", "r1.platform"),
    ("r1:\n  platform: frr\n  colour: red\n", "r1.colour: unknown key"),
    ("r1:\n  platform: frr\nr1:\n  platform: frr\n", "key 'r1' is given twice"),
    ("r1: [1, 2]\n", "r1: expected a mapping"),
    ("r1:\n  platform: frr\n  password: hunter2\n", "r1.password: a secret must be a reference"),
    ("r1:\n  platform: frr\n  groups: [nope]\n", "group 'nope'"),
    ("r1:\n  platform: frr\n  data:\n    expressroute:\n      - {circuit: c, link: primary, interface: 'eth 1'}\n",
     "r1.data.expressroute[0].interface"),
    ("- just\n- a list\n", "expected a mapping of names"),
    ("r1: {platform: frr\n", "not valid YAML"),
])
def test_bad_hosts_files(tmp_path, hosts, message):
    (tmp_path / "hosts.yaml").write_text(hosts)
    with pytest.raises(InputError) as exc:
        load_inventory(tmp_path)
    text = str(exc.value)
    assert message in text and str(tmp_path / "hosts.yaml") in text and "\n" not in text


def test_bad_circuits_file(tmp_path):
    (tmp_path / "hosts.yaml").write_text("r1:\n  platform: frr\n")
    (tmp_path / "circuits.yaml").write_text("c1:\n  private:\n    maximum_prefix: 0\n")
    with pytest.raises(InputError, match=r"circuits.yaml: c1.private.maximum_prefix"):
        load_inventory(tmp_path)
