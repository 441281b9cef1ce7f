"""Reading from Azure with the real Azure SDK (azure-identity, azure-mgmt-network), against a local
recorded-response Resource Manager (tests/azure_server.py) on 127.0.0.1 over HTTPS.

The credential is a static bearer token (azure_server.StaticToken): it replaces Entra ID sign-in,
because no identity service can run here. Everything else is the SDK as users run it: its pipeline,
retry policy, pager (nextLink) and long-running-operation poller. No traffic leaves 127.0.0.1.

Without the ergen[azure] packages these tests skip locally and fail in CI (CI=true).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpers import EXAMPLE_CIRCUIT, EXAMPLE_INVENTORY, ROOT, SCENARIOS

SUB = "00000000-0000-0000-0000-000000000000"
SUB3 = "11111111-1111-1111-1111-111111111111"
RG = "rg-network-prod"
runner = CliRunner()


def need_azure() -> None:
    try:
        import azure.identity  # noqa: F401
        import azure.mgmt.network  # noqa: F401
        import cryptography  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{exc.name} is required in CI (pip install -e '.[test]' installs ergen[azure])")
        pytest.skip(f"{exc.name} not installed (pip install 'ergen[azure]')")


@pytest.fixture
def arm(monkeypatch):
    """A fresh recorded Resource Manager; the SDK trusts its certificate; sign-in is the static token."""
    need_azure()
    from azure_server import RecordedArm, StaticToken
    from ergen.azure import live

    for var in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = RecordedArm().start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", server.ca_file)
    server.credential = StaticToken()
    server.real_default_credential = live.default_credential
    monkeypatch.setattr(live, "default_credential", lambda cloud="public": server.credential)
    yield server
    server.stop()


def cli(arm, *args):
    from ergen.cli import app
    return runner.invoke(app, [str(a) for a in args] + ["--arm-endpoint", arm.base])


def one_line_error(res, *, after_warnings: bool = False) -> str:
    """The one line of an error; ``after_warnings``: rule warnings (one line each) may come first."""
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    if after_warnings:
        assert all(": warning ER" in ln for ln in lines[:-1]), res.stderr
        lines = lines[-1:]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.output and "internal error" not in res.stderr
    assert lines[0].startswith("ergen: error: ")
    return lines[0]


def recorded(name: str) -> dict:
    return json.loads((ROOT / "tests" / "fixtures" / "azure-recorded" / name).read_text())


# ----------------------------------------------------------------------------- fetch
def test_the_recorded_circuit_is_the_hand_export():
    """The server answers with examples/er-ams-prod.json: the identity test below compares like with like."""
    assert recorded("circuit-er-ams-prod.json")["responses"][0]["body"] == json.loads(EXAMPLE_CIRCUIT.read_text())


def test_fetch_circuit_is_azures_json(arm):
    from ergen.azure import live

    doc = live.fetch_circuit(SUB, RG, "er-ams-prod", credential=arm.credential, endpoint=arm.base)
    assert doc == json.loads(EXAMPLE_CIRCUIT.read_text())          # properties-wrapped, peerings inside
    (req,) = arm.served("GET", "/expressRouteCircuits/er-ams-prod")
    assert req.authorization == "Bearer ergen-test-token" and req.query["api-version"]
    assert arm.credential.scopes[0] == ("https://management.azure.com/.default",)


def test_fetch_port_route_filter_gateway_and_connections(arm):
    from ergen.azure import live
    from ergen.azure.reader import parse_port
    from ergen.azure.vpn import parse_connection, parse_gateway

    with live.Session(credential=arm.credential, endpoint=arm.base) as s:
        circuit = live.fetch_circuit(SUB, RG, "er-ams-direct", session=s)
        pref = live.port_ref(circuit)
        port = live.fetch_port(pref.subscription, pref.resource_group, pref.name, session=s)
        (rf_ref,) = live.route_filter_refs(live.fetch_circuit(SUB, RG, "er-ams-prod", session=s))
        rf = live.fetch_route_filter(rf_ref.subscription, rf_ref.resource_group, rf_ref.name, session=s)
        gw = live.fetch_vpn_gateway(SUB, "rg-hub-weu", "vgw-hub-weu", session=s)
        conns = live.fetch_vpn_connections(SUB, "rg-hub-weu", "vgw-hub-weu", session=s)
        (one,) = live.fetch_vpn_connections(SUB, "rg-hub-weu", "vgw-hub-weu", names=["cn-ams-er-r1"], session=s)
    assert pref.name == "erd-ams-port" and parse_port(json.dumps(port)).encapsulation == "QinQ"
    assert rf_ref.name == "rf-ams-o365"
    assert rf["properties"]["rules"][0]["properties"]["communities"] == ["12076:5010", "12076:51002"]
    assert parse_gateway(json.dumps(gw)).active_active
    # the resource group holds three connections; two belong to this gateway
    assert [parse_connection(json.dumps(c)).name for c in conns] == ["cn-ams-er-r1", "cn-ams-er-r2"]
    assert one == json.loads((SCENARIOS / "ipsec-private" / "connection-r1.json").read_text())


def test_list_follows_nextlink_across_three_pages(arm):
    from ergen.azure import live

    items = live.list_circuits(SUB3, credential=arm.credential, endpoint=arm.base)
    assert [i["name"] for i in items] == ["er-ams-prod", "er-ams-dr", "er-fra-prod", "er-lon-prod", "er-par-test"]
    pages = arm.served("GET", f"/subscriptions/{SUB3}/providers/Microsoft.Network/expressRouteCircuits")
    assert [p.query.get("$skiptoken") for p in pages] == [None, "page2", "page3"]


def test_fetch_list_cli_table_and_json(arm):
    res = cli(arm, "fetch", "list", "--subscription", SUB3)
    assert res.exit_code == 0, res.output
    for text in ("er-par-test", "rg-net-frc", "Orange", "5 circuit(s) in subscription"):
        assert text in res.stdout
    res = cli(arm, "fetch", "list", "-s", SUB3, "-o", "json")
    data = json.loads(res.stdout)
    assert len(data) == 5 and "ExampleKey2026ams" not in res.stdout        # masked unless --show-secrets
    assert data[0]["properties"]["peerings"][0]["properties"]["sharedKey"].startswith("***")


def test_fetch_circuit_cli_file_renders_exactly_as_the_hand_export(arm, tmp_path):
    """A fetched file, rendered with the bundled inventory, gives byte for byte the hand export's configs."""
    import ergen

    out = tmp_path / "er-ams-prod.json"
    res = cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-ams-prod", "--out", out)
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.stdout and "keys masked" in res.stdout
    assert "route filter rf-ams-o365" in res.stderr                      # the follow-up fetch is named
    saved = json.loads(out.read_text())
    assert "ExampleKey2026ams" not in out.read_text()
    assert saved["properties"]["peerings"][0]["properties"]["sharedKey"].startswith("***")
    assert stat.S_IMODE(out.stat().st_mode) & 0o077 != 0o077 and not list(tmp_path.glob(".*.tmp"))

    inventory = ergen.load_inventory(EXAMPLE_INVENTORY)
    fetched = ergen.plan(ergen.load_circuits(out), inventory)
    by_hand = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(EXAMPLE_INVENTORY))
    a, b = tmp_path / "fetched", tmp_path / "by-hand"
    ergen.write_configs(fetched.intents, a)
    ergen.write_configs(by_hand.intents, b)
    files = sorted(p.name for p in b.iterdir())
    assert files == ["ams-er-r1.cfg", "ams-er-r2.cfg"] and sorted(p.name for p in a.iterdir()) == files
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert ergen.render_configs(fetched.intents, show_secrets=True) == \
        ergen.render_configs(by_hand.intents, show_secrets=True)


