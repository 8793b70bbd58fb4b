/*
 * The transcoder's RTP handling: timestamps and sequence numbers mapped between clock
 * rates (across a 32-bit wrap, losses, a new SSRC), duplicates and late packets
 * dropped, RFC 4733 telephone events rescaled, DTX toward IMS (SID frames, nothing for
 * NO_DATA, M=1 when speech resumes), CMRs steering our AMR encoder within the
 * mode-set, several AMR frames in one packet, and bad IMS payloads refused and counted
 * while the stream goes on. Expected numbers are worked out by hand from the rates.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <opus/opus.h>

#include "codec/amr_codec.h"
#include "codec/amr_payload.h"
#include "codec/rtp_map.h"
#include "codec/xcode.h"
#include "codec_testutil.h"
#include "core/counters.h"

static void map_basics(void **state)
{
	struct rtp_map m;
	struct rtp_view v = { .ssrc = 1, .seq = 65534, .ts = 0xfffffc40u };
	uint8_t hdr[12];
	uint32_t ts;

	(void)state;
	rtp_map_init(&m, 48000, 16000, 0xabc, 100, 5000);
	assert_int_equal(rtp_map_in(&m, &v, &ts), 0);
	assert_int_equal(ts, 5000);
	assert_int_equal(rtp_map_out(&m, hdr, 96, true, ts, 320), 12);
	assert_memory_equal(hdr, ((uint8_t[]){ 0x80, 0xe0, 0, 100, 0, 0, 0x13, 0x88, 0, 0, 0x0a, 0xbc }),
			    12);
	/* next packet: 960 later at 48 kHz, across the 32-bit wrap: 320 later at 16 kHz */
	v.seq = 65535;
	v.ts = 0xfffffc40u + 960; /* = 0 */
	assert_int_equal(rtp_map_in(&m, &v, &ts), 0);
	assert_int_equal(ts, 5320);
	rtp_map_out(&m, hdr, 96, false, ts, 320);
	assert_int_equal(hdr[3], 101);
	/* a duplicate, an older one */
	assert_int_equal(rtp_map_in(&m, &v, &ts), -EALREADY);
	v.seq = 65534;
	assert_int_equal(rtp_map_in(&m, &v, &ts), -EALREADY);
	/* two packets lost: seq 0 and 1 never came */
	v.seq = 2;
	v.ts = 3 * 960;
	assert_int_equal(rtp_map_in(&m, &v, &ts), 0);
	assert_int_equal(ts, 5000 + 4 * 320);
	rtp_map_out(&m, hdr, 96, false, ts, 320);
	assert_int_equal(hdr[3], 102); /* our numbers stay contiguous */
	/* a new SSRC continues where the output stands */
	v.ssrc = 2;
	v.seq = 7;
	v.ts = 123456;
	assert_int_equal(rtp_map_in(&m, &v, &ts), 0);
	assert_int_equal(ts, 5000 + 5 * 320);
	/* durations: 4800 at 48 kHz = 1600 at 16 kHz; upward saturates */
	assert_int_equal(rtp_map_duration(&m, 4800), 1600);
	rtp_map_init(&m, 16000, 48000, 1, 0, 0);
	assert_int_equal(rtp_map_duration(&m, 30000), 0xffff);
	assert_int_equal(rtp_map_duration(&m, 800), 2400);
}

static void rtp_parse(void **state)
{
	/* padding: P=1 and 3 octets, the last says 3 */
	uint8_t p[20] = { 0xa0, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xaa, 0xbb, 0, 0, 3 };
	struct rtp_view v;

	(void)state;
	assert_int_equal(rtp_view_parse(p, 17, &v), 0);
	assert_int_equal(v.payload_len, 2);
	assert_int_equal(v.pt, 96);
	p[16] = 6; /* more padding than payload */
	assert_int_equal(rtp_view_parse(p, 17, &v), -EINVAL);
	p[16] = 0;
	assert_int_equal(rtp_view_parse(p, 17, &v), -EINVAL);
	p[0] = 0x40; /* version 1 */
	assert_int_equal(rtp_view_parse(p, 17, &v), -EINVAL);
	assert_int_equal(rtp_view_parse(p, 11, &v), -EINVAL);
}

