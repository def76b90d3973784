"""kube.py - what a Kubernetes API server adds on top of the scenario's answers:
discovery documents, field and label selectors on lists, lists made from the
objects the scenario records, Table output for `kubectl get`, strategic merge
patches and Status bodies.
"""
import copy
import json
import time
import urllib.parse

# resource -> (kind, namespaced, short names, group/version)
CORE = {
    "pods": ("Pod", True, ["po"]),
    "events": ("Event", True, ["ev"]),
    "secrets": ("Secret", True, []),
    "nodes": ("Node", False, ["no"]),
    "namespaces": ("Namespace", False, ["ns"]),
    "services": ("Service", True, ["svc"]),
    "configmaps": ("ConfigMap", True, ["cm"]),
    "serviceaccounts": ("ServiceAccount", True, ["sa"]),
}
APPS = {
    "deployments": ("Deployment", True, ["deploy"]),
    "replicasets": ("ReplicaSet", True, ["rs"]),
    "statefulsets": ("StatefulSet", True, ["sts"]),
    "daemonsets": ("DaemonSet", True, ["ds"]),
}
BATCH = {"jobs": ("Job", True, []), "cronjobs": ("CronJob", True, ["cj"])}
GROUPS = {"apps/v1": APPS, "batch/v1": BATCH}
VERSION = {"major": "1", "minor": "29", "gitVersion": "v1.29.2",
           "gitCommit": "4b8e819355d791d96b7e9d9efe4cbafae2311c88", "gitTreeState": "clean",
           "buildDate": "2024-02-14T22:24:00Z", "goVersion": "go1.21.7", "compiler": "gc",
           "platform": "linux/amd64"}


def status(code, reason, message, details=None):
    st = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
          "message": message, "reason": reason, "code": code}
    if details:
        st["details"] = details
    return st


def _resources(table, gv):
    out = []
    for name, (kind, namespaced, short) in table.items():
        verbs = ["get", "list", "watch", "create", "update", "patch", "delete"]
        r = {"name": name, "singularName": kind.lower(), "namespaced": namespaced,
             "kind": kind, "verbs": verbs}
        if short:
            r["shortNames"] = short
        out.append(r)
        if name in ("pods", "deployments", "replicasets", "statefulsets", "daemonsets"):
            out.append({"name": name + "/status", "singularName": "", "namespaced": True,
                        "kind": kind, "verbs": ["get", "patch", "update"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def discovery(path, host_header):
    """The discovery document at path, or None."""
    if path == "/version":
        return dict(VERSION)
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                "serverAddress": host_header}]}
    if path == "/api/v1":
        return _resources(CORE, "v1")
    if path == "/apis":
        groups = []
        for gv in GROUPS:
            g, v = gv.split("/")
            groups.append({"name": g, "versions": [{"groupVersion": gv, "version": v}],
                           "preferredVersion": {"groupVersion": gv, "version": v}})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    for gv, table in GROUPS.items():
        if path == "/apis/" + gv:
            return _resources(table, gv)
        if path == "/apis/" + gv.split("/")[0]:
            g, v = gv.split("/")
            return {"kind": "APIGroup", "apiVersion": "v1", "name": g,
                    "versions": [{"groupVersion": gv, "version": v}],
                    "preferredVersion": {"groupVersion": gv, "version": v}}
    if path == "/openapi/v2":
        return {"swagger": "2.0", "info": {"title": "Kubernetes", "version": VERSION["gitVersion"]},
                "paths": {}, "definitions": {}}
    if path == "/openapi/v3":
        return {"paths": {}}
    return None


def parse_path(path):
    """(group/version, namespace, resource, name) of an API path, or None."""
    p = [x for x in path.split("/") if x]
    if len(p) >= 3 and p[:2] == ["api", "v1"]:
        gv, rest = "v1", p[2:]
    elif len(p) >= 4 and p[0] == "apis":
        gv, rest = p[1] + "/" + p[2], p[3:]
    else:
        return None
    ns = None
    if rest and rest[0] == "namespaces" and len(rest) >= 3:
        ns, rest = rest[1], rest[2:]
    if not rest or len(rest) > 2:
        return None
    return gv, ns, rest[0], (rest[1] if len(rest) == 2 else None)