def test_fetch_circuit_cli_never_overwrites_without_force(arm, tmp_path):
    out = tmp_path / "c.json"
    out.write_text("mine\n")
    line = one_line_error(cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-ams-prod", "--out", out))
    assert "exists; --force replaces it" in line and out.read_text() == "mine\n"
    res = cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-ams-prod", "--out", out, "--force",
              "--show-secrets")
    assert res.exit_code == 0, res.output
    assert "ExampleKey2026ams" in out.read_text() and stat.S_IMODE(out.stat().st_mode) == 0o600
    res = cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-ams-prod", "--out", "-")
    assert json.loads(res.stdout)["name"] == "er-ams-prod" and "ExampleKey2026ams" not in res.stdout


def test_fetch_port_route_filter_and_vpn_cli(arm, tmp_path):
    res = cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-ams-direct", "--out", tmp_path / "c.json")
    assert res.exit_code == 0 and "ergen fetch port" in res.stderr and "erd-ams-port" in res.stderr
    res = cli(arm, "fetch", "port", "-s", SUB, "-g", RG, "-n", "erd-ams-port", "--out", tmp_path / "port.json")
    assert res.exit_code == 0 and "QinQ" in res.stdout, res.output
    res = cli(arm, "fetch", "route-filter", "-s", SUB, "-g", RG, "-n", "rf-ams-o365", "--out", tmp_path / "rf.json")
    assert res.exit_code == 0 and "12076:5010, 12076:51002" in res.stdout, res.output
    res = cli(arm, "fetch", "vpn", "-s", SUB, "-g", "rg-hub-weu", "--gateway", "vgw-hub-weu", "--out", tmp_path / "vpn")
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in (tmp_path / "vpn").iterdir()) == ["cn-ams-er-r1.json", "cn-ams-er-r2.json",
                                                                     "vgw-hub-weu.json"]
    # the fetched files render as the scenario's hand exports do
    import ergen
    inv = SCENARIOS / "ipsec-private" / "inventory"
    fetched = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv),
                         vpn=[ergen.load_vpn(p) for p in sorted((tmp_path / "vpn").iterdir())])
    by_hand = ergen.plan(ergen.load_circuits(EXAMPLE_CIRCUIT), ergen.load_inventory(inv),
                         vpn=[ergen.load_vpn(SCENARIOS / "ipsec-private" / f) for f in
                              ("gateway.json", "connection-r1.json", "connection-r2.json")])
    assert ergen.render_configs(fetched.intents) == ergen.render_configs(by_hand.intents)
    direct = ergen.plan(ergen.load_circuits(tmp_path / "c.json", port=tmp_path / "port.json"),
                        ergen.load_inventory(SCENARIOS / "qinq-direct" / "inventory"))
    hand = ergen.plan(ergen.load_circuits(SCENARIOS / "qinq-direct" / "circuit.json",
                                          port=SCENARIOS / "qinq-direct" / "port.json"),
                      ergen.load_inventory(SCENARIOS / "qinq-direct" / "inventory"))
    assert ergen.render_configs(direct.intents) == ergen.render_configs(hand.intents)


