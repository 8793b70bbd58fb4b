/*
 * AES counter mode (RFC 3711 section 4.1.1) with the AES an SSRC was set up with
 * (enum nwit_aes_impl, in its "nwit_aes" entry):
 *   - bpf_crypto ecb(aes) / ecb(aes-generic): the counter blocks IV + j are written to the
 *     scratch, encrypted in one ECB call into the keystream, and XORed over the data
 *     (ctr(aes) is not an lskcipher and cannot be used from BPF);
 *   - AES in BPF (aes_bpf.h): each block is encrypted and XORed in place.
 * The per-block work runs in bounded loops inside global functions (verified once),
 * not in bpf_loop callbacks.
 */
#ifndef NWIT_BPF_AES_CM_H
#define NWIT_BPF_AES_CM_H

#include <bpf/bpf_endian.h>

#include "aes_bpf.h"
#include "maps.h"

#define AES_CM_MAX_BLOCKS 96	/* NWIT_MAX_PAYLOAD / 16, rounded up */

#ifdef NWIT_HAVE_BPF_CRYPTO
/* s->ctr[16 j, 16 j + 16) = IV + j for j < nblk (IV bytes 14-15 are zero). */
__noinline int nwit_ctr_fill(struct nwit_scratch *s, __u32 nblk)
{
	__u64 lo, hi;
	__u32 j;

	if (!s)
		return -1;
	lo = (__u64)__builtin_bswap32(s->iv[1]) << 32 | __builtin_bswap32(s->iv[0]);
	hi = (__u64)__builtin_bswap32(s->iv[3]) << 32 | __builtin_bswap32(s->iv[2]);
	for (j = 0; j < nblk && j < AES_CM_MAX_BLOCKS; j++) {
		LOOP_OPAQUE(j);
		*(__u64 *)(s->ctr + j * 16) = lo;
		*(__u64 *)(s->ctr + j * 16 + 8) = hi | (__u64)__builtin_bswap16((__u16)j) << 48;
	}
	return 0;
}

/* s->msg[start + 16 j, ...) ^= s->ks[16 j, ...) for j < nblk. */
__noinline int nwit_ks_xor(struct nwit_scratch *s, __u32 start, __u32 nblk)
{
	__u32 j;

	if (!s || start > SCR_BUF)
		return -1;
	for (j = 0; j < nblk && j < AES_CM_MAX_BLOCKS; j++) {
		LOOP_OPAQUE(j);
		__u8 *m = s->msg + ((start + j * 16) & SCR_MASK);

		*(__u64 *)m ^= *(__u64 *)(s->ks + j * 16);
		*(__u64 *)(m + 8) ^= *(__u64 *)(s->ks + j * 16 + 8);
	}
	return 0;
}
#endif

/*
 * XOR s->msg[start, start + len) with the AES-CM keystream of IV
 * (salt * 2^16) ^ (ssrc * 2^64) ^ (index * 2^16) under the SRTP (rtcp = 0) or SRTCP key
 * of a. Up to 15 bytes after the range are clobbered. Returns 0, or a drop reason.
 */
static __always_inline int aes_cm_xor(struct nwit_scratch *s, struct nwit_aes_ctxs *a, int rtcp,
				      const __u8 salt[14], __be32 ssrc, __u64 index,
				      __u32 start, __u32 len)
{
	__u32 nblk, w1, w2, w3;

	if (!len)
		return 0;
	if (len > NWIT_MAX_PAYLOAD || start > SCR_BUF)
		return NWIT_DROP_TOO_BIG;
	w1 = (__u32)salt[4] << 24 | (__u32)salt[5] << 16 | (__u32)salt[6] << 8 | salt[7];
	w2 = (__u32)salt[8] << 24 | (__u32)salt[9] << 16 | (__u32)salt[10] << 8 | salt[11];
	w3 = (__u32)salt[12] << 24 | (__u32)salt[13] << 16;
	s->iv[0] = (__u32)salt[0] << 24 | (__u32)salt[1] << 16 | (__u32)salt[2] << 8 | salt[3];
	s->iv[1] = w1 ^ bpf_ntohl(ssrc);
	s->iv[2] = w2 ^ (__u32)(index >> 16);
	s->iv[3] = w3 ^ ((__u32)index << 16);
	nblk = (len + 15) / 16;	/* len <= NWIT_MAX_PAYLOAD: at most 94 blocks */

	if (a->impl == NWIT_AES_BPF) {
		if (nwit_aes_cm_bpf(s, rtcp ? &a->rk_rtcp : &a->rk_rtp, start, nblk))
			return NWIT_DROP_CRYPTO_ERROR;
		return 0;
	}
#ifdef NWIT_HAVE_BPF_CRYPTO
	if (a->impl == NWIT_AES_FIXED_TIME || a->impl == NWIT_AES_GENERIC) {
		struct bpf_crypto_ctx *aes = rtcp ? a->rtcp : a->rtp;
		struct bpf_dynptr src, dst;
		__u64 size;

		if (!aes)
			return NWIT_DROP_NO_CRYPTO;
		if (nwit_ctr_fill(s, nblk))
			return NWIT_DROP_CRYPTO_ERROR;
		size = nblk * 16;
		/* keep the bound visible to the verifier (the compiler can prove it and drop it) */
		asm volatile("" : "+r"(size));
		if (size > SCR_BUF)
			return NWIT_DROP_TOO_BIG;
		if (bpf_dynptr_from_mem(s->ctr, size, 0, &src) ||
		    bpf_dynptr_from_mem(s->ks, size, 0, &dst))
			return NWIT_DROP_CRYPTO_ERROR;
		if (bpf_crypto_encrypt(aes, &src, &dst, NULL))
			return NWIT_DROP_CRYPTO_ERROR;
		if (nwit_ks_xor(s, start, nblk))
			return NWIT_DROP_CRYPTO_ERROR;
		return 0;
	}
#endif
	return NWIT_DROP_NO_CRYPTO;
}

#endif
