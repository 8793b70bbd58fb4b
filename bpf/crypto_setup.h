/*
 * nwit_crypto_setup (SEC("syscall")): create the ecb(aes) contexts of one SSRC and keep
 * them as kptrs in "nwit_aes" (bpf_crypto contexts can only be created from a syscall
 * program). Included once by each BPF object that transforms SRTP.
 */
#ifndef NWIT_BPF_CRYPTO_SETUP_H
#define NWIT_BPF_CRYPTO_SETUP_H

#include "maps.h"

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

#endif
