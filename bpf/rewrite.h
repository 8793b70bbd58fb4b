/*
 * Header rewrite after the payload transform: addresses, ports, DSCP, IP and UDP lengths,
 * IPv4 header checksum, UDP checksum over the new payload (kept in the scratch); and the
 * forwarding verdict.
 */
#ifndef NWIT_BPF_REWRITE_H
#define NWIT_BPF_REWRITE_H

#include "maps.h"
#include "pkt.h"

struct csum_loop {
	__u64 acc;
};

static long csum_block_cb(__u64 j, void *data)
{
	struct nwit_scratch *s = scratch_get();
	struct csum_loop *l = data;
	__u32 off = ((__u32)j * 16) & SCR_MASK;

	if (!s)
		return 1;
	l->acc += *(__u32 *)(s->msg + off);
	l->acc += *(__u32 *)(s->msg + off + 4);
	l->acc += *(__u32 *)(s->msg + off + 8);
	l->acc += *(__u32 *)(s->msg + off + 12);
	return 0;
}

static __always_inline __u16 csum_fold64(__u64 acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (__u16)acc;
}

/* Native-order ones' complement sum of s->msg[0, n) (zero-padded to 16 bytes). */
static __always_inline __u64 payload_sum(struct nwit_scratch *s, __u32 n)
{
	struct csum_loop l = { 0 };
	__u8 *p = s->msg + (n & SCR_MASK);

	*(__u64 *)p = 0;
	*(__u64 *)(p + 8) = 0;
	bpf_loop((n + 15) / 16, csum_block_cb, &l, 0);
	return l.acc;
}

static __always_inline int nonzero16(const __u8 *a)
{
	return (*(__u64 *)a | *(__u64 *)(a + 8)) != 0;
}

/*
 * Rewrite the IP and UDP headers at l3_off (l3_len bytes of IP header) for a new UDP
 * payload of n bytes held in s->msg. Returns 0 or a drop reason.
 */
static __always_inline int rewrite_headers(void *ctx, int xdp, struct nwit_scratch *s,
					   const struct nwit_flow *f, __u32 l3_off,
					   __u32 l3_len, __u8 family, __u32 n)
{
	__u8 *h = s->hdr;
	__u8 *udp;
	__u32 ulen = n + 8, i;
	__u64 acc;
	__u16 c;

	if (l3_len > 60 || l3_len < 20)
		return NWIT_DROP_MALFORMED;
	if (pkt_load(ctx, xdp, l3_off, h, l3_len + 8))
		return NWIT_DROP_MALFORMED;
	udp = h + (l3_len & 63);
	if (f->out_sport)
		*(__be16 *)udp = f->out_sport;
	if (f->out_dport)
		*(__be16 *)(udp + 2) = f->out_dport;
	*(__be16 *)(udp + 4) = bpf_htons(ulen);
	*(__u16 *)(udp + 6) = 0;
	acc = payload_sum(s, n);
	acc += *(__u32 *)udp + *(__u16 *)(udp + 4);

	if (family == NWIT_FAMILY_IPV4) {
		struct iphdr *ip = (void *)h;
		__u16 *w = (void *)h;

		if (nonzero16(f->out_src))
			__builtin_memcpy(&ip->saddr, f->out_src, 4);
		if (nonzero16(f->out_dst))
			__builtin_memcpy(&ip->daddr, f->out_dst, 4);
		if (f->flags & NWIT_FLOW_SET_DSCP)
			ip->tos = (f->dscp << 2) | (ip->tos & 3);
		ip->tot_len = bpf_htons(l3_len + ulen);
		ip->check = 0;
		acc += ip->saddr;
		acc += ip->daddr;
		{
			__u64 ipacc = 0;

			for (i = 0; i < 30; i++)
				if (i < l3_len / 2)
					ipacc += w[i];
			ip->check = ~csum_fold64(ipacc);
		}
	} else {
		struct ipv6hdr *ip6 = (void *)h;

		if (l3_len != 40)
			return NWIT_DROP_MALFORMED;
		if (nonzero16(f->out_src))
			__builtin_memcpy(&ip6->saddr, f->out_src, 16);
		if (nonzero16(f->out_dst))
			__builtin_memcpy(&ip6->daddr, f->out_dst, 16);
		if (f->flags & NWIT_FLOW_SET_DSCP) {
			/* traffic class spans the low nibble of byte 0 and the high of byte 1 */
			h[0] = (h[0] & 0xf0) | (f->dscp >> 2);
			h[1] = (h[1] & 0x3f) | ((f->dscp & 3) << 6);
		}
		ip6->payload_len = bpf_htons(ulen);
		for (i = 0; i < 8; i++)
			acc += *(__u32 *)(h + 8 + i * 4);
	}
	acc += bpf_htons(IPPROTO_UDP_NUM) + bpf_htons(ulen);
	c = ~csum_fold64(acc);
	*(__u16 *)(udp + 6) = c ? c : 0xffff;
	if (pkt_store(ctx, xdp, l3_off, h, l3_len + 8))
		return NWIT_DROP_RESIZE;
	return 0;
}

/* Hand the packet on: to the stack, or redirected to the flow's egress device. */
static __always_inline int forward(void *ctx, int xdp, const struct nwit_flow *f,
				   struct nwit_flow_stat *fs, __u32 len)
{
	if (!f->out_ifindex) {
		if (fs) {
			fs->to_stack++;
			fs->packets++;
			fs->bytes += len;
		}
		return verdict_pass(xdp);
	}
	if (fs) {
		fs->packets++;
		fs->bytes += len;
	}
	if (xdp)
		return bpf_redirect_map(&nwit_tx_ports, f->out_ifindex, 0);
	return bpf_redirect(f->out_ifindex, 0);
}

#endif
