#!/bin/sh
# The depth of a diagnosis (what `diagnose --debug` reports as
# "requests=N depth=D") comes from what each request needs, not from
# timings: the same scenario gives the same N and D with no latency and
# with 50 ms on every request, N is what the server saw, and the
# concurrent checks give the same diagnosis as the simulated run.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

LIVE="$TOP/tests/live"
for s in aks-401-no-acrpull webapp-identity-no-acrpull; do
	eval "set -- $(python3 "$LIVE/scenario_args.py" "$s" "$TOP/data/scenarios")"
	prev=
	for lat in 0 50; do
		d="$TMPD/fw-$s-$lat"
		mkdir -p "$d"
		if ! "$FW" start "$s" "$d" --latency-ms "$lat" >"$TMPD/start.out" 2>&1; then
			bad "$s: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
		fi
		FW_DIRS="$FW_DIRS $d"
		(. "$d/env" && "$AD" diagnose "$@" --json --debug) >"$TMPD/live.json" 2>"$TMPD/live.err"
		is 1 "$?" "$s at $lat ms: exit status"
		cost=$(grep -E '^requests=[0-9]+ depth=[0-9]+$' "$TMPD/live.err")
		n=$(echo "$cost" | sed -n 's/^requests=\([0-9]*\) .*/\1/p')
		dep=$(echo "$cost" | sed -n 's/.* depth=\([0-9]*\)$/\1/p')
		if [ -n "$n" ] && [ "$n" -gt 3 ] && [ -n "$dep" ] && [ "$dep" -gt 2 ] &&
		   [ "$dep" -lt "$n" ]; then ok; else
			bad "$s at $lat ms: no plausible 'requests=N depth=D' line ($cost)"
			sed 's/^/  | /' "$TMPD/live.err" | tail -5
		fi
		# Every request acr-doctor counted reached the server, once.
		is "$n" "$(wc -l <"$d/requests.log" | tr -d ' ')" "$s at $lat ms: requests the fake world saw"
		if [ -n "$prev" ]; then
			is "$cost" "$prev" "$s: requests and depth at 0 ms and at 50 ms"
		fi
		prev=$cost
		"$AD" diagnose --scenario "$s" --json >"$TMPD/sim.json" 2>/dev/null
		if python3 "$LIVE/compare.py" "$TMPD/sim.json" "$TMPD/live.json" >"$TMPD/diff" 2>&1; then
			ok
		else
			bad "$s at $lat ms: live and simulated diagnoses differ"
			sed 's/^/  | /' "$TMPD/diff" | head -8
		fi
		"$FW" stop "$d" >/dev/null 2>&1
	done
done
finish
