#!/bin/sh
# The fake world answers like acr-doctor's simulated world: for every
# built-in scenario, the same requests (every entry, HEAD, missing URLs,
# writes to new and existing resources, the scenario's own writes and
# reactions) sent to both give the same statuses, bodies, headers and, at
# the end, the same world.
. "$(dirname "$0")/../cli/lib.sh"
. "$(dirname "$0")/lib.sh"

SIMREPLAY=${SIMREPLAY:-./fake/simreplay}
[ -x "$SIMREPLAY" ] || { echo "FAIL: $SIMREPLAY not built"; exit 1; }
REPLAY="python3 $TOP/tests/fake/replay.py"

n=0
for f in "$TOP"/data/scenarios/*.json; do
	sc=$(basename "$f" .json)
	n=$((n + 1))
	$REPLAY gen "$sc" >"$TMPD/$sc.req" || { bad "$sc: gen"; continue; }
	[ -s "$TMPD/$sc.req" ] && ok || bad "$sc: no requests"
	"$SIMREPLAY" "$sc" "$TMPD/$sc.req" >"$TMPD/$sc.sim" 2>"$TMPD/err" && ok ||
		{ bad "$sc: simreplay"; sed 's/^/  | /' "$TMPD/err" | head -5; }
	D=$TMPD/w-$sc
	fw_start "$D" "$sc"
	$REPLAY send "$D" "$TMPD/$sc.req" >"$TMPD/$sc.fake" 2>"$TMPD/err" && ok ||
		{ bad "$sc: send"; sed 's/^/  | /' "$TMPD/err" | tail -5; }
	"$FW" stop "$D"
	if $REPLAY compare "$TMPD/$sc.sim" "$TMPD/$sc.fake" "$TMPD/$sc.req" >"$TMPD/cmp" 2>&1; then
		ok
	else
		bad "$sc: the fake world answers differently"; sed 's/^/  | /' "$TMPD/cmp" | head -20
	fi
done
[ "$n" -ge 20 ] && ok || bad "only $n scenarios"
finish
