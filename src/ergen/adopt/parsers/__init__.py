"""Running-config parsers, one module per platform family; each has ``parse(text, source) -> RunningConfig``.

They read configs as engineers write them (peer groups, any names, upper-case IPv6, encrypted keys,
unrelated neighbors, IGP, NAT) as well as ergen's own renders.
"""

from __future__ import annotations

import importlib

from ergen.adopt.running import RunningConfig

MODULES = {"ios-xe": "ios", "eos": "ios", "frr": "ios", "nx-os": "ios", "ios-xr": "iosxr", "junos": "junos",
           "junos-srx": "junos"}


def parse_running(platform: str, text: str, source: str = "<running>") -> RunningConfig:
    from ergen.platforms import family
    mod = importlib.import_module(f"ergen.adopt.parsers.{MODULES[platform]}")
    return mod.parse(text, source=source, platform=family(platform))
