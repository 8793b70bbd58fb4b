# Sourced by the IMS registration tests after tests/lib.sh and t_tmpdir: nwitd and its
# P-CSCF peer (Kamailio, sipp or a script) in a network namespace of their own, loopback
# only, removed at exit with everything still running in it.
#
#   ims_ns_up TAG        NS=TAG$$ created with lo up (the test is skipped when it cannot be)
#   in_ns CMD...         CMD inside NS (nsenter: /sys/fs/bpf stays mounted)
#   nwitd_start NAME     nwitd -f $T/NAME.conf -v inside NS, log $T/NAME.log; sets SOCK and
#                        NWITD_PID; true once the control socket exists
#   nwitd_stop           SIGTERM, wait; returns nwitd's exit status
#   ims KEY[.KEY...]     a field of the ims section of `nwitctl -j status` (lists and
#                        objects as JSON)
#   stat NAME            a counter of `nwitctl -j stats`
#   state_is STATE       the registration state is STATE
# IMS_NS_BEFORE_DOWN: a command run at exit before everything in NS is killed.

NWITD_PID=""
ims_ns_down() {
	[ -n "$NWITD_PID" ] && kill -KILL "$NWITD_PID" 2>/dev/null
	[ -n "${IMS_NS_BEFORE_DOWN:-}" ] && eval "$IMS_NS_BEFORE_DOWN"
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	true
}
ims_ns_up() {
	NS="$1$$"
	ip netns add "$NS" || t_skip_all "cannot create a network namespace"
	ip -n "$NS" link set lo up
	t_on_exit ims_ns_down
	[ -n "${NWIT_KEEP_LOGS:-}" ] && t_on_exit "mkdir -p \"$NWIT_KEEP_LOGS\" && cp -r \"$T\"/. \"$NWIT_KEEP_LOGS\"/"
	true
}
in_ns() { nsenter --net="/var/run/netns/$NS" -- "$@"; }
nwitd_start() {
	SOCK="$T/$1.sock"
	# nsenter execs nwitd (no fork for a network namespace): $! is nwitd's pid
	nsenter --net="/var/run/netns/$NS" -- "$NWITD" -f "$T/$1.conf" -v >"$T/$1.log" 2>&1 &
	NWITD_PID=$!
	wait_for 5 test -S "$SOCK"
}
nwitd_stop() {
	local rc
	kill -TERM "$NWITD_PID" 2>/dev/null
	wait "$NWITD_PID"
	rc=$?
	NWITD_PID=""
	return "$rc"
}
ims() { "$NWITCTL" -s "$SOCK" -j status 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin).get("ims", {})
for k in sys.argv[1].split("."): v = v.get(k) if isinstance(v, dict) else None
print(json.dumps(v) if isinstance(v, (list, dict)) else v)' "$1" 2>/dev/null; }
stat() { "$NWITCTL" -s "$SOCK" -j stats 2>/dev/null | python3 -c '
import json, sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1" 2>/dev/null; }
state_is() { [ "$(ims state)" = "$1" ]; }
