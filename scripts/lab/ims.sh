#!/usr/bin/env bash
# The lab's operator side, in namespace nwit-ims: Kamailio as the IMS core and baresip
# phones as remote IMS subscribers. Needs `scripts/lab.sh up` first.
#
#   ims.sh core-start | core-stop
#   ims.sh deregister NAME deactivated|rejected|unregistered
#                                       the network removes NAME's bindings; the reg event
#                                       NOTIFY to NAME's subscribers names that event
#   ims.sh ue-start NAME PORT TONE_HZ [ANSWERMODE]
#                                       a phone registered as NAME (password NAME-secret) on
#                                       198.51.100.10:PORT that auto-answers (ANSWERMODE
#                                       auto; early: 183 with early media, never 200), sends
#                                       a sine of TONE_HZ and records what it hears
#   ims.sh ue CMD NAME [ARG]            send a command to that phone: dial URI | hangup
#   ims.sh ue-recording NAME            path of the newest recording of what NAME heard
#   ims.sh ue-stop NAME
#   ims.sh video-start NAME SIP_PORT MEDIA_PORT vp8|h264
#                                       a video phone (sipp registered as NAME, answering
#                                       one call with PCMU + the codec on MEDIA_PORT and
#                                       MEDIA_PORT + 2, RTP/AVP) whose media echo.py sends
#                                       back and counts (tests/e2e/video_peer/)
#   ims.sh video-answer NAME uas|upgrade
#                                       answer the next call again (uas), or an audio call
#                                       and then its re-INVITE adding video (upgrade)
#   ims.sh video-dial NAME USER         that phone calls USER@ims.example.net with PCMU + its
#                                       codec (sipp UAC, on SIP_PORT + 2), and waits for BYE
#   ims.sh video-stats NAME             the echo's per-stream counters (JSON)
#   ims.sh video-stop NAME
#   ims.sh msrp-relay-start             Kamailio's msrp relay module (RFC 4976) on
#                                       198.51.100.10:2855, a second Kamailio of its own
#                                       (tests/netns/kamailio/msrp_relay.cfg)
#   ims.sh stop                         stop every phone, the relay, then the core
#
# Files live under /run/nwit-lab/ (kamailio/, ue-NAME/). Phones are stopped before the
# core: baresip hangs when it cannot unregister.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
PREFIX=${NWIT_LAB_PREFIX:-nwit-}
NS=${PREFIX}ims
RUN=${NWIT_LAB_RUN:-/run/nwit-lab}
IMS_ADDR=198.51.100.10
IMS_DOMAIN=ims.example.net
KAM_DBTEXT=/usr/share/kamailio/dbtext/kamailio

die() { echo "ims: $*" >&2; exit 1; }
in_ns() { nsenter --net="/var/run/netns/$NS" -- "$@"; }
# Background daemons are started with exec so that the recorded pid is theirs.
spawn_in_ns() { # spawn_in_ns DIR LOG CMD...: run CMD in DIR inside the namespace, in the background
	local dir=$1 log=$2; shift 2
	(cd "$dir" && exec nsenter --net="/var/run/netns/$NS" -- "$@" </dev/null >"$log" 2>&1) &
	SPAWNED=$!
}
[ -e "/var/run/netns/$NS" ] || die "namespace $NS is missing: run scripts/lab.sh up"

wait_for() { # wait_for SECONDS COMMAND...
	local deadline=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
}

stop_pidfile() {
	local pidfile=$1 pid
	[ -f "$pidfile" ] || return 0
	pid=$(cat "$pidfile")
	if kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait_for 5 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$pidfile"
}

listening() { in_ns ss -Hln "( sport = :$1 )" | grep -q .; }