/* --- a transcoder and its packets ------------------------------------------------- */

struct rig {
	struct xcode_config c;
	struct xcode *x;
	OpusEncoder *enc;
	uint64_t pos;
	uint16_t seq_web, seq_ims;
	uint32_t ts_web, ts_ims;
	uint8_t out[1500];
	char err[200];
};

static void rig_new(struct rig *r, enum amr_codec ims, bool dtx, uint16_t mode_set)
{
	int rc;

	memset(r, 0, sizeof(*r));
	xcode_config_default(&r->c, XCODE_WEB_OPUS, ims);
	r->c.web_te_pt = 101;
	r->c.ims_te_pt = 100;
	r->c.dtx = dtx;
	r->c.ims_fmtp.octet_align = true;
	r->c.ims_fmtp.mode_set = mode_set;
	assert_int_equal(xcode_new(&r->c, &r->x, r->err, sizeof(r->err)), 0);
	r->enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &rc);
	assert_non_null(r->enc);
	r->ts_web = 1000;
	r->ts_ims = 2000;
}

static void rig_free(struct rig *r)
{
	opus_encoder_destroy(r->enc);
	xcode_free(r->x);
}

/* one 20 ms Opus packet from the "browser" (a tone, or silence) through the transcoder */
static int from_web(struct rig *r, double amp, struct rtp_view *v)
{
	uint8_t pkt[1500];
	int16_t pcm[960];
	int n, rc;

	sine(pcm, 960, 48000, 440, amp, &r->pos);
	rtp_header_write(pkt, r->c.web_pt, false, r->seq_web++, r->ts_web, 0x1234);
	r->ts_web += 960;
	n = opus_encode(r->enc, pcm, 960, pkt + 12, 1400);
	assert_true(n > 0);
	rc = xcode_packet(r->x, XCODE_TO_IMS, pkt, 12 + (size_t)n, r->out, sizeof(r->out), r->err,
			  sizeof(r->err));
	if (rc > 0)
		assert_int_equal(rtp_view_parse(r->out, (size_t)rc, v), 0);
	return rc;
}

/* an AMR payload from the "IMS peer" */
static int from_ims(struct rig *r, const uint8_t *payload, size_t len, unsigned frames,
		    struct rtp_view *v)
{
	uint8_t pkt[1500];
	int rc;

	rtp_header_write(pkt, r->c.ims_pt, false, r->seq_ims++, r->ts_ims, 0x5678);
	r->ts_ims += frames * amr_frame_samples(r->c.ims);
	memcpy(pkt + 12, payload, len);
	rc = xcode_packet(r->x, XCODE_TO_WEB, pkt, 12 + len, r->out, sizeof(r->out), r->err,
			  sizeof(r->err));
	if (rc > 0)
		assert_int_equal(rtp_view_parse(r->out, (size_t)rc, v), 0);
	return rc;
}

static unsigned first_ft(struct rig *r, const struct rtp_view *v, struct amr_payload *pl)
{
	const struct amr_format fmt = { r->c.ims, true, 0 };

	assert_int_equal(amr_payload_parse(&fmt, v->payload, v->payload_len, pl, r->err,
					   sizeof(r->err)), 0);
	return pl->frame[0].ft;
}

