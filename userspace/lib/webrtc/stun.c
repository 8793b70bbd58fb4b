/* STUN messages (RFC 8489): parser, writer, MESSAGE-INTEGRITY and FINGERPRINT. */
#include "webrtc/stun.h"

#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

bool stun_is_stun(const uint8_t *buf, size_t len)
{
	return len >= STUN_HEADER_LEN && buf[0] < 4 && get32(buf + 4) == STUN_MAGIC_COOKIE;
}

uint32_t stun_fingerprint(const uint8_t *buf, size_t len)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), buf, (uInt)len) ^ STUN_FINGERPRINT_XOR;
}

static bool known_attr(uint16_t type)
{
	switch (type) {
	case STUN_ATTR_MAPPED_ADDRESS:
	case STUN_ATTR_USERNAME:
	case STUN_ATTR_MESSAGE_INTEGRITY:
	case STUN_ATTR_ERROR_CODE:
	case STUN_ATTR_UNKNOWN_ATTRIBUTES:
	case STUN_ATTR_REALM:
	case STUN_ATTR_NONCE:
	case STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
	case STUN_ATTR_PASSWORD_ALGORITHM:
	case STUN_ATTR_USERHASH:
	case STUN_ATTR_XOR_MAPPED_ADDRESS:
	case STUN_ATTR_PRIORITY:
	case STUN_ATTR_USE_CANDIDATE:
		return true;
	}
	return type >= 0x8000; /* comprehension-optional: may be ignored */
}

static int parse_xor_address(const uint8_t *v, uint16_t len, const uint8_t *tid,
			     struct sockaddr_storage *ss)
{
	uint16_t port;

	if (len < 4)
		return -1;
	port = get16(v + 2) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16);
	memset(ss, 0, sizeof(*ss));
	if (v[1] == 0x01 && len == 8) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(get32(v + 4) ^ STUN_MAGIC_COOKIE);
		return 0;
	}
	if (v[1] == 0x02 && len == 20) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		uint8_t mask[16];

		put32(mask, STUN_MAGIC_COOKIE);
		memcpy(mask + 4, tid, 12);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		for (int i = 0; i < 16; i++)
			sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ mask[i];
		return 0;
	}
	return -1;
}

