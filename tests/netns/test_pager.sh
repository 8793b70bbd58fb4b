#!/usr/bin/env bash
# Pager-mode messaging (SIP MESSAGE, RFC 3428) through nwitd, both ways, with real
# Kamailio (scripts/lab/ims.sh) and sipp as the remote IMS subscriber bob:
#   app -> nwitd -> Kamailio -> sipp UAS: UTF-8 text arrives byte for byte, From is the
#     device's IMPU; CPIM from the app goes on as its text; refusals (no messaging scope
#     403, oversize 413, HTML 415, bad UTF-8 400) never reach IMS; an unknown user's 404
#     comes back as the delivery report;
#   sipp UAC -> Kamailio -> nwitd -> app: the text arrives byte for byte at the app with
#     the messaging scope and not at one without it; CPIM is unwrapped; an app's 486 goes
#     back to IMS; oversize 413 and HTML 415 from IMS; no app connected 480.
# A silent P-CSCF: retransmissions, then 408; a burst over the in-flight limit gets 503.
# Counters move, nwitctl status keeps no pending message, nwitd (ASan) stops cleanly.
#   NWIT_PAGER_TRANSPORT=udp|tcp   nwitd's transport toward the P-CSCF (default udp; the
#                                  silent P-CSCF part runs on udp only)
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio sipp python3; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
[ -x "$NWITD" ] || t_skip_all "nwitd not built in $NWIT_BUILD"
t_tmpdir
export NWIT_LAB_PREFIX="npg$$-" NWIT_LAB_RUN="$T/run" NWIT_BUILD
lab="$NWIT_TOP/scripts/lab.sh"
ims="$NWIT_TOP/scripts/lab/ims.sh"
webapp="$NWIT_TOP/scripts/lab/webapp.sh"
scen="$NWIT_TOP/tests/netns/pager"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${nwitd_pid:-}\" ] && kill \$nwitd_pid 2>/dev/null; true"
t_on_exit "[ -n \"\${uas_pid:-}\" ] && kill \$uas_pid 2>/dev/null; true"

"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"
mkdir -p "$T/run/state" "$T/sipp"
"$ims" core-start >/dev/null || { t_fail "Kamailio starts"; t_done; }
in_ims() { nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- "$@"; }

# bob: a sipp UAS on 198.51.100.10:5072 that answers every MESSAGE 200 and records it
(cd "$T/sipp" && exec nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- \
	sipp -sf "$scen/uas_message.xml" -i 198.51.100.10 -p 5072 -trace_msg \
	-message_file "$T/sipp/bob.msg" -trace_err -error_file "$T/sipp/bob.err" \
	-nostdin </dev/null >"$T/sipp/bob.out" 2>&1) &
uas_pid=$!
(cd "$T/sipp" && in_ims timeout 20 sipp 198.51.100.10:5060 -sf "$scen/register.xml" \
	-i 198.51.100.10 -p 5073 -m 1 -nostdin -trace_msg \
	-message_file "$T/sipp/reg.msg" >"$T/sipp/reg.out" 2>&1) &&
	t_pass "bob (sipp) registers at Kamailio" ||
	{ t_fail "bob registers" "$(tail -5 "$T/sipp/reg.out"; tail -30 "$T/sipp/reg.msg")"; t_done; }

transport=${NWIT_PAGER_TRANSPORT:-udp}
sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" -e "s|^mode = .*|mode = off|" \
	-e "s|^transport = .*|transport = $transport|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
