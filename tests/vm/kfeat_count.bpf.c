// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel lab probe: count the frames tests/vm/kfeat.c sends (IPv4/UDP to port 50000) that
 * an XDP or TC hook sees; the kernel's own (IPv6 neighbour discovery, MLD) are not counted.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

static __always_inline void count(void *data, void *end)
{
	unsigned char *p = data;
	__u32 k = 0;
	__u64 *v;

	/* Ethernet (14) + IPv4 without options (20) + UDP ports */
	if (p + 38 > (unsigned char *)end)
		return;
	if (p[12] != 0x08 || p[13] != 0x00 || p[14] != 0x45 || p[23] != 17 ||
	    p[36] != 0xc3 || p[37] != 0x50)
		return;
	v = bpf_map_lookup_elem(&seen, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int kfeat_xdp(struct xdp_md *ctx)
{
	count((void *)(long)ctx->data, (void *)(long)ctx->data_end);
	return XDP_PASS;
}

SEC("tc")
int kfeat_tc(struct __sk_buff *skb)
{
	count((void *)(long)skb->data, (void *)(long)skb->data_end);
	return 0;	/* TC_ACT_OK */
}
