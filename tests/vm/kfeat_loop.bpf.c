// SPDX-License-Identifier: GPL-2.0-only
/* Kernel lab probe: bpf_loop (kernel 5.17+) sums 0..n-1 for n from the "io" map. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct loop_io {
	__u32 n;
	__u32 calls;
	__u64 sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct loop_io);
} io SEC(".maps");

static long add_index(__u32 i, void *data)
{
	__u64 *sum = data;

	*sum += i;
	return 0;
}

SEC("xdp")
int kfeat_loop(struct xdp_md *ctx)
{
	__u32 k = 0;
	struct loop_io *v = bpf_map_lookup_elem(&io, &k);
	__u64 sum = 0;	/* the callback's context must live on the stack */

	if (!v)
		return XDP_ABORTED;
	v->calls = (__u32)bpf_loop(v->n, add_index, &sum, 0);
	v->sum = sum;
	return XDP_PASS;
}
