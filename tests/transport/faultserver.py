#!/usr/bin/env python3
"""HTTPS fault server and squid-like proxy for the transport tests.

Python 3 standard library only; listens on 127.0.0.1 with ports chosen by
the kernel, written to DIR/ports (KEY=PORT lines, renamed into place when
every listener is up).  Certificates are made beforehand by the test
script (openssl): DIR/ca1.pem signs server1 and the client certificate,
DIR/ca2.pem signs server2.

Listeners
  MAIN   server1 (CA 1)
  OTHER  server2 (CA 2)
  MTLS   server2 (CA 2), requires a client certificate signed by CA 1
  PROXY  plain HTTP proxy: CONNECT to 127.0.0.1 is tunnelled; CONNECT to
         the names in PROXY_ANSWERS is refused the way squid refuses it.
         Nothing else is ever connected to.

Paths (any method)
  /echo                  200, JSON describing the request, extra headers
  /status/N              answer N
  /burst/KEY/N/CODE      CODE for the first N requests of KEY, then 200;
                         ?ra=S Retry-After seconds, ?radate=S as an
                         HTTP-date S seconds ahead, ?rams=MS retry-after-ms
  /count/KEY             {"count": requests seen for KEY}
  /clear                 forget every count (a driver run starts with it)
  /slow/MS[?key=K]       counts K, then waits MS before answering
  /truncate              announces 1000 bytes, sends 10, closes
  /reset                 reads the request, then resets the connection
  /big/BYTES[?chunked=1] a body of BYTES bytes, chunked: no length
  /gzip/BYTES            BYTES bytes, gzip-compressed (a few KiB on the wire)
  /headers/N             N extra headers
  /longheader/BYTES      a header with a value of BYTES bytes
"""
import email.utils
import gzip
import json
import os
import select
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTS = {}
COUNTS_LOCK = threading.Lock()

# host -> (status, reason, extra headers) as squid answers a CONNECT it
# cannot open (squid 5.7 says ERR_CANNOT_FORWARD for a name that does not
# resolve, other versions ERR_DNS_FAIL)
PROXY_ANSWERS = {
    "dns-fail.invalid": (503, "Service Unavailable",
                         [("X-Squid-Error", "ERR_DNS_FAIL 0")]),
    "no-path.invalid": (500, "Internal Server Error",
                        [("X-Squid-Error", "ERR_CANNOT_FORWARD 0")]),
    "refused.invalid": (503, "Service Unavailable",
                        [("X-Squid-Error", "ERR_CONNECT_FAIL 111")]),
    "conn-timeout.invalid": (503, "Service Unavailable",
                             [("X-Squid-Error", "ERR_CONNECT_FAIL 110")]),
    "read-timeout.invalid": (504, "Gateway Timeout",
                             [("X-Squid-Error", "ERR_READ_TIMEOUT 0")]),
    "gateway-timeout.invalid": (504, "Gateway Timeout", []),
    "ps-dns.invalid": (502, "Bad Gateway",
                       [("Proxy-Status", "fakeproxy; error=dns_error")]),
    "denied.invalid": (403, "Forbidden",
                       [("X-Squid-Error", "ERR_ACCESS_DENIED 0")]),
}


def count(key):
    with COUNTS_LOCK:
        COUNTS[key] = COUNTS.get(key, 0) + 1
        return COUNTS[key]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultserver/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def handle_any(self):
        body = self.read_body()
        path, _, query = self.path.partition("?")
        q = dict(p.partition("=")[::2] for p in query.split("&") if p)
        parts = path.strip("/").split("/")
        if parts[0] == "echo":
            cn = ""
            try:
                cert = self.connection.getpeercert()
                for rdn in (cert or {}).get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            cn = v
            except (AttributeError, ValueError):
                pass
            auth = self.headers.get("Authorization") or ""
            info = {
                "method": self.command, "path": self.path,
                "body_len": len(body),
                "body": body.decode("utf-8", "replace"),
                "content_type": self.headers.get("Content-Type"),
                "accept": self.headers.get("Accept"),
                "auth_scheme": auth.split(" ")[0] if auth else None,
                "client_cn": cn,
                "peer_port": self.client_address[1],
            }
            self.reply(200, json.dumps(info),
                       [("Content-Type", "application/json"),
                        ("X-Echo", "yes"), ("X-Spaced", "  padded value  ")])
        elif parts[0] == "status" and len(parts) == 2:
            self.reply(int(parts[1]), "status %s" % parts[1])
        elif parts[0] == "burst" and len(parts) == 4:
            n = count(parts[1])
            if n <= int(parts[2]):
                hdrs = []
                if "ra" in q:
                    hdrs.append(("Retry-After", q["ra"]))
                if "radate" in q:
                    when = time.time() + int(q["radate"])
                    hdrs.append(("Retry-After",
                                 email.utils.formatdate(when, usegmt=True)))
                if "rams" in q:
                    hdrs.append(("retry-after-ms", q["rams"]))
                self.reply(int(parts[3]), "burst %d" % n, hdrs)
            else:
                self.reply(200, json.dumps({"attempts": n}))
        elif parts[0] == "clear":
            with COUNTS_LOCK:
                COUNTS.clear()
            self.reply(200, "cleared")
        elif parts[0] == "count" and len(parts) == 2:
            with COUNTS_LOCK:
                n = COUNTS.get(parts[1], 0)
            self.reply(200, json.dumps({"count": n}))
        elif parts[0] == "slow" and len(parts) == 2:
            if "key" in q:
                count(q["key"])
            time.sleep(int(parts[1]) / 1000.0)
            self.reply(200, "slow")
        elif parts[0] == "truncate":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
            self.connection.close()
        elif parts[0] == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif parts[0] == "big" and len(parts) == 2:
            n = int(parts[1])
            chunked = "chunked" in q
            self.send_response(200)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(n))
            self.end_headers()
            chunk = b"x" * 65536
            try:
                while n > 0:
                    part = chunk[:min(n, len(chunk))]
                    if chunked:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                    else:
                        self.wfile.write(part)
                    n -= len(part)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            except OSError:
                self.close_connection = True
        elif parts[0] == "gzip" and len(parts) == 2:
            self.reply(200, gzip.compress(b"z" * int(parts[1])),
                       [("Content-Encoding", "gzip")])
        elif parts[0] == "longheader" and len(parts) == 2:
            self.reply(200, "long", [("X-Long", "v" * int(parts[1]))])
        elif parts[0] == "headers" and len(parts) == 2:
            self.reply(200, "headers",
                       [("X-H%d" % i, str(i)) for i in range(int(parts[1]))])
        else:
            self.reply(404, "no such fault")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, ctx):
        super().__init__(addr, Handler)
        self.ctx = ctx

    def finish_request(self, request, client_address):
        # The handshake runs in the connection's thread, so a stalled or
        # refused client holds up nobody else.
        try:
            request.settimeout(30)
            tls = self.ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            Handler(tls, client_address, self)
        except (ssl.SSLError, OSError):
            pass

    def handle_error(self, request, client_address):
        pass


class ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        s.settimeout(30)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 16384:
            chunk = s.recv(4096)
            if not chunk:
                return
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "CONNECT":
            self.answer(405, "Method Not Allowed", [])
            return
        host, _, port = parts[1].rpartition(":")
        if host in PROXY_ANSWERS:
            self.answer(*PROXY_ANSWERS[host])
            return
        if host != "127.0.0.1":
            self.answer(403, "Forbidden",
                        [("X-Squid-Error", "ERR_ACCESS_DENIED 0")])
            return
        try:
            up = socket.create_connection(("127.0.0.1", int(port)), 5)
        except OSError:
            self.answer(503, "Service Unavailable",
                        [("X-Squid-Error", "ERR_CONNECT_FAIL 111")])
            return
        count("proxy-tunnel")
        # A header here must not end up among the server's headers.
        s.sendall(b"HTTP/1.1 200 Connection established\r\n"
                  b"Via: 1.1 fakeproxy (squid/5.7)\r\n\r\n")
        self.splice(s, up)

    def answer(self, code, reason, headers):
        body = ("<html><body>%d %s</body></html>\n" % (code, reason)).encode()
        out = ["HTTP/1.1 %d %s" % (code, reason), "Server: squid/5.7",
               "Mime-Version: 1.0",
               "Date: " + email.utils.formatdate(usegmt=True),
               "Content-Type: text/html;charset=utf-8",
               "Content-Length: %d" % len(body)]
        out += ["%s: %s" % h for h in headers]
        out += ["Vary: Accept-Language", "Content-Language: en",
                "X-Cache: MISS from fakeproxy",
                "Via: 1.1 fakeproxy (squid/5.7)", "Connection: keep-alive"]
        self.request.sendall(("\r\n".join(out) + "\r\n\r\n").encode() + body)

    @staticmethod
    def splice(a, b):
        socks = [a, b]
        try:
            while True:
                r, _, _ = select.select(socks, [], [], 30)
                if not r:
                    return
                for x in r:
                    d = x.recv(65536)
                    if not d:
                        return
                    (b if x is a else a).sendall(d)
        except OSError:
            pass
        finally:
            b.close()


class ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def tls_ctx(d, name, client_ca=None):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, name + ".pem"),
                        os.path.join(d, name + ".key"))
    if client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(os.path.join(d, client_ca))
    return ctx


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: faultserver.py DIR")
    d = sys.argv[1]
    servers = {
        "MAIN": TLSServer(("127.0.0.1", 0), tls_ctx(d, "server1")),
        "OTHER": TLSServer(("127.0.0.1", 0), tls_ctx(d, "server2")),
        "MTLS": TLSServer(("127.0.0.1", 0),
                          tls_ctx(d, "server2", "ca1.pem")),
        "PROXY": ProxyServer(("127.0.0.1", 0), ProxyHandler),
    }
    for srv in servers.values():
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = os.path.join(d, "ports.tmp")
    with open(tmp, "w") as f:
        for k, srv in servers.items():
            f.write("%s_PORT=%d\n" % (k, srv.server_address[1]))
    os.rename(tmp, os.path.join(d, "ports"))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: stop.set())
    signal.signal(signal.SIGINT, lambda *a: stop.set())
    while not stop.wait(1):
        pass
    for srv in servers.values():
        srv.shutdown()


if __name__ == "__main__":
    main()
