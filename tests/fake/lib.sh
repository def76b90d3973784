# Helpers for the fake-world tests (sourced after cli/lib.sh).
# Every request goes through the fake's proxy on 127.0.0.1 (curl --proxy),
# never anywhere else.
FW="$TOP/tests/fake-world"
FW_DIRS=""
trap 'for d in $FW_DIRS; do "$FW" stop "$d" >/dev/null 2>&1; done; rm -rf "$TMPD"' EXIT
SUB=3f2d6a1e-8c4b-4f0e-9b7a-2c1d5e6f7a8b
ARM=https://management.azure.com/subscriptions/$SUB
REG=$ARM/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop
KUBE=https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443

command -v curl >/dev/null 2>&1 || { echo "curl is required (scripts/deps.sh)"; exit 1; }
command -v openssl >/dev/null 2>&1 || { echo "openssl is required (scripts/deps.sh)"; exit 1; }

# fw_start DIR SCENARIO [options]: start, check READY, load DIR/env.
fw_start() {
	_d=$1; _s=$2; shift 2
	if ! "$FW" start "$_s" "$_d" "$@" >"$TMPD/start.out" 2>&1; then
		bad "fake-world start $_s failed"; sed 's/^/  | /' "$TMPD/start.out"; finish; exit 1
	fi
	FW_DIRS="$FW_DIRS $_d"
	if [ "$(cat "$TMPD/start.out")" = READY ]; then ok; else bad "start did not print READY only"; fi
	# shellcheck disable=SC1090
	. "$_d/env"
	case $HTTPS_PROXY in
	http://127.0.0.1:*) ok ;;
	*) bad "env: HTTPS_PROXY=$HTTPS_PROXY"; finish; exit 1 ;;
	esac
	FWD=$_d
}

# c ARGS...: curl through the fake's proxy only, trusting only its CA.
c() {
	curl -sS --noproxy '' --proxy "$HTTPS_PROXY" --cacert "$FWD/ca.pem" --max-time 20 "$@"
}

# code ARGS...: the HTTP status of a request (body in $TMPD/body).
code() {
	c -o "$TMPD/body" -w '%{http_code}' "$@"
}

# json FILE EXPR: print a Python expression over the JSON document d.
json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# token RESOURCE: an access token from the fake's Entra ID token endpoint.
token() {
	c -X POST "https://login.microsoftonline.com/$AZURE_TENANT_ID/oauth2/v2.0/token" \
		-d grant_type=client_credentials --data-urlencode "client_id=$AZURE_CLIENT_ID" \
		--data-urlencode "client_secret=$AZURE_CLIENT_SECRET" \
		--data-urlencode "scope=$1/.default" >"$TMPD/tok.json" &&
		json "$TMPD/tok.json" 'd["access_token"]'
}

# is WANT GOT DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then ok; else bad "$3: got '$2', wanted '$1'"; fi
}
