#!/bin/sh
# The wizard and the report it exports mask pasted credentials: a pod
# event that quotes a docker login -p, --client-secret, --docker-password,
# a Basic credential, client_secret: and an AccountKey; a message pasted
# in the box with more of them.
. "$(dirname "$0")/lib.sh"
e2e_init
world="${TEST_DATA_DIR:-$e2e_here/../data}/scenarios/secret-event.json"

e2e_start -s 120x40 --scenario "$world"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "[FAIL]"
e2e_wait "-p ***"
e2e_lacks "S3cr3t"
e2e_lacks "YWNyc2hvcDpTM2NyM3Qt"

# A message pasted in the box.
e2e_keys m
e2e_wait "I have an error message"
e2e_text 'az acr login -n acrshop -u acrshop -p S3cr3t-P9 client_secret: S3cr3t-PA AccountKey=S3cr3t-PB; unauthorized: authentication required 401 Unauthorized'
e2e_keys Enter
e2e_wait "Your message points here"
e2e_has "AccountKey=***"
e2e_lacks "S3cr3t"

# The report: its Context table, the checks' evidence.
e2e_keys e
e2e_wait "Report written to"
report=$(ls "$E2E_DIR"/acr-doctor-report-secret-event-*.md 2>/dev/null | head -n 1)
[ -n "$report" ] || e2e_fail "no report file"
grep -qF "| message | " "$report" || e2e_fail "the report has no message in its Context table"
grep -qF -- '-p \*\*\*' "$report" || e2e_fail "the report does not show the masked option"
if grep -n "S3cr3t\|YWNyc2hvcDpTM2NyM3Qt" "$report"; then
	e2e_fail "a secret in the report"
fi
e2e_quit
e2e_pass
