#!/bin/sh
# The fake world's options, seen with curl: unreachable hosts answered the
# way squid answers them, a certificate of another CA, ARM pagination,
# long-running operations (one that fails), injected faults (429 with
# Retry-After, 503 bursts, truncated and invalid JSON, reset, 403 on a
# write), latency, managed identity and workload identity credentials.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

cat >"$TMPD/hosts.json" <<'EOF'
{"format": "acr-doctor-scenario/1", "name": "fake-hosts", "base": "aks-healthy",
 "summary": "hosts that do not answer",
 "expect": {"cause": null, "failing": []},
 "hosts": {"acrshop.azurecr.io": "timeout", "graph.microsoft.com": "refused",
           "other.azurecr.io": "dns"}}
EOF
fw_start "$TMPD/a" "$TMPD/hosts.json" --page-size 1 --lro --lro-fail '*/registries/acrshop' \
	--fault 'do=status:429,retry-after=7,url=*/eventtypes/*,nth=2' \
	--fault 'do=status:503,count=2,url=*/virtualNetworkPeerings' \
	--fault 'do=truncate,url=*/subnets/snet-aks' \
	--fault 'do=invalid,url=*/agentPools' \
	--fault 'do=reset,url=https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443/api/v1/nodes' \
	--fault 'do=deny,url=*/roleAssignments/*' \
	--fault 'do=deny,url=*/deployments/web' \
	--fault 'do=close,url=*/api/v1/namespaces/default/secrets' \
	--fault 'do=partial,url=*/routeTables/rt-aks' \
	--fault 'do=delay:300,url=*/managedClusters/aks-shop' \
	--wrong-ca wrong.azurecr.io

# --- unreachable hosts: squid's answers to CONNECT ---
c -o /dev/null https://acrshop.azurecr.io/v2/ 2>"$TMPD/err"
is 56 $? "timeout host: curl exit"
contains "$TMPD/err" "CONNECT tunnel failed, response 504" "timeout host"
c -o /dev/null https://graph.microsoft.com/v1.0/ 2>"$TMPD/err"
is 56 $? "refused host: curl exit"
contains "$TMPD/err" "CONNECT tunnel failed, response 503" "refused host"
c -o /dev/null https://other.azurecr.io/v2/ 2>"$TMPD/err"
is 56 $? "dns host: curl exit"
# The squid error names the cause.
printf 'CONNECT acrshop.azurecr.io:443 HTTP/1.1\r\nHost: acrshop.azurecr.io:443\r\n\r\n' >"$TMPD/req"
python3 - "${HTTPS_PROXY##*:}" "$TMPD/req" >"$TMPD/squid" <<'EOF'
import socket, sys
for host in ("acrshop.azurecr.io", "graph.microsoft.com", "other.azurecr.io"):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(("CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\n\r\n" % (host, host)).encode())
    data = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
    s.close()
    head = data.split(b"\r\n\r\n")[0].decode()
    print(host, head.split("\r\n")[0], [l for l in head.split("\r\n") if l.startswith("X-Squid-Error")])
EOF
contains "$TMPD/squid" "acrshop.azurecr.io HTTP/1.1 504 Gateway Timeout ['X-Squid-Error: ERR_CONNECT_FAIL 110']" "squid timeout"
contains "$TMPD/squid" "graph.microsoft.com HTTP/1.1 503 Service Unavailable ['X-Squid-Error: ERR_CONNECT_FAIL 111']" "squid refused"
contains "$TMPD/squid" "other.azurecr.io HTTP/1.1 503 Service Unavailable ['X-Squid-Error: ERR_DNS_FAIL 0']" "squid dns"
contains "$FWD/requests.log" "CONNECT acrshop.azurecr.io:443 504 0 hosts=timeout" "refused tunnel logged"

# --- a certificate from another CA is refused by the client ---
c -o /dev/null https://wrong.azurecr.io/v2/ 2>"$TMPD/err"
is 60 $? "wrong CA: curl exit"
# A host the scenario never names still gets a valid certificate (and a 404).
is 404 "$(code https://unknown.azurecr.io/v2/x/manifests/y)" "unknown host"

