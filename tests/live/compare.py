#!/usr/bin/env python3
"""Compare a live diagnosis with the simulated one of the same scenario.

usage: compare.py SIM.json LIVE.json

Every check must have the same verdict, except the checks that read the
node over SSH where the simulated node decided (no node probe in these
runs: those must then say unknown live); the cause must be the same unless
the simulated cause rests on such a check.  Prints one line per
difference and exits 1; prints "node-checks-differ ..." when only node
checks differ (the exit status may then differ too)."""
import json
import sys

NODE_CHECKS = {"aks.reach", "aks.403.dns-link", "aks.timeout.firewall",
               "aks.timeout.peering"}


def main():
    sim = json.load(open(sys.argv[1]))
    live = json.load(open(sys.argv[2]))
    if isinstance(live, list):
        print("live answered %d diagnoses, wanted one" % len(live))
        return 1
    bad = []
    sv = {f["check"]: f for f in sim["findings"]}
    lv = {f["check"]: f for f in live["findings"]}
    if not sv:
        bad.append("the simulated diagnosis has no findings")
    if set(sv) != set(lv):
        bad.append("checks differ: sim only %s, live only %s"
                   % (sorted(set(sv) - set(lv)), sorted(set(lv) - set(sv))))
    node_decides = False
    node_differs = []
    for cid in sorted(set(sv) & set(lv)):
        a, b = sv[cid]["verdict"], lv[cid]["verdict"]
        if cid in NODE_CHECKS and a != b:
            # Without a node probe a check that needs one says unknown,
            # never pass or fail on its own.
            if b != "unknown":
                bad.append("%s: sim %s, live %s without a node probe"
                           % (cid, a, b))
            node_differs.append(cid)
            if a == "fail":
                node_decides = True
            continue
        if a != b:
            bad.append("%s: sim %s, live %s (live says: %s)"
                       % (cid, a, b, lv[cid].get("summary", "")[:300]))
    if not node_decides and sim.get("cause") != live.get("cause"):
        bad.append("cause: sim %s, live %s" % (sim.get("cause"), live.get("cause")))
    for line in bad:
        print(line)
    if not bad and node_differs:
        print("node-checks-differ " + " ".join(node_differs))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
