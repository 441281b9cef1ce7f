"""Mutation fuzzing of ergen's readers: seeds, mutators, targets and how an outcome is judged.

Shared by the CI-sized tests in this folder (hypothesis drives the random choices through
``st.randoms()``) and by the long run, ``bench/fuzz.py`` (a plain seeded loop, >= 10,000 inputs
per reader). Every input is a real Azure or inventory file from the repository, mutated: keys
dropped, renamed, recased; values nulled, retyped, made huge, non-ASCII or control characters;
deep nesting; then, on the bytes, truncation, BOMs, UTF-16, invalid UTF-8, byte flips, duplicate
keys, YAML anchors, aliases, tags and merge keys.

The judgement (:func:`judge`): an input is either read, or refused with an
:class:`ergen.errors.ErgenError` whose ``str()`` is one line naming the file it came from and a
field. Any other exception, a multi-line message, a message that names no file, or a secret value
in a message is a bug.
"""

from __future__ import annotations

import copy
import json
import math
import os
import random
import shutil
import tempfile
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "azure"
SCENARIOS = ROOT / "tests" / "scenarios"
EXAMPLE_CIRCUIT = ROOT / "examples" / "er-ams-prod.json"
EXAMPLE_INVENTORY = ROOT / "inventories" / "example"
EXAMPLES = int(os.environ.get("ERGEN_FUZZ_EXAMPLES", "200"))   # CI-sized inputs per reader (tests/fuzz)

# ----------------------------------------------------------------------------------------- values
NASTY_TEXT = [
    "", " ", "\n", "a\nb", "x\r\ny", "\t", "!", "#", ";", "{", "}", "{}", "[]", '"', "'", "`", "\\", "$(id)",
    "\x00", "\x1b[2J", "\u2028", "\u0085", "\ufeff", "é", "Zürich", "İstanbul", "ß", "日本語", "🙂", "\U0001d518",
    "\udc80", "A" * 5000, "-1", "0", "00", "1e400", "NaN", "Infinity", "true", "null", "0x10", " 12 ", "1_000",
    "4294967296", "65535", "12076", "99999999999999999999999", "Enabled", "Disabled", "NONE",
    "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/expressRouteCircuits/",
    "/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/expressRouteCircuits/er\nx/peerings/p",
    "/peerings/", "AzurePrivatePeering", "microsoftpeering", "AZUREPUBLICPEERING", "*****", "<redacted>",
    "10.0.0.0/30", "10.0.0.1/30", "2001:db8::/126", "999.1.1.1/30", "10.0.0.0/33", "::/0", "0.0.0.0/0",
    "192.168.100.128/30\nrouter bgp 1", "Microsoft.Network/expressRouteCircuits", "Microsoft.Network/connections",
    "Microsoft.Network/virtualNetworkGateways", "Microsoft.Network/expressRoutePorts", "Vpn", "ExpressRoute",
    "IPsec", "QinQ", "Dot1Q", "GcmAes256", "AES256", "SHA256", "DHGroup14", "PFS2048", "None", "env:ERGEN_FUZZ",
    "file:/dev/null", "file:secrets/nope", "file:", "env:", "ios-xe", "frr", "junos", "primary", "secondary",
    "private", "microsoft", "er-ams-prod", "ams", "ams-er-r1",
]
NASTY_NUMBERS = [0, -1, 1, 2, 7, 2**15, 2**16, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**53 + 1, 2**63, 2**64,
                 10**30, -(10**30), 1.5, -0.0, 0.1, 1e308, -1e308, 4094, 4095, 4096, 65535, 65536, 12076,
                 64500, 4294967295, 4294967296, 1000, 10000, 100, float("nan"), float("inf"), float("-inf")]
SPECIAL = [None, True, False, {}, [], [None], [{}], {"id": None}, {"id": ""}, {"": ""}]


def random_text(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return rng.choice(NASTY_TEXT)
    if r < 0.75:  # random code points, ASCII-heavy
        n = rng.choice([1, 2, 5, 20, 200])
        return "".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0, 0x20), rng.randint(0x80, 0x2fff),
                                      rng.randint(0x1f300, 0x1f6ff)])) for _ in range(n))
    if r < 0.9:  # two nasty pieces glued: injection-shaped
        return rng.choice(NASTY_TEXT) + rng.choice(["\n", ";", " ", "}", "!"]) + rng.choice(NASTY_TEXT)
    return rng.choice(NASTY_TEXT) * rng.choice([2, 50, 2000])


