/* Bounds-checked packet parsing: a cursor and one parse_* per layer. */
#ifndef NWIT_BPF_PARSING_H
#define NWIT_BPF_PARSING_H

#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define IPPROTO_UDP_NUM 17

struct cursor {
	void *pos;
	void *end;
};

/* Returns the EtherType in host order, or -1 if the header is truncated. */
static __always_inline int parse_ethhdr(struct cursor *c, struct ethhdr **eth)
{
	struct ethhdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	c->pos = h + 1;
	*eth = h;
	return bpf_ntohs(h->h_proto);
}

/* Returns the L4 protocol, or -1 if truncated or not a plain first fragment. */
static __always_inline int parse_iphdr(struct cursor *c, struct iphdr **ip)
{
	struct iphdr *h = c->pos;
	int hlen;

	if ((void *)(h + 1) > c->end)
		return -1;
	hlen = h->ihl * 4;
	if (hlen < (int)sizeof(*h) || c->pos + hlen > c->end)
		return -1;
	if (h->frag_off & bpf_htons(0x3fff))	/* MF set or offset != 0 */
		return -1;
	c->pos += hlen;
	*ip = h;
	return h->protocol;
}

/* IPv6 without extension headers (media and signalling never use them). */
static __always_inline int parse_ip6hdr(struct cursor *c, struct ipv6hdr **ip6)
{
	struct ipv6hdr *h = c->pos;

	if ((void *)(h + 1) > c->end)
		return -1;
	c->pos = h + 1;
	*ip6 = h;
	return h->nexthdr;
}

/* Returns the UDP payload length, or -1 if truncated. */
static __always_inline int parse_udphdr(struct cursor *c, struct udphdr **udp)
{
	struct udphdr *h = c->pos;
	int len;

	if ((void *)(h + 1) > c->end)
		return -1;
	len = bpf_ntohs(h->len) - (int)sizeof(*h);
	if (len < 0)
		return -1;
	c->pos = h + 1;
	*udp = h;
	return len;
}

#endif
