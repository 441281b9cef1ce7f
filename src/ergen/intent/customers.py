"""Cloud solution providers: each customer's VRF, and its number in route distinguishers and targets.

A customer's number is its ``id`` in customers/<name>.yaml or, without one, a number derived from the
customer's name alone (SHA-256, folded into 65536-4294967295, so it never looks like a hand-given small
id). Either way it depends on nothing but that customer: adding, removing or reordering customers never
renumbers another. Two names that fold to the same number are reported (ER523) with the fix: give one
an ``id``.
"""

from __future__ import annotations

import hashlib
import re

from ergen.model.inventory import Customer

_DERIVED_FLOOR = 65536
_DERIVED_SPAN = 4294967295 - _DERIVED_FLOOR + 1


def vrf_name(name: str, customer: Customer) -> str:
    """The VRF of the customer's private peerings: its ``vrf``, else its name in capitals (32 at most)."""
    if customer.vrf:
        return customer.vrf
    v = re.sub(r"[^A-Z0-9_-]+", "-", name.upper()).strip("-")
    if not v or not v[0].isalpha():
        v = "C-" + v
    return v[:32]


def number(name: str, customer: Customer) -> int:
    """The customer's number: ``id``, else a stable number from its name."""
    if customer.id is not None:
        return customer.id
    digest = hashlib.sha256(name.lower().encode("utf-8")).digest()
    return _DERIVED_FLOOR + int.from_bytes(digest[:8], "big") % _DERIVED_SPAN


def route_distinguisher(asn: int, name: str, customer: Customer) -> str | None:
    """``<asn>:<number>`` (type 0 for a 2-byte ASN, type 2 for a 4-byte one); None when it cannot be
    written (a 4-byte ASN leaves 16 bits for the number: ER529 asks for an ``id`` up to 65535)."""
    n = number(name, customer)
    if asn > 65535 and n > 65535:
        return None
    return f"{asn}:{n}"


def routing_table(ctx, landing, bgp_asn: int) -> tuple[str | None, str | None, str | None]:
    """(VRF, RD, route target) a landing's subinterface and BGP session live in on its router.

    The peering's own ``vrf`` wins; else a customer's private peering goes into the customer's VRF, with
    the customer's number as RD and route target. Microsoft peering stays in the global table unless
    its policy names a VRF. Without a customer the RD defaults to ``<asn>:<vlan>`` (no route target)."""
    from ergen.model.circuit import PeeringKind

    c, p = landing.circuit, landing.peering
    ppol = getattr(ctx.policy(c), p.short)
    cust = ctx.customer_of(c)
    vrf = ppol.vrf
    if vrf is None and cust is not None and p.kind is PeeringKind.private:
        vrf = vrf_name(*cust)
    if vrf is None:
        return None, None, None
    rt = None
    if cust is not None and vrf == vrf_name(*cust):
        rt = route_distinguisher(bgp_asn, *cust)
    rd = ppol.rd or rt or f"{bgp_asn}:{ctx.tags(landing)[1]}"
    return vrf, rd, rt
