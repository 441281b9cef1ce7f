"""Platform ids, the feature matrix (capabilities.yaml) and the little naming that differs per platform."""

from __future__ import annotations

from dataclasses import dataclass

from ergen.errors import RenderError


from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class PlatformInfo:
    id: str
    title: str
    napalm_driver: str
    unsupported: dict[str, str]        # feature -> why not
    max_ifname: int | None = None      # Linux: IFNAMSIZ - 1

    def supports(self, feature: str) -> bool:
        return feature not in self.unsupported


@lru_cache(maxsize=1)
def _matrix() -> tuple[dict[str, str], dict[str, PlatformInfo]]:
    import yaml
    data = yaml.safe_load((resources.files("ergen") / "platforms" / "capabilities.yaml").read_text())
    features = dict(data["features"])
    platforms = {}
    for pid, p in data["platforms"].items():
        unknown = set(p.get("unsupported") or {}) - set(features)
        if unknown:
            raise RenderError(f"capabilities.yaml: {pid} names unknown features {sorted(unknown)}")
        platforms[pid] = PlatformInfo(pid, p["title"], p["napalm"], dict(p.get("unsupported") or {}),
                                      max_ifname=15 if pid == "frr" else None)
    return features, platforms


def family(platform: str) -> str:
    """The platform whose syntax a platform shares: junos-srx writes Junos (its own additions: security)."""
    return "junos" if platform == "junos-srx" else platform


def features() -> dict[str, str]:
    return _matrix()[0]


def platforms() -> dict[str, PlatformInfo]:
    return _matrix()[1]




def subinterface(platform: str, parent: str, c_tag: int, s_tag: int | None) -> tuple[str, int]:
    """(interface name, unit number) of the subinterface for a peering on ``parent``.

    IOS-XE: ``<parent>.<unit>``, unit = the VLAN, or S-tag × 10000 + C-tag with QinQ
    (one number per tag pair; 1-4294967295 fits). FRR runs on Linux, where a VLAN device
    is ``<parent>.<vlan>`` and a stacked (QinQ) one ``<parent>.<s-tag>.<c-tag>``.
    """
    unit = c_tag if s_tag is None else s_tag * 10000 + c_tag
    if family(platform) == "junos":
        # "interfaces <parent> unit <unit>"; Junos numbers static logical units 0-16385 only, so
        # S-tag x 10000 + C-tag does not fit: the unit is the C-tag (vlan-id, or vlan-tags inner)
        return f"{parent}.{c_tag}", c_tag
    if platform == "frr":
        name = f"{parent}.{c_tag}" if s_tag is None else f"{parent}.{s_tag}.{c_tag}"
        limit = platforms()["frr"].max_ifname
        if limit and len(name) > limit:
            raise RenderError(f"interface name {name} is longer than Linux allows ({limit} characters); "
                              "use a shorter parent interface name", field="interface")
        return name, unit
    return f"{parent}.{unit}", unit
