"""Parse an FRR config (as ergen renders it) back into Facts: the IOS-family walk (``ios_family``) in FRR's
words (tags in the interface's name, a ``router bgp N vrf V`` per VRF), and its BFD profiles.

FRR's own parser checks the syntax (``vtysh --dryrun``, and the lab loads it into real daemons);
this reads what the text says, so it can be compared with the intent.
"""

from __future__ import annotations

from ergen.roundtrip import Facts
from ergen.roundtrip.ios_family import Dialect
from ergen.roundtrip.tree import Node


def _bfd_profiles(root: Node, interfaces: dict[str, Node], f: Facts) -> None:
    for prof in (p for b in root.find("bfd") for p in b.find("profile")):
        # absent = FRR's default (300 ms, 300 ms, x3), which FRR never prints
        get = lambda k, d: int(prof.first(k).words[1]) if prof.first(k) else d  # noqa: E731
        f.bfd_timers.add((get("transmit-interval", 300), get("receive-interval", 300), get("detect-multiplier", 3)))


DIALECT = Dialect(
    "frr",
    encapsulation=None,                      # eth0.100, eth0.200.100
    vrf_member=None,                         # interface eth0.100 vrf V
    route_targets_in="bgp", bgp_vrf_defines=True,
    extras=(_bfd_profiles,),
)

parse = DIALECT.parse
