/*
 * SRTP transform error paths and stream rules: tampered, replayed, truncated, malformed
 * and unknown-SSRC packets get their error code and counter and leave the packet as it
 * was; index estimation and the replay window against hand-worked cases from RFC 3711
 * section 3.3.1 and Appendix A. Valid inputs come from libsrtp2.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "srtp/srtp.h"
#include "srtp/srtp_replay.h"
#include "srtp_testutil.h"

static const uint8_t key_salt[30] = {
	0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41,
	0x39, 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
};
#define SSRC 0xcafebabe

/* A libsrtp2-protected RTP packet of size bytes (before the tag) with sequence seq. */
static size_t lib_rtp(srtp_t lib, uint8_t *buf, size_t size, uint16_t seq, int ext)
{
	struct test_rng r = { seq };
	int len = (int)make_rtp(&r, buf, size, seq, seq * 160u, SSRC, 0);

	if (ext && !(buf[0] & 0x10)) {
		/* force an extension header: no CSRCs, one extension word */
		buf[0] = 0x90;
		buf[12] = 0xbe;
		buf[13] = 0xde;
		buf[14] = 0;
		buf[15] = 1;
	}
	assert_int_equal(srtp_protect(lib, buf, &len), srtp_err_status_ok);
	return (size_t)len;
}

static srtp_t lib_out80(void)
{
	srtp_t s = oracle_session(key_salt, 1, 0);

	assert_non_null(s);
	return s;
}

static struct srtp_session *ours(unsigned int flags)
{
	struct srtp_session *s = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key_salt,
						  key_salt + 16, flags, 0);

	assert_non_null(s);
	return s;
}

static void tampered_tag_and_payload(void **state)
{
	srtp_t lib = lib_out80();
	struct srtp_session *s = ours(SRTP_F_ANY_SSRC);
	uint8_t pkt[TEST_PKT_MAX], copy[TEST_PKT_MAX];
	size_t len = lib_rtp(lib, pkt, 172, 1000, 0), l;

	(void)state;
	for (size_t pos = 0; pos < len; pos += 7) {
		memcpy(copy, pkt, len);
		copy[pos] ^= 0x01;
		l = len;
		assert_int_equal(srtp_session_unprotect_rtp(s, copy, &l), -EBADMSG);
		assert_int_equal(l, len);
		copy[pos] ^= 0x01;
		assert_memory_equal(copy, pkt, len);	/* nothing decrypted */
	}
	/* the failed SSRC never became a stream */
	assert_int_equal(srtp_session_get_roc(s, SSRC, NULL, NULL), -ENOENT);
	assert_true(srtp_session_stats(s)->auth_fail > 0);
	l = len;
	assert_int_equal(srtp_session_unprotect_rtp(s, pkt, &l), 0);
	assert_int_equal(srtp_session_stats(s)->unprotected_rtp, 1);
	srtp_session_free(s);
	srtp_dealloc(lib);
}

static void replay_and_old_packets(void **state)
{
	srtp_t lib = lib_out80();
	struct srtp_session *s = ours(SRTP_F_ANY_SSRC);
	static uint8_t wire[300][TEST_PKT_MAX];
	static size_t wire_len[300];
	uint8_t buf[TEST_PKT_MAX];
	size_t l;

	(void)state;
	for (unsigned int i = 0; i < 300; i++)
		wire_len[i] = lib_rtp(lib, wire[i], 60, (uint16_t)(100 + i), 0);
	/* deliver 0..99 and 150..299, skipping 100..149 */
	for (unsigned int i = 0; i < 300; i++) {
		if (i >= 100 && i < 150)
			continue;
		memcpy(buf, wire[i], wire_len[i]);
		l = wire_len[i];
		assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), 0);
	}
	/* an exact replay of the newest, and of one inside the window */
	memcpy(buf, wire[299], wire_len[299]);
	l = wire_len[299];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), -EALREADY);
	memcpy(buf, wire[200], wire_len[200]);
	l = wire_len[200];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), -EALREADY);
	/* a late packet never seen, 299 - 172 = 127 behind: still inside the 128 window */
	memcpy(buf, wire[172], wire_len[172]);
	l = wire_len[172];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), -EALREADY); /* seen */
	/* never-seen packets 149 (150 behind) and 100 (199 behind) are outside the window */
	memcpy(buf, wire[149], wire_len[149]);
	l = wire_len[149];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), -EALREADY);
	memcpy(buf, wire[100], wire_len[100]);
	l = wire_len[100];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), -EALREADY);
	assert_int_equal(srtp_session_stats(s)->replay, 5);
	srtp_session_free(s);
	srtp_dealloc(lib);
}