static void telephone_event(void **state)
{
	struct rig r;
	struct rtp_view v;
	uint32_t audio_ts;
	/* event 5, E=0, volume 10, duration 4800 (100 ms at 48 kHz) */
	uint8_t te[16] = { 0x80, 0x80 | 101, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 5, 10, 0x12, 0xc0 };
	/* event 9, E=1, volume 20, duration 800 (50 ms at 16 kHz) */
	uint8_t te2[16] = { 0x80, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0x56, 0x78, 9, 0x80 | 20, 0x03, 0x20 };
	uint8_t nb[2] = { 0xf0, 0x7c };

	(void)state;
	rig_new(&r, AMR_WB, false, 0);
	assert_true(from_web(&r, 8000, &v) > 0);
	audio_ts = v.ts;
	/* the event at the next audio timestamp (seq and ts after the audio packet) */
	te[2] = (uint8_t)(r.seq_web >> 8), te[3] = (uint8_t)r.seq_web;
	te[4] = (uint8_t)(r.ts_web >> 24), te[5] = (uint8_t)(r.ts_web >> 16);
	te[6] = (uint8_t)(r.ts_web >> 8), te[7] = (uint8_t)r.ts_web;
	assert_int_equal(xcode_packet(r.x, XCODE_TO_IMS, te, 16, r.out, sizeof(r.out), r.err,
				      sizeof(r.err)), 16);
	assert_int_equal(rtp_view_parse(r.out, 16, &v), 0);
	assert_int_equal(v.pt, 100);
	assert_true(v.marker);
	assert_int_equal(v.ts, audio_ts + 320);
	assert_memory_equal(v.payload, ((uint8_t[]){ 5, 10, 0x06, 0x40 }), 4); /* 1600 */
	/* and back: a NO_DATA audio packet to start the stream, then the event */
	assert_true(from_ims(&r, nb, 2, 1, &v) > 0);
	audio_ts = v.ts;
	te2[2] = 0, te2[3] = (uint8_t)r.seq_ims;
	te2[4] = (uint8_t)(r.ts_ims >> 24), te2[5] = (uint8_t)(r.ts_ims >> 16);
	te2[6] = (uint8_t)(r.ts_ims >> 8), te2[7] = (uint8_t)r.ts_ims;
	assert_int_equal(xcode_packet(r.x, XCODE_TO_WEB, te2, 16, r.out, sizeof(r.out), r.err,
				      sizeof(r.err)), 16);
	assert_int_equal(rtp_view_parse(r.out, 16, &v), 0);
	assert_int_equal(v.pt, 101);
	assert_int_equal(v.ts, audio_ts + 960);
	assert_memory_equal(v.payload, ((uint8_t[]){ 9, 0x80 | 20, 0x09, 0x60 }), 4); /* 2400 */
	assert_int_equal(xcode_get_stats(r.x)->events[XCODE_TO_IMS], 1);
	assert_int_equal(xcode_get_stats(r.x)->events[XCODE_TO_WEB], 1);
	/* an event payload that is not whole events */
	te2[3]++;
	assert_int_equal(xcode_packet(r.x, XCODE_TO_WEB, te2, 15, r.out, sizeof(r.out), r.err,
				      sizeof(r.err)), -EINVAL);
	rig_free(&r);
}

static void dtx_toward_ims(void **state)
{
	struct rig r;
	struct rtp_view v;
	struct amr_payload pl;
	unsigned sent_silence = 0, sid = 0;
	uint32_t next = 0;
	int rc;

	(void)state;
	rig_new(&r, AMR_WB, true, 0);
	for (int i = 0; i < 50; i++) {
		rc = from_web(&r, 8000, &v);
		assert_true(rc > 0);
		assert_int_equal(v.marker, i == 0);
		assert_int_equal(first_ft(&r, &v, &pl), 8);
		if (i)
			assert_int_equal(v.ts, next);
		next = v.ts + 320;
	}
	for (int i = 0; i < 100; i++) { /* 2 s of silence */
		rc = from_web(&r, 0, &v);
		assert_true(rc >= 0);
		if (!rc)
			continue;
		sent_silence++;
		if (first_ft(&r, &v, &pl) == AMR_WB_FT_SID)
			sid++;
		else /* speech only in the VAD's hangover after the tone */
			assert_true(i < 20);
		assert_false(v.marker);
		assert_int_equal((v.ts - next) % 320, 0);
	}
	fprintf(stderr, "# 100 silent frames: %u packets, %u SID\n", sent_silence, sid);
	/* SID_FIRST, then SID_UPDATE every 8th frame; the rest is not sent */
	assert_true(sid >= 10 && sid <= 16);
	assert_true(sent_silence <= 30);
	assert_true(xcode_get_stats(r.x)->silent_frames >= 70);
	/* speech again: M=1 on its first packet */
	for (int i = 0; i < 10; i++) {
		rc = from_web(&r, 8000, &v);
		if (rc > 0 && first_ft(&r, &v, &pl) == 8)
			break;
	}
	assert_true(rc > 0);
	assert_true(v.marker);
	rig_free(&r);

	/* DTX off: every frame is sent, silence as speech frames */
	rig_new(&r, AMR_WB, false, 0);
	for (int i = 0; i < 30; i++) {
		assert_true(from_web(&r, 0, &v) > 0);
		assert_int_equal(first_ft(&r, &v, &pl), 8);
	}
	rig_free(&r);
}

