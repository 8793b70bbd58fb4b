/*
 * AES counter mode (RFC 3711 section 4.1.1) from the kernel's ecb(aes) through the
 * bpf_crypto kfuncs: the counter blocks IV + j are written to the scratch, encrypted in
 * one ECB call into the keystream, and XORed over the data. (ctr(aes) is not an
 * lskcipher and cannot be used from BPF.)
 */
#ifndef NWIT_BPF_AES_CM_H
#define NWIT_BPF_AES_CM_H

#include <bpf/bpf_endian.h>

#include "maps.h"

struct ctr_loop {
	__u64 iv_lo;	/* bytes 0-7 of the IV, memory order */
	__u64 iv_hi;	/* bytes 8-15, with bytes 14-15 zero */
	__u32 start;	/* XOR: first data byte in s->msg */
};

static long ctr_block_cb(__u64 j, void *data)
{
	struct nwit_scratch *s = scratch_get();
	struct ctr_loop *l = data;
	__u32 off = ((__u32)j * 16) & SCR_MASK;
	__u64 ctr = bpf_htons((__u16)j);

	if (!s)
		return 1;
	*(__u64 *)(s->ctr + (off & (SCR_BUF - 16))) = l->iv_lo;
	*(__u64 *)(s->ctr + (off & (SCR_BUF - 16)) + 8) = l->iv_hi | (ctr << 48);
	return 0;
}

static long xor_block_cb(__u64 j, void *data)
{
	struct nwit_scratch *s = scratch_get();
	struct ctr_loop *l = data;
	__u32 koff = ((__u32)j * 16) & SCR_MASK;
	__u32 moff = (l->start + (__u32)j * 16) & SCR_MASK;

	if (!s)
		return 1;
	*(__u64 *)(s->msg + moff) ^= *(__u64 *)(s->ks + koff);
	*(__u64 *)(s->msg + moff + 8) ^= *(__u64 *)(s->ks + koff + 8);
	return 0;
}

/*
 * XOR s->msg[start, start + len) with the AES-CM keystream of IV
 * (salt * 2^16) ^ (ssrc * 2^64) ^ (index * 2^16). Up to 15 bytes after the range are
 * clobbered. Returns 0, or a drop reason.
 */
static __always_inline int aes_cm_xor(struct nwit_scratch *s, struct bpf_crypto_ctx *aes,
				      const __u8 salt[14], __be32 ssrc, __u64 index,
				      __u32 start, __u32 len)
{
	struct bpf_dynptr src, dst;
	struct ctr_loop l;
	__u8 iv[16];
	__u32 nblk;
	__u64 size;
	int i;

	if (!len)
		return 0;
	if (len > NWIT_MAX_PAYLOAD || start > SCR_BUF)
		return NWIT_DROP_TOO_BIG;
	for (i = 0; i < 14; i++)
		iv[i] = salt[i];
	iv[14] = iv[15] = 0;
	*(__u32 *)(iv + 4) ^= ssrc;
	for (i = 0; i < 6; i++)
		iv[8 + i] ^= (__u8)(index >> (40 - 8 * i));
	l.iv_lo = *(__u64 *)iv;
	l.iv_hi = *(__u64 *)(iv + 8);
	l.start = start;

	nblk = ((len + 15) / 16) & 127;	/* len <= NWIT_MAX_PAYLOAD: at most 94 blocks */
	bpf_loop(nblk, ctr_block_cb, &l, 0);
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
	bpf_loop(nblk, xor_block_cb, &l, 0);
	return 0;
}

#endif
