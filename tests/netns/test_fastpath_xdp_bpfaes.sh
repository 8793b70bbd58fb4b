#!/usr/bin/env bash
# SRTP<->RTP through the XDP fast path on veth with [fastpath] aes = bpf (AES-128 written
# in BPF, the AES of kernels without bpf_crypto), libsrtp2 on both ends (fastpath_lib.sh).
HOOK=xdp
FP_AES=bpf
. "$(dirname "$0")/fastpath_lib.sh"
run_fastpath_test
