"""Parse an Arista EOS config (as ergen renders it) back into Facts: the IOS-family walk (``ios_family``) in
EOS's words, and its MACsec profiles.

EOS writes prefix lists in block form (``ip prefix-list NAME`` / ``seq N permit P``), one community
per ``ip community-list NAME permit C`` line, BFD timers on the interface, the RD under
``router bgp / vrf NAME``, and source NAT as a rule on the outside interface (EOS has no NAT
"inside" marking, so ``inside_interfaces`` cannot be read back; IGNORE["eos"] says so).
"""

from __future__ import annotations

from ergen.roundtrip import Facts
from ergen.roundtrip.ios_family import END, Dialect, neighbor_words
from ergen.roundtrip.tree import Node

# EOS cipher keyword -> the intent's (IEEE) spelling
CIPHERS = {"aes128-gcm": "gcm-aes-128", "aes256-gcm": "gcm-aes-256",
           "aes128-gcm-xpn": "gcm-aes-xpn-128", "aes256-gcm-xpn": "gcm-aes-xpn-256"}


def _macsec(root: Node, interfaces: dict[str, Node], f: Facts) -> None:
    ciphers: dict[str, str] = {}
    for ms in root.find("mac", "security"):
        for prof in ms.find("profile"):
            c = prof.first("cipher")
            ciphers[prof.words[1]] = CIPHERS.get(c.words[1], c.words[1]) if c else "?"
    for name, n in interfaces.items():
        mp = n.first("mac", "security", "profile")
        if mp:
            f.macsec[name] = ciphers.get(mp.words[3], "?")


DIALECT = Dialect(
    "eos",
    encapsulation=("encapsulation", "dot1q", "vlan"), inner_tag="inner",  # encapsulation dot1q vlan S inner C
    interface_bfd=("bfd", "interval"), interface_bfd_rx="min-rx",          # bfd interval T min-rx R multiplier M
    vrf_definition=("vrf", "instance"),
    route_targets_in="bgp",                                                # router bgp / vrf V / route-target …
    router_id=("router-id",),
    neighbor=neighbor_words(bfd=("bfd", END), max_prefix=("maximum-routes",)),
    family_settings=frozenset({"policy"}),                                 # route maps in the address family
    key_types=frozenset({"0", "7", "8a"}),                                 # neighbor X password 0 KEY
    shape_unit="kbps",
    extras=(_macsec,),
)

parse = DIALECT.parse
