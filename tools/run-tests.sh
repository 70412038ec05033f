#!/usr/bin/env bash
# Runs each test step (a make target) in turn, keeps going after a failure,
# and ends with one summary table.  Exit status: 0 when every step passed.
#   tools/run-tests.sh STEP...
set -u
make_cmd=${MAKE:-make}
declare -a names results times
failed=0
for step in "$@"; do
  echo "==> $step"
  start=$(date +%s)
  if $make_cmd --no-print-directory "$step"; then r=PASS; else r=FAIL; failed=$((failed + 1)); fi
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
