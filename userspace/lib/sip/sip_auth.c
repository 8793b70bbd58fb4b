/* SIP Digest and AKAv1-MD5 client computations (RFC 2617, RFC 7616, RFC 3310). */
#include "sip/sip_auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "core/hex.h"

const char *sip_auth_alg_name(enum sip_auth_alg alg)
{
	switch (alg) {
	case SIP_AUTH_ALG_MD5:
		return "MD5";
	case SIP_AUTH_ALG_AKAV1_MD5:
		return "AKAv1-MD5";
	case SIP_AUTH_ALG_INVALID:
		break;
	}
	return "invalid";
}

/* --- challenge parsing ------------------------------------------------------ */

static int is_token_char(char ch)
{
	return ch != '\0' && (isalnum((unsigned char)ch) || strchr("-.!%*_+`'~", ch) != NULL);
}

static const char *skip_lws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

enum param_id { P_REALM, P_NONCE, P_OPAQUE, P_ALGORITHM, P_QOP, P_STALE, P_DOMAIN, P__COUNT };

static const char *const param_names[P__COUNT] = {
	"realm", "nonce", "opaque", "algorithm", "qop", "stale", "domain",
};

/* Does the comma-separated list contain "auth" (not "auth-int")? */
static int qop_list_has_auth(const char *list)
{
	const char *p = list;

	while (*p) {
		const char *start, *end;

		p = skip_lws(p);
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if ((size_t)(end - start) == 4 && strncasecmp(start, "auth", 4) == 0)
			return 1;
		if (*p == ',')
			p++;
	}
	return 0;
}

int sip_auth_parse_challenge(const char *value, struct sip_auth_challenge *c)
{
	char buf[SIP_AUTH_NONCE_MAX];	/* the largest value we keep */
	char algorithm[32] = "", qop[64] = "", stale[8] = "";
	unsigned int seen = 0;
	const char *p;

	memset(c, 0, sizeof(*c));
	p = skip_lws(value);
	if (strncasecmp(p, "Digest", 6) != 0 || !strchr(" \t\r\n", p[6]) || p[6] == '\0')
		return -EINVAL;
	p = skip_lws(p + 6);
	for (;;) {
		const char *name = p;
		size_t name_len, len = 0;
		int id = -1;

		while (is_token_char(*p))
			p++;
		name_len = (size_t)(p - name);
		if (name_len == 0)
			return -EINVAL;
		p = skip_lws(p);
		if (*p != '=')
			return -EINVAL;
		p = skip_lws(p + 1);
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				char ch = *p;

				if (ch == '\0')
					return -EINVAL;	/* unterminated */
				if (ch == '\\') {
					ch = *++p;
					if (ch == '\0')
						return -EINVAL;
				}
				/* We echo values back inside quotes: refuse what would need escaping. */
				if ((unsigned char)ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\')
					return -EINVAL;
				if (len + 1 >= sizeof(buf))
					return -EMSGSIZE;
				buf[len++] = ch;
			}
			p++;
		} else {
			while (is_token_char(*p)) {
				if (len + 1 >= sizeof(buf))
					return -EMSGSIZE;
				buf[len++] = *p++;
			}
			if (len == 0)
				return -EINVAL;
		}
		buf[len] = '\0';

		for (int i = 0; i < P__COUNT; i++)
			if (strlen(param_names[i]) == name_len &&
			    strncasecmp(name, param_names[i], name_len) == 0)
				id = i;
		if (id >= 0) {
			char *dst = NULL;
			size_t cap = 0;

			if (seen & (1u << id))
				return -EINVAL;	/* duplicated parameter */
			seen |= 1u << id;
			switch (id) {
			case P_REALM: dst = c->realm; cap = sizeof(c->realm); break;
			case P_NONCE: dst = c->nonce; cap = sizeof(c->nonce); break;
			case P_OPAQUE: dst = c->opaque; cap = sizeof(c->opaque); c->has_opaque = 1; break;
			case P_ALGORITHM: dst = algorithm; cap = sizeof(algorithm); break;
			case P_QOP: dst = qop; cap = sizeof(qop); break;
			case P_STALE: dst = stale; cap = sizeof(stale); break;
			default: break;	/* domain: ignored */
			}
			if (dst) {
				if (len >= cap)
					return -EMSGSIZE;
				memcpy(dst, buf, len + 1);
			}
		}
		/* other parameters (ck, ik from broken cores, extensions) are ignored */

		p = skip_lws(p);
		if (*p == '\0')
			break;
		if (*p != ',')
			return -EINVAL;
		p = skip_lws(p + 1);
	}

	if (!(seen & (1u << P_REALM)) || !(seen & (1u << P_NONCE)))
		return -EINVAL;
	if (algorithm[0] == '\0' || strcasecmp(algorithm, "MD5") == 0)
		c->alg = SIP_AUTH_ALG_MD5;
	else if (strcasecmp(algorithm, "AKAv1-MD5") == 0)
		c->alg = SIP_AUTH_ALG_AKAV1_MD5;
	else
		return -ENOTSUP;
	if (seen & (1u << P_QOP)) {
		if (!qop_list_has_auth(qop))
			return -ENOTSUP;
		c->qop_auth = 1;
	}
	c->stale = strcasecmp(stale, "true") == 0;
	return 0;
}

