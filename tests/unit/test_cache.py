"""The estate render's cache (issue 17): a warm run writes byte for byte what a run without the cache
writes; whatever a group depends on (a customer file, an Azure export, a secret, hosts.yaml, a template)
changes its output exactly as without the cache; no secret value is ever in the cache."""

from __future__ import annotations

import json
import os
import shutil
import zlib
from pathlib import Path

import pytest

from ergen.estate import render_estate
from helpers import ROOT

KEYS = {"c00000": "Contoso2026key", "c00011": "Fabrikam2026key"}


@pytest.fixture()
def estate(tmp_path, monkeypatch):
    """bench/estate.py's synthetic estate, 30 circuits on three router pairs (three groups), two
    customers with an MD5 key by file reference."""
    import sys

    import yaml
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from estate import make_estate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    inv = make_estate(tmp_path / "inv", 30)
    (inv / "secrets").mkdir()
    for cust, key in KEYS.items():
        (inv / "secrets" / f"{cust}.md5").write_text(key + "\n")
        (inv / "secrets" / f"{cust}.md5").chmod(0o600)
        f = inv / "customers" / f"{cust}.yaml"
        d = yaml.safe_load(f.read_text())
        for c in d["circuits"].values():
            c["private"]["md5_key"] = f"file:secrets/{cust}.md5"
        f.write_text(yaml.safe_dump(d, sort_keys=False))
    monkeypatch.setenv("ERGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ERGEN_NO_CACHE", raising=False)
    return inv


def entries(cache: Path) -> list[bytes]:
    import sqlite3
    db = sqlite3.connect(cache / "cache.sqlite3")
    try:
        return [row[0] for row in db.execute("SELECT value FROM entry")]
    finally:
        db.close()


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def run(inv: Path, out: Path, **kw):
    result = render_estate(inv, out, force=True, jobs=1, **kw)
    return result, files(out)


def fresh(inv: Path, tmp: Path, name: str) -> dict[str, bytes]:
    """The same render without the cache: the reference every cached run must equal."""
    return run(inv, tmp / name, cache=False)[1]


def test_a_warm_run_is_byte_identical_and_takes_every_group_from_the_cache(estate, tmp_path):
    cold, first = run(estate, tmp_path / "a")
    assert cold.cached_groups == 0 and cold.groups >= 2
    warm, second = run(estate, tmp_path / "b")
    assert warm.cached_groups == warm.groups == cold.groups
    assert second == first == fresh(estate, tmp_path, "ref")
    assert (warm.routers, warm.circuits, warm.warning_count) == (cold.routers, cold.circuits, cold.warning_count)
    assert [p.line() for p in warm.warnings] == [p.line() for p in cold.warnings]


def test_no_secret_value_is_in_the_cache(estate, tmp_path):
    _, out = run(estate, tmp_path / "a")
    values = list(KEYS.values())
    assert values and all(any(v.encode() in text for text in out.values()) for v in values)  # configs hold them
    blobs = [zlib.decompress(v) for v in entries(tmp_path / "cache")]
    assert len(blobs) > 30                                 # 30 customers and three groups
    raw = b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir())
    assert all(v.encode() not in raw for v in values)
    for v in values:
        assert not any(v.encode() in b for b in blobs), v
    for p in (tmp_path / "cache").rglob("*"):
        assert (p.stat().st_mode & 0o077) == 0, p          # the cache is this user's alone


@pytest.mark.parametrize("change", ["customer", "azure", "secret", "hosts", "template"])
def test_what_a_group_depends_on_changes_its_output_as_without_the_cache(estate, tmp_path, change):
    _, before = run(estate, tmp_path / "a")
    templates = None
    if change == "customer":
        import yaml
        f = estate / "customers" / "c00000.yaml"
        d = yaml.safe_load(f.read_text())
        # a customer's own change (its facts, id, VRF and prefixes, stay: a change to those re-checks every
        # group, as the checks across customers read them)
        next(iter(d["circuits"].values()))["private"]["advertise"].append("10.0.0.0/25")
        f.write_text(yaml.safe_dump(d, sort_keys=False))
    elif change == "azure":
        f = estate / "azure" / "er-c00000.json"
        d = json.loads(f.read_text())
        peering = d["properties"]["peerings"][0]["properties"]
        peering["vlanId"] = peering["vlanId"] + 700
        f.write_text(json.dumps(d))
    elif change == "secret":
        (estate / "secrets" / "c00011.md5").write_text("Another2027key\n")
    elif change == "hosts":
        f = estate / "hosts.yaml"
        f.write_text(f.read_text() + "# edited\n")
    elif change == "template":
        templates = tmp_path / "mine"
        (templates / "ios-xe").mkdir(parents=True)
        src = (ROOT / "templates" / "ios-xe" / "main.j2").read_text()
        (templates / "ios-xe" / "main.j2").write_text("! site header\n" + src)
    result, after = run(estate, tmp_path / "b", templates=templates)
    ref = run(estate, tmp_path / "ref", cache=False, templates=templates)[1]
    assert after == ref
    if change == "hosts":
        assert result.cached_groups == 0 and after == before          # a comment: nothing else changes
    elif change == "template":
        assert after != before and result.cached_groups == 0
    else:
        assert after != before
        assert result.cached_groups == result.groups - 1               # the changed group alone rendered again
        changed = {n for n in after if after[n] != before.get(n)}
        assert changed and all(n.startswith("pe0000-" if change != "secret" else "pe0001-") for n in changed)


def test_a_change_to_a_customer_s_facts_rechecks_every_group(estate, tmp_path):
    import yaml
    run(estate, tmp_path / "a")
    f = estate / "customers" / "c00000.yaml"
    d = yaml.safe_load(f.read_text())
    d["prefixes"].append("10.200.0.0/24")
    f.write_text(yaml.safe_dump(d, sort_keys=False))
    result, after = run(estate, tmp_path / "b")
    assert result.cached_groups == 0 and after == run(estate, tmp_path / "ref", cache=False)[1]


def test_a_torn_entry_is_a_miss(estate, tmp_path):
    _, first = run(estate, tmp_path / "a")
    import sqlite3
    db = sqlite3.connect(tmp_path / "cache" / "cache.sqlite3")
    db.execute("UPDATE entry SET value = substr(value, 1, length(value) / 2)")
    db.commit()
    db.close()
    result, second = run(estate, tmp_path / "b")
    assert result.cached_groups == 0 and second == first
    assert run(estate, tmp_path / "c")[0].cached_groups == result.groups     # written again


def test_off_means_off(estate, tmp_path, monkeypatch):
    run(estate, tmp_path / "a", cache=False)
    assert not (tmp_path / "cache").exists()
    monkeypatch.setenv("ERGEN_NO_CACHE", "1")
    run(estate, tmp_path / "b")
    assert not (tmp_path / "cache").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root (CI runs as root)")
def test_a_cache_folder_of_another_user_is_not_read(estate, tmp_path):
    run(estate, tmp_path / "a")
    for p in [tmp_path / "cache", *(tmp_path / "cache").rglob("*")]:
        os.chown(p, 65534, 65534)
    assert run(estate, tmp_path / "b")[0].cached_groups == 0


def test_forked_workers_read_it_and_this_process_writes_it(estate, tmp_path):
    ref = fresh(estate, tmp_path, "ref")
    cold = render_estate(estate, tmp_path / "a", force=True, jobs=2)
    warm = render_estate(estate, tmp_path / "b", force=True, jobs=2)
    assert cold.cached_groups == 0 and warm.cached_groups == warm.groups == 3
    assert files(tmp_path / "a") == files(tmp_path / "b") == ref
