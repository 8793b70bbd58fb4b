#!/usr/bin/env bash
# SIP over WebSocket for web apps: handshake checks, operator token refusals (each with its
# own reason and counter), local REGISTER, scope enforcement, RFC 6455 framing abuse,
# token expiry and revocation of live sessions, and connect/disconnect cycles without leaks.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/app_lib.sh"

APP_MAX_CONNECTIONS=6
APP_AUTH_TIMEOUT=2
app_setup
OK_TOK=$(token -s "voice video messaging file-transfer")
VOICE_TOK=$(token -s "voice")

# --- a good app ---------------------------------------------------------------
out=$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" sip:REGISTER close)
expect "valid ES256 token: connected, REGISTER answered locally with the IMPUs" "$out" \
	"HTTP 101" "SIP SIP/2.0 200 OK" \
	"P-Associated-URI <sip:alice@ims.example.net>, <tel:+15550100>" "CLOSE 1000" "EOF"
[[ "$out" == *BAD-* ]] && t_fail "handshake answer (accept key, subprotocol) is right" "$out" ||
	t_pass "handshake answer (accept key, subprotocol) is right"
ED_TOK=$("$NWITCTL" token issue -k "$T/k2.pem" -K k2 -i lab-operator -a device-1 \
	-p com.example.video -o "$APP_ORIGIN" -s "video")
expect "valid EdDSA token (second kid) works" \
	"$(ws "/sip?access_token=$ED_TOK" "$APP_ORIGIN" sip:REGISTER close)" "HTTP 101" \
	"SIP SIP/2.0 200 OK"

# an app that stays connected shows up in nwitctl status
ws_bg "$T/held.out" "/sip?access_token=$OK_TOK" "$APP_ORIGIN" sip:REGISTER wait-close
held=$BG_PID
wait_for 5 grep -q "200 OK" "$T/held.out"
st=$("$NWITCTL" -s "$SOCK" status)
expect "nwitctl status lists the app (id, origin, scopes, registered)" "$st" \
	"app.apps[0].origin: $APP_ORIGIN" "app.apps[0].app_id: com.example.phone" \
	"app.apps[0].scopes[0]: voice" "app.apps[0].scopes[3]: file-transfer" \
	"app.apps[0].registered: true"

# --- handshake checks -------------------------------------------------------------
expect "no sip subprotocol: 400" "$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" proto=chat)" "HTTP 400"
expect "WebSocket version 8: 426" "$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" version=8)" "HTTP 426"
expect "bad Sec-WebSocket-Key: 400" "$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" key=abc)" "HTTP 400"
expect "no Origin: 403" "$(ws "/sip?access_token=$OK_TOK" -)" "HTTP 403 Origin required"

# --- each refusal at connect, with its reason and its counter ------------------
refused_at_connect() { # NAME COUNTER REASON TOKEN [ORIGIN]
	local before out
	before=$(counter "$2")
	out=$(ws "/sip?access_token=$4" "${5:-$APP_ORIGIN}" sip:REGISTER)
	if [[ "$out" == "HTTP 403 $3"* ]] && [ "$(counter "$2")" -eq $((before + 1)) ]; then
		t_pass "$1: 403 $3, counted"
	else
		t_fail "$1" "got '$out', $2 $before -> $(counter "$2")"
	fi
}
b64u() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }
ROGUE=$("$NWITCTL" token issue -k "$T/rogue.pem" -K k1 -i lab-operator -a device-1 \
	-p com.example.phone -o "$APP_ORIGIN" -s voice)
payload=$(echo "$OK_TOK" | cut -d. -f2)
NONE_TOK="$(b64u '{"alg":"none"}').$payload."
hs_input="$(b64u '{"alg":"HS256","kid":"k1"}').$payload"
HS_TOK="$hs_input.$(printf '%s' "$hs_input" | openssl dgst -sha256 -hmac "$(cat "$T/jwks.json")" -binary |
	base64 -w0 | tr '+/' '-_' | tr -d '=')"

refused_at_connect "bad signature" app_auth_bad_signature "Bad token signature" "$ROGUE"
refused_at_connect "token for another origin" app_auth_wrong_origin "Origin not allowed by token" \
	"$OK_TOK" "http://second-origin.example"
refused_at_connect "expired" app_auth_expired "Token expired" "$(token -s voice -l -600)"
refused_at_connect "not yet valid" app_auth_not_yet_valid "Token not yet valid" "$(token -s voice -b 3600)"
refused_at_connect "unknown kid" app_auth_unknown_key "Token signed by an unknown key" \
	"$(token -s voice -K k9)"
refused_at_connect "revoked jti" app_auth_revoked "Token revoked" "$(token -s voice -j revoked-1)"
refused_at_connect "alg none" app_auth_bad_alg "Token algorithm not accepted" "$NONE_TOK"
refused_at_connect "HS256 keyed with the public keys" app_auth_bad_alg "Token algorithm not accepted" "$HS_TOK"
refused_at_connect "another device" app_auth_wrong_audience "Token for another device" \
	"$(token -s voice -a device-2)"
