#!/bin/bash
# test_ssh_netns.sh - the node probe over a real SSH session to a "node"
# namespace behind a jump host: nslookup through dnsmasq (privatelink
# chain, NXDOMAIN, SERVFAIL, no answer), the getent fallback, and TCP 443
# from the node to the registry with nftables rules that allow, reject
# and drop.  Needs root and network namespaces: skipped (77) only where
# they cannot be created.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/sshd.sh"
. "$HERE/netlab.sh"
DRIVE=${SSHPROBE_DRIVE:-$PWD/servers/sshprobe_drive}
need_cmd "$SSHD" ssh-keygen ssh-keyscan dnsmasq nft ip nslookup dig getent python3 "$DRIVE"
netlab_can || skip "cannot create network namespaces here (needs root)"

T=$(mktemp -d /tmp/acrd-ssh-ns.XXXXXX)
trap 'netlab_down; rm -rf "$T"' EXIT
export HOME=$T/home
mkdir -p "$HOME"
unset SSH_AUTH_SOCK
netlab_up "$T/lab" || fail "lab did not come up"

cat > "$T/zone.conf" <<'ZONE'
# Private Link view: what a node in a linked virtual network sees
host-record=acrshop.privatelink.azurecr.io,10.10.1.5
cname=acrshop.azurecr.io,acrshop.privatelink.azurecr.io
host-record=acrshop.westeurope.data.privatelink.azurecr.io,10.10.1.6
cname=acrshop.westeurope.data.azurecr.io,acrshop.westeurope.data.privatelink.azurecr.io
# a name with no address record (NOERROR, no answer)
txt-record=noaddr.azurecr.io,"no address"
# a zone whose server fails (SERVFAIL), one whose server is gone (timeout)
server=/broken.azurecr.io/127.0.0.1#5999
server=/silent.azurecr.io/127.0.0.1#5998
local=/azurecr.io/
ZONE
netlab_dns "$T/zone.conf" || fail "dnsmasq did not start"

# The client namespace reaches the node only through the jump host.
run() {
	ip netns exec "$NS_CL" "$DRIVE" --ssh-config none --ssh-user root \
		--ssh-key "$LAB/id_lab" --known-hosts "$LAB/known_hosts" --no-ask "$@" 2>&1
}
J=(--ssh-node 10.224.0.4 --ssh-jump root@192.168.77.2)

out=$(run --ssh-node 10.224.0.4 --connect-timeout-ms 2000 connect)
expect "node not reachable without the jump host" "$out" "^error code=input/output error .*unreachable"

netlab_fw "reject 10.10.1.6"
out=$(run "${J[@]}" resolve acrshop.azurecr.io resolve acrshop.westeurope.data.azurecr.io \
	resolve nope.azurecr.io resolve broken.azurecr.io resolve noaddr.azurecr.io \
	resolve silent.azurecr.io \
	tcp 10.10.1.5 443 tcp 10.10.1.6 443 tcp 10.10.1.5 8443)
expect "private chain through privatelink" "$out" \
	"^dns addrs=10.10.1.5 error=- cnames=acrshop.privatelink.azurecr.io privatelink=1 resolver=127.0.0.1#53 method=nslookup$"
expect "data endpoint" "$out" "^dns addrs=10.10.1.6 error=- cnames=acrshop.westeurope.data.privatelink.azurecr.io privatelink=1"
expect "NXDOMAIN" "$out" "^dns addrs= error=NXDOMAIN cnames= privatelink=0 resolver=127.0.0.1#53"
expect "SERVFAIL" "$out" "^dns addrs= error=SERVFAIL"
expect "no answer" "$out" "^dns addrs= error=NODATA"
expect "resolver does not answer" "$out" "^dns addrs= error=TIMEOUT"
expect "allowed: open" "$out" "^tcp 10.10.1.5:443 open"
expect "rejected: refused" "$out" "^tcp 10.10.1.6:443 refused"
expect "closed port: refused" "$out" "^tcp 10.10.1.5:8443 refused"

