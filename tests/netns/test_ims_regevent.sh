#!/usr/bin/env bash
# The reg event subscription (RFC 3680, TS 24.229 5.1.1.3/5.1.1.7) against a sipp UAS that
# plays the P-CSCF/S-CSCF (tests/netns/ims_regevent/regevent.xml): after registering, nwitd
# SUBSCRIBEs; the scenario's NOTIFYs shorten the registration (a refresh must follow within
# 5 s), send bad ones (400/489/481/415, counted; an old and a repeated document saying
# "rejected" are answered 200, counted and ignored), deactivate the contact (a new registration and
# subscription must follow), end the subscription alone (a new SUBSCRIBE must follow), and
# on SIGTERM the un-SUBSCRIBE precedes the de-REGISTER.
# A second nwitd is then rejected by the network and says why; a third is put on probation
# and registers again after retry-after.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v sipp >/dev/null || t_skip_all "sipp (package sip-tester) is not installed"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "build nwitd and nwitctl first"

t_tmpdir
. "$NWIT_TOP/tests/netns/ims_ns_lib.sh"
ims_ns_up nwregev
SIPP_PID=""

MSGS="$T/sipp.msg"
nsenter --net="/var/run/netns/$NS" -- sipp -sf "$NWIT_TOP/tests/netns/ims_regevent/regevent.xml" \
	-i 127.0.0.1 -p 5060 -t u1 -bg -nostdin -trace_msg -message_file "$MSGS" -trace_err \
	-error_file "$T/sipp.err" >"$T/sipp.out" 2>&1
SIPP_PID=$(grep -o 'PID=\[[0-9]*\]' "$T/sipp.out" | tr -dc 0-9)
[ -n "$SIPP_PID" ] || t_bail "sipp starts" "$(tail -n 20 "$T/sipp.out")"
wait_for 5 sh -c "nsenter --net=/var/run/netns/$NS -- ss -Hlun 'sport = :5060' | grep -q ." ||
	t_bail "sipp listens" "$(tail -n 20 "$T/sipp.out")"

write_conf() { # NAME
	mkdir -p "$T/$1-state"
	cat >"$T/$1.conf" <<EOF2
[general]
control_socket = $T/$1.sock
state_dir = $T/$1-state
[fastpath]
mode = off
[ims]
pcscf = 127.0.0.1
transport = udp
home_domain = ims.example.net
impi = alice@ims.example.net
impu = sip:alice@ims.example.net
password = secret
expires = 600
EOF2
}
is() { [ "$(ims "$1")" = "$2" ]; }
# the messages sipp saw or sent, in order: "<time> <sent|received> <first line> | <Expires>"
trace() { python3 - "$MSGS" <<'PY'
import re, sys
blocks = re.split(r"^-{20,} ", open(sys.argv[1], errors="replace").read(), flags=re.M)
for b in blocks[1:]:
    lines = b.splitlines()
    m = re.match(r"\S+ (\d+):(\d+):(\d+\.\d+)", lines[0])
    if not m or len(lines) < 2: continue
    t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    d = "sent" if "message sent" in lines[1] else "received"
    msg = [l for l in lines[2:] if l.strip()]
    first = msg[0] if msg else ""
    exp = next((l.split(":", 1)[1].strip() for l in msg if l.lower().startswith("expires:")), "-")
    ev = re.search(r'event="(\w+)"', b)
    print("%.3f %s %s | %s | %s" % (t, d, first, exp, ev.group(1) if ev else "-"))
PY
}

write_conf a
nwitd_start a || t_fail "nwitd started" "$(tail -5 "$T/a.log")"
if wait_for 10 is regevent.state active; then t_pass "registered and subscribed (SUBSCRIBE answered 200)"; else
	t_fail "subscribed" "$(ims state) $(ims regevent.state): $(ims regevent.reason) $(ims last_error)"; fi
