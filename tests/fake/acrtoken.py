#!/usr/bin/env python3
"""Registry bearer tokens signed the way docker-registry's token auth checks them.

mint(key_path, cert_path, issuer, service, subject, access, ttl=3600) returns an
RS256 JWT with the claims distribution reads (iss, sub, aud, exp, nbf, iat, jti,
access).  The header names the signing key by its libtrust key id ("kid"), which
the registry looks up among the keys of its auth.token.rootcertbundle; with
header="x5c" it carries the certificate itself instead.

Python 3 standard library only: the PEM key (PKCS#1 "RSA PRIVATE KEY" or
unencrypted PKCS#8 "PRIVATE KEY") is parsed here, and the signature is
RSASSA-PKCS1-v1_5 with SHA-256 computed with pow() and the CRT.

Command line (for shell tests):
  acrtoken.py --key K --cert C --issuer I --service S [--subject SUB]
              [--scope repository:shop/web:pull ...] [--ttl SECONDS] [--x5c]
prints the token.  A negative --ttl gives a token that has already expired.
"""

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
import time

__all__ = ["mint", "parse_scope", "load_private_key", "key_id", "RSAKey"]

# Bounds for untrusted PEM input: keys above 8192 bits are not test keys.
_MAX_PEM = 64 * 1024
_MAX_BITS = 8192

_OID_RSA = bytes.fromhex("2a864886f70d010101")          # 1.2.840.113549.1.1.1
_SHA256_DIGESTINFO = bytes.fromhex("3031300d060960864801650304020105000420")

# Scope grammar of the token protocol: type:name:action[,action...]
_SCOPE_RE = re.compile(r"^([a-z0-9]+(?:\([a-z0-9]+\))?):([a-z0-9][a-z0-9._/-]{0,255}):"
                       r"([a-z*]+(?:,[a-z*]+)*)$")


class RSAKey:
    """The private key's numbers (n, e, d, p, q, dp, dq, qinv)."""

    __slots__ = ("n", "e", "d", "p", "q", "dp", "dq", "qinv")

    def __init__(self, n, e, d, p, q, dp, dq, qinv):
        self.n, self.e, self.d = n, e, d
        self.p, self.q, self.dp, self.dq, self.qinv = p, q, dp, dq, qinv

    @property
    def size(self):
        return (self.n.bit_length() + 7) // 8


# ---------- DER ----------

def _der_read(buf, pos):
    """One TLV at pos: (tag, value bytes, position after it)."""
    if pos + 2 > len(buf):
        raise ValueError("truncated DER")
    tag = buf[pos]
    ln = buf[pos + 1]
    pos += 2
    if ln & 0x80:
        nb = ln & 0x7F
        if nb == 0 or nb > 4 or pos + nb > len(buf):
            raise ValueError("bad DER length")
        ln = int.from_bytes(buf[pos:pos + nb], "big")
        pos += nb
    if pos + ln > len(buf):
        raise ValueError("truncated DER")
    return tag, buf[pos:pos + ln], pos + ln


def _der_items(value):
    """The TLVs inside a constructed value."""
    out, pos = [], 0
    while pos < len(value):
        tag, v, pos = _der_read(value, pos)
        out.append((tag, v))
    return out


def _der_int(tag_value):
    tag, v = tag_value
    if tag != 0x02 or not v:
        raise ValueError("expected an INTEGER")
    return int.from_bytes(v, "big", signed=True)


def _der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def _der(tag, body):
    return bytes([tag]) + _der_len(len(body)) + body


