"""The rule engine: a context shared by the checks, problems, and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

from ergen.errors import InputError
from ergen.model.circuit import Circuit, Peering, PeeringKind
from ergen.model.inventory import CircuitPolicy, Inventory, LinkAttachment, Router
from ergen.rules.codes import RULES, Severity
from ergen.secrets import Secret, resolve


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    file: str
    where: str
    message: str

    @property
    def name(self) -> str:
        return RULES[self.code].name

    def line(self) -> str:
        """One line, always: Azure's or the inventory's text in a message has its line breaks and control
        characters written as escapes."""
        loc = ": ".join(_one_line(x) for x in (self.file, self.where) if x)
        return f"{loc}: {self.severity.value} {self.code} {self.name}: {_one_line(self.message)}"

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name, "severity": self.severity.value,
                "file": self.file, "where": self.where, "message": self.message}


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.warning]

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes(self) -> set[str]:
        return {p.code for p in self.problems}


@dataclass(frozen=True)
class Landing:
    """One peering of one circuit landing on one router's interface (what a link attachment means)."""

    router: Router
    index: int                 # position in the router's data.expressroute
    attachment: LinkAttachment
    circuit: Circuit
    peering: Peering

    @property
    def where(self) -> str:
        if self.attachment.origin:
            return self.attachment.origin[1]
        return f"{self.router.name}.data.expressroute[{self.index}]"


