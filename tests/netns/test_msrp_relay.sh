#!/usr/bin/env bash
# MSRP through Kamailio's msrp relay module (RFC 4976), inside a network namespace of its
# own (loopback only). Two msrp_conn endpoints AUTH at the relay and each sends the other
# a file of random bytes (>= 5 MB) in chunks at the same time; both arrive with the
# SHA-256 of what was sent and each sender gets a 200 REPORT. Then malformed MSRP toward a
# third endpoint (bad Byte-Range, data not matching its Byte-Range, wrong To-Path, a chunk
# over its limit, no end-line, garbage): the endpoint answers 423/481/413 where the frame
# reaches it, counts it, keeps serving (a valid SEND still arrives), and neither it nor
# Kamailio crashes. Endpoints are built with ASan, so leaks fail the test.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v kamailio >/dev/null || t_skip_all "kamailio is not installed"
command -v kamcmd >/dev/null || t_skip_all "kamcmd is not installed"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/msrp.so ] || ls /usr/lib/*/kamailio/modules/msrp.so >/dev/null 2>&1 ||
	t_skip_all "Kamailio's msrp module (msrp.so) is not installed"
[ -f "$NWIT_BUILD/libnwit.a" ] || t_skip_all "build libnwit.a first"

t_tmpdir
NS="nwmsrp$$"
PEER=$T/msrp_peer
# ASan when the compiler has it, so that leaks fail the endpoints
SAN=-fsanitize=address
echo 'int main(void){return 0;}' | cc -x c -fsanitize=address -o "$T/san" - 2>/dev/null || SAN=
cc -std=gnu11 -O1 -g $SAN -Wall -Werror -I"$NWIT_TOP/userspace/lib" -I"$NWIT_TOP/include" \
	-I"$NWIT_BUILD" -o "$PEER" "$NWIT_TOP/tests/netns/msrp_peer.c" "$NWIT_BUILD/libnwit.a" \
	$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl) 2>"$T/cc.log" ||
	t_bail "the MSRP test endpoint builds" "$(tail -n 20 "$T/cc.log")"

ip netns add "$NS" || t_skip_all "cannot create a network namespace"
ip -n "$NS" link set lo up
KAM_PID=""
stop_all() {
	[ -n "$KAM_PID" ] && kill -TERM "$KAM_PID" 2>/dev/null && sleep 0.3
	for p in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
}
t_on_exit stop_all
[ -n "${NWIT_KEEP_LOGS:-}" ] && t_on_exit "mkdir -p \"$NWIT_KEEP_LOGS\" && cp -r \"$T\"/. \"$NWIT_KEEP_LOGS\"/"
in_ns() { nsenter --net="/var/run/netns/$NS" -- "$@"; }

CTL="unix:$T/kam/ctl"
KLOG=$T/kamailio.log
mkdir -p "$T/kam" "$T/ra" "$T/rb" "$T/rc"
in_ns kamailio -f "$NWIT_TOP/tests/netns/kamailio/msrp_relay.cfg" -DD -E -Y "$T/kam" -u root -g root \
	-A "CTL_SOCKET=\"$CTL\"" >"$KLOG" 2>&1 &
KAM_PID=$!
wait_for 10 kamcmd -s "$CTL" core.uptime >/dev/null 2>&1 || t_bail "Kamailio starts" "$(tail -n 20 "$KLOG")"
t_pass "Kamailio runs the msrp relay module"

# --- a file each way, at the same time ------------------------------------------------
head -c 5300000 /dev/urandom >"$T/fa"
head -c 5242881 /dev/urandom >"$T/fb"
in_ns "$PEER" --relay 127.0.0.1:2855 --local 'msrp://127.0.0.1:4001/sa;tcp' --path-out "$T/pa" \
	--to-in "$T/pb" --send "$T/fa" --expect 1 --recv-dir "$T/ra" --timeout 40 >"$T/a.out" 2>"$T/a.err" &
A_PID=$!
in_ns "$PEER" --relay 127.0.0.1:2855 --local 'msrp://127.0.0.1:4002/sb;tcp' --path-out "$T/pb" \
	--to-in "$T/pa" --send "$T/fb" --expect 1 --recv-dir "$T/rb" --timeout 40 >"$T/b.out" 2>"$T/b.err" &
B_PID=$!
wait "$A_PID"; A_RC=$?
wait "$B_PID"; B_RC=$?
[ "$A_RC" -eq 0 ] && [ "$B_RC" -eq 0 ] && t_pass "both endpoints finished (sent, reported, received)" ||
	t_fail "both endpoints finished" "a=$A_RC b=$B_RC; $(tail -3 "$T/a.err" "$T/b.err")"
sha() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
[ -n "$(sha "$T/fa")" ] && [ "$(sha "$T/fa")" = "$(sha "$T/rb/0")" ] &&
	t_pass "A -> relay -> B: 5300000 bytes, same SHA-256" ||
	t_fail "A -> relay -> B: same SHA-256" "$(ls -l "$T/rb")"
[ -n "$(sha "$T/fb")" ] && [ "$(sha "$T/fb")" = "$(sha "$T/ra/0")" ] &&
	t_pass "B -> relay -> A: 5242881 bytes, same SHA-256" ||
	t_fail "B -> relay -> A: same SHA-256" "$(ls -l "$T/ra")"
grep -q "^REPORT $(awk '/^SENDING/{print $2}' "$T/a.out") 200\$" "$T/a.out" &&
	grep -q "^REPORT $(awk '/^SENDING/{print $2}' "$T/b.out") 200\$" "$T/b.out" &&
	t_pass "each sender got a 200 REPORT for its message" || t_fail "200 REPORTs" "$(grep REPORT "$T"/?.out)"
chunks=$(grep -c 'MSRP-SEEN SEND' "$KLOG")
[ "$chunks" -ge 5000 ] && t_pass "the relay parsed every chunk ($chunks SENDs)" ||
	t_fail "the relay parsed every chunk" "only $chunks SENDs in its log"

# --- malformed MSRP toward endpoint C ---------------------------------------------------
in_ns "$PEER" --relay 127.0.0.1:2855 --local 'msrp://127.0.0.1:4002/sc;tcp' --path-out "$T/pc" \
	--expect 1 --recv-dir "$T/rc" --max-chunk 1024 --timeout 30 >"$T/c.out" 2>"$T/c.err" &
C_PID=$!
wait_for 10 test -s "$T/pc" || t_fail "endpoint C authenticated at the relay"
in_ns python3 "$NWIT_TOP/tests/netns/msrp_raw.py" "$T/pc" >"$T/raw.out" 2>"$T/raw.err"
wait "$C_PID"; C_RC=$?
case_codes() { awk -v c="$1" '$1 == "CASE" && $2 == c {print $3}' "$T/raw.out"; }
counter() { sed -n 's/^COUNTERS //p' "$T/c.out" | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', -1))"; }
echo "# raw client: $(tr '\n' ';' <"$T/raw.out")"
[[ ",$(case_codes bad_byte_range)," == *,423,* ]] && [ "$(counter msrp_bad_byte_range)" -ge 2 ] &&
	t_pass "bad Byte-Range: 423 from the endpoint, counted" ||
	t_fail "bad Byte-Range: 423, counted" "codes $(case_codes bad_byte_range), counter $(counter msrp_bad_byte_range)"
[[ ",$(case_codes range_mismatch)," == *,423,* ]] && t_pass "data not matching its Byte-Range: 423" ||
	t_fail "data not matching its Byte-Range: 423" "codes $(case_codes range_mismatch)"
[[ ",$(case_codes wrong_to_path)," == *,481,* ]] && [ "$(counter msrp_wrong_to_path)" -ge 1 ] &&
	t_pass "wrong To-Path: 481 from the endpoint, counted" ||
	t_fail "wrong To-Path: 481, counted" "codes $(case_codes wrong_to_path), counter $(counter msrp_wrong_to_path)"
[[ ",$(case_codes oversize_chunk)," == *,413,* ]] && [ "$(counter msrp_oversize)" -ge 1 ] &&
	t_pass "chunk over the endpoint's limit: 413, counted" ||
	t_fail "oversize chunk: 413, counted" "codes $(case_codes oversize_chunk), counter $(counter msrp_oversize)"
[[ ",$(case_codes missing_end_line)," != *,200,* ]] && t_pass "a frame without end-line is not accepted" ||
	t_fail "a frame without end-line is not accepted" "codes $(case_codes missing_end_line)"
[ "$(case_codes valid)" != "" ] && [ "$C_RC" -eq 0 ] && grep -q '^RECEIVED 11 ' "$T/c.out" &&
	t_pass "after all that, the endpoint still receives a valid SEND and exits cleanly (no leak)" ||
	t_fail "endpoint still serves and exits cleanly" "rc=$C_RC; $(tail -5 "$T/c.err")"
kamcmd -s "$CTL" core.uptime >/dev/null 2>&1 && t_pass "Kamailio is still running" ||
	t_fail "Kamailio is still running" "$(tail -5 "$KLOG")"
t_done
