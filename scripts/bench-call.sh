#!/usr/bin/env bash
# Call benchmark in the lab: one browser -> IMS call of SECONDS (default 60) with the
# fast path loaded and one with the userspace relay, side by side. Prints the setup
# latency nwitd adds (app INVITE in -> IMS INVITE out, IMS 200 in -> app 200 out, from
# the call timeline) and nwitd's CPU time, context switches and relay counters during
# the call. Needs root, the lab's packages and tests/e2e's npm packages.
#
#   scripts/bench-call.sh [--build DIR] [SECONDS]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
[ "${1:-}" = --build ] && { build=$(cd "$2" && pwd); shift 2; }
secs=${1:-60}
export NWIT_BUILD="$build" NWIT_LAB_PREFIX="nwb$$-" NWIT_LAB_RUN="/tmp/nwit-bench-call.$$"
lab="$top/scripts/lab.sh"
ims="$top/scripts/lab/ims.sh"
webapp="$top/scripts/lab/webapp.sh"
run=$NWIT_LAB_RUN
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	"$webapp" stop >/dev/null 2>&1 || true
	"$ims" stop >/dev/null 2>&1 || true
	"$lab" down >/dev/null 2>&1 || true
	rm -rf "$run"
}
trap cleanup EXIT

"$lab" up >/dev/null
mkdir -p "$run/state"
"$ims" core-start >/dev/null
"$ims" ue-start bob 5070 1000 >/dev/null
"$webapp" token >/dev/null
"$webapp" serve >/dev/null
"$lab" exec ue sysctl -qw net.ipv4.conf.lan0.forwarding=1 net.ipv4.conf.lte0.forwarding=1
"$lab" exec ue nft -f - <<'NFT'
table inet nwit_lab_noforward {
	chain forward { type filter hook forward priority 0; policy drop; }
}
NFT

cpu() { # utime+stime in clock ticks, voluntary+involuntary context switches
	awk '{ print $14 + $15 }' "/proc/$1/stat"
	awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$1/status"
}

printf '%-16s %12s %12s %10s %10s %12s %12s\n' mode "invite_us" "200_us" "cpu_ms" "ctxsw" \
	"rtp_relayed" "rtp_kernel"
for mode in auto off; do
	sed -e "s|@RUN@|$run|g" -e "s|@BUILD@|$build|g" -e "s|^mode = .*|mode = $mode|" \
		-e "s|^pin_path = .*|pin_path = /sys/fs/bpf/nwb$$|" -e "s|^log_level = .*|log_level = warn|" \
		"$top/scripts/lab/nwit.conf.in" >"$run/nwit.conf"
	rm -f "$run/nwitd.sock"
	nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ue" -- "$build/nwitd" -f "$run/nwit.conf" \
		2>"$run/nwitd-$mode.log" &
	pid=$!
	for _ in $(seq 1 100); do
		"$build/nwitctl" -s "$run/nwitd.sock" -j status 2>/dev/null | grep -q '"registered"' && break
		sleep 0.1
	done
	read -r t0 c0 < <(cpu "$pid" | paste -sd ' ')
	CALL_SECONDS=$secs "$webapp" drive out >"$run/drive-$mode.log" 2>&1 || true
	read -r t1 c1 < <(cpu "$pid" | paste -sd ' ')
	"$build/nwitctl" -s "$run/nwitd.sock" -j status | python3 -c '
import json, sys
mode, ticks, ctx = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
c = json.load(sys.stdin)["calls"]["ended"][-1]
t = {e["event"].split(" (")[0]: e["us"] for e in c["timeline"]}
inv = [v for k, v in t.items() if k.startswith("IMS INVITE sent")][0] - \
      [v for k, v in t.items() if k.startswith("app ") and "INVITE" in k][0]
ok = t["app 200 OK sent"] - t["IMS 200 OK, ACK sent"]
m = c["media"]
fp = m.get("fastpath") or {}
kern = sum((fp.get(d) or {}).get("packets", 0) for d in ("from_browser", "from_ims"))
rel = m.get("rtp_relayed_from_browser", 0) + m.get("rtp_relayed_from_ims", 0)
print("%-16s %12d %12d %10d %10d %12d %12d" % (mode, inv, ok, ticks * 1000 // 100, ctx, rel, kern))
' "$( [ "$mode" = auto ] && echo fastpath || echo userspace-relay)" $((t1 - t0)) $((c1 - c0))
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
done
echo "(call of ${secs} s plus setup; CPU and context switches of nwitd over the whole drive)"
