#!/bin/sh
# A monochrome terminal (TERM=vt100: no colours at all): the wizard runs,
# sends no colour sequence, and the verdicts are still spelled out.
. "$(dirname "$0")/lib.sh"
e2e_init
infocmp vt100 >/dev/null 2>&1 || { echo "SKIP: $e2e_name: no vt100 terminfo"; exit 77; }

esc=$(printf '\033')
e2e_start -e TERM=vt100 --scenario aks-401-no-acrpull
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "[FAIL]"
n=$(e2e_screen_attrs |
	grep -cE "${esc}\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5|48;5)[;m]")
[ "$n" -eq 0 ] || e2e_fail "colour sequences on a monochrome terminal"
e2e_walk_to "Is the registry itself healthy?"
e2e_wait "[PASS]"
e2e_quit
e2e_pass
