"""The Azure side, shaped like Azure's own ExpressRouteCircuit resource.

Readers (``ergen.azure``) translate REST, az CLI and PowerShell shapes into these
classes; nothing here knows about routers. Prefixes stay strings as Azure gave
them: the rules check them and name the source field when one is wrong.

Every object keeps ``paths``: for each model field it was read from, the JSON path
in the source file (``properties.peerings[0].properties.vlanId``), so a rule can
name the exact field.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class PeeringKind(str, Enum):
    """The peering types of an ExpressRoute circuit, by Azure's ``peeringType``."""

    private = "AzurePrivatePeering"
    microsoft = "MicrosoftPeering"
    public = "AzurePublicPeering"  # legacy, retired by Microsoft; read and shown, never rendered

    @property
    def short(self) -> str:
        return _SHORT[self._value_]


_SHORT = {"AzurePrivatePeering": "private", "MicrosoftPeering": "microsoft", "AzurePublicPeering": "public"}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    paths: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    def where(self, field: str) -> str:
        """JSON path of ``field`` in the source file (the object's own path if unknown)."""
        return self.paths.get(field) or self.paths.get("", "")


class MicrosoftPeeringConfig(_Model):
    advertised_public_prefixes: list[str] = Field(default_factory=list)
    advertised_communities: list[str] = Field(default_factory=list)
    advertised_public_prefixes_state: str | None = None  # NotConfigured|Configuring|Configured|ValidationNeeded
    customer_asn: int | None = None
    routing_registry_name: str | None = None
    legacy_mode: int | None = None


class Ipv6PeeringConfig(_Model):
    primary_peer_address_prefix: str | None = None
    secondary_peer_address_prefix: str | None = None
    microsoft_peering_config: MicrosoftPeeringConfig | None = None
    route_filter_id: str | None = None
    state: str | None = None


class Peering(_Model):
    name: str
    kind: PeeringKind
    state: str | None = None  # Enabled|Disabled
    peer_asn: int | None = None
    azure_asn: int | None = None
    primary_peer_address_prefix: str | None = None
    secondary_peer_address_prefix: str | None = None
    primary_azure_port: str | None = None
    secondary_azure_port: str | None = None
    vlan_id: int | None = None
    shared_key: SecretStr | None = None  # only when the source showed it in clear
    shared_key_set: bool = False          # Azure says a key is set (even when masked)
    microsoft_peering_config: MicrosoftPeeringConfig | None = None
    ipv6_peering_config: Ipv6PeeringConfig | None = None
    route_filter_id: str | None = None
    provisioning_state: str | None = None
    express_route_connection_id: str | None = None
    id: str | None = None

    @property
    def short(self) -> str:
        return _SHORT[self.kind._value_]


class ExpressRoutePort(_Model):
    """ExpressRoute Direct port pair (only the parts a router config needs)."""

    id: str | None = None
    name: str | None = None
    encapsulation: str | None = None  # Dot1Q|QinQ
    bandwidth_in_gbps: float | None = None
    peering_location: str | None = None
    macsec_cipher: str | None = None  # GcmAes128|GcmAes256|GcmAesXpn128|GcmAesXpn256
    macsec_sci_state: str | None = None  # Enabled|Disabled


class Circuit(_Model):
    name: str
    id: str | None = None
    location: str | None = None
    service_key: str | None = None
    sku_name: str | None = None
    sku_tier: str | None = None      # Standard|Premium|Basic|Local
    sku_family: str | None = None    # UnlimitedData|MeteredData
    service_provider_name: str | None = None
    peering_location: str | None = None
    bandwidth_in_mbps: int | None = None
    bandwidth_in_gbps: float | None = None
    service_provider_provisioning_state: str | None = None
    circuit_provisioning_state: str | None = None
    provisioning_state: str | None = None
    global_reach_enabled: bool | None = None
    express_route_port_id: str | None = None
    express_route_port: ExpressRoutePort | None = None
    stag: int | None = None
    peerings: list[Peering] = Field(default_factory=list)
    source_file: str = Field(default="", exclude=True)
    source_format: str = Field(default="", exclude=True)  # "ARM/REST", "az CLI", "PowerShell", "peering list"

    def peering(self, kind: PeeringKind | str) -> Peering | None:
        for p in self.peerings:
            if p.kind == kind or p.kind.short == kind:
                return p
        return None

    @property
    def is_direct(self) -> bool:
        return bool(self.express_route_port_id or self.express_route_port)

    @property
    def encapsulation(self) -> str | None:
        """Dot1Q or QinQ for ExpressRoute Direct when known; None for provider circuits."""
        if self.express_route_port and self.express_route_port.encapsulation:
            return self.express_route_port.encapsulation
        return None

    @property
    def bandwidth_bps(self) -> int | None:
        if self.bandwidth_in_gbps:
            return int(self.bandwidth_in_gbps * 1_000_000_000)
        if self.bandwidth_in_mbps:
            return self.bandwidth_in_mbps * 1_000_000
        return None

    @property
    def bandwidth_label(self) -> str:
        if self.bandwidth_in_gbps:
            return f"{self.bandwidth_in_gbps:g} Gbps"
        if self.bandwidth_in_mbps:
            m = self.bandwidth_in_mbps
            return f"{m // 1000} Gbps" if m >= 1000 and m % 1000 == 0 else f"{m} Mbps"
        return "-"
