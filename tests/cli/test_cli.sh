#!/bin/sh
# The command-line contract: help, version, exit codes, explain, errors.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "--help" -- "$AD" --help
contains "$TMPD/out" "  diagnose " "--help lists diagnose"
contains "$TMPD/out" "fix FIX-ID" "--help lists fix"
contains "$TMPD/out" "explain" "--help lists explain"
expect_exit 0 "--version" -- "$AD" --version
contains "$TMPD/out" "acr-doctor 0." "--version"
expect_exit 2 "unknown option" -- "$AD" --frobnicate
contains "$TMPD/err" "unknown option" "unknown option message"
expect_exit 2 "unknown command" -- "$AD" frobnicate
# No scenario and no kubeconfig: live, and it asks which cluster (no
# request is sent before it knows).
expect_exit 2 "diagnose without a target" -- env KUBECONFIG=/nonexistent "$AD" diagnose
contains "$TMPD/err" "--cluster" "diagnose asks for a cluster"
expect_exit 2 "scenario and cluster together" -- "$AD" diagnose --scenario aks-healthy --cluster aks-shop
# The wizard without a terminal: said at once, never a wait for keys
# that cannot come.
expect_exit 2 "the wizard without a terminal" -- timeout 20 "$AD" --scenario aks-healthy
contains "$TMPD/err" "the wizard needs a terminal" "the wizard without a terminal: said"
expect_exit 2 "the training wizard, output to a file" -- timeout 20 setsid "$AD" --training
contains "$TMPD/err" "the wizard needs a terminal" "the training wizard without a terminal: said"
# --debug in the wizard: the requests go to standard error, which must
# not be the wizard's own screen (said at once, nothing drawn).
script -qec "timeout 20 '$AD' --debug --scenario aks-healthy" /dev/null </dev/null >"$TMPD/out" 2>&1
is_rc=$?
[ "$is_rc" -eq 2 ] && ok || bad "--debug in the wizard on a terminal: exit $is_rc, wanted 2"
contains "$TMPD/out" "2>requests.log" "--debug in the wizard: how to keep the requests"
expect_exit 2 "cluster and webapp together" -- "$AD" diagnose --cluster a --webapp b
expect_exit 2 "fix without an id" -- "$AD" fix --scenario aks-healthy
expect_exit 2 "fix with an unknown id" -- "$AD" fix frobnicate --scenario aks-healthy
contains "$TMPD/err" "attach-acr" "an unknown fix lists the fixes"
expect_exit 0 "fix of a healthy world: nothing to fix" -- "$AD" fix attach-acr --scenario aks-healthy
expect_exit 5 "a fix that can only be shown" -- "$AD" fix push-platform --scenario aks-401-arch --yes
expect_exit 4 "fix declined without a terminal" -- setsid "$AD" fix attach-acr --scenario aks-401-no-acrpull
contains "$TMPD/out" "Nothing was changed" "declining says nothing changed"
# The plan: the request's body lines stay inside the step (indented).
expect_exit 0 "fix --dry-run" -- "$AD" fix attach-acr --scenario aks-401-no-acrpull --dry-run
contains "$TMPD/out" '"principalId": "a4c71e92-5b3d-4f08-9e6a-1d2b7c8f3e51"' "the body in the plan"
sed -n '/^   PUT /,/^   command: /p' "$TMPD/out" >"$TMPD/step"
[ "$(wc -l <"$TMPD/step")" -gt 4 ] && ok || bad "the plan's step has no body"
grep -qv '^   ' "$TMPD/step" && bad "a line of the step's body is not indented" || ok
contains "$TMPD/out" "Dry run: nothing was sent." "the dry run says so"
expect_exit 0 "fix applied and verified" -- "$AD" fix attach-acr --scenario aks-401-no-acrpull --yes
contains "$TMPD/out" "verify aks.401.acrpull: pass" "the verify line"
expect_exit 2 "an over-long cluster name" -- "$AD" diagnose --cluster "$(printf '%0300d' 0)"
expect_exit 2 "diagnose, option without value" -- "$AD" diagnose --scenario
expect_exit 2 "diagnose unknown built-in" -- "$AD" diagnose --scenario no-such-world
contains "$TMPD/err" "no built-in scenario named 'no-such-world'" "names the scenario"
expect_exit 2 "diagnose malformed file" -- "$AD" diagnose --scenario "$DATA/scenarios/bad-json.json"
contains "$TMPD/err" "not valid JSON" "malformed file message"
expect_exit 2 "diagnose hostile name" -- "$AD" diagnose --scenario "$(printf 'x\033[2J;rm')"
lacks "$TMPD/err" "$(printf '\033')" "no escape sequence echoed"
expect_exit 2 "diagnose missing file" -- "$AD" diagnose --scenario /nonexistent/x.json
contains "$TMPD/err" "cannot open" "missing file message"

