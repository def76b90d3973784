#!/bin/sh
# The anonymous token attempt: before ACR's Entra exchange, acr-doctor asks
# the registry's token realm for a pull token with no credential at all,
# as kubelet does first.  A registry with anonymous pull answers one and no
# exchange is made; one without answers 401 and the exchange follows.
# Either way the diagnosis is the simulated one.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"
. "$TOP/tests/fake/lib.sh"
. "$TOP/tests/live/lib.sh"

S=aks-healthy
LS=acrshop.azurecr.io
ANON="GET https://$LS/oauth2/token?service=$LS&scope=repository:shop/web:pull"
"$AD" diagnose --scenario $S --json >"$TMPD/sim.json" 2>/dev/null

# --- anonymous pull allowed: its token is used, no exchange ---
lv_start $S --anonymous-pull
lv_diag $S --json
lv_same "anonymous pull: the simulated diagnosis"
grep "^GET https://$LS/v2/shop/web/manifests/" "$D/requests.log" >"$TMPD/manifests"
[ -s "$TMPD/manifests" ] && ok || bad "anonymous pull: no manifest was read"
contains "$D/requests.log" "$ANON 200" "anonymous pull: the anonymous token request"
grep -F "$ANON 200" "$D/requests.log" | grep -q "acr=anonymous" && ok ||
	bad "anonymous pull: the fake did not hand out the anonymous token"
lacks "$D/requests.log" "/oauth2/exchange" "anonymous pull: no exchange"
lacks "$D/requests.log" "POST https://$LS/oauth2/token" "anonymous pull: no refresh-token grant"
lv_stop

# --- anonymous pull not allowed: 401, then the exchange ---
lv_start $S
lv_diag $S --json
lv_same "no anonymous pull: the simulated diagnosis"
contains "$D/requests.log" "$ANON 401" "no anonymous pull: the anonymous attempt refused"
contains "$D/requests.log" "POST https://$LS/oauth2/exchange 200" "no anonymous pull: the exchange follows"
contains "$D/requests.log" "POST https://$LS/oauth2/token 200" "no anonymous pull: the refresh-token grant"
# The anonymous attempt comes before the exchange.
a=$(grep -nF "$ANON 401" "$D/requests.log" | head -1 | cut -d: -f1)
x=$(grep -n "/oauth2/exchange" "$D/requests.log" | head -1 | cut -d: -f1)
[ -n "$a" ] && [ -n "$x" ] && [ "$a" -lt "$x" ] && ok ||
	bad "no anonymous pull: the anonymous attempt is not before the exchange ($a, $x)"
lv_stop

lv_secrets_never_shown
finish
