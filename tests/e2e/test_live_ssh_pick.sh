#!/bin/bash
# The wizard on a live cluster picks the node the SSH checks go to: the
# fake world of aks-platform-windows (two nodes, Linux and Windows) and a
# real sshd on 127.0.0.1 as the jump host.  The pick list shows each
# node's InternalIP, status and OS/arch; the chosen node is where the
# probe goes: through the jump host (its host-key dialog names it) and
# named in the evidence.  The jump host forwards nothing (no TCP
# forwarding), so no packet leaves 127.0.0.1.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../servers/lib.sh"
. "$here/../servers/sshd.sh"
. "$here/lib.sh"
. "$here/fake.sh"
need_cmd "$SSHD" ssh-keygen ssh-keyscan python3
e2e_init
e2e_fw_start aks-platform-windows

S=$E2E_DIR/sshd
K=$E2E_DIR/key
KH=$E2E_DIR/known_hosts
mkdir -p "$S" "$E2E_DIR/home"
ssh-keygen -q -t ed25519 -N '' -C e2e -f "$K"
cp "$K.pub" "$S/authorized_keys"
P=$(freeport)
SSHD_FORWARDING=no start_sshd "$S" "$P" 127.0.0.1 "" \
	"ForceCommand printf '%s\\n' \"\$SSH_ORIGINAL_COMMAND\" >> $S/commands.log" ||
	e2e_fail "sshd did not start"
trap 'stop_sshd "$S"; e2e_fw_cleanup' EXIT
FP=$(fingerprint "$S/host_key.pub")
case $FP in SHA256:?*) ;; *) e2e_fail "no fingerprint for the host key" ;; esac
: > "$KH"

LINUX=aks-nodepool1-12345678-vmss000000
WIN=akswin1000000

# wizard NODE: start live with the jump host; show the failing pods.
wizard() {
	e2e_start -s 110x30 -e HOME="$E2E_DIR/home" -e SSH_AUTH_SOCK= -- \
		--ssh-node "$1" --ssh-jump "root@127.0.0.1:$P" \
		--ssh-user azureuser --ssh-key "$K" --known-hosts "$KH" \
		--ssh-config none
	e2e_wait "Azure credentials:"
	e2e_choose "(the current kubeconfig context)"
	e2e_wait "Failing pods"
	e2e_wait "1) "
}

# The node list: both nodes, each with its address, status and OS/arch.
check_list() {
	e2e_wait "pick the one the SSH checks connect to"
	e2e_wait "$WIN"
	e2e_has "$LINUX"
	row=$(e2e_screen | grep -F "$LINUX")
	for want in "10.224.0.4" "Ready" "linux/amd64"; do
		echo "$row" | grep -qF -- "$want" || e2e_fail "the row of $LINUX lacks '$want': $row"
	done
	row=$(e2e_screen | grep -F "$WIN")
	for want in "10.224.0.35" "windows/amd64"; do
		echo "$row" | grep -qF -- "$want" || e2e_fail "the row of $WIN lacks '$want': $row"
	done
}

# Walk the tree until the probe asks about the jump host's key.
to_hostkey() {
	e2e_wait "What cannot pull its image?"
	e2e_choose "An AKS cluster"
	n=0
	while ! e2e_screen | grep -qF "Unknown host key"; do
		[ $n -lt 60 ] || e2e_fail "no host-key dialog on the way to the node checks"
		e2e_screen | grep -qF "1) " && e2e_keys Enter
		sleep 0.2
		n=$((n + 1))
	done
	e2e_has "127.0.0.1 (port $P)"
	e2e_has "$FP"
}

