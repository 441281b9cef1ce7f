"""Parse a Cisco NX-OS config (as ergen renders it) back into Facts: the IOS-family walk (``ios_family``) in
NX-OS's words (neighbors are blocks, BFD timers on the interface), and its MACsec policies."""

from __future__ import annotations

from ergen.roundtrip import Facts
from ergen.roundtrip.ios_family import END, Dialect, neighbor_words
from ergen.roundtrip.tree import Node


def _macsec(root: Node, interfaces: dict[str, Node], f: Facts) -> None:
    ciphers = {n.words[2]: n.first("cipher-suite").words[1].lower() for n in root.find("macsec", "policy")
               if n.first("cipher-suite")}
    for name, n in interfaces.items():
        ms = n.first("macsec", "keychain")
        if ms and "policy" in ms.words:
            f.macsec[name] = ciphers.get(ms.words[ms.words.index("policy") + 1], "?")


DIALECT = Dialect(
    "nx-os",
    encapsulation=("encapsulation", "dot1q"),                              # no QinQ
    vrf_member=("vrf", "member"),
    interface_bfd=("bfd", "interval"), interface_bfd_rx="min_rx",          # bfd interval T min_rx R multiplier M
    vrf_definition=("vrf", "context"),
    router_id=("router-id",),
    neighbor_block=True,
    neighbor=neighbor_words(bfd=("bfd", END)),
    family_settings=frozenset({"policy", "max_prefix", "next_hop_self"}),                   # under the neighbor's address-family
    key_types=frozenset({"0"}), key_type_required=True,                    # password 0 KEY (3, 7: not in clear)
    extras=(_macsec,),
)

parse = DIALECT.parse
