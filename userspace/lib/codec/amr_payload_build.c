/*
 * Building RFC 4867 AMR / AMR-WB payloads, octet-aligned (section 4.4) and
 * bandwidth-efficient (section 4.3), single channel: CMR, table of contents (F=1 on
 * every entry but the last), frames; padding and reserved bits zero.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/amr_bits.h"
#include "codec/amr_payload.h"

static int check(const struct amr_format *fmt, const struct amr_payload *pl, size_t *bits_sum,
		 char *err, size_t errlen)
{
	const char *name = amr_codec_name(fmt->codec);
	size_t sum = 0;

	if (pl->cmr != AMR_CMR_NONE && pl->cmr >= amr_modes(fmt->codec)) {
		snprintf(err, errlen, "building %s payload: CMR %u is not a mode of %s", name,
			 pl->cmr, name);
		return -EINVAL;
	}
	if (pl->nframes < 1 || pl->nframes > AMR_MAX_FRAMES) {
		snprintf(err, errlen, "building %s payload: %u frames (1 to %d)", name,
			 pl->nframes, AMR_MAX_FRAMES);
		return -EINVAL;
	}
	for (unsigned i = 0; i < pl->nframes; i++) {
		unsigned ft = pl->frame[i].ft;
		int bits = amr_ft_bits(fmt->codec, ft);

		if (bits < 0) {
			snprintf(err, errlen, "building %s payload: frame %u has frame type %u, "
				 "which %s does not have", name, i + 1, ft, name);
			return -EINVAL;
		}
		if (amr_ft_is_speech(fmt->codec, ft) && fmt->mode_set &&
		    !(fmt->mode_set & (1u << ft))) {
			snprintf(err, errlen, "building %s payload: frame %u is in mode %u, "
				 "outside the mode-set", name, i + 1, ft);
			return -EINVAL;
		}
		sum += (size_t)bits;
	}
	*bits_sum = sum;
	return 0;
}

static int build_octet_aligned(const struct amr_format *fmt, const struct amr_payload *pl,
			       uint8_t *out)
{
	size_t i = 0;

	out[i++] = (uint8_t)(pl->cmr << 4);
	for (unsigned k = 0; k < pl->nframes; k++)
		out[i++] = (uint8_t)((k + 1 < pl->nframes) << 7 | (pl->frame[k].ft & 0x0f) << 3 |
				     (pl->frame[k].q ? 1 : 0) << 2);
	for (unsigned k = 0; k < pl->nframes; k++) {
		unsigned bits = (unsigned)amr_ft_bits(fmt->codec, pl->frame[k].ft);
		size_t n = (bits + 7) / 8;

		memcpy(out + i, pl->frame[k].data, n);
		if (bits % 8)
			out[i + n - 1] &= (uint8_t)(0xff << (8 - bits % 8));
		i += n;
	}
	return (int)i;
}

static int build_bandwidth_efficient(const struct amr_format *fmt, const struct amr_payload *pl,
				     uint8_t *out, size_t len)
{
	struct amr_bitw w = { .buf = out, .len = len * 8 };

	memset(out, 0, len);
	amr_bits_put(&w, pl->cmr, 4);
	for (unsigned k = 0; k < pl->nframes; k++) {
		amr_bits_put(&w, k + 1 < pl->nframes, 1);
		amr_bits_put(&w, pl->frame[k].ft, 4);
		amr_bits_put(&w, pl->frame[k].q ? 1 : 0, 1);
	}
	for (unsigned k = 0; k < pl->nframes; k++)
		amr_bits_put_frame(&w, pl->frame[k].data,
				   (unsigned)amr_ft_bits(fmt->codec, pl->frame[k].ft));
	return (int)len;
}

int amr_payload_build(const struct amr_format *fmt, const struct amr_payload *pl, uint8_t *out,
		      size_t cap, char *err, size_t errlen)
{
	size_t bits, len;
	int rc;

	rc = check(fmt, pl, &bits, err, errlen);
	if (rc < 0)
		return rc;
	if (fmt->octet_align) {
		len = 1 + pl->nframes;
		for (unsigned k = 0; k < pl->nframes; k++)
			len += ((size_t)amr_ft_bits(fmt->codec, pl->frame[k].ft) + 7) / 8;
	} else {
		len = (4 + 6 * (size_t)pl->nframes + bits + 7) / 8;
	}
	if (len > cap) {
		snprintf(err, errlen, "building %s payload: needs %zu octets, room for %zu",
			 amr_codec_name(fmt->codec), len, cap);
		return -ENOSPC;
	}
	return fmt->octet_align ? build_octet_aligned(fmt, pl, out)
				: build_bandwidth_efficient(fmt, pl, out, len);
}
