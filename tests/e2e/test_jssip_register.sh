#!/usr/bin/env bash
# An unmodified JsSIP app in headless Chromium, served by the app server (another origin),
# discovers nwitd, connects with an operator token and registers; nwitctl status lists it.
# The same app served over https does it over HTTPS and WSS.
# The same page from a second origin reusing the token is refused (wrong origin), and so
# are a page without a token and one with an expired token.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
for tool in chromium node python3 openssl; do
	command -v "$tool" >/dev/null || t_skip_all "$tool is not installed (scripts/install-deps.sh)"
done
e2e="$NWIT_TOP/tests/e2e"
for m in playwright-core jssip esbuild; do
	[ -d "$e2e/node_modules/$m" ] || t_skip_all "npm package $m missing: (cd tests/e2e && npm ci)"
done
[ -x "$NWITD" ] && [ -x "$NWITCTL" ] || t_skip_all "nwitd/nwitctl not built in $NWIT_BUILD"
lab="$NWIT_TOP/scripts/lab.sh"
[ -x "$lab" ] || t_skip_all "scripts/lab.sh is missing"
t_tmpdir
export NWIT_LAB_PREFIX="njr$$-" NWIT_LAB_RUN="$T/run"
t_on_exit "'$lab' down >/dev/null 2>&1"
t_on_exit "for p in \${pids:-}; do kill \$p 2>/dev/null; done; true"
"$lab" up >/dev/null || t_bail "the lab builds (scripts/lab.sh up)"

origin=http://203.0.113.10:8080
other_origin=http://203.0.113.10:8081
https_origin=https://203.0.113.10:8443
"$NWITCTL" token keygen -K op1 "$T/op.pem" "$T/jwks.json" >/dev/null
token=$("$NWITCTL" token issue -k "$T/op.pem" -K op1 -i lab-operator -a lab-device \
	-p com.example.jssip -o "$origin" -o "$https_origin" -s "voice video")
# TLS certificates of the lab: the gateway's and the app server's
for host in 192.0.2.1 203.0.113.10; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-keyout "$T/$host.key" -out "$T/$host.crt" -subj "/CN=$host" \
		-addext "subjectAltName=IP:$host" 2>/dev/null || { t_fail "TLS certificates"; t_done; }
done
cat >"$T/nwit.conf" <<CONF
[general]
control_socket = $T/nwitd.sock
state_dir = $T/state
[app]
http_address = 192.0.2.1
http_port = 8461
https_port = 8462
tls_certificate = $T/192.0.2.1.crt
tls_key = $T/192.0.2.1.key
jwks_file = $T/jwks.json
token_issuer = lab-operator
audience = lab-device
[fastpath]
mode = off
[ims]
pcscf = 198.51.100.10
home_domain = ims.example.net
impi = alice
impu = sip:alice@ims.example.net
password = alice-secret
local_address = 198.51.100.1
CONF
"$lab" exec ue "$NWITD" -f "$T/nwit.conf" -v >"$T/nwitd.log" 2>&1 &
pids="$!"
ctl() { "$NWITCTL" -s "$T/nwitd.sock" "$@"; }
wait_for 10 ctl status >/dev/null 2>&1 || { cat "$T/nwitd.log"; t_fail "nwitd starts"; t_done; }

# the app's web server: the page and a JsSIP bundle, on two origins
mkdir -p "$T/www"
cp "$e2e/jssip_register.html" "$T/www/index.html"
"$e2e/node_modules/.bin/esbuild" --bundle --format=iife --global-name=JsSIP --log-level=warning \
	"$e2e/node_modules/jssip/lib/JsSIP.js" --outfile="$T/www/jssip.js" ||
	{ t_fail "JsSIP bundles"; t_done; }
for port in 8080 8081; do
	"$lab" exec appsrv python3 -m http.server -b 203.0.113.10 -d "$T/www" "$port" >/dev/null 2>&1 &
	pids="$pids $!"
done
"$lab" exec appsrv python3 -c "
import functools, http.server, ssl
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory='$T/www')
s = http.server.HTTPServer(('203.0.113.10', 8443), h)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
c.load_cert_chain('$T/203.0.113.10.crt', '$T/203.0.113.10.key')
s.socket = c.wrap_socket(s.socket, server_side=True)
s.serve_forever()" >/dev/null 2>&1 &
pids="$pids $!"
wait_for 10 "$lab" exec browser python3 -c "import urllib.request as u; u.urlopen('$origin/index.html'); u.urlopen('$other_origin/index.html')" ||
	{ t_fail "app server answers"; t_done; }

