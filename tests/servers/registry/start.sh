#!/bin/bash
# start.sh DIR [SERVICE]
#
# Starts Debian's docker-registry (distribution 2.8) on 127.0.0.1 with TLS and
# token auth, as an Azure Container Registry's data plane: the /v2/ challenge
# names realm https://SERVICE/oauth2/token and service SERVICE (default
# acrshop.azurecr.io).  Tokens are RS256 JWTs from issuer "acr-doctor-test"
# signed by DIR/token.key (tests/fake/acrtoken.py mints them).
#
# Everything lives in DIR: ca.pem (the test CA), server.{pem,key}, token.{pem,key},
# config.yml, data/, registry.log, registry.pid, and registry.env:
#   REGISTRY_ADDR=127.0.0.1:PORT  REGISTRY_CA  REGISTRY_TOKEN_KEY  REGISTRY_TOKEN_CERT
#   REGISTRY_TOKEN_ISSUER  REGISTRY_SERVICE  REGISTRY_PID  REGISTRY_WORLD
#   REGISTRY_TEST_REPO  REGISTRY_TEST_TAG  (a pushed single-arch image)
# The images of the built-in scenarios are pushed (push.py; REGISTRY_WORLD=arch
# in the environment pushes the aks-401-arch world instead of the healthy one).
# Prints READY once the registry answers a real request and the push is done.
# No system service is involved; stop.sh DIR stops exactly this process.
set -eu

usage() { echo "usage: start.sh DIR [SERVICE]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
D=$1
SERVICE=${2:-acrshop.azurecr.io}
ISSUER=acr-doctor-test
WORLD=${REGISTRY_WORLD:-healthy}
REGISTRY_BIN=${REGISTRY_BIN:-/usr/bin/docker-registry}

case $SERVICE in
	*[!a-zA-Z0-9.-]*|"") echo "start.sh: SERVICE must be a host name: $SERVICE" >&2; exit 2 ;;
esac
for tool in "$REGISTRY_BIN" openssl curl python3; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "start.sh: $tool is missing (scripts/deps.sh installs it)" >&2; exit 3; }
done

mkdir -p "$D"
D=$(cd "$D" && pwd)
# The path goes into YAML and command lines unquoted: plain characters only.
case $D in
	*[!A-Za-z0-9._/+-]*) echo "start.sh: DIR must be a plain path ([A-Za-z0-9._/+-]): $D" >&2; exit 2 ;;
esac
pid=$(cat "$D/registry.pid" 2>/dev/null || true)
if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "serve $D/config.yml"; then
	echo "start.sh: a registry from $D is already running (stop.sh $D first)" >&2
	exit 1
fi
rm -f "$D/registry.env" "$D/registry.pid"
mkdir -p "$D/data"
umask 077

# --- certificates: a CA, the server certificate it signs, the token key ---
# Names the server answers as: loopback, the service, and the login servers of
# the built-in scenarios (read from data/scenarios when the tree has them).
names() {
	echo localhost
	echo "$SERVICE"
	echo acrshop.azurecr.io
	if [ -d "$TOP/data/scenarios" ]; then
		python3 - "$TOP/data/scenarios" <<'PY'
import glob, json, os, re, sys
suffix = {"public": "azurecr.io", "china": "azurecr.cn", "usgov": "azurecr.us"}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    try:
        c = json.load(open(f, encoding="utf-8")).get("context") or {}
    except (OSError, ValueError, AttributeError):
        continue
    r, cloud = c.get("registry"), c.get("cloud") or "public"
    if isinstance(r, str) and re.fullmatch(r"[a-z0-9]{5,50}", r) and cloud in suffix:
        print("%s.%s" % (r, suffix[cloud]))
PY
	fi
}
san="IP:127.0.0.1"
for n in $(names | sort -u); do san="$san,DNS:$n"; done

ossl() { # openssl with its chatter kept for errors only
	if ! openssl "$@" 2>"$D/openssl.err"; then
		echo "start.sh: openssl $1 failed:" >&2; cat "$D/openssl.err" >&2; exit 1
	fi
}
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$D/ca.key" -out "$D/ca.pem" -days 7 -subj "/CN=acr-doctor test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign"
ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$D/server.key" -out "$D/server.csr" -subj "/CN=$SERVICE"
cat >"$D/server.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
EOF
ossl x509 -req -in "$D/server.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
	-CAcreateserial -days 7 -extfile "$D/server.ext" -out "$D/server.pem"
