#!/usr/bin/env bash
# Forwarded packets per CPU-second on veth: the BPF fast path (XDP; with aes = fixed-time,
# the default, and aes = bpf, the fastest) against the userspace relay (nwitd with
# [fastpath] mode = off) on the same traffic, side by side in one run, at 172 B and 1200 B
# (RTP size), both directions, REPS repetitions, medians:
#
#   browser (b0) -- (g0) gateway (g1) -- (i0) ims      (tests/netns/fastpath_lib.sh)
#   s2r: SRTP from browser -> RTP to ims   (flow 1, srtp-to-rtp)
#   r2s: RTP from ims -> SRTP to browser   (flow 2, rtp-to-srtp)
#
# srtp_blast (built here, libsrtp2) pre-builds COUNT distinct packets (increasing seq: a
# replayed packet would be dropped) and sends them with sendmmsg at RATE packets a second,
# the same offered load for both paths (0: as fast as it can; then the receive rings of
# the veths overflow: with threaded NAPI nothing pushes back on the sender).
# Delivered = rx_packets of the receiving veth (a socket there holds them, unread).
#
# CPU, counted exactly: every test veth runs threaded NAPI (/sys/class/net/DEV/threaded =
# 1, GRO on), so all receive processing (the XDP program, the stack, the delivery into the
# sink) runs in the napi/* kernel threads of our four veths; CPU = their run time plus
# nwitd's (all its threads), from /proc/PID/schedstat (ns; the same quantity as
# utime+stime without its 10 ms ticks, which are printed too as a check). This kernel has
# no IRQ time accounting, so softirq time taken from /proc/stat would count the relay's
# work twice; with threaded NAPI there is no softirq work left to split. The sender's own
# CPU is not counted, for either path.
#
#   scripts/bench/fastpath_pps.sh          (root; NWIT_BUILD selects the build, as make bench)
#   env: COUNT_172 (default 150000) at RATE_172 (default 50000/s), COUNT_1200 (default
#        75000) at RATE_1200 (default 25000/s), REPS (default 3)
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
# napi threads that exist before our veths do are not ours
napi_before=$(ps -e -o pid=,comm= | awk '$2 ~ /^napi\// {print $1}' | sort -n | tr '\n' ' ')
. "$NWIT_TOP/tests/netns/fastpath_lib.sh"
t_skip_all() { echo "skipped: $1"; exit 0; }

cc -std=gnu11 -O2 -o "$T/srtp_blast" "$NWIT_TOP/scripts/bench/srtp_blast.c" -lsrtp2 2>"$T/cc.log" ||
	t_skip_all "cannot build srtp_blast: $(tail -n 1 "$T/cc.log")"
BLAST=$T/srtp_blast
COUNT_172=${COUNT_172:-150000}
COUNT_1200=${COUNT_1200:-75000}
RATE_172=${RATE_172:-50000}
RATE_1200=${RATE_1200:-25000}
REPS=${REPS:-3}
HZ=$(getconf CLK_TCK)

setup_topology || t_skip_all "cannot create namespaces and veth pairs"
for ns_dev in "$B b0" "$G g0" "$G g1" "$I i0"; do
	set -- $ns_dev
	ip netns exec "$1" sh -c "echo 1 > /sys/class/net/$2/threaded" ||
		t_skip_all "cannot turn on threaded NAPI on $2"
done
# sinks: bound sockets nobody reads (no ICMP port unreachable for every packet)
# (ip netns exec runs python in its own process: $! is the sink itself)
ip netns exec "$I" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("'"$IA"'",8000)); time.sleep(3600)' >/dev/null 2>&1 &
t_on_exit "kill $! 2>/dev/null"
ip netns exec "$B" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("'"$BA"'",5002)); time.sleep(3600)' >/dev/null 2>&1 &
t_on_exit "kill $! 2>/dev/null"

