#!/bin/sh
# No kubeconfig for the cluster: acr-doctor gets the cluster's user
# credentials from ARM (listClusterUserCredential, format=exec), as
# `az aks get-credentials` does, and diagnoses as with a kubeconfig.
# When Azure refuses them, the checks that read the cluster say unknown
# with the reason.  The kubeconfig's token never appears in any output.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"
. "$TOP/tests/live/lib.sh"

S=aks-401-no-acrpull
"$AD" diagnose --scenario $S --json >"$TMPD/sim.json" 2>/dev/null
mkdir -p "$TMPD/home"

# lv_nokube ARGS...: diagnose with no kubeconfig at all (no KUBECONFIG,
# an empty home).
lv_nokube() {
	(. "$D/env" && unset KUBECONFIG && HOME="$TMPD/home" && export HOME &&
		exec "$AD" diagnose "$@" --debug) </dev/null >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	cat "$TMPD/out" "$TMPD/err" >>"$TMPD/seen"
	[ "$rc" -lt 128 ] && ok || bad "acr-doctor died (exit $rc)"
}
ARGS=$(python3 "$LIVE/scenario_args.py" $S "$TOP/data/scenarios")

# --- no kubeconfig: from ARM, the same diagnosis ---
lv_start $S
eval "lv_nokube $ARGS --json"
lv_same "no kubeconfig"
is 1 "$rc" "no kubeconfig: exit status"
grep -q '^POST .*/managedClusters/aks-shop/listClusterUserCredential?.*format=exec.* 200' "$D/requests.log" &&
	ok || bad "no kubeconfig: the credentials were not asked of ARM"
grep -q '/api/v1/.* 200' "$D/requests.log" && ok || bad "no kubeconfig: the cluster was not read"
grep -q 'auth=missing' "$D/requests.log" && bad "no kubeconfig: a request went without credentials" || ok
lv_stop

# --- a kubeconfig for another cluster: not used, ARM asked ---
lv_start $S
sed 's/aks-shop/aks-other/g; s/server: .*/server: https:\/\/aks-other-dns-1.hcp.westeurope.azmk8s.io:443/' \
	"$D/kubeconfig" >"$TMPD/other.yaml"
(. "$D/env" && KUBECONFIG="$TMPD/other.yaml" && export KUBECONFIG &&
	eval "exec \"\$AD\" diagnose $ARGS --json") </dev/null >"$TMPD/out" 2>"$TMPD/err"
rc=$?
cat "$TMPD/out" "$TMPD/err" >>"$TMPD/seen"
lv_same "kubeconfig of another cluster"
grep -q 'listClusterUserCredential' "$D/requests.log" && ok || bad "another cluster: ARM not asked"
grep -q 'aks-other' "$D/requests.log" && bad "another cluster: its API server was asked" || ok
lv_stop

# --- Azure refuses the credentials: unknown, saying why; never 0 ---
lv_start $S --fault 'do=deny,method=POST,count=0,url=*/listClusterUserCredential'
eval "lv_nokube $ARGS --json"
lv_verdict aks.events unknown "credentials refused"
lv_evidence aks.events "user credentials could not be had from Azure" "credentials refused: the reason"
lv_evidence aks.events "AuthorizationFailed" "credentials refused: Azure's code"
lv_notzero "credentials refused"
lv_stop

# --- an exec credential plugin whose first token the API server refuses
# (expired, say): the plugin is run again and the request sent once more ---
lv_start $S
tok=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["kube_token"])' "$D/secrets.json")
cat >"$TMPD/plugin" <<PLUGIN
#!/bin/sh
# A token the API server refuses on the first run, a good one after.
n=\$(cat "$TMPD/plugin.runs" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$TMPD/plugin.runs"
if [ \$n -eq 1 ]; then t=stale-token-from-the-first-run; else t=$tok; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}\\n' "\$t"
PLUGIN
chmod 700 "$TMPD/plugin"
python3 - "$D/kubeconfig" "$TMPD/plugin" >"$TMPD/exec.yaml" <<'PY'
import sys
out = []
for line in open(sys.argv[1]):
    if line.strip().startswith("token:"):
        ind = line[:len(line) - len(line.lstrip())]
        out.append(ind + "exec:\n")
        out.append(ind + "  apiVersion: client.authentication.k8s.io/v1\n")
        out.append(ind + "  command: %s\n" % sys.argv[2])
        out.append(ind + "  interactiveMode: Never\n")
    else:
        out.append(line)
