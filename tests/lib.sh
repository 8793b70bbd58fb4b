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
# Skips say why. Two kinds, told apart by the runner (tests/run.sh):
#   t_skip NAME REASON     something this check needs is missing here (a package, root, a
#                          kernel feature): with NWIT_REQUIRE=1 the runner counts it failed
#   t_skip_na NAME REASON  the check does not apply to what this run tests (a mode, a
#                          transport): printed "# SKIP [n/a] REASON", never a failure, listed
#                          by the runner so that a reviewer sees every one
t_skip() { _t_num=$((_t_num + 1)); echo "ok $_t_num - $1 # SKIP $2"; }
t_skip_na() { _t_num=$((_t_num + 1)); echo "ok $_t_num - $1 # SKIP [n/a] $2"; }
#   t_skip_bug NAME ISSUE REASON  a check parked because of a known bug of this project, still
#                          open as issue ISSUE: printed "# SKIP [known-bug #ISSUE] REASON";
#                          the runner lists every one at the end, even with NWIT_REQUIRE=1
t_skip_bug() { _t_num=$((_t_num + 1)); echo "ok $_t_num - $1 # SKIP [known-bug #$2] $3"; }

# t_nwitd_stop_clean PID LOG: SIGTERM to nwitd (PID must be nwitd itself, not a wrapper
# that the signal would stop instead); it must exit within 5 s (else it gets SIGKILL and
# the check fails), with status 0 when it is this shell's child, and leave no sanitizer
# report in its log (the ASan build reports leaks at exit)
t_nwitd_stop_clean() {
	local pid=$1 log=$2 rc=0 why="" comm
	comm=$(cat "/proc/$pid/comm" 2>/dev/null)
	if [ "$comm" != nwitd ]; then
		t_fail "nwitd stops cleanly" "pid $pid is ${comm:-not running}, not nwitd: cannot stop it"
		return 0
	fi
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		why="nwitd (pid $pid) still ran 5 s after SIGTERM: killed"
	elif jobs -p | grep -qx "$pid"; then
		wait "$pid"
		rc=$?
		[ "$rc" -ne 0 ] && why="nwitd exited with status $rc after SIGTERM"
	fi
	if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$log"; then
		why="${why:+$why; }sanitizer report: $(grep -A15 'Sanitizer\|runtime error' "$log" | head -40)"
	fi
	if [ -n "$why" ]; then
		t_fail "nwitd stops cleanly" "$why"
	else
		t_pass "nwitd stops cleanly (exits on SIGTERM, no sanitizer report)"
	fi
}

# t_check NAME COMMAND...: passes when the command succeeds.
t_check() {
	local name=$1; shift
	if "$@"; then t_pass "$name"; else t_fail "$name" "command failed: $*"; fi
}

# t_skip_all REASON: the whole script cannot run here (before its first result: a skip
# after results is a failure for the runner). With NWIT_REQUIRE=1 it fails the run.
t_skip_all() { echo "skipped: $1"; exit 77; }

# t_bail NAME [DETAIL]: a step every later check needs failed (a helper does not build, a
# peer does not start): one failed result, and the script ends.
t_bail() { t_fail "$@"; t_done; }

# t_done: the plan (how many results were printed: the runner checks it), and the status.
t_done() { echo "1..$_t_num"; exit "$_t_failed"; }

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
