#!/usr/bin/env bash
# File transfer end to end: headless Chromium running the sample app (docs/examples, JsSIP,
# filetransfer.js) opens a session with dave through nwitd; nwitd answers the page's
# data channel "msrp" (RFC 8873) on the call's DTLS association and bridges it to an MSRP
# session over TCP through Kamailio's msrp relay module (RFC 4976) to dave's MSRP endpoint
# (tests/netns/msrp_peer.c, ASan). Dave's SIP side is sipp: registered at the lab's
# Kamailio, answering with an m=message SDP whose a=path is the relay's Use-Path and the
# endpoint's URI. Cases (CASES, default data,audio,in,abort,noscope,innoscope):
#   data     no audio: SIZE random bytes each way at once, SHA-256 compared on both
#            ends, 200 REPORTs both ways, the page hangs up
#   audio    the same next to a voice call on the same bundled transport (dave echoes
#            the page's RTP with sipp -rtp_echo)
#   in       the same with dave calling the page (m=message offer, data channel answer,
#            nwitd opens the channel)
#   abort    dave sends SIZE bytes, the page closes its peer connection after 1 MiB:
#            dave gets a 408 failure REPORT and nwitd ends the session
#   noscope  a token without the file-transfer scope: the session is refused with 403
#   innoscope  dave calls a page whose token lacks file-transfer: 403 with a Warning
# nwitd keeps no call afterwards and stops without a sanitizer report when built with
# `make asan` (run with --build build-asan). NWIT_E2E_FASTPATH=auto runs nwitd with the
# BPF fast path (the audio case's RTP then goes through the kernel, SCTP stays in nwitd).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio sipp chromium node python3 sox; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
ls /usr/lib/*/kamailio/modules/msrp.so >/dev/null 2>&1 || t_skip_all "Kamailio's msrp module is not installed"
e2e="$NWIT_TOP/tests/e2e"
[ -d "$e2e/node_modules/playwright-core" ] && [ -d "$e2e/node_modules/jssip" ] ||
	t_skip_all "npm packages missing: (cd tests/e2e && npm ci)"
[ -x "$NWITD" ] || t_skip_all "nwitd not built in $NWIT_BUILD"
[ -f "$NWIT_BUILD/libnwit.a" ] || t_skip_all "build libnwit.a first"
t_tmpdir
export NWIT_LAB_PREFIX="nwf$$-" NWIT_LAB_RUN="$T/run"
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
webapp="$NWIT_TOP/scripts/lab/webapp.sh"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"
t_on_exit "'$webapp' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${nwitd_pid:-}\" ] && kill \$nwitd_pid 2>/dev/null; true"
[ -n "${NWIT_KEEP_LOGS:-}" ] && t_on_exit "mkdir -p \"$NWIT_KEEP_LOGS\" && cp -r \"$T\"/. \"$NWIT_KEEP_LOGS\"/"
SIZE=${SIZE:-5242880}
CASES=${CASES:-data,audio,in,abort,noscope,innoscope}
# The in case (dave calls the page) fails about one run in ten (measured: 1 of 10 runs of
# CASES=in): SCTP comes up, nwitd opens the channel and gets the browser's
# DATA_CHANNEL_ACK, the page sends its binding SEND right after, but no message ever
# reaches nwitd's data channel (datachannel messages_in 0). It runs on request until that
# is found and fixed; the skip is named a known bug (issue 19), listed by every run.
if [ -z "${NWIT_RUN_KNOWN_RACES:-}" ] && [[ ",$CASES," == *,in,* ]]; then
	CASES=$(echo ",$CASES," | sed 's/,in,/,/; s/^,//; s/,$//')
	t_skip_bug "in: dave's file session toward the page" 19 "runs only with NWIT_RUN_KNOWN_RACES=1: in about one run in ten the page's binding SEND never reaches nwitd's data channel (cause not found yet)"
fi

# dave's MSRP endpoint, with ASan when the compiler has it (leaks fail it)
SAN=-fsanitize=address,undefined
echo 'int main(void){return 0;}' | cc -x c $SAN -o "$T/san" - 2>/dev/null || SAN=
cc -std=gnu11 -O1 -g $SAN -Wall -Werror -I"$NWIT_TOP/userspace/lib" -I"$NWIT_TOP/include" \
	-I"$NWIT_BUILD" -o "$T/msrp_peer" "$NWIT_TOP/tests/netns/msrp_peer.c" "$NWIT_BUILD/libnwit.a" \
	$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl usrsctp zlib) \
	2>"$T/cc.log" || t_bail "msrp_peer builds" "$(tail -n 20 "$T/cc.log")"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
mkdir -p "$T/run/state"
"$ims" core-start >/dev/null || { t_fail "Kamailio starts"; t_done; }
"$ims" msrp-relay-start >/dev/null || { t_fail "Kamailio's MSRP relay starts"; t_done; }
# nsenter execs its command: a background job's $! is then the process itself (to kill)
IMS_NS="/var/run/netns/${NWIT_LAB_PREFIX}ims"
in_ims() { nsenter --net="$IMS_NS" -- "$@"; }
in_ims sipp -sf "$e2e/sipp/dave_register.xml" -i 198.51.100.10 -p 5090 -m 1 -timeout 10s \
	-nostdin -trace_err -error_file "$T/sipp_reg.err" 198.51.100.10:5060 >"$T/sipp_reg.log" 2>&1 &&
	t_pass "dave registers at Kamailio (sipp)" || { t_fail "dave registers" "$(tail -5 "$T/sipp_reg.log")"; t_done; }

sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" -e "s|^mode = .*|mode = ${NWIT_E2E_FASTPATH:-off}|" \
	-e "s|^pin_path = .*|pin_path = /sys/fs/bpf/nwf$$|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
# forwarding stays off: nwitd turns it on behind its guard (see test_call_browser.sh)
export NWIT_BUILD
"$webapp" token >/dev/null
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
nwitd_pid=$!
ctl() { "$NWITCTL" -s "$T/run/nwitd.sock" -j "$@"; }
registered() { ctl status 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")' 2>/dev/null; }
wait_for 10 registered && t_pass "nwitd registers alice with the IMS core" ||
	{ t_fail "nwitd registers" "$(tail -20 "$T/nwitd.log")"; t_done; }
"$webapp" serve >/dev/null || { t_fail "the app server starts"; t_done; }
head -c "$SIZE" /dev/urandom >"$T/ue_file"
ue_sha=$(sha256sum "$T/ue_file" | cut -d' ' -f1)

port=4000
# run_case CASE PEER_ARGS...: dave's endpoint and SIP side for one session, then the page
run_case() {
	local c=$1 d="$T/$1"; shift
	port=$((port + 1))
	mkdir -p "$d"
	nsenter --net="$IMS_NS" -- "$T/msrp_peer" --relay 198.51.100.10:2855 --local "msrp://198.51.100.10:$port/dave$port;tcp" \
		--path-out "$d/ue_path" --to-in "$d/gw_path" --relay-first --wait-peer --recv-dir "$d" \
		--timeout 150 "$@" >"$d/ue.out" 2>"$d/ue.err" &
	echo $! >"$d/ue.pid"
	wait_for 10 test -s "$d/ue_path" || { t_fail "$c: dave's endpoint AUTHs at the relay" "$(cat "$d/ue.err")"; return 1; }
	if [ "$c" = in ] || [ "$c" = innoscope ]; then
		# dave calls once the page is registered
		sed -e "s|@PATH@|$(cat "$d/ue_path")|" -e "s|@OUT@|$d|g" -e "s|@PORT@|$port|" \
			"$e2e/sipp/dave_call.xml.in" >"$d/call.xml"
		local scopes="voice file-transfer"
		[ "$c" = innoscope ] && scopes=voice
		NWIT_LAB_SCOPES="$scopes" IN_WAIT_MS=$([ "$c" = in ] && echo 40000 || echo 8000) \
			"$webapp" drive-files "$SIZE" in >"$d/driver.out" 2>&1 &
		local drv=$!
		wait_for 30 grep -q '^R in_registered true' "$d/driver.out"
		nsenter --net="$IMS_NS" -- sipp -sf "$d/call.xml" -i 198.51.100.10 -p 5090 -m 1 -timeout 200s -nostdin \
			-trace_msg -message_file "$d/sip.log" -trace_err -error_file "$d/sipp.err" \
			198.51.100.10:5060 >"$d/sipp.out" 2>&1 &
		echo $! >"$d/sipp.pid"
		wait "$drv"
	else
	sed -e "s|@PATH@|$(cat "$d/ue_path")|" -e "s|@OUT@|$d|g" -e "s|@PORT@|$port|" \
		"$e2e/sipp/dave_answer.xml.in" >"$d/answer.xml"
	nsenter --net="$IMS_NS" -- sipp -sf "$d/answer.xml" -i 198.51.100.10 -p 5090 -m 1 -timeout 200s -nostdin \
		-mp 6000 -rtp_echo \
		-trace_msg -message_file "$d/sip.log" -trace_err -error_file "$d/sipp.err" >"$d/sipp.out" 2>&1 &
	echo $! >"$d/sipp.pid"
	sleep 0.5
	fi
	if [ "$c" = in ] || [ "$c" = innoscope ]; then
		:
	elif [ "$c" = noscope ]; then
		NWIT_LAB_SCOPES=voice "$webapp" drive-files "$SIZE" data >"$d/driver.out" 2>&1
	else
		NWIT_LAB_SCOPES="voice file-transfer" "$webapp" drive-files "$SIZE" "$c" >"$d/driver.out" 2>&1
	fi
	sed 's/^/# /' "$d/driver.out" | grep -v '^# R .*_sha' | head -${LOG_LINES:-30}
	# both end by themselves (sipp after the BYE, which must not reach the next case's sipp)
	for _ in $(seq 1 100); do
		kill -0 "$(cat "$d/ue.pid")" 2>/dev/null || kill -0 "$(cat "$d/sipp.pid")" 2>/dev/null || break
		sleep 0.2
	done
	kill "$(cat "$d/ue.pid")" "$(cat "$d/sipp.pid")" 2>/dev/null
	wait "$(cat "$d/ue.pid")"; echo $? >"$d/ue.rc"
	wait "$(cat "$d/sipp.pid")" 2>/dev/null
	return 0
}
r() { awk -v k="$1_$2" '$1 == "R" && $2 == k { print $3; exit }' "$T/$1/driver.out"; }
yes() { [ "$(r "$1" "$2")" = true ]; }

if [[ ",$CASES," == *,data,* ]] && run_case data --send "$T/ue_file" --expect 1; then
	yes data registered && yes data confirmed && yes data bound &&
		t_pass "data: the page's file session with dave is up, the MSRP session bound ($(r data setup_ms) ms)" ||
		t_fail "data: session up" "$(grep '^R' "$T/data/driver.out" | tr '\n' ' ')"
	grep -q '^m=message [0-9]* TCP/MSRP \*' "$T/data/sip.log" && grep -q '^a=path:msrp://198.51.100.1:[0-9]*/[a-z0-9]*;tcp' "$T/data/sip.log" &&
		! grep -q '^m=audio' "$T/data/sip.log" &&
		t_pass "data: the IMS offer is m=message TCP/MSRP with nwitd's own a=path, no audio" ||
		t_fail "data: IMS offer" "$(grep -A12 '^v=0' "$T/data/sip.log" | head -14)"
	ue_recv=$(awk '/^RECEIVED/{print $2, $3}' "$T/data/ue.out")
	[ "$ue_recv" = "$SIZE $(r data sent_sha)" ] &&
		t_pass "data: page -> nwitd -> Kamailio relay -> dave: $SIZE bytes, same SHA-256 ($(r data transfer_ms) ms both ways)" ||
		t_fail "data: page to dave" "dave got '$ue_recv', page sent '$(r data sent_sha)'"
	[ "$(r data recv_size) $(r data recv_sha)" = "$SIZE $ue_sha" ] &&
		t_pass "data: dave -> Kamailio relay -> nwitd -> page: $SIZE bytes, same SHA-256" ||
		t_fail "data: dave to page" "page got $(r data recv_size) $(r data recv_sha)"
	[ "$(r data report)" = 000_200_OK ] && t_pass "data: the page got dave's 200 REPORT" ||
		t_fail "data: page's REPORT" "$(r data report)"
	[ "$(cat "$T/data/ue.rc")" = 0 ] && grep -q '^REPORT .* 200$' "$T/data/ue.out" &&
		t_pass "data: dave got the page's 200 REPORT and ended cleanly (ASan: ${SAN:-off})" ||
		t_fail "data: dave's REPORT" "rc=$(cat "$T/data/ue.rc"); $(tail -3 "$T/data/ue.err")"
	yes data ended && t_pass "data: the page hangs up" || t_fail "data: hang-up"
