"""Read ExpressRoute circuits, ports, route filters and VPN gateways live from Azure Resource Manager.

The ``ergen[azure]`` extra (azure-identity, azure-mgmt-network). Nothing of the Azure SDK is
imported until a function here runs, so ``import ergen`` and ``ergen --help`` never load it.

* Credentials: :class:`azure.identity.DefaultAzureCredential`, i.e. what ``az login`` left, the
  ``AZURE_*`` environment variables of a service principal, workload or managed identity.
* Clouds: ``cloud="public" | "usgov" | "china"`` picks Resource Manager's endpoint, the token scope
  and the Entra ID authority; ``endpoint`` replaces the Resource Manager URL (a test server).
* What comes back is Azure's own JSON, exactly as Resource Manager sent it (``properties``-wrapped,
  peerings embedded): the same document ``az rest`` or an ARM export gives, read by
  :mod:`ergen.azure.reader`. Secrets (peering ``sharedKey``, circuit ``authorizationKey``) are in it;
  :func:`mask_secrets` and :func:`save` keep them out of files unless asked.
* Every failure is an :class:`AzureError`: one line saying what happened and what to do (sign in,
  the missing permission, the name that was not found, throttling, a malformed answer).
* Throttling (429) and transient 5xx answers are retried by azure-core's retry policy, honouring
  the server's ``Retry-After``, bounded: one wait at most :data:`MAX_WAIT_S`, in all
  :data:`TOTAL_WAIT_S` per request.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ergen.errors import ErgenError, InputError, OutputError

MAX_WAIT_S = 60.0       # the longest single Retry-After ergen honours
TOTAL_WAIT_S = 120.0    # all throttling waits of one request together
LRO_TIMEOUT_S = 300.0   # ARP and route tables: Azure usually answers in seconds; give up after this
MASK = "***masked by ergen fetch (--show-secrets keeps it)***"
SECRET_KEYS = frozenset({"sharedkey", "authorizationkey"})  # lower-case, matched anywhere in a document


@dataclass(frozen=True)
class Cloud:
    name: str
    resource_manager: str
    scope: str
    authority: str          # Entra ID host (azure.identity.AzureAuthorityHosts)
    az_cloud: str           # `az cloud set --name ...`


CLOUDS: dict[str, Cloud] = {
    "public": Cloud("public", "https://management.azure.com", "https://management.azure.com/.default",
                    "login.microsoftonline.com", "AzureCloud"),
    "usgov": Cloud("usgov", "https://management.usgovcloudapi.net",
                   "https://management.core.usgovcloudapi.net/.default", "login.microsoftonline.us",
                   "AzureUSGovernment"),
    "china": Cloud("china", "https://management.chinacloudapi.cn", "https://management.chinacloudapi.cn/.default",
                   "login.chinacloudapi.cn", "AzureChinaCloud"),
}


class AzureError(ErgenError):
    """Azure Resource Manager refused or failed a request; the message says what to do about it."""


# ----------------------------------------------------------------------------- names
@dataclass(frozen=True)
class ResourceRef:
    subscription: str
    resource_group: str
    name: str
    kind: str = "expressRouteCircuits"

    @property
    def label(self) -> str:
        """How ergen names this resource in messages (and as the 'file' of a live circuit)."""
        return f"azure:{self.subscription}/{self.resource_group}/{self.name}"

    @property
    def id(self) -> str:
        return (f"/subscriptions/{self.subscription}/resourceGroups/{self.resource_group}"
                f"/providers/Microsoft.Network/{self.kind}/{self.name}")


_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_ID = re.compile(r"^/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.Network/"
                 r"(?P<kind>[^/]+)/(?P<name>[^/]+)/*$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z0-9_.()-]{1,90}$")   # ARM resource group and resource names
_WHAT = {"expressroutecircuits": "ExpressRoute circuit", "expressrouteports": "ExpressRoute Direct port",
         "routefilters": "route filter", "virtualnetworkgateways": "virtual network gateway",
         "connections": "VPN connection"}


def check_subscription(subscription: str, field: str = "--subscription") -> str:
    s = (subscription or "").strip()
    if not _GUID.match(s):
        raise InputError(f"subscription {s!r:.60} is not a subscription ID (a GUID); `az account list -o table` "
                         "shows yours", field=field)
    return s


def _check_name(value: str, what: str, field: str) -> str:
    if not value or not _NAME.match(value):
        raise InputError(f"{value!r:.100} is not a valid {what} name (letters, digits, - _ . ( ), at most 90)",
                         field=field)
    return value


def parse_id(resource_id: str, kind: str | None = None, *, field: str = "id") -> ResourceRef:
    """An ARM resource id ``/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/KIND/NAME``."""
    m = _ID.match((resource_id or "").strip())
    if not m:
        raise InputError(f"{resource_id!r:.200} is not an ARM id of a Microsoft.Network resource "
                         "(/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/TYPE/NAME)", field=field)
    if kind and m["kind"].lower() != kind.lower():
        raise InputError(f"{resource_id!r:.200} names a {m['kind']}, not {kind}", field=field)
    return ResourceRef(check_subscription(m["sub"], field), m["rg"], m["name"], m["kind"])


def parse_spec(spec: str, *, field: str = "--from-azure") -> ResourceRef:
    """``SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT`` or the circuit's ARM resource id."""
    s = (spec or "").strip()
    if s.startswith("/"):
        return parse_id(s, "expressRouteCircuits", field=field)
    parts = s.split("/")
    if len(parts) != 3 or not all(parts):
        raise InputError(f"{s!r:.200} is neither SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT nor a circuit's ARM id",
                         field=field)
    sub, rg, name = parts
    return ResourceRef(check_subscription(sub, field), _check_name(rg, "resource group", field),
                       _check_name(name, "circuit", field))


