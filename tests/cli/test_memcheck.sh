#!/bin/sh
# valgrind over `diagnose` for every scenario and over explain: no leak,
# no invalid access.
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: no valgrind"; exit 77; }
# valgrind cannot run a binary built with AddressSanitizer.
if grep -q __asan_init "${ACR_DOCTOR:-$AD}" 2>/dev/null; then
	echo "SKIP: the binary is built with AddressSanitizer"; exit 77
fi

VG="valgrind -q --log-file=$TMPD/vg --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
for name in $("$AD" scenarios | awk '{print $1}'); do
	$VG "$AD" diagnose --json --scenario "$name" >/dev/null 2>"$TMPD/stderr"
	code=$?
	if [ "$code" -ne 99 ] && [ ! -s "$TMPD/vg" ]; then ok; else
		bad "valgrind: diagnose $name (exit $code)"; head -20 "$TMPD/vg"; fi
done
$VG "$AD" diagnose --scenario "$DATA/scenarios/bad-json.json" >/dev/null 2>"$TMPD/stderr"
[ $? -eq 2 ] && [ ! -s "$TMPD/vg" ] && ok || { bad "valgrind: malformed scenario"; head -20 "$TMPD/vg"; }
head -c 300000 /dev/urandom | $VG "$AD" explain --json - >/dev/null 2>"$TMPD/stderr"
[ $? -eq 0 ] && [ ! -s "$TMPD/vg" ] && ok || { bad "valgrind: explain binary"; head -20 "$TMPD/vg"; }
finish
