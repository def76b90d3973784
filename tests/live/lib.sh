# Helpers for the live tests with faults (sourced after cli/lib.sh and
# fake/lib.sh).  Every run goes with --debug, and its stdout and stderr
# are kept, so lv_secrets_never_shown can look for every secret of every
# fake world in everything the user could have seen.
LIVE="$TOP/tests/live"
export XDG_STATE_HOME="$TMPD/state"
lv_n=0
: >"$TMPD/secrets"
: >"$TMPD/seen"

# lv_start SCENARIO [fake-world options]: a fresh fake world in $D.
lv_start() {
	_s=$1; shift
	lv_n=$((lv_n + 1))
	D="$TMPD/fw$lv_n"
	mkdir -p "$D"
	if ! "$FW" start "$_s" "$D" "$@" >"$TMPD/start.out" 2>&1; then
		bad "$_s $*: fake-world did not start"; sed 's/^/  | /' "$TMPD/start.out"
		finish; exit 1
	fi
	FW_DIRS="$FW_DIRS $D"
}

# lv_run ARGS...: acr-doctor with the world's env; rc, $TMPD/out, $TMPD/err.
lv_run() {
	(. "$D/env" && exec "$AD" "$@" --debug) </dev/null >"$TMPD/out" 2>"$TMPD/err"
	rc=$?
	cat "$TMPD/out" "$TMPD/err" >>"$TMPD/seen"
	[ "$rc" -lt 128 ] && ok || { bad "acr-doctor $1 died (exit $rc)"; sed 's/^/  | /' "$TMPD/err" | tail -5; }
}

# lv_diag SCENARIO [more options]: live diagnose of the scenario's target.
lv_diag() {
	_s=$1; shift
	eval "set -- \"\$@\" $(python3 "$LIVE/scenario_args.py" "$_s" "$TOP/data/scenarios")"
	lv_run diagnose "$@"
}

# lv_same WHAT: the live JSON diagnosis equals the simulated one ($TMPD/sim.json).
lv_same() {
	if python3 "$LIVE/compare.py" "$TMPD/sim.json" "$TMPD/out" >"$TMPD/diff" 2>&1; then ok
	else bad "$1: live and simulated differ"; sed 's/^/  | /' "$TMPD/diff" | head -8
		grep -v '^http:' "$TMPD/err" | sed 's/^/  ! /' | head -5
	fi
}

# lv_verdict CHECK VERDICT WHAT
lv_verdict() {
	_v=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print(next((f["verdict"] for f in d["findings"] if f["check"]==sys.argv[2]), "absent"))' \
		"$TMPD/out" "$1" 2>/dev/null)
	is "$2" "${_v:-no JSON}" "$3: $1"
}

# lv_evidence CHECK TEXT WHAT: the check's summary or evidence says TEXT.
lv_evidence() {
	if python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
f=next(f for f in d["findings"] if f["check"]==sys.argv[2])
sys.exit(0 if sys.argv[3] in json.dumps(f, ensure_ascii=False) else 1)' \
		"$TMPD/out" "$1" "$2" 2>/dev/null; then ok
	else bad "$3: $1 does not say '$2'"
		python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
print([f for f in d["findings"] if f["check"]==sys.argv[2]])' "$TMPD/out" "$1" 2>&1 | cut -c1-400 | sed 's/^/  | /'
	fi
}

# lv_notzero WHAT: a diagnosis with a check that could not tell never
# exits 0 (healthy).
lv_notzero() {
	[ "$rc" -ne 0 ] && ok || bad "$1: exit 0 while a check could not tell"
}

# lv_stop: keep the world's secrets (its credentials and every token it
# issued), then stop it.
lv_stop() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
for k in ("client_secret","kube_token","identity_header","federated_token"):
    if d.get(k): print(d[k])' "$D/secrets.json" >>"$TMPD/secrets"
	"$FW" tokens "$D" >>"$TMPD/secrets"
	"$FW" dump "$D" >"$TMPD/dump.json" && python3 "$LIVE/world_secrets.py" "$TMPD/dump.json" >>"$TMPD/secrets"
	"$FW" stop "$D" >/dev/null 2>&1
}

# lv_report SCENARIO: the wizard walked over the world in $D (a fix
# applied when offered), its Markdown report written in $TMPD; an AKS or
# a Web App scenario.
LIVE_REPORT=${LIVE_REPORT:-$(dirname "$AD")/../tests/live/live_report}
lv_report() {
	eval "set -- $(python3 "$LIVE/scenario_args.py" "$1" "$TOP/data/scenarios" --no-message)"
	# --cluster C --namespace NS --pod P --image I, or --webapp A --image I
	if [ "$1" = --webapp ]; then set -- "$1" "$2" "$4"
	else set -- "$2" "$4" "$6" "$8"; fi
	(. "$D/env" && exec "$LIVE_REPORT" "$TMPD" "$@") </dev/null >"$TMPD/report.out" 2>"$TMPD/report.err"
	rc=$?
	cat "$TMPD/report.err" >>"$TMPD/seen"
	[ "$rc" -eq 0 ] && [ -s "$(cat "$TMPD/report.out")" ] && ok ||
		{ bad "no report written ($rc)"; sed 's/^/  | /' "$TMPD/report.err" | head -3; }
}

# lv_secrets_never_shown: none of them in any output, the audit log or a
# report in $TMPD.
lv_secrets_never_shown() {
	sort -u "$TMPD/secrets" | grep -v '^$' >"$TMPD/secrets.u"
	[ "$(wc -l <"$TMPD/secrets.u")" -gt 4 ] && ok || bad "too few secrets collected"
	[ -s "$TMPD/seen" ] && ok || bad "no output collected"
	for f in "$TMPD/seen" "$XDG_STATE_HOME/acr-doctor/audit.log" $(ls "$TMPD"/*.md 2>/dev/null); do
		[ -f "$f" ] || continue
		if grep -qFf "$TMPD/secrets.u" "$f"; then
			bad "a secret appears in $(basename "$f")"
			grep -oFf "$TMPD/secrets.u" "$f" | head -2 | cut -c1-6 | sed 's/^/  | starts /'
		else ok; fi
	done
}
