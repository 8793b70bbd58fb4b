#include "auth/jws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "auth/jws_b64url.h"

static const struct {
	const char *name, *text;
} results[JWS__COUNT] = {
	[JWS_INVALID] = { "invalid", "Internal error" },
	[JWS_OK] = { "ok", "OK" },
	[JWS_NO_TOKEN] = { "no_token", "Operator authorization required" },
	[JWS_MALFORMED] = { "malformed", "Malformed token" },
	[JWS_BAD_ALG] = { "bad_alg", "Token algorithm not accepted" },
	[JWS_UNKNOWN_KEY] = { "unknown_key", "Token signed by an unknown key" },
	[JWS_BAD_SIGNATURE] = { "bad_signature", "Bad token signature" },
	[JWS_WRONG_ISSUER] = { "wrong_issuer", "Token from another issuer" },
	[JWS_WRONG_AUDIENCE] = { "wrong_audience", "Token for another device" },
	[JWS_EXPIRED] = { "expired", "Token expired" },
	[JWS_NOT_YET_VALID] = { "not_yet_valid", "Token not yet valid" },
	[JWS_REVOKED] = { "revoked", "Token revoked" },
	[JWS_WRONG_ORIGIN] = { "wrong_origin", "Origin not allowed by token" },
	[JWS_MISSING_SCOPE] = { "missing_scope", "Missing scope" },
	[JWS_NO_KEYS] = { "no_keys", "No operator keys configured" },
	[JWS_TOO_LONG] = { "lifetime_too_long", "Token lifetime too long" },
};

const char *jws_result_name(enum jws_result r)
{
	return r > JWS_INVALID && r < JWS__COUNT ? results[r].name : results[0].name;
}

const char *jws_result_text(enum jws_result r)
{
	return r > JWS_INVALID && r < JWS__COUNT ? results[r].text : results[0].text;
}

static enum jws_result refuse(enum jws_result r, char *detail, size_t len, const char *what)
{
	snprintf(detail, len, "%s", what);
	return r;
}

/* Decode one base64url part into a malloc'ed buffer (NUL-terminated for JSON). */
static uint8_t *decode_part(const char *s, size_t len, size_t *outlen)
{
	uint8_t *buf = malloc(B64URL_DECODED_MAX(len) + 1);
	long n;

	if (!buf)
		return NULL;
	n = b64url_decode(s, len, buf);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*outlen = (size_t)n;
	return buf;
}

/* JWS ES256 signatures are r||s (RFC 7518 section 3.4); OpenSSL wants DER. */
static int es256_to_der(const uint8_t *sig, size_t len, uint8_t **der, size_t *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r, *s;
	int n;

	if (!es || len != 64)
		goto fail;
	r = BN_bin2bn(sig, 32, NULL);
	s = BN_bin2bn(sig + 32, 32, NULL);
	if (!r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		goto fail;
	}
	*der = NULL;
	n = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return -ENOMEM;
	*derlen = (size_t)n;
	return 0;
fail:
	ECDSA_SIG_free(es);
	return -EINVAL;
}

static int verify_sig(const struct jwk *key, const char *input, size_t inlen,
		      const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	uint8_t *der = NULL;
	size_t derlen = 0;
	int ok = 0;

	if (!md)
		return 0;
	if (key->type == JWK_TYPE_EC_P256) {
		if (es256_to_der(sig, siglen, &der, &derlen) < 0)
			goto out;
		ok = EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
		     EVP_DigestVerify(md, der, derlen, (const uint8_t *)input, inlen) == 1;
	} else if (key->type == JWK_TYPE_ED25519) {
		ok = siglen == 64 &&
		     EVP_DigestVerifyInit(md, NULL, NULL, NULL, key->pkey) == 1 &&
		     EVP_DigestVerify(md, sig, siglen, (const uint8_t *)input, inlen) == 1;
	}
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return ok;
}

