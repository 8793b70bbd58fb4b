#!/usr/bin/env bash
# IMS-AKA registration against a sipp UAS that plays the S-CSCF with precomputed
# AKAv1-MD5 challenges from TS 35.208 test set 1 (tests/netns/ims_aka/): the answer uses
# RES as the password (checked by vectors.py from the published RES, not by nwitd's code),
# resynchronisation with AUTS after a stale SQN, and a MAC failure that stops registration.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v sipp >/dev/null || t_skip_all "sipp (package sip-tester) is not installed"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
command -v openssl >/dev/null || t_skip_all "openssl is not installed"
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "build nwitd and nwitctl first"

t_tmpdir
. "$NWIT_TOP/tests/netns/ims_ns_lib.sh"
ims_ns_up nwaka
SIPP_PID=""

DIR="$NWIT_TOP/tests/netns/ims_aka"
VEC="$DIR/vectors.py"
mapfile -t N < <(python3 "$VEC" nonces) || t_bail "vectors.py computes the challenges"
[ "${#N[@]}" -eq 3 ] || t_bail "vectors.py gives three challenges" "got ${#N[@]}"
SQN1=ff9bb4d0b607
SQN1_LESS=ff9bb4d0b5e7		# SQN1 - 32: same IND, SEQ one lower
SQN1_MORE=ff9bb4d0b627		# SQN1 + 32: the ISIM already saw a newer one

sipp_start() { # SCENARIO
	SIPP_LOG="$T/$1.sipp.log"
	in_ns sipp -sf "$DIR/$1.xml" -i 127.0.0.1 -p 5060 -t u1 \
		-m 1 -bg -nostdin -trace_logs -log_file "$SIPP_LOG" -trace_err \
		-error_file "$T/$1.sipp.err" -key nonce_ok "${N[0]}" -key nonce_badmac "${N[1]}" \
		-key nonce_resync "${N[2]}" >"$T/$1.sipp.out" 2>&1
	# -bg prints the daemon's pid
	SIPP_PID=$(grep -o 'PID=\[[0-9]*\]' "$T/$1.sipp.out" | tr -dc 0-9)
	[ -n "$SIPP_PID" ] || { cat "$T/$1.sipp.out"; return 1; }
	wait_for 5 sh -c "nsenter --net=/var/run/netns/$NS -- ss -Hlun 'sport = :5060' | grep -q ."
}
sipp_done() { wait_for "$1" sh -c "! kill -0 $SIPP_PID 2>/dev/null"; }
auth_line() { sed -n "s/^.*$1 *\(Digest .*\)\$/\1/p" "$SIPP_LOG" | head -n 1; }

# Each sipp scenario here ends with the registration and sipp exits: no reg event
# subscription, whose retransmissions would meet a closed port (test_ims_regevent.sh has it).
write_conf() { # NAME INITIAL_SQN [EXPIRES]
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
k = 465b5ce8b199b49faa5f0a2ee238a6bc
op = cdc202d5123e20f62b6d676ac72cb318
amf = b9b9
sqn = $2
expires = ${3:-600000}
reg_event_expires = 0
EOF2
}

# --- the challenge is answered with RES -------------------------------------------------
sipp_start aka_ok || t_bail "sipp starts"
write_conf ok "$SQN1_LESS"
nwitd_start ok
if wait_for 10 state_is registered; then t_pass "aka: registered"; else
	t_fail "aka: registered" "$(ims state): $(ims last_error)"; fi
[ "$(ims auth)" = ims-aka ] && t_pass "aka: status says ims-aka" || t_fail "aka: status says ims-aka"
a1=$(auth_line AUTH1)
echo "# initial: $a1"
[[ "$a1" == *'username="alice@ims.example.net"'* && "$a1" == *'nonce=""'* && "$a1" == *'response=""'* ]] &&
	t_pass "aka: initial REGISTER has an empty-response Authorization with username=IMPI" ||
	t_fail "aka: initial REGISTER Authorization" "$a1"
a2=$(auth_line AUTH2)
echo "# answer: $a2"
if out=$(python3 "$VEC" check-response "$a2" 2>&1); then
	t_pass "aka: response computed with the published RES as password ($out)"
else
	t_fail "aka: response computed with the published RES as password" "$out"
fi
grep -q "^7 $SQN1\$" "$T/ok-state/isim-sqn.state" &&
	t_pass "aka: accepted SQN persisted in state_dir" ||
	t_fail "aka: accepted SQN persisted" "$(cat "$T/ok-state/isim-sqn.state")"
