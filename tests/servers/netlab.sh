# netlab.sh - the "AKS node behind a jump host, registry behind a private
# endpoint" lab, built from network namespaces (sourced; needs lib.sh and
# sshd.sh; root).
#
#   client ns                jump ns                    node ns                     registry ns
#   c0 192.168.77.1 <-veth-> j0 192.168.77.2
#                            sshd :22, sshd 127.0.0.1:2222
#                            j1 10.224.0.1    <-veth->  n0 10.224.0.4
#                                                       sshd :22 (nslookup), :2200 (PATH
#                                                       without nslookup: getent)
#                                                       dnsmasq 127.0.0.1:53, resolv.conf
#                                                       SERVFAIL upstream 127.0.0.1:5999
#                                                       n1 10.10.1.4      <-veth->   a0 10.10.1.5, 10.10.1.6,
#                                                       route 20.50.2.68 via n1         20.50.2.68: TCP 443 open
#                                                       nft: drop / reject to :443
# The client can reach the node only through the jump host.  There is no
# default route anywhere and no interface in the root namespace, so no
# packet leaves the lab; 20.50.2.68 is an address inside it.  Names are
# unique per run (parallel tests do not collide).  tcp_syn_retries=1 in
# the node makes a dropped SYN fail after ~3 s instead of ~127 s.
#
# netlab_up DIR     netlab_down     netlab_dns ZONEFILE     netlab_fw RULE...
# RULE: "drop ADDR" | "reject ADDR" (TCP 443 from the node), none = allow.

netlab_can() {
	[ "$(id -u)" = 0 ] || return 1
	command -v ip >/dev/null && command -v nft >/dev/null || return 1
	local probe="acrd-probe-$$-$RANDOM"
	ip netns add "$probe" 2>/dev/null || return 1
	ip netns del "$probe"
}

netlab_up() {
	LAB=$1
	local id="$$-$RANDOM"
	NS_CL=acrd-cl-$id NS_JP=acrd-jp-$id NS_ND=acrd-nd-$id NS_AC=acrd-ac-$id
	mkdir -p "$LAB"
	: > "$LAB/created"
	for n in $NS_CL $NS_JP $NS_ND $NS_AC; do
		ip netns add "$n" || return 1
		echo "$n" >> "$LAB/created"
		ip -n "$n" link set lo up
	done
	ip -n "$NS_CL" link add c0 type veth peer name j0 netns "$NS_JP"
	ip -n "$NS_JP" link add j1 type veth peer name n0 netns "$NS_ND"
	ip -n "$NS_ND" link add n1 type veth peer name a0 netns "$NS_AC"
	ip -n "$NS_CL" addr add 192.168.77.1/24 dev c0
	ip -n "$NS_JP" addr add 192.168.77.2/24 dev j0
	ip -n "$NS_JP" addr add 10.224.0.1/24 dev j1
	ip -n "$NS_ND" addr add 10.224.0.4/24 dev n0
	ip -n "$NS_ND" addr add 10.10.1.4/24 dev n1
	ip -n "$NS_AC" addr add 10.10.1.5/24 dev a0
	ip -n "$NS_AC" addr add 10.10.1.6/24 dev a0
	ip -n "$NS_AC" addr add 20.50.2.68/32 dev a0
	ip -n "$NS_CL" link set c0 up
	ip -n "$NS_JP" link set j0 up
	ip -n "$NS_JP" link set j1 up
	ip -n "$NS_ND" link set n0 up
	ip -n "$NS_ND" link set n1 up
	ip -n "$NS_AC" link set a0 up
	ip -n "$NS_ND" route add 20.50.2.68/32 dev n1
	ip netns exec "$NS_ND" sysctl -qw net.ipv4.tcp_syn_retries=1
	# The node's resolver: seen by processes started with ip netns exec
	# (bind-mounted over /etc/resolv.conf), so by sshd's sessions.
	# (retried: another lab's teardown may rmdir an empty /etc/netns
	# between the two levels mkdir -p makes)
	for _ in 1 2 3; do mkdir -p "/etc/netns/$NS_ND" 2>/dev/null && break; done
	echo "nameserver 127.0.0.1" > "/etc/netns/$NS_ND/resolv.conf"
	echo "/etc/netns/$NS_ND" > "$LAB/created-etc"

	# keys: one client key for every sshd; known_hosts for every hop
	ssh-keygen -q -t ed25519 -N '' -C lab-client -f "$LAB/id_lab"
	local d
	for d in jump jump2 node nodeget; do
		mkdir -p "$LAB/$d"
		cp "$LAB/id_lab.pub" "$LAB/$d/authorized_keys"
	done
	mkdir -p "$LAB/bin"
	ln -sf "$(command -v getent)" "$LAB/bin/getent"
	start_sshd "$LAB/jump" 22 192.168.77.2 "$NS_JP" || return 1
	start_sshd "$LAB/jump2" 2222 127.0.0.1 "$NS_JP" || return 1
	start_sshd "$LAB/node" 22 10.224.0.4 "$NS_ND" || return 1
	start_sshd "$LAB/nodeget" 2200 10.224.0.4 "$NS_ND" "SetEnv PATH=$LAB/bin" || return 1
	cat "$LAB"/{jump,jump2,node,nodeget}/known_hosts.line > "$LAB/known_hosts"

	# the registry's port 443 on every address of the registry namespace
	setsid ip netns exec "$NS_AC" python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 443)); s.listen(64)
