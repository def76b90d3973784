"""world.py - a scenario (data/scenarios/README.md) as a mutable world.

The same rules as acr-doctor's own simulated transport (src/sim.c and
src/scenario.c): bases merged, entries matched on method and URL (query
ignored, host case-insensitive, a `*` segment matches any one segment),
HEAD answered from GET, the default 404 of each service, writes (PUT,
PATCH, DELETE) that change the world and its parent collections, and
reactions.  Python 3 standard library only.
"""
import copy
import json
import os
import re
import threading

FORMAT = "acr-doctor-scenario/1"
MAX_DEPTH = 4
MAX_FILE = 8 << 20
NAME_RE = re.compile(r"^[a-z0-9-]{1,64}$")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


class ScenarioError(Exception):
    pass


def default_scenarios_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "data", "scenarios"))


def is_file_name(s):
    return "/" in s or (len(s) > 5 and s.endswith(".json"))


def merge_patch(target, patch):
    """RFC 7386 onto target (a dict), in place, as jsonu_merge_patch does."""
    if not isinstance(target, dict) or not isinstance(patch, dict):
        return
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        elif isinstance(v, dict) and isinstance(target.get(k), dict):
            merge_patch(target[k], v)
        elif isinstance(v, dict):
            fresh = {}
            merge_patch(fresh, v)
            target[k] = fresh
        else:
            target[k] = copy.deepcopy(v)


def _load_doc(name_or_file, scenarios_dir):
    if is_file_name(name_or_file):
        path = name_or_file
    else:
        if not NAME_RE.match(name_or_file):
            raise ScenarioError("'%s' is not a scenario name (letters, digits and '-')"
                                % name_or_file[:64])
        path = os.path.join(scenarios_dir, name_or_file + ".json")
        if not os.path.exists(path):
            raise ScenarioError("no built-in scenario named '%s'" % name_or_file)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE + 1)
    except OSError as e:
        raise ScenarioError("cannot open scenario %s: %s" % (path, e.strerror))
    if len(raw) > MAX_FILE:
        raise ScenarioError("scenario %s is larger than 8 MiB" % path)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ScenarioError("scenario %s is not valid JSON" % path)
    if not isinstance(doc, dict):
        raise ScenarioError("scenario %s: the top level must be an object" % path)
    return doc


def _same_entry(a, b):
    return (isinstance(a.get("method"), str) and isinstance(b.get("method"), str)
            and isinstance(a.get("url"), str) and isinstance(b.get("url"), str)
            and a["method"] == b["method"] and a["url"].lower() == b["url"].lower())


def _merge_onto_base(b, d, origin):
    for k in ("name", "summary", "notes", "expect", "latency_ms", "format"):
        if k in d:
            b[k] = copy.deepcopy(d[k])
    for k in ("context", "hosts", "node"):
        if k in d:
            if not isinstance(d[k], dict):
                raise ScenarioError("scenario %s: '%s' must be an object" % (origin, k))
            bv = b.setdefault(k, {})
            merge_patch(bv, d[k])
    for k in ("reactions", "kubeDeny"):
        if k in d:
            if not isinstance(d[k], list):
                raise ScenarioError("scenario %s: '%s' must be an array" % (origin, k))
            b.setdefault(k, []).extend(copy.deepcopy(d[k]))
    v = d.get("http")
    if v is not None and not isinstance(v, list):
        raise ScenarioError("scenario %s: 'http' must be an array" % origin)
    bv = b.setdefault("http", [])
    for idx, it in enumerate(v or [], 1):
        mpos = next((i for i, e in enumerate(bv)
                     if isinstance(e, dict) and isinstance(it, dict) and _same_entry(e, it)),
                    -1)
        if isinstance(it, dict) and it.get("remove") is True:
            if mpos < 0:
                raise ScenarioError("scenario %s: http entry %d removes %s %s, which the base "
                                    "does not have" % (origin, idx, it.get("method"), it.get("url")))
            del bv[mpos]
        elif isinstance(it, dict) and "merge" in it:
            body = bv[mpos].get("body") if mpos >= 0 else None
            if not isinstance(body, dict) or not isinstance(it["merge"], dict):
                raise ScenarioError("scenario %s: http entry %d merges into %s %s, which the base "
                                    "has no object body for" % (origin, idx, it.get("method", "?"),
                                                                it.get("url", "?")))
            merge_patch(body, it["merge"])
            if "status" in it:
                bv[mpos]["status"] = copy.deepcopy(it["status"])
        elif mpos >= 0:
            bv[mpos] = copy.deepcopy(it)
        else:
            bv.append(copy.deepcopy(it))


