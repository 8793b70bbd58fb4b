#!/usr/bin/env bash
# The fast path between Ethernet and a raw-IP device (TUN, as an LTE rmnet bearer is):
#
#  browser (b0 10.77.1.2) -- (g0 10.77.1.1) gateway (tun0 10.78.0.1) -- bearer process (10.78.0.2)
#
# SRTP from the browser is unprotected on g0 and leaves through tun0 without an Ethernet
# header: the flow is asked for XDP, but XDP cannot transmit into a TUN, so nwitd runs it
# in TC next to XDP; RTP written into tun0 by the bearer is protected by TC on tun0, gets
# an Ethernet header from the FIB and reaches the browser, whose libsrtp2 peer checks
# every packet.
HOOK=xdp
. "$(dirname "$0")/fastpath_lib.sh"

[ -c /dev/net/tun ] || t_skip_all "needs /dev/net/tun"
ip netns add "$B" && ip netns add "$G" || t_skip_all "cannot create network namespaces"
ip -n "$B" link add b0 type veth peer name g0 netns "$G" || t_skip_all "cannot create a veth pair"
ip -n "$G" tuntap add dev tun0 mode tun || t_skip_all "cannot create a TUN device"
ip -n "$B" addr add 10.77.1.2/24 dev b0
ip -n "$G" addr add 10.77.1.1/24 dev g0
ip -n "$G" addr add 10.78.0.1/24 dev tun0
for ns_dev in "$B b0" "$G g0" "$G tun0"; do
	set -- $ns_dev
	ip -n "$1" link set lo up
	ip -n "$1" link set "$2" up
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1
	ip netns exec "$1" ethtool -K "$2" gro on >/dev/null 2>&1
done
ip -n "$B" route add default via 10.77.1.1
ing sysctl -qw net.ipv4.conf.all.forwarding=1

COUNT=200
(cd "$T" && exec ip netns exec "$G" python3 "$NWIT_TOP/tests/netns/tun_peer.py" tun0 0x3333 \
	10.78.0.2 10.78.0.1 8002 7002 "$COUNT" 0x1111 8000 5) >"$T/tun.out" 2>&1 &
TUNP=$!
t_on_exit "kill $TUNP 2>/dev/null"
wait_for 5 grep -q ready "$T/tun.out" || t_bail "tun_peer.py attaches to the TUN device" "$(cat "$T/tun.out")"

start_nwitd || { t_fail "nwitd starts with the fast path" "$(tail -n 5 "$T/nwitd.log")"; t_done; }
ctl -j status >"$T/status" || { t_fail "nwitd answers status" "$(tail -n 5 "$T/nwitd.log")"; t_done; }
[ "$(json_get fastpath.loaded <"$T/status")" = True ] ||
	t_bail "nwitd loads the BPF fast path" "$(grep -i 'fast path' "$T/nwitd.log" | tail -n 3)"
[ "$(json_get fastpath.crypto <"$T/status")" = True ] || t_skip_all "no bpf_crypto ecb(aes) in this kernel"

if ctl flow add id=1 in=g0 hook=xdp src=10.77.1.2:5000 dst=10.77.1.1:6000 action=srtp-to-rtp \
	out=tun0 out_src=10.78.0.1:7000 out_dst=10.78.0.2:8000 ssrc=0x1111 \
	key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY1")" >"$T/flow1" 2>&1 &&
   ctl flow add id=2 in=tun0 hook=tc src=10.78.0.2:8002 dst=10.78.0.1:7002 action=rtp-to-srtp \
	out=g0 out_src=10.77.1.1:6002 out_dst=10.77.1.2:5002 ssrc=0x3333 \
	key="AES_CM_128_HMAC_SHA1_80 inline:$(b64 "$KEY2")" >"$T/flow2" 2>&1; then
	t_pass "flows between a veth (XDP) and a raw-IP TUN device (TC)"
else
	t_fail "flows between a veth and a TUN device" "$(cat "$T/flow1" "$T/flow2")"
	t_done
fi

inb "$PEER" recv srtp "$KEY2" 0x3333 10.77.1.2 5002 "$COUNT" 3000 >"$T/recv_b" 2>&1 &
RB=$!
wait_for 5 grep -q ready "$T/recv_b"
touch "$T/tun0.go"
inb "$PEER" send srtp "$KEY1" 0x1111 10.77.1.2 5000 10.77.1.1 6000 "$COUNT" 5000 0 >"$T/send_b" 2>&1
if wait "$RB"; then
	t_pass "RTP from the raw-IP bearer arrives in the browser as SRTP libsrtp2 accepts (L2 pushed)"
else
	t_fail "raw IP -> Ethernet through TC" "$(cat "$T/recv_b"; tail -n 3 "$T/nwitd.log")"
fi
if wait "$TUNP"; then
	t_pass "SRTP from the browser leaves through the TUN device as the exact RTP, no L2 header"
else
	t_fail "Ethernet -> raw IP through XDP" "$(cat "$T/tun.out"; ctl -j flow stats id=1; ing ethtool -S g0; ip -n "$G" -s link show tun0)"
fi
ctl -j stats >"$T/stats"
drops=$(python3 -c 'import json,sys; d=json.load(sys.stdin)["fastpath"]["drops"]; print(sum(d.values()))' <"$T/stats")
[ "$drops" = 0 ] && t_pass "no drops counted" || t_fail "no drops counted" "$(cat "$T/stats")"
kill "$NWITD_PID" 2>/dev/null
t_done
