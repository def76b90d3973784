#!/bin/sh
# Pull secrets, live: acr-doctor asks the registry's token endpoint with
# the secret's username and password (HTTP basic), as kubelet does, and
# the pull-secret checks say what it answered.  The fake world judges the
# credentials from the scenario, as the simulated registry does: a wrong
# or stale admin password and a service principal whose secrets expired
# are refused, the right ones accepted.  Every run is made with --debug and
# a report is written: no password, no token, no Authorization header
# shows anywhere.  Also the anonymous token attempt in the evidence, and a
# Web App's registry settings asked the same way.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"
. "$TOP/tests/live/lib.sh"

LS=acrshop.azurecr.io
TOKEN="GET https://$LS/oauth2/token?service=$LS&scope=repository:shop/web:pull"

# one WORLD BASE CHECK VERDICT ANSWER NOTE
one() {
	_w=$1 _b=$2 _c=$3 _v=$4 _a=$5 _n=$6
	"$AD" diagnose --scenario "$_w" --json >"$TMPD/sim.json" 2>/dev/null
	lv_start "$_w"
	lv_diag "$_b" --json
	lv_same "$_w"
	lv_verdict "$_c" "$_v" "$_w"
	lv_evidence "$_c" "\"registryAnswer\": \"$_a" "$_w: the registry's answer"
	# The simulated check heard the same from the simulated registry.
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=next(f for f in d["findings"] if f["check"]==sys.argv[2])
sys.exit(0 if f["evidence"].get("registryAnswer","").startswith(sys.argv[3]) else 1)' \
		"$TMPD/sim.json" "$_c" "$_a" && ok || bad "$_w: simulated registryAnswer"
	grep -F "$TOKEN" "$D/requests.log" | grep -q "acr=$_n" && ok ||
		bad "$_w: the fake registry did not see the basic login ($_n)"
	contains "$TMPD/err" "auth=pull_secret" "$_w: --debug names the pull secret"
	lacks "$TMPD/err" "Basic " "$_w: no Authorization header in --debug"
}

one aks-401-secret-admin-mismatch aks-401-secret-admin-mismatch aks.401.secret-admin fail \
	"refused: HTTP 401 UNAUTHORIZED from https://$LS/oauth2/token" basic-refused
lv_evidence aks.401.secret-admin "regenerated on 2025-01-17" "stale admin password: ARM says why"
lv_evidence aks.401.secret-admin '"anonymousToken": "refused:' "stale admin password: the anonymous attempt"
lv_report aks-401-secret-admin-mismatch
lv_stop
one "$DATA/scenarios/aks-auth-secret-admin-ok.json" aks-401-secret-admin-mismatch \
	aks.401.secret-admin pass "accepted: HTTP 200 from https://$LS/oauth2/token" basic-accepted
lv_stop
one "$DATA/scenarios/aks-auth-admin-disabled.json" aks-401-secret-admin-mismatch \
	aks.401.secret-admin fail "refused: HTTP 401" basic-refused
lv_evidence aks.401.secret-admin "is disabled" "admin user disabled: ARM says why"
lv_stop
one aks-401-secret-sp-expired aks-401-secret-sp-expired aks.401.secret-sp fail \
	"refused: HTTP 401" basic-refused
lv_report aks-401-secret-sp-expired
lv_stop
one "$DATA/scenarios/aks-auth-secret-sp-valid.json" aks-401-secret-sp-expired \
	aks.401.secret-sp pass "accepted: HTTP 200" basic-accepted
lv_stop

# The registry does not answer: listCredentials alone decides, and says so.
"$AD" diagnose --scenario "$DATA/scenarios/aks-auth-secret-registry-down.json" --json >"$TMPD/sim.json" 2>/dev/null
lv_start "$DATA/scenarios/aks-auth-secret-registry-down.json"
lv_diag aks-401-secret-admin-mismatch --json
lv_same "registry down"
lv_verdict aks.401.secret-admin fail "registry down"
lv_evidence aks.401.secret-admin '"registryAnswer": "not asked: ' "registry down"
lv_evidence aks.401.secret-admin "could not be asked" "registry down: the summary says so"
lacks "$D/requests.log" "/oauth2/token?" "registry down: no token request"
lv_stop

# The anonymous token attempt, in aks.401.acrpull's evidence.
"$AD" diagnose --scenario aks-401-no-acrpull --json >"$TMPD/sim.json" 2>/dev/null
lv_start aks-401-no-acrpull --anonymous-pull
lv_diag aks-401-no-acrpull --json
lv_evidence aks.401.acrpull '"anonymousToken": "granted:' "anonymous pull on"
lv_stop
lv_start aks-401-no-acrpull
lv_diag aks-401-no-acrpull --json
lv_same "anonymous pull off"
lv_evidence aks.401.acrpull '"anonymousToken": "refused: ' "anonymous pull off"
lv_evidence aks.401.acrpull "the pull needs a credential" "anonymous pull off"
lv_stop

