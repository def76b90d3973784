#!/bin/sh
# Live mode on a healthy cluster: no pod fails to pull, and the wizard
# says so (for every namespace, and for the one given with -n) instead
# of an empty list; training stays one key away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
e2e_init
e2e_fw_start aks-healthy

e2e_start -s 100x30
e2e_wait "Azure credentials: environment (service principal)"
e2e_choose "(the current kubeconfig context)"
e2e_wait "is in ImagePullBackOff or ErrImagePull: nothing fails to pull now."
e2e_lacks "Failing pods"
e2e_has "1) The AKS cluster"
e2e_keys t
e2e_wait "Training scenarios"
e2e_quit
e2e_stop

e2e_start -s 100x30 -n kube-system
e2e_wait "Azure credentials: environment (service principal)"
e2e_choose "(the current kubeconfig context)"
e2e_wait "No pod in namespace kube-system is in ImagePullBackOff or ErrImagePull"
e2e_quit
e2e_pass
