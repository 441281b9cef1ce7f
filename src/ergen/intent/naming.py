"""Names of the objects ergen owns on a router.

Every object ergen creates for a circuit (prefix lists, route maps, the BFD template)
starts with ``ER-<TAG>-``, where TAG is the circuit's ``tag`` in circuits.yaml or, by
default, its Azure name in capitals with anything but letters and digits turned into
``-``, a leading ``ER-`` dropped (at most 24 characters). A later merge or removal touches only names with that
prefix. The full scheme::

    ER-<TAG>-BFD                           BFD template / profile
    ER-<TAG>-<PRIV|MSFT>-<V4|V6>-IN        route map applied inbound (from Microsoft)
    ER-<TAG>-<PRIV|MSFT>-<V4|V6>-OUT       route map applied outbound (to Microsoft)
    ...-IN-PFX / ...-OUT-PFX               the prefix list each route map matches
    ER-<TAG>-<PRIV|MSFT>-COMM              community list of accept_communities
    ER-<TAG>-SHAPE                         QoS policy shaping the parent interface
    ER-<TAG>-NAT-POOL / ER-<TAG>-NAT-IN    source NAT pool and the list of inside ranges
    ER-<TAG>-MACSEC                        MACsec key chain / profile / connectivity association
    ER-<TAG>-IBGP / ER-<TAG>-IBGP-NHS      Junos: the BGP group of a site's iBGP mesh and its next-hop-self
                                           policy (TAG: the router's first circuit of the site)
    (-PRI / -SEC before -IN/-OUT when both links of a circuit land on one router)
"""

from __future__ import annotations

import re

_PEERING = {"private": "PRIV", "microsoft": "MSFT"}


def circuit_tag(circuit_name: str, tag: str | None = None) -> str:
    if tag:
        return tag.upper()
    t = re.sub(r"[^A-Z0-9]+", "-", circuit_name.upper()).strip("-")
    t = re.sub(r"^(ER|EXPRESSROUTE)-(?=.)", "", t)  # er-ams-prod -> AMS-PROD, not ER-ER-AMS-PROD
    return (t[:24].rstrip("-")) or "CIRCUIT"


def owned_prefix(tag: str) -> str:
    return f"ER-{tag}-"


def bfd_profile(tag: str) -> str:
    return f"{owned_prefix(tag)}BFD"


def route_map(tag: str, peering: str, family: int, direction: str, link: str | None = None) -> str:
    mid = f"-{'PRI' if link == 'primary' else 'SEC'}" if link else ""
    return f"{owned_prefix(tag)}{_PEERING[peering]}-V{family}{mid}-{direction.upper()}"


def prefix_list(tag: str, peering: str, family: int, direction: str, link: str | None = None) -> str:
    return f"{route_map(tag, peering, family, direction, link)}-PFX"


def community_list(tag: str, peering: str, link: str | None = None) -> str:
    mid = f"-{'PRI' if link == 'primary' else 'SEC'}" if link else ""
    return f"{owned_prefix(tag)}{_PEERING[peering]}{mid}-COMM"


def shaper(tag: str) -> str:
    return f"{owned_prefix(tag)}SHAPE"


def nat_pool(tag: str) -> str:
    return f"{owned_prefix(tag)}NAT-POOL"


def nat_acl(tag: str) -> str:
    return f"{owned_prefix(tag)}NAT-IN"


def macsec(tag: str) -> str:
    return f"{owned_prefix(tag)}MACSEC"


def ibgp_group(tag: str) -> str:
    return f"{owned_prefix(tag)}IBGP"


def ibgp_policy(tag: str) -> str:
    return f"{owned_prefix(tag)}IBGP-NHS"
