/* Kernel-side SRTP keying of the fast path (see fastpath_keys.h). */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "fastpath/fastpath_keys.h"

/*
 * The HMAC midstates need SHA-1's chaining value after one block, which only the
 * low-level SHA1_* interface exposes (EVP hides it); OpenSSL 3 marks it deprecated.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
static void sha1_state_after_block(const uint8_t block[64], __u32 out[5])
{
	SHA_CTX sc;

	SHA1_Init(&sc);
	SHA1_Update(&sc, block, 64);
	out[0] = sc.h0;
	out[1] = sc.h1;
	out[2] = sc.h2;
	out[3] = sc.h3;
	out[4] = sc.h4;
	OPENSSL_cleanse(&sc, sizeof(sc));
}
#pragma GCC diagnostic pop

static void keying_fill(struct nwit_srtp_keying *kg, const uint8_t auth[SRTP_SESSION_AUTH_LEN],
			const uint8_t salt[SRTP_SESSION_SALT_LEN])
{
	uint8_t block[64];
	size_t i;

	memcpy(kg->salt, salt, sizeof(kg->salt));
	memset(block, 0x36, sizeof(block));
	for (i = 0; i < SRTP_SESSION_AUTH_LEN; i++)
		block[i] ^= auth[i];
	sha1_state_after_block(block, kg->ipad_state);
	memset(block, 0x5c, sizeof(block));
	for (i = 0; i < SRTP_SESSION_AUTH_LEN; i++)
		block[i] ^= auth[i];
	sha1_state_after_block(block, kg->opad_state);
	OPENSSL_cleanse(block, sizeof(block));
}

int fastpath_srtp_ctx_fill(struct nwit_srtp_ctx *c, enum nwit_srtp_profile profile,
			   const struct srtp_session_keys *k, uint32_t roc)
{
	if (profile != NWIT_SRTP_AES_CM_128_HMAC_SHA1_80 &&
	    profile != NWIT_SRTP_AES_CM_128_HMAC_SHA1_32)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	keying_fill(&c->rtp, k->rtp_auth, k->rtp_salt);
	keying_fill(&c->rtcp, k->rtcp_auth, k->rtcp_salt);
	c->profile = (__u8)profile;
	c->roc = roc;
	return 0;
}

int fastpath_crypto_setup(int setup_prog_fd, const struct nwit_ssrc_key *key,
			  const struct srtp_session_keys *k, enum nwit_aes_impl aes)
{
	struct nwit_crypto_setup_args args;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args, .ctx_size_in = sizeof(args));
	int err;

	memset(&args, 0, sizeof(args));
	args.key = *key;
	memcpy(args.rtp_key, k->rtp_enc, sizeof(args.rtp_key));
	memcpy(args.rtcp_key, k->rtcp_enc, sizeof(args.rtcp_key));
	args.aes = (__u32)aes;
	args.err = -EINPROGRESS;
	err = bpf_prog_test_run_opts(setup_prog_fd, &opts) ? -errno : 0;
	if (!err)
		err = args.err;
	OPENSSL_cleanse(&args, sizeof(args));
	return err;
}
