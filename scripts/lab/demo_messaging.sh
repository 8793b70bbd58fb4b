#!/usr/bin/env bash
# The messaging part of `make demo`, in the running lab (scripts/demo.sh has started
# Kamailio, nwitd and the app server): the sample app in headless Chromium
#   1. exchanges pager-mode messages with bob (sipp behind Kamailio; baresip bob is stopped
#      first, so that sipp alone holds bob's registration), and
#   2. sends a file to dave and receives one from him at once over a data channel that
#      nwitd bridges to MSRP through Kamailio's msrp relay (dave: sipp for SIP,
#      tests/netns/msrp_peer.c for MSRP),
# and prints what each side sent and received with SHA-256 checksums.
#
#   demo_messaging.sh messages | files
# Needs NWIT_BUILD (libnwit.a, nwitctl) and the npm packages of tests/e2e.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=${NWIT_LAB_PREFIX:-nwit-}
RUN=${NWIT_LAB_RUN:-/run/nwit-lab}
BUILD=${NWIT_BUILD:-$top/build}
ims="$top/scripts/lab/ims.sh"
webapp="$top/scripts/lab/webapp.sh"
e2e="$top/tests/e2e"
IMS_NS=/var/run/netns/${PREFIX}ims
in_ims() { nsenter --net="$IMS_NS" -- "$@"; }
sha() { printf '%s' "$1" | sha256sum | cut -c1-16; }
r() { awk -v k="$2" '$1 == "R" && $2 == k { print $3; exit }' "$1"; }
unhex() { python3 -c 'import sys; print(bytes.fromhex(sys.argv[1]).decode())' "$1"; }

messages() {
	local d=$RUN/messages scen=$top/tests/netns/pager uas out_text in_text got drv
	mkdir -p "$d"
	"$ims" ue-stop bob >/dev/null 2>&1 || true
	(cd "$d" && exec nsenter --net="$IMS_NS" -- sipp -sf "$scen/uas_message.xml" \
		-i 198.51.100.10 -p 5072 -trace_msg -message_file "$d/bob.msg" -nostdin \
		</dev/null >"$d/bob.out" 2>&1) &
	uas=$!
	(cd "$d" && in_ims timeout 20 sipp 198.51.100.10:5060 -sf "$scen/register.xml" \
		-i 198.51.100.10 -p 5073 -m 1 -nostdin >"$d/reg.out" 2>&1) ||
		{ echo "  bob (sipp) could not register: $(tail -3 "$d/reg.out")"; kill "$uas"; return 1; }
	out_text='Hallo Bob! Grüße aus dem Browser ✓'
	in_text='Hi alice, bob here 🙂'
	(cd "$e2e" && APP_URL="http://203.0.113.10:8080/index.html?gw=http://192.0.2.1:8461&token=$(
		NWIT_LAB_SCOPES="voice messaging" "$webapp" token)" OUT_TEXT="$out_text" WAIT_IN=30 \
		exec nsenter --net="/var/run/netns/${PREFIX}browser" -- timeout 90 node message_driver.js) \
		>"$d/driver.out" 2>&1 &
	drv=$!
	for _ in $(seq 1 300); do grep -q '^R ready_for_in' "$d/driver.out" && break; sleep 0.1; done
	python3 - "$scen/uac_message.xml.in" "$d/in.xml" "$in_text" <<'EOP'
import sys
src, dst, body = sys.argv[1:]
open(dst, "w").write(open(src).read().replace("@STATUS@", "200")
                     .replace("@CTYPE@", "text/plain;charset=UTF-8").replace("@BODY@", body))
EOP
	(cd "$d" && in_ims timeout 40 sipp 198.51.100.10:5060 -sf "$d/in.xml" -i 198.51.100.10 \
		-p 5074 -m 1 -nostdin >"$d/in.out" 2>&1) || true
	wait "$drv" || true
	kill "$uas" 2>/dev/null || true
	got=$(python3 - "$d/bob.msg" <<'EOP'
import re, sys
data = open(sys.argv[1], "rb").read()
m = re.search(rb"message received \[\d+\] bytes :\n\n(MESSAGE .*?)\r\n\r\n", data, re.S)
if m:
    cl = int(re.search(rb"^Content-Length:\s*(\d+)", m.group(1), re.M | re.I).group(1))
    sys.stdout.write(data[m.end():m.end() + cl].decode())
EOP
)
	echo "  page -> bob: \"$out_text\" (sha256 $(sha "$out_text")...)"
	echo "    delivery report in the page: $(r "$d/driver.out" out_status)"
	echo "    bob received:  \"$got\" (sha256 $(sha "$got")...)"
	local in_got=""
	[ "$(r "$d/driver.out" in_received)" = true ] && in_got=$(unhex "$(r "$d/driver.out" in_hex)")
	in_got=${in_got%$'\r'}
	echo "  bob -> page: \"$in_text\" (sha256 $(sha "$in_text")...)"
	echo "    the page shows: \"$in_got\" (sha256 $(sha "$in_got")...) from $(r "$d/driver.out" in_from)"
	[ "$got" = "$out_text" ] && [ "$in_got" = "$in_text" ] && echo "  PASS messages both ways, same text" ||
		echo "  FAIL messages: the texts differ"
}

