#!/usr/bin/env bash
# scripts/lab.sh: the topology comes up as documented, stays separated, and goes away
# completely, also after an interrupted start.
. "$(dirname "$0")/../lib.sh"
command -v ip >/dev/null || t_skip_all "iproute2 is not installed"
[ "$(id -u)" -eq 0 ] || t_skip_all "needs root for network namespaces"

export NWIT_LAB_PREFIX="nwt$$-"
lab="$NWIT_TOP/scripts/lab.sh"
t_on_exit "'$lab' down >/dev/null 2>&1"
trap 't_cleanup' EXIT
ns() { echo "${NWIT_LAB_PREFIX}$1"; }
in_ns() { local n; n=$(ns "$1"); shift; nsenter --net="/var/run/netns/$n" -- "$@"; }
count_ns() { ip netns list | grep -c "^${NWIT_LAB_PREFIX}" || true; }

t_check "lab up" "$lab" up
[ "$(count_ns)" -eq 4 ] && t_pass "four namespaces" || t_fail "four namespaces" "$(ip netns list)"

has_addr() { in_ns "$1" ip -o addr show dev "$2" | grep -q " $3/"; }
t_check "browser eth0 192.0.2.10" has_addr browser eth0 192.0.2.10
t_check "ue lan0 192.0.2.1" has_addr ue lan0 192.0.2.1
t_check "ue lte0 198.51.100.1" has_addr ue lte0 198.51.100.1
t_check "ims eth0 198.51.100.10 and 2001:db8:2::10" sh -c "$(declare -f in_ns ns has_addr); NWIT_LAB_PREFIX=$NWIT_LAB_PREFIX; has_addr ims eth0 198.51.100.10 && has_addr ims eth0 2001:db8:2::10"
t_check "appsrv eth0 203.0.113.10" has_addr appsrv eth0 203.0.113.10
t_check "browser reaches the app server" in_ns browser ping -c1 -W2 203.0.113.10
t_check "ue reaches the IMS network over IPv6" in_ns ue ping -6 -c1 -W2 2001:db8:2::10
if in_ns browser ping -c1 -W1 198.51.100.10 >/dev/null 2>&1; then
	t_fail "browser cannot reach the IMS network around the gateway"
else
	t_pass "browser cannot reach the IMS network around the gateway"
fi
[ "$(in_ns ue sysctl -n net.ipv4.ip_forward)" = 0 ] && t_pass "ue does not forward IP" || t_fail "ue does not forward IP"
[ -z "$(in_ns browser ip route show default)" ] && t_pass "no default route out of the lab" || t_fail "no default route"
in_ns ue ethtool -k lan0 | grep -q '^tx-checksumming: off' && t_pass "tx checksum offload off on lab links" ||
	t_fail "tx checksum offload off" "$(in_ns ue ethtool -k lan0 | head -3)"
mountpoint -q /sys/fs/bpf && t_pass "bpffs mounted" || t_fail "bpffs mounted"

# A process left running in a namespace does not keep it alive.
in_ns ue sleep 300 &
sleeper=$!
t_check "lab status lists the process" sh -c "'$lab' status | grep -q 'process *[0-9]* sleep'"
t_check "lab down" "$lab" down
[ "$(count_ns)" -eq 0 ] && t_pass "down removes every namespace" || t_fail "down removes every namespace" "$(ip netns list)"
kill -0 "$sleeper" 2>/dev/null && t_fail "down ends processes in the namespaces" || t_pass "down ends processes in the namespaces"

# After an interrupted start (half a topology, a stray veth in the root namespace)
# down still removes everything and up works again.
ip netns add "$(ns ue)"
ip link add "nl$$a" type veth peer name "nl$$b"
t_check "lab down after an interrupted start" "$lab" down
[ "$(count_ns)" -eq 0 ] && ! ip link show "nl$$a" >/dev/null 2>&1 &&
	t_pass "nothing left after cleanup" || t_fail "nothing left after cleanup"
t_check "lab up again" "$lab" up
t_check "lab up twice (replaces the old one)" "$lab" up
[ "$(count_ns)" -eq 4 ] && t_pass "still four namespaces" || t_fail "still four namespaces"
t_check "lab down" "$lab" down
t_done
