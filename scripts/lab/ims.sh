#!/usr/bin/env bash
# The lab's operator side, in namespace nwit-ims: Kamailio as the IMS core and baresip
# phones as remote IMS subscribers. Needs `scripts/lab.sh up` first.
#
#   ims.sh core-start | core-stop
#   ims.sh ue-start NAME PORT TONE_HZ [ANSWERMODE]
#                                       a phone registered as NAME (password NAME-secret) on
#                                       198.51.100.10:PORT that auto-answers (ANSWERMODE
#                                       auto; early: 183 with early media, never 200), sends
#                                       a sine of TONE_HZ and records what it hears
#   ims.sh ue CMD NAME [ARG]            send a command to that phone: dial URI | hangup
#   ims.sh ue-recording NAME            path of the newest recording of what NAME heard
#   ims.sh ue-stop NAME
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
	mkdir -p "$dir"
	spawn_in_ns "$dir" "$dir/kamailio.log" \
		kamailio -f "$here/kamailio.cfg" -DD -E -Y "$dir" -u root -g root \
		-A "IMS_ADDR=\"$IMS_ADDR\"" -A "IMS_DOMAIN=\"$IMS_DOMAIN\"" \
		-A "CTL_SOCKET=\"unix:$dir/kamailio_ctl\""
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

case "${1:-}" in
core-start) core_start ;;
core-stop) stop_pidfile "$RUN/kamailio/kamailio.pid" ;;
msrp-relay-start) msrp_relay_start ;;
ue-start) [ $# -eq 4 ] || [ $# -eq 5 ] || die "usage: ims.sh ue-start NAME PORT TONE_HZ [ANSWERMODE]"
	ue_start "$2" "$3" "$4" "${5:-}" ;;
ue) [ $# -ge 3 ] || die "usage: ims.sh ue dial|hangup NAME [ARG]"; ue_cmd "$3" "$2" "${4:-}" ;;
ue-recording) ls -t "$(ue_dir "$2")"/rec/*dec*.wav 2>/dev/null | head -1 ;;
ue-stop) stop_pidfile "$(ue_dir "$2")/baresip.pid" ;;
stop)
	for d in "$RUN"/ue-*; do [ -d "$d" ] && stop_pidfile "$d/baresip.pid"; done
	stop_pidfile "$RUN/msrp-relay/kamailio.pid"
	stop_pidfile "$RUN/kamailio/kamailio.pid" ;;
*) sed -n '2,21p' "$0" >&2; exit 2 ;;
esac