core_start() {
	local dir=$RUN/kamailio
	stop_pidfile "$dir/kamailio.pid"
	mkdir -p "$dir/db"
	# the presence modules open these db_text tables (they keep their state in memory)
	for t in version presentity active_watchers watchers pua; do
		cp "$KAM_DBTEXT/$t" "$dir/db/$t" || die "no db_text schema $KAM_DBTEXT/$t (package kamailio)"
	done
	spawn_in_ns "$dir" "$dir/kamailio.log" \
		kamailio -f "$here/kamailio.cfg" -DD -E -Y "$dir" -u root -g root \
		-A "IMS_ADDR=\"$IMS_ADDR\"" -A "IMS_DOMAIN=\"$IMS_DOMAIN\"" \
		-A "CTL_SOCKET=\"unix:$dir/kamailio_ctl\"" -A "REG_SERVER=\"sip:$IMS_ADDR:5060\"" \
		-A "DB_URL=\"text://$dir/db\""
	echo "$SPAWNED" >"$dir/kamailio.pid"
	wait_for 10 listening 5060 || { tail -20 "$dir/kamailio.log"; die "Kamailio did not start"; }
	echo "ims: Kamailio listening on $IMS_ADDR:5060 (udp, tcp), domain $IMS_DOMAIN"
}

msrp_relay_start() {
	local dir=$RUN/msrp-relay
	stop_pidfile "$dir/kamailio.pid"
	mkdir -p "$dir"
	spawn_in_ns "$dir" "$dir/kamailio.log" \
		kamailio -f "$here/../../tests/netns/kamailio/msrp_relay.cfg" -DD -E -Y "$dir" -u root -g root \
		-A "LISTEN_ADDR=\"$IMS_ADDR\"" -A "USE_PATH_ADDR=\"$IMS_ADDR:2855\"" \
		-A "CTL_SOCKET=\"unix:$dir/kamailio_ctl\""
	echo "$SPAWNED" >"$dir/kamailio.pid"
	wait_for 10 listening 2855 || { tail -20 "$dir/kamailio.log"; die "the MSRP relay did not start"; }
	echo "ims: MSRP relay listening on $IMS_ADDR:2855"
}

# Network-initiated de-registration (TS 24.229 5.4.1.5): kamailio.cfg rewrites the event of
# the PUBLISH that the removal causes to the one named here.
deregister() {
	local name=$1 event=$2 ctl=unix:$RUN/kamailio/kamailio_ctl
	case $event in deactivated|rejected|unregistered) ;; *) die "event $event: deactivated, rejected or unregistered" ;; esac
	if [ "$event" != unregistered ]; then
		in_ns kamcmd -s "$ctl" htable.sets dereg "$name" "$event" >/dev/null ||
			die "cannot mark $name for de-registration"
	fi
	in_ns kamcmd -s "$ctl" ul.rm location "$name" >/dev/null || die "$name has no binding to remove"
	echo "ims: the network removed $name's bindings ($event)"
}

ue_dir() { echo "$RUN/ue-$1"; }
ue_ctrl_port() { echo $(($1 + 1000)); }

ue_start() {
	local name=$1 port=$2 hz=$3 answermode=${4:-auto} dir
	dir=$(ue_dir "$name")
	stop_pidfile "$dir/baresip.pid"
	rm -rf "$dir" && mkdir -p "$dir/rec"
	sox -n -r 8000 -c 1 -b 16 "$dir/tone.wav" synth 600 sine "$hz" vol 0.5
	cat >"$dir/config" <<EOC
poll_method		epoll
sip_listen		$IMS_ADDR:$port
audio_player		aufile,$dir/rec/played.wav
audio_source		aufile,$dir/tone.wav
audio_alert		aufile,/dev/null
rtp_ports		$((port + 100))-$((port + 199))
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			sndfile.so
module_app		account.so
module_app		menu.so
module			ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:$(ue_ctrl_port "$port")
snd_path		$dir/rec
EOC
	echo "<sip:$name@$IMS_DOMAIN>;auth_pass=$name-secret;outbound=\"sip:$IMS_ADDR:5060\";answermode=$answermode;regint=600" >"$dir/accounts"
	echo "$port" >"$dir/port"
	spawn_in_ns "$dir" "$dir/baresip.log" baresip -f "$dir"
	echo "$SPAWNED" >"$dir/baresip.pid"
	wait_for 10 grep -q "200 OK" "$dir/baresip.log" ||
		{ tail -20 "$dir/baresip.log"; die "phone $name did not register"; }
	echo "ims: phone $name registered from $IMS_ADDR:$port, sending ${hz} Hz"
}

