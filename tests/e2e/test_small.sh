#!/bin/sh
# Below 80x24 the wizard shows "terminal too small" and comes back when
# the terminal is large enough again; the state is kept.
. "$(dirname "$0")/lib.sh"
e2e_init

e2e_start -s 60x15 --scenario aks-401-no-acrpull
e2e_wait "Terminal too small"
e2e_has "60x15"
e2e_lacks "What cannot pull its image?"
e2e_resize 80 24
e2e_wait "What cannot pull its image?"
e2e_wait_gone "Terminal too small"
e2e_screen | tail -n 1 | grep -q "Select" || e2e_fail "no key bar at 80x24"
e2e_choose "An AKS cluster"
e2e_wait "Information: AKS: a pod cannot pull its image"
# Too small again in the middle of the walk, then back: same step.
e2e_resize 79 24
e2e_wait "Terminal too small"
e2e_has "79x24"
e2e_resize 100 30
e2e_wait "Information: AKS: a pod cannot pull its image"
e2e_lacks "Terminal too small"
# q quits from the small screen too.
e2e_resize 50 10
e2e_wait "Terminal too small"
e2e_keys q
e2e_wait_exit
[ "$E2E_STATUS" = 0 ] || e2e_fail "exit status $E2E_STATUS"
e2e_pass
