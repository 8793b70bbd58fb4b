/*
 * Shared by the SRTP unit tests: a seeded PRNG, random RTP/RTCP packet builders and a
 * libsrtp2 session pair (the independent oracle). Header-only so that each test binary
 * stays one .c file.
 */
#ifndef NWIT_TEST_SRTP_TESTUTIL_H
#define NWIT_TEST_SRTP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <srtp2/srtp.h>

#define TEST_PKT_MAX 1600

/* splitmix64: deterministic, so a failure reproduces. */
struct test_rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct test_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static inline uint32_t rng_range(struct test_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rng_next(r) % ((uint64_t)hi - lo + 1));
}

static inline void rng_fill(struct test_rng *r, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rng_next(r);
}

/*
 * An RTP packet of exactly size bytes (12..1400): random CSRC count, sometimes a header
 * extension (RFC 8285 one-byte profile id) and sometimes padding, random payload.
 */
static inline size_t make_rtp(struct test_rng *r, uint8_t *p, size_t size, uint16_t seq,
			      uint32_t ts, uint32_t ssrc, uint8_t pt)
{
	unsigned int cc = rng_range(r, 0, 15);
	size_t hdr, room;

	while (12 + 4 * cc > size)
		cc--;
	hdr = 12 + 4 * cc;
	p[0] = (uint8_t)(0x80 | cc);
	p[1] = (uint8_t)(pt & 0x7f) | (rng_range(r, 0, 7) == 0 ? 0x80 : 0);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	rng_fill(r, p + 12, 4 * cc);
	if (size >= hdr + 4 && rng_range(r, 0, 2) == 0) {
		size_t words = rng_range(r, 0, 8);

		while (hdr + 4 + 4 * words > size)
			words--;
		p[0] |= 0x10;
		p[hdr] = 0xbe;
		p[hdr + 1] = 0xde;
		p[hdr + 2] = (uint8_t)(words >> 8);
		p[hdr + 3] = (uint8_t)words;
		rng_fill(r, p + hdr + 4, 4 * words);
		hdr += 4 + 4 * words;
	}
	room = size - hdr;
	rng_fill(r, p + hdr, room);
	if (room >= 1 && rng_range(r, 0, 3) == 0) {
		size_t pad = rng_range(r, 1, room < 255 ? (uint32_t)room : 255);

		p[0] |= 0x20;
		memset(p + size - pad, 0, pad - 1);
		p[size - 1] = (uint8_t)pad;
	}
	return size;
}

/* A compound-looking RTCP packet: SR header with ssrc, size a multiple of 4 (8..1400). */
static inline size_t make_rtcp(struct test_rng *r, uint8_t *p, size_t size, uint32_t ssrc)
{
	size &= ~(size_t)3;
	if (size < 8)
		size = 8;
	rng_fill(r, p, size);
	p[0] = (uint8_t)(0x80 | (p[0] & 0x1f));
	p[1] = 200;
	p[2] = (uint8_t)((size / 4 - 1) >> 8);
	p[3] = (uint8_t)(size / 4 - 1);
	p[4] = (uint8_t)(ssrc >> 24);
	p[5] = (uint8_t)(ssrc >> 16);
	p[6] = (uint8_t)(ssrc >> 8);
	p[7] = (uint8_t)ssrc;
	return size;
}

/* A libsrtp2 session for one direction; tag80 selects the SRTP tag (SRTCP is always 80). */
static inline srtp_t oracle_session(const uint8_t key_salt[30], int tag80, int inbound)
{
	srtp_policy_t pol;
	srtp_t s = NULL;

	memset(&pol, 0, sizeof(pol));
	if (tag80)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	else
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	pol.key = (unsigned char *)key_salt;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		return NULL;
	return s;
}

#endif
