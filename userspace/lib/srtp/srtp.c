/* SRTP/SRTCP transform (RFC 3711) for AES-CM-128 with HMAC-SHA1, on OpenSSL EVP. */
#include "srtp/srtp.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "srtp/srtp_replay.h"

#define SRTCP_INDEX_MAX 0x7fffffffu
#define SRTCP_E_BIT 0x80000000u
#define SHA1_LEN 20

struct srtp_stream {
	uint32_t ssrc;
	uint32_t initial_roc;		/* ROC for the first packet in either direction */
	uint32_t tx_rtcp_index;		/* next SRTCP index to send */
	uint32_t in_use;
	struct srtp_replay_window tx;	/* indexes sent (never reuse a keystream) */
	struct srtp_jump_probation tx_jump;	/* a forward jump waiting for confirmation */
	struct srtp_replay_window rx;	/* SRTP indexes received */
	struct srtp_replay_window rx_rtcp;
};

struct srtp_dir_keys {
	EVP_CIPHER_CTX *cipher;
	EVP_MAC_CTX *mac;
	uint8_t salt[SRTP_SESSION_SALT_LEN];
};

struct srtp_session {
	enum srtp_suite suite;
	size_t tag_len;
	unsigned int flags;
	unsigned int max_streams;
	unsigned int last;		/* index of the last stream found */
	struct srtp_dir_keys rtp, rtcp;
	struct srtp_stats stats;
	struct srtp_stream *streams;
};

static const struct {
	const char *name;
	enum srtp_suite suite;
	size_t tag_len;
} suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 10 },
	{ "AES_CM_128_HMAC_SHA1_32", SRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 4 },
};

enum srtp_suite srtp_suite_from_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (strlen(suites[i].name) == len && memcmp(suites[i].name, name, len) == 0)
			return suites[i].suite;
	return SRTP_SUITE_INVALID;
}

const char *srtp_suite_name(enum srtp_suite suite)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].suite == suite)
			return suites[i].name;
	return NULL;
}

size_t srtp_suite_tag_len(enum srtp_suite suite)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].suite == suite)
			return suites[i].tag_len;
	return 0;
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* --- keys --------------------------------------------------------------------- */

static void dir_keys_free(struct srtp_dir_keys *k)
{
	EVP_CIPHER_CTX_free(k->cipher);
	EVP_MAC_CTX_free(k->mac);
	OPENSSL_cleanse(k->salt, sizeof(k->salt));
	k->cipher = NULL;
	k->mac = NULL;
}

static int dir_keys_init(struct srtp_dir_keys *k, EVP_MAC *hmac, const uint8_t enc[16],
			 const uint8_t auth[SRTP_SESSION_AUTH_LEN],
			 const uint8_t salt[SRTP_SESSION_SALT_LEN])
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};

	k->cipher = EVP_CIPHER_CTX_new();
	k->mac = EVP_MAC_CTX_new(hmac);
	if (!k->cipher || !k->mac)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(k->cipher, EVP_aes_128_ctr(), NULL, enc, NULL) != 1 ||
	    EVP_MAC_init(k->mac, auth, SRTP_SESSION_AUTH_LEN, params) != 1)
		return -EIO;
	memcpy(k->salt, salt, SRTP_SESSION_SALT_LEN);
	return 0;
}

