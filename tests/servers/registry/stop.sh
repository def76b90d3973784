#!/bin/bash
# stop.sh DIR: stops the registry that start.sh DIR started, by the PID in
# DIR/registry.pid and only if that process is still the docker-registry
# serving DIR/config.yml (a reused PID is left alone).  TERM, then KILL after
# 5 s.  Exit 0 when no such process remains.
set -u
[ $# -eq 1 ] || { echo "usage: stop.sh DIR" >&2; exit 2; }
D=$(cd "$1" 2>/dev/null && pwd) || { echo "stop.sh: no directory $1" >&2; exit 2; }
f=$D/registry.pid
[ -s "$f" ] || exit 0
pid=$(cat "$f")
case $pid in ''|*[!0-9]*) echo "stop.sh: $f does not hold a PID" >&2; exit 1 ;; esac

ours() { # the process is docker-registry serving this DIR's config (and not a zombie)
	st=$(ps -o stat= -p "$pid" 2>/dev/null) && [ -n "$st" ] && [ "${st#Z}" = "$st" ] &&
		tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "serve $D/config.yml"
}

if ours; then
	kill -TERM "$pid" 2>/dev/null
	i=0
	while ours && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	if ours; then
		kill -KILL "$pid" 2>/dev/null
		i=0
		while ours && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
	fi
fi
if ours; then
	echo "stop.sh: PID $pid is still running" >&2
	exit 1
fi
rm -f "$f"
exit 0
