/*
 * Kernel-side SRTP keying of the fast path: fill a struct nwit_srtp_ctx from session
 * keys (salts and HMAC-SHA1 ipad/opad midstates), and install the AES keys through the
 * SEC("syscall") program nwit_crypto_setup.
 */
#ifndef NWIT_FASTPATH_KEYS_H
#define NWIT_FASTPATH_KEYS_H

#include <stdint.h>

#include "nwit/fastpath.h"
#include "srtp/srtp_kdf.h"

/*
 * Fill c for profile (NWIT_SRTP_AES_CM_128_HMAC_SHA1_80/_32) from k, with the initial
 * ROC roc; the replay state starts empty. Returns 0 or -EINVAL.
 */
int fastpath_srtp_ctx_fill(struct nwit_srtp_ctx *c, enum nwit_srtp_profile profile,
			   const struct srtp_session_keys *k, uint32_t roc);

/*
 * Set up the AES of key (the SRTP and SRTCP encryption keys of k) with implementation aes
 * by running the syscall program setup_prog_fd. Returns 0, or -errno from the run or the
 * program (-EINVAL when the kernel refuses the algorithm or aes is not an implementation,
 * -EOPNOTSUPP when the loaded object has no bpf_crypto for it, -ENOENT without memory).
 */
int fastpath_crypto_setup(int setup_prog_fd, const struct nwit_ssrc_key *key,
			  const struct srtp_session_keys *k, enum nwit_aes_impl aes);

#endif