def _resolve(doc, depth, origin, scenarios_dir):
    if "base" not in doc:
        return doc
    base = doc["base"]
    if not isinstance(base, str):
        raise ScenarioError("scenario %s: 'base' must be a string" % origin)
    if is_file_name(base):
        raise ScenarioError("scenario %s: 'base' must name a built-in scenario" % origin)
    if depth >= MAX_DEPTH:
        raise ScenarioError("scenario %s: bases nest deeper than 4" % origin)
    bdoc = _resolve(_load_doc(base, scenarios_dir), depth + 1, base, scenarios_dir)
    _merge_onto_base(bdoc, doc, origin)
    bdoc.pop("base", None)
    return bdoc


def _validate(doc, origin):
    if doc.get("format") != FORMAT:
        raise ScenarioError("scenario %s: 'format' must be \"%s\"" % (origin, FORMAT))
    if not isinstance(doc.get("name"), str) or not NAME_RE.match(doc["name"]):
        raise ScenarioError("scenario %s: 'name' must be 1 to 64 of a-z, 0-9 and '-'" % origin)
    if not isinstance(doc.get("context"), dict):
        raise ScenarioError("scenario %s: 'context' is missing" % origin)
    lat = doc.get("latency_ms")
    if lat is not None and (not isinstance(lat, int) or not 0 <= lat <= 5000):
        raise ScenarioError("scenario %s: 'latency_ms' must be 0 to 5000" % origin)
    if not isinstance(doc.get("http"), list):
        raise ScenarioError("scenario %s: 'http' must be an array" % origin)
    for i, e in enumerate(doc["http"], 1):
        if not isinstance(e, dict):
            raise ScenarioError("scenario %s: http entry %d is not an object" % (origin, i))
        if e.get("method") not in METHODS:
            raise ScenarioError("scenario %s: http entry %d: 'method' must be GET, HEAD, POST, "
                                "PUT, PATCH or DELETE" % (origin, i))
        u = e.get("url")
        if not isinstance(u, str) or not u.startswith("https://") or len(u) > 2048:
            raise ScenarioError("scenario %s: http entry %d: 'url' must be an https:// URL"
                                % (origin, i))
        if "?" in u:
            raise ScenarioError("scenario %s: http entry %d: 'url' must not have a query string"
                                % (origin, i))
        st = e.get("status")
        if st is not None and (not isinstance(st, int) or not 100 <= st <= 599):
            raise ScenarioError("scenario %s: http entry %d: 'status' must be 100 to 599"
                                % (origin, i))
        h = e.get("headers")
        if h is not None and (not isinstance(h, dict) or
                              not all(isinstance(x, str) for x in h.values())):
            raise ScenarioError("scenario %s: http entry %d: 'headers' must be an object of "
                                "strings" % (origin, i))
    for k in ("hosts", "node"):
        if not isinstance(doc.get(k, {}), dict):
            raise ScenarioError("scenario %s: '%s' must be an object" % (origin, k))
    if not isinstance(doc.get("reactions", []), list):
        raise ScenarioError("scenario %s: 'reactions' must be an array" % origin)
    deny = doc.get("kubeDeny", [])
    if not isinstance(deny, list):
        raise ScenarioError("scenario %s: 'kubeDeny' must be an array" % origin)
    for i, r in enumerate(deny, 1):
        if not isinstance(r, dict):
            raise ScenarioError("scenario %s: kubeDeny rule %d is not an object" % (origin, i))
        for k in ("verb", "resource", "group", "namespace", "name", "reason"):
            v = r.get(k)
            required = k in ("verb", "resource")
            if (v is not None or required) and \
                    (not isinstance(v, str) or len(v) > 253 or (required and not v)):
                raise ScenarioError("scenario %s: kubeDeny rule %d: '%s' must be a string"
                                    % (origin, i, k))


