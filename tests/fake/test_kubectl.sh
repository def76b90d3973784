#!/bin/sh
# The fake Kubernetes API proven by a real client: Debian's kubectl
# (kubernetes-client), with the KUBECONFIG of DIR/env, through the fake's
# proxy.  `kubectl get pod` shows the pull failure, `kubectl describe pod`
# the events acr-doctor's aks.events check reads (kubectl finds them with a
# fieldSelector on involvedObject.*), after real discovery requests;
# `kubectl patch --type strategic` merges as the API server (and
# acr-doctor's simulated world) does.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

KUBECTL=${KUBECTL:-}
if [ -z "$KUBECTL" ]; then
	for k in /usr/local/lib/acr-doctor-tests/kubernetes-client/usr/bin/kubectl; do
		[ -x "$k" ] && KUBECTL=$k
	done
fi
if [ -z "$KUBECTL" ] && [ "$(dpkg-query -S /usr/bin/kubectl 2>/dev/null | cut -d: -f1)" = kubernetes-client ]; then
	KUBECTL=/usr/bin/kubectl
fi
if [ -z "$KUBECTL" ]; then
	echo "FAIL: Debian's kubectl (kubernetes-client) is missing: run scripts/deps.sh"
	exit 1
fi
export HOME="$TMPD/home"
mkdir -p "$HOME"

# kube SCENARIO-DIR ARGS...: kubectl with a fresh discovery cache.
kube() {
	rm -rf "$TMPD/kcache"
	"$KUBECTL" --cache-dir "$TMPD/kcache" --request-timeout 20s "$@"
}

# events_of SCENARIO POD: the messages of the pod's events in the scenario.
events_of() {
	python3 - "$TOP/tests/fake" "$1" "$2" <<'EOF'
import sys
sys.path.insert(0, sys.argv[1])
import world
doc = world.load(sys.argv[2])
for e in doc["http"]:
    if e["method"] == "GET" and e["url"].endswith("/events"):
        for ev in e["body"]["items"]:
            if ev["involvedObject"].get("kind") == "Pod" and ev["involvedObject"]["name"] == sys.argv[3]:
                print(ev["type"], ev["reason"], ev["message"], sep="\t")
EOF
}

POD=web-7d4b9c-x2x4q
for sc in aks-401-no-acrpull aks-403-firewall aks-notfound-tag aks-timeout-firewall; do
	D=$TMPD/$sc
	fw_start "$D" "$sc"
	[ "$KUBECONFIG" = "$D/kubeconfig" ] && ok || bad "$sc: KUBECONFIG=$KUBECONFIG"

	kube get pod -n default "$POD" >"$TMPD/get" 2>"$TMPD/err" && ok ||
		{ bad "$sc: kubectl get pod"; sed 's/^/  | /' "$TMPD/err"; }
	contains "$TMPD/get" "NAME" "$sc: get header"
	awk -v p="$POD" '$1 == p {print $2, $3}' "$TMPD/get" >"$TMPD/row"
	case $sc in
	aks-timeout-firewall) want="0/1 ErrImagePull" ;;
	*) want="0/1 ImagePullBackOff" ;;
	esac
	grep -q "^0/1 \(ImagePullBackOff\|ErrImagePull\)$" "$TMPD/row" && ok ||
		bad "$sc: kubectl get pod row '$(cat "$TMPD/row")' (wanted like '$want')"

	kube describe pod -n default "$POD" >"$TMPD/desc" 2>"$TMPD/err" && ok ||
		{ bad "$sc: kubectl describe pod"; sed 's/^/  | /' "$TMPD/err"; }
	contains "$TMPD/desc" "Name:         $POD" "$sc: describe name"
	contains "$TMPD/desc" "Status:       Pending" "$sc: describe status"
	contains "$TMPD/desc" "Waiting" "$sc: container waiting"
	contains "$TMPD/desc" "Events:" "$sc: events section"
	events_of "$sc" "$POD" >"$TMPD/want"
	[ -s "$TMPD/want" ] && ok || bad "$sc: the scenario has no pod events"
	grep -c "Failed to pull image" "$TMPD/want" >/dev/null && ok || bad "$sc: no pull failure recorded"
	# Every event of the pod, as kubectl prints it: type, reason, message.
	while IFS='	' read -r type reason msg; do
		if awk -v t="$type" -v r="$reason" -v m="$msg" '
			index($0, m) && $1 == t && $2 == r { found = 1 } END { exit !found }' "$TMPD/desc"; then
			ok
		else
			bad "$sc: describe lacks event $type $reason: $msg"
		fi
	done <"$TMPD/want"
	# Only the pod's own events (the deployment's are filtered out).
	lacks "$TMPD/desc" "Scaled up replica set" "$sc: deployment event in the pod's events"

	# What kubectl asked: discovery, the pod, the events by selector.
	for p in "/api?" "/apis?" "/api/v1?" "/api/v1/namespaces/default/pods/$POD"; do
		grep -F "GET https://aks-shop-dns-4kq2v1.hcp.westeurope.azmk8s.io$p" "$D/requests.log" |
			grep -q " 200 " && ok || bad "$sc: kubectl did not GET $p"
	done
	grep "/api/v1/namespaces/default/events?" "$D/requests.log" >"$TMPD/evreq"
	contains "$TMPD/evreq" "fieldSelector=" "$sc: events asked with a fieldSelector"
	python3 - "$TMPD/evreq" >"$TMPD/sel" <<'EOF'
