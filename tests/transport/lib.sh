# Shared by the transport tests (sourced): a scratch directory, test
# certificates made with openssl, the fault server, clean-up of exactly
# what was started.
HERE=$(cd "$(dirname "$0")" && pwd)
DRIVER=${HTTP_CURL_DRIVER:-./transport/http_curl_driver}
PY=${PYTHON3:-python3}

command -v openssl >/dev/null || { echo "openssl is required"; exit 1; }
command -v "$PY" >/dev/null || { echo "python3 is required"; exit 1; }

D=$(mktemp -d "${TMPDIR:-/tmp}/adcurl.XXXXXX")
PIDS=
cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ca NAME: a self-signed test CA
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$D/$1.key" -out "$D/$1.pem" -days 2 \
		-subj "/CN=acr-doctor test $1" 2>/dev/null
}
# leaf NAME CA CN EXT: a certificate signed by CA
leaf() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -keyout "$D/$1.key" -out "$D/$1.csr" \
		-subj "/CN=$3" 2>/dev/null &&
	printf '%s\n' "$4" >"$D/$1.ext" &&
	openssl x509 -req -in "$D/$1.csr" -CA "$D/$2.pem" -CAkey "$D/$2.key" \
		-CAcreateserial -days 2 -extfile "$D/$1.ext" \
		-out "$D/$1.pem" 2>/dev/null
}

# make_certs: CA 1 signs server 1 and the client, CA 2 signs server 2.
make_certs() {
	san='subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:tunnel.test
extendedKeyUsage=serverAuth'
	ca ca1 && ca ca2 &&
	leaf server1 ca1 localhost "$san" &&
	# server 2 has no DNS name: reached as localhost, the name is wrong.
	leaf server2 ca2 127.0.0.1 'subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth' &&
	leaf client ca1 test-client 'extendedKeyUsage=clientAuth' ||
		{ echo "openssl could not make the test certificates"; exit 1; }
}

# wait_file PATH PID WHAT: until PATH exists (10 s at most)
wait_file() {
	i=0
	while [ ! -f "$1" ]; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$2" 2>/dev/null; then
			echo "$3 did not start"; cat "$D"/*.log 2>/dev/null
			exit 1
		fi
		sleep 0.05
	done
}

# start_faultserver: exports MAIN_PORT OTHER_PORT MTLS_PORT PROXY_PORT
# and TR_DIR
start_faultserver() {
	"$PY" "$HERE/faultserver.py" "$D" 2>"$D/server.log" &
	pid=$!
	PIDS="$PIDS $pid"
	wait_file "$D/ports" "$pid" "the fault server"
	. "$D/ports"
	export MAIN_PORT OTHER_PORT MTLS_PORT PROXY_PORT
	TR_DIR=$D; export TR_DIR
	# Only the proxy cases use a proxy, and they set it themselves.
	unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY \
		no_proxy NO_PROXY
	unset SSL_CERT_FILE CURL_CA_BUNDLE REQUESTS_CA_BUNDLE
}

# run_driver [GROUP]: the cmocka driver; server logs on failure
run_driver() {
	"$DRIVER" "$@"
	rc=$?
	[ $rc -ne 0 ] && tail -n 20 "$D"/*.log
	return $rc
}