def kind_of(gv, resource):
    table = CORE if gv == "v1" else GROUPS.get(gv, {})
    return table.get(resource, (resource[:1].upper() + resource[1:-1], True, []))[0]


def collection_prefix(gv):
    return "/api/v1" if gv == "v1" else "/apis/" + gv


def _lookup(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict):
            return None
        obj = obj.get(part)
    return obj


def match_fields(obj, sel):
    for term in [t for t in sel.split(",") if t]:
        neg = "!=" in term
        k, v = term.split("!=" if neg else ("==" if "==" in term else "="), 1)
        got = _lookup(obj, k.strip())
        got = "" if got is None else str(got)
        if neg == (got == v.strip()):
            return False
    return True


def match_labels(obj, sel):
    labels = (obj.get("metadata") or {}).get("labels") or {}
    for term in [t for t in sel.split(",") if t]:
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k.strip()) == v.strip():
                return False
        elif "=" in term:
            k, v = term.split("==" if "==" in term else "=", 1)
            if labels.get(k.strip()) != v.strip():
                return False
        elif term.startswith("!"):
            if term[1:].strip() in labels:
                return False
        elif term.strip() not in labels:
            return False
    return True


def select(body, query):
    """Apply fieldSelector/labelSelector of the query string to a list body (in place)."""
    q = urllib.parse.parse_qs(query, keep_blank_values=True)
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return body
    fs = q.get("fieldSelector", [""])[0]
    ls = q.get("labelSelector", [""])[0]
    body["items"] = [o for o in items if isinstance(o, dict) and
                     (not fs or match_fields(o, fs)) and (not ls or match_labels(o, ls))]
    return body


