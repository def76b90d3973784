#!/bin/sh
# Live diagnose with the real registry: for every built-in scenario whose
# registry is up, acr-doctor diagnose runs live against the fake world with
# --registry, so /v2/ (challenge, manifests, indexes, config blobs, tag
# lists) comes from docker-registry with the images push.py pushed, and the
# token dance mints real RS256 tokens.  Every check's verdict and the cause
# must equal diagnose --scenario's.  Scenarios whose recorded registry
# answers /v2/ with 5xx (a registry that is down) are not played: the real
# one is up.
. "$(dirname "$0")/../cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

REGS=$TOP/tests/servers/registry
LIVE=$TOP/tests/live
R=$TMPD/reg
trap 'for d in $FW_DIRS; do "$FW" stop "$d" >/dev/null 2>&1; done
      "$REGS/stop.sh" "$R" >/dev/null 2>&1; rm -rf "$TMPD"' EXIT

if ! command -v docker-registry >/dev/null 2>&1; then
	echo "SKIP: docker-registry is not installed (scripts/deps.sh installs it)"
	exit 77
fi
if [ ! -f "$LIVE/compare.py" ] || [ ! -f "$LIVE/scenario_args.py" ]; then
	echo "SKIP: this tree has no live diagnose tests (tests/live)"
	exit 77
fi

if ! "$REGS/start.sh" "$R" >"$TMPD/reg.out" 2>&1; then
	bad "registry did not start"; sed 's/^/  | /' "$TMPD/reg.out"; finish; exit 1
fi
ok
# One line per built-in scenario: NAME PLAY FORWARDED.  PLAY is "no" when
# the scenario's registry answers /v2/ with 5xx; FORWARDED is "no" when no
# registry request can arrive (the login server does not resolve or is
# unreachable, or the image names another host).
python3 - "$TOP/data/scenarios" >"$TMPD/plan" <<'EOF'
import glob, json, os, sys
d = sys.argv[1]
def load(name):
    doc = json.load(open(os.path.join(d, name + ".json"), encoding="utf-8"))
    if doc.get("base"):
        b = load(doc["base"])
        ctx = dict(b.get("context", {})); ctx.update(doc.get("context", {}))
        http = {(e["method"], e["url"]): e for e in b.get("http", [])}
        for e in doc.get("http", []):
            http[(e["method"], e["url"])] = e
        hosts = dict(b.get("hosts") or {}); hosts.update(doc.get("hosts") or {})
        doc = dict(doc, context=ctx, http=list(http.values()), hosts=hosts)
    return doc
for f in sorted(glob.glob(os.path.join(d, "*.json"))):
    name = os.path.basename(f)[:-5]
    doc = load(name)
    login = doc["context"]["registry"] + ".azurecr.io"
    down = any(e["url"].lower() == "https://%s/v2/" % login and e.get("status", 200) >= 500
               for e in doc["http"])
    image = doc["context"].get("image") or ""
    fwd = login not in (doc.get("hosts") or {}) and image.startswith(login + "/")
    print(name, "no" if down else "yes", "yes" if fwd else "no")
EOF
[ "$(wc -l <"$TMPD/plan")" -gt 20 ] && ok || bad "only $(wc -l <"$TMPD/plan") built-in scenarios"
world=healthy
n=0
skipped=""
while read -r s play fwd <&3; do
	if [ "$play" = no ]; then skipped="$skipped $s"; continue; fi
	n=$((n + 1))
	# The registry holds the scenario's images (aks-401-arch: 1.4.2 arm64 only).
	w=$(cd "$REGS" && python3 -B -c 'import push, sys; print(push.world_for(sys.argv[1]))' "$s")
	if [ "$w" != "$world" ]; then
		python3 "$REGS/push.py" --env "$R/registry.env" --world "$w" >"$TMPD/push.out" 2>&1 ||
			{ bad "$s: push.py --world $w"; sed 's/^/  | /' "$TMPD/push.out"; continue; }
		world=$w
	fi
	d=$TMPD/fw-$s
	if ! "$FW" start "$s" "$d" --registry "$R" >"$TMPD/start.out" 2>&1; then
		bad "$s: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
	fi
	FW_DIRS="$FW_DIRS $d"
	"$AD" diagnose --scenario "$s" --json >"$TMPD/sim.json" 2>"$TMPD/sim.err"
	eval "set -- $(python3 "$LIVE/scenario_args.py" "$s" "$TOP/data/scenarios")"
	(. "$d/env" && "$AD" diagnose "$@" --json) >"$TMPD/live.json" 2>"$TMPD/live.err"
	if python3 "$LIVE/compare.py" "$TMPD/sim.json" "$TMPD/live.json" >"$TMPD/diff" 2>&1; then
		ok
	else
		bad "$s: live (real registry) and simulated diagnoses differ"
		sed 's/^/  | /' "$TMPD/diff" "$TMPD/live.err" | head -12
	fi
	# The registry answered, not the scenario's recorded exchanges.
	if [ "$fwd" = yes ]; then
		grep -q "manifests/.* registry=forwarded" "$d/requests.log" && ok ||
			bad "$s: no manifest request reached the registry"
	fi
	# No token of the dance (a JWT) in the output.
	if grep -qE 'eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}' "$TMPD/live.json" "$TMPD/live.err"; then
		bad "$s: a token in the output"
	else ok; fi
	if [ "$s" = aks-401-arch ]; then
		# The fix can only be shown (push an image for the nodes' platform) ...
		(. "$d/env" && "$AD" fix push-platform "$@" --yes) >"$TMPD/fix.out" 2>&1
		is 5 $? "$s: fix push-platform is guidance only"
		# ... and once a multi-arch 1.4.2 is pushed, the same check passes live.
		python3 "$REGS/push.py" --env "$R/registry.env" --world healthy >"$TMPD/push.out" 2>&1
		is 0 $? "$s: push the multi-arch image"
		world=healthy
		(. "$d/env" && "$AD" diagnose "$@" --json) >"$TMPD/live2.json" 2>"$TMPD/live2.err"
		is pass "$(json "$TMPD/live2.json" '[f["verdict"] for f in d["findings"] if f["check"] == "aks.401-arch"][0]')" \
			"$s: aks.401-arch after the push"
	fi
	"$FW" stop "$d" >/dev/null 2>&1
