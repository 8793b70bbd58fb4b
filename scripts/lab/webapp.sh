#!/usr/bin/env bash
# The third-party web app of the lab: the sample app (docs/examples/webrtc-ims-app) with
# JsSIP bundled for the browser, served from namespace nwit-appsrv, and headless Chromium
# in namespace nwit-browser driving it (tests/e2e/call_driver.js).
#
#   webapp.sh serve            bundle and serve on http://203.0.113.10:8080/
#   webapp.sh token            an operator token for that origin (voice, or the scopes in
#                              NWIT_LAB_SCOPES such as "voice video"; 1 h); makes the
#                              lab operator's key in $RUN/operator-jwks.json when missing
#   webapp.sh drive [STEPS]    run Chromium through STEPS (out,out2,hold,in,inhold) against the device
#                              at 192.0.2.1:8461; prints "R name value" lines
#   webapp.sh drive-video URI  video calls (tests/e2e/video_call_driver.js): STEPS out (call
#                              URI) and/or in (answer); files in SYNC_DIR pace them
#   webapp.sh drive-files SIZE CASE
#                              a file session with dave (tests/e2e/file_driver.js), CASE
#                              data, audio or abort; prints "R name value" lines
#   webapp.sh stop
#
# Needs the npm packages of tests/e2e (cd tests/e2e && npm ci) and NWIT_BUILD (nwitctl).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${NWIT_LAB_PREFIX:-nwit-}
RUN=${NWIT_LAB_RUN:-/run/nwit-lab}
BUILD=${NWIT_BUILD:-$top/build}
e2e=$top/tests/e2e
ORIGIN=http://203.0.113.10:8080
GW=http://192.0.2.1:8461
in_ns() { local ns=$1; shift; nsenter --net="/var/run/netns/$PREFIX$ns" -- "$@"; }
die() { echo "webapp: $*" >&2; exit 1; }

serve() {
	[ -d "$e2e/node_modules/jssip" ] || die "npm packages missing: (cd tests/e2e && npm ci)"
	mkdir -p "$RUN/www"
	cp "$top"/docs/examples/webrtc-ims-app/* "$RUN/www/"
	"$e2e/node_modules/.bin/esbuild" --bundle --format=iife --global-name=JsSIP \
		--log-level=warning "$e2e/node_modules/jssip/lib/JsSIP.js" --outfile="$RUN/www/jssip.js"
	stop
	(exec nsenter --net="/var/run/netns/${PREFIX}appsrv" -- python3 -m http.server \
		-b 203.0.113.10 -d "$RUN/www" 8080 </dev/null >"$RUN/www.log" 2>&1) &
	echo $! >"$RUN/www.pid"
	for _ in $(seq 1 50); do
		in_ns appsrv ss -Hln "( sport = :8080 )" 2>/dev/null | grep -q . && { echo "webapp: $ORIGIN/"; return; }
		sleep 0.1
	done
	die "the app server did not start"
}

token() {
	[ -f "$RUN/operator.pem" ] ||
		"$BUILD/nwitctl" token keygen -K lab1 "$RUN/operator.pem" "$RUN/operator-jwks.json" >/dev/null
	"$BUILD/nwitctl" token issue -k "$RUN/operator.pem" -K lab1 -i lab-operator -a lab-device \
		-p com.example.sample -o "$ORIGIN" -s "${NWIT_LAB_SCOPES:-voice}"
}

drive() {
	local tone=$RUN/tone440.wav
	[ -f "$tone" ] || sox -n -r 48000 -c 1 -b 16 "$tone" synth 300 sine 440 vol 0.5
	(cd "$e2e" && APP_URL="$ORIGIN/index.html?gw=$GW&token=$(token)" TONE_WAV="$tone" \
		IMS_SH="$top/scripts/lab/ims.sh" TONE_PY="$top/scripts/lab/tone.py" STEPS="${1:-out,out2,hold,in,inhold}" \
		exec nsenter --net="/var/run/netns/${PREFIX}browser" -- timeout 180 node call_driver.js)
}

drive_video() {
	(cd "$e2e" && APP_URL="$ORIGIN/index.html?gw=$GW&video=1&token=$(token)" TARGET="$1" \
		exec nsenter --net="/var/run/netns/${PREFIX}browser" -- timeout 180 node video_call_driver.js)
}

drive_files() {
	local tone=$RUN/tone440.wav
	[ -f "$tone" ] || sox -n -r 48000 -c 1 -b 16 "$tone" synth 300 sine 440 vol 0.5
	(cd "$e2e" && APP_URL="$ORIGIN/index.html?gw=$GW&token=$(token)" TONE_WAV="$tone" \
		SIZE="$1" CASE="$2" \
		exec nsenter --net="/var/run/netns/${PREFIX}browser" -- timeout 300 node file_driver.js)
}

stop() {
	if [ -f "$RUN/www.pid" ]; then
		kill "$(cat "$RUN/www.pid")" 2>/dev/null || true
		rm -f "$RUN/www.pid"
	fi
}

case "${1:-}" in
serve) serve ;;
token) token ;;
drive) drive "${2:-}" ;;
drive-video) drive_video "${2:?usage: webapp.sh drive-video URI}" ;;
drive-files) drive_files "$2" "$3" ;;
stop) stop ;;
*) sed -n '2,19p' "$0" >&2; exit 2 ;;
esac