static void window_edge(void **state)
{
	srtp_t lib = lib_out80();
	struct srtp_session *s = ours(SRTP_F_ANY_SSRC);
	static uint8_t wire[130][TEST_PKT_MAX];
	static size_t wire_len[130];
	uint8_t buf[TEST_PKT_MAX];
	size_t l;

	(void)state;
	for (unsigned int i = 0; i < 130; i++)
		wire_len[i] = lib_rtp(lib, wire[i], 40, (uint16_t)(65500 + i), 0);
	/* the first (index 65500), the newest (65629, after the wrap, ROC 1), then older
	 * ones under ROC 0 again: 127 behind is accepted, 128 behind is too old */
	memcpy(buf, wire[0], wire_len[0]);
	l = wire_len[0];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), 0);
	memcpy(buf, wire[129], wire_len[129]);
	l = wire_len[129];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), 0);
	memcpy(buf, wire[2], wire_len[2]);	/* 127 behind: accepted */
	l = wire_len[2];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), 0);
	memcpy(buf, wire[1], wire_len[1]);	/* 128 behind: too old */
	l = wire_len[1];
	assert_int_equal(srtp_session_unprotect_rtp(s, buf, &l), -EALREADY);
	srtp_session_free(s);
	srtp_dealloc(lib);
}

static void truncated_and_malformed(void **state)
{
	srtp_t lib = lib_out80();
	struct srtp_session *s = ours(SRTP_F_ANY_SSRC);
	uint8_t pkt[TEST_PKT_MAX], copy[TEST_PKT_MAX];
	size_t len = lib_rtp(lib, pkt, 20, 7, 1), l;

	(void)state;
	for (l = 0; l < 12 + 10; l++) {
		size_t t = l;

		memcpy(copy, pkt, len);
		assert_int_equal(srtp_session_unprotect_rtp(s, copy, &t), -EINVAL);
	}
	/* extension length pointing past the end */
	memcpy(copy, pkt, len);
	copy[15] = 200;
	l = len;
	assert_int_equal(srtp_session_unprotect_rtp(s, copy, &l), -EINVAL);
	/* CSRC count larger than the packet */
	memcpy(copy, pkt, len);
	copy[0] = 0x8f;
	l = len;
	assert_int_equal(srtp_session_unprotect_rtp(s, copy, &l), -EINVAL);
	/* version 1 */
	memcpy(copy, pkt, len);
	copy[0] = (uint8_t)((copy[0] & 0x3f) | 0x40);
	l = len;
	assert_int_equal(srtp_session_unprotect_rtp(s, copy, &l), -EINVAL);
	/* protect: no room for the tag, and a header longer than the packet */
	make_rtp(&(struct test_rng){ 1 }, copy, 100, 1, 1, SSRC, 0);
	l = 100;
	assert_int_equal(srtp_session_protect_rtp(s, copy, &l, 109), -ENOSPC);
	l = 11;
	assert_int_equal(srtp_session_protect_rtp(s, copy, &l, sizeof(copy)), -EINVAL);
	assert_int_equal(srtp_session_stats(s)->no_room, 1);
	assert_true(srtp_session_stats(s)->malformed >= 25);
	/* SRTCP shorter than header + index + tag */
	for (l = 0; l < 8 + 14; l++) {
		size_t t = l;

		memset(copy, 0x80, sizeof(copy));
		assert_int_equal(srtp_session_unprotect_rtcp(s, copy, &t), -EINVAL);
	}
	srtp_session_free(s);
	srtp_dealloc(lib);
}

static void unknown_ssrc(void **state)
{
	srtp_t lib = lib_out80();
	struct srtp_session *s = ours(0);
	uint8_t pkt[TEST_PKT_MAX], copy[TEST_PKT_MAX];
	size_t len = lib_rtp(lib, pkt, 172, 40000, 0), l = len;
	uint32_t rx_roc = 99;

	(void)state;
	memcpy(copy, pkt, len);
	assert_int_equal(srtp_session_unprotect_rtp(s, copy, &l), -ENOENT);
	assert_int_equal(srtp_session_stats(s)->unknown_ssrc, 1);
	assert_int_equal(srtp_session_protect_rtp(s, copy, &l, sizeof(copy)), -ENOENT);
	assert_int_equal(srtp_session_add_stream(s, SSRC, 0), 0);
	assert_int_equal(srtp_session_add_stream(s, SSRC, 0), -EEXIST);
	l = len;
	assert_int_equal(srtp_session_unprotect_rtp(s, pkt, &l), 0);
	assert_int_equal(srtp_session_get_roc(s, SSRC, NULL, &rx_roc), 0);
	assert_int_equal(rx_roc, 0);
	assert_int_equal(srtp_session_del_stream(s, SSRC), 0);
	assert_int_equal(srtp_session_del_stream(s, SSRC), -ENOENT);
	srtp_session_free(s);
	srtp_dealloc(lib);
}

