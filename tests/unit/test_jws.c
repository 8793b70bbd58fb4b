/*
 * Operator tokens: compact JWS verification (ES256, EdDSA), JWK sets, claims and the
 * revocation list. Tokens are built and signed here with OpenSSL directly (own base64url,
 * own r||s conversion), so a verifier bug cannot hide behind a matching signer bug.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/jwk.h"
#include "auth/jws.h"
#include "auth/jws_b64url.h"
#include "auth/jws_claims.h"
#include "auth/jws_revoke.h"

#define NOW 1800000000LL

static EVP_PKEY *ec_key, *ed_key, *ec_other;
static char jwks_json[2048];
static struct jwk_set *keys;

/* base64url via OpenSSL's base64 encoder, translated and unpadded. */
static char *b64u(const void *data, size_t len)
{
	char *out = malloc(len * 2 + 8);
	int n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);

	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return out;
}

static char *sign_raw(EVP_PKEY *key, const char *header, const char *payload)
{
	char *h = b64u(header, strlen(header)), *p = b64u(payload, strlen(payload));
	size_t inlen = strlen(h) + strlen(p) + 1, siglen = 0;
	char *input = malloc(inlen + 1), *sig64, *tok;
	unsigned char *sig, rs[64];
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ed = EVP_PKEY_is_a(key, "ED25519");

	snprintf(input, inlen + 1, "%s.%s", h, p);
	assert_int_equal(EVP_DigestSignInit(md, NULL, ed ? NULL : EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, NULL, &siglen, (unsigned char *)input, inlen), 1);
	sig = malloc(siglen);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen, (unsigned char *)input, inlen), 1);
	if (ed) {
		assert_int_equal(siglen, 64);
		memcpy(rs, sig, 64);
	} else {
		const unsigned char *q = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &q, (long)siglen);
		const BIGNUM *r, *s;

		assert_non_null(es);
		ECDSA_SIG_get0(es, &r, &s);
		BN_bn2binpad(r, rs, 32);
		BN_bn2binpad(s, rs + 32, 32);
		ECDSA_SIG_free(es);
	}
	sig64 = b64u(rs, 64);
	tok = malloc(inlen + strlen(sig64) + 2);
	if (!tok)
		abort();
	sprintf(tok, "%s.%s", input, sig64);
	free(h);
	free(p);
	free(input);
	free(sig);
	free(sig64);
	EVP_MD_CTX_free(md);
	return tok;
}

static char *hs256(const char *header, const char *payload, const char *secret)
{
	char *h = b64u(header, strlen(header)), *p = b64u(payload, strlen(payload));
	char *input = malloc(strlen(h) + strlen(p) + 2), *mac64, *tok;
	unsigned char mac[32];
	unsigned int maclen = 32;

	if (!input)
		abort();
	sprintf(input, "%s.%s", h, p);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (unsigned char *)input, strlen(input),
	     mac, &maclen);
	mac64 = b64u(mac, maclen);
	tok = malloc(strlen(input) + strlen(mac64) + 2);
	if (!tok)
		abort();
	sprintf(tok, "%s.%s", input, mac64);
	free(h);
	free(p);
	free(input);
	free(mac64);
	return tok;
}

static void ec_xy(EVP_PKEY *k, char **x, char **y)
{
	unsigned char pub[65];
	size_t len = 0;

	assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pub,
							 sizeof(pub), &len), 1);
	assert_int_equal(len, 65);
	*x = b64u(pub + 1, 32);
	*y = b64u(pub + 33, 32);
}

static int setup(void **state)
{
	unsigned char edpub[32];
	size_t edlen = 32;
	char *x, *y, *ex, err[256];

	(void)state;
	ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ec_other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	ed_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ec_key);
	assert_non_null(ed_key);
	assert_int_equal(EVP_PKEY_get_raw_public_key(ed_key, edpub, &edlen), 1);
	ec_xy(ec_key, &x, &y);
	ex = b64u(edpub, 32);
	snprintf(jwks_json, sizeof(jwks_json),
		 "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"ec1\",\"use\":\"sig\","
		 "\"x\":\"%s\",\"y\":\"%s\"},"
		 "{\"kty\":\"RSA\",\"kid\":\"rsa-ignored\",\"n\":\"AQAB\",\"e\":\"AQAB\"},"
		 "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"ed1\",\"alg\":\"EdDSA\","
		 "\"x\":\"%s\"}]}",
		 x, y, ex);
	free(x);
	free(y);
	free(ex);
	keys = jwk_set_parse(jwks_json, strlen(jwks_json), err, sizeof(err));
	if (!keys)
		fail_msg("JWK set refused: %s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	jwk_set_free(keys);
	EVP_PKEY_free(ec_key);
	EVP_PKEY_free(ec_other);
	EVP_PKEY_free(ed_key);
	return 0;
}