struct srtp_session *srtp_session_new(enum srtp_suite suite,
				      const uint8_t master_key[SRTP_KDF_MASTER_KEY_LEN],
				      const uint8_t master_salt[SRTP_KDF_MASTER_SALT_LEN],
				      unsigned int flags, unsigned int max_streams)
{
	struct srtp_session_keys keys;
	struct srtp_session *s = NULL;
	EVP_MAC *hmac = NULL;
	int rc;

	if (srtp_suite_tag_len(suite) == 0 || (flags & ~SRTP_F_ANY_SSRC)) {
		log_warnx("srtp: creating a session failed: invalid suite %d or flags %#x",
			  (int)suite, flags);
		errno = EINVAL;
		return NULL;
	}
	if (max_streams == 0)
		max_streams = SRTP_DEFAULT_MAX_STREAMS;
	rc = srtp_derive_session_keys(master_key, master_salt, &keys);
	if (rc < 0)
		goto fail;
	rc = -ENOMEM;
	s = calloc(1, sizeof(*s));
	if (!s)
		goto fail;
	s->streams = calloc(max_streams, sizeof(*s->streams));
	if (!s->streams)
		goto fail;
	s->suite = suite;
	s->tag_len = srtp_suite_tag_len(suite);
	s->flags = flags;
	s->max_streams = max_streams;
	rc = -EIO;
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!hmac)
		goto fail;
	rc = dir_keys_init(&s->rtp, hmac, keys.rtp_enc, keys.rtp_auth, keys.rtp_salt);
	if (rc < 0)
		goto fail;
	rc = dir_keys_init(&s->rtcp, hmac, keys.rtcp_enc, keys.rtcp_auth, keys.rtcp_salt);
	if (rc < 0)
		goto fail;
	EVP_MAC_free(hmac);
	OPENSSL_cleanse(&keys, sizeof(keys));
	return s;

fail:
	log_warnx("srtp: creating a %s session failed: %s", srtp_suite_name(suite),
		  rc == -ENOMEM ? "out of memory" : "OpenSSL could not set up AES-CTR/HMAC-SHA1");
	EVP_MAC_free(hmac);
	OPENSSL_cleanse(&keys, sizeof(keys));
	srtp_session_free(s);
	errno = -rc;
	return NULL;
}