def load(name_or_file, scenarios_dir=None):
    """The fully merged scenario document of a built-in name or a file."""
    scenarios_dir = scenarios_dir or default_scenarios_dir()
    doc = _resolve(_load_doc(name_or_file, scenarios_dir), 0, name_or_file, scenarios_dir)
    _validate(doc, name_or_file)
    doc.setdefault("hosts", {})
    doc.setdefault("node", {})
    doc.setdefault("reactions", [])
    doc.setdefault("kubeDeny", [])
    ctx = doc["context"]
    if not ctx.get("registryResourceGroup") and ctx.get("resourceGroup"):
        ctx["registryResourceGroup"] = ctx["resourceGroup"]
    return doc


GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def parse_time(s):
    """Seconds since the epoch of an ISO 8601 time (as ad_parse_time reads
    it: a date, optional time, fraction and zone); None when it is not one."""
    m = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                 r"(Z|z|[+-]\d{2}:?\d{2})?$", s or "")
    if not m:
        return None
    import calendar
    y, mo, d, h, mi, se = (int(x) if x else 0 for x in m.groups()[:6])
    try:
        t = calendar.timegm((y, mo, d, h, mi, se, 0, 0, 0))
    except (ValueError, OverflowError):
        return None
    z = m.group(7)
    if z and z not in "Zz":
        sign = 1 if z[0] == "+" else -1
        hh, mm = int(z[1:3]), int(z[-2:])
        t -= sign * (hh * 3600 + mm * 60)
    return t


# ---------- URLs ----------

def split_url(url):
    """(host, port, path) of an https URL; path without query; None if not https."""
    if not isinstance(url, str) or url[:8].lower() != "https://":
        return None
    rest = url[8:]
    cut = len(rest)
    for ch in "/?#":
        i = rest.find(ch)
        if 0 <= i < cut:
            cut = i
    hostport, path = rest[:cut], rest[cut:]
    path = re.split(r"[?#]", path, 1)[0] or "/"
    host, port = hostport, 443
    if hostport.startswith("["):
        end = hostport.find("]")
        host, tail = hostport[1:end], hostport[end + 1:]
        if tail.startswith(":") and tail[1:].isdigit():
            port = int(tail[1:])
    elif ":" in hostport:
        host, p = hostport.rsplit(":", 1)
        if p.isdigit():
            port = int(p)
    return host.lower(), port, path


def path_match(pat, path):
    ps, qs = pat.split("/"), path.split("/")
    if len(ps) != len(qs):
        return False
    return all(a == "*" or a == b for a, b in zip(ps, qs))


def origin_of(host, port):
    return "https://%s" % host if port == 443 else "https://%s:%d" % (host, port)


def service_of(host, path, kube_hosts=()):
    """Which kind of service a host is: arm, graph, registry, login, kube."""
    h = host.lower()
    if h.startswith("management."):
        return "arm"
    if h.startswith("graph.") or "graph.microsoft" in h or h.startswith("microsoftgraph."):
        return "graph"
    if h.startswith("login.") and ("microsoftonline" in h or "chinacloudapi" in h or
                                   "windows.net" in h):
        return "login"
    if ".azurecr." in h or path.startswith("/v2/"):
        return "registry"
    return "kube"


def container_log(ctx):
    """A web app's container log made from the context's message, as
    acr-doctor's simulated world serves it (data/scenarios/README.md);
    "" when there is none (204)."""
    m = ctx.get("message") or ""
    if not m:
        return ""
    t = m.split(" ", 1)[0] if " " in m else ""
    if len(t) > 40:
        t = ""
    pre = t + " " if t else ""
    out = ""
    if ctx.get("image"):
        out += "%sINFO  - Pulling image: %s\n" % (pre, ctx["image"])
    out += m + "\n"
    if " ERROR - " in m:
        out += "%sINFO  - Stopping site %s because it failed during startup.\n" % (pre, ctx.get("webapp", ""))
    return out


class Response:
    def __init__(self, status=200, headers=None, body=None, text=None):
        self.status = status
        self.headers = dict(headers or {})
        self.body = body        # JSON value or None
        self.text = text        # raw string (bodyText) or None

    def payload(self):
        """(bytes, content type or None) as sim.c would send them."""
        if self.text is not None:
            return self.text.encode("utf-8"), None
        if self.body is not None:
            return json.dumps(self.body, separators=(",", ":")).encode("utf-8"), "application/json"
        return b"", None


