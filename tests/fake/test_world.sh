#!/bin/sh
# The fake world over the wire, with the curl CLI through its proxy: tokens
# from its Entra ID, ARM / Graph / registry / Kubernetes answers of the
# scenario, default 404s, writes that change the world, reactions, dump,
# request log, start and stop.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

D=$TMPD/w
fw_start "$D" aks-401-vmss-identity-removed
pid=$(cat "$D/fake-world.pid")
kill -0 "$pid" 2>/dev/null && ok || bad "no server process $pid"
[ "$(stat -c %a "$D/env")" = 600 ] && ok || bad "env file mode $(stat -c %a "$D/env")"
grep -q '^export AZURE_CLIENT_SECRET=' "$D/env" && ok || bad "env: no AZURE_CLIENT_SECRET"
grep -q "^export KUBECONFIG='$D/kubeconfig'" "$D/env" && ok || bad "env: KUBECONFIG"
grep -q "^export AZURE_POD_IDENTITY_AUTHORITY_HOST='http://127.0.0.1:" "$D/env" && ok ||
	bad "env: AZURE_POD_IDENTITY_AUTHORITY_HOST"
contains "$D/kubeconfig" "server: https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443" "kubeconfig server"
contains "$D/kubeconfig" "certificate-authority-data: " "kubeconfig CA"

# A second start in the same DIR is refused.
expect_exit 2 "second start" -- "$FW" start aks-healthy "$D"
# A scenario that does not load: exit 2 and the reason.
expect_exit 2 "bad scenario" -- "$FW" start no-such-scenario "$TMPD/bad"
contains "$TMPD/err" "no built-in scenario named 'no-such-scenario'" "bad scenario message"
expect_exit 2 "bad fault rule" -- "$FW" start aks-healthy "$TMPD/bad" --fault 'do=explode'
contains "$TMPD/err" "do= must be" "bad fault message"
[ -e "$TMPD/bad/fake-world.pid" ] && bad "a refused start left a pid file" || ok

# --- Entra ID ---
is 401 "$(code -X POST "https://login.microsoftonline.com/$AZURE_TENANT_ID/oauth2/v2.0/token" \
	-d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" -d client_secret=wrong \
	-d scope=https://management.azure.com/.default)" "wrong client secret"
contains "$TMPD/body" '"error":"invalid_client"' "AADSTS error shape"
contains "$TMPD/body" 'AADSTS7000215' "AADSTS code"
is 400 "$(code -X POST "https://login.microsoftonline.com/$AZURE_TENANT_ID/oauth2/v2.0/token" \
	-d grant_type=client_credentials -d client_id=someone-else -d client_secret=x \
	-d scope=https://management.azure.com/.default)" "unknown client id"
AT=$(token https://management.azure.com)
[ -n "$AT" ] && ok || bad "no ARM token"
contains "$TMPD/tok.json" '"token_type":"Bearer"' "token response shape"
contains "$TMPD/tok.json" '"expires_in":' "token expires_in"
GT=$(token https://graph.microsoft.com)
# Device code sign-in: pending once, then a token.
is 200 "$(code -X POST "https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode" \
	-d "client_id=$AZURE_CLIENT_ID" -d scope=https://management.azure.com/.default)" "device code"
contains "$TMPD/body" '"verification_uri":"https://microsoft.com/devicelogin"' "device code shape"
DC=$(json "$TMPD/body" 'd["device_code"]')
is 400 "$(code -X POST "https://login.microsoftonline.com/organizations/oauth2/v2.0/token" \
	-d grant_type=urn:ietf:params:oauth:grant-type:device_code -d "client_id=$AZURE_CLIENT_ID" \
	-d "device_code=$DC")" "device code pending"
is authorization_pending "$(json "$TMPD/body" 'd["error"]')" "pending error"
is 200 "$(code -X POST "https://login.microsoftonline.com/organizations/oauth2/v2.0/token" \
	-d grant_type=urn:ietf:params:oauth:grant-type:device_code -d "client_id=$AZURE_CLIENT_ID" \
	-d "device_code=$DC")" "device code signed in"
