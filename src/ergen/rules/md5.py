"""BGP MD5 keys: the format ExpressRoute allows, and the same key on both ends."""

from __future__ import annotations

import hmac
import re

from ergen.rules.engine import Context, check

_MD5 = re.compile(r"^[A-Za-z0-9]{1,25}$")


@check
def md5_keys(ctx: Context) -> None:
    done: set[tuple[str, str]] = set()
    for landing in ctx.landings():
        circuit, peering = landing.circuit, landing.peering
        key = (circuit.name, peering.short)
        if key in done:
            continue
        done.add(key)
        if ctx.policy(circuit).connectivity == "ipvpn":
            continue   # the session is with the provider's PE; Azure's sharedKey is the provider's business
        pol = getattr(ctx.policy(circuit), peering.short)
        where = f"{ctx.policy_key(circuit)}.{peering.short}.md5_key"
        if pol.md5_key is None:
            if peering.shared_key_set:
                ctx.add("ER703", ctx.policy_file(circuit), where,
                        f"Azure has a sharedKey on {peering.name} ({peering.where('shared_key')}); "
                        "without the same key the session never comes up")
            continue
        secret = ctx.secret(pol.md5_key, ctx.policy_file(circuit), where)
        if secret is None:
            continue
        value = secret.reveal()
        if not _MD5.match(value):
            why = "longer than 25 characters" if len(value) > 25 else "not only letters and digits"
            ctx.add("ER701", ctx.policy_file(circuit), where, f"the key in {pol.md5_key} is {why}")
        if peering.shared_key is not None and not hmac.compare_digest(
                peering.shared_key.get_secret_value().encode("utf-8"), value.encode("utf-8")):
            ctx.add("ER702", ctx.policy_file(circuit), where,
                    f"the key in {pol.md5_key} differs from {peering.name}'s sharedKey in "
                    f"{circuit.source_file}")