fi

if [[ ",$CASES," == *,audio,* ]] && run_case audio --send "$T/ue_file" --expect 1; then
	yes audio confirmed && yes audio bound &&
		t_pass "audio: a voice call with a data channel next to it (one bundled transport) is up" ||
		t_fail "audio: session up" "$(grep '^R' "$T/audio/driver.out" | tr '\n' ' ')"
	grep -q '^m=audio' "$T/audio/sip.log" && grep -q '^m=message [0-9]* TCP/MSRP \*' "$T/audio/sip.log" &&
		t_pass "audio: the IMS offer has m=audio and m=message" || t_fail "audio: IMS offer"
	[ "$(awk '/^RECEIVED/{print $2, $3}' "$T/audio/ue.out")" = "$SIZE $(r audio sent_sha)" ] &&
		[ "$(r audio recv_size) $(r audio recv_sha)" = "$SIZE $ue_sha" ] &&
		t_pass "audio: $SIZE bytes each way during the call, same SHA-256 ($(r audio transfer_ms) ms)" ||
		t_fail "audio: files" "dave: $(grep RECEIVED "$T/audio/ue.out"); page: $(r audio recv_size)"
	[ "$(r audio audio_packets)" -gt 100 ] 2>/dev/null &&
		t_pass "audio: the page receives RTP (dave echoes it: $(r audio audio_packets) packets)" ||
		t_fail "audio: RTP" "packets $(r audio audio_packets)"
	[ "$(r audio report)" = 000_200_OK ] && [ "$(cat "$T/audio/ue.rc")" = 0 ] &&
		t_pass "audio: 200 REPORTs both ways" || t_fail "audio: REPORTs" "$(r audio report), dave rc $(cat "$T/audio/ue.rc")"
	if [ "${NWIT_E2E_FASTPATH:-off}" != off ]; then
		[ "$(grep -c 'fast path flow .* carries RTP' "$T/nwitd.log")" -ge 2 ] &&
			t_pass "audio: the fast path carries the RTP both ways while nwitd runs the SCTP" ||
			t_fail "audio: fast path" "$(grep 'fast path' "$T/nwitd.log" | tail -3)"
	fi
