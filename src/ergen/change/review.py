"""Offline review: what changes between two renders (folders of configs, or two git refs of an inventory).

For each router: a unified diff of the config text (keys masked), and for IOS-style platforms the
remediation commands hier_config computes to take a router from the old config to the new one.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ergen.errors import InputError

# a rendered config names its platform in its first line: "(Cisco IOS-XE)", "(FRRouting)" ...
_TITLES = {"Cisco IOS-XE": "ios-xe", "Juniper Junos": "junos", "Arista EOS": "eos", "Cisco NX-OS": "nx-os",
           "Cisco IOS-XR": "ios-xr", "FRRouting": "frr"}
_HIER = {"ios-xe": "CISCO_IOS", "nx-os": "CISCO_NXOS", "eos": "ARISTA_EOS", "ios-xr": "CISCO_XR"}
# lines that carry a key: the value after the keyword is masked in every review output
_SECRET_LINE = re.compile(
    r"(?<!<)(?P<kw>\b(?:password(?:\s+(?:clear|encrypted|[0-9]))?|authentication-key|key-string(?:\s+password)?"
    r"|pre-shared-key(?:\s+(?:local|remote))?(?:\s+(?:[067]|ascii-text|hexadecimal)(?=\s))?|cak|ckn|secret|key-octet-string|key(?=\s+[0-9a-fA-F]{16,})))(?P<eq>\s*=\s*|\s+)"
    r"(?P<val>\"[^\"]*\"|(?!\{|<secret[ >])[^\s;]+)")   # a value mask() already replaced stays as it is


# EOS MACsec: "key <CKN> 0 <CAK>" (or 7): both halves are keys, the second after the encryption type
_EOS_MACSEC_KEY = re.compile(r"\b(?P<kw>key)\s+(?P<ckn>[0-9a-fA-F]{16,})\s+(?P<t>[07])\s+(?P<cak>\S+)")


def mask_keys(text: str) -> str:
    text = _EOS_MACSEC_KEY.sub(lambda m: f"{m.group('kw')} <secret> {m.group('t')} <secret>", text)
    return _SECRET_LINE.sub(lambda m: f"{m.group('kw')}{' = ' if '=' in m.group('eq') else ' '}<secret>", text)


def platform_of(text: str) -> str | None:
    first = text.split("\n", 1)[0]
    for title, pid in _TITLES.items():
        if f"({title}" in first:
            return pid
    return None


@dataclass
class RouterChange:
    router: str
    platform: str | None
    status: str                      # added | removed | changed | unchanged
    diff: list[str] = field(default_factory=list)
    remediation: list[str] | None = None

    @property
    def added(self) -> int:
        return sum(1 for l in self.diff if l.startswith("+") and not l.startswith("+++"))

    @property
    def removed(self) -> int:
        return sum(1 for l in self.diff if l.startswith("-") and not l.startswith("---"))


def _configs(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        raise InputError("not a folder of rendered configs", file=str(folder), field="--from/--to")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.cfg"))}


def compare_configs(old: dict[str, str], new: dict[str, str], *, show_secrets: bool = False,
                    label_old: str = "a", label_new: str = "b") -> list[RouterChange]:
    out = []
    for router in sorted(set(old) | set(new)):
        a, b = old.get(router), new.get(router)
        if not show_secrets:
            a = mask_keys(a) if a is not None else None
            b = mask_keys(b) if b is not None else None
        platform = platform_of(b or a or "")
        status = "added" if a is None else "removed" if b is None else "changed" if a != b else "unchanged"
        diff = list(difflib.unified_diff((a or "").splitlines(), (b or "").splitlines(),
                                         f"{label_old}/{router}.cfg", f"{label_new}/{router}.cfg", lineterm=""))
        rem = remediation(platform, a or "", b or "") if status != "unchanged" else None
        out.append(RouterChange(router, platform, status, diff, rem))
    return out


def remediation(platform: str | None, running: str, intended: str) -> list[str] | None:
    """hier_config's commands taking ``running`` to ``intended`` (IOS-style platforms only)."""
    if platform not in _HIER:
        return None
    try:
        from hier_config import Platform, WorkflowRemediation, get_hconfig
    except ImportError:  # the optional extra ergen[push] brings it
        return None

    p = getattr(Platform, _HIER[platform])
    wf = WorkflowRemediation(get_hconfig(p, _strip_comments(running)), get_hconfig(p, _strip_comments(intended)))
    return list(wf.remediation_config.dump_simple())


