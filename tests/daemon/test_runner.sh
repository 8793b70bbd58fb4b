#!/usr/bin/env bash
# The test runner (tests/run.sh) and the helpers of tests/lib.sh cannot hide a failure:
# dummy tests, each in a scratch build folder of its own, are run by tests/run.sh and its
# verdict (summary line, FAIL/SKIP/LAYER lines, exit status) is checked.
#   NWIT_RUNNER, NWIT_LIB   the runner and the helpers under test (default: this tree's)
. "$(dirname "$0")/../lib.sh"
RUNNER=${NWIT_RUNNER:-$NWIT_TOP/tests/run.sh}
LIB=${NWIT_LIB:-$NWIT_TOP/tests/lib.sh}
T=$(mktemp -d /tmp/nwit-runner.XXXXXX); trap 'rm -rf "$T"' EXIT

# dummy CASE NAME BODY: an executable unit test NAME in case CASE's build folder
dummy() {
	mkdir -p "$T/$1/build/tests/unit"
	printf '#!/usr/bin/env bash\n%s\n' "$3" >"$T/$1/build/tests/unit/$2"
	chmod +x "$T/$1/build/tests/unit/$2"
}

# verdict CASE REQUIRE: run the runner on case CASE (NWIT_REQUIRE=REQUIRE); output in
# $T/CASE.out, its exit status in $T/CASE.rc
verdict() {
	env NWIT_REQUIRE="$2" "$RUNNER" --build "$T/$1/build" --layers unit >"$T/$1.out" 2>&1
	echo $? >"$T/$1.rc"
}

# expect NAME CASE SUMMARY RC [PATTERN]: the runner's summary line, exit status and a line
# of its output (extended regex)
expect() {
	local name=$1 c=$2 summary=$3 rc=$4 pattern=${5:-}
	local got rcgot
	got=$(tail -n 1 "$T/$c.out")
	rcgot=$(cat "$T/$c.rc")
	if [ "$got" = "$summary" ] && [ "$rcgot" = "$rc" ] &&
		{ [ -z "$pattern" ] || grep -qE "$pattern" "$T/$c.out"; }; then
		t_pass "$name"
	else
		t_fail "$name" "want \"$summary\", status $rc${pattern:+, a line matching /$pattern/}; got \"$got\", status $rcgot: $(sed 's/^/#   /' "$T/$c.out")"
	fi
}

# --- exit status against the results ----------------------------------------------------
dummy late_skip test_late 'echo "ok 1 - first check"; echo "skipped: the rest cannot run"; exit 77'
verdict late_skip ""
expect "results, then exit 77: a failure, and the runner says why" late_skip \
	"1 passed, 1 failed, 0 skipped" 1 'FAIL  unit/test_late: exited 77 \(skipped\) after 1 results'

dummy bad_status test_status 'echo "ok 1 - first check"; echo "ok 2 - second check"; exit 3'
verdict bad_status ""
expect "all results ok, exit status 3: a failure that names the status" bad_status \
	"2 passed, 1 failed, 0 skipped" 1 'FAIL  unit/test_status: exited with status 3 although none of its 2 results failed'

dummy whole_skip test_whole 'echo "skipped: needs a part"; exit 77'
dummy whole_skip test_other 'echo "ok 1 - fine"'
verdict whole_skip ""
expect "exit 77 before any result: a skip with the reason" whole_skip \
	"1 passed, 0 failed, 1 skipped" 0 'SKIP  unit/test_whole: needs a part'

# --- the plan ---------------------------------------------------------------------------
dummy short_plan test_short 'echo 1..3; echo "ok 1 - a"; echo "ok 2 - b"'
verdict short_plan ""
expect "fewer results than planned: a failure" short_plan \
	"2 passed, 1 failed, 0 skipped" 1 'FAIL  unit/test_short: planned 3 results \(1..3\) but printed 2'

dummy long_plan test_long 'echo "ok 1 - a"; echo "ok 2 - b"; echo 1..1'
verdict long_plan ""
expect "more results than planned (trailing plan): a failure" long_plan \
	"2 passed, 1 failed, 0 skipped" 1 'FAIL  unit/test_long: planned 1 results'

dummy good_plan test_good 'echo 1..2; echo "ok 1 - a"; echo "ok 2 - b # SKIP [n/a] not this mode"'
verdict good_plan ""
expect "a plan that matches: no failure" good_plan "1 passed, 0 failed, 1 skipped" 0

dummy bail test_bail 'echo 1..2; echo "ok 1 - a"; echo "Bail out! the peer died"; echo "ok 2 - b"'
verdict bail ""
expect "Bail out!: a failure" bail "2 passed, 1 failed, 0 skipped" 1 'FAIL  unit/test_bail: bailed out'

