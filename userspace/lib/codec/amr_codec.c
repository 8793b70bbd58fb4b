/*
 * AMR-WB / AMR encoders and decoders: opencore-amr and vo-amrwbenc, fed and read in the
 * storage format's frames (RFC 4867 section 5.3), which is their interface.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <opencore-amrnb/interf_dec.h>
#include <opencore-amrnb/interf_enc.h>
#include <opencore-amrwb/dec_if.h>
#include <vo-amrwbenc/enc_if.h>

#include "codec/amr_codec.h"

struct amr_enc {
	enum amr_codec codec;
	bool dtx;
	void *st;
};

struct amr_dec {
	enum amr_codec codec;
	void *st;
};

struct amr_enc *amr_enc_new(enum amr_codec c, bool dtx)
{
	struct amr_enc *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->codec = c;
	e->dtx = dtx;
	e->st = c == AMR_WB ? E_IF_init() : Encoder_Interface_init(dtx ? 1 : 0);
	if (!e->st) {
		free(e);
		return NULL;
	}
	return e;
}

void amr_enc_free(struct amr_enc *e)
{
	if (!e)
		return;
	if (e->codec == AMR_WB)
		E_IF_exit(e->st);
	else
		Encoder_Interface_exit(e->st);
	free(e);
}

int amr_enc_frame(struct amr_enc *e, unsigned mode, const int16_t *pcm, struct amr_frame *out)
{
	uint8_t buf[1 + AMR_MAX_FRAME_BYTES + 8];
	char err[8];
	int n;

	if (mode >= amr_modes(e->codec))
		return -EINVAL;
	if (e->codec == AMR_WB)
		n = E_IF_encode(e->st, (int)mode, pcm, buf, e->dtx ? 1 : 0);
	else
		n = Encoder_Interface_Encode(e->st, (enum Mode)mode, pcm, buf, 0);
	if (n < 1 || (size_t)n > sizeof(buf))
		return -EIO;
	/* the libraries set no Q bit on NO_DATA; every frame they write is good */
	buf[0] = (uint8_t)((buf[0] & 0x78) | 0x04);
	if (amr_frame_from_storage(e->codec, buf, (size_t)n, out, err, sizeof(err)) < 0)
		return -EIO;
	return 0;
}

struct amr_dec *amr_dec_new(enum amr_codec c)
{
	struct amr_dec *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->codec = c;
	d->st = c == AMR_WB ? D_IF_init() : Decoder_Interface_init();
	if (!d->st) {
		free(d);
		return NULL;
	}
	return d;
}

void amr_dec_free(struct amr_dec *d)
{
	if (!d)
		return;
	if (d->codec == AMR_WB)
		D_IF_exit(d->st);
	else
		Decoder_Interface_exit(d->st);
	free(d);
}

int amr_dec_frame(struct amr_dec *d, const struct amr_frame *f, int16_t *pcm)
{
	uint8_t buf[1 + AMR_MAX_FRAME_BYTES];
	struct amr_frame lost;

	if (!f) {
		memset(&lost, 0, sizeof(lost));
		lost.ft = d->codec == AMR_WB ? AMR_WB_FT_SPEECH_LOST : AMR_FT_NO_DATA;
		lost.q = d->codec == AMR_WB;
		f = &lost;
	}
	if (amr_ft_bits(d->codec, f->ft) < 0)
		return -EINVAL;
	amr_frame_to_storage(f, buf);
	if (d->codec == AMR_WB)
		D_IF_decode(d->st, buf, pcm, _good_frame);
	else
		Decoder_Interface_Decode(d->st, buf, pcm, 0);
	return 0;
}
