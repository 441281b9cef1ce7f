"""``ergen diff``: offline review between two renders (folders or git refs)."""

from __future__ import annotations

import json
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from ergen.cli.main import PlatformOpt, PortOpt, app, user_errors


class Format(str, Enum):
    unified = "unified"
    markdown = "markdown"
    json = "json"


@app.command()
@user_errors
def diff(circuit: Annotated[Optional[list[str]], typer.Argument(
             metavar="[CIRCUIT...]", help="with git refs: the circuit JSON to render both refs with")] = None,
         from_: Annotated[Optional[str], typer.Option("--from", help="old: a render folder, or a git ref")] = None,
         to: Annotated[Optional[str], typer.Option("--to", help="new: a render folder, or a git ref")] = None,
         inventory: Annotated[Optional[str], typer.Option("--inventory", "-i",
                                                          help="with git refs: the inventory folder in the repo")] = None,
         fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.unified,
         show_secrets: Annotated[bool, typer.Option("--show-secrets")] = False,
         exit_code: Annotated[bool, typer.Option("--exit-code", help="exit 1 when anything changes")] = False,
         port: PortOpt = None, platform: PlatformOpt = None) -> None:
    """Review what changes between two renders: unified diff (keys masked) and, for IOS-style platforms,
    the remediation commands. --from/--to are two render folders, or two git refs of the inventory's repo."""
    from pathlib import Path

    from ergen.change.review import as_markdown, diff_folders, diff_git_refs
    from ergen.errors import InputError

    if not from_ or not to:
        raise InputError("give --from and --to (two render folders, or two git refs)", field="--from/--to")
    if Path(from_).is_dir() and Path(to).is_dir():
        changes = diff_folders(from_, to, show_secrets=show_secrets)
    else:
        if not circuit or not inventory:
            raise InputError("with git refs, give the circuit file(s) and --inventory", field="--from/--to")
        changes = diff_git_refs(from_, to, circuit, inventory, port=port, platform=platform)
    if fmt is Format.markdown:
        sys.stdout.write(as_markdown(changes))
    elif fmt is Format.json:
        print(json.dumps([{"router": c.router, "platform": c.platform, "status": c.status, "added": c.added,
                           "removed": c.removed, "diff": c.diff, "remediation": c.remediation} for c in changes],
                         indent=2))
    else:
        color = sys.stdout.isatty()
        for c in changes:
            if c.status == "unchanged":
                continue
            for line in c.diff:
                style = ("green" if line.startswith("+") else "red" if line.startswith("-")
                         else "cyan" if line.startswith("@@") else None)
                print(typer.style(line, fg=style) if color and style else line)
            if c.remediation:
                print(f"# remediation for {c.router} ({c.platform}):")
                for line in c.remediation:
                    print(f"#   {line}")
        changed = [c for c in changes if c.status != "unchanged"]
        print(f"{len(changed)} of {len(changes)} router(s) change: "
              + (", ".join(f"{c.router} +{c.added} -{c.removed}" for c in changed) or "nothing"))
    if exit_code and any(c.status != "unchanged" for c in changes):
        raise typer.Exit(1)
