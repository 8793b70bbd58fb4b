#!/usr/bin/env bash
# nwit test runner: every layer, one summary line.
#
#   tests/run.sh [--build DIR] [--asan-build DIR] [--layers unit,bpf,fuzz,daemon,netns,e2e,asan,vm]
#                [--filter SUBSTRING]
# The asan layer runs the unit tests and the daemon tests again on the ASan+UBSan build
# (`make asan`), with leak detection; it runs only when --asan-build is given. Daemon
# scripts take part when they contain the line "# asan: yes".
# The vm layer is the kernel lab (docs/kernel-lab.md): tests inside Debian's kernels under
# qemu, named vm-KERNEL/..., and the same probes on this machine's kernel, named host/....
#
# A test is an executable (a cmocka binary, a BPF test-run binary, a fuzz harness, or a
# script under tests/netns or tests/e2e). It reports TAP lines ("ok N - name",
# "not ok N - name", "ok N - name # SKIP reason", a plan "1..N") and/or its exit status:
# 0 = passed, 77 = skipped (the last output line says why), anything else = failed.
# A test also fails when
#   - it exits 77 after printing results (a skip after results hides what did not run),
#   - it exits non-zero although none of its results failed (say why: the status),
#   - it prints a plan (1..N; several plans add up) and a different number of results,
#   - it prints "Bail out!".
# A skip whose reason starts with "[n/a]" (tests/lib.sh t_skip_na) says the check does not
# apply to this run; every such skip is listed at the end. With NWIT_REQUIRE=1 (.ci/run:
# the machine kind that has every part) any other skip is a failure, and so is a layer
# that ran no test or in which every test skipped (without it, such a layer is said so).
# "ok N - name # REFUSED reason": the kernel lacks a feature the test needs, as expected
# (kernel lab tests), counted apart.
# Each test's output goes to BUILD/test-logs/; failures print its tail.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
layers="unit,bpf,fuzz,daemon,netns,e2e,asan,vm"
filter=""
asan_build=""
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--asan-build) asan_build=$(cd "$2" && pwd); shift 2 ;;
	--layers) layers="$2"; shift 2 ;;
	--filter) filter="$2"; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--asan-build DIR] [--layers LIST] [--filter SUBSTRING]" >&2; exit 2 ;;
	esac
done

logs="$build/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
export NWIT_TOP="$top" NWIT_BUILD="$build"
export CMOCKA_MESSAGE_OUTPUT=TAP

passed=0 failed=0 skipped=0 refused=0 not_applicable=0 require_failed=0
wrap=()	# a command the test runs under (the vm layer: scripts/vm/vmrun ...)
failures=() na_list=() bug_list=()
require=${NWIT_REQUIRE:-}
[ "$require" = 0 ] && require=""

# Per-layer time limit for one test, in seconds.
limit_for() {
	case "$1" in
	unit|bpf) echo 300 ;;
	fuzz) echo 120 ;;
	*) echo 900 ;;
	esac
}

record() { # record RESULT LAYER NAME [REASON]
	local result=$1 name="$2/$3" reason=${4:-}
	case "$result" in
	pass) passed=$((passed + 1)); printf 'PASS  %s\n' "$name" ;;
	skip) skipped=$((skipped + 1)); printf 'SKIP  %s: %s\n' "$name" "$reason" ;;
	refused) refused=$((refused + 1)); printf 'REFUSED  %s: %s\n' "$name" "$reason" ;;
	fail) failed=$((failed + 1)); failures+=("$name"); printf 'FAIL  %s%s\n' "$name" "${reason:+: $reason}" ;;
	esac
}

# A skip with its reason. "[n/a] ..." (t_skip_na) says the check does not apply to this
# run: a skip, listed at the end. Any other reason says something is missing here: with
# NWIT_REQUIRE=1 (.ci/run) that is a failure, on a machine that must run everything.
record_skip() { # LAYER NAME REASON
	local reason=$3
	reason=${reason#"${reason%%[![:space:]]*}"}
	reason=${reason#skipped: }
	case "$reason" in
	"[n/a]"*)
		not_applicable=$((not_applicable + 1))
		na_list+=("$1/$2: ${reason#\[n/a\] }")
		record skip "$1" "$2" "$reason" ;;
	"[known-bug #"*)
		bug_list+=("$1/$2: $reason")
		record skip "$1" "$2" "$reason" ;;
	*)
		if [ -n "$require" ]; then
			require_failed=$((require_failed + 1))
			record fail "$1" "$2" "skipped with NWIT_REQUIRE=1 (this machine must run it): ${reason:-no reason given}"
		else
			record skip "$1" "$2" "${reason:-no reason given}"
		fi ;;
	esac
}