gw=http://192.0.2.1:8461
expired=$("$NWITCTL" token issue -k "$T/op.pem" -K op1 -i lab-operator -a lab-device \
	-p com.example.jssip -o "$origin" -s "voice video" -l -3600)
refused="other=$other_origin/index.html?gw=$gw&token=$token"
refused="$refused notoken=$origin/index.html?gw=$gw"
refused="$refused expired=$origin/index.html?gw=$gw&token=$expired"
(cd "$e2e" && APP_URL="$origin/index.html?gw=$gw&token=$token" REFUSED_PAGES="$refused" \
	HTTPS_APP_URL="$https_origin/index.html?gw=https://192.0.2.1:8462&token=$token" \
	DONE_FILE="$T/done" timeout 90 "$lab" exec browser node jssip_register_driver.js) \
	>"$T/driver.out" 2>&1 &
driver=$!
pids="$pids $driver"
wait_for 60 grep -q "^R refused_pages_done" "$T/driver.out"
status=$(ctl status)
touch "$T/done"
wait "$driver"
sed 's/^/# /' "$T/driver.out"
r() { awk -v k="$1" '$1 == "R" && $2 == k { $1 = ""; $2 = ""; sub(/^  /, ""); print; exit }' "$T/driver.out"; }

t_check "the page reads the discovery document across origins" [ "$(r discovery_version)" = 1 ]
t_check "discovery says why calls are not available (IMS not registered)" \
	grep -q "ims_not_registered" <<<"$(r discovery_reasons)"
t_check "discovery gives the gateway's WebSocket URL" [ "$(r ws_url)" = "ws://192.0.2.1:8461/sip" ]
t_check "discovery with the token shows the identity" \
	[ "$(r token_authorized) $(r token_impu)" = "true <sip:alice@ims.example.net>" ]
t_check "JsSIP registers over the WebSocket" [ "$(r registered)" = true ]
t_check "the app learns its public identity (P-Associated-URI)" \
	[ "$(r pau)" = "<sip:alice@ims.example.net>" ]
expect_status() {
	local line
	for line in "$@"; do
		grep -qxF "$line" <<<"$status" || { t_fail "nwitctl status lists the app" "no '$line' in: $status"; return; }
	done
	t_pass "nwitctl status lists the app (id, origin, scopes, registered)"
}
expect_status "app.apps[0].app_id: com.example.jssip" "app.apps[0].origin: $origin" \
	"app.apps[0].scopes[0]: voice" "app.apps[0].scopes[1]: video" "app.apps[0].registered: true"
t_check "only one app is connected (the other origin's was refused)" \
	[ "$(grep -c '^app.apps\[.\].peer' <<<"$status")" = 1 ]
t_check "the page over https reaches the gateway over HTTPS and gets a wss:// URL" \
	[ "$(r https_ws_url)" = "wss://192.0.2.1:8462/sip" ]
t_check "... and JsSIP registers over WSS" [ "$(r https_registered)" = true ]
t_check "a page on another origin reusing the token: refused as wrong_origin" \
	[ "$(r other_token_refusal)" = wrong_origin ]
t_check "... and learns no identity" [ "$(r other_token_impu)" = - ]
t_check "... and does not register" [ "$(r other_registered)" = false ]
t_check "a page without a token does not register" [ "$(r notoken_registered)" = false ]
t_check "... JsSIP reports the refusal ($(r notoken_failed))" [ "$(r notoken_failed)" != - ]
t_check "a page with an expired token: refused as expired" [ "$(r expired_token_refusal)" = expired ]
t_check "... and does not register" [ "$(r expired_registered)" = false ]
counter() { ctl -j stats | python3 -c "import json,sys; print(json.load(sys.stdin)['counters']['$1'])"; }
t_check "wrong-origin refusals are counted ($(counter app_auth_wrong_origin))" \
	[ "$(counter app_auth_wrong_origin)" -ge 2 ]
t_check "no-token refusals are counted ($(counter app_auth_no_token))" \
	[ "$(counter app_auth_no_token)" -ge 1 ]
t_check "expired-token refusals are counted ($(counter app_auth_expired))" \
	[ "$(counter app_auth_expired)" -ge 2 ]
t_check "the first page stayed registered" [ "$(r still_registered)" = true ]
"$lab" down >/dev/null 2>&1	# SIGTERM to everything in the lab, nwitd included
if grep -q "Sanitizer" "$T/nwitd.log" || ! grep -q "info: stopped" "$T/nwitd.log"; then
	t_fail "nwitd stops cleanly (no sanitizer report)" "$(tail -20 "$T/nwitd.log" | tr '\n' '|')"
else
	t_pass "nwitd stops cleanly (no sanitizer report)"
fi
t_done