ue_cmd() { # ue_cmd NAME COMMAND [PARAMS]
	local dir port
	dir=$(ue_dir "$1")
	port=$(cat "$dir/port")
	in_ns python3 - "$(ue_ctrl_port "$port")" "$2" "${3:-}" <<'EOP'
import json, socket, sys
port, command, params = int(sys.argv[1]), sys.argv[2], sys.argv[3]
msg = json.dumps({"command": command, "params": params, "token": "lab"}).encode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"%d:%s," % (len(msg), msg))
# ctrl_tcp speaks netstrings; events may come before the response to our command.
buf = b""
while True:
    part = s.recv(4096)
    if not part:
        sys.exit("baresip closed the control connection without a response")
    buf += part
    while b":" in buf:
        length, rest = buf.split(b":", 1)
        if len(rest) < int(length) + 1:
            break
        body, buf = rest[:int(length)], rest[int(length) + 1:]
        reply = json.loads(body)
        if reply.get("response"):
            print(reply.get("data", "").strip())
            sys.exit(0 if reply.get("ok") else 1)
EOP
}

video_start() {
	local name=$1 sip=$2 media=$3 codec=$4 dir
	local peer=$here/../../tests/e2e/video_peer
	dir=$(ue_dir "$name")
	video_stop "$name"
	rm -rf "$dir" && mkdir -p "$dir"
	case $codec in vp8|h264) ;; *) die "video codec $codec: vp8 or h264" ;; esac
	echo "$codec $sip $media" >"$dir/video"
	spawn_in_ns "$dir" "$dir/echo.log" python3 "$peer/echo.py" "$IMS_ADDR" "$media" \
		"$((media + 2))" "$dir/stats.json"
	echo "$SPAWNED" >"$dir/echo.pid"
	video_answer "$name" uas
	in_ns sipp -sf "$peer/register.xml" -i "$IMS_ADDR" -p $((sip + 1)) -set contact_port "$sip" \
		-m 1 -timeout 10 -timeout_error -trace_err -error_file "$dir/reg_err.log" \
		"$IMS_ADDR:5060" </dev/null >"$dir/reg.log" 2>&1 ||
		{ tail -5 "$dir/reg_err.log" "$dir/reg.log"; die "video phone $name did not register"; }
	echo "ims: video phone $name registered, SIP $IMS_ADDR:$sip, media $media/$((media + 2)), $codec"
}

# video_answer NAME SCENARIO: (re)start the phone's sipp UAS for one call with
# tests/e2e/video_peer/SCENARIO.xml (uas: audio + video; upgrade: audio, then video added)
video_answer() {
	local name=$1 scenario=$2 dir codec sip media re rtpmap fmtp
	local peer=$here/../../tests/e2e/video_peer
	dir=$(ue_dir "$name")
	read -r codec sip media <"$dir/video" || die "video phone $name is not started"
	case $codec in
	vp8) re='a=rtpmap:([0-9]+) VP8/90000'; rtpmap=VP8/90000; fmtp='a=fmtp:[$vpt] max-fs=3600' ;;
	*) # the offer's H.264 Constrained Baseline, packetization-mode 1
		re='a=rtpmap:([0-9]+) H264/90000[[:space:]]+a=fmtp:[0-9]+ [^[:space:]]*packetization-mode=1;profile-level-id=42e01f'
		rtpmap=H264/90000; fmtp='a=fmtp:[$vpt] packetization-mode=1;profile-level-id=42e01f' ;;
	esac
	[ -f "$peer/$scenario.xml" ] || die "no scenario $scenario"
	sed -e "s|@VIDEO_RE@|$re|" -e "s|@AUDIO_PORT@|$media|" -e "s|@VIDEO_PORT@|$((media + 2))|" \
		-e "s|@VIDEO_RTPMAP@|$rtpmap|" -e "s|@VIDEO_FMTP@|$fmtp|" "$peer/$scenario.xml" \
		>"$dir/$scenario.xml"
	stop_pidfile "$dir/sipp.pid"
	wait_for 5 sh -c "! nsenter --net=/var/run/netns/$NS -- ss -Huln '( sport = :$sip )' | grep -q ."
	spawn_in_ns "$dir" "$dir/$scenario.log" sipp -sf "$dir/$scenario.xml" -i "$IMS_ADDR" \
		-p "$sip" -m 1 -nostdin -trace_msg -trace_err -message_file "$dir/${scenario}_msg.log" \
		-error_file "$dir/${scenario}_err.log"
	echo "$SPAWNED" >"$dir/sipp.pid"
	wait_for 10 listening "$sip" ||
		{ cat "$dir/$scenario.log"; die "sipp UAS ($scenario) for $name did not start"; }
}