# ----------------------------------------------------------------------------- secrets and files
def mask_secrets(doc: Any) -> Any:
    """A copy of an Azure document with every sharedKey and authorizationKey value replaced by :data:`MASK`.

    ergen's readers take the masked value as "a key is set in Azure, not shown" (``shared_key_set``).
    """
    if isinstance(doc, dict):
        return {k: (MASK if isinstance(k, str) and k.lower() in SECRET_KEYS and isinstance(v, str) and v
                    else mask_secrets(v)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [mask_secrets(v) for v in doc]
    return doc


def has_secrets(doc: Any) -> bool:
    if isinstance(doc, dict):
        return any((isinstance(k, str) and k.lower() in SECRET_KEYS and isinstance(v, str) and v and v != MASK)
                   or has_secrets(v) for k, v in doc.items())
    if isinstance(doc, list):
        return any(has_secrets(v) for v in doc)
    return False


def save(doc: Any, path: str | Path, *, force: bool = False, show_secrets: bool = False) -> Path:
    """Write an Azure document as JSON, atomically: the whole file or nothing.

    Secrets are masked unless ``show_secrets``; then the file is created mode 0600. An existing file
    is never replaced unless ``force``.
    """
    target = Path(path)
    data = doc if show_secrets else mask_secrets(doc)
    secret = show_secrets and has_secrets(data)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if target.is_dir():
        raise OutputError("is a folder; give a file name", file=str(target), field="--out")
    if target.exists() and not force:
        raise OutputError("exists; --force replaces it", file=str(target), field="--out")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"folder {folder} does not exist", file=str(target), field="--out")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)  # mode 0600
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {exc.strerror}", file=str(target), field="--out") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if not secret:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if force:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)        # fails if the file appeared meanwhile: never clobber
            except FileExistsError:
                raise OutputError("exists; --force replaces it", file=str(target), field="--out") from None
            except OSError:                 # a file system without hard links
                if target.exists():
                    raise OutputError("exists; --force replaces it", file=str(target), field="--out") from None
                os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", file=str(target), field="--out") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


# ----------------------------------------------------------------------------- the SDK session
def default_credential(cloud: str = "public"):
    """DefaultAzureCredential for ``cloud``: az login, AZURE_* environment, workload or managed identity."""
    from azure.identity import DefaultAzureCredential
    return DefaultAzureCredential(authority=_cloud(cloud).authority)


def _cloud(cloud: str) -> Cloud:
    try:
        return CLOUDS[(cloud or "public").lower()]
    except KeyError:
        raise InputError(f"unknown cloud {cloud!r:.30}; known: {', '.join(CLOUDS)}", field="--cloud") from None


def _sdk() -> None:
    try:
        import azure.identity  # noqa: F401
        import azure.mgmt.network  # noqa: F401
    except ImportError as exc:
        raise ErgenError(f"reading from Azure needs the ergen[azure] extra ({exc.name} is missing): "
                         "pip install 'ergen[azure]'") from None


