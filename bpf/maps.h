/* Maps of the fast path and the BPF-only types around them (kptr values, scratch). */
#ifndef NWIT_BPF_MAPS_H
#define NWIT_BPF_MAPS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "nwit/fastpath.h"

/*
 * Two objects are built from these sources: nwit_fastpath (bpf_crypto kfuncs, kernels
 * >= 6.10; every AES of enum nwit_aes_impl) and nwit_fastpath_plain (NWIT_PLAIN_BPF
 * defined: no kfunc at all, so it loads where bpf_crypto is missing; AES in BPF only).
 * libbpf 1.1 cannot leave an unresolved kfunc out of a load (no weak kfuncs), hence two.
 */
#ifndef NWIT_PLAIN_BPF
#define NWIT_HAVE_BPF_CRYPTO 1
/* bpftool 7.1's vmlinux.h carries no kfunc prototypes. */
extern struct bpf_crypto_ctx *bpf_crypto_ctx_create(const struct bpf_crypto_params *params,
						     __u32 params__sz, int *err) __ksym;
extern void bpf_crypto_ctx_release(struct bpf_crypto_ctx *ctx) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
			      const struct bpf_dynptr *dst,
			      const struct bpf_dynptr *siv__nullable) __ksym;
#endif

/* AES-128 encryption round keys (FIPS-197 5.2), 44 big-endian words. */
struct nwit_aes_rk {
	__u32 w[44];
};

/*
 * Value of "nwit_aes" (BPF-private: the controller only writes it through
 * nwit_crypto_setup and deletes entries): how the SSRC's session keys encrypt.
 * NWIT_AES_FIXED_TIME / NWIT_AES_GENERIC: one bpf_crypto ecb() context per key (a lookup
 * from userspace never shows a kptr's target); NWIT_AES_BPF: the expanded keys for
 * bpf/aes_bpf.h, which a process allowed to read BPF maps (CAP_BPF) can read back.
 */
struct nwit_aes_ctxs {
#ifdef NWIT_HAVE_BPF_CRYPTO
	struct bpf_crypto_ctx __kptr *rtp;
	struct bpf_crypto_ctx __kptr *rtcp;
#else
	__u64 rtp_unused;	/* same layout as the bpf_crypto object's map */
	__u64 rtcp_unused;
#endif
	__u32 impl;		/* enum nwit_aes_impl */
	__u32 pad;
	struct nwit_aes_rk rk_rtp;
	struct nwit_aes_rk rk_rtcp;
};

/*
 * In the body of a bounded loop: keep clang from turning the counter into a trip count
 * (min(n, MAX) counting down), whose bound the verifier cannot see.
 */
#define LOOP_OPAQUE(j) asm volatile("" : "+r"(j))

/* Per-CPU working memory of one packet transform. */
#define SCR_BUF 2048
#define SCR_MASK (SCR_BUF - 1)
struct nwit_scratch {
	__u8 msg[SCR_BUF + 256];	/* UDP payload, then ROC and SHA-1 padding */
	__u8 ctr[SCR_BUF];		/* AES-CM counter blocks (bpf_crypto) */
	__u8 ks[SCR_BUF + 32];		/* their encryption: the keystream */
	__u8 oblk[64];			/* outer HMAC block */
	__u32 w[16];			/* SHA-1 message schedule */
	__u32 h[5];			/* SHA-1 chaining state */
	__u8 tag[16];			/* received authentication tag */
	__u8 hdr[72];			/* L3 + UDP headers being rewritten */
	__u8 eth[16];			/* Ethernet header while the packet is resized */
	__u32 iv[4];			/* AES-CM IV, big-endian words (BPF AES) */
	__u32 r1[5];			/* BPF AES: per-packet part of round 1 */
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
