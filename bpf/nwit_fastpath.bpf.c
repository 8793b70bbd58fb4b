// SPDX-License-Identifier: GPL-2.0-only
/*
 * nwit fast path entry points (XDP and TC ingress). Every UDP datagram is
 * classified per RFC 7983 and counted; STUN, DTLS and anything unknown are left to
 * the stack so they reach nwitd's sockets.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "nwit/fastpath.h"
#include "demux.h"
#include "parsing.h"

#define TC_ACT_OK 0

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NWIT_CLASS__COUNT);
	__type(key, __u32);
	__type(value, struct nwit_class_stat);
} nwit_class_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NWIT_MAX_DEVICES);
	__type(key, __u32);
	__type(value, struct nwit_dev_info);
} nwit_devices SEC(".maps");

static __always_inline int device_has_l2(__u32 ifindex)
{
	struct nwit_dev_info *dev = bpf_map_lookup_elem(&nwit_devices, &ifindex);

	return !(dev && (dev->flags & NWIT_DEV_RAW_IP));
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

/* Classify the frame in [data, end), starting at L2 (has_l2) or at the IP header. */
static __always_inline enum nwit_pkt_class classify(void *data, void *end, int has_l2)
{
	struct cursor c = { .pos = data, .end = end };
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	int proto, l4;
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
	if (parse_udphdr(&c, &udp) < 0)
		return NWIT_CLASS_MALFORMED;
	first = c.pos;
	if ((void *)(first + 1) > c.end)
		return NWIT_CLASS_MALFORMED;
	return classify_first_byte(*first);
}

SEC("xdp")
int nwit_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	count_class(classify(data, end, device_has_l2(ctx->ingress_ifindex)), end - data);
	return XDP_PASS;
}

SEC("tc")
int nwit_tc(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	count_class(classify(data, end, device_has_l2(skb->ifindex)), skb->len);
	return TC_ACT_OK;
}
