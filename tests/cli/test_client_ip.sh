#!/bin/sh
# The address a registry firewall refusal names ("client with IP '...' is
# not allowed access"): explain --json gives it as clientIp (null when
# none), and the firewall checks say whether it is one of the outbound
# addresses they read and whether the rules allow it, without changing
# any verdict.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# field FILE KEY: a top-level member of a JSON object, as JSON.
field() {
	python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])).get(sys.argv[2], "absent")))' "$1" "$2" 2>/dev/null
}
# finding FILE CHECK: "verdict|summary|evidence" of one check.
finding() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=next(f for f in d["findings"] if f["check"]==sys.argv[2])
print(f["verdict"]+"|"+f["summary"]+"|"+json.dumps(f["evidence"], sort_keys=True))' "$1" "$2" 2>/dev/null
}
# verdicts FILE: every check and verdict, and the cause.
verdicts() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(d["cause"], [(f["check"], f["verdict"]) for f in d["findings"]])' "$1" 2>/dev/null
}

# --- explain ---
"$AD" explain --json "403 Forbidden: denied: client with IP '20.61.14.27' is not allowed access" >"$TMPD/e.json"
is() { [ "$2" = "$3" ] && ok || bad "$1: got $3, wanted $2"; }
is "explain, quoted" '"20.61.14.27"' "$(field "$TMPD/e.json" clientIp)"
"$AD" explain --json "denied: client with IP 20.50.60.70 is not allowed access" >"$TMPD/e.json"
is "explain, unquoted" '"20.50.60.70"' "$(field "$TMPD/e.json" clientIp)"
"$AD" explain --json "403 Forbidden: denied: client with IP '20.61.14.2" >"$TMPD/e.json"
is "explain, cut inside the address" 'null' "$(field "$TMPD/e.json" clientIp)"
"$AD" explain --json "401 Unauthorized" >"$TMPD/e.json"
is "explain, no address" 'null' "$(field "$TMPD/e.json" clientIp)"
"$AD" explain "denied: client with IP '20.61.14.27' is not allowed access" >"$TMPD/e.txt"
contains "$TMPD/e.txt" "20.61.14.27" "explain text names the address"

# --- Web App: the address in the log is a current outbound IP, not allowed ---
"$AD" diagnose --json --scenario webapp-ip-denied >"$TMPD/w.json" 2>/dev/null
f=$(finding "$TMPD/w.json" webapp.ip-denied.firewall)
case "$f" in fail\|*) ok ;; *) bad "webapp: verdict changed: $f" ;; esac
case "$f" in *"the registry saw 20.105.224.16, an outbound IP of app-shop, not in its rules"*) ok ;;
	*) bad "webapp: the summary does not place the address: $f" ;; esac
case "$f" in *'"registrySaw": "20.105.224.16"'*'"registrySawAllowed": false'*'"registrySawOutbound": true'*) ok ;;
	*) bad "webapp: the evidence: $f" ;; esac

# --- AKS: a message naming the cluster's outbound IP, and one naming another ---
for ip in 20.61.14.27 198.18.0.9 203.0.113.9; do
	cat >"$TMPD/s.json" <<EOF
{"format": "acr-doctor-scenario/1", "name": "fw-$(echo $ip | tr . -)", "base": "aks-403-firewall",
 "summary": "the firewall refusal names $ip",
 "context": {"message": "Failed to pull image \"acrshop.azurecr.io/shop/web:1.4.2\": failed to authorize: failed to fetch anonymous token: unexpected status: 403 Forbidden: denied: client with IP '$ip' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."}}
EOF
	"$AD" diagnose --json --scenario "$TMPD/s.json" >"$TMPD/a.json" 2>"$TMPD/err"
	f=$(finding "$TMPD/a.json" aks.403.firewall)
	case "$f" in fail\|*) ok ;; *) bad "aks $ip: verdict changed: $f"; head -3 "$TMPD/err" ;; esac
	case "$ip" in
	20.61.14.27) want="the registry saw 20.61.14.27, an outbound IP of aks-shop, not in its rules"
		wev='"registrySawOutbound": true' ;;
	198.18.0.9) want="the registry saw 198.18.0.9, which is not an outbound IP of aks-shop nor in its rules"
		wev='"registrySawAllowed": false, "registrySawOutbound": false' ;;
	*) want="the registry saw 203.0.113.9, which is not an outbound IP of aks-shop but which its rules allow"
		wev='"registrySawAllowed": true, "registrySawOutbound": false' ;;
	esac
	case "$f" in *"$want"*) ok ;; *) bad "aks $ip: the summary: $f" ;; esac
	case "$f" in *"$wev"*) ok ;; *) bad "aks $ip: the evidence: $f" ;; esac
done
# --- AKS, nothing pasted: the pod's newest failure event that names an
# address gives it (an older one naming another address does not) ---
python3 - "$TOP/data/scenarios/aks-403-firewall.json" >"$TMPD/ev.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
ev = next(e for e in d["http"] if e["url"].endswith("/events"))
items = ev["body"]["items"]
fail = next(i for i in items if "rpc error" in i["message"])
old = json.loads(json.dumps(fail))
tail = ": 403 Forbidden: denied: client with IP '%s' is not allowed access. Refer https://aka.ms/acr/firewall to grant access."
fail["message"] = fail["message"].split(": 403 Forbidden")[0] + tail % "198.18.0.9"
old["message"] = old["message"].split(": 403 Forbidden")[0] + tail % "20.61.14.27"
old["lastTimestamp"] = old["firstTimestamp"] = "2025-01-20T15:11:00Z"
old["metadata"]["name"] += "x"
items.insert(0, old)
print(json.dumps({"format": "acr-doctor-scenario/1", "name": "fw-event-ip",
                  "base": "aks-403-firewall", "summary": "the refusal is in the pod's events only",
                  "context": {"message": ""},
                  "http": [{"method": "GET", "url": ev["url"], "body": ev["body"]}]}))
EOF2
"$AD" diagnose --json --scenario "$TMPD/ev.json" >"$TMPD/ev.out" 2>"$TMPD/err"
f=$(finding "$TMPD/ev.out" aks.403.firewall)
case "$f" in fail\|*) ok ;; *) bad "aks, from events: verdict changed: $f"; head -3 "$TMPD/err" ;; esac
case "$f" in *"the registry saw 198.18.0.9, which is not an outbound IP of aks-shop nor in its rules"*) ok ;;
	*) bad "aks, from events: the summary: $f" ;; esac
case "$f" in *'"registrySaw": "198.18.0.9"'*) ok ;; *) bad "aks, from events: the newest event's address: $f" ;; esac
case "$f" in *'"registrySawIn": "pod event"'*) ok ;; *) bad "aks, from events: where the address came from: $f" ;; esac
# the built-in scenario's events name no address: nothing is said
"$AD" diagnose --json --scenario aks-403-firewall >"$TMPD/b.json" 2>/dev/null
f=$(finding "$TMPD/b.json" aks.403.firewall)
case "$f" in *registrySaw*) bad "aks, no address anywhere: $f" ;; fail\|*) ok ;; *) bad "aks, no address: $f" ;; esac

# the verdicts of the scenario are those of the built-in one
"$AD" diagnose --json --scenario aks-403-firewall >"$TMPD/b.json" 2>/dev/null
is "aks: the same verdicts with the message" "$(verdicts "$TMPD/b.json")" "$(verdicts "$TMPD/a.json")"
[ -n "$(verdicts "$TMPD/b.json")" ] && ok || bad "aks: no findings"

finish
