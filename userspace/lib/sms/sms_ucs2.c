/* UCS-2 user data (3GPP TS 23.038 section 6.2.3), written as UTF-16BE, to and from UTF-8. */
#include <errno.h>

#include "sms/sms_text.h"

int sms_ucs2_from_utf8(const uint8_t *s, size_t len, uint8_t *out, size_t cap, size_t *n)
{
	size_t i = 0, o = 0, used;
	uint32_t cp;
	int rc;

	while (i < len) {
		rc = sms_utf8_next(s + i, len - i, &cp, &used);
		if (rc < 0)
			return rc;
		i += used;
		if (cp == 0)
			return -EILSEQ; /* a NUL would cut the text short on the way to an app */
		if (cp >= 0x10000) {
			uint32_t v = cp - 0x10000, hi = 0xd800 | (v >> 10), lo = 0xdc00 | (v & 0x3ff);

			if (o + 4 > cap)
				return -ENOSPC;
			out[o++] = (uint8_t)(hi >> 8), out[o++] = (uint8_t)hi;
			out[o++] = (uint8_t)(lo >> 8), out[o++] = (uint8_t)lo;
		} else {
			if (o + 2 > cap)
				return -ENOSPC;
			out[o++] = (uint8_t)(cp >> 8), out[o++] = (uint8_t)cp;
		}
	}
	*n = o;
	return 0;
}

int sms_ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t cap, size_t *outlen)
{
	size_t o = 0;
	int rc;

	if (cap == 0)
		return -ENOSPC;
	if (len % 2)
		return -EBADMSG;
	for (size_t i = 0; i < len; i += 2) {
		uint32_t u = (uint32_t)in[i] << 8 | in[i + 1];

		if (u == 0 || (u >= 0xdc00 && u <= 0xdfff))
			return -EBADMSG;
		if (u >= 0xd800 && u <= 0xdbff) {
			uint32_t lo;

			if (i + 3 >= len)
				return -EBADMSG;
			lo = (uint32_t)in[i + 2] << 8 | in[i + 3];
			if (lo < 0xdc00 || lo > 0xdfff)
				return -EBADMSG;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 2;
		}
		rc = sms_utf8_put(u, out, cap, &o);
		if (rc < 0)
			return rc;
	}
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return 0;
}
