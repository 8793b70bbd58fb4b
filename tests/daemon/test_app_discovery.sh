#!/usr/bin/env bash
# App endpoint over HTTP: the discovery document (public part, authorized part, why it is
# unavailable), CORS and Private Network Access preflights, and refused paths/methods.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/app_lib.sh"

command -v curl >/dev/null || t_skip_all "curl is not installed"
APP_PNA_ORIGINS=$APP_ORIGIN
app_setup
URL="http://127.0.0.1:$PORT/.well-known/webrtc-ims"

field() { # field JSON-FILE PYTHON-EXPR
	python3 -c "import json,sys; d=json.load(open('$1')); print($2)"
}

curl -s -D "$T/h1" -o "$T/d1" -H "Origin: $APP_ORIGIN" "$URL"
expect "discovery answers 200 with JSON" "$(cat "$T/h1")" "HTTP/1.1 200" \
	"Content-Type: application/json"
expect "discovery allows the page's origin" "$(cat "$T/h1")" \
	"Access-Control-Allow-Origin: $APP_ORIGIN"
t_check "discovery document is version 1" [ "$(field "$T/d1" "d['version']")" = 1 ]
t_check "not available while IMS is not registered" \
	[ "$(field "$T/d1" "d['available']")" = "False" ]
# an unauthorized page learns whether the device offers the translation and how to ask
# for it, nothing about the state behind it (docs/app-api.md)
t_check "a page without a token gets only version, service, available, websocket, authorization" \
	[ "$(field "$T/d1" "' '.join(sorted(d))")" = "authorization available service version websocket" ]
t_check "gives the WebSocket URL and subprotocol" \
	[ "$(field "$T/d1" "d['websocket']['url'], d['websocket']['subprotocol']")" = \
	  "ws://127.0.0.1:$PORT/sip sip" ]
if grep -q -e alice -e 15550100 -e reasons -e ims_not "$T/d1"; then
	t_fail "no personal data and no reasons without a token" "$(cat "$T/d1")"
else
	t_pass "no personal data and no reasons without a token"
fi

TOK=$(token -s "voice video")
curl -s -o "$T/d2" -H "Origin: $APP_ORIGIN" -H "Authorization: Bearer $TOK" "$URL"
t_check "an authorized app sees its identity" \
	[ "$(field "$T/d2" "d['token']['authorized'], d['token']['app_id'], d['token']['impu']")" = \
	  "True com.example.phone <sip:alice@ims.example.net>, <tel:+15550100>" ]
t_check "an authorized app sees the status: unavailable, IMS not registered" \
	[ "$(field "$T/d2" "d['available'], d['status'], 'ims_not_registered' in d['reasons']")" = \
	  "False unavailable True" ]
t_check "says why: no fast path (mode off)" \
	[ "$(field "$T/d2" "'fastpath_unavailable' in d['reasons']")" = True ]
t_check "says SRTP takes the relay, with no kernel AES named" \
	[ "$(field "$T/d2" "d['fastpath']['srtp'], d['fastpath'].get('aes')")" = "relay None" ]
t_check "not provisioned is not claimed when [ims] is set" \
	[ "$(field "$T/d2" "'ims_not_provisioned' in d['reasons']")" = False ]
t_check "offers the services that work (voice, video, file transfer, pager-mode messaging) with their codecs" \
	[ "$(field "$T/d2" "' '.join(d['services']), ' '.join(d['codecs']['audio']), ' '.join(d['codecs']['video'])")" = \
	  "voice video file-transfer messaging opus/48000/2 PCMU/8000 PCMA/8000 telephone-event/8000 H264/90000 VP8/90000" ]
curl -s -o "$T/d3" -H "Origin: http://other.example" -H "Authorization: Bearer $TOK" "$URL"
t_check "a token from another origin sees no identity" \
	[ "$(field "$T/d3" "d['token']['refusal'], 'impu' in d['token']")" = "wrong_origin False" ]
if grep -q -e alice -e reasons "$T/d3"; then t_fail "refused token leaks nothing" "$(cat "$T/d3")"; else t_pass "refused token leaks nothing"; fi
# a valid token without any Origin (a local process replaying a page's token) is refused
curl -s -o "$T/d3b" -H "Authorization: Bearer $TOK" "$URL"
t_check "a valid token without Origin is refused (wrong_origin), no IMPU" \
	[ "$(field "$T/d3b" "d['token']['authorized'], d['token']['refusal'], 'impu' in d['token'], 'reasons' in d")" = \
	  "False wrong_origin False False" ]

