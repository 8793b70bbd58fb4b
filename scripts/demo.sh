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
ctl() { "$build/nwitctl" -s "$run/nwitd.sock" "$@"; }
step() { printf '\n== %s\n' "$*"; }

cleanup() {
	[ "$keep" -eq 1 ] && return
	if [ -n "${nwitd_pid:-}" ] && kill -0 "$nwitd_pid" 2>/dev/null; then
		kill -TERM "$nwitd_pid"
		wait "$nwitd_pid" 2>/dev/null || true
	fi
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
"$build/nwitd" -n -f "$run/nwit.conf"
"$lab" exec ue "$build/nwitd" -f "$run/nwit.conf" 2>"$run/nwitd.log" &
nwitd_pid=$!
for _ in $(seq 1 50); do
	[ -S "$run/nwitd.sock" ] && ctl status >/dev/null 2>&1 && break
	sleep 0.1
done
ctl status >/dev/null || { cat "$run/nwitd.log"; exit 1; }

step "nwitctl status"
ctl status

step "nwitctl stats"
ctl stats

step "nwitd log"
cat "$run/nwitd.log"

if [ "$keep" -eq 1 ]; then
	printf '\nThe lab is running. nwitd: pid %s, config %s, log %s\n' "$nwitd_pid" \
		"$run/nwit.conf" "$run/nwitd.log"
	printf 'Try: %s -s %s status      End with: %s down\n' "$build/nwitctl" "$run/nwitd.sock" "$lab"
else
	printf '\ndemo finished; run "make demo DEMO_ARGS=--keep" to keep the lab running.\n'
fi
