#!/usr/bin/env bash
# Build the initramfs of kernel NAME (already fetched): busybox-static, the modules that
# mount the host's root over virtio-9p with a tmpfs overlay (resolved with their
# dependencies from the kernel's modules.dep, decompressed), and scripts/vm/init.
# Rebuilt only when one of those changes.
#
#   scripts/vm/mkinitramfs.sh NAME
set -euo pipefail
. "$(dirname "$0")/lib.sh"

name=${1:?usage: $0 NAME}
kd=$(vm_kdir "$name")
[ -f "$kd/complete" ] || vm_die "kernel $name is not fetched (scripts/vm/fetch.sh $name)"
release=$(cat "$kd/release")
busybox=/bin/busybox
[ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 ||
	vm_die "needs a static $busybox (package busybox-static)"

# what the guest needs before it can reach the host's root
BOOT_MODULES="virtio_pci virtio_rng 9pnet_virtio 9p overlay"

stamp=$( { cat "$VM_DIR/init" "$0"; echo "$BOOT_MODULES $release"; md5sum <"$busybox"; } | md5sum | cut -d' ' -f1)
if [ -f "$kd/initrd.img" ] && [ "$(cat "$kd/initrd.stamp" 2>/dev/null)" = "$stamp" ]; then
	exit 0
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,lower,upper,newroot,lib/modules}
cp "$busybox" "$stage/bin/busybox"
cp "$VM_DIR/init" "$stage/init"
chmod 0755 "$stage/init"
: >"$stage/modules.list"
for m in $BOOT_MODULES; do
	# "insmod PATH" lines in load order; "builtin NAME" for parts built into the kernel
	modprobe -d "$kd/root" -S "$release" --show-depends "$m" >"$stage/deps" 2>&1 ||
		vm_die "kernel $name: cannot resolve module $m: $(cat "$stage/deps")"
	while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		base=$(basename "$path")
		base=${base%.xz}; base=${base%.zst}
		grep -qx "$base" "$stage/modules.list" && continue
		case "$path" in
		*.xz) xz -dc "$path" >"$stage/lib/modules/$base" ;;
		*.zst) zstd -qdc "$path" >"$stage/lib/modules/$base" ;;
		*) cp "$path" "$stage/lib/modules/$base" ;;
		esac
		echo "$base" >>"$stage/modules.list"
	done <"$stage/deps"
done
rm -f "$stage/deps"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$kd/initrd.img.$$"
mv "$kd/initrd.img.$$" "$kd/initrd.img"
echo "$stamp" >"$kd/initrd.stamp"
echo "mkinitramfs: kernel $name: $(wc -l <"$stage/modules.list") boot modules ($(tr '\n' ' ' <"$stage/modules.list"))"