# ----------------------------------------------------------------------------- render --from-azure
def test_load_from_azure_gives_the_circuit_of_the_hand_export(arm):
    import ergen
    from ergen.azure import live

    (live_c,) = live.load_from_azure(f"{SUB}/{RG}/er-ams-prod", credential=arm.credential, endpoint=arm.base)
    (file_c,) = ergen.load_circuits(EXAMPLE_CIRCUIT)
    assert live_c.model_dump() == file_c.model_dump()        # the model, field by field (secrets in clear)
    assert live_c.source_file == f"azure:{SUB}/{RG}/er-ams-prod"
    assert live_c.peering("private").shared_key.get_secret_value() == "ExampleKey2026ams"   # ER702 can compare
    inv = ergen.load_inventory(EXAMPLE_INVENTORY)
    assert ergen.render_configs(ergen.plan([live_c], inv).intents) == \
        ergen.render_configs(ergen.plan([file_c], inv).intents)


def test_load_from_azure_by_arm_id_attaches_the_direct_port(arm):
    import ergen
    from ergen.azure import live

    rid = f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.Network/expressRouteCircuits/er-ams-direct"
    (c,) = live.load_from_azure(rid, credential=arm.credential, endpoint=arm.base)
    assert c.encapsulation == "QinQ" and c.express_route_port.name == "erd-ams-port"
    inv = ergen.load_inventory(SCENARIOS / "qinq-direct" / "inventory")
    hand = ergen.load_circuits(SCENARIOS / "qinq-direct" / "circuit.json", port=SCENARIOS / "qinq-direct" / "port.json")
    assert ergen.render_configs(ergen.plan([c], inv).intents) == ergen.render_configs(ergen.plan(hand, inv).intents)


