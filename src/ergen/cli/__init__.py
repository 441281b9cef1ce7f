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
        return _listing(app)
    commands = [c for c in app.registered_commands if (c.name or get_command_name(c.callback.__name__)) == first]
    groups = [g for g in app.registered_groups if g.name == first]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def _listing(typer_app: typer.Typer) -> typer.Typer:
    """For the top-level help (no command named): the same app with each command's callback replaced by
    a parameterless one of the same name and help text, as the listing shows only names and help; the
    root callback (``--version``) stays as it is. Groups likewise, all the way down."""
    import copy

    def stub(fn):
        def command() -> None:   # never run: no command is named on this path
            raise AssertionError("the help listing's stand-in was called")
        command.__name__, command.__doc__, command.__module__ = fn.__name__, fn.__doc__, fn.__module__
        return command

    out = copy.copy(typer_app)
    out.registered_commands = [copy.copy(c) for c in typer_app.registered_commands]
    for c in out.registered_commands:
        c.callback = stub(c.callback)
    out.registered_groups = []
    for g in typer_app.registered_groups:
        g2 = copy.copy(g)
        g2.typer_instance = _listing(g.typer_instance)
        out.registered_groups.append(g2)
    return out


def main() -> None:
    try:
        for_argv(sys.argv[1:])()
    except KeyboardInterrupt:
        sys.stderr.write("ergen: interrupted\n")
        sys.exit(130)


__all__ = ["app", "main"]
