#!/usr/bin/env python3
"""A tiny authoritative-for-everything DNS server for the proxy tests.

Python 3 standard library only.  Listens on UDP port 53 (squid's
dns_nameservers takes no port) of a loopback address of its own, picked
at random in 127.83.0.0/16 so that test runs side by side do not meet,
and answers A queries for the names given on the command line, NOERROR
with no records for other types of those names, and NXDOMAIN for every
other name.  Writes the address to DIR/dns.ready once bound.

usage: dnsstub.py DIR NAME=IP...
"""
import os
import random
import signal
import socket
import struct
import sys


def parse_name(msg, off):
    labels = []
    while True:
        if off >= len(msg):
            raise ValueError("short")
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        if n & 0xC0:
            raise ValueError("compressed question")
        labels.append(msg[off:off + n].decode("ascii", "replace"))
        off += n


def answer(msg, table):
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if flags & 0x8000 or qd != 1:
        return None
    name, off = parse_name(msg, 12)
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    question = msg[12:off + 4]
    rd = flags & 0x0100
    if name not in table:
        hdr = struct.pack("!HHHHHH", qid, 0x8083 | rd | 0x0080, 1, 0, 0, 0)
        return hdr + question
    records = b""
    count = 0
    if qtype == 1 and qclass == 1:
        records = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + \
            socket.inet_aton(table[name])
        count = 1
    hdr = struct.pack("!HHHHHH", qid, 0x8480 | rd, 1, count, 0, 0)
    return hdr + question + records


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: dnsstub.py DIR NAME=IP...")
    d = sys.argv[1]
    table = {}
    for arg in sys.argv[2:]:
        k, _, v = arg.partition("=")
        table[k.lower()] = v
    rnd = random.Random(os.getpid())
    for _ in range(50):
        addr = "127.83.%d.%d" % (rnd.randrange(256), rnd.randrange(1, 255))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((addr, 53))
            break
        except OSError:
            s.close()
    else:
        sys.exit("no free loopback address for the stub DNS server")
    tmp = os.path.join(d, "dns.tmp")
    with open(tmp, "w") as f:
        f.write(addr + "\n")
    os.rename(tmp, os.path.join(d, "dns.ready"))
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    while True:
        msg, peer = s.recvfrom(2048)
        try:
            out = answer(msg, table)
        except (ValueError, struct.error):
            out = None
        if out:
            s.sendto(out, peer)


if __name__ == "__main__":
    main()
