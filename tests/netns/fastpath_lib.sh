# Shared body of the fast path netns tests (sourced by test_fastpath_*.sh with HOOK set,
# and FAMILY=6 for IPv6 on fd77:1::/64 and fd77:2::/64).
#
#  browser (b0 10.77.1.2) -- (g0 10.77.1.1) gateway (g1 10.77.2.1) -- (i0 10.77.2.2) ims
#
# nwitd runs in the gateway with the BPF fast path on g0 and g1 ($HOOK: xdp or tc).
# Flow 1: SRTP from the browser, unprotected in the kernel, arrives in ims as RTP.
# Flow 2: RTP from ims, protected in the kernel, arrives in the browser as SRTP.
# A libsrtp2 peer (srtp_peer.c) sends and checks every packet byte for byte. Then nwitd
# is killed with SIGKILL mid-stream: packets keep flowing; a restarted nwitd re-adopts.
# shellcheck shell=bash
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

[ "$(id -u)" = 0 ] || t_skip_all "needs root (network namespaces, BPF)"
for tool in ip nsenter ethtool cc python3; do
	command -v "$tool" >/dev/null || t_skip_all "needs $tool"
done
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "build nwitd and nwitctl first"
t_tmpdir

cc -std=gnu11 -O1 -o "$T/srtp_peer" "$NWIT_TOP/tests/netns/srtp_peer.c" -lsrtp2 2>"$T/cc.log" ||
	t_bail "the libsrtp2 test peer builds" "$(tail -n 20 "$T/cc.log")"
PEER=$T/srtp_peer

B=nwfpb$$ G=nwfpg$$ I=nwfpi$$
if [ "${FAMILY:-4}" = 6 ]; then
	BA=fd77:1::2 G0A=fd77:1::1 G1A=fd77:2::1 IA=fd77:2::2 PLEN=64
	ep() { echo "[$1]:$2"; }
else
	BA=10.77.1.2 G0A=10.77.1.1 G1A=10.77.2.1 IA=10.77.2.2 PLEN=24
	ep() { echo "$1:$2"; }
fi
PIN=/sys/fs/bpf/nwit-test-$$
t_on_exit "ip netns del $B 2>/dev/null; ip netns del $G 2>/dev/null; ip netns del $I 2>/dev/null; rm -rf $PIN"

inb() { ip netns exec "$B" "$@"; }
ing() { ip netns exec "$G" "$@"; }
ini() { ip netns exec "$I" "$@"; }

setup_topology() {
	ip netns add "$B" && ip netns add "$G" && ip netns add "$I" || return 1
	ip -n "$B" link add b0 type veth peer name g0 netns "$G" || return 1
	ip -n "$I" link add i0 type veth peer name g1 netns "$G" || return 1
	ip -n "$B" addr add "$BA/$PLEN" dev b0 nodad 2>/dev/null || ip -n "$B" addr add "$BA/$PLEN" dev b0
	ip -n "$G" addr add "$G0A/$PLEN" dev g0 nodad 2>/dev/null || ip -n "$G" addr add "$G0A/$PLEN" dev g0
	ip -n "$G" addr add "$G1A/$PLEN" dev g1 nodad 2>/dev/null || ip -n "$G" addr add "$G1A/$PLEN" dev g1
	ip -n "$I" addr add "$IA/$PLEN" dev i0 nodad 2>/dev/null || ip -n "$I" addr add "$IA/$PLEN" dev i0
	for ns_dev in "$B b0" "$G g0" "$G g1" "$I i0"; do
		set -- $ns_dev
		ip -n "$1" link set lo up
		ip -n "$1" link set "$2" up
		# partial checksums from veth TX offload would be wrong after a rewrite
		ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
		# an XDP_REDIRECT into a veth is dropped unless the peer has GRO (or XDP)
		ip netns exec "$1" ethtool -K "$2" gro on >/dev/null 2>&1
	done
	ip -n "$B" route add default via "$G0A"
	ip -n "$I" route add default via "$G1A"
	ing sysctl -qw net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1
}

