#!/usr/bin/env bash
# Pager-mode messages end to end: headless Chromium runs the sample app's chat box
# (docs/examples/webrtc-ims-app/chat.js, JsSIP sendMessage/newMessage) against nwitd in
# the lab; its message reaches bob (sipp behind Kamailio) byte for byte, and bob's
# MESSAGE to the device's IMPU appears in the page with the same text. The discovery
# document offers messaging; nwitd keeps nothing pending afterwards.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio sipp chromium node python3; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
e2e="$NWIT_TOP/tests/e2e"
[ -d "$e2e/node_modules/playwright-core" ] && [ -d "$e2e/node_modules/jssip" ] ||
	t_skip_all "npm packages missing: (cd tests/e2e && npm ci)"
[ -x "$NWITD" ] || t_skip_all "nwitd not built in $NWIT_BUILD"
t_tmpdir
export NWIT_LAB_PREFIX="nwm$$-" NWIT_LAB_RUN="$T/run" NWIT_BUILD
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
webapp="$NWIT_TOP/scripts/lab/webapp.sh"
scen="$NWIT_TOP/tests/netns/pager"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"
t_on_exit "'$webapp' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${nwitd_pid:-}\" ] && kill \$nwitd_pid 2>/dev/null; true"
t_on_exit "[ -n \"\${uas_pid:-}\" ] && kill \$uas_pid 2>/dev/null; true"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
mkdir -p "$T/run/state" "$T/sipp"
"$ims" core-start >/dev/null || { t_fail "Kamailio starts"; t_done; }
in_ims() { nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- "$@"; }
# bob: sipp answering MESSAGE 200 on 198.51.100.10:5072 (its record: bob.msg)
(cd "$T/sipp" && exec nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- \
	sipp -sf "$scen/uas_message.xml" -i 198.51.100.10 -p 5072 -trace_msg \
	-message_file "$T/sipp/bob.msg" -nostdin </dev/null >"$T/sipp/bob.out" 2>&1) &
uas_pid=$!
(cd "$T/sipp" && in_ims timeout 20 sipp 198.51.100.10:5060 -sf "$scen/register.xml" \
	-i 198.51.100.10 -p 5073 -m 1 -nostdin >"$T/sipp/reg.out" 2>&1) ||
	{ t_fail "bob (sipp) registers" "$(tail -5 "$T/sipp/reg.out")"; t_done; }

sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" -e "s|^mode = .*|mode = off|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
"$webapp" token >/dev/null	# makes the lab operator's key before nwitd reads it
token=$("$NWIT_BUILD/nwitctl" token issue -k "$T/run/operator.pem" -K lab1 -i lab-operator \
	-a lab-device -p com.example.sample -o http://203.0.113.10:8080 -s "voice messaging")
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
nwitd_pid=$!
ctl() { "$NWITCTL" -s "$T/run/nwitd.sock" -j "$@"; }
registered() { ctl status 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")' 2>/dev/null; }
wait_for 10 registered || { t_fail "nwitd registers" "$(tail -20 "$T/nwitd.log")"; t_done; }
"$webapp" serve >/dev/null || { t_fail "the app server starts"; t_done; }

out_text='Hallo Bob! Grüße aus Chromium ✓ 漢字 🙂 <&>'
(cd "$e2e" && APP_URL="http://203.0.113.10:8080/index.html?gw=http://192.0.2.1:8461&token=$token" \
	OUT_TEXT="$out_text" WAIT_IN=40 exec nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}browser" -- \
	timeout 120 node message_driver.js) >"$T/driver.out" 2>&1 &
driver=$!
r() { awk -v k="$1" '$1 == "R" && $2 == k { print $3; exit }' "$T/driver.out"; }
wait_for 60 grep -q "^R ready_for_in" "$T/driver.out"
[ "$(r registered)" = true ] && t_pass "the page registers" || t_fail "the page registers" "$(tail -5 "$T/driver.out")"
[[ ",$(r discovery_services)," == *,messaging,* ]] && t_pass "discovery offers messaging ($(r discovery_services))" ||
	t_fail "discovery offers messaging" "$(r discovery_services)"
[ "$(r out_status)" = 200 ] && t_pass "the page's message gets bob's 200 as delivery report" ||
	t_fail "delivery report 200" "$(r out_status); $(tail -5 "$T/driver.out")"
python3 - "$T/sipp/bob.msg" "$out_text" <<'EOP' && t_pass "bob receives the page's text byte for byte" ||
import re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"UDP message received \[\d+\] bytes :\n\n(MESSAGE .*?)\r\n\r\n", data, re.S)
head = m.group(1)
cl = int(re.search(rb"^Content-Length:\s*(\d+)", head, re.M | re.I).group(1))
body = data[m.end():m.end() + cl]
sys.exit(0 if body == sys.argv[2].encode() else "got %r" % body)
EOP
	t_fail "bob receives the text" "$(tail -30 "$T/sipp/bob.msg")"

# bob sends to the device's IMPU; sipp ends the body with CRLF
in_text='Hallo Seite! Grüße von Bob ✓ 🙂'
python3 - "$scen/uac_message.xml.in" "$T/sipp/in.xml" "$in_text" <<'EOP'
import sys
src, dst, body = sys.argv[1:]
open(dst, "w").write(open(src).read().replace("@STATUS@", "200")
                     .replace("@CTYPE@", "text/plain;charset=UTF-8").replace("@BODY@", body))
EOP
(cd "$T/sipp" && in_ims timeout 60 sipp 198.51.100.10:5060 -sf "$T/sipp/in.xml" \
	-i 198.51.100.10 -p 5074 -m 1 -nostdin >"$T/sipp/in.out" 2>&1) &&
	t_pass "bob's MESSAGE to alice is answered 200 (by the page)" || t_fail "bob's MESSAGE answered" "$(tail -5 "$T/sipp/in.out")"
wait $driver
sed -n '/^# page log/,$p' "$T/driver.out" | head -${LOG_LINES:-20}
[ "$(r in_received)" = true ] && t_pass "the page shows bob's message" || t_fail "the page receives" "$(tail -5 "$T/driver.out")"
want=$(printf '%s\r\n' "$in_text" | od -An -tx1 | tr -d ' \n')
[ "$(r in_hex)" = "$want" ] && t_pass "  with the same text" || t_fail "same text" "got $(r in_hex), want $want"
[[ "$(r in_from)" == sip:bob@ims.example.net* ]] && t_pass "  from bob" || t_fail "from bob" "$(r in_from)"
[ "$(r shown)" = 2 ] && t_pass "  both messages are in the chat box" || t_fail "chat box" "$(r shown)"
[ "$(r still_registered)" = true ] && t_pass "the page stays registered" || t_fail "still registered"
ctl status | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["messages"]["pending"] != 0)' &&
	t_pass "nwitd keeps no pending message" || t_fail "no pending message" "$(ctl status)"

t_nwitd_stop_clean "$nwitd_pid" "$T/nwitd.log"
nwitd_pid=
[ -n "${VERBOSE:-}" ] && sed 's/^/# nwitd: /' "$T/nwitd.log"
t_done
