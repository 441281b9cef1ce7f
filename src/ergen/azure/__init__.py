"""Readers for Azure's descriptions of ExpressRoute circuits.

``load_circuits(path)`` reads a file (or ``-`` for stdin) in any of the shapes an
engineer gets from Azure and returns :class:`ergen.model.circuit.Circuit` objects.
"""

from ergen.azure.reader import load_circuits, parse_circuits

__all__ = ["load_circuits", "parse_circuits", "load_vpn"]


def load_vpn(path):
    """A VirtualNetworkGateway or a VirtualNetworkGatewayConnection file, told apart by its content."""
    from ergen.azure import vpn
    from ergen.azure.reader import _read_text, parse_json
    from ergen.errors import InputError

    label, text = _read_text(path)
    data = parse_json(text, label)
    flat = {**data, **(data.get("properties") or {})} if isinstance(data, dict) else {}
    keys = {k.lower() for k in flat}
    typ = str(flat.get("type", "")).lower()
    if typ.endswith("/connections") or "connectiontype" in keys or "virtualnetworkgateway1" in keys:
        return vpn.parse_connection(text, label)
    if typ.endswith("/virtualnetworkgateways") or "gatewaytype" in keys or "bgpsettings" in keys:
        return vpn.parse_gateway(text, label)
    raise InputError("neither a VPN gateway nor a VPN connection", file=label, field="(document)")
