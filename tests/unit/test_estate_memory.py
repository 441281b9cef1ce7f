"""The estate's compact indexes (issue 17) find exactly what plain dicts and sets would: the VRF index keyed
by hashes (a collision neither hides nor invents a shared VRF), the customers' numbers, the address space
with IPv4 blocks in an array, and the customer files' digests by position."""

from __future__ import annotations

import hashlib
import random
from array import array

import netaddr
import pytest

from ergen.estate import CustomerFact, render_estate
from ergen.intent import customers as csp
from ergen.pipeline import RulesFailed
from ergen.rules import customers as rules

from csp import ESTATE, check, estate

COLLIDING = {"every hash equal": lambda s: 0, "hash by length": len, "Python's hash": hash}


def _vrf_customers(rnd: random.Random, count: int) -> list[tuple[str, CustomerFact]]:
    """Customers with VRFs from a small pool in mixed case (many shared), some from the name."""
    out = []
    for k in range(count):
        vrf = rnd.choice(["Red", "RED", "blue", "Green-1", "GREEN-1", "gr", "GR", None])
        out.append((f"c{k}" if k % 5 else f"Red-{k % 3}", CustomerFact(None, vrf, ())))
    return out


@pytest.mark.parametrize("hash_fn", COLLIDING.values(), ids=COLLIDING)
def test_vrf_index_agrees_with_a_dict_of_names_whatever_the_hashes(monkeypatch, hash_fn):
    monkeypatch.setattr(rules, "hash", hash_fn, raising=False)    # the index's hashes, in its module
    customers = _vrf_customers(random.Random(17), 300)
    first: dict[str, int] = {}                                    # the reference: VRF (lower) -> first customer
    for k, (name, cust) in enumerate(customers):
        first.setdefault(csp.vrf_name(name, cust).lower(), k)
    hashes = array("q", (hash_fn(csp.vrf_name(n, c).lower()) for n, c in customers))
    vrfs = rules._Vrfs(customers, hashes)
    assert vrfs.shared() == {k: first[csp.vrf_name(n, c).lower()] for k, (n, c) in enumerate(customers)
                             if first[csp.vrf_name(n, c).lower()] != k}
    for vrf in ["red", "Blue", "GREEN-1", "RED-0", "C1", "gr", "G", "yellow", "Green-2"]:
        want = first.get(vrf.lower())
        assert vrfs.first(vrf) == want, vrf
        assert vrfs.owner(vrf) == (None if want is None else customers[want][0]), vrf


def test_shared_numbers_agree_with_a_dict():
    rnd = random.Random(5)
    numbers = array("q", (rnd.choice([1, 2, 3, 65536, 4294967295]) for _ in range(200)))
    first: dict[int, int] = {}
    for k, n in enumerate(numbers):
        first.setdefault(n, k)
    assert rules._shared_numbers(numbers) == {k: first[n] for k, n in enumerate(numbers) if first[n] != k}


@pytest.mark.parametrize("hash_fn", [lambda s: 0, len], ids=["every hash equal", "hash by length"])
def test_a_hash_collision_neither_invents_nor_hides_a_shared_vrf(tmp_path, monkeypatch, hash_fn):
    """The csp-example estate with every VRF name's hash colliding: no ER522 on the clean estate (its
    four VRFs differ), ER522 naming both customers when two share one, in the one-run checks and in
    render --all (its facts in columns)."""
    monkeypatch.setattr(rules, "hash", hash_fn, raising=False)
    assert "ER522" not in check(ESTATE).codes()
    render_estate(ESTATE, tmp_path / "clean", jobs=1, cache=False)

    e = estate(tmp_path)
    e.customers["fabrikam"]["vrf"] = "contoso"                   # Contoso's VRF (CONTOSO) in another case
    e.circuit("northwind")["private"]["vrf"] = "TAILSPIN"         # a circuit's VRF that is Tailspin's
    root = e.save()
    lines = [p.line() for p in check(root).problems if p.code == "ER522"]
    assert any("fabrikam.yaml" in x and "VRF contoso is also customer contoso's" in x for x in lines), lines
    assert any("northwind.yaml" in x and "VRF TAILSPIN is customer tailspin's" in x for x in lines), lines
    with pytest.raises(RulesFailed) as exc:
        render_estate(root, tmp_path / "out", jobs=1, cache=False)
    assert sorted(p.line() for p in exc.value.report.problems if p.code == "ER522") == sorted(lines)


def test_space_index_agrees_with_a_brute_force_search_at_the_ends_of_both_address_families():
    """IPv4 blocks are held in an array of 64-bit keys: the first and last addresses of the family (a
    block's end key is 2**64 there) and IPv6 beside them."""
    blocks = [("all", netaddr.IPNetwork("0.0.0.0/1")), ("low", netaddr.IPNetwork("0.0.0.0/32")),
              ("top", netaddr.IPNetwork("255.255.255.255/32")), ("top", netaddr.IPNetwork("255.255.255.0/24")),
              ("hi", netaddr.IPNetwork("128.0.0.0/1")), ("v6", netaddr.IPNetwork("::/1")),
              ("v6top", netaddr.IPNetwork("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120")),
              ("v6top", netaddr.IPNetwork("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"))]
    space = rules._Space()
    for name, net in blocks:
        space.add(name, net)
    space.finish()
    probes = [b for _, b in blocks] + [netaddr.IPNetwork(p) for p in (
        "0.0.0.0/0", "255.255.255.254/31", "255.255.255.128/25", "127.255.255.255/32", "::/0", "8000::/1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127")]
    for p in probes:
        want_in = {n for n, b in blocks if b.version == p.version and p in b}
        want_over = want_in | {n for n, b in blocks if b.version == p.version and b in p}
        assert space.containing(p) == want_in, p
        assert space.overlapping(p) == want_over, p


def test_file_digests_by_position():
    from ergen.cache import FileDigests
    digests = FileDigests(3)
    assert digests.add(2, b"two") == hashlib.sha256(b"two").digest()
    digests.add(0, b"zero")
    assert digests.get(0) == hashlib.sha256(b"zero").digest() and digests.get(2) == hashlib.sha256(b"two").digest()
    assert digests.get(1) is None                                 # never read: no digest
