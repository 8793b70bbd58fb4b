#!/usr/bin/env bash
# Video calls end to end: headless Chromium runs the sample app (docs/examples, JsSIP)
# with the fake camera and microphone, calls dave through nwitd -> Kamailio (step out),
# answers his call (step in), then calls him with audio only and adds video (upgrade). dave is sipp (a UAS answering, a UAC calling) with
# audio + video over RTP/AVP (PCMU, and VP8 or H.264), one port pair per m= line; his
# media peer (tests/e2e/video_peer/echo.py) counts RTP per port and payload type and
# sends every packet back under its own SSRC. Checked per call: audio arrives at dave's
# audio port with PCMU only, video at his video port with the payload type signalled on
# the wire only, both keep flowing, the RTCP of each on its RTCP port; the echoed video
# reaches the page and is decoded (getStats); nwitd shows two streams and where their
# RTP went:
#   NWIT_E2E_FASTPATH=off   userspace relay: RTP of both streams relayed by nwitd
#   NWIT_E2E_FASTPATH=auto  BPF fast path: the kernel flows of both streams and both
#                           directions grow while nwitd's own RTP counters stand still
#   NWIT_E2E_VIDEO=vp8|h264 dave's video codec (default vp8)
#   STEPS=out,in,upgrade    which calls (upgrade: an audio call to dave, then the page
#                           adds its camera with a re-INVITE; it must come last)
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio sipp chromium node python3; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
e2e="$NWIT_TOP/tests/e2e"
[ -d "$e2e/node_modules/playwright-core" ] && [ -d "$e2e/node_modules/jssip" ] ||
	t_skip_all "npm packages missing: (cd tests/e2e && npm ci)"
[ -x "$NWITD" ] || t_skip_all "nwitd not built in $NWIT_BUILD"
mode=${NWIT_E2E_FASTPATH:-off}
codec=${NWIT_E2E_VIDEO:-vp8}
t_tmpdir
[ -n "${KEEP_LOGS:-}" ] && t_on_exit "cp -r \"$T\" \"$KEEP_LOGS\""
export NWIT_LAB_PREFIX="nwv$$-" NWIT_LAB_RUN="$T/run"
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
webapp="$NWIT_TOP/scripts/lab/webapp.sh"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"
t_on_exit "'$webapp' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${nwitd_pid:-}\" ] && kill \$nwitd_pid 2>/dev/null; true"
t_on_exit "[ -n \"\${driver_pid:-}\" ] && kill \$driver_pid 2>/dev/null; true"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
mkdir -p "$T/run/state"
"$ims" core-start >/dev/null || { t_fail "Kamailio starts"; t_done; }
peer_media=30000
"$ims" video-start dave 5090 $peer_media "$codec" >"$T/peer.log" 2>&1 &&
	t_pass "dave (sipp, audio + $codec video over RTP/AVP) registers" ||
	{ t_fail "dave registers" "$(tail -5 "$T/peer.log")"; t_done; }
peer_dir="$T/run/ue-dave"

sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" \
	-e "s|^mode = .*|mode = $mode|" \
	-e "s|^pin_path = .*|pin_path = /sys/fs/bpf/nwv$$|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
