/* ICE-lite Binding responder (media_stun.h). */
#include "media_stun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define MAGIC 0x2112A442u
#define HDR 20
#define BINDING_REQUEST 0x0001
#define BINDING_SUCCESS 0x0101
#define A_USERNAME 0x0006
#define A_MESSAGE_INTEGRITY 0x0008
#define A_XOR_MAPPED_ADDRESS 0x0020
#define A_USE_CANDIDATE 0x0025
#define A_FINGERPRINT 0x8028
#define A_ICE_CONTROLLING 0x802A
#define FP_XOR 0x5354554eu

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t whylen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint32_t media_stun_crc32(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

int media_stun_is_stun(const uint8_t *pkt, size_t len)
{
	return len >= HDR && pkt[0] <= 3 && rd32(pkt + 4) == MAGIC;
}

static int hmac_sha1(const char *key, const uint8_t *msg, size_t n, uint8_t out[20])
{
	unsigned int len = 20;

	return HMAC(EVP_sha1(), key, (int)strlen(key), msg, n, out, &len) ? 0 : -EIO;
}

int media_stun_answer(const uint8_t *pkt, size_t len, const char *local_ufrag,
		      const char *local_pwd, const struct sockaddr *src, uint8_t *out,
		      size_t outlen, struct media_stun_req *req, char *why, size_t whylen)
{
	uint8_t tmp[MEDIA_STUN_MAX], mac[20];
	size_t mlen, pos, mi_off = 0, fp_off = 0;
	const uint8_t *user = NULL;
	size_t user_len = 0, ufl = strlen(local_ufrag);
	uint16_t type;

	memset(req, 0, sizeof(*req));
	if (!media_stun_is_stun(pkt, len))
		return fail(why, whylen, -EBADMSG, "not STUN");
	type = rd16(pkt);
	mlen = rd16(pkt + 2);
	if ((mlen & 3) || HDR + mlen != len || len > MEDIA_STUN_MAX)
		return fail(why, whylen, -EBADMSG, "STUN length %zu does not match the datagram", mlen);
	if ((type & 0x0110) != 0)	/* class bits: indication, success, error */
		return 0;
	if (type != BINDING_REQUEST)
		return fail(why, whylen, -EPROTO, "STUN method 0x%04x is not Binding", type);
	for (pos = HDR; pos + 4 <= len;) {
		uint16_t at = rd16(pkt + pos), al = rd16(pkt + pos + 2);
		size_t padded = ((size_t)al + 3) & ~(size_t)3;

		if (pos + 4 + padded > len)
			return fail(why, whylen, -EBADMSG, "STUN attribute 0x%04x overruns", at);
		if (fp_off)
			return fail(why, whylen, -EBADMSG, "attribute after FINGERPRINT");
		if (mi_off && at != A_FINGERPRINT)
			return fail(why, whylen, -EBADMSG, "attribute after MESSAGE-INTEGRITY");
		switch (at) {
		case A_USERNAME:
			user = pkt + pos + 4;
			user_len = al;
			break;
		case A_MESSAGE_INTEGRITY:
			if (al != 20)
				return fail(why, whylen, -EBADMSG, "MESSAGE-INTEGRITY of %u bytes", al);
			mi_off = pos;
			break;
		case A_FINGERPRINT:
			if (al != 4)
				return fail(why, whylen, -EBADMSG, "FINGERPRINT of %u bytes", al);
			fp_off = pos;
			break;
		case A_USE_CANDIDATE:
			req->use_candidate = 1;
			break;
		case A_ICE_CONTROLLING:
			req->controlling = 1;
			break;
		default:
			break;
		}
		pos += 4 + padded;
	}
	if (fp_off) {
		uint32_t want = rd32(pkt + fp_off + 4);

		if ((media_stun_crc32(pkt, fp_off) ^ FP_XOR) != want)
			return fail(why, whylen, -EBADMSG, "STUN FINGERPRINT does not match");
	}
	if (!user || !mi_off)
		return fail(why, whylen, -EACCES, "Binding request without USERNAME or "
			    "MESSAGE-INTEGRITY");
	if (user_len <= ufl || memcmp(user, local_ufrag, ufl) != 0 || user[ufl] != ':')
		return fail(why, whylen, -EACCES, "USERNAME is not for our ufrag");
	/* RFC 5389 15.4: HMAC over the message up to MI, length covering MI */
	memcpy(tmp, pkt, mi_off);
	wr16(tmp + 2, (uint16_t)(mi_off + 24 - HDR));
	if (hmac_sha1(local_pwd, tmp, mi_off, mac) < 0)
		return fail(why, whylen, -EIO, "HMAC failed");
	if (CRYPTO_memcmp(mac, pkt + mi_off + 4, 20) != 0)
		return fail(why, whylen, -EACCES, "MESSAGE-INTEGRITY does not verify (wrong "
			    "password)");

	/* the response: header, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT */
	{
		size_t o = HDR, xlen;
		uint16_t port;

		if (outlen < HDR + 24 + 24 + 8)
			return fail(why, whylen, -ENOBUFS, "response buffer too small");
		wr16(out, BINDING_SUCCESS);
		memcpy(out + 4, pkt + 4, 16);	/* cookie and transaction id */
		if (src->sa_family == AF_INET) {
			const struct sockaddr_in *s4 = (const struct sockaddr_in *)src;

			xlen = 8;
			wr16(out + o, A_XOR_MAPPED_ADDRESS);
			wr16(out + o + 2, 8);
			out[o + 4] = 0;
			out[o + 5] = 1;
			port = ntohs(s4->sin_port) ^ (uint16_t)(MAGIC >> 16);
			wr16(out + o + 6, port);
			wr32(out + o + 8, ntohl(s4->sin_addr.s_addr) ^ MAGIC);
		} else if (src->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)src;

			xlen = 20;
			wr16(out + o, A_XOR_MAPPED_ADDRESS);
			wr16(out + o + 2, 20);
			out[o + 4] = 0;
			out[o + 5] = 2;
			port = ntohs(s6->sin6_port) ^ (uint16_t)(MAGIC >> 16);
			wr16(out + o + 6, port);
			for (int i = 0; i < 16; i++)
				out[o + 8 + i] = s6->sin6_addr.s6_addr[i] ^ out[4 + i];
		} else {
			return fail(why, whylen, -EAFNOSUPPORT, "source is not IPv4 or IPv6");
		}
		o += 4 + xlen;
		wr16(out + 2, (uint16_t)(o + 24 - HDR));
		if (hmac_sha1(local_pwd, out, o, mac) < 0)
			return fail(why, whylen, -EIO, "HMAC failed");
		wr16(out + o, A_MESSAGE_INTEGRITY);
		wr16(out + o + 2, 20);
		memcpy(out + o + 4, mac, 20);
		o += 24;
		wr16(out + 2, (uint16_t)(o + 8 - HDR));
		wr16(out + o, A_FINGERPRINT);
		wr16(out + o + 2, 4);
		wr32(out + o + 4, media_stun_crc32(out, o) ^ FP_XOR);
		o += 8;
		return (int)o;
	}
}
