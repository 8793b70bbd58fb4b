#!/usr/bin/env bash
# A file both ways between headless Chromium and an MSRP endpoint behind Kamailio's msrp
# relay, through the library's bridge: Chromium speaks MSRP over a data channel with
# protocol "msrp" (RFC 8873) to msrp_gateway (stun_ice, dtls_srtp, datachannel,
# msrp_bridge), which carries it over TCP through Kamailio's msrp relay module to an
# msrp_conn endpoint (msrp_peer). 5 MiB of random bytes each way, SHA-256 compared, 200
# REPORTs both ways, no leak in the gateway or the endpoint (ASan). All inside a network
# namespace of its own (loopback only).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v kamailio >/dev/null || t_skip_all "kamailio is not installed"
command -v kamcmd >/dev/null || t_skip_all "kamcmd is not installed"
command -v node >/dev/null || t_skip_all "node is not installed"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || t_skip_all "chromium is not installed"
[ -d "$NWIT_TOP/tests/e2e/node_modules/playwright-core" ] || t_skip_all "npm packages missing: (cd tests/e2e && npm ci)"
ls /usr/lib/*/kamailio/modules/msrp.so >/dev/null 2>&1 || t_skip_all "Kamailio's msrp module (msrp.so) is not installed"
[ -f "$NWIT_BUILD/libnwit.a" ] || t_skip_all "build libnwit.a first"

t_tmpdir
NS="nwmsdc$$"
LIBS=$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl usrsctp zlib)
# ASan when the compiler has it, so that leaks fail the gateway and the endpoint
SAN=-fsanitize=address
echo 'int main(void){return 0;}' | cc -x c -fsanitize=address -o "$T/san" - 2>/dev/null || SAN=
for prog in msrp_peer msrp_gateway; do
	cc -std=gnu11 -O1 -g $SAN -Wall -Werror -I"$NWIT_TOP/userspace/lib" -I"$NWIT_TOP/include" \
		-I"$NWIT_BUILD" -o "$T/$prog" "$NWIT_TOP/tests/netns/$prog.c" "$NWIT_BUILD/libnwit.a" \
		$LIBS 2>"$T/cc.log" || { cat "$T/cc.log"; t_skip_all "cannot build $prog"; }
done

ip netns add "$NS" || t_skip_all "cannot create a network namespace"
ip -n "$NS" link set lo up
KAM_PID=""
stop_all() {
	[ -n "$KAM_PID" ] && kill -TERM "$KAM_PID" 2>/dev/null && sleep 0.3
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}
t_on_exit stop_all
[ -n "${NWIT_KEEP_LOGS:-}" ] && t_on_exit "mkdir -p \"$NWIT_KEEP_LOGS\" && cp -r \"$T\"/. \"$NWIT_KEEP_LOGS\"/"
in_ns() { nsenter --net="/var/run/netns/$NS" -- "$@"; }

CTL="unix:$T/kam/ctl"
mkdir -p "$T/kam" "$T/ue" "$T/web"
in_ns kamailio -f "$NWIT_TOP/tests/netns/kamailio/msrp_relay.cfg" -DD -E -Y "$T/kam" -u root -g root \
	-A "CTL_SOCKET=\"$CTL\"" >"$T/kamailio.log" 2>&1 &
KAM_PID=$!
wait_for 10 kamcmd -s "$CTL" core.uptime >/dev/null 2>&1 || t_skip_all "Kamailio did not start"

SIZE=5242880
head -c "$SIZE" /dev/urandom >"$T/ue_file"
in_ns "$T/msrp_peer" --relay 127.0.0.1:2855 --local 'msrp://127.0.0.1:4001/ue;tcp' \
	--path-out "$T/ue_path" --to-in "$T/gw_path" --send "$T/ue_file" --expect 1 \
	--recv-dir "$T/ue" --timeout 90 >"$T/ue.out" 2>"$T/ue.err" &
UE_PID=$!
in_ns "$T/msrp_gateway" "$T/web" 127.0.0.1:2855 'msrp://127.0.0.1:4002/gw;tcp' "$T/gw_path" \
	"$T/ue_path" >"$T/gw.out" 2>"$T/gw.err" &
GW_PID=$!
in_ns env NWIT_TOP="$NWIT_TOP" node "$NWIT_TOP/tests/e2e/msrp_dc_driver.js" "$T/web" "$SIZE" \
	>"$T/driver.log" 2>&1
wait "$GW_PID"; GW_RC=$?
wait "$UE_PID"; UE_RC=$?
read -r verdict sent_len sent_sha recv_len recv_sha <"$T/web/result.txt" || verdict="none"
echo "# browser: $(cat "$T/web/result.txt" 2>/dev/null)"
echo "# gateway: $(cat "$T/gw.out")"
[ "$verdict" = ok ] && t_pass "the page sent and received a file over MSRP on its data channel" ||
	t_fail "the page's transfer" "$(cat "$T/web/result.txt" 2>/dev/null); $(tail -3 "$T/gw.err")"
ue_recv=$(awk '/^RECEIVED/{print $2, $3}' "$T/ue.out")
[ -n "$sent_sha" ] && [ "$ue_recv" = "$SIZE $sent_sha" ] &&
	t_pass "browser -> gateway -> Kamailio -> endpoint: $SIZE bytes, same SHA-256" ||
	t_fail "browser to endpoint, same SHA-256" "endpoint got '$ue_recv', page sent '$sent_len $sent_sha'"
[ "$recv_len $recv_sha" = "$SIZE $(sha256sum "$T/ue_file" | cut -d' ' -f1)" ] &&
	t_pass "endpoint -> Kamailio -> gateway -> browser: $SIZE bytes, same SHA-256" ||
	t_fail "endpoint to browser, same SHA-256" "page got '$recv_len $recv_sha'"
[ "$UE_RC" -eq 0 ] && grep -q ' 200$' <(grep '^REPORT' "$T/ue.out") &&
	t_pass "the endpoint got the browser's 200 REPORT through the bridge" ||
	t_fail "the endpoint's REPORT" "rc=$UE_RC; $(tail -3 "$T/ue.err")"
[ "$GW_RC" -eq 0 ] && grep -q 'refused_dc=0 refused_ims=0 failure_reports=0 dc_errors=0' "$T/gw.out" &&
	t_pass "the bridge refused nothing and failed nothing" ||
	t_fail "the bridge refused nothing" "rc=$GW_RC; $(cat "$T/gw.out") $(tail -3 "$T/gw.err")"
chunks=$(grep -c 'MSRP-SEEN SEND' "$T/kamailio.log")
[ "$chunks" -ge 5000 ] && t_pass "Kamailio's relay parsed every chunk ($chunks SENDs)" ||
	t_fail "Kamailio parsed every chunk" "only $chunks"
t_done