# scenarios: one per line, name first, then the summary
expect_exit 0 "scenarios" -- "$AD" scenarios
n=$(wc -l <"$TMPD/out")
[ "$n" -ge 22 ] && ok || bad "scenarios lists $n scenarios, wanted at least 22"
contains "$TMPD/out" "aks-healthy" "aks-healthy listed"
contains "$TMPD/out" "webapp-healthy" "webapp-healthy listed"
if awk '{ if ($1 !~ /^[a-z0-9-]+$/ || NF < 3) exit 1 }' "$TMPD/out"; then ok; else bad "scenarios lines: name then summary"; fi

# explain
expect_exit 0 "explain 401" -- "$AD" explain --json 'Failed to pull image "acrshop.azurecr.io/shop/web:1.4.2": failed to resolve reference "acrshop.azurecr.io/shop/web:1.4.2": failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized'
contains "$TMPD/out" '"cause":"aks.401"' "explain 401 cause"
contains "$TMPD/out" '"evidence":' "explain has evidence"
printf '%s' 'Failed to pull image "x.azurecr.io/a:b": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference "x.azurecr.io/a:b": failed to do request: Head "https://x.azurecr.io/v2/a/manifests/b": dial tcp 10.1.0.5:443: i/o timeout' >"$TMPD/msg"
if "$AD" explain --json - <"$TMPD/msg" >"$TMPD/out" 2>"$TMPD/err"; then ok; else bad "explain - (stdin)"; fi
contains "$TMPD/out" '"cause":"aks.timeout"' "explain from stdin"
if "$AD" explain --json - </dev/null >"$TMPD/out" 2>&1; then ok; else bad "explain empty stdin"; fi
contains "$TMPD/out" '"cause":"other"' "empty message is other"
head -c 1048576 /dev/urandom >"$TMPD/bin"
if "$AD" explain --json - <"$TMPD/bin" >"$TMPD/out" 2>&1; then ok; else bad "explain 1 MiB binary"; fi
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMPD/out"; then ok; else bad "explain of binary prints valid JSON"; fi
printf 'Failed to pull image: \033]52;c;ZXZpbA==\007 \033[2J 403 Forbidden failed to fetch anonymous token' >"$TMPD/msg"
"$AD" explain - <"$TMPD/msg" >"$TMPD/out" 2>&1
lacks "$TMPD/out" "$(printf '\033')" "explain output has no escape sequences"

# The human form of diagnose: a line a check, the cause in words, how to
# apply the fix; a healthy world says so and exits 0.
expect_exit 1 "diagnose text, a problem" -- "$AD" diagnose --scenario aks-401-no-acrpull
contains "$TMPD/out" "Cause: the registry refused the cluster's login (aks.401)" "cause in words"
contains "$TMPD/out" "fix: attach-acr" "the failing check names its fix"
contains "$TMPD/out" "acr-doctor --scenario aks-401-no-acrpull" "how to apply the fix"
grep -qE '^fail +aks\.401\.acrpull ' "$TMPD/out" && ok || bad "a line for the failing check"
expect_exit 0 "diagnose text, healthy" -- "$AD" diagnose --scenario webapp-healthy
contains "$TMPD/out" "Diagnosis: healthy" "healthy in words"
lacks "$TMPD/out" "fix:" "no fix for a healthy world"
expect_exit 3 "diagnose text, inconclusive" -- "$AD" diagnose --scenario "$DATA/scenarios/aks-net-probe-unavailable.json"
contains "$TMPD/out" "could not tell" "inconclusive in words"