def random_scalar(rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.45:
        return random_text(rng)
    if r < 0.8:
        return rng.choice(NASTY_NUMBERS)
    if r < 0.9:
        return rng.choice([True, False, None])
    return rng.randint(-(2**70), 2**70)


def random_value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 2 or r < 0.6:
        return random_scalar(rng)
    if r < 0.7:
        return copy.deepcopy(rng.choice(SPECIAL))
    if r < 0.85:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(VOCAB) if rng.random() < 0.7 else random_text(rng): random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 3))}


# ----------------------------------------------------------------------------------------- trees
def _walk(obj: Any, out: list, parent=None, key=None, depth: int = 0) -> list:
    """Every (container, key) slot in a JSON/YAML tree, the root as (None, None)."""
    out.append((parent, key))
    if depth > 60:
        return out
    if isinstance(obj, dict):
        for k in list(obj):
            _walk(obj[k], out, obj, k, depth + 1)
    elif isinstance(obj, list):
        for i in range(len(obj)):
            _walk(obj[i], out, obj, i, depth + 1)
    return out


def _depth(obj: Any, d: int = 0) -> int:
    if d > 400:
        return d
    if isinstance(obj, dict):
        return max([_depth(v, d + 1) for v in obj.values()], default=d + 1)
    if isinstance(obj, list):
        return max([_depth(v, d + 1) for v in obj], default=d + 1)
    return d


def _keys(obj: Any, out: set) -> set:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, str):
                out.add(k)
            _keys(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _keys(v, out)
    return out


def _recase(key: str, rng: random.Random) -> str:
    r = rng.randrange(7)
    if r == 0:
        return key.upper()
    if r == 1:
        return key.lower()
    if r == 2:
        return key[:1].upper() + key[1:]
    if r == 3:  # snake_case, as the Python SDK writes
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in key).lstrip("_")
    if r == 4:  # a key that matches on letters and digits only, with junk between them
        i = rng.randint(0, len(key))
        return key[:i] + rng.choice(["\n", " ", "-", "_", "\u200b", "!", "\x00", "\t\t\t" * 30]) + key[i:]
    if r == 5:
        return key + rng.choice(["s", "X", "1", "\u0301"])
    return key[::-1]


def _json_or_empty(value: Any) -> str:
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):
        return ""


def mutate_tree(doc: Any, rng: random.Random, rounds: int | None = None) -> Any:
    """``doc`` changed in 1-4 places (a deep copy; the seed stays as it was)."""
    doc = copy.deepcopy(doc)
    for _ in range(rounds or rng.choice([1, 1, 1, 2, 2, 3, 4])):
        try:
            doc = _mutate_once(doc, rng)
        except (OverflowError, ValueError, TypeError, RecursionError):
            pass   # this operator does not apply here: the document stays as it was
    return doc


