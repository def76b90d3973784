#!/bin/sh
# acr-doctor fix, live against the fake world, for every built-in scenario
# that teaches a fix: declining (no terminal, no --yes) and --dry-run
# change nothing; --yes gives the same exit status as the same fix on the
# simulated world (0: applied and the check passes again; 5: guidance
# only) and the fake's world changes; a write the caller may not do is
# refused with exit 4 and nothing half-applied; a fix Azure runs as a
# long-running operation is followed to its end.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

LIVE="$TOP/tests/live"
export XDG_STATE_HOME="$TMPD/state"
n=0

# fix_of SCENARIO: the fix the scenario teaches ("" for none).
fix_of() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expect"].get("fix") or "")' \
		"$TOP/data/scenarios/$1.json"
}

# start SCENARIO [fake-world options]: a fresh fake world in $D.
start() {
	_s=$1; shift
	D="$TMPD/fw-$_s-$n"
	n=$((n + 1))
	mkdir -p "$D"
	"$FW" start "$_s" "$D" "$@" >"$TMPD/start.out" 2>&1 ||
		{ bad "$_s: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; return 1; }
	FW_DIRS="$FW_DIRS $D"
}

# live SCENARIO ARGS...: acr-doctor against the fake world in $D.
live() {
	_s=$1; shift
	eval "set -- \"\$@\" $(python3 "$LIVE/scenario_args.py" "$_s" "$TOP/data/scenarios" --no-message)"
	(. "$D/env" && "$AD" "$@") </dev/null >"$TMPD/out" 2>"$TMPD/err"
}

nfix=0
for f in "$TOP"/data/scenarios/*.json; do
	s=$(basename "$f" .json)
	fx=$(fix_of "$s")
	[ -n "$fx" ] || continue
	nfix=$((nfix + 1))
	"$AD" fix "$fx" --scenario "$s" --yes </dev/null >"$TMPD/sim.out" 2>&1
	want=$?
	start "$s" || continue
	"$FW" dump "$D" >"$TMPD/before.json"

	live "$s" fix "$fx"
	rc=$?
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && ok ||
		bad "$s: declining $fx changed the world"
	case $rc in 3|4|5) ok ;; *) bad "$s: declining $fx exited $rc" ;; esac

	live "$s" fix "$fx" --dry-run
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && ok ||
		bad "$s: --dry-run of $fx changed the world"

	live "$s" fix "$fx" --yes
	rc=$?
	"$FW" dump "$D" >"$TMPD/after.json"
	if [ "$rc" -eq "$want" ]; then ok
	else
		case $s in
		# Its check needs a node's view (TCP 443 through the
		# appliance): without a node probe it says unknown and the
		# fix is not planned (3).  dns-link and peering-recreate are
		# decided from Azure alone and must match.
		aks-timeout-firewall) is 3 "$rc" "$s: $fx without a node probe" ;;
		*) bad "$s: fix $fx --yes exited $rc, simulated $want"; sed 's/^/  | /' "$TMPD/err" | head -5 ;;
		esac
	fi
	[ "$rc" -ne 0 ] || { cmp -s "$TMPD/before.json" "$TMPD/after.json" &&
		bad "$s: $fx said applied but the world did not change" || ok; }
	[ "$rc" -eq 0 ] && contains "$TMPD/out" "verify" "$s: the verify line"
	"$FW" stop "$D" >/dev/null 2>&1
done
[ "$nfix" -gt 10 ] && ok || bad "only $nfix scenarios teach a fix"

# 403 for the caller on the write: exit 4, said so, nothing changed.
start aks-401-no-acrpull --fault 'do=deny,url=*/roleAssignments/*' && {
	"$FW" dump "$D" >"$TMPD/before.json"
	live aks-401-no-acrpull fix attach-acr --yes
	is 4 "$?" "attach-acr refused by Azure"
	contains "$TMPD/err" "AuthorizationFailed" "the refusal names Azure's code"
	# ... and, whole, the action and the scope Azure refused, and a
	# role that grants it (Azure's own sentence is too long to quote).
	contains "$TMPD/err" "may not do Microsoft.Authorization/roleAssignments/write on /subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop/providers/Microsoft.Authorization/roleAssignments/" "the refusal names the action and the scope"
	contains "$TMPD/err" "Role Based Access Control Administrator" "the refusal names a role that grants it"
	contains "$TMPD/out" "Nothing was changed" "says nothing was changed"
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && ok || bad "a refused write changed the world"
}

# A principal Entra has not replicated yet: ARM answers 400
# PrincipalNotFound twice; the fix tries again and succeeds.
start aks-401-no-acrpull --fault 'do=status:400,code=PrincipalNotFound,count=2,url=*/roleAssignments/*,method=PUT' && {
	live aks-401-no-acrpull fix attach-acr --yes
	is 0 "$?" "attach-acr after a replication delay"
	n400=$(grep -c 'roleAssignments.* 400 ' "$D/requests.log")
	is 2 "$n400" "two PrincipalNotFound answers before success"
}

# Someone made the same assignment meanwhile: ARM answers 409
# RoleAssignmentExists, which is the change being there, not a failure.
# (The fake's world is not changed by the fault, so the check still
# fails afterwards: exit 1, applied but not verified.)
start aks-401-no-acrpull --fault 'do=status:409,code=RoleAssignmentExists,url=*/roleAssignments/*,method=PUT' && {
	live aks-401-no-acrpull fix attach-acr --yes
	is 1 "$?" "attach-acr answered RoleAssignmentExists"
	grep -q 'roleAssignments.* 409 ' "$D/requests.log" && ok || bad "RoleAssignmentExists: no 409 was answered"
	contains "$TMPD/out" "-> HTTP 409" "RoleAssignmentExists: the step counts as applied"
	lacks "$TMPD/err" "step 1 failed" "RoleAssignmentExists: not a failure"
	lacks "$TMPD/out" "Nothing was changed" "RoleAssignmentExists: not said to be nothing"
}

# The reconcile update as a long-running operation: polled to Succeeded.
start aks-401-vmss-identity-removed --lro --lro-polls 2 && {
	live aks-401-vmss-identity-removed fix reconcile --yes
	is 0 "$?" "reconcile through a long-running operation"
	grep -c 'operationStatuses\|operationResults' "$D/requests.log" >"$TMPD/polls"
	[ "$(cat "$TMPD/polls")" -ge 2 ] && ok || bad "the operation was not polled: $(cat "$TMPD/polls") polls"
}

# An operation that fails: exit 1 or 4, never 0, and the message says so.
start aks-401-vmss-identity-removed --lro --lro-fail '*managedClusters*' && {
	live aks-401-vmss-identity-removed fix reconcile --yes
	rc=$?
	[ "$rc" -ne 0 ] && ok || bad "a failed operation was reported applied"
	contains "$TMPD/err" "Failed" "the failed operation is named"
}

# The audit log has a pending line before every done line.
[ -s "$XDG_STATE_HOME/acr-doctor/audit.log" ] && ok || bad "no audit log written"
p=$(grep -c ' pending ' "$XDG_STATE_HOME/acr-doctor/audit.log")
d=$(grep -c ' done \| failed ' "$XDG_STATE_HOME/acr-doctor/audit.log")
[ "$p" -gt 0 ] && [ "$p" -eq "$d" ] && ok || bad "audit: $p pending lines, $d outcomes"
finish