# forwarding stays off: nwitd turns it on behind its guard (see test_call_browser.sh)
export NWIT_BUILD NWIT_LAB_SCOPES="voice video"
"$webapp" token >/dev/null	# makes the lab operator's key before nwitd reads it
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
nwitd_pid=$!
ctl() { "$NWITCTL" -s "$T/run/nwitd.sock" -j "$@"; }
registered() { ctl status 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")' 2>/dev/null; }
wait_for 10 registered && t_pass "nwitd registers alice with the IMS core" ||
	{ t_fail "nwitd registers" "$(tail -20 "$T/nwitd.log")"; t_done; }
if [ "$mode" != off ]; then
	fp=$(ctl status | python3 -c 'import json,sys; print(json.load(sys.stdin)["fastpath"])')
	ctl status | python3 -c 'import json,sys; sys.exit(not json.load(sys.stdin)["fastpath"].get("loaded"))' ||
		t_bail "nwitd loads the BPF fast path" "$fp"
	if ! ctl status | python3 -c 'import json,sys; sys.exit(not json.load(sys.stdin)["fastpath"].get("crypto"))'; then
		t_skip "video calls through the fast path" "no bpf_crypto ecb(aes) in this kernel: $fp"
		t_done
	fi
fi

"$webapp" serve >/dev/null || { t_fail "the app server starts"; t_done; }
steps=${STEPS:-out,in,upgrade}
mkdir -p "$T/sync"
echo '{}' >"$T/p.json"
[[ ",$steps," == *,upgrade,* ]] && [ "${steps##*,}" != upgrade ] && t_bail "STEPS is usable" "upgrade must come last: $steps"
SYNC_DIR="$T/sync" STEPS="$steps" "$webapp" drive-video sip:dave@ims.example.net >"$T/driver.out" 2>&1 &
driver_pid=$!
for step in $(echo "$steps" | tr , ' '); do
	[ "$step" = upgrade ] && "$ims" video-answer dave upgrade >>"$T/peer.log" 2>&1
	touch "$T/sync/${step}_go"
	if [ "$step" = in ]; then
		wait_for 30 test -e "$T/sync/in_ready" && "$ims" video-dial dave alice >>"$T/peer.log" 2>&1
	fi
	cp "$T/p.json" "$T/p0.$step.json"	# the echo's counters before this call
	if wait_for 40 test -e "$T/sync/${step}_in_call"; then
		# two looks at the call, a few seconds apart, while media flows
		sleep 3
		ctl status >"$T/s1.$step.json"
		"$ims" video-stats dave >"$T/p1.$step.json"
		sleep 6
		ctl status >"$T/s2.$step.json"
		"$ims" video-stats dave >"$T/p2.$step.json"
		ctl flow list >"$T/flows.$step.json" 2>&1
	fi
	touch "$T/sync/${step}_hangup"
	wait_for 10 sh -c "\"$NWITCTL\" -s \"$T/run/nwitd.sock\" -j status | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[\"calls\"][\"active_calls\"] != 0)'"
	sleep 1
	"$ims" video-stats dave >"$T/p.json"
done
wait "$driver_pid"
driver_pid=
out=$(cat "$T/driver.out")
echo "$out" | sed "s/^/# /" | head -${LOG_LINES:-60}
r() { echo "$out" | awk -v k="$1" '$1 == "R" && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }'; }

[ "$(r registered)" = true ] && t_pass "the app registers over the WebSocket" || t_fail "the app registers" "$(r error)"
r discovery | python3 -c '
import json, sys
d = json.loads(sys.stdin.read() or "{}")
sys.exit(0 if "video" in d.get("services", []) and d.get("codecs", {}).get("video") else 1)' &&
	t_pass "the page's discovery document offers video and its codecs" ||
	t_fail "discovery offers video" "$(r discovery)"

check_call() { # check_call STEP WHAT: the checks of one call
	local step=$1 what=$2 vpt apt rx
	if [ "$(r ${step}_confirmed)" = true ]; then
		t_pass "$step: $what is answered ($(r ${step}_setup_ms) ms)"
	else
		t_fail "$step: $what answered" "failure: $(r ${step}_failure) $(r error); nwitd: $(grep -i 'warn\|refus\|488' "$T/nwitd.log" | tail -5)"
		return
	fi
	if [ ! -e "$T/p2.$step.json" ]; then
		t_fail "$step: the call lasted long enough to be looked at"
		return
	fi
	# the payload types toward dave, as signalled on the wire (sipp's message traces):
	# his answer's (he answers the call to him) or his offer's (he calls)
	local trace
	case $step in out) trace=uas ;; in) trace=uac ;; *) trace=$step ;; esac
	vpt=$(grep -a -o "m=video $((peer_media + 2)) RTP/AVP [0-9]*" "$peer_dir/${trace}_msg.log" | head -1 | awk '{ print $4 }')
	apt=$(grep -a -o "m=audio $peer_media RTP/AVP [0-9]*" "$peer_dir/${trace}_msg.log" | head -1 | awk '{ print $4 }')
	if [ "$step" = upgrade ]; then
		[ "$(r upgrade)" = ok ] && t_pass "upgrade: the page adds its camera to the audio call (re-INVITE through both legs)" ||
			t_fail "upgrade: video added" "$(r upgrade)"
	fi
	[ -n "$vpt" ] && [ "$apt" = 0 ] && t_pass "$step: dave's side of the call: PCMU (0) and $codec ($vpt), one port each" ||
		t_fail "$step: dave's SDP" "audio PT '${apt:-}', video PT '${vpt:-}'"

	python3 - "$T/p0.$step.json" "$T/p1.$step.json" "$T/p2.$step.json" "$apt" "$vpt" \
		>"$T/peer_check" <<'PY2'
