/*
 * RFC 4867 AMR / AMR-WB payload format: parse and build, octet-aligned and
 * bandwidth-efficient. Expected octets come from two places independent of the code:
 * layouts worked out by hand from the figures of RFC 4867 sections 4.3 and 4.4 (the
 * hex arrays below), and a slow reference in this file that writes each payload field by
 * field as a string of '0' and '1' exactly as the RFC's figures lay them out. Then
 * errors: frame types the codecs do not have, truncated tables of contents and frames,
 * octets after the last frame, CMRs and padding RFC 4867 says to ignore, mode-set.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec/amr_frame.h"
#include "codec/amr_payload.h"

static const struct amr_format nb_oa = { AMR_NB, true, 0 }, nb_be = { AMR_NB, false, 0 };
static const struct amr_format wb_oa = { AMR_WB, true, 0 }, wb_be = { AMR_WB, false, 0 };

/* The speech bits the RFC's figures number d(0), d(1), ... */
static void fill(struct amr_frame *f, unsigned ft, unsigned bits, unsigned seed)
{
	memset(f, 0, sizeof(*f));
	f->ft = (uint8_t)ft;
	f->q = 1;
	f->bits = (uint16_t)bits;
	for (unsigned i = 0; i < bits; i++)
		if ((i * 7 + seed) % 5 < 2)
			f->data[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

/* --- the reference: payload as a bit string, field by field ------------------ */
struct bitstr {
	char s[4096];
	size_t n;
};

static void field(struct bitstr *b, unsigned v, unsigned width)
{
	while (width--)
		b->s[b->n++] = (char)('0' + ((v >> width) & 1));
}

static void frame_bits(struct bitstr *b, const struct amr_frame *f)
{
	for (unsigned i = 0; i < f->bits; i++)
		b->s[b->n++] = (char)('0' + ((f->data[i / 8] >> (7 - i % 8)) & 1));
}

static void pad_to_octet(struct bitstr *b)
{
	while (b->n % 8)
		b->s[b->n++] = '0';
}

static size_t to_octets(const struct bitstr *b, uint8_t *out)
{
	assert_int_equal(b->n % 8, 0);
	for (size_t i = 0; i < b->n / 8; i++) {
		out[i] = 0;
		for (unsigned k = 0; k < 8; k++)
			out[i] = (uint8_t)(out[i] << 1 | (b->s[i * 8 + k] == '1'));
	}
	return b->n / 8;
}

/* RFC 4867 4.3 figures: CMR(4), ToC entries F FT(4) Q, frames back to back, padding */
static size_t ref_be(unsigned cmr, const struct amr_frame *f, unsigned n, uint8_t *out)
{
	struct bitstr b = { .n = 0 };

	field(&b, cmr, 4);
	for (unsigned i = 0; i < n; i++) {
		field(&b, i + 1 < n, 1);
		field(&b, f[i].ft, 4);
		field(&b, f[i].q, 1);
	}
	for (unsigned i = 0; i < n; i++)
		frame_bits(&b, &f[i]);
	pad_to_octet(&b);
	return to_octets(&b, out);
}

/* RFC 4867 4.4 figures: CMR(4) R(4), ToC octets F FT(4) Q P P, each frame padded */
static size_t ref_oa(unsigned cmr, const struct amr_frame *f, unsigned n, uint8_t *out)
{
	struct bitstr b = { .n = 0 };

	field(&b, cmr, 4);
	field(&b, 0, 4);
	for (unsigned i = 0; i < n; i++) {
		field(&b, i + 1 < n, 1);
		field(&b, f[i].ft, 4);
		field(&b, f[i].q, 1);
		field(&b, 0, 2);
	}
	for (unsigned i = 0; i < n; i++) {
		frame_bits(&b, &f[i]);
		pad_to_octet(&b);
	}
	return to_octets(&b, out);
}

static void build_is(const struct amr_format *fmt, unsigned cmr, const struct amr_frame *f,
		     unsigned n, const uint8_t *want, size_t want_len)
{
	struct amr_payload pl = { .cmr = (uint8_t)cmr, .nframes = n };
	uint8_t out[1500];
	char err[160] = "";
	int len;

	memcpy(pl.frame, f, n * sizeof(*f));
	len = amr_payload_build(fmt, &pl, out, sizeof(out), err, sizeof(err));
	if (len < 0)
		fail_msg("build: %s", err);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
}

static void parse_is(const struct amr_format *fmt, const uint8_t *p, size_t len, unsigned cmr,
		     const struct amr_frame *f, unsigned n)
{
	struct amr_payload pl;
	char err[160] = "";

	if (amr_payload_parse(fmt, p, len, &pl, err, sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_int_equal(pl.warnings, 0);
	assert_int_equal(pl.cmr, cmr);
	assert_int_equal(pl.nframes, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(pl.frame[i].ft, f[i].ft);
		assert_int_equal(pl.frame[i].q, f[i].q);
		assert_int_equal(pl.frame[i].bits, f[i].bits);
		assert_memory_equal(pl.frame[i].data, f[i].data, (f[i].bits + 7) / 8);
	}
}

/* --- layouts worked out by hand --------------------------------------------------- */

/* An AMR SID frame (FT 8, 39 bits): A5 5A FF 00 and the 7 bits 1000000 */
static void sid_nb(struct amr_frame *f)
{
	static const uint8_t d[5] = { 0xa5, 0x5a, 0xff, 0x00, 0x80 };

	memset(f, 0, sizeof(*f));
	f->ft = AMR_NB_FT_SID;
	f->q = 1;
	f->bits = 39;
	memcpy(f->data, d, sizeof(d));
}

static void hand_sid(void **state)
{
	/* bandwidth-efficient: 1111 | 0 1000 1 | 39 bits | 7 padding bits = 7 octets */
	static const uint8_t be[] = { 0xf4, 0x69, 0x56, 0xbf, 0xc0, 0x20, 0x00 };
	/* octet-aligned: F0 | 0 1000 1 00 | the 5 data octets, 1 padding bit */
	static const uint8_t oa[] = { 0xf0, 0x44, 0xa5, 0x5a, 0xff, 0x00, 0x80 };
	struct amr_frame f;

	(void)state;
	sid_nb(&f);
	build_is(&nb_be, 15, &f, 1, be, sizeof(be));
	parse_is(&nb_be, be, sizeof(be), 15, &f, 1);
	build_is(&nb_oa, 15, &f, 1, oa, sizeof(oa));
	parse_is(&nb_oa, oa, sizeof(oa), 15, &f, 1);
}

/*
 * RFC 4867 4.3.5.1's case: one AMR 7.4 kbit/s frame (FT=4, 148 bits), CMR=15, Q=1, two
 * padding bits; here with every speech bit set.
 */
static void hand_74(void **state)
{
	/* 1111 | 0 0100 1 | 148 ones | 00 = F2 7F FF x 17 FC */
	uint8_t be[20] = { 0xf2, 0x7f };
	/* F0 | 0 0100 1 00 = 24 | 18 octets of ones, then 1111 0000 */
	uint8_t oa[21] = { 0xf0, 0x24 };
	struct amr_frame f;

	(void)state;
	memset(be + 2, 0xff, 17);
	be[19] = 0xfc;
	memset(oa + 2, 0xff, 18);
	oa[20] = 0xf0;
	memset(&f, 0, sizeof(f));
	f.ft = 4;
	f.q = 1;
	f.bits = 148;
	memset(f.data, 0xff, 18);
	f.data[18] = 0xf0;
	build_is(&nb_be, 15, &f, 1, be, sizeof(be));
	parse_is(&nb_be, be, sizeof(be), 15, &f, 1);
	build_is(&nb_oa, 15, &f, 1, oa, sizeof(oa));
	parse_is(&nb_oa, oa, sizeof(oa), 15, &f, 1);
}

static void hand_wb_three_frames(void **state)
{
	/* AMR-WB, CMR=2; 12.65 kbit/s (FT 2, 253 bits), NO_DATA, SID (FT 9, 40 bits) */
	struct amr_frame f[3];
	uint8_t oa[64], be[64];

	(void)state;
	fill(&f[0], 2, 253, 1);
	memset(&f[1], 0, sizeof(f[1]));
	f[1].ft = AMR_FT_NO_DATA;
	f[1].q = 1;
	fill(&f[2], AMR_WB_FT_SID, 40, 3);
	/* octet-aligned: 20 | 1 0010 1 00 = 94 | 1 1111 1 00 = FC | 0 1001 1 00 = 4C |
	 * 32 octets (253 bits + 3 padding) | 5 octets */
	oa[0] = 0x20;
	oa[1] = 0x94;
	oa[2] = 0xfc;
	oa[3] = 0x4c;
	memcpy(oa + 4, f[0].data, 32);
	memcpy(oa + 36, f[2].data, 5);
	build_is(&wb_oa, 2, f, 3, oa, 41);
	parse_is(&wb_oa, oa, 41, 2, f, 3);
	/* bandwidth-efficient: 4 + 3 * 6 + 253 + 40 = 315 bits = 40 octets */
	assert_int_equal(ref_be(2, f, 3, be), 40);
	/* 0010 | 1 0010 1 | 1 1111 1 | 0 1001 1 | d(0) ...: 0010 1001, 0111 1111, 0100 11.. */
	assert_int_equal(be[0], 0x29);
	assert_int_equal(be[1], 0x7f);
	assert_int_equal(be[2] >> 2, 0x13);
	build_is(&wb_be, 2, f, 3, be, 40);
	parse_is(&wb_be, be, 40, 2, f, 3);
}

/* every frame type of both codecs, one to three frames, against the reference */
static void every_frame_type(void **state)
{
	const struct amr_format *fmts[4] = { &nb_oa, &nb_be, &wb_oa, &wb_be };

	(void)state;
	for (unsigned k = 0; k < 4; k++) {
		const struct amr_format *fmt = fmts[k];

		for (unsigned ft = 0; ft < 16; ft++) {
			int bits = amr_ft_bits(fmt->codec, ft);
			struct amr_frame f[3];
			uint8_t want[256];
			size_t n;

			if (bits < 0)
				continue;
			for (unsigned i = 0; i < 3; i++)
				fill(&f[i], ft, (unsigned)bits, ft + i);
			f[1].q = 0; /* a damaged frame: Q=0 */
			for (unsigned nf = 1; nf <= 3; nf++) {
				unsigned cmr = (ft + nf) % amr_modes(fmt->codec);

				n = fmt->octet_align ? ref_oa(cmr, f, nf, want)
						     : ref_be(cmr, f, nf, want);
				build_is(fmt, cmr, f, nf, want, n);
				parse_is(fmt, want, n, cmr, f, nf);
			}
		}
	}
}

static void frame_type_table(void **state)
{
	/* RFC 4867 section 3.6 / TS 26.101 and 26.201 table 1a */
	static const int nb[16] = { 95, 103, 118, 134, 148, 159, 204, 244, 39, -EINVAL, -EINVAL,
				    -EINVAL, -EINVAL, -EINVAL, -EINVAL, 0 };
	static const int wb[16] = { 132, 177, 253, 285, 317, 365, 397, 461, 477, 40, -EINVAL,
				    -EINVAL, -EINVAL, -EINVAL, 0, 0 };

	(void)state;
	for (unsigned ft = 0; ft < 16; ft++) {
		assert_int_equal(amr_ft_bits(AMR_NB, ft), nb[ft]);
		assert_int_equal(amr_ft_bits(AMR_WB, ft), wb[ft]);
	}
	assert_true(amr_ft_is_sid(AMR_NB, 8));
	assert_true(amr_ft_is_sid(AMR_WB, 9));
	assert_false(amr_ft_is_speech(AMR_NB, 8));
	assert_true(amr_ft_is_speech(AMR_WB, 8));
	assert_int_equal(amr_mode_bitrate(AMR_WB, 2), 12650);
	assert_int_equal(amr_mode_bitrate(AMR_NB, 7), 12200);
}

static int parse_err(const struct amr_format *fmt, const uint8_t *p, size_t len, const char *want)
{
	struct amr_payload pl;
	char err[160] = "";
	int rc = amr_payload_parse(fmt, p, len, &pl, err, sizeof(err));

	if (rc < 0 && want && !strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	if (rc < 0)
		assert_int_equal(pl.nframes, 0);
	return rc;
}

static void reserved_frame_types(void **state)
{
	uint8_t p[8] = { 0xf0, 0x00 };

	(void)state;
	for (unsigned ft = 9; ft <= 14; ft++) {
		p[1] = (uint8_t)(ft << 3 | 4);
		assert_int_equal(parse_err(&nb_oa, p, 2, "frame type"), -EINVAL);
	}
	for (unsigned ft = 10; ft <= 13; ft++) {
		p[1] = (uint8_t)(ft << 3 | 4);
		assert_int_equal(parse_err(&wb_oa, p, 2, "frame type"), -EINVAL);
	}
	/* AMR-WB SPEECH_LOST and NO_DATA carry no bits */
	p[1] = 14 << 3 | 4;
	assert_int_equal(parse_err(&wb_oa, p, 2, NULL), 0);
	p[1] = 15 << 3 | 4;
	assert_int_equal(parse_err(&nb_oa, p, 2, NULL), 0);
	/* a good frame first, then a reserved one: the whole packet goes */
	p[1] = 0x80 | 15 << 3 | 4;
	p[2] = 12 << 3 | 4;
	assert_int_equal(parse_err(&wb_oa, p, 3, "frame 2"), -EINVAL);
	/* bandwidth-efficient: 1111 0 1100 1 -> FT 12 */
	p[0] = 0xf6;
	p[1] = 0x40;
	assert_int_equal(parse_err(&wb_be, p, 2, "frame type 12"), -EINVAL);
}

static void cmr_ignored(void **state)
{
	struct amr_payload pl;
	char err[160];
	uint8_t p[2] = { 0x80, 15 << 3 | 4 };

	(void)state;
	/* CMR 8 is a mode of AMR-WB, not of AMR */
	assert_int_equal(amr_payload_parse(&wb_oa, p, 2, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.cmr, 8);
	assert_int_equal(pl.warnings, 0);
	assert_int_equal(amr_payload_parse(&nb_oa, p, 2, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.cmr, AMR_CMR_NONE);
	assert_int_equal(pl.warnings, AMR_WARN_CMR_IGNORED);
	p[0] = 0x90;
	assert_int_equal(amr_payload_parse(&wb_oa, p, 2, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.warnings, AMR_WARN_CMR_IGNORED);
	assert_string_equal(amr_warning_text(pl.warnings, err, sizeof(err)), "CMR ignored");
}

static void truncated(void **state)
{
	struct amr_frame f[2];
	uint8_t p[128];
	size_t n;

	(void)state;
	fill(&f[0], 7, 244, 0);
	fill(&f[1], 7, 244, 1);
	/* the last ToC entry says F=1 */
	p[0] = 0xf0;
	p[1] = 0x80 | 7 << 3 | 4;
	assert_int_equal(parse_err(&nb_oa, p, 2, "table of contents"), -EBADMSG);
	p[0] = 0xf8; /* 1111 1 0111 1 ... but only 2 octets */
	p[1] = 0xf0;
	assert_int_equal(parse_err(&nb_be, p, 2, "table of contents"), -EBADMSG);
	/* a frame one octet short, and one bit short */
	n = ref_oa(15, f, 2, p);
	assert_int_equal(parse_err(&nb_oa, p, n - 1, "frame 2 (frame type 7) needs 244 bits"),
			 -EBADMSG);
	n = ref_be(15, f, 2, p); /* 4 + 12 + 488 = 504 bits: 63 octets, no padding */
	assert_int_equal(n, 63);
	assert_int_equal(parse_err(&nb_be, p, n - 1, "truncated"), -EBADMSG);
	assert_int_equal(parse_err(&nb_be, p, 1, "shorter"), -EBADMSG);
	assert_int_equal(parse_err(&nb_be, p, 0, "shorter"), -EBADMSG);
}

static void trailing_and_padding(void **state)
{
	struct amr_payload pl;
	struct amr_frame f;
	char err[160];
	uint8_t p[64];
	size_t n;

	(void)state;
	sid_nb(&f);
	n = ref_oa(15, &f, 1, p);
	p[n] = 0;
	assert_int_equal(parse_err(&nb_oa, p, n + 1, "1 octets after the last frame"), -EBADMSG);
	n = ref_be(15, &f, 1, p);
	p[n] = 0;
	assert_int_equal(parse_err(&nb_be, p, n + 1, "after the last frame"), -EBADMSG);
	/* padding bits set: accepted (RFC 4867: ignored on reception), reported, cleared */
	p[n - 1] |= 0x01;
	assert_int_equal(amr_payload_parse(&nb_be, p, n, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.warnings, AMR_WARN_PADDING);
	n = ref_oa(15, &f, 1, p);
	p[n - 1] |= 0x01; /* the frame's padding bit */
	assert_int_equal(amr_payload_parse(&nb_oa, p, n, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.warnings, AMR_WARN_PADDING);
	assert_memory_equal(pl.frame[0].data, f.data, 5);
	n = ref_oa(15, &f, 1, p);
	p[0] |= 0x01; /* R bits */
	p[1] |= 0x02; /* ToC P bits */
	assert_int_equal(amr_payload_parse(&nb_oa, p, n, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.warnings, AMR_WARN_PADDING);
}

static void too_many_frames(void **state)
{
	uint8_t p[AMR_MAX_FRAMES + 4];

	(void)state;
	p[0] = 0xf0;
	for (unsigned i = 1; i <= AMR_MAX_FRAMES + 1; i++)
		p[i] = (uint8_t)((i <= AMR_MAX_FRAMES) << 7 | 15 << 3 | 4);
	assert_int_equal(parse_err(&wb_oa, p, AMR_MAX_FRAMES + 2, "more than"), -E2BIG);
	p[AMR_MAX_FRAMES] &= 0x7f;
	assert_int_equal(parse_err(&wb_oa, p, AMR_MAX_FRAMES + 1, NULL), 0);
}

static void mode_set(void **state)
{
	const struct amr_format set = { AMR_WB, true, 1u << 0 | 1u << 1 | 1u << 2 };
	struct amr_payload pl = { .cmr = 15, .nframes = 1 };
	uint8_t p[64];
	char err[160] = "";
	size_t n;

	(void)state;
	fill(&pl.frame[0], 8, 477, 0);
	assert_int_equal(amr_payload_build(&set, &pl, p, sizeof(p), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "outside the mode-set"));
	n = ref_oa(15, pl.frame, 1, p);
	assert_int_equal(amr_payload_parse(&set, p, n, &pl, err, sizeof(err)), 0);
	assert_int_equal(pl.warnings, AMR_WARN_OUTSIDE_MODE_SET);
	/* SID and NO_DATA are not speech modes: always allowed */
	fill(&pl.frame[0], 9, 40, 0);
	assert_true(amr_payload_build(&set, &pl, p, sizeof(p), err, sizeof(err)) > 0);
}

static void build_errors(void **state)
{
	struct amr_payload pl = { .cmr = 8, .nframes = 1 };
	uint8_t p[64];
	char err[160] = "";

	(void)state;
	fill(&pl.frame[0], 7, 244, 0);
	assert_int_equal(amr_payload_build(&nb_oa, &pl, p, sizeof(p), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "CMR 8"));
	pl.cmr = 15;
	assert_int_equal(amr_payload_build(&nb_oa, &pl, p, 32, err, sizeof(err)), -ENOSPC);
	assert_int_equal(amr_payload_build(&nb_oa, &pl, p, 33, err, sizeof(err)), 33);
	pl.frame[0].ft = 10;
	assert_int_equal(amr_payload_build(&nb_be, &pl, p, sizeof(p), err, sizeof(err)), -EINVAL);
	pl.nframes = 0;
	assert_int_equal(amr_payload_build(&nb_be, &pl, p, sizeof(p), err, sizeof(err)), -EINVAL);
}

static void storage_frames(void **state)
{
	struct amr_frame f, g;
	uint8_t s[64];
	char err[160] = "";
	size_t n;

	(void)state;
	fill(&f, 2, 253, 4);
	n = amr_frame_to_storage(&f, s);
	assert_int_equal(n, 33);
	assert_int_equal(s[0], 0x14); /* 0 0010 1 00 */
	assert_int_equal(amr_frame_from_storage(AMR_WB, s, n, &g, err, sizeof(err)), 33);
	assert_memory_equal(g.data, f.data, 32);
	assert_int_equal(amr_frame_from_storage(AMR_WB, s, 32, &g, err, sizeof(err)), -EBADMSG);
	s[0] = 0x15;
	assert_int_equal(amr_frame_from_storage(AMR_WB, s, n, &g, err, sizeof(err)), -EBADMSG);
	s[0] = 11 << 3 | 4;
	assert_int_equal(amr_frame_from_storage(AMR_WB, s, n, &g, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frame_type_table),
		cmocka_unit_test(hand_sid),
		cmocka_unit_test(hand_74),
		cmocka_unit_test(hand_wb_three_frames),
		cmocka_unit_test(every_frame_type),
		cmocka_unit_test(reserved_frame_types),
		cmocka_unit_test(cmr_ignored),
		cmocka_unit_test(truncated),
		cmocka_unit_test(trailing_and_padding),
		cmocka_unit_test(too_many_frames),
		cmocka_unit_test(mode_set),
		cmocka_unit_test(build_errors),
		cmocka_unit_test(storage_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