open('$LAB/listener.ready', 'w').close()
while True:
    c, _ = s.accept(); c.close()
" > "$LAB/listener.log" 2>&1 < /dev/null &
	echo $! > "$LAB/listener.pid"
	wait_cmd 10 test -e "$LAB/listener.ready" || return 1
	# a broken upstream for zones that should fail: 127.0.0.1#5999 in
	# the node answers SERVFAIL (nothing listens on #5998: no answer)
	setsid ip netns exec "$NS_ND" python3 "$HERE/dns_servfail.py" 127.0.0.1 5999 \
		"$LAB/servfail.ready" > "$LAB/servfail.log" 2>&1 < /dev/null &
	echo $! > "$LAB/servfail.pid"
	wait_cmd 10 test -e "$LAB/servfail.ready" || return 1
}

# netlab_dns ZONEFILE: (re)start the node's dnsmasq on 127.0.0.1:53 with
# that zone data only (no upstream, no /etc/hosts).
netlab_dns() {
	local zone=$1 user=root
	getent passwd dnsmasq >/dev/null && user=dnsmasq
	stop_pidfile "$LAB/dnsmasq.pid"
	cat > "$LAB/dnsmasq.conf" <<CFG
port=53
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
no-poll
no-negcache
user=$user
group=nogroup
pid-file=$LAB/dnsmasq.pid.daemon
log-queries
log-facility=-
conf-file=$zone
CFG
	dnsmasq --test --conf-file="$LAB/dnsmasq.conf" >/dev/null 2>&1 ||
		{ dnsmasq --test --conf-file="$LAB/dnsmasq.conf"; return 1; }
	setsid ip netns exec "$NS_ND" dnsmasq -k --conf-file="$LAB/dnsmasq.conf" \
		> "$LAB/dnsmasq.log" 2>&1 < /dev/null &
	echo $! > "$LAB/dnsmasq.pid"
	wait_cmd 10 ip netns exec "$NS_ND" dig +time=1 +tries=1 @127.0.0.1 probe.azurecr.io ||
		{ cat "$LAB/dnsmasq.log" >&2; return 1; }
}

netlab_fw() {
	local rules="" r
	for r in "$@"; do
		set -- $r
		case $1 in
		drop) rules="$rules    ip daddr $2 tcp dport 443 drop
";;
		reject) rules="$rules    ip daddr $2 tcp dport 443 reject with tcp reset
";;
		*) echo "bad rule $r" >&2; return 1;;
		esac
	done
	ip netns exec "$NS_ND" nft -f - <<NFT
table inet acrd_fw {}
delete table inet acrd_fw
table inet acrd_fw {
  chain out {
    type filter hook output priority 0; policy accept;
$rules  }
}
NFT
}

netlab_down() {
	[ -n "${LAB:-}" ] || return 0
	local d n p
	for d in jump jump2 node nodeget; do stop_sshd "$LAB/$d"; done
	stop_pidfile "$LAB/dnsmasq.pid"
	stop_pidfile "$LAB/listener.pid"
	stop_pidfile "$LAB/servfail.pid"
	for n in $(cat "$LAB/created" 2>/dev/null); do
		# anything still inside a namespace of ours is ours
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	[ -s "$LAB/created-etc" ] && rm -rf "$(cat "$LAB/created-etc")"
	# An empty /etc/netns means nothing; parallel labs share it, so the
	# last one out removes it (rmdir fails while another lab uses it).
	rmdir /etc/netns 2>/dev/null
	rm -f "$LAB/created" "$LAB/created-etc"
}
