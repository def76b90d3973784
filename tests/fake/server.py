"""server.py - the fake world on the wire.

One HTTPS forward proxy on 127.0.0.1 answers every CONNECT itself (it never
opens a connection anywhere), terminates TLS with certificates from a CA made
at start, and serves the scenario's world on the tunnel: Azure Resource
Manager, Microsoft Graph, Entra ID, the registry and the Kubernetes API, all
under their real host names.  A second loopback port serves the managed
identity endpoint (plain HTTP, as App Service and IMDS do) and a third the
control API used by `fake-world dump|log|fault|expire-tokens`.
"""
import base64
import copy
import fnmatch
import json
import os
import secrets
import socket
import socketserver
import ssl
import struct
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import certs
import kube
import world as worldmod

# Entra ID authority hosts of the clouds (the token endpoint lives there).
AUTHORITY = {"public": "login.microsoftonline.com", "china": "login.chinacloudapi.cn",
             "usgov": "login.microsoftonline.us"}
ARM_AUDIENCES = ("https://management.azure.com", "https://management.core.windows.net",
                 "https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn",
                 "https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net")
OBJECT_ID = "6c3f8e2a-91d4-4b7e-a5c0-3e8d1f2b9a64"
MAX_BODY = 16 << 20


def now():
    return time.time()


def arm_time(t):
    return time.strftime("%m/%d/%Y %H:%M:%S", time.gmtime(t))


class Fault:
    """One --fault rule: KEY=VALUE,... (see tests/fake/README.md)."""

    def __init__(self, spec):
        self.spec = spec
        kv = {}
        for part in spec.split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise ValueError("fault %r: '%s' is not KEY=VALUE" % (spec, part))
            k, v = part.split("=", 1)
            kv[k.strip()] = v.strip()
        self.do = kv.pop("do", "")
        self.url = kv.pop("url", "*")
        self.method = kv.pop("method", "")
        self.nth = int(kv.pop("nth", "1"))
        self.count = int(kv.pop("count", "1"))
        self.retry_after = kv.pop("retry-after", None)
        self.code = kv.pop("code", None)
        if self.code is not None and not self.code.replace("_", "").isalnum():
            raise ValueError("fault %r: code= must be letters and digits" % spec)
        self.status = None
        self.delay_ms = 0
        if kv:
            raise ValueError("fault %r: unknown key(s) %s" % (spec, ", ".join(sorted(kv))))
        kind, _, arg = self.do.partition(":")
        if kind == "status":
            self.status = int(arg)
            if not 400 <= self.status <= 599:
                raise ValueError("fault %r: status must be 400 to 599" % spec)
        elif kind == "delay":
            self.delay_ms = int(arg)
        elif kind in ("truncate", "partial", "invalid", "reset", "deny", "close",
                      "dns", "refused", "timeout"):
            pass
        else:
            raise ValueError("fault %r: do= must be status:CODE, delay:MS, truncate, partial, "
                             "invalid, reset, close, deny, dns, refused or timeout" % spec)
        self.kind = kind
        # dns, refused and timeout refuse the tunnel (counted per CONNECT).
        self.at_connect = kind in ("dns", "refused", "timeout")
        if kind == "deny" and not self.method:
            self.method = "PUT|PATCH|DELETE|POST"
        if self.nth < 1 or self.count < 0:
            raise ValueError("fault %r: nth >= 1, count >= 0" % spec)
        self.seen = 0

    def hit(self, method, urls):
        """Count a request (its URL with and without :443); True when it is to be hurt."""
        if self.method and method not in self.method.split("|"):
            return False
        if not any(fnmatch.fnmatchcase(u, self.url) for u in urls):
            return False
        self.seen += 1
        if self.seen < self.nth:
            return False
        return self.count == 0 or self.seen < self.nth + self.count


class State:
    """Everything the handlers share.  self.lock guards tokens, ops, faults and the log."""

    def __init__(self, doc, opts, d):
        self.doc = doc
        self.world = worldmod.World(doc)
        self.opts = opts
        self.dir = d
        self.lock = threading.Lock()
        self.tokens = {}      # token -> {"aud", "exp", "who"}
        self.acr_tokens = {}  # ACR refresh/access tokens we minted -> exp
        self.ops = {}         # LRO id -> dict
        self.device = {}      # device_code -> polls
        self.faults = [Fault(f) for f in opts.fault]
        self.logf = open(os.path.join(d, "requests.log"), "a", buffering=1)
        ctx = doc["context"]
        self.cloud = ctx.get("cloud") or "public"
        self.authority = AUTHORITY.get(self.cloud, AUTHORITY["public"])
        self.tenant = opts.tenant
        self.client_id = opts.client_id
        self.client_secret = opts.client_secret
        self.federated = opts.federated_token
        self.kube_token = opts.kube_token
        self.identity_header = opts.identity_header
        self.kube_hosts = set()
        ks = worldmod.split_url(ctx.get("kubeServer") or "")
        if ks:
            self.kube_hosts.add((ks[0], ks[1]))
        for u in self.world.urls():
            sp = worldmod.split_url(u)
            if sp and (sp[2].startswith("/api/") or sp[2].startswith("/apis/")):
                self.kube_hosts.add((sp[0], sp[1]))
        self.latency = opts.latency_ms if opts.latency_ms is not None else \
            int(doc.get("latency_ms") or 0)
        self.registry = None
        if opts.registry:
            import registry_forward
            self.registry = registry_forward.Forwarder(opts.registry, self)

    def known_hosts(self):
        hosts = {"127.0.0.1", "localhost"}
        hosts.update(AUTHORITY.values())
        for u in self.world.urls():
            sp = worldmod.split_url(u)
            if sp:
                hosts.add(sp[0])
        for h, _ in self.kube_hosts:
            hosts.add(h)
        ctx = self.doc["context"]
        if ctx.get("registry"):
            suffix = {"china": "azurecr.cn", "usgov": "azurecr.us"}.get(self.cloud, "azurecr.io")
            hosts.add("%s.%s" % (ctx["registry"].lower(), suffix))
        for h in self.doc.get("hosts", {}):
            hosts.add(h.lower())
        return hosts

    def log(self, method, url, status, ms, note=""):
        line = "%s %s %s %d%s\n" % (method, url, status, ms, (" " + note) if note else "")
        with self.lock:
            self.logf.write(line)

    # --- tokens ---
    def issue(self, aud, who):
        tok = secrets.token_urlsafe(32)
        exp = now() + self.opts.token_ttl
        with self.lock:
            self.tokens[tok] = {"aud": aud, "exp": exp, "who": who}
        return tok, exp

    def token_info(self, tok):
        with self.lock:
            return self.tokens.get(tok)

    def expire_all(self):
        with self.lock:
            for t in self.tokens.values():
                t["exp"] = min(t["exp"], now() - 1)
            for k in self.acr_tokens:
                self.acr_tokens[k] = min(self.acr_tokens[k], now() - 1)

    def fault_for(self, method, host, port, path):
        urls = ("https://%s:%d%s" % (host, port, path), worldmod.origin_of(host, port) + path)
        with self.lock:
            for f in self.faults:
                if not f.at_connect and f.hit(method, urls):
                    return f
        return None

    def connect_fault(self, host, port):
        urls = ("https://%s:%d/" % (host, port), worldmod.origin_of(host, port) + "/")
        with self.lock:
            for f in self.faults:
                if f.at_connect and f.hit("CONNECT", urls):
                    return f
        return None

    def add_fault(self, spec):
        f = Fault(spec)
        with self.lock:
            self.faults.append(f)