def _retry_policy():
    """azure-core's RetryPolicy, honouring Retry-After, but never waiting longer than ergen's bounds."""
    from azure.core.pipeline.policies import RetryPolicy

    class BoundedRetryPolicy(RetryPolicy):
        def is_retry(self, settings, response):
            if not super().is_retry(settings, response):
                return False
            after = self.get_retry_after(response)
            if after is not None and (after > MAX_WAIT_S or settings.get("ergen_waited", 0.0) + after > TOTAL_WAIT_S):
                return False          # Azure asks for more than ergen waits: report it instead
            return True

        def sleep(self, settings, transport, response=None):
            start = time.monotonic()
            super().sleep(settings, transport, response=response)
            settings["ergen_waited"] = settings.get("ergen_waited", 0.0) + time.monotonic() - start

    return BoundedRetryPolicy(retry_total=6, retry_status=5, retry_connect=2, retry_read=2,
                              retry_backoff_factor=0.8, retry_backoff_max=int(MAX_WAIT_S))


class Session:
    """Clients for one cloud and credential, one NetworkManagementClient per subscription."""

    def __init__(self, *, cloud: str = "public", credential=None, endpoint: str | None = None) -> None:
        _sdk()
        self.cloud = _cloud(cloud)
        self.endpoint = (endpoint or self.cloud.resource_manager).rstrip("/")
        if not self.endpoint.lower().startswith("https://"):
            raise InputError(f"{self.endpoint!r:.100}: Resource Manager is only reached over https",
                             field="--arm-endpoint")
        self.credential = credential if credential is not None else default_credential(self.cloud.name)
        self._clients: dict[str, Any] = {}

    def network(self, subscription: str):
        sub = check_subscription(subscription)
        if sub not in self._clients:
            from azure.mgmt.network import NetworkManagementClient
            self._clients[sub] = NetworkManagementClient(
                self.credential, sub, base_url=self.endpoint, credential_scopes=[self.cloud.scope],
                retry_policy=_retry_policy(), polling_interval=5, user_agent="ergen")
        return self._clients[sub]

    def call(self, what: str, ref: ResourceRef | str, fn: Callable[[], Any]) -> Any:
        """Run one SDK call; any Azure failure becomes one AzureError line."""
        try:
            return fn()
        except ErgenError:
            raise
        except Exception as exc:  # noqa: BLE001 (translated below; unknown ones re-raised)
            err = translate(exc, what, ref, self)
            if err is None:
                raise
            raise err from None

    def close(self) -> None:
        for c in self._clients.values():
            c.close()
        self._clients.clear()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _raw(pipeline_response, deserialized, headers):
    """The ``cls`` hook of an SDK operation: Azure's JSON as it came, not the SDK's model of it."""
    return _json_of(pipeline_response.http_response)


def _json_of(http_response) -> Any:
    text = http_response.text()
    try:
        return json.loads(text)
    except ValueError as exc:
        raise _Malformed(f"not JSON ({exc})") from None


class _Malformed(Exception):
    pass


def _session(session: Session | None, cloud: str, credential, endpoint: str | None) -> tuple[Session, bool]:
    if session is not None:
        return session, False
    return Session(cloud=cloud, credential=credential, endpoint=endpoint), True


def _get(session: Session, ref: ResourceRef, op: Callable[[Any], Any]) -> dict:
    what = _WHAT.get(ref.kind.lower(), ref.kind)
    doc = session.call(what, ref, lambda: op(session.network(ref.subscription)))
    if not isinstance(doc, dict):
        raise AzureError(f"malformed response from Azure for {what} {ref.name}: expected a JSON object, "
                         f"got {type(doc).__name__}", file=ref.label)
    return doc


def _paged(session: Session, what: str, ref: ResourceRef | str, subscription: str,
           op: Callable[..., Any]) -> list[dict]:
    """Every item of a paged list (the SDK's pager follows nextLink), as Azure's JSON."""
    pages: list[Any] = []

    def hook(pipeline_response) -> None:
        if pipeline_response.http_response.status_code == 200:
            pages.append(_json_of(pipeline_response.http_response))

    def run() -> None:
        for _ in op(session.network(subscription), raw_response_hook=hook):
            pass

    session.call(what, ref, run)
    items: list[dict] = []
    for i, page in enumerate(pages):
        value = page.get("value") if isinstance(page, dict) else None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise AzureError(f"malformed response from Azure for the {what} (page {i + 1}): expected "
                             "{\"value\": [objects], \"nextLink\": ...}", file=str(getattr(ref, "label", ref)))
        items += value
    return items


