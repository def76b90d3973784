#!/usr/bin/env python3
"""replay.py - the same requests to acr-doctor's simulated world and to the
fake world, compared.

  replay.py gen SCENARIO                 requests (JSON lines) that touch every entry
  replay.py send DIR REQUESTS            send them through the fake world of DIR
  replay.py compare SIMOUT FAKEOUT       exit 1 and say where the answers differ

The requests read every entry, HEAD from GET, URLs that are not there,
writes (PUT of a new child, PATCH, DELETE, the scenario's own writes) and
the scenario's reactions; the comparison covers status, body, headers the
scenario sets and the world at the end.
"""
import copy
import json
import os
import socket
import ssl
import sys
import http.client
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import world  # noqa: E402

TOKEN_PLACEHOLDER = "@ARM_TOKEN@"


def gen(name):
    doc = world.load(name)
    out = []

    def add(method, url, body=None):
        out.append({"method": method, "url": url, "body": body})

    def concrete(url):
        return "/".join("x1" if s == "*" else s for s in url.split("/"))

    def q(url):
        sp = world.split_url(url)
        return url + "?api-version=2023-01-01" if sp and sp[0].startswith("management.") else url

    entries = [e for e in doc["http"] if isinstance(e, dict)]
    for e in entries:
        url = concrete(e["url"])
        m = e["method"]
        if m == "POST":
            if url.endswith("/oauth2/exchange"):
                host = world.split_url(url)[0]
                add(m, url, "grant_type=access_token&service=%s&access_token=%s"
                    % (host, TOKEN_PLACEHOLDER))
            else:
                add(m, q(url), "{}")
        elif m in ("PUT", "PATCH"):
            add(m, q(url), json.dumps(e.get("body") if isinstance(e.get("body"), dict)
                                      else {"properties": {"replay": 1}}))
        else:
            add(m, q(url))
    # A web app's container log, made from the context's message.
    c = doc.get("context") or {}
    if c.get("target") == "webapp" and c.get("webapp") and c.get("cloud", "public") == "public":
        add("POST", q("https://management.azure.com/subscriptions/%s/resourceGroups/%s/providers/"
                      "Microsoft.Web/sites/%s/containerlogs"
                      % (c.get("subscription"), c.get("resourceGroup"), c["webapp"])), "{}")
    gets = [concrete(e["url"]) for e in entries if e["method"] == "GET"]
    for url in gets:
        add("HEAD", url)
        add("GET", q(url + "/replay-missing"))
    # Writes: a new child of every GET URL (collections gain it), patched, deleted.
    for url in gets[:40]:
        child = url.rstrip("/") + "/replay-new"
        add("PUT", q(child), json.dumps({"properties": {"replay": 1}, "tags": {"a": "b"}}))
        add("GET", q(url))
        add("PATCH", q(child), json.dumps({"properties": {"replay": None, "more": [1, 2]},
                                           "tags": {"a": None, "c": "d"}}))
        add("GET", q(url))
        add("DELETE", q(child))
        add("GET", q(url))
    for url in gets[:10]:
        add("PATCH", q(url), json.dumps({"tags": {"patched": "yes"}}))
        add("PATCH", q(url + "/nope"), "{}")
        add("DELETE", q(url + "/nope"))
    add("PUT", q(gets[0] + "/broken"), "[1, 2")
    for r in doc.get("reactions") or []:
        url = concrete(r["url"])
        b = next((copy.deepcopy(e.get("body")) for e in entries
                  if e["method"] == "GET" and e["url"] == r["url"]), {"properties": {}})
        add(r["method"], q(url), json.dumps(b) if r["method"] != "DELETE" else None)
        for eff in r.get("effects") or []:
            add("GET", q(eff["url"]))
    # Deleting a resource that is in its parent's collection.
    for url in gets[:5]:
        add("DELETE", q(url))
        add("GET", q(url))
    for line in out:
        print(json.dumps(line))


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if line.startswith("export "):
                k, _, v = line[7:].strip().partition("=")
                env[k] = v.strip("'")
    return env


