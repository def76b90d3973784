# lib.sh - helpers for the tests against real servers (sourced).
# Servers are started by the tests, listen on loopback or inside network
# namespaces the tests create, and are stopped by their recorded PIDs.

# skip / fail with a reason
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

now_ms() { date +%s%3N; }

# need_cmd CMD... : skip when a tool is missing (scripts/deps.sh installs them)
need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || skip "$c is not installed"
	done
}

# freeport: an unused TCP port on 127.0.0.1 (the kernel picks it)
freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_cmd SECONDS CMD... : poll until CMD succeeds
wait_cmd() {
	local t=$1 i=0
	shift
	while [ $i -lt $((t * 20)) ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "timeout waiting for: $*" >&2
	return 1
}

# alive PID: running and not a zombie
alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# stop_pidfile FILE: TERM the PID it names, KILL after 5 s; only that PID
stop_pidfile() {
	local f=$1 pid i=0
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		while alive "$pid" && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
		alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$f"
}

# check NAME CONDITION-OUTPUT PATTERN : grep -E PATTERN in the text
T_PASS=0
T_FAIL=0
expect() {
	local name=$1 text=$2 pat=$3
	if printf '%s\n' "$text" | grep -Eq -- "$pat"; then
		echo "ok   $name"
		T_PASS=$((T_PASS + 1))
	else
		echo "FAIL $name: /$pat/ not in:"
		printf '%s\n' "$text" | sed 's/^/     /'
		T_FAIL=$((T_FAIL + 1))
	fi
}
expect_fixed() {
	local name=$1 text=$2 str=$3
	if printf '%s\n' "$text" | grep -Fq -- "$str"; then
		echo "ok   $name"
		T_PASS=$((T_PASS + 1))
	else
		echo "FAIL $name: '$str' not in:"
		printf '%s\n' "$text" | sed 's/^/     /'
		T_FAIL=$((T_FAIL + 1))
	fi
}
expect_not() {
	local name=$1 text=$2 pat=$3
	if printf '%s\n' "$text" | grep -Eq -- "$pat"; then
		echo "FAIL $name: /$pat/ unexpectedly in:"
		printf '%s\n' "$text" | sed 's/^/     /'
		T_FAIL=$((T_FAIL + 1))
	else
		echo "ok   $name"
		T_PASS=$((T_PASS + 1))
	fi
}
finish() {
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}
