#!/bin/bash
# test_diagnose_netns.sh - `acr-doctor diagnose --scenario S --ssh-node ...`
# with the node's answers coming from a real SSH session to the namespace
# lab, made to answer what each scenario's node answers (names, addresses,
# TCP outcomes).  The verdicts and the cause must be the scenario's own.
# Needs root and network namespaces: skipped (77) only where they cannot
# be created.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/sshd.sh"
. "$HERE/netlab.sh"
ACR_DOCTOR=${ACR_DOCTOR:-$PWD/../src/acr-doctor}
need_cmd "$SSHD" ssh-keygen ssh-keyscan dnsmasq nft ip dig nslookup python3 "$ACR_DOCTOR"
netlab_can || skip "cannot create network namespaces here (needs root)"

T=$(mktemp -d /tmp/acrd-diag-ns.XXXXXX)
trap 'netlab_down; rm -rf "$T"' EXIT
export HOME=$T/home
mkdir -p "$HOME"
unset SSH_AUTH_SOCK
netlab_up "$T/lab" || fail "lab did not come up"

# Zone data per scenario (the node sections of data/scenarios/*.json)
cat > "$T/private.conf" <<'ZONE'
# aks-timeout-firewall: the zone is linked, names lead to the endpoint
host-record=acrshop.privatelink.azurecr.io,10.10.1.5
cname=acrshop.azurecr.io,acrshop.privatelink.azurecr.io
host-record=acrshop.westeurope.data.privatelink.azurecr.io,10.10.1.6
cname=acrshop.westeurope.data.azurecr.io,acrshop.westeurope.data.privatelink.azurecr.io
local=/azurecr.io/
ZONE
cat > "$T/public.conf" <<'ZONE'
# aks-403-dns-link: zone not linked, the public chain answers
host-record=weu.fe.azcr.io,20.50.2.68
cname=acrshop.privatelink.azurecr.io,weu.fe.azcr.io
cname=acrshop.azurecr.io,acrshop.privatelink.azurecr.io
local=/azurecr.io/
local=/azcr.io/
ZONE
cat > "$T/nxdomain.conf" <<'ZONE'
# aks-reach-node-dns: a custom DNS server without a forwarder
local=/azurecr.io/
ZONE

diag() {
	local kh=$1
	shift
	ip netns exec "$NS_CL" "$ACR_DOCTOR" diagnose --json --ssh-node 10.224.0.4 \
		--ssh-user root --ssh-key "$LAB/id_lab" --ssh-jump root@192.168.77.2 \
		--known-hosts "$kh" --ssh-config none "$@"
}

# compare SIM.json LIVE.json: same cause, same verdict for every check
compare() {
	python3 - "$1" "$2" <<'PY'
import json, sys
sim, live = (json.load(open(p)) for p in sys.argv[1:3])
v = lambda d: {f["check"]: f["verdict"] for f in d["findings"]}
assert v(sim), "no findings"
bad = [c for c in v(sim) if v(sim)[c] != v(live).get(c)]
if sim["cause"] != live["cause"] or bad or set(v(sim)) != set(v(live)):
    print("sim  cause=%s live cause=%s" % (sim["cause"], live["cause"]))
    for c in sorted(set(v(sim)) | set(v(live))):
        print("  %-24s sim=%-14s live=%s" % (c, v(sim).get(c), v(live).get(c)))
    sys.exit(1)
print("cause=%s %s" % (live["cause"], " ".join("%s=%s" % kv for kv in sorted(v(live).items()))))
PY
}

scenario() {
	local name=$1 zone=$2
	shift 2
	netlab_dns "$T/$zone.conf" || fail "dnsmasq ($zone)"
	netlab_fw "$@" || fail "nft"
	"$ACR_DOCTOR" diagnose --scenario "$name" --json > "$T/$name.sim.json"
	sim_rc=$?
	diag "$LAB/known_hosts" --scenario "$name" > "$T/$name.live.json" 2> "$T/$name.err"
	live_rc=$?
	out=$(compare "$T/$name.sim.json" "$T/$name.live.json" 2>&1)
	expect "$name: verdicts over SSH = the scenario's" "$out" "^cause="
	expect "$name: exit status $sim_rc" "$live_rc" "^$sim_rc$"
}