# --- a layer in which everything skipped, and NWIT_REQUIRE --------------------------------
dummy all_skip test_a 'echo "skipped: needs chromium"; exit 77'
dummy all_skip test_b 'echo "ok 1 - x # SKIP needs kamailio"'
verdict all_skip ""
expect "a layer in which every test skipped is said so" all_skip \
	"0 passed, 0 failed, 2 skipped" 0 '^LAYER unit: every test skipped \(2\)'
verdict all_skip 1
expect "  with NWIT_REQUIRE=1 each skip fails, and the layer too" all_skip \
	"0 passed, 3 failed, 0 skipped" 1 'FAIL  unit/test_a: skipped with NWIT_REQUIRE=1 .*needs chromium'

dummy na_skip test_na 'echo "ok 1 - a"; echo "ok 2 - relay restart # SKIP [n/a] the relay dies with nwitd"'
dummy na_skip test_whole_na 'echo "skipped: [n/a] this mode has no such step"; exit 77'
verdict na_skip 1
expect "with NWIT_REQUIRE=1 a skip declared not applicable stays a skip, listed" na_skip \
	"1 passed, 0 failed, 2 skipped" 0 '^  unit/test_na: relay restart: the relay dies with nwitd'
grep -q '^  unit/test_whole_na: this mode has no such step' "$T/na_skip.out" &&
	t_pass "  a whole script declared not applicable is listed too" ||
	t_fail "  whole script n/a listed" "$(cat "$T/na_skip.out")"

dummy cmocka_skip test_cm 'echo 1..2; echo "ok 1 - a"; echo "ok 2 # SKIP b"'
verdict cmocka_skip 1
expect "with NWIT_REQUIRE=1 a cmocka skip() (no reason class) fails" cmocka_skip \
	"1 passed, 1 failed, 0 skipped" 1

mkdir -p "$T/empty/build/tests/unit"
verdict empty 1
expect "with NWIT_REQUIRE=1 a layer that ran no test fails" empty \
	"0 passed, 1 failed, 0 skipped" 1 'FAIL  layer/unit: ran no test'

# --- the helpers of tests/lib.sh --------------------------------------------------------
lib_dummy() { dummy "$1" "$2" ". '$LIB'
$3"; }
lib_dummy sub test_sub 't_pass a; ( t_pass "b, in a subshell" ); t_done'
verdict sub ""
expect "t_done's plan catches a result printed where the count cannot see it" sub \
	"2 passed, 1 failed, 0 skipped" 1 'planned 1 results'

lib_dummy bailing test_bailing 't_pass built; t_bail "the helper peer builds" "cc: error"; t_pass never'
verdict bailing ""
expect "t_bail: one failed result and the script ends" bailing "1 passed, 1 failed, 0 skipped" 1 \
	'FAIL  unit/test_bailing: the helper peer builds'

# a stand-in nwitd (a script named nwitd): one that ignores SIGTERM, one that exits 3 on
# it, one that exits 0 but left a sanitizer report, one that exits 0 cleanly, and a
# wrapper shell around it (the signal would stop the wrapper, not nwitd)
standin() { # standin CASE TERM-ACTION
	mkdir -p "$T/$1"
	printf '#!/bin/bash\nsleep 20 & trap "%s" TERM\nwait\n' "$2" >"$T/$1/nwitd"
	chmod +x "$T/$1/nwitd"
}
stop_case() { # stop_case CASE TERM-ACTION LOG-LINE [WRAP]
	standin "$1" "$2"
	lib_dummy "$1" "test_$1" "t_tmpdir; echo '$3' >\"\$T/log\"
${4:+bash -c '$T/$1/nwitd; true' &}${4:-'$T/$1/nwitd' &} sleep 0.3
t_nwitd_stop_clean \$! \"\$T/log\"; t_done"
	verdict "$1" ""
}
stop_case stuck ""
expect "t_nwitd_stop_clean fails when nwitd does not exit on SIGTERM" stuck \
	"0 passed, 1 failed, 0 skipped" 1 'still ran 5 s after SIGTERM'
stop_case status3 'kill \$!; exit 3'
expect "t_nwitd_stop_clean fails when nwitd exits non-zero on SIGTERM" status3 \
	"0 passed, 1 failed, 0 skipped" 1 'exited with status 3 after SIGTERM'
stop_case asan 'kill \$!; exit 0' '==1==ERROR: LeakSanitizer: detected memory leaks'
expect "t_nwitd_stop_clean fails on a sanitizer report in the log" asan \
	"0 passed, 1 failed, 0 skipped" 1 'sanitizer report'
stop_case wrapped 'kill \$!; exit 0' '' wrap
expect "t_nwitd_stop_clean fails when the pid is a wrapper, not nwitd" wrapped \
	"0 passed, 1 failed, 0 skipped" 1 'not nwitd: cannot stop it'
stop_case clean 'kill \$!; exit 0'
expect "  and passes when nwitd exits 0 in time with a clean log" clean "1 passed, 0 failed, 0 skipped" 0
t_done