AT=$(token https://management.azure.com)
H="Authorization: Bearer $AT"

# --- pagination ---
U="$REG/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01"
pages=0 total=0
while [ -n "$U" ] && [ $pages -lt 10 ]; do
	is 200 "$(code -H "$H" "$U")" "page $pages"
	total=$((total + $(json "$TMPD/body" 'len(d["value"])')))
	U=$(json "$TMPD/body" 'd.get("nextLink", "")')
	pages=$((pages + 1))
done
[ "$pages" -ge 2 ] && ok || bad "no second page ($pages pages)"
is "$pages" "$total" "one item per page"
grep -q 'roleAssignments?api-version=2022-04-01&%24skiptoken=1 200' "$FWD/requests.log" && ok || bad "nextLink not followed"

# --- long-running operations ---
LINK=$ARM/resourceGroups/rg-shop/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/link-aks
is 201 "$(c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' -X PUT -H "$H" \
	-d '{"location":"global","properties":{"registrationEnabled":false}}' "$LINK?api-version=2024-06-01")" "LRO PUT"
is Creating "$(json "$TMPD/body" 'd["properties"]["provisioningState"]')" "LRO provisioningState"
AO=$(sed -n 's/^[Aa]zure-[Aa]sync[Oo]peration: //p' "$TMPD/h" | tr -d '\r')
LO=$(sed -n 's/^[Ll]ocation: //p' "$TMPD/h" | tr -d '\r')
case $AO in https://management.azure.com/subscriptions/$SUB/providers/Microsoft.Network/locations/*/operationStatuses/*) ok ;; *) bad "Azure-AsyncOperation '$AO'" ;; esac
[ -n "$LO" ] && ok || bad "no Location"
is 404 "$(code -H "$H" "$LINK")" "not there while running"
is InProgress "$(code -H "$H" "$AO" >/dev/null; json "$TMPD/body" 'd["status"]')" "poll 1"
is 202 "$(code -H "$H" "$LO")" "Location poll while running"
is Succeeded "$(code -H "$H" "$AO" >/dev/null; json "$TMPD/body" 'd["status"]')" "poll 3"
is 200 "$(code -H "$H" "$LINK")" "there when done"
is 200 "$(code -H "$H" "$LO")" "Location when done"
is 202 "$(c -D "$TMPD/h" -o /dev/null -w '%{http_code}' -X PATCH -H "$H" \
	-d '{"properties":{"publicNetworkAccess":"Disabled"}}' "$REG?api-version=2023-07-01")" "LRO PATCH"
AO=$(sed -n 's/^[Aa]zure-[Aa]sync[Oo]peration: //p' "$TMPD/h" | tr -d '\r')
st=InProgress i=0
while [ "$st" = InProgress ] && [ $i -lt 10 ]; do
	code -H "$H" "$AO" >/dev/null; st=$(json "$TMPD/body" 'd["status"]'); i=$((i + 1))
done
is Failed "$st" "--lro-fail"
json "$TMPD/body" 'd["error"]["code"]' >/dev/null && ok || bad "failed operation has no error"
code -H "$H" "$REG" >/dev/null
is Enabled "$(json "$TMPD/body" 'd["properties"]["publicNetworkAccess"]')" "a failed operation changes nothing"

# --- faults ---
EV="$ARM/providers/Microsoft.Insights/eventtypes/management/values?api-version=2015-04-01"
is 200 "$(code -H "$H" "$EV")" "1st eventtypes"
is 429 "$(c -D "$TMPD/h" -o "$TMPD/body" -w '%{http_code}' -H "$H" "$EV")" "2nd eventtypes throttled"
grep -qi '^Retry-After: 7' "$TMPD/h" && ok || bad "no Retry-After: 7"
is TooManyRequests "$(json "$TMPD/body" 'd["error"]["code"]')" "429 body"
is 200 "$(code -H "$H" "$EV")" "3rd eventtypes"
PEER="$ARM/resourceGroups/rg-shop/providers/Microsoft.Network/virtualNetworks/vnet-shop/virtualNetworkPeerings"
is 503 "$(code -H "$H" "$PEER")" "503 burst 1"
is ServiceUnavailable "$(json "$TMPD/body" 'd["error"]["code"]')" "503 body"
is 503 "$(code -H "$H" "$PEER")" "503 burst 2"
is 200 "$(code -H "$H" "$PEER")" "after the burst"
is 200 "$(code -H "$H" "$ARM/resourceGroups/rg-shop/providers/Microsoft.Network/virtualNetworks/vnet-shop/subnets/snet-aks")" "truncated"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMPD/body" 2>/dev/null && bad "truncated body parses" || ok
is 200 "$(code -H "$H" "$ARM/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop/agentPools")" "invalid"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMPD/body" 2>/dev/null && bad "invalid body parses" || ok
KT=$(sed -n 's/^ *token: //p' "$FWD/kubeconfig")
c -o /dev/null -H "Authorization: Bearer $KT" "$KUBE/api/v1/nodes" 2>"$TMPD/err"
is 56 $? "reset: curl exit"
contains "$TMPD/err" "reset" "reset message"
is 200 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/nodes")" "after the reset"
c -o /dev/null -H "Authorization: Bearer $KT" "$KUBE/api/v1/namespaces/default/secrets" 2>"$TMPD/err"
is 52 $? "close: curl exit"
c -o /dev/null -H "$H" "$ARM/resourceGroups/rg-shop/providers/Microsoft.Network/routeTables/rt-aks" 2>"$TMPD/err"
is 18 $? "partial: curl exit"
t0=$(date +%s%N)
is 200 "$(code -H "$H" "$ARM/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop")" "delay"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 300 ] && ok || bad "delay: answered in $ms ms"
is 403 "$(code -X PATCH -H "Authorization: Bearer $KT" -H 'Content-Type: application/strategic-merge-patch+json' \
	-d '{"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"}}}}}' \
	"$KUBE/apis/apps/v1/namespaces/default/deployments/web")" "kube deny"
