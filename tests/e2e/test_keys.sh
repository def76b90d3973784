#!/bin/sh
# A key pressed while a check runs is not lost: in a slow world, Enter
# pressed while the spinner turns takes the highlighted choice as soon as
# the result is in, as if it had been pressed then.
. "$(dirname "$0")/lib.sh"
e2e_init
E2E_TIMEOUT=30
slow="${TEST_DATA_DIR:-$e2e_here/../data}/scenarios/slow-healthy.json"

e2e_start -s 100x30 --scenario "$slow"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_wait "Continue"
e2e_keys Enter
e2e_wait "Running check aks.events"
title=$(e2e_title)
case $title in *"Read the pod's pull-failure event"*) ;; *)
	e2e_fail "unexpected step '$title'" ;; esac
e2e_keys Enter
e2e_wait "Enter pressed: the highlighted choice follows"
# No other key: the result arrives and the waiting Enter moves on.
n=$((E2E_TIMEOUT * 10))
while [ $n -gt 0 ] && [ "$(e2e_title)" = "$title" ]; do
	sleep 0.1
	n=$((n - 1))
done
[ $n -gt 0 ] || e2e_fail "the Enter pressed during the check was lost"
e2e_quit
e2e_pass