voice_token=$("$webapp" token)
msg_token=$("$NWIT_BUILD/nwitctl" token issue -k "$T/run/operator.pem" -K lab1 -i lab-operator \
	-a lab-device -p com.example.chat -o http://203.0.113.10:8080 -s "voice messaging")
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
nwitd_pid=$!
ctl() { "$NWITCTL" -s "$T/run/nwitd.sock" -j "$@"; }
registered() { ctl status 2>/dev/null | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["ims"]["state"] != "registered")' 2>/dev/null; }
wait_for 10 registered || { t_fail "nwitd registers" "$(tail -20 "$T/nwitd.log")"; t_done; }
stat() { ctl stats | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
refused0=$(stat "d['counters']['pager_refused']")

app() { # app TOKEN MODE ARGS...
	local tok=$1; shift
	"$lab" exec browser python3 "$NWIT_TOP/tests/netns/message_app.py" 192.0.2.1 8461 "$tok" \
		http://203.0.113.10:8080 "$@" 2>&1
}
res() { echo "$1" | awk -v k="$2" '$1 == "RESULT" && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }'; }
check() { # check NAME OUTPUT KEY EXPECTED-REGEX
	local got
	got=$(res "$2" "$3")
	[[ "$got" =~ $4 ]] && t_pass "$1 ($3: $got)" || t_fail "$1" "$3: '$got'; $(echo "$2" | tail -6 | tr '\n' '|')"
}
# the bodies of the MESSAGEs bob received, in order, each into $T/sipp/bob.N
bob_bodies() {
	python3 - "$T/sipp/bob.msg" "$T/sipp/bob" <<'EOP'
import re, sys
data = open(sys.argv[1], "rb").read()
n = 0
for part in re.split(rb"\n-{20,} [^\n]*\n", b"\n" + data):
    m = re.match(rb"UDP message received \[\d+\] bytes :\n\n", part)
    if not m or not part[m.end():].startswith(b"MESSAGE "):
        continue
    msg = part[m.end():]
    head, _, body = msg.partition(b"\r\n\r\n")
    cl = int(re.search(rb"^(?:Content-Length|l):\s*(\d+)", head, re.M | re.I).group(1))
    n += 1
    open("%s.%d" % (sys.argv[2], n), "wb").write(body[:cl])
    open("%s.%d.head" % (sys.argv[2], n), "wb").write(head)
print(n)
EOP
}

# --- app -> IMS --------------------------------------------------------------------------
printf 'Grüße aus dem Labor ✓ — <b>&amp;</b> 1+1=2\r\nzweite Zeile: ünïcödé 漢字 🙂' >"$T/text.txt"
out=$(app "$msg_token" send sip:bob@ims.example.net "$T/text.txt" "text/plain;charset=UTF-8")
check "app MESSAGE to bob: the delivery report is bob's 200" "$out" status '^200$'
sleep 0.5
n=$(bob_bodies)
[ "$n" = 1 ] && t_pass "bob received one MESSAGE" || t_fail "bob received one MESSAGE" "got $n; $(tail -5 "$T/sipp/bob.out")"
cmp -s "$T/text.txt" "$T/sipp/bob.1" && t_pass "  its body is the app's text byte for byte ($(wc -c <"$T/text.txt") bytes)" ||
	t_fail "body byte for byte" "$(od -c "$T/sipp/bob.1" | head -5)"
grep -qi '^From: <sip:alice@ims.example.net>;tag=' "$T/sipp/bob.1.head" &&
	t_pass "  From is the device's IMPU" || t_fail "From is the IMPU" "$(cat "$T/sipp/bob.1.head")"
grep -qi '^P-Preferred-Identity: <sip:alice@ims.example.net>' "$T/sipp/bob.1.head" &&
	t_pass "  with P-Preferred-Identity" || t_fail "P-Preferred-Identity" "$(cat "$T/sipp/bob.1.head")"
grep -qi '^Content-Type: text/plain; *charset=UTF-8' "$T/sipp/bob.1.head" &&
	t_pass "  text/plain passed as is" || t_fail "Content-Type" "$(cat "$T/sipp/bob.1.head")"

# CPIM from the app: only its text goes on (its own From could name anyone)
printf 'From: <sip:mallory@evil.example>\r\nTo: <sip:bob@ims.example.net>\r\n\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nhallo via cpim' >"$T/cpim.txt"
out=$(app "$msg_token" send sip:bob@ims.example.net "$T/cpim.txt" "message/cpim")
check "app MESSAGE as message/cpim: delivered" "$out" status '^200$'
sleep 0.5
bob_bodies >/dev/null
[ "$(cat "$T/sipp/bob.2" 2>/dev/null)" = "hallo via cpim" ] && ! grep -q mallory "$T/sipp/bob.2.head" &&
	t_pass "  bob gets the text alone, not the app's CPIM sender" || t_fail "CPIM unwrapped" "$(cat "$T/sipp/bob.2" "$T/sipp/bob.2.head" 2>&1)"

# [ims] message_cpim = 1 (reloaded): the text goes to IMS in our own message/cpim
sed -i 's/^\[ims\]$/[ims]\nmessage_cpim = 1/' "$T/nwit.conf"
ctl reload >/dev/null || t_fail "reload with message_cpim = 1" "$(ctl status | head -5)"
out=$(app "$msg_token" send sip:bob@ims.example.net "$T/text.txt" "text/plain;charset=UTF-8")
check "with message_cpim = 1: delivered" "$out" status '^200$'
sleep 0.5
bob_bodies >/dev/null
python3 - "$T/sipp/bob.3" "$T/sipp/bob.3.head" "$T/text.txt" <<'EOP' &&
import re, sys
body, head, text = (open(f, "rb").read() for f in sys.argv[1:])
assert re.search(rb"^Content-Type: message/cpim", head, re.M | re.I), head
hdrs, _, rest = body.partition(b"\r\n\r\n")
assert b"From: <sip:alice@ims.example.net>" in hdrs.split(b"\r\n"), hdrs
assert b"To: <sip:bob@ims.example.net>" in hdrs.split(b"\r\n"), hdrs
assert re.search(rb"^imdn\.Message-ID: \S+", hdrs, re.M) and b"DateTime: " in hdrs, hdrs
mime, _, content = rest.partition(b"\r\n\r\n")
assert re.search(rb"^Content-Type: text/plain", mime, re.M | re.I), mime
assert content == text, (content, text)
EOP
	t_pass "  bob gets message/cpim: From the IMPU, IMDN Message-ID, the text byte for byte" ||
	t_fail "message/cpim toward IMS" "$(cat "$T/sipp/bob.3.head" "$T/sipp/bob.3" 2>&1 | tail -20)"
sed -i '/^message_cpim = 1$/d' "$T/nwit.conf"
ctl reload >/dev/null || t_fail "reload without message_cpim"

out=$(app "$voice_token" send sip:bob@ims.example.net "$T/text.txt" "text/plain")
check "an app without the messaging scope gets 403" "$out" status '^403$'
check "  saying which scope is missing" "$out" reason 'messaging'
head -c 1400 /dev/zero | tr '\0' 'x' >"$T/big.txt"
out=$(app "$msg_token" send sip:bob@ims.example.net "$T/big.txt" "text/plain")
check "a 1400-byte body is refused with 413" "$out" status '^413$'
check "  with a Warning giving the limit" "$out" warning '1300'
out=$(app "$msg_token" send sip:bob@ims.example.net "$T/text.txt" "text/html")
check "text/html is refused with 415" "$out" status '^415$'
check "  with Accept listing what is taken" "$out" accept 'text/plain, message/cpim'
printf 'caf\xe9 latin-1' >"$T/latin1.txt"
out=$(app "$msg_token" send sip:bob@ims.example.net "$T/latin1.txt" "text/plain;charset=utf-8" binary)
check "bytes that are not UTF-8 are refused with 400" "$out" status '^400$'
check "  with a Warning saying so" "$out" warning 'UTF-8'
out=$(app "$msg_token" send sip:nobody@ims.example.net "$T/text.txt" "text/plain")
check "a MESSAGE to an unknown user: the IMS core's 404 is the delivery report" "$out" status '^404$'
sleep 0.5
[ "$(bob_bodies)" = 3 ] && t_pass "no refused message reached bob" || t_fail "refused messages stayed" "bob got $(bob_bodies)"

# the P-CSCF goes silent (its UDP input dropped): the MESSAGE is retransmitted on the
# non-INVITE timers and the app gets 408 when Timer F (32 s) ends
if command -v nft >/dev/null && [ "$transport" = udp ]; then
	in_ims nft -f - <<'EON'
table inet npg_drop {
	chain input {
		type filter hook input priority 0;
		ip saddr 198.51.100.1 udp dport 5060 counter drop
	}
}
EON
	out=$(app "$msg_token" send sip:bob@ims.example.net "$T/text.txt" "text/plain")
	sent=$(in_ims nft -j list table inet npg_drop | python3 -c '
import json, sys
for o in json.load(sys.stdin)["nftables"]:
    for e in o.get("rule", {}).get("expr", []):
        if "counter" in e:
            print(e["counter"]["packets"])')
	in_ims nft delete table inet npg_drop
	check "no answer from the P-CSCF: the app gets 408 (Timer F)" "$out" status '^408$'
	[ "$sent" -ge 4 ] && [ "$sent" -le 12 ] &&
		t_pass "  the MESSAGE went $sent times (retransmitted, T2-capped: 11 expected)" ||
		t_fail "retransmissions" "the P-CSCF saw $sent copies"
	# 300 at once while the P-CSCF is silent: 256 in flight, the rest 503; once the
	# P-CSCF hears again, the retransmissions deliver the 256
	in_ims nft -f - <<'EON'
table inet npg_drop {
	chain input {
		type filter hook input priority 0;
		ip saddr 198.51.100.1 udp dport 5060 drop
	}
}
EON
	app "$msg_token" flood sip:bob@ims.example.net 300 >"$T/flood" &
	flood=$!
	wait_for 20 grep -q "RESULT sent" "$T/flood"
	pending=0
	for _ in $(seq 1 50); do
		pending=$(ctl status | python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"]["pending"])')
		[ "$pending" -ge 256 ] && break
		sleep 0.2
	done
	in_ims nft delete table inet npg_drop
	wait $flood
	[ "$pending" = 256 ] && t_pass "a burst of 300 MESSAGEs: 256 in flight ($pending pending)" ||
		t_fail "256 in flight" "pending $pending"
	check "  the others get 503, the 256 are delivered once the P-CSCF answers" "$(cat "$T/flood")" finals '^200:256,503:44$'
	flooded=256 timedout=1
elif [ "$transport" != udp ]; then
	t_skip_na "Timer F" "retransmissions until Timer F are a UDP matter (RFC 3261 17.1.2.2); this run uses $transport"
	flooded=0 timedout=0
else
	t_skip "Timer F" "needs nft (nftables) to drop the P-CSCF's answers"
	flooded=0 timedout=0
fi

# --- IMS -> apps -------------------------------------------------------------------------
uac() { # uac NAME STATUS CONTENT-TYPE BODYFILE: bob's sipp sends one MESSAGE to alice
	python3 - "$scen/uac_message.xml.in" "$T/sipp/$1.xml" "$2" "$3" "$4" <<'EOP'
import sys
src, dst, status, ctype, bodyfile = sys.argv[1:]
body = open(bodyfile, encoding="utf-8").read().replace("\r\n", "\n")
if body.endswith("\n"):
    body = body[:-1]  # sipp ends the message with one CRLF of its own
assert "]]>" not in body
t = open(src).read().replace("@STATUS@", status).replace("@CTYPE@", ctype).replace("@BODY@", body)
open(dst, "w").write(t)
EOP
	(cd "$T/sipp" && in_ims timeout 60 sipp 198.51.100.10:5060 -sf "$T/sipp/$1.xml" \
		-i 198.51.100.10 -p 5074 -m 1 -nostdin -trace_msg -message_file "$T/sipp/$1.msg" \
		>"$T/sipp/$1.out" 2>&1)
}
# what sipp puts on the wire: lines end in CRLF, and one CRLF after the last
printf 'Hallo Alice! Grüße ✓ <&> 漢字 🙂\r\nzweite Zeile\r\n' >"$T/in.txt"

app "$msg_token" recv "$T/got1" 200 30 >"$T/recv1" &
r1=$!
app "$voice_token" recv "$T/got2" 200 8 >"$T/recv2" &
r2=$!
wait_for 10 grep -q "RESULT ready" "$T/recv1"
wait_for 10 grep -q "RESULT ready" "$T/recv2"
sleep 0.5
uac in-text 200 "text/plain;charset=UTF-8" "$T/in.txt" &&
	t_pass "bob's MESSAGE to alice is answered 200" || t_fail "IMS MESSAGE answered 200" "$(tail -5 "$T/sipp/in-text.out"; tail -5 "$T/nwitd.log")"
wait $r1 $r2
o1=$(cat "$T/recv1") o2=$(cat "$T/recv2")
check "  the app with the messaging scope receives it" "$o1" got_message True
cmp -s "$T/in.txt" "$T/got1" && t_pass "  byte for byte ($(wc -c <"$T/in.txt") bytes)" ||
	t_fail "IMS text byte for byte" "$(od -c "$T/got1" 2>&1 | head -5)"
check "  from bob" "$o1" from 'sip:bob@ims.example.net'
check "  the app without the scope does not" "$o2" got_message False

printf 'From: <sip:bob@ims.example.net>\nTo: <sip:alice@ims.example.net>\nNS: imdn <urn:ietf:params:imdn>\nimdn.Message-ID: 7f3a\n\nContent-Type: text/plain;charset=UTF-8\n\nPer CPIM ✓' >"$T/in-cpim.txt"
app "$msg_token" recv "$T/got3" 202 30 >"$T/recv3" &
r3=$!
wait_for 10 grep -q "RESULT ready" "$T/recv3"
sleep 0.3
uac in-cpim 202 "message/cpim" "$T/in-cpim.txt" &&
	t_pass "a message/cpim MESSAGE from IMS: the app's 202 reaches bob" || t_fail "CPIM from IMS 202" "$(tail -5 "$T/sipp/in-cpim.out")"
wait $r3
o3=$(cat "$T/recv3")
printf 'Per CPIM ✓\r\n' >"$T/in-cpim-text.txt"
cmp -s "$T/in-cpim-text.txt" "$T/got3" && t_pass "  the app gets the text inside, byte for byte" ||
	t_fail "CPIM text to the app" "$(od -c "$T/got3" 2>&1 | head -3)"
check "  as text/plain" "$o3" content_type '^text/plain'

app "$msg_token" recv "$T/got4" 486 30 >"$T/recv4" &
r4=$!
wait_for 10 grep -q "RESULT ready" "$T/recv4"
sleep 0.3
uac in-busy 486 "text/plain" "$T/in.txt" && t_pass "the app's 486 goes back to bob" ||
	t_fail "486 from the app" "$(tail -5 "$T/sipp/in-busy.out")"
wait $r4

app "$msg_token" recv "$T/got5" 200 10 >"$T/recv5" &
r5=$!
wait_for 10 grep -q "RESULT ready" "$T/recv5"
sleep 0.3
uac in-big 413 "text/plain" "$T/big.txt" && t_pass "a 1400-byte MESSAGE from IMS gets 413" ||
	t_fail "413 from nwitd" "$(tail -5 "$T/sipp/in-big.out")"
printf '<p>hi</p>' >"$T/html.txt"
uac in-html 415 "text/html" "$T/html.txt" && t_pass "text/html from IMS gets 415" ||
	t_fail "415 from nwitd" "$(tail -5 "$T/sipp/in-html.out")"
grep -q '^Accept: text/plain, message/cpim' "$T/sipp/in-html.msg" && t_pass "  with Accept" ||
	t_fail "Accept in the 415" "$(grep -A12 'received' "$T/sipp/in-html.msg" | tail -12)"
wait $r5
check "  neither reaches the app" "$(cat "$T/recv5")" got_message False

uac in-noapp 480 "text/plain" "$T/in.txt" && t_pass "no app connected: bob gets 480" ||
	t_fail "480 without apps" "$(tail -5 "$T/sipp/in-noapp.out")"

# --- state and counters --------------------------------------------------------------------
st=$(ctl status)
echo "$st" | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["messages"]["pending"] != 0)' &&
	t_pass "nwitctl status: no message pending" || t_fail "no message pending" "$st"
refused1=$(stat "d['counters']['pager_refused']")
[ $((refused1 - refused0)) -ge 5 ] && t_pass "counter pager_refused moved by $((refused1 - refused0)) (5 refusals)" ||
	t_fail "pager_refused" "$refused0 -> $refused1"
s=$(stat "' '.join(str(d['messages'][k]) for k in ('app_to_ims_delivered', 'app_to_ims_failed', 'app_to_ims_timeouts', 'ims_to_app_delivered', 'ims_to_app_refused_by_apps', 'ims_to_app_no_app'))")
[ "$s" = "$((3 + flooded)) 1 $timedout 2 1 1" ] && t_pass "messages stats: delivered/failed each way ($s)" || t_fail "messages stats" "$s; $(ctl stats)"

kill -0 "$nwitd_pid" 2>/dev/null && t_pass "nwitd is still running" || t_fail "nwitd running" "$(tail -20 "$T/nwitd.log")"
t_nwitd_stop_clean "$nwitd_pid" "$T/nwitd.log"
nwitd_pid=
[ -n "${VERBOSE:-}" ] && sed 's/^/# nwitd: /' "$T/nwitd.log"
t_done
