#!/usr/bin/env bash
# The app endpoint over TLS ([app] https_port): discovery over HTTPS points at wss://, an
# app registers over WSS with its token, refusals work the same, plain HTTP on the TLS
# port gets nothing, and HTTPS without a certificate is a configuration error.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/app_lib.sh"

command -v curl >/dev/null || t_skip_all "curl is not installed"
command -v openssl >/dev/null || t_skip_all "openssl is not installed"
APP_HTTPS=1
app_setup

curl -s --cacert "$T/tls.crt" -o "$T/d.json" -H "Origin: https://app.example" \
	"https://127.0.0.1:$HTTPS_PORT/.well-known/webrtc-ims"
t_check "discovery over HTTPS (certificate verified) gives a wss:// URL" \
	[ "$(python3 -c "import json; print(json.load(open('$T/d.json'))['websocket']['url'])")" = \
	  "wss://127.0.0.1:$HTTPS_PORT/sip" ]
curl -s -o "$T/p.json" "http://127.0.0.1:$PORT/.well-known/webrtc-ims"
t_check "the plain listener still gives a ws:// URL" \
	[ "$(python3 -c "import json; print(json.load(open('$T/p.json'))['websocket']['url'])")" = \
	  "ws://127.0.0.1:$PORT/sip" ]
out=$(wss "/sip?access_token=$(token -s voice)" "$APP_ORIGIN" sip:REGISTER ping close)
expect "WSS: an authorized app registers, pings, closes" "$out" "HTTP 101" \
	"SIP SIP/2.0 200 OK" "P-Associated-URI <sip:alice@ims.example.net>" "PONG are-you-there" \
	"CLOSE 1000" "EOF"
expect "WSS: a token for another origin is refused" \
	"$(wss "/sip?access_token=$(token -s voice)" https://elsewhere.example)" \
	"HTTP 403 Origin not allowed by token"
expect "WSS: no token, then a Bearer token in REGISTER" \
	"$(wss /sip "$APP_ORIGIN" sip:REGISTER bearer="$(token -s voice)" sip:REGISTER close)" \
	"SIP SIP/2.0 401 Operator authorization required" "SIP SIP/2.0 200 OK"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$HTTPS_PORT/.well-known/webrtc-ims")
t_check "plain HTTP to the TLS port gets no answer ($code)" [ "$code" = 000 ]
st=$("$NWITCTL" -s "$SOCK" status)
t_check "nwitctl status shows the HTTPS port" grep -qx "app.https_port: $HTTPS_PORT" <<<"$st"

printf '[app]\nhttps_port = 8443\n' >"$T/bad.conf"
out=$("$NWITD" -n -f "$T/bad.conf" 2>&1)
t_check "https_port without a certificate is refused" \
	grep -q "https_port needs tls_certificate and tls_key" <<<"$out"
app_stop_check
t_done
