"""``ergen init``: a commented starter inventory from Azure's circuit JSON (ergen.onboard.init_inventory).

No ``from __future__ import annotations`` (see cli/azure.py): Typer reads the annotations when it builds
the CLI. Nothing but typer is imported here at start; the command imports the rest when it runs.
"""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ergen.cli.main import CircuitArgs, app, user_errors

Pairs = Optional[list[str]]


def interactive() -> bool:
    """Whether to ask for what is missing (stdin is a terminal); tests replace it."""
    return sys.stdin.isatty()


@app.command("init")
@user_errors
def init(circuit: CircuitArgs,
         out: Annotated[Path, typer.Option("--out", help="the inventory folder to create (empty or new)")],
         platform: Annotated[Optional[str], typer.Option(
             "--platform", "-p", help="the routers' platform: ios-xe, junos, eos, nx-os, ios-xr or frr")] = None,
         link: Annotated[Pairs, typer.Option(
             "--link", metavar="[CIRCUIT.]LINK=ROUTER:INTERFACE",
             help="where a link lands, e.g. primary=ams-er-r1:TenGigabitEthernet0/1/0; one per link")] = None,
         asn: Annotated[Optional[str], typer.Option(
             "--asn", help="the routers' BGP ASN (default: the peering's peerASN)")] = None,
         hostname: Annotated[Pairs, typer.Option(
             "--hostname", metavar="ROUTER=ADDRESS", help="a router's management address or DNS name")] = None,
         group: Annotated[Optional[str], typer.Option(
             "--group", help="the routers' site group in groups.yaml (default: the peering location, "
                             "e.g. amsterdam)")] = None,
         advertise: Annotated[Pairs, typer.Option(
             "--advertise", metavar="PEERING=PREFIX,...",
             help="prefixes to advertise, IPv4 and IPv6, e.g. private=10.20.0.0/16,2001:db8:a000::/48 "
                  "(Microsoft peering: default Azure's advertisedPublicPrefixes)")] = None,
         md5: Annotated[Pairs, typer.Option(
             "--md5", metavar="PEERING=REF",
             help="a peering's MD5 key by reference: file:secrets/NAME or env:NAME, never the key")] = None,
         accept_communities: Annotated[Pairs, typer.Option(
             "--accept-communities", metavar="PEERING=NAME,...",
             help="accept only routes with these communities, e.g. microsoft=exchange,azure-westeurope")] = None,
         tag: Annotated[Pairs, typer.Option(
             "--tag", metavar="[CIRCUIT=]TAG", help="ER-<TAG>- names ergen's objects (default: from the name)")] = None,
         redundancy: Annotated[Optional[str], typer.Option(
             "--redundancy", help="active-standby (default) or active-active")] = None,
         maximum_prefix: Annotated[Pairs, typer.Option(
             "--maximum-prefix", metavar="PEERING=N", help="IPv4 prefixes accepted from Microsoft, e.g. "
                                                            "private=1000")] = None,
         username: Annotated[Optional[str], typer.Option("--username", help="login for diff and push")] = None,
         password_ref: Annotated[Optional[str], typer.Option(
             "--password-ref", metavar="REF", help="the login password by reference: env:NAME or file:PATH")] = None,
         force: Annotated[bool, typer.Option(
             "--force", help="write into a folder that is not empty (replaces the four files init writes)")] = False,
         from_running: Annotated[Pairs, typer.Option(
             "--from-running", metavar="ROUTER=FILE",
             help="a router's running config: its links, interfaces, ASN, advertised prefixes, BFD and "
                  "maximum-prefix fill the inventory where no flag does (never its keys); repeat")] = None,
         ) -> None:
    """Write a commented starter inventory (hosts.yaml, circuits.yaml, groups.yaml, secrets/README.md)
    for the circuits; asks for the platform and each link's router and interface when they are missing
    and stdin is a terminal."""
    from ergen import onboard
    from ergen.cli.main import _load
    from ergen.errors import InputError

    circuits = _load(circuit, None)
    args = dict(   # every flag's form checked before anything is asked
        links=[onboard.parse_link(text) for text in link or ()], asn=onboard.parse_asn(asn),
        hostnames=onboard.parse_pairs(hostname, "--hostname"), group=group,
        advertise=onboard.parse_lists(advertise, "--advertise"), md5=onboard.parse_pairs(md5, "--md5"),
        accept_communities=onboard.parse_lists(accept_communities, "--accept-communities"),
        tag=onboard.parse_tags(tag), redundancy=redundancy,
        maximum_prefix=onboard.parse_ints(maximum_prefix, "--maximum-prefix"),
        username=username, password_ref=password_ref, force=force)
    if platform is None:
        if not interactive():
            raise InputError(f"give the routers' platform: one of {', '.join(onboard.PLATFORMS)}",
                             field="--platform")
        platform = typer.prompt(f"Platform of the routers ({', '.join(onboard.PLATFORMS)})",
                                value_proc=_checked(lambda v, _: onboard.check_platform(v)))
    facts = None
    if from_running:
        from ergen.adopt import read_running_files
        from ergen.adopt.facts import facts_from_running
        facts = facts_from_running(circuits, onboard.check_platform(platform),
                                   read_running_files(list(from_running)))
    written = onboard.init_inventory(circuits, out, platform=platform, ask=_ask if interactive() else None,
                                     facts=facts, **args)
    for path in written:
        print(f"wrote {path}")
    print(f"next: the keys {out / 'secrets' / 'README.md'} asks for, then "
          f"ergen validate {' '.join(circuit)} -i {out}")


def _ask(circuit: str, link: str) -> tuple[str, str]:
    """Where a link lands, asked on the terminal (each answer checked, the question asked again)."""
    from ergen import onboard
    router = typer.prompt(f"{circuit} {link} link: router name", value_proc=_checked(onboard.check_router))
    interface = typer.prompt(f"{circuit} {link} link: {router}'s interface towards the provider",
                             value_proc=_checked(onboard.check_interface))
    return router, interface


def _checked(check):
    """A prompt's value_proc: the library's check, its error shown and the question asked again."""
    def proc(value: str) -> str:
        from ergen.errors import InputError
        value = value.strip()
        try:
            return check(value, "prompt")
        except InputError as exc:
            raise typer.BadParameter(exc.message) from None
    return proc
