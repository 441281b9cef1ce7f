"""Parse a Cisco IOS-XE config (as ergen renders it) back into Facts: the IOS-family walk (``ios_family``) in
IOS-XE's words, and its BFD templates and MACsec (MKA) policies."""

from __future__ import annotations

from ergen.roundtrip import Facts
from ergen.roundtrip.ios_family import Dialect, neighbor_words
from ergen.roundtrip.tree import Node


def _bfd_templates(root: Node, interfaces: dict[str, Node], f: Facts) -> None:
    for n in root.find("bfd-template", "single-hop"):
        iv = n.first("interval")
        if iv:
            w = iv.words
            f.bfd_timers.add((int(w[w.index("min-tx") + 1]), int(w[w.index("min-rx") + 1]),
                              int(w[w.index("multiplier") + 1])))


def _macsec(root: Node, interfaces: dict[str, Node], f: Facts) -> None:
    ciphers = {n.words[2]: n.first("macsec-cipher-suite").words[1] for n in root.find("mka", "policy")
               if n.first("macsec-cipher-suite")}
    for name, n in interfaces.items():
        mka = n.first("mka", "policy")
        if n.first("macsec", "network-link") and mka:
            f.macsec[name] = ciphers.get(mka.words[2], "?")


DIALECT = Dialect(
    "ios-xe",
    encapsulation=("encapsulation", "dot1Q"), inner_tag="second-dot1q",    # encapsulation dot1Q S second-dot1q C
    vrf_member=("vrf", "forwarding"),
    interface_bfd=("bfd", "template"),
    vrf_definition=("vrf", "definition"),
    neighbor=neighbor_words(bfd=("fall-over", "bfd")),                     # neighbor X fall-over bfd
    extras=(_bfd_templates, _macsec),
)

parse = DIALECT.parse