# RS256 needs RSA; the registry trusts the public key of this certificate.
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$D/token.key" -out "$D/token.pem" \
	-days 7 -subj "/CN=$ISSUER token signer"
rm -f "$D/server.csr" "$D/openssl.err"
chmod 644 "$D/ca.pem" "$D/server.pem" "$D/token.pem"

# --- config and start ---
write_config() {
	cat >"$D/config.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $D/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$1
  secret: acr-doctor-test-http-secret
  tls:
    certificate: $D/server.pem
    key: $D/server.key
auth:
  token:
    realm: https://$SERVICE/oauth2/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $D/token.pem
EOF
}

freeport() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

alive() { # running and not a zombie
	st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# The /v2/ answer over TLS, verified against our CA: 401 when the registry is up.
probe() {
	curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$D/ca.pem" \
		"https://127.0.0.1:$1/v2/" 2>/dev/null || true
}

# Interrupted or failed after the registry started: stop it, leave no process.
pid=""
ready=""
cleanup() {
	[ -n "$ready" ] && return
	# Only if the PID is still our registry (or its wrapper) for this DIR.
	if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" |
		grep -qF "serve $D/config.yml"; then
		kill -TERM "$pid" 2>/dev/null || true
	fi
	rm -f "$D/registry.pid" "$D/registry.env.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A free port can be taken between asking and binding: try a few.
started=""
for attempt in 1 2 3; do
	port=$(freeport)
	write_config "$port"
	# setsid: its own session, so the test's terminal and process group
	# signals do not reach it; stdio detached so make check does not wait on it.
	setsid "$REGISTRY_BIN" serve "$D/config.yml" >"$D/registry.log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$D/registry.pid"
	# Ready when /v2/ answers 401 (token auth on); give up if the process dies
	# or after 20 s.
	deadline=$(($(date +%s) + 20))
	while :; do
		code=$(probe "$port")
		[ "$code" = 401 ] && { started=1; break; }
		alive "$pid" || break
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "start.sh: the registry did not answer on 127.0.0.1:$port in 20 s" >&2
			kill -TERM "$pid" 2>/dev/null || true
			tail -20 "$D/registry.log" >&2
			rm -f "$D/registry.pid"
			exit 1
		fi
		sleep 0.05
	done
	[ -n "$started" ] && break
	wait "$pid" 2>/dev/null || true
	rm -f "$D/registry.pid"
	grep -q 'address already in use' "$D/registry.log" || break
done
if [ -z "$started" ]; then
	echo "start.sh: docker-registry exited:" >&2
	tail -20 "$D/registry.log" >&2
	exit 1
fi

# The PID must be docker-registry itself (not a wrapper), or stop.sh would miss it.
case $(readlink "/proc/$pid/exe" 2>/dev/null) in
	*docker-registry*) ;;
	*) echo "start.sh: PID $pid is not docker-registry" >&2; kill -TERM "$pid"; exit 1 ;;
esac

cat >"$D/registry.env.tmp" <<EOF
REGISTRY_ADDR=127.0.0.1:$port
REGISTRY_CA=$D/ca.pem
REGISTRY_TOKEN_KEY=$D/token.key
REGISTRY_TOKEN_CERT=$D/token.pem
REGISTRY_TOKEN_ISSUER=$ISSUER
REGISTRY_SERVICE=$SERVICE
REGISTRY_PID=$pid
REGISTRY_WORLD=$WORLD
REGISTRY_TEST_REPO=shop/report
REGISTRY_TEST_TAG=2.0.1
EOF

if ! python3 "$HERE/push.py" --env "$D/registry.env.tmp" --world "$WORLD" \
	--out "$D/pushed.json" >"$D/push.log" 2>&1; then
	echo "start.sh: pushing the test images failed:" >&2
	cat "$D/push.log" >&2
	"$HERE/stop.sh" "$D" >/dev/null 2>&1 || true
	exit 1
fi
# registry.env appears only once the content is there: its presence means ready.
mv "$D/registry.env.tmp" "$D/registry.env"
ready=1
chmod 644 "$D/registry.env" "$D/pushed.json"
cat "$D/registry.env"
echo READY
