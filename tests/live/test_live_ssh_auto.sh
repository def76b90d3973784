#!/bin/sh
# --ssh-node auto on a live cluster: the SSH probe goes to the node the
# failing pod runs on (spec.nodeName), at that node's InternalIP, and the
# evidence names the node.  Against the fake world only: the jump host is
# a closed port on 127.0.0.1, so nothing leaves the machine and the node
# checks say unknown, with the node named.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

# A loopback port nobody listens on: the jump host is refused at once.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# The pod as the user names it (aks-healthy's pod does not fail on its own).
TARGET="--cluster aks-shop --namespace default --pod web-7d4b9c-x2x4q --image acrshop.azurecr.io/shop/web:1.4.2"
SSHARGS="--ssh-node auto --ssh-jump azureuser@127.0.0.1:$PORT --ssh-config none --known-hosts $TMPD/kh"

# 1. aks-healthy: the pod runs on aks-nodepool1-12345678-vmss000000, whose
# InternalIP is 10.224.0.4.
fw_start "$TMPD/fw1" aks-healthy
# shellcheck disable=SC2086
(. "$TMPD/fw1/env" && "$AD" diagnose $TARGET --debug --json $SSHARGS) \
	>"$TMPD/out" 2>"$TMPD/err" </dev/null
contains "$TMPD/err" "the pod's node aks-nodepool1-12345678-vmss000000 at 10.224.0.4" "auto: node and address said with --debug"
python3 - "$TMPD/out" >"$TMPD/nodes" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "node" and isinstance(v, str):
                print(v)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(d)
PY
if [ -s "$TMPD/nodes" ]; then ok; else bad "auto: no evidence names a node"; sed 's/^/  | /' "$TMPD/err" | head -5; fi
contains "$TMPD/nodes" "aks-nodepool1-12345678-vmss000000 (10.224.0.4)" "auto: the evidence names the pod's node and its address"
# The command to repeat the test by hand, through the same jump host.
python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["findings"]:
    for c in f["evidence"].get("nodeCommands", []):
        print(f["check"], c)' "$TMPD/out" >"$TMPD/cmds"
contains "$TMPD/cmds" "aks.reach ssh -J azureuser@127.0.0.1:$PORT azureuser@10.224.0.4 nslookup acrshop.azurecr.io" "auto: the equivalent ssh command in the evidence"
# The probe could not connect: no node check passes on it.
lacks "$TMPD/out" '"node": "aks-nodepool1-12345678-vmss000000 (10.224.0.4)", "verdict": "pass"' "auto: an unreachable node passes nothing"
"$FW" stop "$TMPD/fw1" >/dev/null 2>&1

# 2. A pod not scheduled on a node: a clear usage error.
mk() {  # mk NAME PYTHON-EDIT: a copy of aks-healthy changed by the edit
	python3 - "$TOP/data/scenarios/aks-healthy.json" "$TMPD/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["name"] = sys.argv[2].rsplit("/", 1)[-1][:-5]
for h in d["http"]:
    u = h["url"]
    if u.endswith("/pods/web-7d4b9c-x2x4q"):
        pod = h["body"]
    if u.endswith("/api/v1/nodes"):
        node = h["body"]["items"][0]
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}
try() {  # try NAME WANT-TEXT DESCRIPTION
	fw_start "$TMPD/fw-$1" "$TMPD/$1.json"
	# shellcheck disable=SC2086
	(. "$TMPD/fw-$1/env" && "$AD" diagnose $TARGET --json $SSHARGS) \
		>"$TMPD/out" 2>"$TMPD/err" </dev/null
	is 2 $? "$3: exit status"
	contains "$TMPD/err" "$2" "$3"
	"$FW" stop "$TMPD/fw-$1" >/dev/null 2>&1
}
mk unscheduled 'del pod["spec"]["nodeName"]'
try unscheduled "is not scheduled on a node" "pod without a node"
mk noip 'node["status"]["addresses"] = [a for a in node["status"]["addresses"] if a["type"] != "InternalIP"]'
try noip "has no InternalIP address" "node without an InternalIP"
# Hostile answers never become an SSH target.
mk badip 'node["status"]["addresses"][0]["address"] = "10.224.0.4;reboot"'
try badip "has an InternalIP that is not an IP address" "hostile InternalIP"
mk badnode 'pod["spec"]["nodeName"] = "node$(reboot)"'
try badnode "names a node that is not a valid node name" "hostile nodeName"

# 3. A web app has no nodes.
fw_start "$TMPD/fw-wa" webapp-healthy
(. "$TMPD/fw-wa/env" && "$AD" diagnose --webapp "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["context"]["webapp"])' "$TOP/data/scenarios/webapp-healthy.json")" --json --ssh-node auto --ssh-config none) \
	>"$TMPD/out" 2>"$TMPD/err" </dev/null
is 2 $? "web app: exit status"
contains "$TMPD/err" "needs a cluster" "web app: auto refused"


# 4. A scenario's nodes are not real: auto is refused before any request.
"$AD" diagnose --scenario aks-healthy --json --ssh-node auto --ssh-config none \
	>"$TMPD/out" 2>"$TMPD/err" </dev/null
is 2 $? "scenario: exit status"
contains "$TMPD/err" "needs a live cluster" "scenario: auto refused"

# 5. pick is the wizard's: diagnose refuses it (no host called "pick").
"$AD" diagnose --scenario aks-healthy --json --ssh-node pick --ssh-config none \
	>"$TMPD/out" 2>"$TMPD/err" </dev/null
is 2 $? "pick in diagnose: exit status"
contains "$TMPD/err" "--ssh-node pick is for the wizard" "pick in diagnose: refused"

finish
