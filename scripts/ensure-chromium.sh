#!/usr/bin/env bash
# The end-to-end tests drive Debian's Chromium through playwright-core (no browser download).
# Installs it when it is missing and we are root; otherwise fails loudly with the command to run.
# Never skips silently: a test run without a browser is not a test run.
set -euo pipefail

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  echo "ensure-chromium: $CHROMIUM missing, installing Debian's chromium" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
  if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: apt-get installed chromium but $CHROMIUM is still missing" >&2
    exit 1
  fi
  exit 0
fi

cat >&2 <<MSG
ensure-chromium: $CHROMIUM is missing and this user cannot install it.
The end-to-end tests need it. Install it with:

    sudo apt-get update && sudo apt-get install -y chromium

or point CHROMIUM_PATH at an existing Chromium binary.
MSG
exit 1
