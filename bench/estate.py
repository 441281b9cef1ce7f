"""Benchmark: render whole estates of 100, 1,000 and 10,000 circuits, end to end, against raw Jinja2.

    .venv/bin/python bench/estate.py                  # 100, 1000, 10000 circuits
    .venv/bin/python bench/estate.py --sizes 100,1000 # quicker

Each estate is synthetic and written to a temporary folder: one customer per circuit (customers/<c>.yaml
and azure/<circuit>.json), every circuit on two routers (primary and secondary), ten circuits per router
pair, the pairs' platforms in turn across all six (ios-xe, junos, eos, nx-os, ios-xr, frr). Each circuit
has private peering (in the customer's VRF) and Microsoft peering.

Measured, each in a fresh process so that peak memory is that run's alone:

* end to end: ``ergen.estate.render_estate`` (load the inventory, read every Azure export, check every
  rule, build each router's intent, render, write the files), as ``ergen render --all`` does;
* raw Jinja2: the same templates rendered by a plain ``jinja2.Environment`` from contexts (intents) built
  beforehand, outside the timing: the floor any generator using these templates pays.

Printed: the median seconds of ``--runs`` runs (default 5), ratio end-to-end / raw Jinja2 (goal <= 1.3) for a
first run (the cache of ``ergen.cache`` empty) and a second run of the unchanged estate (warm cache), peak
RSS and its ratio against the smallest estate (goal at 10,000 against 100: <= 1.2).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PLATFORMS = ("ios-xe", "junos", "eos", "nx-os", "ios-xr", "frr")
PORT = {"ios-xe": "TenGigabitEthernet0/1/0", "junos": "xe-0/1/0", "eos": "Ethernet1", "nx-os": "Ethernet1/1",
        "ios-xr": "TenGigE0/0/0/1", "frr": "eth1"}
PER_PAIR = 10
ASN = 64510


def _ip(n: int) -> str:
    return f"{n >> 24 & 255}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def circuit_json(name: str, n: int) -> dict:
    sub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-bench/providers/Microsoft.Network"
    cid = f"{sub}/expressRouteCircuits/{name}"
    vlan = 100 + n % PER_PAIR
    pub = (25 << 24) + n * 16          # a /28 of public space per circuit (synthetic)
    link = (26 << 24) + n * 8          # two /30s of public space for Microsoft peering's links
    return {
        "name": name, "id": cid, "type": "Microsoft.Network/expressRouteCircuits", "location": "westeurope",
        "sku": {"name": "Premium_MeteredData", "tier": "Premium", "family": "MeteredData"},
        "properties": {
            "provisioningState": "Succeeded", "circuitProvisioningState": "Enabled",
            "serviceProviderProvisioningState": "Provisioned",
            "serviceKey": f"00000000-0000-4000-8000-{n:012d}",
            "serviceProviderProperties": {"serviceProviderName": "Equinix", "peeringLocation": "Amsterdam",
                                          "bandwidthInMbps": 1000},
            "peerings": [
                {"name": "AzurePrivatePeering", "id": f"{cid}/peerings/AzurePrivatePeering",
                 "properties": {"peeringType": "AzurePrivatePeering", "azureASN": 12076, "peerASN": ASN,
                                "primaryPeerAddressPrefix": "192.168.100.0/30",
                                "secondaryPeerAddressPrefix": "192.168.100.4/30",
                                "vlanId": vlan, "state": "Enabled"}},
                {"name": "MicrosoftPeering", "id": f"{cid}/peerings/MicrosoftPeering",
                 "properties": {"peeringType": "MicrosoftPeering", "azureASN": 12076, "peerASN": ASN,
                                "primaryPeerAddressPrefix": f"{_ip(link)}/30",
                                "secondaryPeerAddressPrefix": f"{_ip(link + 4)}/30",
                                "vlanId": vlan + 1000, "state": "Enabled",
                                "microsoftPeeringConfig": {"advertisedPublicPrefixes": [f"{_ip(pub)}/28"],
                                                           "advertisedPublicPrefixesState": "Configured"},
                                "routeFilter": {"id": f"{sub}/routeFilters/rf-{name}"}}},
            ],
        },
    }


def make_estate(folder: Path, circuits: int) -> Path:
    """Write a synthetic estate of ``circuits`` circuits (two routers each) into ``folder``."""
    import yaml

    (folder / "customers").mkdir(parents=True)
    (folder / "azure").mkdir()
    pairs = (circuits + PER_PAIR - 1) // PER_PAIR
    hosts = {}
    for p in range(pairs):
        plat = PLATFORMS[p % len(PLATFORMS)]
        for k, link in ((1, "primary"), (2, "secondary")):
            hosts[f"pe{p:04d}-r{k}"] = {"hostname": f"198.18.{p // 250}.{(p % 250) + k}", "platform": plat,
                                       "data": {"bgp_asn": ASN, "router_id": f"10.{p >> 8 & 255}.{p & 255}.{k}"}}
    (folder / "hosts.yaml").write_text(yaml.safe_dump(hosts, sort_keys=False))
    for n in range(circuits):
        p = n // PER_PAIR
        plat = PLATFORMS[p % len(PLATFORMS)]
        name = f"er-c{n:05d}"
        cust = {"id": n + 1, "description": f"Customer {n}", "prefixes": [f"10.{n >> 8 & 255}.{n & 255}.0/24"],
                "circuits": {name: {
                    "landings": [{"router": f"pe{p:04d}-r1", "link": "primary", "interface": PORT[plat]},
                                 {"router": f"pe{p:04d}-r2", "link": "secondary", "interface": PORT[plat]}],
                    "private": {"advertise": [f"10.{n >> 8 & 255}.{n & 255}.0/24"]},
                    "microsoft": {"advertise": [f"{_ip((25 << 24) + n * 16)}/28"]}}}}
        (folder / "customers" / f"c{n:05d}.yaml").write_text(yaml.safe_dump(cust, sort_keys=False))
        (folder / "azure" / f"{name}.json").write_text(json.dumps(circuit_json(name, n)))
    return folder


# --------------------------------------------------------------------------- the measured runs (children)

def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_end_to_end(inv: str, out: str, jobs: str = "1", cache: str = "-") -> dict:
    if cache != "-":
        os.environ["ERGEN_CACHE_DIR"] = cache
    from ergen.estate import render_estate
    t = time.perf_counter()
    result = render_estate(inv, out, jobs=int(jobs), cache=cache != "-")
    seconds = time.perf_counter() - t
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": _peak_mib(), "worker_peak_mib": workers, "routers": result.routers,
            "circuits": result.circuits, "cached_groups": result.cached_groups, "groups": result.groups}


def child_raw_jinja(inv: str) -> dict:
    import jinja2

    import ergen
    from ergen.estate import load_estate
    from ergen.render.environment import builtin_templates
    from ergen.render.filters import cfg_text, finalize, make_secret_filter

    inventory = ergen.load_inventory(inv)
    intents = ergen.plan(load_estate(inventory), inventory).intents    # the contexts, built beforehand
    envs = {}
    for p in PLATFORMS:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(builtin_templates() / p)),
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                 keep_trailing_newline=True, finalize=finalize)
        env.filters["cfg_text"] = cfg_text
        env.filters["secret"] = make_secret_filter(True)
        for name in env.list_templates(extensions=["j2"]):   # every template compiled before the clock starts
            env.get_template(name)
        envs[p] = env.get_template("main.j2")
    t = time.perf_counter()
    size = 0
    for intent in intents:
        size += len(envs[intent.platform].render(r=intent, version=""))
    return {"seconds": time.perf_counter() - t, "routers": len(intents), "bytes": size}


def _child(kind: str, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    env.pop("ERGEN_NO_CACHE", None)
    res = subprocess.run([sys.executable, __file__, "--child", kind, *args], capture_output=True, text=True,
                         env=env, timeout=3600)
    if res.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{res.stdout}{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _median(runs: list[dict]) -> dict:
    """The run with the median time (its peak memory with it)."""
    return sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--jobs", default="1,2", help="worker processes to measure (1: all in one process)")
    ap.add_argument("--runs", type=int, default=5, help="runs of each figure; the median is printed")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        out = child_end_to_end(*rest) if kind == "e2e" else child_raw_jinja(*rest)
        print(json.dumps(out))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs = [int(j) for j in args.jobs.split(",")]
    rows = []
    print(f"{os.cpu_count()} cores; each figure the median of {args.runs} runs, each run a fresh process; "
          "cold: the cache empty (a first run), warm: a second run of the unchanged estate")
    with tempfile.TemporaryDirectory(prefix="ergen-bench-") as tmp:
        for n in sizes:
            inv = make_estate(Path(tmp) / f"estate-{n}", n)
            raw = _median([_child("raw", str(inv)) for _ in range(args.runs)])
            cold, warm = {}, {}
            for j in jobs:
                out, cache = Path(tmp) / f"out-{n}-{j}", Path(tmp) / f"cache-{n}-{j}"
                runs = []
                for _ in range(args.runs):
                    shutil.rmtree(cache, ignore_errors=True)
                    runs.append(_child("e2e", str(inv), str(out), str(j), str(cache)))
                    shutil.rmtree(out, ignore_errors=True)
                cold[j] = _median(runs)
                runs = []
                for _ in range(args.runs):
                    runs.append(_child("e2e", str(inv), str(out), str(j), str(cache)))
                    shutil.rmtree(out, ignore_errors=True)
                warm[j] = _median(runs)
                assert warm[j]["cached_groups"] == warm[j]["groups"], "the warm run did not use the cache"
                shutil.rmtree(cache, ignore_errors=True)
            rows.append((n, cold, raw))
            print(f"{n:>6} circuits, {raw['routers']:>5} routers: raw Jinja2 {raw['seconds']:6.2f} s", flush=True)
            for j in jobs:
                c, w = cold[j], warm[j]
                print(f"        {j} process{'es' if j > 1 else '  '}: first run (cold cache) {c['seconds']:6.2f} s, "
                      f"ratio {c['seconds'] / raw['seconds']:4.2f} (goal <= 1.3) | second run (warm cache) "
                      f"{w['seconds']:6.2f} s, ratio {w['seconds'] / raw['seconds']:4.2f}", flush=True)
            shutil.rmtree(inv, ignore_errors=True)
    j1 = jobs[0]
    base = rows[0][1][j1]["peak_mib"]
    for n, cold, _ in rows:
        r = cold[j1]
        print(f"peak memory, {n} circuits, {j1} process: {r['peak_mib']:6.1f} MiB, {r['peak_mib'] / base:4.2f}x "
              f"the {rows[0][0]}-circuit estate (goal <= 1.2 at 10000 against 100)")
    for j in jobs[1:]:
        for n, cold, _ in rows:
            r = cold[j]
            print(f"peak memory, {n} circuits, {j} processes: main {r['peak_mib']:6.1f} MiB, "
                  f"largest worker {r['worker_peak_mib']:6.1f} MiB")
    for j in jobs:
        print(f"end-to-end ms per circuit (cold), {j} process(es): " +
              ", ".join(f"{n}: {cold[j]['seconds'] / n * 1000:.2f}" for n, cold, _ in rows))


if __name__ == "__main__":
    main()