is "Forbidden 403" "$(json "$TMPD/body" 'd["reason"] + " " + str(d["code"])')" "kube Forbidden Status"
contains "$TMPD/body" 'cannot patch resource \"deployments\" in API group \"apps\" in the namespace \"default\"' "kube Forbidden message"
RA=$REG/providers/Microsoft.Authorization/roleAssignments/3a4b5c6d-0000-4000-8000-000000000002
is 200 "$(code -H "$H" "$REG/providers/Microsoft.Authorization/roleAssignments")" "deny leaves reads alone"
is 403 "$(code -X PUT -H "$H" -d '{"properties":{}}' "$RA?api-version=2022-04-01")" "deny a write"
is AuthorizationFailed "$(json "$TMPD/body" 'd["error"]["code"]')" "403 code"
contains "$TMPD/body" "perform action 'Microsoft.Authorization/roleAssignments/write' over scope '/subscriptions/$SUB/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop/providers/Microsoft.Authorization/roleAssignments/3a4b5c6d-0000-4000-8000-000000000002'" "403 names action and scope"
is 404 "$(code -H "$H" "$RA")" "denied write changed nothing"
# Entra ID replication delay: PrincipalNotFound twice, then the write goes through.
"$FW" fault "$FWD" 'do=status:400,code=PrincipalNotFound,count=2,method=PUT,url=*/privateDnsZones/*' && ok || bad "code fault"
Z=$ARM/resourceGroups/rg-shop/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io/virtualNetworkLinks/link-2
is 400 "$(code -X PUT -H "$H" -d '{"location":"global"}' "$Z")" "PrincipalNotFound 1"
is PrincipalNotFound "$(json "$TMPD/body" 'd["error"]["code"]')" "PrincipalNotFound code"
contains "$TMPD/body" "replication delay" "PrincipalNotFound message"
is 400 "$(code -X PUT -H "$H" -d '{"location":"global"}' "$Z")" "PrincipalNotFound 2"
is 201 "$(code -X PUT -H "$H" -d '{"location":"global"}' "$Z")" "then the write"
# Reads refused as the services word it: ARM names the read action and
# the scope; the API server names the verb RBAC checks (list for a
# collection, get for one object), the object only when there is one,
# and the namespace or the cluster scope.
"$FW" fault "$FWD" 'do=deny,method=GET,url=*/registries/acrshop/privateEndpointConnections' && ok || bad "ARM read deny rule"
is 403 "$(code -H "$H" "$REG/privateEndpointConnections?api-version=2021-09-01")" "ARM read deny"
contains "$TMPD/body" "perform action 'Microsoft.ContainerRegistry/registries/privateEndpointConnections/read' over scope '/subscriptions/$SUB/resourceGroups/rg-registry/providers/Microsoft.ContainerRegistry/registries/acrshop/privateEndpointConnections'" "ARM read deny: the read action and the scope"
"$FW" fault "$FWD" 'do=deny,method=GET,url=*/api/v1/namespaces/default/events' && ok || bad "kube list deny rule"
is 403 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/namespaces/default/events")" "kube list deny"
is 'events is forbidden: User "'"$AZURE_CLIENT_ID"'" cannot list resource "events" in API group "" in the namespace "default"' \
	"$(json "$TMPD/body" 'd["message"]')" "kube list deny: the message"
"$FW" fault "$FWD" 'do=deny,method=GET,url=*/api/v1/namespaces/default/pods/web-7d4b9c-x2x4q' && ok || bad "kube get deny rule"
is 403 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/namespaces/default/pods/web-7d4b9c-x2x4q")" "kube get deny"
is 'pods "web-7d4b9c-x2x4q" is forbidden: User "'"$AZURE_CLIENT_ID"'" cannot get resource "pods" in API group "" in the namespace "default"' \
	"$(json "$TMPD/body" 'd["message"]')" "kube get deny: the message"
"$FW" fault "$FWD" 'do=deny,method=GET,url=*/api/v1/nodes' && ok || bad "kube cluster deny rule"
is 403 "$(code -H "Authorization: Bearer $KT" "$KUBE/api/v1/nodes")" "kube cluster-scope deny"
is 'nodes is forbidden: User "'"$AZURE_CLIENT_ID"'" cannot list resource "nodes" in API group "" at the cluster scope' \
	"$(json "$TMPD/body" 'd["message"]')" "kube cluster-scope deny: the message"
