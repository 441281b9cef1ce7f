"""User-facing errors: one line naming the file, the field and the rule.

A user error (bad input, a missing file, an unresolved secret) is raised as
:class:`InputError`; the CLI prints ``str(err)`` and exits 1 without a traceback.
Anything else escaping the library is a bug in ergen.
"""

from __future__ import annotations


def _printable(text: str) -> str:
    """A file name or field as one line: unprintable characters (a newline in a path) as escapes."""
    return text if text.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class ErgenError(Exception):
    """Base of every error ergen reports to the user as one line."""

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = " ".join(str(message).split())  # always one line
        self.file = file
        self.field = field
        self.code = code

    def __str__(self) -> str:
        parts = [_printable(str(p)) for p in (self.file, self.field) if p]
        head = ": ".join(parts)
        tail = f" [{self.code}]" if self.code else ""
        return f"{head}: {self.message}{tail}" if head else f"{self.message}{tail}"


class InputError(ErgenError):
    """The input (Azure JSON, inventory YAML, a CLI argument) is wrong."""


class OutputError(ErgenError):
    """Writing the output would overwrite something or failed."""


class RenderError(ErgenError):
    """A template failed, or a platform cannot express what the intent asks."""
