/*
 * HMAC-SHA1 (RFC 2104, FIPS 180-4) over the scratch message, starting from the ipad/opad
 * states the controller precomputed. The kernel offers no hash kfunc to BPF, so SHA-1 is
 * written here: the 80 rounds unrolled, the schedule W[16] in the per-CPU scratch, a
 * bounded loop over the message blocks in a global function.
 */
#ifndef NWIT_BPF_SHA1_H
#define NWIT_BPF_SHA1_H

#include "maps.h"

static __always_inline __u32 rol32(__u32 x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/*
 * One SHA-1 round; F is the round function of b, c, d and w the schedule word. The empty
 * asm with a memory clobber after each round keeps clang from hoisting the schedule loads
 * and stores of many rounds together, which needs more than the 512-byte stack.
 */
#define SHA1_ROUND(F, K)                                           \
	do {                                                       \
		__u32 tmp_ = rol32(a, 5) + (F) + e + (K) + w;      \
		e = d;                                             \
		d = c;                                             \
		c = rol32(b, 30);                                  \
		b = a;                                             \
		a = tmp_;                                          \
		asm volatile("" ::: "memory");                     \
	} while (0)
#define SHA1_F1 (d ^ (b & (c ^ d)))
#define SHA1_F2 (b ^ c ^ d)
#define SHA1_F3 ((b & c) | (d & (b | c)))

/* Schedule word t < 16: the big-endian message word, kept in s->w[t]. */
#define SHA1_LOAD(t)                                                     \
	do {                                                             \
		w = __builtin_bswap32(*(const __u32 *)(blk + 4 * (t)));  \
		s->w[t] = w;                                             \
	} while (0)
/* Schedule word t >= 16, kept in s->w[t & 15]. */
#define SHA1_SCHED(t)                                                            \
	do {                                                                     \
		w = s->w[((t) - 3) & 15] ^ s->w[((t) - 8) & 15] ^                \
		    s->w[((t) - 14) & 15] ^ s->w[(t) & 15];                      \
		w = rol32(w, 1);                                                 \
		s->w[(t) & 15] = w;                                              \
	} while (0)

#define SHA1_L4(t, F, K)                                                  \
	SHA1_LOAD(t); SHA1_ROUND(F, K); SHA1_LOAD((t) + 1); SHA1_ROUND(F, K); \
	SHA1_LOAD((t) + 2); SHA1_ROUND(F, K); SHA1_LOAD((t) + 3); SHA1_ROUND(F, K)
#define SHA1_S4(t, F, K)                                                    \
	SHA1_SCHED(t); SHA1_ROUND(F, K); SHA1_SCHED((t) + 1); SHA1_ROUND(F, K); \
	SHA1_SCHED((t) + 2); SHA1_ROUND(F, K); SHA1_SCHED((t) + 3); SHA1_ROUND(F, K)

/* The 80 rounds, unrolled, over the 64-byte block blk; s->h is the chaining state. */
static __always_inline void sha1_compress(struct nwit_scratch *s, const __u8 *blk)
{
	__u32 a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], w;

	SHA1_L4(0, SHA1_F1, 0x5a827999);
	SHA1_L4(4, SHA1_F1, 0x5a827999);
	SHA1_L4(8, SHA1_F1, 0x5a827999);
	SHA1_L4(12, SHA1_F1, 0x5a827999);
	SHA1_S4(16, SHA1_F1, 0x5a827999);
	SHA1_S4(20, SHA1_F2, 0x6ed9eba1);
	SHA1_S4(24, SHA1_F2, 0x6ed9eba1);
	SHA1_S4(28, SHA1_F2, 0x6ed9eba1);
	SHA1_S4(32, SHA1_F2, 0x6ed9eba1);
	SHA1_S4(36, SHA1_F2, 0x6ed9eba1);
	SHA1_S4(40, SHA1_F3, 0x8f1bbcdc);
	SHA1_S4(44, SHA1_F3, 0x8f1bbcdc);
	SHA1_S4(48, SHA1_F3, 0x8f1bbcdc);
	SHA1_S4(52, SHA1_F3, 0x8f1bbcdc);
	SHA1_S4(56, SHA1_F3, 0x8f1bbcdc);
	SHA1_S4(60, SHA1_F2, 0xca62c1d6);
	SHA1_S4(64, SHA1_F2, 0xca62c1d6);
	SHA1_S4(68, SHA1_F2, 0xca62c1d6);
	SHA1_S4(72, SHA1_F2, 0xca62c1d6);
	SHA1_S4(76, SHA1_F2, 0xca62c1d6);
	s->h[0] += a;
	s->h[1] += b;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

#define SHA1_MAX_BLOCKS 32	/* (SCR_BUF - 128 + 9) / 64, rounded up */

/*
 * Compress s->msg[0, 64 nblk) into s->h. A global function: verified once (its bounded
 * loop and unrolled body would otherwise be verified at every call site).
 */
__noinline int nwit_sha1_msg(struct nwit_scratch *s, __u32 nblk)
{
	__u32 i;

	if (!s)
		return -1;
	for (i = 0; i < nblk && i < SHA1_MAX_BLOCKS; i++) {
		LOOP_OPAQUE(i);
		sha1_compress(s, s->msg + i * 64);
	}
	return 0;
}

/* Compress s->oblk (the outer HMAC block) into s->h. */
__noinline int nwit_sha1_oblk(struct nwit_scratch *s)
{
	if (!s)
		return -1;
	sha1_compress(s, s->oblk);
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
	if (nwit_sha1_msg(s, nblk))
		return -1;

	for (i = 0; i < 5; i++)
		put_be32(s->oblk + i * 4, s->h[i]);
	for (i = 20; i < 64; i++)
		s->oblk[i] = 0;
	s->oblk[20] = 0x80;
	s->oblk[62] = (84 * 8) >> 8;	/* 64-byte opad block + 20-byte inner digest */
	s->oblk[63] = (84 * 8) & 0xff;
	for (i = 0; i < 5; i++)
		s->h[i] = k->opad_state[i];
	if (nwit_sha1_oblk(s))
		return -1;
	for (i = 0; i < 5; i++)
		put_be32(s->oblk + i * 4, s->h[i]);
	return 0;
}

#endif
