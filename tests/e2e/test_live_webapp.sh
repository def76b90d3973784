#!/bin/sh
# Live mode for a Web App, by name: the kubeconfig context is no AKS
# cluster, so the wizard asks; a name Azure would refuse is refused as
# typed and before anything is sent; a wrong name says it was not found;
# the right one opens the tree over the live Web App.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
e2e_init
e2e_fw_start webapp-identity-no-acrpull
# A kubeconfig that names no AKS cluster.
KUBECONFIG="$E2E_DIR/none.yaml"
export KUBECONFIG

e2e_start -s 100x30
e2e_wait "Azure credentials: environment (service principal)"
e2e_has "The current kubeconfig context is not an AKS cluster"
e2e_lacks "(the current kubeconfig context)"
e2e_choose "An App Service Web App (type its name)"
e2e_wait "Web App name:"
e2e_text "app "
e2e_wait "Names have letters, digits"
e2e_wait "Web App name: app▏"
e2e_keys BSpace BSpace BSpace
e2e_wait "Web App name: ▏"
e2e_text "app-nope"
e2e_keys Enter
e2e_wait "named app-nope was found"
e2e_choose "An App Service Web App (type its name)"
e2e_wait "Web App name:"
e2e_text "app-shop"
e2e_keys Enter
e2e_wait "An App Service web app running a container"
e2e_has "live: environment (service principal)"
e2e_quit
e2e_pass