/* A stream declared with ROC 5 talks to a libsrtp2 stream declared with ROC 5. */
static void declared_roc(void **state)
{
	srtp_policy_t pol;
	srtp_t lib = NULL;
	struct srtp_session *s = ours(0);
	uint8_t pkt[TEST_PKT_MAX];
	size_t l;

	(void)state;
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = SSRC;
	pol.key = (unsigned char *)key_salt;
	pol.window_size = 128;
	assert_int_equal(srtp_create(&lib, &pol), srtp_err_status_ok);
	assert_int_equal(srtp_set_stream_roc(lib, SSRC, 5), srtp_err_status_ok);
	assert_int_equal(srtp_session_add_stream(s, SSRC, 5), 0);
	l = lib_rtp(lib, pkt, 200, 10, 0);
	assert_int_equal(srtp_session_unprotect_rtp(s, pkt, &l), 0);
	/* the same packet under ROC 0 does not authenticate */
	assert_int_equal(srtp_session_del_stream(s, SSRC), 0);
	assert_int_equal(srtp_session_add_stream(s, SSRC, 0), 0);
	l = lib_rtp(lib, pkt, 200, 11, 0);
	assert_int_equal(srtp_session_unprotect_rtp(s, pkt, &l), -EBADMSG);
	srtp_session_free(s);
	srtp_dealloc(lib);
}

static void protect_refuses_reused_index(void **state)
{
	struct srtp_session *s = ours(SRTP_F_ANY_SSRC);
	uint8_t pkt[TEST_PKT_MAX];
	size_t l = make_rtp(&(struct test_rng){ 3 }, pkt, 100, 500, 1, SSRC, 0);

	(void)state;
	assert_int_equal(srtp_session_protect_rtp(s, pkt, &l, sizeof(pkt)), 0);
	l = make_rtp(&(struct test_rng){ 4 }, pkt, 100, 500, 2, SSRC, 0);
	assert_int_equal(srtp_session_protect_rtp(s, pkt, &l, sizeof(pkt)), -EALREADY);
	srtp_session_free(s);
}

static void srtcp_errors(void **state)
{
	srtp_t lib = lib_out80();
	struct srtp_session *s = ours(SRTP_F_ANY_SSRC);
	struct test_rng r = { 9 };
	uint8_t pkt[TEST_PKT_MAX], copy[TEST_PKT_MAX];
	int ilen = (int)make_rtcp(&r, pkt, 64, SSRC);
	size_t len, l;

	(void)state;
	assert_int_equal(srtp_protect_rtcp(lib, pkt, &ilen), srtp_err_status_ok);
	len = (size_t)ilen;
	memcpy(copy, pkt, len);
	copy[len - 1] ^= 0x80;
	l = len;
	assert_int_equal(srtp_session_unprotect_rtcp(s, copy, &l), -EBADMSG);
	memcpy(copy, pkt, len);
	copy[len - 14] ^= 0x80;	/* clear the E bit: the tag covers it */
	l = len;
	assert_int_equal(srtp_session_unprotect_rtcp(s, copy, &l), -EBADMSG);
	memcpy(copy, pkt, len);
	l = len;
	assert_int_equal(srtp_session_unprotect_rtcp(s, copy, &l), 0);
	assert_int_equal(l, 64);
	memcpy(copy, pkt, len);
	l = len;
	assert_int_equal(srtp_session_unprotect_rtcp(s, copy, &l), -EALREADY);
	assert_int_equal(srtp_session_stats(s)->auth_fail, 2);
	assert_int_equal(srtp_session_stats(s)->replay, 1);
	srtp_session_free(s);
	srtp_dealloc(lib);
}

