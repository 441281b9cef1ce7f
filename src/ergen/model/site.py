"""Sites: circuits that serve the same networks (``sites.yaml`` in the inventory folder).

    ams:
      description: Amsterdam campus
      resiliency: maximum            # the design the site claims: maximum | high | standard (checked)
      circuits:                      # the circuit's Azure name -> its role at this site
        er-ams-prod: preferred       # preferred | secondary | backup; or active (active/active across circuits)
        er-fra-dr: backup
      same_prefixes: true            # every circuit's private peering advertises the same prefixes (default)
      ibgp:                          # optional: ergen renders an iBGP full mesh between these routers
        ams-er-r1: {address: 10.255.0.1, source: Loopback0}
        ams-er-r2: {address: 10.255.0.2, address6: "fd00:255::2", source: Loopback0}

Microsoft's guidance: *maximum* resiliency is two circuits in two peering locations, each with both links;
*high* is ExpressRoute Metro (one circuit whose two links land in two peering locations of one metro);
*standard* is one circuit in one location.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Role = Literal["preferred", "secondary", "backup", "active"]
Tier = Literal["maximum", "high", "standard"]

# role -> rank: traffic prefers the lower rank; active: like preferred, and every circuit of the site shares
RANK = {"preferred": 0, "active": 0, "secondary": 1, "backup": 2}


class IbgpRouter(BaseModel):
    """One router of a site's iBGP mesh: the addresses the other routers peer with, and where they live."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str | None = Field(None, description="IPv4 address of the router's iBGP sessions")
    address6: str | None = Field(None, description="IPv6 address of the router's iBGP sessions (IPv6 routes)")
    source: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9/:._-]*$", description=(
        "the interface holding the addresses (a loopback), sent as BGP's update source; none: the routers "
        "share a LAN and the addresses are on it"))

    @field_validator("address")
    @classmethod
    def _v4(cls, v):
        if v is not None and not isinstance(ipaddress.ip_address(v), ipaddress.IPv4Address):
            raise ValueError("an IPv4 address")
        return v

    @field_validator("address6")
    @classmethod
    def _v6(cls, v):
        if v is not None:
            a = ipaddress.ip_address(v)
            if not isinstance(a, ipaddress.IPv6Address):
                raise ValueError("an IPv6 address")
            return a.compressed
        return v


class Site(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = Field(None, max_length=200)
    resiliency: Tier | None = Field(None, description="the design the site claims; ergen checks it")
    circuits: dict[str, Role] = Field(min_length=1, description="circuit (Azure name) -> role at this site")
    same_prefixes: bool = Field(True, description="every circuit's private peering advertises the same prefixes")
    ibgp: dict[str, IbgpRouter] = Field(default_factory=dict, description=(
        "router -> its iBGP addresses: ergen renders a full mesh between them (next-hop-self), so the local "
        "preference it sets steers every router of the site"))