sub=$(python3 - "$MSGS" <<'PY'
import re, sys
for b in re.split(r"^-{20,} ", open(sys.argv[1], errors="replace").read(), flags=re.M):
    if "received" in b and "\nSUBSCRIBE " in b:
        print(b); break
PY
)
echo "$sub" | sed 's/^/# /' | head -20
[[ "$sub" == *"SUBSCRIBE sip:alice@ims.example.net SIP/2.0"* && "$sub" == *"Event: reg"* &&
   "$sub" == *"Accept: application/reginfo+xml"* && "$sub" == *"Expires: 600000"* &&
   "$sub" == *"Route: <sip:orig@127.0.0.1:5060;lr>"* &&
   "$sub" == *"P-Preferred-Identity: <sip:alice@ims.example.net>"* ]] &&
	t_pass "SUBSCRIBE: Request-URI = IMPU, Event: reg, Accept, Expires 600000, Service-Route, P-Preferred-Identity" ||
	t_fail "SUBSCRIBE headers"
if wait_for 5 sh -c "'$NWITCTL' -s '$SOCK' status 2>/dev/null | grep -q 'registered.*version 0\|version 0.*registered'"; then
	t_pass "full-state NOTIFY taken: status shows the last reg event ($(ims regevent.last_event))"
else
	t_fail "full-state NOTIFY" "$(ims regevent.last_event)"
fi

# shortened to 5 s: a REGISTER refresh must follow within 5 s
if wait_for 10 sh -c "'$NWITCTL' -s '$SOCK' status 2>/dev/null | grep -q shortened"; then
	t_pass "shortened NOTIFY taken ($(ims regevent.last_event))"; else
	t_fail "shortened NOTIFY" "$(ims regevent.last_event)"; fi
