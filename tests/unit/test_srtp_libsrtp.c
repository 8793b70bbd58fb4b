/*
 * The SRTP/SRTCP transform against libsrtp2 as an independent oracle: for every random
 * packet, libsrtp2's SRTP output and ours are byte-for-byte equal, ours unprotects
 * libsrtp2's packets to the original, and libsrtp2 accepts ours and gets the original.
 * 10,000 packets per case, sizes 12-1400 B with CSRCs, padding and header extensions,
 * both tag lengths, SRTCP, ROC rollover across sequence number 65535 -> 0.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "srtp/srtp.h"
#include "srtp_testutil.h"

#define PACKETS 10000

struct pair {
	uint8_t key_salt[30];
	srtp_t lib_out, lib_in;
	struct srtp_session *our_out, *our_in;
};

static void pair_open(struct pair *p, struct test_rng *r, enum srtp_suite suite)
{
	int tag80 = suite == SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;

	rng_fill(r, p->key_salt, sizeof(p->key_salt));
	p->lib_out = oracle_session(p->key_salt, tag80, 0);
	p->lib_in = oracle_session(p->key_salt, tag80, 1);
	assert_non_null(p->lib_out);
	assert_non_null(p->lib_in);
	p->our_out = srtp_session_new(suite, p->key_salt, p->key_salt + 16, SRTP_F_ANY_SSRC, 0);
	p->our_in = srtp_session_new(suite, p->key_salt, p->key_salt + 16, SRTP_F_ANY_SSRC, 0);
	assert_non_null(p->our_out);
	assert_non_null(p->our_in);
}

static void pair_close(struct pair *p)
{
	srtp_dealloc(p->lib_out);
	srtp_dealloc(p->lib_in);
	srtp_session_free(p->our_out);
	srtp_session_free(p->our_in);
}

/* One RTP packet through both implementations in both directions. */
static void cross_rtp(struct pair *p, const uint8_t *orig, size_t len, size_t tag_len)
{
	uint8_t lib[TEST_PKT_MAX], ours[TEST_PKT_MAX];
	int lib_len = (int)len;
	size_t our_len = len;

	memcpy(lib, orig, len);
	memcpy(ours, orig, len);
	assert_int_equal(srtp_protect(p->lib_out, lib, &lib_len), srtp_err_status_ok);
	assert_int_equal(srtp_session_protect_rtp(p->our_out, ours, &our_len, sizeof(ours)), 0);
	assert_int_equal(our_len, len + tag_len);
	assert_int_equal((size_t)lib_len, our_len);
	assert_memory_equal(lib, ours, our_len);

	/* libsrtp2 -> ours */
	our_len = (size_t)lib_len;
	assert_int_equal(srtp_session_unprotect_rtp(p->our_in, lib, &our_len), 0);
	assert_int_equal(our_len, len);
	assert_memory_equal(lib, orig, len);
	/* ours -> libsrtp2 */
	lib_len = (int)(len + tag_len);
	assert_int_equal(srtp_unprotect(p->lib_in, ours, &lib_len), srtp_err_status_ok);
	assert_int_equal((size_t)lib_len, len);
	assert_memory_equal(ours, orig, len);
}

static void run_rtp_case(enum srtp_suite suite, uint64_t seed, unsigned int nssrc)
{
	struct test_rng r = { seed };
	struct pair p;
	uint8_t orig[TEST_PKT_MAX];
	uint32_t ssrc[2], ts[2], rx_roc = 0;
	uint16_t seq[2];

	pair_open(&p, &r, suite);
	for (unsigned int k = 0; k < nssrc; k++) {
		ssrc[k] = (uint32_t)rng_next(&r);
		seq[k] = (uint16_t)(65000 - 20000 * k);	/* 65000, then 45000 */
		ts[k] = (uint32_t)rng_next(&r);
	}
	for (unsigned int i = 0; i < PACKETS; i++) {
		unsigned int k = nssrc > 1 ? rng_range(&r, 0, nssrc - 1) : 0;
		size_t size = rng_range(&r, 12, 1400);
		size_t len = make_rtp(&r, orig, size, seq[k], ts[k], ssrc[k], (uint8_t)(96 + k));

		cross_rtp(&p, orig, len, srtp_suite_tag_len(suite));
		seq[k]++;
		ts[k] += 160;
	}
	/* 10,000 packets from 65000 wrap the first stream's sequence number once. */
	assert_int_equal(srtp_session_get_roc(p.our_in, ssrc[0], NULL, &rx_roc), 0);
	assert_int_equal(rx_roc, 1);
	assert_int_equal(srtp_session_stats(p.our_in)->unprotected_rtp, PACKETS);
	pair_close(&p);
}