def _der_uint(n):
    b = n.to_bytes(n.bit_length() // 8 + 1, "big")   # leading 0 keeps it positive
    return _der(0x02, b)


def _pkcs1_numbers(der):
    tag, seq, end = _der_read(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("RSAPrivateKey is not a SEQUENCE")
    items = _der_items(seq)
    if len(items) < 9 or _der_int(items[0]) != 0:
        raise ValueError("unsupported RSAPrivateKey version (multi-prime keys are not supported)")
    nums = [_der_int(i) for i in items[1:9]]
    if any(x <= 0 for x in nums):
        raise ValueError("RSAPrivateKey has a non-positive number")
    key = RSAKey(*nums)
    if key.n.bit_length() < 1024 or key.n.bit_length() > _MAX_BITS:
        raise ValueError("RSA key size %d bits is out of range" % key.n.bit_length())
    if key.p * key.q != key.n:
        raise ValueError("RSA key is inconsistent (p*q != n)")
    return key


def _pkcs8_numbers(der):
    tag, seq, end = _der_read(der, 0)
    if tag != 0x30 or end != len(der):
        raise ValueError("PrivateKeyInfo is not a SEQUENCE")
    items = _der_items(seq)
    if len(items) < 3 or _der_int(items[0]) not in (0, 1):
        raise ValueError("unsupported PrivateKeyInfo version")
    if items[1][0] != 0x30:
        raise ValueError("PrivateKeyInfo has no algorithm")
    alg = _der_items(items[1][1])
    if not alg or alg[0] != (0x06, _OID_RSA):
        raise ValueError("the key is not an RSA key (RS256 needs RSA)")
    if items[2][0] != 0x04:
        raise ValueError("PrivateKeyInfo has no key OCTET STRING")
    return _pkcs1_numbers(items[2][1])


def _pem_blocks(text):
    for m in re.finditer(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", text, re.S):
        body = m.group(2)
        if ":" in body:            # Proc-Type/DEK-Info headers: an encrypted PKCS#1 key
            raise ValueError("the private key is encrypted; give an unencrypted key")
        try:
            yield m.group(1), base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("bad base64 in the PEM block %s" % m.group(1)) from None


_key_cache = {}


def load_private_key(path):
    """RSAKey from a PEM file (PKCS#1 or unencrypted PKCS#8); parsed once per
    version of the file, so a server minting many tokens does not re-read it."""
    st = os.stat(path)
    ck = (os.path.abspath(path), st.st_mtime_ns, st.st_size, st.st_ino)
    key = _key_cache.get(ck)
    if key is None:
        key = _load_private_key(path)
        _key_cache.clear()
        _key_cache[ck] = key
    return key


def _load_private_key(path):
    with open(path, "rb") as f:
        raw = f.read(_MAX_PEM + 1)
    if len(raw) > _MAX_PEM:
        raise ValueError("%s: too large for a PEM key" % path)
    text = raw.decode("ascii", "replace")
    for label, der in _pem_blocks(text):
        if label == "RSA PRIVATE KEY":
            return _pkcs1_numbers(der)
        if label == "PRIVATE KEY":
            return _pkcs8_numbers(der)
        if label == "ENCRYPTED PRIVATE KEY":
            raise ValueError("%s: the private key is encrypted; give an unencrypted key" % path)
    raise ValueError("%s: no RSA private key in PEM form" % path)


def _cert_der(path):
    with open(path, "rb") as f:
        raw = f.read(_MAX_PEM + 1)
    if len(raw) > _MAX_PEM:
        raise ValueError("%s: too large for a PEM certificate" % path)
    for label, der in _pem_blocks(raw.decode("ascii", "replace")):
        if label == "CERTIFICATE":
            return der
    raise ValueError("%s: no PEM certificate" % path)


# ---------- key id, signature, token ----------

def spki_der(key):
    """SubjectPublicKeyInfo DER of the public half (as openssl and Go encode it)."""
    rsapub = _der(0x30, _der_uint(key.n) + _der_uint(key.e))
    alg = _der(0x30, _der(0x06, _OID_RSA) + b"\x05\x00")
    return _der(0x30, alg + _der(0x03, b"\x00" + rsapub))


def key_id(key):
    """libtrust key id: base32 of the first 240 bits of SHA-256(SPKI), 12 groups of 4."""
    b32 = base64.b32encode(hashlib.sha256(spki_der(key)).digest()[:30]).decode()
    return ":".join(b32[i:i + 4] for i in range(0, 48, 4))


def sign_rs256(key, data):
    """RSASSA-PKCS1-v1_5 / SHA-256 signature of data."""
    k = key.size
    t = _SHA256_DIGESTINFO + hashlib.sha256(data).digest()
    if k < len(t) + 11:
        raise ValueError("RSA key too short for SHA-256")
    em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    m = int.from_bytes(em, "big")
    # CRT: two half-size exponentiations instead of one full one.
    s1 = pow(m, key.dp, key.p)
    s2 = pow(m, key.dq, key.q)
    h = (key.qinv * (s1 - s2)) % key.p
    s = s2 + h * key.q
    if pow(s, key.e, key.n) != m:      # never hand out a faulty signature
        raise ValueError("RSA signature self-check failed (inconsistent key)")
    return s.to_bytes(k, "big")


def _b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def parse_scope(scope):
    """'repository:shop/web:pull,push' -> {"type","name","actions"}."""
    m = _SCOPE_RE.match(scope or "")
    if not m:
        raise ValueError("not a registry scope: %r" % (scope or "")[:200])
    return {"type": m.group(1), "name": m.group(2), "actions": m.group(3).split(",")}


def _access_list(access):
    out = []
    for a in access or []:
        if isinstance(a, str):
            out.append(parse_scope(a))
        elif isinstance(a, dict) and isinstance(a.get("type"), str) and \
                isinstance(a.get("name"), str) and isinstance(a.get("actions"), list):
            out.append({"type": a["type"], "name": a["name"],
                        "actions": [str(x) for x in a["actions"]]})
        else:
            raise ValueError("access entries are scope strings or {type, name, actions}")
    return out


def mint(key_path, cert_path, issuer, service, subject, access, ttl=3600, header="kid"):
    """An RS256 JWT that docker-registry (token auth) accepts.

    access: the token's "access" list, entries {"type","name","actions"} or
    scope strings such as "repository:shop/web:pull".  ttl: seconds of validity
    from now; negative gives a token that expired -ttl seconds ago.
    header: "kid" (libtrust key id) or "x5c" (the certificate in the header).
    """
    key = load_private_key(key_path)
    now = int(time.time())
    ttl = int(ttl)
    hdr = {"typ": "JWT", "alg": "RS256"}
    if header == "x5c":
        hdr["x5c"] = [base64.b64encode(_cert_der(cert_path)).decode("ascii")]
    elif header == "kid":
        hdr["kid"] = key_id(key)
    else:
        raise ValueError("header must be 'kid' or 'x5c'")
    # An expired token was also issued in the past, so only exp is wrong.
    iat = now if ttl > 0 else now + ttl - 3600
    claims = {
        "iss": issuer,
        "sub": subject or "",
        "aud": service,               # a plain string: distribution 2.8 rejects a list
        "exp": now + ttl,
        "nbf": iat - 10,
        "iat": iat,
        "jti": _b64url(os.urandom(16)),
        "access": _access_list(access),
    }
    signing_input = (_b64url(json.dumps(hdr, separators=(",", ":")).encode()) + "." +
                     _b64url(json.dumps(claims, separators=(",", ":")).encode()))
    sig = sign_rs256(key, signing_input.encode("ascii"))
    return signing_input + "." + _b64url(sig)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Mint a docker-registry bearer token (RS256).")
    ap.add_argument("--key", required=True, help="PEM RSA private key (PKCS#1 or PKCS#8)")
    ap.add_argument("--cert", required=True, help="the certificate of that key")
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--subject", default="acr-doctor-test")
    ap.add_argument("--scope", action="append", default=[],
                    help="repository:NAME:ACTIONS, repeatable")
    ap.add_argument("--ttl", type=int, default=3600)
    ap.add_argument("--x5c", action="store_true", help="certificate in the header, not kid")
    ap.add_argument("--print-kid", action="store_true", help="print the key id and exit")
    a = ap.parse_args(argv)
    try:
        if a.print_kid:
            print(key_id(load_private_key(a.key)))
            return 0
        print(mint(a.key, a.cert, a.issuer, a.service, a.subject, a.scope, a.ttl,
                   "x5c" if a.x5c else "kid"))
    except (OSError, ValueError) as e:
        print("acrtoken: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
