#!/usr/bin/env bash
# Run the database behavioural suite (build/tests/db-suite) against one
# backend, with throwaway databases:
#   tests/db/run.sh sqlite   main and second database: SQLite files
#   tests/db/run.sh pg       a fresh PostgreSQL cluster (tests/pg/cluster.sh)
#                            as the main database with a SQLite second one,
#                            then the PostFetch suite the other way round
#                            (SQLite main, PostgreSQL second); the outage
#                            tests stop and restart that cluster
set -euo pipefail
suite=${BUILD:-build}/tests/db-suite
tmp=$(mktemp -d)
chmod 711 "$tmp"   # the cluster's server runs as another user
cleanup() {
  [ -d "$tmp/pg" ] && tests/pg/cluster.sh destroy "$tmp/pg"
  rm -rf "$tmp"
}
trap cleanup EXIT

case ${1:-} in
  sqlite)
    RF_TEST_DB="sqlite:$tmp/main.db" RF_TEST_DB2="sqlite:$tmp/reviews.db" "$suite"
    ;;
  pg)
    mkdir "$tmp/pg"
    url=$(tests/pg/cluster.sh start "$tmp/pg")
    RF_TEST_DB="$url" RF_TEST_DB2="sqlite:$tmp/reviews.db" RF_TEST_PG_CLUSTER="$tmp/pg" "$suite"
    echo "PostFetch from PostgreSQL into SQLite base rows:"
    CK_RUN_SUITE=db_postfetch RF_TEST_DB="sqlite:$tmp/main.db" RF_TEST_DB2="$url" "$suite"
    ;;
  *)
    echo "usage: $0 sqlite|pg" >&2
    exit 2
    ;;
esac
