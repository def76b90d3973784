#!/bin/bash
# The wizard asks over SSH: a real sshd on 127.0.0.1 whose host key is not
# in known_hosts.  The dialog shows the key's SHA256 fingerprint (as
# ssh-keygen prints it); answering no (Esc) leaves the node check
# unknown, says why, and writes nothing to known_hosts.  Then y: the
# node answers (this sshd resolves nothing: the check still cannot pass,
# but it is past the host key).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../servers/lib.sh"
. "$here/../servers/sshd.sh"
. "$here/lib.sh"
need_cmd "$SSHD" ssh-keygen ssh-keyscan python3
e2e_init

S=$E2E_DIR/sshd
K=$E2E_DIR/key
KH=$E2E_DIR/known_hosts
mkdir -p "$S" "$E2E_DIR/home"
ssh-keygen -q -t ed25519 -N '' -C e2e -f "$K"
cp "$K.pub" "$S/authorized_keys"
# The node never runs a command here: it only records what it was asked.
P=$(freeport)
start_sshd "$S" "$P" 127.0.0.1 "" \
	"ForceCommand printf '%s\\n' \"\$SSH_ORIGINAL_COMMAND\" >> $S/commands.log" ||
	e2e_fail "sshd did not start"
trap 'stop_sshd "$S"; e2e_cleanup' EXIT
FP=$(fingerprint "$S/host_key.pub")
case $FP in SHA256:?*) ;; *) e2e_fail "no fingerprint for the host key" ;; esac
: > "$KH"

# wizard [KEY [DIALOG]]: start, walk until the dialog shows.
wizard() {
	e2e_start -e HOME="$E2E_DIR/home" -e SSH_AUTH_SOCK= -- \
		--scenario aks-reach-node-dns --ssh-node 127.0.0.1 \
		--ssh-port "$P" --ssh-user root --ssh-key "${1:-$K}" \
		--known-hosts "$KH" --ssh-config none
	e2e_wait "What cannot pull its image?"
	e2e_choose "An AKS cluster"
	# The walk stops at the check that asks the node.
	n=0
	while ! e2e_screen | grep -qF "${2:-Unknown host key}"; do
		[ $n -lt 40 ] || e2e_fail "no '${2:-Unknown host key}' dialog on the way to the reach check"
		e2e_screen | grep -qF "1) " && e2e_keys Enter
		sleep 0.2
		n=$((n + 1))
	done
}

# 1. Esc = no.
wizard
e2e_has "Unknown host key"
e2e_has "$FP"
e2e_has "127.0.0.1 (port $P)"
e2e_keys Escape
e2e_wait_gone "Unknown host key"
e2e_wait "Can the nodes reach the registry?"
e2e_wait "[UNKNOWN]"
e2e_wait "not trusted"
[ ! -s "$KH" ] || e2e_fail "known_hosts was written after no"
[ ! -s "$S/commands.log" ] || e2e_fail "a command reached the node after no"
e2e_quit
e2e_stop

# 2. y = trusted this time: the node is asked (nslookup), known_hosts
# stays empty.
wizard
e2e_has "$FP"
e2e_keys y
e2e_wait_gone "Unknown host key"
n=0
while [ ! -s "$S/commands.log" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
grep -q "nslookup" "$S/commands.log" || e2e_fail "the node was not asked after yes"
[ ! -s "$KH" ] || e2e_fail "known_hosts was written after 'this time'"
e2e_quit
e2e_stop

# 3. s = trusted and saved: known_hosts gets the key.
wizard
e2e_keys s
e2e_wait_gone "Unknown host key"
n=0
while [ ! -s "$KH" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
grep -qF "$(cut -d' ' -f2 "$S/host_key.pub")" "$KH" || e2e_fail "the key was not saved"
e2e_quit
e2e_stop

# 4. An encrypted key: the passphrase dialog (the host is known now).
# What is typed is never shown; Enter uses it and the node is asked.
ssh-keygen -q -t ed25519 -N 'tr0ub4dor&3' -C enc -f "$K.enc"
cat "$K.enc.pub" > "$S/authorized_keys"
: > "$S/commands.log"
wizard "$K.enc" "Key passphrase"
e2e_has "$K.enc"
e2e_text 'tr0ub4dor&3'
e2e_wait "[typed]"
e2e_lacks 'tr0ub4dor'
e2e_keys Enter
e2e_wait_gone "Key passphrase"
n=0
while [ ! -s "$S/commands.log" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
grep -q "nslookup" "$S/commands.log" || e2e_fail "the node was not asked with the passphrase"
e2e_quit
e2e_stop

# 5. Esc skips the encrypted key: no key left, the check says unknown.
: > "$S/commands.log"
wizard "$K.enc" "Key passphrase"
e2e_keys Escape
e2e_wait_gone "Key passphrase"
e2e_wait "[UNKNOWN]"
[ ! -s "$S/commands.log" ] || e2e_fail "a command reached the node without a key"
e2e_quit
e2e_pass
