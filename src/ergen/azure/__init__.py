"""Readers for Azure's descriptions of ExpressRoute circuits.

``load_circuits(path)`` reads a file (or ``-`` for stdin) in any of the shapes an
engineer gets from Azure and returns :class:`ergen.model.circuit.Circuit` objects.
"""

from ergen.azure.reader import load_circuits, parse_circuits

__all__ = ["load_circuits", "parse_circuits", "load_vpn"]


def load_vpn(path):
    """A VirtualNetworkGateway or a VirtualNetworkGatewayConnection file, told apart by its content."""
    from ergen.azure import vpn
    return vpn.load_vpn(path)
