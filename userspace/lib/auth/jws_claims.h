/*
 * Operator authorization of a web app: the claims of its token (docs/app-api.md) and
 * their validation against this device's policy.
 *
 *   {"iss": "operator", "aud": "device" | ["device", ...], "app_id": "...",
 *    "origins": ["https://app.example", ...], "scope": "voice video messaging file-transfer",
 *    "nbf": 1700000000, "exp": 1700003600, "jti": "...", "iat": ...}
 */
#ifndef NWIT_JWS_CLAIMS_H
#define NWIT_JWS_CLAIMS_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "auth/jwk.h"
#include "auth/jws.h"
#include "auth/jws_revoke.h"

#define APP_ID_MAX 128
#define APP_ORIGIN_MAX 256
#define APP_MAX_ORIGINS 8
#define APP_JTI_MAX 128
#define JWS_CLOCK_SKEW 60	/* seconds of clock difference tolerated on iat/nbf/exp */
#define JWS_DEFAULT_MAX_LIFETIME 86400	/* [app] max_token_lifetime default, seconds */

enum app_scope {
	APP_SCOPE_VOICE = 1u << 0,
	APP_SCOPE_VIDEO = 1u << 1,
	APP_SCOPE_MESSAGING = 1u << 2,
	APP_SCOPE_FILE_TRANSFER = 1u << 3,
};
#define APP_SCOPE_ALL 0xfu

struct app_token {
	char app_id[APP_ID_MAX];
	char origins[APP_MAX_ORIGINS][APP_ORIGIN_MAX];
	unsigned n_origins;
	unsigned scopes;	/* enum app_scope bits */
	char jti[APP_JTI_MAX];
	int64_t iat, nbf, exp;	/* nbf 0 when absent */
};

struct jws_policy {
	const struct jwk_set *keys;
	const char *issuer;	/* required "iss"; NULL or "": every token is refused */
	const char *audience;	/* this device */
	const struct jws_revocation *revoked;
	time_t now;
	int skew;
	int64_t max_lifetime;	/* longest exp - iat accepted; 0: JWS_DEFAULT_MAX_LIFETIME */
};

/*
 * Verify token and its claims; origin must be one of the token's origins (a request
 * without an Origin, NULL, is refused: a token is bound to the pages it names). On
 * JWS_OK fills *out. detail explains a refusal.
 */
enum jws_result jws_token_check(const char *token, size_t len, const struct jws_policy *p,
				const char *origin, struct app_token *out, char *detail,
				size_t detaillen);

/* Check claims already verified (same rules as above, without the signature). */
enum jws_result jws_claims_check(json_t *claims, const struct jws_policy *p,
				 const char *origin, struct app_token *out, char *detail,
				 size_t detaillen);

int app_token_origin_allowed(const struct app_token *t, const char *origin);

/* "voice" -> APP_SCOPE_VOICE, 0 if unknown; and the name of one scope bit. */
unsigned app_scope_from_name(const char *name, size_t len);
const char *app_scope_name(unsigned scope);
/* ["voice", ...] for the bits in scopes. */
json_t *app_scopes_to_json(unsigned scopes);

#endif