sys.stdout.write("".join(out))
PY
grep -q 'exec:' "$TMPD/exec.yaml" && ok || bad "exec plugin: the kubeconfig was not made"
(. "$D/env" && KUBECONFIG="$TMPD/exec.yaml" && export KUBECONFIG &&
	eval "exec \"\$AD\" diagnose $ARGS --json") </dev/null >"$TMPD/out" 2>"$TMPD/err"
rc=$?
cat "$TMPD/out" "$TMPD/err" >>"$TMPD/seen"
lv_same "exec plugin, first token refused"
is 2 "$(cat "$TMPD/plugin.runs" 2>/dev/null)" "exec plugin: runs"
grep -q '/api/v1/.* 401 ' "$D/requests.log" && ok || bad "exec plugin: the first token was not refused"
lv_stop

# --- a kubeconfig that cannot be used ---
# Named with --kubeconfig or --context: a usage error naming the file
# and the fault (line and column for YAML), and nothing sent anywhere,
# never a diagnosis of what Azure's credentials would reach instead.
lv_start $S
printf 'apiVersion: v1\nclusters: [\n  - name: x\n' >"$TMPD/broken.yaml"
: >"$D/requests.log"
lv_run diagnose --cluster aks-shop --kubeconfig "$TMPD/broken.yaml"
is 2 "$rc" "broken --kubeconfig: exit status"
contains "$TMPD/err" "broken.yaml is not valid YAML" "broken --kubeconfig: the file named"
contains "$TMPD/err" "line 3" "broken --kubeconfig: where"
[ -s "$D/requests.log" ] && bad "broken --kubeconfig: requests were sent" || ok
lv_run diagnose --cluster aks-shop --kubeconfig "$TMPD/missing.yaml"
is 2 "$rc" "missing --kubeconfig: exit status"
contains "$TMPD/err" "missing.yaml" "missing --kubeconfig: the file named"
lv_run diagnose --cluster aks-shop --context no-such-context
is 2 "$rc" "unknown --context: exit status"
contains "$TMPD/err" 'no context named "no-such-context"' "unknown --context: said"
lv_run fix attach-acr --cluster aks-shop --context no-such-context --dry-run
is 2 "$rc" "fix, unknown --context: exit status"
# The wizard, on a terminal: said before it starts.
(. "$D/env" && exec script -qec "timeout 20 '$AD' --context no-such-context" /dev/null) \
	</dev/null >"$TMPD/out" 2>&1
is 2 "$?" "wizard, unknown --context: exit status"
contains "$TMPD/out" 'no context named "no-such-context"' "wizard, unknown --context: said"
[ -s "$D/requests.log" ] && bad "unusable kubeconfig: requests were sent" || ok
# The default one (KUBECONFIG) broken: said, and the cluster is reached
# with its user credentials from Azure.
(. "$D/env" && KUBECONFIG="$TMPD/broken.yaml" && export KUBECONFIG &&
	eval "exec \"\$AD\" diagnose $ARGS --json") </dev/null >"$TMPD/out" 2>"$TMPD/err"
rc=$?
cat "$TMPD/out" "$TMPD/err" >>"$TMPD/seen"
lv_same "broken KUBECONFIG"
contains "$TMPD/err" "broken.yaml is not valid YAML" "broken KUBECONFIG: said"
grep -q 'listClusterUserCredential' "$D/requests.log" && ok || bad "broken KUBECONFIG: ARM not asked"
lv_stop

lv_secrets_never_shown
finish
