#!/usr/bin/env bash
# IMS registration with Digest against a real Kamailio registrar, inside a network
# namespace of its own (loopback only): register over UDP and TCP, refresh before the
# short expiry Kamailio grants, re-register within 10 s after a Kamailio restart,
# de-register on SIGTERM, P-CSCF failover, and the stop cases (wrong password, 403) with
# a clear error and no retry storm. REGISTERs are counted on Kamailio's side (its log).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v kamailio >/dev/null || t_skip_all "kamailio is not installed"
command -v kamcmd >/dev/null || t_skip_all "kamcmd is not installed"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "build nwitd and nwitctl first"

t_tmpdir
. "$NWIT_TOP/tests/netns/ims_ns_lib.sh"
ims_ns_up nwims
KAM_PID=""
# Kamailio is asked to stop before it is killed
IMS_NS_BEFORE_DOWN='[ -n "$KAM_PID" ] && kill -TERM "$KAM_PID" 2>/dev/null && sleep 0.5'

CFG="$NWIT_TOP/tests/netns/kamailio/registrar.cfg"
KLOG="$T/kamailio.log"
CTL="unix:$T/kam/ctl"
mkdir -p "$T/kam"
: >"$KLOG"

kam_start() {
	# run directly (not through a function) so that $! is Kamailio's own pid
	nsenter --net="/var/run/netns/$NS" -- kamailio -f "$CFG" -DD -E -Y "$T/kam" -u root -g root \
		-A "CTL_SOCKET=\"$CTL\"" -A MAX_EXPIRES=6 >>"$KLOG" 2>&1 &
	KAM_PID=$!
	wait_for 10 kamcmd -s "$CTL" core.uptime >/dev/null 2>&1
}
kam_stop() {
	kill -TERM "$KAM_PID" 2>/dev/null
	wait "$KAM_PID" 2>/dev/null
	KAM_PID=""
	# its children are gone too when the ports are free again
	wait_for 5 sh -c "! nsenter --net=/var/run/netns/$NS -- ss -Hltn 'sport = :5060' | grep -q ."
}
registered_at_kamailio() { kamcmd -s "$CTL" ul.dump 2>/dev/null | grep -q "AoR: $1\$"; }
registers_seen() { grep -c "REG-SEEN.* user $1 " "$KLOG"; }

write_conf() { # NAME TRANSPORT PCSCF IMPI-USER PASSWORD
	cat >"$T/$1.conf" <<EOF
[general]
control_socket = $T/$1.sock
state_dir = $T/state
[fastpath]
mode = off
[ims]
pcscf = $3
transport = $2
home_domain = ims.example.net
impi = $4@ims.example.net
impu = sip:$4@ims.example.net, tel:+15550100
password = $5
expires = 600000
EOF
}

kam_start || t_bail "Kamailio starts" "$(tail -n 20 "$KLOG")"
t_pass "kamailio registrar runs in namespace $NS"

# --- Digest over UDP ------------------------------------------------------------------
write_conf udp udp 127.0.0.1 alice alice-secret
nwitd_start udp
if wait_for 10 state_is registered; then t_pass "udp: registered"; else
	t_fail "udp: registered" "state $(ims state), error $(ims last_error)"; tail -20 "$T/udp.log"; fi
t_check "udp: Kamailio's location table has alice" registered_at_kamailio alice
kamcmd -s "$CTL" ul.dump | grep -q "Socket: udp:127.0.0.1:5060" &&
	t_pass "udp: binding over UDP" || t_fail "udp: binding over UDP"
[ "$(ims impu)" = "sip:alice@ims.example.net" ] && t_pass "udp: status shows the IMPU" ||
	t_fail "udp: status shows the IMPU" "$(ims impu)"
[ "$(ims pcscf)" = "127.0.0.1:5060/udp" ] && t_pass "udp: status shows the P-CSCF" ||
	t_fail "udp: status shows the P-CSCF" "$(ims pcscf)"
[ "$(ims granted_expires)" = 6 ] && t_pass "udp: expiry granted by Kamailio (6 s) kept" ||
	t_fail "udp: expiry granted" "$(ims granted_expires)"
ims service_route | grep -q 'sip:orig@127.0.0.1:5060;lr' && t_pass "udp: Service-Route stored" ||
	t_fail "udp: Service-Route stored" "$(ims service_route)"
ims associated_uris | grep -q 'tel:+15550100' && t_pass "udp: P-Associated-URI stored" ||
	t_fail "udp: P-Associated-URI stored" "$(ims associated_uris)"
"$NWITCTL" -s "$SOCK" -j status | grep -q 'alice-secret' && t_fail "status shows no password" ||
	t_pass "status shows no password"

before=$(stat ims_registrations)
sleep 7
after=$(stat ims_registrations)
[ $((after - before)) -ge 2 ] && state_is registered &&
	t_pass "udp: refreshed before expiry ($((after - before)) re-registrations in 7 s)" ||
	t_fail "udp: refreshed before expiry" "$before -> $after, state $(ims state)"

