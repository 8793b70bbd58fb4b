#!/usr/bin/env bash
# make demo: bring the lab up, start nwitd on the device, show what it offers.
#
#   scripts/demo.sh [--build DIR] [--keep]
#     --keep   leave the lab and nwitd running for a person to use (scripts/lab.sh down ends it)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "usage: $0 [--build DIR] [--keep]" >&2; exit 2 ;;
	esac
done

run=/run/nwit-lab
lab="$top/scripts/lab.sh"
ims="$top/scripts/lab/ims.sh"
webapp="$top/scripts/lab/webapp.sh"
export NWIT_BUILD="$build"
ctl() { "$build/nwitctl" -s "$run/nwitd.sock" "$@"; }
step() { printf '\n== %s\n' "$*"; }

cleanup() {
	[ "$keep" -eq 1 ] && return
	if [ -n "${nwitd_pid:-}" ] && kill -0 "$nwitd_pid" 2>/dev/null; then
		kill -TERM "$nwitd_pid"
		wait "$nwitd_pid" 2>/dev/null || true
	fi
	"$webapp" stop >/dev/null 2>&1 || true
	"$ims" stop >/dev/null 2>&1 || true
	"$lab" down >/dev/null
}
trap cleanup EXIT

step "network lab"
"$lab" up
"$lab" status

step "IMS core and a remote phone (namespace nwit-ims)"
rm -rf "$run" && mkdir -p "$run/state"
"$ims" core-start
"$ims" ue-start bob 5070 1000

step "nwitd on the device (namespace nwit-ue)"
sed -e "s|@RUN@|$run|g" -e "s|@BUILD@|$build|g" "$top/scripts/lab/nwit.conf.in" >"$run/nwit.conf"
chmod 600 "$run/nwit.conf"	# it holds the IMS password: nwitd refuses it otherwise
"$webapp" token >/dev/null	# the lab operator's signing key, read by nwitd
"$build/nwitd" -n -f "$run/nwit.conf"
# nsenter execs nwitd, so $! is nwitd itself: the cleanup's SIGTERM reaches it while the
# IMS core still runs (it un-SUBSCRIBEs and de-registers)
nsenter --net=/var/run/netns/nwit-ue -- "$build/nwitd" -f "$run/nwit.conf" 2>"$run/nwitd.log" &
nwitd_pid=$!
for _ in $(seq 1 50); do
	[ -S "$run/nwitd.sock" ] && ctl status >/dev/null 2>&1 && break
	sleep 0.1
done
ctl status >/dev/null || { cat "$run/nwitd.log"; exit 1; }

for _ in $(seq 1 100); do
	ctl status | grep -qx "ims.state: registered" && break
	sleep 0.1
done
# the reg event subscription (RFC 3680) follows the registration within milliseconds
for _ in $(seq 1 50); do
	ctl status | grep -qx "ims.regevent.state: active" && break
	sleep 0.1
done

step "IMS registration and its reg event subscription (Kamailio notifies every change)"
ctl status | grep -E '^ims\.(state|impu|expires|last_error|regevent\.(state|expires|reason|notifies|version|last_event)):'

step "nwitctl status"
ctl status

step "discovery: what a page from the app's origin learns (from namespace nwit-browser)"
"$lab" exec browser curl -sS -H "Origin: http://203.0.113.10:8080" \
	http://192.0.2.1:8461/.well-known/webrtc-ims | python3 -m json.tool