void srtp_session_free(struct srtp_session *s)
{
	if (!s)
		return;
	dir_keys_free(&s->rtp);
	dir_keys_free(&s->rtcp);
	free(s->streams);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

const struct srtp_stats *srtp_session_stats(const struct srtp_session *s)
{
	return &s->stats;
}

enum srtp_suite srtp_session_suite(const struct srtp_session *s)
{
	return s->suite;
}

/* --- streams ------------------------------------------------------------------ */

static struct srtp_stream *stream_find(struct srtp_session *s, uint32_t ssrc)
{
	struct srtp_stream *st = &s->streams[s->last];

	if (st->in_use && st->ssrc == ssrc)
		return st;
	for (unsigned int i = 0; i < s->max_streams; i++) {
		st = &s->streams[i];
		if (st->in_use && st->ssrc == ssrc) {
			s->last = i;
			return st;
		}
	}
	return NULL;
}

static struct srtp_stream *stream_insert(struct srtp_session *s, const struct srtp_stream *tmpl)
{
	for (unsigned int i = 0; i < s->max_streams; i++) {
		if (!s->streams[i].in_use) {
			s->streams[i] = *tmpl;
			s->streams[i].in_use = 1;
			s->last = i;
			return &s->streams[i];
		}
	}
	return NULL;
}

static void stream_init(struct srtp_stream *st, uint32_t ssrc, uint32_t roc)
{
	memset(st, 0, sizeof(*st));
	st->ssrc = ssrc;
	st->initial_roc = roc;
	st->tx_rtcp_index = 1;	/* as libsrtp: index 0 is never sent */
}

int srtp_session_add_stream(struct srtp_session *s, uint32_t ssrc, uint32_t roc)
{
	struct srtp_stream tmpl;

	if (stream_find(s, ssrc))
		return -EEXIST;
	stream_init(&tmpl, ssrc, roc);
	return stream_insert(s, &tmpl) ? 0 : -ENOBUFS;
}

int srtp_session_del_stream(struct srtp_session *s, uint32_t ssrc)
{
	struct srtp_stream *st = stream_find(s, ssrc);

	if (!st)
		return -ENOENT;
	memset(st, 0, sizeof(*st));
	return 0;
}

/* Index of seq for a window: from its highest index, or the initial ROC when empty. */
static int64_t window_index(const struct srtp_replay_window *w, uint32_t initial_roc,
			    uint16_t seq)
{
	if (!w->started)
		return (int64_t)initial_roc << 16 | seq;
	return srtp_index_estimate((uint32_t)(w->highest >> 16), (uint16_t)w->highest, seq);
}

int srtp_session_get_roc(const struct srtp_session *s, uint32_t ssrc, uint32_t *tx_roc,
			 uint32_t *rx_roc)
{
	const struct srtp_stream *st = stream_find((struct srtp_session *)s, ssrc);

	if (!st)
		return -ENOENT;
	if (tx_roc)
		*tx_roc = st->tx.started ? (uint32_t)(st->tx.highest >> 16) : st->initial_roc;
	if (rx_roc)
		*rx_roc = st->rx.started ? (uint32_t)(st->rx.highest >> 16) : st->initial_roc;
	return 0;
}

/* --- crypto primitives --------------------------------------------------------- */

/*
 * AES-CM with IV = (k_s * 2^16) xor (SSRC * 2^64) xor (index * 2^16): the index is the
 * 48-bit SRTP index or the 31-bit SRTCP index, both end at IV byte 13.
 */
static int aes_cm_xor(struct srtp_dir_keys *k, uint32_t ssrc, uint64_t index, uint8_t *buf,
		      size_t len)
{
	uint8_t iv[16];
	int outl = 0;

	if (len == 0)
		return 0;
	memcpy(iv, k->salt, SRTP_SESSION_SALT_LEN);
	iv[14] = iv[15] = 0;
	iv[4] ^= (uint8_t)(ssrc >> 24);
	iv[5] ^= (uint8_t)(ssrc >> 16);
	iv[6] ^= (uint8_t)(ssrc >> 8);
	iv[7] ^= (uint8_t)ssrc;
	for (int i = 0; i < 6; i++)
		iv[13 - i] ^= (uint8_t)(index >> (8 * i));
	if (EVP_EncryptInit_ex(k->cipher, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(k->cipher, buf, &outl, buf, (int)len) != 1 || (size_t)outl != len)
		return -EIO;
	return 0;
}

/* HMAC-SHA1 over a || b, with the session's key (the context is re-used, not copied). */
static int hmac_sha1(struct srtp_dir_keys *k, const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen, uint8_t out[SHA1_LEN])
{
	size_t outl = 0;

	if (EVP_MAC_init(k->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(k->mac, a, alen) != 1 ||
	    (blen && EVP_MAC_update(k->mac, b, blen) != 1) ||
	    EVP_MAC_final(k->mac, out, &outl, SHA1_LEN) != 1 || outl != SHA1_LEN)
		return -EIO;
	return 0;
}

/*
 * The stream of ssrc. An unknown one, with SRTP_F_ANY_SSRC, starts fresh in *tmpl: inserted
 * into the session when insert is set (sending), else left to the caller (receiving: kept
 * only once a packet is authentic). NULL with *rc = -ENOENT or -ENOBUFS otherwise.
 */
static struct srtp_stream *stream_for(struct srtp_session *s, uint32_t ssrc,
				      struct srtp_stream *tmpl, int insert, int *rc)
{
	struct srtp_stream *st = stream_find(s, ssrc);

	if (st)
		return st;
	if (!(s->flags & SRTP_F_ANY_SSRC)) {
		*rc = -ENOENT;
		return NULL;
	}
	stream_init(tmpl, ssrc, 0);
	if (!insert)
		return tmpl;
	st = stream_insert(s, tmpl);
	if (!st)
		*rc = -ENOBUFS;
	return st;
}

static int fail(struct srtp_session *s, int rc)
{
	switch (rc) {
	case -EINVAL: s->stats.malformed++; break;
	case -EBADMSG: s->stats.auth_fail++; break;
	case -EALREADY: s->stats.replay++; break;
	case -ENOENT: s->stats.unknown_ssrc++; break;
	case -ENOSPC: s->stats.no_room++; break;
	case -ERANGE: s->stats.seq_jump++; break;
	default: s->stats.errors++; break;
	}
	return rc;
}

int rtp_header_len(const uint8_t *pkt, size_t len)
{
	size_t h;

	if (len < 12 || (pkt[0] >> 6) != 2)
		return -EINVAL;
	h = 12 + 4 * (size_t)(pkt[0] & 0x0f);
	if (pkt[0] & 0x10) {
		if (len < h + 4)
			return -EINVAL;
		h += 4 + 4 * (size_t)((pkt[h + 2] << 8) | pkt[h + 3]);
	}
	return h <= len ? (int)h : -EINVAL;
}

/* --- SRTP ------------------------------------------------------------------------ */

int srtp_session_protect_rtp(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap)
{
	struct srtp_stream *st, tmpl;
	uint8_t mac[SHA1_LEN], roc_be[4];
	uint32_t ssrc;
	uint16_t seq;
	int64_t index;
	int hlen, rc;

	hlen = rtp_header_len(pkt, *len);
	if (hlen < 0)
		return fail(s, hlen);
	if (cap < *len + s->tag_len)
		return fail(s, -ENOSPC);
	ssrc = get_be32(pkt + 8);
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	st = stream_for(s, ssrc, &tmpl, 1, &rc);
	if (!st)
		return fail(s, rc);
	index = window_index(&st->tx, st->initial_roc, seq);
	if (index < 0)
		return fail(s, -EINVAL);
	/* Sending one index twice would reuse its keystream. */
	if (srtp_replay_check(&st->tx, (uint64_t)index) < 0)
		return fail(s, -EALREADY);
	/* a jump far ahead is taken only once following packets confirm it */
	if (srtp_jump_check(&st->tx_jump, st->tx.started, st->tx.highest, (uint64_t)index) < 0)
		return fail(s, -ERANGE);
	rc = aes_cm_xor(&s->rtp, ssrc, (uint64_t)index, pkt + hlen, *len - (size_t)hlen);
	if (rc < 0)
		return fail(s, rc);
	put_be32(roc_be, (uint32_t)((uint64_t)index >> 16));
	rc = hmac_sha1(&s->rtp, pkt, *len, roc_be, sizeof(roc_be), mac);
	if (rc < 0)
		return fail(s, rc);
	memcpy(pkt + *len, mac, s->tag_len);
	*len += s->tag_len;
	srtp_replay_add(&st->tx, (uint64_t)index);
	s->stats.protected_rtp++;
	return 0;
}

int srtp_session_unprotect_rtp(struct srtp_session *s, uint8_t *pkt, size_t *len)
{
	struct srtp_stream *st, tmpl;
	uint8_t mac[SHA1_LEN], roc_be[4];
	size_t body;
	uint32_t ssrc;
	uint16_t seq;
	int64_t index;
	int hlen, rc;

	if (*len < 12 + s->tag_len)
		return fail(s, -EINVAL);
	body = *len - s->tag_len;
	hlen = rtp_header_len(pkt, body);
	if (hlen < 0)
		return fail(s, hlen);
	ssrc = get_be32(pkt + 8);
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	/* an unknown SSRC is evaluated against a fresh stream, kept once the packet is authentic */
	st = stream_for(s, ssrc, &tmpl, 0, &rc);
	if (!st)
		return fail(s, rc);
	index = window_index(&st->rx, st->initial_roc, seq);
	if (index < 0)
		return fail(s, -EALREADY);
	if (srtp_replay_check(&st->rx, (uint64_t)index) < 0)
		return fail(s, -EALREADY);
	put_be32(roc_be, (uint32_t)((uint64_t)index >> 16));
	rc = hmac_sha1(&s->rtp, pkt, body, roc_be, sizeof(roc_be), mac);
	if (rc < 0)
		return fail(s, rc);
	if (CRYPTO_memcmp(mac, pkt + body, s->tag_len) != 0)
		return fail(s, -EBADMSG);
	if (st == &tmpl) {
		st = stream_insert(s, &tmpl);
		if (!st)
			return fail(s, -ENOBUFS);
	}
	rc = aes_cm_xor(&s->rtp, ssrc, (uint64_t)index, pkt + hlen, body - (size_t)hlen);
	if (rc < 0)
		return fail(s, rc);
	srtp_replay_add(&st->rx, (uint64_t)index);
	*len = body;
	s->stats.unprotected_rtp++;
	return 0;
}

/* --- SRTCP ----------------------------------------------------------------------- */

static int rtcp_check_header(const uint8_t *pkt, size_t len)
{
	return len >= 8 && (pkt[0] >> 6) == 2 ? 0 : -EINVAL;
}

int srtp_session_protect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len, size_t cap)
{
	struct srtp_stream *st, tmpl;
	uint8_t mac[SHA1_LEN];
	uint32_t ssrc, index;
	int rc;

	rc = rtcp_check_header(pkt, *len);
	if (rc < 0)
		return fail(s, rc);
	if (cap < *len + SRTCP_INDEX_LEN + SRTCP_TAG_LEN)
		return fail(s, -ENOSPC);
	ssrc = get_be32(pkt + 4);
	st = stream_for(s, ssrc, &tmpl, 1, &rc);
	if (!st)
		return fail(s, rc);
	index = st->tx_rtcp_index;
	if (index > SRTCP_INDEX_MAX)
		return fail(s, -EINVAL);	/* index space used up: new keys needed */
	rc = aes_cm_xor(&s->rtcp, ssrc, index, pkt + 8, *len - 8);
	if (rc < 0)
		return fail(s, rc);
	put_be32(pkt + *len, SRTCP_E_BIT | index);
	*len += SRTCP_INDEX_LEN;
	rc = hmac_sha1(&s->rtcp, pkt, *len, NULL, 0, mac);
	if (rc < 0)
		return fail(s, rc);
	memcpy(pkt + *len, mac, SRTCP_TAG_LEN);
	*len += SRTCP_TAG_LEN;
	st->tx_rtcp_index = index + 1;
	s->stats.protected_rtcp++;
	return 0;
}

int srtp_session_unprotect_rtcp(struct srtp_session *s, uint8_t *pkt, size_t *len)
{
	struct srtp_stream *st, tmpl;
	uint8_t mac[SHA1_LEN];
	uint32_t ssrc, e_index, index;
	size_t body;
	int rc;

	if (*len < 8 + SRTCP_INDEX_LEN + SRTCP_TAG_LEN)
		return fail(s, -EINVAL);
	rc = rtcp_check_header(pkt, *len);
	if (rc < 0)
		return fail(s, rc);
	body = *len - SRTCP_TAG_LEN - SRTCP_INDEX_LEN;
	ssrc = get_be32(pkt + 4);
	e_index = get_be32(pkt + body);
	index = e_index & SRTCP_INDEX_MAX;
	st = stream_for(s, ssrc, &tmpl, 0, &rc);
	if (!st)
		return fail(s, rc);
	if (srtp_replay_check(&st->rx_rtcp, index) < 0)
		return fail(s, -EALREADY);
	rc = hmac_sha1(&s->rtcp, pkt, body + SRTCP_INDEX_LEN, NULL, 0, mac);
	if (rc < 0)
		return fail(s, rc);
	if (CRYPTO_memcmp(mac, pkt + body + SRTCP_INDEX_LEN, SRTCP_TAG_LEN) != 0)
		return fail(s, -EBADMSG);
	if (st == &tmpl) {
		st = stream_insert(s, &tmpl);
		if (!st)
			return fail(s, -ENOBUFS);
	}
	if (e_index & SRTCP_E_BIT) {
		rc = aes_cm_xor(&s->rtcp, ssrc, index, pkt + 8, body - 8);
		if (rc < 0)
			return fail(s, rc);
	}
	srtp_replay_add(&st->rx_rtcp, index);
	*len = body;
	s->stats.unprotected_rtcp++;
	return 0;
}