import sys, urllib.parse
for line in open(sys.argv[1]):
    q = urllib.parse.urlsplit(line.split()[1]).query
    for k, v in urllib.parse.parse_qsl(q):
        if k == "fieldSelector":
            print(" ".join(sorted(t.split("=")[0] for t in v.split(","))))
EOF
	contains "$TMPD/sel" "involvedObject.name involvedObject.namespace involvedObject.uid" "$sc: kubectl's selector terms"
	"$FW" stop "$D"
done

# Events listed by kubectl itself, with a selector.
D=$TMPD/events-world
fw_start "$D" aks-401-no-acrpull
kube get events -n default --field-selector "involvedObject.name=$POD,type=Warning" >"$TMPD/ev" 2>"$TMPD/err" && ok ||
	{ bad "kubectl get events"; sed 's/^/  | /' "$TMPD/err"; }
contains "$TMPD/ev" "Failed" "warning events"
lacks "$TMPD/ev" "Scheduled" "normal event filtered out"
# A missing pod: the API server's NotFound, as kubectl prints it.
kube get pod -n default nope >/dev/null 2>"$TMPD/err"
contains "$TMPD/err" 'pods "nope" not found' "missing pod"
# Discovery answers parse (kubectl api-resources reads /api/v1 and /apis/*).
kube api-resources >"$TMPD/ar" 2>"$TMPD/err" && ok || { bad "api-resources"; sed 's/^/  | /' "$TMPD/err"; }
contains "$TMPD/ar" "replicasets" "apps/v1 resources"
kube version >"$TMPD/ver" 2>&1 && ok || bad "kubectl version"
contains "$TMPD/ver" 'Server Version: version.Info{Major:"1", Minor:"29"' "server version"
# Another token: the API server's Unauthorized.
sed 's/^\( *token:\).*/\1 not-the-token/' "$D/kubeconfig" >"$TMPD/badconfig"
KUBECONFIG=$TMPD/badconfig kube get pod -n default "$POD" >/dev/null 2>"$TMPD/err"
contains "$TMPD/err" "Unauthorized" "wrong token"
"$FW" stop "$D"

# The other ways a kubeconfig signs in: an exec plugin (kubelogin's shape,
# ExecCredential) and a client certificate (the AKS admin shape).
D=$TMPD/exec-world
fw_start "$D" aks-401-no-acrpull --kube-auth exec --kube-exec-api v1beta1
contains "$D/kubeconfig" "command: $D/kube-credential" "exec kubeconfig"
lacks "$D/kubeconfig" "token:" "no token in the exec kubeconfig"
"$D/kube-credential" >"$TMPD/cred" && ok || bad "exec plugin failed"
is "ExecCredential client.authentication.k8s.io/v1beta1" "$(json "$TMPD/cred" 'd["kind"] + " " + d["apiVersion"]')" "ExecCredential"
kube get pod -n default "$POD" >"$TMPD/get" 2>"$TMPD/err" && ok || { bad "kubectl with exec"; sed 's/^/  | /' "$TMPD/err"; }
contains "$TMPD/get" "ImagePullBackOff" "exec: pod status"
"$FW" stop "$D"
D=$TMPD/cert-world
fw_start "$D" aks-401-no-acrpull --kube-auth cert
contains "$D/kubeconfig" "client-certificate-data: " "cert kubeconfig"
lacks "$D/kubeconfig" "token:" "no token in the cert kubeconfig"
kube get pod -n default "$POD" >"$TMPD/get" 2>"$TMPD/err" && ok || { bad "kubectl with a client certificate"; sed 's/^/  | /' "$TMPD/err"; }
contains "$TMPD/get" "ImagePullBackOff" "cert: pod status"
is 401 "$(code "$KUBE/api/v1/namespaces/default/pods/$POD")" "no client certificate"
sed -n 's/^ *client-certificate-data: //p' "$D/kubeconfig" | base64 -d >"$TMPD/c.pem"
sed -n 's/^ *client-key-data: //p' "$D/kubeconfig" | base64 -d >"$TMPD/c.key"
is 200 "$(code --cert "$TMPD/c.pem" --key "$TMPD/c.key" "$KUBE/api/v1/namespaces/default/pods/$POD")" "client certificate"
# A strategic merge patch from kubectl itself: kubectl patch --type
# strategic sends application/strategic-merge-patch+json; the fake changes
# the one field and keeps the rest of the container and of the other
# containers (kubectl get -o json shows them), as the API server does; a
# container kubectl names that is not there is appended; and acr-doctor's
# simulated world, sent the same patches, ends with the same object.
D=$TMPD/smp-world
fw_start "$D" aks-qps
SIMREPLAY=${SIMREPLAY:-./fake/simreplay}
[ -x "$SIMREPLAY" ] || { bad "$SIMREPLAY not built"; finish; exit 1; }
DEPURL=$KUBE/apis/apps/v1/namespaces/default/deployments/web
: >"$TMPD/kc.req"
kube get deployment web -n default -o json >"$TMPD/dep.before" 2>"$TMPD/err" && ok ||
	{ bad "kubectl get deployment"; sed 's/^/  | /' "$TMPD/err"; }
