#!/bin/bash
# Entrypoint of the local db test image: what the supabase/postgres image does for this project's
# files, on Debian's PostgreSQL. On an empty data directory: initdb with supabase_admin as the
# bootstrap superuser, create the roles and schemas the image creates, then run the mounted init
# scripts as postgres and the migrations as supabase_admin, each in file-name order with the image's
# psql flags. Then run the given command (postgres ...) as the postgres OS user.
set -euo pipefail
export PATH="/usr/lib/postgresql/$PG_MAJOR/bin:$PATH"
data=/var/lib/postgresql/data
init_root=/docker-entrypoint-initdb.d

mkdir -p "$data" /var/run/postgresql
chown -R postgres:postgres "$data" /var/run/postgresql
chmod 700 "$data"

as_postgres() { runuser -u postgres -- "$@"; }

if [ ! -s "$data/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?db: POSTGRES_PASSWORD must be set on the first start}"
    echo "db: initialising a new cluster in $data"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb -D "$data" -U supabase_admin --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    # Only the unix socket while the init scripts run, as the image does.
    as_postgres pg_ctl -D "$data" -w -o "-c listen_addresses='' -k /var/run/postgresql" start >/dev/null
    run_sql() { as_postgres psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc -h /var/run/postgresql -U "$1" -d postgres "${@:2}"; }
    run_sql supabase_admin -q -v pgpass="$POSTGRES_PASSWORD" -f /opt/db/image-bootstrap.sql
    for file in "$init_root"/init-scripts/*.sql; do
        [ -e "$file" ] || continue
        echo "db: running $file as postgres"
        run_sql postgres -f "$file"
    done
    for file in "$init_root"/migrations/*.sql; do
        [ -e "$file" ] || continue
        echo "db: running $file as supabase_admin"
        run_sql supabase_admin -f "$file"
    done
    as_postgres pg_ctl -D "$data" -m fast -w stop >/dev/null
    echo "db: init done"
fi

if [ "${1:-}" = postgres ]; then
    exec runuser -u postgres -- "$@"
fi
exec "$@"