done 3<"$TMPD/plan"
[ "$n" -gt 20 ] && ok || bad "only $n scenarios played"
echo "not played (registry down in the scenario):$skipped"
case " $skipped " in *" aks-healthy "*|*" aks-401-arch "*|*" aks-notfound-tag "*|*" webapp-manifest-unknown "*)
	bad "a registry scenario was not played:$skipped" ;;
*) ok ;;
esac
# A pull secret, with the real registry: the token its basic login gets
# is one docker-registry accepts, and the diagnosis says what the token
# endpoint answered.  Right admin password: pass; a stale one: fail.
if [ "$world" != healthy ]; then
	python3 "$REGS/push.py" --env "$R/registry.env" --world healthy >"$TMPD/push.out" 2>&1 ||
		bad "push the healthy world"
	world=healthy
fi
LS=acrshop.azurecr.io
GOOD=Jr9Hw2Ez+ACRmT5bQ8vN1kY4pS7fC0gX3dLuWiVa6oBn     # password2 of the scenario
STALE=Pm2Wq7Rt+ACRzX4vN9bK1cL6jH3sD8fG0yUeTaMo5iVw    # the secret of aks-401-secret-admin-mismatch
d=$TMPD/fw-pullsecret
if "$FW" start "$DATA/scenarios/aks-auth-secret-admin-ok.json" "$d" --registry "$R" >"$TMPD/start.out" 2>&1; then
	FW_DIRS="$FW_DIRS $d"
	tok() {
		(. "$d/env" && curl -sS -u "acrshop:$1" -o "$TMPD/tok.json" -w '%{http_code}' \
			"https://$LS/oauth2/token?service=$LS&scope=repository:shop/web:pull")
	}
	is 200 "$(tok "$GOOD")" "pull secret, right password: the token endpoint"
	at=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$TMPD/tok.json" 2>/dev/null)
	code=$( (. "$d/env" && curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $at" \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		"https://$LS/v2/shop/web/manifests/1.4.2") )
	is 200 "$code" "pull secret, right password: docker-registry takes its token"
	is 401 "$(tok "$STALE")" "pull secret, stale password: the token endpoint"
	is 401 "$(tok "")" "pull secret, no password: the token endpoint"
	eval "set -- $(python3 "$LIVE/scenario_args.py" aks-401-secret-admin-mismatch "$TOP/data/scenarios")"
	(. "$d/env" && "$AD" diagnose "$@" --json --debug) >"$TMPD/live.json" 2>"$TMPD/live.err"
	is pass "$(json "$TMPD/live.json" '[f["verdict"] for f in d["findings"] if f["check"] == "aks.401.secret-admin"][0]')" \
		"pull secret, right password: aks.401.secret-admin"
	contains "$TMPD/live.json" "accepted: HTTP 200 from https://$LS/oauth2/token" \
		"pull secret, right password: the registry's answer"
	grep -q "^GET https://$LS/oauth2/token?service=$LS&scope=repository:shop/web:pull 200" "$d/requests.log" &&
		ok || bad "pull secret, right password: no basic login in the log"
	lacks "$TMPD/live.err" "$GOOD" "pull secret: the password in --debug"
	lacks "$TMPD/live.json" "$GOOD" "pull secret: the password in the diagnosis"
	"$FW" stop "$d" >/dev/null 2>&1
	# The stale password (the built-in scenario) against the same registry.
	d=$TMPD/fw-pullsecret2
	if "$FW" start aks-401-secret-admin-mismatch "$d" --registry "$R" >"$TMPD/start.out" 2>&1; then
		FW_DIRS="$FW_DIRS $d"
		(. "$d/env" && "$AD" diagnose "$@" --json --debug) >"$TMPD/live.json" 2>"$TMPD/live.err"
		is fail "$(json "$TMPD/live.json" '[f["verdict"] for f in d["findings"] if f["check"] == "aks.401.secret-admin"][0]')" \
			"pull secret, stale password: aks.401.secret-admin"
		contains "$TMPD/live.json" "refused: HTTP 401 UNAUTHORIZED from https://$LS/oauth2/token" \
			"pull secret, stale password: the registry's answer"
		lacks "$TMPD/live.err" "$STALE" "pull secret: the stale password in --debug"
		lacks "$TMPD/live.json" "$STALE" "pull secret: the stale password in the diagnosis"
		"$FW" stop "$d" >/dev/null 2>&1
	else bad "pull secret: fake-world (stale) did not start"; fi
else
	bad "pull secret: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"
fi
# The registry served manifests to acr-doctor (its user agent in the log).
grep -q 'uri=/v2/shop/web/manifests/1.4.2' "$R/registry.log" && ok ||
	bad "registry.log shows no request for shop/web:1.4.2"
grep -q 'uri=/v2/shop/web/manifests/1.4.3' "$R/registry.log" && ok ||
	bad "registry.log shows no request for the missing tag 1.4.3"

"$REGS/stop.sh" "$R"
is 0 $? "registry stop"
finish
