#!/bin/sh
# What the user sees when Azure, the registry or the cluster misbehave:
# live diagnose and fix against the fake world with faults injected.
# Throttling and bursts of 5xx are retried (a notice on stderr) and give
# the simulated answer; what cannot be read makes the check unknown with
# the reason (never pass, never exit 0); nothing crashes, a refused or
# failed fix changes nothing, and no secret reaches any output.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"
. "$TOP/tests/live/lib.sh"

S=aks-401-no-acrpull
"$AD" diagnose --scenario $S --json >"$TMPD/sim.json" 2>/dev/null

# --- 429 with Retry-After: a notice, then the right answer ---
lv_start $S --fault 'do=status:429,retry-after=1,url=*roleAssignments*'
lv_diag $S --json
is 1 "$rc" "429: exit status"
contains "$TMPD/err" "throttled (HTTP 429) by management.azure.com on GET" "429: the retry notice"
contains "$TMPD/err" "(try 2)" "429: the first retry is try 2"
contains "$TMPD/err" "retrying in 1 s" "429: the server's Retry-After"
lv_same "429: the simulated diagnosis"
lv_verdict aks.401.acrpull fail "429"
lv_stop

# --- 500 and 503 bursts, then success ---
lv_start $S --fault 'do=status:503,count=2,url=https://management.azure.com/*' \
	--fault 'do=status:500,count=2,url=*/api/v1/*'
lv_diag $S --json
is 1 "$rc" "5xx bursts: exit status"
contains "$TMPD/err" "HTTP 503 from management.azure.com" "5xx bursts: the 503 notice"
contains "$TMPD/err" "HTTP 500 from aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io" "5xx bursts: the 500 notice"
lv_same "5xx bursts: the simulated diagnosis"
lv_stop

# --- retries exhausted: unknown with the reason, never pass, exit 3 ---
lv_start $S --fault 'do=status:503,count=0,url=*roleAssignments*'
lv_diag $S --json
lv_verdict aks.401.acrpull unknown "503 for good"
lv_evidence aks.401.acrpull "503" "503 for good: the reason"
lv_notzero "503 for good"
lv_stop
# where nothing else fails, the diagnosis is inconclusive (3), not healthy
"$AD" diagnose --scenario aks-healthy --json >"$TMPD/sim.json" 2>/dev/null
lv_start aks-healthy --fault 'do=status:503,count=0,url=*roleAssignments*'
lv_diag aks-healthy --json
lv_verdict aks.401.acrpull unknown "503 for good, healthy cluster"
is 3 "$rc" "503 for good, healthy cluster: exit status"
lv_stop
"$AD" diagnose --scenario $S --json >"$TMPD/sim.json" 2>/dev/null

# --- a READ refused (AuthorizationFailed): unknown, the action, the whole
# scope and a role that grants it, however long the request line ---
lv_start $S --fault 'do=deny,method=GET,count=0,url=*roleAssignments*'
lv_diag $S --json
lv_verdict aks.401.acrpull unknown "read refused"
lv_evidence aks.401.acrpull "perform 'Microsoft.Authorization/roleAssignments/read'" "read refused: the action"
lv_evidence aks.401.acrpull "over scope '/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop/providers/Microsoft.Authorization/roleAssignments'" "read refused: the scope"
lv_evidence aks.401.acrpull "role Reader grants it" "read refused: the role"
lv_notzero "read refused"
lv_stop

# --- a cloud from a file (az cloud show shape) is named as the file names
# it in the JSON context, not as the built-in cloud it resembles ---
lv_start $S
cat >"$TMPD/cloud.json" <<'EOF'
{"name": "ContosoStack",
 "endpoints": {"activeDirectory": "https://login.microsoftonline.com",
  "resourceManager": "https://management.azure.com/",
  "microsoftGraphResourceId": "https://graph.microsoft.com/",
  "activeDirectoryResourceId": "https://management.core.windows.net/"},
 "suffixes": {"acrLoginServerEndpoint": ".azurecr.io"}}
EOF
lv_diag $S --json --cloud "$TMPD/cloud.json"
_c=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["context"]["cloud"])' "$TMPD/out" 2>/dev/null)
is ContosoStack "${_c:-no JSON}" "cloud file: the context names it"
lv_verdict aks.401.acrpull fail "cloud file"
lv_stop

