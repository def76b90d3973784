#!/bin/sh
# The kubeconfig fixtures read by kubectl and by kubecfg give the same
# context, cluster, user, namespace, server, CA, client certificate and
# key, token and exec command (kubectl config view --minify --raw
# --flatten, compared field by field).  KUBECTL picks the client.
. "$(dirname "$0")/lib.sh"

KUBECTL=${KUBECTL:-$(command -v kubectl || true)}
DUMP=${KUBECFG_DUMP:-./unit/kubecfg_dump}
if [ -z "$KUBECTL" ]; then
	echo "SKIP: no kubectl (scripts/deps.sh installs kubernetes-client)"; exit 77
fi
if [ ! -x "$DUMP" ]; then
	echo "SKIP: $DUMP not built (needs cmocka)"; exit 77
fi
K=$DATA/kubeconfig
# kubectl keeps its caches under HOME; the test's own directory.
export HOME="$TMPD"
unset KUBECONFIG

# compare NAME [--context C] -- with KUBECONFIG or --kubeconfig set by
# the caller through $KC_ARGS.
compare() {
	name=$1; shift
	if ! "$KUBECTL" config view --minify --raw --flatten -o json $KC_ARGS "$@" \
		>"$TMPD/kubectl.json" 2>"$TMPD/kubectl.err"; then
		bad "$name: kubectl rejects it"; sed 's/^/  | /' "$TMPD/kubectl.err" | head -3
		return
	fi
	if ! "$DUMP" $KC_ARGS "$@" >"$TMPD/ours.json" 2>"$TMPD/ours.err"; then
		bad "$name: kubecfg rejects it"; sed 's/^/  | /' "$TMPD/ours.err" | head -3
		return
	fi
	# kubectl keeps a relative tokenFile as written: relative to the file.
	kdir=$(dirname "${KC_ARGS#--kubeconfig }")
	if python3 - "$TMPD/kubectl.json" "$TMPD/ours.json" "$kdir" >"$TMPD/cmp" 2>&1 <<'PY'
import base64, json, os, sys
kc = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
bad = []
def same(what, a, b, secret=False):
    if a != b:
        bad.append("%s differs" % what if secret else
                   "%s: kubectl %r, kubecfg %r" % (what, a, b))
def pem(v):
    return base64.b64decode(v) if v else None
assert kc["contexts"], "kubectl shows no context"
ctx = kc["contexts"][0]
same("context", kc["current-context"], ours["context"])
same("cluster name", ctx["context"]["cluster"], ours["cluster"])
same("user name", ctx["context"].get("user", ""), ours["user"])
same("namespace", ctx["context"].get("namespace"), ours.get("namespace"))
cl = kc["clusters"][0]["cluster"]
same("server", cl["server"].rstrip("/"), ours["server"])
same("CA", pem(cl.get("certificate-authority-data")),
     pem(ours.get("certificate-authority-data")))
user = kc["users"][0]["user"] if kc.get("users") else {}
auth = ours["auth"]
if "exec" in user:
    same("exec command", user["exec"]["command"], auth.get("exec-command"))
else:
    same("client certificate", pem(user.get("client-certificate-data")),
         pem(auth.get("client-certificate-data")))
    same("client key", pem(user.get("client-key-data")),
         pem(auth.get("client-key-data")), secret=True)
    token = user.get("token")
    if token is None and user.get("tokenFile"):
        token = open(os.path.join(sys.argv[3], user["tokenFile"])).read().strip()
    same("token", token, auth.get("token"), secret=True)
# Say which fields were compared, without their values.
print("compared:", ", ".join(sorted(k for k in list(user) + list(cl))))
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
	then ok; else bad "$name differs"; sed 's/^/  | /' "$TMPD/cmp" | head -8; fi
}

KC_ARGS="--kubeconfig $K/aks-admin.yaml"; compare "AKS admin"
KC_ARGS="--kubeconfig $K/aks-user-kubelogin.yaml"; compare "AKS user, kubelogin"
KC_ARGS="--kubeconfig $K/token.yaml"; compare "token, CA file"
compare "anonymous context" --context lab-anon
KC_ARGS="--kubeconfig $K/tokenfile.yaml"; compare "tokenFile"
KC_ARGS="--kubeconfig $K/sub/certfiles.yaml"; compare "relative certificate files"
KC_ARGS=
export KUBECONFIG="$K/merge-a.yaml:$K/other/merge-b.yaml"
compare "KUBECONFIG merge, current-context"
compare "KUBECONFIG merge, ctx-a" --context ctx-a
unset KUBECONFIG
# The AKS user kubeconfig carried by ARM's listClusterUserCredential.
python3 -c '
import base64, json, sys
doc = json.load(open(sys.argv[1]))
sys.stdout.buffer.write(base64.b64decode(doc["kubeconfigs"][0]["value"]))
' "$K/arm-user-credential.json" >"$TMPD/arm.yaml"
KC_ARGS="--kubeconfig $TMPD/arm.yaml"; compare "listClusterUserCredential kubeconfig"

# Both refuse broken YAML.
expect_exit 1 "kubectl: broken YAML" -- "$KUBECTL" config view --kubeconfig "$K/broken-yaml.yaml"
expect_exit 1 "kubecfg: broken YAML" -- "$DUMP" --kubeconfig "$K/broken-yaml.yaml"
contains "$TMPD/err" "line 7" "kubecfg names the line kubectl names"

finish
