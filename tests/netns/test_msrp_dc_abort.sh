#!/usr/bin/env bash
# A browser that goes away mid-transfer: an MSRP endpoint behind Kamailio's msrp relay
# sends 5 MiB toward headless Chromium through the library's bridge (msrp_gateway, as in
# test_msrp_dc_bridge.sh); after 1 MiB the page closes its peer connection. The gateway
# sees the data channel's association end, the bridge sends a 408 failure REPORT for
# the message to the endpoint through the relay, and the gateway, the endpoint and
# Kamailio end cleanly (gateway and endpoint built with ASan: no leak).
# The page closes inside the message handler that passes 1 MiB (msrp_dc_driver.js abort):
# when it polled for that instead, a fast run let the whole file arrive (and be answered)
# before the close, leaving nothing to report.
. "$(dirname "$0")/../lib.sh"
MSRP_DC_NS_PREFIX=nwmsab
. "$(dirname "$0")/msrp_dc_lib.sh"

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