start_nwitd() {
	cat >"$T/nwit.conf" <<EOC
[general]
log_level = debug
control_socket = $T/nwitd.sock
state_dir = $T/state
[fastpath]
mode = ${FP_MODE:-bpf}
aes = ${FP_AES:-fixed-time}
pin_path = $PIN
EOC
	rm -f "$T/nwitd.sock"
	nsenter --net="/var/run/netns/$G" "$NWITD" -f "$T/nwit.conf" 2>>"$T/nwitd.log" &
	NWITD_PID=$!
	t_on_exit "kill -9 $NWITD_PID 2>/dev/null"
	wait_for 10 test -S "$T/nwitd.sock"
}

ctl() { "$NWITCTL" -s "$T/nwitd.sock" "$@"; }
neigh_ready() { ip -n "$G" neigh show "$1" | grep -q lladdr; }
json_get() { python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if isinstance(v,list) else v[k]
print(v)' "$1"; }

KEY1=$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n')
KEY2=$(head -c 30 /dev/urandom | od -An -tx1 | tr -d ' \n')
b64() { python3 -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$1"; }

add_flows() {
	ctl flow add id=1 in=g0 hook="$HOOK" src="$(ep $BA 5000)" dst="$(ep $G0A 6000)" \
		action=srtp-to-rtp out=g1 out_src="$(ep $G1A 7000)" out_dst="$(ep $IA 8000)" dscp=ef \
		ssrc=0x1111 key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY1")" >"$T/flow1" 2>&1 &&
	ctl flow add id=2 in=g1 hook="$HOOK" src="$(ep $IA 8002)" dst="$(ep $G1A 7002)" \
		action=rtp-to-srtp out=g0 out_src="$(ep $G0A 6002)" out_dst="$(ep $BA 5002)" \
		ssrc=0x2222 key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY2")" >"$T/flow2" 2>&1
}

# stream COUNT INTERVAL_US [SECONDS_BEFORE_KILL]: both directions at once; 0 if all matched.
# Each stream continues the sequence numbers of the one before (the replay window holds).
NEXT_PKT=0
stream() {
	local count=$1 interval=$2 kill_after=${3:-} rc=0
	inb "$PEER" recv srtp "$KEY2" 0x2222 "$BA" 5002 "$count" 3000 >"$T/recv_b" 2>&1 &
	local rb=$!
	ini "$PEER" recv rtp "$KEY1" 0x1111 "$IA" 8000 "$count" 3000 >"$T/recv_i" 2>&1 &
	local ri=$!
	wait_for 5 grep -q ready "$T/recv_b"
	wait_for 5 grep -q ready "$T/recv_i"
	inb "$PEER" send srtp "$KEY1" 0x1111 "$BA" 5000 "$G0A" 6000 "$count" "$interval" \
		"$NEXT_PKT" >"$T/send_b" 2>&1 &
	local sb=$!
	ini "$PEER" send rtp "$KEY2" 0x2222 "$IA" 8002 "$G1A" 7002 "$count" "$interval" \
		"$NEXT_PKT" >"$T/send_i" 2>&1 &
	local si=$!
	if [ -n "$kill_after" ]; then
		sleep "$kill_after"
		kill -9 "$NWITD_PID"
		wait "$NWITD_PID" 2>/dev/null
	fi
	wait "$sb" "$si"
	NEXT_PKT=$((NEXT_PKT + count))
	wait "$ri" || rc=1
	wait "$rb" || rc=1
	return $rc
}

run_fastpath_test() {
	setup_topology || t_skip_all "cannot create namespaces and veth pairs"
	start_nwitd || { t_fail "nwitd starts with the fast path" "$(tail -n 5 "$T/nwitd.log")"; t_done; }
	if ! ctl -j status >"$T/status"; then
		t_fail "nwitd answers status" "$(tail -n 5 "$T/nwitd.log")"
		t_done
	fi
	if [ "$(json_get fastpath.loaded <"$T/status")" != True ]; then
		t_bail "nwitd loads the BPF fast path" "$(grep -i 'fast path' "$T/nwitd.log" | tail -n 3)"
	fi
	[ "$(json_get fastpath.crypto <"$T/status")" = True ] ||
		t_skip_all "the fast path cannot run SRTP here with aes = ${FP_AES:-fixed-time}: $(json_get fastpath.relay_reason <"$T/status")"
	t_pass "nwitd loads the fast path and pins its maps under $PIN"
	if [ "$(json_get fastpath.aes <"$T/status")" = "${FP_AES:-fixed-time}" ]; then
		t_pass "status says SRTP runs in the kernel with aes = ${FP_AES:-fixed-time}"
	else
		t_fail "status names the fast path's AES" "$(cat "$T/status")"
	fi

	if add_flows; then t_pass "nwitctl flow add (SRTP->RTP and RTP->SRTP, $HOOK, IPv${FAMILY:-4})"
	else t_fail "nwitctl flow add" "$(cat "$T/flow1" "$T/flow2")"; t_done; fi

	# no neighbour is resolved beforehand: nwitd primes them when adding the flows (for
	# XDP; TC resolves them itself with bpf_redirect_neigh). Give the priming its moment.
	if [ "$HOOK" = xdp ]; then
		if wait_for 3 neigh_ready "$BA" && wait_for 3 neigh_ready "$IA"; then
			t_pass "adding the flows resolved the next hops' neighbour entries"
		else
			t_fail "adding the flows resolved the next hops' neighbour entries" \
				"$(ip -n "$G" neigh show)"
		fi
	fi
	if stream 200 5000; then
		t_pass "SRTP from browser arrives in ims as the exact RTP, and RTP from ims arrives as SRTP libsrtp2 accepts"
	else
		t_fail "media both ways through the $HOOK fast path" \
			"ims: $(cat "$T/recv_i") browser: $(cat "$T/recv_b") $(tail -n 3 "$T/nwitd.log")"
	fi

	ctl -j flow stats id=1 >"$T/st1"
	fwd=$(json_get flows.0.packets <"$T/st1"); stack=$(json_get flows.0.to_stack <"$T/st1")
	# the first packets may meet a neighbour entry still being resolved (primed by nwitd
	# when the flow was added): XDP hands those to the stack
	if [ "$fwd" = 200 ] && [ "$stack" -le 5 ]; then
		t_pass "flow 1 counters: $fwd packets, $stack of them via the stack while the neighbour resolved"
	else
		t_fail "flow 1 counters" "$(cat "$T/st1")"
	fi
	ctl -j stats >"$T/stats"
	drops=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["fastpath"]["drops"]; print(sum(d.values()))' <"$T/stats")
	[ "$drops" = 0 ] && t_pass "no drops counted" || t_fail "no drops counted" "$(cat "$T/stats")"

	if stream 400 5000 0.5; then
		t_pass "nwitd killed with SIGKILL mid-stream: every packet still arrives, both ways"
	else
		t_fail "forwarding survives SIGKILL of nwitd" "ims: $(cat "$T/recv_i") browser: $(cat "$T/recv_b")"
	fi

	start_nwitd
	ctl -j status >"$T/status2"
	if [ "$(json_get fastpath.adopted <"$T/status2")" = True ] &&
		ctl -j flow list | grep -q '"id": 2'; then
		t_pass "restarted nwitd re-adopts the pinned maps and lists the flows"
	else
		t_fail "restarted nwitd re-adopts the pinned maps" "$(cat "$T/status2"; tail -n 8 "$T/nwitd.log")"
	fi
	if stream 100 5000; then t_pass "media flows after the restart"
	else t_fail "media flows after the restart" "ims: $(cat "$T/recv_i") browser: $(cat "$T/recv_b")"; fi
	ctl flow del id=1 >/dev/null && ctl flow del id=2 >/dev/null &&
		[ "$(ctl -j flow list | json_get flows | tr -d '[] ')" = "" ] &&
		t_pass "nwitctl flow del removes both flows" || t_fail "nwitctl flow del"
	kill "$NWITD_PID" 2>/dev/null
	t_done
}