fi

if [[ ",$CASES," == *,in,* ]] && run_case in --send "$T/ue_file" --expect 1; then
	yes in confirmed && yes in bound &&
		t_pass "in: dave's file session reaches the page, which answers; nwitd opens the channel" ||
		t_fail "in: session up" "$(grep '^R' "$T/in/driver.out" | tr '\n' ' ')"
	grep -q '^a=path:msrp://198.51.100.1:[0-9]*/[a-z0-9]*;tcp' "$T/in/sip.log" &&
		grep -q '^a=setup:active' "$T/in/sip.log" &&
		t_pass "in: dave's m=message is answered with nwitd's a=path and a=setup:active (it connects)" ||
		t_fail "in: SDP" "$(grep -A12 '^v=0' "$T/in/sip.log" | tail -14)"
	[ "$(awk '/^RECEIVED/{print $2, $3}' "$T/in/ue.out")" = "$SIZE $(r in sent_sha)" ] &&
		[ "$(r in recv_size) $(r in recv_sha)" = "$SIZE $ue_sha" ] &&
		t_pass "in: $SIZE bytes each way, same SHA-256 ($(r in transfer_ms) ms)" ||
		t_fail "in: files" "dave: $(grep RECEIVED "$T/in/ue.out"); page: $(r in recv_size)"
	[ "$(r in report)" = 000_200_OK ] && [ "$(cat "$T/in/ue.rc")" = 0 ] &&
		t_pass "in: 200 REPORTs both ways" || t_fail "in: REPORTs" "$(r in report), dave rc $(cat "$T/in/ue.rc")"
