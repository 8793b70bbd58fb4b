/*
 * RFC 4867 section 8.1 media type parameters: parsing, checking and writing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "codec/amr_fmtp.h"

void amr_fmtp_default(struct amr_fmtp *f)
{
	memset(f, 0, sizeof(*f));
	f->mode_change_period = 1;
	f->mode_change_capability = 1;
	f->max_red = -1;
}

/* A decimal integer 0..max spanning exactly [s, e) */
static int number(const char *s, const char *e, long max, long *out)
{
	long v = 0;

	if (s == e || e - s > 6)
		return -EINVAL;
	for (const char *q = s; q < e; q++) {
		if (*q < '0' || *q > '9')
			return -EINVAL;
		v = v * 10 + (*q - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_mode_set(enum amr_codec c, const char *s, const char *e, uint16_t *out,
			  char *err, size_t errlen)
{
	uint16_t set = 0;
	long m;

	while (s <= e) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		const char *end = comma ? comma : e;

		while (s < end && *s == ' ')
			s++;
		while (end > s && end[-1] == ' ')
			end--;
		if (number(s, end, 15, &m) < 0 || (unsigned long)m >= amr_modes(c)) {
			snprintf(err, errlen, "fmtp mode-set: \"%.*s\" is not a mode of %s (0-%u)",
				 (int)(end - s), s, amr_codec_name(c), amr_modes(c) - 1);
			return -EINVAL;
		}
		if (set & (1u << m)) {
			snprintf(err, errlen, "fmtp mode-set: mode %ld given twice", m);
			return -EINVAL;
		}
		set |= (uint16_t)(1u << m);
		if (!comma)
			break;
		s = comma + 1;
	}
	*out = set;
	return 0;
}

/* name=value pairs RFC 4867 defines, with their ranges */
enum param { P_OCTET_ALIGN, P_MODE_SET, P_MCP, P_MCC, P_MCN, P_MAX_RED, P_CRC, P_ROBUST,
	     P_INTERLEAVING, P_COUNT };
static const char *const param_names[P_COUNT] = {
	"octet-align", "mode-set", "mode-change-period", "mode-change-capability",
	"mode-change-neighbor", "max-red", "crc", "robust-sorting", "interleaving",
};

static int one_param(enum amr_codec c, enum param p, const char *v, const char *ve,
		     struct amr_fmtp *out, char *err, size_t errlen)
{
	static const long max[P_COUNT] = { 1, 0, 2, 2, 1, 65535, 1, 1, 65535 };
	long n = 0;

	if (p == P_MODE_SET)
		return parse_mode_set(c, v, ve, &out->mode_set, err, errlen);
	if (number(v, ve, max[p], &n) < 0 || ((p == P_MCP || p == P_MCC) && n < 1) ||
	    (p == P_MAX_RED && n % AMR_FRAME_MS)) {
		snprintf(err, errlen, "fmtp %s=%.*s: not an allowed value (RFC 4867 8.1)",
			 param_names[p], (int)(ve - v), v);
		return -EINVAL;
	}
	switch (p) {
	case P_OCTET_ALIGN: out->octet_align = n; break;
	case P_MCP: out->mode_change_period = (uint8_t)n; break;
	case P_MCC: out->mode_change_capability = (uint8_t)n; break;
	case P_MCN: out->mode_change_neighbor = (uint8_t)n; break;
	case P_MAX_RED: out->max_red = (int32_t)n; break;
	case P_CRC:
	case P_ROBUST:
		if (n) {
			snprintf(err, errlen, "fmtp %s=1: not supported (only payloads without "
				 "CRC and robust sorting)", param_names[p]);
			return -ENOTSUP;
		}
		break;
	case P_INTERLEAVING:
		snprintf(err, errlen, "fmtp interleaving: not supported");
		return -ENOTSUP;
	default:
		break;
	}
	return 0;
}

int amr_fmtp_parse(enum amr_codec c, const char *fmtp, struct amr_fmtp *out, char *err,
		   size_t errlen)
{
	unsigned seen = 0;
	const char *s = fmtp;
	int rc;

	amr_fmtp_default(out);
	while (*s) {
		const char *end = strchr(s, ';'), *eq, *ne, *v;
		int p;

		if (!end)
			end = s + strlen(s);
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		ne = end;
		while (ne > s && (ne[-1] == ' ' || ne[-1] == '\t'))
			ne--;
		if (s == ne) { /* an empty parameter, as after a trailing ';' */
			s = *end ? end + 1 : end;
			continue;
		}
		eq = memchr(s, '=', (size_t)(ne - s));
		if (!eq) {
			snprintf(err, errlen, "fmtp: \"%.*s\" has no value", (int)(ne - s), s);
			return -EINVAL;
		}
		v = eq + 1;
		while (v < ne && *v == ' ')
			v++;
		while (eq > s && eq[-1] == ' ')
			eq--;
		for (p = 0; p < P_COUNT; p++)
			if ((size_t)(eq - s) == strlen(param_names[p]) &&
			    !strncasecmp(s, param_names[p], (size_t)(eq - s)))
				break;
		if (p < P_COUNT) {
			if (seen & (1u << p)) {
				snprintf(err, errlen, "fmtp: %s given twice", param_names[p]);
				return -EINVAL;
			}
			seen |= 1u << p;
			rc = one_param(c, (enum param)p, v, ne, out, err, errlen);
			if (rc < 0)
				return rc;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}

int amr_fmtp_format(const struct amr_fmtp *f, char *buf, size_t len)
{
	size_t used = 0;
	int n;

#define ADD(...)                                                                   \
	do {                                                                       \
		n = snprintf(buf + used, len - used, __VA_ARGS__);                 \
		if (n < 0 || (size_t)n >= len - used)                              \
			return -ENOSPC;                                            \
		used += (size_t)n;                                                 \
	} while (0)
	buf[0] = 0;
	if (f->mode_set) {
		ADD("mode-set=");
		for (unsigned m = 0, first = 1; m < 16; m++)
			if (f->mode_set & (1u << m)) {
				ADD("%s%u", first ? "" : ",", m);
				first = 0;
			}
	}
	if (f->octet_align)
		ADD("%soctet-align=1", used ? "; " : "");
	if (f->mode_change_period != 1)
		ADD("%smode-change-period=%u", used ? "; " : "", f->mode_change_period);
	if (f->mode_change_capability != 1)
		ADD("%smode-change-capability=%u", used ? "; " : "", f->mode_change_capability);
	if (f->mode_change_neighbor)
		ADD("%smode-change-neighbor=1", used ? "; " : "");
	if (f->max_red >= 0)
		ADD("%smax-red=%d", used ? "; " : "", f->max_red);
#undef ADD
	return (int)used;
}

void amr_fmtp_format_of(enum amr_codec c, const struct amr_fmtp *f, struct amr_format *out)
{
	out->codec = c;
	out->octet_align = f->octet_align;
	out->mode_set = f->mode_set;
}