# ----------------------------------------------------------------------------- resources
def fetch_circuit(subscription: str, resource_group: str, name: str, *, cloud: str = "public", credential=None,
                  endpoint: str | None = None, session: Session | None = None) -> dict:
    """The ExpressRouteCircuit with its peerings, as Resource Manager returns it (secrets in clear)."""
    ref = ResourceRef(check_subscription(subscription), _check_name(resource_group, "resource group",
                                                                   "--resource-group"),
                      _check_name(name, "circuit", "--name"))
    s, own = _session(session, cloud, credential, endpoint)
    try:
        return _get(s, ref, lambda c: c.express_route_circuits.get(ref.resource_group, ref.name, cls=_raw))
    finally:
        if own:
            s.close()


def fetch_port(subscription: str, resource_group: str, name: str, *, cloud: str = "public", credential=None,
               endpoint: str | None = None, session: Session | None = None) -> dict:
    """An ExpressRoute Direct port (expressRoutePorts): encapsulation, links, MACsec."""
    ref = ResourceRef(check_subscription(subscription), _check_name(resource_group, "resource group",
                                                                   "--resource-group"),
                      _check_name(name, "port", "--name"), "expressRoutePorts")
    s, own = _session(session, cloud, credential, endpoint)
    try:
        return _get(s, ref, lambda c: c.express_route_ports.get(ref.resource_group, ref.name, cls=_raw))
    finally:
        if own:
            s.close()


def fetch_route_filter(subscription: str, resource_group: str, name: str, *, cloud: str = "public",
                       credential=None, endpoint: str | None = None, session: Session | None = None) -> dict:
    """A route filter (routeFilters): the communities Microsoft peering receives."""
    ref = ResourceRef(check_subscription(subscription), _check_name(resource_group, "resource group",
                                                                   "--resource-group"),
                      _check_name(name, "route filter", "--name"), "routeFilters")
    s, own = _session(session, cloud, credential, endpoint)
    try:
        return _get(s, ref, lambda c: c.route_filters.get(ref.resource_group, ref.name, cls=_raw))
    finally:
        if own:
            s.close()


def fetch_vpn_gateway(subscription: str, resource_group: str, name: str, *, cloud: str = "public",
                      credential=None, endpoint: str | None = None, session: Session | None = None) -> dict:
    """A virtual network gateway (IPsec over ExpressRoute: its instances, BGP settings)."""
    ref = ResourceRef(check_subscription(subscription), _check_name(resource_group, "resource group",
                                                                   "--resource-group"),
                      _check_name(name, "gateway", "--gateway"), "virtualNetworkGateways")
    s, own = _session(session, cloud, credential, endpoint)
    try:
        return _get(s, ref, lambda c: c.virtual_network_gateways.get(ref.resource_group, ref.name, cls=_raw))
    finally:
        if own:
            s.close()


def fetch_vpn_connections(subscription: str, resource_group: str, gateway: str, *, names: list[str] | None = None,
                          cloud: str = "public", credential=None, endpoint: str | None = None,
                          session: Session | None = None) -> list[dict]:
    """The IPsec connections of a gateway: those ``names``, else every connection in the resource group
    whose virtualNetworkGateway1 is that gateway."""
    gw = ResourceRef(check_subscription(subscription), _check_name(resource_group, "resource group",
                                                                  "--resource-group"),
                     _check_name(gateway, "gateway", "--gateway"), "virtualNetworkGateways")
    s, own = _session(session, cloud, credential, endpoint)
    try:
        if names:
            out = []
            for n in names:
                ref = ResourceRef(gw.subscription, gw.resource_group, _check_name(n, "connection", "--connection"),
                                  "connections")
                out.append(_get(s, ref, lambda c, ref=ref: c.virtual_network_gateway_connections.get(
                    ref.resource_group, ref.name, cls=_raw)))
            return out
        items = _paged(s, "VPN connections", gw, gw.subscription,
                       lambda c, **kw: c.virtual_network_gateway_connections.list(gw.resource_group, **kw))
        return [i for i in items if _gateway1(i).lower() == gw.id.lower()]
    finally:
        if own:
            s.close()


