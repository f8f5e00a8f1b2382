#!/usr/bin/env bash
# Installs Debian's LuaJIT, the Lua that Kong runs: the gateway test evaluates the rendered
# request-transformer expressions (the opaque-key mapping of release 0.8.2) with it. Idempotent.
set -euo pipefail
case "${1:-}" in -h|--help) printf 'usage: bash .ci/setup-luajit.sh\n'; sed -n '2,3s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
if command -v luajit >/dev/null 2>&1; then
    echo "setup-luajit: $(luajit -v)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-luajit: must run as root to install packages (try: sudo bash $0)" >&2
    exit 1
fi
log=/tmp/supabase-fleet-apt-luajit.log
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -qq --no-install-recommends luajit >>"$log" 2>&1; }
if ! install && ! { apt-get update -qq >>"$log" 2>&1 && install; }; then
    echo "setup-luajit: apt-get install luajit failed; see $log" >&2
    exit 1
fi
echo "setup-luajit: installed $(luajit -v)"
