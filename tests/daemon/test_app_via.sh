#!/usr/bin/env bash
# The Via nwitd puts on requests to a page names the transport the page really uses:
# SIP/2.0/WS with http_port on a plain ws:// connection, SIP/2.0/WSS with https_port on
# TLS (RFC 7118 section 5.2). Checked with a MESSAGE from a loopback P-CSCF to an app.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/app_lib.sh"

command -v python3 >/dev/null || t_skip_all "python3 is not installed"
command -v openssl >/dev/null || t_skip_all "openssl is not installed"
APP_HTTPS=1
APP_PCSCF_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
APP_IMS_EXTRA="reg_event_expires = 0"
PC_OUT=$(mktemp /tmp/nwit-pcscf.XXXXXX)
FLAGS=$(mktemp -d /tmp/nwit-flags.XXXXXX)
python3 "$NWIT_TOP/tests/daemon/fake_pcscf.py" "$APP_PCSCF_PORT" \
	"wait:$FLAGS/1" "message:sip:alice@ims.example.net" \
	"wait:$FLAGS/2" "message:sip:alice@ims.example.net" >"$PC_OUT" 2>&1 &
PC_PID=$!
app_setup
t_on_exit "kill $PC_PID 2>/dev/null; rm -rf '$PC_OUT' '$FLAGS'"
wait_for 10 grep -q REGISTERED "$PC_OUT" ||
	{ t_fail "nwitd registers at the loopback P-CSCF" "$(cat "$PC_OUT"; tail -5 "$T/nwitd.log")"; t_done; }
wait_for 5 sh -c "\"$NWITCTL\" -s \"$SOCK\" -j status | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)[\"ims\"][\"state\"] != \"registered\")'" &&
	t_pass "nwitd registers at the loopback P-CSCF" || t_fail "nwitd registered" "$("$NWITCTL" -s "$SOCK" status | grep ims)"
# the same app over WSS: message_app.py's socket wrapped in TLS
sed -e 's|^    s = socket.create_connection((HOST, int(PORT)), timeout=5)$|&\n    import ssl\n    s = ssl.create_default_context(cafile=os.environ["APP_TLS_CA"]).wrap_socket(s, server_hostname=HOST)|' \
	-e 's|os.path.dirname(__file__), "..", "daemon"|"'"$NWIT_TOP"'/tests/daemon"|' \
	"$NWIT_TOP/tests/netns/message_app.py" >"$T/tls_message_app.py"
grep -q wrap_socket "$T/tls_message_app.py" || t_fail "the TLS variant of the app was made"
TOK=$(token -s "voice messaging")

run_case() { # run_case N NAME APP PORT WANT-VIA-PREFIX
	local n=$1 name=$2 app=$3 port=$4 want=$5 via
	APP_TLS_CA="$T/tls.crt" python3 "$app" 127.0.0.1 "$port" "$TOK" "$APP_ORIGIN" recv \
		"$T/body$n" 200 20 >"$T/app$n.out" 2>&1 &
	local pid=$!
	wait_for 10 grep -q "RESULT ready" "$T/app$n.out"
	touch "$FLAGS/$n"
	wait "$pid"
	wait_for 10 sh -c "[ \$(grep -c FINAL '$PC_OUT') -ge $n ]"
	via=$(sed -n 's/^RESULT via //p' "$T/app$n.out")
	if [[ "$via" == "$want"* ]] && [ "$(grep FINAL "$PC_OUT" | sed -n "${n}p")" = "FINAL 200" ]; then
		t_pass "$name: the app gets Via: $via, and its 200 reaches IMS"
	else
		t_fail "$name" "via '$via' (want '$want...'); $(tr '\n' '|' <"$T/app$n.out"); $(tr '\n' '|' <"$PC_OUT")"
	fi
}
run_case 1 "plain ws://" "$NWIT_TOP/tests/netns/message_app.py" "$PORT" "SIP/2.0/WS 127.0.0.1:$PORT;"
run_case 2 "wss://" "$T/tls_message_app.py" "$HTTPS_PORT" "SIP/2.0/WSS 127.0.0.1:$HTTPS_PORT;"
app_stop_check
t_done
