#!/bin/sh
# One wizard run under valgrind: the AKS 401 walk with its fix applied, a
# resize, the report exported, quit.  No invalid access, no leak of the
# program's own memory (ncurses keeps its screen buffers until exit:
# "still reachable" is not counted).
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
# valgrind cannot run a binary built with AddressSanitizer.
if grep -q __asan_init "${ACR_DOCTOR:-$AD}" 2>/dev/null; then
	echo "SKIP: the binary is built with AddressSanitizer"; exit 77
fi
e2e_init
E2E_TIMEOUT=90

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

e2e_start -s 100x30 --scenario aks-401-no-acrpull
e2e_wait "What cannot pull its image?"
e2e_choose "An AKS cluster"
e2e_walk_to "Does the cluster identity have pull rights?"
e2e_wait "[FAIL]"
e2e_resize 120 40
e2e_wait_size 120 40
e2e_choose "Fix it:"
e2e_wait "[y/N]"
e2e_confirm_all
e2e_wait "run again: PASS"
e2e_choose "Continue"
e2e_wait "Verdict: Cause: the registry refused the cluster's login"
e2e_keys e
e2e_wait "Report written to"
e2e_keys q
e2e_wait "Quit acr-doctor?"
e2e_keys y
e2e_wait_exit
[ "$E2E_STATUS" = 0 ] || { cat "$vglog"; e2e_fail "exit status $E2E_STATUS"; }
if [ -s "$vglog" ]; then
	cat "$vglog"
	e2e_fail "valgrind reported errors"
fi
e2e_pass
