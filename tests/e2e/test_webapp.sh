#!/bin/sh
# App Service: the registry firewall blocks the web app's outbound IPs;
# walk to the check, apply the IP rules, reach the verdict.
. "$(dirname "$0")/lib.sh"
e2e_init

e2e_start --scenario webapp-ip-denied
e2e_wait "What cannot pull its image?"
# An App Service world offers no AKS branch.
e2e_lacks "An AKS cluster"
e2e_choose "An App Service web app"
e2e_walk_to "Are the web app's outbound IPs allowed?"
e2e_wait "[FAIL]"
e2e_choose "Fix it:"
e2e_wait "[y/N]"
dialog=$(e2e_dialog_text)
echo "$dialog" | grep -qF "ipRules" || e2e_fail "the fix dialog does not show ipRules"
e2e_confirm_all
e2e_wait "run again: PASS"
e2e_choose "Continue"
e2e_walk_to "Cause: the registry firewall blocks the web app"
e2e_choose "Show the result"
e2e_wait "The scenario teaches: webapp.ip-denied"
e2e_has "[MATCH]"
e2e_quit
e2e_pass
