#!/bin/sh
# fake-world --registry REGDIR: the login server's /v2/ forwarded to a
# registry with token auth (the real docker-registry of
# tests/servers/registry/start.sh when it is there, and always a stand-in),
# /oauth2/token minting that registry's JWTs for the scope asked, and
# /oauth2/exchange staying the fake's.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

R=$TMPD/reg
REG_PIDS=""
trap 'for d in $FW_DIRS; do "$FW" stop "$d" >/dev/null 2>&1; done
      for p in $REG_PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$TMPD"' EXIT

# Until tests/fake/acrtoken.py is there, a stand-in mints unsigned tokens
# (the stand-in registry reads the claims only).
if [ ! -f "$TOP/tests/fake/acrtoken.py" ]; then
	mkdir -p "$TMPD/py"
	cat >"$TMPD/py/acrtoken.py" <<'EOF'
import base64, json, os, time
def _b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()
def mint(key_path, cert_path, issuer, service, subject, access, ttl):
    now = int(time.time())
    head = {"typ": "JWT", "alg": "RS256"}
    body = {"iss": issuer, "sub": subject, "aud": service, "exp": now + ttl, "nbf": now - 5,
            "iat": now, "jti": _b64(os.urandom(12)), "access": access}
    return "%s.%s.%s" % (_b64(json.dumps(head).encode()), _b64(json.dumps(body).encode()), _b64(b"unsigned"))
EOF
	PYTHONPATH=$TMPD/py
	export PYTHONPATH
fi