# dropped: the node's kernel gives up after its SYN retries (~3 s here)
netlab_fw "drop 10.10.1.5"
out=$(run "${J[@]}" --timeout-ms 8000 tcp 10.10.1.5 443 resolve acrshop.azurecr.io)
expect "dropped: timeout (the node gave up)" "$out" "^tcp 10.10.1.5:443 timeout ms=[2-7][0-9]{3}$"
expect "the session is still usable after it" "$out" "^dns addrs=10.10.1.5 "
# ... or our own limit comes first; the next test reconnects
out=$(run "${J[@]}" --timeout-ms 1000 tcp 10.10.1.5 443 resolve acrshop.azurecr.io)
expect "dropped: timeout at our limit" "$out" "^tcp 10.10.1.5:443 timeout ms=1[0-4][0-9]{2}$"
expect "reconnects after an abandoned test" "$out" "^dns addrs=10.10.1.5 "
out=$(run "${J[@]}" --timeout-ms 20000 --cancel-after-ms 1500 tcp 10.10.1.5 443)
expect "cancel during a dropped connection" "$out" "^error code=cancelled"
ms=$(printf '%s\n' "$out" | sed -n 's/^elapsed ms=//p')
[ "${ms:-99999}" -lt 2500 ]
expect "cancel seen at once ($ms ms)" "$?" "^0$"

# the jump host cannot reach the node (nothing on that port): says which hop
out=$(run --ssh-node 10.224.0.4 --ssh-port 2299 --ssh-jump root@192.168.77.2 connect)
expect "jump host cannot reach the node" "$out" \
	"^error code=input/output error .*jump host 192.168.77.2 cannot open a connection to 10.224.0.4 port 2299"

# two jump hops: the jump host's second sshd on its own loopback
out=$(run --ssh-node 10.224.0.4 --ssh-jump root@192.168.77.2,root@127.0.0.1:2222 \
	connect resolve acrshop.azurecr.io)
expect "two hops" "$out" "^connected root@10.224.0.4 via root@192.168.77.2,root@127.0.0.1$"
expect "two hops: resolve" "$out" "^dns addrs=10.10.1.5 "

# a node without nslookup: getent ahosts
out=$(run "${J[@]}" --ssh-port 2200 resolve acrshop.azurecr.io resolve nope.azurecr.io)
expect "getent fallback" "$out" "^dns addrs=10.10.1.5 error=- cnames=acrshop.privatelink.azurecr.io privatelink=1 resolver=- method=getent$"
expect "getent: not found" "$out" "^dns addrs= error=NOTFOUND .*method=getent$"

# unknown node host key in diagnose mode: the probe fails, says why
grep -v "^10.224.0.4 " "$LAB/known_hosts" > "$T/kh.nonode"
out=$(ip netns exec "$NS_CL" "$DRIVE" --ssh-config none --ssh-user root --ssh-key "$LAB/id_lab" \
	--known-hosts "$T/kh.nonode" --no-ask "${J[@]}" resolve acrshop.azurecr.io tcp 10.10.1.5 443 2>&1)
expect "unknown node: no test runs" "$out" "^error code=access denied net=none detail=hostkey-unknown msg=10.224.0.4 is not in"
expect_not "unknown node: nothing resolved" "$out" "^dns"
expect "unknown node: second test says the same at once" "$out" "elapsed ms=[0-9]$"
# memory on the abandoned-test path: a session given up mid-open, a new one
# (valgrind cannot run a binary built with AddressSanitizer; the sanitizers
# check that build instead)
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$DRIVE"; then
	netlab_fw "drop 10.10.1.5"
	out=$(ip netns exec "$NS_CL" valgrind -q --error-exitcode=9 --leak-check=full \
		--errors-for-leak-kinds=definite "$DRIVE" --ssh-config none --ssh-user root \
		--ssh-key "$LAB/id_lab" --known-hosts "$LAB/known_hosts" --no-ask "${J[@]}" \
		--timeout-ms 1000 tcp 10.10.1.5 443 resolve acrshop.azurecr.io 2>&1)
	rc=$?
	expect "valgrind: abandoned test, then a new session ($rc)" "$rc" "^0$"
	expect "valgrind: resolved after reconnecting" "$out" "^dns addrs=10.10.1.5 "
	expect_not "valgrind: no errors" "$out" "==[0-9]+=="
fi
finish
