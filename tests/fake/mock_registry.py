#!/usr/bin/env python3
"""mock_registry.py REGDIR - a stand-in for a token-auth registry, for testing
fake-world --registry: HTTPS on 127.0.0.1 with its own CA, Bearer JWTs
required on /v2/ (claims checked: aud, iss, access; the signature is the real
registry's business), one image shop/web:1.4.2.  Writes REGDIR/registry.env
the way tests/servers/registry/start.sh does, REGDIR/requests.log (method,
path, Host, whether Authorization came) and REGDIR/mock.pid.
"""
import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import certs  # noqa: E402

SERVICE = "acrshop.azurecr.io"
ISSUER = "mock-registry-token-issuer"
MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2,
               "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
    "layers": []}, separators=(",", ":")).encode()
DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()


def claims(auth):
    if not auth.startswith("Bearer "):
        return None
    parts = auth[7:].split(".")
    if len(parts) != 3:
        return None
    try:
        pad = parts[1] + "=" * (-len(parts[1]) % 4)
        return json.loads(base64.urlsafe_b64decode(pad))
    except ValueError:
        return None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    regdir = None
    port = 0
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def send(self, code, body, headers=(), head=False):
        self.send_response(code)
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def handle_req(self, head):
        with self.lock, open(os.path.join(self.regdir, "requests.log"), "a") as f:
            f.write("%s %s host=%s auth=%s\n" % (self.command, self.path, self.headers.get("Host"),
                                                 "yes" if self.headers.get("Authorization") else "no"))
        path = self.path.split("?")[0]
        repo, ref = None, None
        if "/manifests/" in path:
            repo, ref = path[4:].split("/manifests/", 1)
        c = claims(self.headers.get("Authorization") or "")
        scope = ',scope="repository:%s:pull"' % repo if repo else ""
        chal = ('Bearer realm="https://127.0.0.1:%d/token",service="%s"%s'
                % (self.port, SERVICE, scope))
        err = json.dumps({"errors": [{"code": "UNAUTHORIZED", "message": "authentication required",
                                      "detail": None}]}).encode()
        if not c or c.get("aud") != SERVICE or c.get("iss") != ISSUER:
            return self.send(401, err, [("WWW-Authenticate", chal),
                                        ("Content-Type", "application/json")], head)
        if path == "/v2/":
            return self.send(200, b"{}", [("Content-Type", "application/json")], head)
        if repo is None:
            return self.send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}', [], head)
        if not any(a.get("type") == "repository" and a.get("name") == repo and
                   "pull" in a.get("actions", []) for a in c.get("access") or []):
            return self.send(401, err, [("WWW-Authenticate", chal + ',error="insufficient_scope"')],
                             head)
        if repo == "shop/web" and ref in ("1.4.2", DIGEST):
            return self.send(200, MANIFEST, [("Content-Type",
                                              "application/vnd.oci.image.manifest.v1+json"),
                                             ("Docker-Content-Digest", DIGEST)], head)
        self.send(404, json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN",
                                               "message": "manifest unknown",
                                               "detail": {"Tag": ref}}]}).encode(),
                  [("Content-Type", "application/json")], head)

    def do_GET(self):
        self.handle_req(False)

    def do_HEAD(self):
        self.handle_req(True)


def main():
    d = os.path.abspath(sys.argv[1])
    os.makedirs(d, exist_ok=True)
    certs.make_ca(d, "ca", "mock registry CA")
    certs.make_leaf(d, "server", "ca", ["127.0.0.1", "localhost"])
    key, crt = os.path.join(d, "token.key"), os.path.join(d, "token.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=mock token signer"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    H.regdir = d
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    H.port = srv.server_address[1]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "server.pem"), os.path.join(d, "server.key"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(os.path.join(d, "mock.pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    with open(os.path.join(d, "registry.env.tmp"), "w") as f:
        f.write("REGISTRY_ADDR=127.0.0.1:%d\nREGISTRY_CA=%s\nREGISTRY_TOKEN_KEY=%s\n"
                "REGISTRY_TOKEN_CERT=%s\nREGISTRY_TOKEN_ISSUER=%s\nREGISTRY_SERVICE=%s\n"
                % (H.port, os.path.join(d, "ca.pem"), key, crt, ISSUER, SERVICE))
    os.rename(os.path.join(d, "registry.env.tmp"), os.path.join(d, "registry.env"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