fi

if [[ ",$CASES," == *,abort,* ]] && run_case abort --send "$T/ue_file" --expect 0; then
	yes abort bound && [ "$(r abort aborted_after)" != never ] &&
		t_pass "abort: the page closed its peer connection after $(r abort aborted_after) bytes" ||
		t_fail "abort: page closes mid-transfer" "$(grep '^R' "$T/abort/driver.out" | tr '\n' ' ')"
	grep -q '^REPORT .* 408$' "$T/abort/ue.out" &&
		t_pass "abort: dave got a 408 failure REPORT through the relay" ||
		t_fail "abort: failure REPORT" "$(grep -v RECEIVED "$T/abort/ue.out" | tail -3); $(tail -3 "$T/abort/ue.err")"
	yes abort ended && grep -q "BYE" "$T/abort/sip.log" &&
		t_pass "abort: nwitd ended the session on both legs" || t_fail "abort: session ended"
	grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer" "$T/abort/ue.err" &&
		t_fail "abort: dave's endpoint has no leak" "$(grep -A8 Sanitizer "$T/abort/ue.err" | head -20)" ||
		t_pass "abort: dave's endpoint ends without a sanitizer report"
fi

if [[ ",$CASES," == *,noscope,* ]] && run_case noscope --expect 0; then
	# the driver ran its "data" case with a voice-only token
	failure=$(awk '$1 == "R" && $2 == "data_failure" { print $3 }' "$T/noscope/driver.out")
	status=$(awk '$1 == "R" && $2 == "data_failure_status" { print $3 }' "$T/noscope/driver.out")
	[ "$status" = 403 ] && grep -q "INVITE needs scope file-transfer" "$T/nwitd.log" &&
		! grep -q INVITE "$T/noscope/sip.log" 2>/dev/null &&
		t_pass "noscope: without the file-transfer scope the session is refused (403, $failure) before IMS" ||
		t_fail "noscope: refused" "failure $failure $status; $(grep -c INVITE "$T/noscope/sip.log" 2>/dev/null) INVITEs at dave"