# A pod event carrying escape sequences, a bell and a bidi override: the
# diagnosis is still right and none of them reaches the output.
hostile="$DATA/scenarios/hostile-event.json"
for fmt in --json ""; do
	expect_exit 1 "diagnose hostile event $fmt" -- "$AD" diagnose $fmt --scenario "$hostile"
	contains "$TMPD/out" "FORGED 401 Unauthorized" "hostile event text kept $fmt"
	lacks "$TMPD/out" "$(printf '\033')" "no ESC from the event $fmt"
	lacks "$TMPD/out" "$(printf '\007')" "no BEL from the event $fmt"
	lacks "$TMPD/out" "$(printf '\342\200\256')" "no bidi override from the event $fmt"
	lacks "$TMPD/out" "52;c;" "no remnant of the OSC sequence $fmt"
done
contains "$TMPD/out" "aks.401" "hostile event still diagnosed as aks.401"

# languages: the program runs in each of them
for l in sv ru ja zh_CN; do
	expect_exit 0 "--lang $l" -- "$AD" --lang "$l" diagnose --scenario aks-healthy
done

# Training scenarios speak the language too: every built-in summary is
# translated (none left as the English line), while a scenario file of
# the user's own keeps the words it was written with.
"$AD" scenarios >"$TMPD/en"
[ -s "$TMPD/en" ] && ok || bad "scenarios lists the built-in worlds"
for l in sv ru ja zh_CN; do
	"$AD" --lang "$l" scenarios >"$TMPD/tr"
	same=$(grep -cxF -f "$TMPD/en" "$TMPD/tr")
	[ "$same" = 0 ] && ok || bad "$l: $same scenario summaries are not translated"
done
"$AD" --lang ru diagnose --scenario aks-403-firewall >"$TMPD/out" 2>&1
contains "$TMPD/out" "Брандмауэр реестра" "Russian diagnose shows the scenario's summary in Russian"
sed 's/"summary": "[^"]*"/"summary": "Eget scenario: ingen katalog"/' \
	"$TOP/data/scenarios/aks-notfound-tag.json" >"$TMPD/own.json"
grep -q '"base"' "$TMPD/own.json" && ok || bad "own scenario keeps its base"
"$AD" --lang ja diagnose --scenario "$TMPD/own.json" >"$TMPD/out" 2>&1
contains "$TMPD/out" "Eget scenario: ingen katalog" "a user's own summary is shown as written"

# The catalogues travel inside the binary: a copy alone in a directory
# speaks the language asked for, with --lang or from the environment, and
# leaves nothing behind in TMPDIR.
cp "$AD" "$TMPD/acr-doctor-copy"
mkdir "$TMPD/tmp"
TMPDIR="$TMPD/tmp" "$TMPD/acr-doctor-copy" --lang sv --help >"$TMPD/out" 2>&1
contains "$TMPD/out" "Användning: acr-doctor" "Swedish help from a copied binary"
TMPDIR="$TMPD/tmp" "$TMPD/acr-doctor-copy" --lang ja diagnose --scenario aks-401-no-acrpull >"$TMPD/out" 2>&1
contains "$TMPD/out" "(aks.401)" "Japanese diagnose names the cause id"
grep -q "$(printf '\345\216\237\345\233\240')" "$TMPD/out" && ok || bad "Japanese diagnose is in Japanese"
TMPDIR="$TMPD/tmp" LANGUAGE=ru LC_ALL=C.UTF-8 "$TMPD/acr-doctor-copy" --frob >"$TMPD/out" 2>&1
lacks "$TMPD/out" "unknown option" "LANGUAGE=ru gives Russian messages"
contains "$TMPD/out" "--frob" "the Russian message names the option"
TMPDIR="$TMPD/tmp" LC_ALL=C.UTF-8 "$TMPD/acr-doctor-copy" --help >"$TMPD/out" 2>&1
contains "$TMPD/out" "Usage: acr-doctor" "English without a language"
[ -z "$(ls -A "$TMPD/tmp")" ] && ok || bad "catalogue files left in TMPDIR: $(ls -A "$TMPD/tmp")"

finish
