/*
 * Time fields of TPDUs: TP-SCTS and TP-DT (3GPP TS 23.040 9.2.3.11, semi-octets with the
 * time zone in quarters of an hour) and the relative TP-VP (9.2.3.12.1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/reason.h"
#include "sms/sms_tpdu.h"

/* Swapped semi-octets: tens in the low nibble. -1 when a nibble is not decimal. */
static int semi(uint8_t o)
{
	unsigned tens = o & 0x0f, units = o >> 4;

	return tens > 9 || units > 9 ? -1 : (int)(tens * 10 + units);
}

static uint8_t to_semi(unsigned v)
{
	return (uint8_t)((v / 10) | (v % 10) << 4);
}

int sms_time_decode(const uint8_t in[7], struct sms_time *t, char *err, size_t errlen)
{
	static const char *const names[6] = { "year", "month", "day", "hour", "minute", "second" };
	static const int max[6] = { 99, 12, 31, 23, 59, 59 };
	uint8_t *f[6] = { &t->year, &t->month, &t->day, &t->hour, &t->minute, &t->second };
	unsigned tz_tens = in[6] & 0x07, tz_units = in[6] >> 4;

	for (int i = 0; i < 6; i++) {
		int v = semi(in[i]);

		if (v < 0 || v > max[i] || (i == 1 && v == 0) || (i == 2 && v == 0))
			return reason_set(err, errlen, -EBADMSG, "time stamp %s %02x invalid", names[i],
					in[i]);
		*f[i] = (uint8_t)v;
	}
	if (tz_units > 9)
		return reason_set(err, errlen, -EBADMSG, "time stamp zone %02x invalid", in[6]);
	t->tz_quarters = (int8_t)(tz_tens * 10 + tz_units);
	if (in[6] & 0x08)
		t->tz_quarters = (int8_t)-t->tz_quarters;
	return 0;
}

void sms_time_encode(const struct sms_time *t, uint8_t out[7])
{
	unsigned q = (unsigned)abs(t->tz_quarters);

	out[0] = to_semi(t->year % 100);
	out[1] = to_semi(t->month % 100);
	out[2] = to_semi(t->day % 100);
	out[3] = to_semi(t->hour % 100);
	out[4] = to_semi(t->minute % 100);
	out[5] = to_semi(t->second % 100);
	out[6] = to_semi(q % 80);
	if (t->tz_quarters < 0)
		out[6] |= 0x08;
}

int sms_time_format(const struct sms_time *t, char *out, size_t cap)
{
	unsigned q = (unsigned)abs(t->tz_quarters);
	int n = snprintf(out, cap, "20%02u-%02u-%02uT%02u:%02u:%02u%c%02u:%02u", t->year, t->month,
			 t->day, t->hour, t->minute, t->second, t->tz_quarters < 0 ? '-' : '+',
			 q / 4, q % 4 * 15);

	return n < 0 || (size_t)n >= cap ? -ENOSPC : 0;
}

unsigned sms_vp_relative_minutes(uint8_t vp)
{
	if (vp <= 143)
		return (vp + 1u) * 5;
	if (vp <= 167)
		return 12 * 60 + (vp - 143u) * 30;
	if (vp <= 196)
		return (vp - 166u) * 24 * 60;
	return (vp - 192u) * 7 * 24 * 60;
}

uint8_t sms_vp_relative(unsigned minutes)
{
	for (unsigned vp = 0; vp < 255; vp++)
		if (sms_vp_relative_minutes((uint8_t)vp) >= minutes)
			return (uint8_t)vp;
	return 255;
}
