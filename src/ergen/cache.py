"""A cache of an estate render's work, across runs, keyed by content: a second ``ergen render --all`` of an
unchanged estate re-reads, re-checks and re-renders only what changed.

Two kinds of entries, each named by a SHA-256 of everything its content depends on:

* ``customer``: a customers/<name>.yaml file parsed and validated (key: ergen's code and the file's bytes);
* ``group``: one router group's result (its warnings and its rendered files; key: ergen's code and
  templates, the platform override, the inventory's own files, every customer's facts (the checks across
  customers read them), the group's customer files, the Azure exports of its circuits and the values of
  the secrets they name). A group with errors is never stored.

ergen's code is part of every key (a hash of the installed package's files), so a new version, a patch or an
edited template starts afresh. Rendered files hold keys in clear (they go to the routers): in the cache each
secret's value is replaced by a placeholder naming its reference, and put back from the reference when the
entry is used (the key covers the values, so they are the ones the entry was rendered with); no secret
value is ever written to the cache. Entries are pickles this user wrote, rows of one SQLite file in a 0700
folder: ``$ERGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/ergen``, else ``~/.cache/ergen``. ``ERGEN_NO_CACHE=1`` (or
``render --all --no-cache``) turns it off; deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import zlib
from functools import lru_cache
from pathlib import Path

_REF = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$")
_PLACEHOLDER = re.compile("\x00ergen-secret:(\\d+)\x00")


def cache_dir() -> Path:
    if os.environ.get("ERGEN_CACHE_DIR"):
        return Path(os.environ["ERGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ergen"


def enabled() -> bool:
    return os.environ.get("ERGEN_NO_CACHE", "").lower() not in ("1", "true", "yes")


@lru_cache(maxsize=8)
def code_fingerprint(templates: str | None = None) -> str:
    """SHA-256 of ergen's own files (code, data) and of the templates a render uses."""
    from ergen.render.environment import builtin_templates

    h = hashlib.sha256()
    roots = [Path(__file__).resolve().parent, builtin_templates()]
    if templates:
        roots.append(Path(templates).resolve())
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in (".py", ".j2", ".yaml", ".json") and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def digest(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


def file_digest(data: bytes) -> bytes:
    """A file's SHA-256 as 32 bytes (an estate keeps one per customer file: half the memory of hex)."""
    return hashlib.sha256(data).digest()


class FileDigests:
    """The SHA-256 of each of a list of files (an estate's customer files), by position in the list: 32
    bytes each in one bytearray, where 10,000 bytes objects in a dict weigh 0.8 MB."""

    def __init__(self, count: int) -> None:
        self._blob = bytearray(32 * count)
        self._read = bytearray(count)      # 1: the file was read (a file that could not be has no digest)

    def add(self, k: int, data: bytes) -> bytes:
        """File ``k``'s digest, from its bytes."""
        d = file_digest(data)
        self._blob[32 * k:32 * k + 32] = d
        self._read[k] = 1
        return d

    def get(self, k: int) -> bytes | None:
        return bytes(self._blob[32 * k:32 * k + 32]) if self._read[k] else None


def secret_refs(obj) -> set[str]:
    """Every secret reference (``env:NAME``, ``file:PATH``) in a model's or a dict's values."""
    out: set[str] = set()
    stack = [obj.model_dump() if hasattr(obj, "model_dump") else obj]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, (list, tuple, set)):
            stack.extend(v)
        elif isinstance(v, str) and _REF.match(v):
            out.add(v)
    return out


