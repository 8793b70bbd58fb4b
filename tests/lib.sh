# Shared helpers for the shell tests (sourced). They print TAP lines the runner reads.
# shellcheck shell=bash

: "${NWIT_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${NWIT_BUILD:=$NWIT_TOP/build}"
NWITD=$NWIT_BUILD/nwitd
NWITCTL=$NWIT_BUILD/nwitctl

_t_num=0
_t_failed=0

t_pass() { _t_num=$((_t_num + 1)); echo "ok $_t_num - $1"; }
t_fail() { _t_num=$((_t_num + 1)); _t_failed=1; echo "not ok $_t_num - $1"; [ -n "${2:-}" ] && echo "# $2"; return 0; }
t_skip() { _t_num=$((_t_num + 1)); echo "ok $_t_num - $1 # SKIP $2"; }

# t_nwitd_stop_clean PID LOG: SIGTERM to nwitd, up to 5 s to exit, then a check that its
# log holds no sanitizer report (the ASan build reports leaks at exit)
t_nwitd_stop_clean() {
	local pid=$1 log=$2
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$log"; then
		t_fail "nwitd stops cleanly" "$(grep -A15 'Sanitizer\|runtime error' "$log" | head -40)"
	else
		t_pass "nwitd stops cleanly (no sanitizer report)"
	fi
}

# t_check NAME COMMAND...: passes when the command succeeds.
t_check() {
	local name=$1; shift
	if "$@"; then t_pass "$name"; else t_fail "$name" "command failed: $*"; fi
}

# t_skip_all REASON: the whole script cannot run here.
t_skip_all() { echo "skipped: $1"; exit 77; }

t_done() { exit "$_t_failed"; }

# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
	local deadline=$((SECONDS + $1)); shift
	until "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

# A scratch directory removed at exit.
t_tmpdir() {
	T=$(mktemp -d /tmp/nwit-test.XXXXXX)
	trap 't_cleanup' EXIT
}

_t_cleanups=()
t_on_exit() { _t_cleanups+=("$*"); }
t_cleanup() {
	local i
	for ((i = ${#_t_cleanups[@]} - 1; i >= 0; i--)); do eval "${_t_cleanups[$i]}" || true; done
	[ -n "${T:-}" ] && rm -rf "$T"
}