static void rtp_80_rollover(void **state)
{
	(void)state;
	run_rtp_case(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0x5eed0080, 1);
}

static void rtp_32_rollover(void **state)
{
	(void)state;
	run_rtp_case(SRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 0x5eed0032, 1);
}

/* BUNDLE: two SSRCs (audio and video) interleaved in one session. */
static void rtp_80_two_ssrcs(void **state)
{
	(void)state;
	run_rtp_case(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0x5eedb0d1, 2);
}

static void run_rtcp_case(enum srtp_suite suite, uint64_t seed)
{
	struct test_rng r = { seed };
	struct pair p;
	uint8_t orig[TEST_PKT_MAX], lib[TEST_PKT_MAX], ours[TEST_PKT_MAX];
	uint32_t ssrc;

	pair_open(&p, &r, suite);
	ssrc = (uint32_t)rng_next(&r);
	for (unsigned int i = 0; i < PACKETS; i++) {
		size_t len = make_rtcp(&r, orig, rng_range(&r, 8, 1400), ssrc);
		int lib_len = (int)len;
		size_t our_len = len;

		memcpy(lib, orig, len);
		memcpy(ours, orig, len);
		assert_int_equal(srtp_protect_rtcp(p.lib_out, lib, &lib_len), srtp_err_status_ok);
		assert_int_equal(srtp_session_protect_rtcp(p.our_out, ours, &our_len, sizeof(ours)), 0);
		assert_int_equal(our_len, len + 14);
		assert_int_equal((size_t)lib_len, our_len);
		assert_memory_equal(lib, ours, our_len);
		/* E bit set, index counts from 1 */
		assert_int_equal(ours[len] & 0x80, 0x80);
		assert_int_equal(((uint32_t)(ours[len] & 0x7f) << 24 | (uint32_t)ours[len + 1] << 16 |
				  (uint32_t)ours[len + 2] << 8 | ours[len + 3]), i + 1);

		assert_int_equal(srtp_session_unprotect_rtcp(p.our_in, lib, &our_len), 0);
		assert_int_equal(our_len, len);
		assert_memory_equal(lib, orig, len);
		lib_len = (int)(len + 14);
		assert_int_equal(srtp_unprotect_rtcp(p.lib_in, ours, &lib_len), srtp_err_status_ok);
		assert_int_equal((size_t)lib_len, len);
		assert_memory_equal(ours, orig, len);
	}
	pair_close(&p);
}

static void srtcp_80(void **state)
{
	(void)state;
	run_rtcp_case(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, 0x5eed1080);
}

/* The _32 suite keeps the 80-bit SRTCP tag (RFC 4568 6.2.1). */
static void srtcp_32(void **state)
{
	(void)state;
	run_rtcp_case(SRTP_SUITE_AES_CM_128_HMAC_SHA1_32, 0x5eed1032);
}

