#!/usr/bin/env bash
# A private, throw-away PostgreSQL for the store tests.
#
#   eval "$(scripts/postgres.sh start)"   # installs PostgreSQL if needed, starts it, exports HOOKWORK_TEST_POSTGRES_URL
#   scripts/postgres.sh stop              # stops it and removes its folder
#
# Only the export lines go to standard output (so that eval works); progress goes to standard error.
set -euo pipefail

state_file="${TMPDIR:-/tmp}/hookwork-postgres.current"
log() { echo "postgres.sh: $*" >&2; }

# The folder holding PostgreSQL's programs, installing the Debian package if there is none.
find_bin() {
    local dir
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dir="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        echo "$dir"
        return
    fi
    # The client package alone also creates /usr/lib/postgresql/N/bin, so look for the server's initdb.
    dir="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname || true)"
    if [ -z "$dir" ]; then
        log "installing PostgreSQL with apt-get"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq postgresql >&2
        dir="$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname || true)"
    fi
    [ -n "$dir" ] || { log "no PostgreSQL programs found after installing; install the postgresql package"; exit 1; }
    echo "$dir"
}

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        # From a folder that user may enter (a checkout under root's temporary folder is not one).
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
    local bin dir port
    bin="$(find_bin)"
    dir="$(mktemp -d "${TMPDIR:-/tmp}/hookwork-postgres.XXXXXX")"
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    port=55432
    while port_in_use "$port"; do port=$((port + 1)); done

    if ! as_postgres "$bin/initdb" -D "$dir/data" -A trust -U hookwork -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        exit 1
    fi
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    as_postgres "$bin/createdb" -h 127.0.0.1 -p "$port" -U hookwork hookwork >&2
    printf '%s\n' "$dir" >"$state_file"
    log "PostgreSQL running on 127.0.0.1:$port (folder $dir)"
    echo "export HOOKWORK_TEST_POSTGRES_DIR=$dir"
    echo "export HOOKWORK_TEST_POSTGRES_URL=postgres://hookwork@127.0.0.1:$port/hookwork"
}

stop() {
    local bin dir
    dir="${HOOKWORK_TEST_POSTGRES_DIR:-}"
    if [ -z "$dir" ] && [ -f "$state_file" ]; then dir="$(cat "$state_file")"; fi
    if [ -z "$dir" ] || [ ! -d "$dir" ]; then
        log "no PostgreSQL started by this script is running"
        return 0
    fi
    bin="$(find_bin)"
    as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || log "pg_ctl stop failed; removing the folder anyway"
    rm -rf "$dir"
    if [ -f "$state_file" ] && [ "$(cat "$state_file")" = "$dir" ]; then rm -f "$state_file"; fi
    log "stopped and removed $dir"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