# ----------------------------------------------------------------------------- verify
def test_verify_happy_path(arm):
    res = cli(arm, "verify", "--from-azure", f"{SUB}/{RG}/er-ams-prod", "-i", EXAMPLE_INVENTORY)
    assert res.exit_code == 0, res.output
    assert "6 of 6 sessions as the intent says" in res.stdout
    for text in ("ams-er-r1 primary private IPv4", "ams-er-r2 secondary microsoft IPv4", "5c:5e:ab:d0:02:41"):
        assert text in res.stdout
    # four device paths, each ARP table and route summary a long-running POST: 202, polled, then the result
    assert len(arm.served("POST", "/arpTables/")) == 4 and len(arm.served("POST", "/routeTablesSummary/")) == 4
    assert len(arm.served("GET", "/operations/")) >= 6 * 2 and len(arm.served("GET", "/operationResults/")) == 6


def test_verify_json_counts_per_link(arm):
    res = cli(arm, "verify", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "-o", "json")   # where: the file's id
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    got = {(x["router"], x["peering"], x["family"]): (x["received"], x["advertised"], x["arp"]) for x in data["links"]}
    assert got[("ams-er-r1", "private", 4)] == (2, 2, "192.168.100.129 5c:5e:ab:d0:01:41")
    assert got[("ams-er-r1", "private", 6)] == (1, 1, "-")
    assert got[("ams-er-r2", "microsoft", 4)] == (1, 1, "203.0.113.5 5c:5e:ab:d0:02:41")
    assert data["ok"] is True and len(data["links"]) == 6


def test_verify_reports_each_difference_and_exits_1(arm):
    arm.load("verify-difference")   # r2's private link: no ARP, BGP Active; r1's Microsoft peering: 0 prefixes
    res = cli(arm, "verify", "--from-azure", f"{SUB}/{RG}/er-ams-prod", "-i", EXAMPLE_INVENTORY, "-o", "json")
    assert res.exit_code == 1, res.output
    links = {(x["router"], x["link"], x["peering"], x["family"]): x for x in json.loads(res.stdout)["links"]}
    bad = {k for k, v in links.items() if not v["ok"]}
    assert bad == {("ams-er-r2", "secondary", "private", 4), ("ams-er-r2", "secondary", "private", 6),
                   ("ams-er-r1", "primary", "microsoft", 4)}
    v4 = links[("ams-er-r2", "secondary", "private", 4)]
    assert v4["arp"] == "none" and v4["bgp"] == "Active"
    assert any("no ARP entry for the router (192.168.100.133)" in p and "VLAN 100" in p for p in v4["problems"])
    msft = links[("ams-er-r1", "primary", "microsoft", 4)]
    assert msft["received"] == 0 and msft["advertised"] == 1
    assert any("receives 0 prefix(es), the intent advertises 1 (198.51.100.0/27)" in p for p in msft["problems"])
    res = cli(arm, "verify", "--from-azure", f"{SUB}/{RG}/er-ams-prod", "-i", EXAMPLE_INVENTORY)
    assert res.exit_code == 1 and "3 of 6 sessions as the intent says; 3 differ" in res.stdout


