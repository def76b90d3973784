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

# node-selector and pull-policy patch the owner as kubectl patch --type
# strategic does: the plan shows that Content-Type and the command, the
# request carries it, and of the workload only the changed field differs
# afterwards (the containers' env, resources, args and ports stay).
# changed_paths BEFORE AFTER URL-END: the paths whose value differs, then
# how many stayed.
changed_paths() {
	python3 - "$@" <<'EOF'
import json, sys
def body(f):
    for e in json.load(open(f))["http"]:
        if e["method"] == "GET" and e["url"].endswith(sys.argv[3]):
            return e["body"]
    sys.exit("no GET of " + sys.argv[3])
def flat(v, p, out):
    if isinstance(v, dict):
        for k, x in v.items():
            flat(x, p + [k], out)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            flat(x, p + [str(i)], out)
    else:
        out["/".join(p)] = v
    return out
b, a = flat(body(sys.argv[1]), [], {}), flat(body(sys.argv[2]), [], {})
for k in sorted(set(a) | set(b)):
    if a.get(k, "<absent>") != b.get(k, "<absent>"):
        print(k, json.dumps(b.get(k, "<absent>")), json.dumps(a.get(k, "<absent>")))
print("kept", sum(1 for k in b if k in a and a[k] == b[k]))
EOF
}
# container_field DUMP URL-END FIELD: JSON of the first container's FIELD.
container_field() {
	python3 - "$@" <<'EOF'
import json, sys
for e in json.load(open(sys.argv[1]))["http"]:
    if e["method"] == "GET" and e["url"].endswith(sys.argv[2]):
        s = e["body"]["spec"]
        s = s["jobTemplate"]["spec"] if "jobTemplate" in s else s
        print(json.dumps(s["template"]["spec"]["containers"][0].get(sys.argv[3]), sort_keys=True))
EOF
}
for c in "aks-platform-windows node-selector /deployments/web spec/template/spec/nodeSelector/kubernetes.io/os '\"<absent>\"' '\"linux\"'" \
	"aks-qps pull-policy /cronjobs/report spec/jobTemplate/spec/template/spec/containers/0/imagePullPolicy '\"Always\"' '\"IfNotPresent\"'"; do
	eval "set -- $c"
	start "$1" || continue
	"$FW" dump "$D" >"$TMPD/before.json"
	live "$1" fix "$2" --dry-run
	contains "$TMPD/out" "Content-Type: application/strategic-merge-patch+json" "$2: the plan shows the patch type"
	contains "$TMPD/out" " --type strategic -p '{\"spec\":" "$2: the command is a strategic merge patch"
	live "$1" fix "$2" --yes
	is 0 "$?" "$1: $2 applied"
	grep "^PATCH [^ ]*$3 200 " "$D/requests.log" >"$TMPD/patches"
	is 1 "$(wc -l <"$TMPD/patches")" "$2: one PATCH of the owner"
	contains "$TMPD/patches" "patch=application/strategic-merge-patch+json" "$2: sent as a strategic merge patch"
	"$FW" dump "$D" >"$TMPD/after.json"
	changed_paths "$TMPD/before.json" "$TMPD/after.json" "$3" >"$TMPD/changed"
	is "$4 $5 $6" "$(grep -v '^kept ' "$TMPD/changed")" "$2: only that field changed"
	[ "$(sed -n 's/^kept //p' "$TMPD/changed")" -gt 20 ] && ok || bad "$2: the owner lost fields"
	for k in resources env args ports; do
		is "$(container_field "$TMPD/before.json" "$3" $k)" \
			"$(container_field "$TMPD/after.json" "$3" $k)" "$2: the container's $k kept"
	done
	"$FW" stop "$D" >/dev/null 2>&1
done
# What the cronjob holds, sent by nobody, is still there.
contains "$TMPD/after.json" '"REPORT_BUCKET"' "pull-policy: the env is kept"

# An init container pulling Always is changed in its own list, by name;
# the containers (already IfNotPresent) are not sent.
IS="$TOP/tests/data/scenarios/aks-qps-init-always.json"
start "$IS" && {
	"$FW" dump "$D" >"$TMPD/before.json"
	live "$IS" fix pull-policy --yes
	is 0 "$?" "init container: pull-policy applied"
	"$FW" dump "$D" >"$TMPD/after.json"
	changed_paths "$TMPD/before.json" "$TMPD/after.json" /cronjobs/report >"$TMPD/changed"
	is 'spec/jobTemplate/spec/template/spec/initContainers/0/imagePullPolicy "Always" "IfNotPresent"' \
		"$(grep -v '^kept ' "$TMPD/changed")" "init container: only its policy changed"
	"$FW" stop "$D" >/dev/null 2>&1
}

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
