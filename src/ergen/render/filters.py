"""Jinja filters that make text from Azure and the inventory safe to put in a config.

A description, a name or a tag from Azure is free text. In a router config a newline
starts a new command, and ``!``, ``#`` or ``;`` may start a comment or separate
commands, ``{``/``}`` open and close Junos blocks, and quotes end strings. ``cfg_text``
keeps letters, digits, spaces and ``. _ : / ( ) @ + , = -`` and turns anything else into
``_``, then folds white space and cuts the text to a length every platform accepts.
"""

from __future__ import annotations

import re
import unicodedata

from ergen.errors import RenderError
from ergen.secrets import Secret

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._:/()@+,=-]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
MAX_TEXT = 200


def cfg_text(value: object, limit: int = MAX_TEXT) -> str:
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))  # é -> e
    text = _CONTROL.sub(" ", text)       # a line break or tab is a space, never a new command
    text = " ".join(text.split())
    text = _UNSAFE.sub("_", text)
    return text[:limit].rstrip()


def finalize(value: object) -> object:
    """Last guard on every ``{{ }}``: no printed value may carry a line break or control character."""
    if isinstance(value, Secret):
        raise RenderError("a template printed a secret without the 'secret' filter")
    if isinstance(value, str) and _CONTROL.search(value):
        raise RenderError(f"a template printed a value with a control character: {value[:40]!r}")
    return "" if value is None else value


def make_secret_filter(show: bool):
    def secret(value: Secret | None) -> str:
        if value is None:
            raise RenderError("a template asked for a secret that the intent does not have")
        return value.reveal() if show else value.masked
    return secret