static char *claims(const char *extra_or_null, long long nbf, long long exp, const char *aud,
		    const char *scope)
{
	char *buf = malloc(1024);

	snprintf(buf, 1024,
		 "{\"iss\":\"lab-operator\",\"aud\":%s,\"app_id\":\"com.example.phone\","
		 "\"origins\":[\"http://203.0.113.10:8080\",\"https://app.example\"],"
		 "\"scope\":\"%s\",\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,\"jti\":\"tok-1\"%s}",
		 aud, scope, nbf ? nbf : NOW - 10, nbf, exp, extra_or_null ? extra_or_null : "");
	return buf;
}

#define O_OK "https://app.example"

static struct jws_revocation *revoked_list;

static enum jws_result check(const char *tok, const char *origin, struct app_token *t)
{
	struct jws_policy p = {
		.keys = keys, .issuer = "lab-operator", .audience = "device-1",
		.revoked = revoked_list, .now = (time_t)NOW, .skew = JWS_CLOCK_SKEW,
	};
	char detail[256];
	enum jws_result r = jws_token_check(tok, strlen(tok), &p, origin, t, detail,
					    sizeof(detail));

	print_message("# %s: %s\n", jws_result_name(r), detail);
	return r;
}

static enum jws_result check_signed(EVP_PKEY *k, const char *hdr, const char *payload,
				    const char *origin)
{
	struct app_token t;
	char *tok = sign_raw(k, hdr, payload);
	enum jws_result r = check(tok, origin, &t);

	free(tok);
	return r;
}

static void valid_es256_and_eddsa(void **state)
{
	char *c = claims(NULL, NOW - 10, NOW + 3600, "\"device-1\"", "voice video");
	char *c2 = claims(NULL, 0, NOW + 3600, "[\"other\",\"device-1\"]", "messaging bogus");
	char *tok;
	struct app_token t;

	(void)state;
	tok = sign_raw(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec1\"}", c);
	assert_int_equal(check(tok, "http://203.0.113.10:8080", &t), JWS_OK);
	assert_string_equal(t.app_id, "com.example.phone");
	assert_string_equal(t.jti, "tok-1");
	assert_int_equal(t.n_origins, 2);
	assert_int_equal(t.scopes, APP_SCOPE_VOICE | APP_SCOPE_VIDEO);
	assert_int_equal(t.exp, NOW + 3600);
	/* no Origin (not a browser page, or a page hiding it): the binding cannot be checked */
	assert_int_equal(check(tok, NULL, &t), JWS_WRONG_ORIGIN);
	/* origin comparison ignores case of scheme and host */
	assert_int_equal(check(tok, "HTTPS://APP.EXAMPLE", &t), JWS_OK);
	free(tok);

	tok = sign_raw(ed_key, "{\"alg\":\"EdDSA\",\"kid\":\"ed1\",\"typ\":\"JWT\"}", c2);
	assert_int_equal(check(tok, "https://app.example", &t), JWS_OK);
	assert_int_equal(t.scopes, APP_SCOPE_MESSAGING);
	free(tok);
	free(c);
	free(c2);
}