def _mutate_once(doc: Any, rng: random.Random) -> Any:
    slots = _walk(doc, [])
    parent, key = rng.choice(slots)
    value = doc if parent is None else parent[key]
    op = rng.randrange(16)
    new: Any = value
    if op == 0 and parent is not None:           # drop it
        del parent[key]
        return doc
    if op == 1:
        new = None
    elif op == 2:
        new = random_scalar(rng)
    elif op == 3:
        new = random_value(rng)
    elif op == 4:                                 # change the type, keep the content
        if isinstance(value, str):
            new = rng.choice([[value], {"id": value}, len(value), value.encode("utf-8", "replace").hex()])
        elif isinstance(value, bool):
            new = rng.choice([str(value).lower(), int(value), [value]])
        elif isinstance(value, (int, float)):
            new = rng.choice([str(value), [value], float(value) if not isinstance(value, float) else
                              (int(value) if math.isfinite(value) else 0), {"value": value}])
        elif isinstance(value, list):
            new = rng.choice([{str(i): v for i, v in enumerate(value)}, value[0] if value else "",
                              _json_or_empty(value)])
        elif isinstance(value, dict):
            new = rng.choice([[value], list(value.values()), _json_or_empty(value), ""])
    elif op == 5 and isinstance(parent, dict) and isinstance(key, str):   # rename the key
        nk = _recase(key, rng)
        items = list(parent.items())
        parent.clear()
        for k, v in items:
            parent[nk if k == key else k] = v
        return doc
    elif op == 6 and isinstance(value, list):     # more or fewer items
        if value and rng.random() < 0.6:
            new = value + [copy.deepcopy(rng.choice(value)) for _ in range(rng.choice([1, 2, 50]))]
        else:
            new = []
    elif op == 7 and isinstance(value, dict):     # a key Azure or the inventory knows, any value
        value[rng.choice(VOCAB)] = random_value(rng)
        return doc
    elif op == 8:                                 # deep nesting (deeper still: mutate_bytes)
        new = value
        for _ in range(min(rng.choice([5, 50, 300]), max(0, 300 - _depth(doc)))):
            new = [new] if rng.random() < 0.5 else {"properties": new}
    elif op == 9 and isinstance(value, dict) and isinstance(value.get("properties"), dict):
        props = value.pop("properties")           # lift properties (az CLI's shape), or wrap again
        value.update(props)
        return doc
    elif op == 10 and isinstance(value, dict) and value and "properties" not in value:
        new = {"properties": value, "name": value.get("name", random_text(rng))}
    elif op == 11 and isinstance(value, str):     # text around the value
        new = rng.choice([value + "\n" + value, value * rng.choice([2, 100]), " " + value + " ",
                          value.upper(), value.replace("/", "\n"), value[: len(value) // 2], value + "\x00"])
    elif op == 12 and isinstance(value, (int, float)) and not isinstance(value, bool):
        new = rng.choice([-value if value else -1, value * 2**40, value + 1, value - 1, 10**rng.choice([20, 400])])
    elif op == 13 and isinstance(parent, list) and len(parent) > 1:   # swap with a sibling
        j = rng.randrange(len(parent))
        parent[key], parent[j] = parent[j], parent[key]
        return doc
    elif op == 14 and parent is not None and _depth(doc) < 150:   # a subtree somewhere else
        other_parent, other_key = rng.choice(slots)
        src = doc if other_parent is None else other_parent[other_key]
        new = copy.deepcopy(src) if src is not value else value
    elif op == 15 and parent is None:             # the document's envelope
        new = rng.choice([[value], {"value": [value]}, {"value": value}, {"properties": value}, []])
    else:
        new = random_value(rng)
    if parent is None:
        return new
    parent[key] = new
    return doc


# ----------------------------------------------------------------------------------------- bytes
def mutate_bytes(data: bytes, rng: random.Random, *, yaml_text: bool = False) -> bytes:
    """Byte-level damage: truncation, encodings, BOMs, flips, duplicates, nesting, YAML tricks."""
    op = rng.randrange(14 if yaml_text else 11)
    if op == 0:
        return data[: rng.randint(0, max(0, len(data) - 1))]
    if op == 1:
        return b"\xef\xbb\xbf" + data
    if op == 2:
        return data.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32"]))
    if op == 3:  # invalid UTF-8 somewhere
        i = rng.randint(0, len(data))
        return data[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\x00"]) + data[i:]
    if op == 4:  # flip bytes
        b = bytearray(data)
        for _ in range(rng.choice([1, 3, 20])):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if op == 5:  # insert a structural character
        i = rng.randint(0, len(data))
        return data[:i] + rng.choice([b"{", b"}", b"[", b"]", b",", b":", b'"', b"\\", b"\n", b"- ", b"  "]) + data[i:]
    if op == 6:  # delete a range
        i = rng.randint(0, len(data))
        return data[:i] + data[i + rng.choice([1, 5, 50, 500]):]
    if op == 7:  # a huge number
        return data.replace(b"12076", b"9" * rng.choice([20, 400, 5000]), 1) if b"12076" in data else \
            data + b"\n" + b"9" * 5000
    if op == 8:  # deep nesting of the whole document
        n = rng.choice([100, 1000, 100000])
        return (b"[" * n + data + b"]" * n) if not yaml_text else (b"- " * 10 + b"[" * n + b"]" * n)
    if op == 9:  # empty or blank
        return rng.choice([b"", b" ", b"\n", b"null", b"0", b'""', b"[]", b"{}", b"\xef\xbb\xbf", b"\x00" * 8])
    if op == 10:  # a key given twice
        if yaml_text:
            lines = data.split(b"\n")
            i = rng.randrange(len(lines)) if lines else 0
            return b"\n".join(lines[: i + 1] + lines[i: i + 1] + lines[i + 1:])
        i = data.find(b"{")
        return data[: i + 1] + b'"name": "dup", "properties": 1, ' + data[i + 1:] if i >= 0 else data
    # YAML only
    if op == 11:  # anchors, aliases, merge keys, alias bombs
        bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
               b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        return rng.choice([
            bomb + data,
            data.replace(b"data:", b"data: &d", 1) + b"\nextra:\n  <<: *d\n",
            data + b"\nalias-host: *nope\n",
            b"base: &base\n  platform: frr\n" + data.replace(b"platform:", b"<<: *base\n  platform:", 1),
        ])
    if op == 12:  # tags
        return rng.choice([
            b"!!python/object/apply:os.system ['true']\n",
            data.replace(b"platform:", b"platform: !!binary aGVsbG8=\n  x:", 1),
            data.replace(b": ", b": !!timestamp 2001-12-14\n  y: ", 1),
            data.replace(b": ", b": !!set {a, b}\n  z: ", 1),
            b"? [a, b]\n: 1\n" + data,
            b"? {a: 1}\n: 1\n" + data,
            data + b"\n2024-01-01: x\n",
            data + b"\nno: x\n",
            data + b"\n~: x\n",
        ])
    # tabs and odd indentation
    return rng.choice([data.replace(b"  ", b"\t", 1), data.replace(b"\n  ", b"\n   ", 1), data.replace(b"\n", b"\r\n"),
                       data.replace(b"\n", b"\r")])


def mutate_file(data: bytes, rng: random.Random, *, yaml_text: bool = False) -> bytes:
    """Either a tree mutation, re-serialized, or damage to the bytes (or both)."""
    r = rng.random()
    if r < 0.65 or r >= 0.9:
        try:
            doc = yaml.safe_load(data) if yaml_text else json.loads(data.decode("utf-8-sig"))
        except Exception:
            doc = None
        if doc is not None:
            doc = mutate_tree(doc, rng)
            try:
                out = dump(doc, yaml_text)
            except (ValueError, TypeError, RecursionError, yaml.YAMLError):
                out = data
            return mutate_bytes(out, rng, yaml_text=yaml_text) if r >= 0.9 else out
    return mutate_bytes(data, rng, yaml_text=yaml_text)


def dump(doc: Any, yaml_text: bool) -> bytes:
    if yaml_text:
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode("utf-8", "surrogatepass")
    return json.dumps(doc, indent=1, ensure_ascii=False).encode("utf-8", "surrogatepass")


# ----------------------------------------------------------------------------------------- seeds
def _b(p: Path) -> bytes:
    return p.read_bytes()


CIRCUIT_SEEDS = {
    "ARM/REST": [FIXTURES / "rest-2018-circuit.json", FIXTURES / "rest-2024-circuit.json",
                 FIXTURES / "rest-circuit-no-peerings.json", FIXTURES / "direct-qinq-circuit.json", EXAMPLE_CIRCUIT,
                 *sorted(SCENARIOS.glob("*/circuit.json"))],
    "az CLI": [FIXTURES / "azcli-show.json", FIXTURES / "azcli-list.json"],
    "PowerShell": [FIXTURES / "powershell-circuit.json"],
    "Terraform": [FIXTURES.parent / "terraform" / "show-modules.json", FIXTURES.parent / "terraform" / "terraform.tfstate",
                  FIXTURES.parent / "terraform" / "ipv6-microsoft.json"],
}
PEERING_SEEDS = [FIXTURES / "rest-peering-list.json", FIXTURES / "azcli-peering-list.json"]
PORT_SEEDS = sorted(SCENARIOS.glob("*/port.json"))
GATEWAY_SEEDS = sorted((FIXTURES / "vpn").glob("*gateway*.json")) + [SCENARIOS / "ipsec-private" / "gateway.json"]
CONNECTION_SEEDS = sorted((FIXTURES / "vpn").glob("*connection*.json")) + \
    sorted((SCENARIOS / "ipsec-private").glob("connection-*.json"))
INVENTORY_SEEDS = [EXAMPLE_INVENTORY, *sorted(p.parent for p in SCENARIOS.glob("*/inventory/hosts.yaml")),
                   *sorted(p.parent for p in (ROOT / "inventories").glob("*/hosts.yaml") if p.parent != EXAMPLE_INVENTORY)]
INVENTORY_FILES = ("hosts.yaml", "groups.yaml", "circuits.yaml", "defaults.yaml")


def inventory_files(seed: Path) -> dict[str, bytes]:
    """The YAML files of an inventory folder (customers/*.yaml too), by their path in it."""
    out = {n: _b(seed / n) for n in INVENTORY_FILES if (seed / n).exists()}
    out.update({f"customers/{p.name}": _b(p) for p in sorted((seed / "customers").glob("*.yaml"))})
    return out


def inventory_names(inv: Path, files) -> list[str]:
    return [str(inv / n) for n in (*INVENTORY_FILES, *files)] + [str(inv)]


def _vocab() -> list[str]:
    keys: set[str] = set()
    for group in (*CIRCUIT_SEEDS.values(), PEERING_SEEDS, PORT_SEEDS, GATEWAY_SEEDS, CONNECTION_SEEDS):
        for p in group:
            keys |= _keys(json.loads(p.read_text(encoding="utf-8-sig")), set())
    for inv in INVENTORY_SEEDS:
        for data in inventory_files(inv).values():
            keys |= _keys(yaml.safe_load(data), set())
    return sorted(keys)


VOCAB = _vocab()


# ----------------------------------------------------------------------------------------- judging
@dataclass
class Outcome:
    kind: str                 # ok | error (a user error, well formed) | bug | known (a bug already reported)
    detail: str = ""          # the error line, or what is wrong and the traceback
    files: dict[str, bytes] = field(default_factory=dict)   # the input, to reproduce a bug
    where: str = ""           # the innermost frame in ergen's code: "inventory.py:_inherit" (bugs only)


# every key of the seed inventories (demo keys): none may appear in an error, a masked render or the CLI's output
SECRET_VALUES: list[str] = sorted({p.read_text().strip() for p in ROOT.glob("**/inventory*/**/secrets/*")
                                   if p.suffix in (".md5", ".psk", ".cak", ".ckn")} |
                                  {p.read_text().strip() for p in (ROOT / "inventories").glob("*/secrets/*")
                                   if p.suffix in (".md5", ".psk", ".cak", ".ckn")})


def _control(text: str) -> str | None:
    for ch in text:
        if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029\u0085":
            return ch
    return None


def check_line(text: str, files: list[str], *, need_field: bool, exc=None) -> str | None:
    """What is wrong with an error line, or None."""
    if len(text.splitlines()) != 1:
        return f"not one line: {text[:300]!r}"
    ch = _control(text)
    if ch is not None:
        return f"a control character {ch!r} in the line: {text[:300]!r}"
    if files and not any(f in text for f in files):
        return f"names none of the files {files}: {text[:300]!r}"
    if need_field and exc is not None and not exc.field:
        return f"names no field: {text[:300]!r}"
    for s in SECRET_VALUES:
        if s in text and s not in _COPIED:
            return f"a secret value in the error: {text[:300]!r}"
    return None


_COPIED: set[str] = set()


def inputs(seeds: list[bytes], mutated: list[bytes]) -> None:
    """Before judging a case: the secrets the mutator copied into more places than the seeds have them
    (e.g. a sharedKey's value moved into a name). An error may quote such a value: it is then the user's
    text in a field that is not secret, not a leak."""
    _COPIED.clear()
    for s in SECRET_VALUES:
        b = s.encode()
        if sum(m.count(b) for m in mutated) > sum(x.count(b) for x in seeds):
            _COPIED.add(s)


def _where(tb) -> str:
    """file:function of the innermost frame in ergen's own code."""
    frames = [f for f in traceback.extract_tb(tb) if f"{os.sep}ergen{os.sep}" in f.filename]
    return f"{Path(frames[-1].filename).name}:{frames[-1].name}" if frames else "?"


def _problem_bug(lines, files) -> Outcome | None:
    for code, line in lines:
        bad = check_line(line, files, need_field=False)
        if bad:
            return Outcome("bug", f"rule problem {code}: {bad}", where=f"rules:{code}")
    return None


def judge(fn: Callable[[], Any], files: list[str], *, problems: Callable[[Any], list] | None = None) -> Outcome:
    """Run ``fn``; classify what happened (see the module docstring)."""
    from ergen.errors import ErgenError
    try:
        result = fn()
    except ErgenError as exc:
        bad = check_line(str(exc), files, need_field=True, exc=exc)
        if bad:
            return known(Outcome("bug", f"{type(exc).__name__}: {bad}", where=_where(exc.__traceback__)))
        report = getattr(exc, "report", None)
        if report is not None:
            bug = _problem_bug(problem_lines(report), files)
            if bug:
                return known(bug)
        return Outcome("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - anything else is what we hunt (RecursionError included)
        return known(Outcome("bug", f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}\n"
                                    + traceback.format_exc(limit=-12), where=_where(exc.__traceback__)))
    if problems is not None:
        bug = _problem_bug(problems(result), files)
        if bug:
            return known(bug)
    return Outcome("ok")


def problem_lines(report) -> list[tuple[str, str]]:
    return [(p.code, p.line()) for p in report.problems]


# Bugs found by this fuzzer in files the hardening work may not change: reported (SECURITY.md, the
# issue's note) with a proposed patch and an xfail(strict) regression test in test_found_elsewhere.py.
# Remove an entry once its fix is in (its xfail test then passes and fails as XPASS, as a reminder).
KNOWN_BUGS: list[tuple[str, str, str]] = [  # (where it starts with, a piece of the detail, what is wrong)
    # none open: every bug found so far is fixed and has a regression test (test_found_elsewhere.py)
]


def known(out: Outcome) -> Outcome:
    if any(out.where.startswith(w) and piece in out.detail for w, piece, _ in KNOWN_BUGS):
        out.kind = "known"
    return out


# ----------------------------------------------------------------------------------------- targets
class Workdir:
    """A scratch folder for one reader's inputs (removed on close)."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="ergen-fuzz-"))
        self.n = 0

    def file(self, name: str, data: bytes) -> Path:
        p = self.path / name
        p.write_bytes(data)
        return p

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _pick(rng: random.Random, paths: list[Path]) -> Path:
    return rng.choice(paths)


def circuit_case(rng: random.Random, wd: Workdir, shape: str) -> Outcome:
    import ergen
    seed = _pick(rng, CIRCUIT_SEEDS[shape])
    data = mutate_file(_b(seed), rng)
    inputs([_b(seed)], [data])
    f = wd.file("circuit.json", data)
    out = judge(lambda: ergen.load_circuits(f), [str(f)])
    out.files = {"circuit.json": data}
    return out


def peerings_case(rng: random.Random, wd: Workdir) -> Outcome:
    import ergen
    seed = _pick(rng, PEERING_SEEDS)
    data = mutate_file(_b(seed), rng)
    inputs([_b(seed)], [data])
    base = wd.file("circuit.json", _b(FIXTURES / "rest-circuit-no-peerings.json"))
    f = wd.file("peerings.json", data)
    if rng.random() < 0.3:   # a peering list read as the circuit file
        out = judge(lambda: ergen.load_circuits(f), [str(f)])
    else:
        out = judge(lambda: ergen.load_circuits(base, peerings=f), [str(f)])
    out.files = {"peerings.json": data}
    return out


def port_case(rng: random.Random, wd: Workdir) -> Outcome:
    import ergen
    seed = _pick(rng, PORT_SEEDS)
    data = mutate_file(_b(seed), rng)
    inputs([_b(seed)], [data])
    circuit = wd.file("circuit.json", _b(seed.parent / "circuit.json"))
    f = wd.file("port.json", data)
    out = judge(lambda: ergen.load_circuits(circuit, port=f), [str(f)])
    out.files = {"port.json": data}
    return out


def vpn_case(rng: random.Random, wd: Workdir, what: str) -> Outcome:
    from ergen.azure import load_vpn, vpn
    seeds = GATEWAY_SEEDS if what == "gateway" else CONNECTION_SEEDS
    seed = _pick(rng, seeds)
    data = mutate_file(_b(seed), rng)
    inputs([_b(seed)], [data])
    f = wd.file(f"{what}.json", data)
    direct = vpn.load_gateway if what == "gateway" else vpn.load_connection
    out = judge(lambda: direct(f) if rng.random() < 0.5 else load_vpn(f), [str(f)])
    out.files = {f"{what}.json": data}
    return out


def write_inventory(wd: Workdir, seed: Path, files: dict[str, bytes]) -> Path:
    inv = wd.path / f"inv{wd.n}"
    wd.n += 1
    (inv / "secrets").mkdir(parents=True)
    for name, data in files.items():
        (inv / name).parent.mkdir(parents=True, exist_ok=True)
        (inv / name).write_bytes(data)
    for s in (seed / "secrets").glob("*") if (seed / "secrets").is_dir() else []:
        (inv / "secrets" / s.name).write_bytes(s.read_bytes())   # the seed's keys: they match its circuit
        (inv / "secrets" / s.name).chmod(0o600)
    return inv


def inventory_case(rng: random.Random, wd: Workdir) -> Outcome:
    import ergen
    seed = _pick(rng, INVENTORY_SEEDS)
    files = inventory_files(seed)
    names = list(files)
    for name in rng.sample(names, rng.choice([1, 1, 1, 2])):
        files[name] = mutate_file(files[name], rng, yaml_text=True)
    if rng.random() < 0.1:   # a file that should be there is not, or one nobody expects is
        victim = rng.choice(names + ["defaults.yaml"])
        if victim in files and rng.random() < 0.5:
            del files[victim]
        else:
            files[victim] = mutate_file(files.get("groups.yaml", b"x: {}\n"), rng, yaml_text=True)
    inputs(list(inventory_files(seed).values()), list(files.values()))
    inv = write_inventory(wd, seed, files)
    out = judge(lambda: ergen.load_inventory(inv), inventory_names(inv, files))
    out.files = files
    shutil.rmtree(inv, ignore_errors=True)
    return out


def pipeline_case(rng: random.Random, wd: Workdir) -> Outcome:
    """A mutated circuit (or inventory) through validate, plan and render: the rules, the intent and the
    templates must refuse bad values as problems, never crash, never print a secret."""
    import ergen
    from ergen.pipeline import RulesFailed
    from scenarios import CORE, EXTRAS

    csp = ROOT / "inventories" / "csp-example"
    scenario = rng.choice(list(CORE) + list(EXTRAS) + (["csp-example"] if (csp / "hosts.yaml").exists() else []))
    if scenario == "csp-example":
        circuit_files, inv_seed, port, vpn_files = sorted((csp / "azure").glob("*.json")), csp, None, ()
    else:
        circuit, inv_seed, port, vpn_files = CORE[scenario] if scenario in CORE else EXTRAS[scenario][0]
        circuit_files = list(circuit) if isinstance(circuit, tuple) else [circuit]
    files = inventory_files(inv_seed)
    cdata = {f"c{i}-{p.name}": _b(p) for i, p in enumerate(circuit_files)}
    vdata = {p.name: _b(p) for p in vpn_files}
    r = rng.random()
    if r < 0.45:
        k = rng.choice(list(cdata))
        cdata[k] = mutate_file(cdata[k], rng)
    elif r < 0.55 and vdata:
        k = rng.choice(list(vdata))
        vdata[k] = mutate_file(vdata[k], rng)
    else:
        name = rng.choice(list(files))
        files[name] = mutate_file(files[name], rng, yaml_text=True)
    inputs([*inventory_files(inv_seed).values(), *map(_b, circuit_files), *map(_b, vpn_files)],
           [*files.values(), *cdata.values(), *vdata.values()])
    inv = write_inventory(wd, inv_seed, files)
    cfs = [wd.file(n, d) for n, d in cdata.items()]
    pf = wd.file("port.json", _b(port)) if port else None
    vfs = [wd.file(n, d) for n, d in vdata.items()]
    platform = rng.choice([None, None, "ios-xe", "junos", "eos", "nx-os", "ios-xr", "frr"])

    def run():
        circuits = [c for cf in cfs for c in ergen.load_circuits(cf, port=pf)]
        inventory = ergen.load_inventory(inv)
        vpn = [ergen.load_vpn(v) for v in vfs]
        report = ergen.validate(circuits, inventory, platform=platform, vpn=vpn)
        if not report.ok:
            return report
        try:
            result = ergen.plan(circuits, inventory, platform=platform, vpn=vpn)
        except RulesFailed as exc:
            return exc.report
        from ergen.pipeline import render_extra
        masked = [*ergen.render_configs(result.intents).values(), *render_extra(result.intents).values()]
        for text in masked:
            for s in SECRET_VALUES:
                assert s not in text or s in _COPIED, "a secret in a masked render"
        ergen.render_configs(result.intents, show_secrets=True)
        return result.report

    names = [*(str(cf) for cf in cfs), *inventory_names(inv, files), *(str(v) for v in vfs)]
    if pf:
        names.append(str(pf))
    out = judge(run, names, problems=problem_lines)
    out.files = {**cdata, **{f"inventory/{k}": v for k, v in files.items()}, **vdata}
    out.detail = f"[{scenario} {platform}] {out.detail}"
    shutil.rmtree(inv, ignore_errors=True)
    return out


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else b"", p.stat().st_mode)
            for p in sorted(folder.rglob("*"))}


def cli_case(rng: random.Random, wd: Workdir) -> Outcome:
    """`ergen validate` and `ergen render --out` on a mutated circuit or inventory (Typer's runner, in
    process): exit 0 or 1, never a traceback or exit 70; errors in one line each; on failure the --out
    folder exactly as it was (a file already there, byte for byte; no new file, no temporary folder)."""
    from typer.testing import CliRunner

    from ergen.cli import app

    seed_inv = EXAMPLE_INVENTORY if rng.random() < 0.7 else rng.choice(INVENTORY_SEEDS[1:4])
    circuit = EXAMPLE_CIRCUIT if seed_inv == EXAMPLE_INVENTORY else seed_inv.parent / "circuit.json"
    if not circuit.exists():
        seed_inv, circuit = EXAMPLE_INVENTORY, EXAMPLE_CIRCUIT
    files = inventory_files(seed_inv)
    cdata = _b(circuit)
    if rng.random() < 0.5:
        cdata = mutate_file(cdata, rng)
    else:
        name = rng.choice(list(files))
        files[name] = mutate_file(files[name], rng, yaml_text=True)
    inputs([*inventory_files(seed_inv).values(), _b(circuit)], [*files.values(), cdata])
    inv = write_inventory(wd, seed_inv, files)
    cf = wd.file("circuit.json", cdata)
    out_dir = wd.path / f"out{wd.n}"
    out_dir.mkdir()
    (out_dir / "ams-er-r1.cfg").write_text("! the config that was there before\n")
    (out_dir / "notes.txt").write_text("not ergen's\n")
    before = _snapshot(out_dir)
    runner = CliRunner()
    names = [str(cf), *inventory_names(inv, files)]
    result = Outcome("ok", files={"circuit.json": cdata, **{f"inventory/{k}": v for k, v in files.items()}})
    try:
        for args in (["validate", str(cf), "-i", str(inv)],
                     ["render", str(cf), "-i", str(inv), "--out", str(out_dir), "--force"]):
            res = runner.invoke(app, args, env={"ERGEN_DEBUG": "1"})
            text = res.stdout + res.stderr
            if res.exception is not None and not isinstance(res.exception, SystemExit):
                return known(Outcome("bug", f"{' '.join(args[:1])}: {type(res.exception).__name__}: "
                                            f"{' '.join(str(res.exception).split())[:300]}\n"
                                            + "".join(traceback.format_tb(res.exception.__traceback__)[-8:]),
                                     result.files, _where(res.exception.__traceback__)))
            bad = None
            if res.exit_code not in (0, 1):
                bad = f"exit {res.exit_code}: {res.stderr[:300]!r}"
            elif "Traceback" in text:
                bad = "a traceback in the output"
            elif any(v in text and v not in _COPIED for v in SECRET_VALUES):
                bad = "a secret value in the output"
            elif res.exit_code == 1:
                lines = res.stderr.splitlines()
                errs = [l for l in lines if l.startswith("ergen: error:")]
                if args[0] == "render" and not lines:
                    bad = "exit 1 with nothing on stderr"
                elif len(errs) > 1:
                    bad = f"more than one error line: {res.stderr[:300]!r}"
                for line in errs:
                    bad = bad or check_line(line, names, need_field=False)
            for line in text.splitlines():   # problems, warnings, the summary: each one clean line
                bad = bad or check_line(line, [], need_field=False)
            if args[0] == "render" and res.exit_code != 0 and _snapshot(out_dir) != before:
                bad = f"render failed (exit {res.exit_code}) but --out changed: {sorted(_snapshot(out_dir))}"
            if bad:
                return Outcome("bug", f"{args[0]}: {bad}", result.files, "cli")
            result.kind = "error" if res.exit_code else result.kind
            result.detail = result.detail or (res.stderr.strip().splitlines() or [""])[-1]
        return result
    finally:
        shutil.rmtree(inv, ignore_errors=True)
        shutil.rmtree(out_dir, ignore_errors=True)


READERS: dict[str, Callable[[random.Random, Workdir], Outcome]] = {
    "circuit ARM/REST": lambda rng, wd: circuit_case(rng, wd, "ARM/REST"),
    "circuit az CLI": lambda rng, wd: circuit_case(rng, wd, "az CLI"),
    "circuit PowerShell": lambda rng, wd: circuit_case(rng, wd, "PowerShell"),
    "circuit Terraform": lambda rng, wd: circuit_case(rng, wd, "Terraform"),
    "peering list (--peerings)": peerings_case,
    "ExpressRoute port (--port)": port_case,
    "VPN gateway (--vpn)": lambda rng, wd: vpn_case(rng, wd, "gateway"),
    "VPN connection (--vpn)": lambda rng, wd: vpn_case(rng, wd, "connection"),
    "inventory (hosts/groups/circuits/defaults.yaml)": inventory_case,
    "pipeline (validate, plan, render)": pipeline_case,
    "CLI (validate, render --out)": cli_case,
}


def save_bug(folder: Path, reader: str, index: int, out: Outcome) -> Path:
    """Write a failing input and its report to ``folder`` (to reproduce and to make a regression test)."""
    d = folder / f"{reader.split()[0]}-{reader.split()[1] if len(reader.split()) > 1 else ''}-{index}".replace("/", "")
    d.mkdir(parents=True, exist_ok=True)
    for name, data in out.files.items():
        (d / name).parent.mkdir(parents=True, exist_ok=True)
        (d / name).write_bytes(data)
    (d / "REPORT.txt").write_text(out.detail)
    return d


def timed(fn: Callable[[], Outcome]) -> tuple[Outcome, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


os.environ.setdefault("ERGEN_FUZZ", "FuzzSecretValue-9f3c1-env")   # env:ERGEN_FUZZ is in NASTY_TEXT
SECRET_VALUES.append(os.environ["ERGEN_FUZZ"])
