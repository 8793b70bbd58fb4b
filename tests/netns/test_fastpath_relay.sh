#!/usr/bin/env bash
# The XDP test's traffic with [fastpath] mode = off: nwitctl flow add puts the flows on
# nwitd's userspace relay, which binds the gateway addresses the flows name. Same
# checks (exact RTP in ims, libsrtp2 accepts the SRTP in the browser), plus the relay's
# counters, and a pair of reverse flows sharing one relay (see fastpath_lib.sh).
HOOK=xdp
FP_MODE=off
. "$(dirname "$0")/fastpath_lib.sh"

# one_way FROM(b|i) COUNT: one direction of the paired flows 3 and 4 (the browser and ims
# send and receive on the same port, so the two directions take turns)
one_way() {
	local rc=0
	if [ "$1" = b ]; then
		ini "$PEER" recv rtp "$KEY1" 0x3333 "$IA" 8010 "$2" 3000 >"$T/recv_p" 2>&1 &
		local r=$!
		wait_for 5 grep -q ready "$T/recv_p"
		inb "$PEER" send srtp "$KEY1" 0x3333 "$BA" 5010 "$G0A" 6010 "$2" 2000 0 >"$T/send_p" 2>&1
	else
		inb "$PEER" recv srtp "$KEY2" 0x4444 "$BA" 5010 "$2" 3000 >"$T/recv_p" 2>&1 &
		local r=$!
		wait_for 5 grep -q ready "$T/recv_p"
		ini "$PEER" send rtp "$KEY2" 0x4444 "$IA" 8010 "$G1A" 7010 "$2" 2000 0 >"$T/send_p" 2>&1
	fi
	wait "$r" || rc=1
	return $rc
}

setup_topology || t_skip_all "cannot create namespaces and veth pairs"
start_nwitd || { t_fail "nwitd starts with the fast path off" "$(tail -n 5 "$T/nwitd.log")"; t_done; }
if ctl -j status >"$T/status" && [ "$(json_get fastpath.loaded <"$T/status")" = False ] &&
	[ -n "$(json_get fastpath.relay_reason <"$T/status")" ]; then
	t_pass "mode = off: no BPF loaded, status says why media is relayed ($(json_get fastpath.relay_reason <"$T/status"))"
else
	t_fail "mode = off: no BPF loaded" "$(cat "$T/status"; tail -n 5 "$T/nwitd.log")"
	t_done
fi

if add_flows; then t_pass "nwitctl flow add (SRTP->RTP and RTP->SRTP) goes to the userspace relay"
else t_fail "nwitctl flow add with the fast path off" "$(cat "$T/flow1" "$T/flow2")"; t_done; fi
n=$(grep -c 'GO THROUGH THE USERSPACE RELAY' "$T/nwitd.log")
[ "$n" = 1 ] && t_pass "the relay fallback is logged once, loudly" ||
	t_fail "the relay fallback is logged once, loudly ($n times)" "$(tail -n 5 "$T/nwitd.log")"

if stream 200 5000; then
	t_pass "SRTP from browser arrives in ims as the exact RTP, and RTP from ims arrives as SRTP libsrtp2 accepts (userspace relay)"
else
	t_fail "media both ways through the userspace relay" \
		"ims: $(cat "$T/recv_i") browser: $(cat "$T/recv_b") $(tail -n 3 "$T/nwitd.log")"
fi

ctl -j flow stats id=1 >"$T/st1"; ctl -j flow stats id=2 >"$T/st2"
if [ "$(json_get flows.0.path <"$T/st1")" = relay ] && [ "$(json_get flows.0.packets <"$T/st1")" = 200 ] &&
	[ "$(json_get flows.0.path <"$T/st2")" = relay ] && [ "$(json_get flows.0.packets <"$T/st2")" = 200 ] &&
	[ "$(json_get flows.0.dropped <"$T/st1")" = 0 ] && [ "$(json_get flows.0.dropped <"$T/st2")" = 0 ]; then
	t_pass "flow stats: flows 1 and 2 on path relay, 200 packets each, none dropped"
else
	t_fail "flow stats of relayed flows" "$(cat "$T/st1" "$T/st2")"
