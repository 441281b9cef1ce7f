#!/usr/bin/env bash
# Debian packages the integration tests need: FRRouting (vtysh, daemons, frr-reload.py), BIRD 2, iproute2.
# Installs only what is missing; needs root (apt-get). Without root it says what to install and exits 0,
# so the tests that need those packages skip locally (and fail in CI, where CI=true).
set -euo pipefail
need=()
command -v vtysh >/dev/null 2>&1 || need+=(frr)
[ -x /usr/lib/frr/frr-reload.py ] || need+=(frr-pythontools)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v make >/dev/null 2>&1 || need+=(make)
command -v ping >/dev/null 2>&1 || need+=(iputils-ping)
{ command -v pgrep && command -v sysctl; } >/dev/null 2>&1 || need+=(procps)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need+=(openssh-client)
command -v git >/dev/null 2>&1 || need+=(git)
[ -x /usr/sbin/charon-systemd ] || need+=(charon-systemd)
command -v swanctl >/dev/null 2>&1 || need+=(strongswan-swanctl)
[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] || need+=(libcharon-extra-plugins)
[ -e /usr/lib/ipsec/plugins/libstrongswan-gcm.so ] || need+=(libstrongswan-standard-plugins)
command -v bird >/dev/null 2>&1 || need+=(bird2)        # the lab's second BGP implementation (--edge bird)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: not root; install with: sudo apt-get install -y ${need[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the frr and bird services on install; the tests run their own instances
if command -v systemctl >/dev/null 2>&1; then systemctl stop frr bird >/dev/null 2>&1 || true; fi
echo "install-system-deps: installed ${need[*]}"