python3 "$TOP/tests/fake/mock_registry.py" "$R" >"$TMPD/mock.log" 2>&1 &
REG_PIDS=$!
i=0
while [ ! -s "$R/registry.env" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$R/registry.env" ] && ok || { bad "stand-in registry did not start"; cat "$TMPD/mock.log"; finish; exit 1; }

# check_forwarding DIR LABEL REPO TAG MISSING-TAG
check_forwarding() {
	D=$1; L=$2; repo=$3; tag=$4; missing=$5
	AT=$(token https://management.azure.com)
	# /v2/ comes from the registry; its challenge names the login server's realm.
	is 401 "$(c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' https://acrshop.azurecr.io/v2/)" "$L: /v2/ challenge"
	contains "$TMPD/h" 'realm="https://acrshop.azurecr.io/oauth2/token"' "$L: realm rewritten"
	contains "$D/requests.log" "GET https://acrshop.azurecr.io/v2/ 401 " "$L: logged"
	contains "$D/requests.log" "registry=forwarded" "$L: forwarded"
	# Entra ID token -> ACR refresh token (the fake's) -> registry JWT.
	is 200 "$(code -X POST https://acrshop.azurecr.io/oauth2/exchange -d grant_type=access_token \
		-d service=acrshop.azurecr.io --data-urlencode "access_token=$AT")" "$L: exchange"
	RT=$(json "$TMPD/body" 'd["refresh_token"]')
	is 200 "$(code -X POST https://acrshop.azurecr.io/oauth2/token -d grant_type=refresh_token \
		-d service=acrshop.azurecr.io -d "scope=repository:$repo:pull" --data-urlencode "refresh_token=$RT")" "$L: token"
	JWT=$(json "$TMPD/body" 'd["access_token"]')
	printf '%s' "$JWT" | python3 -c '
import base64, json, sys
p = sys.stdin.read().split(".")[1]
c = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
print(json.dumps(c["access"]), c["aud"] == sys.argv[1], c["exp"] > c.get("iat", 0))' "$REGISTRY_SERVICE" >"$TMPD/claims"
	contains "$TMPD/claims" "[{\"type\": \"repository\", \"name\": \"$repo\", \"actions\": [\"pull\"]}] True True" "$L: JWT claims"
	is 401 "$(code -X POST https://acrshop.azurecr.io/oauth2/token -d grant_type=refresh_token \
		-d service=acrshop.azurecr.io -d "scope=repository:$repo:pull" -d refresh_token=forged)" "$L: forged refresh token"
	is 401 "$(code https://acrshop.azurecr.io/oauth2/token?service=acrshop.azurecr.io)" "$L: anonymous token"
	# The data plane with the JWT.
	is 200 "$(code -H "Authorization: Bearer $JWT" https://acrshop.azurecr.io/v2/)" "$L: /v2/ with token"
	ACC='application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json'
	is 200 "$(c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' -H "Authorization: Bearer $JWT" -H "Accept: $ACC" \
		"https://acrshop.azurecr.io/v2/$repo/manifests/$tag")" "$L: manifest"
	grep -qi '^Docker-Content-Digest: sha256:' "$TMPD/h" && ok || bad "$L: no digest"
	size=$(wc -c <"$TMPD/body")
	c -I -o /dev/null -D "$TMPD/hh" -H "Authorization: Bearer $JWT" -H "Accept: $ACC" \
		"https://acrshop.azurecr.io/v2/$repo/manifests/$tag"
	grep -qi "^Content-Length: $size" "$TMPD/hh" && ok || bad "$L: HEAD Content-Length (want $size)"
	is 404 "$(code -H "Authorization: Bearer $JWT" -H "Accept: $ACC" \
		"https://acrshop.azurecr.io/v2/$repo/manifests/$missing")" "$L: missing tag"
	is MANIFEST_UNKNOWN "$(json "$TMPD/body" 'd["errors"][0]["code"]')" "$L: registry's 404"
	# ARM still comes from the scenario.
	is 200 "$(code -H "Authorization: Bearer $AT" "$REG")" "$L: ARM unchanged"
}

# shellcheck disable=SC1090
. "$R/registry.env"
fw_start "$TMPD/w" aks-401-secret-admin-mismatch --registry "$R"
check_forwarding "$TMPD/w" stand-in shop/web 1.4.2 9.9.9
contains "$R/requests.log" "GET /v2/ host=acrshop.azurecr.io auth=no" "Host is the login server"
contains "$R/requests.log" "GET /v2/shop/web/manifests/1.4.2 host=acrshop.azurecr.io auth=yes" "token forwarded"
# Basic credentials of the scenario's admin user get a token; others do not.
PW=$(python3 - "$TOP/tests/fake" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import world
d = world.load("aks-401-secret-admin-mismatch")
e = [e for e in d["http"] if e["url"].endswith("/listCredentials")][0]
print(e["body"]["passwords"][0]["value"])
EOF
)
is 200 "$(code -u "acrshop:$PW" "https://acrshop.azurecr.io/oauth2/token?service=acrshop.azurecr.io&scope=repository:shop/web:pull")" "admin Basic"
is 401 "$(code -u "acrshop:wrong" "https://acrshop.azurecr.io/oauth2/token?service=acrshop.azurecr.io&scope=repository:shop/web:pull")" "wrong admin password"
lacks "$TMPD/w/requests.log" "$PW" "admin password in the log"
"$FW" stop "$TMPD/w"

# The real docker-registry, when its start script is there.
if [ -x "$TOP/tests/servers/registry/start.sh" ]; then
	RR=$TMPD/realreg
	"$TOP/tests/servers/registry/start.sh" "$RR" >"$TMPD/real.out" 2>&1 && ok ||
		{ bad "real registry did not start"; sed 's/^/  | /' "$TMPD/real.out"; }
	if [ -s "$RR/registry.env" ]; then
		[ -x "$TOP/tests/servers/registry/stop.sh" ] &&
			trap 'for d in $FW_DIRS; do "$FW" stop "$d" >/dev/null 2>&1; done
			      for p in $REG_PIDS; do kill "$p" 2>/dev/null; done
			      "$TOP/tests/servers/registry/stop.sh" "$RR" >/dev/null 2>&1; rm -rf "$TMPD"' EXIT
		# shellcheck disable=SC1090
		. "$RR/registry.env"
		fw_start "$TMPD/w2" aks-healthy --registry "$RR"
		check_forwarding "$TMPD/w2" docker-registry "${REGISTRY_TEST_REPO:-single/app}" \
			"${REGISTRY_TEST_TAG:-v1}" no-such-tag
	fi
fi
finish
