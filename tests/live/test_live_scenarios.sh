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
# The node checks must really have differed somewhere (no probe): if they
# never do, the comparison above is not looking at them.
[ "$nodediff" -gt 0 ] && ok || bad "no scenario had a node check differ"

finish
