#!/bin/sh
# Print the automake test summary as one "N passed, N failed" line.
log=${1:-tests/test-suite.log}
[ -f "$log" ] || { echo "0 passed, 1 failed"; exit 0; }
pass=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
err=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
echo "${pass:-0} passed, $(( ${fail:-0} + ${err:-0} )) failed, ${skip:-0} skipped"
