/*
 * Operator tokens from untrusted apps: the first byte picks the parser (compact JWS with
 * claims, JWK set, revocation list); the rest is its input.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "auth/jwk.h"
#include "auth/jws.h"
#include "auth/jws_claims.h"
#include "auth/jws_revoke.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char jwks[] =
	"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed1\","
	"\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
	"{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec1\","
	"\"x\":\"DWdWmiweK-cV4i43VmvrDymdRGSij7j3gAPud2VLNws\","
	"\"y\":\"l1TjeoYzGlBpXpXcZFgnsaFGRaSuowtO8kPPoye0i7A\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jwk_set *keys;
	char err[256];

	if (!keys)
		keys = jwk_set_parse(jwks, strlen(jwks), err, sizeof(err));
	if (!keys)
		__builtin_trap(); /* the fixed key set must load */
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0: {
		struct jws_policy p = { .keys = keys, .issuer = "op", .audience = "dev",
					.now = 1800000000, .skew = JWS_CLOCK_SKEW };
		struct app_token t;

		jws_token_check((const char *)data + 1, size - 1, &p, "https://a.example", &t,
				err, sizeof(err));
		break;
	}
	case 1:
		jwk_set_free(jwk_set_parse((const char *)data + 1, size - 1, err, sizeof(err)));
		break;
	case 2:
		jws_revocation_free(jws_revocation_parse((const char *)data + 1, size - 1, err,
							 sizeof(err)));
		break;
	}
	return 0;
}
