/* RFC 3711 section 4.3 key derivation on OpenSSL's AES-128-CTR. */
#include "srtp/srtp_kdf.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/log.h"

int srtp_aes_cm_keystream(const uint8_t key[16], const uint8_t iv[16], uint8_t *out,
			  size_t len)
{
	EVP_CIPHER_CTX *ctx;
	int outl = 0, rc = 0;

	if (len > (size_t)1 << 30)
		return -EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx) {
		log_warnx("srtp: creating an AES-CM context for the keystream failed: out of memory");
		return -ENOMEM;
	}
	memset(out, 0, len);
	/* CTR mode over a zero plaintext is the AES-CM keystream: OpenSSL's CTR increments
	 * the whole 128-bit block, which equals AES-CM's as long as the low 16 bits do not
	 * wrap, and callers stay far below 2^16 blocks. */
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &outl, out, (int)len) != 1 || (size_t)outl != len) {
		log_warnx("srtp: computing %zu bytes of AES-CM keystream failed in OpenSSL", len);
		OPENSSL_cleanse(out, len);
		rc = -EIO;
	}
	EVP_CIPHER_CTX_free(ctx);
	return rc;
}

int srtp_kdf(const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
	     const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN], enum srtp_kdf_label label,
	     uint8_t *out, size_t len)
{
	uint8_t iv[16];
	int rc;

	if (len == 0 || len > (size_t)65536 * 16)
		return -EINVAL;
	/* key_id = label || r (r = 0 with kdr = 0) is 56 bits, right-aligned against the
	 * 112-bit salt, so the label lands on salt byte 7; the IV is x * 2^16. */
	memcpy(iv, master_salt, SRTP_KDF_MASTER_SALT_LEN);
	iv[7] ^= (uint8_t)label;
	iv[14] = 0;
	iv[15] = 0;
	rc = srtp_aes_cm_keystream(master_key, iv, out, len);
	OPENSSL_cleanse(iv, sizeof(iv));
	return rc;
}

int srtp_derive_session_keys(const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
			     const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN],
			     struct srtp_session_keys *out)
{
	int rc;

	if ((rc = srtp_kdf(master_key, master_salt, SRTP_LABEL_RTP_ENC, out->rtp_enc,
			   sizeof(out->rtp_enc))) < 0 ||
	    (rc = srtp_kdf(master_key, master_salt, SRTP_LABEL_RTP_AUTH, out->rtp_auth,
			   sizeof(out->rtp_auth))) < 0 ||
	    (rc = srtp_kdf(master_key, master_salt, SRTP_LABEL_RTP_SALT, out->rtp_salt,
			   sizeof(out->rtp_salt))) < 0 ||
	    (rc = srtp_kdf(master_key, master_salt, SRTP_LABEL_RTCP_ENC, out->rtcp_enc,
			   sizeof(out->rtcp_enc))) < 0 ||
	    (rc = srtp_kdf(master_key, master_salt, SRTP_LABEL_RTCP_AUTH, out->rtcp_auth,
			   sizeof(out->rtcp_auth))) < 0 ||
	    (rc = srtp_kdf(master_key, master_salt, SRTP_LABEL_RTCP_SALT, out->rtcp_salt,
			   sizeof(out->rtcp_salt))) < 0)
		goto fail;
	return 0;
fail:
	log_warnx("srtp: deriving the session keys failed");
	OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}