# One test: its TAP results, then what its exit status and plan say about the whole.
run_one() { # run_one LAYER PATH [ARGS...]
	local layer=$1 path=$2; shift 2
	local base log rc line name nres=0 nfail=0 plan=-1 bail="" why=""
	base=$(basename "$path")
	log="$logs/$layer-$base.log"
	[ -n "$filter" ] && [[ "$layer/$base" != *"$filter"* ]] && return
	timeout --kill-after=10 "$(limit_for "$layer")" ${wrap[@]+"${wrap[@]}"} "$path" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	while IFS= read -r line; do
		case "$line" in
		"Bail out!"*) bail=${line#Bail out!} ;;
		1..*)
			name=${line#1..}; name=${name%%[!0-9]*}
			[ "$plan" -lt 0 ] && plan=0
			plan=$((plan + ${name:-0})) ;;
		"not ok "*)
			nres=$((nres + 1)); nfail=$((nfail + 1))
			name=${line#not ok }; name=${name#* - }; name=${name#[0-9]* }
			record fail "$layer" "$base: $name" ;;
		"ok "*"# REFUSED"*)
			nres=$((nres + 1))
			name=${line#ok }; name=${name#* - }; name=${name%%#*}
			record refused "$layer" "$base: ${name% }" "${line##*# REFUSED }" ;;
		"ok "*"# SKIP"* | "ok "*"# skip"*)
			nres=$((nres + 1))
			name=${line#ok }; name=${name#* - }; name=${name%%#*}
			record_skip "$layer" "$base: ${name% }" "${line##*# [Ss][Kk][Ii][Pp]}" ;;
		"ok "*)
			nres=$((nres + 1))
			name=${line#ok }; name=${name#* - }; name=${name#[0-9]* }
			record pass "$layer" "$base: $name" ;;
		esac
	done < <(grep -aE '^(not )?ok [0-9]+|^1\.\.[0-9]+|^Bail out!' "$log")
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="timed out after $(limit_for "$layer") s"
	elif [ "$rc" -eq 77 ] && [ "$nres" -gt 0 ]; then
		why="exited 77 (skipped) after $nres results: a skip must come before the first result (whatever did not run is hidden): $(tail -n 1 "$log")"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ "$nfail" -eq 0 ]; then
		why="exited with status $rc"
		[ "$nres" -gt 0 ] && why="$why although none of its $nres results failed"
	fi
	if [ -z "$why" ] && [ -n "$bail" ]; then
		why="bailed out:$bail"
	fi
	if [ -z "$why" ] && [ "$plan" -ge 0 ] && [ "$plan" -ne "$nres" ]; then
		why="planned $plan results (1..$plan) but printed $nres"
	fi
	if [ -n "$why" ]; then
		record fail "$layer" "$base" "$why"
	elif [ "$rc" -eq 77 ]; then
		record_skip "$layer" "$base" "$(tail -n 1 "$log")"
	elif [ "$nres" -eq 0 ]; then
		record pass "$layer" "$base"
	fi
	if [ -n "$why" ] || [ "$nfail" -gt 0 ]; then
		echo "----- last lines of $log -----"
		tail -n 25 "$log"
		echo "-----"
	fi
}

# After each layer: a layer that ran nothing, or in which everything skipped, is said so
# (with NWIT_REQUIRE=1 it fails: the machine that must run everything did not).
layer_begin() { l_passed=$passed l_failed=$((failed - require_failed)) l_skipped=$((skipped + require_failed)); }
layer_end() { # LAYER
	local p=$((passed - l_passed)) f=$((failed - require_failed - l_failed))
	local s=$((skipped + require_failed - l_skipped)) what=""
	if [ $((p + f + s)) -eq 0 ]; then
		[ -z "$filter" ] && what="ran no test"
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		what="every test skipped ($s)"
	fi
	[ -n "$what" ] || return 0
	if [ -n "$require" ]; then
		record fail layer "$1" "$what (NWIT_REQUIRE=1)"
	else
		printf 'LAYER %s: %s\n' "$1" "$what"
	fi
}

run_layer_binaries() { # LAYER DIR
	local f
	[ -d "$2" ] || return
	for f in "$2"/test_*; do
		[ -x "$f" ] && [ -f "$f" ] && run_one "$1" "$f"
	done
}

run_layer_scripts() { # LAYER DIR [MARKER]: with MARKER, only scripts that contain that line
	local f
	for f in "$2"/test_*.sh; do
		[ -x "$f" ] || continue
		[ -n "${3:-}" ] && ! grep -qx "$3" "$f" && continue
		run_one "$1" "$f"
	done
}

