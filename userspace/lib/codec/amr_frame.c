/*
 * Frame types of AMR (TS 26.101 table 1a) and AMR-WB (TS 26.201 table 1a), with the
 * numbers of bits RFC 4867 section 3.6 lists, and the storage format's frame header.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/amr_frame.h"

/* Frame types 0-15; -1 = not carried by RFC 4867 (the packet is discarded). */
static const int nb_bits[16] = {
	95, 103, 118, 134, 148, 159, 204, 244, /* 4.75 ... 12.2 kbit/s */
	39,                                    /* SID */
	-1, -1, -1,                            /* GSM-EFR, TDMA-EFR, PDC-EFR SID: not used */
	-1, -1, -1,                            /* reserved */
	0,                                     /* NO_DATA */
};
static const int wb_bits[16] = {
	132, 177, 253, 285, 317, 365, 397, 461, 477, /* 6.60 ... 23.85 kbit/s */
	40,                                          /* SID */
	-1, -1, -1, -1,                              /* reserved */
	0,                                           /* SPEECH_LOST */
	0,                                           /* NO_DATA */
};
static const unsigned nb_rate[8] = { 4750, 5150, 5900, 6700, 7400, 7950, 10200, 12200 };
static const unsigned wb_rate[9] = { 6600, 8850, 12650, 14250, 15850, 18250, 19850, 23050, 23850 };

unsigned amr_modes(enum amr_codec c)
{
	return c == AMR_WB ? 9 : 8;
}

unsigned amr_rate(enum amr_codec c)
{
	return c == AMR_WB ? 16000 : 8000;
}

unsigned amr_frame_samples(enum amr_codec c)
{
	return amr_rate(c) / 1000 * AMR_FRAME_MS;
}

const char *amr_codec_name(enum amr_codec c)
{
	return c == AMR_WB ? "AMR-WB" : "AMR";
}

int amr_ft_bits(enum amr_codec c, unsigned ft)
{
	int b;

	if (ft > 15)
		return -EINVAL;
	b = c == AMR_WB ? wb_bits[ft] : nb_bits[ft];
	return b < 0 ? -EINVAL : b;
}

bool amr_ft_is_speech(enum amr_codec c, unsigned ft)
{
	return ft < amr_modes(c);
}

bool amr_ft_is_sid(enum amr_codec c, unsigned ft)
{
	return ft == (c == AMR_WB ? AMR_WB_FT_SID : AMR_NB_FT_SID);
}

unsigned amr_mode_bitrate(enum amr_codec c, unsigned mode)
{
	if (mode >= amr_modes(c))
		return 0;
	return c == AMR_WB ? wb_rate[mode] : nb_rate[mode];
}

size_t amr_frame_to_storage(const struct amr_frame *f, uint8_t *out)
{
	size_t n = ((size_t)f->bits + 7) / 8;

	out[0] = (uint8_t)((f->ft & 0x0f) << 3 | (f->q ? 1 : 0) << 2);
	memcpy(out + 1, f->data, n);
	return n + 1;
}

int amr_frame_from_storage(enum amr_codec c, const uint8_t *p, size_t len, struct amr_frame *f,
			   char *err, size_t errlen)
{
	unsigned ft;
	size_t n;
	int bits;

	if (len < 1) {
		snprintf(err, errlen, "storage frame: no header octet");
		return -EBADMSG;
	}
	if (p[0] & 0x83) {
		snprintf(err, errlen, "storage frame header 0x%02x: padding bits are not zero", p[0]);
		return -EBADMSG;
	}
	ft = (p[0] >> 3) & 0x0f;
	bits = amr_ft_bits(c, ft);
	if (bits < 0) {
		snprintf(err, errlen, "storage frame: frame type %u is not an %s frame type", ft,
			 amr_codec_name(c));
		return -EINVAL;
	}
	n = ((size_t)bits + 7) / 8;
	if (len - 1 < n) {
		snprintf(err, errlen, "storage frame: frame type %u needs %zu octets, %zu remain", ft,
			 n, len - 1);
		return -EBADMSG;
	}
	memset(f, 0, sizeof(*f));
	f->ft = (uint8_t)ft;
	f->q = (p[0] >> 2) & 1;
	f->bits = (uint16_t)bits;
	memcpy(f->data, p + 1, n);
	return (int)(n + 1);
}
