/*
 * Parsing RFC 4867 AMR / AMR-WB payloads, octet-aligned (section 4.4) and
 * bandwidth-efficient (section 4.3), single channel. See amr_payload.h for what is
 * refused and what is only reported.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/amr_bits.h"
#include "codec/amr_payload.h"

/* ToC entry fields, from the octet-aligned layout F FT(4) Q P P */
struct toc {
	unsigned f, ft, q;
};

static int check_cmr(const struct amr_format *fmt, unsigned cmr, struct amr_payload *out)
{
	if (cmr == AMR_CMR_NONE || cmr < amr_modes(fmt->codec)) {
		out->cmr = (uint8_t)cmr;
		return 0;
	}
	/* RFC 4867 4.3.1 (erratum 4347): a CMR that is not a mode is ignored */
	out->cmr = AMR_CMR_NONE;
	out->warnings |= AMR_WARN_CMR_IGNORED;
	return 0;
}

static int add_frame(const struct amr_format *fmt, struct amr_payload *out, const struct toc *t,
		     char *err, size_t errlen)
{
	struct amr_frame *f;
	int bits;

	if (out->nframes >= AMR_MAX_FRAMES) {
		snprintf(err, errlen, "%s payload: more than %d frames in the table of contents",
			 amr_codec_name(fmt->codec), AMR_MAX_FRAMES);
		return -E2BIG;
	}
	bits = amr_ft_bits(fmt->codec, t->ft);
	if (bits < 0) {
		snprintf(err, errlen,
			 "%s payload: frame %u has frame type %u, which %s does not have "
			 "(RFC 4867 4.3.2: packet discarded)",
			 amr_codec_name(fmt->codec), out->nframes + 1, t->ft,
			 amr_codec_name(fmt->codec));
		return -EINVAL;
	}
	if (amr_ft_is_speech(fmt->codec, t->ft) && fmt->mode_set &&
	    !(fmt->mode_set & (1u << t->ft)))
		out->warnings |= AMR_WARN_OUTSIDE_MODE_SET;
	f = &out->frame[out->nframes++];
	memset(f, 0, sizeof(*f));
	f->ft = (uint8_t)t->ft;
	f->q = (uint8_t)t->q;
	f->bits = (uint16_t)bits;
	return 0;
}

static int truncated(const struct amr_format *fmt, unsigned i, const struct amr_frame *f,
		     size_t have_bits, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "%s payload: frame %u (frame type %u) needs %u bits, %zu remain: truncated",
		 amr_codec_name(fmt->codec), i + 1, f->ft, f->bits, have_bits);
	return -EBADMSG;
}

static int parse_octet_aligned(const struct amr_format *fmt, const uint8_t *p, size_t len,
			       struct amr_payload *out, char *err, size_t errlen)
{
	struct toc t = { .f = 1 };
	size_t i = 1;
	int rc;

	check_cmr(fmt, p[0] >> 4, out);
	if (p[0] & 0x0f)
		out->warnings |= AMR_WARN_PADDING;
	while (t.f) {
		if (i >= len) {
			snprintf(err, errlen,
				 "%s payload: table of contents runs past the end of %zu octets "
				 "(no entry with F=0)",
				 amr_codec_name(fmt->codec), len);
			return -EBADMSG;
		}
		t.f = p[i] >> 7;
		t.ft = (p[i] >> 3) & 0x0f;
		t.q = (p[i] >> 2) & 1;
		if (p[i] & 0x03)
			out->warnings |= AMR_WARN_PADDING;
		i++;
		rc = add_frame(fmt, out, &t, err, errlen);
		if (rc < 0)
			return rc;
	}
	for (unsigned k = 0; k < out->nframes; k++) {
		struct amr_frame *f = &out->frame[k];
		size_t n = ((size_t)f->bits + 7) / 8;
		unsigned pad = (unsigned)(n * 8 - f->bits);

		if (len - i < n)
			return truncated(fmt, k, f, (len - i) * 8, err, errlen);
		memcpy(f->data, p + i, n);
		if (pad && (f->data[n - 1] & ((1u << pad) - 1))) {
			out->warnings |= AMR_WARN_PADDING;
			f->data[n - 1] &= (uint8_t)~((1u << pad) - 1);
		}
		i += n;
	}
	if (i != len) {
		snprintf(err, errlen, "%s payload: %zu octets after the last frame",
			 amr_codec_name(fmt->codec), len - i);
		return -EBADMSG;
	}
	return 0;
}

static int parse_bandwidth_efficient(const struct amr_format *fmt, const uint8_t *p, size_t len,
				     struct amr_payload *out, char *err, size_t errlen)
{
	struct amr_bitr r = { .buf = p, .len = len * 8 };
	struct toc t = { .f = 1 };
	size_t rest;
	int rc;

	check_cmr(fmt, amr_bits_get(&r, 4), out);
	while (t.f) {
		if (r.len - r.pos < 6) {
			snprintf(err, errlen,
				 "%s payload: table of contents runs past the end of %zu octets "
				 "(no entry with F=0)",
				 amr_codec_name(fmt->codec), len);
			return -EBADMSG;
		}
		t.f = amr_bits_get(&r, 1);
		t.ft = amr_bits_get(&r, 4);
		t.q = amr_bits_get(&r, 1);
		rc = add_frame(fmt, out, &t, err, errlen);
		if (rc < 0)
			return rc;
	}
	for (unsigned k = 0; k < out->nframes; k++) {
		struct amr_frame *f = &out->frame[k];

		if (r.len - r.pos < f->bits)
			return truncated(fmt, k, f, r.len - r.pos, err, errlen);
		amr_bits_get_frame(&r, f->data, f->bits);
	}
	rest = r.len - r.pos;
	if (rest >= 8) {
		snprintf(err, errlen, "%s payload: %zu octets after the last frame",
			 amr_codec_name(fmt->codec), rest / 8);
		return -EBADMSG;
	}
	if (amr_bits_get(&r, (unsigned)rest))
		out->warnings |= AMR_WARN_PADDING;
	return 0;
}

int amr_payload_parse(const struct amr_format *fmt, const uint8_t *p, size_t len,
		      struct amr_payload *out, char *err, size_t errlen)
{
	int rc;

	out->cmr = AMR_CMR_NONE;
	out->nframes = 0;
	out->warnings = 0;
	if (len < 2) {
		snprintf(err, errlen, "%s payload of %zu octets: shorter than a CMR and one table "
			 "of contents entry", amr_codec_name(fmt->codec), len);
		return -EBADMSG;
	}
	rc = fmt->octet_align ? parse_octet_aligned(fmt, p, len, out, err, errlen)
			      : parse_bandwidth_efficient(fmt, p, len, out, err, errlen);
	if (rc < 0)
		out->nframes = 0;
	return rc;
}

const char *amr_warning_text(unsigned warnings, char *buf, size_t len)
{
	static const char *const names[] = { "CMR ignored", "padding not zero",
					     "frame outside mode-set" };
	size_t used = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(warnings & (1u << i)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", names[i]);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}
