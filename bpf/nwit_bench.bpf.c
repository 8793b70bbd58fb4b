// SPDX-License-Identifier: GPL-2.0-only
/*
 * Benchmark-only programs (tests/bench/bench_fastpath.c), never attached: the crypto
 * floor of the fast path, i.e. the AES-CM keystream and the HMAC-SHA1 of one SRTP
 * packet alone, on the scratch, with the code the fast path uses; and each of the two
 * alone.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "aes_cm.h"
#include "crypto_setup.h"
#include "sha1.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * The packet is Ethernet + IPv4 + UDP + an SRTP packet of n bytes with an 80-bit tag:
 * the keystream over n - 12 - 10 bytes and the HMAC over n - 10 + 4 bytes, as unprotect
 * computes them. The AES is the one installed for flow 0, SSRC 0 (any implementation).
 */
static __always_inline int floor_run(struct xdp_md *ctx, int aes, int hmac)
{
	struct nwit_ssrc_key key = { 0, 0 };
	struct nwit_srtp_keying k = {};
	struct nwit_scratch *s = scratch_get();
	struct nwit_aes_ctxs *a = bpf_map_lookup_elem(&nwit_aes, &key);
	__u32 n = bpf_xdp_get_buff_len(ctx) - 42;

	if (!s || !a || n < 12 + 10 || n > NWIT_MAX_PAYLOAD)
		return XDP_ABORTED;
	if (aes && aes_cm_xor(s, a, 0, k.salt, 0, 0, 12, n - 12 - 10))
		return XDP_ABORTED;
	if (hmac && hmac_sha1(s, &k, n - 10 + 4))
		return XDP_ABORTED;
	return XDP_DROP;
}

SEC("xdp")
int nwit_bench_floor(struct xdp_md *ctx)
{
	return floor_run(ctx, 1, 1);
}

SEC("xdp")
int nwit_bench_aes(struct xdp_md *ctx)
{
	return floor_run(ctx, 1, 0);
}

SEC("xdp")
int nwit_bench_hmac(struct xdp_md *ctx)
{
	return floor_run(ctx, 0, 1);
}
