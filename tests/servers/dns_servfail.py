#!/usr/bin/env python3
"""dns_servfail.py ADDR PORT READYFILE - a broken upstream DNS server: it
answers every query with SERVFAIL (for the resolver under test, dnsmasq,
to relay).  Standard library only."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
open(sys.argv[3], "w").close()
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    # same id and question; QR=1, opcode 0, RD copied, RA=1, RCODE=2
    flags = bytes([0x80 | (q[2] & 0x01), 0x82])
    counts = q[4:6] + b"\0\0\0\0\0\0"
    s.sendto(q[:2] + flags + counts + q[12:], peer)
