#!/bin/sh
# The AKS 401 scenario end to end: walk to the AcrPull check, see it
# fail, look at the fix, decline (nothing changes), resize the terminal
# in the middle, accept, see the check pass, reach the verdict.
. "$(dirname "$0")/lib.sh"
e2e_init

e2e_start -s 100x30 --scenario aks-401-no-acrpull
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Does the cluster identity have pull rights?"
e2e_wait "[FAIL]"
e2e_has "Fix it:"

# The dialog shows the exact change.
e2e_choose "Fix it:"
e2e_wait "[y/N]"
dialog=$(e2e_dialog_text)
for want in "PUT" "roleAssignments" "7f951dda-4ed3-4680-a7ca-43fe172d538d" \
	"Equivalent command:" "az "; do
	echo "$dialog" | grep -qF -- "$want" ||
		e2e_fail "the fix dialog does not show '$want'"
done

# No first: nothing is sent, the check still fails when run again.
e2e_keys n
e2e_wait "Declined: nothing was changed."
e2e_lacks "[y/N]"
e2e_keys x
e2e_wait "Check aks.401.acrpull: FAIL"
e2e_has "[FAIL]"
e2e_has "Fix it:"

# Resize in the middle: the screen is drawn again for the new size.
e2e_resize 120 40
e2e_wait_size 120 40
e2e_screen | sed -n '1p' | grep -q "Does the cluster identity have pull rights?" ||
	e2e_fail "breadcrumb not redrawn at 120x40"
e2e_has "[FAIL]"
e2e_resize 90 26
e2e_wait_size 90 26
e2e_has "Fix it:"

# Yes this time: the change is sent and the check passes.
e2e_choose "Fix it:"
e2e_wait "[y/N]"
e2e_confirm_all
e2e_wait "run again: PASS"
e2e_has "[PASS]"
e2e_choose "Continue"
e2e_wait "Verdict: Cause: the registry refused the cluster's login"
e2e_choose "Show the result"
e2e_wait "The scenario teaches: aks.401"
e2e_has "[MATCH]"
e2e_keys End
e2e_wait "attach-acr (for aks.401.acrpull): applied, check run again: PASS"
e2e_has "fix=attach-acr step=1 PUT"

e2e_quit
e2e_pass
