#!/usr/bin/env python3
"""Print every secret a fake world's scenario holds, one a line: the
strings under secret-looking keys (tokens, passwords, client secrets, a
listCredentials password, a pull secret's .dockerconfigjson and the
passwords inside it once decoded).  usage: world_secrets.py DUMP.json"""
import base64
import json
import sys

KEYS = {"access_token", "refresh_token", "password", "secretText", "clientSecret",
        ".dockerconfigjson", "DOCKER_REGISTRY_SERVER_PASSWORD", "auth"}


def walk(o, in_passwords, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, str) and len(v) >= 6 and " " not in v and \
                    (k in KEYS or (in_passwords and k == "value")):
                out.add(v)
                if k == ".dockerconfigjson":
                    try:
                        walk(json.loads(base64.b64decode(v)), False, out)
                    except ValueError:
                        pass
            walk(v, in_passwords or k == "passwords", out)
    elif isinstance(o, list):
        for v in o:
            walk(v, in_passwords, out)


def main():
    out = set()
    walk(json.load(open(sys.argv[1])), False, out)
    for s in sorted(out):
        print(s)


if __name__ == "__main__":
    main()