# ---------- answers of the services ----------

class Answer:
    """status, headers (list of pairs), body bytes; plus how to send it."""

    def __init__(self, status, headers=None, body=b"", note=""):
        self.status = status
        self.headers = list(headers or [])
        self.body = body
        self.note = note
        self.mode = "normal"   # normal, partial, reset, close
        self.head_length = None  # Content-Length of a HEAD answer without its body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


def basic_says(st, host, auth):
    """A pull secret's HTTP basic credentials (the Authorization header),
    judged from the world as src/sim.c judges them: ("yes" | "no" |
    "untold", the username)."""
    try:
        user, sep, pw = base64.b64decode(auth[6:].strip(), validate=True) \
            .decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return "no", None
    if not sep or not user:
        return "no", None
    t = worldmod.parse_time(os.environ.get("ACR_DOCTOR_NOW", "")) or now()
    return st.world.basic_login(host, user, pw, t), user


def json_answer(status, obj, headers=None, ctype="application/json; charset=utf-8", note=""):
    a = Answer(status, headers, json.dumps(obj, separators=(",", ":")).encode(), note)
    if not a.header("Content-Type"):
        a.set_header("Content-Type", ctype)
    return a


def from_world(r):
    body, ctype = r.payload()
    a = Answer(r.status, list(r.headers.items()), body)
    if ctype and not a.header("Content-Type"):
        a.set_header("Content-Type", ctype)
    return a


def arm_error(status, code, message, headers=None):
    return json_answer(status, {"error": {"code": code, "message": message}}, headers)


def arm_action(method, path):
    """The RBAC action a write needs (Microsoft.X/type/sub/write) and its scope."""
    segs = [s for s in path.split("/") if s]
    low = [s.lower() for s in segs]
    idx = max((i for i, s in enumerate(low) if s == "providers"), default=-1)
    if idx < 0 or idx + 1 >= len(segs):
        ns, types = "Microsoft.Resources", ["resourceGroups"] if "resourcegroups" in low else []
        rest = []
    else:
        ns, rest = segs[idx + 1], segs[idx + 2:]
        types = rest[0::2]
    verb = {"PUT": "write", "PATCH": "write", "DELETE": "delete",
            "GET": "read", "HEAD": "read"}.get(method, "action")
    if verb == "action" and len(rest) % 2 == 1 and len(types) > 1:
        action = "%s/%s/%s/action" % (ns, "/".join(types[:-1]), types[-1])
    else:
        action = "%s/%s/%s" % (ns, "/".join(types), verb)
    scope = path if verb != "action" else "/" + "/".join(segs[:-1])
    return action, scope


# Messages of the ARM error codes a --fault code= may name.
ARM_MESSAGES = {
    "PrincipalNotFound": "Principal {oid} does not exist in the directory {tenant}. Check that "
                         "you have the correct principal ID. If you are creating this principal "
                         "and then immediately assigning a role, this error might be related to "
                         "a replication delay. In this case, set the role assignment "
                         "principalType property to a value, such as ServicePrincipal, User, or "
                         "Group.  See https://aka.ms/docs-principaltype",
    "RoleAssignmentExists": "The role assignment already exists.",
    "Conflict": "Operation returned an invalid status code 'Conflict'",
    "OperationNotAllowed": "Operation is not allowed on this resource at this time.",
    "AnotherOperationInProgress": "Another operation is in progress on the resource. Please "
                                  "retry later.",
}


def status_body(svc, status, path, code=None, st=None):
    """The error body a service sends with a 4xx/5xx it chooses itself
    (code: the ARM error code to send instead of the status's own)."""
    if code and svc in ("arm", "graph"):
        msg = ARM_MESSAGES.get(code, "The request failed with %s." % code)
        if st is not None:
            msg = msg.replace("{oid}", OBJECT_ID).replace("{tenant}", st.tenant)
        return {"error": {"code": code, "message": msg}}
    names = {429: ("TooManyRequests", "Too many requests, retry later."),
             500: ("InternalServerError", "Encountered internal server error. Diagnostic "
                   "information: timestamp '%s', subscription id '', tracking id '%s'."
                   % (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), uuid.uuid4())),
             502: ("BadGateway", "The gateway did not receive a response in time."),
             503: ("ServiceUnavailable", "The service is unavailable, please retry later."),
             504: ("GatewayTimeout", "The gateway did not receive a response from "
                   "'Microsoft.ContainerService' within the specified time period.")}
    code, msg = names.get(status, ("HttpError%d" % status, "Request failed with status %d."
                                   % status))
    if svc == "registry":
        return {"errors": [{"code": code.upper(), "message": msg, "detail": None}]}
    if svc == "kube":
        reason = {429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable",
                  504: "Timeout"}.get(status, "InternalError")
        return kube.status(status, reason, msg)
    if svc == "login":
        return {"error": "temporarily_unavailable", "error_description": msg,
                "error_codes": [status]}
    return {"error": {"code": code, "message": msg}}


