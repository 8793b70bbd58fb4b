#!/usr/bin/env bash
# The B2BUA's error paths with real Kamailio and baresip: a scripted app (call_app.py)
# sends malformed SDP, an offer without a common codec, a plain RTP/AVP offer, a call to
# an unknown user, a CANCEL racing the callee's answer, STUN checks with wrong credentials,
# a callee that never answers, an app that never answers, an app that never sends an ICE
# check, a BYE for no call and garbage. Each gets a clear SIP answer, counters move, nwitd keeps
# no call state and stays up.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio baresip sox python3; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
[ -x "$NWITD" ] || t_skip_all "nwitd not built in $NWIT_BUILD"
t_tmpdir
export NWIT_LAB_PREFIX="nce$$-" NWIT_LAB_RUN="$T/run" NWIT_BUILD
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
webapp="$NWIT_TOP/scripts/lab/webapp.sh"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${nwitd_pid:-}\" ] && kill \$nwitd_pid 2>/dev/null; true"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
mkdir -p "$T/run/state"
"$ims" core-start >/dev/null || { t_fail "Kamailio starts"; t_done; }
"$ims" ue-start bob 5070 1000 >/dev/null || { t_fail "bob registers"; t_done; }
"$ims" ue-start carol 5080 700 >/dev/null || { t_fail "carol registers"; t_done; }
"$ims" ue-start dave 5090 500 manual >/dev/null || { t_fail "dave (rings, never answers) registers"; t_done; }
sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" -e "s|^mode = .*|mode = off|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
# short timers, so that "nobody answers" and "ICE never completes" end within the test
printf '[calls]\nring_timeout = 6\nice_timeout = 5\n' >>"$T/nwit.conf"
token=$("$webapp" token)
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
nwitd_pid=$!
ctl() { "$NWITCTL" -s "$T/run/nwitd.sock" -j "$@"; }
registered() { ctl status 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")' 2>/dev/null; }
wait_for 10 registered || { t_fail "nwitd registers" "$(tail -20 "$T/nwitd.log")"; t_done; }

sdp="$NWIT_TOP/tests/unit/sdp"
printf 'v=0\r\nthis is not SDP\r\n' >"$T/bad.sdp"
# Chromium's offer with nothing but G722 (browsers have it, IMS phones here do not)
sed -e 's/^m=audio \([0-9]*\) \([A-Z/]*\) .*/m=audio \1 \2 9/' \
	-e '/^a=rtpmap:\(111\|63\|0\|8\|13\|110\|126\) /d' -e '/^a=fmtp:\(111\|63\|110\|126\) /d' \
	-e '/^a=rtcp-fb:111 /d' "$sdp/chromium156_audio_offer.sdp" >"$T/g722.sdp"
# what an IMS phone would offer: RTP/AVP, no ICE, no DTLS, no BUNDLE
printf 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' >"$T/plain.sdp"
app() { "$lab" exec browser python3 "$NWIT_TOP/tests/netns/call_app.py" 192.0.2.1 8461 "$token" \
	http://203.0.113.10:8080 "$@" 2>&1; }
res() { echo "$1" | awk -v k="$2" '$1 == "RESULT" && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }'; }
no_calls() { ctl status | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["calls"]["active_calls"] != 0)'; }
check() { # check NAME OUTPUT KEY EXPECTED-REGEX
	local got
	got=$(res "$2" "$3")
	[[ "$got" =~ $4 ]] && t_pass "$1 ($3: $got)" || t_fail "$1" "$3: '$got'; $(echo "$2" | tail -5 | tr '\n' '|')"
}

out=$(app invite "$T/bad.sdp")
check "malformed SDP from the app is refused with 488" "$out" status '^488$'
check "  and the Warning says where" "$out" warning 'malformed SDP: line 2'
out=$(app invite "$T/g722.sdp")
check "an offer with no codec the IMS side takes is refused with 488" "$out" status '^488$'
check "  with Warning 304/305 naming the problem" "$out" warning '^"30[45] nwitd'
out=$(app invite "$T/plain.sdp")
check "a plain RTP/AVP offer (no ICE, no DTLS) is refused with 488" "$out" status '^488$'
check "  and the Warning says what WebRTC feature is missing" "$out" warning '^"3[0-9][0-9] nwitd'
out=$(app require-100rel "$sdp/chromium156_audio_offer.sdp")
check "an INVITE requiring 100rel is refused with 420" "$out" status '^420$'
check "  naming it in Unsupported" "$out" unsupported '^100rel$'
out=$(app unknown-callee "$sdp/chromium156_audio_offer.sdp")
check "a call to an unknown user gets the IMS core's 404" "$out" status '^404$'
out=$(app stun-wrong-password "$sdp/chromium156_audio_offer.sdp")
check "a valid offer reaches bob and is answered" "$out" status '^200$'
# unauthenticated checks get no answer at all (no reflection toward forged sources)
check "STUN with a wrong password gets no answer" "$out" stun_wrong_password '^none$'
check "STUN for another ufrag gets no answer" "$out" stun_wrong_ufrag '^none$'
check "STUN with our credentials succeeds" "$out" stun_right '^success$'
check "BYE from the app ends the call" "$out" bye '^200$'
out=$(app cancel "$sdp/chromium156_audio_offer.sdp")
check "CANCEL racing the answer: the app gets 200 for the CANCEL" "$out" responses '200/CANCEL'
check "  and a final answer to its INVITE" "$out" responses '(487|200)/INVITE'
app two-calls "$sdp/chromium156_audio_offer.sdp" >"$T/two" &
two=$!
sleep 2.5
active=$(ctl status | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"]["active_calls"])')
wait $two
out=$(cat "$T/two")
check "two calls at once from one app are both answered" "$out" statuses '^200,200$'
[ "$active" = 2 ] && t_pass "  nwitd holds both at the same time (active_calls 2)" || t_fail "two active calls" "active: $active"
check "  and both end with BYE" "$out" byes '^200,200$'
out=$(app bye-unknown)
check "BYE for no call gets 481" "$out" status '^481$'
out=$(app garbage)
check "garbage is ignored and the next request answered" "$out" after_garbage '^200$'

# an incoming call goes to both connected apps: the first 200 wins, the other gets CANCEL
app fork-answer >"$T/fork-a" &
fa=$!
app fork-ring >"$T/fork-r" &
fr=$!
sleep 1.5
"$ims" ue dial bob sip:alice@ims.example.net >/dev/null
sleep 3
"$ims" ue hangup bob >/dev/null
wait $fa $fr
a=$(cat "$T/fork-a") r=$(cat "$T/fork-r")
check "incoming call: offered to the first app" "$a" got_invite True
check "incoming call: offered to the second app" "$r" got_invite True
check "  the answering app gets the ACK" "$a" got_ack True
check "  the other app gets CANCEL" "$r" got_cancel True
check "  and the ACK to its 487" "$r" got_ack True
check "  BYE from bob reaches the answering app" "$a" got_bye True

last_ended() { ctl status | python3 -c '
import json, sys
e = json.load(sys.stdin)["calls"]["ended"][-1]
print(e["direction"], "|", e["end_reason"])'; }

# nobody answers an app's call: after ring_timeout IMS gets CANCEL and the app 480
out=$(app no-answer "$sdp/chromium156_audio_offer.sdp" sip:dave@ims.example.net)
check "a call IMS never answers ends after ring_timeout with 480" "$out" status '^480$'
check "  after the callee rang" "$out" provisional '180'
e=$(last_ended)
[[ "$e" == "app-to-ims | no answer"* ]] && t_pass "  nwitctl status names the reason ($e)" ||
	t_fail "no-answer reason" "$e"
wait_for 5 grep -q "session closed" "$T/run/ue-dave/baresip.log" &&
	t_pass "  the ringing callee is cancelled" ||
	t_fail "callee cancelled" "$(tail -5 "$T/run/ue-dave/baresip.log")"

# no app answers an incoming call: after ring_timeout the apps get CANCEL and IMS 480
app ring-forever >"$T/ring" &
rf=$!
sleep 1.5
"$ims" ue dial bob sip:alice@ims.example.net >/dev/null
wait $rf
out=$(cat "$T/ring")
check "an incoming call nobody answers reaches the app" "$out" got_invite True
check "  which gets CANCEL after ring_timeout" "$out" got_cancel True
check "  and the ACK to its 487" "$out" got_ack True
e=$(last_ended)
[[ "$e" == "ims-to-app | no answer"* ]] && t_pass "  IMS is answered 480 and the reason kept ($e)" ||
	t_fail "incoming no-answer reason" "$e"
"$ims" ue hangup bob >/dev/null 2>&1 || true

# the app answers nothing on the media: no ICE check within ice_timeout ends both legs
bob_ends=$(grep -ci "bye\|closed\|terminated" "$T/run/ue-bob/baresip.log" || true)
out=$(app ice-never "$sdp/chromium156_audio_offer.sdp")
check "a call whose browser never sends a STUN check is answered" "$out" status '^200$'
check "  then ended by nwitd with BYE toward the app" "$out" got_bye True
check "  after ice_timeout (5 s), not at once" "$out" bye_after_s '^([4-9]|1[0-9])$'
e=$(last_ended)
[[ "$e" == *"ICE never completed"* ]] && t_pass "  with the reason in nwitctl status ($e)" ||
	t_fail "ICE timeout reason" "$e"
bob_ended() { [ "$(grep -ci "bye\|closed\|terminated" "$T/run/ue-bob/baresip.log")" -gt "$bob_ends" ]; }
wait_for 5 bob_ended &&
	t_pass "  and BYE toward IMS" || t_fail "BYE toward IMS" "$(tail -5 "$T/run/ue-bob/baresip.log")"

# no app connected: the caller gets 480 at once
"$ims" ue dial bob sip:alice@ims.example.net >/dev/null
sleep 1
ctl status | python3 -c '
import json, sys
e = json.load(sys.stdin)["calls"]["ended"][-1]
sys.exit(0 if e["direction"] == "ims-to-app" and "no app" in e["end_reason"] else 1)' &&
	t_pass "a call while no app is connected is refused (480)" || t_fail "480 without apps" "$(ctl status)"
"$ims" ue hangup bob >/dev/null 2>&1 || true

sleep 6	# lingering calls wait up to 5 s for final responses
no_calls && t_pass "no call state is left" || t_fail "no call state left" "$(ctl status)"
stats=$(ctl stats)
for k in sdp_refused malformed; do
	n=$(echo "$stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['calls']['$k'])")
	[ "$n" -ge 1 ] && t_pass "counter calls.$k counts the refusals ($n)" || t_fail "counter calls.$k" "$stats"
done
kill -0 "$nwitd_pid" 2>/dev/null && t_pass "nwitd is still running" || t_fail "nwitd running" "$(tail -20 "$T/nwitd.log")"
t_nwitd_stop_clean "$nwitd_pid" "$T/nwitd.log"
nwitd_pid=
grep -q "ACK and BYE sent\|cancelled by the app" "$T/nwitd.log" && t_pass "the CANCEL race ends both legs" ||
	t_fail "CANCEL race" "$(grep 'call ' "$T/nwitd.log" | tail -10)"
[ -n "${VERBOSE:-}" ] && sed 's/^/# nwitd: /' "$T/nwitd.log"
t_done
