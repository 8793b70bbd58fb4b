/*
 * libspeexdsp resampler for one mono stream.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_resampler.h>

#include "codec/resample.h"

struct resampler {
	unsigned in_rate, out_rate;
	SpeexResamplerState *st; /* NULL when the rates are equal */
};

struct resampler *resampler_new(unsigned in_rate, unsigned out_rate, int quality, char *err,
				size_t errlen)
{
	struct resampler *r;
	int rc = 0;

	if (!in_rate || !out_rate || quality < 0 || quality > 10) {
		snprintf(err, errlen, "resampler %u -> %u Hz, quality %d: invalid", in_rate,
			 out_rate, quality);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "resampler: out of memory");
		return NULL;
	}
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	if (in_rate != out_rate) {
		r->st = speex_resampler_init(1, in_rate, out_rate, quality, &rc);
		if (!r->st) {
			snprintf(err, errlen, "resampler %u -> %u Hz: %s", in_rate, out_rate,
				 speex_resampler_strerror(rc));
			free(r);
			return NULL;
		}
	}
	return r;
}

void resampler_free(struct resampler *r)
{
	if (!r)
		return;
	if (r->st)
		speex_resampler_destroy(r->st);
	free(r);
}

int resampler_run(struct resampler *r, const int16_t *in, size_t n_in, int16_t *out, size_t cap)
{
	spx_uint32_t in_len = (spx_uint32_t)n_in, out_len = (spx_uint32_t)cap;

	if (!r->st) {
		if (n_in > cap)
			return -ENOSPC;
		memcpy(out, in, n_in * sizeof(*in));
		return (int)n_in;
	}
	if ((uint64_t)n_in * r->out_rate / r->in_rate > cap)
		return -ENOSPC;
	if (speex_resampler_process_int(r->st, 0, in, &in_len, out, &out_len) != RESAMPLER_ERR_SUCCESS)
		return -EIO;
	if (in_len != n_in)
		return -ENOSPC;
	return (int)out_len;
}

unsigned resampler_delay(const struct resampler *r)
{
	return r->st ? (unsigned)speex_resampler_get_output_latency(r->st) : 0;
}
