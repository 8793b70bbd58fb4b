/*
 * BUNDLE demultiplexing (RFC 8843 section 9.2): RTP by SSRC first, then by payload type;
 * RTCP by its sender SSRC, else the default stream; learned SSRCs keep their stream; a
 * full table refuses more; forgetting a stream frees its SSRCs. Packets are written out
 * byte by byte here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "webrtc/bundle_demux.h"

#define AUDIO 0
#define VIDEO 1

/* Chromium's audio 111 (opus) and video 96 (VP8), 102 (H.264) in one BUNDLE group. */
static void setup_pts(struct bundle_demux *d)
{
	bundle_demux_init(d);
	assert_int_equal(bundle_demux_set_pt(d, 111, AUDIO), 0);
	assert_int_equal(bundle_demux_set_pt(d, 96, VIDEO), 0);
	assert_int_equal(bundle_demux_set_pt(d, 102, VIDEO), 0);
	d->default_stream = AUDIO;
}

static const uint8_t rtp_vp8[12] = { 0x80, 0xe0, 0x00, 0x01, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44 };
static const uint8_t rtp_opus[12] = { 0x90, 0x6f, 0x00, 0x01, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0xdd };
/* RTCP receiver report (PT 201) from sender SSRC 0x11223344, no report blocks */
static const uint8_t rtcp_rr[8] = { 0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44 };

static void by_payload_type(void **state)
{
	struct bundle_demux d;
	uint32_t ssrc = 0;

	(void)state;
	setup_pts(&d);
	assert_int_equal(bundle_demux_pick(&d, rtp_vp8, sizeof(rtp_vp8), &ssrc), VIDEO);
	assert_int_equal(ssrc, 0x11223344);
	assert_int_equal(bundle_demux_pick(&d, rtp_opus, sizeof(rtp_opus), &ssrc), AUDIO);
	assert_int_equal(ssrc, 0xaabbccdd);
}

static void ssrc_before_payload_type(void **state)
{
	struct bundle_demux d;
	uint32_t ssrc;

	(void)state;
	setup_pts(&d);
	/* 0x11223344 was signalled for audio: its packets stay audio whatever their PT */
	assert_int_equal(bundle_demux_learn(&d, 0x11223344, AUDIO), 0);
	assert_int_equal(bundle_demux_pick(&d, rtp_vp8, sizeof(rtp_vp8), &ssrc), AUDIO);
	assert_int_equal(bundle_demux_learn(&d, 0x11223344, AUDIO), 0);
	assert_int_equal(bundle_demux_learn(&d, 0x11223344, VIDEO), -EEXIST);
	assert_int_equal(bundle_demux_find(&d, 0x11223344), AUDIO);
}

static void rtcp_by_sender(void **state)
{
	struct bundle_demux d;
	uint32_t ssrc = 0;

	(void)state;
	setup_pts(&d);
	/* unknown sender: the default stream */
	assert_int_equal(bundle_demux_pick(&d, rtcp_rr, sizeof(rtcp_rr), &ssrc), AUDIO);
	assert_int_equal(ssrc, 0x11223344);
	assert_int_equal(bundle_demux_learn(&d, 0x11223344, VIDEO), 0);
	assert_int_equal(bundle_demux_pick(&d, rtcp_rr, sizeof(rtcp_rr), &ssrc), VIDEO);
	d.default_stream = -1;
	assert_int_equal(bundle_demux_forget_stream(&d, VIDEO), 1);
	assert_int_equal(bundle_demux_pick(&d, rtcp_rr, sizeof(rtcp_rr), &ssrc), -ENOENT);
}

static void refused(void **state)
{
	static const uint8_t v1[12] = { 0x40, 0x60, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4 };
	static const uint8_t pt9[12] = { 0x80, 0x09, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4 };
	struct bundle_demux d;
	uint32_t ssrc;

	(void)state;
	setup_pts(&d);
	assert_int_equal(bundle_demux_pick(&d, v1, sizeof(v1), &ssrc), -EBADMSG);
	assert_int_equal(bundle_demux_pick(&d, rtp_vp8, 11, &ssrc), -EBADMSG);
	assert_int_equal(bundle_demux_pick(&d, rtcp_rr, 7, &ssrc), -EBADMSG);
	assert_int_equal(bundle_demux_pick(&d, pt9, sizeof(pt9), &ssrc), -ENOENT);
	assert_int_equal(bundle_demux_set_pt(&d, 128, AUDIO), -EINVAL);
	assert_int_equal(bundle_demux_set_pt(&d, 0, BUNDLE_MAX_STREAMS), -EINVAL);
	assert_int_equal(bundle_demux_learn(&d, 5, BUNDLE_MAX_STREAMS), -EINVAL);
	/* new answer: payload types forgotten, SSRCs kept */
	assert_int_equal(bundle_demux_learn(&d, 0xaabbccdd, AUDIO), 0);
	bundle_demux_clear_pts(&d);
	assert_int_equal(bundle_demux_pick(&d, rtp_vp8, sizeof(rtp_vp8), &ssrc), -ENOENT);
	assert_int_equal(bundle_demux_pick(&d, rtp_opus, sizeof(rtp_opus), &ssrc), AUDIO);
}

static void table_full(void **state)
{
	struct bundle_demux d;

	(void)state;
	bundle_demux_init(&d);
	for (uint32_t i = 0; i < BUNDLE_MAX_SSRCS; i++)
		assert_int_equal(bundle_demux_learn(&d, 1000 + i, i % 2), 0);
	assert_int_equal(bundle_demux_learn(&d, 5, AUDIO), -ENOSPC);
	assert_int_equal(bundle_demux_find(&d, 1000 + BUNDLE_MAX_SSRCS - 1), 1);
	assert_int_equal(bundle_demux_forget_stream(&d, 1), BUNDLE_MAX_SSRCS / 2);
	assert_int_equal(bundle_demux_find(&d, 1001), -ENOENT);
	assert_int_equal(bundle_demux_find(&d, 1002), 0);
	assert_int_equal(bundle_demux_learn(&d, 5, AUDIO), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_payload_type),
		cmocka_unit_test(ssrc_before_payload_type),
		cmocka_unit_test(rtcp_by_sender),
		cmocka_unit_test(refused),
		cmocka_unit_test(table_full),
	};

	return cmocka_run_group_tests_name("bundle_demux", tests, NULL, NULL);
}