/* RFC 3711 Appendix A, worked by hand. */
static void index_estimate_cases(void **state)
{
	(void)state;
	assert_int_equal(srtp_index_estimate(0, 100, 101), 101);
	assert_int_equal(srtp_index_estimate(0, 65535, 0), 0x10000);	/* wrap forward */
	assert_int_equal(srtp_index_estimate(0, 65000, 200), 0x10000 + 200);
	assert_int_equal(srtp_index_estimate(0, 40000, 7300), 7300);	/* 32700 back: same ROC */
	assert_int_equal(srtp_index_estimate(0, 40000, 7000), 0x10000 + 7000); /* 33000: next */
	assert_int_equal(srtp_index_estimate(1, 5, 65530), 65530);	/* late from ROC 0 */
	assert_int_equal(srtp_index_estimate(0, 5, 65530), -1);	/* would be ROC -1 */
	assert_int_equal(srtp_index_estimate(7, 30000, 62768), (7ll << 16) + 62768);
	assert_int_equal(srtp_index_estimate(7, 30000, 62769), (6ll << 16) + 62769);
	assert_int_equal(srtp_index_estimate(UINT32_MAX, 65535, 1), -1);	/* ROC would wrap */
}

static void replay_window_cases(void **state)
{
	struct srtp_replay_window w;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(srtp_replay_check(&w, 1000), 0);
	srtp_replay_add(&w, 1000);
	assert_int_equal(srtp_replay_check(&w, 1000), -1);
	assert_int_equal(srtp_replay_check(&w, 999), 0);
	assert_int_equal(srtp_replay_check(&w, 873), 0);	/* 127 behind */
	assert_int_equal(srtp_replay_check(&w, 872), -1);	/* 128 behind */
	srtp_replay_add(&w, 1064);				/* shift by exactly 64 */
	assert_int_equal(srtp_replay_check(&w, 1000), -1);
	assert_int_equal(srtp_replay_check(&w, 1001), 0);
	srtp_replay_add(&w, 1001);
	srtp_replay_add(&w, 1100);				/* shift by 36 */
	assert_int_equal(srtp_replay_check(&w, 1000), -1);	/* 100 behind, seen */
	assert_int_equal(srtp_replay_check(&w, 1001), -1);
	assert_int_equal(srtp_replay_check(&w, 1002), 0);
	assert_int_equal(srtp_replay_check(&w, 1064), -1);
	srtp_replay_add(&w, 1400);				/* jump past the window */
	assert_int_equal(srtp_replay_check(&w, 1300), 0);
	assert_int_equal(srtp_replay_check(&w, 1272), -1);
}

static void suite_names(void **state)
{
	(void)state;
	assert_int_equal(srtp_suite_from_name("AES_CM_128_HMAC_SHA1_80", 23),
			 SRTP_SUITE_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(srtp_suite_from_name("AES_CM_128_HMAC_SHA1_32", 23),
			 SRTP_SUITE_AES_CM_128_HMAC_SHA1_32);
	assert_int_equal(srtp_suite_from_name("AES_CM_128_HMAC_SHA1_8", 22), SRTP_SUITE_INVALID);
	assert_int_equal(srtp_suite_from_name("AEAD_AES_128_GCM", 16), SRTP_SUITE_INVALID);
	assert_int_equal(srtp_suite_tag_len(SRTP_SUITE_AES_CM_128_HMAC_SHA1_32), 4);
	assert_null(srtp_session_new(SRTP_SUITE_INVALID, key_salt, key_salt + 16, 0, 0));
	assert_int_equal(errno, EINVAL);
}

static void stream_limit(void **state)
{
	struct srtp_session *s = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key_salt,
						  key_salt + 16, SRTP_F_ANY_SSRC, 2);
	uint8_t pkt[TEST_PKT_MAX];
	size_t l;

	(void)state;
	assert_non_null(s);
	for (uint32_t ssrc = 1; ssrc <= 3; ssrc++) {
		l = make_rtp(&(struct test_rng){ ssrc }, pkt, 50, 1, 1, ssrc, 0);
		assert_int_equal(srtp_session_protect_rtp(s, pkt, &l, sizeof(pkt)),
				 ssrc <= 2 ? 0 : -ENOBUFS);
	}
	srtp_session_free(s);
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
		cmocka_unit_test(tampered_tag_and_payload),
		cmocka_unit_test(replay_and_old_packets),
		cmocka_unit_test(window_edge),
		cmocka_unit_test(truncated_and_malformed),
		cmocka_unit_test(unknown_ssrc),
		cmocka_unit_test(declared_roc),
		cmocka_unit_test(protect_refuses_reused_index),
		cmocka_unit_test(srtcp_errors),
		cmocka_unit_test(index_estimate_cases),
		cmocka_unit_test(replay_window_cases),
		cmocka_unit_test(suite_names),
		cmocka_unit_test(stream_limit),
	};

	return cmocka_run_group_tests_name("srtp", tests, setup, teardown);
}
