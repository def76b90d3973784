# lib.sh - drive the wizard in a private tmux server and read its screen.
#
# Sourced by tests/e2e/test_*.sh.  Each test gets its own tmux socket
# (tmux -L adtest$$), its own temporary directory as working directory,
# and kills both on exit.  Waits poll the screen every 0.1 s for up to
# E2E_TIMEOUT seconds (default 10): no fixed sleeps.
#
#   e2e_init                       skip (77) without tmux; fail without the binary
#   e2e_start [-s WxH] [-e VAR=value]... [--] ARGS...
#   e2e_keys KEY...                tmux key names: Enter Escape Down BSpace...
#   e2e_text TEXT                  literal text (as if pasted)
#   e2e_screen                     print the screen
#   e2e_wait TEXT                  until TEXT is on the screen
#   e2e_wait_gone TEXT             until it is not
#   e2e_has TEXT / e2e_lacks TEXT  assert now
#   e2e_choose TEXT                press the number of the item "N) ...TEXT..."
#   e2e_resize W H                 resize the window
#   e2e_wait_exit                  until the program ended; sets E2E_STATUS
#   e2e_quit                       q, confirm with y, require exit status 0
#   e2e_stop                       kill the program and its tmux server
#   e2e_fail MESSAGE               print the message and the screen, exit 1

E2E_TIMEOUT=${E2E_TIMEOUT:-10}
e2e_name=$(basename "$0" .sh)
e2e_here=$(cd "$(dirname "$0")" && pwd)
builddir=${builddir:-$(cd "$e2e_here/../.." && pwd)}
ACR_DOCTOR="${ACR_DOCTOR:-$builddir/src/acr-doctor}"
E2E_SOCK="adtest$$"
E2E_TARGET="e2e:0.0"
E2E_DIR=
E2E_STATUS=

e2e_tmux() {
	tmux -L "$E2E_SOCK" -f /dev/null "$@"
}

# Stop the program and its tmux server (to start another one).
e2e_stop() {
	e2e_tmux kill-server >/dev/null 2>&1
	n=50
	while [ $n -gt 0 ] && e2e_tmux list-sessions >/dev/null 2>&1; do
		sleep 0.1
		n=$((n - 1))
	done
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$E2E_SOCK"
}

e2e_cleanup() {
	e2e_stop
	if [ -n "$E2E_DIR" ] && [ -d "$E2E_DIR" ]; then
		rm -rf "$E2E_DIR"
	fi
}

e2e_init() {
	if ! command -v tmux >/dev/null 2>&1; then
		echo "SKIP: $e2e_name: tmux is not installed"
		exit 77
	fi
	if [ ! -x "$ACR_DOCTOR" ]; then
		echo "FAIL: $e2e_name: no acr-doctor binary at $ACR_DOCTOR (set ACR_DOCTOR)"
		exit 99
	fi
	if ! locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
		echo "SKIP: $e2e_name: no C.UTF-8 locale"
		exit 77
	fi
	E2E_DIR=$(mktemp -d "${TMPDIR:-/tmp}/acr-doctor-e2e.XXXXXX") || exit 99
	trap e2e_cleanup EXIT
	trap 'exit 1' INT TERM HUP PIPE
}

e2e_screen() {
	e2e_tmux capture-pane -p -t "$E2E_TARGET" 2>/dev/null
}

e2e_fail() {
	echo "FAIL: $e2e_name: $*"
	echo "----- screen -----"
	e2e_screen
	echo "------------------"
	exit 1
}

