/*
 * SIP HTTP-Digest client side: parsing a WWW-Authenticate / Proxy-Authenticate challenge,
 * computing the response (RFC 2617 / RFC 7616 MD5, qop=auth with nc and cnonce) and
 * building the Authorization header, plus the IMS AKA pieces of RFC 3310 (AKAv1-MD5:
 * nonce = base64(RAND || AUTN || server data), RES as the password, auts=).
 * Everything here takes untrusted input (the challenge comes from the network) and is
 * covered by tests/fuzz/fuzz_sip_response.c.
 */
#ifndef NWIT_SIP_AUTH_H
#define NWIT_SIP_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define SIP_AUTH_REALM_MAX 128
#define SIP_AUTH_NONCE_MAX 256
#define SIP_AUTH_OPAQUE_MAX 256
#define SIP_AUTH_HEADER_MAX 1024

enum sip_auth_alg {
	SIP_AUTH_ALG_INVALID = 0,
	SIP_AUTH_ALG_MD5,	/* RFC 2617 (also when algorithm= is absent) */
	SIP_AUTH_ALG_AKAV1_MD5,	/* RFC 3310 */
};

struct sip_auth_challenge {
	enum sip_auth_alg alg;
	char realm[SIP_AUTH_REALM_MAX];
	char nonce[SIP_AUTH_NONCE_MAX];
	char opaque[SIP_AUTH_OPAQUE_MAX];
	int has_opaque;
	int qop_auth;	/* the server offered qop and it includes "auth" */
	int stale;	/* stale=true */
};

/*
 * Parse the value of a WWW-Authenticate header ("Digest realm=..., nonce=..., ...").
 * Returns 0, -EINVAL (malformed: no Digest scheme, bad syntax, missing realm or nonce,
 * a parameter twice, control characters or quotes inside a value), -EMSGSIZE (a value
 * longer than its buffer) or -ENOTSUP (an algorithm or qop we cannot answer).
 */
int sip_auth_parse_challenge(const char *value, struct sip_auth_challenge *c);

const char *sip_auth_alg_name(enum sip_auth_alg alg);

/*
 * The digest "response" (RFC 2617 3.2.2.1): 32 lowercase hex digits and a NUL in out.
 * qop NULL means the RFC 2069 form (no nc / cnonce). The password is bytes (for AKA it is
 * RES, RFC 3310 3.2). Returns 0 or -EIO.
 */
int sip_auth_digest_response(const char *username, const char *realm, const uint8_t *password,
			     size_t password_len, const char *method, const char *uri,
			     const char *nonce, const char *nc, const char *cnonce,
			     const char *qop, char out[33]);

struct sip_auth_answer {
	const char *username;
	const uint8_t *password;
	size_t password_len;
	const char *method;
	const char *uri;
	uint32_t nc;		/* nonce count, used with qop=auth */
	const char *cnonce;	/* used with qop=auth */
	const uint8_t *auts;	/* AKA resynchronisation token (14 bytes) or NULL */
};

/*
 * Build the Authorization header value answering challenge c. Returns the length written
 * (without NUL) or -EMSGSIZE / -EIO.
 */
int sip_auth_build_authorization(const struct sip_auth_challenge *c,
				 const struct sip_auth_answer *a, char *out, size_t outlen);

/*
 * The first REGISTER of an IMS UE (TS 24.229 5.1.1.2): Authorization with username=IMPI,
 * realm=home domain, empty nonce and response. Returns the length or -EMSGSIZE.
 */
int sip_auth_build_initial(const char *impi, const char *realm, const char *uri, char *out,
			   size_t outlen);

/*
 * RFC 3310 3.1: take RAND and AUTN out of the AKA nonce. Returns 0, -EINVAL (not base64),
 * -EBADMSG (shorter than RAND and AUTN) or -EMSGSIZE.
 */
int sip_auth_aka_nonce(const char *nonce, uint8_t rand[16], uint8_t autn[16]);

/* Standard base64 (RFC 4648 section 4) with padding; whitespace is not allowed. */
int sip_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap,
		      size_t *outlen);
/* Returns the length written (without NUL) or -EMSGSIZE. */
int sip_base64_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap);

#endif
