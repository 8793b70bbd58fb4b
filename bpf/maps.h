/* Maps of the fast path and the BPF-only types around them (kptr values, scratch). */
#ifndef NWIT_BPF_MAPS_H
#define NWIT_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "nwit/fastpath.h"

/* bpftool 7.1's vmlinux.h carries no kfunc prototypes. */
extern struct bpf_crypto_ctx *bpf_crypto_ctx_create(const struct bpf_crypto_params *params,
						     __u32 params__sz, int *err) __ksym;
extern void bpf_crypto_ctx_release(struct bpf_crypto_ctx *ctx) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
			      const struct bpf_dynptr *dst,
			      const struct bpf_dynptr *siv__nullable) __ksym;

/* Value of "nwit_aes": one ecb(aes) context per session encryption key. */
struct nwit_aes_ctxs {
	struct bpf_crypto_ctx __kptr *rtp;
	struct bpf_crypto_ctx __kptr *rtcp;
};

/* Per-CPU working memory of one packet transform. */
#define SCR_BUF 2048
#define SCR_MASK (SCR_BUF - 1)
struct nwit_scratch {
	__u8 msg[SCR_BUF + 256];	/* UDP payload, then ROC and SHA-1 padding */
	__u8 ctr[SCR_BUF];		/* AES-CM counter blocks */
	__u8 ks[SCR_BUF + 32];		/* their encryption: the keystream */
	__u8 oblk[64];			/* outer HMAC block */
	__u32 w[16];			/* SHA-1 message schedule */
	__u32 h[5];			/* SHA-1 chaining state */
	__u8 tag[16];			/* received authentication tag */
	__u8 hdr[72];			/* L3 + UDP headers being rewritten */
	__u8 eth[16];			/* Ethernet header while the packet is resized */
};

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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NWIT_MAX_FLOWS);
	__type(key, struct nwit_flow_key);
	__type(value, struct nwit_flow);
} nwit_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NWIT_MAX_SSRCS);
	__type(key, struct nwit_ssrc_key);
	__type(value, struct nwit_srtp_ctx);
} nwit_srtp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NWIT_MAX_SSRCS);
	__type(key, struct nwit_ssrc_key);
	__type(value, struct nwit_flow);
} nwit_bundle SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NWIT_MAX_SSRCS);
	__type(key, struct nwit_ssrc_key);
	__type(value, struct nwit_aes_ctxs);
} nwit_aes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NWIT_MAX_FLOWS);
	__type(key, __u32);
	__type(value, struct nwit_flow_stat);
} nwit_flow_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NWIT_DROP__COUNT);
	__type(key, __u32);
	__type(value, struct nwit_drop_stat);
} nwit_drop_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, NWIT_MAX_DEVICES);
	__type(key, __u32);
	__type(value, __u32);
} nwit_tx_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nwit_scratch);
} nwit_scratch SEC(".maps");

static __always_inline struct nwit_scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&nwit_scratch, &zero);
}

#endif
