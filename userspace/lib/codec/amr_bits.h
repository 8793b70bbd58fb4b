/*
 * MSB-first bit reading and writing for the bandwidth-efficient AMR payload, where the
 * CMR, the table of contents and the frames follow each other without octet alignment.
 * Callers check the lengths first; these never go past `len` bits.
 */
#ifndef NWIT_CODEC_AMR_BITS_H
#define NWIT_CODEC_AMR_BITS_H

#include <stddef.h>
#include <stdint.h>

struct amr_bitr {
	const uint8_t *buf;
	size_t len; /* in bits */
	size_t pos; /* in bits */
};

struct amr_bitw {
	uint8_t *buf; /* zeroed by the caller */
	size_t len;
	size_t pos;
};

static inline unsigned amr_bits_get(struct amr_bitr *b, unsigned n)
{
	unsigned v = 0;

	while (n-- && b->pos < b->len) {
		v = v << 1 | ((b->buf[b->pos >> 3] >> (7 - (b->pos & 7))) & 1);
		b->pos++;
	}
	return v;
}

static inline void amr_bits_put(struct amr_bitw *b, unsigned v, unsigned n)
{
	while (n-- && b->pos < b->len) {
		if ((v >> n) & 1)
			b->buf[b->pos >> 3] |= (uint8_t)(0x80 >> (b->pos & 7));
		b->pos++;
	}
}

/* Copy nbits from octet-aligned src (MSB first) into w. */
static inline void amr_bits_put_frame(struct amr_bitw *w, const uint8_t *src, unsigned nbits)
{
	for (unsigned i = 0; i < nbits; i++)
		amr_bits_put(w, (src[i >> 3] >> (7 - (i & 7))) & 1, 1);
}

/* Read nbits from r into octet-aligned dst (zeroed by the caller). */
static inline void amr_bits_get_frame(struct amr_bitr *r, uint8_t *dst, unsigned nbits)
{
	for (unsigned i = 0; i < nbits; i++)
		if (amr_bits_get(r, 1))
			dst[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
}

#endif