static void refusals(void **state)
{
	char *ok = claims(NULL, NOW - 10, NOW + 3600, "\"device-1\"", "voice");
	char *expired = claims(NULL, NOW - 7200, NOW - JWS_CLOCK_SKEW - 1, "\"device-1\"", "voice");
	char *in_skew = claims(NULL, NOW - 7200, NOW - JWS_CLOCK_SKEW + 1, "\"device-1\"", "voice");
	char *future = claims(NULL, NOW + JWS_CLOCK_SKEW + 5, NOW + 7200, "\"device-1\"", "voice");
	char *other_dev = claims(NULL, NOW, NOW + 60, "\"device-2\"", "voice");
	const char *o = "https://app.example";
	const char *es = "{\"alg\":\"ES256\",\"kid\":\"ec1\"}";

	(void)state;
	assert_int_equal(check_signed(ec_key, es, expired, o), JWS_EXPIRED);
	assert_int_equal(check_signed(ec_key, es, in_skew, o), JWS_OK);
	assert_int_equal(check_signed(ec_key, es, future, o), JWS_NOT_YET_VALID);
	assert_int_equal(check_signed(ec_key, es, other_dev, o), JWS_WRONG_AUDIENCE);
	assert_int_equal(check_signed(ec_key, es, ok, "https://evil.example"), JWS_WRONG_ORIGIN);
	assert_int_equal(check_signed(ec_key, es, ok, "https://app.example.evil"),
			 JWS_WRONG_ORIGIN);
	/* signed by a key that is not the one named */
	assert_int_equal(check_signed(ec_other, es, ok, o), JWS_BAD_SIGNATURE);
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\",\"kid\":\"nope\"}", ok, o),
			 JWS_UNKNOWN_KEY);
	/* no kid, and the set has more than one key */
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\"}", ok, o), JWS_UNKNOWN_KEY);
	/* alg does not fit the key type: EdDSA header naming the EC key, and the reverse */
	assert_int_equal(check_signed(ed_key, "{\"alg\":\"EdDSA\",\"kid\":\"ec1\"}", ok, o),
			 JWS_BAD_ALG);
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ed1\"}", ok, o),
			 JWS_BAD_ALG);
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES384\",\"kid\":\"ec1\"}", ok, o),
			 JWS_BAD_ALG);
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec1\",\"crit\":[\"b64\"]}",
				      ok, o), JWS_MALFORMED);
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\",\"kid\":7}", ok, o),
			 JWS_MALFORMED);
	free(ok);
	free(expired);
	free(in_skew);
	free(future);
	free(other_dev);
}

static void wrong_issuer_and_bad_claims(void **state)
{
	const char *es = "{\"alg\":\"ES256\",\"kid\":\"ec1\"}";
	static const char *const bad[] = {
		"[1,2]",
		"{}",
		"{\"iss\":\"lab-operator\",\"aud\":\"device-1\",\"app_id\":\"a\",\"origins\":[],"
		"\"scope\":\"voice\",\"exp\":1900000000,\"jti\":\"j\"}",
		"{\"iss\":\"lab-operator\",\"aud\":\"device-1\",\"app_id\":\"a\",\"origins\":[\"o\"],"
		"\"scope\":\"voice\",\"exp\":\"soon\",\"jti\":\"j\"}",
		"{\"iss\":\"lab-operator\",\"aud\":\"device-1\",\"app_id\":\"a\",\"origins\":[\"o\"],"
		"\"scope\":\"voice\",\"exp\":1900000000}",
		"{\"iss\":\"lab-operator\",\"aud\":5,\"app_id\":\"a\",\"origins\":[\"o\"],"
		"\"scope\":\"voice\",\"exp\":1900000000,\"jti\":\"j\"}",
		"{\"iss\":\"lab-operator\",\"aud\":\"device-1\",\"app_id\":\"a\",\"origins\":[1],"
		"\"scope\":\"voice\",\"exp\":1900000000,\"jti\":\"j\"}",
		"{\"iss\":\"x\",\"iss\":\"y\"}",
	};

	(void)state;
	assert_int_equal(check_signed(ec_key, es,
				      "{\"iss\":\"someone-else\",\"aud\":\"device-1\",\"app_id\":\"a\","
				      "\"origins\":[\"o\"],\"scope\":\"voice\",\"iat\":1800000000,"
				      "\"exp\":1800003600,"
				      "\"jti\":\"j\"}", "o"),
			 JWS_WRONG_ISSUER);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (check_signed(ec_key, es, bad[i], "o") != JWS_MALFORMED)
			fail_msg("bad claims %zu accepted", i);
}