DT=$(json "$TMPD/body" 'd["access_token"]')
is 200 "$(code -H "Authorization: Bearer $DT" "$REG")" "device code token on ARM"
# Secrets and tokens never reach the request log.
lacks "$D/requests.log" "$AZURE_CLIENT_SECRET" "client secret in the log"
lacks "$D/requests.log" "$AT" "token in the log"

# --- ARM ---
is 200 "$(code -H "Authorization: Bearer $AT" "$REG?api-version=2023-07-01")" "GET registry"
is acrshop.azurecr.io "$(json "$TMPD/body" 'd["properties"]["loginServer"]')" "registry body"
is 401 "$(code "$REG?api-version=2023-07-01")" "GET without a token"
is AuthenticationFailed "$(json "$TMPD/body" 'd["error"]["code"]')" "401 body"
c -D "$TMPD/h" -o /dev/null "$REG?api-version=2023-07-01"
grep -qi '^WWW-Authenticate: Bearer authorization_uri=' "$TMPD/h" && ok || bad "401 WWW-Authenticate"
is 401 "$(code -H "Authorization: Bearer not-a-token" "$REG")" "GET with a made-up token"
is InvalidAuthenticationToken "$(json "$TMPD/body" 'd["error"]["code"]')" "invalid token code"
is 401 "$(code -H "Authorization: Bearer $GT" "$REG")" "Graph token on ARM"
is InvalidAuthenticationTokenAudience "$(json "$TMPD/body" 'd["error"]["code"]')" "audience code"
is 404 "$(code -H "Authorization: Bearer $AT" "$ARM/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/nope?api-version=1")" "missing registry"
is ResourceNotFound "$(json "$TMPD/body" 'd["error"]["code"]')" "ARM 404 code"
is "The Resource '/subscriptions/$SUB/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/nope' was not found." \
	"$(json "$TMPD/body" 'd["error"]["message"]')" "ARM 404 message"
# Host names are case-insensitive, the query is ignored.
is 200 "$(code -H "Authorization: Bearer $AT" "https://MANAGEMENT.azure.com/subscriptions/$SUB/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop?x=1")" "host case"

# --- ARM listings a client uses to find the cluster's subscription and group ---
is 200 "$(code -H "Authorization: Bearer $AT" "https://management.azure.com/subscriptions?api-version=2022-12-01")" "subscriptions"
is "$SUB Enabled $AZURE_TENANT_ID" "$(json "$TMPD/body" '" ".join((d["value"][0]["subscriptionId"], d["value"][0]["state"], d["value"][0]["tenantId"]))')" "subscription list"
is 200 "$(code -H "Authorization: Bearer $AT" "$ARM/providers/Microsoft.ContainerService/managedClusters?api-version=2025-10-01")" "clusters of the subscription"
is "['/subscriptions/$SUB/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop']" \
	"$(json "$TMPD/body" '[v["id"] for v in d["value"]]')" "cluster list"
is 200 "$(code -H "Authorization: Bearer $AT" "$ARM/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries")" "registries of a group"
is acrshop "$(json "$TMPD/body" '",".join(v["name"] for v in d["value"])')" "registry list"
is 404 "$(code -H "Authorization: Bearer $AT" "$ARM/resourceGroups/rg-none")" "missing group"
is ResourceGroupNotFound "$(json "$TMPD/body" 'd["error"]["code"]')" "missing group code"
is 404 "$(code -H "Authorization: Bearer $AT" "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups")" "unknown subscription"
is SubscriptionNotFound "$(json "$TMPD/body" 'd["error"]["code"]')" "unknown subscription code"
is 200 "$(code -X POST -H "Authorization: Bearer $AT" "$ARM/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop/listClusterUserCredential?api-version=2025-10-01")" "cluster user credential"
python3 -c 'import base64,json,sys; sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1]))["kubeconfigs"][0]["value"]))' "$TMPD/body" >"$TMPD/kc"
cmp -s "$TMPD/kc" "$D/kubeconfig" && ok || bad "listClusterUserCredential is not DIR/kubeconfig"

