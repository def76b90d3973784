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
contains "$TMPD/man" "4 declined" "fix exit codes"
contains "$TMPD/man" "AZURE_CLIENT_SECRET" "environment"
finish
