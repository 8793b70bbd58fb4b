/*
 * G.711 (ITU-T G.711, 1988) mu-law and A-law companding, computed per sample from the
 * segment tables of the recommendation. Written here rather than taken from
 * libspandsp-dev, the one Debian library with a G.711 API, because that package pulls in
 * libtiff-dev and libjpeg-dev for its fax code; test_codec_g711 checks every one of the
 * 65536 inputs against sox's implementation.
 */
#include "codec/g711.h"

#define ULAW_BIAS 0x84
#define ULAW_CLIP 32635

/* Index of the highest set bit of v among bits 0..7 of v >> shift (the segment). */
static int segment(int v, int shift)
{
	int seg = 0;

	v >>= shift;
	while (v > 1 && seg < 8) {
		v >>= 1;
		seg++;
	}
	return seg;
}

uint8_t g711_ulaw_encode(int16_t s)
{
	int v = s, sign = 0, seg;

	if (v < 0) {
		v = -v;
		sign = 0x80;
	}
	if (v > ULAW_CLIP)
		v = ULAW_CLIP;
	v += ULAW_BIAS;
	/* v is 0x84..0x7fff: segment 0 has bit 7 as its highest bit */
	seg = segment(v, 7);
	return (uint8_t)~(sign | seg << 4 | ((v >> (seg + 3)) & 0x0f));
}

int16_t g711_ulaw_decode(uint8_t u)
{
	int t;

	u = (uint8_t)~u;
	t = (((u & 0x0f) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4);
	return (int16_t)(u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS);
}

uint8_t g711_alaw_encode(int16_t s)
{
	int v = s >> 3, mask, seg, a; /* 13-bit magnitude */

	if (v >= 0) {
		mask = 0xd5;
	} else {
		mask = 0x55;
		v = -v - 1;
	}
	if (v > 0xfff)
		return (uint8_t)(0x7f ^ mask);
	seg = v < 0x20 ? 0 : segment(v, 4);
	a = seg << 4 | (seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f);
	return (uint8_t)(a ^ mask);
}

int16_t g711_alaw_decode(uint8_t a)
{
	int t, seg;

	a ^= 0x55;
	t = (a & 0x0f) << 4;
	seg = (a & 0x70) >> 4;
	if (seg == 0)
		t += 8;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)(a & 0x80 ? t : -t);
}

void g711_encode(int alaw, const int16_t *pcm, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = alaw ? g711_alaw_encode(pcm[i]) : g711_ulaw_encode(pcm[i]);
}

void g711_decode(int alaw, const uint8_t *in, size_t n, int16_t *pcm)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = alaw ? g711_alaw_decode(in[i]) : g711_ulaw_decode(in[i]);
}
