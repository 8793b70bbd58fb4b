/*
 * Header rewrite after the payload transform: addresses, ports, DSCP, IP and UDP lengths,
 * IPv4 header checksum, UDP checksum over the new payload (kept in the scratch); and the
 * forwarding verdict.
 */
#ifndef NWIT_BPF_REWRITE_H
#define NWIT_BPF_REWRITE_H

#include "maps.h"
#include "pkt.h"

#define CSUM_MAX_BLOCKS 96	/* NWIT_MAX_PAYLOAD / 16, rounded up */

/* Native-order sum of the 32-bit words of s->msg[0, 16 nblk); a global function. */
__noinline __u64 nwit_msg_sum(struct nwit_scratch *s, __u32 nblk)
{
	__u64 acc = 0;
	__u32 j;

	if (!s)
		return 0;
	for (j = 0; j < nblk && j < CSUM_MAX_BLOCKS; j++) {
		LOOP_OPAQUE(j);
		const __u8 *p = s->msg + j * 16;

		acc += *(const __u32 *)p;
		acc += *(const __u32 *)(p + 4);
		acc += *(const __u32 *)(p + 8);
		acc += *(const __u32 *)(p + 12);
	}
	return acc;
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
	__u64 off = n;
	__u8 *p;

	asm volatile("" : "+r"(off));	/* keep the mask below in the verified code */
	p = s->msg + (off & SCR_MASK);

	*(__u64 *)p = 0;
	*(__u64 *)(p + 8) = 0;
	return nwit_msg_sum(s, (n + 15) / 16);
}

static __always_inline int nonzero16(const __u8 *a)
{
	return (*(__u64 *)a | *(__u64 *)(a + 8)) != 0;
}

/* Sum of the checksummed fields a rewrite may change: addresses and ports. */
static __always_inline __u64 addr_port_sum(const __u8 *h, __u32 l3_len, __u8 family)
{
	const __u8 *udp = h + (l3_len & 63);
	__u64 acc = *(const __u32 *)udp;
	int i;

	if (family == NWIT_FAMILY_IPV4) {
		acc += *(const __u32 *)(h + 12);
		acc += *(const __u32 *)(h + 16);
	} else {
		for (i = 0; i < 8; i++)
			acc += *(const __u32 *)(h + 8 + i * 4);
	}
	return acc;
}

/*
 * Rewrite the IP and UDP headers at l3_off (l3_len bytes of IP header) into s->hdr for a
 * UDP payload of n bytes held in s->msg. full: the payload is new, the UDP checksum is
 * computed over all of it; else only addresses, ports and the first payload word (was
 * old01) changed and the checksum is updated incrementally (RFC 1624), so the payload
 * is never read. Returns 0 or a drop reason.
 */
static __always_inline int rewrite_headers(void *ctx, int xdp, struct nwit_scratch *s,
					   const struct nwit_flow *f, __u32 l3_off,
					   __u32 l3_len, __u8 family, __u32 n, int full,
					   __u16 old01)
{
	__u8 *h = s->hdr;
	__u8 *udp;
	__u32 ulen = n + 8, i;
	__u64 acc, d_old = 0;
	__u16 c, c_old;

	if (l3_len > 60 || l3_len < 20 || (family == NWIT_FAMILY_IPV6 && l3_len != 40))
		return NWIT_DROP_MALFORMED;
	if (pkt_load(ctx, xdp, l3_off, h, l3_len + 8))
		return NWIT_DROP_MALFORMED;
	udp = h + (l3_len & 63);
	c_old = *(__u16 *)(udp + 6);
	if (!full)
		d_old = addr_port_sum(h, l3_len, family) + old01;

	if (f->out_sport)
		*(__be16 *)udp = f->out_sport;
	if (f->out_dport)
		*(__be16 *)(udp + 2) = f->out_dport;
	*(__be16 *)(udp + 4) = bpf_htons(ulen);
	if (family == NWIT_FAMILY_IPV4) {
		struct iphdr *ip = (void *)h;
		__u16 *w = (void *)h;
		__u64 ipacc = 0;

		if (nonzero16(f->out_src))
			__builtin_memcpy(&ip->saddr, f->out_src, 4);
		if (nonzero16(f->out_dst))
			__builtin_memcpy(&ip->daddr, f->out_dst, 4);
		if (f->flags & NWIT_FLOW_SET_DSCP)
			ip->tos = (f->dscp << 2) | (ip->tos & 3);
		ip->tot_len = bpf_htons(l3_len + ulen);
		ip->check = 0;
		for (i = 0; i < 30; i++)
			if (i < l3_len / 2)
				ipacc += w[i];
		ip->check = ~csum_fold64(ipacc);
	} else {
		struct ipv6hdr *ip6 = (void *)h;

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
	}

	if (full) {
		acc = payload_sum(s, n) + addr_port_sum(h, l3_len, family);
		acc += *(__u16 *)(udp + 4) + bpf_htons(IPPROTO_UDP_NUM) + bpf_htons(ulen);
	} else {
		/* an IPv4 datagram sent without a checksum stays without one */
		if (family == NWIT_FAMILY_IPV4 && !c_old)
			return 0;
		acc = (__u16)~c_old;
		acc += (__u16)~csum_fold64(d_old);
		acc += addr_port_sum(h, l3_len, family) + *(__u16 *)s->msg;
	}
	c = ~csum_fold64(acc);
	*(__u16 *)(udp + 6) = c ? c : 0xffff;
	return 0;
}