/* --- digest computation ----------------------------------------------------- */

struct md5 {
	EVP_MD_CTX *ctx;
	int ok;
};

static void md5_start(struct md5 *m)
{
	m->ctx = EVP_MD_CTX_new();
	m->ok = m->ctx && EVP_DigestInit_ex(m->ctx, EVP_md5(), NULL) == 1;
}

static void md5_add(struct md5 *m, const void *data, size_t len)
{
	if (m->ok && EVP_DigestUpdate(m->ctx, data, len) != 1)
		m->ok = 0;
}

static void md5_str(struct md5 *m, const char *s, int colon)
{
	md5_add(m, s, strlen(s));
	if (colon)
		md5_add(m, ":", 1);
}

/* Finish into 32 hex digits; returns 0 or -EIO. */
static int md5_hex(struct md5 *m, char out[33])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (m->ok && (EVP_DigestFinal_ex(m->ctx, d, &len) != 1 || len != 16))
		m->ok = 0;
	EVP_MD_CTX_free(m->ctx);
	m->ctx = NULL;
	if (!m->ok)
		return -EIO;
	hex_encode(d, 16, out);
	return 0;
}

int sip_auth_digest_response(const char *username, const char *realm, const uint8_t *password,
			     size_t password_len, const char *method, const char *uri,
			     const char *nonce, const char *nc, const char *cnonce,
			     const char *qop, char out[33])
{
	char ha1[33], ha2[33];
	struct md5 m;

	md5_start(&m);	/* HA1 = MD5(username ":" realm ":" password) */
	md5_str(&m, username, 1);
	md5_str(&m, realm, 1);
	md5_add(&m, password, password_len);
	if (md5_hex(&m, ha1) < 0)
		return -EIO;

	md5_start(&m);	/* HA2 = MD5(method ":" uri) for qop=auth or none */
	md5_str(&m, method, 1);
	md5_str(&m, uri, 0);
	if (md5_hex(&m, ha2) < 0)
		return -EIO;

	md5_start(&m);
	md5_str(&m, ha1, 1);
	md5_str(&m, nonce, 1);
	if (qop) {
		md5_str(&m, nc, 1);
		md5_str(&m, cnonce, 1);
		md5_str(&m, qop, 1);
	}
	md5_str(&m, ha2, 0);
	return md5_hex(&m, out);
}

struct out_buf {
	char *p;
	size_t cap, len;
	int overflow;
};

