#!/bin/sh
# The fake world answers like acr-doctor's simulated world: for every
# built-in scenario, the same requests (every entry, HEAD, missing URLs,
# writes to new and existing resources, the scenario's own writes and
# reactions) sent to both give the same statuses, bodies, headers and, at
# the end, the same world.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

SIMREPLAY=${SIMREPLAY:-./fake/simreplay}
[ -x "$SIMREPLAY" ] || { echo "FAIL: $SIMREPLAY not built"; exit 1; }
REPLAY="python3 $TOP/tests/fake/replay.py"

n=0
for f in "$TOP"/data/scenarios/*.json; do
	sc=$(basename "$f" .json)
	n=$((n + 1))
	$REPLAY gen "$sc" >"$TMPD/$sc.req" || { bad "$sc: gen"; continue; }
	[ -s "$TMPD/$sc.req" ] && ok || bad "$sc: no requests"
	"$SIMREPLAY" "$sc" "$TMPD/$sc.req" >"$TMPD/$sc.sim" 2>"$TMPD/err" && ok ||
		{ bad "$sc: simreplay"; sed 's/^/  | /' "$TMPD/err" | head -5; }
	D=$TMPD/w-$sc
	fw_start "$D" "$sc"
	$REPLAY send "$D" "$TMPD/$sc.req" >"$TMPD/$sc.fake" 2>"$TMPD/err" && ok ||
		{ bad "$sc: send"; sed 's/^/  | /' "$TMPD/err" | tail -5; }
	"$FW" stop "$D"
	if $REPLAY compare "$TMPD/$sc.sim" "$TMPD/$sc.fake" "$TMPD/$sc.req" >"$TMPD/cmp" 2>&1; then
		ok
	else
		bad "$sc: the fake world answers differently"; sed 's/^/  | /' "$TMPD/cmp" | head -20
	fi
done
[ "$n" -ge 20 ] && ok || bad "only $n scenarios"

# Strategic merge patches (what node-selector and pull-policy send, and
# what kubectl patch --type strategic sends): containers and
# initContainers merged by name, a new name appended, maps merged, null
# deleting, a directive or an element without its name refused (400), a
# JSON patch refused (415): the same answers and the same world.
K=https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io:443
DEP=$K/apis/apps/v1/namespaces/default/deployments/web
CRON=$K/apis/batch/v1/namespaces/default/cronjobs/report
SMP=application/strategic-merge-patch+json
python3 - "$DEP" "$CRON" "$SMP" >"$TMPD/smp.req" <<'EOF'
import json, sys
dep, cron, smp = sys.argv[1:4]
def t(inner):
    return {"spec": {"template": {"spec": inner}}}
def rq(url, body, ct=smp, method="PATCH"):
    print(json.dumps({"method": method, "url": url, "contentType": ct,
                      "body": body if isinstance(body, str) else json.dumps(body)}))
rq(dep, t({"containers": [{"name": "web", "imagePullPolicy": "Always"}]}))
rq(dep, t({"containers": [{"name": "side", "image": "side:1", "x": None}],
           "nodeSelector": {"kubernetes.io/os": "linux"}}))
rq(dep, t({"nodeSelector": {"agentpool": "np1"},
           "containers": [{"name": "web", "ports": None, "env": [{"name": "A", "value": "1"}]}]}))
rq(cron, {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
    "containers": [{"name": "report", "imagePullPolicy": "IfNotPresent"}],
    "initContainers": [{"name": "init", "image": "init:1"}]}}}}}})
rq(dep, t({"$patch": "replace"}))
rq(dep, t({"containers": [{"image": "nameless:1"}]}))
rq(dep, t({"containers": {"name": "web"}}))
rq(dep, '[{"op":"replace","path":"/spec/replicas","value":3}]', "application/json-patch+json")
rq(dep, t({"containers": [{"name": "only"}]}), "application/merge-patch+json")
print(json.dumps({"method": "GET", "url": dep, "body": None}))
print(json.dumps({"method": "GET", "url": cron, "body": None}))
EOF
[ "$(wc -l <"$TMPD/smp.req")" -eq 11 ] && ok || bad "strategic merge requests not written"
"$SIMREPLAY" aks-qps "$TMPD/smp.req" >"$TMPD/smp.sim" 2>"$TMPD/err" && ok ||
	{ bad "smp: simreplay"; sed 's/^/  | /' "$TMPD/err" | head -5; }
is "200 200 200 200 400 400 400 415 200 200 200" \
	"$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["status"]) for l in list(open(sys.argv[1]))[:-1]))' "$TMPD/smp.sim")" \
	"smp: the simulated world's statuses"
D=$TMPD/w-smp
fw_start "$D" aks-qps
$REPLAY send "$D" "$TMPD/smp.req" >"$TMPD/smp.fake" 2>"$TMPD/err" && ok ||
	{ bad "smp: send"; sed 's/^/  | /' "$TMPD/err" | tail -5; }
"$FW" stop "$D"
if $REPLAY compare "$TMPD/smp.sim" "$TMPD/smp.fake" "$TMPD/smp.req" >"$TMPD/cmp" 2>&1; then
	ok
else
	bad "smp: the fake world merges differently"; sed 's/^/  | /' "$TMPD/cmp" | head -20
fi
# The deployment after the strategic patches (before the merge patch
# replaced its containers): web kept its image and resources.
python3 - "$TMPD/smp.sim" >"$TMPD/smp.web" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
d = json.loads(lines[2]["body"])["spec"]["template"]["spec"]
c = d["containers"]
print(len(c), c[0]["name"], c[0]["image"], c[0]["imagePullPolicy"], "ports" in c[0],
      json.dumps(c[0]["resources"]["limits"]), c[0]["env"][0]["name"], c[1]["name"], "x" in c[1],
      json.dumps(d["nodeSelector"], sort_keys=True))
EOF
is '2 web acrshop.azurecr.io/shop/web:1.4.2 Always False {"memory": "256Mi"} A side False {"agentpool": "np1", "kubernetes.io/os": "linux"}' \
	"$(cat "$TMPD/smp.web")" "smp: merged by name, appended, maps merged, null deleted"
finish