# our veths' napi threads, now (attaching XDP may create them anew)
napi_pids() {
	ps -e -o pid=,comm= | awk -v old=" $napi_before " \
		'$2 ~ /^napi\// && index(old, " " $1 " ") == 0 {print $1}'
}
# "ns ticks" of the given pids and of nwitd's threads
cpu_of() {
	local ns=0 tk=0 p
	for p in "$@" /proc/"$NWITD_PID"/task/*; do
		p=${p##*/}
		[ -r "/proc/$p/schedstat" ] || continue
		ns=$((ns + $(cut -d' ' -f1 "/proc/$p/schedstat")))
		tk=$((tk + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$ns $tk"
}
nwitd_only() {
	local ns=0 p
	for p in /proc/"$NWITD_PID"/task/*; do
		ns=$((ns + $(cut -d' ' -f1 "$p/schedstat")))
	done
	echo "$ns"
}
rx_of() { if [ "$1" = s2r ]; then ini cat /sys/class/net/i0/statistics/rx_packets; else inb cat /sys/class/net/b0/statistics/rx_packets; fi; }

# measure PATH REP DIR SIZE COUNT RATE: one line of results, also kept in $T/results
measure() {
	local path=$1 rep=$2 dir=$3 size=$4 count=$5 rate=$6 id go out pid rx0 rx1 c0 c1 n0 n1 fwd pids
	add_flows || { echo "# $path: flow add failed: $(cat "$T/flow1" "$T/flow2")"; return 1; }
	sleep 0.3	# neighbour resolution primed by the flow add
	go=$T/go.$path.$rep.$dir.$size out=$T/blast.$path.$rep.$dir.$size
	rm -f "$go"; mkfifo "$go"
	if [ "$dir" = s2r ]; then
		id=1
		inb "$BLAST" srtp "$KEY1" 0x1111 "$BA" 5000 "$G0A" 6000 "$count" "$size" "$rate" <"$go" >"$out" 2>&1 &
	else
		id=2
		ini "$BLAST" rtp "$KEY2" 0x2222 "$IA" 8002 "$G1A" 7002 "$count" "$size" "$rate" <"$go" >"$out" 2>&1 &
	fi
	pid=$!
	exec 4>"$go"
	wait_for 30 grep -q ready "$out" || { echo "# $path $dir $size: blaster not ready: $(cat "$out")"; exec 4>&-; return 1; }
	pids=$(napi_pids)
	[ -n "$pids" ] || { echo "# no napi threads of the test veths: threaded NAPI is not on"; exec 4>&-; return 1; }
	c0=$(cpu_of $pids); n0=$(nwitd_only); rx0=$(rx_of "$dir")
	echo >&4; exec 4>&-
	wait "$pid"
	sleep 0.3	# queues drain
	c1=$(cpu_of $pids); n1=$(nwitd_only); rx1=$(rx_of "$dir")
	fwd=$(ctl -j flow stats id=$id | json_get flows.0.packets)
	ctl flow del id=1 >/dev/null; ctl flow del id=2 >/dev/null
	python3 - "$path" "$rep" "$dir" "$size" "$(awk '/^sent/{print $2}' "$out")" $((rx1 - rx0)) \
		"$fwd" $c0 $c1 "$n0" "$n1" "$HZ" <<'PY' | tee -a "$T/results"
import sys
path, rep, d, size = sys.argv[1:5]
sent, deliv, fwd = (int(x or 0) for x in sys.argv[5:8])
ns0, tk0, ns1, tk1, n0, n1 = (int(x) for x in sys.argv[8:14])
hz = float(sys.argv[14])
cpu = (ns1 - ns0) / 1e9
ticks = (tk1 - tk0) / hz
nw = (n1 - n0) / 1e9
pps = deliv / cpu if cpu else 0
print(f"{path:12} {rep:>3} {d:4} {size:>5} {sent:>8} {deliv:>9} {fwd:>9} {cpu - nw:9.3f} "
      f"{nw:8.3f} {ticks:8.2f} {pps:>11.0f} {1e9 / pps if pps else 0:>8.0f}")
PY
}

printf '%-12s %3s %-4s %5s %8s %9s %9s %9s %8s %8s %11s %8s\n' path rep dir size sent \
	delivered forwarded napi_s nwitd_s ticks_s pps_cpu ns_pkt
for rep in $(seq 1 "$REPS"); do
	for path in relay fp-fixed-time fp-bpf; do
		case $path in
		relay) FP_MODE=off FP_AES=fixed-time ;;
		fp-fixed-time) FP_MODE=bpf FP_AES=fixed-time ;;
		fp-bpf) FP_MODE=bpf FP_AES=bpf ;;
		esac
		start_nwitd || t_skip_all "nwitd does not start (mode $FP_MODE): $(tail -n 3 "$T/nwitd.log")"
		ctl -j status >"$T/status.$path"
		if [ "$path" != relay ] && { [ "$(json_get fastpath.loaded <"$T/status.$path")" != True ] ||
			[ "$(json_get fastpath.aes <"$T/status.$path")" != "$FP_AES" ]; }; then
			echo "# $path: the fast path cannot run SRTP with aes = $FP_AES here: not measured"
			kill "$NWITD_PID"; wait "$NWITD_PID" 2>/dev/null
			continue
		fi
		for dir in s2r r2s; do
			measure "$path" "$rep" "$dir" 172 "$COUNT_172" "$RATE_172"
			measure "$path" "$rep" "$dir" 1200 "$COUNT_1200" "$RATE_1200"
		done
		kill "$NWITD_PID"; wait "$NWITD_PID" 2>/dev/null
	done
done

echo
echo "Medians of $REPS repetitions at $RATE_172/s (172 B) and $RATE_1200/s (1200 B): packets"
echo "delivered per CPU-second, CPU = our veths' napi threads + nwitd:"
python3 - "$T/results" <<'PY'
import statistics, sys
r = {}
for line in open(sys.argv[1]):
    f = line.split()
    r.setdefault((f[0], f[2], f[3]), []).append((float(f[10]), int(f[5]), int(f[4])))
print("| direction | RTP size | relay: delivered | relay pps/CPU-s | fixed-time: delivered | "
      "fixed-time pps/CPU-s | bpf: delivered | bpf pps/CPU-s | fixed-time / relay | bpf / relay |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for d in ("s2r", "r2s"):
    for size in ("172", "1200"):
        row = [{"s2r": "SRTP->RTP", "r2s": "RTP->SRTP"}[d], size]
        med = {}
        for p in ("relay", "fp-fixed-time", "fp-bpf"):
            v = r.get((p, d, size))
            if not v:
                row += ["-", "-"]
                continue
            med[p] = statistics.median(x[0] for x in v)
            dl = min(x[1] / x[2] for x in v if x[2]) if any(x[2] for x in v) else 0
            row += [f"{100 * dl:.0f} % (min)", f"{med[p]:,.0f}"]
        for p in ("fp-fixed-time", "fp-bpf"):
            row.append(f"{med[p] / med['relay']:.2f}x" if p in med and med.get("relay") else "-")
        print("| " + " | ".join(row) + " |")
PY