files() {
	local d=$RUN/files size=5242880 port=4001 peer=$RUN/msrp_peer ue sip rc
	mkdir -p "$d"
	cc -std=gnu11 -O1 -g -Wall -I"$top/userspace/lib" -I"$top/include" -I"$BUILD" -o "$peer" \
		"$top/tests/netns/msrp_peer.c" "$BUILD/libnwit.a" \
		$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl usrsctp zlib) ||
		{ echo "  cannot build dave's MSRP endpoint"; return 1; }
	"$ims" msrp-relay-start >/dev/null
	in_ims sipp -sf "$e2e/sipp/dave_register.xml" -i 198.51.100.10 -p 5090 -m 1 -timeout 10s \
		-nostdin 198.51.100.10:5060 >"$d/reg.out" 2>&1 ||
		{ echo "  dave (sipp) could not register: $(tail -3 "$d/reg.out")"; return 1; }
	head -c "$size" /dev/urandom >"$d/dave.bin"
	nsenter --net="$IMS_NS" -- "$peer" --relay 198.51.100.10:2855 \
		--local "msrp://198.51.100.10:$port/dave$port;tcp" --path-out "$d/ue_path" \
		--to-in "$d/gw_path" --relay-first --wait-peer --recv-dir "$d" --timeout 150 \
		--send "$d/dave.bin" --expect 1 >"$d/ue.out" 2>"$d/ue.err" &
	ue=$!
	for _ in $(seq 1 100); do [ -s "$d/ue_path" ] && break; sleep 0.1; done
	sed -e "s|@PATH@|$(cat "$d/ue_path")|" -e "s|@OUT@|$d|g" -e "s|@PORT@|$port|" \
		"$e2e/sipp/dave_answer.xml.in" >"$d/answer.xml"
	nsenter --net="$IMS_NS" -- sipp -sf "$d/answer.xml" -i 198.51.100.10 -p 5090 -m 1 \
		-timeout 200s -nostdin -mp 6000 -rtp_echo >"$d/sipp.out" 2>&1 &
	sip=$!
	sleep 0.5
	NWIT_LAB_SCOPES="voice file-transfer" "$webapp" drive-files "$size" data >"$d/driver.out" 2>&1 || true
	for _ in $(seq 1 100); do kill -0 "$ue" 2>/dev/null || break; sleep 0.2; done
	kill "$ue" "$sip" 2>/dev/null || true
	rc=0
	wait "$ue" || rc=$?
	wait "$sip" 2>/dev/null || true
	local f="$d/driver.out" dave_sha got
	dave_sha=$(sha256sum "$d/dave.bin" | cut -d' ' -f1)
	got=$(awk '/^RECEIVED/ { print $2, $3 }' "$d/ue.out")
	echo "  session set up in $(r "$f" data_setup_ms) ms (data channel alone, no audio)"
	echo "  page -> dave: $size random bytes, sha256 $(r "$f" data_sent_sha)"
	echo "    dave received ${got%% *} bytes, sha256 ${got#* }; the page got dave's REPORT: $(r "$f" data_report)"
	echo "  dave -> page: $size random bytes, sha256 $dave_sha"
	echo "    the page received $(r "$f" data_recv_size) bytes, sha256 $(r "$f" data_recv_sha)"
	echo "  both ways at once in $(r "$f" data_transfer_ms) ms; dave's endpoint: $(grep -c '^REPORT .* 200$' "$d/ue.out") 200 REPORT, exit $rc"
	[ "$got" = "$size $(r "$f" data_sent_sha)" ] && [ "$(r "$f" data_recv_sha)" = "$dave_sha" ] &&
		echo "  PASS files both ways, same SHA-256" || echo "  FAIL files: checksums differ"
}

case "${1:-}" in
messages) messages ;;
files) files ;;
*) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
