#!/bin/sh
# The live transport through a real squid (Debian's squid package): what
# squid answers when it cannot open a tunnel must be classified as the
# fault server's imitation is (DNS failure, refused, denied).  squid asks
# a stub DNS server on a loopback address of its own; nothing leaves
# 127.0.0.0/8.
. "$(dirname "$0")/lib.sh"
SQUID=$(command -v squid || echo /usr/sbin/squid)
[ -x "$SQUID" ] || { echo "squid is not installed (scripts/deps.sh)"; exit 1; }
# The stub must listen on port 53 (squid takes no DNS port).
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root for the stub DNS server on port 53"; exit 77
fi
make_certs
start_faultserver

"$PY" "$HERE/dnsstub.py" "$D" tunnel.test=127.0.0.1 2>"$D/dns.log" &
pid=$!
PIDS="$PIDS $pid"
wait_file "$D/dns.ready" "$pid" "the stub DNS server"
DNS_ADDR=$(cat "$D/dns.ready")

SQUID_PORT=$("$PY" -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$D/squid"
cat >"$D/squid/squid.conf" <<CONF
http_port 127.0.0.1:$SQUID_PORT
pid_filename $D/squid/squid.pid
cache_log $D/squid/cache.log
access_log $D/squid/access.log
cache_store_log none
cache deny all
cache_mem 8 MB
coredump_dir $D/squid
pinger_enable off
acl local src 127.0.0.1/32
acl blocked port 9
http_access deny blocked
http_access allow local
http_access deny all
dns_nameservers $DNS_ADDR
dns_timeout 5 seconds
hosts_file none
connect_timeout 5 seconds
shutdown_lifetime 0 seconds
visible_hostname acr-doctor-test
CONF
# squid drops root for the proxy user, which must reach and write its
# directory.
if id proxy >/dev/null 2>&1; then
	chmod 711 "$D"
	chown -R proxy "$D/squid"
fi
"$SQUID" -N -f "$D/squid/squid.conf" >"$D/squid.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
i=0
until "$PY" -c "import socket, sys
socket.create_connection(('127.0.0.1', $SQUID_PORT), 1).close()" 2>/dev/null
do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "squid did not start"; cat "$D/squid.log" "$D/squid/cache.log"
		exit 1
	fi
	sleep 0.05
done
export SQUID_PORT
run_driver squid