kam_stop
registered_at_kamailio alice && t_fail "restart: kamailio really stopped" || t_pass "restart: kamailio stopped"
sleep 1
start=$SECONDS
kam_start
if wait_for 10 registered_at_kamailio alice; then
	t_pass "udp: re-registered $((SECONDS - start)) s after the Kamailio restart (limit 10 s)"
else
	t_fail "udp: re-registered within 10 s after the Kamailio restart" "$(ims state) $(ims last_error)"
fi

if nwitd_stop; then t_pass "udp: nwitd exits 0 on SIGTERM"; else t_fail "udp: nwitd exits 0 on SIGTERM"; fi
registered_at_kamailio alice && t_fail "udp: de-registered on SIGTERM" "$(kamcmd -s "$CTL" ul.dump)" ||
	t_pass "udp: de-registered on SIGTERM"
grep -q "REG-SEEN.* user alice .*expires '0'" "$KLOG" && t_pass "udp: the de-registration carried Expires: 0" ||
	t_fail "udp: Expires: 0 seen by Kamailio"

# --- Digest over TCP ------------------------------------------------------------------
write_conf tcp tcp 127.0.0.1 alice alice-secret
nwitd_start tcp
if wait_for 10 state_is registered; then t_pass "tcp: registered"; else
	t_fail "tcp: registered" "state $(ims state), error $(ims last_error)"; tail -20 "$T/tcp.log"; fi
kamcmd -s "$CTL" ul.dump | grep -q "Socket: tcp:127.0.0.1:5060" &&
	t_pass "tcp: binding over TCP" || t_fail "tcp: binding over TCP" "$(kamcmd -s "$CTL" ul.dump | grep Socket)"
kam_stop
sleep 1
start=$SECONDS
kam_start
if wait_for 10 registered_at_kamailio alice; then
	t_pass "tcp: re-registered $((SECONDS - start)) s after the Kamailio restart (limit 10 s)"
else
	t_fail "tcp: re-registered within 10 s after the Kamailio restart" "$(ims state) $(ims last_error)"
fi
wait_for 5 state_is registered
nwitd_stop && t_pass "tcp: nwitd exits 0 on SIGTERM" || t_fail "tcp: nwitd exits 0 on SIGTERM"
registered_at_kamailio alice && t_fail "tcp: de-registered on SIGTERM" || t_pass "tcp: de-registered on SIGTERM"

# --- P-CSCF failover: the first address has no registrar ------------------------------
write_conf failover udp "127.0.0.2 127.0.0.1" alice alice-secret
nwitd_start failover
if wait_for 10 state_is registered; then t_pass "failover: registered via the second P-CSCF"; else
	t_fail "failover: registered via the second P-CSCF" "$(ims state) $(ims last_error)"; fi
[ "$(ims pcscf)" = "127.0.0.1:5060/udp" ] && t_pass "failover: status names the P-CSCF in use" ||
	t_fail "failover: status names the P-CSCF in use" "$(ims pcscf)"
[ "$(stat ims_transport_errors)" -ge 1 ] && t_pass "failover: the transport error was counted" ||
	t_fail "failover: the transport error was counted"
nwitd_stop

# --- wrong password: clear error, no retry storm -----------------------------------------
n0=$(registers_seen bob)
write_conf wrongpw udp 127.0.0.1 bob not-the-password
nwitd_start wrongpw
if wait_for 10 state_is failed; then t_pass "wrong password: registration stops"; else
	t_fail "wrong password: registration stops" "$(ims state)"; fi
ims last_error | grep -q "rejected the Digest credentials" &&
	t_pass "wrong password: last_error says the credentials were rejected" ||
	t_fail "wrong password: clear last_error" "$(ims last_error)"
sleep 8
n1=$(registers_seen bob)
[ $((n1 - n0)) -eq 2 ] && t_pass "wrong password: exactly 2 REGISTERs reached Kamailio in 8+ s (no retry storm)" ||
	t_fail "wrong password: no retry storm" "$((n1 - n0)) REGISTERs"
[ "$(stat ims_auth_failures)" = 1 ] && t_pass "wrong password: counted as an auth failure" ||
	t_fail "wrong password: counted" "$(stat ims_auth_failures)"
kill -0 "$NWITD_PID" && t_pass "wrong password: nwitd keeps running" || t_fail "wrong password: nwitd keeps running"
nwitd_stop

# --- 403 Forbidden: stop with the reason ---------------------------------------------------
n0=$(registers_seen blocked)
write_conf forbidden udp 127.0.0.1 blocked whatever
nwitd_start forbidden
if wait_for 10 state_is failed; then t_pass "403: registration stops"; else
	t_fail "403: registration stops" "$(ims state)"; fi
ims last_error | grep -q "403 Forbidden" && t_pass "403: last_error names 403 Forbidden" ||
	t_fail "403: last_error" "$(ims last_error)"
sleep 3
[ $(($(registers_seen blocked) - n0)) -eq 1 ] && t_pass "403: one REGISTER, no retry" ||
	t_fail "403: one REGISTER, no retry" "$(($(registers_seen blocked) - n0))"
nwitd_stop

grep -q "ims: registered sip:alice@ims.example.net" "$T/udp.log" &&
	t_pass "state changes are logged" || t_fail "state changes are logged"
t_done
