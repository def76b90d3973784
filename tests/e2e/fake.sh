# fake.sh - the fake world for wizard tests (sourced after lib.sh and
# e2e_init).  Everything it starts listens on 127.0.0.1 and is stopped on
# exit; acr-doctor reaches it through the variables of DIR/env only.
#
#   e2e_fw_start SCENARIO [fake-world options]   start, load DIR/env
#   e2e_fw_dump FILE                             the world now, as JSON
E2E_FW="$e2e_here/../fake-world"
E2E_FWD=

e2e_fw_cleanup() {
	if [ -n "$E2E_FWD" ]; then
		"$E2E_FW" stop "$E2E_FWD" >/dev/null 2>&1
	fi
	e2e_cleanup
}

e2e_fw_start() {
	command -v python3 >/dev/null 2>&1 || { echo "FAIL: $e2e_name: python3 is required"; exit 99; }
	command -v openssl >/dev/null 2>&1 || { echo "FAIL: $e2e_name: openssl is required"; exit 99; }
	E2E_FWD="$E2E_DIR/fw"
	mkdir -p "$E2E_FWD"
	trap e2e_fw_cleanup EXIT
	sc=$1
	shift
	out=$("$E2E_FW" start "$sc" "$E2E_FWD" "$@" 2>&1) ||
		{ echo "FAIL: $e2e_name: fake-world start $sc $*: $out"; exit 1; }
	[ "$out" = READY ] || { echo "FAIL: $e2e_name: fake-world start $sc $*: $out"; exit 1; }
	# shellcheck disable=SC1091
	. "$E2E_FWD/env"
	case $HTTPS_PROXY in
	http://127.0.0.1:*) ;;
	*) echo "FAIL: $e2e_name: the fake world's proxy is not on loopback"; exit 1 ;;
	esac
	export XDG_STATE_HOME="$E2E_DIR/state"
}

e2e_fw_dump() {
	"$E2E_FW" dump "$E2E_FWD" >"$1" || e2e_fail "fake-world dump failed"
}
