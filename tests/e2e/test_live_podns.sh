#!/bin/sh
# The wizard, live, on a cluster with failing pods in two namespaces (the
# kubeconfig's context names default): the pick list shows both, and the
# pod chosen from namespace shop is read in shop, its events found.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
e2e_init
e2e_fw_start "${TEST_DATA_DIR:-$(dirname "$0")/../data}/scenarios/aks-two-failing-pods.json"
grep -q 'namespace: default' "$E2E_FWD/kubeconfig" ||
	e2e_fail "the kubeconfig's context names no namespace"

e2e_start -s 100x30
e2e_wait "Azure credentials: environment (service principal)"
e2e_choose "The AKS cluster aks-shop"
e2e_wait "Failing pods"
e2e_wait "api-5c8f7d-q7w2n"
e2e_has "web-7d4b9c-x2x4q"
e2e_screen | grep -F "api-5c8f7d-q7w2n" | grep -qF "shop" ||
	e2e_fail "the pod row does not name namespace shop"
e2e_choose "api-5c8f7d-q7w2n"

e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "Check aks.events: FAIL"
e2e_has "pod shop/api-5c8f7d-q7w2n cannot pull"
grep -q '/namespaces/shop/pods/api-5c8f7d-q7w2n ' "$E2E_FWD/requests.log" ||
	e2e_fail "the pod was not read in namespace shop"
grep -q '/namespaces/default/pods/api-5c8f7d-q7w2n ' "$E2E_FWD/requests.log" &&
	e2e_fail "the pod was looked for in namespace default"
e2e_quit
e2e_pass