step "the sample app (docs/examples) in headless Chromium calls bob (hold, resume), then bob calls the app"
if [ -d "$top/tests/e2e/node_modules/playwright-core" ] && command -v chromium >/dev/null; then
	"$webapp" serve
	echo "Chromium (namespace nwit-browser) sends a 440 Hz tone; bob sends 1000 Hz."
	CALL_SECONDS=4 "$webapp" drive out,hold,in 2>&1 | tee "$run/drive.log" | grep '^R ' |
		awk '{ v = $3; if ($2 ~ /_hz$/) v = v " Hz"; if ($2 ~ /_ms$/) v = v " ms"
			printf "  %-22s %s\n", $2, v }'
	verdict() { # verdict NAME KEY WANT
		local got
		got=$(awk -v k="$2" '$1 == "R" && $2 == k { print $3 }' "$run/drive.log")
		if [ -n "$got" ] && awk -v f="$got" -v w="$3" 'BEGIN { exit !(f >= w * 0.97 && f <= w * 1.03) }'; then
			echo "  PASS $1: $got Hz"
		else
			echo "  FAIL $1: ${got:-nothing} (want ~$3 Hz)"
		fi
	}
	echo "audio verdicts:"
	verdict "call to bob: page hears bob" out_page_hz 1000
	verdict "call to bob: bob hears the page" out_bob_hz 440
	verdict "call to bob: page hears bob again after hold and resume" resumed_page_hz 1000
	verdict "call from bob: page hears bob" in_page_hz 1000
	verdict "call from bob: bob hears the page" in_bob_hz 440
	echo "call timelines and media counters (nwitctl status, section calls):"
	ctl -j status | python3 -c '
import json, sys
for c in json.load(sys.stdin).get("calls", {}).get("ended", []):
    m = c.get("media", {})
    print("  call %d (%s): %s" % (c["id"], c["direction"], c.get("end_reason")))
    for e in c["timeline"]:
        print("    +%5d ms  %s" % (e["ms"], e["event"]))
    fp = m.get("fastpath") or {}
    print("    media path %s: STUN checks %s, DTLS done %s; RTP relayed by nwitd %s from the "
          "browser, %s from IMS; RTP in the kernel fast path %s from the browser, %s from IMS" % (
        m.get("path"), m.get("stun_ok"), m.get("dtls_done"), m.get("rtp_relayed_from_browser"),
        m.get("rtp_relayed_from_ims"), (fp.get("from_browser") or {}).get("packets", 0),
        (fp.get("from_ims") or {}).get("packets", 0)))'
	step "messages: the sample app's chat box and bob exchange texts (SIP MESSAGE through Kamailio)"
	"$top/scripts/lab/demo_messaging.sh" messages
	step "files: the sample app and dave exchange 5 MiB each way (data channel <-> MSRP through Kamailio's msrp relay)"
	"$top/scripts/lab/demo_messaging.sh" files
else
	echo "skipped: needs chromium and the npm packages of tests/e2e (cd tests/e2e && npm ci)"
fi

step "nwitctl stats"
ctl stats

step "nwitd log"
cat "$run/nwitd.log"

step "nwitd warnings and errors (a clean run has none)"
ctl status | grep -E '^ims\.(state|regevent\.(state|notifies)):'
problems=$(grep -E '^[0-9:.]+ nwitd (warn|fatal)|ERROR:|runtime error:' "$run/nwitd.log" || true)
if [ -z "$problems" ]; then
	echo "  PASS nwitd logged no warn or error line"
else
	printf '%s\n' "$problems" | sed 's/^/  /'
	echo "  FAIL nwitd logged $(printf '%s\n' "$problems" | wc -l) warn/error lines (above)"
fi

if [ "$keep" -eq 1 ]; then
	printf '\nThe lab is running. nwitd: pid %s, config %s, log %s\n' "$nwitd_pid" \
		"$run/nwit.conf" "$run/nwitd.log"
	printf 'Try: %s -s %s status      End with: %s down\n' "$build/nwitctl" "$run/nwitd.sock" "$lab"
	[ -f "$run/www.pid" ] && printf 'The sample app (open it from namespace nwit-browser): %s\n' \
		"http://203.0.113.10:8080/index.html?gw=http://192.0.2.1:8461&token=$("$webapp" token)"
else
	printf '\ndemo finished; run "make demo DEMO_ARGS=--keep" to keep the lab running.\n'
fi
