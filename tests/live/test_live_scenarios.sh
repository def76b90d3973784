#!/bin/sh
# Every built-in scenario, live: acr-doctor diagnose against the fake
# world (HTTPS, Entra ID, ARM, Graph, the registry and the Kubernetes API
# over the wire) names the same cause and the same verdict for every check
# as diagnose --scenario.  The subscription and the resource groups are
# not given: acr-doctor finds them.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

LIVE="$TOP/tests/live"
n=0
nodediff=0
webn=0
for f in "$TOP"/data/scenarios/*.json; do
	s=$(basename "$f" .json)
	n=$((n + 1))
	d="$TMPD/fw-$s"
	mkdir -p "$d"
	if ! "$FW" start "$s" "$d" >"$TMPD/start.out" 2>&1; then
		bad "$s: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
	fi
	FW_DIRS="$FW_DIRS $d"
	"$AD" diagnose --scenario "$s" --json >"$TMPD/sim.json" 2>"$TMPD/sim.err"
	sim_rc=$?
	eval "set -- $(python3 "$LIVE/scenario_args.py" "$s" "$TOP/data/scenarios")"
	(. "$d/env" && "$AD" diagnose "$@" --json) >"$TMPD/live.json" 2>"$TMPD/live.err"
	live_rc=$?
	if python3 "$LIVE/compare.py" "$TMPD/sim.json" "$TMPD/live.json" >"$TMPD/diff" 2>&1; then
		ok
	else
		bad "$s: live and simulated diagnoses differ"
		sed 's/^/  | /' "$TMPD/diff" "$TMPD/live.err" | head -12
	fi
	# A web app's line came from its container log, not from --message.
	case $s in webapp-*)
		src=$(json "$TMPD/live.json" '[f["evidence"].get("source") for f in d["findings"] if f["check"]=="webapp.log"]')
		is "['container log']" "$src" "$s: where webapp.log's line came from"
		webn=$((webn + 1)) ;;
	esac
	# The firewall's rules, its policy's parent and the IP group read
	# over the wire as from the file.
	case $s in aks-timeout-firewall)
		fq='[f["evidence"].get(k) for f in d["findings"] if f["check"]=="aks.timeout.firewall" for k in ("firewallPolicies", "firewallRules")]'
		is "['fwpol-corp > fwpol-hub', 'no rule']" "$(json "$TMPD/live.json" "$fq")" "$s: the firewall's policies and rules, live"
		is "$(json "$TMPD/sim.json" "$fq")" "$(json "$TMPD/live.json" "$fq")" "$s: the firewall's rules, live and simulated" ;;
	esac
	# Same exit status, unless a node check differs (no probe live).
	grep -q '^node-checks-differ' "$TMPD/diff" ||
		is "$sim_rc" "$live_rc" "$s: exit status"
	grep -q '^node-checks-differ' "$TMPD/diff" && nodediff=$((nodediff + 1))
	# No secret of the fake's credentials appears in any output.
	sec=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$d/secrets.json" 2>/dev/null)
	if [ -n "$sec" ] && grep -qF -- "$sec" "$TMPD/live.json" "$TMPD/live.err"; then
		bad "$s: the client secret appears in the output"
	else ok; fi
	"$FW" stop "$d" >/dev/null 2>&1
done
[ "$n" -gt 20 ] && ok || bad "only $n scenarios found"
[ "$webn" -ge 7 ] && ok || bad "only $webn web app scenarios read their container log"

# --message still wins over the container log.
d="$TMPD/fw-given"
mkdir -p "$d"
if "$FW" start webapp-ip-denied "$d" >"$TMPD/start.out" 2>&1; then
	FW_DIRS="$FW_DIRS $d"
	eval "set -- $(python3 "$LIVE/scenario_args.py" webapp-ip-denied "$TOP/data/scenarios" --message)"
	case " $* " in *" --message "*) ok ;; *) bad "scenario_args.py --message gave no --message: $*" ;; esac
	(. "$d/env" && "$AD" diagnose "$@" --json) >"$TMPD/live.json" 2>"$TMPD/live.err"
	"$AD" diagnose --scenario webapp-ip-denied --json >"$TMPD/sim.json" 2>&1
	python3 "$LIVE/compare.py" "$TMPD/sim.json" "$TMPD/live.json" >"$TMPD/diff" 2>&1 && ok ||
		{ bad "webapp-ip-denied with --message differs"; sed 's/^/  | /' "$TMPD/diff"; }
	is "['given']" "$(json "$TMPD/live.json" '[f["evidence"].get("source") for f in d["findings"] if f["check"]=="webapp.log"]')" \
		"webapp-ip-denied --message: where the line came from"
	"$FW" stop "$d" >/dev/null 2>&1
else
	bad "webapp-ip-denied: fake-world did not start"
fi

# Not allowed to read the log: unknown, naming the permission, never pass.
d="$TMPD/fw-denied"
mkdir -p "$d"
if "$FW" start webapp-ip-denied "$d" --fault 'do=deny,url=*/containerlogs*' >"$TMPD/start.out" 2>&1; then
	FW_DIRS="$FW_DIRS $d"
	(. "$d/env" && "$AD" diagnose --webapp app-shop --json) >"$TMPD/live.json" 2>"$TMPD/live.err"
	is unknown "$(json "$TMPD/live.json" '[f["verdict"] for f in d["findings"] if f["check"]=="webapp.log"][0]')" \
		"log read refused: webapp.log"
	json "$TMPD/live.json" '[f["summary"] for f in d["findings"] if f["check"]=="webapp.log"][0]' >"$TMPD/sum"
	contains "$TMPD/sum" "Microsoft.Web/sites/containerlogs/action" "log read refused: the summary"
	"$FW" stop "$d" >/dev/null 2>&1
else
	bad "webapp-ip-denied with a refused log: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"
fi
# The node checks must really have differed somewhere (no probe): if they
# never do, the comparison above is not looking at them.
[ "$nodediff" -gt 0 ] && ok || bad "no scenario had a node check differ"

finish