int stun_parse(const uint8_t *buf, size_t len, struct stun_msg *m, char *err, size_t errlen)
{
	size_t off = STUN_HEADER_LEN;
	bool after_integrity = false;

	memset(m, 0, sizeof(*m));
	if (errlen)
		err[0] = '\0';
	if (len < STUN_HEADER_LEN)
		return bad(err, errlen, "%zu bytes is shorter than a STUN header", len);
	if (len > STUN_MAX_MSG)
		return bad(err, errlen, "%zu bytes is over the %d byte limit", len, STUN_MAX_MSG);
	if (buf[0] & 0xc0)
		return bad(err, errlen, "the first two bits are not zero");
	if (get32(buf + 4) != STUN_MAGIC_COOKIE)
		return bad(err, errlen, "no magic cookie");
	if (get16(buf + 2) % 4 || get16(buf + 2) + (size_t)STUN_HEADER_LEN != len)
		return bad(err, errlen, "length field %u does not match the %zu byte datagram",
			   get16(buf + 2), len);
	m->buf = buf;
	m->len = len;
	m->type = get16(buf);
	m->tid = buf + 8;

	while (off < len) {
		uint16_t type, alen;
		const uint8_t *v;
		size_t padded;

		if (len - off < 4)
			return bad(err, errlen, "attribute header cut off at byte %zu", off);
		type = get16(buf + off);
		alen = get16(buf + off + 2);
		padded = ((size_t)alen + 3) & ~(size_t)3;
		if (padded > len - off - 4)
			return bad(err, errlen, "attribute 0x%04x of %u bytes runs past the end", type,
				   alen);
		v = buf + off + 4;
		if (m->has_fingerprint)
			return bad(err, errlen, "attribute 0x%04x after FINGERPRINT", type);
		if (type == STUN_ATTR_FINGERPRINT) {
			if (alen != 4)
				return bad(err, errlen, "FINGERPRINT of %u bytes", alen);
			if (get32(v) != stun_fingerprint(buf, off))
				return bad(err, errlen, "FINGERPRINT does not match");
			m->has_fingerprint = true;
		} else if (after_integrity) {
			/* RFC 8489 section 14.5: ignore what follows MESSAGE-INTEGRITY */
		} else {
			switch (type) {
			case STUN_ATTR_MESSAGE_INTEGRITY:
				if (alen != 20)
					return bad(err, errlen, "MESSAGE-INTEGRITY of %u bytes", alen);
				m->has_integrity = true;
				m->integrity_off = off;
				after_integrity = true;
				break;
			case STUN_ATTR_USERNAME:
				if (alen == 0 || alen > 513)
					return bad(err, errlen, "USERNAME of %u bytes", alen);
				m->username = v;
				m->username_len = alen;
				break;
			case STUN_ATTR_SOFTWARE:
				m->software = v;
				m->software_len = alen;
				break;
			case STUN_ATTR_PRIORITY:
				if (alen != 4)
					return bad(err, errlen, "PRIORITY of %u bytes", alen);
				m->has_priority = true;
				m->priority = get32(v);
				break;
			case STUN_ATTR_USE_CANDIDATE:
				if (alen != 0)
					return bad(err, errlen, "USE-CANDIDATE with a value");
				m->use_candidate = true;
				break;
			case STUN_ATTR_ICE_CONTROLLED:
			case STUN_ATTR_ICE_CONTROLLING:
				if (alen != 8)
					return bad(err, errlen, "ICE-CONTROLLED/CONTROLLING of %u bytes",
						   alen);
				if (type == STUN_ATTR_ICE_CONTROLLED)
					m->has_controlled = true;
				else
					m->has_controlling = true;
				m->tiebreaker = (uint64_t)get32(v) << 32 | get32(v + 4);
				break;
			case STUN_ATTR_XOR_MAPPED_ADDRESS:
				if (parse_xor_address(v, alen, m->tid, &m->xor_mapped) < 0)
					return bad(err, errlen, "malformed XOR-MAPPED-ADDRESS");
				m->has_xor_mapped = true;
				break;
			case STUN_ATTR_ERROR_CODE:
				if (alen < 4 || v[2] < 3 || v[2] > 6 || v[3] > 99)
					return bad(err, errlen, "malformed ERROR-CODE");
				m->error_code = (uint16_t)(v[2] * 100 + v[3]);
				break;
			default:
				if (!known_attr(type) && m->n_unknown < STUN_MAX_UNKNOWN)
					m->unknown[m->n_unknown++] = type;
			}
		}
		off += 4 + padded;
	}
	if (m->has_controlled && m->has_controlling)
		return bad(err, errlen, "both ICE-CONTROLLED and ICE-CONTROLLING");
	return 0;
}

/* HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the length field set as if
 * MESSAGE-INTEGRITY were the last attribute (RFC 8489 section 14.5). */
static int integrity_of(const uint8_t *msg, size_t mi_off, const uint8_t *key, size_t keylen,
			uint8_t out[20])
{
	uint8_t copy[STUN_MAX_MSG];
	unsigned int outlen = 0;

	if (mi_off > sizeof(copy) || keylen > INT32_MAX)
		return -EIO;
	memcpy(copy, msg, mi_off);
	put16(copy + 2, (uint16_t)(mi_off + 24 - STUN_HEADER_LEN));
	if (!HMAC(EVP_sha1(), key, (int)keylen, copy, mi_off, out, &outlen) || outlen != 20)
		return -EIO;
	return 0;
}

int stun_check_integrity(const struct stun_msg *m, const uint8_t *key, size_t keylen)
{
	uint8_t mac[20];
	int rc;

	if (!m->has_integrity)
		return -ENOENT;
	rc = integrity_of(m->buf, m->integrity_off, key, keylen, mac);
	if (rc < 0)
		return rc;
	return CRYPTO_memcmp(mac, m->buf + m->integrity_off + 4, 20) == 0 ? 0 : -EACCES;
}

/* --- writer --------------------------------------------------------------------------- */

