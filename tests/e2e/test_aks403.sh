#!/bin/sh
# AKS 403: the registry firewall does not list the cluster's outbound IP;
# the network-rule fix is offered, applied, verified; right verdict.
. "$(dirname "$0")/lib.sh"
e2e_init

e2e_start --scenario aks-403-firewall
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Does the registry firewall allow the cluster?"
e2e_wait "[FAIL]"
e2e_choose "Fix it:"
e2e_wait "[y/N]"
dialog=$(e2e_dialog_text)
for want in "networkRuleSet" "ipRules" "az acr network-rule add"; do
	echo "$dialog" | grep -qF -- "$want" ||
		e2e_fail "the fix dialog does not show '$want'"
done
e2e_confirm_all
e2e_wait "run again: PASS"
e2e_has "[PASS]"
e2e_choose "Continue"
e2e_wait "Verdict: Cause: the registry refused the cluster's network"
e2e_choose "Show the result"
e2e_wait "The scenario teaches: aks.403"
e2e_has "[MATCH]"
e2e_keys End
e2e_wait "network-rule-add (for aks.403.firewall): applied, check run again: PASS"
e2e_quit
e2e_pass
