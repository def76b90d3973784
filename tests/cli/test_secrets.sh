#!/bin/sh
# Secrets pasted in the forms people paste them come back masked from
# every output of the command line: explain (text and JSON) and diagnose
# (text and JSON, the evidence of an event that quotes them).
. "$(dirname "$0")/lib.sh"

b64=$(printf 'acrshop:S3cr3t-P4' | base64)
while IFS= read -r form; do
	[ -n "$form" ] || continue
	msg="$form 401 Unauthorized"
	for json in "" --json; do
		"$AD" explain $json "$msg" >"$TMPD/out" 2>&1
		lacks "$TMPD/out" "S3cr3t" "explain $json '$form'"
		contains "$TMPD/out" "***" "explain $json '$form'"
	done
done <<FORMS
docker login acrshop.azurecr.io -u acrshop -p S3cr3t-P1
az acr login --name acrshop --username acrshop -p S3cr3t-P1
az aks update -g rg -n aks --client-secret S3cr3t-P2
kubectl create secret docker-registry acr --docker-password S3cr3t-P3
GET /v2/ Basic $b64
client_secret: S3cr3t-P5
clientSecret: "S3cr3t-P5"
DefaultEndpointsProtocol=https;AccountName=st;AccountKey=S3cr3t-P6==;EndpointSuffix=core.windows.net
BlobEndpoint=https://st.blob.core.windows.net/;SharedAccessSignature=sv=2021-08-06&sig=S3cr3t-P7
Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJTM2NyM3QifQ.S3cr3t-P8
FORMS

# The same forms inside a pod's pull-failure event and a pasted message.
world="$DATA/scenarios/secret-event.json"
for json in "" --json; do
	"$AD" diagnose $json --scenario "$world" >"$TMPD/out" 2>&1
	[ $? -eq 1 ] && ok || bad "diagnose $json secret-event: exit status"
	contains "$TMPD/out" "aks.events" "diagnose $json secret-event"
	contains "$TMPD/out" "-p ***" "diagnose $json secret-event"
	lacks "$TMPD/out" "S3cr3t" "diagnose $json secret-event"
	lacks "$TMPD/out" "$b64" "diagnose $json secret-event"
done
"$AD" diagnose --json --scenario "$world" | python3 -c '
import json, sys
ev = [f for f in json.load(sys.stdin)["findings"] if f["check"] == "aks.events"]
assert ev, "no aks.events finding"
m = ev[0]["evidence"]["message"]
for want in ("-p ***", "--client-secret ***", "--docker-password ***",
             "Basic ***", "client_secret: ***", "AccountKey=***"):
    assert want in m, (want, m)
' && ok || bad "diagnose --json: evidence.message masks every form"
# A pull secret's password, asked at the (simulated) registry as kubelet
# asks it: never in diagnose's text, JSON or --debug output, nor its
# base64 user:password form.  The admin world's secret holds a stale
# password, the other file the current one, the third a service
# principal's secret.  The same for a Web App's registry settings: a
# stale and a current admin password, a service principal's secret.
SP_APP=9a4e7c2b-3f1d-4e68-b5a9-2d8c6f0e1b47
for world in aks-401-secret-admin-mismatch "$DATA/scenarios/aks-auth-secret-admin-ok.json" \
	aks-401-secret-sp-expired webapp-admin-mismatch \
	"$DATA/scenarios/webapp-admin-ok.json" "$DATA/scenarios/webapp-settings-sp-expired.json"; do
	for json in "" --json; do
		"$AD" diagnose $json --debug --scenario "$world" >"$TMPD/out" 2>&1
		contains "$TMPD/out" "registry" "diagnose $json $world"
		for p in Pm2Wq7Rt+ACRzX4vN9bK1cL6jH3sD8fG0yUeTaMo5iVw \
			Jr9Hw2Ez+ACRmT5bQ8vN1kY4pS7fC0gX3dLuWiVa6oBn \
			Xk8Q~vR3nT.wL5pZ2mJ9cF7hB0sD4gY6aE1uN-iO \
			Vq3Lx8TnR0wKj5PzYb7Hc2MfA9sDe4GuN1oQiX6tBk+ACRbZm2Wd \
			Yt4Gm9PaL2sXe7DkR0bNc5VjW1uQh8ZoF3iTy6Ms+ACRkLp3Cv \
			Qw8~Rt5Yu2Io9Pa6Sd3Fg0Hj7Kl4Zx1Cv8Bn5Mq; do
			lacks "$TMPD/out" "$p" "diagnose $json $world: a registry password"
		done
		for up in acrshop:Pm2Wq7Rt+ACRzX4vN9bK1cL6jH3sD8fG0yUeTaMo5iVw \
			acrshop:Jr9Hw2Ez+ACRmT5bQ8vN1kY4pS7fC0gX3dLuWiVa6oBn \
			acrshop:Vq3Lx8TnR0wKj5PzYb7Hc2MfA9sDe4GuN1oQiX6tBk+ACRbZm2Wd \
			acrshop:Yt4Gm9PaL2sXe7DkR0bNc5VjW1uQh8ZoF3iTy6Ms+ACRkLp3Cv \
			$SP_APP:Qw8~Rt5Yu2Io9Pa6Sd3Fg0Hj7Kl4Zx1Cv8Bn5Mq; do
			lacks "$TMPD/out" "$(printf %s "$up" | base64 -w0)" "diagnose $json $world: basic credentials"
		done
	done
	"$AD" diagnose --json --scenario "$world" 2>/dev/null | python3 -c '
import json, sys
a = [f["evidence"].get("registryAnswer") for f in json.load(sys.stdin)["findings"]
     if f["check"] in ("aks.401.secret-admin", "aks.401.secret-sp",
                       "webapp.unauthorized.admin")]
assert any(x and x.split(":")[0] in ("accepted", "refused") for x in a), a
' && ok || bad "diagnose --json $world: the registry was asked about the credentials"
done
finish
