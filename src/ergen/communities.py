"""Microsoft's BGP communities by name (data/communities.yaml)."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml

_VALUE = re.compile(r"^12076:\d{1,5}$")


@lru_cache(maxsize=1)
def communities() -> dict[str, str]:
    data = yaml.safe_load((resources.files("ergen") / "data" / "communities.yaml").read_text())
    out = dict(data["services"])
    out.update({f"azure-{k}": v for k, v in data["regions"].items()})
    return out


def community_value(name: str) -> str | None:
    """'exchange' → '12076:5010'; a value '12076:NNNN' as it is; None when unknown."""
    if _VALUE.match(name):
        return name
    return communities().get(name.lower())
