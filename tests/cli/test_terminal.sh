#!/bin/sh
# What a scenario file or a server says reaches the terminal without its
# control sequences: diagnose's text output prints the file's summary and
# the checks' summaries, explain prints the message's evidence.
. "$(dirname "$0")/lib.sh"

# ESC [2J (clear), OSC 52 (clipboard write), OSC 0 (title), BEL, an 8-bit
# CSI, a bidi override, DEL, and a newline that would forge a line.
hostile='\u001b[2J\u001b]52;c;ZXZpbA==\u0007\u001b]0;pwned\u001b\\\\\u009b2J\u202eX\u007f\nFORGED: healthy'
cat >"$TMPD/hostile.json" <<JSON
{"format": "acr-doctor-scenario/1", "name": "hostile-summary", "base": "aks-healthy",
 "summary": "Summary $hostile",
 "notes": "Notes $hostile",
 "expect": {"cause": null, "failing": []}}
JSON
"$AD" diagnose --scenario "$TMPD/hostile.json" >"$TMPD/out" 2>"$TMPD/err"
[ $? -eq 0 ] && ok || { bad "diagnose hostile-summary: exit status"; cat "$TMPD/err"; }
contains "$TMPD/out" "Summary" "diagnose prints the summary"
contains "$TMPD/out" "FORGED: healthy" "the summary's words stay"
if LC_ALL=C grep -q "$(printf '[\033\007\177]')" "$TMPD/out"; then
	bad "diagnose: a control character reached the terminal"
	od -c "$TMPD/out" | head -5
else ok; fi
if LC_ALL=C grep -q "$(printf '\302\233')" "$TMPD/out"; then bad "diagnose: 8-bit CSI"; else ok; fi
if grep -q "$(printf '\342\200\256')" "$TMPD/out"; then bad "diagnose: bidi override"; else ok; fi
# the forged line does not start a line of its own
if grep -q '^FORGED' "$TMPD/out"; then bad "diagnose: the summary's newline forged a line"; else ok; fi
lacks "$TMPD/out" "52;c;" "diagnose: OSC 52"

"$AD" explain "$(printf 'Failed to pull image: \033]52;c;ZXZpbA==\007\033[2J401 Unauthorized\033[0m')" >"$TMPD/out" 2>&1
if LC_ALL=C grep -q "$(printf '[\033\007]')" "$TMPD/out"; then bad "explain: a control character reached the terminal"; else ok; fi
contains "$TMPD/out" "401 Unauthorized" "explain shows the evidence"
finish
