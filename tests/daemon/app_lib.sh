# Helpers for the app endpoint tests (sourced after tests/lib.sh): operator keys, tokens,
# and an nwitd with the app endpoint on a free loopback port.
# shellcheck shell=bash

APP_CLIENT="$NWIT_TOP/tests/daemon/app_ws_client.py"
APP_ORIGIN=http://203.0.113.10:8080

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# app_setup: keys k1 (ES256) and k2 (EdDSA) in the JWK set, a rogue key outside it,
# a revocation list, and nwitd running. Sets T, PORT, SOCK, NWITD_PID.
app_setup() {
	command -v python3 >/dev/null || t_skip_all "python3 is not installed"
	[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "nwitd/nwitctl not built in $NWIT_BUILD"
	t_tmpdir
	"$NWITCTL" token keygen -K k1 "$T/k1.pem" "$T/jwks.json" &&
	"$NWITCTL" token keygen -t ed25519 -a -K k2 "$T/k2.pem" "$T/jwks.json" &&
	"$NWITCTL" token keygen -K k1 "$T/rogue.pem" "$T/rogue-jwks.json" ||
		{ echo "cannot make keys"; exit 1; }
	printf '# revoked by the operator\nrevoked-1\n' >"$T/revoked"
	PORT=$(free_port)
	https=""
	if [ -n "${APP_HTTPS:-}" ]; then
		HTTPS_PORT=$(free_port)
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-keyout "$T/tls.key" -out "$T/tls.crt" -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
			{ echo "cannot make a TLS certificate"; exit 1; }
		https="https_port = $HTTPS_PORT
tls_certificate = $T/tls.crt
tls_key = $T/tls.key"
	fi
	SOCK="$T/nwitd.sock"
	cat >"$T/nwit.conf" <<-CONF
	[general]
	control_socket = $SOCK
	state_dir = $T/state
	[app]
	http_address = 127.0.0.1
	http_port = $PORT
	jwks_file = $T/jwks.json
	revocation_file = $T/revoked
	token_issuer = lab-operator
	audience = device-1
	max_message_size = 16384
	max_connections = ${APP_MAX_CONNECTIONS:-8}
	auth_timeout = ${APP_AUTH_TIMEOUT:-30}
	${APP_PNA_ORIGINS:+private_network_origins = $APP_PNA_ORIGINS}
	${APP_EXTRA_CONF:-}
	$https
	[fastpath]
	mode = off
	[ims]
	pcscf = 127.0.0.1
	pcscf_port = ${APP_PCSCF_PORT:-$(free_port)}
	${APP_IMS_EXTRA:-}
	home_domain = ims.example.net
	impi = alice@ims.example.net
	impu = sip:alice@ims.example.net, tel:+15550100
	password = secret
	CONF
	"$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
	NWITD_PID=$!
	t_on_exit "kill $NWITD_PID 2>/dev/null; wait $NWITD_PID 2>/dev/null"
	if ! wait_for 5 "$NWITCTL" -s "$SOCK" status >/dev/null 2>&1; then
		cat "$T/nwitd.log"
		echo "nwitd did not start"
		exit 1
	fi
}

# token [issue options...]: a token from k1 for the lab app, overridable.
token() {
	"$NWITCTL" token issue -k "$T/k1.pem" -K k1 -i lab-operator -a device-1 \
		-p com.example.phone -o "$APP_ORIGIN" "$@"
}

ws() { # ws PATH ORIGIN STEP...
	python3 "$APP_CLIENT" 127.0.0.1 "$PORT" "$@" 2>&1
}

wss() { # wss PATH ORIGIN STEP...: over TLS to HTTPS_PORT, the certificate checked
	local path=$1 origin=$2
	shift 2
	python3 "$APP_CLIENT" 127.0.0.1 "$HTTPS_PORT" "$path" "$origin" tls="$T/tls.crt" "$@" 2>&1
}

counter() { # counter NAME: its value from nwitctl stats
	"$NWITCTL" -s "$SOCK" -j stats | python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"
}

# expect NAME OUTPUT LINE...: each LINE appears in OUTPUT, in order.
expect() {
	local name=$1 out=$2 line rest
	shift 2
	rest=$out
	for line in "$@"; do
		if [[ "$rest" != *"$line"* ]]; then
			t_fail "$name" "missing '$line' in: $(echo "$out" | tr '\n' '|')"
			return
		fi
		rest=${rest#*"$line"}
	done
	t_pass "$name"
}

# ws_bg OUTFILE PATH ORIGIN STEP...: a client in the background; its pid in BG_PID.
ws_bg() {
	local outfile=$1
	shift
	: >"$outfile"
	python3 "$APP_CLIENT" 127.0.0.1 "$PORT" "$@" >"$outfile" 2>&1 &
	BG_PID=$!
	t_on_exit "kill $BG_PID 2>/dev/null"
}

# app_stop_check: SIGTERM nwitd; it must exit 0 (a sanitizer build exits non-zero on a
# leak or memory error, and prints the report in the log).
app_stop_check() {
	local rc
	kill "$NWITD_PID"
	wait "$NWITD_PID"
	rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q "Sanitizer" "$T/nwitd.log"; then
		t_pass "nwitd stops cleanly (no leak or sanitizer report)"
	else
		t_fail "nwitd stops cleanly" "exit status $rc; $(grep -A15 Sanitizer "$T/nwitd.log" | head -30 | tr '\n' '|')"
	fi
}