# A rule added while running.
"$FW" fault "$FWD" 'do=status:500,url=*/registries/acrshop' && ok || bad "fault command"
is 500 "$(code -H "$H" "$REG")" "runtime fault"
is 200 "$(code -H "$H" "$REG")" "runtime fault once"
expect_exit 1 "bad fault rule" -- "$FW" fault "$FWD" 'do=explode'
contains "$FWD/requests.log" "fault=status:429" "faults logged"
# A tunnel refused once (a transient network failure), then fine.
"$FW" fault "$FWD" 'do=refused,url=https://wrong2.azurecr.io/*,count=2' && ok || bad "connect fault"
c -o /dev/null https://wrong2.azurecr.io/v2/ 2>"$TMPD/err"
is 56 $? "refused tunnel 1"
c -o /dev/null https://wrong2.azurecr.io/v2/ 2>"$TMPD/err"
is 56 $? "refused tunnel 2"
is 404 "$(code https://wrong2.azurecr.io/v2/x/manifests/y)" "tunnel after the fault"
contains "$FWD/requests.log" "CONNECT wrong2.azurecr.io:443 503 0 fault=refused" "connect fault logged"

# --- managed identity (App Service) and latency ---
fw_start "$TMPD/b" aks-healthy --auth mi --latency-ms 150
case $IDENTITY_ENDPOINT in http://127.0.0.1:*/msi/token) ok ;; *) bad "IDENTITY_ENDPOINT=$IDENTITY_ENDPOINT" ;; esac
[ -z "${AZURE_CLIENT_SECRET:-}" ] && ok || bad "AZURE_CLIENT_SECRET set with --auth mi"
is 401 "$(curl -sS --noproxy '*' -o "$TMPD/body" -w '%{http_code}' "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://management.azure.com/")" "MI without header"
is 200 "$(curl -sS --noproxy '*' -o "$TMPD/body" -w '%{http_code}' -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?api-version=2019-08-01&resource=https://management.azure.com/")" "MI token"
MT=$(json "$TMPD/body" 'd["access_token"]')
json "$TMPD/body" 'int(d["expires_on"])' >/dev/null && ok || bad "MI expires_on"
is 400 "$(curl -sS --noproxy '*' -o "$TMPD/body" -w '%{http_code}' -H 'Metadata: true' "$AZURE_POD_IDENTITY_AUTHORITY_HOST/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")" "IMDS has no identity"
t0=$(date +%s%N)
is 200 "$(code -H "Authorization: Bearer $MT" "$REG")" "MI token on ARM"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 150 ] && ok || bad "latency: answered in $ms ms"

# --- IMDS (AZURE_POD_IDENTITY_AUTHORITY_HOST) ---
fw_start "$TMPD/i" aks-healthy --auth imds
is 400 "$(curl -sS --noproxy '*' -o "$TMPD/body" -w '%{http_code}' "$AZURE_POD_IDENTITY_AUTHORITY_HOST/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")" "IMDS without Metadata header"
is 200 "$(curl -sS --noproxy '*' -o "$TMPD/body" -w '%{http_code}' -H 'Metadata: true' "$AZURE_POD_IDENTITY_AUTHORITY_HOST/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/")" "IMDS token"
IT=$(json "$TMPD/body" 'd["access_token"]')
is 200 "$(code -H "Authorization: Bearer $IT" "$REG")" "IMDS token on ARM"

# --- workload identity (federated assertion) ---
fw_start "$TMPD/c" aks-healthy --auth workload --token-ttl 1
[ -r "$AZURE_FEDERATED_TOKEN_FILE" ] && ok || bad "no AZURE_FEDERATED_TOKEN_FILE"
TU="https://login.microsoftonline.com/$AZURE_TENANT_ID/oauth2/v2.0/token"
is 200 "$(code -X POST "$TU" -d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" \
	-d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
	--data-urlencode "client_assertion=$(cat "$AZURE_FEDERATED_TOKEN_FILE")" \
	-d scope=https://management.azure.com/.default)" "federated assertion"
WT=$(json "$TMPD/body" 'd["access_token"]')
is 401 "$(code -X POST "$TU" -d grant_type=client_credentials -d "client_id=$AZURE_CLIENT_ID" \
	-d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
	-d client_assertion=eyJforged -d scope=https://management.azure.com/.default)" "forged assertion"
contains "$TMPD/body" "AADSTS700213" "assertion error"
# --token-ttl 1: the token stops working by itself.
i=0
while [ "$(code -H "Authorization: Bearer $WT" "$REG")" = 200 ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
is ExpiredAuthenticationToken "$(json "$TMPD/body" 'd["error"]["code"]')" "token ttl"
finish
