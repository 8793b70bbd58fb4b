/*
 * The RFC 4867 RTP payload format for AMR and AMR-WB, single channel, without
 * interleaving, CRC or robust sorting: the octet-aligned mode (section 4.4) and the
 * bandwidth-efficient mode (section 4.3). A payload is a codec mode request (CMR), a
 * table of contents with one entry per 20 ms frame, and the frames.
 *
 * Parsing refuses, with the reason in err, what RFC 4867 says to discard: a frame type
 * the codec does not have (-EINVAL), a table of contents or frame cut short (-EBADMSG),
 * octets after the last frame beyond its padding (-EBADMSG), more frames than
 * AMR_MAX_FRAMES (-E2BIG). What RFC 4867 says to ignore is accepted and reported in
 * `warnings` so the caller can count it: a CMR that is not a mode of the codec (taken as
 * 15, no request), padding or reserved bits that are not zero, a speech frame outside
 * the negotiated mode-set (still decodable).
 */
#ifndef NWIT_CODEC_AMR_PAYLOAD_H
#define NWIT_CODEC_AMR_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/amr_frame.h"

/* 16 frames = 320 ms, over the largest maxptime IMS networks use (240 ms) */
#define AMR_MAX_FRAMES 16

enum amr_warning {
	AMR_WARN_CMR_IGNORED = 1 << 0,   /* CMR neither a mode of the codec nor 15 */
	AMR_WARN_PADDING = 1 << 1,       /* padding or reserved bits not zero */
	AMR_WARN_OUTSIDE_MODE_SET = 1 << 2, /* speech frame in a mode not in mode-set */
};

/* What both ends agreed on for one payload type (see amr_fmtp.h). */
struct amr_format {
	enum amr_codec codec;
	bool octet_align;
	uint16_t mode_set; /* bit m set = mode m allowed; 0 = every mode */
};

struct amr_payload {
	uint8_t cmr; /* 0-7 (AMR), 0-8 (AMR-WB) or AMR_CMR_NONE */
	unsigned nframes;
	struct amr_frame frame[AMR_MAX_FRAMES];
	unsigned warnings; /* enum amr_warning bits, set by amr_payload_parse */
};

int amr_payload_parse(const struct amr_format *fmt, const uint8_t *p, size_t len,
		      struct amr_payload *out, char *err, size_t errlen);

/*
 * Write pl as fmt says into out (cap octets); return its length, or -EINVAL (a CMR or a
 * frame type the codec does not have, a speech frame outside mode-set, no frames, or
 * more than AMR_MAX_FRAMES), -ENOSPC, with the reason in err.
 */
int amr_payload_build(const struct amr_format *fmt, const struct amr_payload *pl, uint8_t *out,
		      size_t cap, char *err, size_t errlen);

/* A short text for the warning bits ("CMR ignored, padding not zero"), for logs. */
const char *amr_warning_text(unsigned warnings, char *buf, size_t len);

#endif
