#!/bin/sh
# The wizard asks the cluster before it offers a change to a workload:
# where Kubernetes RBAC does not let the caller patch the deployment, the
# fix dialog says so, names the verb, the resource and the namespace and
# the role that would grant it, offers no [y/N], and 'y' sends nothing
# (the check still fails afterwards).  Where the caller may, the same fix
# is offered, shows the strategic merge patch it sends, and applies.
. "$(dirname "$0")/lib.sh"
e2e_init

SC=${TEST_DATA_DIR:-$(dirname "$0")/../data}/scenarios

e2e_start -s 110x34 --scenario "$SC/aks-platform-no-patch.json"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Does the image fit the node's operating system?"
e2e_wait "[FAIL]"
e2e_has "Fix it:"
e2e_choose "Fix it:"
e2e_wait "You may not make this change"
dialog=$(e2e_dialog_text)
for want in "patch deployments.apps in namespace default" \
	"Azure Kubernetes Service RBAC Writer" "Press Enter to close."; do
	echo "$dialog" | grep -qF -- "$want" ||
		e2e_fail "the dialog does not show '$want'"
done
echo "$dialog" | grep -qF "[y/N]" && e2e_fail "a fix the caller may not make is offered"
# Nor does the key bar offer a yes.
bar=$(e2e_screen | tail -n 1)
echo "$bar" | grep -q "Yes" && e2e_fail "the key bar offers Yes for a fix that is not permitted: $bar"
echo "$bar" | grep -q "Cancel" || e2e_fail "the key bar does not say how to close: $bar"
e2e_keys y
e2e_wait "Not permitted: nothing was sent."
e2e_keys x
e2e_wait "Check aks.platform: FAIL"
e2e_quit
e2e_stop

# Allowed: offered, applied, and the check passes again.
e2e_start -s 110x34 --scenario "$SC/aks-platform-patch-elsewhere.json"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Does the image fit the node's operating system?"
e2e_wait "[FAIL]"
e2e_choose "Fix it:"
e2e_wait "[y/N]"
e2e_lacks "You may not make this change"
# The request as sent: a strategic merge patch of the deployment, and the
# kubectl command that sends the same.
dialog=$(e2e_dialog_text)
for want in "Content-Type: application/strategic-merge-patch+json" \
	"\"kubernetes.io/os\": \"linux\"" "kubectl patch deployment web -n default --type strategic"; do
	echo "$dialog" | grep -qF -- "$want" ||
		e2e_fail "the fix dialog does not show '$want'"
done
e2e_screen | tail -n 1 | grep -q "Yes" || e2e_fail "the key bar does not offer Yes for a permitted fix"
e2e_confirm_all
e2e_wait "run again: PASS"
e2e_quit
e2e_pass
