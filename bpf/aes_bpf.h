/*
 * AES-128 (FIPS-197) written in plain BPF, for kernels without bpf_crypto and as the
 * fastest choice where it exists: the classic four T-tables in .rodata, the ten rounds
 * unrolled, a bounded loop over the counter blocks of one packet.
 *
 * NOT constant-time: every round indexes the tables with key-dependent bytes, so code
 * sharing the CPU's caches can in principle learn key bits by timing (cache-timing
 * attacks on table AES). It is used only when chosen (`[fastpath] aes = bpf`).
 *
 * The AES-CM counter blocks of one packet differ only in byte 15 (j < 256 blocks), so the
 * first round's three columns that do not see byte 15 are computed once per packet.
 */
#ifndef NWIT_BPF_AES_BPF_H
#define NWIT_BPF_AES_BPF_H

#include "aes_tables.h"
#include "maps.h"

#define AES_B0(x) ((x) >> 24)
#define AES_B1(x) (((x) >> 16) & 0xff)
#define AES_B2(x) (((x) >> 8) & 0xff)
#define AES_B3(x) ((x) & 0xff)
/*
 * T-table entry of byte b of x, indexed by byte offset: one shift and one mask instead of
 * shift, mask and scale (BPF has no scaled addressing).
 */
#define TE(t, x, b) (*(const __u32 *)((const __u8 *)(t) + ((((x) >> (22 - 8 * (b))) & 0x3fc))))
#define TE3(t, x) (*(const __u32 *)((const __u8 *)(t) + (((x) << 2) & 0x3fc)))
#define TE0(t, x) (*(const __u32 *)((const __u8 *)(t) + (((x) >> 22) & 0x3fc)))

/* One full round: o = MixColumns(ShiftRows(SubBytes(i))) ^ rk[k .. k + 3]. */
#define AES_ROUND(o0, o1, o2, o3, i0, i1, i2, i3, k)                                     \
	do {                                                                             \
		o0 = TE0(aes_te0, i0) ^ TE(aes_te1, i1, 1) ^ TE(aes_te2, i2, 2) ^           \
		     TE3(aes_te3, i3) ^ rk->w[k];                                         \
		o1 = TE0(aes_te0, i1) ^ TE(aes_te1, i2, 1) ^ TE(aes_te2, i3, 2) ^           \
		     TE3(aes_te3, i0) ^ rk->w[(k) + 1];                                   \
		o2 = TE0(aes_te0, i2) ^ TE(aes_te1, i3, 1) ^ TE(aes_te2, i0, 2) ^           \
		     TE3(aes_te3, i1) ^ rk->w[(k) + 2];                                   \
		o3 = TE0(aes_te0, i3) ^ TE(aes_te1, i0, 1) ^ TE(aes_te2, i1, 2) ^           \
		     TE3(aes_te3, i2) ^ rk->w[(k) + 3];                                   \
	} while (0)

/* The last round (no MixColumns): S-box bytes picked out of the T-tables. */
#define AES_LAST(o, i0, i1, i2, i3, k)                                                  \
	o = ((TE0(aes_te2, i0) & 0xff000000) ^ (TE(aes_te3, i1, 1) & 0x00ff0000) ^        \
	     (TE(aes_te0, i2, 2) & 0x0000ff00) ^ (TE3(aes_te1, i3) & 0x000000ff)) ^       \
	    rk->w[k]

static __always_inline __u32 aes_subword(__u32 x)
{
	return (__u32)aes_sbox[AES_B0(x)] << 24 | (__u32)aes_sbox[AES_B1(x)] << 16 |
	       (__u32)aes_sbox[AES_B2(x)] << 8 | aes_sbox[AES_B3(x)];
}

/* FIPS-197 5.2: the 44 round-key words of a 128-bit key. */
static __always_inline void aes128_expand(const __u8 key[16], struct nwit_aes_rk *rk)
{
	static const __u8 rcon[10] = { 0x01, 0x02, 0x04, 0x08, 0x10,
				       0x20, 0x40, 0x80, 0x1b, 0x36 };
	__u32 w0, w1, w2, w3, t;
	int r;

	w0 = (__u32)key[0] << 24 | (__u32)key[1] << 16 | (__u32)key[2] << 8 | key[3];
	w1 = (__u32)key[4] << 24 | (__u32)key[5] << 16 | (__u32)key[6] << 8 | key[7];
	w2 = (__u32)key[8] << 24 | (__u32)key[9] << 16 | (__u32)key[10] << 8 | key[11];
	w3 = (__u32)key[12] << 24 | (__u32)key[13] << 16 | (__u32)key[14] << 8 | key[15];
	rk->w[0] = w0;
	rk->w[1] = w1;
	rk->w[2] = w2;
	rk->w[3] = w3;
#pragma clang loop unroll(full)
	for (r = 0; r < 10; r++) {
		t = aes_subword(w3 << 8 | w3 >> 24) ^ ((__u32)rcon[r] << 24);
		w0 ^= t;
		w1 ^= w0;
		w2 ^= w1;
		w3 ^= w2;
		rk->w[4 * r + 4] = w0;
		rk->w[4 * r + 5] = w1;
		rk->w[4 * r + 6] = w2;
		rk->w[4 * r + 7] = w3;
	}
}

