#!/usr/bin/env bash
# Run one test (a BPF test-run binary, a netns script) on the running kernel for the
# kernel lab and judge a skip by what the kernel has: a test that cannot load the fast
# path on a kernel without the bpf_crypto kfuncs is REFUSED as expected (with libbpf's
# reason); the same skip on a kernel that has them is a failure. The result is also a
# row of the feature matrix ("bpf/test_NAME", "netns/test_NAME.sh").
#
#   tests/vm/judge.sh TEST
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

bin=${1:?usage: $0 TEST}
name=$(basename "$bin")
key=$(basename "$(dirname "$bin")")/$name
KFEAT=$NWIT_BUILD/tests/vm/kfeat
[ -x "$KFEAT" ] || t_skip_all "build the probes first (make all)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin" >"$out" 2>&1 </dev/null
rc=$?
# A fast path object that does not load is a failure of the test binary (tests/bpf/
# bpf_util.h load_failed); on a kernel without what the object needs it is judged here.
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && grep -aqE '^not ok 1 - .*BPF object loads' "$out"; then
	loadline=$(grep -aE -m1 '^not ok 1 - .*BPF object loads' "$out")
	sed -i -E 's/^((not )?ok [0-9]+|1\.\.[0-9]+)/# \1/' "$out"	# judged below, not by the runner
	rc=77
fi
cat "$out"
pass=$(grep -acE '^ok [0-9]+' "$out")
fail=$(grep -acE '^not ok [0-9]+' "$out")
case "$rc" in
0)
	vm_feature "$key" yes "$pass of $((pass + fail)) cases pass"
	exit 0 ;;
77)
	why=${loadline:-$(tail -n 1 "$out")}
	libbpf=$(grep -a -m1 "'bpf_crypto_[a-z_]*': not found" "$out")
	if ! "$KFEAT" has-kfunc bpf_crypto_ctx_create && [ -n "$libbpf$(echo "$why" | grep bpf_crypto)" ]; then
		why=${libbpf:-$why}
		t_refused "$name" "kernel without bpf_crypto kfuncs: ${why#libbpf: }"
		vm_feature "$key" no "refused: ${why#libbpf: }"
		exit 0
	fi
	t_fail "$name runs on a kernel that has what it needs" "it skipped: $why${libbpf:+ ($libbpf)}"
	vm_feature "$key" fail "skipped: $why"
	exit 1 ;;
*)
	vm_feature "$key" fail "exit status $rc, $fail of $((pass + fail)) cases fail: $(grep -a '^not ok' "$out" | sed 's/^not ok [0-9]* - //' | head -n 5 | tr '\n' ' ')"
	exit "$rc" ;;
esac
