#include "auth/jwk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "auth/jws_b64url.h"

const char *jwk_type_alg(enum jwk_type type)
{
	switch (type) {
	case JWK_TYPE_EC_P256:
		return "ES256";
	case JWK_TYPE_ED25519:
		return "EdDSA";
	case JWK_TYPE_INVALID:
		break;
	}
	return "none";
}

/* Decode member name of key into exactly len bytes. */
static int get_coord(json_t *key, const char *name, uint8_t *out, size_t len)
{
	const char *s = json_string_value(json_object_get(key, name));
	uint8_t buf[B64URL_DECODED_MAX(64)];
	size_t slen;

	if (!s)
		return -EINVAL;
	slen = strlen(s);
	if (slen > 64 || b64url_decode(s, slen, buf) != (long)len)
		return -EINVAL;
	memcpy(out, buf, len);
	return 0;
}

static EVP_PKEY *ec_p256_from(const uint8_t x[32], const uint8_t y[32])
{
	uint8_t point[65];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;

	point[0] = 0x04; /* uncompressed */
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	if (!bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		pkey = NULL;
		goto out;
	}
	/* fromdata does not check that the point is on the curve */
	EVP_PKEY_CTX_free(ctx);
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	if (!ctx || EVP_PKEY_public_check(ctx) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return pkey;
}

static int parse_key(json_t *key, size_t idx, struct jwk *out, char *err, size_t errlen)
{
	const char *kty = json_string_value(json_object_get(key, "kty"));
	const char *crv = json_string_value(json_object_get(key, "crv"));
	const char *kid = json_string_value(json_object_get(key, "kid"));
	json_t *use = json_object_get(key, "use"), *alg = json_object_get(key, "alg");
	uint8_t x[32], y[32];

	memset(out, 0, sizeof(*out));
	if (!json_is_object(key)) {
		snprintf(err, errlen, "key %zu: not an object", idx);
		return -EINVAL;
	}
	if (kty && crv && strcmp(kty, "EC") == 0 && strcmp(crv, "P-256") == 0)
		out->type = JWK_TYPE_EC_P256;
	else if (kty && crv && strcmp(kty, "OKP") == 0 && strcmp(crv, "Ed25519") == 0)
		out->type = JWK_TYPE_ED25519;
	else
		return 0; /* not a type we verify with: skipped */

	if (!kid || kid[0] == '\0' || strlen(kid) >= sizeof(out->kid)) {
		snprintf(err, errlen, "key %zu: missing, empty or overlong \"kid\"", idx);
		return -EINVAL;
	}
	if (use && (!json_is_string(use) || strcmp(json_string_value(use), "sig") != 0)) {
		snprintf(err, errlen, "key %s: \"use\" is not \"sig\"", kid);
		return -EINVAL;
	}
	if (alg && (!json_is_string(alg) ||
		    strcmp(json_string_value(alg), jwk_type_alg(out->type)) != 0)) {
		snprintf(err, errlen, "key %s: \"alg\" does not fit a %s key", kid, crv);
		return -EINVAL;
	}
	if (get_coord(key, "x", x, 32) < 0 ||
	    (out->type == JWK_TYPE_EC_P256 && get_coord(key, "y", y, 32) < 0)) {
		snprintf(err, errlen, "key %s: coordinates are not 32-byte base64url values", kid);
		return -EINVAL;
	}
	if (out->type == JWK_TYPE_EC_P256)
		out->pkey = ec_p256_from(x, y);
	else
		out->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
	if (!out->pkey) {
		snprintf(err, errlen, "key %s: not a valid %s public key", kid, crv);
		return -EINVAL;
	}
	snprintf(out->kid, sizeof(out->kid), "%s", kid);
	return 1;
}

void jwk_set_free(struct jwk_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->count; i++)
		EVP_PKEY_free(set->keys[i].pkey);
	free(set->keys);
	free(set);
}

const struct jwk *jwk_set_find(const struct jwk_set *set, const char *kid)
{
	if (!set || !kid)
		return NULL;
	for (size_t i = 0; i < set->count; i++)
		if (strcmp(set->keys[i].kid, kid) == 0)
			return &set->keys[i];
	return NULL;
}

struct jwk_set *jwk_set_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct jwk_set *set = NULL;
	json_error_t jerr;
	json_t *root, *keys, *key;
	size_t i;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, errlen, "not JSON: line %d: %s", jerr.line, jerr.text);
		return NULL;
	}
	keys = json_object_get(root, "keys");
	if (!json_is_array(keys)) {
		snprintf(err, errlen, "no \"keys\" array");
		goto fail;
	}
	if (json_array_size(keys) > JWK_SET_MAX_KEYS) {
		snprintf(err, errlen, "more than %d keys", JWK_SET_MAX_KEYS);
		goto fail;
	}
	set = calloc(1, sizeof(*set));
	if (!set || !(set->keys = calloc(json_array_size(keys) + 1, sizeof(*set->keys)))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	json_array_foreach(keys, i, key) {
		struct jwk *k = &set->keys[set->count];
		int rc = parse_key(key, i, k, err, errlen);

		if (rc < 0)
			goto fail;
		if (rc == 0)
			continue;
		if (jwk_set_find(set, k->kid)) {
			snprintf(err, errlen, "kid %s appears twice", k->kid);
			EVP_PKEY_free(k->pkey);
			goto fail;
		}
		set->count++;
	}
	json_decref(root);
	return set;
fail:
	jwk_set_free(set);
	json_decref(root);
	return NULL;
}

struct jwk_set *jwk_set_load_file(const char *path, char *err, size_t errlen)
{
	struct jwk_set *set = NULL;
	char *text = malloc(JWK_SET_MAX_FILE + 1);
	char inner[256];
	size_t len;
	FILE *f;

	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	len = fread(text, 1, JWK_SET_MAX_FILE + 1, f);
	if (ferror(f))
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
	else if (len > JWK_SET_MAX_FILE)
		snprintf(err, errlen, "%s: larger than %d bytes", path, JWK_SET_MAX_FILE);
	else if (!(set = jwk_set_parse(text, len, inner, sizeof(inner))))
		snprintf(err, errlen, "%s: %s", path, inner);
	fclose(f);
out:
	free(text);
	return set;
}
