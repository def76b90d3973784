#!/bin/sh
# Every credential source of the chain, live over the real transport
# against the fake world's Entra ID and managed-identity endpoints: the
# diagnosis is the same, --debug names the source, and no secret or token
# is printed.  Also a kubeconfig that signs in with an exec plugin or a
# client certificate.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

S=aks-401-no-acrpull
run() {
	_d=$1; shift
	(. "$_d/env" && "$AD" diagnose --cluster aks-shop --json --debug "$@") \
		</dev/null >"$TMPD/out" 2>"$TMPD/err"
}
cause() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cause"])' "$TMPD/out" 2>/dev/null
}

for auth in sp workload mi imds; do
	d="$TMPD/fw-$auth"; mkdir -p "$d"
	"$FW" start "$S" "$d" --auth "$auth" >/dev/null 2>&1 || { bad "$auth: fake-world did not start"; continue; }
	FW_DIRS="$FW_DIRS $d"
	case $auth in
	sp) want="environment (service principal)" ;;
	workload) want="workload identity" ;;
	*) want="managed identity" ;;
	esac
	run "$d"
	is 1 "$?" "$auth: diagnose exits 1 (problem found)"
	is aks.401 "$(cause)" "$auth: cause"
	contains "$TMPD/err" "auth=$(echo "$want" | tr " " _)" "$auth: --debug names the credential"
	sec=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("client_secret") or "")' "$d/secrets.json")
	[ -z "$sec" ] || lacks "$TMPD/err" "$sec" "$auth: the client secret is not printed"
	lacks "$TMPD/err" "Bearer " "$auth: no bearer token in --debug"
	"$FW" stop "$d" >/dev/null 2>&1
done

for ka in exec cert; do
	d="$TMPD/fw-k$ka"; mkdir -p "$d"
	"$FW" start "$S" "$d" --kube-auth "$ka" >/dev/null 2>&1 || { bad "kube $ka: fake-world did not start"; continue; }
	FW_DIRS="$FW_DIRS $d"
	run "$d"
	is aks.401 "$(cause)" "kubeconfig $ka: cause"
	"$FW" stop "$d" >/dev/null 2>&1
done

# No credential at all: the sources tried are listed, training offered.
d="$TMPD/fw-none"; mkdir -p "$d"
if "$FW" start "$S" "$d" --auth none >/dev/null 2>&1; then
	FW_DIRS="$FW_DIRS $d"
	(. "$d/env" && PATH=/nonexistent:/usr/bin:/bin "$AD" diagnose --cluster aks-shop --credential prod) \
		</dev/null >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && ok || bad "no credentials: exit $rc"
	contains "$TMPD/err" "tried" "no credentials: the sources tried are listed"
	contains "$TMPD/err" "--scenario" "no credentials: training is offered"
fi
finish