enum jws_result jws_verify(const char *token, size_t len, const struct jwk_set *keys,
			   json_t **claims, char *detail, size_t detaillen)
{
	const char *dot1, *dot2, *alg, *kid;
	uint8_t *hdr_raw = NULL, *pay_raw = NULL, *sig = NULL;
	size_t hdr_len, pay_len, sig_len;
	json_t *hdr = NULL, *pay = NULL;
	const struct jwk *key;
	enum jws_result r;

	*claims = NULL;
	if (!token || len == 0)
		return refuse(JWS_NO_TOKEN, detail, detaillen, "no token");
	if (!keys || keys->count == 0)
		return refuse(JWS_NO_KEYS, detail, detaillen, "no operator keys loaded");
	if (len > JWS_MAX_TOKEN)
		return refuse(JWS_MALFORMED, detail, detaillen, "token too long");
	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
	if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
		return refuse(JWS_MALFORMED, detail, detaillen, "not three dot-separated parts");
	hdr_raw = decode_part(token, (size_t)(dot1 - token), &hdr_len);
	pay_raw = decode_part(dot1 + 1, (size_t)(dot2 - dot1 - 1), &pay_len);
	sig = decode_part(dot2 + 1, len - (size_t)(dot2 + 1 - token), &sig_len);
	if (!hdr_raw || !pay_raw || !sig) {
		r = refuse(JWS_MALFORMED, detail, detaillen, "a part is not strict base64url");
		goto out;
	}
	hdr = json_loadb((const char *)hdr_raw, hdr_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(hdr)) {
		r = refuse(JWS_MALFORMED, detail, detaillen, "header is not a JSON object");
		goto out;
	}
	if (json_object_get(hdr, "crit")) {
		r = refuse(JWS_MALFORMED, detail, detaillen, "header has critical extensions");
		goto out;
	}
	alg = json_string_value(json_object_get(hdr, "alg"));
	if (!alg) {
		r = refuse(JWS_MALFORMED, detail, detaillen, "header has no \"alg\"");
		goto out;
	}
	if (strcmp(alg, "ES256") != 0 && strcmp(alg, "EdDSA") != 0) {
		snprintf(detail, detaillen, "alg %.32s is not accepted (ES256, EdDSA only)", alg);
		r = JWS_BAD_ALG;
		goto out;
	}
	kid = json_string_value(json_object_get(hdr, "kid"));
	if (json_object_get(hdr, "kid") && !kid) {
		r = refuse(JWS_MALFORMED, detail, detaillen, "\"kid\" is not a string");
		goto out;
	}
	if (kid)
		key = jwk_set_find(keys, kid);
	else
		key = keys->count == 1 ? &keys->keys[0] : NULL;
	if (!key) {
		snprintf(detail, detaillen, "kid %.64s is not in the operator key set",
			 kid ? kid : "(none)");
		r = JWS_UNKNOWN_KEY;
		goto out;
	}
	if (strcmp(alg, jwk_type_alg(key->type)) != 0) {
		snprintf(detail, detaillen, "alg %s does not fit key %s (%s)", alg, key->kid,
			 jwk_type_alg(key->type));
		r = JWS_BAD_ALG;
		goto out;
	}
	if (!verify_sig(key, token, (size_t)(dot2 - token), sig, sig_len)) {
		snprintf(detail, detaillen, "signature does not verify with key %s", key->kid);
		r = JWS_BAD_SIGNATURE;
		goto out;
	}
	pay = json_loadb((const char *)pay_raw, pay_len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(pay)) {
		json_decref(pay);
		r = refuse(JWS_MALFORMED, detail, detaillen, "payload is not a JSON object");
		goto out;
	}
	*claims = pay;
	r = refuse(JWS_OK, detail, detaillen, "signature verified");
out:
	json_decref(hdr);
	free(hdr_raw);
	free(pay_raw);
	free(sig);
	return r;
}

/* DER ECDSA signature -> fixed 64-byte r||s. */
static int der_to_es256(const uint8_t *der, size_t len, uint8_t out[64])
{
	const uint8_t *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	int ok;

	if (!es)
		return -EINVAL;
	ECDSA_SIG_get0(es, &r, &s);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(s, out + 32, 32) == 32;
	ECDSA_SIG_free(es);
	return ok ? 0 : -EINVAL;
}

char *jws_sign(json_t *claims, EVP_PKEY *key, const char *kid, char *err, size_t errlen)
{
	char *hdr_json = NULL, *pay_json = NULL, *out = NULL;
	uint8_t *sig = NULL, raw[64];
	EVP_MD_CTX *md = NULL;
	const char *alg;
	size_t siglen = 0, pos, hlen, plen;
	json_t *hdr;
	int ed;

	if (EVP_PKEY_is_a(key, "ED25519")) {
		alg = "EdDSA";
		ed = 1;
	} else if (EVP_PKEY_is_a(key, "EC")) {
		char group[32];

		if (!EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), NULL) ||
		    (strcmp(group, "prime256v1") != 0 && strcmp(group, "P-256") != 0)) {
			snprintf(err, errlen, "EC key is not on P-256");
			return NULL;
		}
		alg = "ES256";
		ed = 0;
	} else {
		snprintf(err, errlen, "key is neither EC P-256 nor Ed25519");
		return NULL;
	}
	hdr = json_pack("{s:s, s:s, s:s?}", "alg", alg, "typ", "JWT", "kid", kid);
	hdr_json = hdr ? json_dumps(hdr, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(hdr);
	pay_json = json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS);
	if (!hdr_json || !pay_json)
		goto nomem;
	hlen = strlen(hdr_json);
	plen = strlen(pay_json);
	out = malloc(B64URL_ENCODED_SIZE(hlen) + B64URL_ENCODED_SIZE(plen) +
		     B64URL_ENCODED_SIZE(64) + 2);
	md = EVP_MD_CTX_new();
	if (!out || !md)
		goto nomem;
	pos = b64url_encode((const uint8_t *)hdr_json, hlen, out);
	out[pos++] = '.';
	pos += b64url_encode((const uint8_t *)pay_json, plen, out + pos);
	if (EVP_DigestSignInit(md, NULL, ed ? NULL : EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (uint8_t *)out, pos) != 1 ||
	    !(sig = OPENSSL_malloc(siglen)) ||
	    EVP_DigestSign(md, sig, &siglen, (uint8_t *)out, pos) != 1) {
		snprintf(err, errlen, "signing failed");
		goto fail;
	}
	if (ed) {
		memcpy(raw, sig, 64);
	} else if (der_to_es256(sig, siglen, raw) < 0) {
		snprintf(err, errlen, "cannot convert the ECDSA signature");
		goto fail;
	}
	out[pos++] = '.';
	b64url_encode(raw, 64, out + pos);
	OPENSSL_free(sig);
	EVP_MD_CTX_free(md);
	free(hdr_json);
	free(pay_json);
	return out;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	OPENSSL_free(sig);
	EVP_MD_CTX_free(md);
	free(hdr_json);
	free(pay_json);
	free(out);
	return NULL;
}
