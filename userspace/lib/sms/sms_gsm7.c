/*
 * GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 section 6.2.1),
 * to and from UTF-8, and septet packing (section 6.1.2.1.1).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "sms/sms_text.h"

/* The default alphabet: code point of each septet (0x1B is the escape). */
static const uint16_t gsm7_default[128] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, /* 0x00 @£$¥èéùì */
	0x00f2, 0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5, /* 0x08 òÇ\nØø\rÅå */
	0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8, /* 0x10 Δ_ΦΓΛΩΠΨ */
	0x03a3, 0x0398, 0x039e, 0x00a0, 0x00c6, 0x00e6, 0x00df, 0x00c9, /* 0x18 ΣΘΞ esc ÆæßÉ */
	0x0020, 0x0021, 0x0022, 0x0023, 0x00a4, 0x0025, 0x0026, 0x0027, /* 0x20  !"#¤%&' */
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f, /* 0x28 ()*+,-./ */
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, /* 0x30 01234567 */
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f, /* 0x38 89:;<=>? */
	0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, /* 0x40 ¡ABCDEFG */
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f, /* 0x48 HIJKLMNO */
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, /* 0x50 PQRSTUVW */
	0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7, /* 0x58 XYZÄÖÑÜ§ */
	0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, /* 0x60 ¿abcdefg */
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f, /* 0x68 hijklmno */
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, /* 0x70 pqrstuvw */
	0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0, /* 0x78 xyzäöñüà */
};

/* The extension table: septet after the escape, and its code point. */
static const struct {
	uint8_t septet;
	uint16_t cp;
} gsm7_ext[] = {
	{ 0x0a, 0x000c }, /* form feed */
	{ 0x14, 0x005e }, /* ^ */
	{ 0x28, 0x007b }, /* { */
	{ 0x29, 0x007d }, /* } */
	{ 0x2f, 0x005c }, /* \ */
	{ 0x3c, 0x005b }, /* [ */
	{ 0x3d, 0x007e }, /* ~ */
	{ 0x3e, 0x005d }, /* ] */
	{ 0x40, 0x007c }, /* | */
	{ 0x65, 0x20ac }, /* € */
};

#define N_EXT (sizeof(gsm7_ext) / sizeof(gsm7_ext[0]))

/* The septet of cp in the default table (the escape excluded), or -1. */
static int default_septet(uint32_t cp)
{
	for (unsigned i = 0; i < 128; i++)
		if (i != SMS_GSM7_ESC && gsm7_default[i] == cp)
			return (int)i;
	return -1;
}

static int ext_septet(uint32_t cp)
{
	for (unsigned i = 0; i < N_EXT; i++)
		if (gsm7_ext[i].cp == cp)
			return gsm7_ext[i].septet;
	return -1;
}

unsigned sms_gsm7_septets_for(uint32_t cp)
{
	if (default_septet(cp) >= 0)
		return 1;
	if (ext_septet(cp) >= 0)
		return 2;
	return 0;
}

int sms_gsm7_from_utf8(const uint8_t *s, size_t len, uint8_t *septets, size_t cap, size_t *n)
{
	size_t i = 0, o = 0, used;
	uint32_t cp;
	int d, e, rc;

	while (i < len) {
		rc = sms_utf8_next(s + i, len - i, &cp, &used);
		if (rc < 0)
			return rc;
		i += used;
		d = default_septet(cp);
		if (d >= 0) {
			if (o + 1 > cap)
				return -ENOSPC;
			septets[o++] = (uint8_t)d;
			continue;
		}
		e = ext_septet(cp);
		if (e < 0)
			return -ERANGE;
		if (o + 2 > cap)
			return -ENOSPC;
		septets[o++] = SMS_GSM7_ESC;
		septets[o++] = (uint8_t)e;
	}
	*n = o;
	return 0;
}

int sms_gsm7_to_utf8(const uint8_t *septets, size_t n, char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;
	uint32_t cp;
	int rc;

	if (cap == 0)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		if (septets[i] > 0x7f)
			return -EINVAL;
		if (septets[i] != SMS_GSM7_ESC) {
			cp = gsm7_default[septets[i]];
		} else if (i + 1 == n) {
			cp = ' ';
		} else {
			uint8_t x = septets[++i];
			bool found = false;

			if (x > 0x7f)
				return -EINVAL;
			cp = x == SMS_GSM7_ESC ? ' ' : gsm7_default[x];
			for (unsigned k = 0; k < N_EXT && !found; k++)
				if (gsm7_ext[k].septet == x)
					cp = gsm7_ext[k].cp, found = true;
		}
		rc = sms_utf8_put(cp, out, cap, &o);
		if (rc < 0)
			return rc;
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return 0;
}

size_t sms_gsm7_pack(const uint8_t *septets, size_t n, size_t first, uint8_t *out)
{
	size_t start = first * 7 / 8, total = ((first + n) * 7 + 7) / 8;

	memset(out + start, 0, total - start);
	for (size_t j = 0; j < n; j++) {
		size_t pos = (first + j) * 7, byte = pos / 8;
		unsigned sh = pos % 8;
		uint8_t s = septets[j] & 0x7f;

		out[byte] |= (uint8_t)(s << sh);
		if (sh > 1)
			out[byte + 1] |= (uint8_t)(s >> (8 - sh));
	}
	return total;
}

int sms_gsm7_unpack(const uint8_t *in, size_t inlen, size_t first, size_t n, uint8_t *septets)
{
	if (((first + n) * 7 + 7) / 8 > inlen)
		return -EBADMSG;
	for (size_t j = 0; j < n; j++) {
		size_t pos = (first + j) * 7, byte = pos / 8;
		unsigned sh = pos % 8;
		unsigned v = in[byte] >> sh;

		if (sh > 1)
			v |= (unsigned)in[byte + 1] << (8 - sh);
		septets[j] = (uint8_t)(v & 0x7f);
	}
	return 0;
}
