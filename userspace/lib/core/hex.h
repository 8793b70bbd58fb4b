/* Hexadecimal strings <-> bytes. */
#ifndef NWIT_HEX_H
#define NWIT_HEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode exactly 2*len hex digits (either case) of s into out.
 * Returns 0, or -EINVAL when s is not exactly that many hex digits.
 */
int hex_decode(const char *s, uint8_t *out, size_t len);

/* Write 2*len lowercase digits and a NUL to out (which holds 2*len+1 bytes). */
void hex_encode(const uint8_t *in, size_t len, char *out);

#endif
