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

# Finding the context costs the chain of its reads, not their number.
# Asked without the subscription and resource group (with the fake's
# kubeconfig, and for AKS without the pod and image: the cluster names
# them), a diagnosis is at most one round deeper than with them given:
# the listing of the subscriptions, after which the cluster's or web
# app's lookup and the registries of the subscription go out together.
# And the failing pods are read while the subscriptions are listed: not
# naming the pod and image costs no round.  Sent one after another they
# cost three more rounds for AKS than with the group given (one more
# than with the pod named), two more for the web app.
depth_of() { sed -n 's/^requests=[0-9]* depth=\([0-9]*\)$/\1/p' "$1"; }
for case in "aks-401-no-acrpull|--cluster aks-shop|rg-shop|--namespace default --pod web-7d4b9c-x2x4q --image acrshop.azurecr.io/shop/web:1.4.2" \
	    "webapp-identity-no-acrpull|--webapp app-shop --image acrshop.azurecr.io/shop/web:1.4.2|rg-web|"; do
	s=${case%%|*}; rest=${case#*|}; args=${rest%%|*}; rest=${rest#*|}
	rg=${rest%%|*}; named=${rest#*|}
	d="$TMPD/fw-bound-$s"
	mkdir -p "$d"
	if ! "$FW" start "$s" "$d" >"$TMPD/start.out" 2>&1; then
		bad "$s: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
	fi
	FW_DIRS="$FW_DIRS $d"
	# shellcheck disable=SC2086
	(. "$d/env" && unset AZURE_SUBSCRIPTION_ID &&
	 "$AD" diagnose $args --json --debug) >"$TMPD/find.json" 2>"$TMPD/find.err"
	is 1 "$?" "$s, finding the group: exit status"
	# shellcheck disable=SC2086
	(. "$d/env" && "$AD" diagnose $args --subscription "$SUB" \
	 --resource-group "$rg" --json --debug) >"$TMPD/ref.json" 2>"$TMPD/ref.err"
	is 1 "$?" "$s, group given: exit status"
	df=$(depth_of "$TMPD/find.err")
	dr=$(depth_of "$TMPD/ref.err")
	if [ -n "$df" ] && [ -n "$dr" ] && [ "$dr" -gt 2 ] &&
	   [ "$df" -le $((dr + 1)) ]; then ok; else
		bad "$s: depth $df finding the subscription and group, $dr given them: more than one round apart"
		grep '^http:' "$TMPD/find.err" | sed 's/?.*//; s/^/  | /'
	fi
	is "$(json "$TMPD/ref.json" 'd["cause"]')" "$(json "$TMPD/find.json" 'd["cause"]')" \
		"$s: the same cause found either way"
	if [ -n "$named" ]; then
		# shellcheck disable=SC2086
		(. "$d/env" && unset AZURE_SUBSCRIPTION_ID &&
		 "$AD" diagnose $args $named --json --debug) >"$TMPD/named.json" 2>"$TMPD/named.err"
		is 1 "$?" "$s, pod named: exit status"
		dn=$(depth_of "$TMPD/named.err")
		if [ -n "$df" ] && [ -n "$dn" ] && [ "$dn" -gt 2 ] &&
		   [ "$df" -le "$dn" ]; then ok; else
			bad "$s: depth $df finding the pod, $dn with the pod named: the pods were not read with the subscriptions"
			grep '^http:' "$TMPD/find.err" | sed 's/?.*//; s/^/  | /'
		fi
		is "$(json "$TMPD/named.json" 'd["cause"]')" "$(json "$TMPD/find.json" 'd["cause"]')" \
			"$s: the same cause with the pod named"
	fi
	"$FW" stop "$d" >/dev/null 2>&1
done

# Every subscription is asked at once.  A world with two more
# subscriptions, listed first, one holding another cluster named aks-shop
# (in rg-other), the other a cluster aks-else: with the kubeconfig's
# group the cluster is read in the three subscriptions in the same round,
# so the diagnosis is at most one round deeper than in the world of one
# subscription (the registries now wait for the cluster's subscription);
# asked in turn it would be two.  And without a group both clusters
# match: "more than one", the groups in the listing's order.
python3 - "$TOP" "$TMPD/three-subs.json" <<'PY'
import json, sys
top, out = sys.argv[1:3]
sys.path.insert(0, top + "/tests/fake")
import world
doc = world.load("aks-401-no-acrpull", top + "/data/scenarios")
doc["name"] = "three-subscriptions"
for sub, rg, name in (("0d7e4c2b-6a1f-4b3e-9c8d-5e2f1a7b3c94", "rg-other", "aks-shop"),
                      ("7a3f9e1d-2c4b-4d8e-b5a6-1f0e9d8c7b6a", "rg-else", "aks-else")):
    cid = ("/subscriptions/%s/resourceGroups/%s/providers/"
           "Microsoft.ContainerService/managedClusters/%s" % (sub, rg, name))
    doc["http"].insert(0, {"method": "GET", "url": "https://management.azure.com" + cid,
                           "body": {"name": name, "id": cid, "location": "westeurope",
                                    "type": "Microsoft.ContainerService/managedClusters"}})
json.dump(doc, open(out, "w"), indent=1)
PY
eval "set -- $(python3 "$LIVE/scenario_args.py" aks-401-no-acrpull "$TOP/data/scenarios")"
dd=
for w in aks-401-no-acrpull "$TMPD/three-subs.json"; do
	d="$TMPD/fw-subs-$(basename "$w" .json)"
	mkdir -p "$d"
	if ! "$FW" start "$w" "$d" >"$TMPD/start.out" 2>&1; then
		bad "$w: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"; continue
	fi
	FW_DIRS="$FW_DIRS $d"
	(. "$d/env" && unset AZURE_SUBSCRIPTION_ID &&
	 "$AD" diagnose "$@" --json --debug) >"$TMPD/subs.json" 2>"$TMPD/subs.err"
	is 1 "$?" "$w: exit status"
	is aks.401 "$(json "$TMPD/subs.json" 'd["cause"]')" "$w: cause"
	dd="$dd $(depth_of "$TMPD/subs.err")"
	if [ "$w" != aks-401-no-acrpull ]; then
		n=$(grep -c "^http: GET https://management.azure.com/subscriptions/[^/]*/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop?" "$TMPD/subs.err")
		is 3 "$n" "three subscriptions: the cluster read in each"
		(. "$d/env" && unset AZURE_SUBSCRIPTION_ID && export KUBECONFIG="$TMPD/none" &&
		 "$AD" diagnose --cluster aks-shop --json) >/dev/null 2>"$TMPD/amb.err"
		is 2 "$?" "two clusters named aks-shop: exit status"
		if grep -q "more than one Microsoft.ContainerService/managedClusters is named aks-shop (in rg-other and rg-shop)" "$TMPD/amb.err"; then
			ok
		else
			bad "two clusters named aks-shop: not the error naming both groups in order"
			sed 's/^/  | /' "$TMPD/amb.err"
		fi
	fi
	"$FW" stop "$d" >/dev/null 2>&1
done
set -- $dd
if [ $# -eq 2 ] && [ "$1" -gt 2 ] && [ "$2" -le $(($1 + 1)) ]; then ok; else
	bad "depth with one subscription and with three: $dd, more than one round apart"
fi
finish
