"""Address arithmetic for ExpressRoute links, with netaddr.

Azure gives each link of a peering a /30 (IPv4) or /126 (IPv6). The customer router
takes the first usable address of the subnet and Microsoft's edge the second:
192.168.100.128/30 → customer .129, Microsoft .130 (expressroute-routing).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import netaddr

LINK_PREFIXLEN = {4: 30, 6: 126}

# Ranges that are not public address space (for Microsoft peering), by family.
_NOT_PUBLIC = {
    4: [netaddr.IPNetwork(n) for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4")],
    6: [netaddr.IPNetwork(n) for n in (
        "::/8", "64:ff9b:1::/48", "100::/64", "fc00::/7", "fe80::/10", "ff00::/8")],
}
_DOCUMENTATION = {
    4: [netaddr.IPNetwork(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")],
    6: [netaddr.IPNetwork(n) for n in ("2001:db8::/32", "3fff::/20")],
}


class PrefixError(ValueError):
    pass


def parse_prefix(text: str) -> netaddr.IPNetwork:
    """A network in CIDR notation, strict: no host bits set, an explicit length. (The result is
    cached: treat the network as read-only.)"""
    if not isinstance(text, str):
        raise PrefixError(f"{text!r:.50} is not a prefix in CIDR notation (address/length)")
    return _parse_prefix(text)


@lru_cache(maxsize=2048)   # bounded: an estate render keeps memory flat
def _parse_prefix(text: str) -> netaddr.IPNetwork:
    if not isinstance(text, str) or "/" not in text:
        raise PrefixError(f"{text!r:.50} is not a prefix in CIDR notation (address/length)")
    try:
        net = netaddr.IPNetwork(text.strip())
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise PrefixError(f"{text!r:.50} is not a valid IPv4 or IPv6 prefix") from None
    if net.ip != net.network:
        raise PrefixError(f"{text} has host bits set (the network is {net.cidr})")
    return net


def is_public(net: netaddr.IPNetwork) -> bool:
    return not any(net in block or block in net for block in _NOT_PUBLIC[net.version])


def is_documentation(net: netaddr.IPNetwork) -> bool:
    return any(net in block for block in _DOCUMENTATION[net.version])


@dataclass(frozen=True)
class Address:
    """An interface address: ``address`` with its subnet's length (and IPv4 netmask for IOS)."""

    address: str
    prefixlen: int
    version: int

    @property
    def netmask(self) -> str:
        return str(netaddr.IPNetwork(f"{self.address}/{self.prefixlen}").netmask)

    @property
    def with_prefixlen(self) -> str:
        return f"{self.address}/{self.prefixlen}"


@dataclass(frozen=True)
class LinkAddresses:
    subnet: str
    customer: Address
    microsoft: Address


def link_addresses(prefix: str) -> LinkAddresses:
    """Customer and Microsoft addresses of one link subnet (already checked to be /30 or /126)."""
    net = parse_prefix(prefix)
    plen = net.prefixlen
    customer = netaddr.IPAddress(net.first + 1, net.version)
    microsoft = netaddr.IPAddress(net.first + 2, net.version)
    return LinkAddresses(subnet=str(net.cidr), customer=Address(str(customer), plen, net.version),
                         microsoft=Address(str(microsoft), plen, net.version))


def pe_addresses(address: str, neighbor: str) -> LinkAddresses:
    """IPVPN: the router's address (with length) on the link to the provider's PE, and the PE's."""
    net = netaddr.IPNetwork(address)
    return LinkAddresses(subnet=str(net.cidr), customer=Address(str(net.ip), net.prefixlen, 4),
                         microsoft=Address(neighbor, net.prefixlen, 4))


@dataclass(frozen=True)
class Prefix:
    """A prefix as templates need it: CIDR, network, length and (IPv4) netmask."""

    cidr: str
    network: str
    prefixlen: int
    netmask: str
    version: int

    @classmethod
    def of(cls, text: str) -> Prefix:
        return _prefix_of(text)

    @classmethod
    def _make(cls, text: str) -> Prefix:
        net = parse_prefix(text)
        return cls(cidr=str(net.cidr), network=str(net.network), prefixlen=net.prefixlen,
                   netmask=str(net.netmask), version=net.version)

    @property
    def is_default(self) -> bool:
        return self.prefixlen == 0

    @property
    def hostmask(self) -> str:
        """The IOS wildcard mask (0.0.255.255 for a /16)."""
        return str(netaddr.IPNetwork(self.cidr).hostmask)


@lru_cache(maxsize=2048)   # bounded: an estate render keeps memory flat
def _prefix_of(text: str) -> Prefix:
    return Prefix._make(text)
