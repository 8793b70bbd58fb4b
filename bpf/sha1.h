/*
 * HMAC-SHA1 (RFC 2104, FIPS 180-4) over the scratch message, starting from the ipad/opad
 * states the controller precomputed. The kernel offers no hash kfunc to BPF, so SHA-1 is
 * written here: one __noinline compression function with its schedule W[16] in the
 * per-CPU scratch (an unrolled version does not fit the 512-byte stack), driven by
 * bpf_loop over the message blocks.
 */
#ifndef NWIT_BPF_SHA1_H
#define NWIT_BPF_SHA1_H

#include "maps.h"

static __always_inline __u32 rol32(__u32 x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* One SHA-1 round; W(t) is the schedule word, F the round function of b, c, d. */
#define SHA1_ROUND(F, K, W)                                        \
	do {                                                       \
		__u32 tmp_ = rol32(a, 5) + (F) + e + (K) + (W);    \
		e = d;                                             \
		d = c;                                             \
		c = rol32(b, 30);                                  \
		b = a;                                             \
		a = tmp_;                                          \
	} while (0)
#define SHA1_F1 ((b & c) | (~b & d))
#define SHA1_F2 (b ^ c ^ d)
#define SHA1_F3 ((b & c) | (b & d) | (c & d))

/* Schedule word t >= 16, kept in s->w[t & 15]. */
static __always_inline __u32 sha1_w(struct nwit_scratch *s, int t)
{
	__u32 w = s->w[(t - 3) & 15] ^ s->w[(t - 8) & 15] ^ s->w[(t - 14) & 15] ^ s->w[t & 15];

	w = rol32(w, 1);
	s->w[t & 15] = w;
	return w;
}

/* The four 20-round stages run as separate loops: no per-round branch on t. */
static __noinline int sha1_compress(struct nwit_scratch *s, const __u8 *blk)
{
	__u32 a, b, c, d, e, w;
	int t;

	if (!s || !blk)
		return 0;
	a = s->h[0];
	b = s->h[1];
	c = s->h[2];
	d = s->h[3];
	e = s->h[4];
#pragma clang loop unroll(disable)
	for (t = 0; t < 16; t++) {
		w = (__u32)blk[t * 4] << 24 | (__u32)blk[t * 4 + 1] << 16 |
		    (__u32)blk[t * 4 + 2] << 8 | blk[t * 4 + 3];
		s->w[t & 15] = w;
		SHA1_ROUND(SHA1_F1, 0x5a827999, w);
	}
#pragma clang loop unroll(disable)
	for (t = 16; t < 20; t++)
		SHA1_ROUND(SHA1_F1, 0x5a827999, sha1_w(s, t));
#pragma clang loop unroll(disable)
	for (t = 20; t < 40; t++)
		SHA1_ROUND(SHA1_F2, 0x6ed9eba1, sha1_w(s, t));
#pragma clang loop unroll(disable)
	for (t = 40; t < 60; t++)
		SHA1_ROUND(SHA1_F3, 0x8f1bbcdc, sha1_w(s, t));
#pragma clang loop unroll(disable)
	for (t = 60; t < 80; t++)
		SHA1_ROUND(SHA1_F2, 0xca62c1d6, sha1_w(s, t));
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
	return 0;
}

static long sha1_block_cb(__u64 i, void *data)
{
	struct nwit_scratch *s = scratch_get();
	__u32 off = ((__u32)i * 64) & SCR_MASK;

	if (!s)
		return 1;
	sha1_compress(s, s->msg + off);
	return 0;
}

static __always_inline void put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * HMAC-SHA1 of s->msg[0, mlen) under the keying k; the 20-byte MAC ends up in
 * s->oblk[0, 20). Clobbers s->msg[mlen, mlen + 80). Returns 0 or -1 (bad length).
 */
static __always_inline int hmac_sha1(struct nwit_scratch *s, const struct nwit_srtp_keying *k,
				     __u32 mlen)
{
	__u32 nblk, end, i;
	__u64 bits, off = mlen;
	__u8 *p;

	if (mlen > SCR_BUF - 128)
		return -1;
	/* pad: 0x80, zeros, 64-bit length of ipad block + message, in bits */
	asm volatile("" : "+r"(off));	/* keep the mask below in the verified code */
	p = s->msg + (off & SCR_MASK);
	for (i = 0; i < 10; i++)
		*(__u64 *)(p + i * 8) = 0;
	p[0] = 0x80;
	nblk = (mlen + 9 + 63) / 64;
	end = (nblk * 64) & SCR_MASK;
	bits = ((__u64)mlen + 64) * 8;
	put_be32(s->msg + ((end - 8) & SCR_MASK), bits >> 32);
	put_be32(s->msg + ((end - 4) & SCR_MASK), (__u32)bits);

	for (i = 0; i < 5; i++)
		s->h[i] = k->ipad_state[i];
	bpf_loop(nblk, sha1_block_cb, NULL, 0);

	for (i = 0; i < 5; i++)
		put_be32(s->oblk + i * 4, s->h[i]);
	for (i = 20; i < 64; i++)
		s->oblk[i] = 0;
	s->oblk[20] = 0x80;
	s->oblk[62] = (84 * 8) >> 8;	/* 64-byte opad block + 20-byte inner digest */
	s->oblk[63] = (84 * 8) & 0xff;
	for (i = 0; i < 5; i++)
		s->h[i] = k->opad_state[i];
	sha1_compress(s, s->oblk);
	for (i = 0; i < 5; i++)
		put_be32(s->oblk + i * 4, s->h[i]);
	return 0;
}

#endif
