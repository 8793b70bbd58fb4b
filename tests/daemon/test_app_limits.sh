#!/usr/bin/env bash
# Hostile pages and local processes cannot lock the real app out of the app endpoint:
#  - WebSockets without a token have their own cap (max_unauthorized, at most half of
#    max_connections) and a per-address cap (max_per_address): an app with its token in
#    the URL still connects while they are full;
#  - once nwitd closes a WebSocket (here: no token after auth_timeout), the close grace
#    (5 s) is absolute: a client sending frames and never answering the close is dropped;
#  - an HTTP request must be complete within http_timeout of the connection opening,
#    whatever trickle of bytes the client sends (slowloris), and discovery keeps working.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/app_lib.sh"

APP_MAX_CONNECTIONS=8
APP_AUTH_TIMEOUT=3
APP_EXTRA_CONF="max_per_address = 2
http_timeout = 2"
app_setup
TOK=$(token -s "voice")

# --- unauthorized caps ---------------------------------------------------------
# 8 token-less WebSockets from 4 addresses, 2 each: only 4 (half of max_connections) get in
for i in 1 2 3 4 5 6 7 8; do
	ws_bg "$T/h$i.out" /sip "https://anything.example" src=127.0.0.$((10 + (i + 1) / 2)) sleep:6
	sleep 0.05
done
wait_for 5 sh -c "cat $T/h?.out | grep -c '^HTTP' | grep -qx 8"
in=$(cat "$T"/h?.out | grep -c "^HTTP 101")
refused=$(cat "$T"/h?.out | grep -c "^HTTP 503 Too many unauthorized connections")
t_check "8 token-less WebSockets: 4 admitted, 4 refused 503 ($in admitted, $refused refused)" \
	[ "$in" = 4 -a "$refused" = 4 ]
expect "meanwhile the real app (token in the URL) connects and registers" \
	"$(ws "/sip?access_token=$TOK" "$APP_ORIGIN" sip:REGISTER close)" "HTTP 101" "SIP SIP/2.0 200 OK"
expect "and another token-less one is refused" "$(ws /sip "$APP_ORIGIN" sip:REGISTER)" \
	"HTTP 503 Too many unauthorized connections"
t_check "refusals counted (app_ws_too_many_unauthorized $(counter app_ws_too_many_unauthorized))" \
	[ "$(counter app_ws_too_many_unauthorized)" -ge 5 ]
wait_for 10 sh -c "! \"$NWITCTL\" -s \"$SOCK\" status | grep -q 'authorized: false'"

# per address: a third from one address is refused while another address still gets in
for i in 1 2 3; do
	ws_bg "$T/p$i.out" /sip "https://anything.example" src=127.0.0.20 sleep:4
	sleep 0.1
done
wait_for 5 sh -c "cat $T/p?.out | grep -c '^HTTP' | grep -qx 3"
expect "another address is not held back by the first" \
	"$(ws /sip "https://anything.example" src=127.0.0.21 ping close)" "HTTP 101" "PONG"
t_check "max_per_address = 2: a third from 127.0.0.20 is refused ($(cat "$T"/p?.out | tr '\n' ' '))" \
	[ "$(cat "$T"/p?.out | grep -c '^HTTP 101')" = 2 -a "$(cat "$T"/p?.out | grep -c '^HTTP 503')" = 1 ]
wait_for 10 sh -c "! \"$NWITCTL\" -s \"$SOCK\" status | grep -q 'authorized: false'"

# --- the close grace cannot be extended ----------------------------------------------
before=$(counter app_ws_close_timeouts)
out=$(ws /sip "https://anything.example" src=127.0.0.30 trickle:15)
secs=$(sed -n 's/^DROPPED //p' <<<"$out")
if [[ "$out" == *"CLOSE 1008"* ]] && [ -n "$secs" ] && python3 -c "import sys; sys.exit(not 3 + 5 - 1 <= float('$secs') <= 3 + 5 + 2)"; then
	t_pass "no token: 1008 after auth_timeout, then dropped at the close grace though it keeps sending (after $secs s)"
else
	t_fail "close grace is absolute" "$(tr '\n' '|' <<<"$out")"
fi
t_check "counted in app_ws_close_timeouts" [ "$(counter app_ws_close_timeouts)" -gt "$before" ]

# --- slowloris ---------------------------------------------------------------------
python3 - "$PORT" >"$T/slow.out" <<'PY' &
import select, socket, sys, time
port = int(sys.argv[1])
conns = []
for i in range(20):
    s = socket.socket()
    s.bind(("127.0.0.%d" % (40 + i % 10), 0))
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /.well-known/webrtc-ims HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    conns.append(s)
start = time.time()
closed = {}
while time.time() - start < 8 and len(closed) < len(conns):
    for i, s in enumerate(conns):
        if i in closed:
            continue
        try:
            r, _, _ = select.select([s], [], [], 0)
            if r and not s.recv(4096):
                closed[i] = time.time() - start
                continue
            s.sendall(b"a")
        except OSError:
            closed[i] = time.time() - start
    time.sleep(0.2)
print("CLOSED %d/%d MAX %.1f" % (len(closed), len(conns), max(closed.values()) if closed else 99))
PY
slow=$!
sleep 1
t_check "discovery answers during the slowloris" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "http://127.0.0.1:$PORT/.well-known/webrtc-ims")" = 200 ]
wait "$slow"
got=$(cat "$T/slow.out")
max=$(sed -n 's/.* MAX //p' <<<"$got")
if [[ "$got" == "CLOSED 20/20 "* ]] && python3 -c "import sys; sys.exit(not $max <= 2 + 2)"; then
	t_pass "20 trickling connections: all closed by http_timeout (2 s) + 2 s ($got)"
else
	t_fail "slowloris connections closed at http_timeout" "$got"
fi
t_check "counted in app_http_timeouts ($(counter app_http_timeouts)) and app_http_too_many ($(counter app_http_too_many))" \
	[ "$(counter app_http_timeouts)" -ge 1 ]
t_check "nwitd still answers" "$NWITCTL" -s "$SOCK" status
app_stop_check
t_done
