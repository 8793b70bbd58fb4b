#!/usr/bin/env bash
# The SIP router: every message from either side is parsed exactly once (stats sip.parses
# equals the messages received from apps plus those from the P-CSCF), and requests no
# service takes get the right answer: 481 inside an unknown dialog, 405 with Allow for a
# known method outside a dialog, 501 with Allow for an unknown one, 200 with Allow to
# OPTIONS, nothing to ACK. The P-CSCF is scripted on loopback (sip_peer.py).
# asan: yes
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/app_lib.sh"

command -v python3 >/dev/null || t_skip_all "python3 is not installed"
APP_PCSCF_PORT=$(free_port)
PEER_DIR=$(mktemp -d /tmp/nwit-sip-peer.XXXXXX)
python3 "$NWIT_TOP/tests/daemon/sip_peer.py" "$APP_PCSCF_PORT" "$PEER_DIR/out" 60 \
	2>"$PEER_DIR/err" &
PEER_PID=$!
app_setup
t_on_exit "kill $PEER_PID 2>/dev/null; rm -rf $PEER_DIR"

stat() { # stat PATH: one value of nwitctl stats, e.g. sip.parses
	"$NWITCTL" -s "$SOCK" -j stats | python3 -c "
import json, sys
v = json.load(sys.stdin)
for k in '$1'.split('.'):
    v = v[k]
print(v)"
}

# --- the IMS side ------------------------------------------------------------------
wait_for 15 grep -q '^done' "$PEER_DIR/out" || true
peer=$(cat "$PEER_DIR/out")
answer() { echo "$peer" | sed -n "s/^answer $1 //p"; }
allow_ok() { [[ "$1" == *"Allow: "*INVITE*MESSAGE*NOTIFY*OPTIONS* ]]; }
t_check "IMS: OPTIONS outside a dialog: 200 with Allow" allow_ok "$(answer options)"
[[ "$(answer options)" == 200* ]] && t_pass "  status 200" || t_fail "  status 200" "$(answer options)"
[ "$(answer bye_unknown_dialog)" = 481 ] && t_pass "IMS: BYE in an unknown dialog: 481" ||
	t_fail "IMS: BYE in an unknown dialog: 481" "got '$(answer bye_unknown_dialog)'"
[ "$(answer info_no_dialog)" = 481 ] && t_pass "IMS: INFO (only exists in a dialog) without a To tag: 481" ||
	t_fail "IMS: INFO without a dialog: 481" "got '$(answer info_no_dialog)'"
a=$(answer subscribe)
[[ "$a" == 405* ]] && allow_ok "$a" && t_pass "IMS: SUBSCRIBE outside a dialog: 405 with Allow" ||
	t_fail "IMS: SUBSCRIBE outside a dialog: 405 with Allow" "got '$a'"
a=$(answer unknown_method)
[[ "$a" == 501* ]] && allow_ok "$a" && t_pass "IMS: unknown method FROB: 501 with Allow" ||
	t_fail "IMS: unknown method: 501 with Allow" "got '$a'"
[ "$(answer notify_other_dialog)" = 481 ] &&
	t_pass "IMS: NOTIFY of another package in an unknown dialog: 481" ||
	t_fail "IMS: NOTIFY of another package: 481" "got '$(answer notify_other_dialog)'"
[ "$(answer message_no_app)" = 480 ] && t_pass "IMS: MESSAGE with no app connected: the pager's 480" ||
	t_fail "IMS: MESSAGE with no app: 480" "got '$(answer message_no_app)'"
[ "$(stat sip.malformed_ims)" -ge 1 ] && t_pass "IMS: garbage counted as malformed" ||
	t_fail "IMS: garbage counted" "malformed_ims $(stat sip.malformed_ims)"

# --- the app side --------------------------------------------------------------------
OK_TOK=$(token -s "voice video messaging file-transfer")
out=$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" sip:REGISTER sip:OPTIONS sip:BYE \
	sip:SUBSCRIBE sip:FROB sip:MESSAGE text:garbage sip:REGISTER close)
expect "app: REGISTER, OPTIONS local; BYE 481, SUBSCRIBE 405, FROB 501; MESSAGE relayed" "$out" \
	"SIP SIP/2.0 200 OK" "SIP SIP/2.0 200 OK" "SIP SIP/2.0 481" "SIP SIP/2.0 405" \
	"SIP SIP/2.0 501" "SIP SIP/2.0 200 OK" "SIP SIP/2.0 200 OK" "CLOSE 1000"

# --- one parse per message ----------------------------------------------------------
sent_ims=$(grep -c '^sent' "$PEER_DIR/out")
wait_for 5 test "$(stat sip.received_app)" -ge 8 || true
parses=$(stat sip.parses) app=$(stat sip.received_app) ims=$(stat sip.received_ims)
[ "$app" -eq 8 ] && t_pass "received from apps: the 8 messages sent" ||
	t_fail "received from apps: 8" "received_app $app"
# the peer keeps answering what nwitd sends (the app's MESSAGE, reg event SUBSCRIBE)
sent_ims=$(grep -c '^sent' "$PEER_DIR/out")
[ "$ims" -eq "$sent_ims" ] && t_pass "received from the P-CSCF: the $sent_ims messages it sent" ||
	t_fail "received from the P-CSCF" "received_ims $ims, peer sent $sent_ims"
[ "$parses" -eq $((app + ims)) ] && t_pass "one parse per message: sip.parses $parses = $app + $ims" ||
	t_fail "one parse per message" "sip.parses $parses, received $app from apps + $ims from IMS"

app_stop_check
t_done
