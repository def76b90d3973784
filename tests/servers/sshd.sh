# sshd.sh - a private OpenSSH sshd for tests (sourced; needs lib.sh).
#
# start_sshd DIR PORT ADDR [NETNS] [EXTRA_CONFIG_LINE]...
#   Own host key (DIR/host_key, kept across restarts), own config, PID
#   file DIR/sshd.pid, log DIR/sshd.log; logins as root with the keys in
#   DIR/authorized_keys.  Returns once the server answers a key exchange.
#   Leaves DIR/known_hosts.line: the OpenSSH known_hosts line for it.
#   Env: SSHD_LOGLEVEL (VERBOSE), SSHD_FORWARDING (yes).
# Gotchas: sshd must be started by its absolute path (it re-executes
# itself); the privilege-separation directory /run/sshd is compiled in;
# StrictModes would refuse keys under /tmp (mode 1777); the daemon gets
# its own stdout/stderr or a caller's pipe would never see EOF.
SSHD=/usr/sbin/sshd

start_sshd() {
	local d=$1 port=$2 addr=$3 ns=${4:-} i
	shift 3
	[ $# -gt 0 ] && shift
	local nsexec=""
	[ -n "$ns" ] && nsexec="ip netns exec $ns"
	mkdir -p "$d"
	chmod 700 "$d"
	[ -s "$d/host_key" ] || ssh-keygen -q -t ed25519 -N '' -C test-host -f "$d/host_key"
	[ -e "$d/authorized_keys" ] || : > "$d/authorized_keys"
	[ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd
	{
		echo "Port $port"
		echo "ListenAddress $addr"
		echo "HostKey $d/host_key"
		echo "PidFile $d/sshd.pid.own"
		echo "AuthorizedKeysFile $d/authorized_keys"
		echo "StrictModes no"
		echo "PubkeyAuthentication yes"
		echo "PasswordAuthentication no"
		echo "KbdInteractiveAuthentication no"
		echo "PermitRootLogin prohibit-password"
		echo "UsePAM no"
		echo "AllowTcpForwarding ${SSHD_FORWARDING:-yes}"
		echo "PermitOpen any"
		echo "X11Forwarding no"
		echo "PrintMotd no"
		echo "LogLevel ${SSHD_LOGLEVEL:-VERBOSE}"
		for l in "$@"; do echo "$l"; done
	} > "$d/sshd_config"
	stop_pidfile "$d/sshd.pid"
	$SSHD -t -f "$d/sshd_config" || return 1
	# -D: stays in the foreground, so $! is the daemon (ip netns exec
	# execs, it does not fork).
	setsid $nsexec $SSHD -D -f "$d/sshd_config" -E "$d/sshd.log" \
		> "$d/sshd.out" 2>&1 < /dev/null &
	echo $! > "$d/sshd.pid"
	for i in $(seq 1 100); do
		if $nsexec ssh-keyscan -T 1 -p "$port" -t ed25519 "$addr" \
			> "$d/keyscan" 2>/dev/null && [ -s "$d/keyscan" ]; then
			break
		fi
		sleep 0.05
	done
	[ -s "$d/keyscan" ] || { cat "$d/sshd.log" >&2; return 1; }
	local h="[$addr]:$port"
	[ "$port" = 22 ] && h=$addr
	echo "$h $(cut -d' ' -f1,2 "$d/host_key.pub")" > "$d/known_hosts.line"
}

stop_sshd() { stop_pidfile "$1/sshd.pid"; }

# fingerprint PUBFILE: "SHA256:..." as ssh-keygen prints it
fingerprint() { ssh-keygen -l -E sha256 -f "$1" | awk '{print $2}'; }
