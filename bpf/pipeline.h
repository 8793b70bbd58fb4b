/*
 * The fast path core shared by the XDP and TC entry points: parse, classify (RFC 7983),
 * look the flow up, transform SRTP<->RTP in a per-CPU scratch copy of the payload, write
 * it back, rewrite the headers and pick the verdict.
 */
#ifndef NWIT_BPF_PIPELINE_H
#define NWIT_BPF_PIPELINE_H

#include "demux.h"
#include "maps.h"
#include "parsing.h"
#include "pkt.h"
#include "rewrite.h"
#include "srtp.h"

struct pkt_info {
	__u32 l3_off;
	__u32 l3_len;
	__u32 l4_off;
	__u32 pay_off;
	__u32 pay_len;
	__u8 family;
	struct nwit_flow_key key;
};

static __always_inline __u32 device_flags(__u32 ifindex)
{
	struct nwit_dev_info *dev = bpf_map_lookup_elem(&nwit_devices, &ifindex);

	return dev ? dev->flags : 0;
}

static __always_inline void count_class(enum nwit_pkt_class cls, __u64 bytes)
{
	__u32 key = cls;
	struct nwit_class_stat *st = bpf_map_lookup_elem(&nwit_class_stats, &key);

	if (st) {
		st->packets++;
		st->bytes += bytes;
	}
}

static __always_inline void count_drop(enum nwit_drop_reason reason, __u32 flow_id, __u64 bytes)
{
	__u32 key = reason;
	struct nwit_drop_stat *st = bpf_map_lookup_elem(&nwit_drop_stats, &key);
	struct nwit_flow_stat *fs;

	if (st) {
		st->packets++;
		st->bytes += bytes;
	}
	key = flow_id;
	fs = bpf_map_lookup_elem(&nwit_flow_stats, &key);
	if (fs)
		fs->dropped++;
}

/* Parse [data, end) from L2 (has_l2) or from the IP header; fill pi for UDP. */
static __always_inline enum nwit_pkt_class classify(void *data, void *end, int has_l2,
						    struct pkt_info *pi)
{
	struct cursor c = { .pos = data, .end = end };
	struct ethhdr *eth;
	struct iphdr *ip = NULL;
	struct ipv6hdr *ip6 = NULL;
	struct udphdr *udp;
	int proto, l4, plen;
	__u8 *first;