nwitd_stop
sipp_done 5 || kill "$SIPP_PID" 2>/dev/null

# restart with the same state: the same challenge is now a replay -> resync, never reuse
sipp_start aka_ok
nwitd_start ok
if wait_for 10 sh -c "grep -q 'AUTH2 .*auts=' '$SIPP_LOG'"; then
	t_pass "aka: after a restart the replayed challenge is refused (AUTS sent, SQN state survived)"
else
	t_fail "aka: replay after restart refused" "$(auth_line AUTH2)"
fi
nwitd_stop
kill "$SIPP_PID" 2>/dev/null

# --- stale SQN: resynchronisation ------------------------------------------------------
sipp_start aka_resync
write_conf resync "$SQN1_MORE"
nwitd_start resync
if wait_for 10 state_is registered; then t_pass "resync: registered after resynchronisation"; else
	t_fail "resync: registered after resynchronisation" "$(ims state): $(ims last_error)"; fi
a2=$(auth_line AUTH2)
echo "# resync: $a2"
if out=$(python3 "$VEC" check-auts "$a2" "$SQN1_MORE" 2>&1); then
	t_pass "resync: AUTS carries SQN_MS with a valid MAC-S"
else
	t_fail "resync: AUTS" "$out"
fi
if out=$(python3 "$VEC" check-response "$a2" empty 2>&1); then
	t_pass "resync: that request's response uses an empty password (RFC 3310 3.4)"
else
	t_fail "resync: response with an empty password" "$out"
fi
a3=$(auth_line AUTH3)
if out=$(python3 "$VEC" check-response "$a3" 2>&1); then
	t_pass "resync: the fresh challenge is answered with RES"
else
	t_fail "resync: fresh challenge answered" "$out"
fi
[ "$(stat ims_aka_resyncs)" = 1 ] && t_pass "resync: counted" || t_fail "resync: counted" "$(stat ims_aka_resyncs)"
nwitd_stop
sipp_done 5 || kill "$SIPP_PID" 2>/dev/null

# --- MAC failure: stop, report, send nothing more -----------------------------------------
sipp_start aka_badmac
write_conf badmac "$SQN1_LESS"
nwitd_start badmac
if wait_for 10 state_is failed; then t_pass "mac failure: registration stops"; else
	t_fail "mac failure: registration stops" "$(ims state)"; fi
ims last_error | grep -q "MAC" && t_pass "mac failure: last_error names the MAC failure" ||
	t_fail "mac failure: last_error" "$(ims last_error)"
[ "$(stat ims_auth_failures)" = 1 ] && t_pass "mac failure: counted as an auth failure" ||
	t_fail "mac failure: counted"
sipp_done 10
grep -q "AUTH2 " "$SIPP_LOG" && t_fail "mac failure: no REGISTER after the bad challenge" "$(auth_line AUTH2)" ||
	t_pass "mac failure: no REGISTER after the bad challenge"
[ "$(stat ims_registers_sent)" = 1 ] && t_pass "mac failure: one REGISTER sent in all" ||
	t_fail "mac failure: one REGISTER sent" "$(stat ims_registers_sent)"
grep -q "^7 $SQN1\$" "$T/badmac-state/isim-sqn.state" && t_fail "mac failure: SQN state untouched" ||
	t_pass "mac failure: SQN state untouched"
nwitd_stop
# --- 423 Interval Too Brief: ask again with Min-Expires -------------------------------------
sipp_start reg_423
write_conf r423 "$SQN1_LESS" 60
nwitd_start r423
if wait_for 10 state_is registered; then t_pass "423: registered after raising the expiry"; else
	t_fail "423: registered after raising the expiry" "$(ims state): $(ims last_error)"; fi
grep -q "EXPIRES0 *7200" "$SIPP_LOG" && t_pass "423: the second REGISTER asks for Min-Expires (7200 s)" ||
	t_fail "423: Expires after 423" "$(grep EXPIRES0 "$SIPP_LOG")"
a0=$(auth_line AUTH0)
[[ "$a0" == *'response=""'* ]] && t_pass "423: it still carries the initial empty-response Authorization" ||
	t_fail "423: initial Authorization kept" "$a0"
nwitd_stop
sipp_done 5 || kill "$SIPP_PID" 2>/dev/null
t_done