import json, sys
p0, p1, p2 = (json.load(open(f)) for f in sys.argv[1:4])
apt, vpt = sys.argv[4], sys.argv[5]
bad, info = [], []
def d(kind, key, at):
    return at.get(kind, {}).get(key, 0) - p0.get(kind, {}).get(key, 0)
for kind, pt in (("audio", apt), ("video", vpt)):
    b0, b2 = p0.get(kind, {}).get("pt", {}), p2.get(kind, {}).get("pt", {})
    pts = {k: v - b0.get(k, 0) for k, v in b2.items() if v - b0.get(k, 0)}
    rtp1, rtp2 = d(kind, "rtp", p1), d(kind, "rtp", p2)
    info.append("%s %d RTP (PT %s), %d RTCP" % (kind, rtp2, "/".join(pts), d(kind, "rtcp", p2)))
    if set(pts) != {pt}:
        bad.append("%s port got payload types %s, want only %s" % (kind, pts, pt))
    if rtp2 < 100 or rtp2 <= rtp1:
        bad.append("%s RTP: %d then %d" % (kind, rtp1, rtp2))
    if d(kind, "rtcp", p2) < 1 or d(kind, "rtcp_on_rtp_port", p2) or d(kind, "rtp_on_rtcp_port", p2):
        bad.append("%s: %d RTCP on the RTCP port, %d on the RTP port, %d RTP on the RTCP port" % (
            kind, d(kind, "rtcp", p2), d(kind, "rtcp_on_rtp_port", p2), d(kind, "rtp_on_rtcp_port", p2)))
a_ssrcs, v_ssrcs = set(p2["audio"]["ssrcs"]), set(p2["video"]["ssrcs"])
if a_ssrcs & v_ssrcs:
    bad.append("one SSRC on both ports: %s" % (a_ssrcs & v_ssrcs))
print(", ".join(info) + ("; " + "; ".join(bad) if bad else ""))
sys.exit(1 if bad else 0)
PY2
	[ $? = 0 ] && t_pass "$step: dave receives each stream on its own port with its payload type, RTCP on the RTCP ports: $(cat "$T/peer_check")" ||
		t_fail "$step: dave receives audio and video" "$(cat "$T/peer_check")"

	rx=$(r ${step}_rx)
	echo "$rx" | python3 -c '
import json, sys
rx = json.loads(sys.stdin.read() or "{}")
v, s = rx.get("video") or {}, rx.get("videoSent") or {}
want = {"vp8": "video/VP8", "h264": "video/H264"}[sys.argv[1]]
print("page sent %s %s packets, received %s video packets, %s frames decoded (%s keyframes), %s audio packets" % (
    s.get("codec"), s.get("packets"), v.get("packets"), v.get("frames"), v.get("keyframes"), rx.get("packets")))
sys.exit(0 if s.get("codec") == want and (v.get("packets") or 0) >= 100 and (rx.get("packets") or 0) >= 50 else 1)
' "$codec" >"$T/page_check" &&
		t_pass "$step: the echoed video reaches the page: $(cat "$T/page_check")" ||
		t_fail "$step: video reaches the page" "$(cat "$T/page_check") rx=$rx"
	echo "$rx" | python3 -c 'import json,sys; sys.exit(0 if ((json.loads(sys.stdin.read() or "{}").get("video") or {}).get("frames") or 0) > 0 else 1)' &&
		t_pass "$step: the page decodes the echoed video frames" ||
		t_fail "$step: the page decodes video" "$(cat "$T/page_check")"

	python3 - "$T/s1.$step.json" "$T/s2.$step.json" "$mode" >"$T/path_check" <<'PY2'
import json, sys
def media(f):
    calls = json.load(open(f))["calls"]["calls"]
    return calls[0]["media"] if calls else {}
m1, m2, mode = media(sys.argv[1]), media(sys.argv[2]), sys.argv[3]
bad, info = [], []
s1, s2 = m1.get("streams", []), m2.get("streams", [])
if [s.get("kind") for s in s2] != ["audio", "video"]:
    bad.append("streams %s" % [s.get("kind") for s in s2])
