/* RFC 4568 inline key parameters: strict parsing and formatting. */
#include "sdp/sdes_inline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define MAX_LIFETIME_LOG2 48	/* SRTP's index space (RFC 3711 section 9.2) */

struct cursor {
	const char *p, *end;
};

static int set_reason(const char **reason, const char *why, int rc)
{
	if (reason)
		*reason = why;
	return rc;
}

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_wsp(struct cursor *c)
{
	size_t n = 0;

	while (c->p < c->end && is_wsp(*c->p)) {
		c->p++;
		n++;
	}
	return n;
}

/* The token up to whitespace or end. */
static size_t token(struct cursor *c, const char **start)
{
	*start = c->p;
	while (c->p < c->end && !is_wsp(*c->p))
		c->p++;
	return (size_t)(c->p - *start);
}

static int is_b64(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Decimal digits [s, s+n) into *v, at most max; -1 on empty, non-digit or overflow. */
static int parse_dec(const char *s, size_t n, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (x > (max - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int parse_lifetime(const char *s, size_t n, uint64_t *out)
{
	uint64_t v;

	if (n > 2 && s[0] == '2' && s[1] == '^') {
		if (parse_dec(s + 2, n - 2, MAX_LIFETIME_LOG2, &v) < 0)
			return -1;
		*out = (uint64_t)1 << v;
		return 0;
	}
	if (parse_dec(s, n, (uint64_t)1 << MAX_LIFETIME_LOG2, &v) < 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

/* "inline:<key-salt>[|lifetime][|mki:len]" up to whitespace or end. */
static int parse_key_params(struct cursor *c, struct sdes_inline_key *out, const char **reason)
{
	uint8_t raw[SDES_INLINE_B64_LEN / 4 * 3];
	const char *start, *end, *field, *bar, *colon;
	size_t n, flen;
	uint64_t v;
	int rc;

	n = token(c, &start);
	if (n < 7 || strncasecmp(start, "inline:", 7) != 0)
		return set_reason(reason, "key parameters do not start with \"inline:\"", -EINVAL);
	if (memchr(start, ';', n))
		return set_reason(reason, "more than one key (';') is not supported", -ENOTSUP);
	start += 7;
	n -= 7;

	/* key||salt */
	bar = memchr(start, '|', n);
	flen = bar ? (size_t)(bar - start) : n;
	for (size_t i = 0; i < flen; i++)
		if (!is_b64(start[i]) && start[i] != '=')
			return set_reason(reason, "key is not base64", -EINVAL);
	if (flen != SDES_INLINE_B64_LEN || memchr(start, '=', flen))
		return set_reason(reason, "key||salt is not 30 bytes (40 base64 characters)",
				  -EINVAL);
	rc = EVP_DecodeBlock(raw, (const unsigned char *)start, (int)flen);
	if (rc != (int)sizeof(raw)) {
		OPENSSL_cleanse(raw, sizeof(raw));
		return set_reason(reason, "key is not base64", -EINVAL);
	}
	memcpy(out->key, raw, sizeof(out->key));
	memcpy(out->salt, raw + sizeof(out->key), sizeof(out->salt));
	OPENSSL_cleanse(raw, sizeof(raw));

	/* then a lifetime (no ':') and/or an MKI ("value:length"), in that order */
	end = start + n;
	for (int fields = 0; bar; fields++) {
		field = bar + 1;
		bar = memchr(field, '|', (size_t)(end - field));
		flen = (size_t)((bar ? bar : end) - field);
		colon = memchr(field, ':', flen);
		if (colon) {
			if (bar)
				return set_reason(reason, "a field follows the MKI", -EINVAL);
			if (parse_dec(field, (size_t)(colon - field), UINT32_MAX, &v) < 0 ||
			    parse_dec(colon + 1, (size_t)(field + flen - colon - 1), 128, &v) < 0 ||
			    v == 0)
				return set_reason(reason, "MKI is not <value>:<length 1-128>", -EINVAL);
			return set_reason(reason, "MKI is not supported", -ENOTSUP);
		}
		if (fields > 0)
			return set_reason(reason, "a second lifetime field", -EINVAL);
		if (parse_lifetime(field, flen, &out->lifetime) < 0)
			return set_reason(reason, "lifetime is not a number in 1..2^48 or 2^0..2^48",
					  -EINVAL);
	}
	return 0;
}

static int parse_suite(struct cursor *c, struct sdes_inline_key *out, const char **reason)
{
	const char *start;
	size_t n = token(c, &start);

	if (n == 0)
		return set_reason(reason, "no crypto suite", -EINVAL);
	out->suite = srtp_suite_from_name(start, n);
	if (out->suite == SRTP_SUITE_INVALID)
		return set_reason(reason, "crypto suite is not AES_CM_128_HMAC_SHA1_80 or _32",
				  -ENOTSUP);
	if (skip_wsp(c) == 0)
		return set_reason(reason, "no key parameters after the crypto suite", -EINVAL);
	return 0;
}

static int fail_wipe(struct sdes_inline_key *out, int rc)
{
	OPENSSL_cleanse(out, sizeof(*out));
	return rc;
}

int sdes_inline_parse(const char *s, size_t len, struct sdes_inline_key *out,
		      const char **reason)
{
	struct cursor c = { s, s + len };
	int rc;

	memset(out, 0, sizeof(*out));
	skip_wsp(&c);
	rc = parse_suite(&c, out, reason);
	if (rc == 0)
		rc = parse_key_params(&c, out, reason);
	if (rc == 0) {
		skip_wsp(&c);
		if (c.p != c.end)
			rc = set_reason(reason, "text after the key parameters", -EINVAL);
	}
	return rc < 0 ? fail_wipe(out, rc) : 0;
}

/* Session parameters: "KDR=0" and "WSH=<n>" are fine, everything else is refused. */
static int parse_session_params(struct cursor *c, const char **reason)
{
	const char *start;
	size_t n;
	uint64_t v;

	while (skip_wsp(c), c->p < c->end) {
		n = token(c, &start);
		if (n > 4 && strncmp(start, "KDR=", 4) == 0) {
			if (parse_dec(start + 4, n - 4, 24, &v) < 0)
				return set_reason(reason, "bad KDR session parameter", -EINVAL);
			if (v != 0)
				return set_reason(reason, "a key derivation rate other than 0 is not supported",
						  -ENOTSUP);
		} else if (n > 4 && strncmp(start, "WSH=", 4) == 0) {
			if (parse_dec(start + 4, n - 4, UINT32_MAX, &v) < 0 || v < 64)
				return set_reason(reason, "bad WSH session parameter", -EINVAL);
		} else {
			return set_reason(reason, "unsupported session parameter", -ENOTSUP);
		}
	}
	return 0;
}

int sdes_crypto_attr_parse(const char *s, size_t len, struct sdes_inline_key *out,
			   const char **reason)
{
	struct cursor c = { s, s + len };
	const char *start;
	uint64_t tag;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	skip_wsp(&c);
	n = token(&c, &start);
	/* tag = 1*9DIGIT */
	if (n > 9 || parse_dec(start, n, 999999999, &tag) < 0)
		return fail_wipe(out, set_reason(reason, "crypto tag is not 1-9 digits", -EINVAL));
	if (skip_wsp(&c) == 0)
		return fail_wipe(out, set_reason(reason, "no crypto suite after the tag", -EINVAL));
	rc = parse_suite(&c, out, reason);
	if (rc == 0)
		rc = parse_key_params(&c, out, reason);
	if (rc == 0)
		rc = parse_session_params(&c, reason);
	if (rc < 0)
		return fail_wipe(out, rc);
	out->tag = (uint32_t)tag;
	return 0;
}

static int format_common(const struct sdes_inline_key *k, int with_tag, char *out,
			 size_t outlen)
{
	uint8_t raw[SRTP_KDF_MASTER_KEY_LEN + SRTP_KDF_MASTER_SALT_LEN];
	char b64[SDES_INLINE_B64_LEN + 1], life[32] = "";
	const char *name = srtp_suite_name(k->suite);
	char tag[16] = "";
	int n;

	if (!name)
		return -EINVAL;
	memcpy(raw, k->key, sizeof(k->key));
	memcpy(raw + sizeof(k->key), k->salt, sizeof(k->salt));
	EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	if (k->lifetime && (k->lifetime & (k->lifetime - 1)) == 0)
		snprintf(life, sizeof(life), "|2^%d", __builtin_ctzll(k->lifetime));
	else if (k->lifetime)
		snprintf(life, sizeof(life), "|%llu", (unsigned long long)k->lifetime);
	if (with_tag)
		snprintf(tag, sizeof(tag), "%u ", k->tag);
	n = snprintf(out, outlen, "%s%s inline:%s%s", tag, name, b64, life);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= outlen) {
		if (outlen)
			OPENSSL_cleanse(out, outlen);
		return -ENOSPC;
	}
	return n;
}

int sdes_inline_format(const struct sdes_inline_key *k, char *out, size_t outlen)
{
	return format_common(k, 0, out, outlen);
}

int sdes_crypto_attr_format(const struct sdes_inline_key *k, char *out, size_t outlen)
{
	return format_common(k, 1, out, outlen);
}
