/*
 * SRTP and SRTCP (RFC 3711) for AES_CM_128_HMAC_SHA1_80/_32 on the scratch copy of a UDP
 * payload: unprotect checks the replay window, then the tag, then decrypts; protect
 * encrypts and appends the tag. Each returns the new payload length, or minus a drop
 * reason (enum nwit_drop_reason).
 */
#ifndef NWIT_BPF_SRTP_H
#define NWIT_BPF_SRTP_H

#include "aes_cm.h"
#include "maps.h"
#include "sha1.h"

#define SRTCP_TAG_LEN 10
#define SRTCP_TRAILER_LEN (4 + SRTCP_TAG_LEN)
#define REPLAY_WINDOW 64

/* RFC 5761 section 4: an RTCP packet type (192..223 as the second byte) under rtcp-mux. */
static __always_inline int is_rtcp(const __u8 *msg)
{
	return msg[1] >= 192 && msg[1] <= 223;
}

/* Length of the RTP header (fixed part, CSRCs, extension), or -1 if it does not fit n. */
static __always_inline int rtp_header_len(const __u8 *msg, __u32 n)
{
	__u32 len;

	if (n < 12 || (msg[0] >> 6) != 2)
		return -1;
	len = 12 + (msg[0] & 0x0f) * 4;
	if (msg[0] & 0x10) {
		__u32 xl;

		if (len + 4 > n)
			return -1;
		xl = (__u32)msg[(len + 2) & 127] << 8 | msg[(len + 3) & 127];
		len += 4 + xl * 4;
	}
	if (len > n)
		return -1;
	return len;
}

/* RFC 3711 section 3.3.1: the index of seq given the highest index seen so far. */
static __always_inline __u64 srtp_estimate_index(const struct nwit_srtp_ctx *c, __u16 seq)
{
	__u64 roc, s_l;

	if (!(c->flags & NWIT_SRTP_SEEN))
		return (__u64)c->roc << 16 | seq;
	roc = c->index >> 16;
	s_l = c->index & 0xffff;
	if (s_l < 32768) {
		if (seq > s_l + 32768 && roc > 0)
			roc--;
	} else if (s_l - 32768 > seq) {
		roc++;
	}
	return roc << 16 | seq;
}

/* 0 if index may be accepted under (highest, window, seen), else NWIT_DROP_REPLAY. */
static __always_inline int replay_check(__u64 highest, __u64 window, int seen, __u64 index)
{
	__u64 delta;

	if (!seen || index > highest)
		return 0;
	delta = highest - index;
	if (delta >= REPLAY_WINDOW || (window >> delta) & 1)
		return NWIT_DROP_REPLAY;
	return 0;
}

static __always_inline void replay_update(__u64 *highest, __u64 *window, int seen, __u64 index)
{
	__u64 delta;

	if (!seen) {
		*highest = index;
		*window = 1;
	} else if (index > *highest) {
		delta = index - *highest;
		*window = delta >= REPLAY_WINDOW ? 1 : (*window << delta) | 1;
		*highest = index;
	} else {
		*window |= 1ULL << ((*highest - index) & 63);
	}
}

/* Accept SRTP index into the window unless it is there already. 0 or NWIT_DROP_REPLAY. */
static __always_inline int srtp_commit(struct nwit_srtp_ctx *c, __u64 index)
{
	__u64 highest, window;
	int seen, rc = 0;

	bpf_spin_lock(&c->lock);
	highest = c->index;
	window = c->window;
	seen = c->flags & NWIT_SRTP_SEEN;
	if (replay_check(highest, window, seen, index)) {
		rc = NWIT_DROP_REPLAY;
	} else {
		replay_update(&highest, &window, seen, index);
		c->index = highest;
		c->window = window;
		c->flags |= NWIT_SRTP_SEEN;
	}
	bpf_spin_unlock(&c->lock);
	return rc;
}

static __always_inline int srtcp_commit(struct nwit_srtp_ctx *c, __u32 index)
{
	__u64 highest, window;
	int seen, rc = 0;

	bpf_spin_lock(&c->lock);
	highest = c->srtcp_index;
	window = c->srtcp_window;
	seen = c->flags & NWIT_SRTCP_SEEN;
	if (replay_check(highest, window, seen, index)) {
		rc = NWIT_DROP_REPLAY;
	} else {
		replay_update(&highest, &window, seen, index);
		c->srtcp_index = (__u32)highest;
		c->srtcp_window = window;
		c->flags |= NWIT_SRTCP_SEEN;
	}
	bpf_spin_unlock(&c->lock);
	return rc;
}

/* Constant-time comparison of the first len bytes of the MAC with s->tag. */
static __always_inline int tag_mismatch(struct nwit_scratch *s, __u32 len)
{
	__u8 diff = 0;
	int i;

	for (i = 0; i < 10; i++)
		if (i < (int)len)
			diff |= s->oblk[i] ^ s->tag[i];
	return diff;
}

static __always_inline __u32 srtp_tag_len(const struct nwit_srtp_ctx *c)
{
	return c->profile == NWIT_SRTP_AES_CM_128_HMAC_SHA1_32 ? 4 : 10;
}

static __always_inline int srtp_unprotect(struct nwit_scratch *s, struct nwit_srtp_ctx *c,
					  struct nwit_aes_ctxs *a, __u32 n)
{
	__u32 tag_len = srtp_tag_len(c), alen, i;
	__u64 index;
	__u16 seq;
	int hlen, err;

