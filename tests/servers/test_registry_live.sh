#!/bin/sh
# Live diagnose with the real registry: for the scenarios whose checks read
# the registry's data plane, acr-doctor diagnose runs live against the fake
# world with --registry, so /v2/ (challenge, manifests, indexes, config
# blobs, tag lists) comes from docker-registry with the images push.py
# pushed, and the token dance mints real RS256 tokens.  Every check's verdict
# and the cause must equal diagnose --scenario's.
. "$(dirname "$0")/../cli/lib.sh"
. "$TOP/tests/fake/lib.sh"

REGS=$TOP/tests/servers/registry
LIVE=$TOP/tests/live
R=$TMPD/reg
trap 'for d in $FW_DIRS; do "$FW" stop "$d" >/dev/null 2>&1; done
      "$REGS/stop.sh" "$R" >/dev/null 2>&1; rm -rf "$TMPD"' EXIT

if ! command -v docker-registry >/dev/null 2>&1; then
	echo "SKIP: docker-registry is not installed (scripts/deps.sh installs it)"
	exit 77
fi
if [ ! -f "$LIVE/compare.py" ] || [ ! -f "$LIVE/scenario_args.py" ]; then
	echo "SKIP: this tree has no live diagnose tests (tests/live)"
	exit 77
fi

if ! "$REGS/start.sh" "$R" >"$TMPD/reg.out" 2>&1; then
	bad "registry did not start"; sed 's/^/  | /' "$TMPD/reg.out"; finish; exit 1
fi
ok
world=healthy
n=0
for s in aks-healthy aks-401-arch aks-platform-windows aks-notfound-tag aks-notfound-typo \
	aks-qps webapp-healthy webapp-manifest-unknown; do
	[ -f "$TOP/data/scenarios/$s.json" ] || { bad "$s: no such built-in scenario"; continue; }
	n=$((n + 1))
	# The registry holds the scenario's images (aks-401-arch: 1.4.2 arm64 only).
	w=$(cd "$REGS" && python3 -B -c 'import push, sys; print(push.world_for(sys.argv[1]))' "$s")
	if [ "$w" != "$world" ]; then
		python3 "$REGS/push.py" --env "$R/registry.env" --world "$w" >"$TMPD/push.out" 2>&1 ||
			{ bad "$s: push.py --world $w"; sed 's/^/  | /' "$TMPD/push.out"; continue; }
		world=$w
	fi
	d=$TMPD/fw-$s
	if ! "$FW" start "$s" "$d" --registry "$R" >"$TMPD/start.out" 2>&1; then
		bad "$s: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
	fi
	FW_DIRS="$FW_DIRS $d"
	"$AD" diagnose --scenario "$s" --json >"$TMPD/sim.json" 2>"$TMPD/sim.err"
	eval "set -- $(python3 "$LIVE/scenario_args.py" "$s" "$TOP/data/scenarios")"
	(. "$d/env" && "$AD" diagnose "$@" --json) >"$TMPD/live.json" 2>"$TMPD/live.err"
	if python3 "$LIVE/compare.py" "$TMPD/sim.json" "$TMPD/live.json" >"$TMPD/diff" 2>&1; then
		ok
	else
		bad "$s: live (real registry) and simulated diagnoses differ"
		sed 's/^/  | /' "$TMPD/diff" "$TMPD/live.err" | head -12
	fi
	# The registry answered, not the scenario's recorded exchanges.
	case $s in
	aks-notfound-typo) ;;  # the image names a host that does not exist
	*)
		grep -q "manifests/.* registry=forwarded" "$d/requests.log" && ok ||
			bad "$s: no manifest request reached the registry"
		;;
	esac
	# No token of the dance (a JWT) in the output.
	if grep -qE 'eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}' "$TMPD/live.json" "$TMPD/live.err"; then
		bad "$s: a token in the output"
	else ok; fi
	if [ "$s" = aks-401-arch ]; then
		# The fix can only be shown (push an image for the nodes' platform) ...
		(. "$d/env" && "$AD" fix push-platform "$@" --yes) >"$TMPD/fix.out" 2>&1
		is 5 $? "$s: fix push-platform is guidance only"
		# ... and once a multi-arch 1.4.2 is pushed, the same check passes live.
		python3 "$REGS/push.py" --env "$R/registry.env" --world healthy >"$TMPD/push.out" 2>&1
		is 0 $? "$s: push the multi-arch image"
		world=healthy
		(. "$d/env" && "$AD" diagnose "$@" --json) >"$TMPD/live2.json" 2>"$TMPD/live2.err"
		is pass "$(json "$TMPD/live2.json" '[f["verdict"] for f in d["findings"] if f["check"] == "aks.401-arch"][0]')" \
			"$s: aks.401-arch after the push"
	fi
	"$FW" stop "$d" >/dev/null 2>&1
done
is 8 "$n" "scenarios run"
# The registry served manifests to acr-doctor (its user agent in the log).
grep -q 'uri=/v2/shop/web/manifests/1.4.2' "$R/registry.log" && ok ||
	bad "registry.log shows no request for shop/web:1.4.2"
grep -q 'uri=/v2/shop/web/manifests/1.4.3' "$R/registry.log" && ok ||
	bad "registry.log shows no request for the missing tag 1.4.3"

"$REGS/stop.sh" "$R"
is 0 $? "registry stop"
finish
