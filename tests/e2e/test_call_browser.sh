#!/usr/bin/env bash
# Calls end to end: headless Chromium running the sample app (docs/examples, JsSIP) calls
# bob (baresip behind Kamailio) through nwitd, twice, then bob calls the app. The tone
# each side hears is measured: bob records the browser's 440 Hz, the page measures bob's
# 1000 Hz. nwitd's call state must be empty afterwards and the app still registered.
#   NWIT_E2E_FASTPATH=off|auto   fast path mode of nwitd (default off: userspace relay)
#   NWIT_E2E_TRANSPORT=udp|tcp   nwitd's transport toward the P-CSCF (default udp)
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio baresip sox chromium node python3 tcpdump; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
e2e="$NWIT_TOP/tests/e2e"
[ -d "$e2e/node_modules/playwright-core" ] && [ -d "$e2e/node_modules/jssip" ] ||
	t_skip_all "npm packages missing: (cd tests/e2e && npm ci)"
[ -x "$NWITD" ] || t_skip_all "nwitd not built in $NWIT_BUILD"
t_tmpdir
export NWIT_LAB_PREFIX="nwc$$-" NWIT_LAB_RUN="$T/run"
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
webapp="$NWIT_TOP/scripts/lab/webapp.sh"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"
t_on_exit "'$webapp' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${nwitd_pid:-}\" ] && kill \$nwitd_pid 2>/dev/null; true"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
mkdir -p "$T/run/state"
"$ims" core-start >/dev/null || { t_fail "Kamailio starts"; t_done; }
"$ims" ue-start bob 5070 1000 >/dev/null || { t_fail "bob registers"; t_done; }
# what reaches bob's RTP ports (ims.sh: SIP port + 100..199), for the check after a resume
BOB_RTP=5170-5269
"$lab" exec ims tcpdump -i any -n -U -w "$T/bob_rtp.pcap" udp dst portrange "$BOB_RTP" >"$T/tcpdump.log" 2>&1 &
tcpdump_pid=$!
t_on_exit "kill $tcpdump_pid 2>/dev/null"
wait_for 5 grep -q "listening on" "$T/tcpdump.log" || t_bail "tcpdump captures in the ims namespace" "$(cat "$T/tcpdump.log")"
steps=${STEPS:-out,out2,hold,early,badfp,in,inhold}
if [[ ",$steps," == *,early,* ]]; then
	"$ims" ue-start carol 5080 700 early >/dev/null || { t_fail "carol registers"; t_done; }
fi

sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" \
	-e "s|^mode = .*|mode = ${NWIT_E2E_FASTPATH:-off}|" \
	-e "s|^transport = .*|transport = ${NWIT_E2E_TRANSPORT:-udp}|" \
	-e "s|^pin_path = .*|pin_path = /sys/fs/bpf/nwc$$|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
