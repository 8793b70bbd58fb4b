/*
 * Addresses of short messages: the TP address (3GPP TS 23.040 9.1.2.5: digits counted in
 * semi-octets, or alphanumeric in GSM 7-bit) and the RP address (TS 24.011 8.2.5.1/2:
 * length in octets, BCD digits).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/reason.h"
#include "sms/sms_text.h"
#include "sms/sms_tpdu.h"

static const char bcd_digits[] = "0123456789*#abc";

static int digit_value(char c)
{
	const char *p = c ? strchr(bcd_digits, c) : NULL;

	return p ? (int)(p - bcd_digits) : -1;
}

int sms_addr_parse(const char *s, struct sms_addr *a)
{
	size_t n = 0;

	memset(a, 0, sizeof(*a));
	a->npi = SMS_NPI_ISDN;
	a->ton = SMS_TON_UNKNOWN;
	if (*s == '+') {
		a->ton = SMS_TON_INTERNATIONAL;
		s++;
	}
	for (; *s; s++) {
		if (strchr("-.()", *s))
			continue;
		if (digit_value(*s) < 0 || n == SMS_TP_ADDR_DIGITS_MAX)
			return -EINVAL;
		a->text[n++] = *s;
	}
	if (n == 0)
		return -EINVAL;
	a->text[n] = '\0';
	return 0;
}

/* Whether the URI parameters from p (";a=b;user=phone") hold user=phone. */
static bool user_phone(const char *p)
{
	for (; p && *p; p = strchr(p + 1, ';'))
		if (strncasecmp(p, ";user=phone", 11) == 0 && (p[11] == '\0' || p[11] == ';'))
			return true;
	return false;
}

int sms_addr_from_uri(const char *uri, struct sms_addr *a)
{
	char num[SMS_TP_ADDR_DIGITS_MAX * 2 + 8];
	const char *user, *end;
	size_t n;

	if (strncasecmp(uri, "tel:", 4) == 0) {
		user = uri + 4;
		end = user + strcspn(user, ";");
	} else if (strncasecmp(uri, "sip:", 4) == 0 || strncasecmp(uri, "sips:", 5) == 0) {
		user = strchr(uri, ':') + 1;
		end = strchr(user, '@');
		if (!end || memchr(user, ';', (size_t)(end - user)) || !user_phone(strchr(end, ';')))
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	n = (size_t)(end - user);
	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, user, n);
	num[n] = '\0';
	return sms_addr_parse(num, a);
}

int sms_addr_format(const struct sms_addr *a, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%s",
			 a->ton == SMS_TON_INTERNATIONAL && a->text[0] ? "+" : "", a->text);

	return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

/* Digits of a (the checks of sms_addr_parse) as semi-octets at out, filler F. */
static int put_bcd(const struct sms_addr *a, uint8_t *out, size_t cap, size_t *ndigits)
{
	size_t n = strlen(a->text);

	if (n > SMS_TP_ADDR_DIGITS_MAX || (n + 1) / 2 > cap)
		return n > SMS_TP_ADDR_DIGITS_MAX ? -EINVAL : -ENOSPC;
	for (size_t i = 0; i < n; i++) {
		int v = digit_value(a->text[i]);

		if (v < 0)
			return -EINVAL;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(0xf0 | v);
		else
			out[i / 2] = (uint8_t)((out[i / 2] & 0x0f) | v << 4);
	}
	*ndigits = n;
	return 0;
}

/* ndigits semi-octets of in as text; a filler F only after the last digit. */
static int get_bcd(const uint8_t *in, size_t ndigits, char *text, char *err, size_t errlen)
{
	for (size_t i = 0; i < ndigits; i++) {
		unsigned v = i % 2 == 0 ? in[i / 2] & 0x0f : in[i / 2] >> 4;

		if (v == 0xf)
			return reason_set(err, errlen, -EBADMSG, "filler F in digit %zu of an address", i + 1);
		text[i] = bcd_digits[v];
	}
	text[ndigits] = '\0';
	return 0;
}

