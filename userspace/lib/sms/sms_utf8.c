/* UTF-8 reading and writing one character at a time, for the SMS alphabets. */
#include <errno.h>
#include <string.h>

#include "sms/sms_text.h"

int sms_utf8_next(const uint8_t *s, size_t len, uint32_t *cp, size_t *used)
{
	uint32_t c, min;
	size_t n;

	if (len == 0)
		return -EILSEQ;
	c = s[0];
	if (c < 0x80) {
		*cp = c;
		*used = 1;
		return 0;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return -EILSEQ;
	}
	if (len < n)
		return -EILSEQ;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -EILSEQ;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -EILSEQ;
	*cp = c;
	*used = n;
	return 0;
}

int sms_utf8_put(uint32_t cp, char *out, size_t cap, size_t *o)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | (cp >> 6)), b[1] = (uint8_t)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | (cp >> 12)), b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | (cp >> 18)), b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*o + n + 1 > cap)
		return -ENOSPC;
	memcpy(out + *o, b, n);
	*o += n;
	return 0;
}
