#!/usr/bin/env bash
# The nwit network lab: four network namespaces joined by veth pairs.
#
#   scripts/lab.sh up       build the topology (idempotent: tears down a stale one first)
#   scripts/lab.sh down     remove everything, also after a crash
#   scripts/lab.sh status   show namespaces, addresses and processes
#   scripts/lab.sh exec NS CMD...   run CMD in namespace NS (keeps /sys/fs/bpf visible)
#
#  [appsrv] eth0 203.0.113.10 ---- 203.0.113.1 eth1 [browser] eth0 192.0.2.10
#                                                      |
#                                              192.0.2.1 lan0  [ue]  lte0 198.51.100.1
#                                                                         |
#                                                     198.51.100.10 eth0 [ims]
#
# browser: headless Chromium running the third-party app's page.
# appsrv:  the web server of that app (another origin).
# ue:      the device: nwitd and its fast path; lan0 toward the browser, lte0 the LTE bearer.
# ims:     the operator: Kamailio as P-CSCF/registrar, remote UEs (baresip, sipp).
# Documentation address ranges only (RFC 5737, RFC 3849); no default routes, so nothing
# in the lab can reach beyond it. IP forwarding in ue stays off: only nwit joins the sides.
set -euo pipefail

PREFIX=${NWIT_LAB_PREFIX:-nwit-}
NS_BROWSER=${PREFIX}browser
NS_UE=${PREFIX}ue
NS_IMS=${PREFIX}ims
NS_APPSRV=${PREFIX}appsrv
ALL_NS=("$NS_BROWSER" "$NS_UE" "$NS_IMS" "$NS_APPSRV")

die() { echo "lab: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it creates network namespaces)"

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

# nsenter keeps the host's mounts (bpffs); `ip netns exec` would remount /sys.
in_ns() { local ns=$1; shift; nsenter --net="/var/run/netns/$ns" -- "$@"; }

ensure_bpffs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}

# veth_pair NS_A DEV_A NS_B DEV_B: a veth pair with each end in its namespace.
veth_pair() {
	local tmp_a="nl$$a" tmp_b="nl$$b"
	ip link add "$tmp_a" type veth peer name "$tmp_b"
	ip link set "$tmp_a" netns "$1"
	ip link set "$tmp_b" netns "$3"
	in_ns "$1" ip link set "$tmp_a" name "$2"
	in_ns "$3" ip link set "$tmp_b" name "$4"
	# Transmit checksum offload leaves partial UDP checksums that a rewriting fast path
	# would forward as bad: compute them in software on every lab link.
	in_ns "$1" ethtool -K "$2" tx off >/dev/null
	in_ns "$3" ethtool -K "$4" tx off >/dev/null
	in_ns "$1" ip link set "$2" up
	in_ns "$3" ip link set "$4" up
}

addr() { # addr NS DEV V4/LEN V6/LEN
	in_ns "$1" ip addr add "$3" dev "$2"
	in_ns "$1" ip -6 addr add "$4" dev "$2" nodad
}

up() {
	down quiet
	ensure_bpffs
	for ns in "${ALL_NS[@]}"; do
		ip netns add "$ns"
		in_ns "$ns" ip link set lo up
		in_ns "$ns" sysctl -qw net.ipv4.ip_forward=0
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.forwarding=0
	done
	veth_pair "$NS_BROWSER" eth0 "$NS_UE" lan0
	addr "$NS_BROWSER" eth0 192.0.2.10/24 2001:db8:1::10/64
	addr "$NS_UE" lan0 192.0.2.1/24 2001:db8:1::1/64

	veth_pair "$NS_UE" lte0 "$NS_IMS" eth0
	addr "$NS_UE" lte0 198.51.100.1/24 2001:db8:2::1/64
	addr "$NS_IMS" eth0 198.51.100.10/24 2001:db8:2::10/64

	veth_pair "$NS_BROWSER" eth1 "$NS_APPSRV" eth0
	addr "$NS_BROWSER" eth1 203.0.113.1/24 2001:db8:3::1/64
	addr "$NS_APPSRV" eth0 203.0.113.10/24 2001:db8:3::10/64

	check
	echo "lab: up (${ALL_NS[*]})"
}

# Every link answers before anyone relies on it.
check() {
	local pair ns target
	for pair in "$NS_BROWSER 192.0.2.1" "$NS_UE 198.51.100.10" "$NS_BROWSER 203.0.113.10" \
		    "$NS_BROWSER 2001:db8:1::1" "$NS_UE 2001:db8:2::10"; do
		read -r ns target <<<"$pair"
		in_ns "$ns" ping -c 1 -W 2 "$target" >/dev/null 2>&1 ||
			die "link check failed: $ns cannot reach $target"
	done
	# The sides are separate: the browser cannot reach the IMS network directly.
	if in_ns "$NS_BROWSER" ping -c 1 -W 1 198.51.100.10 >/dev/null 2>&1; then
		die "link check failed: browser reaches the IMS network without the gateway"
	fi
}

kill_ns_processes() {
	local ns=$1 pids
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	[ -z "$pids" ] && return
	kill $pids 2>/dev/null || true
	for _ in $(seq 1 30); do
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -z "$pids" ] && return
		sleep 0.1
	done
	kill -9 $pids 2>/dev/null || true
}

down() {
	local ns
	for ns in "${ALL_NS[@]}"; do
		ns_exists "$ns" || continue
		kill_ns_processes "$ns"
		ip netns del "$ns" 2>/dev/null || true
	done
	# veth ends left in the root namespace by an interrupted `up`
	local dev
	for dev in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' |
		     grep -E '^nl[0-9]+[ab]$' || true); do
		ip link del "$dev" 2>/dev/null || true
	done
	[ "${1:-}" = quiet ] || echo "lab: down"
}

status() {
	local ns
	for ns in "${ALL_NS[@]}"; do
		if ns_exists "$ns"; then
			echo "== $ns"
			in_ns "$ns" ip -brief addr show | grep -v '^lo '
			local pids
			pids=$(ip netns pids "$ns" | tr '\n' ' ')
			if [ -n "$pids" ]; then
				ps -o pid=,comm= -p $pids | sed 's/^/   process /'
			fi
		else
			echo "== $ns: absent"
		fi
	done
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
exec)
	[ $# -ge 3 ] || die "usage: lab.sh exec NS CMD..."
	ns=$2; shift 2
	case "$ns" in browser|ue|ims|appsrv) ns=${PREFIX}$ns ;; esac
	# exec (nsenter execs CMD too): `lab.sh exec ... &` gives $! = CMD's pid, so that a
	# signal to it reaches CMD (not this shell) and `wait` returns CMD's status
	exec nsenter --net="/var/run/netns/$ns" -- "$@" ;;
*) echo "usage: $0 up|down|status|exec NS CMD..." >&2; exit 2 ;;
esac
