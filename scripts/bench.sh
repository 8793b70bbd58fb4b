#!/usr/bin/env bash
# make bench: run every benchmark side by side in one run and print its results.
#
#   scripts/bench.sh [--build DIR]
#
# Benchmarks are programs tests/bench/bench_* (built by `make bench`) and scripts
# scripts/bench/*.sh. Each prints its own table; docs/benchmarks.md explains how to read
# them and records results. Benchmarks measure; they never pass or fail on a time.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
[ "${1:-}" = --build ] && build=$(cd "$2" && pwd)
export NWIT_TOP="$top" NWIT_BUILD="$build"

echo "# nwit benchmarks — $(date -u +%Y-%m-%dT%H:%MZ), $(uname -r), $(nproc) CPUs"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
ran=0
for b in "$build"/tests/bench/bench_*; do
	[ -x "$b" ] || continue
	echo; echo "## $(basename "$b")"
	"$b"
	ran=$((ran + 1))
done
for s in "$top"/scripts/bench/*.sh; do
	[ -x "$s" ] || continue
	echo; echo "## $(basename "$s")"
	"$s" || echo "# $(basename "$s") exited with status $?"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || echo "no benchmarks are built yet"
