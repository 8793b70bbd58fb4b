#!/usr/bin/env bash
# A file both ways between headless Chromium and an MSRP endpoint behind Kamailio's msrp
# relay, through the library's bridge: Chromium speaks MSRP over a data channel with
# protocol "msrp" (RFC 8873) to msrp_gateway (stun_ice, dtls_srtp, datachannel,
# msrp_bridge), which carries it over TCP through Kamailio's msrp relay module to an
# msrp_conn endpoint (msrp_peer). 5 MiB of random bytes each way, SHA-256 compared, 200
# REPORTs both ways, no leak in the gateway or the endpoint (ASan). All inside a network
# namespace of its own (loopback only).
. "$(dirname "$0")/../lib.sh"
MSRP_DC_NS_PREFIX=nwmsdc
. "$(dirname "$0")/msrp_dc_lib.sh"

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
