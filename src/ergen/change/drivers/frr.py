"""A NAPALM driver for FRRouting on Linux, over SSH (netmiko's ``linux`` device).

Candidate configs are applied with FRR's own ``frr-reload.py``: ``--test`` gives the diff,
``--reload`` applies it. The apply runs detached on the router (``setsid nohup``) and keeps the new
config only once this session has acknowledged it: a line a daemon rejects (frr-reload applies the
lines before it), an SSH session cut mid-commit or a client that dies leave the router on its
previous config (``ack_timeout`` seconds after the apply at most), never half of the new one.
Before each commit the running config is saved on the router (``rollback.conf``); ``rollback()``
reloads it, and ``commit_config(revert_in=S)`` arms a timer on the router that reloads it unless
``confirm_commit()`` comes first.

optional_args: ``port``, ``key_file``, ``pathspace`` (FRR's ``-N``), ``vtysh`` (path),
``frr_reload`` (path, default /usr/lib/frr/frr-reload.py), ``confdir``, ``rundir``,
``state_dir`` (where the driver keeps candidate, rollback and pending files; default
/var/lib/ergen/<pathspace or "default">), ``apply_timeout`` (s, default 120), ``ack_timeout`` (s,
default 30: how long an applied commit waits for the session's word before it is undone).
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import time

from napalm.base import NetworkDriver
from napalm.base.exceptions import (CommitError, ConnectionException, MergeConfigException,
                                    ReplaceConfigException)

_RC = "__ERGEN_RC="


class FRRDriver(NetworkDriver):
    platform = "frr"

    def __init__(self, hostname, username, password, timeout=60, optional_args=None):
        self.hostname = hostname
        self.username = username
        self.password = password
        self.timeout = timeout
        o = optional_args or {}
        self.port = int(o.get("port", 22))
        self.key_file = o.get("key_file")
        self.pathspace = o.get("pathspace")
        self.vtysh_bin = o.get("vtysh", "vtysh")
        self.frr_reload = o.get("frr_reload", "/usr/lib/frr/frr-reload.py")
        self.confdir = o.get("confdir")
        self.rundir = o.get("rundir")
        self.state_dir = o.get("state_dir") or f"/var/lib/ergen/{self.pathspace or 'default'}"
        self.apply_timeout = float(o.get("apply_timeout", 120))
        self.ack_timeout = float(o.get("ack_timeout", 30))
        self.device = None
        self._candidate: str | None = None
        self._dir_ready = False
        self._mode: str | None = None

    # -- session -----------------------------------------------------------------------------
    def open(self) -> None:
        from netmiko import ConnectHandler
        from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException

        args = dict(device_type="linux", host=self.hostname, username=self.username, port=self.port,
                    timeout=self.timeout, conn_timeout=min(self.timeout, 15), allow_agent=False,
                    ssh_config_file=None, fast_cli=False)
        if self.key_file:
            args.update(use_keys=True, key_file=self.key_file)
        if self.password:
            args["password"] = self.password
        try:
            self.device = ConnectHandler(**args)
        except NetmikoAuthenticationException as exc:
            how = "key " + str(self.key_file) if self.key_file else "password" if self.password else "no key or password"
            raise ConnectionException(f"authentication failed for {self.username}@{self.hostname} ({how})") from exc
        except (NetmikoTimeoutException, OSError) as exc:
            raise ConnectionException(f"cannot connect to {self.hostname}:{self.port}: "
                                      f"{_why(exc, args['conn_timeout'])}") from exc
        self._dir_ready = False   # the state folder is made when something is written, not on open:
        #                           a session that only reads (audit, adopt) leaves the router untouched

    def _ensure_dir(self) -> None:
        if not self._dir_ready:
            self._sh(f"mkdir -p {shlex.quote(self.state_dir)} && chmod 700 {shlex.quote(self.state_dir)}",
                     raw=True)
            self._dir_ready = True

    def close(self) -> None:
        if self.device is not None:
            try:
                self.device.disconnect()
            finally:
                self.device = None

    def is_alive(self):
        return {"is_alive": bool(self.device and self.device.is_alive())}

    # -- plumbing ------------------------------------------------------------------------------
    def _sh(self, cmd: str, *, check: bool = True, timeout: float | None = None, raw: bool = False) -> str:
        if self.device is None:
            raise ConnectionException("not connected (call open() first)")
        if len(cmd) > 160 and not raw:  # a long line wraps on the terminal and confuses the echo check: run it from a file
            script = self._put("cmd.sh", cmd + "\n")
            cmd = f"sh {shlex.quote(script)}"
        sep = " " if cmd.rstrip().endswith("&") else "; "
        out = self.device.send_command(f"{cmd}{sep}echo {_RC}$?", read_timeout=timeout or self.timeout,
                                       strip_prompt=True, strip_command=True)
        m = re.search(rf"{_RC}(\d+)", out)
        rc = int(m.group(1)) if m else -1
        out = out[: m.start()] if m else out
        if check and rc != 0:
            raise CommitError(f"{self.hostname}: '{cmd[:80]}' failed (rc {rc}): {out.strip()[:300]}")
        return out

    def _vtysh_cmd(self, *commands: str) -> str:
        ps = f"-N {shlex.quote(self.pathspace)} " if self.pathspace else ""
        return f"{self.vtysh_bin} {ps}" + " ".join(f"-c {shlex.quote(c)}" for c in commands)

    def _vtysh(self, *commands: str) -> str:
        return self._sh(self._vtysh_cmd(*commands) + " 2>/dev/null")

    def _reload_cmd(self, action: str, path: str) -> str:
        parts = [self.frr_reload, action, "--stdout"]
        if self.pathspace:
            parts += ["-N", self.pathspace]
        if self.confdir:
            parts += ["--confdir", self.confdir]
        if self.rundir:
            parts += ["--rundir", self.rundir]
        return " ".join(shlex.quote(p) for p in [*parts, path])

    def _path(self, name: str) -> str:
        return f"{self.state_dir}/{name}"

    def _put(self, name: str, text: str) -> str:
        """Write a file on the router: over SFTP on the same SSH connection, else base64 in short lines."""
        self._ensure_dir()
        path = self._path(name)
        try:
            import paramiko
            sftp = paramiko.SFTPClient.from_transport(self.device.remote_conn.get_transport())
            with sftp.open(path + ".tmp", "w") as fh:
                fh.write(text)
            sftp.chmod(path + ".tmp", 0o600)
            sftp.posix_rename(path + ".tmp", path)
            sftp.close()
            return path
        except Exception:  # no SFTP subsystem on this router: fall back to the shell
            pass
        # short lines (raw: no detour through a file, which is what is being written): cd, then relative names
        data = base64.b64encode(text.encode()).decode()
        here, n = f"cd {shlex.quote(self.state_dir)} &&", shlex.quote(name)
        self._sh(f"{here} : > {n}.b64 && chmod 600 {n}.b64", raw=True)
        step = max(40, 150 - len(here) - len(n) - 30)
        for i in range(0, len(data), step):
            self._sh(f"{here} printf %s {data[i:i + step]} >> {n}.b64", raw=True)
        self._sh(f"{here} base64 -d {n}.b64 > {n} && rm -f {n}.b64 && chmod 600 {n}", raw=True)
        return path

    def _publish_rc(self, tag: str, value: str = "$?") -> str:
        rc = shlex.quote(self._path(f"{tag}.rc"))
        return f"echo {value} > {rc}.tmp; mv {rc}.tmp {rc}"

    def _detached(self, script: str, tag: str, *, body: str | None = None) -> int:
        """Run ``script`` on the router in its own session (it survives a cut SSH), wait for its rc.

        ``body``: a whole job instead, which publishes its rc itself (``_publish_rc``) and may go on."""
        rc_file, log = self._path(f"{tag}.rc"), self._path(f"{tag}.log")
        self._ensure_dir()
        self._sh(f"rm -f {shlex.quote(rc_file)}")
        inner = body or f"( {script} ) > {shlex.quote(log)} 2>&1; {self._publish_rc(tag)}\n"
        job = self._put(f"{tag}.sh", inner)
        self._sh(f"setsid nohup sh {shlex.quote(job)} < /dev/null > /dev/null 2>&1 &")
        deadline = time.monotonic() + self.apply_timeout
        while time.monotonic() < deadline:
            out = self._sh(f"cat {shlex.quote(rc_file)} 2>/dev/null || true").strip()
            if out.isdigit():
                return int(out)
            time.sleep(0.3)
        raise CommitError(f"{self.hostname}: {tag} did not finish within {self.apply_timeout:g} s")

    # -- config ----------------------------------------------------------------------------------
    def get_config(self, retrieve="all", full=False, sanitized=False, format="text"):
        running = self._vtysh("show running-config")
        running = running.split("Current configuration:", 1)[-1].lstrip("\n") if "Current configuration:" in running \
            else running
        startup = ""
        if retrieve in ("all", "startup") and self.confdir:
            startup = self._sh(f"cat {shlex.quote(self.confdir)}/{shlex.quote(self.pathspace or '')}/frr.conf "
                               "2>/dev/null || true")
        if sanitized:
            running = re.sub(r"(password|authentication-key)\s+\S+", r"\1 <removed>", running)
        return {"running": running if retrieve in ("all", "running") else "",
                "startup": startup, "candidate": self._candidate or ""}

    def load_merge_candidate(self, filename=None, config=None):
        self._load(filename, config, "merge", MergeConfigException)

    def load_replace_candidate(self, filename=None, config=None):
        self._load(filename, config, "replace", ReplaceConfigException)

    def _load(self, filename, config, mode, exc):
        if filename:
            with open(filename, encoding="utf-8") as fh:
                config = fh.read()
        if not config:
            raise exc("no candidate configuration given")
        self._candidate, self._mode = config, mode

    def _settling(self) -> str | None:
        """What an earlier commit's job still running is doing (applying, reverting, waiting for its
        acknowledgement or its confirmation), or None."""
        lock, phase = shlex.quote(self._path("apply.lock")), shlex.quote(self._path("phase"))
        out = self._sh(f"if test -f {lock} && kill -0 $(cat {lock}) 2>/dev/null; then cat {phase} 2>/dev/null "
                       "|| echo busy; else echo free; fi").strip()
        return None if out == "free" else (out or "busy")

    def _desired(self) -> str:
        """The whole config the router should end with: merge = running + candidate, replace = candidate."""
        if self._candidate is None:
            raise CommitError("no candidate loaded")
        phase = self._settling()
        deadline = time.monotonic() + self.apply_timeout
        while phase in ("applying", "reverting") and time.monotonic() < deadline:   # ends by itself: wait
            time.sleep(0.5)
            phase = self._settling()
        if phase:   # the running config may still change by itself: no diff, no commit now
            raise CommitError(f"{self.hostname}: an earlier commit is still settling on the router ({phase}); "
                              "confirm it, roll it back or wait")
        if self._mode == "merge":
            return self.get_config(retrieve="running")["running"].rstrip("\n") + "\n" + self._candidate
        return self._candidate

    def compare_config(self) -> str:
        if self._candidate is None:
            return ""
        path = self._put("desired.conf", self._desired())
        out = self._sh(self._reload_cmd("--test", path) + " 2>&1", check=False)
        return _reload_diff(out)

    def commit_config(self, message="", revert_in=None):
        """Apply the candidate, all of it or none of it.

        One job on the router, detached from the SSH session, does it all: frr-reload --reload; if that
        fails (a line a daemon rejects leaves the lines before it applied), reload the saved running
        config at once; else wait ``ack_timeout`` seconds for this session to say it saw the result and,
        without that word (SSH cut, client killed), reload the saved config too. Only an acknowledged
        commit stays (and with ``revert_in``, only until the timer unless confirmed)."""
        if self._candidate is None:
            raise CommitError("no candidate loaded")
        if revert_in is not None and self.has_pending_commit():
            raise CommitError("a commit is pending confirmation; confirm it or let it revert first")
        q = {k: shlex.quote(self._path(k)) for k in ("ack", "pending", "reverted", "revert.log", "apply.lock",
                                                     "phase")}
        desired = self._desired()
        self._put("rollback.conf", self.get_config(retrieve="running")["running"])
        path = self._put("desired.conf", desired)
        self._sh(f"rm -f {q['ack']} {q['reverted']}")
        back = f"{self._reload_cmd('--reload', self._path('rollback.conf'))} > {q['revert.log']} 2>&1"
        ticks = max(1, int(self.ack_timeout * 10))
        phase = lambda what: f"echo {what} > {q['phase']}"   # noqa: E731  (what _settling reports)
        body = (
            f"echo $$ > {q['apply.lock']}; trap {shlex.quote('rm -f ' + q['apply.lock'])} EXIT; {phase('applying')}\n"
            f"{self._reload_cmd('--reload', path)} > {shlex.quote(self._path('apply.log'))} 2>&1; rc=$?\n"
            f"if [ $rc -ne 0 ]; then {phase('reverting')}; {back}; "
            f"echo \"the previous config reloaded (rc $?)\" > {q['reverted']}; rm -f {q['apply.lock']}; fi\n"
            f"{self._publish_rc('apply', '$rc')}\n"       # after the revert: "failed" means "back as before"
            f"[ $rc -ne 0 ] && exit 0\n"
            + (f"echo $$ > {q['pending']}\n" if revert_in is not None else "")
            + f"{phase('waiting-for-acknowledgement')}\n"
            f"i=0; while [ ! -f {q['ack']} ] && [ $i -lt {ticks} ]; do sleep 0.1; i=$((i+1)); done\n"
            f"if [ ! -f {q['ack']} ]; then {phase('reverting')}; {back}; rm -f {q['pending']}; "
            f"echo \"not acknowledged within {self.ack_timeout:g} s: the previous config reloaded (rc $?)\" "
            f"> {q['reverted']}; exit 0; fi\n"
            + (f"{phase('pending-confirmation')}; sleep {int(revert_in)}; "
               f"if [ -f {q['pending']} ]; then {phase('reverting')}; {back}; rm -f {q['pending']}; fi\n"
               if revert_in is not None else ""))
        try:
            rc = self._detached("", "apply", body=body)
        except CommitError:
            raise
        except Exception as exc:   # SSH cut or hung while applying: the job reloads the previous config itself
            raise CommitError(f"{self.hostname}: the session was lost during the commit ({type(exc).__name__}); "
                              f"the router goes back to its previous config by itself (at most "
                              f"{self.ack_timeout:g} s after the apply ends)") from None
        if rc != 0:
            log = self._sh(f"grep -v '^$' {shlex.quote(self._path('apply.log'))} | grep -iE 'error|fail|%|line' "
                           f"| tail -3; cat {q['reverted']} 2>/dev/null", check=False)
            raise CommitError(f"{self.hostname}: frr-reload failed (rc {rc}), nothing kept: "
                              f"{' '.join(log.split())[:300]}")
        try:
            self._sh(f"touch {q['ack']}")
        except Exception as exc:
            raise CommitError(f"{self.hostname}: the session was lost before the commit was acknowledged "
                              f"({type(exc).__name__}); the router goes back to its previous config within "
                              f"{self.ack_timeout:g} s") from None
        self._candidate = None

    def has_pending_commit(self) -> bool:
        return self._sh(f"test -f {shlex.quote(self._path('pending'))} && echo yes || echo no").strip() == "yes"

    def confirm_commit(self):
        if not self.has_pending_commit():
            raise CommitError("no commit is pending confirmation")
        self._stop_job()

    def _stop_job(self) -> None:
        """End the commit job (its whole process group: a revert it is running stops too) and its files."""
        files = " ".join(shlex.quote(self._path(f)) for f in ("pending", "apply.lock"))
        self._sh(f"for f in {files}; do p=$(cat $f 2>/dev/null) && [ -n \"$p\" ] && "
                 "{ kill -- -$p 2>/dev/null || kill $p 2>/dev/null; }; done; "
                 f"rm -f {files} {shlex.quote(self._path('phase'))}", check=False)

    def discard_config(self):
        self._candidate, self._mode = None, None

    def rollback(self):
        path = self._path("rollback.conf")
        if self._sh(f"test -s {shlex.quote(path)} && echo yes || echo no").strip() != "yes":
            raise CommitError(f"{self.hostname}: nothing to roll back to (no commit by this driver)")
        self._stop_job()    # a commit waiting for its acknowledgement or confirmation: abandoned, then undone here
        rc = self._detached(self._reload_cmd("--reload", path), "rollback")
        if rc != 0:
            raise CommitError(f"{self.hostname}: rollback failed (rc {rc})")

    # -- preflight --------------------------------------------------------------------------------
    def preflight(self) -> list[tuple[str, bool, str]]:
        """What this driver needs on the router: (check, ok, how to fix)."""
        checks = []
        ok = self._sh(f"command -v {shlex.quote(self.vtysh_bin)} >/dev/null && echo ok || echo no").strip() == "ok"
        checks.append(("vtysh is installed", ok, "apt-get install frr"))
        if ok:
            out = self._sh(self._vtysh_cmd("show version") + " >/dev/null 2>&1 && echo ok || echo no").strip()
            checks.append(("vtysh reaches the FRR daemons", out == "ok",
                           "start FRR; the user needs to be root or in group frrvty"
                           + (f"; pathspace {self.pathspace}" if self.pathspace else "")))
        ok = self._sh(f"test -x {shlex.quote(self.frr_reload)} && echo ok || echo no").strip() == "ok"
        checks.append(("frr-reload.py is installed", ok, "apt-get install frr-pythontools"))
        conf = f"{self.confdir or '/etc/frr'}/{self.pathspace + '/' if self.pathspace else ''}vtysh.conf"
        ok = self._sh(f"grep -qs '^service integrated-vtysh-config' {shlex.quote(conf)} && echo ok || echo no"
                      ).strip() == "ok"
        checks.append((f"{conf} has 'service integrated-vtysh-config'", ok,
                       "add it, or frr-reload.py cannot save what it applied"))
        ok = self._sh(f"mkdir -p {shlex.quote(self.state_dir)} && test -w {shlex.quote(self.state_dir)} "
                      "&& echo ok || echo no").strip() == "ok"
        checks.append((f"{self.state_dir} is writable (rollback and pending files)", ok, "create it for the user"))
        return checks

    # -- getters ---------------------------------------------------------------------------------
    def get_facts(self):
        host = self._sh("hostname").strip()
        version = self._vtysh("show version").strip().splitlines()
        up = self._sh("cut -d' ' -f1 /proc/uptime").strip()
        ifaces = self._sh("ls /sys/class/net").split()
        return {"hostname": host, "fqdn": host, "vendor": "FRRouting",
                "os_version": version[0] if version else "", "serial_number": "", "model": "Linux",
                "uptime": float(up or 0), "interface_list": sorted(ifaces)}

    def get_bgp_neighbors(self):
        data = json.loads(self._vtysh("show bgp vrf all neighbors json") or "{}")
        out = {}
        for vrf, peers in data.items():
            if not isinstance(peers, dict):
                continue
            name = "global" if vrf == "default" else vrf
            entry = out.setdefault(name, {"router_id": "", "peers": {}})
            for addr, p in peers.items():
                if not isinstance(p, dict) or "bgpState" not in p:
                    continue
                entry["router_id"] = p.get("localRouterId", entry["router_id"])
                afs = {}
                for af, st in (p.get("addressFamilyInfo") or {}).items():
                    key = "ipv6" if "v6" in af.lower() else "ipv4"
                    afs[key] = {"received_prefixes": int(st.get("acceptedPrefixCounter", 0)),
                                "accepted_prefixes": int(st.get("acceptedPrefixCounter", 0)),
                                "sent_prefixes": int(st.get("sentPrefixCounter", 0))}
                entry["peers"][addr] = {
                    "local_as": int(p.get("localAs", 0)), "remote_as": int(p.get("remoteAs", 0)),
                    "remote_id": p.get("remoteRouterId", ""), "is_up": p.get("bgpState") == "Established",
                    "is_enabled": "Admin" not in str(p.get("lastResetDueTo", "")),
                    "description": p.get("nbrDesc", ""),
                    "uptime": int(p.get("bgpTimerUpMsec", 0)) // 1000, "address_family": afs}
        return out


def _why(exc: BaseException, conn_timeout: float) -> str:
    """What stopped the connection, from the socket error netmiko's generic message hides (it is chained)."""
    import errno
    import socket

    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        inner = getattr(seen, "errors", None)             # paramiko's NoValidConnectionsError: one per address
        if isinstance(inner, dict) and inner:
            seen = next(iter(inner.values()))
            continue
        if isinstance(seen, ConnectionRefusedError) or getattr(seen, "errno", None) == errno.ECONNREFUSED:
            return "connection refused (nothing listens on that port: is sshd running?)"
        if isinstance(seen, (socket.timeout, TimeoutError)):
            return f"timed out after {conn_timeout:g} s (no answer: address, route or firewall)"
        if getattr(seen, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "no route to host"
        seen = seen.__cause__ or seen.__context__
    text = " ".join(str(exc).split())
    return text.split(" Common causes")[0][:200]


def _reload_diff(out: str) -> str:
    """frr-reload.py --test prints 'Lines To Delete' and 'Lines To Add'; turn them into - and + lines."""
    lines, mode = [], None
    for raw in out.splitlines():
        s = raw.rstrip()
        if s.startswith("Lines To Delete"):
            mode = "-"
            continue
        if s.startswith("Lines To Add"):
            mode = "+"
            continue
        if mode and s and not s.startswith("=") and not s.startswith("INFO") and "vtysh.conf" not in s:
            lines.append(f"{mode} {s}")
    return "\n".join(lines)