# Start the wizard: -s WxH (default 100x30), -e VAR=value (environment),
# then its arguments.  NO_COLOR is unset unless given with -e.
e2e_start() {
	size=100x30
	envs="LC_ALL=C.UTF-8 TERM=screen-256color"
	while [ $# -gt 0 ]; do
		case $1 in
		-s) size=$2; shift 2 ;;
		-e) envs="$envs $2"; shift 2 ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	w=${size%x*}
	h=${size#*x}
	cmd="env -u NO_COLOR $envs '$ACR_DOCTOR'"
	for a in "$@"; do
		cmd="$cmd '$a'"
	done
	# Keep the pane after the program ends, to read its exit status.
	e2e_tmux new-session -d -s e2e -x "$w" -y "$h" -c "$E2E_DIR" \
		"$cmd; echo \"[exited \$?]\"; sleep 600" ||
		e2e_fail "cannot start tmux"
	e2e_tmux set-option -t e2e -g status off >/dev/null 2>&1
}

e2e_keys() {
	e2e_tmux send-keys -t "$E2E_TARGET" "$@"
}

e2e_text() {
	e2e_tmux send-keys -t "$E2E_TARGET" -l "$1"
}

e2e_has() {
	e2e_screen | grep -qF -- "$1" || e2e_fail "expected '$1' on the screen"
}

e2e_lacks() {
	if e2e_screen | grep -qF -- "$1"; then
		e2e_fail "did not expect '$1' on the screen"
	fi
}

# Poll every 0.1 s until the screen contains $1.
e2e_wait() {
	n=$((E2E_TIMEOUT * 10))
	while [ $n -gt 0 ]; do
		if e2e_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	e2e_fail "waited ${E2E_TIMEOUT}s for '$1'"
}

e2e_wait_gone() {
	n=$((E2E_TIMEOUT * 10))
	while [ $n -gt 0 ]; do
		if ! e2e_screen | grep -qF -- "$1"; then
			return 0
		fi
		sleep 0.1
		n=$((n - 1))
	done
	e2e_fail "waited ${E2E_TIMEOUT}s for '$1' to go away"
}

# Press the number of the menu item whose text contains $1.
e2e_choose() {
	e2e_wait "$1"
	num=$(e2e_screen | grep -F -- "$1" |
		sed -n 's/^[ >]*\([1-9]\)) .*/\1/p' | head -n 1)
	[ -n "$num" ] || e2e_fail "no menu item '$1'"
	e2e_keys "$num"
}

e2e_resize() {
	e2e_tmux resize-window -t e2e -x "$1" -y "$2" ||
		e2e_fail "cannot resize to $1x$2"
}

e2e_wait_exit() {
	e2e_wait "[exited "
	E2E_STATUS=$(e2e_screen | sed -n 's/.*\[exited \([0-9]*\)\].*/\1/p' | tail -n 1)
}

# Quit the way a user does and require a clean exit.
e2e_quit() {
	e2e_keys q
	e2e_wait "Quit acr-doctor?"
	e2e_keys y
	e2e_wait_exit
	[ "$E2E_STATUS" = 0 ] || e2e_fail "exit status $E2E_STATUS"
}

# The screen with its attributes (escape sequences), for color tests.
e2e_screen_attrs() {
	e2e_tmux capture-pane -p -e -t "$E2E_TARGET" 2>/dev/null
}

e2e_pass() {
	echo "PASS: $e2e_name"
	exit 0
}

# The step title line of the node screen ("  Check: ...").
e2e_title() {
	e2e_screen | sed -n '2p'
}

# Is the node screen in $1 (one capture) idle: its menu drawn (item 1),
# no check running, the key bar on the last line?  A capture taken while
# curses is still drawing can mix two frames; every part is required.
e2e_idle_in() {
	printf '%s\n' "$1" | grep -qE '^ +(> )?1\) ' || return 1
	printf '%s\n' "$1" | grep -qF -e "Running the check..." -e "Esc cancels" &&
		return 1
	printf '%s\n' "$1" | tail -n 1 | grep -qF "Select"
}