class Client:
    def __init__(self, d):
        self.env = read_env(os.path.join(d, "env"))
        self.proxy = int(self.env["HTTPS_PROXY"].rsplit(":", 1)[1])
        self.ctx = ssl.create_default_context(cafile=self.env["SSL_CERT_FILE"])
        self.conns = {}
        with open(os.path.join(d, "kubeconfig")) as f:
            self.kube = next((l.split(":", 1)[1].strip() for l in f if l.strip().startswith("token:")),
                             "")
        self.tokens = {}

    def tunnel(self, host, port):
        s = socket.create_connection(("127.0.0.1", self.proxy), timeout=30)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(("CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host, port, host, port))
                  .encode())
        head = b""
        while b"\r\n\r\n" not in head:
            c = s.recv(1)
            if not c:
                break
            head += c
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 200"):
            s.close()
            err = next((l.split(":", 1)[1].strip() for l in lines
                        if l.lower().startswith("x-squid-error:")), "")
            return None, {"ERR_DNS_FAIL 0": "dns", "ERR_CONNECT_FAIL 111": "refused",
                          "ERR_CONNECT_FAIL 110": "timeout"}.get(err, "other")
        t = self.ctx.wrap_socket(s, server_hostname=host)
        c = http.client.HTTPConnection(host, port)
        c.sock = t
        return c, None

    def raw(self, method, host, port, path, body, headers):
        key = (host, port)
        for attempt in (0, 1):
            c = self.conns.get(key)
            if c is None:
                c, err = self.tunnel(host, port)
                if err:
                    return {"status": 0, "error": err}
                self.conns[key] = c
            try:
                c.request(method, path, body=body.encode() if body is not None else None,
                          headers=headers)
                r = c.getresponse()
                data = r.read()
                return {"status": r.status, "headers": dict(r.getheaders()),
                        "body": data.decode("utf-8", "replace")}
            except (OSError, http.client.HTTPException):
                self.conns.pop(key, None)
                if attempt:
                    raise
        return None

    def token(self, resource):
        if resource not in self.tokens:
            e = self.env
            form = urllib.parse.urlencode({
                "grant_type": "client_credentials", "client_id": e["AZURE_CLIENT_ID"],
                "client_secret": e["AZURE_CLIENT_SECRET"], "scope": resource + "/.default"})
            host = "login.microsoftonline.com"
            r = self.raw("POST", host, 443, "/%s/oauth2/v2.0/token" % e["AZURE_TENANT_ID"], form,
                         {"Content-Type": "application/x-www-form-urlencoded"})
            self.tokens[resource] = json.loads(r["body"])["access_token"]
        return self.tokens[resource]

    def send(self, rq):
        sp = world.split_url(rq["url"])
        host, port, _ = sp
        target = rq["url"][8:]
        target = target[target.index("/"):] if "/" in target else "/"
        headers = {}
        body = rq.get("body")
        svc = world.service_of(host, sp[2])
        if svc == "arm":
            headers["Authorization"] = "Bearer " + self.token("https://management.azure.com")
        elif svc == "graph":
            headers["Authorization"] = "Bearer " + self.token("https://graph.microsoft.com")
        elif svc == "kube":
            headers["Authorization"] = "Bearer " + self.kube
        if body is not None and TOKEN_PLACEHOLDER in body:
            body = body.replace(TOKEN_PLACEHOLDER, urllib.parse.quote(
                self.token("https://management.azure.com"), safe=""))
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            headers["Content-Type"] = rq.get("contentType") or "application/json"
        return self.raw(rq["method"], host, port, target, body, headers)


def send(d, path):
    cl = Client(d)
    with open(path) as f:
        for line in f:
            rq = json.loads(line)
            print(json.dumps(cl.send(rq)))
    import subprocess
    here = os.path.dirname(os.path.abspath(__file__))
    dump = subprocess.run([sys.executable, os.path.join(here, "..", "fake-world"), "dump", d],
                          stdout=subprocess.PIPE, check=True).stdout
    print(json.dumps({"world": json.loads(dump)}))


def error_code(body):
    try:
        b = json.loads(body)
    except ValueError:
        return body[:80]
    if isinstance(b, dict):
        if isinstance(b.get("error"), dict):
            return b["error"].get("code")
        if isinstance(b.get("errors"), list) and b["errors"]:
            return b["errors"][0].get("code")
        if b.get("kind") == "Status":
            return b.get("reason")
    return json.dumps(b, sort_keys=True)[:200]


def compare(simout, fakeout, reqs):
    sim = [json.loads(l) for l in open(simout)]
    fake = [json.loads(l) for l in open(fakeout)]
    rq = [json.loads(l) for l in open(reqs)]
    bad = 0
    if len(sim) != len(fake) or not sim:
        print("different number of answers: %d vs %d" % (len(sim), len(fake)))
        return 1
    for i, (s, f) in enumerate(zip(sim[:-1], fake[:-1])):
        what = "%s %s" % (rq[i]["method"], rq[i]["url"])
        if s["status"] != f["status"]:
            print("%s: status sim %s, fake %s (%s)" % (what, s["status"], f["status"],
                                                       f.get("body", f.get("error", ""))[:200]))
            bad += 1
            continue
        if s["status"] == 0:
            if s.get("error") != f.get("error"):
                print("%s: failure sim %s, fake %s" % (what, s.get("error"), f.get("error")))
                bad += 1
            continue
        sh = {k.lower(): v for k, v in s["headers"].items()}
        fh = {k.lower(): v for k, v in f["headers"].items()}
        for k, v in sh.items():
            if k == "content-type" and (rq[i]["method"] == "HEAD" or s["status"] >= 400):
                continue
            if fh.get(k) != v:
                print("%s: header %s sim %r, fake %r" % (what, k, v, fh.get(k)))
                bad += 1
        if rq[i]["method"] == "HEAD":
            if f["body"]:
                print("%s: HEAD with a body" % what)
                bad += 1
            continue
        if s["status"] >= 400:
            if error_code(s["body"]) != error_code(f["body"]):
                print("%s: error sim %s, fake %s" % (what, error_code(s["body"]),
                                                    error_code(f["body"])))
                bad += 1
            continue
        try:
            same = json.loads(s["body"]) == json.loads(f["body"])
        except ValueError:
            same = s["body"] == f["body"]
        if not same:
            print("%s: bodies differ\n  sim  %s\n  fake %s" % (what, s["body"][:300],
                                                              f["body"][:300]))
            bad += 1
    if sim[-1].get("world") != fake[-1].get("world"):
        sw, fw = sim[-1].get("world") or {}, fake[-1].get("world") or {}
        for k in ("http", "node", "hosts"):
            if sw.get(k) != fw.get(k):
                print("world differs in %s" % k)
                if k == "http":
                    for j, (a, b) in enumerate(zip(sw.get(k) or [], fw.get(k) or [])):
                        if a != b:
                            print("  entry %d: sim %s\n            fake %s"
                                  % (j, json.dumps(a)[:300], json.dumps(b)[:300]))
                            break
                    if len(sw.get(k) or []) != len(fw.get(k) or []):
                        print("  %d entries vs %d" % (len(sw.get(k) or []), len(fw.get(k) or [])))
        bad += 1
    print("%d answers compared, %d differences" % (len(sim) - 1, bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "gen":
        gen(sys.argv[2])
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "compare":
        return compare(sys.argv[2], sys.argv[3], sys.argv[4])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