def _strip_comments(text: str) -> str:
    """The config as hier_config reads it: no comments or ``end``, and a top-level section given twice
    (EOS's NAT renders ``interface Ethernet1.200`` a second time) merged into its first place, as the
    router itself merges them; hier_config would refuse the duplicate."""
    lines = [l for l in text.splitlines() if l.strip() and not l.lstrip().startswith("!") and l.strip() != "end"]
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    repeat = False
    for line in lines:
        if not line[0].isspace():
            repeat = line in sections
            current = sections.setdefault(line, [])
        elif current is not None:
            if not (repeat and line in current):   # a repeated section adds only what the first lacks
                current.append(line)
        else:
            sections.setdefault(line, [])
    return "\n".join(l for head, kids in sections.items() for l in (head, *kids))


def diff_folders(a: str | Path, b: str | Path, *, show_secrets: bool = False) -> list[RouterChange]:
    return compare_configs(_configs(Path(a)), _configs(Path(b)), show_secrets=show_secrets,
                           label_old=str(a), label_new=str(b))


def diff_git_refs(ref_a: str, ref_b: str, circuits: list[str], inventory: str, *, port: str | None = None,
                  platform: str | None = None) -> list[RouterChange]:
    """Render the inventory (and circuit files, where the repo tracks them) as of two git refs, then compare.

    Keys are masked (the renders never hold them in clear)."""
    import ergen

    inv = Path(inventory).resolve()
    top = _git(inv if inv.is_dir() else inv.parent, "rev-parse", "--show-toplevel").strip()
    renders = []
    for ref in (ref_a, ref_b):
        tmp = Path(tempfile.mkdtemp(prefix="ergen-ref-"))
        try:
            _git(Path(top), "rev-parse", "--verify", f"{ref}^{{commit}}", what=ref)
            archive = subprocess.run(["git", "-C", top, "archive", ref], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
            def at_ref(p: str) -> Path:
                rp = Path(p).resolve()
                try:
                    rel = rp.relative_to(top)
                except ValueError:
                    return rp  # outside the repository: the same file for both refs
                return tmp / rel if (tmp / rel).exists() else rp
            cs = []
            for c in circuits:
                cs += ergen.load_circuits(at_ref(c), port=at_ref(port) if port else None)
            result = ergen.plan(cs, ergen.load_inventory(at_ref(str(inv))), platform=platform)
            renders.append(ergen.render_configs(result.intents))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return compare_configs(renders[0], renders[1], show_secrets=True, label_old=ref_a, label_new=ref_b)


def _git(cwd: Path, *args: str, what: str | None = None) -> str:
    res = subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, text=True)
    if res.returncode != 0:
        if what:
            raise InputError(f"not a git ref of {cwd}: {what}", field="--from/--to")
        raise InputError("not inside a git repository (give two render folders instead)", file=str(cwd),
                         field="--from/--to")
    return res.stdout


def as_markdown(changes: list[RouterChange]) -> str:
    changed = [c for c in changes if c.status != "unchanged"]
    lines = [f"**ergen review**: {len(changed)} of {len(changes)} router(s) change"]
    for c in changed:
        lines += ["", f"### {c.router} ({c.platform or 'unknown platform'}): {c.status}, "
                      f"+{c.added} −{c.removed}", "", "```diff", *c.diff, "```"]
        if c.remediation:
            lines += ["", "Commands that take the router from the old config to the new one:", "", "```",
                      *c.remediation, "```"]
    return "\n".join(lines) + "\n"
