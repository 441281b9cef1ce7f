"""Secrets by reference: ``env:NAME`` or ``file:PATH``; never a value in the inventory.

A :class:`Secret` prints as its reference (``<secret env:NAME>``), so a secret cannot
reach a log, an error or a diff by accident; code that must write it into a router
config asks for ``.reveal()``. :func:`mask` replaces every known secret value in a
text, for diffs and logs of configs that contain keys.

A secret file must be a regular file of at most 64 KiB; one that its group or other users can
read or write is used, with a warning (logger ``ergen.secrets``, on stderr when nothing else
handles logging) naming the file and its mode, once per file and mode.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ergen.errors import InputError

log = logging.getLogger("ergen.secrets")
MAX_SECRET_FILE = 64 * 1024
_warned: set[tuple[str, int]] = set()


@dataclass(frozen=True)
class Secret:
    ref: str
    _value: str = field(repr=False, compare=False)

    def reveal(self) -> str:
        return self._value

    @property
    def masked(self) -> str:
        return f"<secret {self.ref}>"

    def __str__(self) -> str:  # never the value
        return self.masked

    __repr__ = __str__


def resolve(ref: str, *, base: Path, file: str, field: str) -> Secret:
    """Read a secret reference; an unresolvable one is an InputError naming where it was written."""
    kind, _, name = ref.partition(":")
    if kind == "env":
        value = os.environ.get(name)
        if value is None:
            raise InputError(f"environment variable {name} is not set", file=file, field=field)
    elif kind == "file":
        value = _read_file(name, base, file, field)
    else:
        raise InputError("a secret must be a reference: env:NAME or file:PATH", file=file, field=field)
    if value == "":
        raise InputError(f"secret {ref} is empty", file=file, field=field)
    return Secret(ref, value)


def _read_file(name: str, base: Path, file: str, field: str) -> str:
    path = Path(name)
    if not path.is_absolute():
        path = base / path
    shown = repr(str(path))[1:-1]   # a path with a line break or control character stays on one line
    if "\x00" in name:
        raise InputError(f"secret file {shown}: a path cannot hold a NUL character", file=file, field=field)
    try:
        # O_NONBLOCK: a FIFO named as a key file must not hang the run; it is refused below
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"secret file {shown} not found", file=file, field=field) from None
    except OSError as exc:
        raise InputError(f"cannot read secret file {shown}: {exc.strerror}", file=file, field=field) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"secret file {shown} is not a regular file", file=file, field=field)
        if st.st_size > MAX_SECRET_FILE:
            raise InputError(f"secret file {shown} is larger than {MAX_SECRET_FILE // 1024} KiB; it should "
                             "hold one key", file=file, field=field)
        loose_permissions(path, st.st_mode)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_SECRET_FILE + 1)
    except OSError as exc:
        raise InputError(f"cannot read secret file {shown}: {exc.strerror}", file=file, field=field) from None
    finally:
        os.close(fd)
    try:
        value = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"secret file {shown} is not UTF-8 text", file=file, field=field) from None
    return value.rstrip("\r\n")


def loose_permissions(path: Path, mode: int) -> str | None:
    """Warn (once per file and mode) when a secret file is open to its group or to other users."""
    if not mode & 0o077:
        return None
    def who(g: int, o: int) -> str:
        return " and ".join(w for w, bit in (("its group", g), ("other users", o)) if mode & bit)
    parts = [f"{verb} by {w}" for verb, w in (("readable", who(0o040, 0o004)), ("writable", who(0o020, 0o002))) if w]
    message = (f"secret file {repr(str(path))[1:-1]} is {', '.join(parts) or 'open to ' + who(0o070, 0o007)} "
               f"(mode {stat.S_IMODE(mode):04o}); chmod 600 it")
    if (str(path), mode) not in _warned:
        _warned.add((str(path), mode))
        log.warning("warning: %s", message)
    return message


def mask(text: str, secrets: list[Secret] | tuple[Secret, ...]) -> str:
    """Replace every secret value in ``text`` by its reference, longest first."""
    for s in sorted(secrets, key=lambda s: len(s.reveal()), reverse=True):
        text = text.replace(s.reveal(), s.masked)
    return text