static void out_add(struct out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_add(struct out_buf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->overflow = 1;
	else
		o->len += (size_t)n;
}

int sip_auth_build_authorization(const struct sip_auth_challenge *c,
				 const struct sip_auth_answer *a, char *out, size_t outlen)
{
	struct out_buf o = { .p = out, .cap = outlen };
	char response[33], nc[9];
	const char *qop = c->qop_auth ? "auth" : NULL;

	if (outlen == 0)
		return -EMSGSIZE;
	snprintf(nc, sizeof(nc), "%08x", a->nc);
	if (sip_auth_digest_response(a->username, c->realm, a->password, a->password_len,
				     a->method, a->uri, c->nonce, nc, a->cnonce, qop,
				     response) < 0)
		return -EIO;
	out_add(&o, "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
		"response=\"%s\", algorithm=%s", a->username, c->realm, c->nonce, a->uri,
		response, sip_auth_alg_name(c->alg));
	if (qop)
		out_add(&o, ", qop=auth, nc=%s, cnonce=\"%s\"", nc, a->cnonce);
	if (c->has_opaque)
		out_add(&o, ", opaque=\"%s\"", c->opaque);
	if (a->auts) {
		char b64[32];

		if (sip_base64_encode(a->auts, 14, b64, sizeof(b64)) < 0)
			return -EMSGSIZE;
		out_add(&o, ", auts=\"%s\"", b64);
	}
	return o.overflow ? -EMSGSIZE : (int)o.len;
}

int sip_auth_build_initial(const char *impi, const char *realm, const char *uri, char *out,
			   size_t outlen)
{
	int n = snprintf(out, outlen,
			 "Digest username=\"%s\", realm=\"%s\", nonce=\"\", uri=\"%s\", "
			 "response=\"\"", impi, realm, uri);

	return n < 0 || (size_t)n >= outlen ? -EMSGSIZE : n;
}

/* --- base64 and the AKA nonce ------------------------------------------------ */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_value(char ch)
{
	const char *p;

	if (ch == '\0')
		return -1;
	p = strchr(b64_alphabet, ch);
	return p ? (int)(p - b64_alphabet) : -1;
}

int sip_base64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap,
		      size_t *outlen)
{
	size_t n = 0;

	if (inlen % 4 != 0)
		return -EINVAL;
	for (size_t i = 0; i < inlen; i += 4) {
		int v[4], pad = 0;

		for (int j = 0; j < 4; j++) {
			char ch = in[i + j];

			if (ch == '=' && i + 4 == inlen && j >= 2) {
				v[j] = 0;
				pad++;
				continue;
			}
			if (pad)	/* data after '=' */
				return -EINVAL;
			v[j] = b64_value(ch);
			if (v[j] < 0)
				return -EINVAL;
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
			     (uint32_t)v[3];
		size_t take = 3 - (size_t)pad;

		if (n + take > outcap)
			return -EMSGSIZE;
		out[n++] = (uint8_t)(w >> 16);
		if (take > 1)
			out[n++] = (uint8_t)(w >> 8);
		if (take > 2)
			out[n++] = (uint8_t)w;
	}
	*outlen = n;
	return 0;
}

int sip_base64_encode(const uint8_t *in, size_t inlen, char *out, size_t outcap)
{
	size_t need = (inlen + 2) / 3 * 4, n = 0;

	if (need + 1 > outcap)
		return -EMSGSIZE;
	for (size_t i = 0; i < inlen; i += 3) {
		uint32_t w = (uint32_t)in[i] << 16;
		size_t left = inlen - i;

		if (left > 1)
			w |= (uint32_t)in[i + 1] << 8;
		if (left > 2)
			w |= in[i + 2];
		out[n++] = b64_alphabet[(w >> 18) & 63];
		out[n++] = b64_alphabet[(w >> 12) & 63];
		out[n++] = left > 1 ? b64_alphabet[(w >> 6) & 63] : '=';
		out[n++] = left > 2 ? b64_alphabet[w & 63] : '=';
	}
	out[n] = '\0';
	return (int)n;
}

int sip_auth_aka_nonce(const char *nonce, uint8_t rand[16], uint8_t autn[16])
{
	uint8_t raw[SIP_AUTH_NONCE_MAX];
	size_t len = 0;
	int rc;

	rc = sip_base64_decode(nonce, strlen(nonce), raw, sizeof(raw), &len);
	if (rc < 0)
		return rc;
	if (len < 32)
		return -EBADMSG;	/* RAND (16) and AUTN (16) at least */
	memcpy(rand, raw, 16);
	memcpy(autn, raw + 16, 16);
	return 0;
}
