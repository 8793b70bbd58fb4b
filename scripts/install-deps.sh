#!/usr/bin/env bash
# Install every Debian package that building, testing, the demo and the benchmarks need.
# Idempotent and non-interactive; quick when everything is already present.
set -euo pipefail

PACKAGES=(
	# build chain
	make gcc pkg-config clang-19 llvm-19 lld-19 libclang-rt-19-dev bpftool
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev
	# libraries named by the owner, and the well-kept ones we build on
	libevent-dev libosip2-dev libmnl-dev libnftnl-dev libssl-dev
	libinih-dev libjansson-dev libwslay-dev libusrsctp-dev
	libexpat1-dev  # reginfo (RFC 3680) documents: userspace/lib/sip/reginfo.c says why expat
	# the audio transcoder (userspace/lib/codec/): Opus, AMR-WB/AMR, resampling
	libopus-dev libopencore-amrwb-dev libopencore-amrnb-dev libvo-amrwbenc-dev libspeexdsp-dev
	# tests
	libcmocka-dev libsrtp2-dev iproute2 iputils-ping mandoc nftables ethtool tcpdump tshark curl python3
	kamailio kamailio-websocket-modules kamailio-extra-modules
	kamailio-presence-modules  # the lab core serves the reg event (scripts/lab/kamailio.cfg)
	sip-tester baresip-core sox chromium
	ffmpeg  # its own AMR/AMR-WB decoders check the transcoder's output (test_codec_*)
	openssl  # the IMS-AKA test computes its vectors with the openssl command
	# benchmarks
	netsniff-ng rtpengine-daemon
	# kernel lab (scripts/vm, docs/kernel-lab.md): qemu with TCG (no KVM needed), the
	# guest's init, and what unpacks Debian's kernels and indexes their modules
	qemu-system-x86 busybox-static kmod cpio xz-utils zstd
)

missing=()
for p in "${PACKAGES[@]}"; do
	case "$p" in \#*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# node and npm come with the base image; Debian's npm conflicts with that node.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)

if [ "${#missing[@]}" -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# tshark asks whether non-root users may capture; answer no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "install-deps: Debian packages present"
fi

# npm packages for the browser tests, pinned by tests/e2e/package-lock.json
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$top/tests/e2e/package-lock.json" ]; then
	if [ ! -d "$top/tests/e2e/node_modules" ] ||
	   [ "$top/tests/e2e/package-lock.json" -nt "$top/tests/e2e/node_modules/.package-lock.json" ]; then
		echo "install-deps: npm ci in tests/e2e"
		(cd "$top/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
	fi
fi

# the kernel lab's Debian kernels (cached in /var/cache/nwit-vm; quick when present)
"$top/scripts/vm/fetch.sh" ||
	echo "install-deps: could not fetch the kernel lab's kernels: the vm layer will fail until it can"

# bpffs is not mounted at boot here
if ! mountpoint -q /sys/fs/bpf; then
	mount -t bpf bpf /sys/fs/bpf || echo "install-deps: could not mount bpffs (BPF tests will skip)"
fi
