# Shared set-up of the data channel <-> MSRP tests (sourced after tests/lib.sh): skips
# when a part is missing, builds msrp_peer and msrp_gateway (with ASan when the compiler
# has it, so that leaks fail them), makes the namespace ${MSRP_DC_NS_PREFIX}$$ with only
# loopback, starts Kamailio's msrp relay in it, and defines in_ns and the cleanup.
# shellcheck shell=bash
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"
command -v kamailio >/dev/null || t_skip_all "kamailio is not installed"
command -v kamcmd >/dev/null || t_skip_all "kamcmd is not installed"
command -v node >/dev/null || t_skip_all "node is not installed"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || t_skip_all "chromium is not installed"
[ -d "$NWIT_TOP/tests/e2e/node_modules/playwright-core" ] || t_skip_all "npm packages missing: (cd tests/e2e && npm ci)"
ls /usr/lib/*/kamailio/modules/msrp.so >/dev/null 2>&1 || t_skip_all "Kamailio's msrp module (msrp.so) is not installed"
[ -f "$NWIT_BUILD/libnwit.a" ] || t_skip_all "build libnwit.a first"

t_tmpdir
NS="${MSRP_DC_NS_PREFIX:?}$$"
LIBS=$(pkg-config --libs libevent libbpf openssl jansson libevent_openssl usrsctp zlib)
# ASan when the compiler has it, so that leaks fail the gateway and the endpoint
SAN=-fsanitize=address
echo 'int main(void){return 0;}' | cc -x c -fsanitize=address -o "$T/san" - 2>/dev/null || SAN=
for prog in msrp_peer msrp_gateway; do
	cc -std=gnu11 -O1 -g $SAN -Wall -Werror -I"$NWIT_TOP/userspace/lib" -I"$NWIT_TOP/include" \
		-I"$NWIT_BUILD" -o "$T/$prog" "$NWIT_TOP/tests/netns/$prog.c" "$NWIT_BUILD/libnwit.a" \
		$LIBS 2>"$T/cc.log" || t_bail "$prog builds" "$(tail -n 20 "$T/cc.log")"
done

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
mkdir -p "$T/kam" "$T/ue" "$T/web"
in_ns kamailio -f "$NWIT_TOP/tests/netns/kamailio/msrp_relay.cfg" -DD -E -Y "$T/kam" -u root -g root \
	-A "CTL_SOCKET=\"$CTL\"" >"$T/kamailio.log" 2>&1 &
KAM_PID=$!
wait_for 10 kamcmd -s "$CTL" core.uptime >/dev/null 2>&1 || t_bail "Kamailio starts" "$(tail -n 20 "$T/kamailio.log")"