refused_at_connect "another issuer" app_auth_wrong_issuer "Token from another issuer" \
	"$("$NWITCTL" token issue -k "$T/k1.pem" -K k1 -i someone -a device-1 -p x -o "$APP_ORIGIN" -s voice)"
refused_at_connect "garbage token" app_auth_malformed "Malformed token" "not.a.token"

# a page retrying in a loop is counted every time but does not flood the log: at most
# 20 lines per 10 s window (the flood may straddle window boundaries, so the bound is
# 20 per window it touched, measured)
before=$(counter app_auth_wrong_origin)
start=$(date +%s)
for batch in 1 2 3 4 5; do
	pids=""
	for i in $(seq 1 20); do ws "/sip?access_token=$OK_TOK" http://flood.example >/dev/null & pids="$pids $!"; done
	wait $pids
done
windows=$((($(date +%s) - start) / 10 + 2))
t_check "a hundred refusals in a row are all counted" \
	[ "$(counter app_auth_wrong_origin)" -eq $((before + 100)) ]
logged=$(grep -c "flood.example" "$T/nwitd.log")
t_check "... but at most 20 per 10 s are logged ($logged in $windows windows)" \
	test "$logged" -ge 1 -a "$logged" -le $((windows * 20)) -a "$logged" -lt 100

# --- token in the SIP requests instead of the URL --------------------------------
before=$(counter app_auth_no_token)
expect "no token: connected, but requests get 401" \
	"$(ws /sip "$APP_ORIGIN" sip:REGISTER sip:MESSAGE close)" "HTTP 101" \
	"SIP SIP/2.0 401 Operator authorization required" \
	"SIP SIP/2.0 401 Operator authorization required"
t_check "no-token refusals are counted" [ "$(counter app_auth_no_token)" -eq $((before + 2)) ]
out=$(ws /sip "$APP_ORIGIN" bearer="$OK_TOK" sip:REGISTER close)
expect "Authorization: Bearer in REGISTER authorizes the session" "$out" "HTTP 101" \
	"SIP SIP/2.0 200 OK" "P-Associated-URI <sip:alice@ims.example.net>"
expect "Bearer token used from a page on another origin: 403" \
	"$(ws /sip "http://second-origin.example" bearer="$OK_TOK" sip:REGISTER close)" \
	"SIP SIP/2.0 403 Origin not allowed by token"
expect "Bearer with a bad signature: 403" \
	"$(ws /sip "$APP_ORIGIN" bearer="$ROGUE" sip:REGISTER close)" \
	"SIP SIP/2.0 403 Bad token signature"

# --- scopes on every request -----------------------------------------------------
before=$(counter app_auth_missing_scope)
out=$(ws "/sip?access_token=$VOICE_TOK" "$APP_ORIGIN" sip:REGISTER sip:INVITE:audio \
	sip:INVITE:video sip:MESSAGE sip:INVITE:file close)
expect "voice-only app: video, MESSAGE and file transfer are 403" "$out" \
	"SIP SIP/2.0 200 OK" "SIP SIP/2.0 403 Missing scope video" \
	"SIP SIP/2.0 403 Missing scope messaging" "SIP SIP/2.0 403 Missing scope file-transfer"
# the audio INVITE passes the authorization checks and goes on to call handling
audio=$(echo "$out" | grep "^SIP " | sed -n 2p)
if [[ "$audio" == "SIP SIP/2.0 "* ]] && [[ "$audio" != *" 401 "* ]] && [[ "$audio" != *" 403 "* ]]; then
	t_pass "voice-only app: audio INVITE is not refused by authorization ($audio)"
else
	t_fail "voice-only app: audio INVITE passes authorization" "got '$audio'"
fi
t_check "missing scopes are counted" [ "$(counter app_auth_missing_scope)" -eq $((before + 3)) ]

# --- RFC 6455 framing ---------------------------------------------------------------
expect "ping gets a pong with the same payload" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" ping close)" "PONG are-you-there" "CLOSE 1000"
expect "fragmented message is reassembled" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" frag:REGISTER binary:REGISTER close)" \
	"SIP SIP/2.0 200 OK" "SIP SIP/2.0 200 OK" "CLOSE 1000" "EOF"
before=$(counter app_ws_protocol_errors)
expect "unmasked client frame: close 1002" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" raw:unmasked)" "CLOSE 1002" "EOF"
expect "fragmented ping: close 1002" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" raw:fragping)" "CLOSE 1002" "EOF"
expect "message over max_message_size: close 1009" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" raw:big)" "CLOSE 1009" "EOF"
t_check "framing errors are counted" [ "$(counter app_ws_protocol_errors)" -eq $((before + 3)) ]
before=$(counter app_ws_bad_utf8)
expect "invalid UTF-8 in a text frame: close 1007" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" raw:badutf8)" "CLOSE 1007" "EOF"
t_check "invalid UTF-8 is counted" [ "$(counter app_ws_bad_utf8)" -eq $((before + 1)) ]
before=$(counter app_sip_malformed)
expect "text that is not SIP is ignored, the session stays usable" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" text:notsip sip:REGISTER close)" \
	"HTTP 101" "SIP SIP/2.0 200 OK" "CLOSE 1000"
