#!/usr/bin/env bash
# Runs each test step (a make target) in turn, keeps going after a failure,
# and ends with one summary table.  Exit status: 0 when every step passed.
#   tools/run-tests.sh STEP...
#
# Each step runs with a temporary directory of its own as TMPDIR; a step
# that leaves a PostgreSQL server running from there (a throwaway cluster
# it did not destroy) fails, and the server is stopped.
set -u
make_cmd=${MAKE:-make}
declare -a names results times
failed=0
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/restflow-tests.XXXXXX")
chmod 711 "$run_tmp"   # the postgres user passes through to the clusters
trap 'rm -rf "$run_tmp"' EXIT

# The PostgreSQL servers whose data lives under $1.
servers_under() {
  pgrep -f -- "postgres -D $1/" || true
}

for step in "$@"; do
  echo "==> $step"
  start=$(date +%s)
  step_tmp="$run_tmp/$step"
  mkdir -p "$step_tmp" && chmod 711 "$step_tmp"
  if TMPDIR="$step_tmp" $make_cmd --no-print-directory "$step"; then r=PASS; else r=FAIL; fi
  leaked=$(servers_under "$step_tmp")
  if [ -n "$leaked" ]; then
    echo "$step: left PostgreSQL running (pid $(echo $leaked)); stopping it" >&2
    kill $leaked 2>/dev/null
    r=FAIL
  fi
  [ "$r" = PASS ] || failed=$((failed + 1))
  names+=("$step"); results+=("$r"); times+=("$(( $(date +%s) - start ))s")
done
echo
echo "================ restflow test summary ================"
for i in "${!names[@]}"; do
  printf '  %-4s  %-28s %6s\n' "${results[$i]}" "${names[$i]}" "${times[$i]}"
done
echo "  $(( ${#names[@]} - failed )) of ${#names[@]} steps passed"
echo "======================================================="
[ "$failed" -eq 0 ]
