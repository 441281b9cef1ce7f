"""The rule registry: every code ergen can report, its severity and what it means.

Codes are stable: a code, once published, keeps its meaning; retired codes are not reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    error = "error"
    warning = "warning"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str


E, W = Severity.error, Severity.warning
_TABLE = [
    # addressing
    ("ER101", "link-prefix-invalid", E, "a link prefix is not a valid network of its family (or has host bits set)"),
    ("ER102", "link-prefix-length", E, "each IPv4 link is a /30 and each IPv6 link a /126"),
    ("ER103", "link-prefix-missing", E, "a peering needs both a primary and a secondary link prefix"),
    ("ER104", "link-prefix-overlap", E, "link prefixes of a circuit must not overlap (primary, secondary, peerings)"),
    # ASNs
    ("ER201", "peer-asn-missing", E, "a peering needs the customer's ASN (peerASN)"),
    ("ER202", "peer-asn-invalid", E, "an ASN is 1-4294967295 and not 23456, 65535 or 4294967295"),
    ("ER203", "peer-asn-reserved", E, "Azure reserves 65515-65520, 8074, 8075 and 12076"),
    ("ER204", "documentation-asn", W, "a documentation ASN (64496-64511, 65536-65551): fine in examples, "
                                      "Azure rejects it in a real peering"),
    ("ER205", "microsoft-private-asn", W, "Microsoft peering with a private ASN needs manual validation, and "
                                          "Microsoft strips private ASNs (prepends do nothing)"),
    ("ER206", "azure-asn-unusual", W, "Microsoft's edge uses ASN 12076; the circuit says otherwise"),
    # VLANs and subinterfaces
    ("ER301", "vlan-missing", E, "a peering needs a VLAN ID"),
    ("ER302", "vlan-range", E, "a VLAN ID is 1-4094"),
    ("ER303", "vlan-duplicate", E, "each peering of a circuit has its own VLAN ID"),
    ("ER304", "subinterface-collision", E, "two peerings on one router interface end up on the same tags"),
    # advertised prefixes
    ("ER401", "advertise-prefix-invalid", E, "an advertised prefix is not a valid network"),
    ("ER402", "advertise-prefix-limit", E, "more prefixes than ExpressRoute accepts on the session "
                                           "(exceeding it drops the session)"),
    ("ER403", "microsoft-prefix-not-public", E, "Microsoft peering uses only public address space"),
    ("ER404", "documentation-prefix", W, "a documentation prefix: fine in examples, Azure rejects it"),
    ("ER405", "default-route-not-private", E, "a default route may be advertised on private peering only"),
    ("ER406", "advertise-asymmetric", E, "both links of a circuit advertise the same prefixes "
                                         "(unless asymmetric_prefixes is set)"),
    ("ER407", "microsoft-prefix-not-registered", E, "on Microsoft peering, advertise only prefixes inside "
                                                    "Azure's advertisedPublicPrefixes"),
    ("ER408", "advertise-empty", W, "a peering advertises nothing"),
    ("ER409", "advertise-family-mismatch", E, "an IPv6 prefix under advertise or an IPv4 one under advertise_ipv6"),
    ("ER410", "ipv6-advertise-without-ipv6-peering", E, "IPv6 prefixes to advertise but the peering has no IPv6 links"),
    # inventory ↔ circuits, redundancy
    ("ER501", "inventory-circuit-unknown", E, "a router names a circuit that is not among the circuit files"),
    ("ER502", "link-attached-twice", E, "a link of a circuit lands on one router interface only"),
    ("ER503", "ha-same-router", W, "both links of a circuit on one router: no router redundancy"),
    ("ER504", "link-unattached", W, "a link of the circuit lands on no router in the inventory"),
    ("ER505", "peering-unknown", E, "a router names a peering the circuit does not have"),
    ("ER506", "circuit-policy-unused", W, "circuits.yaml has a circuit that is not among the circuit files"),
    ("ER507", "circuit-not-provisioned", W, "the provider has not provisioned the circuit yet"),
    ("ER508", "peering-disabled", W, "the peering is disabled in Azure"),
    ("ER509", "public-peering-retired", W, "Azure public peering is retired; it is not rendered"),
    # cloud solution providers: customers on shared routers, IPVPN
    ("ER520", "customer-unknown", E, "a circuit names a customer that has no customers/<name>.yaml"),
    ("ER521", "outer-tag-shared", E, "on one router port an outer tag belongs to one customer, and a VLAN is "
                                     "never also an S-tag"),
    ("ER522", "vrf-shared", E, "each customer has its own VRF: no two customers (nor a circuit outside the "
                               "customer) use one VRF name"),
    ("ER523", "rd-duplicate", E, "route distinguishers and targets are unique: customers' numbers, and the "
                                 "RDs of a router's VRFs"),
    ("ER524", "vrf-prefix-overlap", E, "in one routing table of one router, link subnets of different circuits "
                                       "and prefixes of different customers do not overlap"),
    ("ER525", "prefix-of-other-customer", E, "a prefix inside another customer's address space is advertised in "
                                             "a table that is not that customer's"),
    ("ER526", "ipvpn-config-missing", E, "connectivity ipvpn needs ipvpn: with the provider's ASN and each "
                                         "landed link's addresses"),
    ("ER527", "ipvpn-address-invalid", E, "the PE link is a /30 or /31 holding the router's and the PE's "
                                          "(different, usable) addresses"),
    ("ER528", "ipvpn-asn", E, "with IPVPN the router needs its own BGP ASN, different from the provider's, and "
                              "the provider's is not Microsoft's or reserved"),
    ("ER529", "rd-needs-id", E, "a router with a 4-byte ASN leaves 16 bits for the customer's number: give the "
                                "customer an id up to 65535"),
    ("ER530", "customer-prefix-invalid", E, "a customer's address space is a list of valid networks"),
    ("ER531", "advertise-outside-customer", W, "a customer's private peering advertises outside the address "
                                               "space the customer declares"),
    # sites of several circuits
    ("ER540", "site-circuit-unknown", W, "a site names a circuit that is not among the circuit files"),
    ("ER541", "site-circuit-twice", E, "a circuit serves one site"),
    ("ER542", "site-roles-conflict", E, "one preferred circuit per site (or all active), and secondary or backup "
                                        "only beside a preferred one"),
    ("ER543", "site-same-location", E, "maximum resiliency needs two circuits in two different peering locations"),
    ("ER544", "site-prefixes-differ", E, "every circuit of a site advertises the same prefixes on private peering "
                                         "(unless same_prefixes is false)"),
    ("ER545", "site-backup-not-longer", E, "Azure must see a less preferred circuit's AS path longer than the "
                                           "preferred circuit's standby link (private ASNs are stripped on Microsoft "
                                           "peering)"),
    ("ER546", "site-prefix-limit", E, "the prefixes a site sends fit every circuit's private peering limit "
                                      "(4,000 IPv4, 10,000 with Premium; 100 IPv6)"),
    ("ER547", "site-no-device-diversity", W, "circuits of one site on one router or one port: that router's failure "
                                             "takes them all"),
    ("ER548", "site-ibgp-router-unknown", W, "a router in a site's iBGP mesh that terminates none of the site's "
                                             "circuits: ergen renders the sessions to it, not its own side"),
    ("ER549", "site-ibgp-router-missing", E, "a site's iBGP mesh lists every router that terminates one of its "
                                             "circuits (or none: then the site runs its own iBGP)"),
    ("ER550", "site-ibgp-address", E, "each router of a site's iBGP mesh has its own address, shares a family with "
                                      "another router, and is in one site's mesh"),
    ("ER551", "site-ibgp-asn", E, "the routers of a site's iBGP mesh are in one AS (iBGP)"),
    # Microsoft peering
    ("ER601", "microsoft-no-route-filter", W, "a Microsoft peering without a route filter receives no prefixes"),
    ("ER602", "microsoft-validation-needed", W, "Microsoft has not validated the advertised public prefixes"),
    ("ER603", "microsoft-config-missing", E, "a Microsoft peering needs microsoftPeeringConfig with "
                                             "advertisedPublicPrefixes"),
    ("ER604", "community-unknown", E, "accept_communities names a community ergen does not know"),
    ("ER605", "service-community-on-private", E, "service communities exist on Microsoft peering only"),
    ("ER606", "nat-not-microsoft", E, "source NAT belongs on Microsoft peering only (never on private peering)"),
    ("ER607", "nat-pool-not-advertised", E, "the NAT pool must be inside the prefixes advertised on Microsoft peering"),
    ("ER610", "macsec-not-direct", E, "MACsec keys are given but the circuit's ExpressRoute Direct port has no "
                                      "macSecConfig (pass --port with the port's JSON)"),
    ("ER611", "macsec-keys-missing", E, "the Direct port runs MACsec; without the same keys the link stays down"),
    ("ER612", "shape-without-bandwidth", E, "shape is set but the circuit has no bandwidth"),
    # secrets
    ("ER701", "md5-format", E, "an ExpressRoute MD5 key is 1-25 letters and digits"),
    ("ER702", "md5-mismatch", E, "the inventory's MD5 key differs from the peering's sharedKey in Azure"),
    ("ER703", "md5-missing", E, "Azure has an MD5 key on the peering, the inventory none"),
    ("ER704", "secret-unresolved", E, "a secret reference cannot be read"),
    # IPsec over ExpressRoute
    ("ER901", "vpn-connection-unknown", E, "a router names a VPN connection (or its gateway) not among the --vpn files"),
    ("ER902", "ipsec-proposal-unsupported", E, "an IPsec/IKE policy value Azure does not support"),
    ("ER903", "apipa-out-of-range", E, "Azure takes APIPA BGP addresses from 169.254.21.0-169.254.22.255 only"),
    ("ER904", "apipa-duplicate", E, "BGP addresses inside tunnels must be distinct"),
    ("ER905", "tunnel-prefix-not-more-specific", E, "prefixes sent over the tunnel must be more specific than "
                                                    "(or disjoint from) those over the peering, or Azure sends "
                                                    "the traffic unencrypted over ExpressRoute"),
    ("ER906", "gateway-not-reachable", E, "private gateway addresses need private peering and "
                                          "useLocalAzureIpAddress; public ones Microsoft peering"),
    ("ER907", "tunnel-source-not-advertised", E, "the tunnel source must be inside the prefixes the router "
                                                 "advertises over that peering"),
    ("ER908", "psk-weak", E, "the pre-shared key must be at least 16 characters and not all of one kind"),
    ("ER909", "bgp-asn-equals-gateway", E, "the router's ASN must differ from the gateway's (65515 by default)"),
    ("ER910", "tunnel-count", E, "one BGP address per gateway instance (two for active/active)"),
    ("ER911", "psk-mismatch", E, "the pre-shared key differs from the connection's sharedKey in Azure"),
    ("ER913", "ios-xe-dh-group-2", W, "Azure's default IPsec policy uses DH group 2, which IOS-XE 17.11 and later "
                                      "refuse by default: give the connection a custom policy (DHGroup14 or better)"),
    ("ER912", "gateway-region-not-accepted", E, "over Microsoft peering, the routes of the gateway's region must "
                                                "be accepted (its regional community in accept_communities)"),
    ("ER914", "vwan-hub-asn", E, "a Virtual WAN hub's ASN is 65515, and 65515-65520 are Azure's: the router's "
                                 "ASN must be none of them"),
    ("ER915", "vwan-site-link-mismatch", E, "the VPN site link Azure has must be this router: its ipAddress the "
                                            "tunnel source, its BGP address and ASN the router's"),
    ("ER916", "vwan-bgp-address", E, "to a Virtual WAN hub over ExpressRoute the router has one BGP address, not "
                                     "APIPA and not the tunnel source, on an interface of its own (bgp_interface)"),
    ("ER917", "vwan-circuit-not-in-hub", E, "the circuit carrying the tunnels must have its private peering "
                                            "connected to the hub's ExpressRoute gateway"),
    ("ER918", "connection-bgp-disabled", E, "ergen runs BGP inside the tunnels: the connection (or link "
                                            "connection) must have enableBgp on"),
    # platforms
    ("ER801", "platform-feature-unsupported", E, "the router's platform cannot express a feature its intent uses "
                                                 "(see ergen platforms)"),
    ("ER802", "router-id-needed", W, "IOS-XR takes no BGP router ID from a physical interface: set data.router_id "
                                     "unless the router has a loopback"),
]

RULES: dict[str, Rule] = {code: Rule(code, name, sev, summary) for code, name, sev, summary in _TABLE}
