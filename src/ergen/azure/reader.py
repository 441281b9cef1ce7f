"""Read ExpressRoute circuits and peerings from any of Azure's JSON shapes.

Shapes handled (detected, not configured):

* ARM/REST ``ExpressRouteCircuit``: fields under ``properties``, peerings embedded,
  each peering again under ``properties`` (api-versions 2018 to now);
* a REST list ``{"value": [...]}`` of circuits or of peerings;
* ``az network express-route show`` / ``list`` and ``az network express-route peering
  list`` / ``show``: the same resources with ``properties`` lifted to the top, camelCase;
* PowerShell ``Get-AzExpressRouteCircuit | ConvertTo-Json``: PascalCase, ``"NONE"``
  and ``0`` for unset registry and customer ASN.

Unknown fields are ignored; a missing required field or a wrong type is an
:class:`~ergen.errors.InputError` naming the file and the JSON path.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from ergen.azure import terraform
from ergen.azure.node import Node
from ergen.errors import InputError
from ergen.model.circuit import (Circuit, ExpressRoutePort, Ipv6PeeringConfig,
                                 MicrosoftPeeringConfig, Peering, PeeringKind)

_KINDS = {k.value.lower(): k for k in PeeringKind}
_CIRCUIT_FROM_ID = re.compile(r"/expressroutecircuits/([^/]+)", re.IGNORECASE)
_MASKED = re.compile(r"^\*+$|^<redacted>$|^\*\*\*.*$", re.IGNORECASE)


# ----------------------------------------------------------------------------- entry points
def load_circuits(path: str | Path, *, peerings: str | Path | None = None,
                  port: str | Path | None = None) -> list[Circuit]:
    """Read circuits from ``path`` ("-" for stdin); optionally add peerings from a second file,
    and the ExpressRoute Direct port (encapsulation, MACsec) the circuits sit on."""
    label, text = _read_text(path)
    circuits = parse_circuits(text, label)
    if peerings is not None:
        plabel, ptext = _read_text(peerings)
        extra = parse_circuits(ptext, plabel)
        circuits = _merge(circuits, extra, plabel)
    if port is not None:
        plabel, ptext = _read_text(port)
        circuits = attach_port(circuits, parse_port(ptext, plabel), plabel)
    return circuits


def parse_port(text: str, file: str = "<input>") -> ExpressRoutePort:
    """An ExpressRoutePort resource (ARM/REST or az CLI): encapsulation, bandwidth, MACsec cipher."""
    data = parse_json(text, file)
    if not isinstance(data, dict):
        raise InputError("expected an ExpressRoutePort object", file=file, field="(document)")
    node = Node(data, "", file)
    p = node.flattened()
    typ = (p.str("type") or "").lower()
    if typ and not typ.endswith("expressrouteports"):
        raise node.fail("type", f"this is a {p.str('type')!r:.80} resource, not an ExpressRoutePort")
    enc = p.str("encapsulation")
    if enc is not None and enc.lower() not in ("dot1q", "qinq"):
        raise p.fail("encapsulation", f"unknown encapsulation {enc!r:.20}; expected Dot1Q or QinQ")
    cipher = sci = None
    for link in p.children("links"):
        lk = link.flattened()
        m = lk.child("macSecConfig")
        if m is not None:
            cipher = cipher or m.str("cipher")
            sci = sci or m.str("sciState")
    return ExpressRoutePort(
        id=p.str("id"), name=p.str("name"),
        encapsulation={"dot1q": "Dot1Q", "qinq": "QinQ"}.get((enc or "").lower()),
        bandwidth_in_gbps=p.float("bandwidthInGbps"), peering_location=p.str("peeringLocation"),
        macsec_cipher=cipher, macsec_sci_state=sci,
        paths={"": "", "encapsulation": p.at("encapsulation"), "macsec_cipher": "links[0].properties.macSecConfig.cipher"})


def attach_port(circuits: list[Circuit], port: ExpressRoutePort, file: str) -> list[Circuit]:
    out, hit = [], False
    for c in circuits:
        same = c.express_route_port_id and port.id and c.express_route_port_id.lower() == port.id.lower()
        if same or (c.express_route_port_id and not port.id):
            c = c.model_copy(update={"express_route_port": port})
            hit = True
        out.append(c)
    if not hit:
        raise InputError("no circuit given sits on this ExpressRoute Direct port (expressRoutePort.id differs)",
                         file=file, field="id")
    return out


def parse_json(text: str, file: str) -> Any:
    """Any Azure JSON document; bad JSON is an InputError naming the file (every reader uses this)."""
    try:
        return json.loads(text.removeprefix("\ufeff"))  # a BOM survives stdin and text-mode reads
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                         file=file, field="(document)") from None
    except ValueError as exc:  # e.g. a number longer than Python's int digit limit
        raise InputError(f"not valid JSON: {exc}", file=file, field="(document)") from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=file, field="(document)") from None


def parse_circuits(text: str, file: str = "<input>") -> list[Circuit]:
    return _from_document(parse_json(text, file), file)


# ----------------------------------------------------------------------------- detection
def _read_text(path: str | Path) -> tuple[str, str]:
    if str(path) == "-":
        return "<stdin>", sys.stdin.read()
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path), field="(file)") from None
    except IsADirectoryError:
        raise InputError("is a folder, expected a JSON file", file=str(path), field="(file)") from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path), field="(file)") from None
    try:
        return str(path), raw.decode("utf-8-sig")  # PowerShell writes a BOM
    except UnicodeDecodeError:
        try:
            return str(path), raw.decode("utf-16")  # Windows PowerShell's Out-File default
        except UnicodeDecodeError:
            raise InputError("not UTF-8 or UTF-16 text", file=str(path), field="(file)") from None


def _format_of(obj: dict[str, Any]) -> str:
    if isinstance(obj.get("properties"), dict):
        return "ARM/REST"
    keys = [k for k in obj if isinstance(k, str)]
    if keys and sum(k[:1].isupper() for k in keys) > len(keys) / 2:
        return "PowerShell"
    return "az CLI"


def _is_peering(node: Node) -> bool:
    flat = node.flattened()
    return flat.has("peeringType") or "/peerings/" in (flat.str("id") or "").lower() and not flat.has("peerings")


def _from_document(data: Any, file: str) -> list[Circuit]:
    if terraform.is_terraform(data):   # terraform show -json or a terraform.tfstate (docs/terraform.md)
        return terraform.circuits_from_terraform(data, file)
    if isinstance(data, dict):
        root = Node(data, "", file)
        if root.key("value") is not None and isinstance(root.raw("value"), list) and not root.has("properties"):
            return _from_list(root.children("value"), file, None)
        if _is_peering(root):
            return [_circuit_from_peerings([root], file, _format_of(data))]
        return [_circuit(root, _format_of(data))]
    if isinstance(data, list):
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise InputError(f"expected an object, got {type(item).__name__}", file=file, field=f"[{i}]")
        base = Node({"value": data}, "", file)
        items = base.children("value")
        # the path of item i in a bare list is "[i]", not "value[i]"
        for i, item in enumerate(items):
            item.path = f"[{i}]"
        return _from_list(items, file, None)
    raise InputError("expected a JSON object or list describing ExpressRoute circuits or peerings",
                     file=file, field="(document)")


def _from_list(items: list[Node], file: str, fmt: str | None) -> list[Circuit]:
    if not items:
        raise InputError("the list is empty: no circuit or peering to read", file=file, field="(document)")
    peerings = [n for n in items if _is_peering(n)]
    if peerings and len(peerings) != len(items):
        raise InputError("the list mixes circuits and peerings", file=file, field="(document)")
    if peerings:
        label = fmt or _format_of(items[0].data)
        return [_circuit_from_peerings(peerings, file, "peering list" + (f" ({label})" if label else ""))]
    return [_circuit(n, fmt or _format_of(n.data)) for n in items]


# ----------------------------------------------------------------------------- circuits
def _circuit(node: Node, fmt: str) -> Circuit:
    c = node.flattened()
    typ = (c.str("type") or "").lower()
    if typ and not typ.endswith("expressroutecircuits"):
        raise node.fail("type", f"this is a {c.str('type')!r:.80} resource, not an ExpressRoute circuit")
    if not (c.has("name") or c.has("serviceProviderProperties") or c.has("peerings") or c.has("serviceKey")):
        raise InputError("not an ExpressRoute circuit: none of name, serviceKey, serviceProviderProperties "
                         "or peerings is present", file=node.file, field=node.path or "(document)")
    name = c.str("name") or _name_from_id(c.str("id"))
    if not name:
        raise c.fail("name", "required field is missing")
    sku = c.child("sku")
    spp = c.child("serviceProviderProperties")
    peerings = [_peering(p) for p in c.children("peerings")]
    paths = {"": node.path, "name": c.at("name"), "peerings": c.at("peerings"), "stag": c.at("stag"),
             "sku_tier": sku.at("tier") if sku else c.at("sku"),
             "bandwidth_in_mbps": spp.at("bandwidthInMbps") if spp else c.at("serviceProviderProperties"),
             "service_provider_provisioning_state": c.at("serviceProviderProvisioningState"),
             "express_route_port_id": c.at("expressRoutePort")}
    return Circuit(
        name=name, id=c.str("id"), location=c.str("location"), service_key=c.str("serviceKey"),
        sku_name=sku.str("name") if sku else None,
        sku_tier=sku.str("tier") if sku else None,
        sku_family=sku.str("family") if sku else None,
        service_provider_name=spp.str("serviceProviderName") if spp else None,
        peering_location=spp.str("peeringLocation") if spp else None,
        bandwidth_in_mbps=spp.int("bandwidthInMbps") if spp else None,
        bandwidth_in_gbps=c.float("bandwidthInGbps"),
        service_provider_provisioning_state=c.str("serviceProviderProvisioningState"),
        circuit_provisioning_state=c.str("circuitProvisioningState"),
        provisioning_state=c.str("provisioningState"),
        global_reach_enabled=c.bool("globalReachEnabled"),
        express_route_port_id=c.ref_id("expressRoutePort"),
        stag=c.int("stag"),
        peerings=peerings, paths=paths, source_file=node.file, source_format=fmt,
    )


def _circuit_from_peerings(nodes: list[Node], file: str, fmt: str) -> Circuit:
    peerings = [_peering(n) for n in nodes]
    names = {_name_from_id(p.id) for p in peerings} - {None}
    if len(names) > 1:
        raise InputError(f"the peerings belong to different circuits: {', '.join(repr(n)[:60] for n in sorted(names))}",
                         file=file, field="(document)")
    if not names:
        raise InputError("cannot tell which circuit these peerings belong to: no peering id names "
                         "an expressRouteCircuits resource", file=file, field=nodes[0].path or "(document)")
    return Circuit(name=names.pop(), peerings=peerings, source_file=file, source_format=fmt,
                   paths={"": "", "peerings": "(document)"})


def _name_from_id(rid: str | None) -> str | None:
    m = _CIRCUIT_FROM_ID.search(rid or "")
    return m.group(1) if m else None


def _merge(circuits: list[Circuit], extra: list[Circuit], file: str) -> list[Circuit]:
    by_name = {c.name.lower(): c for c in circuits}
    for e in extra:
        c = by_name.get(e.name.lower())
        if c is None:
            raise InputError(f"peerings of circuit {e.name!r}, which the circuit file does not hold",
                             file=file, field="(document)")
        have = {p.kind for p in c.peerings}
        dup = [p.name for p in e.peerings if p.kind in have]
        if dup:
            raise InputError(f"peering {dup[0]!r:.60} is already in the circuit file", file=file, field="(document)")
        by_name[e.name.lower()] = c.model_copy(update={"peerings": [*c.peerings, *e.peerings]})
    return [by_name[c.name.lower()] for c in circuits]


# ----------------------------------------------------------------------------- peerings
def _peering(node: Node) -> Peering:
    p = node.flattened()
    kind_text = p.str("peeringType") or p.str("name")
    kind = _KINDS.get((kind_text or "").lower())
    if kind is None:
        if kind_text is None:
            raise p.fail("peeringType", "required field is missing")
        raise p.fail("peeringType", f"unknown peering type {kind_text!r:.40}; expected AzurePrivatePeering, "
                                    "MicrosoftPeering or AzurePublicPeering")
    shared = p.str("sharedKey")
    clear = shared if shared and not _MASKED.match(shared) else None
    msft = _microsoft_config(p.child("microsoftPeeringConfig"))
    paths = {"": node.path, "name": p.at("name"), "peering_type": p.at("peeringType"),
             "state": p.at("state"), "peer_asn": p.at("peerASN"), "azure_asn": p.at("azureASN"),
             "primary_peer_address_prefix": p.at("primaryPeerAddressPrefix"),
             "secondary_peer_address_prefix": p.at("secondaryPeerAddressPrefix"),
             "vlan_id": p.at("vlanId"), "shared_key": p.at("sharedKey"),
             "microsoft_peering_config": p.at("microsoftPeeringConfig"),
             "ipv6_peering_config": p.at("ipv6PeeringConfig"),
             "route_filter_id": p.at("routeFilter")}
    return Peering(
        name=p.str("name") or kind.value, kind=kind, state=p.str("state"),
        peer_asn=_asn(p, "peerASN"), azure_asn=_asn(p, "azureASN"),
        primary_peer_address_prefix=p.str("primaryPeerAddressPrefix"),
        secondary_peer_address_prefix=p.str("secondaryPeerAddressPrefix"),
        primary_azure_port=p.str("primaryAzurePort"), secondary_azure_port=p.str("secondaryAzurePort"),
        vlan_id=p.int("vlanId"),
        shared_key=clear, shared_key_set=bool(shared),
        microsoft_peering_config=msft,
        ipv6_peering_config=_ipv6_config(p.child("ipv6PeeringConfig")),
        route_filter_id=p.ref_id("routeFilter"),
        provisioning_state=p.str("provisioningState"),
        express_route_connection_id=p.ref_id("expressRouteConnection"),
        id=p.str("id"), paths=paths,
    )


def _asn(p: Node, name: str) -> int | None:
    v = p.int(name)
    return None if v == 0 and name.lower() == "customerasn" else v


def _microsoft_config(m: Node | None) -> MicrosoftPeeringConfig | None:
    if m is None:
        return None
    registry = m.str("routingRegistryName")
    customer = m.int("customerASN")
    return MicrosoftPeeringConfig(
        advertised_public_prefixes=m.strs("advertisedPublicPrefixes"),
        advertised_communities=m.strs("advertisedCommunities"),
        advertised_public_prefixes_state=m.str("advertisedPublicPrefixesState"),
        customer_asn=customer or None,  # PowerShell writes 0 for unset
        routing_registry_name=None if (registry or "").upper() == "NONE" else registry,
        legacy_mode=m.int("legacyMode"),
        paths={"": m.path, "advertised_public_prefixes": m.at("advertisedPublicPrefixes"),
               "advertised_public_prefixes_state": m.at("advertisedPublicPrefixesState"),
               "customer_asn": m.at("customerASN"), "routing_registry_name": m.at("routingRegistryName")},
    )


def _ipv6_config(v: Node | None) -> Ipv6PeeringConfig | None:
    if v is None:
        return None
    return Ipv6PeeringConfig(
        primary_peer_address_prefix=v.str("primaryPeerAddressPrefix"),
        secondary_peer_address_prefix=v.str("secondaryPeerAddressPrefix"),
        microsoft_peering_config=_microsoft_config(v.child("microsoftPeeringConfig")),
        route_filter_id=v.ref_id("routeFilter"), state=v.str("state"),
        paths={"": v.path, "primary_peer_address_prefix": v.at("primaryPeerAddressPrefix"),
               "secondary_peer_address_prefix": v.at("secondaryPeerAddressPrefix"),
               "route_filter_id": v.at("routeFilter")},
    )
