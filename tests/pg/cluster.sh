#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests, in a directory of its own.
#
#   dir=$(mktemp -d)
#   url=$(tests/pg/cluster.sh start "$dir")   # initdb on first use, then start
#                                             # (if not running); prints the URL
#   tests/pg/cluster.sh stop "$dir"           # stop (fast shutdown); start again
#                                             # later on the same port and data
#   tests/pg/cluster.sh url "$dir"            # the URL again
#   tests/pg/cluster.sh destroy "$dir"        # stop and remove the directory
#
# The server listens on 127.0.0.1 on a free port chosen at initdb, and on a
# unix socket in DIR/socket; the URL uses the socket (no TCP needed):
#   postgresql://postgres@/postgres?host=DIR/socket&port=PORT
# TCP works too: postgresql://postgres@127.0.0.1:PORT/postgres (trust auth).
# As root, the cluster runs as the `postgres` system user (initdb refuses
# root) through runuser; DIR is handed to that user, and its parents must
# let that user through (mktemp -d makes a 0700 directory: chmod 711 it).  The binaries come from
# /usr/lib/postgresql/15/bin, or $PG_BIN.  Logs: DIR/server.log.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() {
  echo "usage: $0 start|stop|url|destroy DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$(cd "$2" && pwd)

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() {
  echo "postgresql://postgres@/postgres?host=$dir/socket&port=$(cat "$dir/port")"
}

init() {
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$dir"
    chmod 700 "$dir"
    runuser -u postgres -- test -x "$dir" ||
      { echo "$0: the postgres user cannot reach $dir (check its parents' modes)" >&2; exit 1; }
  fi
  as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  as_owner mkdir -p "$dir/socket"
  free_port | as_owner tee "$dir/port" >/dev/null
}

running() {
  [ -f "$dir/data/postmaster.pid" ] && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
  [ -f "$dir/port" ] || init
  if running; then url; return; fi
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-p $(cat "$dir/port") -k $dir/socket -c listen_addresses=127.0.0.1 -c fsync=off" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  url
}

stop() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
}

case $cmd in
  start) start ;;
  stop) stop ;;
  url) url ;;
  destroy) stop; rm -rf "$dir" ;;
  *) usage ;;
esac
