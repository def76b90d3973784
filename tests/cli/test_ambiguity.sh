#!/bin/sh
# Wordings that fit two causes: `explain` names the likelier one and the
# other in "alternatives"; the diagnosis takes an alternative only when its
# own check fails, and never for the message alone.
. "$(dirname "$0")/lib.sh"

json_field() {  # FILE EXPR: print a Python expression over the JSON in FILE
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# GHCR answers "denied" for a package the caller may not read and for one
# that does not exist.
expect_exit 0 "explain ghcr denied" -- "$AD" explain --json \
	'Error response from daemon: Head "https://ghcr.io/v2/acme/tools/manifests/2.0": denied'
[ "$(json_field "$TMPD/out" 'd["cause"]')" = "aks.401" ] && ok || bad "ghcr denied: cause"
[ "$(json_field "$TMPD/out" 'd["alternatives"]')" = "['aks.notfound']" ] && ok ||
	bad "ghcr denied: alternatives $(cat "$TMPD/out")"

# Quay's answer on a repository: a wrong name is likelier, private possible.
expect_exit 0 "explain quay" -- "$AD" explain --json \
	'Error: initializing source docker://quay.io/acme/tools:2.0: reading manifest 2.0 in quay.io/acme/tools: unauthorized: access to the requested resource is not authorized'
[ "$(json_field "$TMPD/out" 'd["cause"]')" = "aks.notfound" ] && ok || bad "quay: cause"
[ "$(json_field "$TMPD/out" 'd["alternatives"]')" = "['aks.401']" ] && ok || bad "quay: alternatives"

# In an App Service log the alternative is the web app's twin.
expect_exit 0 "explain webapp ghcr" -- "$AD" explain --json \
	'2025-02-01T10:00:00.000Z ERROR - DockerApiException: Docker API responded with status code=InternalServerError, response={"message":"Head \"https://ghcr.io/v2/acme/tools/manifests/2.0\": denied: denied"}'
[ "$(json_field "$TMPD/out" 'd["cause"]')" = "webapp.unauthorized" ] && ok || bad "webapp: cause"
[ "$(json_field "$TMPD/out" 'd["alternatives"]')" = "['webapp.manifest-unknown']" ] && ok ||
	bad "webapp: alternatives $(cat "$TMPD/out")"

# An unambiguous message has an empty list, not a missing key.
expect_exit 0 "explain clear" -- "$AD" explain --json \
	'Failed to pull image "acrshop.azurecr.io/shop/web:1.4.2": failed to resolve reference "acrshop.azurecr.io/shop/web:1.4.2": acrshop.azurecr.io/shop/web:1.4.2: not found'
[ "$(json_field "$TMPD/out" 'd["cause"]')" = "aks.notfound" ] && ok || bad "clear: cause"
[ "$(json_field "$TMPD/out" 'd["alternatives"]')" = "[]" ] && ok || bad "clear: alternatives"

# The text form says the wording fits the other cause too.
"$AD" explain 'Error response from daemon: Head "https://ghcr.io/v2/acme/tools/manifests/2.0": denied' >"$TMPD/out" 2>&1
contains "$TMPD/out" "aks.notfound" "text names the alternative"
contains "$TMPD/out" "the checks will tell" "text says the checks decide"

# Diagnosis: a bare "denied" from ACR reads as the firewall (403) and fits a
# 401.  The kubelet lost AcrPull and the registry's /v2/ answers 503: the
# failing check that confirms a cause the message fits wins.
"$AD" diagnose --json --scenario "$DATA/scenarios/aks-ambiguous-denied.json" >"$TMPD/d1" 2>"$TMPD/err"
[ $? -eq 1 ] && ok || bad "diagnose ambiguous-denied exit"
[ "$(json_field "$TMPD/d1" 'd["cause"]')" = "aks.401" ] && ok ||
	bad "ambiguous-denied: cause $(json_field "$TMPD/d1" 'd["cause"]')"
[ "$(json_field "$TMPD/d1" '[f["evidence"].get("alternatives") for f in d["findings"] if f["check"]=="aks.events"][0]')" = "['aks.401']" ] && ok ||
	bad "ambiguous-denied: events evidence lacks the alternative"
[ "$(json_field "$TMPD/d1" '[f["evidence"].get("classified") for f in d["findings"] if f["check"]=="aks.events"][0]')" = "aks.403" ] && ok ||
	bad "ambiguous-denied: events classified"

# The same message with every other check passing: the alternative alone
# does not become the cause.
"$AD" diagnose --json --scenario "$DATA/scenarios/aks-ambiguous-message.json" >"$TMPD/d2" 2>"$TMPD/err"
[ "$(json_field "$TMPD/d2" 'd["cause"]')" = "aks.403" ] && ok ||
	bad "ambiguous-message: cause $(json_field "$TMPD/d2" 'd["cause"]')"
[ "$(json_field "$TMPD/d2" 'sorted(f["check"] for f in d["findings"] if f["verdict"]=="fail")')" = "['aks.events']" ] && ok ||
	bad "ambiguous-message: failing checks"

finish
