"""A circuit, its peerings and both links' addresses, as plain data (``ergen show``)."""

from __future__ import annotations

from typing import Any

from ergen.intent.addressing import LINK_PREFIXLEN, PrefixError, link_addresses, parse_prefix
from ergen.model.circuit import Circuit


def _link(prefix: str | None, family: int) -> dict[str, Any]:
    if not prefix:
        return {"subnet": None, "customer": None, "microsoft": None, "problem": "not set"}
    try:
        net = parse_prefix(prefix)
    except PrefixError as exc:
        return {"subnet": prefix, "customer": None, "microsoft": None, "problem": str(exc)}
    if net.version != family or net.prefixlen != LINK_PREFIXLEN[family]:
        return {"subnet": prefix, "customer": None, "microsoft": None,
                "problem": f"not a /{LINK_PREFIXLEN[family]}"}
    a = link_addresses(prefix)
    return {"subnet": a.subnet, "customer": a.customer.address, "microsoft": a.microsoft.address,
            "problem": None}


def describe(circuit: Circuit) -> dict[str, Any]:
    peerings = []
    for p in circuit.peerings:
        links = []
        for link in ("primary", "secondary"):
            links.append({"link": link, "family": "IPv4",
                          **_link(getattr(p, f"{link}_peer_address_prefix"), 4)})
        v6 = p.ipv6_peering_config
        if v6 and (v6.primary_peer_address_prefix or v6.secondary_peer_address_prefix):
            for link in ("primary", "secondary"):
                links.append({"link": link, "family": "IPv6",
                              **_link(getattr(v6, f"{link}_peer_address_prefix"), 6)})
        msft = p.microsoft_peering_config
        peerings.append({
            "name": p.name, "type": p.kind.value, "state": p.state, "vlan_id": p.vlan_id,
            "peer_asn": p.peer_asn, "azure_asn": p.azure_asn, "shared_key_set": p.shared_key_set,
            "route_filter": p.route_filter_id,
            "advertised_public_prefixes": list(msft.advertised_public_prefixes) if msft else [],
            "advertised_public_prefixes_state": msft.advertised_public_prefixes_state if msft else None,
            "links": links,
        })
    return {
        "name": circuit.name, "id": circuit.id, "location": circuit.location,
        "service_key": circuit.service_key, "sku_tier": circuit.sku_tier, "sku_family": circuit.sku_family,
        "provider": circuit.service_provider_name, "peering_location": circuit.peering_location,
        "bandwidth": circuit.bandwidth_label,
        "service_provider_provisioning_state": circuit.service_provider_provisioning_state,
        "express_route_port": circuit.express_route_port_id, "stag": circuit.stag,
        "source": {"file": circuit.source_file, "format": circuit.source_format},
        "peerings": peerings,
    }
