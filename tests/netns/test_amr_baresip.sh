#!/usr/bin/env bash
# The transcoder against a real AMR-WB / AMR phone: baresip with its amr module
# (opencore-amr / vo-amrwbenc, octet-aligned), in a network namespace of its own
# (loopback only), auto-answering. amr_peer (amr_peer.c) plays the browser side: it
# offers only AMR-WB (then, second case, only AMR), sends a 440 Hz tone encoded by
# libopus through the transcoder, and turns what the phone sends (its 1000 Hz tone) back
# into Opus, decoded by libopus. tone.py measures 440 Hz in what baresip heard and 1000 Hz
# in what amr_peer received; the transcoder refuses nothing from the real phone.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v baresip >/dev/null || t_skip_all "baresip is not installed"
[ -e /usr/lib/baresip/modules/amr.so ] || t_skip_all "baresip's amr module is not installed"
command -v sox >/dev/null || t_skip_all "sox is not installed"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
[ -f "$NWIT_BUILD/libnwit.a" ] || t_skip_all "build libnwit.a first"

t_tmpdir
NS="nwamr$$"
PEER=$T/amr_peer
SAN=-fsanitize=address
echo 'int main(void){return 0;}' | cc -x c -fsanitize=address -o "$T/san" - 2>/dev/null || SAN=
cc -std=gnu11 -O1 -g $SAN -Wall -Werror -I"$NWIT_TOP/userspace/lib" -I"$NWIT_TOP/include" \
	-I"$NWIT_BUILD" -o "$PEER" "$NWIT_TOP/tests/netns/amr_peer.c" "$NWIT_BUILD/libnwit.a" \
	$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl opus speexdsp \
		opencore-amrwb opencore-amrnb vo-amrwbenc) -lm 2>"$T/cc.log" ||
	{ cat "$T/cc.log"; t_skip_all "cannot build the AMR test peer"; }

ip netns add "$NS" || t_skip_all "cannot create a network namespace"
ip -n "$NS" link set lo up
stop_all() {
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}
t_on_exit stop_all
[ -n "${NWIT_KEEP_LOGS:-}" ] && t_on_exit "mkdir -p \"$NWIT_KEEP_LOGS\" && cp -r \"$T\"/. \"$NWIT_KEEP_LOGS\"/"
in_ns() { nsenter --net="/var/run/netns/$NS" -- "$@"; }

# one call: CODEC RATE SIP_PORT
call_case() {
	local codec=$1 rate=$2 port=$3 dir=$T/$1 hz out rec
	mkdir -p "$dir/rec"
	sox -n -r "$rate" -c 1 -b 16 "$dir/tone.wav" synth 30 sine 1000 vol 0.4
	cat >"$dir/config" <<EOC
poll_method		epoll
sip_listen		127.0.0.1:$port
net_interface		127.0.0.1
audio_player		aufile,/dev/null
audio_source		aufile,$dir/tone.wav
audio_alert		aufile,/dev/null
rtp_ports		10000-10099
module_path		/usr/lib/baresip/modules
module			amr.so
module			aufile.so
module			sndfile.so
snd_path		$dir/rec
module_app		account.so
module_app		menu.so
EOC
	echo "<sip:bob@127.0.0.1:$port>;regint=0;answermode=auto;audio_codecs=$codec/$rate" >"$dir/accounts"
	in_ns baresip -f "$dir" </dev/null >"$dir/baresip.log" 2>&1 &
	wait_for 10 grep -q "baresip is ready" "$dir/baresip.log" ||
		{ t_fail "$codec: baresip starts" "$(tail -20 "$dir/baresip.log")"; return; }
	out=$(in_ns "$PEER" --phone "127.0.0.1:$port" --codec "$codec" --hz 440 --seconds 4 \
		--out "$dir/rx.wav" 2>&1)
	local rc=$?
	echo "$out" | sed 's/^/# /'
	sleep 0.5 # the recording is closed with the call
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
	wait_for 5 sh -c "[ -z \"\$(ip netns pids $NS)\" ]" ||
		for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	if [ "$rc" -eq 0 ]; then
		t_pass "$codec: call set up and ended, nothing refused from baresip"
	else
		t_fail "$codec: call" "$(tail -20 "$dir/baresip.log")"
		return
	fi
	if echo "$out" | grep -q "answer fmtp: .*octet-align=1"; then
		t_pass "$codec: baresip answered octet-aligned (its fmtp parsed)"
	else
		t_fail "$codec: answer fmtp" "$out"
	fi
	rec=$(ls -t "$dir"/rec/*dec*.wav 2>/dev/null | head -1)
	hz=$(python3 "$NWIT_TOP/scripts/lab/tone.py" "${rec:-/nonexistent}" --skip 0.5 2>/dev/null | cut -d' ' -f1)
	if [ -n "$hz" ] && [ "$hz" -ge 431 ] && [ "$hz" -le 449 ]; then
		t_pass "$codec: baresip hears the page's tone ($hz Hz)"
	else
		t_fail "$codec: baresip hears 440 Hz" "measured '${hz:-nothing}'"
	fi
	hz=$(python3 "$NWIT_TOP/scripts/lab/tone.py" "$dir/rx.wav" --skip 0.5 | cut -d' ' -f1)
	if [ -n "$hz" ] && [ "$hz" -ge 980 ] && [ "$hz" -le 1020 ]; then
		t_pass "$codec: the page hears baresip's tone ($hz Hz)"
	else
		t_fail "$codec: the page hears 1000 Hz" "measured '${hz:-nothing}'"
	fi
}

call_case AMR-WB 16000 5070
call_case AMR 8000 5072
t_done
