#!/bin/sh
# A slow world: while a check runs the screen keeps drawing (spinner,
# "Running the check..."); Enter pressed meanwhile waits for the result
# (the screen says so), Esc cancels the check and the waiting Enter
# (verdict unknown, "cancelled", still on the same step), and the check
# can be run again to completion.
. "$(dirname "$0")/lib.sh"
e2e_init
E2E_TIMEOUT=30
slow="${TEST_DATA_DIR:-$e2e_here/../data}/scenarios/slow-healthy.json"

e2e_start -s 100x30 --scenario "$slow"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_wait "Continue"
e2e_keys Enter
e2e_wait "Running the check..."
# The status line spins and says how to cancel.
e2e_wait "Running check aks.events"
e2e_has "Esc cancels"
title=$(e2e_title)
# Enter while it runs: the UI takes it and says it waits.
e2e_keys Enter
e2e_wait "Enter pressed: the highlighted choice follows"
e2e_has "Running the check..."
# Esc cancels the check and the waiting Enter with it.
e2e_keys Escape
e2e_wait "[UNKNOWN]"
e2e_has "cancelled"
e2e_lacks "Running the check..."
e2e_lacks "Enter pressed"
[ "$(e2e_title)" = "$title" ] || e2e_fail "the cancelled Enter still left the step"
# Run it again and let it finish: three requests at 3 s each at least.
e2e_keys x
e2e_wait "Running the check..."
e2e_wait "[PASS]"
[ "$(e2e_title)" = "$title" ] || e2e_fail "the step changed without a key"
e2e_quit
e2e_pass
