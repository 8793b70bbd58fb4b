#!/usr/bin/env bash
# Log flooding: datagrams that a peer can send as fast as it likes (malformed SIP from the
# P-CSCF's address, stray responses) are all counted but logged at most LOG_RL_BURST (10)
# times per 10 s window each, followed by one "N more suppressed" summary line.
. "$(dirname "$0")/../lib.sh"

command -v python3 >/dev/null || t_skip_all "python3 is not installed"
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "nwitd/nwitctl not built in $NWIT_BUILD"
t_tmpdir
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PCSCF_PORT=$(port)
SOCK=$T/nwitd.sock
cat >"$T/nwit.conf" <<CONF
[general]
control_socket = $SOCK
state_dir = $T/state
[app]
http_address = 127.0.0.1
http_port = $(port)
jwks_file = $T/none.json
token_issuer = lab-operator
[fastpath]
mode = off
[ims]
pcscf = 127.0.0.1
pcscf_port = $PCSCF_PORT
home_domain = ims.example.net
impi = alice@ims.example.net
impu = sip:alice@ims.example.net
password = secret
CONF
N=20000
: >"$T/pcscf.out"
# the "P-CSCF": waits for nwitd's REGISTER, floods nwitd's socket from its own address,
# and sends one more datagram when told to (after the rate limit's window)
python3 - "$PCSCF_PORT" "$N" "$T/late" >"$T/pcscf.out" 2>&1 <<'PY' &
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(10)
data, nwitd = s.recvfrom(65536)
print("REGISTER from", nwitd, flush=True)
sent = 0
for i in range(int(sys.argv[2])):
    # a request line with no headers: malformed for the B2BUA
    s.sendto(b"INVITE sip:x%d SIP/2.0\r\n\r\n" % i, nwitd)
    sent += 1
    if i % 500 == 0:
        time.sleep(0.01)  # let nwitd keep up: the point is the log, not the socket buffer
print("SENT", sent, flush=True)
end = time.time() + 60
while not os.path.exists(sys.argv[3]) and time.time() < end:
    time.sleep(0.1)
s.sendto(b"INVITE sip:late SIP/2.0\r\n\r\n", nwitd)
print("LATE", flush=True)
time.sleep(2)
PY
PY_PID=$!
"$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
NWITD_PID=$!
t_on_exit "kill $NWITD_PID $PY_PID 2>/dev/null; wait $NWITD_PID 2>/dev/null"
wait_for 30 grep -q SENT "$T/pcscf.out" || { cat "$T/pcscf.out" "$T/nwitd.log" | tail -20; t_fail "the P-CSCF flood ran"; t_done; }
sleep 1
counted=$("$NWITCTL" -s "$SOCK" -j stats | python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['ims_malformed_responses'])")
lines=$(grep -c "message from the P-CSCF ignored" "$T/nwitd.log")
echo "# $counted malformed datagrams counted, $lines log lines, $(stat -c %s "$T/nwitd.log") log bytes"
t_check "the flood reached nwitd (at least half of $N counted: $counted)" [ "$counted" -ge $((N / 2)) ]
t_check "at most 10 log lines per 10 s window for it ($lines)" [ "$lines" -ge 1 -a "$lines" -le 20 ]
# one more after the window: the summary says how many were left out
sleep 10
touch "$T/late"
wait_for 5 grep -q "P-CSCF messages ignored: [0-9]* more suppressed in 10 s" "$T/nwitd.log" &&
	t_pass "a summary line gives the number suppressed: $(grep -o 'P-CSCF messages ignored: [0-9]* more suppressed in 10 s' "$T/nwitd.log")" ||
	t_fail "summary line" "$(tail -5 "$T/nwitd.log")"
t_nwitd_stop_clean "$NWITD_PID" "$T/nwitd.log"
t_done
