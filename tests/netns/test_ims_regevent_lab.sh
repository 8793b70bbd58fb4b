#!/usr/bin/env bash
# The reg event package (RFC 3680, TS 24.229 5.1.1.3/5.1.1.7) against the lab's IMS core,
# the real Kamailio of scripts/lab/kamailio.cfg (presence + presence_reginfo + pua +
# pua_reginfo), in a lab of its own (scripts/lab.sh):
#   nwitd registers (20 s) and subscribes: SUBSCRIBE answered 200, the first NOTIFY carries
#   the full application/reginfo+xml with our contact; the refresh REGISTER brings a NOTIFY
#   "refreshed" with a higher version;
#   the network removes the binding with event "deactivated" (ims.sh deregister): nwitd
#   registers again at once (new Call-ID) and subscribes again;
#   SIGTERM: un-SUBSCRIBE answered 200 before the de-REGISTER;
#   a second nwitd: the network removes the binding with event "rejected": nwitd stays
#   de-registered, says why, sends no REGISTER, and discovery tells apps it is not
#   registered.
# What Kamailio sent and nwitd answered is read from a capture on the LTE link (tshark),
# not from nwitd.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in kamailio kamcmd tshark tcpdump curl python3; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
ls /usr/lib/*/kamailio/modules/presence_reginfo.so >/dev/null 2>&1 ||
	t_skip_all "Kamailio's presence modules are not installed (kamailio-presence-modules)"
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "build nwitd and nwitctl first"
t_tmpdir
export NWIT_LAB_PREFIX="nre$$-" NWIT_LAB_RUN="$T/run" NWIT_BUILD
lab="$NWIT_TOP/scripts/lab.sh"
ims_sh="$NWIT_TOP/scripts/lab/ims.sh"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "'$ims_sh' stop >/dev/null 2>&1"
t_on_exit "[ -n \"\${cap_pid:-}\" ] && kill \$cap_pid 2>/dev/null; true"
t_on_exit "[ -n \"\${NWITD_PID:-}\" ] && kill -KILL \$NWITD_PID 2>/dev/null; true"
[ -n "${NWIT_KEEP_LOGS:-}" ] && t_on_exit "mkdir -p \"$NWIT_KEEP_LOGS\" && cp -r \"$T\"/. \"$NWIT_KEEP_LOGS\"/"

"$lab" up >/dev/null || t_skip_all "cannot build the lab"
mkdir -p "$T/run/state"
"$ims_sh" core-start >/dev/null ||
	{ t_fail "Kamailio starts" "$(tail -20 "$T/run/kamailio/kamailio.log")"; t_done; }
UE=/var/run/netns/${NWIT_LAB_PREFIX}ue
nsenter --net="$UE" -- tcpdump -i lte0 -U -s 0 -w "$T/lte0.pcap" udp port 5060 2>"$T/tcpdump.log" &
cap_pid=$!
wait_for 5 grep -q "listening on" "$T/tcpdump.log" || t_skip_all "tcpdump cannot capture on lte0"

SOCK="$T/run/nwitd.sock"
# shellcheck source=ims_ns_lib.sh
. "$NWIT_TOP/tests/netns/ims_ns_lib.sh"	# ims, stat, state_is (SOCK is set above)
sed -e "s|@RUN@|$T/run|g" -e "s|@BUILD@|$NWIT_BUILD|g" -e "s|^mode = .*|mode = off|" \
	"$NWIT_TOP/scripts/lab/nwit.conf.in" >"$T/nwit.conf"
echo "expires = 20" >>"$T/nwit.conf"
# the operator keys nwitd reads, and a token of the lab's web app for discovery
APP_TOKEN=$("$NWIT_TOP/scripts/lab/webapp.sh" token)
start_nwitd() { # LOG: nsenter execs nwitd, so $! is nwitd's pid
	nsenter --net="$UE" -- "$NWITD" -f "$T/nwit.conf" -v >"$T/$1" 2>&1 &
	NWITD_PID=$!
	wait_for 5 test -S "$SOCK"
}
# the SIP messages on lte0 so far, one a line: "<time>|<src>|<request line>|<status
# line>|<CSeq>|<Call-ID>|<Event>|<Subscription-State>|<Content-Type>|<Expires>|<reginfo
# version> <our contact's state> <its event>" (tshark reads the capture, this parses SIP)
sip_log() {
	tshark -r "$T/lte0.pcap" -Y sip -T fields -E separator='|' -e frame.time_relative \
		-e ip.src -e udp.payload 2>/dev/null | python3 -c '
import re, sys
for l in sys.stdin:
    t, src, hexp = (l.rstrip("\n").split("|") + ["", ""])[:3]
    msg = bytes.fromhex(hexp.replace(":", "")).decode(errors="replace")
    head, _, body = msg.partition("\r\n\r\n")
    lines = head.split("\r\n")
    h = {}
    for x in lines[1:]:
        k, _, v = x.partition(":")
        h.setdefault(k.strip().lower(), v.strip())
    req = lines[0] if not lines[0].startswith("SIP/2.0") else ""
    st = lines[0] if lines[0].startswith("SIP/2.0") else ""
    ri = "-"
    v = re.search(r"<reginfo[^>]*\sversion=\"(\d+)\"", body)
    c = re.search(r"<contact[^>]*>", body)
    if v:
        cs = re.search(r"\sstate=\"(\w+)\"", c.group(0)) if c else None
        ce = re.search(r"\sevent=\"(\w+)\"", c.group(0)) if c else None
        ri = "%s %s %s" % (v.group(1), cs.group(1) if cs else "-", ce.group(1) if ce else "-")
    print("|".join([t, src, req, st, h.get("cseq", ""), h.get("call-id", h.get("i", "")),
                    h.get("event", h.get("o", "")), h.get("subscription-state", ""),
                    h.get("content-type", h.get("c", "")), h.get("expires", ""), ri]))'
}
# NOTIFYs Kamailio sent with a reginfo body: "<version> <contact state> <event>"
notifies() { sip_log | awk -F'|' '$3 ~ /^NOTIFY / && $11 != "-" { print $11 }'; }
count() { sip_log | grep -c "$1" || true; }
notified() { notifies | grep -q " $1\$"; }	# notified "terminated deactivated"
register_call_ids() { sip_log | awk -F'|' '$3 ~ /^REGISTER/ { print $6 }' | sort -u | wc -l; }
more_than() { [ "$("$1")" -gt "$2" ]; }	# more_than FUNCTION N
subscribes() { count '|SUBSCRIBE sip'; }
regevent_is() { [ "$(ims regevent.state)" = "$1" ]; }
counter_at_least() { [ "$(stat "$1")" -ge "$2" ] 2>/dev/null; }

# --- first life: subscribe, refresh, network de-registration "deactivated", shutdown ----
start_nwitd nwitd-a.log || { t_fail "nwitd starts" "$(tail -5 "$T/nwitd-a.log")"; t_done; }
if wait_for 10 regevent_is active; then
	t_pass "registered at Kamailio and subscribed to the reg event ($(ims state), $(ims regevent.state))"
else
	t_fail "subscribed" "$(ims state) $(ims regevent.state): $(ims regevent.reason); $(tail -5 "$T/nwitd-a.log")"
fi
wait_for 5 counter_at_least ims_regevent_notifies 1
sleep 0.5	# the capture is written as packets come
sub200=$(sip_log | awk -F'|' '$4 ~ /^SIP\/2.0 200/ && $5 ~ /SUBSCRIBE/' | head -1)
[ -n "$sub200" ] && t_pass "Kamailio answered SUBSCRIBE Event: reg with 200 (${sub200%%|*} s)" ||
	t_fail "SUBSCRIBE answered 200" "$(sip_log | cut -c1-200 | head -20)"
first=$(notifies | head -1)
echo "# first NOTIFY: version, our contact's state and event: $first"
[[ "$first" =~ ^[0-9]+\ active\ (created|registered)$ ]] &&
	t_pass "the first NOTIFY carries the full reginfo with our contact active ($first)" ||
	t_fail "first NOTIFY" "'$first'; $(sip_log | grep NOTIFY | cut -c1-300 | head -3)"
[ "$(ims regevent.notifies)" -ge 1 ] && [[ "$(ims regevent.last_event)" == *active* ]] &&
	t_pass "nwitd counted it: $(ims regevent.notifies) NOTIFY, \"$(ims regevent.last_event)\"" ||
	t_fail "nwitd counted the NOTIFY" "$(ims regevent.notifies): $(ims regevent.last_event)"
answered=$(sip_log | awk -F'|' '$4 ~ /^SIP\/2.0 200/ && $5 ~ /NOTIFY/' | wc -l)
[ "$answered" -ge 1 ] && t_pass "nwitd answered the NOTIFY 200 ($answered)" ||
	t_fail "NOTIFY answered 200" "$(sip_log | grep -i notify | cut -c1-200)"

# the refresh REGISTER (at half of 20 s) makes Kamailio notify "refreshed"
if wait_for 15 notified "active refreshed"; then
	v0=${first%% *}; v1=$(notifies | awk '$3 == "refreshed" { print $1; exit }')
	[ "$v1" -gt "$v0" ] && t_pass "refresh: NOTIFY \"refreshed\", version $v0 -> $v1" ||
		t_fail "refresh: version grows" "$v0 -> $v1"
else
	t_fail "refresh: NOTIFY refreshed" "$(notifies | tr '\n' ';')"
fi
last_event_has() { [[ "$(ims regevent.last_event)" == *"$1"* ]]; }
wait_for 3 last_event_has refreshed &&
	t_pass "nwitd took it ($(ims regevent.last_event))" ||
	t_fail "nwitd took the refreshed NOTIFY" "$(ims regevent.last_event)"

# the network de-registers the device and expects it back (deactivated)
regs=$(register_call_ids)
subs=$(subscribes)
"$ims_sh" deregister alice deactivated >/dev/null || t_fail "ims.sh deregister alice deactivated"
if wait_for 5 notified "terminated deactivated"; then
	t_pass "Kamailio notified the de-registration: contact terminated, event deactivated"
else
	t_fail "NOTIFY deactivated" "$(notifies | tr '\n' ';')"
fi
if wait_for 10 more_than register_call_ids "$regs" &&
   wait_for 5 state_is registered; then
	t_pass "deactivated: nwitd registered again at once (initial registration, new Call-ID)"
else
	t_fail "deactivated: registered again" "$(ims state): $(ims last_error)"
fi
if wait_for 5 more_than subscribes "$subs" && wait_for 5 regevent_is active; then
	t_pass "deactivated: subscribed again ($(ims regevent.last_event))"
else
	t_fail "deactivated: subscribed again" "$(ims regevent.state): $(ims regevent.reason)"
fi
nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}ims" -- kamcmd -s "unix:$T/run/kamailio/kamailio_ctl" \
	ul.lookup location alice 2>&1 | grep -q 'Address: sip:.*198.51.100.1:' &&
	t_pass "Kamailio holds the new binding" || t_fail "Kamailio holds the new binding"

# SIGTERM: un-SUBSCRIBE (Expires: 0) answered, then de-REGISTER
kill -TERM "$NWITD_PID"; wait "$NWITD_PID"; rc=$?; NWITD_PID=""
[ "$rc" = 0 ] && t_pass "nwitd stopped cleanly" || t_fail "nwitd exit status" "$rc"
sleep 0.5
order=$(sip_log | awk -F'|' '($3 ~ /^SUBSCRIBE/ || $3 ~ /^REGISTER/) && $10 == "0" { split($3, a, " "); print a[1] }' | tr '\n' ' ')
[ "$order" = "SUBSCRIBE REGISTER " ] && t_pass "shutdown: un-SUBSCRIBE before the de-REGISTER" ||
	t_fail "shutdown order" "'$order'"
grep -q "unsubscribed (200)" "$T/nwitd-a.log" && t_pass "Kamailio answered the un-SUBSCRIBE 200" ||
	t_fail "un-SUBSCRIBE answered" "$(grep 'reg event' "$T/nwitd-a.log" | tail -3)"

# --- second life: the network rejects the registration ---------------------------------
start_nwitd nwitd-b.log || { t_fail "nwitd starts again" "$(tail -5 "$T/nwitd-b.log")"; t_done; }
wait_for 10 regevent_is active ||
	t_fail "second nwitd subscribed" "$(ims state) $(ims regevent.state)"
discovery() {
	# an authorized page: only it learns the registration state (docs/app-api.md)
	nsenter --net="/var/run/netns/${NWIT_LAB_PREFIX}browser" -- curl -sS -m 5 \
		-H "Origin: http://203.0.113.10:8080" -H "Authorization: Bearer $APP_TOKEN" \
		http://192.0.2.1:8461/.well-known/webrtc-ims | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("not-registered" if "ims_not_registered" in d["reasons"] else "registered", d["status"])'
}
before=$(discovery)
[[ "$before" == registered* ]] && t_pass "discovery before: IMS registered ($before)" ||
	t_fail "discovery before" "$before"
"$ims_sh" deregister alice rejected >/dev/null || t_fail "ims.sh deregister alice rejected"
if wait_for 5 state_is failed; then
	t_pass "rejected: nwitd stays de-registered (state $(ims state))"
else
	t_fail "rejected: registration stops" "$(ims state): $(ims last_error)"
fi
wait_for 3 notified 'terminated rejected' &&
	t_pass "Kamailio notified the de-registration: contact terminated, event rejected" ||
	t_fail "NOTIFY rejected" "$(notifies | tail -2 | tr '\n' ';')"
[[ "$(ims last_error)" == *rejected* ]] && t_pass "rejected: the status says why ($(ims last_error))" ||
	t_fail "rejected: last_error" "$(ims last_error)"
after=$(discovery)
[[ "$after" == "not-registered unavailable" ]] &&
	t_pass "discovery tells apps: IMS not registered, translation unavailable" ||
	t_fail "discovery after rejected" "$after"
n=$(count '|REGISTER sip'); sleep 3
[ "$(count '|REGISTER sip')" = "$n" ] && t_pass "rejected: no REGISTER after it (3 s)" ||
	t_fail "rejected: no REGISTER after it"
[ "$(stat ims_regevent_wrong_dialog)" = 0 ] && [ "$(stat ims_regevent_bad_body)" = 0 ] &&
	[ "$(stat ims_regevent_out_of_order)" = 0 ] &&
	t_pass "nothing Kamailio sent was refused or out of order" ||
	t_fail "no refused NOTIFYs" "wrong dialog $(stat ims_regevent_wrong_dialog), bad body $(stat ims_regevent_bad_body), out of order $(stat ims_regevent_out_of_order)"
t_nwitd_stop_clean "$NWITD_PID" "$T/nwitd-b.log"
NWITD_PID=""
grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$T/nwitd-a.log" &&
	t_fail "first nwitd: no sanitizer report" "$(grep -A10 Sanitizer "$T/nwitd-a.log" | head -20)" ||
	t_pass "first nwitd: no sanitizer report"
t_done