fi
ctl -j stats >"$T/stats"
if python3 - "$T/stats" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["fastpath"]["relay"]
sys.exit(0 if r["flows"] == 2 and r["rx"] == 400 and r["tx"] == 400 and sum(r["drops"].values()) == 0 else 1)
PY
then t_pass "nwitctl stats: the relay received and sent all 400 packets, no drops"
else t_fail "nwitctl stats shows the relay's counters" "$(cat "$T/stats")"; fi

# a packet from the egress side of a one-way flow is not relayed back
ini python3 -c 'import socket; s=socket.socket(); s=socket.socket(socket.AF_INET6 if ":" in "'"$IA"'" else socket.AF_INET, socket.SOCK_DGRAM); s.bind(("'"$IA"'", 8000)); s.sendto(bytes([0x80, 0]) + bytes(30), ("'"$G1A"'", 7000))'
sleep 0.2
ctl -j stats >"$T/stats2"
ws=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["fastpath"]["relay"]["drops"]["wrong_source"])' <"$T/stats2")
[ "$ws" = 1 ] && t_pass "one-way flow: RTP sent back to its egress socket is dropped and counted" ||
	t_fail "one-way flow drops what comes back" "$(cat "$T/stats2")"

t_skip_na "nwitd killed with SIGKILL mid-stream" "the userspace relay runs inside nwitd, its media stops with it"

# reverse flows pair up: one browser-side 5-tuple, one IMS-side 5-tuple
ctl flow add id=3 in=g0 src="$(ep $BA 5010)" dst="$(ep $G0A 6010)" action=srtp-to-rtp out=g1 \
	out_src="$(ep $G1A 7010)" out_dst="$(ep $IA 8010)" ssrc=0x3333 \
	key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY1")" >"$T/flow3" 2>&1 &&
ctl flow add id=4 in=g1 src="$(ep $IA 8010)" dst="$(ep $G1A 7010)" action=rtp-to-srtp out=g0 \
	out_src="$(ep $G0A 6010)" out_dst="$(ep $BA 5010)" ssrc=0x4444 \
	key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY2")" >"$T/flow4" 2>&1
ctl -j flow list id=4 >"$T/st4"
if [ "$(json_get flows.0.paired_with <"$T/st4" 2>/dev/null)" = 3 ]; then
	t_pass "flows 3 and 4 are each other's reverse: paired on one relay"
else
	t_fail "reverse flows pair up" "$(cat "$T/flow3" "$T/flow4" "$T/st4")"
fi
if one_way b 50 && one_way i 50; then
	t_pass "paired flows: 50 packets each way through the shared sockets, checked by libsrtp2"
else
	t_fail "media through paired flows" "$(cat "$T/recv_p" "$T/send_p")"
fi
ctl flow del id=3 >/dev/null
ctl -j flow list id=4 >"$T/st4b"
if [ "$(json_get flows.0.paired_with <"$T/st4b")" = None ] && [ "$(json_get flows.0.running <"$T/st4b")" = True ] &&
	one_way i 20; then
	t_pass "deleting flow 3 leaves flow 4 running alone"
else
	t_fail "flow 4 goes on alone" "$(cat "$T/st4b" "$T/recv_p")"
fi

if ctl flow add id=9 in=g0 src="$(ep $BA 5020)" dst="$(ep $G0A 6020)" action=srtp-to-rtp \
	ssrc=1 key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY1")" >"$T/flow9" 2>&1; then
	t_fail "a relayed flow without out_src/out_dst is refused" "$(cat "$T/flow9")"
else
	grep -q out_src "$T/flow9" && t_pass "a relayed flow without out_src/out_dst is refused with the reason" ||
		t_fail "a relayed flow without out_src/out_dst is refused with the reason" "$(cat "$T/flow9")"
fi
n=$(ctl -j flow list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["flows"]))')
[ "$n" = 3 ] && ctl flow del id=1 >/dev/null && ctl flow del id=2 >/dev/null && ctl flow del id=4 >/dev/null &&
	[ "$(ctl -j flow list | json_get flows | tr -d '[] ')" = "" ] &&
	t_pass "nwitctl flow del removes the relayed flows" || t_fail "nwitctl flow del (relay)"
kill "$NWITD_PID" 2>/dev/null
t_done