# Walk the tree by pressing Enter (the highlighted, suggested item) until
# the step title contains $1.  Before each key the step must be idle, and
# the title is read from that same capture (a second, identical one
# shows the frame was complete).
e2e_walk_to() {
	steps=0
	while [ $steps -lt 40 ]; do
		n=$((E2E_TIMEOUT * 10))
		prev=
		while :; do
			scr=$(e2e_screen)
			# idle, and the same frame twice: not one caught
			# while curses was still drawing it
			e2e_idle_in "$scr" && [ "$scr" = "$prev" ] && break
			prev=$scr
			n=$((n - 1))
			[ $n -gt 0 ] || e2e_fail "the step did not become idle while walking to '$1'"
			sleep 0.1
		done
		title=$(printf '%s\n' "$scr" | sed -n '2p')
		case $title in
		*"$1"*) return 0 ;;
		esac
		e2e_keys Enter
		n=$((E2E_TIMEOUT * 10))
		while [ $n -gt 0 ] && [ "$(e2e_title)" = "$title" ]; do
			sleep 0.1
			n=$((n - 1))
		done
		[ $n -gt 0 ] || e2e_fail "Enter did not leave '$title' while walking to '$1'"
		steps=$((steps + 1))
	done
	e2e_fail "did not reach '$1' in 40 steps"
}

# Wait until the node screen is drawn for W x H: H rows, the key bar on
# the last one, and the separator above the menu W - 6 columns wide.
e2e_wait_size() {
	want=$(($1 - 6))
	n=$((E2E_TIMEOUT * 10))
	while [ $n -gt 0 ]; do
		scr=$(e2e_screen)
		rows=$(printf '%s\n' "$scr" | wc -l)
		sep=$(printf '%s\n' "$scr" | grep '^  ─' |
			awk '{ print gsub(/─/, "") }' | sort -n | tail -n 1)
		last=$(printf '%s\n' "$scr" | tail -n 1)
		if [ "$rows" -eq "$2" ] && [ "${sep:-0}" -eq "$want" ]; then
			case $last in *Select*) return 0 ;; esac
		fi
		sleep 0.1
		n=$((n - 1))
	done
	e2e_fail "not redrawn for $1x$2 (rows $rows, separator ${sep:-none})"
}

# Text of the whole fix dialog: the top, then the end (it may scroll).
# When there is more below (the dialog shows a down arrow), End scrolls
# to the last page: wait until the arrow is gone; Home brings the top
# back: wait until the screen is the first capture again.
e2e_dialog_text() {
	top=$(e2e_screen)
	printf '%s\n' "$top"
	if printf '%s\n' "$top" | grep -qF "▼"; then
		e2e_keys End
		e2e_wait_gone "▼"
		e2e_screen
		e2e_keys Home
		n=$((E2E_TIMEOUT * 10))
		while [ $n -gt 0 ] && [ "$(e2e_screen)" != "$top" ]; do
			sleep 0.1
			n=$((n - 1))
		done
		[ $n -gt 0 ] || e2e_fail "Home did not bring the dialog's top back"
	fi
}

# The page of the fix dialog in a capture: its step lines.
e2e_dialog_page() {
	printf '%s\n' "$1" | grep -E "Step [0-9]+ of [0-9]+|Change [0-9]+ of [0-9]+"
}

# Answer y to every page of the fix dialog until it closes.  After each
# y, one capture must show the next page ready ([y/N], another step) or
# the dialog closed, and in neither case a change still being applied.
e2e_confirm_all() {
	pages=0
	scr=$(e2e_screen)
	while printf '%s\n' "$scr" | grep -qF "[y/N]"; do
		page=$(e2e_dialog_page "$scr")
		e2e_keys y
		n=$((E2E_TIMEOUT * 10))
		while :; do
			scr=$(e2e_screen)
			if ! printf '%s\n' "$scr" | grep -qF "Applying the change"; then
				printf '%s\n' "$scr" | grep -qF "[y/N]" || break
				[ "$(e2e_dialog_page "$scr")" != "$page" ] && break
			fi
			n=$((n - 1))
			[ $n -gt 0 ] || e2e_fail "y did not apply the page"
			sleep 0.1
		done
		pages=$((pages + 1))
		[ $pages -lt 10 ] || e2e_fail "the fix dialog does not close"
	done
}
