"""The ``ergen`` command: a thin Typer layer; each command calls one library function.

Only typer is imported at start; each command imports what it needs when it runs, so
``ergen --help`` stays fast and never loads napalm or netmiko.
"""

from __future__ import annotations

import sys

import typer

from ergen.cli.main import app


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("ergen: interrupted\n")
        sys.exit(130)


__all__ = ["app", "main"]