# --- diagnose says, live, whether the caller may apply each offered fix:
# what fix --dry-run asks (the permissions on the step's scope) ---
# fixfield KEY: a member of the aks.401.acrpull finding, as JSON.
fixfield() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=next(f for f in d["findings"] if f["check"]=="aks.401.acrpull")
print(json.dumps(f.get(sys.argv[2], "absent"), sort_keys=True))' "$TMPD/out" "$1" 2>/dev/null
}
lv_start $S --deny-action 'Microsoft.Authorization/roleAssignments/*'
lv_diag $S --json
is false "$(fixfield fixPermitted)" "offered fix, no permission: JSON"
is '{"action": "Microsoft.Authorization/roleAssignments/write", "role": "Role Based Access Control Administrator", "scope": "/subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop", "step": 1}' \
	"$(fixfield fixMissing)" "offered fix, no permission: what is missing"
lv_diag $S
contains "$TMPD/out" "    not permitted: step 1: it needs Microsoft.Authorization/roleAssignments/write on /subscriptions/3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop" "offered fix, no permission: text"
grep -q '^PUT \|^DELETE \|^PATCH ' "$D/requests.log" && bad "offered fix: diagnose wrote" || ok
lv_stop
lv_start $S
lv_diag $S --json
is true "$(fixfield fixPermitted)" "offered fix, permitted: JSON"
is '"absent"' "$(fixfield fixMissing)" "offered fix, permitted: nothing missing"
lv_diag $S
contains "$TMPD/out" "    permitted: these credentials may apply it" "offered fix, permitted: text"
grep -q 'Authorization/permissions' "$D/requests.log" && ok || bad "offered fix: the permissions were not asked"
lv_stop
lv_start $S --fault 'do=status:403,count=0,url=*/Microsoft.Authorization/permissions'
lv_diag $S --json
is null "$(fixfield fixPermitted)" "offered fix, permissions unreadable: JSON"
case "$(fixfield fixPermittedWhy)" in *403*) ok ;; *) bad "offered fix, permissions unreadable: why: $(fixfield fixPermittedWhy)" ;; esac
lv_diag $S
contains "$TMPD/out" "    permitted: unknown (" "offered fix, permissions unreadable: text"
lv_stop
# a fix that only shows what to do (guidance) sends nothing: there is
# nothing to permit, and it is not called "unknown"
lv_start webapp-ip-denied
lv_diag webapp-ip-denied --json
_g=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=[f for f in d["findings"] if f.get("fix")=="webapp-private-pull"]
print(json.dumps([f[0].get("fixPermitted","absent"), f[0].get("fixGuidanceOnly","absent")]) if f else "none")' "$TMPD/out" 2>/dev/null)
is '[null, true]' "${_g:-no JSON}" "offered guidance fix: JSON"
lv_diag webapp-ip-denied
contains "$TMPD/out" "    guidance only: it shows what to do and sends nothing" "offered guidance fix: text"
lacks "$TMPD/out" "permitted: unknown (" "offered guidance fix: not unknown"
lv_stop
# a scenario records no permissions: not asked, not said
"$AD" diagnose --scenario $S --json >"$TMPD/out" 2>/dev/null
is '"absent"' "$(fixfield fixPermitted)" "offered fix, scenario: not said"

# --- a reused connection reset: libcurl sends the request again on its
# own; --debug says so (resent=N), and the requests it shows, resends
# counted, are those the registry received ---
lv_start $S --fault 'do=reset,url=https://acrshop.azurecr.io/v2/shop/*'
lv_diag $S --json
lv_same "silent resend: the simulated diagnosis"
grep -q '^GET https://acrshop.azurecr.io/v2/shop/[^ ]* reset ' "$D/requests.log" && ok || bad "silent resend: no connection was reset"
grep '^http: [A-Z]* https://acrshop.azurecr.io/v2/shop/' "$TMPD/err" >"$TMPD/dbg"
[ -s "$TMPD/dbg" ] && ok || bad "silent resend: no --debug line for the registry"
# The reset is shown whichever way it went: libcurl's resend on a reused
# connection (resent=1), or, when the checks' concurrent requests left
# that request a fresh connection, the error and acr-doctor's own retry.
if grep -q ' resent=1' "$TMPD/dbg"; then
	ok
