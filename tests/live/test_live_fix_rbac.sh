#!/bin/sh
# acr-doctor fix, live against the fake world, asks the cluster's API
# server (a SelfSubjectAccessReview) before it patches a workload.  The
# fake answers the review from the scenario's kubeDeny, the way a real API
# server does, which Debian's kubectl proves (`kubectl auth can-i` prints
# the answer the scenario says).  Where the caller may not patch: exit 4,
# the verb, resource and namespace named, no PATCH on the wire and the
# world unchanged, the same exit as on the simulated world.  Where it may:
# the review, then the PATCH, and the fix applies.  A review the server
# refuses: unknown, said why, and the step is sent.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

LIVE="$TOP/tests/live"
SC="$DATA/scenarios"
export XDG_STATE_HOME="$TMPD/state"
export HOME="$TMPD/home"
mkdir -p "$HOME"
n=0
SSAR=/apis/authorization.k8s.io/v1/selfsubjectaccessreviews

KUBECTL=${KUBECTL:-}
[ -z "$KUBECTL" ] && [ -x /usr/local/lib/acr-doctor-tests/kubernetes-client/usr/bin/kubectl ] &&
	KUBECTL=/usr/local/lib/acr-doctor-tests/kubernetes-client/usr/bin/kubectl
if [ -z "$KUBECTL" ] && [ "$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | cut -d: -f1)" = kubernetes-client ]; then
	KUBECTL=/usr/bin/kubectl
fi
[ -n "$KUBECTL" ] || { echo "FAIL: Debian's kubectl (kubernetes-client) is missing: run scripts/deps.sh"; exit 1; }

