"""The ``ergen`` command: a thin Typer layer; each command calls one library function.

Only typer is imported at start; each command imports what it needs when it runs, so
``ergen --help`` stays fast and never loads napalm or netmiko.
"""

from __future__ import annotations

import sys

import typer

from ergen.cli.main import app


def for_argv(argv: list[str]) -> typer.Typer:
    """The app with only the command (or group) ``argv`` names, when it names one: Typer builds the Click
    command of every registered command on each start (their signatures and type hints), so a run of one
    command builds that one. ``--help``, no command or an unknown one get the whole app."""
    import copy

    from typer.main import get_command_name

    first = next((a for a in argv if not a.startswith("-")), None)
    if first is None:
        return app
    commands = [c for c in app.registered_commands if (c.name or get_command_name(c.callback.__name__)) == first]
    groups = [g for g in app.registered_groups if g.name == first]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    try:
        for_argv(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.stderr.write("ergen: interrupted\n")
        sys.exit(130)


__all__ = ["app", "main"]
