"""The FRR configs ergen renders pass FRR's own parser (vtysh --dryrun, Debian's frr package).

In CI (CI=true) a missing vtysh is a failure, not a skip.
"""

from __future__ import annotations

import subprocess

import pytest

import ergen
from helpers import require
from helpers import example_data, write_case
from scenarios import cases, plan_case

pytestmark = pytest.mark.integration


def dryrun(vtysh: str, path) -> subprocess.CompletedProcess:
    return subprocess.run([vtysh, "--dryrun", "-f", str(path)], capture_output=True, text=True, timeout=60)


def test_dryrun_rejects_a_bad_line(tmp_path):
    """The checker itself can fail: an unknown command and a /33 are refused."""
    vtysh = require("vtysh")
    bad = tmp_path / "bad.conf"
    bad.write_text("router bgp 65010\n neighbor 10.0.0.2 remote-as 12076\n neighbor 10.0.0.2 no-such-thing\n"
                   "exit\nip prefix-list X seq 10 permit 10.0.0.0/33\n")
    res = dryrun(vtysh, bad)
    assert res.returncode != 0
    assert "no-such-thing" in res.stdout + res.stderr


@pytest.mark.parametrize("scenario", [s for s, p in cases() if p == "frr"])
def test_rendered_frr_passes_vtysh_dryrun(tmp_path, scenario):
    vtysh = require("vtysh")
    result = plan_case(scenario, "frr")
    configs = ergen.render_configs(result.intents, show_secrets=True)  # the file as it goes to the router
    assert configs
    for name, text in configs.items():
        path = tmp_path / f"{name}.conf"
        path.write_text(text)
        res = dryrun(vtysh, path)
        assert res.returncode == 0, f"{name}: {res.stdout}{res.stderr}"
        assert "Unknown command" not in res.stdout + res.stderr


@pytest.mark.parametrize("variant", ["qinq-active-active", "default-route-ipv6"])
def test_feature_variants_pass_vtysh_dryrun(tmp_path, variant):
    vtysh = require("vtysh")
    c, h, g, ci = example_data()
    for name in h:
        h[name]["platform"] = "frr"
        h[name]["data"]["expressroute"][0]["interface"] = "eth1"
    if variant == "qinq-active-active":
        for name in h:
            h[name]["data"]["expressroute"][0]["s_tag"] = 300
        ci["er-ams-prod"]["redundancy"] = "active-active"
        ci["er-ams-prod"]["bfd"] = False
    else:
        ci["er-ams-prod"]["private"]["default_route"] = True
        h["ams-er-r1"]["data"]["bgp_asn"] = 65010  # local-as towards Microsoft
        h["ams-er-r1"]["data"]["router_id"] = "10.255.0.1"
    cfile, inv = write_case(tmp_path, c, h, g, ci)
    result = ergen.plan(ergen.load_circuits(cfile), ergen.load_inventory(inv))
    for name, text in ergen.render_configs(result.intents, show_secrets=True).items():
        path = tmp_path / f"{name}.conf"
        path.write_text(text)
        res = dryrun(vtysh, path)
        assert res.returncode == 0, f"{variant}/{name}: {res.stdout}{res.stderr}\n{text}"


def test_csp_estate_passes_vtysh_dryrun(tmp_path):
    """The csp-example estate as FRR: four customer VRFs with rd/rt vpn lines and an IPVPN PE session."""
    from csp import estate, for_platform, plan
    vtysh = require("vtysh")
    root = for_platform(estate(tmp_path), "frr").save()
    result, _ = plan(root)
    for name, text in ergen.render_configs(result.intents, show_secrets=True).items():
        assert "rt vpn both" in text and "remote-as 65010" in text
        path = tmp_path / f"{name}.conf"
        path.write_text(text)
        res = dryrun(vtysh, path)
        assert res.returncode == 0, f"{name}: {res.stdout}{res.stderr}"
        assert "Unknown command" not in res.stdout + res.stderr
