"""Diff, push, confirm and roll back through NAPALM, one Nornir task per router.

Nothing here is imported by render: napalm, netmiko and nornir load only when a change command runs.

A push is a dry run unless ``commit``: it reports "would change" or "no change" and changes
nothing. With ``commit``, each router's running config is saved locally first (the rollback
config), then the candidate goes in (merge, or a scoped replace: see ``ergen.change.scope``).
With ``confirm_timeout`` the router reverts by itself unless confirmed; ergen then checks the
BGP sessions toward Microsoft and confirms only if every one of them is up.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

import yaml

from ergen.change.review import mask_keys
from ergen.errors import InputError
from ergen.secrets import Secret, mask


@lru_cache(maxsize=1)
def capabilities() -> dict:
    return yaml.safe_load((resources.files("ergen") / "change" / "napalm.yaml").read_text())


@dataclass
class Target:
    router: str
    platform: str
    hostname: str
    username: str | None
    password: Secret | None
    port: int | None
    optional_args: dict
    config: str                              # the rendered candidate, keys in clear
    secrets: tuple[Secret, ...]
    neighbors: list[tuple[str | None, str]]  # (vrf, address) of the sessions toward Microsoft
    standby: bool                            # every link on this router is a standby link
    links: set[str] = field(default_factory=set)
    driver_override: str | None = None       # e.g. "mock": NAPALM's mock driver (napalm_args: driver)
    intent: object = field(default=None, repr=False)   # the RouterIntent (adoption steps re-read the router)
    adopt: dict | None = None                # ergen push --adopt: the plan's entry for this router, drain, tag

    @property
    def driver(self) -> str:
        return self.driver_override or capabilities()[self.platform]["driver"]


@dataclass
class RouterResult:
    router: str
    status: str                              # no change | would change | changed | confirmed | pending
    ok: bool                                 #   | reverting | confirmed-manually | rolled back | failed
    diff: str = ""
    error: str = ""
    seconds: float = 0.0
    bgp: dict[str, bool] = field(default_factory=dict)
    saved: str = ""                          # the local copy of the config before the commit

    def as_dict(self) -> dict:
        return asdict(self)


def targets(intents, inventory, *, configs: dict[str, str], lab: dict | None = None,
            only: str | None = None) -> list[Target]:
    """One Target per router (``only``: the routers terminating that link)."""
    from pathlib import Path as P

    from ergen.secrets import resolve
    out = []
    routers = {r["name"]: r for r in lab["routers"]} if lab else {}
    for it in intents:
        links = {c.link for c in it.circuits}
        if only and only not in links:
            continue
        _check_router_name(it.name, inventory)
        r = inventory.routers[it.name]
        if lab:
            lr = routers[it.name]
            w = P(lab["workdir"]) / lr["pathspace"]
            (w / "run").mkdir(parents=True, exist_ok=True)
            host, user, pw, port = lr["mgmt_address"], "root", None, 22
            opts = {"key_file": lab["ssh_key"], "pathspace": lr["pathspace"], "confdir": str(w / "etc"),
                    "rundir": str(w / "run"), "state_dir": str(w / "ergen-state")}
        else:
            if not r.hostname:
                raise InputError("no hostname (management address) to push to", file=inventory.files["hosts"],
                                 field=f"{it.name}.hostname")
            host, user, port = r.hostname, r.username, r.port
            pw = resolve(r.password, base=P(inventory.path), file=inventory.files["hosts"],
                         field=f"{it.name}.password") if r.password else None
            opts = dict(r.data.napalm_args)
        override = opts.pop("driver", None) if not lab else None
        out.append(Target(router=it.name, platform=it.platform, hostname=host, username=user, password=pw,
                          port=port, optional_args=opts, config=configs[it.name], secrets=tuple(it.secrets),
                          # the sessions that must be up to confirm: not those a drain shuts down
                          neighbors=[(n.vrf, n.address) for n in it.neighbors if not n.shutdown],
                          standby=all(n.standby for n in it.neighbors), links=links,
                          driver_override=str(override) if override else None, intent=it))
    return out


def _check_router_name(name: str, inventory) -> None:
    """A router's name names its files under --state-dir: no folder separator, no leading dot, nothing
    unprintable (hosts.yaml "../../x" would otherwise write the saved running config outside it)."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or not name.isprintable():
        raise InputError(f"router name {name!r:.80} cannot name a file: use letters, digits, '-', '_' and '.' "
                         "(not first)", file=inventory.files.get("hosts"), field=repr(name)[1:-1][:80])