video_dial() {
	local name=$1 user=$2 dir codec sip media pt rtpmap fmtp
	local peer=$here/../../tests/e2e/video_peer
	dir=$(ue_dir "$name")
	read -r codec sip media <"$dir/video" || die "video phone $name is not started"
	case $codec in
	vp8) pt=100; rtpmap=VP8/90000; fmtp=max-fs=3600 ;;
	*) pt=99; rtpmap=H264/90000; fmtp='profile-level-id=42e01f;packetization-mode=1' ;;
	esac
	sed -e "s|@AUDIO_PORT@|$media|" -e "s|@VIDEO_PORT@|$((media + 2))|" -e "s|@VIDEO_PT@|$pt|g" \
		-e "s|@VIDEO_RTPMAP@|$rtpmap|g" -e "s|@VIDEO_FMTP@|$fmtp|" "$peer/uac.xml" >"$dir/uac.xml"
	stop_pidfile "$dir/uac.pid"
	spawn_in_ns "$dir" "$dir/uac.log" sipp -sf "$dir/uac.xml" -i "$IMS_ADDR" -p $((sip + 2)) \
		-s "$user" -m 1 -nostdin -trace_msg -message_file "$dir/uac_msg.log" -trace_err \
		-error_file "$dir/uac_err.log" "$IMS_ADDR:5060"
	echo "$SPAWNED" >"$dir/uac.pid"
	echo "ims: $name calls $user with audio + $codec video (payload type $pt)"
}

video_stop() {
	local dir
	dir=$(ue_dir "$1")
	stop_pidfile "$dir/uac.pid"
	stop_pidfile "$dir/sipp.pid"
	stop_pidfile "$dir/echo.pid"
}

case "${1:-}" in
core-start) core_start ;;
core-stop) stop_pidfile "$RUN/kamailio/kamailio.pid" ;;
deregister) [ $# -eq 3 ] || die "usage: ims.sh deregister NAME deactivated|rejected|unregistered"
	deregister "$2" "$3" ;;
msrp-relay-start) msrp_relay_start ;;
ue-start) [ $# -eq 4 ] || [ $# -eq 5 ] || die "usage: ims.sh ue-start NAME PORT TONE_HZ [ANSWERMODE]"
	ue_start "$2" "$3" "$4" "${5:-}" ;;
ue) [ $# -ge 3 ] || die "usage: ims.sh ue dial|hangup NAME [ARG]"; ue_cmd "$3" "$2" "${4:-}" ;;
ue-recording) ls -t "$(ue_dir "$2")"/rec/*dec*.wav 2>/dev/null | head -1 ;;
ue-stop) stop_pidfile "$(ue_dir "$2")/baresip.pid" ;;
video-start) [ $# -eq 5 ] || die "usage: ims.sh video-start NAME SIP_PORT MEDIA_PORT vp8|h264"
	video_start "$2" "$3" "$4" "$5" ;;
video-answer) [ $# -eq 3 ] || die "usage: ims.sh video-answer NAME uas|upgrade"
	video_answer "$2" "$3" ;;
video-dial) [ $# -eq 3 ] || die "usage: ims.sh video-dial NAME USER"; video_dial "$2" "$3" ;;
video-stats) cat "$(ue_dir "$2")/stats.json" 2>/dev/null || echo '{}' ;;
video-stop) video_stop "$2" ;;
stop)
	for d in "$RUN"/ue-*; do [ -d "$d" ] && stop_pidfile "$d/baresip.pid" && video_stop "${d##*/ue-}"; done
	stop_pidfile "$RUN/msrp-relay/kamailio.pid"
	stop_pidfile "$RUN/kamailio/kamailio.pid" ;;
*) sed -n '2,35p' "$0" >&2; exit 2 ;;
esac