def secrets_digest(refs, base: Path) -> str:
    """A hash over the current values of ``refs`` (a missing one counts as missing): part of a key, so a
    changed key file re-renders what uses it; the values themselves are never stored."""
    h = hashlib.sha256()
    for ref in sorted(refs):
        kind, _, name = ref.partition(":")
        if kind == "env":
            value = os.environ.get(name)
            data = b"\1" if value is None else value.encode()
        else:
            p = Path(name) if Path(name).is_absolute() else base / name
            try:
                data = p.read_bytes()
            except OSError:
                data = b"\1"
        h.update(ref.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


class Cache:
    """Entries in one SQLite file (``cache.sqlite3``, 0600) in a 0700 folder of this user's: many small
    entries cost one row each, not one file each. A process that forks (``render --all --jobs N``) opens
    its own connection; writes are grouped into transactions."""

    COMMIT_EVERY = 256

    def __init__(self, root: Path) -> None:
        self.root = root
        self.file = root / "cache.sqlite3"
        self.hits = self.misses = 0
        self._db = None
        self._pid = None
        self._pending = 0

    @classmethod
    def open(cls) -> "Cache | None":
        if not enabled():
            return None
        root = cache_dir()
        try:
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            if root.stat().st_uid != os.getuid():
                return None          # not ours: never read pickles someone else wrote
            cache = cls(root)
            cache._connect()
        except Exception:            # no folder, a foreign or broken file: no cache, not an error
            return None
        return cache

    def _connect(self):
        import sqlite3

        if self._db is not None and self._pid == os.getpid():
            return self._db
        if not self.file.exists():
            os.close(os.open(self.file, os.O_WRONLY | os.O_CREAT, 0o600))
        if self.file.stat().st_uid != os.getuid():
            raise PermissionError(str(self.file))
        db = sqlite3.connect(self.file, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA cache_size=-256")     # 256 KiB of pages: entries are read once, by key
        db.execute("CREATE TABLE IF NOT EXISTS entry (kind TEXT, key TEXT, value BLOB, PRIMARY KEY (kind, key))")
        self._db, self._pid, self._pending = db, os.getpid(), 0
        return db

    def get(self, kind: str, key: str):
        try:
            row = self._connect().execute("SELECT value FROM entry WHERE kind = ? AND key = ?",
                                          (kind, key)).fetchone()
            value = pickle.loads(zlib.decompress(row[0])) if row else None  # noqa: S301 (our own file)
        except Exception:   # a torn or foreign entry is a miss; it is written again
            value = None
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, kind: str, key: str, value) -> None:
        try:
            db = self._connect()
            if self._pending == 0:
                db.execute("BEGIN")
            db.execute("INSERT OR REPLACE INTO entry VALUES (?, ?, ?)",
                       (kind, key, zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)))
            self._pending += 1
            if self._pending >= self.COMMIT_EVERY:
                self.flush()
        except Exception:
            pass             # a cache that cannot be written is no cache, not an error

    def flush(self) -> None:
        if self._db is not None and self._pid == os.getpid() and self._pending:
            try:
                self._db.execute("COMMIT")
            except Exception:
                pass
            self._pending = 0

    def close(self) -> None:
        self.flush()
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


def hide_secrets(files: dict[str, str], secrets) -> tuple[dict[str, str], list[str]] | None:
    """The rendered files with each secret's value replaced by a placeholder, and the references by
    placeholder number; None when a file cannot be stored safely (it holds a NUL already)."""
    secrets = sorted({(s.reveal(), s.ref) for s in secrets if s.reveal()}, key=lambda x: -len(x[0]))
    refs = [ref for _, ref in secrets]
    if not secrets:
        return dict(files), refs
    index = {value: i for i, (value, _) in enumerate(secrets)}
    pattern = re.compile("|".join(re.escape(v) for v, _ in secrets))   # longest first, one pass
    out = {}
    for name, text in files.items():
        if "\x00" in text:
            return None
        out[name] = pattern.sub(lambda m: f"\x00ergen-secret:{index[m.group(0)]}\x00", text)
    return out, refs


def show_secrets(files: dict[str, str], refs: list[str], base: Path) -> dict[str, str]:
    """The files as rendered: each placeholder back to its secret's value, read from its reference."""
    from ergen.secrets import resolve

    values = [resolve(r, base=base, file=str(base), field="(cache)").reveal() for r in refs]
    return {name: _PLACEHOLDER.sub(lambda m: values[int(m.group(1))], text) for name, text in files.items()}
