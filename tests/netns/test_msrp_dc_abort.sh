#!/usr/bin/env bash
# A browser that goes away mid-transfer: an MSRP endpoint behind Kamailio's msrp relay
# sends 5 MiB toward headless Chromium through the library's bridge (msrp_gateway, as in
# test_msrp_dc_bridge.sh); after 1 MiB the page closes its peer connection. The gateway
# sees the data channel's association end, the bridge sends a 408 failure REPORT for
# the message to the endpoint through the relay, and the gateway, the endpoint and
# Kamailio end cleanly (gateway and endpoint built with ASan: no leak).
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
NS="nwmsab$$"
LIBS=$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl usrsctp zlib)
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
	--path-out "$T/ue_path" --to-in "$T/gw_path" --send "$T/ue_file" \
	--recv-dir "$T/ue" --timeout 60 >"$T/ue.out" 2>"$T/ue.err" &
UE_PID=$!
in_ns "$T/msrp_gateway" "$T/web" 127.0.0.1:2855 'msrp://127.0.0.1:4002/gw;tcp' "$T/gw_path" \
	"$T/ue_path" >"$T/gw.out" 2>"$T/gw.err" &
GW_PID=$!
in_ns env NWIT_TOP="$NWIT_TOP" node "$NWIT_TOP/tests/e2e/msrp_dc_driver.js" "$T/web" "$SIZE" abort \
	>"$T/driver.log" 2>&1
wait "$GW_PID"; GW_RC=$?
wait "$UE_PID"; UE_RC=$?
echo "# browser: $(cat "$T/web/result.txt" 2>/dev/null)"
echo "# gateway: $(tr '\n' ' ' <"$T/gw.out")"
echo "# endpoint: $(grep -v '^COUNTERS' "$T/ue.out" | tr '\n' ' ')"
grep -q '^aborted ' "$T/web/result.txt" 2>/dev/null && t_pass "the page closed its connection mid-transfer" ||
	t_fail "the page closed mid-transfer" "$(cat "$T/web/result.txt" 2>/dev/null)"
grep -Eq '^LOST .* reports=[1-9]' "$T/gw.out" && t_pass "the gateway saw the browser go and sent failure REPORTs" ||
	t_fail "the gateway's failure REPORTs" "$(cat "$T/gw.out") $(tail -3 "$T/gw.err")"
id=$(awk '/^SENDING/{print $2}' "$T/ue.out")
[ -n "$id" ] && grep -q "^REPORT $id 408\$" "$T/ue.out" &&
	t_pass "the endpoint got a 408 REPORT for its message through the relay" ||
	t_fail "the endpoint's 408 REPORT" "$(grep REPORT "$T/ue.out")"
[ "$GW_RC" -eq 0 ] && ! grep -q 'ERROR: \(AddressSanitizer\|LeakSanitizer\)' "$T/gw.err" "$T/ue.err" &&
	[ "$UE_RC" -eq 1 ] && grep -q '^COUNTERS ' "$T/ue.out" &&
	t_pass "gateway and endpoint ended cleanly (the endpoint reporting its transfer failed)" ||
	t_fail "clean ends" "gateway rc=$GW_RC endpoint rc=$UE_RC; $(tail -3 "$T/gw.err" "$T/ue.err")"
kamcmd -s "$CTL" core.uptime >/dev/null 2>&1 && t_pass "Kamailio is still running" ||
	t_fail "Kamailio is still running"
t_done
