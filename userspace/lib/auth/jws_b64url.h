/* base64url without padding (RFC 4648 section 5, as JWS uses it, RFC 7515 section 2). */
#ifndef NWIT_JWS_B64URL_H
#define NWIT_JWS_B64URL_H

#include <stddef.h>
#include <stdint.h>

/* Bytes needed to decode len characters (an upper bound). */
#define B64URL_DECODED_MAX(len) (((len) / 4) * 3 + 3)
/* Characters (plus NUL) needed to encode len bytes. */
#define B64URL_ENCODED_SIZE(len) ((((len) + 2) / 3) * 4 + 1)

/*
 * Strict decoding: only [A-Za-z0-9_-], no padding, no whitespace, a length that is not
 * 1 mod 4, and zero bits left over in the last character (one encoding per value).
 * Returns the decoded length, or -EINVAL; out holds at least B64URL_DECODED_MAX(len).
 */
long b64url_decode(const char *in, size_t len, uint8_t *out);

/* Encode; out holds at least B64URL_ENCODED_SIZE(len). Returns the length written. */
size_t b64url_encode(const uint8_t *in, size_t len, char *out);

#endif
