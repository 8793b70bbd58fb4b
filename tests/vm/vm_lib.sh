# Helpers of the kernel lab tests (sourced after tests/lib.sh). A kernel lab test runs
# inside a guest (scripts/vm/vmrun sets NWIT_VM_KERNEL and NWIT_VM_OUT) or on this
# machine's own kernel (the vm layer of tests/run.sh sets NWIT_VM_OUT); its findings go
# to $NWIT_VM_OUT/features.tsv, which scripts/vm/feature-matrix.sh turns into the matrix.
# shellcheck shell=bash

VM_OUT=${NWIT_VM_OUT:-}

# t_refused NAME REASON: the kernel lacks what NAME needs, as expected: not a failure,
# counted apart by tests/run.sh ("REFUSED")
t_refused() { _t_num=$((_t_num + 1)); echo "ok $_t_num - $1 # REFUSED $2"; }

# vm_feature KEY STATE DETAIL: one cell of the feature matrix (STATE yes, no or fail)
vm_feature() {
	[ -n "$VM_OUT" ] || return 0
	mkdir -p "$VM_OUT"
	printf '%s\t%s\t%s\n' "$1" "$2" "$(printf '%s' "$3" | tr '\t\n' '  ')" >>"$VM_OUT/features.tsv"
	vm_kernel_note
}

# which kernel the findings are about
vm_kernel_note() {
	[ -n "$VM_OUT" ] && [ ! -f "$VM_OUT/kernel" ] || return 0
	echo "$(uname -r)${NWIT_VM_KERNEL:+ (guest $NWIT_VM_KERNEL)}" >"$VM_OUT/kernel"
}

# vm_module_shipped NAME: the running kernel has module NAME (loadable or built in), by its
# own modules.dep / modules.builtin; false when the kernel has no module tree at all
vm_module_shipped() {
	local d
	d=/lib/modules/$(uname -r)
	grep -qE "(^|/)$1\.ko(\.[a-z]+)?:" "$d/modules.dep" 2>/dev/null ||
		grep -qE "(^|/)$1\.ko$" "$d/modules.builtin" 2>/dev/null
}

# vm_in_guest: true inside a kernel lab guest
vm_in_guest() { [ -n "${NWIT_VM_KERNEL:-}" ]; }
