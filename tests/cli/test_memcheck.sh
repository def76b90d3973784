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
# Random bytes from a fixed seed, so that a failure can be replayed.
python3 -c 'import random, sys
random.seed(20261203)
sys.stdout.buffer.write(bytes(random.getrandbits(8) for _ in range(300000)))' >"$TMPD/random.bin"
[ "$(wc -c <"$TMPD/random.bin")" -eq 300000 ] && ok || bad "no random input"
$VG "$AD" explain --json - <"$TMPD/random.bin" >/dev/null 2>"$TMPD/stderr"
[ $? -eq 0 ] && [ ! -s "$TMPD/vg" ] && ok || { bad "valgrind: explain binary (seed 20261203)"; head -20 "$TMPD/vg"; }
finish
