#!/bin/bash
# Runs inside a kernel lab guest as its init, after scripts/vm/init switched to the overlay
# of the host's root. Mounts what a test expects, loads the lab's modules, runs
# $out/job.sh (written by scripts/vm/vmrun) with its output in $out/output.log and its exit
# status in $out/rc, saves the kernel log to $out/dmesg.log and powers the guest off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	nwit_out=*) out=${arg#nwit_out=} ;;
	nwit_name=*) name=${arg#nwit_name=} ;;
	esac
done

off() {
	sync
	/bin/busybox poweroff -f 2>/dev/null || echo o >/proc/sysrq-trigger
	sleep 30
}
trap off EXIT

mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
# the host's /run (its namespaces, sockets, pid files) must not show through
mount -t tmpfs -o mode=0755 run /run
mkdir -p /run/netns /run/lock
# a fresh /tmp, unless the tree under test (and so the results folder) lives there: then
# the overlay's /tmp (the host's, written to the guest's tmpfs upper layer) stays
case "$out" in
/tmp/*) ;;
*) mount -t tmpfs -o mode=1777 tmp /tmp ;;
esac
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null
hostname "nwit-vm-${name:-guest}"
ip link set lo up

# Modules the lab's tests use; a module this kernel lacks is noted, the test that needs
# it says what it could not do.
: >"$out/modules.log"
for m in veth tun ifb macvlan sch_ingress cls_bpf act_bpf nf_tables nf_conntrack \
	xfrm_user xfrm_algo esp4 esp6; do
	modprobe "$m" >>"$out/modules.log" 2>&1 || echo "modprobe $m failed" >>"$out/modules.log"
done

if [ -f "$out/job.sh" ]; then
	bash "$out/job.sh" >"$out/output.log" 2>&1 </dev/null
	echo $? >"$out/rc.tmp"
	sync
	mv "$out/rc.tmp" "$out/rc"
else
	echo "nwit-vm: no job in $out" >"$out/output.log"
fi
dmesg >"$out/dmesg.log" 2>&1
