#!/usr/bin/env bash
# test/scripts/deploy.test.ts checks the deployment examples of docs/deploy/ with the real tools:
# nginx -t, caddy validate, systemd-analyze verify (Debian packages nginx, caddy, systemd).
# Installs those that are missing when we are root; otherwise fails loudly with the command to run.
# Never skips silently: an example config nobody parsed is not a tested one.
set -euo pipefail

# command -> the Debian package that provides it
declare -A PACKAGE_OF=([nginx]=nginx [caddy]=caddy [systemd-analyze]=systemd)
# nginx lives in /usr/sbin, which a non-root PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

missing=()
for tool in nginx caddy systemd-analyze; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  cat >&2 <<MSG
ensure-deploy-tools: missing ${missing[*]}, and this user cannot install them.
test/scripts/deploy.test.ts checks docs/deploy/ with them. Install them with:

    sudo apt-get update && sudo apt-get install -y ${missing[*]}
MSG
  exit 1
fi

echo "ensure-deploy-tools: installing Debian's ${missing[*]} (to check docs/deploy/)" >&2
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"

# On a machine run by systemd, Debian starts and enables the web servers it just installed; they
# are here to check configuration files, not to listen on ports 80 and 443.
if [ -d /run/systemd/system ]; then
  for pkg in "${missing[@]}"; do
    case "$pkg" in
      nginx | caddy)
        systemctl disable --now "$pkg" >/dev/null 2>&1 || true
        echo "ensure-deploy-tools: stopped and disabled the $pkg service Debian started (systemctl enable --now $pkg to run it)" >&2
        ;;
    esac
  done
fi

for tool in nginx caddy systemd-analyze; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "ensure-deploy-tools: apt-get installed ${missing[*]} but $tool is still missing" >&2
    exit 1
  fi
done
