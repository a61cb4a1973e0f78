#!/usr/bin/env bash
# The real-Asterisk tests (test/relay/asterisk/real-asterisk.test.ts) run two Asterisk 20
# instances built from the shared source. Builds it once into ASTERISK_PREFIX (default
# <repo>/.cache/asterisk) with the shared build.sh, which exits at once when the binary is
# already there. Never skips: a missing source or a failed build fails loudly.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX="${ASTERISK_PREFIX:-$repo/.cache/asterisk}"

if [ -n "${ASTERISK_SHARED:-}" ]; then
  shared="$ASTERISK_SHARED"
elif [ -d "$repo/../shared/asterisk" ]; then
  shared=$(cd "$repo/../shared/asterisk" && pwd)
else
  shared=/work/shared/asterisk
fi

if [ -x "$PREFIX/sbin/asterisk" ]; then
  exit 0
fi

if [ ! -f "$shared/build.sh" ] || [ ! -f "$shared/asterisk-20-src.tar.gz" ]; then
  cat >&2 <<MSG
ensure-asterisk: cannot build Asterisk: $shared/build.sh or $shared/asterisk-20-src.tar.gz is missing
(looked at \$ASTERISK_SHARED, then $repo/../shared/asterisk, then /work/shared/asterisk).
Point ASTERISK_SHARED at the folder holding build.sh and the source tarball, or ASTERISK_PREFIX
at an existing build (a folder with sbin/asterisk).
MSG
  exit 1
fi

# build.sh installs its Debian build dependencies without refreshing the package lists first:
# a fresh machine may have none yet.
deps="build-essential pkg-config libedit-dev libjansson-dev libxml2-dev uuid-dev libsqlite3-dev libssl-dev"
if ! dpkg -s $deps >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ensure-asterisk: the build needs Debian packages ($deps) and this user cannot install them: sudo apt-get install -y $deps" >&2
    exit 1
  fi
  apt-get update
fi

mkdir -p "$PREFIX"
echo "ensure-asterisk: building Asterisk 20 into $PREFIX (3-4 minutes on 2 cores)" >&2
bash "$shared/build.sh" "$PREFIX"
if [ ! -x "$PREFIX/sbin/asterisk" ]; then
  echo "ensure-asterisk: $shared/build.sh finished but $PREFIX/sbin/asterisk is missing" >&2
  exit 1
fi
