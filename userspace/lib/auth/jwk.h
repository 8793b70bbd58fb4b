/*
 * The operator's public keys as a JWK set (RFC 7517): EC P-256 keys (for ES256) and
 * Ed25519 OKP keys (for EdDSA, RFC 8037), each named by its "kid".
 */
#ifndef NWIT_JWK_H
#define NWIT_JWK_H

#include <stddef.h>

#include <openssl/evp.h>

#define JWK_KID_MAX 128
#define JWK_SET_MAX_KEYS 64
#define JWK_SET_MAX_FILE (256 * 1024)

enum jwk_type {
	JWK_TYPE_INVALID = 0,
	JWK_TYPE_EC_P256,	/* kty EC, crv P-256: signs ES256 */
	JWK_TYPE_ED25519,	/* kty OKP, crv Ed25519: signs EdDSA */
};

struct jwk {
	char kid[JWK_KID_MAX];
	enum jwk_type type;
	EVP_PKEY *pkey;
};

struct jwk_set {
	struct jwk *keys;
	size_t count;
};

/*
 * Parse {"keys": [...]}. Keys of other types are skipped (RFC 7517 section 5); a supported
 * key without a kid, with bad coordinates, with "use" other than "sig", or with an "alg"
 * that does not fit its type is an error, as is a repeated kid.
 * Returns a new set, or NULL with the reason in err.
 */
struct jwk_set *jwk_set_parse(const char *text, size_t len, char *err, size_t errlen);
struct jwk_set *jwk_set_load_file(const char *path, char *err, size_t errlen);
void jwk_set_free(struct jwk_set *set);

/* The key named kid, or NULL. */
const struct jwk *jwk_set_find(const struct jwk_set *set, const char *kid);

/* "ES256" or "EdDSA": the only JWS alg each key type verifies. */
const char *jwk_type_alg(enum jwk_type type);

#endif
