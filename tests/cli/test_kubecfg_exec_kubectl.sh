#!/bin/sh
# An exec credential plugin run by kubectl and by kubecfg: both give it
# the same KUBERNETES_EXEC_INFO and the same arguments and environment,
# and both accept what it prints (kubectl sends the token to a loopback
# HTTPS server made here).  KUBECTL picks the client.
. "$(dirname "$0")/lib.sh"

KUBECTL=${KUBECTL:-$(command -v kubectl || true)}
DUMP=${KUBECFG_DUMP:-./unit/kubecfg_dump}
if [ -z "$KUBECTL" ]; then
	echo "SKIP: no kubectl (scripts/deps.sh installs kubernetes-client)"; exit 77
fi
if [ ! -x "$DUMP" ]; then
	echo "SKIP: $DUMP not built (needs cmocka)"; exit 77
fi
command -v openssl >/dev/null 2>&1 || { echo "SKIP: no openssl"; exit 77; }
export HOME="$TMPD"
unset KUBECONFIG

# A CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$TMPD/ca.key" -out "$TMPD/ca.crt" -days 2 -subj "/CN=exec-test-ca" \
	2>/dev/null || { bad "openssl CA"; finish; exit 1; }
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$TMPD/srv.key" -out "$TMPD/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$TMPD/san.ext"
openssl x509 -req -in "$TMPD/srv.csr" -CA "$TMPD/ca.crt" -CAkey "$TMPD/ca.key" \
	-CAcreateserial -out "$TMPD/srv.crt" -days 2 -extfile "$TMPD/san.ext" 2>/dev/null

# The API server: answers /version and logs the Authorization header.
cat >"$TMPD/server.py" <<'PY'
import http.server, json, ssl, sys
d = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(d + "/auth.log", "a") as f:
            f.write(self.headers.get("Authorization", "-") + "\n")
        body = json.dumps({"major": "1", "minor": "29", "gitVersion": "v1.29.0",
                           "platform": "linux/amd64"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(d + "/srv.crt", d + "/srv.key")
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(d + "/port.tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(d + "/port.tmp", d + "/port")
srv.serve_forever()
PY
python3 "$TMPD/server.py" "$TMPD" &
srv_pid=$!
trap 'kill $srv_pid 2>/dev/null; wait $srv_pid 2>/dev/null; rm -rf "$TMPD"' EXIT
i=0
while [ ! -s "$TMPD/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$TMPD/port" ] || { bad "server did not start"; finish; exit 1; }
port=$(cat "$TMPD/port")

# The plugin: records what it was given, in a file named by the caller.
cat >"$TMPD/plugin.sh" <<'SH'
#!/bin/sh
out=$RECORD_DIR/$WHO
printf '%s' "$KUBERNETES_EXEC_INFO" >"$out.info"
printf '%s|' "$@" >"$out.args"
printf '%s' "$PLUGIN_FLAVOUR" >"$out.env"
printf '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"exec-token-%s","expirationTimestamp":"2099-01-01T00:00:00Z"}}\n' "$WHO"
SH
chmod +x "$TMPD/plugin.sh"
ca_data=$(base64 -w0 <"$TMPD/ca.crt")
# v1beta1: the version Debian's kubectl 1.20 and newer clients all know.
cat >"$TMPD/config" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $ca_data
contexts:
- name: lab
  context: {cluster: lab, user: plugin-user}
current-context: lab
users:
- name: plugin-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: ./plugin.sh
      args: [get-token, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630, two words]
      env:
      - name: PLUGIN_FLAVOUR
        value: from-kubeconfig
      provideClusterInfo: true
EOF
export RECORD_DIR="$TMPD"

WHO=kubectl expect_exit 0 "kubectl runs the plugin" -- \
	"$KUBECTL" --kubeconfig "$TMPD/config" get --raw /version
contains "$TMPD/auth.log" "Bearer exec-token-kubectl" "kubectl sent the plugin's token"
WHO=kubecfg expect_exit 0 "kubecfg runs the plugin" -- \
	"$DUMP" --kubeconfig "$TMPD/config" --auth
contains "$TMPD/out" 'exec-token-kubecfg' "kubecfg took the plugin's token"

for part in args env; do
	if cmp -s "$TMPD/kubectl.$part" "$TMPD/kubecfg.$part"; then ok; else
		bad "plugin $part differ: kubectl '$(cat "$TMPD/kubectl.$part")'," \
			"kubecfg '$(cat "$TMPD/kubecfg.$part")'"; fi
done
if python3 - "$TMPD/kubectl.info" "$TMPD/kubecfg.info" >"$TMPD/cmp" 2>&1 <<'PY'
import json, sys
kc = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
bad = []
for key in ("apiVersion", "kind"):
    if kc.get(key) != ours.get(key):
        bad.append("%s: %r / %r" % (key, kc.get(key), ours.get(key)))
ks, os_ = kc.get("spec", {}), ours.get("spec", {})
if ks.get("interactive", False) != os_.get("interactive", False):
    bad.append("interactive: %r / %r" % (ks.get("interactive"), os_.get("interactive")))
kcl, ocl = ks.get("cluster"), os_.get("cluster")
if not kcl or not ocl:
    bad.append("cluster info missing: %r / %r" % (bool(kcl), bool(ocl)))
else:
    for key in ("server", "certificate-authority-data"):
        if kcl.get(key) != ocl.get(key):
            bad.append("cluster.%s differs" % key)
print("kubectl gave:", sorted(kc), sorted(ks), sorted(kcl or {}))
if bad:
    print("\n".join(bad))
    sys.exit(1)
PY
then ok; sed "s/^/  /" "$TMPD/cmp"; else bad "KUBERNETES_EXEC_INFO differs"; sed "s/^/  | /" "$TMPD/cmp"; fi

finish
