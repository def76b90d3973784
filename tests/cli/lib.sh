# Shared helpers for the shell tests (sourced).  Each test counts its own
# checks and ends with "N passed, N failed".
AD=${ACR_DOCTOR:-../src/acr-doctor}
TOP=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DATA=${TEST_DATA_DIR:-$TOP/tests/data}
npass=0
nfail=0
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/adtest.XXXXXX")
trap 'rm -rf "$TMPD"' EXIT

ok() { npass=$((npass + 1)); }
bad() { nfail=$((nfail + 1)); echo "FAIL: $*"; }

# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
	want=$1; shift; what=$1; shift; [ "$1" = "--" ] && shift
	"$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, wanted $want"; sed 's/^/  | /' "$TMPD/err" | head -5
	fi
}

# contains FILE TEXT DESCRIPTION
contains() {
	if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in output"; sed 's/^/  | /' "$1" | head -5; fi
}
lacks() {
	if grep -qF -- "$2" "$1"; then bad "$3: '$2' must not appear"; else ok; fi
}

finish() {
	echo "$npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