void stun_writer_init(struct stun_writer *w, uint8_t *buf, size_t cap, uint16_t type,
		      const uint8_t tid[12])
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->pad = 0;
	w->err = 0;
	if (cap < STUN_HEADER_LEN) {
		w->err = -ENOSPC;
		return;
	}
	put16(buf, type);
	put16(buf + 2, 0);
	put32(buf + 4, STUN_MAGIC_COOKIE);
	memcpy(buf + 8, tid, 12);
	w->len = STUN_HEADER_LEN;
}

/* Reserve an attribute of len bytes (padded) and return its value area, or NULL. */
static uint8_t *reserve(struct stun_writer *w, uint16_t type, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;
	uint8_t *p;

	if (w->err)
		return NULL;
	if (len > 0xffff || w->cap - w->len < 4 + padded || w->len + 4 + padded > 0xffff) {
		w->err = -ENOSPC;
		return NULL;
	}
	p = w->buf + w->len;
	put16(p, type);
	put16(p + 2, (uint16_t)len);
	memset(p + 4 + len, w->pad, padded - len);
	w->len += 4 + padded;
	put16(w->buf + 2, (uint16_t)(w->len - STUN_HEADER_LEN));
	return p + 4;
}

void stun_put_attr(struct stun_writer *w, uint16_t type, const void *val, size_t len)
{
	uint8_t *p = reserve(w, type, len);

	if (p && len)
		memcpy(p, val, len);
}

void stun_put_u32(struct stun_writer *w, uint16_t type, uint32_t v)
{
	uint8_t *p = reserve(w, type, 4);

	if (p)
		put32(p, v);
}

void stun_put_u64(struct stun_writer *w, uint16_t type, uint64_t v)
{
	uint8_t *p = reserve(w, type, 8);

	if (p) {
		put32(p, (uint32_t)(v >> 32));
		put32(p + 4, (uint32_t)v);
	}
}

void stun_put_xor_address(struct stun_writer *w, uint16_t type, const struct sockaddr *sa)
{
	uint8_t *p;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		p = reserve(w, type, 8);
		if (!p)
			return;
		p[0] = 0;
		p[1] = 0x01;
		put16(p + 2, ntohs(sin->sin_port) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16));
		put32(p + 4, ntohl(sin->sin_addr.s_addr) ^ STUN_MAGIC_COOKIE);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		uint8_t mask[16];

		p = reserve(w, type, 20);
		if (!p)
			return;
		put32(mask, STUN_MAGIC_COOKIE);
		memcpy(mask + 4, w->buf + 8, 12);
		p[0] = 0;
		p[1] = 0x02;
		put16(p + 2, ntohs(sin6->sin6_port) ^ (uint16_t)(STUN_MAGIC_COOKIE >> 16));
		for (int i = 0; i < 16; i++)
			p[4 + i] = sin6->sin6_addr.s6_addr[i] ^ mask[i];
	} else if (!w->err) {
		w->err = -EINVAL;
	}
}

void stun_put_error(struct stun_writer *w, uint16_t code, const char *reason)
{
	size_t n = strlen(reason);
	uint8_t *p;

	if (code < 300 || code > 699) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	if (n > 763)
		n = 763; /* RFC 8489 section 14.8: fewer than 128 characters, 763 bytes */
	p = reserve(w, STUN_ATTR_ERROR_CODE, 4 + n);
	if (!p)
		return;
	p[0] = p[1] = 0;
	p[2] = (uint8_t)(code / 100);
	p[3] = (uint8_t)(code % 100);
	memcpy(p + 4, reason, n);
}

void stun_put_integrity(struct stun_writer *w, const uint8_t *key, size_t keylen)
{
	size_t off = w->len;
	uint8_t *p = reserve(w, STUN_ATTR_MESSAGE_INTEGRITY, 20);
	int rc;

	if (!p)
		return;
	rc = integrity_of(w->buf, off, key, keylen, p);
	if (rc < 0)
		w->err = rc;
}

void stun_put_fingerprint(struct stun_writer *w)
{
	size_t off = w->len;
	uint8_t *p = reserve(w, STUN_ATTR_FINGERPRINT, 4);

	if (p)
		put32(p, stun_fingerprint(w->buf, off));
}

int stun_finish(const struct stun_writer *w)
{
	return w->err ? w->err : (int)w->len;
}