/* XOR 16 keystream bytes (big-endian words k0..k3) into p. */
static __always_inline void xor_block(__u8 *p, __u32 k0, __u32 k1, __u32 k2, __u32 k3)
{
	*(__u32 *)p ^= __builtin_bswap32(k0);
	*(__u32 *)(p + 4) ^= __builtin_bswap32(k1);
	*(__u32 *)(p + 8) ^= __builtin_bswap32(k2);
	*(__u32 *)(p + 12) ^= __builtin_bswap32(k3);
}

/*
 * XOR s->msg[start, start + 16 * nblk) with the AES-CM keystream of the IV in s->iv
 * (big-endian words, bytes 14-15 zero) under rk. A global function: verified once, not
 * at every call site. Returns 0, or -1 for a bad argument.
 */
__noinline int nwit_aes_cm_bpf(struct nwit_scratch *s, const struct nwit_aes_rk *rk,
			       __u32 start, __u32 nblk)
{
	__u32 s0, s1, s2, s3, t0, t1, t2, t3, j;

	if (!s || !rk || start > SCR_BUF)
		return -1;
	s0 = s->iv[0] ^ rk->w[0];
	s1 = s->iv[1] ^ rk->w[1];
	s2 = s->iv[2] ^ rk->w[2];
	s3 = s->iv[3] ^ rk->w[3];
	/*
	 * Round 1 without byte 15 of the state, the only one j changes; kept in the scratch,
	 * not in registers, so that the loop's spills stay small (the stack is shared with
	 * the calling program: 512 bytes in all).
	 */
	s->r1[0] = aes_te0[AES_B0(s0)] ^ aes_te1[AES_B1(s1)] ^ aes_te2[AES_B2(s2)] ^ rk->w[4];
	s->r1[1] = aes_te0[AES_B0(s1)] ^ aes_te1[AES_B1(s2)] ^ aes_te2[AES_B2(s3)] ^
		   aes_te3[AES_B3(s0)] ^ rk->w[5];
	s->r1[2] = aes_te0[AES_B0(s2)] ^ aes_te1[AES_B1(s3)] ^ aes_te2[AES_B2(s0)] ^
		   aes_te3[AES_B3(s1)] ^ rk->w[6];
	s->r1[3] = aes_te0[AES_B0(s3)] ^ aes_te1[AES_B1(s0)] ^ aes_te2[AES_B2(s1)] ^
		   aes_te3[AES_B3(s2)] ^ rk->w[7];
	s->r1[4] = s3 & 0xff;

	for (j = 0; j < nblk && j < 96; j++) {
		LOOP_OPAQUE(j);
		t0 = s->r1[0] ^ aes_te3[(s->r1[4] ^ j) & 0xff];
		t1 = s->r1[1];
		t2 = s->r1[2];
		t3 = s->r1[3];
		AES_ROUND(s0, s1, s2, s3, t0, t1, t2, t3, 8);
		AES_ROUND(t0, t1, t2, t3, s0, s1, s2, s3, 12);
		AES_ROUND(s0, s1, s2, s3, t0, t1, t2, t3, 16);
		AES_ROUND(t0, t1, t2, t3, s0, s1, s2, s3, 20);
		AES_ROUND(s0, s1, s2, s3, t0, t1, t2, t3, 24);
		AES_ROUND(t0, t1, t2, t3, s0, s1, s2, s3, 28);
		AES_ROUND(s0, s1, s2, s3, t0, t1, t2, t3, 32);
		AES_ROUND(t0, t1, t2, t3, s0, s1, s2, s3, 36);
		AES_LAST(s0, t0, t1, t2, t3, 40);
		AES_LAST(s1, t1, t2, t3, t0, 41);
		AES_LAST(s2, t2, t3, t0, t1, 42);
		AES_LAST(s3, t3, t0, t1, t2, 43);
		xor_block(s->msg + ((start + j * 16) & SCR_MASK), s0, s1, s2, s3);
	}
	return 0;
}

#endif
