#!/bin/sh
# Each credential source the fake world can hand out, through the real
# libcurl transport: the service principal, workload identity, App
# Service's managed identity (X-IDENTITY-HEADER) and the instance metadata
# service (Metadata: true).  Each one signs the live diagnosis (same cause
# as the simulated world); the endpoints' own headers reach them.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

for auth in sp workload mi imds; do
	D="$TMPD/fw-$auth"
	mkdir -p "$D"
	if ! "$FW" start aks-401-no-acrpull "$D" --auth "$auth" >"$TMPD/start.out" 2>&1; then
		bad "$auth: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
	fi
	FW_DIRS="$FW_DIRS $D"
	(. "$D/env" && "$AD" diagnose --cluster aks-shop --json --debug) \
		</dev/null >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	is 1 "$rc" "$auth: diagnose exit status"
	contains "$TMPD/out" '"cause":"aks.401"' "$auth: the cause"
	case $auth in
	sp) want="environment" ;;
	workload) want="workload" ;;
	*) want="managed" ;;
	esac
	grep -F "management.azure.com/subscriptions" "$TMPD/err" | grep -q "auth=$want" &&
		ok || bad "$auth: ARM requests were not signed by the $want source"
	case $auth in
	mi) grep -q '^GET http://127.0.0.1:[0-9]*/msi/token.* 200 ' "$D/requests.log" &&
		ok || bad "mi: the identity endpoint gave no token (X-IDENTITY-HEADER not sent?)" ;;
	imds) grep -q '^GET http://127.0.0.1:[0-9]*/metadata/identity/oauth2/token.* 200 ' "$D/requests.log" &&
		ok || bad "imds: the metadata service gave no token (Metadata: true not sent?)" ;;
	esac
	"$FW" stop "$D" >/dev/null 2>&1
done
finish