# start FILE: a fresh fake world of a test scenario in $D.
start() {
	D="$TMPD/fw-$n"
	n=$((n + 1))
	mkdir -p "$D"
	"$FW" start "$1" "$D" >"$TMPD/start.out" 2>&1 ||
		{ bad "$1: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; return 1; }
	FW_DIRS="$FW_DIRS $D"
}

# live BASE ARGS...: acr-doctor against the fake world in $D, with the
# command line of the built-in scenario BASE (the test scenario's base).
live() {
	_b=$1; shift
	eval "set -- \"\$@\" $(python3 "$LIVE/scenario_args.py" "$_b" "$TOP/data/scenarios" --no-message)"
	(. "$D/env" && "$AD" "$@") </dev/null >"$TMPD/out" 2>"$TMPD/err"
}

# can_i WANT ARGS...: kubectl auth can-i through the fake prints WANT.
can_i() {
	_w=$1; shift
	_got=$( (. "$D/env" && "$KUBECTL" --cache-dir "$TMPD/kcache" --request-timeout 20s \
		auth can-i "$@") 2>"$TMPD/kerr")
	is "$_w" "$_got" "kubectl auth can-i $*"
}

# sim FILE FIX: the exit status of the same fix on the simulated world.
sim() {
	"$AD" fix "$2" --scenario "$1" --yes </dev/null >/dev/null 2>&1
	echo $?
}

# Not permitted: refused before the write.
start "$SC/aks-platform-no-patch.json" && {
	can_i no patch deployments -n default
	can_i no patch deployments.apps/web -n default
	can_i yes get deployments -n default
	can_i yes patch deployments -n prod
	can_i yes patch pods -n default
	"$FW" dump "$D" >"$TMPD/before.json"
	live aks-platform-windows fix node-selector --yes
	rc=$?
	is 4 "$rc" "node-selector without patch on deployments"
	is "$(sim "$SC/aks-platform-no-patch.json" node-selector)" "$rc" "the same exit as simulated"
	contains "$TMPD/err" "you may not patch deployments.apps in namespace default (RBAC)" "verb, resource and namespace named"
	contains "$TMPD/err" "Azure Kubernetes Service RBAC Writer" "a role that grants it"
	contains "$TMPD/out" "Nothing was sent" "says nothing was sent"
	grep -q "^POST https://[^ ]*$SSAR 201 " "$D/requests.log" && ok || bad "no access review on the wire"
	grep -q "^PATCH " "$D/requests.log" && bad "a PATCH was sent" || ok
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && ok || bad "a refused fix changed the world"

	live aks-platform-windows fix node-selector --dry-run
	is 4 "$?" "--dry-run of a refused fix"
	contains "$TMPD/err" "you may not patch deployments.apps in namespace default" "--dry-run names the refusal"
	grep -q "^PATCH " "$D/requests.log" && bad "--dry-run sent a PATCH" || ok

	# The write itself, had it been sent, is refused the way the API
	# server refuses it.
	(. "$D/env" && curl -sS --max-time 20 -o "$TMPD/body" -w '%{http_code}' \
		-X PATCH -H 'Content-Type: application/merge-patch+json' -d '{}' \
		-H "Authorization: Bearer $(sed -n 's/^ *token: *//p' "$KUBECONFIG" | head -1)" \
		"$KUBE/apis/apps/v1/namespaces/default/deployments/web") >"$TMPD/code"
	is 403 "$(cat "$TMPD/code")" "the fake refuses the PATCH itself"
	contains "$TMPD/body" 'cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"default\"' "the API server's Forbidden message"
	"$FW" stop "$D" >/dev/null 2>&1
}

# A webhook that denies with a reason (AKS with Azure RBAC).
start "$SC/aks-qps-no-patch.json" && {
	can_i "no - User does not have access to the resource in Azure. Update role assignment to allow access." \
		patch cronjobs -n default
	can_i yes get cronjobs -n default
	"$FW" dump "$D" >"$TMPD/before.json"
	live aks-qps fix pull-policy --yes
	is 4 "$?" "pull-policy refused by the webhook"
	contains "$TMPD/err" "you may not patch cronjobs.batch in namespace default (RBAC: User does not have access to the resource in Azure." "the webhook's reason"
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && ok || bad "a refused fix changed the world"
	"$FW" stop "$D" >/dev/null 2>&1
}

# Permitted (the rules are about other namespaces, subresources, names):
# the review, then the PATCH; applied and verified.
start "$SC/aks-platform-patch-elsewhere.json" && {
	can_i yes patch deployments -n default
	can_i no patch deployments -n prod
	can_i no patch deployments --subresource=scale -n default
	can_i no patch deployments/api -n default
	can_i yes patch deployments/web -n default
	can_i no get secrets -n default
	"$FW" dump "$D" >"$TMPD/before.json"
	live aks-platform-windows fix node-selector --yes
	is 0 "$?" "node-selector where only other writes are refused"
	contains "$TMPD/out" "fix=node-selector verify aks.platform: pass" "applied and verified"
	r=$(grep -n "$SSAR 201 " "$D/requests.log" | tail -1 | cut -d: -f1)
	p=$(grep -n "^PATCH [^ ]*/deployments/web 200 " "$D/requests.log" | head -1 | cut -d: -f1)
	[ -n "$r" ] && [ -n "$p" ] && [ "$r" -lt "$p" ] && ok || bad "not the review, then the PATCH (lines $r, $p)"
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && bad "the permitted fix did not change the world" || ok
	"$FW" stop "$D" >/dev/null 2>&1
}

# The review itself refused: unknown, said why, and the PATCH is sent
# (the cluster decides), as for ARM permissions that cannot be read.
start "$SC/aks-platform-review-forbidden.json" && {
	live aks-platform-windows fix node-selector --yes
	is 0 "$?" "node-selector when the review is refused"
	contains "$TMPD/err" "cannot tell whether step 1 is permitted" "unknown is said"
	contains "$TMPD/err" "HTTP 403" "and why"
	grep -q "^PATCH [^ ]*/deployments/web 200 " "$D/requests.log" && ok || bad "the step was not sent"
	"$FW" stop "$D" >/dev/null 2>&1
}

# The review's answer cannot be had (the connection reset every time) or
# read (not JSON): unknown, said why.
start "$SC/aks-platform-patch-elsewhere.json" && {
	"$FW" fault "$D" "do=reset,count=0,url=*$SSAR" >/dev/null 2>&1 || bad "fault rule not taken"
	live aks-platform-windows fix node-selector --dry-run
	is 0 "$?" "--dry-run when the review cannot be had"
	contains "$TMPD/err" "cannot tell whether step 1 is permitted" "unknown is said"
	grep -q "$SSAR reset " "$D/requests.log" && ok || bad "the review was not reset"
	"$FW" stop "$D" >/dev/null 2>&1
}
start "$SC/aks-platform-patch-elsewhere.json" && {
	"$FW" fault "$D" "do=invalid,count=0,url=*$SSAR" >/dev/null 2>&1 || bad "fault rule not taken"
	live aks-platform-windows fix node-selector --dry-run
	is 0 "$?" "--dry-run when the review's answer is not JSON"
	contains "$TMPD/err" "cannot tell whether step 1 is permitted (the access review's answer is not a JSON object)" "unknown, and why"
	"$FW" stop "$D" >/dev/null 2>&1
}
finish