static void alg_none_and_hmac_confusion(void **state)
{
	char *ok = claims(NULL, NOW - 10, NOW + 3600, "\"device-1\"", "voice");
	char *h = b64u("{\"alg\":\"none\"}", 14), *p = b64u(ok, strlen(ok));
	char tok[2048];
	struct app_token t;
	char *hs;

	(void)state;
	snprintf(tok, sizeof(tok), "%s.%s.", h, p);
	assert_int_equal(check(tok, O_OK, &t), JWS_BAD_ALG);
	/* HS256 keyed with the public JWK set text (the classic alg-confusion attack) */
	hs = hs256("{\"alg\":\"HS256\",\"kid\":\"ec1\"}", ok, jwks_json);
	assert_int_equal(check(hs, NULL, &t), JWS_BAD_ALG);
	free(hs);
	hs = hs256("{\"alg\":\"HS256\"}", ok, "");
	assert_int_equal(check(hs, NULL, &t), JWS_BAD_ALG);
	free(hs);
	free(h);
	free(p);
	free(ok);
}

static void malformed_compact_forms(void **state)
{
	char *ok = claims(NULL, NOW - 10, NOW + 3600, "\"device-1\"", "voice");
	char *tok = sign_raw(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec1\"}", ok);
	char buf[4096];
	struct app_token t;
	size_t len = strlen(tok);
	char *last = strrchr(tok, '.');

	(void)state;
	assert_int_equal(check(tok, O_OK, &t), JWS_OK);
	assert_int_equal(check("", O_OK, &t), JWS_NO_TOKEN);
	assert_int_equal(check("abc", O_OK, &t), JWS_MALFORMED);
	assert_int_equal(check("a.b", O_OK, &t), JWS_MALFORMED);
	assert_int_equal(check("a.b.c.d", O_OK, &t), JWS_MALFORMED);
	assert_int_equal(check("e30.e30.", O_OK, &t), JWS_MALFORMED); /* {} has no alg */
	/* padding, whitespace and standard-base64 characters are refused */
	snprintf(buf, sizeof(buf), "%s=", tok);
	assert_int_equal(check(buf, O_OK, &t), JWS_MALFORMED);
	snprintf(buf, sizeof(buf), "%s ", tok);
	assert_int_equal(check(buf, O_OK, &t), JWS_MALFORMED);
	snprintf(buf, sizeof(buf), "%s", tok);
	buf[3] = '+';
	assert_int_equal(check(buf, O_OK, &t), JWS_MALFORMED);
	/* a signature of the wrong length */
	snprintf(buf, sizeof(buf), "%.*sAAAA", (int)(last + 1 - tok), tok);
	assert_int_equal(check(buf, O_OK, &t), JWS_BAD_SIGNATURE);
	/* one changed payload character breaks the signature */
	snprintf(buf, sizeof(buf), "%s", tok);
	buf[(strchr(tok, '.') - tok) + 5] ^= 1;
	assert_int_not_equal(check(buf, O_OK, &t), JWS_OK);
	/* ES256 signature with s flipped */
	snprintf(buf, sizeof(buf), "%s", tok);
	buf[len - 3] = buf[len - 3] == 'A' ? 'B' : 'A';
	assert_int_equal(check(buf, O_OK, &t), JWS_BAD_SIGNATURE);
	free(tok);
	free(ok);
}

static void revoked_jti(void **state)
{
	const char *list = "# revoked by the operator\n\n  tok-0  \ntok-1\r\nzzz\n";
	char *ok = claims(NULL, NOW - 10, NOW + 3600, "\"device-1\"", "voice");
	char err[256];

	(void)state;
	revoked_list = jws_revocation_parse(list, strlen(list), err, sizeof(err));
	assert_non_null(revoked_list);
	assert_int_equal(revoked_list->count, 3);
	assert_true(jws_revocation_has(revoked_list, "tok-0"));
	assert_false(jws_revocation_has(revoked_list, "tok-2"));
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec1\"}", ok, O_OK),
			 JWS_REVOKED);
	jws_revocation_free(revoked_list);
	revoked_list = NULL;
	assert_int_equal(check_signed(ec_key, "{\"alg\":\"ES256\",\"kid\":\"ec1\"}", ok, O_OK),
			 JWS_OK);
	free(ok);
}

