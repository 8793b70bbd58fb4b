#!/usr/bin/env bash
# The BPF features the fast path can use, each tried for real on the running kernel by
# tests/vm/kfeat.c: native XDP and TC on veth (frames counted), bpf_loop, the bpf_crypto
# kfuncs (FIPS-197 block), a kfunc that a module registers (nf_conntrack), and whether
# nwit_fastpath.bpf.o loads. A feature the kernel lacks (its BTF, /proc say so) is
# REFUSED as expected; a feature it has that does not work fails.
# vm-kernels: all
# vm-host: yes
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

[ "$(id -u)" = 0 ] || t_skip_all "needs root (BPF, network namespaces)"
KFEAT=$NWIT_BUILD/tests/vm/kfeat
[ -x "$KFEAT" ] || t_skip_all "build the probes first (make all)"
t_tmpdir
log=${VM_OUT:-$T}/kfeat.log
mkdir -p "${VM_OUT:-$T}"
kf() { "$KFEAT" --objdir "$NWIT_BUILD/tests/vm" --log "$log" "$@"; }

# probe KEY LABEL COMMAND...: one feature, one TAP line, one matrix cell
probe() {
	local key=$1 label=$2 res rc
	shift 2
	res=$("$@" 2>&1)
	rc=$?
	case "$rc" in
	0) t_pass "$label"; echo "# ${res#yes }"; vm_feature "$key" yes "${res#yes }" ;;
	3) t_refused "$label" "${res#refused }"; vm_feature "$key" no "${res#refused }" ;;
	*) t_fail "$label" "${res#fail }"; vm_feature "$key" fail "${res#fail }" ;;
	esac
}

NS=nwkf$$
t_on_exit "ip netns del $NS 2>/dev/null"
if ip netns add "$NS" && ip -n "$NS" link add kf0 type veth peer name kf1 &&
	ip -n "$NS" link set kf0 up && ip -n "$NS" link set kf1 up; then
	probe xdp_veth "XDP native on veth" ip netns exec "$NS" "$KFEAT" --objdir "$NWIT_BUILD/tests/vm" --log "$log" xdp kf0 kf1
	probe tc "TC ingress (clsact) on veth" ip netns exec "$NS" "$KFEAT" --objdir "$NWIT_BUILD/tests/vm" --log "$log" tc kf0 kf1
else
	t_fail "a network namespace with a veth pair" "$(ip -n "$NS" link 2>&1 | tail -n 2)"
	vm_feature xdp_veth fail "no veth pair could be made"
	vm_feature tc fail "no veth pair could be made"
fi
probe bpf_loop "bpf_loop" kf loop
probe bpf_crypto "bpf_crypto kfuncs (ecb(aes))" kf crypto
probe kfunc_module "kfuncs from modules" kf modkfunc
probe fastpath_obj "nwit_fastpath.bpf.o loads" kf load "$NWIT_BUILD/bpf/nwit_fastpath.bpf.o"
t_done
