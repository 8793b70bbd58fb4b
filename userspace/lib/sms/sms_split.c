/*
 * A text as SMS-SUBMITs (3GPP TS 23.040): the alphabet chosen, the text cut into parts
 * with a concatenation header (9.2.3.24.1, 9.2.3.24.8) when one part cannot hold it,
 * TP-MR and the concatenation reference taken in turn (9.2.3.6).
 */
#include <errno.h>
#include <string.h>

#include "core/reason.h"
#include "sms/sms_text.h"
#include "sms/sms_tpdu.h"

#define MAX_PARTS 255

/* Units of one character: septets in GSM 7-bit, octets in UCS-2. */
static size_t units(bool gsm7, uint32_t cp)
{
	if (gsm7)
		return sms_gsm7_septets_for(cp);
	return cp >= 0x10000 ? 4 : 2;
}

/*
 * Part boundaries (byte offsets into the text, bounds[0] = 0, bounds[n] = len) for parts
 * of at most cap units. -EMSGSIZE past max parts.
 */
static int cut(const uint8_t *s, size_t len, bool gsm7, size_t cap, size_t *bounds, size_t max,
	       size_t *n)
{
	size_t i = 0, fill = 0, parts = 0, used;
	uint32_t cp;

	bounds[0] = 0;
	while (i < len) {
		if (sms_utf8_next(s + i, len - i, &cp, &used) < 0)
			return -EILSEQ;
		if (fill + units(gsm7, cp) > cap) {
			if (++parts >= max)
				return -EMSGSIZE;
			bounds[parts] = i;
			fill = 0;
		}
		fill += units(gsm7, cp);
		i += used;
	}
	bounds[++parts] = len;
	*n = parts;
	return 0;
}

/* Whether every character has a GSM 7-bit code, and the units of the whole text. */
static int survey(const uint8_t *s, size_t len, bool *gsm7, size_t *septets, size_t *octets)
{
	size_t i = 0, used;
	uint32_t cp;

	*gsm7 = true;
	*septets = *octets = 0;
	while (i < len) {
		if (sms_utf8_next(s + i, len - i, &cp, &used) < 0 || cp == 0)
			return -EILSEQ;
		if (!sms_gsm7_septets_for(cp))
			*gsm7 = false;
		*septets += sms_gsm7_septets_for(cp);
		*octets += units(false, cp);
		i += used;
	}
	return 0;
}

int sms_submit_text(const struct sms_submit_req *r, uint8_t *last_mr, uint16_t *last_ref,
		    struct sms_tpdu_buf *parts, size_t max_parts, size_t *nparts, char *err,
		    size_t errlen)
{
	size_t bounds[MAX_PARTS + 1], n, septets, octets, cap, max;
	uint16_t ref = r->ref16 ? (uint16_t)(*last_ref + 1) : (uint8_t)(*last_ref + 1);
	struct sms_submit s;
	bool gsm7;
	int rc;

	memset(&s, 0, sizeof(s));
	if (sms_addr_parse(r->to, &s.da) < 0)
		return reason_set(err, errlen, -EINVAL, "destination \"%s\" is not a phone number",
				r->to);
	if (survey(r->text, r->text_len, &gsm7, &septets, &octets) < 0)
		return reason_set(err, errlen, -EILSEQ, "text is not UTF-8");
	max = max_parts < MAX_PARTS ? max_parts : MAX_PARTS;
	if (max == 0)
		return reason_set(err, errlen, -EMSGSIZE, "no room for a part");
	if (gsm7 ? septets <= SMS_UD_SEPTETS_MAX : octets <= SMS_UD_MAX)
		cap = gsm7 ? SMS_UD_SEPTETS_MAX : SMS_UD_MAX;
	else if (gsm7)
		cap = r->ref16 ? 152 : 153; /* 160 septets less the header's 7 or 8 */
	else
		cap = r->ref16 ? 132 : 134; /* 140 octets less the header's 6 or 7, even */
	rc = cut(r->text, r->text_len, gsm7, cap, bounds, max, &n);
	if (rc == -EMSGSIZE)
		return reason_set(err, errlen, rc, "text needs more than %zu parts", max);
	if (rc < 0)
		return reason_set(err, errlen, rc, "text is not UTF-8");

	s.srr = r->srr;
	s.dcs = gsm7 ? 0x00 : 0x08;
	s.ud.alphabet = gsm7 ? SMS_ALPHABET_GSM7 : SMS_ALPHABET_UCS2;
	if (r->validity_minutes) {
		s.vpf = SMS_VPF_RELATIVE;
		s.vp[0] = sms_vp_relative(r->validity_minutes);
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *t = r->text + bounds[i];
		size_t tl = bounds[i + 1] - bounds[i];

		s.mr = (uint8_t)(*last_mr + 1 + i);
		s.ud.has_udh = false;
		s.ud.udh_len = 0;
		if (n > 1) {
			struct sms_concat c = { .ref = ref, .total = (uint8_t)n,
						.seq = (uint8_t)(i + 1), .ref16 = r->ref16 };

			sms_udh_add_concat(&s.ud, &c);
		}
		rc = gsm7 ? sms_gsm7_from_utf8(t, tl, s.ud.data, sizeof(s.ud.data), &s.ud.len)
			  : sms_ucs2_from_utf8(t, tl, s.ud.data, sizeof(s.ud.data), &s.ud.len);
		if (rc == 0)
			rc = sms_submit_encode(&s, parts[i].data, sizeof(parts[i].data));
		if (rc < 0)
			return reason_set(err, errlen, rc, "encoding part %zu of %zu failed", i + 1, n);
		parts[i].len = (size_t)rc;
		parts[i].mr = s.mr;
	}
	*nparts = n;
	*last_mr = (uint8_t)(*last_mr + n);
	if (n > 1)
		*last_ref = ref;
	return 0;
}