	if (n < 12 + tag_len || n > NWIT_MAX_PAYLOAD)
		return -NWIT_DROP_MALFORMED;
	alen = n - tag_len;
	hlen = rtp_header_len(s->msg, alen);
	if (hlen < 0)
		return -NWIT_DROP_MALFORMED;
	seq = (__u16)s->msg[2] << 8 | s->msg[3];
	index = srtp_estimate_index(c, seq);
	if (replay_check(c->index, c->window, c->flags & NWIT_SRTP_SEEN, index))
		return -NWIT_DROP_REPLAY;

	for (i = 0; i < 10; i++)
		s->tag[i] = s->msg[(alen + i) & SCR_MASK];
	put_be32(s->msg + (alen & SCR_MASK), (__u32)(index >> 16));
	if (hmac_sha1(s, &c->rtp, alen + 4))
		return -NWIT_DROP_MALFORMED;
	if (tag_mismatch(s, tag_len))
		return -NWIT_DROP_AUTH_FAIL;

	err = aes_cm_xor(s, a, 0, c->rtp.salt, *(__be32 *)(s->msg + 8), index, hlen,
			 alen - hlen);
	if (err)
		return -err;
	/* another CPU may have moved the window meanwhile: check again, under the lock */
	if (srtp_commit(c, index))
		return -NWIT_DROP_REPLAY;
	return alen;
}

static __always_inline int srtp_protect(struct nwit_scratch *s, struct nwit_srtp_ctx *c,
					struct nwit_aes_ctxs *a, __u32 n)
{
	__u32 tag_len = srtp_tag_len(c), i;
	__u64 index;
	__u16 seq;
	int hlen, err;

	if (n > NWIT_MAX_PAYLOAD - 10)
		return -NWIT_DROP_TOO_BIG;
	hlen = rtp_header_len(s->msg, n);
	if (hlen < 0)
		return -NWIT_DROP_MALFORMED;
	seq = (__u16)s->msg[2] << 8 | s->msg[3];
	index = srtp_estimate_index(c, seq);
	/* an index sent before would reuse its keystream on other plaintext: claim it first */
	if (srtp_commit(c, index))
		return -NWIT_DROP_REPLAY;

	err = aes_cm_xor(s, a, 0, c->rtp.salt, *(__be32 *)(s->msg + 8), index, hlen, n - hlen);
	if (err)
		return -err;
	put_be32(s->msg + (n & SCR_MASK), (__u32)(index >> 16));
	if (hmac_sha1(s, &c->rtp, n + 4))
		return -NWIT_DROP_MALFORMED;
	for (i = 0; i < 10; i++)
		if (i < tag_len)
			s->msg[(n + i) & SCR_MASK] = s->oblk[i];
	return n + tag_len;
}

/* SRTCP (RFC 3711 section 3.4): E flag and 31-bit index before the 80-bit tag. */
static __always_inline int srtcp_unprotect(struct nwit_scratch *s, struct nwit_srtp_ctx *c,
					   struct nwit_aes_ctxs *a, __u32 n)
{
	__u32 alen, elen, word, index, i;
	__u64 highest = c->srtcp_index, window = c->srtcp_window;
	int seen = c->flags & NWIT_SRTCP_SEEN, err;

	if (n < 8 + SRTCP_TRAILER_LEN || n > NWIT_MAX_PAYLOAD || (s->msg[0] >> 6) != 2)
		return -NWIT_DROP_MALFORMED;
	alen = n - SRTCP_TAG_LEN;
	elen = alen - 4;
	word = (__u32)s->msg[elen & SCR_MASK] << 24 | (__u32)s->msg[(elen + 1) & SCR_MASK] << 16 |
	       (__u32)s->msg[(elen + 2) & SCR_MASK] << 8 | s->msg[(elen + 3) & SCR_MASK];
	index = word & 0x7fffffff;
	if (replay_check(highest, window, seen, index))
		return -NWIT_DROP_REPLAY;
	for (i = 0; i < 10; i++)
		s->tag[i] = s->msg[(alen + i) & SCR_MASK];
	if (hmac_sha1(s, &c->rtcp, alen))
		return -NWIT_DROP_MALFORMED;
	if (tag_mismatch(s, SRTCP_TAG_LEN))
		return -NWIT_DROP_AUTH_FAIL;
	if (word >> 31) {
		err = aes_cm_xor(s, a, 1, c->rtcp.salt, *(__be32 *)(s->msg + 4), index, 8,
				 elen - 8);
		if (err)
			return -err;
	}
	if (srtcp_commit(c, index))
		return -NWIT_DROP_REPLAY;
	return elen;
}

static __always_inline int srtcp_protect(struct nwit_scratch *s, struct nwit_srtp_ctx *c,
					 struct nwit_aes_ctxs *a, __u32 n)
{
	__u32 index, i;
	int err;

	if (n < 8 || (s->msg[0] >> 6) != 2)
		return -NWIT_DROP_MALFORMED;
	if (n > NWIT_MAX_PAYLOAD - SRTCP_TRAILER_LEN)
		return -NWIT_DROP_TOO_BIG;
	bpf_spin_lock(&c->lock);
	index = (c->srtcp_index + 1) & 0x7fffffff;
	c->srtcp_index = index;
	c->flags |= NWIT_SRTCP_SEEN;
	bpf_spin_unlock(&c->lock);
	err = aes_cm_xor(s, a, 1, c->rtcp.salt, *(__be32 *)(s->msg + 4), index, 8, n - 8);
	if (err)
		return -err;
	put_be32(s->msg + (n & SCR_MASK), index | 0x80000000);
	if (hmac_sha1(s, &c->rtcp, n + 4))
		return -NWIT_DROP_MALFORMED;
	for (i = 0; i < SRTCP_TAG_LEN; i++)
		s->msg[(n + 4 + i) & SCR_MASK] = s->oblk[i];
	return n + SRTCP_TRAILER_LEN;
}

#endif
