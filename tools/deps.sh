#!/bin/sh
# Ensure the Debian packages a make target needs are installed.
# As root, missing packages are installed with apt-get; otherwise the one
# command to run is printed and the script fails.
#
#   tools/deps.sh build|test|demo|bench|fuzz
set -eu

build="re2c lemon gcc make pkg-config libevent-dev libjansson-dev libsqlite3-dev libpq-dev libssl-dev libhiredis-dev libhttp-parser-dev go-md2man"
testing="check postgresql clang libclang-rt-14-dev valgrind python3 python3-djangorestframework python3-django-filters gunicorn curl redis-server wrk chromium vim"
# npm is not listed: it comes with the machine's Node.js 20 (NodeSource's
# nodejs package provides it, and Debian's npm package would replace that
# Node.js with Debian's 18, on which better-sqlite3 12 does not run).
bench="wrk nginx libulfius-dev nodejs linux-perf"

case "${1:-build}" in
  build|demo) want="$build" ;;
  test|fuzz)  want="$build $testing" ;;
  bench)      want="$build $testing $bench" ;;
  *) echo "usage: $0 build|test|demo|bench|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
  echo "restflow: installing missing Debian packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || true
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "restflow: missing Debian packages. Run:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