elif grep -q ' error=reset ' "$TMPD/dbg" && grep -q ' try=2 ' "$TMPD/dbg"; then
	ok
else
	bad "silent resend: --debug shows neither the resend nor the reset"
	sed 's/^/  | /' "$TMPD/dbg"
fi
_shown=$(awk '{n++; for (i = 1; i <= NF; i++) if ($i ~ /^resent=/) { split($i, a, "="); n += a[2] } } END { print n + 0 }' "$TMPD/dbg")
_got=$(grep -c '^[A-Z]* https://acrshop.azurecr.io/v2/shop/' "$D/requests.log")
is "$_got" "$_shown" "silent resend: requests shown = requests received"
lv_stop

# --- slow answers: beyond the timeout, unknown and bounded in time ---
lv_start $S --fault 'do=delay:8000,count=0,url=*roleAssignments*'
t0=$(date +%s)
lv_diag $S --json --timeout 2
t1=$(date +%s)
lv_verdict aks.401.acrpull unknown "slow answers"
lv_evidence aks.401.acrpull "did not answer within" "slow answers: the reason"
[ $((t1 - t0)) -lt 20 ] && ok || bad "slow answers: diagnose took $((t1 - t0)) s"
lv_notzero "slow answers"
lv_stop

# --- truncated and invalid JSON: unknown, "not valid JSON" ---
for how in truncate invalid; do
	lv_start $S --fault "do=$how,count=0,url=*roleAssignments*"
	lv_diag $S --json
	lv_verdict aks.401.acrpull unknown "$how"
	lv_evidence aks.401.acrpull "not valid JSON" "$how: the reason"
	lv_notzero "$how"
	lv_stop
done

# --- a connection reset once: retried, the right answer ---
lv_start $S --fault 'do=reset,url=*roleAssignments*'
lv_diag $S --json
lv_same "one reset: the simulated diagnosis"
grep -q 'roleAssignments.* reset ' "$D/requests.log" && ok || bad "one reset: no connection was reset"
lv_stop
# ... and every time: unknown, saying the connection was cut.
for how in reset close partial; do
	lv_start $S --fault "do=$how,count=0,url=*roleAssignments*"
	lv_diag $S --json
	lv_verdict aks.401.acrpull unknown "$how for good"
	lv_evidence aks.401.acrpull "closed before the answer was complete" "$how for good: the reason"
	lv_notzero "$how for good"
	lv_stop
done

# --- a second page: lists read to the end, the same diagnosis ---
# (role assignments of aks-healthy, node pools of aks-platform-windows:
# two items each, the one that decides may be on the second page)
for s in aks-healthy aks-platform-windows; do
	"$AD" diagnose --scenario $s --json >"$TMPD/sim.json" 2>/dev/null
	lv_start $s --page-size 1
	lv_diag $s --json
	lv_same "$s, page size 1: the simulated diagnosis"
	grep -q 'skiptoken' "$D/requests.log" && ok || bad "$s, page size 1: no second page was asked for"
	lv_stop
done
"$AD" diagnose --scenario $S --json >"$TMPD/sim.json" 2>/dev/null

# --- tokens that expire during the session: fetched again ---
lv_start $S --token-ttl 1 --latency-ms 400
lv_diag $S --json
lv_same "short token lifetime: the simulated diagnosis"
n=$(grep -c 'oauth2/v2.0/token 200' "$D/requests.log")
[ "$n" -gt 1 ] && ok || bad "short token lifetime: the token was fetched $n times"
lv_stop
# expired by the service between two requests of one diagnosis
lv_start $S --fault 'do=delay:1500,url=*/providers/Microsoft.ContainerRegistry/registries'
(
	# Once the cluster has been read, every token expires (while the
	# next request, the list of registries, is still being answered:
	# the requests after it carry the token the service now refuses).
	i=0
	while ! grep -q 'managedClusters/aks-shop' "$D/requests.log" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 400 ] || exit 1
		sleep 0.05
	done
	"$FW" expire-tokens "$D" >/dev/null
) &
lv_diag $S --json
wait
grep -q 'auth=expired' "$D/requests.log" && ok || bad "expire-tokens: no request met an expired token"
lv_same "expired tokens: the simulated diagnosis"
lv_stop

