#!/usr/bin/env bash
# Makes the PostgreSQL 15 server binaries of Debian 12 available at /usr/lib/postgresql/15/bin, for the
# test that runs the rendered db init SQL on a throwaway cluster. Idempotent and quiet: installs only
# when missing, never creates or starts a cluster (the test makes its own). Run as root.
set -euo pipefail

PG_BIN="/usr/lib/postgresql/15/bin"
APT_LOG="/tmp/supabase-fleet-apt-postgres.log"

if [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/psql" ]; then
    echo "setup-postgres: PostgreSQL 15 already installed at $PG_BIN"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-postgres: no apt-get on this machine; install PostgreSQL 15 by hand so that $PG_BIN exists" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "setup-postgres: must run as root to install packages (try: sudo bash $0)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
: >"$APT_LOG"

apt_install() { apt-get install -y -qq --no-install-recommends "$@" >>"$APT_LOG" 2>&1; }

# Package lists are missing or stale on a fresh machine: refresh once, then retry.
apt_install_or_refresh() {
    apt_install "$@" && return 0
    apt-get update -qq >>"$APT_LOG" 2>&1 && apt_install "$@"
}

# postgresql-common first, so that Debian does not create and start a default cluster: the tests
# make their own throwaway cluster and need no server running.
if ! apt_install_or_refresh postgresql-common; then
    echo "setup-postgres: apt-get install postgresql-common failed; see $APT_LOG" >&2
    exit 1
fi
conf=/etc/postgresql-common/createcluster.conf
sed -ri 's/^#? *(create_main_cluster) *=.*$/\1 = false/' "$conf"
grep -q '^create_main_cluster = false' "$conf" || echo 'create_main_cluster = false' >>"$conf"

# postgresql-15 on Debian 12; the "postgresql" metapackage where the versioned name is unknown.
if ! apt_install_or_refresh postgresql-15 && ! apt_install postgresql; then
    echo "setup-postgres: apt-get install postgresql-15 failed; see $APT_LOG" >&2
    exit 1
fi

if [ ! -x "$PG_BIN/initdb" ]; then
    echo "setup-postgres: installed, but $PG_BIN/initdb is missing (is this Debian 12?); see $APT_LOG" >&2
    exit 1
fi
# The test runs the server as this OS user (root cannot run postgres); the package creates it.
if ! id -u postgres >/dev/null 2>&1; then
    echo "setup-postgres: the postgres OS user is missing after the install" >&2
    exit 1
fi
echo "setup-postgres: installed PostgreSQL 15 ($PG_BIN)"