# ev FILE CHECK: that check's evidence, one "key=value" a line (lists
# joined with ",").
ev() {
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["findings"] if x["check"] == sys.argv[2]]
assert f, "no finding " + sys.argv[2]
for k, v in f[0]["evidence"].items():
    print("%s=%s" % (k, ",".join(v) if isinstance(v, list) else json.dumps(v)))
PY
}

scenario aks-timeout-firewall private "drop 10.10.1.5" "drop 10.10.1.6"
e=$(ev "$T/aks-timeout-firewall.live.json" aks.reach)
expect "timeout: the node answers" "$e" '^node="10.224.0.4"$'
expect "timeout: the address" "$e" '^addresses=10.10.1.5$'
expect "timeout: TCP 443 timed out" "$e" '^tcp443="timeout"$'
expect "timeout: the CNAME chain through privatelink" "$e" \
	'^cnameChain=acrshop.privatelink.azurecr.io$'
expect "timeout: via privatelink" "$e" '^viaPrivatelink=true$'
expect "timeout: the resolver the node used" "$e" '^resolver="[0-9.]+#53 \(nslookup\)"$'
expect "timeout: the equivalent nslookup" "$e" \
	'^nodeCommands=ssh -J root@192.168.77.2 root@10.224.0.4 nslookup acrshop.azurecr.io,'
expect "timeout: the equivalent nc -vz" "$e" \
	'^nodeCommands=.*,ssh -J root@192.168.77.2 root@10.224.0.4 nc -vz -w 5 10.10.1.5 443$'
scenario aks-403-dns-link public "drop 10.10.1.5"
e=$(ev "$T/aks-403-dns-link.live.json" aks.403.dns-link)
expect "dns-link: the node resolves the public address" "$e" '^nodeResolves=20.50.2.68$'
expect "dns-link: the public chain through privatelink" "$e" \
	'^cnameChain=acrshop.privatelink.azurecr.io,weu.fe.azcr.io$'
expect "dns-link: the equivalent nslookup" "$e" \
	'^nodeCommands=ssh -J root@192.168.77.2 root@10.224.0.4 nslookup acrshop.azurecr.io$'
scenario aks-reach-node-dns nxdomain
expect "reach: NXDOMAIN from the node" "$(cat "$T/aks-reach-node-dns.live.json")" \
	'"dns":"NXDOMAIN"'

# The same lab, but the firewall opened: the timeout scenario's network
# checks no longer fail (the live node, not the scenario, answers).
netlab_dns "$T/private.conf"
netlab_fw
diag "$LAB/known_hosts" --scenario aks-timeout-firewall > "$T/open.json"
expect "firewall opened: reach passes" "$(cat "$T/open.json")" \
	'"check":"aks.reach","verdict":"pass"'

# diagnose never trusts an unknown node: the node checks say unknown, why
grep -v "^10.224.0.4 " "$LAB/known_hosts" > "$T/kh.nonode"
diag "$T/kh.nonode" --scenario aks-reach-node-dns > "$T/unknown.json"
rc=$?
out=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [x for x in d["findings"] if x["check"] == "aks.reach"][0]
print(f["verdict"], "|", f["summary"], "|", json.dumps(f["evidence"]))
' "$T/unknown.json")
expect "unknown host key: aks.reach unknown" "$out" "^unknown \|"
expect "unknown host key: says why" "$out" "10.224.0.4 is not in .*never trusted"
expect "unknown host key: exit status not healthy" "$rc" "^[13]$"

# bad --ssh-* values are usage errors, before anything is sent
"$ACR_DOCTOR" diagnose --scenario aks-healthy --ssh-node 'x;reboot' > "$T/bad.out" 2>&1
expect "hostile --ssh-node is a usage error" "$? $(cat "$T/bad.out")" "^2 .*--ssh-node needs a host name"
finish
