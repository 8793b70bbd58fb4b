/*
 * SRTP key derivation (RFC 3711 section 4.3) for the AES-CM PRF with a 128-bit master
 * key and a 112-bit master salt, key derivation rate 0: the six session keys of one
 * SRTP/SRTCP crypto context.
 */
#ifndef NWIT_SRTP_KDF_H
#define NWIT_SRTP_KDF_H

#include <stddef.h>
#include <stdint.h>

#define SRTP_KDF_MASTER_KEY_LEN 16
#define SRTP_KDF_MASTER_SALT_LEN 14
#define SRTP_SESSION_ENC_LEN 16
#define SRTP_SESSION_AUTH_LEN 20
#define SRTP_SESSION_SALT_LEN 14

/* Key derivation labels (RFC 3711 section 4.3.1 and 4.3.2). */
enum srtp_kdf_label {
	SRTP_LABEL_RTP_ENC = 0x00,
	SRTP_LABEL_RTP_AUTH = 0x01,
	SRTP_LABEL_RTP_SALT = 0x02,
	SRTP_LABEL_RTCP_ENC = 0x03,
	SRTP_LABEL_RTCP_AUTH = 0x04,
	SRTP_LABEL_RTCP_SALT = 0x05,
};

struct srtp_session_keys {
	uint8_t rtp_enc[SRTP_SESSION_ENC_LEN];
	uint8_t rtp_auth[SRTP_SESSION_AUTH_LEN];
	uint8_t rtp_salt[SRTP_SESSION_SALT_LEN];
	uint8_t rtcp_enc[SRTP_SESSION_ENC_LEN];
	uint8_t rtcp_auth[SRTP_SESSION_AUTH_LEN];
	uint8_t rtcp_salt[SRTP_SESSION_SALT_LEN];
};

/*
 * Derive len bytes (at most 65536 * 16) for one label: the AES-CM keystream under the
 * master key with IV = (master_salt xor (label << 48)) * 2^16. Returns 0, -EINVAL for
 * a bad length, -ENOMEM or -EIO when the cipher could not run.
 */
int srtp_kdf(const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
	     const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN], enum srtp_kdf_label label,
	     uint8_t *out, size_t len);

/*
 * All six session keys (kdr = 0). Returns 0, or a negative errno from srtp_kdf;
 * on failure out is wiped.
 */
int srtp_derive_session_keys(const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
			     const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN],
			     struct srtp_session_keys *out);

/*
 * The AES-CM keystream (RFC 3711 section 4.1.1) of len bytes for a 16-byte initial
 * counter block iv under a 128-bit key; exposed for the Appendix B.2 test and the BPF
 * cross-checks. Returns 0, -ENOMEM or -EIO.
 */
int srtp_aes_cm_keystream(const uint8_t key[16], const uint8_t iv[16], uint8_t *out,
			  size_t len);

#endif