class Service:
    """Routes one request inside a tunnel to the right service of the world."""

    def __init__(self, st, peer_cert=False):
        self.st = st
        self.peer_cert = peer_cert

    # --- auth ---
    def _bearer(self, headers):
        auth = headers.get("Authorization") or ""
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None

    def arm_auth(self, headers, svc):
        a = self._arm_auth(headers, svc)
        if a is not None and not a.note:
            code = json.loads(a.body)["error"]["code"]
            a.note = {"AuthenticationFailed": "auth=missing",
                      "InvalidAuthenticationToken": "auth=invalid",
                      "ExpiredAuthenticationToken": "auth=expired"}.get(code, "auth=audience")
        return a

    def _arm_auth(self, headers, svc):
        tok = self._bearer(headers)
        st = self.st
        www = ('Bearer authorization_uri="https://%s/%s", error="invalid_token", '
               'error_description="The authentication failed because of missing '
               '\'Authorization\' header."' % (st.authority, st.tenant))
        if not tok:
            if svc == "graph":
                return json_answer(401, {"error": {"code": "InvalidAuthenticationToken",
                                                   "message": "Access token is empty.",
                                                   "innerError": self._inner()}},
                                   note="auth=missing")
            return arm_error(401, "AuthenticationFailed",
                             "Authentication failed. The 'Authorization' header is missing.",
                             [("WWW-Authenticate", www)])
        info = st.token_info(tok)
        if not info:
            if svc == "graph":
                return json_answer(401, {"error": {"code": "InvalidAuthenticationToken",
                                                   "message": "Access token validation failure. "
                                                   "Invalid audience.", "innerError": self._inner()}},
                                   note="auth=invalid")
            return arm_error(401, "InvalidAuthenticationToken",
                             "The access token is invalid.",
                             [("WWW-Authenticate", www.replace("missing 'Authorization' header",
                                                               "invalid token"))])
        if info["exp"] <= now():
            if svc == "graph":
                return json_answer(401, {"error": {"code": "InvalidAuthenticationToken",
                                                   "message": "Lifetime validation failed, the "
                                                   "token is expired.", "innerError": self._inner()}},
                                   note="auth=expired")
            return arm_error(401, "ExpiredAuthenticationToken",
                             "The access token expiry UTC time '%s' is earlier than current UTC "
                             "time '%s'." % (arm_time(info["exp"]), arm_time(now())),
                             [("WWW-Authenticate", www.replace(
                                 "missing 'Authorization' header", "expired token"))])
        aud = info["aud"].rstrip("/")
        ok = (aud.startswith("https://graph.") or aud.startswith("https://microsoftgraph.")) \
            if svc == "graph" else aud in ARM_AUDIENCES
        if not ok:
            if svc == "graph":
                return json_answer(401, {"error": {"code": "InvalidAuthenticationToken",
                                                   "message": "Access token validation failure. "
                                                   "Invalid audience.", "innerError": self._inner()}},
                                   note="auth=audience")
            return arm_error(401, "InvalidAuthenticationTokenAudience",
                             "The access token has been obtained for wrong audience or resource "
                             "'%s'. It should exactly match with one of the allowed audiences "
                             "'https://management.core.windows.net/','https://management.azure.com/'."
                             % info["aud"])
        return None

    def _inner(self):
        return {"date": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
                "request-id": str(uuid.uuid4()), "client-request-id": str(uuid.uuid4())}

    def kube_auth(self, headers):
        tok = self._bearer(headers)
        if tok and secrets.compare_digest(tok, self.st.kube_token):
            return None
        if self.peer_cert:
            return None  # a client certificate of the CA (--kube-auth cert)
        return json_answer(401, kube.status(401, "Unauthorized", "Unauthorized"),
                           ctype="application/json", note="auth=kube")

    # --- Entra ID ---
    def login(self, method, path, query, headers, body):
        st = self.st
        segs = [s for s in path.split("/") if s]
        if len(segs) == 4 and segs[1:] == ["oauth2", "v2.0", "token"] and method == "POST":
            return self.token(segs[0], urllib.parse.parse_qs(body.decode("utf-8", "replace")))
        if len(segs) == 3 and segs[1:] == ["oauth2", "token"] and method == "POST":
            # The v1 endpoint: resource= instead of scope=.
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            res = (form.get("resource") or [""])[0].rstrip("/")
            form["scope"] = [res + "/.default"]
            return self.token(segs[0], form)
        if len(segs) == 4 and segs[1:] == ["oauth2", "v2.0", "devicecode"] and method == "POST":
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            code = secrets.token_urlsafe(24)
            with st.lock:
                st.device[code] = {"polls": 0, "scope": form.get("scope", [""])[0]}
            user_code = "F" + secrets.token_hex(4).upper()
            return json_answer(200, {
                "device_code": code, "user_code": user_code,
                "verification_uri": "https://microsoft.com/devicelogin", "expires_in": 900,
                "interval": 1,
                "message": "To sign in, use a web browser to open the page "
                           "https://microsoft.com/devicelogin and enter the code %s to "
                           "authenticate." % user_code})
        if len(segs) >= 3 and segs[1] == "v2.0" and segs[2] == ".well-known":
            base = "https://%s/%s" % (st.authority, segs[0])
            return json_answer(200, {
                "token_endpoint": base + "/oauth2/v2.0/token",
                "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
                "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                "issuer": "https://%s/%s/v2.0" % (st.authority, st.tenant),
                "token_endpoint_auth_methods_supported": ["client_secret_post",
                                                          "private_key_jwt", "client_secret_basic"]})
        return json_answer(404, {"error": "not_found",
                                 "error_description": "AADSTS90002: The requested endpoint "
                                 "was not found.", "error_codes": [90002]})

    def aad_error(self, status, err, code, desc):
        trace = str(uuid.uuid4())
        ts = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())
        return json_answer(status, {
            "error": err,
            "error_description": "AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\n"
                                 "Timestamp: %s" % (code, desc, trace, uuid.uuid4(), ts),
            "error_codes": [code], "timestamp": ts, "trace_id": trace,
            "correlation_id": str(uuid.uuid4())}, note="aad=" + err)

    def token(self, tenant, form):
        st = self.st
        g = lambda k: (form.get(k) or [""])[0]
        grant = g("grant_type")
        scope = g("scope")
        if tenant.lower() not in (st.tenant.lower(), "organizations", "common") and \
                grant != "urn:ietf:params:oauth:grant-type:device_code":
            return self.aad_error(400, "invalid_request", 90002,
                                  "Tenant '%s' not found. Check to make sure you have the correct "
                                  "tenant ID and are signing into the correct cloud." % tenant[:64])
        res = scope.split(" ")[0]
        if res.endswith("/.default"):
            res = res[:-len("/.default")]
        if grant == "client_credentials":
            if g("client_id") != st.client_id:
                return self.aad_error(400, "unauthorized_client", 700016,
                                      "Application with identifier '%s' was not found in the "
                                      "directory '%s'." % (g("client_id")[:64], st.tenant))
            if g("client_assertion"):
                if g("client_assertion_type") != \
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" or \
                        not st.federated or \
                        not secrets.compare_digest(g("client_assertion"), st.federated):
                    return self.aad_error(401, "invalid_client", 700213,
                                          "No matching federated identity record found for "
                                          "presented assertion subject.")
                who = "workload"
            elif g("client_secret"):
                if not secrets.compare_digest(g("client_secret"), st.client_secret):
                    return self.aad_error(401, "invalid_client", 7000215,
                                          "Invalid client secret provided. Ensure the secret being "
                                          "sent in the request is the client secret value, not the "
                                          "client secret ID, for a secret added to app '%s'."
                                          % st.client_id)
                who = "sp"
            else:
                return self.aad_error(401, "invalid_client", 7000218,
                                      "The request body must contain the following parameter: "
                                      "'client_assertion' or 'client_secret'.")
        elif grant == "urn:ietf:params:oauth:grant-type:device_code":
            code = g("device_code")
            with st.lock:
                dev = st.device.get(code)
                if dev:
                    dev["polls"] += 1
            if not dev:
                return self.aad_error(400, "expired_token", 70020,
                                      "The provided value for the input parameter 'device_code' "
                                      "is not valid. This device code has expired.")
            if dev["polls"] < 2:
                return self.aad_error(400, "authorization_pending", 70016,
                                      "OAuth 2.0 device flow error. Authorization is pending. "
                                      "Continue polling.")
            who = "device"
            # Entra's device-code poll carries no scope: the one asked
            # for at /devicecode applies.
            if not scope:
                scope = dev["scope"]
                res = scope.split(" ")[0]
                if res.endswith("/.default"):
                    res = res[:-len("/.default")]
        else:
            return self.aad_error(400, "unsupported_grant_type", 70003,
                                  "The app requested an unsupported grant type '%s'." % grant[:40])
        if not res.startswith("https://"):
            return self.aad_error(400, "invalid_scope", 70011,
                                  "The provided value for the input parameter 'scope' is not "
                                  "valid. The scope %s is not valid." % scope[:200])
        tok, exp = st.issue(res + "/", who)
        out = {"token_type": "Bearer", "expires_in": int(exp - now()),
               "ext_expires_in": int(exp - now()), "access_token": tok}
        if who == "device":
            out["scope"] = scope
            out["refresh_token"] = secrets.token_urlsafe(32)
        return json_answer(200, out, [("Cache-Control", "no-store, no-cache"),
                                      ("Pragma", "no-cache")])

    # --- registry ---
    def login_server(self):
        ctx = self.st.doc["context"]
        suffix = {"china": "azurecr.cn", "usgov": "azurecr.us"}.get(self.st.cloud, "azurecr.io")
        return "%s.%s" % ((ctx.get("registry") or "").lower(), suffix)

    def basic(self, host, path, auth):
        says = basic_says(self.st, host, auth)[0]
        if says == "yes" and path == "/v2/":
            return json_answer(200, {}, note="acr=basic-accepted")
        if says == "yes":
            at = secrets.token_urlsafe(32)
            with self.st.lock:
                self.st.acr_tokens[at] = now() + self.st.opts.token_ttl
            return json_answer(200, {"access_token": at}, note="acr=basic-accepted")
        if says == "no":
            return json_answer(401, {"errors": [{
                "code": "UNAUTHORIZED",
                "message": "authentication required, visit "
                           "https://aka.ms/acr/authorization for more information.",
                "detail": None}]}, note="acr=basic-refused")
        return json_answer(503, {"errors": [{
            "code": "UNAVAILABLE",
            "message": "the scenario does not tell whether these credentials are valid",
            "detail": None}]}, note="acr=basic-untold")

    def registry(self, method, host, port, path, query, headers, body):
        st = self.st
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if body else {}
        qs = urllib.parse.parse_qs(query)
        g = lambda k: (form.get(k) or qs.get(k) or [""])[0]
        has_entry = st.world.has(method, host, port, path)
        if path == "/oauth2/exchange" and method == "POST":
            aad = g("access_token")
            info = st.token_info(aad) if aad else None
            if g("grant_type") not in ("access_token", "access_token_refresh_token") or \
                    not info or info["exp"] <= now():
                return json_answer(401, {"errors": [{
                    "code": "UNAUTHORIZED",
                    "message": "failed to authenticate the AAD access token: %s"
                               % ("token expired" if info else "invalid token"),
                    "detail": None}]}, note="acr=exchange-refused")
            forwarding = st.registry and host == self.login_server()
            if has_entry and not forwarding:
                r = st.world.answer(method, host, port, path, body)
                rt = r.body.get("refresh_token") if isinstance(r.body, dict) else None
                if r.status == 200 and isinstance(rt, str):
                    with st.lock:
                        st.acr_tokens[rt] = now() + st.opts.token_ttl
                return from_world(r)
            rt = secrets.token_urlsafe(32)
            with st.lock:
                st.acr_tokens[rt] = now() + st.opts.token_ttl
            return json_answer(200, {"refresh_token": rt})
        if path == "/oauth2/token" and st.registry and host == self.login_server():
            return st.registry.token(method, g, headers)
        auth = headers.get("Authorization") or ""
        if method == "GET" and path in ("/oauth2/token", "/v2/") and auth[:6].lower() == "basic ":
            return self.basic(host, path, auth)
        if path == "/oauth2/token" and not has_entry:
            rt = g("refresh_token")
            # A GET without any credential is the anonymous token request
            # clients make first: a token only when anonymous pull is on.
            if method == "GET" and not rt and not headers.get("Authorization"):
                if not getattr(st.opts, "anonymous_pull", False):
                    return json_answer(401, {"errors": [{
                        "code": "UNAUTHORIZED",
                        "message": "authentication required, visit "
                                   "https://aka.ms/acr/authorization for more information.",
                        "detail": None}]},
                        [("WWW-Authenticate",
                          'Bearer realm="https://%s/oauth2/token",service="%s"'
                          % (host, host))])
                at = secrets.token_urlsafe(32)
                with st.lock:
                    st.acr_tokens[at] = now() + st.opts.token_ttl
                return json_answer(200, {"access_token": at, "token": at},
                                   note="acr=anonymous")
            with st.lock:
                exp = st.acr_tokens.get(rt)
            if method == "POST" and (not exp or exp <= now()):
                return json_answer(401, {"errors": [{"code": "UNAUTHORIZED",
                                                     "message": "invalid refresh token",
                                                     "detail": None}]})
            at = secrets.token_urlsafe(32)
            with st.lock:
                st.acr_tokens[at] = now() + st.opts.token_ttl
            return json_answer(200, {"access_token": at})
        if st.registry and host == self.login_server() and path.startswith("/v2/"):
            return st.registry.forward(method, path, query, headers, body)
        if path == "/v2/" and method in ("GET", "HEAD") and \
                not st.world.has("GET", host, port, path) and not has_entry:
            ls = host
            return json_answer(401, {"errors": [{"code": "UNAUTHORIZED",
                                                 "message": "authentication required",
                                                 "detail": None}]},
                               [("Docker-Distribution-Api-Version", "registry/2.0"),
                                ("WWW-Authenticate",
                                 'Bearer realm="https://%s/oauth2/token",service="%s"' % (ls, ls))])
        return None

    # --- kube ---
    def kube(self, method, host, port, path, query, headers, body):
        st = self.st
        w = st.world
        if path in ("/healthz", "/livez", "/readyz"):
            return Answer(200, [("Content-Type", "text/plain; charset=utf-8")], b"ok")
        denied = self.kube_auth(headers)
        if denied:
            return denied
        rules = w.doc.get("kubeDeny") or []
        if path == kube.SSAR_PATH:
            if method == "POST" and not w.has(method, host, port, path):
                code, review = kube.access_review(rules, body)
                return json_answer(code, review, ctype="application/json")
        elif rules:
            # What RBAC does not let the caller do is refused before any
            # recorded answer, as the API server refuses it.
            attrs = kube.attributes(method, path)
            if attrs and kube.denial(rules, attrs):
                return json_answer(403, kube.forbidden(attrs, st.client_id),
                                   ctype="application/json", note="rbac=deny")
        if not w.has(method, host, port, path) and method in ("GET", "HEAD"):
            doc = kube.discovery(path, headers.get("Host") or host)
            if doc is not None:
                return json_answer(200, doc, ctype="application/json")
        parsed = kube.parse_path(path)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip()
        merge = None
        if method == "PATCH":
            if ctype == "application/strategic-merge-patch+json":
                merge = kube.strategic_merge
            elif ctype not in ("application/merge-patch+json", "application/json", ""):
                return json_answer(415, kube.status(415, "UnsupportedMediaType",
                                                    "the body of the request was in an unknown "
                                                    "format - accepted media types include: "
                                                    "application/json-patch+json, "
                                                    "application/merge-patch+json, "
                                                    "application/strategic-merge-patch+json"),
                                   note="patch=" + (ctype or "none"))
        entry = w.has(method if method != "HEAD" else "GET", host, port, path)
        if method in ("GET", "HEAD") and not entry and parsed and parsed[3] is None:
            body = self.kube_list(host, port, parsed)
            r = worldmod.Response(200, body=body)
        else:
            r = w.answer(method, host, port, path, body, merge=merge)
            if r.status == 404 and parsed and parsed[3] and r.body and \
                    r.body.get("kind") == "Status" and not entry:
                # The API server names the missing object.
                res, name = parsed[2], parsed[3]
                r.body = kube.status(404, "NotFound", '%s "%s" not found' % (res, name),
                                     {"name": name, "kind": res})
        if isinstance(r.body, dict) and method in ("GET", "HEAD") and r.status == 200:
            b = r.body
            if parsed and parsed[3] is None:
                b = kube.select(copy.deepcopy(b), query)
            if parsed and not b.get("kind"):
                k = kube.kind_of(parsed[0], parsed[2])
                b = dict(b, kind=k + ("List" if parsed[3] is None else ""), apiVersion=parsed[0])
            if parsed and "as=Table" in (headers.get("Accept") or ""):
                b = kube.table(parsed[2], b)
            r.body = b
        a = from_world(r)
        a.set_header("Audit-Id", str(uuid.uuid4()))
        if method == "PATCH":
            # The log says which kind of patch came (tests read it).
            a.note = (a.note + " " if a.note else "") + "patch=" + (ctype or "none")
        return a

    def kube_list(self, host, port, parsed):
        """A list the scenario does not record, made of the objects it does."""
        gv, ns, res, _ = parsed
        prefix = kube.collection_prefix(gv)
        pats = []
        if ns:
            pats.append(("%s/namespaces/%s/%s/*" % (prefix, ns, res), False))
        else:
            pats.append(("%s/%s/*" % (prefix, res), False))
            pats.append(("%s/namespaces/*/%s/*" % (prefix, res), False))
            pats.append(("%s/namespaces/*/%s" % (prefix, res), True))
        items = []
        with self.st.world.lock:
            for e in self.st.world.http:
                if e.get("method") != "GET":
                    continue
                sp = worldmod.split_url(e.get("url"))
                if not sp or (sp[0], sp[1]) != (host, port) or e.get("status", 200) != 200:
                    continue
                for pat, is_list in pats:
                    if worldmod.path_match(pat, sp[2]):
                        b = e.get("body")
                        if is_list and isinstance(b, dict) and isinstance(b.get("items"), list):
                            items.extend(copy.deepcopy(b["items"]))
                        elif not is_list and isinstance(b, dict):
                            items.append(copy.deepcopy(b))
                        break
        kind = kube.kind_of(gv, res)
        return {"kind": kind + "List", "apiVersion": gv,
                "metadata": {"resourceVersion": "1"}, "items": items}

    # --- ARM extras ---
    def _world_paths(self, host):
        """Paths of the GET entries on host that answer 200 with an object."""
        out = []
        with self.st.world.lock:
            for e in self.st.world.http:
                if e.get("method") != "GET" or e.get("status", 200) != 200 or \
                        not isinstance(e.get("body"), dict):
                    continue
                sp = worldmod.split_url(e.get("url"))
                if sp and sp[0] == host:
                    out.append((sp[2], e["body"]))
        return out

    def arm_synth(self, method, host, path):
        """What ARM answers for listings the scenario does not record: the
        subscriptions, resource groups and resources of a type that its URLs
        name (how a client finds a cluster's subscription and group).  None
        when this is not such a listing."""
        st = self.st
        segs = [x for x in path.split("/") if x]
        low = [x.lower() for x in segs]
        if method != "GET" or not segs or low[0] != "subscriptions" or len(segs) > 7:
            return None
        paths = self._world_paths(host)
        subs, groups = {}, {}
        for p, _ in paths + [(worldmod.split_url(u)[2], None) for u in st.world.urls()
                             if worldmod.split_url(u) and worldmod.split_url(u)[0] == host]:
            ps = [x for x in p.split("/") if x]
            if len(ps) >= 2 and ps[0].lower() == "subscriptions":
                subs.setdefault(ps[1].lower(), ps[1])
                if len(ps) >= 4 and ps[2].lower() == "resourcegroups":
                    groups.setdefault((ps[1].lower(), ps[3].lower()), ps[3])

        def sub_obj(sid):
            return {"id": "/subscriptions/" + sid, "authorizationSource": "RoleBased",
                    "managedByTenants": [], "subscriptionId": sid, "tenantId": st.tenant,
                    "displayName": "acr-doctor training", "state": "Enabled",
                    "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01",
                                             "quotaId": "PayAsYouGo_2014-09-01",
                                             "spendingLimit": "Off"}}

        def rg_obj(sid, rg):
            return {"id": "/subscriptions/%s/resourceGroups/%s" % (sid, rg), "name": rg,
                    "type": "Microsoft.Resources/resourceGroups", "location": "westeurope",
                    "properties": {"provisioningState": "Succeeded"}}

        if len(segs) == 1:
            return json_answer(200, {"value": [sub_obj(x) for x in subs.values()],
                                     "count": {"type": "Total", "value": len(subs)}})
        sid = subs.get(low[1])
        if sid is None:
            return arm_error(404, "SubscriptionNotFound",
                             "The subscription '%s' could not be found." % segs[1][:64])
        if len(segs) == 2:
            return json_answer(200, sub_obj(sid))
        rg = None
        rest = low[2:]
        if rest[0] == "resourcegroups":
            if len(rest) == 1:
                return json_answer(200, {"value": [rg_obj(sid, g) for (sk, _), g in groups.items()
                                                   if sk == low[1]]})
            rg = groups.get((low[1], rest[1]))
            if rg is None:
                return arm_error(404, "ResourceGroupNotFound",
                                 "Resource group '%s' could not be found." % segs[3][:90])
            if len(rest) == 2:
                return json_answer(200, rg_obj(sid, rg))
            rest = rest[2:]
        if len(rest) != 3 or rest[0] != "providers":
            return None
        ns, typ = rest[1], rest[2]
        items = []
        for p, body in paths:
            ps = [x.lower() for x in p.split("/") if x]
            if len(ps) == 8 and ps[0] == "subscriptions" and ps[1] == low[1] and \
                    ps[2] == "resourcegroups" and (rg is None or ps[3] == rg.lower()) and \
                    ps[4] == "providers" and ps[5] == ns and ps[6] == typ:
                items.append(copy.deepcopy(body))
        return json_answer(200, {"value": items})

    def cluster_credential(self, method, host, port, path):
        """POST .../managedClusters/NAME/listClusterUserCredential when the
        scenario does not record it: the kubeconfig of DIR/kubeconfig."""
        segs = [x for x in path.split("/") if x]
        if method != "POST" or len(segs) != 9 or \
                segs[-1].lower() not in ("listclusterusercredential",
                                         "listclusteradmincredential") or \
                segs[6].lower() != "managedclusters":
            return None
        if not self.st.world.get_body("https://%s/%s" % (host, "/".join(segs[:-1]))):
            return None
        try:
            with open(os.path.join(self.st.dir, "kubeconfig"), "rb") as f:
                kc = f.read()
        except OSError:
            return None
        name = "clusterAdmin" if "admin" in segs[-1].lower() else "clusterUser"
        return json_answer(200, {"kubeconfigs": [{"name": name,
                                                  "value": base64.b64encode(kc).decode()}]})

    def arm_extra(self, method, host, port, path):
        """What ARM answers that scenarios do not record: the caller's own
        permissions on a scope, and a cluster's user kubeconfig."""
        st = self.st
        low = path.lower().rstrip("/")
        if st.world.find_entry(method, host, port, path):
            return None
        if method == "GET" and low.endswith("/providers/microsoft.authorization/permissions"):
            return json_answer(200, {"value": [{
                "actions": ["*"], "notActions": list(st.opts.deny_action),
                "dataActions": [], "notDataActions": []}]})
        if method == "POST" and low.endswith("/listclusterusercredential") and \
                "/microsoft.containerservice/managedclusters/" in low:
            cluster = path.rstrip("/").rsplit("/", 1)[0]
            if not st.world.get_body("https://%s%s" % (host, cluster)):
                return None
            try:
                with open(os.path.join(st.dir, "kubeconfig"), "rb") as f:
                    kc = f.read()
            except OSError:
                return None
            return json_answer(200, {"kubeconfigs": [
                {"name": "clusterUser", "value": base64.b64encode(kc).decode()}]})
        return None

    def paginate(self, a, host, path, query):
        n = self.st.opts.page_size
        if not n or a.status != 200:
            return a
        try:
            body = json.loads(a.body)
        except ValueError:
            return a
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            return a
        q = urllib.parse.parse_qsl(query, keep_blank_values=True)
        skip = 0
        for k, v in q:
            if k.lower() == "$skiptoken":
                try:
                    skip = int(v)
                except ValueError:
                    return arm_error(400, "InvalidSkipToken", "The skip token is invalid.")
        items = body["value"]
        if len(items) <= n and skip == 0:
            return a
        body["value"] = items[skip:skip + n]
        if skip + n < len(items):
            q2 = [(k, v) for k, v in q if k.lower() != "$skiptoken"] + \
                [("$skiptoken", str(skip + n))]
            body["nextLink"] = "https://%s%s?%s" % (host, path, urllib.parse.urlencode(q2))
        else:
            body.pop("nextLink", None)
        a.body = json.dumps(body, separators=(",", ":")).encode()
        return a

    def duplicate_assignment(self, method, host, port, path, body):
        """ARM refuses a second role assignment of the same role to the same
        principal at the same scope: 409 RoleAssignmentExists."""
        segs = [x for x in path.split("/") if x]
        if method != "PUT" or len(segs) < 4 or \
                [x.lower() for x in segs[-4:-1]] != ["providers", "microsoft.authorization",
                                                      "roleassignments"]:
            return None
        try:
            props = json.loads(body.decode()).get("properties") or {}
        except (ValueError, AttributeError, UnicodeDecodeError):
            return None
        rd, pid = props.get("roleDefinitionId"), props.get("principalId")
        if not isinstance(rd, str) or not isinstance(pid, str):
            return None
        coll = self.st.world.get_body("https://%s%s" % (host, path.rsplit("/", 1)[0]))
        for it in (coll or {}).get("value") or []:
            p = (it or {}).get("properties") or {} if isinstance(it, dict) else {}
            name = str(it.get("name") or str(it.get("id", "")).rsplit("/", 1)[-1]) \
                if isinstance(it, dict) else ""
            if name.lower() != segs[-1].lower() and \
                    str(p.get("roleDefinitionId", "")).lower().rsplit("/", 1)[-1] == \
                    rd.lower().rsplit("/", 1)[-1] and \
                    str(p.get("principalId", "")).lower() == pid.lower():
                return arm_error(409, "RoleAssignmentExists", ARM_MESSAGES["RoleAssignmentExists"])
        return None

    def lro_applies(self, host, path):
        """Role assignments are synchronous in ARM; other writes are operations."""
        url = "https://%s%s" % (host, path)
        if self.st.opts.lro_match:
            return any(fnmatch.fnmatchcase(url, p) for p in self.st.opts.lro_match)
        return "/providers/microsoft.authorization/" not in path.lower()

    def lro_start(self, method, host, port, path, query, body):
        """Accept an ARM write as a long-running operation; the world changes when it ends."""
        st = self.st
        op = str(uuid.uuid4())
        fail = any(fnmatch.fnmatchcase("https://%s%s" % (host, path), p) for p in st.opts.lro_fail)
        segs = [s for s in path.split("/") if s]
        sub = segs[1] if len(segs) > 1 and segs[0].lower() == "subscriptions" else "0"
        prov = next((segs[i + 1] for i in range(len(segs) - 1, -1, -1)
                     if segs[i].lower() == "providers" and i + 1 < len(segs)), "Microsoft.Resources")
        current = st.world.get_body("https://%s%s" % (host, path))
        loc = (current or {}).get("location") or "westeurope"
        api = urllib.parse.parse_qs(query).get("api-version", ["2023-01-01"])[0]
        base = "https://%s/subscriptions/%s/providers/%s/locations/%s" % (host, sub, prov, loc)
        async_url = "%s/operationStatuses/%s?api-version=%s" % (base, op, api)
        loc_url = "%s/operationResults/%s?api-version=%s" % (base, op, api)
        with st.lock:
            st.ops[op] = {"method": method, "host": host, "port": port, "path": path,
                          "body": body, "polls": 0, "fail": fail, "done": None,
                          "result": None, "start": now()}
        hdrs = [("Azure-AsyncOperation", async_url), ("Location", loc_url),
                ("Retry-After", str(st.opts.lro_retry_after))]
        if method == "PUT":
            try:
                shown = json.loads(body.decode()) if body else {}
            except ValueError:
                shown = None
            if not isinstance(shown, dict):
                # Let the world refuse it (400) right away.
                with st.lock:
                    del st.ops[op]
                return None
            shown.setdefault("id", path)
            shown.setdefault("name", path.rsplit("/", 1)[-1])
            if isinstance(shown.get("properties"), dict):
                shown["properties"]["provisioningState"] = "Creating" if current is None \
                    else "Updating"
            return json_answer(201 if current is None else 200, shown, hdrs, note="lro=" + op)
        a = Answer(202, hdrs, b"", note="lro=" + op)
        return a

    def lro_poll(self, path, query):
        segs = [s for s in path.split("/") if s]
        if len(segs) < 2 or segs[-2] not in ("operationStatuses", "operationResults"):
            return None
        op_id = segs[-1]
        st = self.st
        with st.lock:
            op = st.ops.get(op_id)
            if not op:
                return None
            op["polls"] += 1
            # The operation ends once, however many pollers ask at the same time.
            if op["polls"] > st.opts.lro_polls and op["done"] is None:
                if op["fail"]:
                    op["done"] = "Failed"
                else:
                    r = st.world.answer(op["method"], op["host"], op["port"], op["path"],
                                        op["body"])
                    op["result"] = r
                    op["done"] = "Succeeded" if r.status < 400 else "Failed"
            status = op["done"] or "InProgress"
        if segs[-2] == "operationStatuses":
            out = {"id": path, "name": op_id, "status": status,
                   "startTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(op["start"]))}
            if status == "Failed":
                r = op["result"]
                err = (r.body or {}).get("error") if r and isinstance(r.body, dict) else None
                out["error"] = err or {"code": "OperationFailed",
                                       "message": "The long-running operation failed: the "
                                                  "resource could not be updated (injected "
                                                  "failure)."}
            hdrs = [("Retry-After", str(st.opts.lro_retry_after))] if status == "InProgress" \
                else []
            return json_answer(200, out, hdrs)
        # operationResults (the Location header)
        if status == "InProgress":
            return Answer(202, [("Location", "https://%s%s?%s" % (op["host"], path, query)),
                                ("Retry-After", str(st.opts.lro_retry_after))])
        if status == "Failed":
            r = op["result"]
            if r is not None:
                return from_world(r)
            return arm_error(500, "OperationFailed", "The long-running operation failed "
                             "(injected failure).")
        if op["method"] == "DELETE":
            return Answer(204)
        r = op["result"]
        return json_answer(200, st.world.get_body("https://%s%s" % (op["host"], op["path"])) or
                           (r.body if r else {}))

    # --- dispatch ---
    def handle(self, method, host, port, target, headers, body):
        st = self.st
        path, _, query = target.partition("?")
        path = urllib.parse.unquote(path.split("#")[0]) or "/"
        svc = "kube" if (host, port) in st.kube_hosts else worldmod.service_of(host, path)
        fault = None
        if svc == "login":
            pre = None
        elif svc in ("arm", "graph"):
            pre = self.arm_auth(headers, svc)
        else:
            pre = None
        if pre is None:
            fault = st.fault_for(method, host, port, path)
        if fault and fault.delay_ms:
            time.sleep(fault.delay_ms / 1000.0)
        if pre is not None:
            return pre
        if fault and fault.kind == "status":
            hdrs = [("Retry-After", fault.retry_after)] if fault.retry_after else []
            if svc == "arm" and fault.status == 429:
                hdrs.append(("x-ms-ratelimit-remaining-subscription-reads", "0"))
            return json_answer(fault.status, status_body(svc, fault.status, path,
                                                         fault.code, st), hdrs,
                               note="fault=" + fault.do)
        if fault and fault.kind == "deny":
            if svc == "kube":
                # The authorizer's verb: list for a collection, get for
                # one object, as RBAC names them.
                attrs = kube.attributes(method, path) or {
                    "verb": method.lower(), "group": "", "resource": "resources",
                    "subresource": "", "namespace": "", "name": ""}
                return json_answer(403, kube.forbidden(attrs, st.client_id), note="fault=deny")
            action, scope = arm_action(method, path)
            return json_answer(403, {"error": {
                "code": "AuthorizationFailed",
                "message": "The client '%s' with object id '%s' does not have authorization to "
                           "perform action '%s' over scope '%s' or the scope is invalid. If "
                           "access was recently granted, please refresh your credentials."
                           % (st.client_id, OBJECT_ID, action, scope)}},
                [("x-ms-failure-cause", "gateway")], note="fault=deny")
        a = self.route(svc, method, host, port, path, query, headers, body)
        if fault:
            a = self.hurt(a, fault)
        return a

    def route(self, svc, method, host, port, path, query, headers, body):
        st = self.st
        if svc == "login":
            return self.login(method, path, query, headers, body)
        if svc == "kube":
            return self.kube(method, host, port, path, query, headers, body)
        if svc == "registry":
            a = self.registry(method, host, port, path, query, headers, body)
            if a is not None:
                return a
        if svc == "arm":
            a = self.lro_poll(path, query) if method == "GET" else None
            if a is None:
                a = self.arm_extra(method, host, port, path)
            if a is not None:
                return a
            if st.world.write_would_apply(method, host, port, path):
                a = self.duplicate_assignment(method, host, port, path, body)
                if a is not None:
                    return a
            if st.opts.lro and method in ("PUT", "PATCH", "DELETE") and \
                    self.lro_applies(host, path) and \
                    st.world.write_would_apply(method, host, port, path):
                a = self.lro_start(method, host, port, path, query, body)
                if a is not None:
                    return a
        a = None
        if svc == "arm" and not st.world.has(method, host, port, path):
            a = self.arm_synth(method, host, path) or \
                self.cluster_credential(method, host, port, path)
        if a is None:
            a = from_world(st.world.answer(method, host, port, path, body))
        if svc == "arm":
            a.set_header("x-ms-request-id", str(uuid.uuid4()))
            a.set_header("x-ms-correlation-request-id", str(uuid.uuid4()))
            if method == "GET":
                a = self.paginate(a, host, path, query)
        return a

    def hurt(self, a, fault):
        a.note = (a.note + " " if a.note else "") + "fault=" + fault.do
        if fault.kind == "truncate":
            a.body = a.body[:max(1, len(a.body) // 2)]
        elif fault.kind == "invalid":
            a.body = b'{"value":[{"id":' + b"<!-- not JSON -->"
            if not a.header("Content-Type"):
                a.set_header("Content-Type", "application/json; charset=utf-8")
        elif fault.kind in ("partial", "reset", "close"):
            a.mode = fault.kind
        return a


# ---------- the wire ----------

class TunnelHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 (keep-alive) inside one TLS tunnel to (host, port)."""
    protocol_version = "HTTP/1.1"
    timeout = 120

    def version_string(self):
        return "fake-world"

    def __init__(self, sock, addr, server, st, host, port):
        self.st, self.thost, self.tport = st, host, port
        super().__init__(sock, addr, server)

    def log_message(self, fmt, *args):
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(8)
                if len(out) > MAX_BODY:
                    raise ValueError("body too large")
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def handle_one_request(self):
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (OSError, ssl.SSLError):
            self.close_connection = True
            return
        if not self.raw_requestline or len(self.raw_requestline) > 65536:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        t0 = now()
        st = self.st
        method = self.command
        try:
            body = self._read_body()
        except ValueError:
            self.send_error(413)
            return
        if st.latency:
            time.sleep(st.latency / 1000.0)
        if self.path[:8].lower() == "https://":  # absolute form: the tunnel names the host
            rest = self.path[8:]
            self.path = rest[rest.find("/"):] if "/" in rest else "/"
        url = worldmod.origin_of(self.thost, self.tport) + self.path
        try:
            try:
                peer = bool(self.connection.getpeercert())
            except (ValueError, AttributeError):
                peer = False
            a = Service(st, peer).handle(method, self.thost, self.tport, self.path,
                                         self.headers, body)
        except Exception as e:  # a bug in the fake must not look like a network failure
            import traceback
            traceback.print_exc()
            a = json_answer(500, {"error": {"code": "FakeWorldBug", "message": str(e)[:300]}})
        ms = int((now() - t0) * 1000)
        st.log(method, url, a.status if a.mode == "normal" else a.mode, ms, a.note)
        self.send(a, method == "HEAD")

    def send(self, a, head):
        if a.mode in ("reset", "close"):
            if a.mode == "reset":
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                except OSError:
                    pass
            self.close_connection = True
            try:
                self.connection.close()
            except OSError:
                pass
            return
        self.send_response(a.status)
        for k, v in a.headers:
            if k.lower() in ("content-length", "transfer-encoding", "connection"):
                continue
            self.send_header(k, v)
        body = a.body
        if head and a.head_length is not None:
            self.send_header("Content-Length", str(a.head_length))
        else:
            self.send_header("Content-Length", str(len(body)))
        if a.mode == "partial":
            self.send_header("Connection", "close")
        if not head and body:
            if a.mode == "partial":
                body = body[:max(1, len(body) // 2)]
                self.close_connection = True
        else:
            body = b""
        # One write for the status line, headers and body.
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + body)
        self._headers_buffer = []
        self.wfile.flush()


SQUID = {"dns": (503, "Service Unavailable", "ERR_DNS_FAIL 0"),
         "refused": (503, "Service Unavailable", "ERR_CONNECT_FAIL 111"),
         "timeout": (504, "Gateway Timeout", "ERR_CONNECT_FAIL 110")}


class ProxyHandler(socketserver.BaseRequestHandler):
    """One client connection to the proxy: CONNECT, then the tunnel."""

    def _read_head(self, sock):
        buf = b""
        while b"\r\n\r\n" not in buf:
            peek = sock.recv(4096, socket.MSG_PEEK)
            if not peek:
                return None
            end = (buf + peek).find(b"\r\n\r\n")
            take = len(peek) if end < 0 else end + 4 - len(buf)
            buf += sock.recv(take)
            if len(buf) > 65536:
                return None
        return buf

    def _plain(self, sock, status, reason, extra, body=b""):
        hdr = "HTTP/1.1 %d %s\r\nServer: squid/5.7\r\nMime-Version: 1.0\r\n" % (status, reason)
        for k, v in extra:
            hdr += "%s: %s\r\n" % (k, v)
        hdr += "Content-Type: text/html;charset=utf-8\r\nContent-Length: %d\r\n" \
               "Connection: close\r\n\r\n" % len(body)
        sock.sendall(hdr.encode("latin-1") + body)

    def handle(self):
        st = self.server.st
        sock = self.request
        sock.settimeout(120)
        # An answer's head and body are two writes: without this, Nagle
        # holds the body back until the client's delayed ACK (40 ms), a
        # stall no real service adds to every request.
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        try:
            head = self._read_head(sock)
        except OSError:
            return
        if not head:
            return
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "CONNECT":
            st.log(parts[0] if parts else "?", parts[1] if len(parts) > 1 else "?", 403, 0,
                   "proxy=not-connect")
            self._plain(sock, 403, "Forbidden", [("X-Squid-Error", "ERR_ACCESS_DENIED 0")],
                        b"<html><body>This proxy only tunnels (CONNECT).</body></html>")
            return
        target = parts[1]
        host, _, port = target.rpartition(":")
        host = host.strip("[]").lower()
        try:
            port = int(port)
        except ValueError:
            self._plain(sock, 400, "Bad Request", [("X-Squid-Error", "ERR_INVALID_URL 0")])
            return
        fail, why = st.world.host_failure(host), "hosts="
        if fail not in SQUID:
            f = st.connect_fault(host, port)
            fail, why = (f.kind, "fault=") if f else (None, "")
        if fail in SQUID:
            code, reason, err = SQUID[fail]
            st.log("CONNECT", target, code, 0, why + fail)
            self._plain(sock, code, reason, [("X-Squid-Error", err)],
                        ("<html><body>%s: %s</body></html>" % (err, host)).encode())
            return
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            ctx = self.server.tls.context_for(host)
            tls = ctx.wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            st.log("CONNECT", target, "tls-failed", 0, type(e).__name__)
            return
        try:
            TunnelHandler(tls, self.client_address, self.server, st, host, port)
        except (OSError, ssl.SSLError):
            pass
        finally:
            try:
                tls.close()
            except OSError:
                pass


class TLS:
    """SSL contexts: one certificate for every host known at start, more on demand."""

    def __init__(self, d, st, wrong_ca_hosts):
        self.d = d
        self.ca_pem, _ = certs.make_ca(d, "ca", "acr-doctor fake world CA")
        hosts = st.known_hosts()
        self.known = hosts
        pem, key = certs.make_leaf(d, "server", "ca", hosts)
        self.main = self._ctx(pem, key)
        self.cache = certs.LeafCache(d, "ca")
        self.extra = {}
        self.wrong = set(h.lower() for h in wrong_ca_hosts)
        # --kube-auth cert: the API server asks for a client certificate.
        self.kube_hosts = set(h for h, _ in st.kube_hosts)
        self.kube_ctx = None
        if st.opts.kube_auth == "cert":
            self.kube_ctx = self._ctx(pem, key)
            self.kube_ctx.verify_mode = ssl.CERT_OPTIONAL
            self.kube_ctx.load_verify_locations(self.ca_pem)
        self.lock = threading.Lock()
        if self.wrong:
            certs.make_ca(d, "other-ca", "Some other CA")
            pem, key = certs.make_leaf(d, "wrong", "other-ca", sorted(self.wrong))
            self.wrong_ctx = self._ctx(pem, key)

    def _ctx(self, pem, key):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(pem, key)
        ctx.set_alpn_protocols(["http/1.1"])
        return ctx

    def context_for(self, host):
        if host in self.wrong:
            return self.wrong_ctx
        if self.kube_ctx and host in self.kube_hosts:
            return self.kube_ctx
        if host in self.known:
            return self.main
        with self.lock:
            if host not in self.extra:
                self.extra[host] = self._ctx(*self.cache.for_host(host))
            return self.extra[host]


class ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128   # clients that open many tunnels at once


class LoopbackHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


# ---------- managed identity (plain HTTP on loopback) ----------

class MIHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    st = None

    def version_string(self):
        return "fake-world"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.st.log(self.command, "http://127.0.0.1:%d%s" % (self.server.server_address[1],
                                                             self.path), code, 0)

    def do_GET(self):
        st = self.st
        u = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(u.query).items()}
        res = q.get("resource", "")
        if u.path == "/msi/token":
            h = self.headers.get("X-IDENTITY-HEADER") or ""
            if st.opts.auth != "mi" or not secrets.compare_digest(h, st.identity_header):
                return self.reply(401, {"statusCode": 401, "message": "Unauthorized: the "
                                        "X-IDENTITY-HEADER is missing or wrong."})
            kind = "mi"
        elif u.path == "/metadata/identity/oauth2/token":
            if (self.headers.get("Metadata") or "").lower() != "true":
                return self.reply(400, {"error": "invalid_request",
                                        "error_description": "Required metadata header not "
                                        "specified"})
            if st.opts.auth != "imds":
                return self.reply(400, {"error": "invalid_request",
                                        "error_description": "Identity not found"})
            kind = "imds"
        else:
            return self.reply(404, {"error": "not_found"})
        if not res.startswith("https://"):
            return self.reply(400, {"error": "invalid_resource",
                                    "error_description": "AADSTS500011: The resource principal "
                                    "named %s was not found." % res[:100]})
        tok, exp = st.issue(res if res.endswith("/") else res + "/", kind)
        out = {"access_token": tok, "expires_on": str(int(exp)), "resource": res,
               "token_type": "Bearer", "client_id": st.client_id}
        if kind == "imds":
            out.update({"expires_in": str(int(exp - now())), "ext_expires_in":
                        str(int(exp - now())), "not_before": str(int(now())), "refresh_token": ""})
        self.reply(200, out)


# ---------- control API ----------

class ControlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    st = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body, ctype="application/json"):
        if not isinstance(body, bytes):
            body = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ready":
            return self.reply(200, "ok\n", "text/plain")
        if self.path == "/dump":
            return self.reply(200, json.dumps(self.st.world.dump(), indent=2) + "\n")
        if self.path == "/tokens":
            # Every secret handed out so far, so tests can prove none leaks.
            with self.st.lock:
                toks = sorted(self.st.tokens) + sorted(self.st.acr_tokens)
            return self.reply(200, "".join(t + "\n" for t in toks), "text/plain")
        self.reply(404, "{}")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        if self.path == "/fault":
            try:
                self.st.add_fault(data.strip())
            except ValueError as e:
                return self.reply(400, json.dumps({"error": str(e)}))
            return self.reply(200, "{}")
        if self.path == "/expire-tokens":
            self.st.expire_all()
            return self.reply(200, "{}")
        self.reply(404, "{}")


def serve(doc, opts, d, ready_cb):
    st = State(doc, opts, d)
    tls = TLS(d, st, opts.wrong_ca)
    proxy = ProxyServer(("127.0.0.1", opts.port), ProxyHandler)
    proxy.st, proxy.tls = st, tls
    MIHandler.st = st
    ControlHandler.st = st
    mi = LoopbackHTTPServer(("127.0.0.1", 0), MIHandler)
    ctl = LoopbackHTTPServer(("127.0.0.1", 0), ControlHandler)
    for s in (mi, ctl):
        threading.Thread(target=s.serve_forever, daemon=True).start()
    ready_cb(st, proxy.server_address[1], mi.server_address[1], ctl.server_address[1])
    proxy.serve_forever()
