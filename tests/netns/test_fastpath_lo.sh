#!/usr/bin/env bash
# The fast path on loopback, where everything runs on one host: XDP in generic mode (lo
# refuses native XDP) for one flow and TC for the other, both attached to lo. SRTP sent to
# 127.0.0.1:6000 comes out as the exact RTP on port 8000; RTP sent to 127.0.0.1:7002
# comes out as SRTP on port 5002 that libsrtp2 accepts. The rewritten packets are handed
# to the stack (no egress device).
HOOK=xdp
. "$(dirname "$0")/fastpath_lib.sh"

ip netns add "$G" || t_skip_all "cannot create a network namespace"
ip -n "$G" link set lo up
# a map left pinned by another version, with another layout, must be replaced
mkdir -p "$PIN"
command -v bpftool >/dev/null &&
	bpftool map create "$PIN/nwit_srtp" type hash key 8 value 16 entries 8 name nwit_srtp

start_nwitd || { t_fail "nwitd starts with the fast path" "$(tail -n 5 "$T/nwitd.log")"; t_done; }
ctl -j status >"$T/status" || { t_fail "nwitd answers status" "$(tail -n 5 "$T/nwitd.log")"; t_done; }
[ "$(json_get fastpath.loaded <"$T/status")" = True ] ||
	t_bail "nwitd loads the BPF fast path" "$(grep -i 'fast path' "$T/nwitd.log" | tail -n 3)"
[ "$(json_get fastpath.crypto <"$T/status")" = True ] || t_skip_all "no bpf_crypto ecb(aes) in this kernel"

if ctl flow add id=1 in=lo hook=xdp src=127.0.0.1:5000 dst=127.0.0.1:6000 action=srtp-to-rtp \
	out_dst=127.0.0.1:8000 ssrc=0x1111 key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY1")" \
	>"$T/flow1" 2>&1 &&
   ctl flow add id=2 in=lo hook=tc src=127.0.0.1:8002 dst=127.0.0.1:7002 action=rtp-to-srtp \
	out_src=127.0.0.1:6002 out_dst=127.0.0.1:5002 ssrc=0x2222 \
	key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY2")" >"$T/flow2" 2>&1; then
	t_pass "flows on lo (generic XDP and TC side by side)"
else
	t_fail "flows on lo" "$(cat "$T/flow1" "$T/flow2")"
	t_done
fi
if [ -n "$(command -v bpftool)" ]; then
	grep -q "nwit_srtp has another layout; replacing it" "$T/nwitd.log" &&
		t_pass "a pinned map of another layout is replaced, said in the log" ||
		t_fail "a pinned map of another layout is replaced" "$(tail -n 5 "$T/nwitd.log")"
fi
grep -q "generic mode" "$T/nwitd.log" && t_pass "lo runs XDP in generic mode" ||
	t_fail "lo runs XDP in generic mode" "$(tail -n 5 "$T/nwitd.log")"

COUNT=200
ing "$PEER" recv rtp "$KEY1" 0x1111 127.0.0.1 8000 "$COUNT" 3000 >"$T/recv1" 2>&1 &
R1=$!
ing "$PEER" recv srtp "$KEY2" 0x2222 127.0.0.1 5002 "$COUNT" 3000 >"$T/recv2" 2>&1 &
R2=$!
wait_for 5 grep -q ready "$T/recv1"; wait_for 5 grep -q ready "$T/recv2"
ing "$PEER" send srtp "$KEY1" 0x1111 127.0.0.1 5000 127.0.0.1 6000 "$COUNT" 5000 0 >/dev/null 2>&1 &
S1=$!
ing "$PEER" send rtp "$KEY2" 0x2222 127.0.0.1 8002 127.0.0.1 7002 "$COUNT" 5000 0 >/dev/null 2>&1
wait "$S1"
wait "$R1" && t_pass "SRTP -> RTP through generic XDP on lo, byte for byte" ||
	t_fail "SRTP -> RTP through generic XDP on lo" "$(cat "$T/recv1"; ctl -j flow stats id=1)"
wait "$R2" && t_pass "RTP -> SRTP through TC on lo, accepted by libsrtp2" ||
	t_fail "RTP -> SRTP through TC on lo" "$(cat "$T/recv2"; ctl -j flow stats id=2)"
kill "$NWITD_PID" 2>/dev/null
t_done