static void cmr_steers_encoder(void **state)
{
	struct rig r;
	struct rtp_view v;
	struct amr_payload pl;
	uint8_t p[2] = { 0x20, 0x7c }; /* CMR 2, one NO_DATA frame */

	(void)state;
	rig_new(&r, AMR_WB, false, 0);
	assert_true(from_web(&r, 8000, &v) > 0);
	assert_int_equal(first_ft(&r, &v, &pl), 8);
	assert_true(from_ims(&r, p, 2, 1, &v) > 0);
	assert_true(from_web(&r, 8000, &v) > 0);
	assert_int_equal(first_ft(&r, &v, &pl), 2);
	assert_int_equal(pl.cmr, AMR_CMR_NONE); /* we ask nothing of the peer */
	p[0] = 0xf0; /* CMR 15: back to the best the set allows */
	assert_true(from_ims(&r, p, 2, 1, &v) > 0);
	assert_true(from_web(&r, 8000, &v) > 0);
	assert_int_equal(first_ft(&r, &v, &pl), 8);
	rig_free(&r);
	/* mode-set 0,1,2 and CMR 15: mode 2 */
	rig_new(&r, AMR_WB, false, 7);
	assert_true(from_web(&r, 8000, &v) > 0);
	assert_int_equal(first_ft(&r, &v, &pl), 2);
	rig_free(&r);
}

static void frames_per_packet(void **state)
{
	struct rig r;
	struct rtp_view v;
	struct amr_payload pl = { .cmr = AMR_CMR_NONE, .nframes = 3 };
	const struct amr_format fmt = { AMR_WB, true, 0 };
	struct amr_enc *e = amr_enc_new(AMR_WB, false);
	int16_t pcm[320];
	uint8_t p[256];
	uint64_t pos = 0;
	uint32_t ts0;
	int n;

	(void)state;
	rig_new(&r, AMR_WB, false, 0);
	for (unsigned i = 0; i < 3; i++) {
		sine(pcm, 320, 16000, 1000, 8000, &pos);
		assert_int_equal(amr_enc_frame(e, 2, pcm, &pl.frame[i]), 0);
	}
	n = amr_payload_build(&fmt, &pl, p, sizeof(p), r.err, sizeof(r.err));
	assert_true(n > 0);
	assert_true(from_ims(&r, p, (size_t)n, 3, &v) > 0);
	ts0 = v.ts;
	assert_int_equal(opus_packet_get_nb_samples(v.payload, (opus_int32)v.payload_len, 48000), 2880);
	/* the next one-frame packet follows 60 ms later */
	pl.nframes = 1;
	n = amr_payload_build(&fmt, &pl, p, sizeof(p), r.err, sizeof(r.err));
	assert_true(from_ims(&r, p, (size_t)n, 1, &v) > 0);
	assert_int_equal(v.ts, ts0 + 2880);
	assert_false(v.marker);
	amr_enc_free(e);
	rig_free(&r);
}