# --- Graph ---
is 404 "$(code -H "Authorization: Bearer $GT" "https://graph.microsoft.com/v1.0/servicePrincipals(appId='00000000-0000-0000-0000-000000000000')")" "Graph 404"
is Request_ResourceNotFound "$(json "$TMPD/body" 'd["error"]["code"]')" "Graph 404 code"
is 401 "$(code "https://graph.microsoft.com/v1.0/applications")" "Graph without a token"
is InvalidAuthenticationToken "$(json "$TMPD/body" 'd["error"]["code"]')" "Graph 401 code"

# --- registry ---
is 401 "$(c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' https://acrshop.azurecr.io/v2/)" "/v2/ challenge"
contains "$TMPD/h" 'Bearer realm="https://acrshop.azurecr.io/oauth2/token",service="acrshop.azurecr.io"' "challenge header"
is 401 "$(code -X POST https://acrshop.azurecr.io/oauth2/exchange -d grant_type=access_token \
	-d service=acrshop.azurecr.io -d access_token=forged)" "exchange of a token it did not issue"
is UNAUTHORIZED "$(json "$TMPD/body" 'd["errors"][0]["code"]')" "exchange refusal body"
is 200 "$(code -X POST https://acrshop.azurecr.io/oauth2/exchange -d grant_type=access_token \
	-d service=acrshop.azurecr.io --data-urlencode "access_token=$AT")" "exchange of its ARM token"
json "$TMPD/body" 'd["refresh_token"]' >/dev/null && ok || bad "no refresh_token"
is 200 "$(code -I https://acrshop.azurecr.io/v2/shop/web/manifests/1.4.2)" "HEAD manifest from GET"
is 404 "$(code https://acrshop.azurecr.io/v2/shop/web/manifests/9.9.9)" "missing tag"
is MANIFEST_UNKNOWN "$(json "$TMPD/body" 'd["errors"][0]["code"]')" "registry 404 code"
is NAME_UNKNOWN "$(code https://acrshop.azurecr.io/v2/nope/tags/list >/dev/null; json "$TMPD/body" 'd["errors"][0]["code"]')" "registry NAME_UNKNOWN"

# --- Kubernetes ---
KT=$(sed -n 's/^ *token: //p' "$D/kubeconfig")
is 200 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/namespaces/default/pods/web-7d4b9c-x2x4q")" "kube GET pod"
is Pod "$(json "$TMPD/body" 'd["kind"]')" "pod kind"
is 401 "$(code "$KUBE/api/v1/namespaces/default/pods/web-7d4b9c-x2x4q")" "kube without token"
is Unauthorized "$(json "$TMPD/body" 'd["reason"]')" "kube 401 Status"
is 404 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/namespaces/default/pods/nope")" "kube missing pod"
is NotFound "$(json "$TMPD/body" 'd["reason"]')" "kube 404 Status"
is 200 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DPod,involvedObject.name%3Dweb-7d4b9c-x2x4q")" "events by selector"
n=$(json "$TMPD/body" 'len(d["items"])')
[ "$n" -gt 0 ] && ok || bad "no events for the pod"
is 0 "$(json "$TMPD/body" 'sum(1 for e in d["items"] if e["involvedObject"]["name"] != "web-7d4b9c-x2x4q")')" "selector filters"
is 200 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/pods")" "all-namespace pod list"
is web-7d4b9c-x2x4q "$(json "$TMPD/body" 'd["items"][0]["metadata"]["name"]')" "pod list made of the pods"

# Strategic merge patch merges containers by name; a JSON merge patch replaces the list.
DEP=$KUBE/apis/apps/v1/namespaces/default/deployments/web
is 200 "$(code -X PATCH -H "Authorization: Bearer $KT" -H 'Content-Type: application/strategic-merge-patch+json' \
	-d '{"spec":{"template":{"spec":{"containers":[{"name":"web","imagePullPolicy":"Always"}]}}}}' "$DEP")" "strategic merge patch"
