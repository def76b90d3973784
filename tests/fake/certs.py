"""certs.py - a test CA and server certificates, made with the openssl CLI.

Keys are EC P-256 (quick to make).  Nothing here leaves the work directory.
"""
import ipaddress
import os
import subprocess
import threading


def _run(args, cwd):
    r = subprocess.run(["openssl"] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.decode(errors="replace")[-400:]))


def make_ca(d, name, cn):
    """DIR/name.pem and DIR/name.key: a self-signed CA valid for 2 days."""
    key, pem = name + ".key", name + ".pem"
    _run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes", "-keyout", key, "-out", pem, "-days", "2", "-subj", "/CN=" + cn,
          "-addext", "basicConstraints=critical,CA:TRUE",
          "-addext", "keyUsage=critical,keyCertSign,cRLSign"], d)
    os.chmod(os.path.join(d, key), 0o600)
    return os.path.join(d, pem), os.path.join(d, key)


def make_leaf(d, name, ca, hosts):
    """DIR/name.pem + DIR/name.key signed by ca (a make_ca name), SANs = hosts."""
    sans = []
    for h in sorted(set(hosts)):
        try:
            ipaddress.ip_address(h)
            sans.append("IP:" + h)
        except ValueError:
            sans.append("DNS:" + h)
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=%s\n" % ",".join(sans))
    _run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + sorted(hosts)[0]], d)
    _run(["x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
          "-CAcreateserial", "-CAserial", ca + ".srl", "-days", "2", "-out", name + ".pem",
          "-extfile", name + ".ext"], d)
    os.chmod(os.path.join(d, name + ".key"), 0o600)
    for junk in (name + ".csr", name + ".ext"):
        try:
            os.unlink(os.path.join(d, junk))
        except OSError:
            pass
    return os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")


def make_client(d, name, ca, subject):
    """A client certificate (extendedKeyUsage clientAuth) signed by ca."""
    ext = os.path.join(d, name + ".ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth\n")
    _run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
          "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject], d)
    _run(["x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
          "-CAcreateserial", "-CAserial", ca + ".srl", "-days", "2", "-out", name + ".pem",
          "-extfile", name + ".ext"], d)
    os.chmod(os.path.join(d, name + ".key"), 0o600)
    for junk in (name + ".csr", name + ".ext"):
        try:
            os.unlink(os.path.join(d, junk))
        except OSError:
            pass
    return os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")


class LeafCache:
    """Server certificates per host, made on first use for hosts not known at start."""

    def __init__(self, d, ca):
        self.d, self.ca = d, ca
        self.lock = threading.Lock()
        self.n = 0
        self.made = {}

    def for_host(self, host):
        with self.lock:
            if host not in self.made:
                self.n += 1
                self.made[host] = make_leaf(self.d, "leaf%d" % self.n, self.ca, [host])
            return self.made[host]
