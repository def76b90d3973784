#!/usr/bin/env python3
"""Push the images the built-in scenarios refer to into a token-auth registry.

  push.py --env DIR/registry.env [--world healthy|arch | --scenario NAME] [--out FILE]

Python 3 standard library only.  Reads the registry's address, CA and
token-signing key from registry.env (written by start.sh), mints its own
push token with tests/fake/acrtoken.py and uploads blobs and manifests with
the distribution API (POST + PUT uploads, manifests by digest before the
index that lists them).  Content is built here, deterministically: small
gzip tar layers and image configs shaped like the scenarios' ones (same
repositories, tags and platforms; digests differ from the recorded ones).

What is pushed (every world):
  shop/web:1.4.1       Docker schema 2 manifest, linux/amd64
  shop/web:latest      OCI index: linux/amd64, linux/arm64/v8
  shop/report:2.0.0    Docker schema 2 manifest, linux/amd64
  shop/report:2.0.1    OCI manifest, linux/amd64             (aks-qps)
  shop/gateway:3.0.0   Docker manifest list: linux/amd64, linux/arm64/v8,
                       windows/amd64 (os.version 10.0.20348.2966)
  shop/gateway:3.0.0-oci  OCI index with the same three platforms
and shop/web:1.4.2 by world:
  healthy  OCI index: linux/amd64, linux/arm64/v8   (aks-healthy, webapp-healthy,
           aks-platform-windows, aks-notfound-*, webapp-manifest-unknown)
  arch     OCI index: linux/arm64/v8 plus a buildx attestation manifest
           (platform unknown/unknown)                (aks-401-arch)
Never pushed: shop/web:1.4.3 (the missing tag of aks-notfound-tag and
webapp-manifest-unknown) and the repository shop/webshop.

Running it again with another --world moves the tag shop/web:1.4.2, so one
running registry can serve the worlds in turn.  --scenario NAME picks the
world of a scenario (aks-401-arch: arch; any other: healthy).  --out writes a JSON summary:
{"repo:tag": {"digest", "mediaType", "platforms": ["os/arch[/variant]"...]}}.
"""

import argparse
import gzip
import hashlib
import http.client
import io
import json
import os
import ssl
import sys
import tarfile
import urllib.parse

sys.dont_write_bytecode = True      # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "fake"))
import acrtoken  # noqa: E402  (tests/fake, next to the other fakes)

MT_DOCKER = "application/vnd.docker.distribution.manifest.v2+json"
MT_DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MT_DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
MT_DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
MT_OCI = "application/vnd.oci.image.manifest.v1+json"
MT_OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MT_OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
MT_INTOTO = "application/vnd.in-toto+json"

WINDOWS_VERSION = "10.0.20348.2966"
CREATED = "2025-01-20T14:02:31.118Z"
BASE_CREATED = "2025-01-08T00:00:00Z"

WORLDS = ("healthy", "arch")
# Scenarios whose registry differs from the healthy one; every other
# scenario (and a base name) uses "healthy".
SCENARIO_WORLDS = {"aks-401-arch": "arch"}


def world_for(scenario):
    """The world of a scenario name (built-in name or file path)."""
    name = os.path.basename(scenario or "")
    if name.endswith(".json"):
        name = name[:-5]
    return SCENARIO_WORLDS.get(name, "healthy")
