// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel lab probe: a kfunc that a module registers. bpf_xdp_ct_lookup and bpf_ct_release
 * belong to nf_conntrack (a module on Debian's kernels); the lookup of a tuple no
 * connection has must answer NULL with opts.error = -ENOENT, kept in "result".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

/* the 12-byte layout every kernel since 6.0 accepts (later ones grew it to 16) */
struct ct_opts {
	__s32 netns_id;
	__s32 error;
	__u8 l4proto;
	__u8 dir;
	__u8 reserved[2];
};

extern struct nf_conn *bpf_xdp_ct_lookup(struct xdp_md *ctx, struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz, struct ct_opts *opts,
					 __u32 opts__sz) __ksym;
extern void bpf_ct_release(struct nf_conn *ct) __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __s32);
} result SEC(".maps");

SEC("xdp")
int kfeat_ct(struct xdp_md *ctx)
{
	struct ct_opts opts = { .netns_id = -1, .l4proto = 17 };
	struct bpf_sock_tuple t = {};
	struct nf_conn *ct;
	__u32 k = 0;
	__s32 *r;

	t.ipv4.saddr = bpf_htonl(0xc0000201);	/* 192.0.2.1:40000 -> 198.51.100.2:50000 */
	t.ipv4.daddr = bpf_htonl(0xc6336402);
	t.ipv4.sport = bpf_htons(40000);
	t.ipv4.dport = bpf_htons(50000);
	r = bpf_map_lookup_elem(&result, &k);
	if (!r)
		return XDP_ABORTED;
	ct = bpf_xdp_ct_lookup(ctx, &t, sizeof(t.ipv4), &opts, sizeof(opts));
	if (ct) {
		bpf_ct_release(ct);
		*r = 1;
	} else {
		*r = opts.error;
	}
	return XDP_PASS;
}
