"""Secrets by reference: ``env:NAME`` or ``file:PATH``; never a value in the inventory.

A :class:`Secret` prints as its reference (``<secret env:NAME>``), so a secret cannot
reach a log, an error or a diff by accident; code that must write it into a router
config asks for ``.reveal()``. :func:`mask` replaces every known secret value in a
text, for diffs and logs of configs that contain keys.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ergen.errors import InputError


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
        path = Path(name)
        if not path.is_absolute():
            path = base / path
        try:
            value = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"secret file {path} not found", file=file, field=field) from None
        except OSError as exc:
            raise InputError(f"cannot read secret file {path}: {exc.strerror}", file=file, field=field) from None
        except UnicodeDecodeError:
            raise InputError(f"secret file {path} is not UTF-8 text", file=file, field=field) from None
        value = value.rstrip("\r\n")
    else:
        raise InputError("a secret must be a reference: env:NAME or file:PATH", file=file, field=field)
    if value == "":
        raise InputError(f"secret {ref} is empty", file=file, field=field)
    return Secret(ref, value)


def mask(text: str, secrets: list[Secret] | tuple[Secret, ...]) -> str:
    """Replace every secret value in ``text`` by its reference, longest first."""
    for s in sorted(secrets, key=lambda s: len(s.reveal()), reverse=True):
        text = text.replace(s.reveal(), s.masked)
    return text