REPOS = ("shop/web", "shop/report", "shop/gateway")


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def jbytes(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()


def layer(name, text):
    """A gzip tar with one file; fixed times so the digest never changes."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as t:
        data = text.encode()
        ti = tarfile.TarInfo(name)
        ti.size, ti.mtime, ti.mode, ti.uid, ti.gid = len(data), 1736380800, 0o644, 0, 0
        t.addfile(ti, io.BytesIO(data))
    tar = raw.getvalue()
    return gzip.compress(tar, compresslevel=9, mtime=0), sha(tar)


class Image:
    """One single-platform image: config + layers, as Docker or OCI."""

    def __init__(self, app, os_, arch, variant=None, oci=True):
        self.os, self.arch, self.variant, self.oci = os_, arch, variant, oci
        plat = "%s-%s%s" % (os_, arch, "-" + variant if variant else "")
        base, base_diff = layer("etc/os-release", "ID=%s\nPLATFORM=%s\n" % (
            "windows-servercore" if os_ == "windows" else "alpine", plat))
        top, top_diff = layer("app/%s" % app, "%s for %s\n" % (app, plat))
        self.layers = [base, top]
        cfg = {"architecture": arch, "created": CREATED}
        if variant:
            cfg["variant"] = variant
        cfg["os"] = os_
        if os_ == "windows":
            cfg["os.version"] = WINDOWS_VERSION
            cfg["config"] = {"Entrypoint": ["C:\\app\\%s.exe" % app], "WorkingDir": "C:\\app"}
        else:
            cfg["config"] = {"ExposedPorts": {"8080/tcp": {}},
                             "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                     "PORT=8080"],
                             "Entrypoint": ["/app/%s" % app], "WorkingDir": "/app", "User": "10001"}
        cfg["history"] = [{"created": BASE_CREATED, "created_by": "ADD rootfs-%s.tar.gz / # buildkit" % plat},
                          {"created": CREATED, "created_by": "COPY /out/%s /app/%s # buildkit" % (app, app),
                           "comment": "buildkit.dockerfile.v0"}]
        cfg["rootfs"] = {"type": "layers", "diff_ids": [base_diff, top_diff]}
        self.config = jbytes(cfg)
        self.manifest = jbytes({
            "schemaVersion": 2,
            "mediaType": MT_OCI if oci else MT_DOCKER,
            "config": {"mediaType": MT_OCI_CONFIG if oci else MT_DOCKER_CONFIG,
                       "size": len(self.config), "digest": sha(self.config)},
            "layers": [{"mediaType": MT_OCI_LAYER if oci else MT_DOCKER_LAYER,
                        "size": len(b), "digest": sha(b)} for b in self.layers],
        })
        self.media_type = MT_OCI if oci else MT_DOCKER
        self.digest = sha(self.manifest)

    @property
    def platform(self):
        p = {"architecture": self.arch, "os": self.os}
        if self.os == "windows":
            p["os.version"] = WINDOWS_VERSION
        if self.variant:
            p["variant"] = self.variant
        return p

    def blobs(self):
        return [self.config] + self.layers

    def platform_str(self):
        return "/".join(x for x in (self.os, self.arch, self.variant) if x)


class Attestation:
    """A buildx provenance manifest: OCI manifest, in-toto layer, unknown platform."""

    def __init__(self, subject):
        stmt = jbytes({"_type": "https://in-toto.io/Statement/v0.1",
                       "predicateType": "https://slsa.dev/provenance/v0.2",
                       "subject": [{"name": "_", "digest": {"sha256": subject.digest[7:]}}],
                       "predicate": {"builder": {"id": ""}, "buildType": "https://mobyproject.org/buildkit@v1"}})
        self.config = jbytes({"architecture": "unknown", "os": "unknown", "config": {},
                              "rootfs": {"type": "layers", "diff_ids": [sha(stmt)]}})
        self.layers = [stmt]
        self.manifest = jbytes({
            "schemaVersion": 2, "mediaType": MT_OCI,
            "config": {"mediaType": MT_OCI_CONFIG, "size": len(self.config), "digest": sha(self.config)},
            "layers": [{"mediaType": MT_INTOTO, "size": len(stmt), "digest": sha(stmt),
                        "annotations": {"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}}],
        })
        self.media_type = MT_OCI
        self.digest = sha(self.manifest)
        self.subject = subject

    def blobs(self):
        return [self.config] + self.layers

    def descriptor(self):
        return {"mediaType": MT_OCI, "digest": self.digest, "size": len(self.manifest),
                "annotations": {"vnd.docker.reference.digest": self.subject.digest,
                                "vnd.docker.reference.type": "attestation-manifest"},
                "platform": {"architecture": "unknown", "os": "unknown"}}


class Index:
    def __init__(self, images, oci=True, extra=()):
        self.images, self.extra = list(images), list(extra)
        mans = [{"mediaType": i.media_type, "digest": i.digest, "size": len(i.manifest),
                 "platform": i.platform} for i in self.images]
        mans += [e.descriptor() for e in self.extra]
        self.media_type = MT_OCI_INDEX if oci else MT_DOCKER_LIST
        self.manifest = jbytes({"schemaVersion": 2, "mediaType": self.media_type, "manifests": mans})
        self.digest = sha(self.manifest)

    def children(self):
        return self.images + self.extra

    def platform_strs(self):
        return [i.platform_str() for i in self.images]


def content(world):
    """[(repo, tag, Image|Index)] for a world."""
    if world not in WORLDS:
        raise ValueError("unknown world %r (one of %s)" % (world, ", ".join(WORLDS)))
    web_amd = Image("web", "linux", "amd64")
    web_arm = Image("web", "linux", "arm64", "v8")
    web_multi = Index([web_amd, web_arm])
    out = [
        ("shop/web", "1.4.1", Image("web-1.4.1", "linux", "amd64", oci=False)),
        ("shop/web", "latest", web_multi),
        ("shop/report", "2.0.0", Image("report-2.0.0", "linux", "amd64", oci=False)),
        ("shop/report", "2.0.1", Image("report", "linux", "amd64")),
        ("shop/gateway", "3.0.0", Index([Image("gateway", "linux", "amd64", oci=False),
                                         Image("gateway", "linux", "arm64", "v8", oci=False),
                                         Image("gateway", "windows", "amd64", oci=False)], oci=False)),
        ("shop/gateway", "3.0.0-oci", Index([Image("gateway", "linux", "amd64"),
                                             Image("gateway", "linux", "arm64", "v8"),
                                             Image("gateway", "windows", "amd64")])),
    ]
    if world == "healthy":
        out.append(("shop/web", "1.4.2", web_multi))
    else:
        arm_only = Image("web-arm-laptop", "linux", "arm64", "v8")
        out.append(("shop/web", "1.4.2", Index([arm_only], extra=[Attestation(arm_only)])))
    return out


def read_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                env[k] = v
    for k in ("REGISTRY_ADDR", "REGISTRY_CA", "REGISTRY_TOKEN_KEY", "REGISTRY_TOKEN_CERT",
              "REGISTRY_TOKEN_ISSUER", "REGISTRY_SERVICE"):
        if not env.get(k):
            raise ValueError("%s has no %s" % (path, k))
    return env


class Client:
    def __init__(self, addr, cafile, token):
        host, _, port = addr.rpartition(":")
        self.addr = addr
        self.token = token
        ctx = ssl.create_default_context(cafile=cafile)
        self.conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=30)

    def request(self, method, path, body=None, headers=None, ok=(200,)):
        h = {"Authorization": "Bearer " + self.token}
        h.update(headers or {})
        if body is not None:
            h["Content-Length"] = str(len(body))
        self.conn.request(method, path, body=body, headers=h)
        r = self.conn.getresponse()
        data = r.read()
        if r.status not in ok:
            raise RuntimeError("%s %s: HTTP %d %s" % (method, path.split("?")[0], r.status,
                                                     data[:300].decode("utf-8", "replace")))
        return r, data

    def blob(self, repo, b):
        d = sha(b)
        r, _ = self.request("HEAD", "/v2/%s/blobs/%s" % (repo, d), ok=(200, 404))
        if r.status == 200:
            return
        r, _ = self.request("POST", "/v2/%s/blobs/uploads/" % repo, body=b"", ok=(202,))
        loc = urllib.parse.urlsplit(r.getheader("Location") or "")
        if not loc.path.startswith("/v2/%s/blobs/uploads/" % repo):
            raise RuntimeError("POST upload: unexpected Location %r" % r.getheader("Location"))
        q = loc.query + ("&" if loc.query else "") + "digest=" + urllib.parse.quote(d)
        self.request("PUT", loc.path + "?" + q, body=b,
                     headers={"Content-Type": "application/octet-stream"}, ok=(201,))

    def manifest(self, repo, ref, media_type, body):
        r, _ = self.request("PUT", "/v2/%s/manifests/%s" % (repo, ref), body=body,
                            headers={"Content-Type": media_type}, ok=(201,))
        got = r.getheader("Docker-Content-Digest")
        if got != sha(body):
            raise RuntimeError("PUT %s:%s: registry says digest %s, expected %s" % (repo, ref, got, sha(body)))


def push_image(c, repo, img, ref=None):
    for b in img.blobs():
        c.blob(repo, b)
    c.manifest(repo, ref or img.digest, img.media_type, img.manifest)


def push(env, world):
    access = [{"type": "repository", "name": r, "actions": ["pull", "push"]} for r in REPOS]
    token = acrtoken.mint(env["REGISTRY_TOKEN_KEY"], env["REGISTRY_TOKEN_CERT"],
                          env["REGISTRY_TOKEN_ISSUER"], env["REGISTRY_SERVICE"],
                          "acr-doctor-push", access, 600)
    c = Client(env["REGISTRY_ADDR"], env["REGISTRY_CA"], token)
    summary = {}
    for repo, tag, obj in content(world):
        if isinstance(obj, Index):
            for child in obj.children():       # an index needs its children first
                push_image(c, repo, child)
            c.manifest(repo, tag, obj.media_type, obj.manifest)
            plats = obj.platform_strs()
        else:
            push_image(c, repo, obj, tag)
            plats = [obj.platform_str()]
        summary["%s:%s" % (repo, tag)] = {"digest": obj.digest, "mediaType": obj.media_type,
                                          "platforms": plats}
    c.conn.close()
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description="Push the scenario images to a token-auth registry.")
    ap.add_argument("--env", required=True, help="registry.env written by start.sh")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--world", choices=WORLDS, help="default healthy")
    g.add_argument("--scenario", help="the world of this scenario (aks-401-arch: arch)")
    ap.add_argument("--out", help="write a JSON summary of what was pushed")
    a = ap.parse_args(argv)
    try:
        world = a.world or (world_for(a.scenario) if a.scenario else "healthy")
        summary = push(read_env(a.env), world)
    except (OSError, ValueError, RuntimeError, http.client.HTTPException) as e:
        print("push.py: %s" % e, file=sys.stderr)
        return 1
    if a.out:
        tmp = a.out + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, a.out)
    for k in sorted(summary):
        print("%s %s %s" % (k, summary[k]["mediaType"], ",".join(summary[k]["platforms"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
