/*
 * Text of short messages (3GPP TS 23.038): the GSM 7-bit default alphabet with its
 * extension table (national language shift tables are not supported) and UCS-2, to and
 * from UTF-8, and the packing of septets into octets (TS 23.038 section 6.1.2.1.1).
 *
 * Septet strings hold one septet per byte (0x00..0x7F); an extension-table character
 * is the escape 0x1B followed by its code. UCS-2 is written as UTF-16 big endian:
 * characters outside the Basic Multilingual Plane become surrogate pairs, as phones
 * send them.
 */
#ifndef NWIT_SMS_TEXT_H
#define NWIT_SMS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#define SMS_GSM7_ESC 0x1b

/* Septets one UTF-8 character takes in GSM 7-bit (1 or 2), or 0 when it has none. */
unsigned sms_gsm7_septets_for(uint32_t cp);

/*
 * UTF-8 text -> septets. 0 with *n septets written, -EILSEQ (not UTF-8), -ERANGE (a
 * character the default alphabet and its extension table do not have), -ENOSPC.
 */
int sms_gsm7_from_utf8(const uint8_t *s, size_t len, uint8_t *septets, size_t cap, size_t *n);

/*
 * Septets -> UTF-8 (NUL-terminated). An escape followed by a code the extension table
 * does not have gives the default-alphabet character of that code, a trailing escape a
 * space (TS 23.038 section 6.2.1.1). 0, -EINVAL (a byte over 0x7F), -ENOSPC.
 */
int sms_gsm7_to_utf8(const uint8_t *septets, size_t n, char *out, size_t cap, size_t *outlen);

/*
 * Pack n septets into octets starting at septet position `first` of the user data
 * (the septets before it belong to the user data header and are not touched, except
 * that the octet shared with the header keeps its bits). out must hold
 * ceil((first + n) * 7 / 8) octets. Returns that number of octets.
 */
size_t sms_gsm7_pack(const uint8_t *septets, size_t n, size_t first, uint8_t *out);

/*
 * Unpack septets first..first+n-1 of in (inlen octets). 0, or -EBADMSG when in is too
 * short for them.
 */
int sms_gsm7_unpack(const uint8_t *in, size_t inlen, size_t first, size_t n, uint8_t *septets);

/* UTF-8 -> UTF-16BE. 0 with *n octets, -EILSEQ (not UTF-8, or a NUL), -ENOSPC. */
int sms_ucs2_from_utf8(const uint8_t *s, size_t len, uint8_t *out, size_t cap, size_t *n);

/*
 * UTF-16BE -> UTF-8 (NUL-terminated). 0, -EBADMSG (odd length, a lone surrogate, a
 * NUL character), -ENOSPC.
 */
int sms_ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t cap, size_t *outlen);

/*
 * One UTF-8 character of s (len bytes left): its code point and length in bytes, or
 * -EILSEQ.
 */
int sms_utf8_next(const uint8_t *s, size_t len, uint32_t *cp, size_t *used);

/* Write cp as UTF-8 at out + *o, keeping one byte of cap for a NUL. 0 or -ENOSPC. */
int sms_utf8_put(uint32_t cp, char *out, size_t cap, size_t *o);

#endif
