/*
 * AMR-WB and AMR speech coding on Debian's libraries: opencore-amrwb decodes AMR-WB,
 * vo-amrwbenc encodes it, opencore-amrnb does both for AMR. One frame is 20 ms of
 * 16-bit mono PCM at the codec's rate (amr_frame_samples()).
 */
#ifndef NWIT_CODEC_AMR_CODEC_H
#define NWIT_CODEC_AMR_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "codec/amr_frame.h"

struct amr_enc;
struct amr_dec;

/* dtx: voice activity detection on, silence sent as SID frames and NO_DATA */
struct amr_enc *amr_enc_new(enum amr_codec c, bool dtx);
void amr_enc_free(struct amr_enc *e);
/* Encode one frame in speech mode `mode`; out gets a speech, SID or NO_DATA frame. */
int amr_enc_frame(struct amr_enc *e, unsigned mode, const int16_t *pcm, struct amr_frame *out);

struct amr_dec *amr_dec_new(enum amr_codec c);
void amr_dec_free(struct amr_dec *d);
/*
 * Decode one frame (speech, SID: comfort noise, NO_DATA: comfort noise after a SID or
 * concealment, Q=0: a damaged frame) into pcm; f NULL = a frame lost in transit.
 */
int amr_dec_frame(struct amr_dec *d, const struct amr_frame *f, int16_t *pcm);

#endif