static void bad_ims_payloads(void **state)
{
	struct rig r;
	struct rtp_view v;
	uint8_t p[64] = { 0xf0, 12 << 3 | 4 };
	uint8_t seven[8] = { 0xf0, 0xfc, 0xfc, 0xfc, 0xfc, 0xfc, 0xfc, 0x7c };
	uint64_t refused = counter_get(COUNTER_XCODE_AMR_REFUSED);
	uint64_t ignored = counter_get(COUNTER_XCODE_AMR_IGNORED);
	uint64_t bad = counter_get(COUNTER_XCODE_BAD_RTP);

	(void)state;
	rig_new(&r, AMR_WB, false, 0);
	assert_int_equal(from_ims(&r, p, 2, 1, &v), -EBADMSG); /* FT 12 */
	assert_non_null(strstr(r.err, "frame type 12"));
	p[1] = 2 << 3 | 4; /* a 12.65 frame without its 32 octets */
	assert_int_equal(from_ims(&r, p, 12, 1, &v), -EBADMSG);
	assert_non_null(strstr(r.err, "truncated"));
	assert_int_equal(from_ims(&r, seven, 8, 7, &v), -E2BIG);
	assert_int_equal(counter_get(COUNTER_XCODE_AMR_REFUSED), refused + 3);
	assert_int_equal(xcode_get_stats(r.x)->amr_refused, 3);
	/* CMR 11 is ignored, the frame decoded */
	p[0] = 0xb0;
	p[1] = 15 << 3 | 4;
	assert_true(from_ims(&r, p, 2, 1, &v) > 0);
	assert_int_equal(counter_get(COUNTER_XCODE_AMR_IGNORED), ignored + 1);
	/* not RTP; a payload type not negotiated */
	assert_int_equal(xcode_packet(r.x, XCODE_TO_WEB, p, 8, r.out, sizeof(r.out), r.err,
				      sizeof(r.err)), -EINVAL);
	r.c.ims_pt = 97;
	assert_int_equal(from_ims(&r, p, 2, 1, &v), -EINVAL);
	assert_non_null(strstr(r.err, "97"));
	assert_int_equal(counter_get(COUNTER_XCODE_BAD_RTP), bad + 2);
	r.c.ims_pt = 96;
	/* the stream goes on */
	p[0] = 0xf0;
	assert_true(from_ims(&r, p, 2, 1, &v) > 0);
	/* a duplicate */
	r.seq_ims--;
	assert_int_equal(from_ims(&r, p, 2, 1, &v), -EALREADY);
	assert_int_equal(xcode_get_stats(r.x)->late[XCODE_TO_WEB], 1);
	rig_free(&r);
}

static void sid_from_ims(void **state)
{
	struct rig r;
	struct rtp_view v;
	struct amr_payload pl = { .cmr = AMR_CMR_NONE, .nframes = 1 };
	const struct amr_format fmt = { AMR_WB, true, 0 };
	struct amr_enc *e = amr_enc_new(AMR_WB, true);
	int16_t pcm[320] = { 0 };
	uint8_t p[64];
	int n, sids = 0;

	(void)state;
	rig_new(&r, AMR_WB, false, 0);
	/* the encoder's DTX turns silence into SID_FIRST / NO_DATA / SID_UPDATE */
	for (int i = 0; i < 40; i++) {
		assert_int_equal(amr_enc_frame(e, 2, pcm, &pl.frame[0]), 0);
		if (!amr_ft_is_sid(AMR_WB, pl.frame[0].ft))
			continue;
		n = amr_payload_build(&fmt, &pl, p, sizeof(p), r.err, sizeof(r.err));
		assert_true(from_ims(&r, p, (size_t)n, 1, &v) > 0);
		assert_int_equal(opus_packet_get_nb_samples(v.payload, (opus_int32)v.payload_len,
							    48000), 960);
		r.ts_ims += 7 * 320; /* the frames the peer did not send */
		sids++;
	}
	assert_true(sids >= 2);
	assert_int_equal(xcode_get_stats(r.x)->sid_frames[XCODE_TO_WEB], sids);
	amr_enc_free(e);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(map_basics),
		cmocka_unit_test(rtp_parse),
		cmocka_unit_test(telephone_event),
		cmocka_unit_test(dtx_toward_ims),
		cmocka_unit_test(cmr_steers_encoder),
		cmocka_unit_test(frames_per_packet),
		cmocka_unit_test(bad_ims_payloads),
		cmocka_unit_test(sid_from_ims),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
