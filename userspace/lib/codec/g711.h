/*
 * G.711 PCMU (mu-law) and PCMA (A-law) for the browser side of a transcoded call.
 */
#ifndef NWIT_CODEC_G711_H
#define NWIT_CODEC_G711_H

#include <stddef.h>
#include <stdint.h>

uint8_t g711_ulaw_encode(int16_t s);
int16_t g711_ulaw_decode(uint8_t u);
uint8_t g711_alaw_encode(int16_t s);
int16_t g711_alaw_decode(uint8_t a);

/* n samples; alaw selects PCMA, else PCMU */
void g711_encode(int alaw, const int16_t *pcm, size_t n, uint8_t *out);
void g711_decode(int alaw, const uint8_t *in, size_t n, int16_t *pcm);

#endif
