#!/bin/sh
# Start or stop a DRF twin (a Django project in tests/drf/APP).
#
#   tests/drf/run.sh APP PORT DBFILE [USERS.json]
#       APP is a twin in tests/drf, or the path of a Django project laid out
#       as they are (tests/acceptance/<spec>/drf).  Migrates the SQLite file DBFILE (created when missing), seeds the
#       users of USERS.json when given (manage.py seed_auth), starts gunicorn
#       on 127.0.0.1:PORT in the background with one sync worker (throttle
#       histories live in the process), waits until it answers, and prints
#       the gunicorn PID.  gunicorn's log goes to DBFILE.log.
#   tests/drf/run.sh stop PID
#       Stops that server (SIGTERM) and waits for it to exit.
#
# Uses Debian's /usr/bin/python3 (Django 3.2, DRF 3.14, django-filter) and
# gunicorn.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3

# Running, and not a zombie: run.sh has exited, so gunicorn is reaped by
# whoever adopted it, maybe seconds after it died.
alive() {
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case "$state" in Z*) return 1 ;; esac
}

stop() {
    kill -TERM "$1" 2>/dev/null || exit 0
    i=0
    while alive "$1"; do
        i=$((i + 1))
        [ "$i" -gt 100 ] && { kill -KILL "$1" 2>/dev/null || true; break; }
        sleep 0.1
    done
}

wait_listening() {  # PORT PID
    $python - "$1" "$2" <<'PY'
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
for _ in range(300):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        sys.exit("gunicorn exited during start-up")
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("gunicorn did not answer on port %d" % port)
PY
}

if [ "${1:-}" = stop ]; then
    [ $# -eq 2 ] || { echo "usage: $0 stop PID" >&2; exit 2; }
    stop "$2"
    exit 0
fi

[ $# -eq 3 ] || [ $# -eq 4 ] || {
    echo "usage: $0 APP PORT DBFILE [USERS.json] | $0 stop PID" >&2; exit 2; }
app=$1 port=$2 db=$3 users=${4:-}
case "$app" in */*) project=$app ;; *) project="$here/$app" ;; esac
[ -f "$project/manage.py" ] || { echo "$0: no twin named '$app' in $here" >&2; exit 2; }
case "$db" in /*) ;; *) db="$(pwd)/$db" ;; esac
case "$users" in /*|"") ;; *) users="$(pwd)/$users" ;; esac

export RFLOW_TWIN_DB="$db"
$python "$project/manage.py" prepare_db ${users:+"$users"} >/dev/null

cd "$project"
# Not gunicorn --daemon: the PID printed must be the master's, for stop.
# A fixed hash seed: OPTIONS lists `actions` in the order of a Python set
# ({'PUT', 'POST'} & allowed), which varies with the seed; with 0 it is
# POST first, the order restflow writes (runtime/metadata.c).  A route with
# both made the comparison pass or fail by chance.
PYTHONHASHSEED=0 gunicorn --bind "127.0.0.1:$port" --workers 1 --worker-class sync \
    --pythonpath "$here/common,$project" project.wsgi >"$db.log" 2>&1 </dev/null &
pid=$!
if ! wait_listening "$port" "$pid"; then
    stop "$pid"
    cat "$db.log" >&2
    exit 1
fi
echo "$pid"
