/*
 * The thin per-hook layer: the same core runs on an XDP buffer or an skb. `xdp` is a
 * compile-time constant after inlining, so each entry point keeps only its helpers.
 */
#ifndef NWIT_BPF_PKT_H
#define NWIT_BPF_PKT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

#ifndef BPF_F_RECOMPUTE_CSUM
#define BPF_F_RECOMPUTE_CSUM (1ULL << 0)
#endif

static __always_inline void *pkt_data(void *ctx, int xdp)
{
	return xdp ? (void *)(long)((struct xdp_md *)ctx)->data
		   : (void *)(long)((struct __sk_buff *)ctx)->data;
}

static __always_inline void *pkt_end(void *ctx, int xdp)
{
	return xdp ? (void *)(long)((struct xdp_md *)ctx)->data_end
		   : (void *)(long)((struct __sk_buff *)ctx)->data_end;
}

static __always_inline __u32 pkt_len(void *ctx, int xdp)
{
	return xdp ? bpf_xdp_get_buff_len(ctx) : ((struct __sk_buff *)ctx)->len;
}

static __always_inline __u32 pkt_ifindex(void *ctx, int xdp)
{
	return xdp ? ((struct xdp_md *)ctx)->ingress_ifindex : ((struct __sk_buff *)ctx)->ifindex;
}

static __always_inline long pkt_load(void *ctx, int xdp, __u32 off, void *to, __u32 len)
{
	return xdp ? bpf_xdp_load_bytes(ctx, off, to, len) : bpf_skb_load_bytes(ctx, off, to, len);
}

static __always_inline long pkt_store(void *ctx, int xdp, __u32 off, void *from, __u32 len)
{
	return xdp ? bpf_xdp_store_bytes(ctx, off, from, len)
		   : bpf_skb_store_bytes(ctx, off, from, len, BPF_F_RECOMPUTE_CSUM);
}

/*
 * Grow or shrink the packet to new_len bytes at its tail. An XDP buffer without the
 * tailroom (veth hands some skbs over in place) grows at its head instead: *moved is then
 * set and everything up to the payload must be written again. Returns 0 or < 0.
 */
static __always_inline long pkt_resize(void *ctx, int xdp, __u32 new_len, int *moved)
{
	__u32 cur = pkt_len(ctx, xdp);
	int delta = (int)new_len - (int)cur;

	*moved = 0;
	if (!delta)
		return 0;
	if (!xdp)
		return bpf_skb_change_tail(ctx, new_len, 0);
	if (!bpf_xdp_adjust_tail(ctx, delta))
		return 0;
	if (delta < 0 || bpf_xdp_adjust_head(ctx, -delta))
		return -1;
	*moved = 1;
	return 0;
}

static __always_inline int verdict_pass(int xdp)
{
	return xdp ? XDP_PASS : TC_ACT_OK;
}

static __always_inline int verdict_drop(int xdp)
{
	return xdp ? XDP_DROP : TC_ACT_SHOT;
}

#endif
