#!/bin/sh
# acr-doctor fix asks the cluster (a SelfSubjectAccessReview) before a
# step that writes to the Kubernetes API, on the simulated world: where
# the scenario's kubeDeny forbids the write, exit 4, the verb, resource
# and namespace named with a role that grants them, and no request sent
# (the audit log has no pending line for it); --dry-run shows the same
# answer; a review the cluster refuses leaves the permission unknown and
# the step is sent, as for ARM; an allowed step still applies.
. "$(dirname "$0")/lib.sh"

SC="$DATA/scenarios"
export XDG_STATE_HOME="$TMPD/state"
AUDIT="$XDG_STATE_HOME/acr-doctor/audit.log"

# pending FIX: how many steps of FIX the audit log says were sent.
pending() {
	[ -f "$AUDIT" ] || { echo 0; return; }
	grep -c "fix=$1 step=[0-9]* pending" "$AUDIT"
}

# Not permitted: refused before anything is sent.
expect_exit 4 "node-selector without patch on deployments" -- \
	"$AD" fix node-selector --scenario "$SC/aks-platform-no-patch.json" --yes
contains "$TMPD/err" "you may not patch deployments.apps in namespace default (RBAC)" "verb, resource and namespace named"
contains "$TMPD/err" "Azure Kubernetes Service RBAC Writer" "a built-in role that grants it"
contains "$TMPD/err" "--verb=patch --resource=deployments.apps -n default" "the Role that grants it"
contains "$TMPD/out" "Nothing was sent" "says nothing was sent"
lacks "$TMPD/err" "step 1 failed" "the step was not tried"
is_zero=$(pending node-selector)
[ "$is_zero" -eq 0 ] && ok || bad "the refused step was sent ($is_zero pending lines)"
grep -q "fix=node-selector step=1 not permitted: patch deployments.apps on default" "$AUDIT" && ok ||
	bad "the audit log does not record the refusal"

# --dry-run shows the answer (and the same exit status).
expect_exit 4 "--dry-run of a refused fix" -- \
	"$AD" fix node-selector --scenario "$SC/aks-platform-no-patch.json" --dry-run
contains "$TMPD/err" "you may not patch deployments.apps in namespace default" "--dry-run names the refusal"
contains "$TMPD/out" "Dry run: nothing was sent." "--dry-run sends nothing"
expect_exit 0 "--dry-run of a permitted fix" -- \
	"$AD" fix node-selector --scenario aks-platform-windows --dry-run
contains "$TMPD/out" "step 1 is permitted: you may patch deployments.apps in namespace default" "--dry-run shows the permitted step"

# A webhook that denies with a reason (AKS with Azure RBAC): the reason is shown.
expect_exit 4 "pull-policy without patch on anything in the namespace" -- \
	"$AD" fix pull-policy --scenario "$SC/aks-qps-no-patch.json" --yes
contains "$TMPD/err" "you may not patch cronjobs.batch in namespace default (RBAC: User does not have access to the resource in Azure." "the webhook's reason"
[ "$(pending pull-policy)" -eq 0 ] && ok || bad "the refused pull-policy step was sent"

# Rules about other namespaces, resources, subresources and names do not
# stop it: applied, and the check passes again.
before=$(pending node-selector)
expect_exit 0 "node-selector where only other writes are refused" -- \
	"$AD" fix node-selector --scenario "$SC/aks-platform-patch-elsewhere.json" --yes
contains "$TMPD/out" "fix=node-selector verify aks.platform: pass" "applied and verified"
lacks "$TMPD/err" "you may not" "no refusal"
[ "$(pending node-selector)" -eq $((before + 1)) ] && ok || bad "the permitted step was not sent once"

# The review itself refused (403): unknown, said why, and the step is
# sent (the cluster decides), as when ARM's permissions cannot be read.
expect_exit 0 "node-selector when the access review is refused" -- \
	"$AD" fix node-selector --scenario "$SC/aks-platform-review-forbidden.json" --yes
contains "$TMPD/err" "cannot tell whether step 1 is permitted" "unknown is said"
contains "$TMPD/err" "selfsubjectaccessreviews" "and why"
contains "$TMPD/out" "fix=node-selector verify aks.platform: pass" "then applied"

# A bad kubeDeny is refused with the field named.
printf '%s\n' '{"format":"acr-doctor-scenario/1","name":"bad-deny","base":"aks-platform-windows","summary":"x","kubeDeny":[{"verb":"patch"}]}' >"$TMPD/bad.json"
expect_exit 2 "a kubeDeny rule without a resource" -- \
	"$AD" diagnose --scenario "$TMPD/bad.json"
contains "$TMPD/err" "kubeDeny rule 1: 'resource'" "the field is named"
finish
