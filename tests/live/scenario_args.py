#!/usr/bin/env python3
"""The live command-line target of a built-in scenario, or of a scenario
file (a path ending in .json), its context following `base`: prints
shell-quoted arguments for acr-doctor diagnose.  A web app's message is
given only with --message (else acr-doctor reads its container log);
--no-message leaves any out."""
import json
import os
import shlex
import sys


def load(name, d):
    path = name if name.endswith(".json") else os.path.join(d, name + ".json")
    doc = json.load(open(path))
    if doc.get("base"):
        base = load(doc["base"], d)
        ctx = dict(base.get("context", {}))
        ctx.update(doc.get("context", {}))
        doc["context"] = ctx
    return doc


def main():
    name, d = sys.argv[1], sys.argv[2]
    c = load(name, d)["context"]
    args = []
    if c.get("target") == "webapp":
        args += ["--webapp", c["webapp"]]
    else:
        args += ["--cluster", c["cluster"]]
        if c.get("namespace"):
            args += ["--namespace", c["namespace"]]
        if c.get("pod"):
            args += ["--pod", c["pod"]]
    if c.get("image"):
        args += ["--image", c["image"]]
    # A web app's line is read from its container log, as an AKS pod's
    # from its events; --message keeps it (proved by one case).
    want = "--message" in sys.argv[3:] or c.get("target") != "webapp"
    if c.get("message") and want and "--no-message" not in sys.argv[3:]:
        args += ["--message", c["message"]]
    print(" ".join(shlex.quote(a) for a in args))


if __name__ == "__main__":
    main()