/* SRTCP with the E bit clear (libsrtp2 with a null cipher for RTCP): authenticated only. */
static void srtcp_unencrypted(void **state)
{
	struct test_rng r = { 0x5eed0e0e };
	uint8_t key_salt[30], orig[TEST_PKT_MAX], pkt[TEST_PKT_MAX];
	struct srtp_session *ours;
	srtp_policy_t pol;
	srtp_t lib = NULL;

	(void)state;
	rng_fill(&r, key_salt, sizeof(key_salt));
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_any_outbound;
	pol.key = key_salt;
	pol.window_size = 128;
	assert_int_equal(srtp_create(&lib, &pol), srtp_err_status_ok);
	ours = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key_salt, key_salt + 16, 0, 0);
	assert_non_null(ours);
	assert_int_equal(srtp_session_add_stream(ours, 0x01020304, 0), 0);
	for (unsigned int i = 0; i < 100; i++) {
		size_t len = make_rtcp(&r, orig, rng_range(&r, 8, 1400), 0x01020304), our_len;
		int lib_len = (int)len;

		memcpy(pkt, orig, len);
		assert_int_equal(srtp_protect_rtcp(lib, pkt, &lib_len), srtp_err_status_ok);
		assert_int_equal(pkt[len] & 0x80, 0);		/* E = 0 */
		assert_memory_equal(pkt, orig, len);		/* sent in the clear */
		our_len = (size_t)lib_len;
		assert_int_equal(srtp_session_unprotect_rtcp(ours, pkt, &our_len), 0);
		assert_int_equal(our_len, len);
		assert_memory_equal(pkt, orig, len);
	}
	/* an SSRC the session does not know */
	size_t len = make_rtcp(&r, orig, 40, 0x0a0b0c0d), our_len;
	int lib_len = (int)len;

	assert_int_equal(srtp_protect_rtcp(lib, orig, &lib_len), srtp_err_status_ok);
	our_len = (size_t)lib_len;
	assert_int_equal(srtp_session_unprotect_rtcp(ours, orig, &our_len), -ENOENT);
	assert_int_equal(srtp_session_stats(ours)->unknown_ssrc, 1);
	srtp_session_free(ours);
	srtp_dealloc(lib);
}

/*
 * Reordering within the window is accepted by both, in the same way: packets sent in
 * order by libsrtp2, delivered with random swaps up to 100 positions apart and
 * duplicates; our verdict equals libsrtp2's for each.
 */
static void reorder_and_duplicates_match_libsrtp(void **state)
{
	struct test_rng r = { 0x5eed0bad };
	struct pair p;
	static uint8_t wire[2000][TEST_PKT_MAX];
	static size_t wire_len[2000];
	unsigned int order[2000], n = 2000, accepted = 0, rejected = 0;
	uint8_t a[TEST_PKT_MAX], b[TEST_PKT_MAX];
	uint32_t ssrc;

	(void)state;
	pair_open(&p, &r, SRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	ssrc = (uint32_t)rng_next(&r);
	for (unsigned int i = 0; i < n; i++) {
		int len = (int)make_rtp(&r, wire[i], rng_range(&r, 12, 300),
					(uint16_t)(64000 + i), i * 160, ssrc, 0);

		assert_int_equal(srtp_protect(p.lib_out, wire[i], &len), srtp_err_status_ok);
		wire_len[i] = (size_t)len;
		order[i] = i;
	}
	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = i + rng_range(&r, 0, 100);

		if (j < n && rng_range(&r, 0, 3) == 0) {
			unsigned int t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		if (i > 0 && rng_range(&r, 0, 9) == 0)
			order[i] = order[i - 1];	/* duplicate */
	}
	for (unsigned int i = 0; i < n; i++) {
		size_t our_len = wire_len[order[i]];
		int lib_len = (int)our_len, rc;
		srtp_err_status_t st;

		memcpy(a, wire[order[i]], our_len);
		memcpy(b, wire[order[i]], our_len);
		rc = srtp_session_unprotect_rtp(p.our_in, a, &our_len);
		st = srtp_unprotect(p.lib_in, b, &lib_len);
		if (st == srtp_err_status_ok) {
			assert_int_equal(rc, 0);
			assert_memory_equal(a, b, our_len);
			accepted++;
		} else {
			assert_true(st == srtp_err_status_replay_fail || st == srtp_err_status_replay_old);
			assert_int_equal(rc, -EALREADY);
			rejected++;
		}
	}
	print_message("# %u accepted, %u rejected as replays\n", accepted, rejected);
	assert_true(accepted > n / 2);
	assert_true(rejected > 50);
	pair_close(&p);
}

static int setup(void **state)
{
	(void)state;
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	srtp_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rtp_80_rollover),
		cmocka_unit_test(rtp_32_rollover),
		cmocka_unit_test(rtp_80_two_ssrcs),
		cmocka_unit_test(srtcp_80),
		cmocka_unit_test(srtcp_32),
		cmocka_unit_test(srtcp_unencrypted),
		cmocka_unit_test(reorder_and_duplicates_match_libsrtp),
	};

	return cmocka_run_group_tests_name("srtp_libsrtp", tests, setup, teardown);
}