def _age(ts, now=None):
    try:
        t = time.mktime(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    except (TypeError, ValueError):
        return "<unknown>"
    d = int((now or time.time()) - t)
    if d < 0:
        return "0s"
    if d < 120:
        return "%ds" % d
    if d < 7200:
        return "%dm" % (d // 60)
    if d < 172800:
        return "%dh" % (d // 3600)
    return "%dd" % (d // 86400)


def _pod_row(o):
    md, st, spec = o.get("metadata", {}), o.get("status", {}) or {}, o.get("spec", {}) or {}
    cs = st.get("containerStatuses") or []
    reason = st.get("reason") or st.get("phase") or ""
    for c in cs:
        state = c.get("state") or {}
        if (state.get("waiting") or {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif (state.get("terminated") or {}).get("reason"):
            reason = state["terminated"]["reason"]
    ready = "%d/%d" % (sum(1 for c in cs if c.get("ready")), len(spec.get("containers") or []))
    return [md.get("name", ""), ready, reason, sum(int(c.get("restartCount", 0)) for c in cs),
            _age(md.get("creationTimestamp")), st.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>", "<none>", "<none>"]


def _event_row(o):
    io = o.get("involvedObject") or {}
    return [_age(o.get("lastTimestamp") or (o.get("metadata") or {}).get("creationTimestamp")),
            o.get("type", ""), o.get("reason", ""),
            "%s/%s" % ((io.get("kind") or "").lower(), io.get("name", "")), o.get("message", "")]


def _node_row(o):
    st = o.get("status", {}) or {}
    ready = next((c.get("status") for c in st.get("conditions") or [] if c.get("type") == "Ready"),
                 "Unknown")
    return [(o.get("metadata") or {}).get("name", ""),
            "Ready" if ready == "True" else "NotReady", "<none>",
            _age((o.get("metadata") or {}).get("creationTimestamp")),
            (st.get("nodeInfo") or {}).get("kubeletVersion", "")]


def _workload_row(o):
    md, st, spec = o.get("metadata", {}), o.get("status", {}) or {}, o.get("spec", {}) or {}
    return [md.get("name", ""), "%d/%d" % (st.get("readyReplicas", 0), spec.get("replicas", 0)),
            st.get("updatedReplicas", 0), st.get("availableReplicas", 0),
            _age(md.get("creationTimestamp"))]


COLUMNS = {
    "pods": ([("Name", "string", 0), ("Ready", "string", 0), ("Status", "string", 0),
              ("Restarts", "integer", 0), ("Age", "string", 0), ("IP", "string", 1),
              ("Node", "string", 1), ("Nominated Node", "string", 1),
              ("Readiness Gates", "string", 1)], _pod_row),
    "events": ([("Last Seen", "string", 0), ("Type", "string", 0), ("Reason", "string", 0),
                ("Object", "string", 0), ("Message", "string", 0)], _event_row),
    "nodes": ([("Name", "string", 0), ("Status", "string", 0), ("Roles", "string", 0),
               ("Age", "string", 0), ("Version", "string", 0)], _node_row),
    "deployments": ([("Name", "string", 0), ("Ready", "string", 0), ("Up-to-date", "integer", 0),
                     ("Available", "integer", 0), ("Age", "string", 0)], _workload_row),
}


def table(resource, body):
    """The meta.k8s.io/v1 Table kubectl asks for with Accept ...;as=Table."""
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        objs, rv = body["items"], (body.get("metadata") or {}).get("resourceVersion", "1")
    else:
        objs, rv = [body], ((body or {}).get("metadata") or {}).get("resourceVersion", "1")
    cols, rowf = COLUMNS.get(resource, ([("Name", "string", 0), ("Created At", "date", 0)],
                                         lambda o: [(o.get("metadata") or {}).get("name", ""),
                                                    (o.get("metadata") or {}).get(
                                                        "creationTimestamp", "")]))
    defs = [{"name": n, "type": t, "format": "name" if n == "Name" else "",
             "description": "", "priority": p} for n, t, p in cols]
    rows = []
    for o in objs:
        if not isinstance(o, dict):
            continue
        rows.append({"cells": rowf(o), "object": {
            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
            "metadata": copy.deepcopy(o.get("metadata") or {})}})
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": rv}, "columnDefinitions": defs, "rows": rows}


# The list fields the API server merges by their name (the patchMergeKey
# of the core/v1 types); other lists are replaced, as src/smp.c does.
MERGE_BY_NAME = ("containers", "initContainers", "ephemeralContainers", "env",
                 "volumes", "imagePullSecrets")


class PatchError(ValueError):
    """A strategic merge patch the API server refuses (400 BadRequest)."""


def _fresh(v):
    """v as a patch sets it where nothing was: nulls inside mean absent."""
    if isinstance(v, dict):
        out = {}
        _smp(out, v)
        return out
    return copy.deepcopy(v)


def _smp(target, patch):
    for k, v in patch.items():
        if k.startswith("$"):
            raise PatchError("the patch directive %s is not supported" % k[:100])
        if v is None:
            target.pop(k, None)
        elif k in MERGE_BY_NAME:
            if not isinstance(v, list):
                raise PatchError("%s: a list was expected" % k)
            cur = target.get(k)
            if not isinstance(cur, list):
                cur = target[k] = []
            for item in v:
                if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                    raise PatchError("%s: an element does not contain declared merge key: name"
                                     % k)
                old = next((c for c in cur if isinstance(c, dict) and
                            isinstance(c.get("name"), str) and c["name"] == item["name"]), None)
                if old is None:
                    cur.append(_fresh(item))
                else:
                    _smp(old, item)
        elif isinstance(v, dict) and isinstance(target.get(k), dict):
            _smp(target[k], v)
        else:
            target[k] = _fresh(v)


def strategic_merge(target, patch):
    """Strategic merge patch onto target (a dict) in place, as src/smp.c
    applies it: dicts merge, null deletes, the MERGE_BY_NAME lists merge
    their elements by name (a new name is appended), other values are
    replaced; patch directives ($patch, ...) are refused.  Raises
    PatchError, target unchanged, for a patch the API server refuses."""
    if not isinstance(patch, dict):
        raise PatchError("the patch is not a JSON object")
    work = copy.deepcopy(target)
    _smp(work, patch)
    target.clear()
    target.update(work)


# ---------- what the caller may do (RBAC) ----------

SSAR_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


def attributes(method, path):
    """The resourceAttributes of a request (verb, group, resource,
    subresource, namespace, name), as the API server's authorizer sees
    them, or None for a path that is not a resource."""
    p = [x for x in path.split("/") if x]
    if len(p) >= 3 and p[0] == "api":
        group, rest = "", p[2:]
    elif len(p) >= 4 and p[0] == "apis":
        group, rest = p[1], p[3:]
    else:
        return None
    ns = ""
    if len(rest) >= 3 and rest[0] == "namespaces" and \
            not (len(rest) == 3 and not group and rest[2] in ("status", "finalize")):
        ns, rest = rest[1], rest[2:]
    if not 1 <= len(rest) <= 3:
        return None
    name = rest[1] if len(rest) >= 2 else ""
    if method in ("GET", "HEAD"):
        verb = "get" if name else "list"
    elif method == "DELETE":
        verb = "delete" if name else "deletecollection"
    elif method in VERBS:
        verb = VERBS[method]
    else:
        return None
    return {"verb": verb, "group": group, "resource": rest[0],
            "subresource": rest[2] if len(rest) == 3 else "", "namespace": ns, "name": name}


def denial(rules, attrs):
    """The scenario's kubeDeny rule that forbids attrs, or None (allowed).
    A rule field absent or "*" matches anything; resource may name a
    subresource ("deployments/scale")."""
    res = attrs.get("resource", "") + ("/" + attrs["subresource"] if attrs.get("subresource")
                                        else "")
    want = {"verb": attrs.get("verb", ""), "resource": res, "group": attrs.get("group", ""),
            "namespace": attrs.get("namespace", ""), "name": attrs.get("name", "")}
    for r in rules or []:
        if not isinstance(r, dict) or not r.get("verb") or not r.get("resource"):
            continue
        if all(r.get(k) is None or r[k] == "*" or r[k] == v for k, v in want.items()):
            return r
    return None


def forbidden(attrs, user):
    """The API server's 403 for a request RBAC does not allow."""
    res = attrs["resource"] + ("/" + attrs["subresource"] if attrs["subresource"] else "")
    full = attrs["resource"] + ("." + attrs["group"] if attrs["group"] else "") + \
        ("/" + attrs["subresource"] if attrs["subresource"] else "")
    # As the API server words it: the object's name only when there is
    # one (not for a list), the namespace or the cluster scope.
    msg = '%s%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s"' % (
        full, ' "%s"' % attrs["name"] if attrs["name"] else "", user, attrs["verb"], res,
        attrs["group"])
    if attrs["namespace"]:
        msg += ' in the namespace "%s"' % attrs["namespace"]
    else:
        msg += " at the cluster scope"
    details = {"name": attrs["name"], "kind": attrs["resource"]}
    if attrs["group"]:
        details["group"] = attrs["group"]
    return status(403, "Forbidden", msg, details)


def access_review(rules, body):
    """(status, body) of POST selfsubjectaccessreviews: the review with
    status.allowed from the rules (RBAC has no opinion on what it does not
    grant: allowed false; a rule with a reason answers as an authorization
    webhook that denies, denied true and the reason)."""
    try:
        review = json.loads(body or b"{}")
    except ValueError:
        return 400, status(400, "BadRequest", "the body of the request could not be decoded")
    spec = review.get("spec") if isinstance(review, dict) else None
    ra = spec.get("resourceAttributes") if isinstance(spec, dict) else None
    if not isinstance(ra, dict):
        return 422, status(422, "Invalid", 'SelfSubjectAccessReview.authorization.k8s.io "" is '
                           'invalid: spec.resourceAttributes: Invalid value: exactly one of '
                           'nonResourceAttributes or resourceAttributes must be specified')
    attrs = {k: ra.get(k) if isinstance(ra.get(k), str) else ""
             for k in ("verb", "group", "resource", "subresource", "namespace", "name")}
    rule = denial(rules, attrs)
    st = {"allowed": rule is None}
    if rule is not None and isinstance(rule.get("reason"), str):
        st["denied"] = True
        st["reason"] = rule["reason"]
    return 201, {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                 "metadata": {"creationTimestamp": None}, "spec": spec, "status": st}
