/*
 * The AMR / AMR-WB media type parameters of RFC 4867 section 8.1 as they come in an SDP
 * a=fmtp line ("octet-align=1; mode-set=0,1,2; max-red=0"): parsed and checked, and
 * written for our own offers and answers.
 *
 * Refused with -ENOTSUP: what this implementation does not do (crc=1, robust-sorting=1,
 * interleaving); refused with -EINVAL: a value outside the RFC's range, a mode-set
 * with a mode the codec does not have or twice, a parameter given twice, syntax errors.
 * Parameters RFC 4867 does not define are ignored (RFC 8866 6.15).
 */
#ifndef NWIT_CODEC_AMR_FMTP_H
#define NWIT_CODEC_AMR_FMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/amr_frame.h"
#include "codec/amr_payload.h"

struct amr_fmtp {
	bool octet_align;
	uint16_t mode_set;              /* bit m = mode m; 0 = not given (every mode) */
	uint8_t mode_change_period;     /* 1 (default) or 2 */
	uint8_t mode_change_capability; /* 1 (default) or 2 */
	uint8_t mode_change_neighbor;   /* 0 (default) or 1 */
	int32_t max_red;                /* ms, a multiple of 20 up to 65535; -1 = not given */
};

void amr_fmtp_default(struct amr_fmtp *f);
int amr_fmtp_parse(enum amr_codec c, const char *fmtp, struct amr_fmtp *out, char *err,
		   size_t errlen);
/* Write f as an fmtp parameter list; return its length or -ENOSPC. */
int amr_fmtp_format(const struct amr_fmtp *f, char *buf, size_t len);
/* The payload format both ends then use. */
void amr_fmtp_format_of(enum amr_codec c, const struct amr_fmtp *f, struct amr_format *out);

#endif
