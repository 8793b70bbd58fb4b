#!/usr/bin/env bash
# The #include graph of userspace/ has no cycle (scripts/check-includes.py): no module
# includes the header of a module that includes it back, and lib never includes nwitd.
# The checker is first shown to catch each kind of problem on a small made-up tree.
. "$(dirname "$0")/../lib.sh"
command -v python3 >/dev/null || t_skip_all "python3 is not installed"
CHECK="$NWIT_TOP/scripts/check-includes.py"
t_tmpdir

mk() { # mk PATH INCLUDE...: a file that includes each INCLUDE
	mkdir -p "$(dirname "$T/$1")"
	: >"$T/$1"
	local f=$1 i
	shift
	for i in "$@"; do echo "#include \"$i\"" >>"$T/$f"; done
}
mk userspace/lib/core/log.h
mk userspace/lib/sip/sip_msg.c "sip/sip_msg.h" "core/log.h"
mk userspace/lib/sip/sip_msg.h
mk userspace/nwitd/calls/b2bua.c "calls/b2bua.h" "sip/sip_msg.h" "legs.h"
mk userspace/nwitd/calls/b2bua.h
mk userspace/nwitd/app/app_ws.c "legs.h"
mk userspace/nwitd/legs.h
"$CHECK" --root "$T" >"$T/out" 2>&1 && t_pass "a tree without cycles passes" ||
	t_fail "a tree without cycles passes" "$(cat "$T/out")"

mk userspace/nwitd/app/app_ws.c "legs.h" "calls/b2bua.h"
mk userspace/nwitd/calls/b2bua.c "calls/b2bua.h" "app/app_http.h"
mk userspace/nwitd/app/app_http.h
if "$CHECK" --root "$T" >"$T/out" 2>&1; then
	t_fail "a cycle between two folders fails" "passed: $(cat "$T/out")"
else
	grep -q "module cycle: userspace/nwitd/app -> userspace/nwitd/calls -> userspace/nwitd/app" "$T/out" &&
		t_pass "a cycle between two folders fails, naming them" ||
		t_fail "a cycle between two folders names them" "$(cat "$T/out")"
fi
mk userspace/nwitd/calls/b2bua.c "calls/b2bua.h"

mk userspace/nwitd/ims/ims_reg.c "ims/ims_reg.h" "ims/ims_regevent.h"
mk userspace/nwitd/ims/ims_reg.h
mk userspace/nwitd/ims/ims_regevent.c "ims/ims_regevent.h" "ims/ims_reg.h"
mk userspace/nwitd/ims/ims_regevent.h
if "$CHECK" --root "$T" >"$T/out" 2>&1; then
	t_fail "a cycle between two files of one folder fails" "passed: $(cat "$T/out")"
else
	grep -q "file cycle: .*ims_reg.*ims_regevent" "$T/out" &&
		t_pass "a cycle between two files of one folder fails" ||
		t_fail "a cycle between two files of one folder is named" "$(cat "$T/out")"
fi
mk userspace/nwitd/ims/ims_regevent.c "ims/ims_regevent.h"

mk userspace/lib/sip/sip_msg.c "sip/sip_msg.h" "calls/b2bua.h"
if "$CHECK" --root "$T" >"$T/out" 2>&1; then
	t_fail "lib including an nwitd header fails" "passed: $(cat "$T/out")"
else
	grep -q "sip_msg.c includes userspace/nwitd/calls/b2bua.h: lib never includes nwitd" "$T/out" &&
		t_pass "lib including an nwitd header fails" ||
		t_fail "lib including an nwitd header is named" "$(cat "$T/out")"
fi

"$CHECK" >"$T/out" 2>&1 && t_pass "userspace/: $(cat "$T/out")" ||
	t_fail "userspace/ has no include cycle" "$(cat "$T/out")"
t_done