for p in '{"spec":{"template":{"spec":{"containers":[{"name":"web","imagePullPolicy":"Always"}]}}}}' \
	'{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"side:1"}],"nodeSelector":{"kubernetes.io/os":"linux"}}}}}'; do
	n0=$(grep -c '^PATCH ' "$D/requests.log")
	kube patch deployment web -n default --type strategic -p "$p" >"$TMPD/kp" 2>"$TMPD/err" && ok ||
		{ bad "kubectl patch --type strategic"; sed 's/^/  | /' "$TMPD/err"; }
	contains "$TMPD/kp" "deployment.apps/web patched" "kubectl says patched"
	grep '^PATCH ' "$D/requests.log" | tail -n +$((n0 + 1)) >"$TMPD/kplog"
	is 1 "$(wc -l <"$TMPD/kplog")" "kubectl sent one PATCH"
	grep -q "^PATCH [^ ]*/deployments/web?[^ ]* 200 " "$TMPD/kplog" && ok || bad "no PATCH of the deployment answered 200"
	contains "$TMPD/kplog" "patch=application/strategic-merge-patch+json" "kubectl's Content-Type"
	python3 -c 'import json,sys; print(json.dumps({"method": "PATCH", "url": sys.argv[1], "body": sys.argv[2], "contentType": "application/strategic-merge-patch+json"}))' \
		"$DEPURL" "$p" >>"$TMPD/kc.req"
done
kube get deployment web -n default -o json >"$TMPD/dep.after" 2>"$TMPD/err" && ok ||
	{ bad "kubectl get deployment"; sed 's/^/  | /' "$TMPD/err"; }
"$FW" stop "$D"
python3 - "$TMPD/dep.before" "$TMPD/dep.after" >"$TMPD/kdiff" <<'EOF'
import json, sys
b, a = (json.load(open(f))["spec"]["template"]["spec"] for f in sys.argv[1:3])
bw, aw = b["containers"][0], a["containers"][0]
print(len(b["containers"]), len(a["containers"]), aw["imagePullPolicy"],
      a["containers"][1]["name"], a["containers"][1]["image"],
      json.dumps(a.get("nodeSelector")))
aw = dict(aw); bw = dict(bw)
aw.pop("imagePullPolicy"); bw.pop("imagePullPolicy")
print("web otherwise same:", aw == bw, "resources" in aw, "ports" in aw)
b.pop("containers"); a.pop("containers"); a.pop("nodeSelector", None)
print("pod spec otherwise same:", a == b)
EOF
is '1 2 Always side side:1 {"kubernetes.io/os": "linux"}
web otherwise same: True True True
pod spec otherwise same: True' "$(cat "$TMPD/kdiff")" "kubectl patch changed only what it named"
echo '{"method": "GET", "url": "'"$DEPURL"'", "body": null}' >>"$TMPD/kc.req"
"$SIMREPLAY" aks-qps "$TMPD/kc.req" >"$TMPD/kc.sim" 2>"$TMPD/err" && ok ||
	{ bad "simreplay"; sed 's/^/  | /' "$TMPD/err" | head -5; }
python3 - "$TMPD/kc.sim" "$TMPD/dep.after" >"$TMPD/kcmp" <<'EOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
sim = json.loads(lines[-2]["body"])["spec"]
kc = json.load(open(sys.argv[2]))["spec"]
print("same" if sim == kc else "differ:\n%s\n%s" % (json.dumps(sim, sort_keys=True),
                                                     json.dumps(kc, sort_keys=True)))
EOF
is same "$(cat "$TMPD/kcmp")" "the simulated world merges kubectl's patches alike"

finish
