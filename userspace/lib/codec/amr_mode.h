/*
 * Which mode our AMR / AMR-WB encoder uses for each frame (RFC 4867 sections 4.3.1 and
 * 8.1): the highest mode of the receiver's mode-set that is not above its last codec
 * mode request (CMR 15: no preference, the highest of the set), changing mode only every
 * mode-change-period frames and, with mode-change-neighbor=1, only to a neighbouring mode
 * of the set.
 */
#ifndef NWIT_CODEC_AMR_MODE_H
#define NWIT_CODEC_AMR_MODE_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/amr_fmtp.h"
#include "codec/amr_frame.h"

struct amr_mode_ctl {
	enum amr_codec codec;
	uint16_t set;      /* allowed modes, never 0 */
	uint8_t period;    /* 1 or 2 */
	bool neighbor;
	uint8_t mode;      /* the mode of the last frame */
	uint8_t requested; /* last CMR, AMR_CMR_NONE for none */
	uint32_t frames;   /* frames encoded */
};

/* The receiver's parameters (its fmtp) say what we may send. */
void amr_mode_init(struct amr_mode_ctl *m, enum amr_codec c, const struct amr_fmtp *peer);
/* A CMR from a payload the peer sent (after amr_payload_parse). */
void amr_mode_request(struct amr_mode_ctl *m, unsigned cmr);
/* The mode of the next frame to encode. */
unsigned amr_mode_next(struct amr_mode_ctl *m);

#endif
