#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the test suite (never for production data).
#
#   scripts/postgres-test-server.sh start   # initdb (first time) + start; creates database kyojin_test
#   scripts/postgres-test-server.sh url     # prints postgresql+psycopg://postgres@127.0.0.1:PORT/kyojin_test
#   scripts/postgres-test-server.sh stop    # stops the server and deletes its data directory
#
# Environment: KYOJIN_PG_PORT (default 55432), KYOJIN_PG_DIR (default /tmp/kyojin-pg-$KYOJIN_PG_PORT).
# initdb refuses to run as root, so the server runs as the "postgres" user in a directory it owns;
# the Unix socket lives inside the data directory and TCP listens on 127.0.0.1 only, with "trust"
# authentication (acceptable for a loopback test server that holds nothing of value).
set -euo pipefail

PORT="${KYOJIN_PG_PORT:-55432}"
DATA_DIR="${KYOJIN_PG_DIR:-/tmp/kyojin-pg-${PORT}}"
DATABASE="kyojin_test"

pg_bin_dir() {
    local dir
    for dir in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        if [[ -x "${dir}/initdb" ]]; then
            echo "${dir}"
            return 0
        fi
    done
    return 1
}

as_postgres() {
    if [[ "$(id -u)" == "0" ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_installed() {
    if ! pg_bin_dir >/dev/null; then
        if [[ "$(id -u)" != "0" ]]; then
            echo "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)" >&2
            exit 1
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2 || {
            apt-get update >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >&2
        }
    fi
}

url() {
    echo "postgresql+psycopg://postgres@127.0.0.1:${PORT}/${DATABASE}"
}

start() {
    ensure_installed
    local bin
    bin="$(pg_bin_dir)"
    if [[ ! -f "${DATA_DIR}/PG_VERSION" ]]; then
        mkdir -p "${DATA_DIR}"
        if [[ "$(id -u)" == "0" ]]; then
            chown postgres:postgres "${DATA_DIR}"
        fi
        chmod 700 "${DATA_DIR}"
        as_postgres "${bin}/initdb" -D "${DATA_DIR}" -A trust -U postgres --no-sync -E UTF8 \
            --locale=C.UTF-8 >"${DATA_DIR}.initdb.log" 2>&1 || {
            cat "${DATA_DIR}.initdb.log" >&2
            exit 1
        }
    fi
    if ! as_postgres "${bin}/pg_ctl" -D "${DATA_DIR}" status >/dev/null 2>&1; then
        # fsync is off: a test server's data is thrown away, and the store's crash tests kill the
        # client, never the server.
        as_postgres "${bin}/pg_ctl" -D "${DATA_DIR}" -w -t 30 -l "${DATA_DIR}/server.log" \
            -o "-p ${PORT} -k ${DATA_DIR} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200" \
            start >&2 || {
            cat "${DATA_DIR}/server.log" >&2 || true
            exit 1
        }
    fi
    if ! as_postgres "${bin}/psql" -h "${DATA_DIR}" -p "${PORT}" -U postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'" postgres | grep -q 1; then
        as_postgres "${bin}/createdb" -h "${DATA_DIR}" -p "${PORT}" -U postgres "${DATABASE}"
    fi
    url
}

stop() {
    local bin
    if bin="$(pg_bin_dir)" && [[ -f "${DATA_DIR}/PG_VERSION" ]]; then
        as_postgres "${bin}/pg_ctl" -D "${DATA_DIR}" -m fast -w stop >&2 || true
    fi
    rm -rf "${DATA_DIR}" "${DATA_DIR}.initdb.log"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url) url ;;
*)
    echo "usage: $0 start|stop|url" >&2
    exit 2
    ;;
esac
