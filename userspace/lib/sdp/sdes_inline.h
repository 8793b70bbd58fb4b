/*
 * SDP Security Descriptions (RFC 4568) inline keys for the AES_CM_128_HMAC_SHA1_80/_32
 * suites:
 *   key form:       "AES_CM_128_HMAC_SHA1_80 inline:<base64 key||salt>[|lifetime][|MKI:len]"
 *   attribute form: "<tag> <suite> inline:...[ <session params>]" (the a=crypto value)
 * Only what this gateway can honour is accepted: one key, no MKI, KDR 0, WSH; every
 * other session parameter (UNENCRYPTED_SRTP, FEC_*, ...) is refused.
 *
 * Parsers return 0, -EINVAL for a syntax error (bad base64, wrong key length, bad
 * lifetime, trailing garbage) or -ENOTSUP for something valid we do not support
 * (another suite, MKI, several keys, a session parameter); *reason, when reason is not
 * NULL, then points to a static message saying what was wrong.
 */
#ifndef NWIT_SDES_INLINE_H
#define NWIT_SDES_INLINE_H

#include <stddef.h>
#include <stdint.h>

#include "srtp/srtp.h"

/* 30 bytes of key||salt are 40 base64 characters. */
#define SDES_INLINE_B64_LEN 40
/* The longest text the format functions write, with its NUL. */
#define SDES_INLINE_MAX 128

struct sdes_inline_key {
	enum srtp_suite suite;
	uint8_t key[SRTP_KDF_MASTER_KEY_LEN];
	uint8_t salt[SRTP_KDF_MASTER_SALT_LEN];
	uint64_t lifetime;	/* master key lifetime in packets, 0 when not given */
	uint32_t tag;		/* the a=crypto tag (attribute form only) */
};

int sdes_inline_parse(const char *s, size_t len, struct sdes_inline_key *out,
		      const char **reason);
int sdes_crypto_attr_parse(const char *s, size_t len, struct sdes_inline_key *out,
			   const char **reason);

/*
 * Write the key form (or, for the attribute, "<tag> " before it) with a NUL into out.
 * A lifetime is written as 2^n when it is a power of two. Returns the length written,
 * -EINVAL for an invalid suite, or -ENOSPC when outlen is too small.
 */
int sdes_inline_format(const struct sdes_inline_key *k, char *out, size_t outlen);
int sdes_crypto_attr_format(const struct sdes_inline_key *k, char *out, size_t outlen);

#endif
