#!/usr/bin/env bash
# Malformed and hostile answers to REGISTER (garbage, missing and duplicated
# WWW-Authenticate, a 60 KB header, a nonce that is not base64, a short AUTN, an absurd
# expires): nwitd logs and counts each, never crashes, backs off instead of storming, and
# still registers when a valid answer finally comes (tests/netns/ims_aka/hostile_pcscf.py).
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "build nwitd and nwitctl first"

t_tmpdir
. "$NWIT_TOP/tests/netns/ims_ns_lib.sh"
ims_ns_up nwhst

in_ns python3 "$NWIT_TOP/tests/netns/ims_aka/hostile_pcscf.py" \
	127.0.0.1 5060 "$T/peer.log" 2>"$T/peer.err" &
mkdir -p "$T/state"
cat >"$T/nwitd.conf" <<EOF2
[general]
control_socket = $T/nwitd.sock
state_dir = $T/state
[fastpath]
mode = off
[ims]
pcscf = 127.0.0.1
home_domain = ims.example.net
impi = alice@ims.example.net
impu = sip:alice@ims.example.net
k = 465b5ce8b199b49faa5f0a2ee238a6bc
opc = cd63cb71954a9f4e48a5994e37a02baf
EOF2
sleep 0.5
nwitd_start nwitd

if wait_for 40 state_is registered; then t_pass "registered after five rounds of hostile answers"; else
	t_fail "registered after the hostile rounds" "$(ims state): $(ims last_error); $(cat "$T/peer.log")"; fi
kill -0 "$NWITD_PID" && t_pass "nwitd did not crash" || t_fail "nwitd did not crash"
m=$(stat ims_malformed_responses)
[ "$m" -ge 6 ] && t_pass "every malformed answer counted ($m)" || t_fail "malformed answers counted" "$m"
[ "$(grep -c '^round' "$T/peer.log")" -eq 5 ] && t_pass "one REGISTER per round: backoff, no storm" ||
	t_fail "one REGISTER per round" "$(cat "$T/peer.log")"
# (garbage that is not a response is the B2BUA's to judge: either log line will do)
for what in "not a parseable SIP message|message from the P-CSCF ignored" \
	"WWW-Authenticate headers \(need exactly one\)" "AKA nonce is not base64" \
	"AKA nonce too short" "bad Contact expires value"; do
	grep -Eq "$what" "$T/nwitd.log" && t_pass "logged: $what" || t_fail "logged: $what"
done
[ "$(ims granted_expires)" = 60 ] && t_pass "the valid 200 after the absurd one was used" ||
	t_fail "granted expiry" "$(ims granted_expires)"
kill -TERM "$NWITD_PID"
wait "$NWITD_PID" && t_pass "nwitd exits 0 on SIGTERM" || t_fail "nwitd exits 0 on SIGTERM"
NWITD_PID=""
t_done
