#!/bin/sh
# The wizard in live mode against the fake world of aks-401-no-acrpull:
# no --scenario, so it signs in (the credential source is shown), proposes
# the kubeconfig context's cluster, lists the pod that cannot pull, walks
# the tree from it to the AcrPull check, offers attach-acr; declining
# leaves the world as it was, applying changes it and the check passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
e2e_init
e2e_fw_start aks-401-no-acrpull

e2e_start -s 100x30
e2e_wait "Azure credentials: environment (service principal)"
e2e_has "live: environment (service principal)"
e2e_has "Practise on a training scenario"
e2e_choose "The AKS cluster aks-shop (the current kubeconfig context)"

# The pick list: namespace, pod, image, reason.
e2e_wait "Failing pods"
e2e_wait "web-7d4b9c-x2x4q"
row=$(e2e_screen | grep -F "web-7d4b9c-x2x4q")
for want in "1) default" "ImagePullBackOff" "acrshop.azurecr.io/shop/web:1.4.2"; do
	echo "$row" | grep -qF -- "$want" || e2e_fail "the pod row lacks '$want'"
done
e2e_choose "web-7d4b9c-x2x4q"

# The tree, from the session, over the live world.
e2e_wait "What cannot pull its image?"
e2e_has "live: environment (service principal)"
e2e_choose "An AKS cluster"
e2e_walk_to "Does the cluster identity have pull rights?"
e2e_wait "[FAIL]"
e2e_has "Fix it:"

# No: nothing is sent, the world is unchanged.
e2e_fw_dump "$E2E_DIR/before.json"
e2e_choose "Fix it:"
e2e_wait "[y/N]"
e2e_dialog_text | grep -qF "roleAssignments" ||
	e2e_fail "the fix dialog does not show the role assignment"
e2e_keys n
e2e_wait "Declined: nothing was changed."
e2e_fw_dump "$E2E_DIR/after.json"
cmp -s "$E2E_DIR/before.json" "$E2E_DIR/after.json" ||
	e2e_fail "declining attach-acr changed the fake world"

# Yes: the role assignment is made and the check passes again.
e2e_choose "Fix it:"
e2e_wait "[y/N]"
e2e_confirm_all
e2e_wait "run again: PASS"
e2e_has "[PASS]"
e2e_fw_dump "$E2E_DIR/after.json"
cmp -s "$E2E_DIR/before.json" "$E2E_DIR/after.json" &&
	e2e_fail "attach-acr was applied but the fake world did not change"
grep -q "7f951dda-4ed3-4680-a7ca-43fe172d538d" "$E2E_DIR/after.json" ||
	e2e_fail "the fake world has no AcrPull assignment after the fix"

# The result screen copes with a live world (no scenario to compare).
e2e_choose "Continue"
e2e_wait "Verdict: Cause: the registry refused the cluster's login"
e2e_choose "Show the result"
e2e_wait "Cause: aks.401"
e2e_lacks "The scenario teaches"

# The report of a live session: the diagnosis, the applied fix, and no
# secret the world handed out.
e2e_keys e
e2e_wait "Report written to"
report=$(ls "$E2E_DIR"/acr-doctor-report-*.md 2>/dev/null | head -n 1)
[ -n "$report" ] || e2e_fail "no report file in the working directory"
grep -qF "(\`aks.401\`)" "$report" || e2e_fail "the report does not name the cause aks.401"
grep -qF "attach-acr" "$report" || e2e_fail "the report does not name the fix"
grep -qF "live" "$report" || e2e_fail "the report does not say the world was live"
[ -n "$AZURE_CLIENT_SECRET" ] || e2e_fail "the fake world gave no secret to look for"
tok=$(sed -n 's/^ *token: //p' "$KUBECONFIG" | head -n 1)
[ -n "$tok" ] || e2e_fail "the fake world's kubeconfig has no token to look for"
for secret in "$AZURE_CLIENT_SECRET" "$tok"; do
	if grep -qF -- "$secret" "$report"; then
		e2e_fail "a secret is in the report"
	fi
done
e2e_quit
e2e_pass
