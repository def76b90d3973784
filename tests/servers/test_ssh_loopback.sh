#!/bin/bash
# test_ssh_loopback.sh - the SSH connection against real OpenSSH servers on
# 127.0.0.1: host keys (known, hashed, saved, unknown, changed), keys
# (file, encrypted, wrong, agent), a refused port, a silent server
# (timeout, cancel), jump hosts, direct-tcpip, hostile names.
# Nothing leaves loopback: no name is ever resolved on the "node" here.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
. "$HERE/sshd.sh"
DRIVE=${SSHPROBE_DRIVE:-$PWD/servers/sshprobe_drive}
need_cmd "$SSHD" ssh-keygen ssh-keyscan ssh-agent ssh-add python3 "$DRIVE"

T=$(mktemp -d /tmp/acrd-ssh-lo.XXXXXX)
AGENT_PID=""
SILENT_PID=""
cleanup() {
	stop_sshd "$T/a"
	stop_sshd "$T/b"
	stop_sshd "$T/c"
	[ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null
	[ -n "$SILENT_PID" ] && kill "$SILENT_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export HOME=$T/home
mkdir -p "$HOME/.ssh"
unset SSH_AUTH_SOCK

K=$T/keys
mkdir -p "$K"
ssh-keygen -q -t ed25519 -N '' -C plain -f "$K/plain"
ssh-keygen -q -t ed25519 -N 'correct horse' -C enc -f "$K/enc"
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$K/wrong"
ssh-keygen -q -t ed25519 -N '' -C agent -f "$K/agent"
ssh-keygen -q -t rsa -b 2048 -N '' -C other-host -f "$K/other_host"
echo 'correct horse' > "$K/pass.good"
echo 'wrong horse' > "$K/pass.bad"

PA=$(freeport)
PB=$(freeport)
for d in a b; do
	mkdir -p "$T/$d"
	cat "$K/plain.pub" "$K/enc.pub" "$K/agent.pub" > "$T/$d/authorized_keys"
done
# sshd a never runs a command: it only records what it was asked (so a
# name that slipped through would show here, and could not resolve
# anything or touch anything).
start_sshd "$T/a" "$PA" 127.0.0.1 "" \
	"ForceCommand printf '%s\\n' \"\$SSH_ORIGINAL_COMMAND\" >> $T/a/commands.log" ||
	fail "sshd a did not start"
SSHD_LOGLEVEL=DEBUG1 start_sshd "$T/b" "$PB" 127.0.0.1 || fail "sshd b did not start"
KH=$T/known_hosts
cat "$T/a/known_hosts.line" "$T/b/known_hosts.line" > "$KH"
FPA=$(fingerprint "$T/a/host_key.pub")
[ -n "$FPA" ] || fail "no fingerprint"

run() { "$DRIVE" --ssh-config none --ssh-user root "$@" 2>&1; }
BASE=(--ssh-node 127.0.0.1 --ssh-port "$PA")

# --- a known host, a plain key; the TCP test from the "node"
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$KH" connect \
	tcp 127.0.0.1 "$PB" tcp 127.0.0.1 "$(freeport)")
expect "connect with a key file" "$out" "^connected root@127.0.0.1:$PA$"
expect "equivalent ssh command" "$out" "^cmdline ssh -p $PA root@127.0.0.1$"
expect "equivalent nslookup" "$out" "^command ssh -p $PA root@127.0.0.1 nslookup acrshop.azurecr.io$"
expect "equivalent nc -vz" "$out" "^command ssh -p $PA root@127.0.0.1 nc -vz -w 5 10.10.1.5 443$"
expect "no equivalent command for a bad name" "$out" "^command \[\]$"
expect "direct-tcpip to a listening port: open" "$out" "^tcp 127.0.0.1:$PB open"
expect "direct-tcpip to a closed port: refused" "$out" "^tcp 127.0.0.1:[0-9]+ refused"

# --- unknown host: never trusted without a question
: > "$T/kh.empty"
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.empty" --no-ask connect)
expect "unknown host, no callback: refused" "$out" "^error code=access denied .*detail=hostkey-unknown"
expect_fixed "unknown host: the message shows the fingerprint" "$out" "$FPA"
expect_not "unknown host: nothing written" "$(cat "$T/kh.empty")" "."
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.empty" --trust no connect)
expect_fixed "unknown host: asked with the fingerprint" "$out" "ask 127.0.0.1 $PA ssh-ed25519 $FPA"
expect "unknown host, answer no: not connected" "$out" "detail=hostkey-unknown"
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.empty" --trust once connect)
expect "unknown host, answer once: connected" "$out" "^connected"
expect_not "unknown host, once: not saved" "$(cat "$T/kh.empty")" "."
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.empty" --trust save connect)
expect "unknown host, answer save: connected" "$out" "^connected"
out=$(ssh-keygen -F "[127.0.0.1]:$PA" -f "$T/kh.empty" 2>&1)
expect "saved line is one OpenSSH finds" "$out" "ssh-ed25519"
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.empty" --no-ask connect)
expect "saved host is known next time" "$out" "^connected"

# --- the same questions through the UI-thread bridge (as the wizard asks)
: > "$T/kh.ui"
out=$(run "${BASE[@]}" --ssh-key "$K/enc" --known-hosts "$T/kh.ui" --trust save \
	--passphrase-file "$K/pass.good" --ui-thread connect)
expect_fixed "ui thread: host key question" "$out" "ui-ask hostkey 127.0.0.1 $PA $FPA"
expect "ui thread: passphrase question" "$out" "^ui-ask passphrase $K/enc$"
expect "ui thread: connected" "$out" "^connected"
expect "ui thread: saved" "$(cat "$T/kh.ui")" "^\[127.0.0.1\]:$PA ssh-ed25519 "

# --- hashed known_hosts (|1|...)
cp "$KH" "$T/kh.hashed"
ssh-keygen -q -H -f "$T/kh.hashed" >/dev/null 2>&1
expect "file is hashed" "$(cat "$T/kh.hashed")" "^\|1\|"
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.hashed" --no-ask connect)
expect "hashed known_hosts entry matches" "$out" "^connected"

# --- changed host key: hard stop with both fingerprints, even with a callback
echo "[127.0.0.1]:$PA $(cut -d' ' -f1,2 "$K/other_host.pub")" > "$T/kh.bad"
echo "[127.0.0.1]:$PA $(cut -d' ' -f1,2 "$K/wrong.pub")" >> "$T/kh.bad"
FPOLD=$(fingerprint "$K/wrong.pub")
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/kh.bad" --trust save connect)
expect "changed host key: stopped" "$out" "detail=hostkey-mismatch"
expect_fixed "changed host key: recorded fingerprint shown" "$out" "records $FPOLD"
expect_fixed "changed host key: offered fingerprint shown" "$out" "offers ssh-ed25519 $FPA"
expect_not "changed host key: no question asked" "$out" "^ask"

# --- an sshd that forbids forwarding: the TCP test cannot run (not "refused")
PC=$(freeport)
mkdir -p "$T/c"
cp "$T/a/authorized_keys" "$T/c/authorized_keys"
SSHD_FORWARDING=no start_sshd "$T/c" "$PC" 127.0.0.1 || fail "sshd c did not start"
out=$(run --ssh-node 127.0.0.1 --ssh-port "$PC" --ssh-key "$K/plain" \
	--known-hosts "$T/c/known_hosts.line" tcp 127.0.0.1 "$PA")
expect "forwarding forbidden: an error, not a result" "$out" \
	"^error code=access denied .*does not allow TCP forwarding"
expect_not "forwarding forbidden: no verdict" "$out" "^tcp "
stop_sshd "$T/c"

# --- refused SSH port
out=$(run --ssh-node 127.0.0.1 --ssh-port "$(freeport)" --ssh-key "$K/plain" --known-hosts "$KH" connect)
expect "refused SSH port" "$out" "^error code=input/output error net=refused"

# --- keys
out=$(run "${BASE[@]}" --ssh-key "$K/wrong" --known-hosts "$KH" connect)
expect "wrong key: denied" "$out" "^error code=access denied net=[a-z]+ detail=auth"
expect "wrong key: says which key" "$out" "$K/wrong: not accepted"
out=$(run "${BASE[@]}" --ssh-key "$K/enc" --known-hosts "$KH" --no-ask connect)
expect "encrypted key, no prompt: denied" "$out" "encrypted, and no passphrase can be asked here"
out=$(run "${BASE[@]}" --ssh-key "$K/enc" --known-hosts "$KH" --passphrase-file "$K/pass.good" connect)
expect "encrypted key with its passphrase" "$out" "^connected"
out=$(run "${BASE[@]}" --ssh-key "$K/enc" --known-hosts "$KH" --passphrase-file "$K/pass.bad" connect)
expect "encrypted key, wrong passphrase" "$out" "wrong passphrase"
expect_not "the passphrase is never shown" "$out" "horse"
out=$(run "${BASE[@]}" --ssh-key "$K/wrong" --ssh-key "$K/plain" --known-hosts "$KH" connect)
expect "second key after a refused one" "$out" "^connected"
cp "$K/plain" "$HOME/.ssh/id_ed25519"
out=$(run "${BASE[@]}" --known-hosts "$KH" connect)
expect "default key ~/.ssh/id_ed25519" "$out" "^connected"
rm -f "$HOME/.ssh/id_ed25519"

# --- ssh-agent first: the agent's key is in no file the probe reads
eval "$(ssh-agent -s -a "$T/agent.sock")" >/dev/null
AGENT_PID=$SSH_AGENT_PID
ssh-add -q "$K/agent" 2>/dev/null
out=$(run "${BASE[@]}" --known-hosts "$KH" connect)
expect "ssh-agent key" "$out" "^connected"
grep -qF "ED25519 $(fingerprint "$K/agent.pub")" "$T/a/sshd.log"
expect "sshd accepted the agent's key" "$?" "^0$"
kill "$AGENT_PID"; AGENT_PID=""
unset SSH_AUTH_SOCK SSH_AGENT_PID
out=$(run "${BASE[@]}" --known-hosts "$KH" connect)
expect "no agent, no key: denied and says so" "$out" "no ssh-agent and no key file"

# --- ~/.ssh/config: Host pattern, HostName, Port, User, IdentityFile, ProxyJump
cat > "$HOME/.ssh/config" <<CFG
Host lab-node-*
  HostName 127.0.0.1
  Port $PA
  User root
  IdentityFile $K/plain
  ProxyJump root@127.0.0.1:$PB
# the jump host's own block (a hop gets its own keys, as with ssh -J)
Host 127.0.0.1
  IdentityFile $K/plain
Host *
  User nobody
CFG
out=$("$DRIVE" --ssh-node lab-node-7 --known-hosts "$KH" connect 2>&1)
expect "config: alias with ProxyJump" "$out" "^connected root@127.0.0.1:$PA via root@127.0.0.1$"
expect "config: jump host really used" "$(cat "$T/b/sshd.log")" "server_request_direct_tcpip: .*target 127.0.0.1 port $PA"
out=$("$DRIVE" --ssh-node lab-node-7 --ssh-jump none --known-hosts "$KH" connect 2>&1)
expect "--ssh-jump none overrides ProxyJump" "$out" "^connected root@127.0.0.1:$PA$"
rm -f "$HOME/.ssh/config"

# --- two jump hops, then a TCP test through them
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$KH" \
	--ssh-jump "root@127.0.0.1:$PB,root@127.0.0.1:$PB" connect tcp 127.0.0.1 "$PB")
expect "two jump hosts" "$out" "^connected root@127.0.0.1:$PA via root@127.0.0.1,root@127.0.0.1$"
expect "two jump hosts: equivalent command" "$out" "^cmdline ssh -J root@127.0.0.1:$PB,root@127.0.0.1:$PB -p $PA root@127.0.0.1$"
expect "two jump hosts: tcp" "$out" "^tcp 127.0.0.1:$PB open"
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$T/a/known_hosts.line" \
	--ssh-jump "root@127.0.0.1:$PB" --no-ask connect)
expect "jump host's key is checked too" "$out" "detail=hostkey-unknown msg=\\[127.0.0.1\\]:$PB is not in"

# --- hostile names never reach the node's shell
before=$(grep -c "Starting session" "$T/a/sshd.log")
for name in "x;touch /tmp/pwned" "\$(touch /tmp/pwned)" "\`touch /tmp/pwned\`" \
	"x'y" 'x"y' "$(printf 'x\ntouch /tmp/pwned')" "-x" \
	"$(printf 'a%.0s' $(seq 1 300))"; do
	out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$KH" resolve "$name")
	expect "hostile name refused: $(printf '%.20s' "$name" | tr '\n' ' ')" "$out" "^error code=invalid argument"
done
out=$(run "${BASE[@]}" --ssh-key "$K/plain" --known-hosts "$KH" tcp '10.0.0.1;id' 443)
expect "hostile tcp target refused" "$out" "^error code=invalid argument"
after=$(grep -c "Starting session" "$T/a/sshd.log")
expect "no session was opened" "$before $after" "^([0-9]+) \1$"
expect_not "no command reached sshd" "$(cat "$T/a/commands.log" 2>/dev/null)" "."

# --- a server that accepts TCP and never speaks SSH: bounded, cancellable
PS=$(freeport)
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $PS)); s.listen(8)
open('$T/silent.ready', 'w').close()
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
" &
SILENT_PID=$!
wait_cmd 10 test -e "$T/silent.ready" || fail "silent server"
out=$(run --ssh-node 127.0.0.1 --ssh-port "$PS" --ssh-key "$K/plain" --known-hosts "$KH" \
	--connect-timeout-ms 1500 connect)
