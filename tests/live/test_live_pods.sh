#!/bin/sh
# Live diagnose with no pod named: every pod of the cluster that cannot
# pull is found (all namespaces, or -n) and gets its own diagnosis, in a
# JSON array when there are several; each one is of its own pod, in its
# own namespace (not the kubeconfig context's).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"
. "$TOP/tests/live/lib.sh"

SC="${TEST_DATA_DIR:-$TOP/tests/data}/scenarios/aks-two-failing-pods.json"

# pods_of FILE: "namespace/pod cause events-verdict" per diagnosis, or
# "object ..." for a single one.
pods_of() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
kind = "array" if isinstance(d, list) else "object"
for x in (d if isinstance(d, list) else [d]):
    ev = [f["verdict"] for f in x["findings"] if f["check"] == "aks.events"]
    print(kind, "%s/%s" % (x["context"]["namespace"], x["context"]["pod"]),
          x["cause"], ev[0] if ev else "-")
PY
}

lv_start "$SC"
# The kubeconfig's context names a namespace of its own (default): a pod
# of another namespace must still be read in its own.
grep -q 'namespace: default' "$D/kubeconfig" && ok || bad "the kubeconfig names no namespace"

lv_run diagnose --cluster aks-shop --json
is 1 "$rc" "two failing pods: exit status"
pods_of "$TMPD/out" >"$TMPD/pods" 2>&1 || bad "two failing pods: not JSON"
sed 's/^/  | /' "$TMPD/pods"
is 2 "$(wc -l <"$TMPD/pods")" "two failing pods: two diagnoses"
contains "$TMPD/pods" "array default/web-7d4b9c-x2x4q aks.401 fail" "the pod in default"
contains "$TMPD/pods" "array shop/api-5c8f7d-q7w2n aks.401 fail" "the pod in shop, in its own namespace"
# Each pod's own events were read.
grep -q '/namespaces/shop/events' "$D/requests.log" && ok || bad "the events of namespace shop were not read"
grep -q '/namespaces/shop/pods/api-5c8f7d-q7w2n ' "$D/requests.log" && ok || bad "the pod in shop was not read"
grep -q '/namespaces/default/pods/api-5c8f7d-q7w2n ' "$D/requests.log" && bad "the pod in shop was looked for in default" || ok

# The text output: one diagnosis per pod.
lv_run diagnose --cluster aks-shop
is 1 "$rc" "text, two failing pods: exit status"
is 2 "$(grep -c '^Cause:' "$TMPD/out")" "text: a cause per pod"
contains "$TMPD/out" "pod shop/api-5c8f7d-q7w2n cannot pull" "text: the pod in shop"

# One namespace: one failing pod, one object.
lv_run diagnose --cluster aks-shop -n shop --json
is 1 "$rc" "-n shop: exit status"
pods_of "$TMPD/out" >"$TMPD/pods" 2>&1 || bad "-n shop: not JSON"
is "object shop/api-5c8f7d-q7w2n aks.401 fail" "$(cat "$TMPD/pods")" "-n shop: that pod only"

# A pod named: that one only.
lv_run diagnose --cluster aks-shop -n default --pod web-7d4b9c-x2x4q --json
pods_of "$TMPD/out" >"$TMPD/pods" 2>&1 || bad "--pod: not JSON"
is "object default/web-7d4b9c-x2x4q aks.401 fail" "$(cat "$TMPD/pods")" "--pod: that pod only"
lv_stop

# --- no pod fails to pull: said, healthy (0); diagnose --json is [] ---
lv_start aks-healthy
lv_run diagnose --cluster aks-shop
is 0 "$rc" "no failing pod: exit status"
contains "$TMPD/out" "No pod of cluster aks-shop is in ImagePullBackOff or ErrImagePull" "no failing pod: said"
lacks "$TMPD/err" "which registry" "no failing pod: not a question about the registry"
lv_run diagnose --cluster aks-shop --json
is 0 "$rc" "no failing pod, --json: exit status"
is "[]" "$(cat "$TMPD/out")" "no failing pod, --json: an empty array"
lv_run diagnose --cluster aks-shop -n shop
contains "$TMPD/out" "in namespace shop is in ImagePullBackOff" "no failing pod in -n: said"
lv_run fix attach-acr --cluster aks-shop
is 0 "$rc" "fix, no failing pod: nothing to fix"
# The pods cannot be listed (RBAC at the cluster scope, a broken
# answer): that is said, with what to give instead; never 0.
"$FW" fault "$D" 'do=deny,method=GET,count=0,url=*/api/v1/pods' >/dev/null
lv_run diagnose --cluster aks-shop
is 3 "$rc" "pods not listed (RBAC): exit status"
contains "$TMPD/err" 'cannot list resource "pods"' "pods not listed (RBAC): what was refused"
contains "$TMPD/err" "--pod POD" "pods not listed (RBAC): what to give instead"
lacks "$TMPD/err" "which registry" "pods not listed (RBAC): not a question about the registry"
lv_stop
lv_start aks-401-no-acrpull --fault 'do=truncate,count=0,url=*/api/v1/pods'
lv_run diagnose --cluster aks-shop --json
is 3 "$rc" "pods list cut short: exit status"
contains "$TMPD/err" "not valid JSON" "pods list cut short: said"
lv_stop

# --- more failing pods than are diagnosed: said, not dropped ---
python3 - "$SC" "$TMPD/many.json" <<'PY'
import copy, json, sys
src = json.load(open(sys.argv[1]))
pod = [e for e in src["http"] if "/namespaces/shop/pods/" in e["url"]][0]
doc = {"format": "acr-doctor-scenario/1", "name": "many-failing-pods",
       "summary": "Test: 65 pods of namespace shop cannot pull", "base": src["base"], "http": []}
for i in range(65):
    e = copy.deepcopy(pod)
    name = "api-5c8f7d-m%03d" % i
    e["url"] = e["url"].rsplit("/", 1)[0] + "/" + name
    e["body"]["metadata"]["name"] = name
    e["body"]["metadata"]["uid"] = "c3b1e7a2-9d4f-4e08-b6a1-5f2d8c7e9%03d" % i
    doc["http"].append(e)
json.dump(doc, open(sys.argv[2], "w"))
PY
lv_start "$TMPD/many.json"
lv_run diagnose --cluster aks-shop -n shop --json
is 1 "$rc" "65 failing pods: exit status"
contains "$TMPD/err" "more than 64 pods fail to pull" "65 failing pods: the rest is said"
is 64 "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMPD/out")" "65 failing pods: 64 diagnoses"
lv_stop

lv_secrets_never_shown
finish
