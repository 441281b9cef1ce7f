"""Imports every topic module so its checks register (order = report order)."""

from ergen.rules import addressing, asn, vlan, links, prefixes, microsoft, md5, ipsec, customers, sites  # noqa: F401