curl -s -D "$T/h4" -o /dev/null -X OPTIONS -H "Origin: $APP_ORIGIN" \
	-H "Access-Control-Request-Method: GET" -H "Access-Control-Request-Headers: authorization" \
	-H "Access-Control-Request-Private-Network: true" "$URL"
expect "preflight from a listed public page is allowed (PNA)" "$(tr -d '\r' <"$T/h4")" \
	"HTTP/1.1 204" "Access-Control-Allow-Origin: $APP_ORIGIN" \
	"Access-Control-Allow-Methods: GET, HEAD, OPTIONS" \
	"Access-Control-Allow-Headers: Authorization" \
	"Access-Control-Allow-Private-Network: true"
curl -s -D "$T/h4b" -o /dev/null -X OPTIONS -H "Origin: https://public.example" \
	-H "Access-Control-Request-Method: GET" \
	-H "Access-Control-Request-Private-Network: true" "$URL"
if grep -qi "Access-Control-Allow-Private-Network" "$T/h4b"; then
	t_fail "PNA is not granted to an origin private_network_origins does not list" "$(cat "$T/h4b")"
else
	t_pass "PNA is not granted to an origin private_network_origins does not list"
fi
curl -s -D "$T/h5" -o /dev/null -X OPTIONS -H "Origin: https://public.example" \
	-H "Access-Control-Request-Method: GET" "$URL"
if grep -qi "Access-Control-Allow-Private-Network" "$T/h5"; then
	t_fail "PNA header only when asked for"
else
	t_pass "PNA header only when asked for"
fi

# HEAD: the headers of GET (Content-Length included) and no body
python3 - "$PORT" >"$T/head" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"HEAD /.well-known/webrtc-ims HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % int(sys.argv[1]))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.partition(b"\r\n\r\n")
hdrs = {l.split(b":", 1)[0].strip().lower(): l.split(b":", 1)[1].strip() for l in head.split(b"\r\n")[1:]}
print(head.split(b"\r\n")[0].decode(), hdrs.get(b"content-length", b"-").decode(), len(body))
PY
get_len=$(curl -s -o /dev/null -w '%{size_download}' "$URL")
t_check "HEAD on discovery: 200, Content-Length $get_len as for GET, no body ($(cat "$T/head"))" \
	[ "$(cat "$T/head")" = "HTTP/1.1 200 OK $get_len 0" ]

before=$(counter app_http_refused)
t_check "unknown path: 404" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/etc/passwd")" = 404 ]
t_check "POST to discovery: 405" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x "$URL")" = 405 ]
t_check "refused HTTP requests are counted" [ "$(counter app_http_refused)" -ge $((before + 1)) ]
t_check "oversized headers are refused" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$URL")" != 200 ]
# raw HTTP abuse: each gets an error status or a closed connection, never a hang
raw_http() { # raw_http PYTHON-BYTES-EXPRESSION: prints the status line or CLOSED
	python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
try:
    s.sendall(eval(sys.argv[2]))
    s.shutdown(socket.SHUT_WR)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    print(data.split(b"\r\n")[0].decode(errors="replace") if data else "CLOSED")
except socket.timeout:
    print("TIMEOUT")
except OSError:
    print("CLOSED")  # refused while we were still sending
PY
}
for case in 'b"GARBAGE\r\n\r\n"' \
	'b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"' \
	'bytes(range(256)) * 16' \
	'b"GET /sip HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(5000)) + b"\r\n"' \
	'b"POST /.well-known/webrtc-ims HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n" + b"z" * 10000' \
	'b"GET /.well-known/webrtc-ims HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"' \
	'b"GET /sip HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: sip\r\nOrigin: http://a\r\n\r\n\x81"'; do
	got=$(raw_http "$case")
	case "$got" in
	"HTTP/1.1 4"* | "HTTP/1.0 4"* | CLOSED | "HTTP/1.1 101"*) t_pass "HTTP abuse answered cleanly: ${case:0:40}... -> $got" ;;
	*) t_fail "HTTP abuse answered cleanly: ${case:0:40}" "got '$got'" ;;
	esac
done
t_check "nwitd still answers after all that" "$NWITCTL" -s "$SOCK" status
app_stop_check
t_done