# A Web App's registry settings (DOCKER_REGISTRY_SERVER_USERNAME and
# _PASSWORD), asked at the registry the same way, with the same answer
# live as simulated.  web WORLD VERDICT ANSWER NOTE
web() {
	_w=$1 _v=$2 _a=$3 _n=$4
	"$AD" diagnose --scenario "$_w" --json >"$TMPD/sim.json" 2>/dev/null
	lv_start "$_w"
	lv_diag "$_w" --json
	lv_same "$_w"
	lv_verdict webapp.unauthorized.admin "$_v" "$_w"
	lv_evidence webapp.unauthorized.admin "\"registryAnswer\": \"$_a" "$_w: the registry's answer"
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=next(f for f in d["findings"] if f["check"]=="webapp.unauthorized.admin")
sys.exit(0 if f["evidence"].get("registryAnswer","").startswith(sys.argv[2]) else 1)' \
		"$TMPD/sim.json" "$_a" && ok || bad "$_w: simulated registryAnswer"
	grep -F "$TOKEN" "$D/requests.log" | grep -q "acr=$_n" && ok ||
		bad "$_w: the fake registry did not see the basic login ($_n)"
	lacks "$TMPD/err" "Basic " "$_w: no Authorization header in --debug"
}

web webapp-admin-mismatch fail "refused: HTTP 401 UNAUTHORIZED from https://$LS/oauth2/token" basic-refused
lv_evidence webapp.unauthorized.admin "matches none of the 2 admin passwords of acrshop" \
	"web app, stale admin password: ARM says why"
lv_report webapp-admin-mismatch
contains "$(cat "$TMPD/report.out")" "registryAnswer" "web app report: the registry's answer"
lv_stop
web "$DATA/scenarios/webapp-admin-ok.json" pass "accepted: HTTP 200 from https://$LS/oauth2/token" basic-accepted
lv_stop
web "$DATA/scenarios/webapp-settings-sp-expired.json" fail "refused: HTTP 401" basic-refused
lv_evidence webapp.unauthorized.admin "have all expired" "web app, service principal: Graph says why"
lv_stop
web "$DATA/scenarios/webapp-settings-sp-valid.json" pass "accepted: HTTP 200" basic-accepted
lv_stop
# Settings naming another registry: the password is sent nowhere.
"$AD" diagnose --scenario "$DATA/scenarios/webapp-admin-url.json" --json >"$TMPD/sim.json" 2>/dev/null
lv_start "$DATA/scenarios/webapp-admin-url.json"
lv_diag webapp-admin-mismatch --json
lv_same "web app, another registry"
lv_verdict webapp.unauthorized.admin fail "web app, another registry"
lv_evidence webapp.unauthorized.admin '"registryAnswer": "not asked: DOCKER_REGISTRY_SERVER_URL' "web app, another registry"
lacks "$D/requests.log" "acr=basic-" "web app, another registry: no basic login"
lv_stop
# The registry does not answer: listCredentials alone decides, and says so.
"$AD" diagnose --scenario "$DATA/scenarios/webapp-admin-registry-down.json" --json >"$TMPD/sim.json" 2>/dev/null
lv_start "$DATA/scenarios/webapp-admin-registry-down.json"
lv_diag webapp-admin-mismatch --json
lv_same "web app, registry down"
lv_verdict webapp.unauthorized.admin fail "web app, registry down"
lv_evidence webapp.unauthorized.admin '"registryAnswer": "not asked: ' "web app, registry down"
lv_evidence webapp.unauthorized.admin "could not be asked" "web app, registry down: the summary says so"
lacks "$D/requests.log" "/oauth2/token?" "web app, registry down: no token request"
lv_stop

# The pull secrets' passwords are among the secrets looked for.
for p in Pm2Wq7Rt+ACRzX4vN9bK1cL6jH3sD8fG0yUeTaMo5iVw Xk8Q~vR3nT.wL5pZ2mJ9cF7hB0sD4gY6aE1uN-iO; do
	contains "$TMPD/secrets" "$p" "the secrets looked for include a pull secret's password"
done
# And the web app settings' passwords (stale admin, current admin, a
# client secret).
for p in Vq3Lx8TnR0wKj5PzYb7Hc2MfA9sDe4GuN1oQiX6tBk+ACRbZm2Wd \
	Yt4Gm9PaL2sXe7DkR0bNc5VjW1uQh8ZoF3iTy6Ms+ACRkLp3Cv Qw8~Rt5Yu2Io9Pa6Sd3Fg0Hj7Kl4Zx1Cv8Bn5Mq; do
	contains "$TMPD/secrets" "$p" "the secrets looked for include a web app setting's password"
done
lv_secrets_never_shown
finish