# Each fuzz harness runs over its seed corpus, then on new inputs for a bounded time
# (NWIT_FUZZ_SECONDS, default 15) or number of runs (NWIT_FUZZ_RUNS), whichever ends first.
run_fuzz() {
	local f name corpus work
	[ -d "$build/tests/fuzz" ] || return
	for f in "$build"/tests/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		name=$(basename "$f")
		corpus="$top/tests/fuzz/corpus/${name#fuzz_}"
		work="$build/fuzz-work/$name"
		rm -rf "$work"; mkdir -p "$work"
		[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
		run_one fuzz "$f" -runs="${NWIT_FUZZ_RUNS:-5000000}" \
			-max_total_time="${NWIT_FUZZ_SECONDS:-15}" -max_len=8192 \
			-timeout=10 -rss_limit_mb=2048 "$work"
	done
}

# The kernel lab: tests/vm scripts marked "# vm-kernels: all" (or naming the kernel) and
# the BPF test-run binaries (through tests/vm/judge.sh) inside each kernel of
# scripts/vm/kernels.conf; those marked "# vm-host: yes" and the binaries also on this
# machine's kernel. Findings and guest logs in BUILD/vm-results; the feature matrix of the
# run in BUILD/vm-results/feature-matrix.md (`make vmcheck` puts it in docs/fastpath.md).
run_vm() {
	local k f res="$build/vm-results" vmrun="$top/scripts/vm/vmrun"
	rm -rf "$res"
	mkdir -p "$res"
	for f in "$top"/tests/vm/test_*.sh; do
		grep -qx '# vm-host: yes' "$f" || continue
		wrap=(env NWIT_VM_OUT="$res/host/$(basename "$f")")
		run_one host "$f"
	done
	for f in "$build"/tests/bpf/test_*; do
		[ -x "$f" ] || continue
		wrap=(env NWIT_VM_OUT="$res/host/$(basename "$f")" "$top/tests/vm/judge.sh")
		run_one host "$f"
	done
	for k in $(awk '!/^#/ && NF >= 3 { print $1 }' "$top/scripts/vm/kernels.conf"); do
		for f in "$top"/tests/vm/test_*.sh; do
			sed -n 's/^# vm-kernels: //p' "$f" | tr ' ' '\n' | grep -qxE "all|$k" || continue
			wrap=("$vmrun" --kernel "$k" --out "$res/$k/$(basename "$f")" --)
			run_one "vm-$k" "$f"
		done
		for f in "$build"/tests/bpf/test_*; do
			[ -x "$f" ] || continue
			wrap=("$vmrun" --kernel "$k" --out "$res/$k/$(basename "$f")" -- "$top/tests/vm/judge.sh")
			run_one "vm-$k" "$f"
		done
	done
	wrap=()
	"$top/scripts/vm/feature-matrix.py" "$res" >"$res/feature-matrix.md" &&
		echo "kernel feature matrix of this run: $res/feature-matrix.md"
}

IFS=, read -r -a want <<<"$layers"
for layer in "${want[@]}"; do
	[ "$layer" = asan ] && [ -z "$asan_build" ] && continue
	layer_begin
	case "$layer" in
	unit) run_layer_binaries unit "$build/tests/unit" ;;
	bpf) run_layer_binaries bpf "$build/tests/bpf"; run_layer_scripts bpf "$top/tests/bpf" ;;
	fuzz) run_fuzz ;;
	daemon) run_layer_scripts daemon "$top/tests/daemon" ;;
	netns) run_layer_scripts netns "$top/tests/netns" ;;
	e2e) run_layer_scripts e2e "$top/tests/e2e" ;;
	vm) run_vm ;;
	asan)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		NWIT_BUILD="$asan_build" run_layer_binaries asan "$asan_build/tests/unit"
		NWIT_BUILD="$asan_build" run_layer_scripts asan "$top/tests/daemon" "# asan: yes"
		unset ASAN_OPTIONS UBSAN_OPTIONS ;;
	*) echo "unknown layer $layer" >&2; exit 2 ;;
	esac
	layer_end "$layer"
done

if [ "${#na_list[@]}" -gt 0 ]; then
	echo "skipped as not applicable to this run ($not_applicable):"
	printf '  %s\n' "${na_list[@]}"
fi
if [ "${#bug_list[@]}" -gt 0 ]; then
	echo "skipped because of a known bug, still open as the issue named (${#bug_list[@]}):"
	printf '  %s\n' "${bug_list[@]}"
fi
if [ "${#failures[@]}" -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
# a kernel that refuses what it lacks, as expected, passed its check (counted among passed)
[ "$refused" -gt 0 ] && echo "of the passed, $refused are kernel refusals as expected (REFUSED above)"
passed=$((passed + refused))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ $((passed + skipped)) -gt 0 ]
