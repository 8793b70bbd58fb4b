# Shared by the kernel lab scripts (sourced): where the cache is, what a kernel name means.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_TOP=$(cd "$VM_DIR/../.." && pwd)
# Kernels, apt state and initramfs images are cached outside the tree, shared by every
# checkout on the machine (override with NWIT_VM_CACHE).
VM_CACHE=${NWIT_VM_CACHE:-/var/cache/nwit-vm}
VM_MIRROR=${NWIT_VM_MIRROR:-http://deb.debian.org/debian}
VM_KEYRING=${NWIT_VM_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

vm_die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# vm_kernels: the names in kernels.conf, in order
vm_kernels() { awk '!/^#/ && NF >= 3 { print $1 }' "$VM_DIR/kernels.conf"; }

# vm_kernel_field NAME COLUMN (2 = suite, 3 = package)
vm_kernel_field() {
	awk -v n="$1" -v c="$2" '!/^#/ && $1 == n { print $c; found = 1 } END { exit !found }' \
		"$VM_DIR/kernels.conf"
}

# The extracted kernel NAME: vmlinuz, lib/modules/<release>, release, package, initrd.img
vm_kdir() { echo "$VM_CACHE/kernels/$1"; }