is "Always acrshop.azurecr.io/shop/web:1.4.2" "$(json "$TMPD/body" 'd["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] + " " + d["spec"]["template"]["spec"]["containers"][0]["image"]')" "container merged by name"
is 200 "$(code -X PATCH -H "Authorization: Bearer $KT" -H 'Content-Type: application/merge-patch+json' \
	-d '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"}}}}}' "$DEP")" "merge patch"
is "linux 1" "$(json "$TMPD/body" 'd["spec"]["template"]["spec"]["nodeSelector"]["kubernetes.io/os"] + " " + str(len(d["spec"]["template"]["spec"]["containers"]))')" "nodeSelector merged"
is 415 "$(code -X PATCH -H "Authorization: Bearer $KT" -H 'Content-Type: application/json-patch+json' -d '[]' "$DEP")" "JSON patch refused"

# --- writes change the world ---
RA=$REG/providers/Microsoft.Authorization/roleAssignments/3a4b5c6d-0000-4000-8000-000000000001
is 404 "$(code -H "Authorization: Bearer $AT" "$RA?api-version=2022-04-01")" "no role assignment yet"
is 201 "$(code -X PUT -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' \
	-d '{"properties":{"roleDefinitionId":"/subscriptions/'$SUB'/providers/Microsoft.Authorization/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d","principalId":"fa11fa11-0000-4000-8000-000000000001"}}' \
	"$RA?api-version=2022-04-01")" "PUT role assignment"
is 200 "$(code -H "Authorization: Bearer $AT" "$RA?api-version=2022-04-01")" "GET sees the PUT"
is 3a4b5c6d-0000-4000-8000-000000000001 "$(json "$TMPD/body" 'd["name"]')" "name filled in"
is 200 "$(code -H "Authorization: Bearer $AT" "$REG/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01")" "list"
is 1 "$(json "$TMPD/body" 'sum(1 for a in d["value"] if a["properties"]["principalId"] == "fa11fa11-0000-4000-8000-000000000001")')" "parent collection has it"
# The same role for the same principal under another name: ARM's 409.
is 409 "$(code -X PUT -H "Authorization: Bearer $AT" -H 'Content-Type: application/json' \
	-d '{"properties":{"roleDefinitionId":"/subscriptions/'$SUB'/providers/Microsoft.Authorization/roleDefinitions/7F951DDA-4ED3-4680-A7CA-43FE172D538D","principalId":"FA11FA11-0000-4000-8000-000000000001"}}' \
	"$REG/providers/Microsoft.Authorization/roleAssignments/3a4b5c6d-0000-4000-8000-000000000009?api-version=2022-04-01")" "duplicate role assignment"
is RoleAssignmentExists "$(json "$TMPD/body" 'd["error"]["code"]')" "409 code"
is 404 "$(code -H "Authorization: Bearer $AT" "$REG/providers/Microsoft.Authorization/roleAssignments/3a4b5c6d-0000-4000-8000-000000000009")" "duplicate not stored"
is 200 "$(code -X PUT -H "Authorization: Bearer $AT" -d '{"properties":{"principalId":"x"}}' "$RA")" "PUT again replaces"
is 400 "$(code -X PUT -H "Authorization: Bearer $AT" -d '[1,2' "$RA")" "PUT of broken JSON"
is InvalidRequestContent "$(json "$TMPD/body" 'd["error"]["code"]')" "400 code"
is 200 "$(code -X DELETE -H "Authorization: Bearer $AT" "$RA")" "DELETE"
is 404 "$(code -H "Authorization: Bearer $AT" "$RA")" "gone after DELETE"
is 0 "$(code -H "Authorization: Bearer $AT" "$REG/providers/Microsoft.Authorization/roleAssignments" >/dev/null; json "$TMPD/body" 'sum(1 for a in d["value"] if a["id"].endswith("3a4b5c6d-0000-4000-8000-000000000001"))')" "gone from the collection"
is 200 "$(code -X PATCH -H "Authorization: Bearer $AT" -d '{"properties":{"networkRuleSet":{"defaultAction":"Deny"}}}' "$REG?api-version=2023-07-01")" "PATCH registry"
is Deny "$(json "$TMPD/body" 'd["properties"]["networkRuleSet"]["defaultAction"]')" "PATCH answer merged"
is acrshop.azurecr.io "$(json "$TMPD/body" 'd["properties"]["loginServer"]')" "PATCH keeps the rest"
is 404 "$(code -X PATCH -H "Authorization: Bearer $AT" -d '{}' "$ARM/resourceGroups/rg-x/providers/Microsoft.ContainerRegistry/registries/none")" "PATCH of nothing"

