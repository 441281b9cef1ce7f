"""Case- and style-insensitive access to Azure JSON, remembering where each value came from.

Azure's tools spell the same key differently: REST ``azureASN``, az CLI ``azureAsn``,
PowerShell ``AzureASN``, the Python SDK's ``azure_asn``. A key is matched on its
lower-case letters and digits only. Each :class:`Node` knows its JSON path so an
error can name the field as it stands in the user's file.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from ergen.errors import InputError


@lru_cache(maxsize=4096)
def norm(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalnum())


_KEY_SHOWN = 60
# names and resource ids become object names, file names, rule messages and swanctl sections: Azure allows
# no line break or control character in them, and neither does ergen (other text goes through cfg_text)
_IDENT_KEYS = {"name", "id", "ipconfigurationid"}


def shown(key: str) -> str:
    """A key as it may appear in a JSON path of an error: as spelt, unless it holds a line break, a
    control or other unprintable character (escaped, as Python writes them) or is very long (cut)."""
    if key.isprintable() and len(key) <= _KEY_SHOWN:
        return key
    out = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in key)
    return out if len(out) <= _KEY_SHOWN else out[:_KEY_SHOWN] + "..."


class Node:
    def __init__(self, data: dict[str, Any], path: str, file: str) -> None:
        self.data = data
        self.path = path
        self.file = file
        self._keys = {norm(k): k for k in data}

    # -- lookup -----------------------------------------------------------------
    def key(self, name: str) -> str | None:
        """The key as spelt in the file, or None."""
        return self._keys.get(norm(name))

    def has(self, name: str) -> bool:
        k = self.key(name)
        return k is not None and self.data[k] is not None

    def raw(self, name: str) -> Any:
        k = self.key(name)
        return None if k is None else self.data[k]

    def at(self, name: str) -> str:
        """JSON path of ``name`` below this node (spelt as in the file when present)."""
        k = shown(self.key(name) or name)
        return f"{self.path}.{k}" if self.path else k

    def fail(self, name: str, message: str) -> InputError:
        return InputError(message, file=self.file, field=self.at(name))

    # -- typed getters ------------------------------------------------------------
    def str(self, name: str, *, required: bool = False) -> str | None:
        v = self.raw(name)
        if v is None or v == "":
            if required:
                raise self.fail(name, "required field is missing")
            return None
        if isinstance(v, (dict, list, bool)):
            raise self.fail(name, f"expected text, got {type(v).__name__}")
        text = str(v)
        if not text.isprintable() and norm(name) in _IDENT_KEYS:
            i = next(i for i, ch in enumerate(text) if not ch.isprintable())
            raise self.fail(name, f"a name or resource id cannot hold {text[i]!r} (a line break, tab or control "
                                  f"character): ...{text[max(0, i - 40):i + 20]!r}")
        return text

    def int(self, name: str, *, required: bool = False) -> int | None:
        v = self.raw(name)
        if v is None or v == "":
            if required:
                raise self.fail(name, "required field is missing")
            return None
        if isinstance(v, bool):
            raise self.fail(name, "expected a whole number, got true/false")
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, int):
            return v
        if isinstance(v, str) and re.fullmatch(r"-?[0-9]+", v.strip()):
            try:
                return int(v.strip())
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                raise self.fail(name, f"expected a whole number, got {len(v.strip())} digits") from None
        raise self.fail(name, f"expected a whole number, got {v!r:.40}")

    def float(self, name: str) -> float | None:
        v = self.raw(name)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            raise self.fail(name, "expected a number, got true/false")
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise self.fail(name, f"expected a number, got {v!r:.40}") from None
        except OverflowError:   # a whole number with hundreds of digits
            raise self.fail(name, "expected a number, got one too large for a float") from None
        if not math.isfinite(f):
            raise self.fail(name, f"expected a number, got {v!r:.40}")
        return f

    def bool(self, name: str) -> bool | None:
        v = self.raw(name)
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        raise self.fail(name, f"expected true or false, got {v!r:.40}")

    def strs(self, name: str) -> list[str]:
        v = self.raw(name)
        if v is None or v == "":
            return []
        if isinstance(v, str):  # PowerShell sometimes flattens a one-item list
            return [v]
        if not isinstance(v, list):
            raise self.fail(name, f"expected a list, got {type(v).__name__}")
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                raise InputError(f"expected text, got {type(item).__name__}", file=self.file,
                                 field=f"{self.at(name)}[{i}]")
            out.append(str(item))
        return out

    def child(self, name: str) -> Node | None:
        v = self.raw(name)
        if v is None or v == "" or v == {}:
            return None
        if not isinstance(v, dict):
            raise self.fail(name, f"expected an object, got {type(v).__name__}")
        return Node(v, self.at(name), self.file)

    def children(self, name: str) -> list[Node]:
        v = self.raw(name)
        if v is None:
            return []
        if not isinstance(v, list):
            raise self.fail(name, f"expected a list, got {type(v).__name__}")
        out = []
        for i, item in enumerate(v):
            if not isinstance(item, dict):
                raise InputError(f"expected an object, got {type(item).__name__}", file=self.file,
                                 field=f"{self.at(name)}[{i}]")
            out.append(Node(item, f"{self.at(name)}[{i}]", self.file))
        return out

    def ref_id(self, name: str) -> str | None:
        """A sub-resource reference: ``{"id": ...}``, a bare id string, ``""`` or null."""
        v = self.raw(name)
        if v is None or v == "" or v == {}:
            return None
        if isinstance(v, str):
            return v
        if isinstance(v, dict):
            return Node(v, self.at(name), self.file).str("id")
        raise self.fail(name, f"expected a resource reference, got {type(v).__name__}")

    def flattened(self) -> Node:
        """ARM wraps a resource's fields in ``properties``; az CLI lifts them up. Give one view of both."""
        props = self.raw("properties")
        if not isinstance(props, dict):
            return self
        merged = FlatNode(self, Node(props, self.at("properties"), self.file))
        return merged


class FlatNode(Node):
    """A resource seen through its ``properties``: lookups try the properties first, then the envelope."""

    def __init__(self, envelope: Node, props: Node) -> None:
        self.envelope = envelope
        self.props = props
        self.file = envelope.file
        self.path = props.path
        data = dict(envelope.data)
        data.pop(envelope.key("properties"), None)
        self._owner: dict[str, Node] = {}
        for k in data:
            self._owner[norm(k)] = envelope
        for k in props.data:
            self._owner[norm(k)] = props
        self.data = {**data, **props.data}
        self._keys = {norm(k): k for k in self.data}

    def at(self, name: str) -> str:
        owner = self._owner.get(norm(name), self.props)
        return owner.at(name)
