#!/usr/bin/env bash
# Fetch Debian kernels for the kernel lab into the cache, with their modules, and build
# each one's initramfs. Quick when the cache is complete.
#
#   scripts/vm/fetch.sh [--refresh] [NAME...]      (default: every kernel in kernels.conf)
#
# The packages come from Debian's archive through an apt configuration of the lab's own
# (sources, lists and archives under $NWIT_VM_CACHE/apt/SUITE): the machine's apt sources
# and its installed packages are neither read nor changed. Nothing is installed: the
# package is unpacked with dpkg-deb and depmod indexes its modules.
# --refresh downloads the package lists again and takes a newer kernel when there is one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

refresh=0
names=()
for a in "$@"; do
	case "$a" in
	--refresh) refresh=1 ;;
	-*) echo "usage: $0 [--refresh] [NAME...]" >&2; exit 2 ;;
	*) names+=("$a") ;;
	esac
done
[ "${#names[@]}" -gt 0 ] || mapfile -t names < <(vm_kernels)
for tool in apt-get apt-cache dpkg-deb depmod; do
	command -v "$tool" >/dev/null || vm_die "needs $tool (scripts/install-deps.sh installs it)"
done

# apt_for SUITE: prints the options that make apt-get/apt-cache use the lab's own state
apt_opts=()
apt_for() {
	local d="$VM_CACHE/apt/$1"
	mkdir -p "$d/lists/partial" "$d/archives/partial" "$d/sources.list.d" "$d/preferences.d"
	echo "deb [signed-by=$VM_KEYRING] $VM_MIRROR $1 main" >"$d/sources.list"
	: >"$d/status"
	apt_opts=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/sources.list.d"
		-o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/preferences.d"
		-o "Dir::State=$d" -o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
		-o "Dir::Cache=$d" -o "Dir::Cache::Archives=$d/archives"
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
		-o APT::Sandbox::User=root -o Acquire::Languages=none -o APT::Architecture=amd64)
	if [ "$refresh" = 1 ] || ! ls "$d/lists/"*_InRelease >/dev/null 2>&1; then
		apt-get -q "${apt_opts[@]}" update >"$d/update.log" 2>&1 ||
			vm_die "apt-get update for Debian $1 failed: $(grep -E '^(E|W):' "$d/update.log" | head -n 3)"
	fi
}

# resolve PACKAGE: follow a meta package's Depends down to the linux-image-<release> package
resolve() {
	local p=$1 dep
	for _ in 1 2 3; do
		case "$p" in linux-image-[0-9]*) echo "$p"; return 0 ;; esac
		dep=$(apt-cache "${apt_opts[@]}" show "$p" 2>/dev/null | awk -F': ' '/^Depends:/ { print $2; exit }' |
			tr ',' '\n' | sed 's/^ *//; s/ .*//' | grep -E '^linux-image-[0-9]' | head -n 1) || true
		[ -n "$dep" ] || return 1
		p=$dep
	done
	return 1
}

fetch_one() {
	local name=$1 suite pkg real ver kd tmp deb vmlinuz release
	suite=$(vm_kernel_field "$name" 2) || vm_die "no kernel '$name' in $VM_DIR/kernels.conf"
	pkg=$(vm_kernel_field "$name" 3)
	kd=$(vm_kdir "$name")
	if [ "$refresh" = 0 ] && [ -f "$kd/complete" ]; then
		"$VM_DIR/mkinitramfs.sh" "$name"
		return 0
	fi
	apt_for "$suite"
	real=$(resolve "$pkg") || vm_die "cannot resolve $pkg in Debian $suite to a linux-image-<release> package"
	ver=$(apt-cache "${apt_opts[@]}" show "$real" | awk '/^Version:/ { print $2; exit }')
	if [ -f "$kd/complete" ] && [ "$(cat "$kd/package")" = "$real $ver" ]; then
		"$VM_DIR/mkinitramfs.sh" "$name"
		return 0
	fi
	echo "fetch: kernel $name: $real $ver from Debian $suite"
	tmp=$(mktemp -d "$VM_CACHE/kernels/.fetch-$name.XXXXXX")
	(cd "$tmp" && apt-get -q "${apt_opts[@]}" download "$real" >download.log 2>&1) ||
		{ rm -rf "$tmp"; vm_die "apt-get download $real failed (see apt in $VM_CACHE/apt/$suite)"; }
	deb=$(ls "$tmp"/*.deb)
	dpkg-deb -x "$deb" "$tmp/root"
	vmlinuz=$(ls "$tmp"/root/boot/vmlinuz-* | head -n 1)
	release=${vmlinuz##*/vmlinuz-}
	[ -d "$tmp/root/lib/modules/$release" ] || { rm -rf "$tmp"; vm_die "$deb has no lib/modules/$release"; }
	depmod -b "$tmp/root" "$release"
	mv "$vmlinuz" "$tmp/vmlinuz"
	cp "$tmp/root/boot/config-$release" "$tmp/config"
	rm -f "$deb" "$tmp/download.log"
	echo "$release" >"$tmp/release"
	echo "$real $ver" >"$tmp/package"
	echo "Debian $suite" >"$tmp/suite"
	touch "$tmp/complete"
	rm -rf "$kd.old"
	[ -d "$kd" ] && mv "$kd" "$kd.old"
	mv "$tmp" "$kd"
	rm -rf "$kd.old"
	"$VM_DIR/mkinitramfs.sh" "$name"
}

mkdir -p "$VM_CACHE/kernels"
# one fetch at a time on this machine
exec 9>"$VM_CACHE/fetch.lock"
flock 9
for n in "${names[@]}"; do fetch_one "$n"; done
