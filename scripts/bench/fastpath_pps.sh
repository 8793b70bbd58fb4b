#!/usr/bin/env bash
# Forwarded packets per CPU-second on veth: the BPF fast path (XDP) against the userspace
# relay (nwitd with [fastpath] mode = off) on the same traffic, side by side in one run,
# at 172 B and 1200 B (RTP size), both directions:
#
#   browser (b0) -- (g0) gateway (g1) -- (i0) ims      (tests/netns/fastpath_lib.sh)
#   s2r: SRTP from browser -> RTP to ims   (flow 1, srtp-to-rtp)
#   r2s: RTP from ims -> SRTP to browser   (flow 2, rtp-to-srtp)
#
# srtp_blast (built here, libsrtp2) pre-builds COUNT distinct packets (increasing seq: a
# replayed packet would be dropped) and sends them with sendmmsg as fast as it can.
# Delivered = rx_packets of the receiving veth (a socket there holds them, unread).
# CPU = the softirq time of all CPUs (/proc/stat; the XDP program runs there) minus the
# idle rate measured just before, plus nwitd's utime+stime (/proc/PID/stat). This kernel
# has no IRQ time accounting, so softirq that runs while nwitd is on the CPU (its sends
# into the ims veth) lands in both: the relay's "max" figure uses max(softirq, nwitd)
# instead of the sum, bounding it from above. The sender's own CPU is not counted.
#
#   scripts/bench/fastpath_pps.sh          (root; NWIT_BUILD selects the build, as make bench)
#   env: COUNT_172 (default 300000), COUNT_1200 (default 60000)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${NWIT_TOP:=$top}" "${NWIT_BUILD:=$top/build}"
export NWIT_TOP NWIT_BUILD
[ "$(id -u)" = 0 ] || { echo "skipped: needs root (network namespaces, BPF)"; exit 0; }
for tool in ip nsenter ethtool cc python3; do
	command -v "$tool" >/dev/null || { echo "skipped: needs $tool"; exit 0; }
done
[ -x "$NWIT_BUILD/nwitd" ] && [ -x "$NWIT_BUILD/nwitctl" ] ||
	{ echo "skipped: build nwitd and nwitctl first ($NWIT_BUILD)"; exit 0; }
HOOK=xdp
. "$NWIT_TOP/tests/netns/fastpath_lib.sh"
t_skip_all() { echo "skipped: $1"; exit 0; }

cc -std=gnu11 -O2 -o "$T/srtp_blast" "$NWIT_TOP/scripts/bench/srtp_blast.c" -lsrtp2 2>"$T/cc.log" ||
	t_skip_all "cannot build srtp_blast: $(tail -n 1 "$T/cc.log")"
BLAST=$T/srtp_blast
COUNT_172=${COUNT_172:-300000}
COUNT_1200=${COUNT_1200:-60000}
HZ=$(getconf CLK_TCK)

setup_topology || t_skip_all "cannot create namespaces and veth pairs"
# sinks: bound sockets nobody reads (no ICMP port unreachable for every packet)
# (ip netns exec runs python in its own process: $! is the sink itself)
ip netns exec "$I" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("'"$IA"'",8000)); time.sleep(3600)' >/dev/null 2>&1 &
t_on_exit "kill $! 2>/dev/null"
ip netns exec "$B" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("'"$BA"'",5002)); time.sleep(3600)' >/dev/null 2>&1 &
t_on_exit "kill $! 2>/dev/null"

softirq() { awk '/^cpu /{print $8}' /proc/stat; }
nwitd_cpu() { awk '{print $14 + $15}' "/proc/$NWITD_PID/stat"; }
rx_of() { if [ "$1" = s2r ]; then ini cat /sys/class/net/i0/statistics/rx_packets; else inb cat /sys/class/net/b0/statistics/rx_packets; fi; }

