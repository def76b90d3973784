#!/bin/sh
# NO_COLOR, the scenario picker, help, the error-message box, and the
# Markdown export.
. "$(dirname "$0")/lib.sh"
e2e_init

esc=$(printf '\033')
sgr_colors() {
	# SGR color parameters (30-37, 40-47, 90-97, 38;5, 48;5) in the capture
	e2e_screen_attrs |
		grep -cE "${esc}\[([0-9;]*;)?(3[0-7]|4[0-7]|9[0-7]|38;5|48;5)[;m]"
}

# 1. With colors: the failing verdict is drawn in color (sanity check of
#    the NO_COLOR test below).
e2e_start --scenario aks-401-no-acrpull
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "[FAIL]"
[ "$(sgr_colors)" -gt 0 ] || e2e_fail "no colors without NO_COLOR"
e2e_stop

# 2. NO_COLOR: no color at all, the verdict is still spelled out.
e2e_start -e NO_COLOR=1 --scenario aks-401-no-acrpull
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "[FAIL]"
[ "$(sgr_colors)" -eq 0 ] || e2e_fail "colors despite NO_COLOR"

# 3. Help is generated from the key table; Esc closes it.
e2e_keys "?"
e2e_wait "Keys"
e2e_has "Write a Markdown report of this session"
e2e_has "Cancel a running check, or close a dialog"
e2e_keys Escape
e2e_wait_gone "Write a Markdown report of this session"

# 4. The error-message box: paste, Enter, land on the cause.
e2e_keys m
e2e_wait "I have an error message"
e2e_text 'Failed to pull image "acrshop.azurecr.io/shop/web:1.4.2": rpc error: code = Unknown desc = failed to pull and unpack image: failed to resolve reference: failed to authorize: failed to fetch oauth token: unexpected status: 401 Unauthorized'
e2e_keys Enter
e2e_wait "Information: 401 Unauthorized: the cluster's credentials"
e2e_has "Your message points here"

# 5. Export: a report file with the diagnosis (fix declined: skipped).
e2e_walk_to "Does the cluster identity have pull rights?"
e2e_wait "[FAIL]"
e2e_choose "Continue"
e2e_wait "Fix: Give the cluster identity AcrPull"
e2e_choose "Skip it and continue"
e2e_wait "Verdict: Cause: the registry refused the cluster's login"
e2e_keys e
e2e_wait "Report written to"
report=$(ls "$E2E_DIR"/acr-doctor-report-aks-401-no-acrpull-*.md 2>/dev/null | head -n 1)
[ -n "$report" ] || e2e_fail "no report file in the working directory"
grep -qF "## Diagnosis" "$report" || e2e_fail "report has no diagnosis section"
grep -qF "(\`aks.401\`)" "$report" || e2e_fail "report does not name the cause aks.401"
grep -qF "Cause: the registry refused the cluster's login" "$report" ||
	e2e_fail "report lacks the verdict"
grep -qF "aks.401.acrpull" "$report" || e2e_fail "report lacks the failing check"
e2e_keys q
e2e_wait "Quit acr-doctor?"
e2e_keys n
e2e_wait_gone "Quit acr-doctor?"
e2e_stop

# 6. Without a scenario: live mode, training one key away.  No credential
# source may be used here (nothing leaves the machine).
e2e_start -e AZURE_TOKEN_CREDENTIALS=device
e2e_wait "Practise on a training scenario"
e2e_keys t
e2e_wait "Training scenarios"
e2e_has "aks-healthy"
e2e_has "aks-401-no-acrpull"
# The list cuts summaries; the highlighted one is shown whole below it.
e2e_keys Down
e2e_wait "$("$ACR_DOCTOR" scenarios | sed -n 's/^aks-401-no-acrpull  *//p' | tail -c 30)"
e2e_keys End Enter
e2e_wait "What cannot pull its image?"
e2e_quit
e2e_stop

# 7. --training (what scripts/demo opens): the scenario list at once, no
# credential looked for.
e2e_start --training
e2e_wait "Training scenarios"
e2e_lacks "Practise on a training scenario"
e2e_has "aks-401-no-acrpull"
e2e_quit
e2e_pass
