"""Human tables for ``ergen show`` (rich is imported only here)."""

from __future__ import annotations

from typing import Any


def print_circuits(circuits: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 100))
    for c in circuits:
        e = lambda v: escape(str(v)) if v not in (None, "") else "-"  # noqa: E731 (Azure text: no markup)
        console.print(f"[bold]{e(c['name'])}[/bold]  {e(c['provider'])} {e(c['peering_location'])}, "
                      f"{e(c['bandwidth'])}, {e(c['sku_tier'])}/{e(c['sku_family'])}, "
                      f"provider state {e(c['service_provider_provisioning_state'])}")
        console.print(f"  service key {e(c['service_key'])}   source {e(c['source']['file'])} "
                      f"({e(c['source']['format'])})")
        if not c["peerings"]:
            console.print("  no peerings")
            continue
        for p in c["peerings"]:
            key = "MD5 key set in Azure" if p["shared_key_set"] else "no MD5 key shown"
            console.print(f"  [bold]{e(p['name'])}[/bold] {e(p['state'])}, VLAN {e(p['vlan_id'])}, "
                          f"peer ASN {e(p['peer_asn'])}, Azure ASN {e(p['azure_asn'])}, {key}")
            t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
            for col in ("link", "subnet", "customer router", "Microsoft edge"):
                t.add_column(col)
            for link in p["links"]:
                addr = (e(link["customer"]), e(link["microsoft"])) if not link["problem"] else \
                    (f"[red]{e(link['problem'])}[/red]", "-")
                t.add_row(f"{link['link']} {link['family']}", e(link["subnet"]), *addr)
            console.print(t)
        for p in c["peerings"]:
            if p["advertised_public_prefixes"]:
                console.print(f"  {e(p['name'])}: advertised public prefixes "
                              f"{e(', '.join(p['advertised_public_prefixes']))} "
                              f"({e(p['advertised_public_prefixes_state'])}); route filter "
                              f"{e((p['route_filter'] or 'none').rsplit('/', 1)[-1])}")


def print_lab_check(report) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 120))
    t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
    for col in ("session", "BGP", "BFD", "sent", "received", "problem"):
        t.add_column(col)
    for s in report.sessions:
        mark = lambda got, want: f"{len(got)}" + ("" if got == want else f" (want {len(want)})")  # noqa: E731
        t.add_row(escape(s.session), s.state, s.bfd, mark(s.sent, s.expected_sent),
                  mark(s.received, s.expected_received),
                  "[green]ok[/green]" if s.ok else f"[red]{escape('; '.join(s.problems))}[/red]")
    console.print(t)
    bad = sum(1 for s in report.sessions if not s.ok)
    console.print(f"lab {escape(report.name)}: {len(report.sessions) - bad} of {len(report.sessions)} sessions "
                  "as the intent says" + ("" if not bad else f"; {bad} differ"))


def print_matrix(feats, plats) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 110))
    t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
    t.add_column("feature")
    for p in plats.values():
        t.add_column(p.id, justify="center")
    for f, title in feats.items():
        t.add_row(title, *("yes" if p.supports(f) else "[red]no[/red]" for p in plats.values()))
    console.print(t)
    for p in plats.values():
        for f, why in p.unsupported.items():
            console.print(f"  {p.id} {f}: {why}")


def print_results(results, dry_run: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, width=max(Console().width, 110))
    t = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=False)
    for col in ("router", "result", "seconds", "BGP to Microsoft", "detail"):
        t.add_column(col)
    for r in results:
        bgp = ", ".join(f"{a} {'up' if up else 'DOWN'}" for a, up in r.bgp.items()) or "-"
        t.add_row(escape(r.router), ("[green]" if r.ok else "[red]") + escape(r.status) + ("[/green]" if r.ok else "[/red]"),
                  f"{r.seconds:.1f}", escape(bgp), escape(r.error or (f"saved {r.saved}" if r.saved else "")))
    console.print(t)
    bad = sum(1 for r in results if not r.ok)
    console.print(("dry run: nothing was changed. " if dry_run else "") +
                  f"{len(results) - bad} of {len(results)} router(s) ok" + (f", {bad} failed" if bad else ""))