# logged ADDR: the jump host was asked for ADDR since the run began
# (its log lines from $mark on).
logged() { tail -n "+$mark" "$S/sshd.log" | grep -qF "$1"; }
wait_logged() {
	n=0
	while ! logged "$1" && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	logged "$1" || e2e_fail "the jump host was not asked for $1"
}
newmark() { mark=$(($(wc -l < "$S/sshd.log") + 1)); }
# report_names TEXT: export, and the report names TEXT.
report_names() {
	rm -f "$E2E_DIR"/*.md
	e2e_keys e
	e2e_wait "Report written to"
	rep=$(ls "$E2E_DIR"/*.md 2>/dev/null | head -n 1)
	[ -n "$rep" ] || e2e_fail "no report was written"
	grep -qF "$1" "$rep" || e2e_fail "the report does not name $1"
}

# 1. --ssh-node pick: the list comes after the pod (which runs on the
# Windows node); the Linux node is chosen; y trusts the jump host, which
# refuses to forward: the node check says unknown, the report names the
# chosen node, and the jump host was asked for it only.
newmark
wizard pick
e2e_choose "web-"
check_list
e2e_choose "$LINUX"
to_hostkey
e2e_keys y
e2e_wait_gone "Unknown host key"
e2e_wait "[UNKNOWN]"
e2e_lacks "[PASS]"
report_names "$LINUX (10.224.0.4)"
grep -qF "$WIN (10.224.0.35)" "$rep" && e2e_fail "the report names the node not chosen"
wait_logged "10.224.0.4 "
logged "10.224.0.35" && e2e_fail "the jump host was asked for the node not chosen"
[ ! -s "$S/commands.log" ] || e2e_fail "a command ran on the jump host"
e2e_quit
e2e_stop

# 2. The s key on the pods screen overrides --ssh-node: the list, a
# choice, back to the pods; the checks then go to that node (no second
# list).
newmark
wizard 10.9.9.9
e2e_keys s
check_list
e2e_choose "$WIN"
e2e_wait "The SSH checks will connect to node $WIN (10.224.0.35)."
e2e_has "Failing pods"
e2e_choose "web-"
to_hostkey
e2e_keys y
e2e_wait_gone "Unknown host key"
e2e_wait "[UNKNOWN]"
report_names "$WIN (10.224.0.35)"
wait_logged "10.224.0.35"
logged "10.9.9.9" && e2e_fail "the jump host was asked for the --ssh-node given, not the node picked"
e2e_quit
e2e_stop

# 3. --ssh-node auto: the node the chosen pod runs on, no list.
newmark
wizard auto
e2e_choose "web-"
to_hostkey
e2e_lacks "pick the one the SSH checks connect to"
e2e_keys y
e2e_wait_gone "Unknown host key"
e2e_wait "[UNKNOWN]"
report_names "$WIN (10.224.0.35)"
wait_logged "10.224.0.35"
e2e_quit
e2e_stop

# 4. Hostile node objects: a name that is not one leaves the list; an
# InternalIP that is not an address is not shown and cannot be chosen.
python3 - "$here/../../data/scenarios/aks-platform-windows.json" \
	"$E2E_DIR/aks-hostile-nodes.json" <<'PY2'
import copy, json, sys
d = json.load(open(sys.argv[1]))
d["name"] = "aks-hostile-nodes"
for h in d["http"]:
    if h["url"].endswith("/api/v1/nodes"):
        items = h["body"]["items"]
        bad = copy.deepcopy(items[0])
        bad["metadata"]["name"] = "node$(reboot)"
        items.append(bad)
        for a in items[1]["status"]["addresses"]:
            if a["type"] == "InternalIP":
                a["address"] = "10.224.0.35;reboot"
json.dump(d, open(sys.argv[2], "w"))
PY2
"$E2E_FW" stop "$E2E_FWD" >/dev/null 2>&1
e2e_fw_start "$E2E_DIR/aks-hostile-nodes.json"
newmark
wizard pick
e2e_choose "web-"
e2e_wait "pick the one the SSH checks connect to"
e2e_wait "$WIN"
e2e_has "$LINUX"
e2e_lacks "reboot"
e2e_screen | grep -F "$WIN" | grep -qF "(none)" ||
	e2e_fail "the node with a hostile InternalIP does not say (none)"
e2e_choose "$WIN"
e2e_wait "The node $WIN has no InternalIP address: pick another."
e2e_has "pick the one the SSH checks connect to"
e2e_quit
e2e_pass