	if (has_l2) {
		proto = parse_ethhdr(&c, &eth);
		if (proto < 0)
			return NWIT_CLASS_MALFORMED;
	} else {
		__u8 *v = c.pos;

		if ((void *)(v + 1) > c.end)
			return NWIT_CLASS_MALFORMED;
		proto = (*v >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
	}
	pi->l3_off = c.pos - data;
	if (proto == ETH_P_IP)
		l4 = parse_iphdr(&c, &ip);
	else if (proto == ETH_P_IPV6)
		l4 = parse_ip6hdr(&c, &ip6);
	else
		return NWIT_CLASS_NOT_UDP;
	if (l4 < 0)
		return NWIT_CLASS_MALFORMED;
	if (l4 != IPPROTO_UDP_NUM)
		return NWIT_CLASS_NOT_UDP;
	pi->l4_off = c.pos - data;
	pi->l3_len = pi->l4_off - pi->l3_off;
	plen = parse_udphdr(&c, &udp);
	if (plen < 0)
		return NWIT_CLASS_MALFORMED;
	pi->pay_off = c.pos - data;
	pi->pay_len = plen;
	first = c.pos;
	if ((void *)(first + 1) > c.end)
		return NWIT_CLASS_MALFORMED;

	__builtin_memset(&pi->key, 0, sizeof(pi->key));
	if (ip) {
		pi->family = NWIT_FAMILY_IPV4;
		__builtin_memcpy(pi->key.src, &ip->saddr, 4);
		__builtin_memcpy(pi->key.dst, &ip->daddr, 4);
	} else if (ip6) {
		pi->family = NWIT_FAMILY_IPV6;
		__builtin_memcpy(pi->key.src, &ip6->saddr, 16);
		__builtin_memcpy(pi->key.dst, &ip6->daddr, 16);
	}
	pi->key.family = pi->family;
	pi->key.sport = udp->source;
	pi->key.dport = udp->dest;
	return classify_first_byte(*first);
}

static __always_inline void rewrite_pt(struct nwit_scratch *s, const struct nwit_flow *f)
{
	__u8 m = f->pt_map[s->msg[1] & 0x7f];

	if (m & NWIT_PT_MAPPED)
		s->msg[1] = (s->msg[1] & 0x80) | (m & 0x7f);
}

#define STRIP_MAX_BLOCKS 96	/* NWIT_MAX_PAYLOAD / 16, rounded up */

/*
 * Move s->msg[dst + shift, ...) down to dst, 16 bytes at a time, nblk times; a global
 * function (a bounded loop, verified once). Both halves of a block are read before
 * anything is written: safe for any shift >= 4.
 */
__noinline int nwit_msg_shift(struct nwit_scratch *s, __u32 dst, __u32 shift, __u32 nblk)
{
	__u32 j;

	if (!s || dst > SCR_BUF || shift > SCR_BUF)
		return -1;
	for (j = 0; j < nblk && j < STRIP_MAX_BLOCKS; j++) {
		__u32 d, src;
		__u64 a, b;

		LOOP_OPAQUE(j);
		d = (dst + j * 16) & SCR_MASK;
		src = (dst + shift + j * 16) & SCR_MASK;
		a = *(__u64 *)(s->msg + src);
		b = *(__u64 *)(s->msg + src + 8);
		*(__u64 *)(s->msg + d) = a;
		*(__u64 *)(s->msg + d + 8) = b;
	}
	return 0;
}

/*
 * Remove the RTP header extension (RFC 3550 5.3.1) from the plain RTP packet
 * s->msg[0, n) and clear X: the IMS side never negotiated one. Returns the new length.
 */
static __always_inline int strip_extension(struct nwit_scratch *s, __u32 n)
{
	__u32 start, xlen;

	if (!(s->msg[0] & 0x10))
		return n;
	start = 12 + (s->msg[0] & 0x0f) * 4;
	if (start + 4 > n)
		return -NWIT_DROP_MALFORMED;
	xlen = 4 + 4 * ((__u32)s->msg[(start + 2) & 127] << 8 | s->msg[(start + 3) & 127]);
	if (start + xlen > n)
		return -NWIT_DROP_MALFORMED;
	if (nwit_msg_shift(s, start, xlen, (n - start - xlen + 15) / 16))
		return -NWIT_DROP_MALFORMED;
	s->msg[0] &= ~0x10;
	return n - xlen;
}

/* transform() result: the packet's SSRC has no context on the flow; give it to the stack. */
#define TRANSFORM_UNKNOWN_SSRC (-1000)

/*
 * Transform s->msg[0, n) per the flow; returns the new length, minus a drop reason, or
 * TRANSFORM_UNKNOWN_SSRC (nothing of the packet was changed).
 */
static __always_inline int transform(struct nwit_scratch *s, const struct nwit_flow *f, __u32 n)
{
	struct nwit_ssrc_key sk = { .flow_id = f->flow_id };
	struct nwit_srtp_ctx *c;
	struct nwit_aes_ctxs *a;
	int rtcp;

	if (n < 8)
		return -NWIT_DROP_MALFORMED;
	rtcp = is_rtcp(s->msg);
	if (f->action == NWIT_ACTION_FORWARD) {
		if (!rtcp)
			rewrite_pt(s, f);
		return n;
	}
	if (f->action != NWIT_ACTION_SRTP_TO_RTP && f->action != NWIT_ACTION_RTP_TO_SRTP)
		return -NWIT_DROP_BAD_FLOW;
	if (!rtcp && n < 12)
		return -NWIT_DROP_MALFORMED;
	sk.ssrc = *(__be32 *)(s->msg + (rtcp ? 4 : 8));
	c = bpf_map_lookup_elem(&nwit_srtp, &sk);
	if (!c)
		return TRANSFORM_UNKNOWN_SSRC;
	a = bpf_map_lookup_elem(&nwit_aes, &sk);
	if (!a)
		return -NWIT_DROP_NO_CRYPTO;
	if (f->action == NWIT_ACTION_SRTP_TO_RTP) {
		int r;

		if (rtcp)
			return srtcp_unprotect(s, c, a, n);
		r = srtp_unprotect(s, c, a, n);
		if (r > 0)
			rewrite_pt(s, f);
		if (r > 0 && (f->flags & NWIT_FLOW_STRIP_EXT))
			r = strip_extension(s, r);
		return r;
	}
	if (rtcp)
		return srtcp_protect(s, c, a, n);
	rewrite_pt(s, f);
	return srtp_protect(s, c, a, n);
}

/*
 * The flow of this packet's SSRC on a bundled flow f (NWIT_FLOW_BUNDLE), or NULL when
 * that SSRC has none (the packet then goes to the stack, counted in f's to_stack).
 */
static __always_inline struct nwit_flow *bundle_flow(void *ctx, int xdp, struct nwit_scratch *s,
						      const struct nwit_flow *f,
						      const struct pkt_info *pi)
{
	struct nwit_ssrc_key k = { .flow_id = f->flow_id };
	struct nwit_flow_stat *fs;
	struct nwit_flow *sub = NULL;
	__u32 key = f->flow_id;

	if (pi->pay_len >= 12 && !pkt_load(ctx, xdp, pi->pay_off, s->msg, 12)) {
		k.ssrc = *(__be32 *)(s->msg + (is_rtcp(s->msg) ? 4 : 8));
		sub = bpf_map_lookup_elem(&nwit_bundle, &k);
		if (sub && (sub->flags & NWIT_FLOW_BUNDLE))
			sub = NULL;
	}
	if (!sub) {
		fs = bpf_map_lookup_elem(&nwit_flow_stats, &key);
		if (fs)
			fs->to_stack++;
	}
	return sub;
}

static __always_inline int fastpath(void *ctx, int xdp)
{
	void *data = pkt_data(ctx, xdp), *end = pkt_end(ctx, xdp);
	__u32 len = pkt_len(ctx, xdp), nout;
	__u64 n;
	struct nwit_flow_stat *fs;
	struct nwit_scratch *s;
	struct nwit_flow *f;
	struct pkt_info pi = {};
	enum nwit_pkt_class cls;
	__u32 key;
	int r, has_l2, to_stack = 0, moved, full;
	__u32 head;
	__u16 old01;
	__u32 dev_flags;

	dev_flags = device_flags(pkt_ifindex(ctx, xdp));
	has_l2 = !(dev_flags & NWIT_DEV_RAW_IP);
	cls = classify(data, end, has_l2, &pi);
	count_class(cls, len);
	if (cls != NWIT_CLASS_RTP_RTCP)
		return verdict_pass(xdp);
	f = bpf_map_lookup_elem(&nwit_flows, &pi.key);
	if (!f)
		return verdict_pass(xdp);
	/* one program per packet where both hooks are attached: XDP unless TC_ONLY */
	if (xdp ? (f->flags & NWIT_FLOW_TC_ONLY)
		: (!(f->flags & NWIT_FLOW_TC_ONLY) && (dev_flags & NWIT_DEV_ATTACHED_XDP)))
		return verdict_pass(xdp);
	if (f->flags & NWIT_FLOW_BUNDLE) {
		s = scratch_get();
		if (!s)
			return verdict_pass(xdp);
		f = bundle_flow(ctx, xdp, s, f, &pi);
		if (!f)
			return verdict_pass(xdp);
	}
	if (pi.pay_len > NWIT_MAX_PAYLOAD) {
		count_drop(NWIT_DROP_TOO_BIG, f->flow_id, len);
		return verdict_drop(xdp);
	}
	if (pi.pay_off + pi.pay_len > len || pi.pay_len < 8 ||
	    f->out_family != pi.family) {
		count_drop(f->out_family != pi.family ? NWIT_DROP_BAD_FLOW : NWIT_DROP_MALFORMED,
			   f->flow_id, len);
		return verdict_drop(xdp);
	}
	s = scratch_get();
	if (!s)
		return verdict_pass(xdp);
	n = pi.pay_len;
	/* plain forwarding touches only the RTP header: the rest is neither read nor written */
	full = f->action != NWIT_ACTION_FORWARD;
	head = n < 12 ? 8 : 12;
	if (n < 8 || n > NWIT_MAX_PAYLOAD ||
	    (full ? pkt_load(ctx, xdp, pi.pay_off, s->msg, n)
		  : pkt_load(ctx, xdp, pi.pay_off, s->msg, head))) {
		count_drop(NWIT_DROP_MALFORMED, f->flow_id, len);
		return verdict_drop(xdp);
	}
	if ((f->flags & NWIT_FLOW_RTCP_TO_STACK) && is_rtcp(s->msg)) {
		key = f->flow_id;
		fs = bpf_map_lookup_elem(&nwit_flow_stats, &key);
		if (fs)
			fs->to_stack++;
		return verdict_pass(xdp);
	}
	old01 = *(__u16 *)s->msg;
	r = transform(s, f, n);
	if (r == TRANSFORM_UNKNOWN_SSRC) {
		/* a new SSRC (announcement, transfer): the relay learns it from the socket */
		key = f->flow_id;
		fs = bpf_map_lookup_elem(&nwit_flow_stats, &key);
		if (fs) {
			fs->to_stack++;
			fs->unknown_ssrc++;
		}
		return verdict_pass(xdp);
	}
	if (r < 0) {
		count_drop(-r, f->flow_id, len);
		return verdict_drop(xdp);
	}
	n = (__u32)r;
	asm volatile("" : "+r"(n));	/* the bound check below must reach the verifier */
	if (n < 8 || n > NWIT_MAX_PAYLOAD) {
		count_drop(NWIT_DROP_TOO_BIG, f->flow_id, len);
		return verdict_drop(xdp);
	}
	r = rewrite_headers(ctx, xdp, s, f, pi.l3_off, pi.l3_len, pi.family, n, full, old01);
	if (r) {
		count_drop(r, f->flow_id, len);
		return verdict_drop(xdp);
	}
	if (has_l2 && pkt_load(ctx, xdp, 0, s->eth, ETH_HLEN_NUM)) {
		count_drop(NWIT_DROP_MALFORMED, f->flow_id, len);
		return verdict_drop(xdp);
	}
	if (pkt_resize(ctx, xdp, pi.pay_off + n, &moved) ||
	    (moved && has_l2 && pkt_store(ctx, xdp, 0, s->eth, ETH_HLEN_NUM)) ||
	    pkt_store(ctx, xdp, pi.l3_off, s->hdr, (pi.l3_len & 63) + 8) ||
	    (full ? pkt_store(ctx, xdp, pi.pay_off, s->msg, n)
		  : pkt_store(ctx, xdp, pi.pay_off, s->msg, head))) {
		count_drop(NWIT_DROP_RESIZE, f->flow_id, len);
		return verdict_drop(xdp);
	}
	nout = pi.pay_off + (__u32)n;
	r = forward(ctx, xdp, s, f, has_l2, pi.l3_len, pi.family, &nout, &to_stack);
	if (r < 0) {
		count_drop(-r, f->flow_id, len);
		return verdict_drop(xdp);
	}
	key = f->flow_id;
	fs = bpf_map_lookup_elem(&nwit_flow_stats, &key);
	if (fs) {
		fs->packets++;
		fs->bytes += nout;
		fs->to_stack += to_stack;
	}
	return r;
}

#endif