/*
 * A token's lifetime (exp - iat) is bounded by the device's policy, iat is required and
 * may not lie in the future, an empty issuer policy trusts no issuer, and a request
 * without an Origin is refused.
 */
static void lifetime_iat_issuer_origin(void **state)
{
	const char *es = "{\"alg\":\"ES256\",\"kid\":\"ec1\"}";
	char c[512];
	struct jws_policy p = {
		.keys = keys, .issuer = "lab-operator", .audience = "device-1",
		.now = (time_t)NOW, .skew = JWS_CLOCK_SKEW,
	};
	struct app_token t;
	char detail[256], *tok;
#define CLAIMS(iat_json, exp)                                                              \
	snprintf(c, sizeof(c),                                                             \
		 "{\"iss\":\"lab-operator\",\"aud\":\"device-1\",\"app_id\":\"a\","            \
		 "\"origins\":[\"https://app.example\"],\"scope\":\"voice\",%s"               \
		 "\"exp\":%lld,\"jti\":\"j\"}", iat_json, (long long)(exp))
#define RUN(want)                                                                          \
	do {                                                                               \
		tok = sign_raw(ec_key, es, c);                                             \
		assert_int_equal(jws_token_check(tok, strlen(tok), &p, O_OK, &t, detail,   \
						 sizeof(detail)), want);                   \
		print_message("# %s\n", detail);                                          \
		free(tok);                                                                 \
	} while (0)

	(void)state;
	/* ten years: refused under the default ceiling (one day) */
	CLAIMS("\"iat\":1800000000,", NOW + 10LL * 365 * 86400);
	RUN(JWS_TOO_LONG);
	CLAIMS("\"iat\":1800000000,", NOW + JWS_DEFAULT_MAX_LIFETIME);
	RUN(JWS_OK);
	CLAIMS("\"iat\":1800000000,", NOW + JWS_DEFAULT_MAX_LIFETIME + 1);
	RUN(JWS_TOO_LONG);
	/* the ceiling is the policy's */
	p.max_lifetime = 600;
	CLAIMS("\"iat\":1800000000,", NOW + 601);
	RUN(JWS_TOO_LONG);
	CLAIMS("\"iat\":1800000000,", NOW + 600);
	RUN(JWS_OK);
	/* a long-lived token cannot pass by backdating exp - iat: iat far in the past */
	CLAIMS("\"iat\":1799999000,", NOW + 300);
	RUN(JWS_TOO_LONG);
	/* iat required, an integer, not in the future beyond the skew */
	CLAIMS("", NOW + 300);
	RUN(JWS_MALFORMED);
	CLAIMS("\"iat\":\"now\",", NOW + 300);
	RUN(JWS_MALFORMED);
	CLAIMS("\"iat\":1800000100,", NOW + 600);
	RUN(JWS_NOT_YET_VALID);
	CLAIMS("\"iat\":1800000050,", NOW + 600);
	RUN(JWS_OK);
	/* no issuer configured: nothing is trusted (the check is never silently off) */
	p.issuer = "";
	CLAIMS("\"iat\":1800000000,", NOW + 300);
	RUN(JWS_WRONG_ISSUER);
	p.issuer = NULL;
	RUN(JWS_WRONG_ISSUER);
	p.issuer = "lab-operator";
	RUN(JWS_OK);
	/* no Origin header: refused, not "not known yet" */
	tok = sign_raw(ec_key, es, c);
	assert_int_equal(jws_token_check(tok, strlen(tok), &p, NULL, &t, detail, sizeof(detail)),
			 JWS_WRONG_ORIGIN);
	free(tok);
#undef CLAIMS
#undef RUN
}

static void no_keys(void **state)
{
	struct jws_policy p = { .audience = "device-1", .now = (time_t)NOW };
	struct app_token t;
	char detail[128];

	(void)state;
	assert_int_equal(jws_token_check("a.b.c", 5, &p, NULL, &t, detail, sizeof(detail)),
			 JWS_NO_KEYS);
}