for a, b in zip(s1, s2):
    k = b["kind"]
    rb = b["rtp_relayed_from_browser"] - a["rtp_relayed_from_browser"]
    ri = b["rtp_relayed_from_ims"] - a["rtp_relayed_from_ims"]
    if mode == "off":
        info.append("%s relayed +%d/+%d" % (k, rb, ri))
        if rb < 20 or ri < 20:
            bad.append("%s: relayed +%d from the browser, +%d from IMS" % (k, rb, ri))
    else:
        fa, fb = a.get("fastpath") or {}, b.get("fastpath") or {}
        kb = ((fb.get("from_browser") or {}).get("packets", 0) -
              (fa.get("from_browser") or {}).get("packets", 0))
        ki = ((fb.get("from_ims") or {}).get("packets", 0) -
              (fa.get("from_ims") or {}).get("packets", 0))
        info.append("%s kernel +%d/+%d, relayed +%d/+%d" % (k, kb, ki, rb, ri))
        if kb < 20 or ki < 20 or rb or ri:
            bad.append("%s: kernel +%d/+%d, relayed +%d/+%d" % (k, kb, ki, rb, ri))
want = "userspace-relay" if mode == "off" else "fastpath"
if m2.get("path") != want:
    bad.append("path %s" % m2.get("path"))
if mode != "off" and not (m2.get("fastpath") or {}).get("bundle_flow"):
    bad.append("no bundled kernel flow for the browser's 5-tuple")
print("path %s; %s%s" % (m2.get("path"), ", ".join(info), "; " + "; ".join(bad) if bad else ""))
sys.exit(1 if bad else 0)
PY2
	[ $? = 0 ] && t_pass "$step: media path $mode, per stream: $(cat "$T/path_check")" ||
		t_fail "$step: media path $mode per stream" "$(cat "$T/path_check")"
	if [ "$mode" != off ]; then
		# the kernel's view (nwitctl flow list): the browser's 5-tuple is one bundled
		# flow whose per-SSRC flows leave from each stream's IMS port
		python3 - "$T/s2.$step.json" "$T/flows.$step.json" >"$T/bundle_check" <<'PY2'
import json, sys
streams = json.load(open(sys.argv[1]))["calls"]["calls"][0]["media"]["streams"]
flows = json.load(open(sys.argv[2]))["flows"]
bundled = [f for f in flows if f.get("bundle")]
if len(bundled) != 1:
    print("%d bundled flows: %s" % (len(bundled), flows))
    sys.exit(1)
subs = bundled[0]["bundle"]
ports = sorted(int(f["out_src"].rsplit(":", 1)[1]) for f in subs)
want = sorted(s["ims_port"] for s in streams)
print("flow %d from %s: %s" % (bundled[0]["id"], bundled[0]["src"], ", ".join(
    "SSRC %d -> flow %d out of port %s, %d packets" % (f["ssrc"], f["id"], f["out_src"].rsplit(":", 1)[1],
                                                      f["packets"]) for f in subs)))
sys.exit(0 if ports == want and len({f["ssrc"] for f in subs}) == 2 and
         all(f["packets"] > 0 for f in subs) else 1)
PY2
		[ $? = 0 ] && t_pass "$step: one bundled kernel flow picks the streams by SSRC: $(cat "$T/bundle_check")" ||
			t_fail "$step: bundled kernel flow" "$(cat "$T/bundle_check")"
	fi
	[ "$(r ${step}_ended)" = true ] && t_pass "$step: hang-up from the page ends the call" ||
		t_fail "$step: hang-up"
}

for step in $(echo "$steps" | tr , ' '); do
	case $step in
	out) check_call out "the app's video call to dave" ;;
	in) check_call in "dave's video call to the app" ;;
	upgrade) check_call upgrade "the app's audio call to dave" ;;
	esac
done

wait_for 10 sh -c "\"$NWITCTL\" -s \"$T/run/nwitd.sock\" -j status | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[\"calls\"][\"active_calls\"] != 0)'" &&
	t_pass "nwitd holds no call state afterwards" || t_fail "no leftover calls" "$(ctl status)"
ctl status | python3 -c '
import json, sys
for c in json.load(sys.stdin)["calls"]["ended"]:
    m = c.get("media", {})
    print("# call %d %s: %s; media path %s" % (c["id"], c["direction"], c.get("end_reason"), m.get("path")))
    for s in m.get("streams", []):
        print("#   %s" % s)
    for e in c["timeline"]:
        print("#   +%5d ms %s" % (e["ms"], e["event"]))'
kill -0 "$nwitd_pid" 2>/dev/null && t_pass "nwitd is still running" || t_fail "nwitd running" "$(tail -20 "$T/nwitd.log")"
t_nwitd_stop_clean "$nwitd_pid" "$T/nwitd.log"
nwitd_pid=
t_done