fi

if [[ ",$CASES," == *,innoscope,* ]] && run_case innoscope --expect 0; then
	# the page (a voice-only token) is registered, but may not take file transfer
	grep -q '^SIP/2.0 403 File transfer not allowed' "$T/innoscope/sip.log" &&
		grep -q 'no connected app has the file-transfer scope' "$T/innoscope/sip.log" &&
		[ "$(awk '$1 == "R" && $2 == "in_confirmed" { print $3 }' "$T/innoscope/driver.out")" = false ] &&
		t_pass "innoscope: dave's file session is refused with 403 and a Warning; the page never rings" ||
		t_fail "innoscope: 403" "$(grep '^SIP/2.0' "$T/innoscope/sip.log"); $(grep '^R' "$T/innoscope/driver.out" | tr '\n' ' ')"
fi

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
    print("# call %d: %s" % (c["id"], c.get("end_reason")))
    print("#   msrp %s" % json.dumps(c.get("msrp")))
    print("#   datachannel %s" % json.dumps((c.get("media") or {}).get("datachannel")))'
echo "$status" | python3 -c '
import json, sys
calls = [c for c in json.load(sys.stdin)["calls"]["ended"] if (c.get("msrp") or {}).get("bridge")]
bad = [c["id"] for c in calls if c["msrp"]["bridge"]["refused_from_browser"] or
       c["msrp"]["bridge"]["refused_from_ims"]]
sys.exit(1 if bad else 0)' && t_pass "the bridge refused no frame from either side" ||
	t_fail "bridge refused nothing" "$status"
kill -0 "$nwitd_pid" 2>/dev/null && t_pass "nwitd is still running" || t_fail "nwitd running" "$(tail -20 "$T/nwitd.log")"
t_nwitd_stop_clean "$nwitd_pid" "$T/nwitd.log"
nwitd_pid=
[ -n "${VERBOSE:-}" ] && sed 's/^/# nwitd: /' "$T/nwitd.log"
t_done