@dataclass
class Context:
    circuits: list[Circuit]
    inventory: Inventory
    report: Report = field(default_factory=Report)
    gateways: list = field(default_factory=list)      # ergen.model.vpn.VpnGateway
    connections: list = field(default_factory=list)   # ergen.model.vpn.VpnConnection
    sites: list = field(default_factory=list)         # ergen.model.vpn.VpnSite (Virtual WAN)
    er_gateways: list = field(default_factory=list)   # ergen.model.vpn.ExpressRouteGateway (Virtual WAN hubs)
    # an estate rendered one router group at a time: every customer's facts (name, id, vrf, prefixes), for
    # the checks that look across customers; global_checks False: another group's run made those already
    customer_facts: list | None = None
    global_checks: bool = True
    _secrets: dict[str, Secret | None] = field(default_factory=dict)
    _by_name: dict[str, Circuit] | None = None
    _policy_keys: dict[str, str] | None = None
    _by_router: dict[str, list] | None = None
    _landings: list | None = None
    _advertised: dict = field(default_factory=dict)
    drains: dict = field(default_factory=dict)        # (circuit, link) -> intent.model.Drain: traffic moved off
    rule_cache: dict = field(default_factory=dict)    # indexes a check builds once per run   # keyed by id(attachment): they live as long as the run
    _customer_files: dict[str, str] = field(default_factory=dict)

    # -- reporting ------------------------------------------------------------------
    def add(self, code: str, file: str, where: str, message: str) -> None:
        rule = RULES[code]
        self.report.problems.append(Problem(code, rule.severity, file, where, message))

    @cached_property
    def hosts_file(self) -> str:
        return self.inventory.files.get("hosts", str(Path(self.inventory.path) / "hosts.yaml"))

    @cached_property
    def circuits_file(self) -> str:
        return self.inventory.files.get("circuits", str(Path(self.inventory.path) / "circuits.yaml"))

    def attachment_file(self, att: LinkAttachment) -> str:
        """The file that defines a link attachment: hosts.yaml, or the customer file it came from."""
        return att.origin[0] if att.origin else self.hosts_file

    def attachment_where(self, router: Router, index: int, att: LinkAttachment) -> tuple[str, str]:
        if att.origin:
            return att.origin
        return self.hosts_file, f"{router.name}.data.expressroute[{index}]"

    # -- lookups ----------------------------------------------------------------------
    def circuit(self, name: str) -> Circuit | None:
        if self._by_name is None:
            self._by_name = {}
            for c in self.circuits:
                self._by_name.setdefault(c.name.lower(), c)
        return self._by_name.get(name.lower())

    def _policy_index(self) -> dict[str, str]:
        if self._policy_keys is None:
            self._policy_keys = {}
            for k in self.inventory.circuits:
                self._policy_keys.setdefault(k.lower(), k)
        return self._policy_keys

    def policy(self, circuit: Circuit) -> CircuitPolicy:
        key = self._policy_index().get(circuit.name.lower())
        return self.inventory.circuits[key] if key is not None else _NO_POLICY

    def policy_key(self, circuit: Circuit) -> str:
        """The YAML path of a circuit's policy: its key in circuits.yaml, or circuits.<key> in its
        customer's file."""
        return self.policy_where(self._policy_index().get(circuit.name.lower(), circuit.name))

    def policy_name(self, circuit: Circuit) -> str:
        """The circuit's key among the inventory's policies (its Azure name as the inventory spells it)."""
        return self._policy_index().get(circuit.name.lower(), circuit.name)

    def policy_where(self, key: str) -> str:
        pol = self.inventory.circuits.get(key)
        return f"circuits.{key}" if pol is not None and pol.customer in self.inventory.customers else key

    def policy_file(self, circuit: Circuit | str) -> str:
        """The file a circuit's policy is written in: circuits.yaml or customers/<customer>.yaml."""
        key = circuit if isinstance(circuit, str) else self._policy_index().get(circuit.name.lower())
        pol = self.inventory.circuits.get(key) if key is not None else None
        if pol is not None and pol.customer in self.inventory.customers:
            return self.customer_file(pol.customer)
        return self.circuits_file

    def customer_file(self, name: str) -> str:
        """customers/<name>.yaml of this inventory."""
        f = self._customer_files.get(name)
        if f is None:
            f = self._customer_files[name] = str(Path(self.inventory.path) / "customers" / f"{name}.yaml")
        return f

    def all_customers(self) -> list:
        """(name, customer) of every customer of the estate, not only those of this inventory's routers."""
        if self.customer_facts is not None:
            return self.customer_facts
        return list(self.inventory.customers.items())

    def customer_of(self, circuit: Circuit):
        """(name, Customer) of the customer a circuit serves, or None."""
        name = self.policy(circuit).customer
        if name is None:
            return None
        cust = self.inventory.customers.get(name)
        return (name, cust) if cust is not None else None

    def attachments(self) -> Iterator[tuple[Router, int, LinkAttachment]]:
        for router in self.inventory.routers.values():
            for i, att in enumerate(router.data.expressroute):
                yield router, i, att

    def rendered_peerings(self, circuit: Circuit) -> list[Peering]:
        """The peerings ergen renders: private and Microsoft, enabled in the inventory policy."""
        pol = self.policy(circuit)
        out = []
        for p in circuit.peerings:
            if p.kind is PeeringKind.public:
                continue
            if pol.connectivity == "ipvpn" and p.kind is not PeeringKind.private:
                continue   # the provider's PE carries private peering only
            if not getattr(pol, p.short).enabled:
                continue
            out.append(p)
        return out

    def landings(self) -> list[Landing]:
        """Every (router, attachment, peering) that will be rendered; skips unknown circuits. (Computed
        once: the circuits and the inventory do not change during a run.)"""
        if self._landings is None:
            self._landings = list(self._find_landings())
        return self._landings

    def _find_landings(self) -> Iterator[Landing]:
        for router, i, att in self.attachments():
            circuit = self.circuit(att.circuit)
            if circuit is None:
                continue
            for p in self.rendered_peerings(circuit):
                if att.peerings is None or p.short in att.peerings:
                    yield Landing(router, i, att, circuit, p)

    def tags(self, landing: Landing) -> tuple[int | None, int | None]:
        """(S-tag, C-tag) of the router's subinterface for a landing: the provider's PE VLAN with IPVPN;
        else the router-side VLAN or Azure's, inside the inventory's S-tag or a Direct QinQ port's."""
        att, c = landing.attachment, landing.circuit
        pol = self.policy(c)
        if pol.connectivity == "ipvpn":
            link = getattr(pol.ipvpn, att.link) if pol.ipvpn else None
            return None, (link.vlan if link else None)
        ctag = att.vlan.get(landing.peering.short, landing.peering.vlan_id)
        stag = att.s_tag
        if stag is None and c.encapsulation == "QinQ" and c.stag:
            stag = c.stag
        return stag, ctag

    def landings_by_router(self) -> dict[str, list[Landing]]:
        if self._by_router is None:
            self._by_router = {}
            for l in self.landings():
                self._by_router.setdefault(l.router.name, []).append(l)
        return self._by_router

    def advertised(self, landing: Landing, ipv6: bool) -> tuple[list[str], str, str]:
        """(prefixes, file, YAML path) of what ``landing`` advertises in one family (a new list each call)."""
        ck = (id(landing.attachment), landing.peering.short, ipv6)
        hit = self._advertised.get(ck)
        if hit is None:
            hit = self._advertised[ck] = self._find_advertised(landing, ipv6)
        return list(hit[0]), hit[1], hit[2]

    def _find_advertised(self, landing: Landing, ipv6: bool) -> tuple[list[str], str, str]:
        key = "advertise_ipv6" if ipv6 else "advertise"
        override = getattr(landing.attachment, landing.peering.short)
        if override is not None and getattr(override, key) is not None:
            return (list(getattr(override, key)), self.attachment_file(landing.attachment),
                    f"{landing.where}.{landing.peering.short}.{key}")
        pol = getattr(self.policy(landing.circuit), landing.peering.short)
        return (list(getattr(pol, key)), self.policy_file(landing.circuit),
                f"{self.policy_key(landing.circuit)}.{landing.peering.short}.{key}")

    def secret(self, ref: str, file: str, where: str) -> Secret | None:
        if ref not in self._secrets:
            try:
                self._secrets[ref] = resolve(ref, base=Path(self.inventory.path), file=file, field=where)
            except InputError as exc:
                self.add("ER704", file, where, exc.message)
                self._secrets[ref] = None
        return self._secrets[ref]

    def connection(self, name: str):
        """By name; a Virtual WAN link connection also as ``<connection>/<link connection>``."""
        key = name.lower()
        return next((c for c in self.connections if c.name.lower() == key or
                     (c.parent and f"{c.parent}/{c.name}".lower() == key)), None)

    def site_link_of(self, connection):
        """A Virtual WAN link connection's site link (and its site), when the site is among the files."""
        lid = (connection.site_link_id or "").lower()
        for s in self.sites:
            for l in s.links:
                if lid and ((l.id or "").lower() == lid or lid.endswith(f"/vpnsitelinks/{l.name.lower()}") and
                            (not connection.site_id or (s.id or "").lower() == connection.site_id.lower()
                             or connection.site_id.lower().endswith("/" + s.name.lower()))):
                    return s, l
        return None, None

    def gateway_of(self, connection):
        gid = (connection.gateway_id or "").lower()
        return next((g for g in self.gateways if (g.id or "").lower() == gid or
                     gid.endswith("/" + g.name.lower())), None)

    def secrets(self) -> list[Secret]:
        return [s for s in self._secrets.values() if s is not None]


