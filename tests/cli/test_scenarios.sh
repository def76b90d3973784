#!/bin/sh
# Every built-in scenario through `diagnose --json` gives the diagnosis the
# scenario expects (cause, the exact set of failing checks, the fix), and
# the exit code matches (0 healthy, 1 problem found).
. "$(dirname "$0")/lib.sh"

"$AD" scenarios >"$TMPD/list" || { bad "scenarios"; finish; exit 1; }
# The list is every data/scenarios/*.json, and not empty: a loop over
# nothing would pass.
awk '{print $1}' "$TMPD/list" | sort >"$TMPD/names"
(cd "$TOP/data/scenarios" && ls -- *.json) | sed 's/\.json$//' | sort >"$TMPD/files"
if [ -s "$TMPD/files" ] && cmp -s "$TMPD/names" "$TMPD/files"; then ok; else
	bad "'scenarios' does not list every data/scenarios/*.json"
	diff "$TMPD/files" "$TMPD/names" | head -10
fi
count=$(wc -l <"$TMPD/names")
[ "$count" -ge 20 ] && ok || bad "only $count built-in scenarios"
for name in $(cat "$TMPD/names"); do
	"$AD" diagnose --json --scenario "$name" >"$TMPD/$name.json" 2>"$TMPD/err"
	code=$?
	if python3 - "$TOP/data/scenarios" "$name" "$TMPD/$name.json" "$code" <<'PY'
import json, os, sys
sdir, name, out, code = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def expect_of(n):
    d = json.load(open(os.path.join(sdir, n + ".json")))
    if "expect" in d:
        return d["expect"]
    return expect_of(d["base"])
e = expect_of(name)
try:
    got = json.load(open(out))
except Exception as ex:
    print(f"{name}: output is not JSON ({ex})"); sys.exit(1)
errs = []
if got.get("cause") != e.get("cause"):
    errs.append(f"cause {got.get('cause')!r}, expected {e.get('cause')!r}")
failing = sorted(f["check"] for f in got["findings"] if f["verdict"] == "fail")
if failing != sorted(e.get("failing", [])):
    errs.append(f"failing {failing}, expected {sorted(e.get('failing', []))}")
fixes = [f["fix"] for f in got["findings"] if f["verdict"] == "fail"]
if e.get("fix") and e["fix"] not in fixes:
    errs.append(f"fix {e['fix']} not offered (offered {fixes})")
for f in got["findings"]:
    if f["verdict"] not in ("pass", "fail", "unknown", "not-applicable"):
        errs.append(f"bad verdict {f['verdict']}")
    if f["verdict"] == "unknown" and not (e.get("unknown") and f["check"] in e["unknown"]):
        errs.append(f"{f['check']} unknown: {f.get('summary')}")
want_code = 1 if e.get("failing") else 0
if code != want_code:
    errs.append(f"exit {code}, expected {want_code}")
if got.get("target") not in ("aks", "webapp"):
    errs.append("target missing")
for x in errs:
    print(f"{name}: {x}")
sys.exit(1 if errs else 0)
PY
	then ok; else bad "$name"; fi
done

# The language changes words, never a verdict: every scenario in every
# language names the same cause and the same verdict for every check as
# in English (a check that read a translated message to decide would
# not).
for name in $(awk '{print $1}' "$TMPD/list"); do
	for lang in sv ru ja zh_CN; do
		"$AD" --lang "$lang" diagnose --json --scenario "$name" >"$TMPD/l.json" 2>/dev/null
		if python3 - "$TMPD/$name.json" "$TMPD/l.json" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
va = [(f["check"], f["verdict"]) for f in a["findings"]]
vb = [(f["check"], f["verdict"]) for f in b["findings"]]
sys.exit(0 if a["cause"] == b["cause"] and va == vb and va else 1)
PY
		then ok; else bad "$name in $lang: another verdict than in English"; fi
	done
done

# A scenario given as a file runs the same as the built-in one.
"$AD" diagnose --json --scenario "$TOP/data/scenarios/aks-healthy.json" >"$TMPD/file.json"
"$AD" diagnose --json --scenario aks-healthy >"$TMPD/builtin.json"
if cmp -s "$TMPD/file.json" "$TMPD/builtin.json"; then ok; else bad "file and built-in differ"; fi

finish
