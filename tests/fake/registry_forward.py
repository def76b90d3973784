"""registry_forward.py - the login server's data plane served by a real registry.

REGDIR/registry.env (KEY=VALUE lines) names the registry and its token
signing key: REGISTRY_ADDR (host:port), REGISTRY_CA, REGISTRY_TOKEN_KEY,
REGISTRY_TOKEN_CERT, REGISTRY_TOKEN_ISSUER, REGISTRY_SERVICE.  Requests for
/v2/... are forwarded over TLS (verified with REGISTRY_CA); /oauth2/token mints
the registry's own JWTs with acrtoken.mint() for the scope asked.
"""
import http.client
import os
import re
import ssl
import time
import urllib.parse

HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
       "trailers", "transfer-encoding", "upgrade", "host", "content-length"}
SCOPE_RE = re.compile(r"^repository:([a-z0-9]+(?:[._/-][a-z0-9]+)*):([a-z*,]+)$")


def read_env(path):
    out = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("export "):
                line = line[7:]
            k, sep, v = line.partition("=")
            if not sep:
                continue
            v = v.strip()
            if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
                v = v[1:-1]
            out[k.strip()] = v
    return out


def _json(status, obj, headers=()):
    import server
    return server.json_answer(status, obj, list(headers))


class Forwarder:
    def __init__(self, regdir, st):
        self.env = read_env(os.path.join(regdir, "registry.env"))
        for k in ("REGISTRY_ADDR", "REGISTRY_CA", "REGISTRY_TOKEN_KEY", "REGISTRY_TOKEN_CERT",
                  "REGISTRY_TOKEN_ISSUER", "REGISTRY_SERVICE"):
            if not self.env.get(k):
                raise ValueError("%s/registry.env has no %s" % (regdir, k))
        host, _, port = self.env["REGISTRY_ADDR"].rpartition(":")
        self.addr = (host.strip("[]"), int(port))
        self.ctx = ssl.create_default_context(cafile=self.env["REGISTRY_CA"])
        self.st = st

    def login_server(self):
        ctx = self.st.doc["context"]
        suffix = {"china": "azurecr.cn", "usgov": "azurecr.us"}.get(self.st.cloud, "azurecr.io")
        return "%s.%s" % ((ctx.get("registry") or "").lower(), suffix)

    # --- /oauth2/token ---
    def token(self, method, g, headers):
        st = self.st
        subject = None
        if method == "POST":
            rt = g("refresh_token")
            with st.lock:
                exp = st.acr_tokens.get(rt)
            if g("grant_type") == "refresh_token" and exp and exp > time.time():
                subject = st.client_id
        else:
            auth = headers.get("Authorization") or ""
            if auth[:6].lower() == "basic ":
                # A pull secret: accepted as the scenario's world says
                # (its admin user and passwords, its service principals).
                import server
                says, user = server.basic_says(st, self.login_server(), auth)
                if says == "untold":
                    return _json(503, {"errors": [{
                        "code": "UNAVAILABLE",
                        "message": "the scenario does not tell whether these credentials are valid",
                        "detail": None}]})
                subject = user if says == "yes" else None
        if not subject:
            return _json(401, {"errors": [{"code": "UNAUTHORIZED",
                                           "message": "authentication required", "detail": None}]},
                         [("WWW-Authenticate", 'Basic realm="https://%s/oauth2/token"'
                           % self.login_server())])
        access = []
        for scope in (g("scope") or "").split(" "):
            if not scope:
                continue
            m = SCOPE_RE.match(scope)
            if not m:
                return _json(400, {"errors": [{"code": "UNSUPPORTED",
                                               "message": "invalid scope %s" % scope[:200],
                                               "detail": None}]})
            access.append({"type": "repository", "name": m.group(1),
                           "actions": [a for a in m.group(2).split(",") if a]})
        import acrtoken
        e = self.env
        jwt = acrtoken.mint(e["REGISTRY_TOKEN_KEY"], e["REGISTRY_TOKEN_CERT"],
                            e["REGISTRY_TOKEN_ISSUER"], e["REGISTRY_SERVICE"], subject, access,
                            st.opts.token_ttl)
        return _json(200, {"access_token": jwt})

    # --- /v2/ ---
    def forward(self, method, path, query, headers, body):
        import server
        login = self.login_server()
        conn = http.client.HTTPSConnection(self.addr[0], self.addr[1], context=self.ctx,
                                           timeout=30)
        target = urllib.parse.quote(path, safe="/:@!$&'()*+,;=-._~") + ("?" + query if query else "")
        fwd = {k: v for k, v in headers.items() if k.lower() not in HOP}
        fwd["Host"] = login
        try:
            conn.request(method, target, body=body if body else None, headers=fwd)
            r = conn.getresponse()
            data = r.read()
            out = []
            for k, v in r.getheaders():
                if k.lower() in HOP:
                    continue
                if k.lower() == "www-authenticate":
                    v = re.sub(r'realm="[^"]*"', 'realm="https://%s/oauth2/token"' % login, v)
                if k.lower() == "location":
                    u = urllib.parse.urlsplit(v)
                    if u.netloc and u.netloc != login:
                        v = urllib.parse.urlunsplit(("https", login, u.path, u.query, ""))
                out.append((k, v))
            a = server.Answer(r.status, out, data if method != "HEAD" else b"",
                              note="registry=forwarded")
            if method == "HEAD":
                cl = r.getheader("Content-Length")
                a.head_length = int(cl) if cl and cl.isdigit() else 0
            return a
        except (OSError, http.client.HTTPException, ssl.SSLError) as e:
            return _json(502, {"errors": [{"code": "UNAVAILABLE",
                                           "message": "registry unreachable: %s"
                                           % type(e).__name__, "detail": None}]})
        finally:
            conn.close()
