"""``ergen fetch`` (circuits, ports, route filters, VPN gateways from Azure) and ``ergen verify``.

Needs the ``ergen[azure]`` extra and a sign-in the Azure SDK finds (``az login``, AZURE_* environment
variables, a managed identity). Nothing of the SDK is imported until one of these commands runs.

No ``from __future__ import annotations`` here: Typer reads every option's annotation when it builds
the CLI, and real objects spare it evaluating strings on each ``ergen --help``. The commands' work is
in cli/azure_run.py, imported when one runs.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ergen.cli.main import InventoryOpt, Output, PeeringsOpt, PlatformOpt, PortOpt, VpnOpt, app, user_errors


class CloudName(str, Enum):
    public = "public"
    usgov = "usgov"
    china = "china"


fetch_app = typer.Typer(
    help="Save circuits, Direct ports, route filters and VPN gateways from Azure to files (az login first; "
         "the ergen[azure] extra).", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(fetch_app, name="fetch")

SubOpt = Annotated[str, typer.Option(
    "--subscription", "-s", envvar="AZURE_SUBSCRIPTION_ID", show_envvar=True,
    help="subscription ID (az account list -o table)")]
RgOpt = Annotated[str, typer.Option("--resource-group", "-g", help="resource group")]
CloudOpt = Annotated[CloudName, typer.Option(
    "--cloud", envvar="ERGEN_AZURE_CLOUD", help="Azure cloud: its Resource Manager and Entra ID endpoints")]
EndpointOpt = Annotated[Optional[str], typer.Option(
    "--arm-endpoint", envvar="ERGEN_ARM_ENDPOINT",
    help="a Resource Manager URL instead of the cloud's (a reverse proxy, a recorded test server)")]
OutFile = Annotated[str, typer.Option("--out", help="the JSON file to write, or - for stdout")]
ForceOpt = Annotated[bool, typer.Option("--force", help="replace an existing file")]
SecretsOpt = Annotated[bool, typer.Option(
    "--show-secrets", help="keep sharedKey and authorizationKey in clear (the file is then mode 0600)")]


@fetch_app.command("circuit")
@user_errors
def fetch_circuit(subscription: SubOpt, resource_group: RgOpt,
                  name: Annotated[str, typer.Option("--name", "-n", help="the circuit's name")],
                  out: OutFile, force: ForceOpt = False, show_secrets: SecretsOpt = False,
                  cloud: CloudOpt = CloudName.public, arm_endpoint: EndpointOpt = None) -> None:
    """Save an ExpressRoute circuit with its peerings, as Resource Manager returns it (ergen render reads it)."""
    from ergen.cli import azure_run
    azure_run.fetch_circuit(subscription, resource_group, name, out, force=force, show_secrets=show_secrets,
                            cloud=cloud.value, arm_endpoint=arm_endpoint)


@fetch_app.command("port")
@user_errors
def fetch_port(subscription: SubOpt, resource_group: RgOpt,
               name: Annotated[str, typer.Option("--name", "-n", help="the ExpressRoute Direct port's name")],
               out: OutFile, force: ForceOpt = False,
               cloud: CloudOpt = CloudName.public, arm_endpoint: EndpointOpt = None) -> None:
    """Save an ExpressRoute Direct port (encapsulation, links, MACsec): ergen render --port reads it."""
    from ergen.cli import azure_run
    azure_run.fetch_port(subscription, resource_group, name, out, force=force, cloud=cloud.value,
                         arm_endpoint=arm_endpoint)


@fetch_app.command("route-filter")
@user_errors
def fetch_route_filter(subscription: SubOpt, resource_group: RgOpt,
                       name: Annotated[str, typer.Option("--name", "-n", help="the route filter's name")],
                       out: OutFile, force: ForceOpt = False,
                       cloud: CloudOpt = CloudName.public, arm_endpoint: EndpointOpt = None) -> None:
    """Save a route filter: the BGP communities Microsoft peering receives."""
    from ergen.cli import azure_run
    azure_run.fetch_route_filter(subscription, resource_group, name, out, force=force, cloud=cloud.value,
                                 arm_endpoint=arm_endpoint)


@fetch_app.command("vpn")
@user_errors
def fetch_vpn(subscription: SubOpt, resource_group: RgOpt,
              gateway: Annotated[str, typer.Option("--gateway", help="the VPN gateway's name")],
              out: Annotated[Path, typer.Option("--out", help="folder for GATEWAY.json and CONNECTION.json")],
              connection: Annotated[Optional[list[str]], typer.Option(
                  "--connection", help="only this connection (repeat it); default: every connection of the gateway "
                                       "in the resource group")] = None,
              force: ForceOpt = False, show_secrets: SecretsOpt = False,
              cloud: CloudOpt = CloudName.public, arm_endpoint: EndpointOpt = None) -> None:
    """Save a VPN gateway and its IPsec connections (ergen render --vpn reads each file)."""
    from ergen.cli import azure_run
    azure_run.fetch_vpn(subscription, resource_group, gateway, out, connection=connection, force=force,
                        show_secrets=show_secrets, cloud=cloud.value, arm_endpoint=arm_endpoint)


@fetch_app.command("list")
@user_errors
def fetch_list(subscription: SubOpt,
               resource_group: Annotated[Optional[str], typer.Option(
                   "--resource-group", "-g", help="only this resource group")] = None,
               output: Annotated[Output, typer.Option("--output", "-o", help="text table, or Azure's JSON")] = Output.text,
               show_secrets: SecretsOpt = False,
               cloud: CloudOpt = CloudName.public, arm_endpoint: EndpointOpt = None) -> None:
    """List the ExpressRoute circuits of a subscription (every page Azure returns)."""
    from ergen.cli import azure_run
    azure_run.fetch_list(subscription, resource_group, output=output, show_secrets=show_secrets, cloud=cloud.value,
                         arm_endpoint=arm_endpoint)


@app.command()
@user_errors
def verify(inventory: InventoryOpt,
           circuit: Annotated[Optional[list[str]], typer.Argument(
               metavar="[CIRCUIT...]", help="circuit JSON (its id says where it is in Azure)")] = None,
           from_azure: Annotated[Optional[str], typer.Option(
               "--from-azure", metavar="SUB/RG/CIRCUIT", help="read the circuit live instead of from a file "
                                                          "(SUBSCRIPTION/RESOURCE_GROUP/CIRCUIT or its ARM id)")] = None,
           peerings: PeeringsOpt = None, port: PortOpt = None, platform: PlatformOpt = None, vpn: VpnOpt = None,
           output: Annotated[Output, typer.Option("--output", "-o")] = Output.text,
           routes: Annotated[bool, typer.Option(
               "--routes", help="also read each link's route table: the AS path Azure sees for the router's "
                                "prefixes (the standby or a drained link's prepends)")] = False,
           cloud: CloudOpt = CloudName.public, arm_endpoint: EndpointOpt = None) -> None:
    """After a change: does Microsoft's edge see each router (ARP) and its BGP session, receiving the
    prefixes the intent advertises? Per peering and link, primary and secondary. Exit 1 on any difference."""
    from ergen.cli import azure_run
    azure_run.verify(inventory, circuit, from_azure=from_azure, peerings=peerings, port=port, platform=platform,
                     vpn=vpn, output=output, cloud=cloud.value, arm_endpoint=arm_endpoint, routes=routes)
