#!/bin/sh
# `diagnose --json` is valid UTF-8 without control characters whatever the
# servers answer: every built-in world again with its messages, error
# codes, scale set names and activity-log answers grown long and made of
# 2-, 3- and 4-byte characters, so that any cut made by bytes would land
# inside a character.  No field may hold U+FFFD (a repaired cut) either.
. "$(dirname "$0")/lib.sh"

python3 - "$TOP/data/scenarios" "$TMPD" <<'PY' || { bad "cannot write the worlds"; finish; exit 1; }
import json, os, sys
src, out = sys.argv[1], sys.argv[2]
FILL = "\u00e9\u65e5\u672c\U0001F600"          # 2 + 3 + 3 + 4 bytes
def grow(s, n):
    # the original first (classification still sees it), then the filler
    # starting at each possible byte offset
    return s + " " + "".join(FILL[i % 4:] + FILL for i in range(n))
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str) and k in ("message", "code", "reason",
                                            "error_description"):
                v[k] = grow(x, 40)
            else:
                walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
names = sorted(f[:-5] for f in os.listdir(src) if f.endswith(".json"))
assert names, "no built-in scenario"
for name in names:
    d = json.load(open(os.path.join(src, name + ".json")))
    d["name"] = "u8-" + name
    for e in d.get("http", []):
        for part in ("body", "merge"):
            walk(e.get(part))
        url = e.get("url", "")
        if url.endswith("/virtualMachineScaleSets") and isinstance(e.get("body"), dict):
            for it in e["body"].get("value", []):
                if isinstance(it, dict) and isinstance(it.get("name"), str):
                    it["name"] = grow(it["name"], 10)
        if "/eventtypes/management/values" in url:
            e["status"] = 403
            e["body"] = {"error": {"code": grow("AuthorizationFailed", 10),
                                   "message": grow("no access", 30)}}
    if isinstance(d.get("context"), dict) and "message" in d["context"]:
        d["context"]["message"] = grow(d["context"]["message"], 30)[:1500]
    json.dump(d, open(os.path.join(out, "u8-" + name + ".json"), "w"))
print(len(names))
PY

n=0
for world in "$TMPD"/u8-*.json; do
	n=$((n + 1))
	"$AD" diagnose --json --scenario "$world" >"$TMPD/out.json" 2>"$TMPD/err"
	code=$?
	if [ $code -ne 0 ] && [ $code -ne 1 ] && [ $code -ne 3 ]; then
		bad "$(basename "$world"): exit $code: $(head -c 300 "$TMPD/err")"
		continue
	fi
	if python3 - "$TMPD/out.json" "$world" >>"$TMPD/seen" <<'PY'
import json, sys, unicodedata
raw = open(sys.argv[1], "rb").read()
try:
    text = raw.decode("utf-8")
except UnicodeDecodeError as e:
    print("invalid UTF-8 at byte %d: %r" % (e.start, raw[max(0, e.start - 40):e.start + 10]), file=sys.stderr)
    sys.exit(1)
bad = []
def walk(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(x, path + "." + k)
    elif isinstance(v, list):
        for i, x in enumerate(v):
            walk(x, "%s[%d]" % (path, i))
    elif isinstance(v, str):
        for c in v:
            o = ord(c)
            if o < 0x20 or 0x7f <= o <= 0x9f or c == "\ufffd" or 0xd800 <= o <= 0xdfff:
                bad.append("%s holds U+%04X: %r" % (path, o, v[:80]))
                break
walk(json.loads(text), "")
for b in bad[:5]:
    print(b, file=sys.stderr)
# which fields carried the filler, for the coverage check below
if "\u65e5\u672c" in text:
    print(sys.argv[2])
sys.exit(1 if bad else 0)
PY
	then ok; else bad "$(basename "$world"): diagnose --json output"; fi
done
[ "$n" -gt 20 ] && ok || bad "only $n worlds"
# The long texts reached the output (else the test proves nothing).
seen=$(wc -l <"$TMPD/seen")
[ "$seen" -gt 10 ] && ok || bad "the filler reached the output of only $seen worlds"
finish
