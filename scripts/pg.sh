#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster on 127.0.0.1 for tests and benchmarks (Debian's postgresql package).
#
#   scripts/pg.sh start   # initdb into PG_DIR (as the postgres user), start, write "$PG_DIR/env"
#   scripts/pg.sh stop    # stop the server and remove PG_DIR
#
#   source "${PG_DIR:-/tmp/ckan-portal-pg}/env"   # exports TEST_PG_URL (a superuser URL, no database)
#
# Environment (all optional): PG_DIR (default /tmp/ckan-portal-pg), PG_PORT (default 55432),
# PG_BIN (default /usr/lib/postgresql/15/bin). Root cannot run postgres: the server runs as the
# postgres user (runuser). Trust authentication on 127.0.0.1 only; the data is disposable.
set -euo pipefail

PG_DIR="${PG_DIR:-/tmp/ckan-portal-pg}"
PG_PORT="${PG_PORT:-55432}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
DATA="$PG_DIR/data"

as_pg() {
  # From PG_DIR: the postgres user may not be able to read the caller's working directory.
  if [ "$(id -u)" = 0 ]; then (cd "$PG_DIR" && runuser -u postgres -- "$@"); else (cd "$PG_DIR" && "$@"); fi
}

case "${1:-}" in
  start)
    [ -x "$PG_BIN/initdb" ] || { echo "pg.sh: $PG_BIN/initdb not found: apt-get install postgresql" >&2; exit 1; }
    "$0" stop >/dev/null 2>&1 || true
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
    as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    echo "export TEST_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT" >"$PG_DIR/env"
    echo "PostgreSQL on 127.0.0.1:$PG_PORT ($PG_DIR)"
    ;;
  stop)
    if [ -f "$DATA/postmaster.pid" ]; then as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true; fi
    rm -rf "$PG_DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
