#!/bin/sh
# Lines are drawn with Unicode box characters in a UTF-8 locale, so they
# show whatever the terminal's alternate character set does: inside tmux
# with TERM=xterm-256color (whose terminfo switches no ACS there) the
# separator and the dialog frame are still lines, not "qqqq" and "lqk".
# In a non-UTF-8 locale the alternate character set is used.
. "$(dirname "$0")/lib.sh"
e2e_init

lines_ok() {
	scr=$(e2e_screen)
	printf '%s\n' "$scr" | grep -qE '^  ─{20,}' ||
		e2e_fail "$1: no separator line drawn with ─"
	if printf '%s\n' "$scr" | grep -qE 'qqqqqqqq|lq |x  '; then
		e2e_fail "$1: line drawing shows as ACS letters"
	fi
}

e2e_start -s 100x30 -e TERM=xterm-256color --scenario aks-healthy
e2e_wait "What cannot pull its image?"
lines_ok "UTF-8, xterm-256color"
e2e_keys q
e2e_wait "Quit acr-doctor?"
e2e_has "┌─ Quit "
e2e_has "│  Quit acr-doctor?"
e2e_screen | grep -qE '└─{20,}┘' || e2e_fail "no bottom border"
e2e_keys y
e2e_wait_exit
[ "$E2E_STATUS" = 0 ] || e2e_fail "exit status $E2E_STATUS"
e2e_stop

# Not UTF-8: the ACS, which this tmux shows as lines or, where the
# terminal does not switch it, as its letters - either way a full row.
e2e_start -s 100x30 -e LC_ALL=C -e TERM=screen-256color --scenario aks-healthy
e2e_wait "What cannot pull its image?"
e2e_screen | grep -qE '^  (─{20,}|q{20,})' ||
	e2e_fail "C locale: no separator drawn with the alternate character set"
e2e_quit
e2e_pass