def _gateway1(conn: dict) -> str:
    props = conn.get("properties") if isinstance(conn.get("properties"), dict) else conn
    ref = props.get("virtualNetworkGateway1") or {}
    return str(ref.get("id", "")) if isinstance(ref, dict) else str(ref)


def list_circuits(subscription: str, resource_group: str | None = None, *, cloud: str = "public",
                  credential=None, endpoint: str | None = None, session: Session | None = None) -> list[dict]:
    """Every circuit of a subscription (or of one resource group), following nextLink page by page."""
    sub = check_subscription(subscription)
    rg = _check_name(resource_group, "resource group", "--resource-group") if resource_group else None
    s, own = _session(session, cloud, credential, endpoint)
    label = f"azure:{sub}" + (f"/{rg}" if rg else "")
    try:
        if rg:
            return _paged(s, "ExpressRoute circuits", label, sub,
                          lambda c, **kw: c.express_route_circuits.list(rg, **kw))
        return _paged(s, "ExpressRoute circuits", label, sub, lambda c, **kw: c.express_route_circuits.list_all(**kw))
    finally:
        if own:
            s.close()


def port_ref(circuit: dict) -> ResourceRef | None:
    """The ExpressRoute Direct port a circuit document sits on, if any."""
    props = circuit.get("properties") if isinstance(circuit.get("properties"), dict) else circuit
    port = props.get("expressRoutePort")
    rid = port.get("id") if isinstance(port, dict) else port
    return parse_id(rid, "expressRoutePorts", field="properties.expressRoutePort.id") if rid else None


def route_filter_refs(circuit: dict) -> list[ResourceRef]:
    """The route filters a circuit document's peerings reference (IPv4 and IPv6), without repeats."""
    props = circuit.get("properties") if isinstance(circuit.get("properties"), dict) else circuit
    out: list[ResourceRef] = []
    for p in props.get("peerings") or []:
        pp = p.get("properties") if isinstance(p, dict) and isinstance(p.get("properties"), dict) else p
        if not isinstance(pp, dict):
            continue
        v6 = pp.get("ipv6PeeringConfig") if isinstance(pp.get("ipv6PeeringConfig"), dict) else {}
        for rf in (pp.get("routeFilter"), v6.get("routeFilter")):
            rid = rf.get("id") if isinstance(rf, dict) else rf
            if rid:
                ref = parse_id(rid, "routeFilters", field="routeFilter.id")
                if all(r.id.lower() != ref.id.lower() for r in out):
                    out.append(ref)
    return out


def load_from_azure(spec: str, *, cloud: str = "public", credential=None, endpoint: str | None = None
                    ) -> list:
    """Circuits read live: ``spec`` is ``SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT`` or the circuit's ARM id.

    The same :class:`~ergen.model.circuit.Circuit` the file readers give for a hand export, with the
    ExpressRoute Direct port attached when the circuit sits on one (as ``--port`` would). The peerings'
    sharedKey stays in clear in memory, so ER702 compares it with the inventory's MD5 key.
    """
    from ergen.azure.reader import attach_port, parse_circuits, parse_port

    ref = parse_spec(spec)
    with Session(cloud=cloud, credential=credential, endpoint=endpoint) as s:
        doc = fetch_circuit(ref.subscription, ref.resource_group, ref.name, session=s)
        circuits = parse_circuits(json.dumps(doc), ref.label)
        pref = port_ref(doc)
        if pref is not None:
            port = fetch_port(pref.subscription, pref.resource_group, pref.name, session=s)
            circuits = attach_port(circuits, parse_port(json.dumps(port), pref.label), pref.label)
    return circuits


# ----------------------------------------------------------------------------- Azure's view of the links
@dataclass
class LinkTables:
    """What Microsoft's edge reports for one peering and one device path (primary or secondary)."""

    circuit: str
    peering: str            # Azure's peering name (AzurePrivatePeering, MicrosoftPeering)
    path: str               # primary | secondary
    arp: list[dict]         # ARP table entries: age, interface (On-Prem | Microsoft), ipAddress, macAddress
    routes: list[dict]      # route table summary: neighbor, v, as, upDown, statePfxRcd
    table: list[dict] = field(default_factory=list)   # the route table, when asked: network, nextHop, path