def check_confirm(platform: str, timeout: int, allow_downgrade: bool) -> tuple[int | None, str | None]:
    """The revert_in NAPALM gets for ``timeout`` seconds on ``platform``, and a warning when adjusted."""
    rule = capabilities()[platform]["confirm"]
    if rule is None:
        if not allow_downgrade:
            raise InputError(f"{platform} ({capabilities()[platform]['driver']}) has no commit-confirm; pass "
                             "--allow-downgrade to commit without automatic revert", field="--confirm-timeout")
        return None, f"{platform}: no commit-confirm, committed without automatic revert"
    t = timeout
    if rule["unit"] == "minutes" and t % 60:
        if not allow_downgrade:
            raise InputError(f"{platform} confirms in whole minutes; {timeout} s is not (try {-(-t // 60) * 60})",
                             field="--confirm-timeout")
        t = -(-t // 60) * 60
    if rule.get("multiple_of") and t % rule["multiple_of"]:
        if not allow_downgrade:
            raise InputError(f"{platform} confirms in multiples of {rule['multiple_of']} s", field="--confirm-timeout")
        t = -(-t // rule["multiple_of"]) * rule["multiple_of"]
    lo, hi = rule["min"] * (60 if rule["unit"] == "minutes" else 1), rule["max"] * (60 if rule["unit"] == "minutes" else 1)
    if not lo <= t <= hi:
        raise InputError(f"{platform} takes a confirm timeout of {lo}-{hi} s", field="--confirm-timeout")
    warning = f"{platform}: confirm timeout {timeout} s rounded to {t} s" if t != timeout else None
    return (t // 60 if rule["unit"] == "minutes" else t), warning


def _nornir(tgts: list[Target], workers: int, timeout: int):
    from nornir.core import Nornir
    from nornir.core.configuration import Config, LoggingConfig
    from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
    from nornir.core.plugins.connections import ConnectionPluginRegister
    from nornir.plugins.runners import ThreadedRunner

    ConnectionPluginRegister.auto_register()
    hosts = Hosts()
    for t in tgts:
        hosts[t.router] = Host(
            name=t.router, hostname=t.hostname, username=t.username,
            password=t.password.reveal() if t.password else None, port=t.port, platform=t.driver,
            connection_options={"napalm": ConnectionOptions(extras={"optional_args": t.optional_args,
                                                                    "timeout": timeout})})
    return Nornir(inventory=Inventory(hosts=hosts, groups=Groups(), defaults=Defaults()),
                  runner=ThreadedRunner(num_workers=max(1, workers)),
                  config=Config(logging=LoggingConfig(enabled=False)))  # no nornir.log, nothing logged


def _masked(text: str, t: Target, show: bool) -> str:
    """Keys masked unless ``show``; the login password always (an error may echo it)."""
    if t.password is not None:
        text = mask(text, [t.password])
    return text if show else mask_keys(mask(text, list(t.secrets)))


def _bgp_up(dev, t: Target) -> dict[str, bool]:
    data = dev.get_bgp_neighbors()
    out = {}
    for vrf, addr in t.neighbors:
        peers = data.get(vrf or "global", {}).get("peers", {})
        out[addr] = bool(peers.get(addr, {}).get("is_up"))
    return out


# What each NAPALM driver needs on the router, checked where a command can tell (ios: cli()).
_CLI_CHECKS = {
    "ios": [("show archive", "archive (path ...)", lambda o: "Archive feature not enabled" not in o and "path" in o.lower(),
             "configure 'archive / path flash:archive' (NAPALM ios needs it for rollback and commit-confirm)"),
            ("show running-config | include ip scp server enable", "SCP server",
             lambda o: "ip scp server enable" in o, "configure 'ip scp server enable' (NAPALM ios copies candidates by SCP)"),
            ("show privilege", "privilege level 15", lambda o: "15" in o, "log in with privilege 15")],
}
_KNOWN = {"eos": "eAPI answered (NAPALM eos talks eAPI: 'management api http-commands / no shutdown')",
          "junos": "NETCONF answered (NAPALM junos: 'set system services netconf ssh')",
          "iosxr": "XML agent / SSH answered (NAPALM iosxr: 'xml agent tty')",
          "nxos_ssh": "SSH answered (NAPALM nxos_ssh)"}


def _preflight_one(task, t: Target) -> list[tuple[str, bool, str]]:
    dev = task.host.get_connection("napalm", task.nornir.config)
    checks = [("NAPALM session opens", True, "")]
    if hasattr(dev, "preflight"):
        return checks + dev.preflight()
    for cmd, what, test, fix in _CLI_CHECKS.get(t.driver, []):
        out = dev.cli([cmd]).get(cmd, "")
        checks.append((what, bool(test(out)), fix))
    if t.driver in _KNOWN:
        checks.append((_KNOWN[t.driver], True, ""))
    return checks


def preflight(tgts: list[Target], *, workers: int = 4, timeout: int = 30) -> dict[str, list[tuple[str, bool, str]]]:
    """Per router: can ergen push there? (check, ok, how to fix); an unreachable router says why."""
    from nornir.core.task import Result

    nr = _nornir(tgts, workers, timeout)
    by = {t.router: t for t in tgts}

    def task(task):
        try:
            checks = _preflight_one(task, by[task.host.name])
        except Exception as exc:
            checks = [("NAPALM session opens", False, " ".join(f"{type(exc).__name__}: {exc}".split())[:300])]
        return Result(host=task.host, result=checks, failed=not all(ok for _, ok, _ in checks))

    agg = nr.run(task=task, name="ergen preflight")
    nr.close_connections(on_good=True, on_failed=True)
    return {name: (multi[0].result if isinstance(multi[0].result, list) else
                   [("NAPALM session opens", False, str(multi[0].exception))]) for name, multi in agg.items()}


def _state_file(state_dir: Path, router: str, kind: str) -> Path:
    path = state_dir / f"{router}.{kind}.cfg"
    if path.parent != state_dir:   # targets() refuses such names; a Target built by hand is checked here
        raise InputError(f"router name {router!r:.80} would write outside {state_dir}", field="--state-dir")
    return path


def _one(task, t: Target, *, action: str, commit: bool, mode: str, revert_in, verify_wait: float,
         state_dir: Path, show_secrets: bool, on_done: Callable | None) -> RouterResult:
    from ergen.change.scope import frr_desired, remediation_commands

    t0 = time.monotonic()
    res = RouterResult(t.router, "failed", False)
    try:
        dev = task.host.get_connection("napalm", task.nornir.config)
        if action == "rollback":
            dev.rollback()
            res.status, res.ok = "rolled back", True
        elif action == "confirm":
            if not dev.has_pending_commit():
                res.status, res.ok = "nothing pending", True
            else:
                dev.confirm_commit()
                res.status, res.ok = "confirmed-manually", True
        elif action == "verify":
            res.bgp, problems = _verify_sessions(dev, t)
            res.status, res.ok = ("verified", True) if not problems else ("not as planned", False)
            res.error = "; ".join(problems)
        else:
            running = dev.get_config(retrieve="running")["running"]
            last_file = _state_file(state_dir, t.router, "last")
            last = last_file.read_text() if last_file.exists() else ""
            adopted_file = _state_file(state_dir, t.router, "adopted").with_suffix(".json")
            if adopted_file.exists():   # objects adopted from a hand-built config: ergen's from now on, by name
                from ergen.adopt.migrate import owned_text
                last = last.rstrip("\n") + "\n" + owned_text(t, running, adopted_file.read_text())
            if action in ("adopt-drain", "adopt-replace"):
                from ergen.adopt.migrate import adoption_loads
                loads, adopted_names = adoption_loads(t, running, action)
                for load in loads:
                    (dev.load_replace_candidate if load.mode == "replace" else dev.load_merge_candidate)(
                        config=load.text)
            elif mode == "replace" and t.platform == "frr":
                dev.load_replace_candidate(config=frr_desired(running, last, t.config))
            elif mode == "replace":
                dev.load_merge_candidate(config=remediation_commands(t.platform, running, last, t.config))
            else:
                dev.load_merge_candidate(config=t.config)
            diff = dev.compare_config() or ""
            res.diff = _masked(diff, t, show_secrets)
            if not diff.strip():
                dev.discard_config()
                res.status, res.ok = "no change", True
            elif not commit or action == "diff":
                dev.discard_config()
                res.status, res.ok = "would change", True
            else:
                state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                saved = _state_file(state_dir, t.router, time.strftime("before-%Y%m%dT%H%M%S"))
                saved.write_text(running)   # the rollback config, saved before anything is sent
                saved.chmod(0o600)
                res.saved = str(saved)
                dev.commit_config(revert_in=revert_in)
                if action != "adopt-drain":      # a drain changes the hand-built objects, not ergen's
                    last_file.write_text(t.config)
                    last_file.chmod(0o600)
                if action == "adopt-replace":
                    adopted_file.write_text(json.dumps(adopted_names, indent=1) + "\n")
                    adopted_file.chmod(0o600)
                if revert_in is None:
                    res.status, res.ok = "changed", True
                elif verify_wait <= 0:
                    res.status, res.ok = "pending", True
                else:
                    deadline = time.monotonic() + verify_wait
                    while True:
                        res.bgp = _bgp_up(dev, t)
                        if not t.neighbors or (res.bgp and all(res.bgp.values())):   # none to wait for: all shut
                            dev.confirm_commit()
                            res.status, res.ok = "confirmed", True
                            break
                        if time.monotonic() > deadline:
                            down = ", ".join(a for a, up in res.bgp.items() if not up)
                            res.status, res.ok = "reverting", False
                            res.error = f"BGP to {down} not up within {verify_wait:g} s: not confirmed, the " \
                                        "router reverts by itself"
                            break
                        time.sleep(1)
    except Exception as exc:  # one router's failure is its own: reported, the others go on
        res.status, res.ok = "failed", False
        res.error = _masked(" ".join(f"{type(exc).__name__}: {exc}".split())[:400], t, show_secrets)
    res.seconds = round(time.monotonic() - t0, 2)
    if on_done:
        on_done(res)
    return res


def _verify_sessions(dev, t: Target) -> tuple[dict[str, bool], list[str]]:
    """Every session toward Microsoft Established and receiving prefixes (per its address family)."""
    data = dev.get_bgp_neighbors()
    up, problems = {}, []
    for vrf, addr in t.neighbors:
        peer = data.get(vrf or "global", {}).get("peers", {}).get(addr, {})
        up[addr] = bool(peer.get("is_up"))
        fam = "ipv6" if ":" in addr else "ipv4"
        got = (peer.get("address_family") or {}).get(fam, {})
        if not up[addr]:
            problems.append(f"{addr} not Established")
        elif int(got.get("accepted_prefixes", got.get("received_prefixes", 0)) or 0) <= 0:
            problems.append(f"{addr} Established but receives no prefixes")
    return up, problems


def run(tgts: list[Target], *, action: str = "push", commit: bool = False, mode: str = "merge",
        confirm_timeout: int | None = None, allow_downgrade: bool = False, verify_wait: float = 60.0,
        order: str = "standby-first", workers: int = 4, state_dir: str | Path = ".ergen-state",
        show_secrets: bool = False, timeout: int = 60, on_done: Callable | None = None
        ) -> tuple[list[RouterResult], list[str]]:
    """Run ``action`` (push | diff | confirm | rollback) on every target; returns results and warnings."""
    from nornir.core.task import Result

    if mode not in ("merge", "replace"):
        raise InputError("mode is merge or replace", field="--mode")
    warnings: list[str] = []
    revert: dict[str, int | None] = {}
    if (action == "push" or action.startswith("adopt-")) and commit and confirm_timeout is not None:
        for t in tgts:  # refuse before anything is sent
            revert[t.router], w = check_confirm(t.platform, confirm_timeout, allow_downgrade)
            if w:
                warnings.append(w)
    state = Path(state_dir)
    batches = [tgts]
    if action.startswith("adopt-"):
        for t in tgts:
            if t.adopt is None:
                raise InputError(f"{t.router} is not in the migration plan", field="--adopt")
    if action == "push" and commit and order == "standby-first":
        batches = [[t for t in tgts if t.standby], [t for t in tgts if not t.standby]]
    results: dict[str, RouterResult] = {}
    for batch in batches:
        if not batch:
            continue
        if any(not r.ok for r in results.values()):
            for t in batch:
                results[t.router] = RouterResult(t.router, "skipped", False,
                                                 error="not pushed: a router changed before it failed")
            continue
        nr = _nornir(batch, workers, timeout)

        def task(task, _by={t.router: t for t in batch}):
            t = _by[task.host.name]
            r = _one(task, t, action=action, commit=commit, mode=mode, revert_in=revert.get(t.router),
                     verify_wait=verify_wait, state_dir=state, show_secrets=show_secrets, on_done=on_done)
            return Result(host=task.host, result=r, failed=not r.ok)

        agg = nr.run(task=task, name=f"ergen {action}")
        nr.close_connections(on_good=True, on_failed=True)
        for name, multi in agg.items():
            r = multi[0].result if multi and isinstance(multi[0].result, RouterResult) else None
            if r is None:
                exc = multi[0].exception if multi else None
                r = RouterResult(name, "failed", False, error=" ".join(str(exc).split())[:400])
            results[name] = r
    return [results[t.router] for t in tgts if t.router in results], warnings


def get_configs(tgts: list[Target], *, workers: int = 4, timeout: int = 60,
                on_done: Callable | None = None) -> dict[str, tuple[str | None, str]]:
    """Each router's running config over NAPALM (``get_config``; read only, nothing is loaded or
    committed): {router: (text, "") or (None, why it could not be read)}."""
    from nornir.core.task import Result

    nr = _nornir(tgts, workers, timeout)
    by = {t.router: t for t in tgts}

    def task(task):
        t = by[task.host.name]
        try:
            dev = task.host.get_connection("napalm", task.nornir.config)
            text = dev.get_config(retrieve="running")["running"]
            res = Result(host=task.host, result=(text, ""))
        except Exception as exc:   # one router's failure is its own
            res = Result(host=task.host, result=(None, _masked(" ".join(f"{type(exc).__name__}: {exc}".split())[:300],
                                                                t, False)), failed=True)
        if on_done:
            on_done(t.router, res.result[0] is not None)
        return res

    agg = nr.run(task=task, name="ergen get_config")
    nr.close_connections(on_good=True, on_failed=True)
    out = {}
    for name, multi in agg.items():
        r = multi[0].result if multi else None
        out[name] = r if isinstance(r, tuple) else (None, str(multi[0].exception if multi else "no result"))
    return out
