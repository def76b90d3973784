#!/bin/sh
# The live transport (src/http_curl.c) against tests/transport/faultserver.py:
# certificates from two test CAs made here with openssl, the server on
# 127.0.0.1 with kernel-chosen ports, then the cmocka driver.
TOP=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
HERE=$(cd "$(dirname "$0")" && pwd)
DRIVER=${HTTP_CURL_DRIVER:-./transport/http_curl_driver}
PY=${PYTHON3:-python3}

command -v openssl >/dev/null || { echo "openssl is required"; exit 1; }
command -v "$PY" >/dev/null || { echo "python3 is required"; exit 1; }

D=$(mktemp -d "${TMPDIR:-/tmp}/adcurl.XXXXXX")
SERVER_PID=
cleanup() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
	fi
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
SAN='subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth'
ca ca1 && ca ca2 &&
leaf server1 ca1 localhost "$SAN" &&
leaf server2 ca2 localhost "$SAN" &&
leaf client ca1 test-client 'extendedKeyUsage=clientAuth' ||
	{ echo "openssl could not make the test certificates"; exit 1; }

"$PY" "$HERE/faultserver.py" "$D" 2>"$D/server.log" &
SERVER_PID=$!
i=0
while [ ! -f "$D/ports" ]; do
	i=$((i + 1))
	if [ $i -gt 200 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "the fault server did not start"; cat "$D/server.log"; exit 1
	fi
	sleep 0.05
done
. "$D/ports"
export MAIN_PORT OTHER_PORT MTLS_PORT PROXY_PORT
TR_DIR=$D; export TR_DIR
# Only the proxy cases use a proxy, and they set it themselves.
unset http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
unset SSL_CERT_FILE CURL_CA_BUNDLE REQUESTS_CA_BUNDLE
"$DRIVER"
rc=$?
[ $rc -ne 0 ] && sed 's/^/server: /' "$D/server.log" | tail -20
exit $rc