# --- a certificate from another CA: refused with a clear message ---
lv_start $S --wrong-ca management.azure.com
lv_diag $S --json
contains "$TMPD/err" "certificate of management.azure.com is not trusted" "wrong CA: the message"
case $rc in 0|1) bad "wrong CA: exit $rc" ;; *) ok ;; esac
[ "$rc" -lt 128 ] && ok || bad "wrong CA: crashed ($rc)"
grep 'management.azure.com' "$D/requests.log" | grep -v tls-failed >"$TMPD/answered"
[ -s "$TMPD/answered" ] && bad "wrong CA: requests were answered" || ok
lv_stop

# --- no credentials at all ---
lv_start $S --auth none
mkdir -p "$TMPD/bin"
cat >"$TMPD/bin/az" <<'AZ'
#!/bin/sh
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
AZ
chmod +x "$TMPD/bin/az"
PATH="$TMPD/bin:$PATH" lv_diag $S
is 2 "$rc" "no credentials: exit status"
contains "$TMPD/err" "tried:" "no credentials: what was tried"
is 1 "$(grep -c 'tried:' "$TMPD/err")" "no credentials: the list is said once"
contains "$TMPD/err" "az login" "no credentials: the Azure CLI was tried"
contains "$TMPD/err" "--scenario" "no credentials: training is offered"
lv_stop

# --- fixes ---
# lv_fix SCENARIO FIX [options]: acr-doctor fix against the world in $D.
lv_fix() {
	_s=$1; _f=$2; shift 2
	eval "set -- \"\$@\" $(python3 "$LIVE/scenario_args.py" "$_s" "$TOP/data/scenarios" --no-message)"
	lv_run fix "$_f" "$@"
}
# lv_unchanged WHAT: the fake's world is as it was before the fix.
lv_unchanged() {
	"$FW" dump "$D" >"$TMPD/after.json"
	cmp -s "$TMPD/before.json" "$TMPD/after.json" && ok || bad "$1: the world changed"
}

# The caller may not assign roles: said before anything is offered, with
# the action, the scope and the role that would grant it; exit 4, no write.
lv_start $S --deny-action 'Microsoft.Authorization/roleAssignments/*'
"$FW" dump "$D" >"$TMPD/before.json"
lv_fix $S attach-acr --yes
is 4 "$rc" "no permission: exit status"
contains "$TMPD/err" "Microsoft.Authorization/roleAssignments/write" "no permission: the action"
contains "$TMPD/err" "/registries/acrshop" "no permission: the scope"
contains "$TMPD/err" "Role Based Access Control Administrator" "no permission: the role"
contains "$TMPD/out" "Nothing was sent" "no permission: nothing sent"
grep -q '^PUT ' "$D/requests.log" && bad "no permission: a write was sent" || ok
grep -q 'Authorization/permissions' "$D/requests.log" && ok || bad "no permission: the permissions were not asked"
lv_unchanged "no permission"
lv_stop

# Permissions that cannot be read: said, and the fix goes on.
lv_start $S --fault 'do=status:403,count=0,url=*/Microsoft.Authorization/permissions'
lv_fix $S attach-acr --yes
is 0 "$rc" "permissions unreadable: the fix is applied"
contains "$TMPD/err" "cannot tell whether step 1 is permitted" "permissions unreadable: said"
lv_stop

# Azure refuses the write itself (403 for the caller): exit 4, nothing changed.
lv_start $S --fault 'do=deny,url=*/roleAssignments/*'
"$FW" dump "$D" >"$TMPD/before.json"
lv_fix $S attach-acr --yes
is 4 "$rc" "write refused: exit status"
contains "$TMPD/err" "AuthorizationFailed" "write refused: Azure's code"
contains "$TMPD/out" "Nothing was changed" "write refused: nothing changed"
lv_unchanged "write refused"
lv_stop

# The write is throttled once: retried, applied, verified.
lv_start $S --fault 'do=status:429,retry-after=1,method=PUT,url=*/roleAssignments/*'
lv_fix $S attach-acr --yes
is 0 "$rc" "write throttled once: applied and verified"
contains "$TMPD/err" "throttled (HTTP 429) by management.azure.com on PUT" "write throttled once: the notice"
lv_stop

