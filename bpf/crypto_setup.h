/*
 * nwit_crypto_setup (SEC("syscall")): set up the AES of one SSRC in "nwit_aes", with the
 * implementation args->aes names: bpf_crypto ecb(aes) or ecb(aes-generic) contexts kept
 * as kptrs (contexts can only be created from a syscall program), or the expanded keys
 * of the AES written in BPF. Included once by each BPF object that transforms SRTP.
 */
#ifndef NWIT_BPF_CRYPTO_SETUP_H
#define NWIT_BPF_CRYPTO_SETUP_H

#include "aes_bpf.h"
#include "maps.h"

#define EINVAL_ 22
#define ENOENT_ 2
#define EOPNOTSUPP_ 95

#ifdef NWIT_HAVE_BPF_CRYPTO
static __always_inline struct bpf_crypto_ctx *aes_ctx_create(const __u8 key[16], int generic,
							     int *err)
{
	struct bpf_crypto_params params = {
		.type = "skcipher",
		.key_len = 16,
	};

	if (generic)
		__builtin_memcpy(params.algo, "ecb(aes-generic)", sizeof("ecb(aes-generic)"));
	else
		__builtin_memcpy(params.algo, "ecb(aes)", sizeof("ecb(aes)"));
	__builtin_memcpy(params.key, key, 16);
	return bpf_crypto_ctx_create(&params, sizeof(params), err);
}

/* Put rtp/rtcp (or NULL) into v, releasing what was there. */
static __always_inline void aes_ctx_swap(struct nwit_aes_ctxs *v, struct bpf_crypto_ctx *rtp,
					 struct bpf_crypto_ctx *rtcp)
{
	struct bpf_crypto_ctx *old;

	old = bpf_kptr_xchg(&v->rtp, rtp);
	if (old)
		bpf_crypto_ctx_release(old);
	old = bpf_kptr_xchg(&v->rtcp, rtcp);
	if (old)
		bpf_crypto_ctx_release(old);
}
#endif

/* The SSRC's "nwit_aes" entry, created empty when missing; NULL with *err set. */
static __always_inline struct nwit_aes_ctxs *aes_entry(struct nwit_scratch *s,
						       struct nwit_ssrc_key *key, int *err)
{
	struct nwit_aes_ctxs *v = bpf_map_lookup_elem(&nwit_aes, key);
	__u32 i;

	if (v)
		return v;
	/* the zero value is too big for the stack: build it in the scratch */
	for (i = 0; i < sizeof(struct nwit_aes_ctxs) / 8; i++)
		((__u64 *)s->ks)[i] = 0;
	*err = bpf_map_update_elem(&nwit_aes, key, s->ks, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&nwit_aes, key);
	if (!v && !*err)
		*err = -ENOENT_;
	return v;
}

/* Set up the AES of key with implementation impl; 0 or -errno. */
static __always_inline int crypto_setup(struct nwit_scratch *s, struct nwit_ssrc_key *key,
					__u32 impl, const __u8 *rtp_key, const __u8 *rtcp_key)
{
	struct nwit_aes_ctxs *v;
	int err = 0;

	if (impl != NWIT_AES_FIXED_TIME && impl != NWIT_AES_GENERIC && impl != NWIT_AES_BPF)
		return -EINVAL_;
#ifndef NWIT_HAVE_BPF_CRYPTO
	if (impl != NWIT_AES_BPF)
		return -EOPNOTSUPP_;
#endif
	v = aes_entry(s, key, &err);
	if (!v)
		return err;
	if (impl == NWIT_AES_BPF) {
		/* packets see the new keys only after the switch below */
		v->impl = NWIT_AES_INVALID;
		aes128_expand(rtp_key, &v->rk_rtp);
		aes128_expand(rtcp_key, &v->rk_rtcp);
		v->impl = NWIT_AES_BPF;
#ifdef NWIT_HAVE_BPF_CRYPTO
		aes_ctx_swap(v, NULL, NULL);
#endif
		return 0;
	}
#ifdef NWIT_HAVE_BPF_CRYPTO
	{
		struct bpf_crypto_ctx *rtp, *rtcp;
		__u32 i;

		rtp = aes_ctx_create(rtp_key, impl == NWIT_AES_GENERIC, &err);
		if (!rtp)
			return err ? err : -EINVAL_;
		rtcp = aes_ctx_create(rtcp_key, impl == NWIT_AES_GENERIC, &err);
		if (!rtcp) {
			bpf_crypto_ctx_release(rtp);
			return err ? err : -EINVAL_;
		}
		v->impl = NWIT_AES_INVALID;
		aes_ctx_swap(v, rtp, rtcp);
		/* no expanded key of an earlier setup stays behind */
		for (i = 0; i < 44; i++) {
			v->rk_rtp.w[i] = 0;
			v->rk_rtcp.w[i] = 0;
		}
		v->impl = impl;
	}
#endif
	return 0;
}

SEC("syscall")
int nwit_crypto_setup(struct nwit_crypto_setup_args *args)
{
	struct nwit_ssrc_key key = args->key;
	struct nwit_scratch *s = scratch_get();
	__u32 impl = args->aes;
	__u8 *keys;
	int err = 0;

	if (!s) {
		args->err = -ENOENT_;
		return 0;
	}
	/*
	 * The keys are copied out of the context by fixed-offset loads (the verifier refuses
	 * pointer arithmetic on a context) into the scratch, cleared again before returning.
	 */
	keys = s->hdr;
	*(__u64 *)keys = *(__u64 *)&args->rtp_key[0];
	*(__u64 *)(keys + 8) = *(__u64 *)&args->rtp_key[8];
	*(__u64 *)(keys + 16) = *(__u64 *)&args->rtcp_key[0];
	*(__u64 *)(keys + 24) = *(__u64 *)&args->rtcp_key[8];
	err = crypto_setup(s, &key, impl, keys, keys + 16);
	*(__u64 *)keys = 0;
	*(__u64 *)(keys + 8) = 0;
	*(__u64 *)(keys + 16) = 0;
	*(__u64 *)(keys + 24) = 0;
	args->err = err;
	return 0;
}


#endif