static void b64url_strict(void **state)
{
	uint8_t out[16];
	char enc[16];

	(void)state;
	assert_int_equal(b64url_decode("QQ", 2, out), 1);
	assert_int_equal(out[0], 'A');
	assert_int_equal(b64url_decode("QR", 2, out), -EINVAL); /* non-zero spare bits */
	assert_int_equal(b64url_decode("Q", 1, out), -EINVAL);
	assert_int_equal(b64url_decode("QQ==", 4, out), -EINVAL);
	assert_int_equal(b64url_decode("Q Q", 3, out), -EINVAL);
	assert_int_equal(b64url_decode("-_-_", 4, out), 3);
	assert_int_equal(out[0], 0xfb);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(out[2], 0xbf);
	assert_int_equal(b64url_encode((const uint8_t *)"\xfb\xff\xbf\x41", 4, enc), 6);
	assert_string_equal(enc, "-_-_QQ");
}

static void jwk_set_errors(void **state)
{
	static const char *const bad[] = {
		"not json",
		"{\"keys\":{}}",
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}",
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"use\":\"enc\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}",
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"alg\":\"ES256\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}",
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"11qYAYKx\"}]}",
		"{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"},"
		"{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}",
		/* (1, 1) is not on P-256 */
		"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"a\","
		"\"x\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\","
		"\"y\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE\"}]}",
	};
	const char *good = "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"a\","
			   "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}]}";
	struct jwk_set *set;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set = jwk_set_parse(bad[i], strlen(bad[i]), err, sizeof(err));
		if (set)
			fail_msg("bad JWK set %zu accepted", i);
		print_message("# set %zu: %s\n", i, err);
	}
	set = jwk_set_parse(good, strlen(good), err, sizeof(err));
	assert_non_null(set);
	assert_int_equal(set->count, 1);
	assert_non_null(jwk_set_find(set, "a"));
	jwk_set_free(set);
	assert_null(jwk_set_load_file("/nonexistent/jwks.json", err, sizeof(err)));
	assert_string_equal(err, "/nonexistent/jwks.json: cannot open: No such file or directory");
}

/* The signer nwitctl uses: its tokens verify with the test's own OpenSSL calls. */
static void library_signer(void **state)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:I, s:I, s:s}", "iss",
			      "lab-operator", "aud", "device-1", "app_id", "x", "origins",
			      "https://app.example", "scope", "voice", "iat", (json_int_t)NOW,
			      "exp", (json_int_t)(NOW + 100), "jti", "j9");
	char err[128], *tok, *dot;
	uint8_t sig[80], der[80];
	unsigned char *pder = der;
	struct app_token t;
	EVP_MD_CTX *md;
	ECDSA_SIG *es;
	long n;
	int dlen;

	(void)state;
	tok = jws_sign(c, ec_key, "ec1", err, sizeof(err));
	assert_non_null(tok);
	assert_int_equal(check(tok, "https://app.example", &t), JWS_OK);
	/* independent check of the r||s signature */
	dot = strrchr(tok, '.');
	n = b64url_decode(dot + 1, strlen(dot + 1), sig);
	assert_int_equal(n, 64);
	es = ECDSA_SIG_new();
	ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32, NULL));
	dlen = i2d_ECDSA_SIG(es, &pder);
	ECDSA_SIG_free(es);
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, ec_key), 1);
	assert_int_equal(EVP_DigestVerify(md, der, (size_t)dlen, (unsigned char *)tok,
					  (size_t)(dot - tok)), 1);
	EVP_MD_CTX_free(md);
	free(tok);
	tok = jws_sign(c, ed_key, "ed1", err, sizeof(err));
	assert_non_null(tok);
	assert_int_equal(check(tok, "https://app.example", &t), JWS_OK);
	free(tok);
	json_decref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_es256_and_eddsa),
		cmocka_unit_test(refusals),
		cmocka_unit_test(wrong_issuer_and_bad_claims),
		cmocka_unit_test(lifetime_iat_issuer_origin),
		cmocka_unit_test(alg_none_and_hmac_confusion),
		cmocka_unit_test(malformed_compact_forms),
		cmocka_unit_test(revoked_jti),
		cmocka_unit_test(no_keys),
		cmocka_unit_test(b64url_strict),
		cmocka_unit_test(jwk_set_errors),
		cmocka_unit_test(library_signer),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
