"""NAPALM community-driver entry point: ``napalm.get_network_driver("frr")`` finds ergen's FRR driver here."""

from ergen.change.drivers.frr import FRRDriver

__all__ = ["FRRDriver"]