# forwarding stays off on the device: with the fast path, nwitd turns it on for the
# devices its flows leave by, behind its nftables guard (checked below)
export NWIT_BUILD
"$webapp" token >/dev/null	# makes the lab operator's key before nwitd reads it
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
nwitd_pid=$!
ctl() { "$NWITCTL" -s "$T/run/nwitd.sock" -j "$@"; }
registered() { ctl status 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")' 2>/dev/null; }
wait_for 10 registered && t_pass "nwitd registers alice with the IMS core" ||
	{ t_fail "nwitd registers" "$(tail -20 "$T/nwitd.log")"; t_done; }

"$webapp" serve >/dev/null || { t_fail "the app server starts"; t_done; }
out=$(CALL_SECONDS=${CALL_SECONDS:-4} "$webapp" drive "$steps" 2>&1)
echo "$out" | grep -v "^R [a-z0-9_]*_hz" | sed "s/^/# /" | head -${LOG_LINES:-40}
r() { echo "$out" | awk -v k="$1" '$1 == "R" && $2 == k { print $3; exit }'; }
near() { [ -n "$1" ] && [ "$1" != "0" ] && awk -v f="$1" -v w="$2" 'BEGIN { exit !(f >= w * 0.97 && f <= w * 1.03) }'; }
yes() { [ "$(r "$1")" = true ]; }

yes registered && t_pass "the app registers over the WebSocket" || t_fail "the app registers" "$(r error)"
for call in $(echo "$steps" | tr , '\n' | grep -x 'out\|out2'); do
	yes ${call}_confirmed && t_pass "$call: the app's call to bob is answered ($(r ${call}_setup_ms) ms)" ||
		t_fail "$call: call answered" "failure: $(r ${call}_failure)"
	near "$(r ${call}_page_hz)" 1000 && t_pass "$call: the page hears bob's 1000 Hz ($(r ${call}_page_hz) Hz)" ||
		t_fail "$call: page hears 1000 Hz" "measured: $(r ${call}_page_hz)"
	near "$(r ${call}_bob_hz)" 440 && t_pass "$call: bob hears the browser's 440 Hz ($(r ${call}_bob_hz) Hz)" ||
		t_fail "$call: bob hears 440 Hz" "measured: $(r ${call}_bob_hz)"
	yes ${call}_ended && t_pass "$call: hang-up from the page ends the call" || t_fail "$call: hang-up"
done
if [[ ",$steps," == *,hold,* ]]; then
	[ "$(r hold)" = ok ] && t_pass "hold: the page puts bob on hold (re-INVITE through both legs)" ||
		t_fail "hold" "$(r hold)"
	[ "$(r held_page_hz)" = 0 ] && t_pass "hold: the page hears nothing while bob is held" ||
		t_fail "hold: silence" "measured: $(r held_page_hz)"
	[ "$(r resume)" = ok ] && t_pass "resume: the page takes bob off hold (UPDATE with SDP, passed on as re-INVITE)" || t_fail "resume" "$(r resume)"
	near "$(r resumed_page_hz)" 1000 && t_pass "resume: bob's 1000 Hz is back ($(r resumed_page_hz) Hz)" ||
		t_fail "resume: page hears 1000 Hz" "measured: $(r resumed_page_hz)"
	# the page sends 660 Hz from the resume on: the G.711 RTP that reached bob's phone
	# then (captured in the ims namespace, decoded) carries that tone
	resumed_bob=$(python3 "$NWIT_TOP/scripts/lab/rtp_tone.py" "$T/bob_rtp.pcap" --port "$BOB_RTP" \
		--after "$(awk -v t="$(r resume_tone_from)" 'BEGIN { printf "%.3f", t + 0.5 }')" --before "$(r resume_tone_until)" 2>&1)
	near "${resumed_bob%% *}" 660 &&
		t_pass "resume: bob hears the page again (its 660 Hz after the resume: ${resumed_bob%% *} Hz, $(echo "$resumed_bob" | awk '{print $4}') packets)" ||
		t_fail "resume: bob hears 660 Hz after the resume" "tone switch: $(r resume_tone); measured: $resumed_bob"
fi
if [[ ",$steps," == *,in,* ]]; then
	yes in_confirmed && t_pass "in: bob's call is answered by the page" || t_fail "in: call answered"
	near "$(r in_page_hz)" 1000 && t_pass "in: the page hears bob's 1000 Hz ($(r in_page_hz) Hz)" ||
		t_fail "in: page hears 1000 Hz" "measured: $(r in_page_hz)"
	near "$(r in_bob_hz)" 440 && t_pass "in: bob hears the browser's 440 Hz ($(r in_bob_hz) Hz)" ||
		t_fail "in: bob hears 440 Hz" "measured: $(r in_bob_hz)"
	if [[ ",$steps," == *,inhold,* ]]; then
		yes bob_held && t_pass "in: bob puts the page on hold (re-INVITE from IMS)" || t_fail "in: bob holds"
		yes bob_resumed && t_pass "in: bob resumes the call" || t_fail "in: bob resumes"
		near "$(r in_resumed_page_hz)" 1000 && t_pass "in: bob's 1000 Hz after he resumed ($(r in_resumed_page_hz) Hz)" ||
			t_fail "in: page hears 1000 Hz after resume" "measured: $(r in_resumed_page_hz)"
	fi
	yes in_ended && t_pass "in: BYE from bob ends the call in the page" || t_fail "in: BYE from bob"
fi
if [[ ",$steps," == *,early,* ]]; then
	yes early_progress && t_pass "early: carol's 183 with SDP reaches the page as early media" ||
		t_fail "early media" "$(r early_progress)"
	# baresip's early answer mode neither sends nor records: count what went to carol
	early_rtp=$(ctl status | python3 -c '
import json, sys
for c in json.load(sys.stdin)["calls"]["ended"]:
    if "carol" in c["timeline"][0]["event"]:
        m = c.get("media", {})
        fp = ((m.get("fastpath") or {}).get("from_browser") or {}).get("packets", 0)
        print(m.get("rtp_relayed_from_browser", 0) + fp if m.get("dtls_done") else 0)')
	[ "${early_rtp:-0}" -ge 50 ] && t_pass "early: media flows before any answer ($early_rtp RTP packets to carol)" ||
		t_fail "early: media before the answer" "RTP to carol: ${early_rtp:-none}"
	yes early_ended && t_pass "early: hanging up before the answer cancels the call" || t_fail "early: cancel"
fi
if [[ ",$steps," == *,badfp,* ]]; then
	yes badfp_ended && t_pass "a DTLS certificate that does not match the signalled fingerprint ends the call" ||
		t_fail "fingerprint mismatch ends the call" "confirmed: $(r badfp_confirmed)"
	ctl status | python3 -c '
import json, sys
sys.exit(0 if any("fingerprint" in (c.get("end_reason") or "") for c in json.load(sys.stdin)["calls"]["ended"]) else 1)' &&
		t_pass "  and nwitd says why (fingerprint mismatch)" || t_fail "  nwitd says fingerprint" "$(ctl status)"
fi
yes still_registered && t_pass "the app stays registered after its calls" || t_fail "app registered"

sleep 1
status=$(ctl status)
echo "$status" | python3 -c '
import json, sys
s = json.load(sys.stdin)["calls"]
sys.exit(0 if s["active_calls"] == 0 else 1)' && t_pass "nwitd holds no call state afterwards" ||
	t_fail "no leftover calls" "$status"
echo "$status" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["calls"]["ended"]:
    m = c.get("media", {})
    print("# call %d %s: %s; media %s" % (c["id"], c["direction"], c.get("end_reason"),
          {k: m.get(k) for k in ("path", "stun_ok", "rx_browser", "tx_ims", "tx_browser",
                                 "rtp_relayed_from_browser", "rtp_relayed_from_ims", "fastpath")}))
    for e in c["timeline"]:
        print("#   +%5d ms %s" % (e["ms"], e["event"]))'
# where the media went: the fast path carries RTP after the first packets of each direction
# (the relay learns the SSRC from the first; a few more may already sit in the socket when
# the kernel flow appears); without it the userspace relay carries everything
mode=${NWIT_E2E_FASTPATH:-off}
echo "$status" | python3 -c '
import json, sys
mode = sys.argv[1]
calls = json.load(sys.stdin)["calls"]["ended"]
bad = []
for c in calls:
    if (c.get("end_reason") or "").startswith("media:") or "carol" in c["timeline"][0]["event"]:
        continue  # ended on purpose before media flowed (fingerprint mismatch), early media only one way
    m = c.get("media", {})
    fb, fi = m.get("rtp_relayed_from_browser", 0), m.get("rtp_relayed_from_ims", 0)
    if mode == "off":
        if m.get("path") != "userspace-relay" or fb < 100 or fi < 100:
            bad.append("call %d: path %s, relayed %d/%d" % (c["id"], m.get("path"), fb, fi))
    else:
        fp = m.get("fastpath") or {}
        kb = (fp.get("from_browser") or {}).get("packets", 0)
        ki = (fp.get("from_ims") or {}).get("packets", 0)
        if m.get("path") != "fastpath" or fb > 10 or fi > 10 or kb < 100 or ki < 100:
            bad.append("call %d: path %s, relayed %d/%d, kernel %d/%d; relay drops %s/%s, "
                       "of no stream %s, before keys %s" % (c["id"], m.get("path"), fb, fi, kb,
                       ki, (m.get("from_browser") or {}).get("drops"),
                       (m.get("from_ims") or {}).get("drops"), m.get("media_of_no_stream"),
                       m.get("media_before_keys")))
print("; ".join(bad))
sys.exit(1 if bad or not calls else 0)' "$mode" >"$T/media_check" &&
	t_pass "media path $mode: RTP of established calls went the expected way" ||
	t_fail "media path $mode" "$(cat "$T/media_check")"
if [ "$mode" != off ]; then
	guard=$("$lab" exec ue nft list table inet nwit_guard 2>&1)
	fwd=$("$lab" exec ue sysctl -n net.ipv4.conf.lan0.forwarding net.ipv4.conf.lte0.forwarding | tr '\n' ' ')
	[ "$fwd" = "1 1 " ] && [[ "$guard" == *'"lan0"'* ]] && [[ "$guard" == *'"lte0"'* ]] &&
		[[ "$guard" == *"iif @guarded counter packets"*" drop"* ]] &&
		t_pass "nwitd turned forwarding on for lan0 and lte0 behind its nftables guard" ||
		t_fail "forwarding behind the guard" "forwarding: $fwd; $guard"
	# the stack still joins nothing: with routes through the device on both sides, a ping
	# from the browser to the IMS side is dropped
	"$lab" exec browser ip route add 198.51.100.0/24 via 192.0.2.1
	"$lab" exec ims ip route add 192.0.2.0/24 via 198.51.100.1
	"$lab" exec browser ping -c 2 -W 1 -q 198.51.100.10 >/dev/null 2>&1 &&
		t_fail "the stack forwards nothing" "a ping crossed the device" ||
		t_pass "the stack forwards nothing across the device (ping dropped)"
	drops=$("$lab" exec ue nft list table inet nwit_guard | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	[ "${drops:-0}" -ge 1 ] && t_pass "  the guard counted it ($drops packets)" ||
		t_fail "guard counter" "$drops"
fi
[ -n "${VERBOSE:-}" ] && ctl stats | sed 's/^/# stats: /'
kill -0 "$nwitd_pid" 2>/dev/null && t_pass "nwitd is still running" || t_fail "nwitd running" "$(tail -20 "$T/nwitd.log")"
t_nwitd_stop_clean "$nwitd_pid" "$T/nwitd.log"
nwitd_pid=
[ -n "${VERBOSE:-}" ] && sed 's/^/# nwitd: /' "$T/nwitd.log"
t_done
