#!/bin/sh
# The man page is made from --help: every option --help lists is in it,
# and so are the exit codes and the live-use section.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

MAN="$(dirname "$AD")/../acr-doctor.1"
[ -s "$MAN" ] || { echo "no man page at $MAN"; echo "0 passed, 1 failed"; exit 1; }
"$AD" --help >"$TMPD/help" 2>&1
grep -oE -- '--[a-z][a-z-]+' "$TMPD/help" | sort -u >"$TMPD/opts"
[ "$(wc -l <"$TMPD/opts")" -gt 20 ] && ok || bad "--help lists too few options"
# help2man escapes dashes: \-\-name
sed 's/\\-/-/g; s/\\fB//g; s/\\fR//g; s/\\fI//g' "$MAN" >"$TMPD/man"
while read -r o; do
	grep -qF -- "$o" "$TMPD/man" && ok || bad "man page lacks $o"
done <"$TMPD/opts"
contains "$TMPD/man" "LIVE USE" "live-use section"
# The exit codes in a section of their own, one entry per code.
sed -n '/^\.SH "EXIT STATUS"/,/^\.SH /p' "$MAN" >"$TMPD/exit"
[ -s "$TMPD/exit" ] && ok || bad "the man page has no EXIT STATUS section"
for c in 0 1 2 3 4 5; do
	grep -qx "\.B $c" "$TMPD/exit" && ok || bad "EXIT STATUS lacks code $c"
done
grep -A1 -x '\.B 4' "$TMPD/exit" | grep -q "declined or not permitted" && ok ||
	bad "EXIT STATUS: 4 is not 'declined or not permitted'"
grep -A1 -x '\.B 5' "$TMPD/exit" | grep -q "can only be shown" && ok ||
	bad "EXIT STATUS: 5 is not 'the fix can only be shown'"
# Every variable --help names is an entry of ENVIRONMENT (a tagged
# paragraph, not words run together in one).
sed -n '/^Environment:/,/^$/p' "$TMPD/help" | grep -oE '\b[A-Z][A-Z0-9_]{3,}\b' | sort -u >"$TMPD/vars"
[ "$(wc -l <"$TMPD/vars")" -gt 15 ] && ok || bad "--help lists too few variables"
sed -n '/^\.SH ENVIRONMENT/,/^\.SH /p' "$MAN" | grep -E '^\.BR? ' >"$TMPD/envtags"
while read -r v; do
	grep -qw -- "$v" "$TMPD/envtags" && ok || bad "ENVIRONMENT has no entry for $v"
done <"$TMPD/vars"
finish