# The write is answered too late (beyond --timeout): Azure may have
# applied it, so "nothing was changed" would be a guess; it says so.
lv_start $S --fault 'do=delay:4000,method=PUT,url=*/roleAssignments/*'
"$FW" dump "$D" >"$TMPD/before.json"
lv_fix $S attach-acr --yes --timeout 2
is 1 "$rc" "write unanswered: exit status"
contains "$TMPD/out" "whether it took effect is not known" "write unanswered: said"
lacks "$TMPD/out" "Nothing was changed" "write unanswered: no guess"
i=0
until grep -q '^PUT .*roleAssignments.* 201 ' "$D/requests.log"; do
	i=$((i + 1)); [ $i -lt 200 ] || break
	sleep 0.05
done
"$FW" dump "$D" >"$TMPD/after.json"
cmp -s "$TMPD/before.json" "$TMPD/after.json" && bad "write unanswered: the fake did not apply it" || ok
lv_stop

# A long-running operation that fails: not 0, says Failed, nothing changed.
R=aks-401-vmss-identity-removed
lv_start $R --lro --lro-fail '*managedClusters*'
"$FW" dump "$D" >"$TMPD/before.json"
lv_fix $R reconcile --yes
[ "$rc" -ne 0 ] && ok || bad "failed operation: exit 0"
contains "$TMPD/err" "Failed" "failed operation: named"
contains "$TMPD/out" "Nothing was changed" "failed operation: nothing changed said"
lv_unchanged "failed operation"
lv_stop

# The operation's status cannot be read (503 for good): Azure accepted
# the change, so it may still complete: said, never "nothing changed".
lv_start $R --lro --fault 'do=status:503,count=0,url=*operationStatuses*'
lv_fix $R reconcile --yes
is 1 "$rc" "unreadable operation: exit status"
contains "$TMPD/err" "Azure accepted PUT" "unreadable operation: the write was accepted"
contains "$TMPD/err" "may still complete" "unreadable operation: it may still complete"
contains "$TMPD/out" "whether it took effect is not known" "unreadable operation: said"
lacks "$TMPD/out" "Nothing was changed" "unreadable operation: no guess"
lv_stop

# A fix of two steps whose second fails: says which step was applied
# and which was not; never 0.
F=aks-403-firewall-disabled
lv_start $F --fault 'do=status:500,method=PATCH,nth=2,count=0,url=*/registries/acrshop'
lv_fix $F network-rule-add --yes
case $rc in 0|2|3) bad "second step failed: exit $rc" ;; *) ok ;; esac
contains "$TMPD/out" "step 1: PATCH" "second step failed: step 1 applied"
contains "$TMPD/err" "step 2 failed" "second step failed: said"
contains "$TMPD/out" "Step 1 was applied; step 2 was not." "second step failed: what was and was not changed"
n=$(grep -c '^PATCH .*/registries/acrshop' "$D/requests.log")
is 2 "$n" "second step failed: PATCHes sent (no retry of a 500 on a PATCH)"
lv_stop

# Every fix step is in the audit log, pending before done or failed.
A="$XDG_STATE_HOME/acr-doctor/audit.log"
[ -s "$A" ] && ok || bad "no audit log"
p=$(grep -c ' pending ' "$A")
d=$(grep -c ' done \| failed ' "$A")
[ "$p" -gt 0 ] && [ "$p" -eq "$d" ] && ok || bad "audit: $p pending lines, $d outcomes"

# --- the scenarios that hold secrets (pull secrets, admin passwords,
# service principal secrets): diagnose, the fix they teach, the report ---
for s in aks-401-secret-admin-mismatch aks-401-secret-sp-expired aks-401-sp-expired \
	webapp-admin-mismatch aks-healthy; do
	lv_start $s --fault 'do=status:429,retry-after=0,url=*roleAssignments*'
	lv_diag $s --json
	fx=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expect"].get("fix") or "")' \
		"$TOP/data/scenarios/$s.json")
	[ -z "$fx" ] || lv_fix $s "$fx" --yes
	case $s in webapp-*) ;; *) lv_report $s ;; esac
	lv_stop
done
ls "$TMPD"/*.md >/dev/null 2>&1 && ok || bad "no Markdown report to look in"

lv_secrets_never_shown
finish
