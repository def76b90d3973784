#!/bin/sh
# A pod event carrying a clear-screen sequence, an OSC 52 clipboard
# write, a bidi override and bells: the wizard shows the text and none of
# the control sequences reaches the terminal.
. "$(dirname "$0")/lib.sh"
e2e_init
hostile="${TEST_DATA_DIR:-$e2e_here/../data}/scenarios/hostile-event.json"

e2e_start -s 100x30 --scenario "$hostile"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "[FAIL]"
e2e_has "FORGED 401 Unauthorized"
e2e_lacks "[2J"
e2e_lacks "52;c;"
# The screen was not cleared behind the wizard's back: the title bar and
# the key bar are still there.
e2e_screen | sed -n '1p' | grep -qF "Read the pod's pull-failure event" ||
	e2e_fail "the title bar is gone"
e2e_screen | tail -n 1 | grep -qF "Select" || e2e_fail "the key bar is gone"
e2e_quit
e2e_pass