def arp_table(subscription: str, resource_group: str, circuit: str, peering: str, path: str, *,
              session: Session) -> list[dict]:
    return _tables(session, ResourceRef(subscription, resource_group, circuit), [(peering, path)])[0].arp


def link_tables(session: Session, ref: ResourceRef, wanted: list[tuple[str, str]]) -> list[LinkTables]:
    """ARP table and route table summary for each (peering, path), asked of Azure in parallel."""
    return _tables(session, ref, wanted)


def _tables(session: Session, ref: ResourceRef, wanted: list[tuple[str, str]]) -> list[LinkTables]:
    client = session.network(ref.subscription)
    ops = client.express_route_circuits

    def one(peering: str, path: str, kind: str) -> list[dict]:
        what = f"{'ARP table' if kind == 'arp' else 'route table summary'} of {peering} {path}"

        def run():
            begin = ops.begin_list_arp_table if kind == "arp" else ops.begin_list_routes_table_summary
            poller = begin(ref.resource_group, ref.name, peering, path, cls=_raw)
            poller.wait(LRO_TIMEOUT_S)
            if not poller.done():
                raise AzureError(f"Azure had not produced the {what} after {LRO_TIMEOUT_S:.0f} s; try again",
                                 file=ref.label)
            return poller.result()

        doc = session.call(what, ref, run)
        value = doc.get("value") if isinstance(doc, dict) else None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise AzureError(f"malformed response from Azure for the {what}: expected {{\"value\": [objects]}}",
                             file=ref.label)
        return value

    jobs = [(p, d, k) for p, d in wanted for k in ("arp", "routes")]
    with ThreadPoolExecutor(max_workers=min(8, len(jobs) or 1)) as pool:
        results = list(pool.map(lambda j: one(*j), jobs))
    out = []
    for i, (p, d) in enumerate(wanted):
        out.append(LinkTables(ref.name, p, d, arp=results[2 * i], routes=results[2 * i + 1]))
    return out


def route_tables(session: Session, ref: ResourceRef, wanted: list[tuple[str, str]]) -> dict:
    """{(peering, path): rows} of Microsoft's edge's route table (network, nextHop, locPrf, weight, path)."""
    client = session.network(ref.subscription)
    ops = client.express_route_circuits

    def one(peering: str, path: str) -> list[dict]:
        what = f"route table of {peering} {path}"

        def run():
            poller = ops.begin_list_routes_table(ref.resource_group, ref.name, peering, path, cls=_raw)
            poller.wait(LRO_TIMEOUT_S)
            if not poller.done():
                raise AzureError(f"Azure had not produced the {what} after {LRO_TIMEOUT_S:.0f} s; try again",
                                 file=ref.label)
            return poller.result()

        doc = session.call(what, ref, run)
        value = doc.get("value") if isinstance(doc, dict) else None
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise AzureError(f"malformed response from Azure for the {what}: expected {{\"value\": [objects]}}",
                             file=ref.label)
        return value

    with ThreadPoolExecutor(max_workers=min(8, len(wanted) or 1)) as pool:
        results = list(pool.map(lambda w: one(*w), wanted))
    return dict(zip(wanted, results))


# ----------------------------------------------------------------------------- errors
_ACTION = re.compile(r"perform action '([^']+)'", re.IGNORECASE)
_SCOPE = re.compile(r"over scope '([^']+)'", re.IGNORECASE)


