#!/bin/sh
# The real docker-registry behind the fake world's login server
# (fake-world --registry): curl through the fake's proxy does what acr-doctor
# does live, the ACR token dance (Entra ID token -> /oauth2/exchange ->
# /oauth2/token) and then manifests, config blobs and tags from the registry.
. "$(dirname "$0")/../cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

REGS=$TOP/tests/servers/registry
R=$TMPD/reg
trap 'for d in $FW_DIRS; do "$FW" stop "$d" >/dev/null 2>&1; done
      "$REGS/stop.sh" "$R" >/dev/null 2>&1; rm -rf "$TMPD"' EXIT

if ! command -v docker-registry >/dev/null 2>&1; then
	echo "SKIP: docker-registry is not installed (scripts/deps.sh installs it)"
	exit 77
fi
ALL4='application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
L=https://acrshop.azurecr.io

if ! "$REGS/start.sh" "$R" >"$TMPD/reg.out" 2>&1; then
	bad "registry did not start"; sed 's/^/  | /' "$TMPD/reg.out"; finish; exit 1
fi
ok
. "$R/registry.env"
REGPID=$REGISTRY_PID
fw_start "$TMPD/w" aks-healthy --registry "$R"
W=$TMPD/w

# pushed REPO:TAG FIELD: what push.py pushed
pushed() { json "$R/pushed.json" "d['$1']['$2']"; }
# manifest JWT REPO REF: status, body in $TMPD/body, headers in $TMPD/h
manifest() {
	c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' -H "Authorization: Bearer $1" \
		-H "Accept: $ALL4" "$L/v2/$2/manifests/$3"
}
hdr() { tr -d '\r' <"$TMPD/h" | sed -n "s/^$1: //Ip" | tail -1; }

# --- anonymous: the registry's own challenge, realm on the login server ---
is 401 "$(c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' "$L/v2/")" "/v2/ without a token"
is 'Bearer realm="https://acrshop.azurecr.io/oauth2/token",service="acrshop.azurecr.io"' \
	"$(hdr WWW-Authenticate)" "challenge through the proxy"
contains "$W/requests.log" "registry=forwarded" "the answer came from the registry"
is 401 "$(manifest "" shop/web 1.4.2)" "manifest without a token"
contains "$TMPD/h" 'scope="repository:shop/web:pull"' "manifest challenge names the scope"

# --- the token dance, as acr-doctor does it ---
AT=$(token https://management.azure.com)
[ -n "$AT" ] && ok || bad "no Entra ID token from the fake"
is 200 "$(code -X POST "$L/oauth2/exchange" -d grant_type=access_token \
	-d service=acrshop.azurecr.io --data-urlencode "access_token=$AT")" "/oauth2/exchange"
RT=$(json "$TMPD/body" 'd["refresh_token"]')
[ -n "$RT" ] && ok || bad "no refresh_token"
# jwt SCOPE: an access token for SCOPE from /oauth2/token
jwt() {
	code -X POST "$L/oauth2/token" -d grant_type=refresh_token -d service=acrshop.azurecr.io \
		--data-urlencode "scope=$1" --data-urlencode "refresh_token=$RT" >"$TMPD/st"
	[ "$(cat "$TMPD/st")" = 200 ] && json "$TMPD/body" 'd["access_token"]'
}
JWT=$(jwt repository:shop/web:pull)
[ -n "$JWT" ] && ok || bad "/oauth2/token gave no access_token"
# The JWT is the registry's kind: RS256, kid of the registry's signing key.
kid=$(python3 "$TOP/tests/fake/acrtoken.py" --key "$REGISTRY_TOKEN_KEY" --cert "$REGISTRY_TOKEN_CERT" \
	--issuer x --service x --print-kid)
is "RS256 $kid" "$(printf '%s' "$JWT" | python3 -c '
import base64, json, sys
p = sys.stdin.read().split(".")[0]
h = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
print(h["alg"], h.get("kid"))')" "token header names the registry key"

# --- the data plane through the proxy ---
is 200 "$(c -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $JWT" "$L/v2/")" "/v2/ with the token"
is 200 "$(manifest "$JWT" shop/web 1.4.2)" "shop/web:1.4.2"
is application/vnd.oci.image.index.v1+json "$(hdr Content-Type)" "1.4.2 is an OCI index"
is "$(pushed shop/web:1.4.2 digest)" "$(hdr Docker-Content-Digest)" "1.4.2 digest is the registry's"
is "linux/amd64 linux/arm64/v8" \
	"$(json "$TMPD/body" '" ".join("/".join(x for x in (m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")) if x) for m in d["manifests"])')" \
	"1.4.2 platforms"
AMD=$(json "$TMPD/body" '[m["digest"] for m in d["manifests"] if m["platform"]["architecture"] == "amd64"][0]')
is 200 "$(manifest "$JWT" shop/web "$AMD")" "the amd64 manifest by digest"
CFG=$(json "$TMPD/body" 'd["config"]["digest"]')
is 200 "$(code -H "Authorization: Bearer $JWT" "$L/v2/shop/web/blobs/$CFG")" "config blob"
is "linux amd64" "$(json "$TMPD/body" 'd["os"] + " " + d["architecture"]')" "config blob names the platform"
is 200 "$(code -H "Authorization: Bearer $JWT" "$L/v2/shop/web/tags/list")" "tags/list"
is "1.4.1 1.4.2 latest" "$(json "$TMPD/body" '" ".join(sorted(d["tags"]))')" "shop/web tags"
is 404 "$(manifest "$JWT" shop/web 1.4.3)" "missing tag 1.4.3"
is MANIFEST_UNKNOWN "$(json "$TMPD/body" 'd["errors"][0]["code"]')" "missing tag: the registry's error"

# --- scopes are the registry's to enforce ---
is 401 "$(manifest "$JWT" shop/report 2.0.1)" "shop/web token on shop/report"
contains "$TMPD/h" 'error="insufficient_scope"' "another repository: insufficient_scope"
JWT2=$(jwt repository:shop/report:pull)
is 200 "$(manifest "$JWT2" shop/report 2.0.1)" "shop/report token on shop/report"
is application/vnd.oci.image.manifest.v1+json "$(hdr Content-Type)" "2.0.1 is an OCI manifest"

# --- the arch world pushed into the running registry shows through ---
python3 "$REGS/push.py" --env "$R/registry.env" --scenario aks-401-arch >"$TMPD/push.out" 2>&1
is 0 $? "push.py --scenario aks-401-arch"
is 200 "$(manifest "$JWT" shop/web 1.4.2)" "1.4.2 after the arch push"
is "linux/arm64/v8 unknown/unknown" \
	"$(json "$TMPD/body" '" ".join("/".join(x for x in (m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant")) if x) for m in d["manifests"])')" \
	"arch world through the proxy"

# --- no token in either log ---
for f in "$W/requests.log" "$R/registry.log"; do
	lacks "$f" "$(echo "$JWT" | cut -d. -f3)" "registry token in $(basename "$f")"
	lacks "$f" "$RT" "refresh token in $(basename "$f")"
	lacks "$f" "$AT" "Entra ID token in $(basename "$f")"
done

# --- stop both; nothing left ---
"$FW" stop "$W"
is 0 $? "fake-world stop"
FW_DIRS=""
"$REGS/stop.sh" "$R"
is 0 $? "registry stop"
if [ -e "/proc/$REGPID" ] && ! grep -q '^State:.*Z' "/proc/$REGPID/status" 2>/dev/null; then
	bad "registry PID $REGPID still runs"
else ok; fi

finish
