"""Read ExpressRoute circuits from Terraform state (the azurerm provider's resources).

Two shapes, told apart by their content (``reader._from_document`` asks :func:`is_terraform`):

* ``terraform show -json``: ``values.root_module`` with ``resources`` and nested ``child_modules``
  (a saved plan's ``terraform show -json plan.out`` is read from its ``planned_values``);
* a raw state file (``terraform.tfstate``, version 4): ``resources[]`` with ``module``, ``mode``,
  ``type``, ``name`` and ``instances[]``, each with its ``index_key`` and ``attributes``.

Managed ``azurerm_express_route_circuit`` and ``azurerm_express_route_circuit_peering`` resources
become the same :class:`~ergen.model.circuit.Circuit` objects as Azure's JSON; every other resource
is ignored. A model field's place (``paths``) reads ``<resource address>: <attribute>``, e.g.
``module.er.azurerm_express_route_circuit_peering.private: vlan_id``, so a rule's line names the
resource and the attribute.

Secrets: ``shared_key`` becomes the peering's secret MD5 key (never printed). ``service_key`` is
sensitive in the provider's schema and is not read (ergen would print it in interface
descriptions); ``authorization_key`` is not read either. docs/terraform.md has the whole mapping.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ergen.azure.node import Node, shown
from ergen.errors import InputError
from ergen.model.circuit import (Circuit, Ipv6PeeringConfig, MicrosoftPeeringConfig, Peering,
                                 PeeringKind)

CIRCUIT = "azurerm_express_route_circuit"
PEERING = "azurerm_express_route_circuit_peering"
_TYPES = (CIRCUIT, PEERING)

SHOW_JSON = "Terraform show -json"
PLAN_JSON = "Terraform plan -json"
STATE = "Terraform state"

_KINDS = {k.value.lower(): k for k in PeeringKind}
_ORDER = (PeeringKind.private, PeeringKind.microsoft, PeeringKind.public)
_CIRCUIT_FROM_ID = re.compile(r"/expressroutecircuits/([^/]+)", re.IGNORECASE)
_RG_FROM_ID = re.compile(r"/resourcegroups/([^/]+)", re.IGNORECASE)
# a key someone masked before handing the file on: set in Azure, not shown here
_MASKED = re.compile(r"^\*+$|^\*\*\*.*$|^<redacted>$|^\(sensitive( value)?\)$", re.IGNORECASE)
_ADDRESS_SHOWN = 200


def is_terraform(data: Any) -> bool:
    """A ``terraform show -json`` document or a raw state file (never one of Azure's own shapes)."""
    if not isinstance(data, dict):
        return False
    if "format_version" in data:   # show -json; an empty state's is {"format_version": "1.0"} alone
        return True
    return "version" in data and ("resources" in data or "modules" in data) and \
        ("lineage" in data or "terraform_version" in data)


def circuits_from_terraform(data: dict[str, Any], file: str) -> list[Circuit]:
    """Every managed ExpressRoute circuit of the state, each with its peering resources attached."""
    if "format_version" in data:
        fmt = PLAN_JSON if "values" not in data and "planned_values" in data else SHOW_JSON
        resources = _show_resources(data, file)
    else:
        fmt = STATE
        resources = _state_resources(data, file)
    circuit_res = [a for t, a in resources if t == CIRCUIT]
    peering_res = [a for t, a in resources if t == PEERING]
    if not circuit_res:
        extra = f" ({len(peering_res)} peering resource(s), but not their circuit)" if peering_res else ""
        raise InputError(f"no managed {CIRCUIT} resource in this Terraform state{extra}",
                         file=file, field="(document)")

    found: dict[tuple[str, str], tuple[str, dict[str, Any], dict[PeeringKind, tuple[str, Peering]]]] = {}
    for attrs in circuit_res:
        key, fields = _circuit(attrs, file, fmt)
        if key in found:
            raise attrs.fail("name", f"circuit {fields['name']!r:.60} in resource group {key[1]!r:.60} is also "
                                     f"{found[key][0]}")
        found[key] = (attrs.address, fields, {})
    for attrs in peering_res:
        (circuit, rg), peering = _peering(attrs)
        entry = found.get((circuit.lower(), rg.lower()))
        if entry is None:
            raise attrs.fail("express_route_circuit_name",
                             f"circuit {circuit!r:.60} in resource group {rg!r:.60} is not in this state; "
                             "ergen reads a peering together with its circuit")
        if peering.kind in entry[2]:
            raise attrs.fail("peering_type", f"circuit {circuit!r:.60} already has its {peering.kind.value}: "
                                             f"{entry[2][peering.kind][0]}")
        entry[2][peering.kind] = (attrs.address, peering)
    return [Circuit(**fields, peerings=[peers[k][1] for k in _ORDER if k in peers])
            for _, fields, peers in found.values()]


# ----------------------------------------------------------------------------- attributes
class _Attrs(Node):
    """A resource's attributes, or one nested block of them. A field's place is ``ADDRESS: attr.path``."""

    def __init__(self, data: dict[str, Any], address: str, path: str, file: str) -> None:
        super().__init__(data, path, file)
        self.address = address

    def rel(self, name: str) -> str:
        k = shown(self.key(name) or name)
        return f"{self.path}.{k}" if self.path else k

    def at(self, name: str) -> str:
        return f"{self.address}: {self.rel(name)}"

    def here(self) -> str:
        return f"{self.address}: {self.path}" if self.path else self.address

    def block(self, name: str) -> _Attrs | None:
        """A nested block: Terraform keeps it as a list of at most one object (``sku``, ``ipv6``...)."""
        v = self.raw(name)
        if v is None or v == []:
            return None
        if not isinstance(v, list):
            raise self.fail(name, f"expected a list holding one {name} block, got {type(v).__name__}")
        if len(v) > 1:
            raise self.fail(name, f"expected at most one {name} block, got {len(v)}")
        if v[0] is None:
            return None
        if not isinstance(v[0], dict):
            raise InputError(f"expected an object, got {type(v[0]).__name__}", file=self.file,
                             field=f"{self.at(name)}[0]")
        return _Attrs(v[0], self.address, f"{self.rel(name)}[0]", self.file)

    def missing(self, name: str) -> InputError:
        return self.fail(name, "required attribute is missing")


def _type_name(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def _address(text: str) -> str:
    """A resource address as it may appear in a message: one line, not endless."""
    out = text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return out if len(out) <= _ADDRESS_SHOWN else out[:_ADDRESS_SHOWN] + "..."


def _index(key: Any) -> str | None:
    """``[0]`` for count, ``["ams"]`` for for_each, "" for neither; None for anything else."""
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, str):
        return f"[{json.dumps(key, ensure_ascii=False)}]"
    return None


# ----------------------------------------------------------------------------- the two shapes
def _show_resources(data: dict[str, Any], file: str) -> list[tuple[str, _Attrs]]:
    """(type, attributes) of every managed circuit and peering, root module first, then each child
    module depth-first (iterative: a state may nest modules deeper than Python's recursion limit)."""
    key = "values" if "values" in data or "planned_values" not in data else "planned_values"
    values = data.get(key)
    if values is None:
        return []
    if not isinstance(values, dict):
        raise InputError(f"expected an object, got {_type_name(values)}", file=file, field=key)
    root = values.get("root_module")
    if root is None:
        return []
    if not isinstance(root, dict):
        raise InputError(f"expected an object, got {_type_name(root)}", file=file, field=f"{key}.root_module")
    out: list[tuple[str, _Attrs]] = []
    stack = [(root, f"{key}.root_module")]
    while stack:
        module, where = stack.pop()
        for i, res in enumerate(_list(module, "resources", where, file)):
            rwhere = f"{where}.resources[{i}]"
            if not isinstance(res, dict):
                raise InputError(f"expected a resource object, got {_type_name(res)}", file=file, field=rwhere)
            typ = res.get("type")
            if not (isinstance(typ, str) and typ in _TYPES) or res.get("mode", "managed") != "managed":
                continue
            address = res.get("address")
            if not isinstance(address, str) or not address:
                raise InputError("expected the resource's address as text", file=file, field=f"{rwhere}.address")
            address = _address(address)
            vals = res.get("values")
            if not isinstance(vals, dict):
                raise InputError("the resource has no values" if vals is None else
                                 f"expected the resource's values as an object, got {_type_name(vals)}",
                                 file=file, field=f"{address}: values")
            out.append((typ, _Attrs(vals, address, "", file)))
        children = _list(module, "child_modules", where, file)
        for j in reversed(range(len(children))):
            if not isinstance(children[j], dict):
                raise InputError(f"expected a module object, got {_type_name(children[j])}", file=file,
                                 field=f"{where}.child_modules[{j}]")
            stack.append((children[j], f"{where}.child_modules[{j}]"))
    return out


def _list(obj: dict[str, Any], name: str, where: str, file: str) -> list[Any]:
    v = obj.get(name)
    if v is None:
        return []
    if not isinstance(v, list):
        raise InputError(f"expected a list, got {_type_name(v)}", file=file, field=f"{where}.{name}" if where else name)
    return v


def _state_resources(data: dict[str, Any], file: str) -> list[tuple[str, _Attrs]]:
    version = data.get("version")
    if type(version) is not int or version != 4:
        raise InputError(f"Terraform state version {str(version)!r:.20}: ergen reads version 4 (Terraform 0.12 "
                         "and later); terraform show -json gives a shape ergen reads from any version",
                         file=file, field="version")
    out: list[tuple[str, _Attrs]] = []
    for i, res in enumerate(_list(data, "resources", "", file)):
        if not isinstance(res, dict):
            raise InputError(f"expected a resource object, got {_type_name(res)}", file=file, field=f"resources[{i}]")
        typ = res.get("type")
        if not (isinstance(typ, str) and typ in _TYPES) or res.get("mode", "managed") != "managed":
            continue
        name, module = res.get("name"), res.get("module")
        if not isinstance(name, str) or not name:
            raise InputError("expected the resource's name as text", file=file, field=f"resources[{i}].name")
        if module is not None and not isinstance(module, str):
            raise InputError(f"expected the module's address as text, got {_type_name(module)}", file=file,
                             field=f"resources[{i}].module")
        base = _address(f"{module}.{typ}.{name}" if module else f"{typ}.{name}")
        instances = res.get("instances")
        if instances is None:
            continue
        if not isinstance(instances, list):
            raise InputError(f"expected a list, got {_type_name(instances)}", file=file, field=f"{base}: instances")
        for j, inst in enumerate(instances):
            if not isinstance(inst, dict):
                raise InputError(f"expected an instance object, got {_type_name(inst)}", file=file,
                                 field=f"{base}: instances[{j}]")
            if inst.get("deposed"):
                continue   # an old object waiting to be destroyed (create_before_destroy), not the circuit
            index = _index(inst.get("index_key"))
            if index is None:
                raise InputError(f"expected a whole number or text, got {_type_name(inst.get('index_key'))}",
                                 file=file, field=f"{base}: instances[{j}].index_key")
            address = _address(base + index)
            attrs = inst.get("attributes")
            if not isinstance(attrs, dict):
                raise InputError("the instance has no attributes" if attrs is None else
                                 f"expected the attributes as an object, got {_type_name(attrs)}",
                                 file=file, field=f"{address}: attributes")
            out.append((typ, _Attrs(attrs, address, "", file)))
    return out


# ----------------------------------------------------------------------------- circuits and peerings
def _from_id(pattern: re.Pattern[str], rid: str | None) -> str | None:
    m = pattern.search(rid or "")
    return m.group(1) if m else None


def _circuit(a: _Attrs, file: str, fmt: str) -> tuple[tuple[str, str], dict[str, Any]]:
    cid = a.str("id")
    name = a.str("name") or _from_id(_CIRCUIT_FROM_ID, cid)
    if not name:
        raise a.missing("name")
    rg = a.str("resource_group_name") or _from_id(_RG_FROM_ID, cid)
    if not rg:
        raise a.missing("resource_group_name")
    sku = a.block("sku")
    tier = sku.str("tier") if sku else None
    family = sku.str("family") if sku else None
    paths = {"": a.here(), "name": a.at("name"), "peerings": a.here(),
             "sku_tier": sku.at("tier") if sku else a.at("sku"),
             "bandwidth_in_mbps": a.at("bandwidth_in_mbps"),
             "service_provider_provisioning_state": a.at("service_provider_provisioning_state"),
             "express_route_port_id": a.at("express_route_port_id")}
    # service_key: not read (sensitive in the provider's schema; ergen prints it in interface descriptions);
    # authorization_key: not read. Azure's circuitProvisioningState, provisioningState, globalReachEnabled
    # and stag have no attribute: they stay None (unknown), as the rules expect.
    return (name.lower(), rg.lower()), dict(
        name=name, id=cid, location=a.str("location"),
        sku_name=f"{tier}_{family}" if tier and family else None,   # Azure's sku.name, as the provider sets it
        sku_tier=tier, sku_family=family,
        service_provider_name=a.str("service_provider_name"), peering_location=a.str("peering_location"),
        bandwidth_in_mbps=_positive(a, "bandwidth_in_mbps", a.int),
        bandwidth_in_gbps=_positive(a, "bandwidth_in_gbps", a.float),
        service_provider_provisioning_state=a.str("service_provider_provisioning_state"),
        express_route_port_id=a.str("express_route_port_id"),
        paths=paths, source_file=file, source_format=fmt)


def _positive(a: _Attrs, name: str, get) -> Any:
    """A bandwidth: 0 is the provider's "not set" (a Direct circuit's Mbps, a provider circuit's Gbps)."""
    v = get(name)
    if v is not None and v < 0:
        raise a.fail(name, f"expected a positive number, got {str(v):.20}")
    return v or None


def _asn(a: _Attrs, name: str) -> int | None:
    """An ASN; 0 is the provider's "not set" (Azure's null), a negative number is no ASN at all."""
    v = a.int(name)
    if v is not None and v < 0:
        raise a.fail(name, f"expected an ASN (1-4294967295), got {str(v):.20}")
    return v or None


def _enabled(a: _Attrs, name: str) -> str | None:
    v = a.bool(name)
    return None if v is None else ("Enabled" if v else "Disabled")


def _peering(a: _Attrs) -> tuple[tuple[str, str], Peering]:
    kind_text = a.str("peering_type")
    if kind_text is None:
        raise a.missing("peering_type")
    kind = _KINDS.get(kind_text.lower())
    if kind is None:
        raise a.fail("peering_type", f"unknown peering type {kind_text!r:.40}; expected AzurePrivatePeering, "
                                     "MicrosoftPeering or AzurePublicPeering")
    pid = a.str("id")
    circuit = a.str("express_route_circuit_name") or _from_id(_CIRCUIT_FROM_ID, pid)
    if not circuit:
        raise a.missing("express_route_circuit_name")
    rg = a.str("resource_group_name") or _from_id(_RG_FROM_ID, pid)
    if not rg:
        raise a.missing("resource_group_name")
    vlan = a.int("vlan_id")
    if vlan is None:
        raise a.missing("vlan_id")
    shared = a.str("shared_key")
    paths = {"": a.here(), "name": a.at("peering_type"), "peering_type": a.at("peering_type"),
             "state": a.at("ipv4_enabled"), "peer_asn": a.at("peer_asn"), "azure_asn": a.at("azure_asn"),
             "primary_peer_address_prefix": a.at("primary_peer_address_prefix"),
             "secondary_peer_address_prefix": a.at("secondary_peer_address_prefix"),
             "vlan_id": a.at("vlan_id"), "shared_key": a.at("shared_key"),
             "microsoft_peering_config": a.at("microsoft_peering_config"),
             "ipv6_peering_config": a.at("ipv6"), "route_filter_id": a.at("route_filter_id")}
    return (circuit, rg), Peering(
        name=kind.value,   # Azure names a peering after its type; the provider keeps no name
        kind=kind,
        state=_enabled(a, "ipv4_enabled"),   # the provider's ipv4_enabled is Azure's state Enabled|Disabled
        peer_asn=_asn(a, "peer_asn"), azure_asn=_asn(a, "azure_asn"),
        primary_peer_address_prefix=a.str("primary_peer_address_prefix"),
        secondary_peer_address_prefix=a.str("secondary_peer_address_prefix"),
        primary_azure_port=a.str("primary_azure_port"), secondary_azure_port=a.str("secondary_azure_port"),
        vlan_id=vlan,
        shared_key=shared if shared and not _MASKED.match(shared) else None, shared_key_set=bool(shared),
        microsoft_peering_config=_microsoft(a.block("microsoft_peering_config")),
        ipv6_peering_config=_ipv6(a.block("ipv6")),
        route_filter_id=a.str("route_filter_id"),
        id=pid, paths=paths,
    )


def _microsoft(b: _Attrs | None) -> MicrosoftPeeringConfig | None:
    if b is None:
        return None
    registry = b.str("routing_registry_name")
    return MicrosoftPeeringConfig(
        advertised_public_prefixes=b.strs("advertised_public_prefixes"),
        advertised_communities=b.strs("advertised_communities"),
        customer_asn=_asn(b, "customer_asn"),
        routing_registry_name=None if (registry or "").upper() == "NONE" else registry,   # the provider's default
        paths={"": b.here(), "advertised_public_prefixes": b.at("advertised_public_prefixes"),
               "customer_asn": b.at("customer_asn"), "routing_registry_name": b.at("routing_registry_name")},
    )


def _ipv6(b: _Attrs | None) -> Ipv6PeeringConfig | None:
    if b is None:
        return None
    return Ipv6PeeringConfig(
        primary_peer_address_prefix=b.str("primary_peer_address_prefix"),
        secondary_peer_address_prefix=b.str("secondary_peer_address_prefix"),
        microsoft_peering_config=_microsoft(b.block("microsoft_peering")),
        route_filter_id=b.str("route_filter_id"),
        state=_enabled(b, "enabled"),
        paths={"": b.here(), "primary_peer_address_prefix": b.at("primary_peer_address_prefix"),
               "secondary_peer_address_prefix": b.at("secondary_peer_address_prefix"),
               "route_filter_id": b.at("route_filter_id")},
    )
