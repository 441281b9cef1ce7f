"""A recorded-response Azure Resource Manager on 127.0.0.1, for testing ergen with the real Azure SDK.

No Azure can be reached from the tests, so this small HTTPS server answers as Resource Manager's
REST API does, from recordings under ``tests/fixtures/azure-recorded/``: one JSON file per request,

    {"request": {"method": "GET", "path": "/subscriptions/.../expressRouteCircuits/er-ams-prod",
                 "query": {"$skiptoken": "2"}},                    # optional: must be in the URL too
     "responses": [{"status": 429, "headers": {"Retry-After": "1"}, "body": {"error": {...}}},
                   {"status": 200, "body": {...}}]}

Each request to that method and path takes the next response; the last one repeats. ``"{base}"`` in
a header or anywhere in a body (nextLink, Azure-AsyncOperation, Location) becomes the server's own
https://127.0.0.1:PORT. ``"body_text"`` sends a body verbatim (a malformed answer). Like Resource
Manager, it answers 401 without ``Authorization: Bearer <token>``, 400 without ``api-version``, and a
ResourceNotFound 404 for anything not recorded. Every request is logged in ``requests``.

HTTPS with a self-signed certificate made at start (the SDK sends bearer tokens over https only);
point the SDK at it with ``REQUESTS_CA_BUNDLE=server.ca_file``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
import ssl
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

RECORDED = Path(__file__).resolve().parent / "fixtures" / "azure-recorded"
TOKEN = "ergen-test-token"


@dataclass
class Logged:
    method: str
    path: str
    query: dict[str, str]
    at: float
    status: int
    authorization: str | None


@dataclass
class Recording:
    method: str
    path: str
    query: dict[str, str]
    responses: list[dict[str, Any]]
    source: str
    served: int = 0

    def matches(self, method: str, path: str, query: dict[str, str]) -> bool:
        return (method == self.method and path.lower() == self.path.lower()
                and all(query.get(k) == v for k, v in self.query.items()))

    def next(self) -> dict[str, Any]:
        r = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return r


@dataclass
class RecordedArm:
    root: Path = RECORDED
    token: str = TOKEN
    recordings: list[Recording] = field(default_factory=list)
    requests: list[Logged] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="ergen-arm-")
        self.load("")

    # -- recordings
    def load(self, folder: str) -> None:
        """Add the recordings of ``root/folder`` (its *.json only); later ones win over earlier ones."""
        base = self.root / folder
        new = []
        for f in sorted(base.glob("*.json")):
            data = json.loads(f.read_text())
            req = data["request"]
            new.append(Recording(req["method"].upper(), req["path"], req.get("query", {}), data["responses"],
                                 str(f.relative_to(self.root))))
        with self._lock:
            self.recordings[:0] = new   # searched first

    def _find(self, method: str, path: str, query: dict[str, str]) -> Recording | None:
        # the most specific recording (most query keys) of the newest load wins
        hits = [r for r in self.recordings if r.matches(method, path, query)]
        return max(hits, key=lambda r: len(r.query)) if hits else None

    # -- server
    def start(self) -> "RecordedArm":
        cert, key = _self_signed(Path(self._tmp.name))
        self.ca_file = str(cert)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        handler = _handler(self)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), name="recorded-arm",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._tmp.cleanup()

    def served(self, method: str, path_part: str) -> list[Logged]:
        return [r for r in self.requests if r.method == method and path_part.lower() in r.path.lower()]

    def answer(self, method: str, raw_path: str, headers) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(raw_path)
        path = url.path.rstrip("/")
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        auth = headers.get("Authorization")
        common = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache",
                  "x-ms-request-id": str(uuid.uuid4()), "x-ms-correlation-request-id": str(uuid.uuid4())}
        if auth != f"Bearer {self.token}":
            code, msg = (("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
                         if not auth else ("InvalidAuthenticationToken", "The access token is invalid."))
            return 401, {**common, "WWW-Authenticate": 'Bearer authorization_uri="https://login.windows.net/", '
                                                       'error="invalid_token", error_description="The access '
                                                       'token is invalid."'}, _error(code, msg)
        if "api-version" not in query:
            return 400, common, _error("MissingApiVersionParameter", "The api-version query parameter "
                                       "(?api-version=) is required for all requests.")
        with self._lock:
            rec = self._find(method, path, query)
            r = rec.next() if rec else None
        if r is None:
            m = re.search(r"/resourceGroups/([^/]+)/providers/([^/]+/[^/]+)/([^/]+)", path, re.IGNORECASE)
            msg = (f"The Resource '{m.group(2)}/{m.group(3)}' under resource group '{m.group(1)}' was not found. "
                   "For more details please go to https://aka.ms/ARMResourceNotFoundFix" if m
                   else f"no recording for {method} {path}")
            return 404, common, _error("ResourceNotFound", msg)
        hdrs = {**common, **{k: v.replace("{base}", self.base) for k, v in r.get("headers", {}).items()}}
        if "body_text" in r:
            body = r["body_text"].encode()
        elif "body" in r:
            body = json.dumps(_fill(r["body"], self.base)).encode()
        else:
            body = b""
        return int(r["status"]), hdrs, body


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


def _fill(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{base}", base)
    if isinstance(value, list):
        return [_fill(v, base) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, base) for k, v in value.items()}
    return value


def _handler(server: RecordedArm):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, headers, body = server.answer(self.command, self.path, self.headers)
            url = urlsplit(self.path)
            with server._lock:
                server.requests.append(Logged(self.command, url.path, dict(parse_qsl(url.query)), time.monotonic(),
                                              status, self.headers.get("Authorization")))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        def log_message(self, *args) -> None:  # quiet
            pass

    return Handler


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A CA-flagged self-signed certificate for 127.0.0.1 (so it can be its own trust anchor)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ergen recorded ARM")])
    now = datetime.datetime.now(datetime.timezone.utc)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "arm.pem", folder / "arm.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class StaticToken:
    """A token credential that always returns the same bearer token.

    It stands in for Entra ID sign-in (DefaultAzureCredential): no identity service can run here, and
    the server above accepts exactly this token.
    """

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs):
        from azure.core.credentials import AccessToken
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)
