#!/bin/sh
# Live mode when ARM throttles (429 with Retry-After): the spinner line
# shows the retry notice while the worker waits (finding the cluster, and
# during a check), then the work goes on; Esc during a slow answer
# cancels and the screen says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
e2e_init
e2e_fw_start aks-401-no-acrpull \
	--fault 'do=status:429,retry-after=3,url=https://management.azure.com/*,count=1'

e2e_start -s 100x30
e2e_wait "Azure credentials: environment (service principal)"
e2e_choose "The AKS cluster aks-shop"
e2e_wait "throttled, retrying in 3 s"
e2e_has "Esc cancels"
e2e_wait "web-7d4b9c-x2x4q"
e2e_lacks "throttled"
grep -q " 429 .*fault=status:429" "$E2E_FWD/requests.log" ||
	e2e_fail "the fake world did not answer 429"

# Throttled during a check: the spinner line of the check shows it.
"$E2E_FW" fault "$E2E_FWD" 'do=status:429,retry-after=3,url=*/events' >/dev/null ||
	e2e_fail "cannot add the 429 fault"
e2e_choose "web-7d4b9c-x2x4q"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_wait "Information: AKS: a pod cannot pull its image"
e2e_choose "Continue"
e2e_wait "throttled, retrying in 3 s"
e2e_has "Running check aks.events"
e2e_wait "[FAIL]"
e2e_has "ImagePullBackOff"
e2e_lacks "throttled"

# A slow answer: Esc cancels the lookup.
e2e_keys t
e2e_wait "Training scenarios"
e2e_keys b
e2e_wait "What cannot pull its image?"
"$E2E_FW" fault "$E2E_FWD" 'do=delay:20000,url=https://management.azure.com/*,count=0' >/dev/null ||
	e2e_fail "cannot add the delay fault"
e2e_choose "The AKS cluster aks-shop"
e2e_wait "Finding the target"
e2e_keys Escape
e2e_wait "Cancelled."
e2e_lacks "Finding the target"
e2e_quit
e2e_pass
