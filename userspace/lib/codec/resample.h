/*
 * Sample rate conversion of 16-bit mono PCM between the browser side (48 or 8 kHz) and
 * the IMS side (16 or 8 kHz), on libspeexdsp's resampler. Equal rates copy.
 */
#ifndef NWIT_CODEC_RESAMPLE_H
#define NWIT_CODEC_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

struct resampler;

/* quality 0-10 (libspeexdsp: 3 is its "VoIP" setting, 10 the best) */
struct resampler *resampler_new(unsigned in_rate, unsigned out_rate, int quality, char *err,
				size_t errlen);
void resampler_free(struct resampler *r);
/*
 * Convert n_in samples; write at most cap samples to out; return how many were written
 * (n_in * out_rate / in_rate once the filter is primed) or -ENOSPC.
 */
int resampler_run(struct resampler *r, const int16_t *in, size_t n_in, int16_t *out, size_t cap);
/* Delay the filter adds, in output samples. */
unsigned resampler_delay(const struct resampler *r);

#endif