wait_for 8 sh -c "[ \$(grep -c '^REGISTER ' '$MSGS') -ge 2 ]"
gap=$(trace | python3 -c '
import sys
t0 = None
for l in sys.stdin:
    f = l.split()
    if t0 is None and f[1] == "sent" and l.rstrip().endswith("| shortened"): t0 = float(f[0])
    elif t0 is not None and f[1] == "received" and f[2] == "REGISTER":
        print("%.1f" % (float(f[0]) - t0)); break')
python3 -c "import sys; sys.exit(0 if '$gap' and float('$gap') < 5 else 1)" 2>/dev/null &&
	t_pass "re-registered ${gap} s after the shortened NOTIFY (expires=5)" ||
	t_fail "refresh within 5 s after shortened" "gap '$gap'"

# bad NOTIFYs: refused with 400 / 489 / 481 and counted, nwitd alive
if wait_for 10 sh -c "[ \"\$('$NWITCTL' -s '$SOCK' -j stats 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"][\"ims_regevent_wrong_dialog\"])')\" = 1 ]"; then
	t_pass "NOTIFY for another dialog: counted"; else t_fail "wrong dialog counted" "$(stat ims_regevent_wrong_dialog)"; fi
wait_for 5 sh -c "[ \"\$('$NWITCTL' -s '$SOCK' -j stats 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"][\"ims_regevent_out_of_order\"])')\" = 2 ]"
[ "$(stat ims_regevent_bad_body)" = 2 ] && t_pass "NOTIFY with bad XML, NOTIFY with a pidf body: counted" ||
	t_fail "bad XML and pidf body counted" "$(stat ims_regevent_bad_body)"
[ "$(stat ims_regevent_no_event)" = 1 ] && t_pass "NOTIFY without Event: counted" ||
	t_fail "missing Event counted" "$(stat ims_regevent_no_event)"
[ "$(stat ims_regevent_out_of_order)" = 2 ] &&
	t_pass "an older full document and a repeated partial one: counted as out of order" ||
	t_fail "out-of-order documents counted" "$(stat ims_regevent_out_of_order)"
grep -q 'ignored a full document version 0 (have 1)' "$T/a.log" &&
	grep -q 'ignored a partial document version 1 (have 1)' "$T/a.log" &&
	! grep -q 'rejected the registration' "$T/a.log" &&
	t_pass "their \"rejected\" was not acted on (the registration stayed)" ||
	t_fail "out-of-order \"rejected\" ignored" "$(grep 'reg event' "$T/a.log" | tail -5)"
for code in 400 489 481 415; do
	trace | grep -q "sent SIP/2.0 $code \|received SIP/2.0 $code " &&
		t_pass "bad NOTIFY answered $code" || t_fail "bad NOTIFY answered $code"
done

# deactivated: a new initial registration (new Call-ID) and a new subscription
if wait_for 10 sh -c "[ \$(grep -c '^SUBSCRIBE ' '$MSGS') -ge 2 ]" && wait_for 5 is regevent.state active; then
	t_pass "deactivated: registered and subscribed again"
else
	t_fail "deactivated: registered and subscribed again" "$(ims state) $(ims regevent.state)"
fi
# that second SUBSCRIBE was challenged: the answer must use the Digest password
auth=$(python3 - "$MSGS" <<'PY'
import re, sys
for b in re.split(r"^-{20,} ", open(sys.argv[1], errors="replace").read(), flags=re.M):
    m = re.search(r"^Authorization: (Digest .*)$", b, re.M)
    if "received" in b and "\nSUBSCRIBE " in b and m:
        print(m.group(1).strip()); break
PY
)
echo "# SUBSCRIBE answer: $auth"
if python3 - "$auth" <<'PY'
import hashlib, re, sys
p = dict(re.findall(r'(\w+)="?([^",]*)"?', sys.argv[1]))
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
ha1 = md5("alice@ims.example.net:ims.example.net:secret")
ha2 = md5("SUBSCRIBE:" + p["uri"])
want = md5(":".join([ha1, "c3ViLW5vbmNlLTE=", p["nc"], p["cnonce"], "auth", ha2]))
sys.exit(0 if p.get("response") == want and p["uri"] == "sip:alice@ims.example.net" and
         p["username"] == "alice@ims.example.net" else 1)
PY
then t_pass "challenged SUBSCRIBE answered with the Digest credentials (response checked here)"
else t_fail "challenged SUBSCRIBE answered" "$auth"; fi
cids=$(grep -A12 '^REGISTER ' "$MSGS" | grep -i '^Call-ID:' | sort -u | wc -l)
[ "$cids" -ge 2 ] && t_pass "deactivated: the new REGISTER is an initial registration (new Call-ID)" ||
	t_fail "new Call-ID after deactivated" "$cids"
kill -0 "$NWITD_PID" && t_pass "nwitd alive after the bad NOTIFYs" || t_fail "nwitd alive"

# the notifier ends the subscription (reason=timeout): a new SUBSCRIBE, the registration stays
if wait_for 10 sh -c "[ \$(grep -c '^SUBSCRIBE ' '$MSGS') -ge 3 ]" && wait_for 5 is regevent.state active; then
	t_pass "Subscription-State terminated;reason=timeout: subscribed again"
else
	t_fail "subscribed again after reason=timeout" "$(ims regevent.state): $(ims regevent.reason)"
fi
regs=$(grep -A12 '^REGISTER ' "$MSGS" | grep -i '^Call-ID:' | sort -u | wc -l)
[ "$regs" = 2 ] && is state registered && t_pass "reason=timeout: no new registration" ||
	t_fail "reason=timeout: no new registration" "$regs Call-IDs, $(ims state)"

# SIGTERM: un-SUBSCRIBE (Expires: 0), then REGISTER Expires: 0
# (eight NOTIFYs taken by now: full, shortened, old full, repeated partial, deactivated;
# full, terminated; full)
wait_for 5 sh -c "[ \"\$('$NWITCTL' -s '$SOCK' status 2>/dev/null | sed -n 's/^ims.regevent.notifies: //p')\" = 8 ]" ||
	t_fail "eight NOTIFYs taken before SIGTERM" "$(ims regevent.notifies)"
kill -TERM "$NWITD_PID"; wait "$NWITD_PID"; rc=$?; NWITD_PID=""
[ "$rc" = 0 ] && t_pass "nwitd stopped cleanly" || t_fail "nwitd exit status" "$rc"
order=$(trace | awk '$2 == "received" && ($3 == "SUBSCRIBE" || $3 == "REGISTER") && $(NF-2) == "0" { print $3 }' | tr '\n' ' ')
echo "# Expires: 0 requests in order: $order"
[ "$order" = "SUBSCRIBE REGISTER " ] && t_pass "shutdown: un-SUBSCRIBE (Expires: 0) before REGISTER Expires: 0" ||
	t_fail "shutdown order" "$order"

# a second device life: the network rejects the registration
write_conf b
nwitd_start b
if wait_for 10 is state failed; then t_pass "rejected: registration stops"; else
	t_fail "rejected: registration stops" "$(ims state) $(ims regevent.state)"; fi
ims last_error | grep -q rejected && t_pass "rejected: last_error says why ($(ims last_error))" ||
	t_fail "rejected: last_error" "$(ims last_error)"
n=$(grep -c '^REGISTER ' "$MSGS"); sleep 2
[ "$(grep -c '^REGISTER ' "$MSGS")" = "$n" ] && t_pass "rejected: no REGISTER after it" ||
	t_fail "rejected: no REGISTER after it"
kill -TERM "$NWITD_PID"; wait "$NWITD_PID"; NWITD_PID=""

# a third one: probation with retry-after=2 -> backoff, then a new registration after 2 s
write_conf c
n=$(grep -c '^REGISTER ' "$MSGS")
nwitd_start c
if wait_for 10 sh -c "'$NWITCTL' -s '$SOCK' status 2>/dev/null | grep -q probation"; then
	t_pass "probation: registration gone, last_error says why ($(ims last_error))"; else
	t_fail "probation: last_error" "$(ims state): $(ims last_error)"; fi
t0=$(date +%s.%N)
if wait_for 10 sh -c "[ \$(grep -c '^REGISTER ' '$MSGS') -ge $((n + 2)) ]"; then
	dt=$(python3 -c "import time; print('%.1f' % (time.time() - $t0))")
	python3 -c "import sys; sys.exit(0 if 1.0 <= $dt + 0.5 <= 4.5 else 1)" &&
		t_pass "probation: registered again ${dt} s later (retry-after=2)" ||
		t_fail "probation: retry-after respected" "${dt} s"
else
	t_fail "probation: registered again" "$(ims state): $(ims last_error)"
fi
wait_for 5 is state registered || t_fail "probation: registered" "$(ims state)"
kill -TERM "$NWITD_PID"; wait "$NWITD_PID"; NWITD_PID=""
# TCP: the same subscription over the registration's TCP connection
kill "$SIPP_PID" 2>/dev/null; wait_for 5 sh -c "! kill -0 $SIPP_PID 2>/dev/null"
MSGS="$T/sipp-tcp.msg"
nsenter --net="/var/run/netns/$NS" -- sipp -sf "$NWIT_TOP/tests/netns/ims_regevent/regevent.xml" \
	-i 127.0.0.1 -p 5060 -t t1 -bg -nostdin -trace_msg -message_file "$MSGS" -trace_err \
	-error_file "$T/sipp-tcp.err" >"$T/sipp-tcp.out" 2>&1
SIPP_PID=$(grep -o 'PID=\[[0-9]*\]' "$T/sipp-tcp.out" | tr -dc 0-9)
wait_for 5 sh -c "nsenter --net=/var/run/netns/$NS -- ss -Hltn 'sport = :5060' | grep -q ." ||
	t_fail "sipp listens on TCP" "$(cat "$T/sipp-tcp.out")"
write_conf d
sed -i 's/^transport = udp/transport = tcp/' "$T/d.conf"
nwitd_start d
if wait_for 10 sh -c "'$NWITCTL' -s '$SOCK' status 2>/dev/null | grep -q 'version 0.*registered'"; then
	t_pass "tcp: subscribed, full-state NOTIFY taken ($(ims regevent.last_event))"; else
	t_fail "tcp: subscribed" "$(ims state) $(ims regevent.state): $(ims regevent.reason)"; fi
if wait_for 10 sh -c "[ \$(grep -c '^REGISTER ' '$MSGS') -ge 2 ]"; then
	t_pass "tcp: shortened NOTIFY brings the refresh forward ($(ims regevent.last_event))"; else
	t_fail "tcp: refresh after shortened" "$(ims regevent.last_event)"; fi
kill -TERM "$NWITD_PID"; wait "$NWITD_PID"; NWITD_PID=""
grep -A12 '^SUBSCRIBE ' "$MSGS" | grep -q '^Expires: 0' && t_pass "tcp: un-SUBSCRIBE on SIGTERM" ||
	t_fail "tcp: un-SUBSCRIBE on SIGTERM"
grep -q "ERROR\|AddressSanitizer" "$T/a.log" "$T/b.log" "$T/c.log" "$T/d.log" && t_fail "no sanitizer errors in the logs" ||
	t_pass "no sanitizer errors in the logs"
t_done