def _short(text: Any, n: int = 240) -> str:
    s = " ".join(str(text or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


def translate(exc: BaseException, what: str, ref: ResourceRef | str, session: Session | None = None
              ) -> AzureError | None:
    """One line for a failed SDK call, or None when ``exc`` is not an Azure failure (a bug: re-raise)."""
    from azure.core.exceptions import (ClientAuthenticationError, DecodeError, DeserializationError,
                                       HttpResponseError, ServiceRequestError, ServiceResponseError)

    label = ref.label if isinstance(ref, ResourceRef) else str(ref)
    name = ref.name if isinstance(ref, ResourceRef) else label
    cloud = session.cloud if session else CLOUDS["public"]
    endpoint = session.endpoint if session else cloud.resource_manager
    login = ("run `az login`" + ("" if cloud.name == "public" else f" after `az cloud set --name {cloud.az_cloud}`")
             + " (or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for a service principal, "
               "or run where a managed identity is assigned)")
    if isinstance(exc, _Malformed) or isinstance(exc, (DecodeError, DeserializationError)):
        why = str(getattr(exc, "message", None) or exc).split(" Content:")[0]   # not the whole body
        return AzureError(f"malformed response from Azure for {what} {name}: {_short(why, 160)}; "
                          "try again, and report it if it stays", file=label)
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "response", None) is None:
        return AzureError(f"not signed in to Azure: {login}", file=label)
    if isinstance(exc, HttpResponseError) and getattr(exc, "response", None) is not None:
        status = exc.status_code or exc.response.status_code
        code, message = _error_body(exc)
        tag = f"{status} {code}".strip()
        if status == 401:
            return AzureError(f"Azure refused the sign-in token ({tag}: {_short(message, 160)}): {login}; "
                              "for a subscription in another directory `az login --tenant TENANT`", file=label)
        if status == 403:
            action = _ACTION.search(message or "")
            scope = _SCOPE.search(message or "")
            if action:
                act = action.group(1)
                role = ("Network Contributor, or a custom role with that action" if act.lower().endswith("/action")
                        else "Reader or Network Contributor")
                return AzureError(f"no permission: the signed-in identity may not perform {act} on "
                                  f"{scope.group(1) if scope else name} ({tag}); ask for a role that grants it "
                                  f"({role}); if it was just granted, `az login` again", file=label)
            return AzureError(f"Azure forbids {what} {name} ({tag}): {_short(message)}", file=label)
        if status == 404:
            if code.lower() == "resourcegroupnotfound" and isinstance(ref, ResourceRef):
                return AzureError(f"resource group {ref.resource_group} not found in subscription "
                                  f"{ref.subscription} ({tag}); `az group list -o table` shows them", file=label)
            if code.lower() == "subscriptionnotfound":
                sub = ref.subscription if isinstance(ref, ResourceRef) else label
                return AzureError(f"subscription {sub} not found ({tag}): check --subscription "
                                  "(`az account list -o table`), or `az login --tenant TENANT` of its directory",
                                  file=label)
            if isinstance(ref, ResourceRef):
                hint = (f"`ergen fetch list --subscription {ref.subscription}` lists the circuits"
                        if ref.kind.lower() == "expressroutecircuits" else "check the name and resource group")
                return AzureError(f"{what} {ref.name} not found in resource group {ref.resource_group} of "
                                  f"subscription {ref.subscription} ({tag}); {hint}", file=label)
            return AzureError(f"{what} not found ({tag}): {_short(message)}", file=label)
        if status == 429:
            after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            asks = f"asks to wait {after} s, " if after else ""
            return AzureError(f"Azure is throttling the requests ({tag}) and {asks}more than ergen waits "
                              f"({MAX_WAIT_S:.0f} s at a time, {TOTAL_WAIT_S:.0f} s in all); try again in a few "
                              "minutes", file=label)
        return AzureError(f"Azure answered {tag} for {what} {name}: {_short(message)}", file=label)
    if isinstance(exc, ClientAuthenticationError):
        return AzureError(f"not signed in to Azure: {login}", file=label)
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return AzureError(f"cannot reach Azure Resource Manager at {endpoint}: {_short(exc, 160)}; check the "
                          "network, a proxy (HTTPS_PROXY) and --cloud", file=label)
    from azure.core.exceptions import AzureError as SdkError
    if isinstance(exc, SdkError):
        return AzureError(f"{what} {name} failed: {_short(exc)}", file=label)
    return None


def _error_body(exc) -> tuple[str, str]:
    """ARM's {"error": {"code", "message"}}; what the SDK parsed, else the raw body."""
    err = getattr(exc, "error", None)
    code = getattr(err, "code", None) or ""
    message = getattr(err, "message", None) or ""
    if not code:
        try:
            body = json.loads(exc.response.text())
            e = body.get("error", body) if isinstance(body, dict) else {}
            code, message = str(e.get("code") or ""), str(e.get("message") or "")
        except Exception:  # noqa: BLE001 (not JSON: an HTML error page of a proxy, say)
            message = _short(getattr(exc.response, "reason", "") or exc.message, 160)
    return str(code), str(message)
