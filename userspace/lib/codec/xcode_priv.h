/*
 * The transcoder's state, shared by its setup (xcode.c) and its two directions
 * (xcode_to_ims.c, xcode_to_web.c). Not for use outside codec/.
 */
#ifndef NWIT_CODEC_XCODE_PRIV_H
#define NWIT_CODEC_XCODE_PRIV_H

#include <opus/opus.h>

#include "codec/amr_codec.h"
#include "codec/amr_mode.h"
#include "codec/amr_payload.h"
#include "codec/resample.h"
#include "codec/rtp_map.h"
#include "codec/xcode.h"

/* 120 ms at 48 kHz: the longest Opus packet */
#define XCODE_MAX_WEB_SAMPLES 5760
/* the longest AMR payload we turn into one Opus packet: 6 frames = 120 ms */
#define XCODE_MAX_AMR_FRAMES 6
#define XCODE_FIFO 4096

struct xcode {
	struct xcode_config cfg;
	struct amr_format fmt;
	unsigned web_rate, ims_rate, ims_frame; /* Hz, Hz, samples per AMR frame */
	struct xcode_stats st;

	/* browser -> IMS */
	OpusDecoder *opus_dec;
	struct resampler *rs_up;
	struct amr_enc *enc;
	struct amr_mode_ctl mode;
	struct rtp_map map_up;
	int16_t fifo[XCODE_FIFO]; /* IMS-rate samples not yet encoded */
	size_t fifo_len;
	uint32_t fifo_next_ts;    /* output timestamp right after the fifo's samples */
	bool talkspurt;           /* the last frame sent toward IMS was speech */

	/* IMS -> browser */
	OpusEncoder *opus_enc;
	struct resampler *rs_down;
	struct amr_dec *dec;
	struct rtp_map map_down;
	struct amr_payload pl_down;

	int16_t pcm_web[XCODE_MAX_WEB_SAMPLES];
	int16_t pcm_ims[XCODE_MAX_WEB_SAMPLES];
};

int xcode_to_ims(struct xcode *x, const struct rtp_view *v, uint8_t *out, size_t cap, char *err,
		 size_t errlen);
int xcode_to_web(struct xcode *x, const struct rtp_view *v, uint8_t *out, size_t cap, char *err,
		 size_t errlen);

#endif
