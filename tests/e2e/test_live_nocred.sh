#!/bin/sh
# Live mode with no usable credential (fake world --auth none): the
# wizard says which sources it tried and why each failed, offers
# training (t opens the list; Back returns), and signs in with a device
# code shown in a dialog while it waits for the token.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
e2e_init
e2e_fw_start aks-401-no-acrpull --auth none
[ -z "${AZURE_CLIENT_SECRET:-}" ] || e2e_fail "--auth none still hands out a secret"

e2e_start -s 100x30
e2e_wait "No Azure credentials could be used."
for want in "Tried:" "environment (service principal):" "workload identity:" \
	"managed identity:" "device code:" "live: not signed in" \
	"Practise on a training scenario"; do
	e2e_has "$want"
done
e2e_lacks "Azure credentials: "

# Training is one key away, and back.
e2e_keys t
e2e_wait "Training scenarios"
e2e_has "aks-401-no-acrpull"
e2e_keys b
e2e_wait "No Azure credentials could be used."

# Device code: the dialog shows the page and the code, then closes when
# the token arrives (the fake answers the second poll).
e2e_choose "Sign in with a device code"
e2e_wait "Sign in to Azure"
e2e_has "Open: https://microsoft.com/devicelogin"
code=$(e2e_screen | sed -n 's/.*Code: \([A-Z0-9-]*\).*/\1/p' | head -n 1)
[ -n "$code" ] || e2e_fail "the dialog shows no code"
e2e_screen | grep -F "enter the code $code" >/dev/null ||
	e2e_fail "the dialog's sentence and code differ"
E2E_TIMEOUT=30 e2e_wait "Azure credentials: device code"
e2e_lacks "Sign in to Azure"
e2e_has "live: device code"
e2e_has "The AKS cluster aks-shop"
e2e_quit
e2e_pass