# measure PATH DIR SIZE COUNT: one line of results, also kept in $T/results
measure() {
	local path=$1 dir=$2 size=$3 count=$4 id go out pid sq0 sq1 nw0 nw1 rx0 rx1 t0 t1 b0 b1 fwd
	add_flows || { echo "# $path: flow add failed: $(cat "$T/flow1" "$T/flow2")"; return 1; }
	sleep 0.3	# neighbour resolution primed by the flow add
	go=$T/go.$path.$dir.$size out=$T/blast.$path.$dir.$size
	rm -f "$go"; mkfifo "$go"
	if [ "$dir" = s2r ]; then
		id=1
		inb "$BLAST" srtp "$KEY1" 0x1111 "$BA" 5000 "$G0A" 6000 "$count" "$size" <"$go" >"$out" 2>&1 &
	else
		id=2
		ini "$BLAST" rtp "$KEY2" 0x2222 "$IA" 8002 "$G1A" 7002 "$count" "$size" <"$go" >"$out" 2>&1 &
	fi
	pid=$!
	exec 4>"$go"
	wait_for 30 grep -q ready "$out" || { echo "# $path $dir $size: blaster not ready: $(cat "$out")"; exec 4>&-; return 1; }
	b0=$(softirq); t0=$(date +%s.%N); sleep 1; b1=$(softirq); t1=$(date +%s.%N)
	local idle_rate
	idle_rate=$(python3 -c "print(($b1 - $b0) / ($t1 - $t0))")
	sq0=$(softirq); nw0=$(nwitd_cpu); rx0=$(rx_of "$dir"); t0=$(date +%s.%N)
	echo >&4; exec 4>&-
	wait "$pid"
	sleep 0.3	# queues drain
	sq1=$(softirq); nw1=$(nwitd_cpu); rx1=$(rx_of "$dir"); t1=$(date +%s.%N)
	fwd=$(ctl -j flow stats id=$id | json_get flows.0.packets)
	python3 - "$path" "$dir" "$size" "$(awk '/^sent/{print $2}' "$out")" $((rx1 - rx0)) "$fwd" \
		"$sq0" "$sq1" "$nw0" "$nw1" "$t0" "$t1" "$idle_rate" "$HZ" <<'PY' | tee -a "$T/results"
import sys
path, d, size = sys.argv[1:4]
sent, deliv, fwd = (int(x or 0) for x in sys.argv[4:7])
sq0, sq1, nw0, nw1 = (int(x) for x in sys.argv[7:11])
t0, t1, idle, hz = (float(x) for x in sys.argv[11:15])
soft = max(0.0, (sq1 - sq0) - idle * (t1 - t0)) / hz
nw = (nw1 - nw0) / hz
cpu, cpu_min = soft + nw, max(soft, nw)
pps = deliv / cpu if cpu else 0
pps_max = deliv / cpu_min if cpu_min else 0
print(f"{path:8} {d:4} {size:>5} {sent:>8} {deliv:>9} {fwd:>9} {soft:8.3f} {nw:8.3f} "
      f"{pps:>11.0f} {pps_max:>11.0f} {1e9 / pps if pps else 0:>9.0f}")
PY
}

header() {
	printf '%-8s %-4s %5s %8s %9s %9s %8s %8s %11s %11s %9s\n' path dir size sent delivered \
		forwarded softirq_s nwitd_s pps_cpu pps_cpu_max ns_pkt
}

for path in relay fastpath; do
	if [ "$path" = relay ]; then FP_MODE=off; else FP_MODE=bpf; fi
	start_nwitd || t_skip_all "nwitd does not start (mode $FP_MODE): $(tail -n 3 "$T/nwitd.log")"
	ctl -j status >"$T/status.$path"
	if [ "$path" = fastpath ] && { [ "$(json_get fastpath.loaded <"$T/status.$path")" != True ] ||
		[ "$(json_get fastpath.crypto <"$T/status.$path")" != True ]; }; then
		echo "# fast path cannot load here (or no bpf_crypto): only the relay was measured"
		break
	fi
	[ "$path" = relay ] && header
	for dir in s2r r2s; do
		measure "$path" "$dir" 172 "$COUNT_172"
		measure "$path" "$dir" 1200 "$COUNT_1200"
	done
	ctl flow del id=1 >/dev/null; ctl flow del id=2 >/dev/null
	kill "$NWITD_PID"; wait "$NWITD_PID" 2>/dev/null
done

echo
echo "fast path / relay, packets per CPU-second (the relay's sum and max CPU bounds):"
python3 - "$T/results" <<'PY'
import sys
r = {}
for line in open(sys.argv[1]):
    f = line.split()
    r[(f[0], f[1], f[2])] = (float(f[8]), float(f[9]))
for d in ("s2r", "r2s"):
    for size in ("172", "1200"):
        fp, rl = r.get(("fastpath", d, size)), r.get(("relay", d, size))
        if fp and rl and rl[0] and rl[1]:
            print(f"  {d} {size:>5} B: {fp[0] / rl[0]:.2f}x (relay counted by sum), "
                  f"{fp[0] / rl[1]:.2f}x (relay counted by max)")
PY