# --- reactions: PUT of the cluster puts the kubelet identity back on the VMSS ---
VMSS=$ARM/resourceGroups/MC_rg-shop_aks-shop_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets
MC=$ARM/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop
code -H "Authorization: Bearer $AT" "$VMSS" >/dev/null
is 0 "$(json "$TMPD/body" 'sum(len((v.get("identity") or {}).get("userAssignedIdentities") or {}) for v in d["value"])')" "identity removed before"
code -H "Authorization: Bearer $AT" "$MC" >/dev/null
cp "$TMPD/body" "$TMPD/mc.json"
is 200 "$(code -X PUT -H "Authorization: Bearer $AT" --data-binary @"$TMPD/mc.json" "$MC?api-version=2025-10-01")" "PUT cluster (reconcile)"
code -H "Authorization: Bearer $AT" "$VMSS" >/dev/null
n=$(json "$TMPD/body" 'sum(len((v.get("identity") or {}).get("userAssignedIdentities") or {}) for v in d["value"])')
[ "$n" -gt 0 ] && ok || bad "reaction did not restore the identity"

# --- dump: the world as JSON, with the changes ---
"$FW" dump "$D" >"$TMPD/dump.json" && ok || bad "dump failed"
is Deny "$(json "$TMPD/dump.json" '[e for e in d["http"] if e["method"]=="GET" and e["url"].endswith("/registries/acrshop")][0]["body"]["properties"]["networkRuleSet"]["defaultAction"]')" "dump shows the PATCH"
is "dict" "$(json "$TMPD/dump.json" 'type(d["hosts"]).__name__')" "dump shape"

# --- token expiry mid-session ---
"$FW" expire-tokens "$D" && ok || bad "expire-tokens failed"
is 401 "$(code -H "Authorization: Bearer $AT" "$REG")" "expired token"
is ExpiredAuthenticationToken "$(json "$TMPD/body" 'd["error"]["code"]')" "expired code"
AT=$(token https://management.azure.com)
is 200 "$(code -H "Authorization: Bearer $AT" "$REG")" "new token works"

# --- the request log ---
"$FW" log "$D" >"$TMPD/log"
contains "$TMPD/log" "GET $REG?api-version=2023-07-01 200 " "log line"
contains "$TMPD/log" "PUT $RA?api-version=2022-04-01 201 " "log of the PUT"
contains "$TMPD/log" " auth=expired" "log note"
lacks "$TMPD/log" "$AT" "token in the log"
lacks "$D/fake-world.log" "$AZURE_CLIENT_SECRET" "secret in the server's own log"

# --- stop: exactly what start started ---
port=${HTTPS_PROXY##*:}
"$FW" stop "$D" && ok || bad "stop failed"
i=0
while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
	bad "server $pid still runs"
else ok; fi
[ -e "$D/fake-world.pid" ] && bad "pid file left" || ok
c -o /dev/null "$REG" 2>/dev/null && bad "proxy port $port still answers" || ok
expect_exit 1 "stop again" -- "$FW" stop "$D"

# A server whose DIR is removed stops by itself.
fw_start "$TMPD/gone" aks-healthy
pid=$(cat "$TMPD/gone/fake-world.pid")
rm -rf "$TMPD/gone"
i=0
while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] && [ $i -lt 100 ]; do
	sleep 0.05; i=$((i + 1))
done
if kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]; then
	bad "server $pid outlived its DIR"; kill "$pid"
else ok; fi
finish
