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
finish