# ----------------------------------------------------------------------------- errors, one line each
def test_403_names_the_missing_action(arm):
    line = one_line_error(cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-secret", "--out", "never-written.json"))
    assert "no permission" in line and "Microsoft.Network/expressRouteCircuits/read" in line
    assert "403 AuthorizationFailed" in line and "Reader" in line and not Path("never-written.json").exists()


def test_404_names_what_was_not_found(arm):
    line = one_line_error(cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-missing", "--out", "never-written.json"))
    assert "ExpressRoute circuit er-missing not found in resource group rg-network-prod" in line
    assert "404 ResourceNotFound" in line and "ergen fetch list" in line
    line = one_line_error(cli(arm, "fetch", "circuit", "-s", SUB, "-g", "rg-nowhere", "-n", "er-ams-prod",
                              "--out", "never-written.json"))
    assert "resource group rg-nowhere not found" in line and "404 ResourceGroupNotFound" in line


def test_429_is_retried_after_the_servers_retry_after(arm):
    from ergen.azure import live

    start = time.monotonic()
    doc = live.fetch_circuit(SUB, RG, "er-throttled", credential=arm.credential, endpoint=arm.base)
    took = time.monotonic() - start
    first, second = arm.served("GET", "/expressRouteCircuits/er-throttled")
    assert (first.status, second.status) == (429, 200) and doc["name"] == "er-throttled"
    waited = second.at - first.at
    assert 1.0 <= waited < 2.5, waited          # Retry-After: 1, honoured, and not much more
    assert took < 3.0


def test_429_longer_than_ergen_waits_is_one_line_at_once(arm):
    start = time.monotonic()
    line = one_line_error(cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-slow", "--out", "never-written.json"))
    assert time.monotonic() - start < 3.0
    assert "429 SubscriptionRequestsThrottled" in line and "asks to wait 3600 s" in line
    assert len(arm.served("GET", "/er-slow")) == 1


def test_malformed_response_is_one_line(arm):
    line = one_line_error(cli(arm, "fetch", "circuit", "-s", SUB, "-g", RG, "-n", "er-garbled", "--out", "never-written.json"))
    assert "malformed response from Azure for ExpressRoute circuit er-garbled" in line


def test_not_signed_in_says_az_login(arm, monkeypatch, tmp_path):
    """The credential chain as DefaultAzureCredential walks it, offline: no AZURE_* variables, no az CLI."""
    from azure.identity import AzureCliCredential, ChainedTokenCredential, EnvironmentCredential
    from ergen.azure import live

    for var in [v for v in os.environ if v.startswith("AZURE_")]:
        monkeypatch.delenv(var)
    monkeypatch.setenv("PATH", str(tmp_path))            # no `az` to ask
    monkeypatch.setattr(live, "default_credential",
                        lambda cloud="public": ChainedTokenCredential(EnvironmentCredential(), AzureCliCredential()))
    line = one_line_error(cli(arm, "fetch", "list", "-s", SUB3))
    assert "not signed in to Azure: run `az login`" in line and "AZURE_CLIENT_ID" in line
    assert not arm.requests                              # no token: nothing was sent


def test_refused_token_says_sign_in_again(arm):
    from azure_server import StaticToken

    arm.credential = StaticToken("expired")
    line = one_line_error(cli(arm, "fetch", "list", "-s", SUB3))
    assert "401 InvalidAuthenticationToken" in line and "az login" in line


def test_sovereign_clouds_pick_their_endpoints(arm, monkeypatch):
    import azure.identity
    from azure.identity import AzureAuthorityHosts
    from ergen.azure import live

    with live.Session(cloud="usgov", credential=arm.credential, endpoint=arm.base) as s:
        live.fetch_circuit(SUB, RG, "er-ams-prod", session=s)
    assert arm.credential.scopes[-1] == ("https://management.core.usgovcloudapi.net/.default",)
    assert live.Session(cloud="china", credential=arm.credential).endpoint == "https://management.chinacloudapi.cn"
    seen = {}
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", lambda **kw: seen.update(kw) or object())
    arm.real_default_credential("usgov")
    assert seen["authority"] == AzureAuthorityHosts.AZURE_GOVERNMENT
    arm.real_default_credential("china")
    assert seen["authority"] == AzureAuthorityHosts.AZURE_CHINA


def test_plain_http_and_bad_names_are_refused_before_any_request(arm):
    line = one_line_error(runner.invoke(__import__("ergen.cli", fromlist=["app"]).app,
                                        ["fetch", "list", "-s", SUB3, "--arm-endpoint", "http://127.0.0.1:9"]))
    assert "only reached over https" in line
    line = one_line_error(cli(arm, "fetch", "list", "-s", "my-subscription"))
    assert "is not a subscription ID" in line
    line = one_line_error(cli(arm, "verify", "--from-azure", "just-a-name", "-i", EXAMPLE_INVENTORY))
    assert "SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT" in line
    assert not arm.requests


def test_the_sdk_is_not_imported_for_help_or_render():
    code = ("import sys; from ergen.cli import app; from typer.main import get_command; get_command(app); "
            "import ergen; ergen.plan(ergen.load_circuits('examples/er-ams-prod.json'), "
            "ergen.load_inventory('inventories/example')); "
            "print(sorted(m for m in sys.modules if m == 'azure' or m.startswith('azure.') "
            "or m in ('ergen.cli.azure_run', 'ergen.azure.live', 'ergen.azure.verify')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert out.stdout.strip() == "[]", out.stdout


def test_verify_without_the_action_names_it(arm):
    arm.load("verify-forbidden")     # a Reader: the circuit reads, its ARP table does not
    line = one_line_error(cli(arm, "verify", "--from-azure", f"{SUB}/{RG}/er-ams-prod", "-i", EXAMPLE_INVENTORY),
                          after_warnings=True)
    assert "Microsoft.Network/expressRouteCircuits/peerings/arpTables/action" in line
    assert "Network Contributor" in line and "403 AuthorizationFailed" in line


def test_the_console_script_errors_in_one_line_without_a_traceback():
    """A real process (no Azure traffic: the subscription is refused before any sign-in)."""
    res = subprocess.run([sys.executable, "-m", "ergen", "fetch", "circuit", "-s", "my-subscription", "-g", RG,
                          "-n", "er-ams-prod", "--out", "never-written.json"], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith("ergen: error: --subscription: subscription 'my-subscription' is not a subscription ID")


def test_render_from_azure_cli_matches_the_hand_export(arm, tmp_path):
    from ergen.cli import app
    a, b = tmp_path / "live", tmp_path / "file"
    res = cli(arm, "render", "--from-azure", f"{SUB}/{RG}/er-ams-prod", "-i", EXAMPLE_INVENTORY, "--out", a)
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["render", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--out",
                               str(b)]).exit_code == 0
    files = sorted(b.iterdir())
    assert files
    for f in files:
        assert (a / f.name).read_bytes() == f.read_bytes()


# ----------------------------------------------------------------------------- the AS path Azure sees (drains)
def _drained_inventory(tmp_path):
    import shutil
    inv = tmp_path / "inv"
    shutil.copytree(EXAMPLE_INVENTORY, inv)
    for f in (inv / "secrets").glob("*.md5"):
        f.chmod(0o600)
    return inv


def test_verify_routes_reads_the_as_path_of_each_link(arm):
    """Undrained: the primary unprepended, the standby secondary 3 times: verify --routes agrees."""
    res = cli(arm, "verify", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--routes")
    assert res.exit_code == 0, res.output
    assert len(arm.served("POST", "/routeTables/")) == 4


def test_verify_routes_shows_a_drain_azure_does_not_see_yet(arm, tmp_path):
    from typer.testing import CliRunner as _R
    from ergen.cli import app
    inv = _drained_inventory(tmp_path)
    assert _R().invoke(app, ["drain", str(EXAMPLE_CIRCUIT), "-i", str(inv), "--link", "primary",
                             "--state-only"]).exit_code == 0
    res = cli(arm, "verify", EXAMPLE_CIRCUIT, "-i", inv, "--routes", "-o", "json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    bad = [c for c in data["links"] if not c["ok"]]
    assert {(c["router"], c["peering"]) for c in bad} == {("ams-er-r1", "private"), ("ams-er-r1", "microsoft")}
    assert any("1 x AS 64500, the intent sends 6 (drained link, 5 prepends)" in p for c in bad for p in c["problems"])
    # once Azure has the drained paths (the drain was pushed), the same check passes
    arm.load("verify-drained")
    res = cli(arm, "verify", EXAMPLE_CIRCUIT, "-i", inv, "--routes")
    assert res.exit_code == 0, res.output


def test_audit_with_azure_adds_azures_view(arm, tmp_path):
    out = tmp_path / "running"
    from typer.testing import CliRunner as _R
    from ergen.cli import app
    assert _R().invoke(app, ["render", str(EXAMPLE_CIRCUIT), "-i", str(EXAMPLE_INVENTORY), "--out", str(out)]).exit_code == 0
    res = cli(arm, "audit", EXAMPLE_CIRCUIT, "-i", EXAMPLE_INVENTORY, "--running-dir", out, "--azure", "-o", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert all(len(r["azure"]) == 3 and all(a["ok"] for a in r["azure"]) for r in data["routers"])
