"""Sites: circuits that serve the same networks (``sites.yaml`` in the inventory folder).

    ams:
      description: Amsterdam campus
      resiliency: maximum            # the design the site claims: maximum | high | standard (checked)
      circuits:                      # the circuit's Azure name -> its role at this site
        er-ams-prod: preferred       # preferred | secondary | backup; or active (active/active across circuits)
        er-fra-dr: backup
      same_prefixes: true            # every circuit's private peering advertises the same prefixes (default)

Microsoft's guidance: *maximum* resiliency is two circuits in two peering locations, each with both links;
*high* is ExpressRoute Metro (one circuit whose two links land in two peering locations of one metro);
*standard* is one circuit in one location.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["preferred", "secondary", "backup", "active"]
Tier = Literal["maximum", "high", "standard"]

# role -> rank: traffic prefers the lower rank; active: like preferred, and every circuit of the site shares
RANK = {"preferred": 0, "active": 0, "secondary": 1, "backup": 2}


class Site(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = Field(None, max_length=200)
    resiliency: Tier | None = Field(None, description="the design the site claims; ergen checks it")
    circuits: dict[str, Role] = Field(min_length=1, description="circuit (Azure name) -> role at this site")
    same_prefixes: bool = Field(True, description="every circuit's private peering advertises the same prefixes")