_NO_POLICY = CircuitPolicy()

Check = Callable[[Context], None]
CHECKS: list[Check] = []


def check(fn: Check) -> Check:
    CHECKS.append(fn)
    return fn


def validate(circuits: list[Circuit], inventory: Inventory | None = None, vpn: list | None = None) -> Report:
    """Run every rule; ``inventory`` None checks the circuits alone (Azure-side rules only)."""
    ctx = run(circuits, inventory, vpn)
    return ctx.report


def vpn_items(vpn):
    """Every VPN object of ``vpn``, lists opened and a gateway's embedded connections included."""
    for v in vpn or []:
        if isinstance(v, (list, tuple)):
            yield from vpn_items(v)
            continue
        yield v
        yield from getattr(v, "connections", None) or []


def run(circuits: list[Circuit], inventory: Inventory | None = None, vpn: list | None = None, *,
        customer_facts: list | None = None, global_checks: bool = True) -> Context:
    """``vpn``: VPN gateways and connections (ergen.model.vpn) for IPsec over ExpressRoute, and for
    Virtual WAN the sites and the hub's ExpressRoute gateway; lists (a vpnConnections file) are opened."""
    from ergen.rules import checks  # noqa: F401  (registers the checks)

    items = list(vpn_items(vpn))
    kinds: dict[str, list] = {}
    if items:   # the VPN models are imported only when there is IPsec (start-up, issue 17)
        from ergen.model.vpn import ExpressRouteGateway, VpnConnection, VpnGateway, VpnSite
        for key, cls in (("gateways", VpnGateway), ("connections", VpnConnection), ("sites", VpnSite),
                         ("er_gateways", ExpressRouteGateway)):
            kinds[key] = [v for v in items if isinstance(v, cls)]
    inv = inventory or Inventory(path=".", routers={})
    ctx = Context(circuits=circuits, inventory=inv, **kinds,
                  customer_facts=customer_facts, global_checks=global_checks)
    for fn in CHECKS:
        fn(ctx)
    return ctx
