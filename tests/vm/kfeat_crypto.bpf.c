// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel lab probe: the bpf_crypto kfuncs (kernel 6.10+). kfeat_crypto_setup
 * (SEC("syscall")) creates an ecb(aes) context from the key in "block" and keeps it as a
 * kptr; kfeat_crypto_enc (TC) encrypts block.in into block.out with it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern struct bpf_crypto_ctx *bpf_crypto_ctx_create(const struct bpf_crypto_params *params,
						     __u32 params__sz, int *err) __ksym;
extern void bpf_crypto_ctx_release(struct bpf_crypto_ctx *ctx) __ksym;
extern int bpf_crypto_encrypt(struct bpf_crypto_ctx *ctx, const struct bpf_dynptr *src,
			      const struct bpf_dynptr *dst,
			      const struct bpf_dynptr *siv__nullable) __ksym;

struct slot {
	struct bpf_crypto_ctx __kptr *aes;
};

struct block {
	__u8 key[16];
	__u8 in[16];
	__u8 out[16];
	__s32 setup_err;
	__s32 enc_err;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct block);
} blocks SEC(".maps");

SEC("syscall")
int kfeat_crypto_setup(void *ctx)
{
	struct bpf_crypto_params params = {
		.type = "skcipher",
		.algo = "ecb(aes)",
		.key_len = 16,
	};
	struct bpf_crypto_ctx *c, *old;
	struct block *b;
	struct slot *s;
	__u32 k = 0;
	int err = 0;

	b = bpf_map_lookup_elem(&blocks, &k);
	s = bpf_map_lookup_elem(&slots, &k);
	if (!b || !s)
		return 0;
	__builtin_memcpy(params.key, b->key, 16);
	c = bpf_crypto_ctx_create(&params, sizeof(params), &err);
	if (!c) {
		b->setup_err = err ? err : -22;
		return 0;
	}
	old = bpf_kptr_xchg(&s->aes, c);
	if (old)
		bpf_crypto_ctx_release(old);
	b->setup_err = 0;
	return 0;
}

SEC("tc")
int kfeat_crypto_enc(struct __sk_buff *skb)
{
	struct bpf_dynptr src, dst;
	struct bpf_crypto_ctx *c;
	struct block *b;
	struct slot *s;
	__u32 k = 0;

	b = bpf_map_lookup_elem(&blocks, &k);
	s = bpf_map_lookup_elem(&slots, &k);
	if (!b || !s)
		return 2;	/* TC_ACT_SHOT */
	c = s->aes;
	if (!c) {
		b->enc_err = -2;
		return 2;
	}
	if (bpf_dynptr_from_mem(b->in, 16, 0, &src) || bpf_dynptr_from_mem(b->out, 16, 0, &dst)) {
		b->enc_err = -22;
		return 2;
	}
	b->enc_err = bpf_crypto_encrypt(c, &src, &dst, NULL);
	return 0;
}
