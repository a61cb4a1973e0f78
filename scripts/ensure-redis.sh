#!/usr/bin/env bash
# The cluster tests run several relay nodes sharing state through Debian's redis-server, which
# test/support/redis-server.ts starts on ports of its own (never the system service on 6379).
# Installs it when it is missing and we are root; otherwise fails loudly with the command to run.
# Never skips silently: a cluster test run without Redis is not a test run.
set -euo pipefail

# redis-server lives in /usr/bin, but a minimal PATH may lack /usr/sbin for service tools.
export PATH="$PATH:/usr/sbin:/sbin"

check_version() {
  if ! version="$(redis-server --version 2>&1)"; then
    echo "ensure-redis: redis-server is on PATH but 'redis-server --version' fails: $version" >&2
    exit 1
  fi
}

if command -v redis-server >/dev/null 2>&1; then
  check_version
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  cat >&2 <<MSG
ensure-redis: redis-server is missing and this user cannot install it.
The cluster tests (test/relay/cluster/) need it. Install it with:

    sudo apt-get update && sudo apt-get install -y redis-server

MSG
  exit 1
fi

echo "ensure-redis: redis-server missing, installing Debian's redis-server" >&2

# Debian starts the services it installs; the tests start their own redis on free ports, so the
# system one must not start. A policy-rc.d answering 101 forbids it (invoke-rc.d and
# deb-systemd-invoke both ask it); we add one only for this install when there is none.
POLICY=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\n# ensure-redis.sh: no service starts during its apt-get install\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  added_policy=1
fi
remove_policy() { if [ "$added_policy" -eq 1 ]; then rm -f "$POLICY"; fi; }
trap remove_policy EXIT

install() { DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server </dev/null; }
# Refresh the package lists only when they are missing or too old to know the package.
if ! apt-cache show redis-server >/dev/null 2>&1 || ! install; then
  apt-get update
  install
fi

# Should the service have started anyway (a policy-rc.d of the machine that allows it), stop it
# and keep it from starting at boot: nothing of ours is meant to listen on 6379.
if [ -d /run/systemd/system ]; then
  if systemctl disable --now redis-server >/dev/null 2>&1; then
    echo "ensure-redis: stopped and disabled the redis-server service Debian installed (systemctl enable --now redis-server to run it)" >&2
  fi
elif [ -s /run/redis/redis-server.pid ] && kill -0 "$(cat /run/redis/redis-server.pid)" 2>/dev/null; then
  service redis-server stop >/dev/null 2>&1 || kill "$(cat /run/redis/redis-server.pid)"
  echo "ensure-redis: stopped the redis-server service Debian started" >&2
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "ensure-redis: apt-get installed redis-server but redis-server is still not on PATH" >&2
  exit 1
fi
check_version
echo "ensure-redis: installed $version" >&2
