#!/bin/sh
# The live wizard under valgrind: signing in, the worker thread finding
# the cluster and its failing pods, a pod chosen, the session taking the
# world over, training opened on top, quit.  No error, no leak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fake.sh"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
if grep -q __asan_init "${ACR_DOCTOR:-$AD}" 2>/dev/null; then
	echo "SKIP: the binary is built with AddressSanitizer"; exit 77
fi
e2e_init
E2E_TIMEOUT=90
e2e_fw_start aks-401-no-acrpull

real=$ACR_DOCTOR
vglog=$E2E_DIR/valgrind.log
ACR_DOCTOR=$E2E_DIR/acr-doctor-under-valgrind
cat >"$ACR_DOCTOR" <<EOF
#!/bin/sh
exec valgrind -q --log-file='$vglog' --error-exitcode=99 \
	--leak-check=full --errors-for-leak-kinds=definite,indirect \
	'$real' "\$@"
EOF
chmod +x "$ACR_DOCTOR"

e2e_start -s 100x30
e2e_wait "Azure credentials: environment (service principal)"
e2e_choose "The AKS cluster aks-shop"
e2e_wait "web-7d4b9c-x2x4q"
e2e_choose "web-7d4b9c-x2x4q"
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Read the pod's pull-failure event"
e2e_wait "[FAIL]"
e2e_has "ImagePullBackOff"
e2e_keys t
e2e_wait "Training scenarios"
e2e_quit
[ -f "$vglog" ] || e2e_fail "valgrind wrote no log"
if [ -s "$vglog" ]; then
	cat "$vglog"
	e2e_fail "valgrind reported errors"
fi
e2e_pass
