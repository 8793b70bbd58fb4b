#include "auth/jws_claims.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const scope_names[] = { "voice", "video", "messaging", "file-transfer" };

unsigned app_scope_from_name(const char *name, size_t len)
{
	for (unsigned i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
		if (strlen(scope_names[i]) == len && memcmp(scope_names[i], name, len) == 0)
			return 1u << i;
	return 0;
}

const char *app_scope_name(unsigned scope)
{
	for (unsigned i = 0; i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
		if (scope == 1u << i)
			return scope_names[i];
	return "unknown";
}

json_t *app_scopes_to_json(unsigned scopes)
{
	json_t *arr = json_array();

	for (unsigned i = 0; arr && i < sizeof(scope_names) / sizeof(scope_names[0]); i++)
		if (scopes & (1u << i))
			json_array_append_new(arr, json_string(scope_names[i]));
	return arr;
}

int app_token_origin_allowed(const struct app_token *t, const char *origin)
{
	if (!origin)
		return 0;
	/* scheme and host are case-insensitive (RFC 6454 section 4) */
	for (unsigned i = 0; i < t->n_origins; i++)
		if (strcasecmp(t->origins[i], origin) == 0)
			return 1;
	return 0;
}

static enum jws_result malformed(char *detail, size_t len, const char *claim)
{
	snprintf(detail, len, "claim \"%s\" is missing or has the wrong type or size", claim);
	return JWS_MALFORMED;
}

static int copy_str(json_t *v, char *dst, size_t size)
{
	const char *s = json_string_value(v);

	if (!s || s[0] == '\0' || json_string_length(v) >= size ||
	    strlen(s) != json_string_length(v))
		return -1;
	memcpy(dst, s, json_string_length(v) + 1);
	return 0;
}

static int audience_matches(json_t *aud, const char *want, int *bad_type)
{
	size_t i;
	json_t *v;

	*bad_type = 0;
	if (json_is_string(aud))
		return want && strcmp(json_string_value(aud), want) == 0;
	if (!json_is_array(aud) || json_array_size(aud) == 0) {
		*bad_type = 1;
		return 0;
	}
	json_array_foreach(aud, i, v) {
		if (!json_is_string(v)) {
			*bad_type = 1;
			return 0;
		}
		if (want && strcmp(json_string_value(v), want) == 0)
			return 1;
	}
	return 0;
}

static int parse_scopes(const char *s, unsigned *out)
{
	*out = 0;
	while (*s) {
		size_t n;

		while (*s == ' ')
			s++;
		n = strcspn(s, " ");
		if (n > 0)
			*out |= app_scope_from_name(s, n); /* unknown scopes grant nothing */
		s += n;
	}
	return 0;
}

enum jws_result jws_claims_check(json_t *claims, const struct jws_policy *p,
				 const char *origin, struct app_token *out, char *detail,
				 size_t detaillen)
{
	json_t *origins, *v;
	const char *iss, *scope;
	int64_t max_lifetime;
	int bad_type;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (copy_str(json_object_get(claims, "app_id"), out->app_id, sizeof(out->app_id)) < 0)
		return malformed(detail, detaillen, "app_id");
	if (copy_str(json_object_get(claims, "jti"), out->jti, sizeof(out->jti)) < 0)
		return malformed(detail, detaillen, "jti");
	iss = json_string_value(json_object_get(claims, "iss"));
	if (!iss)
		return malformed(detail, detaillen, "iss");
	v = json_object_get(claims, "exp");
	if (!json_is_integer(v))
		return malformed(detail, detaillen, "exp");
	out->exp = json_integer_value(v);
	v = json_object_get(claims, "iat");
	if (!json_is_integer(v))
		return malformed(detail, detaillen, "iat");
	out->iat = json_integer_value(v);
	v = json_object_get(claims, "nbf");
	if (v && !json_is_integer(v))
		return malformed(detail, detaillen, "nbf");
	out->nbf = v ? json_integer_value(v) : 0;
	scope = json_string_value(json_object_get(claims, "scope"));
	if (!scope)
		return malformed(detail, detaillen, "scope");
	parse_scopes(scope, &out->scopes);
	origins = json_object_get(claims, "origins");
	if (!json_is_array(origins) || json_array_size(origins) == 0 ||
	    json_array_size(origins) > APP_MAX_ORIGINS)
		return malformed(detail, detaillen, "origins");
	json_array_foreach(origins, i, v) {
		if (copy_str(v, out->origins[i], APP_ORIGIN_MAX) < 0)
			return malformed(detail, detaillen, "origins");
	}
	out->n_origins = (unsigned)json_array_size(origins);

	if (!p->issuer || !p->issuer[0]) {
		snprintf(detail, detaillen, "no [app] token_issuer configured: no issuer is trusted");
		return JWS_WRONG_ISSUER;
	}
	if (strcmp(iss, p->issuer) != 0) {
		snprintf(detail, detaillen, "issuer %.64s is not %.64s", iss, p->issuer);
		return JWS_WRONG_ISSUER;
	}
	if (!audience_matches(json_object_get(claims, "aud"), p->audience, &bad_type)) {
		if (bad_type || !json_object_get(claims, "aud"))
			return malformed(detail, detaillen, "aud");
		snprintf(detail, detaillen, "audience does not name this device (%.64s)",
			 p->audience ? p->audience : "none configured");
		return JWS_WRONG_AUDIENCE;
	}
	if ((int64_t)p->now > out->exp + p->skew) {
		snprintf(detail, detaillen, "expired %lld s ago",
			 (long long)((int64_t)p->now - out->exp));
		return JWS_EXPIRED;
	}
	if ((int64_t)p->now + p->skew < out->iat) {
		snprintf(detail, detaillen, "issued %lld s in the future",
			 (long long)(out->iat - (int64_t)p->now));
		return JWS_NOT_YET_VALID;
	}
	max_lifetime = p->max_lifetime > 0 ? p->max_lifetime : JWS_DEFAULT_MAX_LIFETIME;
	if (out->exp - out->iat > max_lifetime) {
		snprintf(detail, detaillen, "lifetime %lld s is over the %lld s this device accepts",
			 (long long)(out->exp - out->iat), (long long)max_lifetime);
		return JWS_TOO_LONG;
	}
	if (out->nbf && (int64_t)p->now + p->skew < out->nbf) {
		snprintf(detail, detaillen, "valid only in %lld s",
			 (long long)(out->nbf - (int64_t)p->now));
		return JWS_NOT_YET_VALID;
	}
	if (jws_revocation_has(p->revoked, out->jti)) {
		snprintf(detail, detaillen, "jti %.64s is revoked", out->jti);
		return JWS_REVOKED;
	}
	if (!origin) {
		snprintf(detail, detaillen, "no Origin: app %.64s is bound to its origins",
			 out->app_id);
		return JWS_WRONG_ORIGIN;
	}
	if (!app_token_origin_allowed(out, origin)) {
		snprintf(detail, detaillen, "origin %.128s is not allowed for app %.64s", origin,
			 out->app_id);
		return JWS_WRONG_ORIGIN;
	}
	snprintf(detail, detaillen, "authorized");
	return JWS_OK;
}

enum jws_result jws_token_check(const char *token, size_t len, const struct jws_policy *p,
				const char *origin, struct app_token *out, char *detail,
				size_t detaillen)
{
	json_t *claims;
	enum jws_result r;

	memset(out, 0, sizeof(*out));
	r = jws_verify(token, len, p->keys, &claims, detail, detaillen);
	if (r != JWS_OK)
		return r;
	r = jws_claims_check(claims, p, origin, out, detail, detaillen);
	json_decref(claims);
	return r;
}
