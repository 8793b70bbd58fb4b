/*
 * Compact JWS (RFC 7515) verification of operator tokens, and the refusal reasons that
 * the app endpoint reports. Only asymmetric algorithms are accepted: ES256 with an EC
 * P-256 key and EdDSA with an Ed25519 key; "none", HS* and any alg that does not fit the
 * key's type are refused (no algorithm confusion).
 */
#ifndef NWIT_JWS_H
#define NWIT_JWS_H

#include <stddef.h>

#include <jansson.h>

#include "auth/jwk.h"

#define JWS_MAX_TOKEN 8192

enum jws_result {
	JWS_INVALID = 0,
	JWS_OK,
	JWS_NO_TOKEN,		/* no token presented */
	JWS_MALFORMED,		/* not three base64url parts of JSON, bad claim types, crit */
	JWS_BAD_ALG,		/* none, HS*, unknown alg, or alg that does not fit the key */
	JWS_UNKNOWN_KEY,	/* kid not in the operator's key set */
	JWS_BAD_SIGNATURE,
	JWS_WRONG_ISSUER,
	JWS_WRONG_AUDIENCE,	/* issued for another device */
	JWS_EXPIRED,
	JWS_NOT_YET_VALID,
	JWS_REVOKED,		/* jti on the revocation list */
	JWS_WRONG_ORIGIN,	/* page origin not among the token's origins */
	JWS_MISSING_SCOPE,	/* the request needs a scope the token lacks */
	JWS_NO_KEYS,		/* this device has no operator keys configured */
	JWS_TOO_LONG,		/* exp - iat over [app] max_token_lifetime */
	JWS__COUNT
};

/* Short name ("expired") and a phrase for SIP/HTTP reason lines ("Token expired"). */
const char *jws_result_name(enum jws_result r);
const char *jws_result_text(enum jws_result r);

/*
 * Check the signature of the compact JWS token[0..len) with keys. On JWS_OK, *claims is
 * the payload object (new reference). detail gets a human-readable explanation.
 */
enum jws_result jws_verify(const char *token, size_t len, const struct jwk_set *keys,
			   json_t **claims, char *detail, size_t detaillen);

/*
 * Sign claims into a compact JWS with a private key (EC P-256 -> ES256, Ed25519 -> EdDSA).
 * Returns malloc'ed text, or NULL with the reason in err.
 */
char *jws_sign(json_t *claims, EVP_PKEY *key, const char *kid, char *err, size_t errlen);

#endif