t_check "messages that are not SIP are counted" [ "$(counter app_sip_malformed)" -eq $((before + 1)) ]

# --- live sessions lose their authorization ---------------------------------------
# expires 57 s ago: inside the 60 s clock skew now, outside it in about 3 s
ws_bg "$T/exp.out" "/sip?access_token=$(token -s voice -l -57)" "$APP_ORIGIN" sip:REGISTER wait-close
wait_for 10 grep -q EOF "$T/exp.out"
expect "a session is closed when its token expires" "$(cat "$T/exp.out")" \
	"SIP SIP/2.0 200 OK" "CLOSE 1008 Token expired"
ws_bg "$T/rev.out" "/sip?access_token=$(token -s voice -j later-1)" "$APP_ORIGIN" sip:REGISTER wait-close
wait_for 5 grep -q "200 OK" "$T/rev.out"
echo later-1 >>"$T/revoked"
kill -HUP "$NWITD_PID"	# SIGHUP re-reads the configuration and the lists it names
wait_for 5 grep -q EOF "$T/rev.out"
expect "revoking a jti and sending SIGHUP closes its session" "$(cat "$T/rev.out")" \
	"SIP SIP/2.0 200 OK" "CLOSE 1008 Token revoked"

before=$(counter app_ws_auth_timeouts)
ws_bg "$T/idle.out" /sip "$APP_ORIGIN" wait-close
wait_for 8 grep -q EOF "$T/idle.out"
expect "a WebSocket that never presents a token is closed after auth_timeout" \
	"$(cat "$T/idle.out")" "HTTP 101" "CLOSE 1008 Operator authorization required" "EOF"
t_check "... and counted" [ "$(counter app_ws_auth_timeouts)" -eq $((before + 1)) ]

# key rotation: a new kid is accepted once the operator's set is reloaded
"$NWITCTL" token keygen -t ed25519 -a -K k3 "$T/k3.pem" "$T/jwks.json"
K3_TOK=$("$NWITCTL" token issue -k "$T/k3.pem" -K k3 -i lab-operator -a device-1 \
	-p com.example.phone -o "$APP_ORIGIN" -s voice)
expect "a token from a key not loaded yet: unknown key" \
	"$(ws "/sip?access_token=$K3_TOK" "$APP_ORIGIN")" "HTTP 403 Token signed by an unknown key"
kill -HUP "$NWITD_PID"
wait_for 5 sh -c "\"$NWITCTL\" -s \"$SOCK\" status | grep -qx 'app.operator_keys: 3'"
expect "after SIGHUP the new key (kid k3) is accepted" \
	"$(ws "/sip?access_token=$K3_TOK" "$APP_ORIGIN" sip:REGISTER close)" "HTTP 101" "SIP SIP/2.0 200 OK"

# --- limits and cycles ----------------------------------------------------------------
kill "$held" 2>/dev/null; wait "$held" 2>/dev/null
wait_for 5 sh -c "! \"$NWITCTL\" -s \"$SOCK\" status | grep -q 'app.apps\[0\]'"
for i in 1 2 3 4 5 6; do
	ws_bg "$T/hold$i.out" "/sip?access_token=$OK_TOK" "$APP_ORIGIN" wait-close
	eval "hold$i=\$BG_PID"
done
wait_for 5 sh -c "[ \$(\"$NWITCTL\" -s \"$SOCK\" status | grep -c 'app.apps\[.\].peer') -eq 6 ]"
before=$(counter app_ws_too_many)
expect "connection 7 over max_connections = 6: 503" \
	"$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN")" "HTTP 503"
t_check "over-limit connections are counted" [ "$(counter app_ws_too_many)" -eq $((before + 1)) ]
for i in 1 2 3 4 5 6; do eval "kill \$hold$i; wait \$hold$i 2>/dev/null"; done

fds_before=$(ls /proc/$NWITD_PID/fd | wc -l)
rss_before=$(awk '/VmRSS/ {print $2}' /proc/$NWITD_PID/status)
out=$(ws "/sip?access_token=$OK_TOK" "$APP_ORIGIN" cycles=1000 sip:REGISTER close)
fds_after=$(ls /proc/$NWITD_PID/fd | wc -l)
rss_after=$(awk '/VmRSS/ {print $2}' /proc/$NWITD_PID/status)
t_check "1000 connect/register/close cycles all work" [ "$out" = "CYCLES 1000/1000" ]
t_check "no fd growth over the cycles ($fds_before -> $fds_after)" [ "$fds_after" -le "$fds_before" ]
if ldd "$NWITD" 2>/dev/null | grep -q libasan; then
	t_skip_na "no memory growth over the cycles" "ASan's quarantine holds freed memory (LeakSanitizer checks at exit)"
else
	t_check "no memory growth over the cycles (${rss_before} -> ${rss_after} kB)" \
		[ "$rss_after" -le $((rss_before + 1024)) ]
fi
t_check "nwitd is still running" kill -0 "$NWITD_PID"
app_stop_check
t_done
