#!/bin/sh
# A slow world: while a check runs the screen keeps drawing (spinner,
# "Running the check..."), Enter does not leave the step, Esc cancels the check (verdict unknown, "cancelled"), and the check can
# be run again to completion.
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
# The status line spins and says how to cancel; Enter does not start
# anything else meanwhile.
e2e_wait "Running check aks.events"
e2e_has "Esc cancels"
e2e_keys Enter
e2e_has "Running the check..."
e2e_keys Escape
e2e_wait "[UNKNOWN]"
e2e_has "cancelled"
e2e_lacks "Running the check..."
# Run it again and let it finish: three requests at 3 s each at least.
e2e_keys x
e2e_wait "Running the check..."
e2e_wait "[PASS]"
e2e_quit
e2e_pass