def not_found(host, path):
    svc = service_of(host, path)
    if svc == "arm":
        body = {"error": {"code": "ResourceNotFound",
                          "message": "The Resource '%s' was not found." % path[:400]}}
    elif svc == "graph":
        body = {"error": {"code": "Request_ResourceNotFound",
                          "message": "Resource does not exist or one of its queried "
                                     "reference-property objects are not present."}}
    elif svc == "registry" or ".azurecr." in host or path.startswith("/v2/"):
        if "/manifests/" in path:
            body = {"errors": [{"code": "MANIFEST_UNKNOWN",
                                "message": "manifest tagged by the reference is not found",
                                "detail": None}]}
        else:
            body = {"errors": [{"code": "NAME_UNKNOWN",
                                "message": "repository name not known to registry",
                                "detail": None}]}
    else:
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "reason": "NotFound", "code": 404,
                "message": "the server could not find the requested resource (%s)" % path[:400]}
    return Response(404, body=body)


class World:
    """The scenario's mutable state.  All methods take the lock."""

    def __init__(self, doc):
        self.doc = doc
        self.http = doc["http"]
        self.hosts = doc.get("hosts", {})
        self.reactions = doc.get("reactions", [])
        self.lock = threading.RLock()

    # --- lookups ---
    def host_failure(self, host):
        for k, v in self.hosts.items():
            if isinstance(k, str) and k.lower() == host.lower() and isinstance(v, str):
                return v
        return None

    def _match(self, e, method, host, port, path, exact=False):
        if e.get("method") != method:
            return False
        sp = split_url(e.get("url"))
        if not sp or sp[0] != host or sp[1] != port:
            return False
        return sp[2] == path if exact else path_match(sp[2], path)

    def find_entry(self, method, host, port, path):
        for e in self.http:
            if self._match(e, method, host, port, path):
                return e
        return None

    def has(self, method, host, port, path):
        """Whether an entry answers method on that URL (for other threads)."""
        with self.lock:
            return self.find_entry(method, host, port, path) is not None

    # --- a pull secret's credentials (as src/sim.c decides them) ---
    def _entry_by_tail(self, method, tail):
        tail = tail.lower()
        for e in self.http:
            sp = split_url(e.get("url"))
            if e.get("method") == method and sp and sp[2].lower().endswith(tail):
                return e
        return None

    @staticmethod
    def _creds_valid(obj, now):
        total, valid = 0, False
        for c in (obj or {}).get("passwordCredentials") or []:
            total += 1
            end = c.get("endDateTime") if isinstance(c, dict) else None
            t = parse_time(end) if isinstance(end, str) else None
            if t is not None and t > now:
                valid = True
        return valid, total

    def basic_login(self, host, user, password, now):
        """What the registry HOST answers USER:PASSWORD over HTTP basic,
        from the world (data/scenarios/README.md, "Pull secrets"):
        "yes", "no" or "untold" (the world does not say)."""
        import hmac
        name = host.split(".", 1)[0].lower()
        with self.lock:
            if user.lower() == name:
                reg = self._entry_by_tail(
                    "GET", "/providers/Microsoft.ContainerRegistry/registries/" + name)
                body = reg.get("body") if reg else None
                props = body.get("properties") if isinstance(body, dict) else None
                if isinstance(props, dict) and props.get("adminUserEnabled") is False:
                    return "no"
                lc = self._entry_by_tail(
                    "POST", "/providers/Microsoft.ContainerRegistry/registries/%s/listCredentials"
                    % name)
                if not lc:
                    return "untold"
                st = lc.get("status", 200)
                if st == 400:
                    return "no"
                if st != 200 or not isinstance(lc.get("body"), dict):
                    return "untold"
                for pw in lc["body"].get("passwords") or []:
                    v = pw.get("value") if isinstance(pw, dict) else None
                    if isinstance(v, str) and hmac.compare_digest(v.encode(), password.encode()):
                        return "yes"
                return "no"
            if not GUID_RE.match(user):
                return "no"
            sp = self._entry_by_tail("GET", "/v1.0/servicePrincipals(appId='%s')" % user)
            if not sp or sp.get("status", 200) == 404:
                return "no"
            if sp.get("status", 200) != 200:
                return "untold"
            valid, total = self._creds_valid(sp.get("body"), now)
            if valid:
                return "yes"
            if total:
                return "no"
            app = self._entry_by_tail("GET", "/v1.0/applications(appId='%s')" % user)
            if not app or app.get("status", 200) != 200:
                return "no" if app and app.get("status") == 404 else "untold"
            return "yes" if self._creds_valid(app.get("body"), now)[0] else "no"

    def entry_for_url(self, method, host, port, path):
        for e in self.http:
            if self._match(e, method, host, port, path, exact=True):
                return e
        return None

    def urls(self):
        with self.lock:
            return [e.get("url") for e in self.http] + \
                   [r.get("url") for r in self.reactions if isinstance(r, dict)] + \
                   [f.get("url") for r in self.reactions if isinstance(r, dict)
                    for f in (r.get("effects") or []) if isinstance(f, dict)]

    def get_body(self, url):
        """A copy of the GET body at url (exact), or None."""
        sp = split_url(url)
        with self.lock:
            e = self.entry_for_url("GET", *sp) if sp else None
            return copy.deepcopy(e.get("body")) if e else None

    # --- serving ---
    def answer(self, method, host, port, path, body_bytes, merge=None):
        """The world's answer to one request (a Response); writes change the world.
        merge: the function a PATCH applies (default RFC 7386 merge patch)."""
        with self.lock:
            head = method == "HEAD"
            e = self.find_entry(method, host, port, path)
            if not e and head:
                e = self.find_entry("GET", host, port, path)
            if e:
                r = Response(e.get("status", 200), e.get("headers"),
                             copy.deepcopy(e.get("body")), e.get("bodyText"))
            elif method == "POST" and self._is_containerlogs(host, path):
                log = container_log(self.doc.get("context") or {})
                r = Response(200, {"Content-Type": "application/octet-stream"}, text=log) \
                    if log else Response(204, text="")
            elif method in ("PUT", "PATCH", "DELETE"):
                r = self._write(method, host, port, path, body_bytes, merge or merge_patch)
            else:
                r = self._arm_list(method, host, port, path) or not_found(host, path)
            return r

    def _is_containerlogs(self, host, path):
        c = self.doc.get("context") or {}
        if c.get("target") != "webapp" or not c.get("webapp") or service_of(host, path) != "arm":
            return False
        want = ("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Web/sites/%s/containerlogs"
                % (c.get("subscription", ""), c.get("resourceGroup", ""), c["webapp"]))
        return path.split("?")[0].lower() == want.lower()

    # ARM answers lists the scenario does not record from the resources it
    # does: the subscriptions, and a resource type in a subscription (what
    # acr-doctor reads to find a cluster, a web app or a registry by name).
    _SUB_LIST = re.compile(r"^/subscriptions/?$", re.I)
    _TYPE_LIST = re.compile(r"^/subscriptions/([^/]+)(?:/resourceGroups/([^/]+))?"
                            r"/providers/([^/]+)/([^/]+)/?$", re.I)
    _RESOURCE = re.compile(r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)"
                           r"/providers/([^/]+)/([^/]+)/([^/]+)$", re.I)

    def _arm_list(self, method, host, port, path):
        if method not in ("GET", "HEAD") or service_of(host, path) != "arm":
            return None
        gets = [split_url(e.get("url")) for e in self.http
                if e.get("method", "GET") == "GET" and e.get("status", 200) == 200]
        gets = [g for g in gets if g and g[0] == host and g[1] == port]
        if self._SUB_LIST.match(path):
            subs = []
            for _h, _p, pth in gets:
                m = re.match(r"^/subscriptions/([0-9a-fA-F-]{36})(/|$)", pth)
                if m and m.group(1).lower() not in [x.lower() for x in subs]:
                    subs.append(m.group(1))
            return Response(200, body={"value": [
                {"id": "/subscriptions/" + sid, "subscriptionId": sid,
                 "displayName": "subscription " + sid[:8], "state": "Enabled",
                 "tenantId": self.doc.get("context", {}).get("tenant", ""),
                 "authorizationSource": "RoleBased"} for sid in subs]})
        m = self._TYPE_LIST.match(path)
        if not m:
            return None
        sub, rg, ns, typ = m.groups()
        if rg:
            # Lists in a resource group stay as the scenario records them
            # (a missing one is 404, as acr-doctor's simulation answers).
            return None
        items = []
        for g in gets:
            r = self._RESOURCE.match(g[2])
            if not r or r.group(1).lower() != sub.lower() or \
               (rg and r.group(2).lower() != rg.lower()) or \
               r.group(3).lower() != ns.lower() or r.group(4).lower() != typ.lower():
                continue
            e = self.entry_for_url("GET", *g)
            if e and isinstance(e.get("body"), dict):
                items.append(copy.deepcopy(e["body"]))
        return Response(200, body={"value": items})

    def write_would_apply(self, method, host, port, path):
        """True when a write is not answered by an explicit entry (so it changes the world)."""
        with self.lock:
            return (method in ("PUT", "PATCH", "DELETE") and
                    self.find_entry(method, host, port, path) is None)

    def _collection_items(self, body):
        if isinstance(body, dict):
            for k in ("value", "items"):
                if isinstance(body.get(k), list):
                    return body[k]
        return None

    def _parent_items(self, host, port, path):
        slash = path.rfind("/")
        if slash <= 0:
            return None, -1
        pe = self.entry_for_url("GET", host, port, path[:slash])
        items = self._collection_items(pe.get("body")) if pe else None
        if items is None:
            return None, -1
        name = path[slash + 1:]
        for i, it in enumerate(items):
            if not isinstance(it, dict):
                continue
            iid = it.get("id")
            if isinstance(iid, str):
                if iid.lower() == path.lower():
                    return items, i
                continue
            md = it.get("metadata")
            if isinstance(md, dict) and md.get("name") == name:
                return items, i
        return items, -1

    def _run_reactions(self, method, host, port, path):
        for r in self.reactions:
            if not isinstance(r, dict) or r.get("method") != method:
                continue
            sp = split_url(r.get("url"))
            if not sp or sp[0] != host or sp[1] != port or not path_match(sp[2], path):
                continue
            for eff in r.get("effects") or []:
                if not isinstance(eff, dict) or not isinstance(eff.get("url"), str):
                    continue
                esp = split_url(eff["url"])
                if not esp:
                    continue
                target = self.entry_for_url("GET", *esp)
                if target is None:
                    target = {"method": "GET", "url": eff["url"]}
                    self.http.append(target)
                if "body" in eff:
                    target["body"] = copy.deepcopy(eff["body"])
                elif "merge" in eff:
                    if not isinstance(target.get("body"), dict):
                        target["body"] = {}
                    merge_patch(target["body"], eff["merge"])

    def _write(self, method, host, port, path, body_bytes, merge):
        url = origin_of(host, port) + path
        entry = self.entry_for_url("GET", host, port, path)
        items, idx = self._parent_items(host, port, path)
        if method == "DELETE":
            if entry is None and idx < 0:
                return not_found(host, path)
            if entry is not None:
                self.http.remove(entry)
            if items is not None and idx >= 0:
                del items[idx]
            self._run_reactions(method, host, port, path)
            return Response(200)
        if body_bytes:
            try:
                reqbody = json.loads(body_bytes.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                reqbody = None
            if not isinstance(reqbody, dict):
                return Response(400, body={"error": {
                    "code": "InvalidRequestContent",
                    "message": "The request content was invalid and could not be deserialized."}})
        else:
            reqbody = {}
        status = 200
        if method == "PATCH":
            body = entry.get("body") if entry else None
            if not isinstance(body, dict):
                return not_found(host, path)
            try:
                merge(body, reqbody)
            except ValueError as e:
                # The API server's answer to a patch it cannot apply.
                return Response(400, body={
                    "kind": "Status", "apiVersion": "v1", "metadata": {},
                    "status": "Failure", "message": str(e), "reason": "BadRequest",
                    "code": 400})
            stored = body
        else:
            slash = path.rfind("/")
            if "id" not in reqbody and "metadata" not in reqbody:
                reqbody["id"] = path
            if "name" not in reqbody and "metadata" not in reqbody:
                reqbody["name"] = path[slash + 1:] if slash >= 0 else path
            if entry is None:
                entry = {"method": "GET", "url": url}
                self.http.append(entry)
                status = 201
            entry["body"] = reqbody
            stored = reqbody
        if items is not None:
            if idx >= 0:
                items[idx] = copy.deepcopy(stored)
            else:
                items.append(copy.deepcopy(stored))
        self._run_reactions(method, host, port, path)
        return Response(status, body=copy.deepcopy(stored))

    def dump(self):
        with self.lock:
            return {"http": copy.deepcopy(self.http), "node": copy.deepcopy(self.doc.get("node")),
                    "hosts": copy.deepcopy(self.hosts)}

