"""Platform ids and the little naming that differs per platform.

``ios-xe`` and ``frr`` render today; the NAPALM driver names are here so the push work
maps one table (design: ios-xe→ios, junos→junos, eos→eos, nx-os→nxos, ios-xr→iosxr, frr→frr).
"""

from __future__ import annotations

from dataclasses import dataclass

from ergen.errors import RenderError


@dataclass(frozen=True)
class PlatformInfo:
    id: str
    title: str
    napalm_driver: str
    max_ifname: int | None = None      # Linux: IFNAMSIZ - 1


PLATFORMS: dict[str, PlatformInfo] = {
    "ios-xe": PlatformInfo("ios-xe", "Cisco IOS-XE", "ios"),
    "frr": PlatformInfo("frr", "FRRouting (Linux)", "frr", max_ifname=15),
}


def subinterface(platform: str, parent: str, c_tag: int, s_tag: int | None) -> tuple[str, int]:
    """(interface name, unit number) of the subinterface for a peering on ``parent``.

    IOS-XE: ``<parent>.<unit>``, unit = the VLAN, or S-tag × 10000 + C-tag with QinQ
    (one number per tag pair; 1-4294967295 fits). FRR runs on Linux, where a VLAN device
    is ``<parent>.<vlan>`` and a stacked (QinQ) one ``<parent>.<s-tag>.<c-tag>``.
    """
    unit = c_tag if s_tag is None else s_tag * 10000 + c_tag
    if platform == "frr":
        name = f"{parent}.{c_tag}" if s_tag is None else f"{parent}.{s_tag}.{c_tag}"
        limit = PLATFORMS["frr"].max_ifname
        if limit and len(name) > limit:
            raise RenderError(f"interface name {name} is longer than Linux allows ({limit} characters); "
                              "use a shorter parent interface name", field="interface")
        return name, unit
    return f"{parent}.{unit}", unit