expect "silent server: timed out" "$out" "^error code=timed out net=timeout .*within 2 s"
ms=$(printf '%s\n' "$out" | sed -n 's/^elapsed ms=//p')
expect "silent server: within the stated limit" "$ms" "^1[5-9][0-9][0-9]$"
out=$(run --ssh-node 127.0.0.1 --ssh-port "$PS" --ssh-key "$K/plain" --known-hosts "$KH" \
	--cancel-after-ms 300 connect)
expect "cancel while connecting" "$out" "^error code=cancelled"
ms=$(printf '%s\n' "$out" | sed -n 's/^elapsed ms=//p')
[ "${ms:-99999}" -lt 1000 ]
expect "cancel seen within 1 s (${ms} ms)" "$?" "^0$"

# --- diagnose: the options are checked before anything is sent
if [ -x "${ACR_DOCTOR:-}" ]; then
	out=$("$ACR_DOCTOR" diagnose --scenario aks-healthy --ssh-user root 2>&1; echo "rc=$?")
	expect "--ssh-user without --ssh-node is a usage error" "$out" "need --ssh-node|^rc=2$"
	expect "  ... exit status 2" "$out" "^rc=2$"
	out=$("$ACR_DOCTOR" diagnose --scenario aks-healthy --ssh-node 10.0.0.4 --ssh-port 0 2>&1; echo "rc=$?")
	expect "bad --ssh-port is a usage error" "$out" "^rc=2$"
	out=$("$ACR_DOCTOR" --help)
	expect "--help lists the SSH options" "$out" "--ssh-node HOST.*"
	expect "--help lists --known-hosts" "$out" "--known-hosts FILE"
fi

# --- memory: a jump, a TCP test, a host-key save, an encrypted key, under valgrind
# (valgrind cannot run a binary built with AddressSanitizer; the sanitizers
# check that build instead)
if command -v valgrind >/dev/null 2>&1 && ! grep -q __asan_init "$DRIVE"; then
	: > "$T/kh.vg"
	cat "$T/b/known_hosts.line" > "$T/kh.vg"
	out=$(valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$DRIVE" --ssh-config none --ssh-user root "${BASE[@]}" --ssh-key "$K/wrong" \
		--ssh-key "$K/enc" --passphrase-file "$K/pass.good" --known-hosts "$T/kh.vg" \
		--trust save --ssh-jump "root@127.0.0.1:$PB" connect tcp 127.0.0.1 "$PB" \
		resolve 'bad;name' 2>&1)
	rc=$?
	expect "valgrind: every action ran, the bad name refused" "$rc" "^1$"
	expect "valgrind: through the jump host" "$out" "^tcp 127.0.0.1:$PB open"
	expect_not "valgrind: no errors" "$out" "==[0-9]+=="
fi

finish