static uint8_t type_octet(const struct sms_addr *a)
{
	return (uint8_t)(0x80 | (a->ton & 7) << 4 | (a->npi & 0x0f));
}

int sms_tp_addr_encode(const struct sms_addr *a, uint8_t *out, size_t cap)
{
	size_t n;
	int rc;

	if (a->ton == SMS_TON_ALPHANUMERIC || a->ton > 7 || a->npi > 15)
		return -EINVAL;
	if (cap < 2)
		return -ENOSPC;
	rc = put_bcd(a, out + 2, cap - 2, &n);
	if (rc < 0)
		return rc;
	out[0] = (uint8_t)n;
	out[1] = type_octet(a);
	return (int)(2 + (n + 1) / 2);
}

int sms_tp_addr_decode(const uint8_t *in, size_t len, struct sms_addr *a, size_t *used,
		       char *err, size_t errlen)
{
	size_t ndigits, octets;

	memset(a, 0, sizeof(*a));
	if (len < 2)
		return reason_set(err, errlen, -EBADMSG, "address cut short (%zu octets left)", len);
	ndigits = in[0];
	octets = (ndigits + 1) / 2;
	if (ndigits > SMS_TP_ADDR_DIGITS_MAX)
		return reason_set(err, errlen, -EBADMSG, "address of %zu digits (at most 20)", ndigits);
	if (2 + octets > len)
		return reason_set(err, errlen, -EBADMSG, "address of %zu digits past the end", ndigits);
	a->ton = (in[1] >> 4) & 7;
	a->npi = in[1] & 0x0f;
	*used = 2 + octets;
	if (a->ton == SMS_TON_ALPHANUMERIC) {
		uint8_t septets[SMS_TP_ADDR_DIGITS_MAX * 4 / 7];
		size_t n = ndigits * 4 / 7;

		if (sms_gsm7_unpack(in + 2, octets, 0, n, septets) < 0 ||
		    sms_gsm7_to_utf8(septets, n, a->text, sizeof(a->text), NULL) < 0)
			return reason_set(err, errlen, -EBADMSG, "alphanumeric address undecodable");
		return 0;
	}
	return get_bcd(in + 2, ndigits, a->text, err, errlen);
}

int sms_rp_addr_encode(const struct sms_addr *a, bool present, uint8_t *out, size_t cap)
{
	size_t n;
	int rc;

	if (cap < 1)
		return -ENOSPC;
	if (!present) {
		out[0] = 0;
		return 1;
	}
	/* BCD whatever the type of number (TS 24.008 10.5.4.7): no alphanumeric form */
	if (a->ton > 7 || a->npi > 15)
		return -EINVAL;
	if (cap < 2)
		return -ENOSPC;
	rc = put_bcd(a, out + 2, cap - 2, &n);
	if (rc < 0)
		return rc;
	out[0] = (uint8_t)(1 + (n + 1) / 2);
	out[1] = type_octet(a);
	return 1 + out[0];
}

int sms_rp_addr_decode(const uint8_t *in, size_t len, struct sms_addr *a, bool *present,
		       size_t *used, char *err, size_t errlen)
{
	size_t l, ndigits;

	memset(a, 0, sizeof(*a));
	*present = false;
	if (len < 1)
		return reason_set(err, errlen, -EBADMSG, "RP address missing");
	l = in[0];
	if (l > 11)
		return reason_set(err, errlen, -EBADMSG, "RP address of %zu octets (at most 11)", l);
	if (1 + l > len)
		return reason_set(err, errlen, -EBADMSG, "RP address of %zu octets past the end", l);
	*used = 1 + l;
	if (l == 0)
		return 0;
	*present = true;
	a->ton = (in[1] >> 4) & 7;
	a->npi = in[1] & 0x0f;
	ndigits = (l - 1) * 2;
	if (ndigits && (in[l] >> 4) == 0xf)
		ndigits--;
	return get_bcd(in + 2, ndigits, a->text, err, errlen);
}
