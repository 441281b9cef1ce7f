"""FRR instances inside lab namespaces, each with its own pathspace (-N), so labs and a host FRR coexist."""

from __future__ import annotations

import json
import os
import pwd
import shutil
from pathlib import Path

from ergen.lab.netns import LabError, run

FRR_LIB = Path("/usr/lib/frr")
DAEMONS = ("zebra", "staticd", "bfdd", "bgpd")


def check_installed() -> None:
    missing = [d for d in DAEMONS if not (FRR_LIB / d).exists()]
    if missing or not shutil.which("vtysh"):
        raise LabError("FRRouting is not installed (Debian: apt-get install frr); missing: "
                       + ", ".join(missing or ["vtysh"]))


def start(ns: str, pathspace: str, workdir: Path, hostname: str | None = None) -> None:
    """Start zebra, staticd, bfdd and bgpd in ``ns`` with an empty config (loaded later by vtysh).

    With ``hostname`` each daemon runs in a UTS namespace of its own named so: FRR's running
    config then says ``hostname <router>``, as on a real router (and frr-reload.py sees no
    hostname change)."""
    run_dir = workdir / "frr"
    run_dir.mkdir(parents=True, exist_ok=True)
    workdir.chmod(0o711)
    try:
        frr = pwd.getpwnam("frr")
        os.chown(run_dir, frr.pw_uid, frr.pw_gid)
    except KeyError:
        raise LabError("the frr user does not exist (is Debian's frr package installed?)") from None
    empty = workdir / "empty.conf"
    empty.write_text("")
    empty.chmod(0o644)
    # frr-reload.py (pushes) wants <confdir>/<pathspace>/vtysh.conf with the integrated config
    etc = workdir / "etc" / pathspace
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "vtysh.conf").write_text("service integrated-vtysh-config\n")
    for d in DAEMONS:
        args = [str(FRR_LIB / d), "-d", "-N", pathspace, "-f", str(empty), "-i", str(run_dir / f"{d}.pid"),
                "--log", f"file:{run_dir / (d + '.log')}"]
        if hostname:
            args = ["unshare", "-u", "sh", "-c", f'hostname "$0"; exec "$@"', hostname, *args]
        run(*args, ns=ns, timeout=30)


def load(pathspace: str, config: Path) -> None:
    """Apply a config file through vtysh; any line FRR rejects fails the lab."""
    config.chmod(0o644)
    res = run("vtysh", "-N", pathspace, "-f", str(config), check=False, timeout=60)
    bad = [l for l in (res.stdout + res.stderr).splitlines()
           if "Unknown command" in l or "% " in l and "line" in l.lower()]
    if res.returncode != 0 or bad:
        raise LabError(f"FRR rejected {config.name}: {'; '.join(bad) or res.stderr.strip()[:300]}")


def vtysh(pathspace: str, *commands: str, timeout: float = 20) -> str:
    args = ["vtysh", "-N", pathspace]
    for c in commands:
        args += ["-c", c]
    return run(*args, timeout=timeout).stdout


def vtysh_json(pathspace: str, command: str):
    out = vtysh(pathspace, command)
    try:
        return json.loads(out) if out.strip() else {}
    except json.JSONDecodeError:
        raise LabError(f"vtysh '{command}' did not answer JSON: {out[:200]}") from None


def remove_runtime(pathspace: str) -> None:
    shutil.rmtree(Path("/var/run/frr") / pathspace, ignore_errors=True)