#define AF_INET_NUM 2
#define AF_INET6_NUM 10
#define ETH_HLEN_NUM 14

/* FIB lookup for the rewritten headers in s->hdr; fills the MACs and egress ifindex. */
static __always_inline int fib_lookup(void *ctx, struct nwit_scratch *s,
				      const struct nwit_flow *f, __u32 l3_len, __u8 family,
				      struct bpf_fib_lookup *fib)
{
	__u8 *udp = s->hdr + (l3_len & 63);

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->l4_protocol = IPPROTO_UDP_NUM;
	fib->sport = *(__be16 *)udp;
	fib->dport = *(__be16 *)(udp + 2);
	fib->ifindex = f->out_ifindex;
	if (family == NWIT_FAMILY_IPV4) {
		struct iphdr *ip = (void *)s->hdr;

		fib->family = AF_INET_NUM;
		fib->tos = ip->tos;
		fib->tot_len = bpf_ntohs(ip->tot_len);
		fib->ipv4_src = ip->saddr;
		fib->ipv4_dst = ip->daddr;
	} else {
		struct ipv6hdr *ip6 = (void *)s->hdr;

		fib->family = AF_INET6_NUM;
		__builtin_memcpy(fib->ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &ip6->daddr, 16);
	}
	return bpf_fib_lookup(ctx, fib, sizeof(*fib), BPF_FIB_LOOKUP_OUTPUT);
}

/* Make the packet start with an Ethernet header (pushing one on a raw-IP packet). */
static __always_inline int ensure_l2(void *ctx, int xdp, int has_l2, __u8 family,
				     const struct bpf_fib_lookup *fib)
{
	struct ethhdr eth;

	if (!has_l2) {
		if (xdp ? bpf_xdp_adjust_head(ctx, -ETH_HLEN_NUM)
			: bpf_skb_change_head(ctx, ETH_HLEN_NUM, 0))
			return -1;
	}
	__builtin_memcpy(eth.h_dest, fib->dmac, 6);
	__builtin_memcpy(eth.h_source, fib->smac, 6);
	eth.h_proto = bpf_htons(family == NWIT_FAMILY_IPV4 ? ETH_P_IP : ETH_P_IPV6);
	return pkt_store(ctx, xdp, 0, &eth, sizeof(eth)) ? -1 : 0;
}

/*
 * Hand the rewritten packet on: to the stack when the flow has no egress device or the
 * neighbour is not resolved yet; else to the egress device, with the L2 header the FIB
 * gives for an Ethernet egress, or no L2 header for a raw-IP egress. Returns the verdict,
 * or minus a drop reason; *len becomes the length sent, *to_stack 1 for the stack.
 */
static __always_inline int forward(void *ctx, int xdp, struct nwit_scratch *s,
				   const struct nwit_flow *f, int has_l2, __u32 l3_len,
				   __u8 family, __u32 *len, int *to_stack)
{
	struct bpf_fib_lookup fib;
	__u32 egress;
	int rc;

	*to_stack = 0;
	if (!f->out_ifindex) {
		*to_stack = 1;
		return verdict_pass(xdp);
	}
	if (f->flags & NWIT_FLOW_EGRESS_L2) {
		rc = fib_lookup(ctx, s, f, l3_len, family, &fib);
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
			/* TC: the kernel resolves the neighbour and queues the packet meanwhile */
			if (!xdp)
				return bpf_redirect_neigh(fib.ifindex, NULL, 0, 0);
			/* XDP cannot: the stack gets it (see docs/fastpath.md) */
			*to_stack = 1;
			return verdict_pass(xdp);
		}
		if (rc != BPF_FIB_LKUP_RET_SUCCESS)
			return -NWIT_DROP_NO_ROUTE;
		if (ensure_l2(ctx, xdp, has_l2, family, &fib))
			return -NWIT_DROP_RESIZE;
		egress = fib.ifindex;
		*len += has_l2 ? 0 : ETH_HLEN_NUM;
	} else {
		/* raw-IP egress: XDP strips the Ethernet header; bpf_redirect does it for TC */
		if (has_l2 && xdp && bpf_xdp_adjust_head(ctx, ETH_HLEN_NUM))
			return -NWIT_DROP_RESIZE;
		egress = f->out_ifindex;
		*len -= has_l2 ? ETH_HLEN_NUM : 0;
	}
	if (xdp) {
		rc = bpf_redirect_map(&nwit_tx_ports, egress, XDP_ABORTED);
		if (rc != XDP_REDIRECT)
			return -NWIT_DROP_NO_ROUTE;
		return rc;
	}
	return bpf_redirect(egress, 0);
}

#endif
