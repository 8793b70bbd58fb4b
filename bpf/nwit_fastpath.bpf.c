// SPDX-License-Identifier: GPL-2.0-only
/*
 * nwit fast path entry points. XDP and TC ingress run the same core (pipeline.h):
 * every UDP datagram is classified per RFC 7983 and counted; STUN, DTLS, anything
 * unknown and RTP/RTCP of unknown flows are left to the stack so they reach nwitd's
 * sockets; media of a known flow is translated and forwarded here.
 * nwit_crypto_setup (SEC("syscall")) installs the AES contexts of one SSRC.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "nwit/fastpath.h"
#include "pipeline.h"

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int nwit_xdp(struct xdp_md *ctx)
{
	return fastpath(ctx, 1);
}

SEC("tc")
int nwit_tc(struct __sk_buff *skb)
{
	return fastpath(skb, 0);
}

static __always_inline struct bpf_crypto_ctx *aes_ctx_create(const __u8 key[16], int *err)
{
	struct bpf_crypto_params params = {
		.type = "skcipher",
		.algo = "ecb(aes)",
		.key_len = 16,
	};

	__builtin_memcpy(params.key, key, 16);
	return bpf_crypto_ctx_create(&params, sizeof(params), err);
}

SEC("syscall")
int nwit_crypto_setup(struct nwit_crypto_setup_args *args)
{
	struct nwit_aes_ctxs empty = {}, *v;
	struct bpf_crypto_ctx *rtp, *rtcp, *old;
	struct nwit_ssrc_key key = args->key;
	int err = 0;

	rtp = aes_ctx_create(args->rtp_key, &err);
	if (!rtp) {
		args->err = err ? err : -22;
		return 0;
	}
	rtcp = aes_ctx_create(args->rtcp_key, &err);
	if (!rtcp) {
		bpf_crypto_ctx_release(rtp);
		args->err = err ? err : -22;
		return 0;
	}
	v = bpf_map_lookup_elem(&nwit_aes, &key);
	if (!v) {
		err = bpf_map_update_elem(&nwit_aes, &key, &empty, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&nwit_aes, &key);
	}
	if (!v) {
		bpf_crypto_ctx_release(rtp);
		bpf_crypto_ctx_release(rtcp);
		args->err = err ? err : -2;
		return 0;
	}
	old = bpf_kptr_xchg(&v->rtp, rtp);
	if (old)
		bpf_crypto_ctx_release(old);
	old = bpf_kptr_xchg(&v->rtcp, rtcp);
	if (old)
		bpf_crypto_ctx_release(old);
	args->err = 0;
	return 0;
}
