/*
 * TP-DCS (3GPP TS 23.038 section 4), TP-UDL/TP-UD with the user data header
 * (TS 23.040 9.2.3.16, 9.2.3.24) and the text the user data carries.
 */
#include <errno.h>
#include <string.h>

#include "core/reason.h"
#include "sms/sms_text.h"
#include "sms/sms_tpdu.h"

void sms_dcs_decode(uint8_t dcs, struct sms_dcs *d)
{
	static const enum sms_alphabet general[4] = {
		SMS_ALPHABET_GSM7, SMS_ALPHABET_8BIT, SMS_ALPHABET_UCS2,
		SMS_ALPHABET_GSM7, /* reserved */
	};

	d->alphabet = SMS_ALPHABET_GSM7;
	d->msg_class = -1;
	d->compressed = false;
	switch (dcs >> 4) {
	case 0x0: case 0x1: case 0x2: case 0x3: /* general data coding */
	case 0x4: case 0x5: case 0x6: case 0x7: /* marked for automatic deletion */
		d->compressed = dcs & 0x20;
		d->alphabet = general[(dcs >> 2) & 3];
		if (dcs & 0x10)
			d->msg_class = dcs & 3;
		break;
	case 0xe: /* message waiting indication, store, UCS-2 */
		d->alphabet = SMS_ALPHABET_UCS2;
		break;
	case 0xf: /* data coding / message class */
		d->alphabet = dcs & 0x04 ? SMS_ALPHABET_8BIT : SMS_ALPHABET_GSM7;
		d->msg_class = dcs & 3;
		break;
	default: /* reserved groups, message waiting indication in GSM 7-bit */
		break;
	}
}

int sms_udh_parse(const uint8_t *ies, size_t len, bool *has_concat, struct sms_concat *c,
		  char *err, size_t errlen)
{
	size_t i = 0;

	*has_concat = false;
	memset(c, 0, sizeof(*c));
	while (i < len) {
		uint8_t iei, l;
		const uint8_t *v;

		if (len - i < 2)
			return reason_set(err, errlen, -EBADMSG,
					"user data header element at octet %zu cut short", i);
		iei = ies[i];
		l = ies[i + 1];
		v = ies + i + 2;
		if (l > len - i - 2)
			return reason_set(err, errlen, -EBADMSG,
					"user data header element %02x of %u octets past the header end",
					iei, l);
		if (iei == SMS_IEI_CONCAT8 || iei == SMS_IEI_CONCAT16) {
			struct sms_concat n = { .ref16 = iei == SMS_IEI_CONCAT16 };
			unsigned want = n.ref16 ? 4 : 3;

			if (l != want)
				return reason_set(err, errlen, -EBADMSG,
						"concatenation element %02x of %u octets (not %u)", iei,
						l, want);
			n.ref = n.ref16 ? (uint16_t)(v[0] << 8 | v[1]) : v[0];
			n.total = v[want - 2];
			n.seq = v[want - 1];
			if (n.total != 0 && n.seq != 0 && n.seq <= n.total) {
				*c = n;
				*has_concat = true;
			}
		}
		i += 2u + l;
	}
	return 0;
}

bool sms_udh_has(const uint8_t *ies, size_t len, uint8_t iei)
{
	for (size_t i = 0; i + 2 <= len && i + 2 + ies[i + 1] <= len; i += 2u + ies[i + 1])
		if (ies[i] == iei)
			return true;
	return false;
}

int sms_udh_add_concat(struct sms_ud *ud, const struct sms_concat *c)
{
	uint8_t *p = ud->udh + ud->udh_len;
	size_t n = c->ref16 ? 6 : 5;

	if (ud->udh_len + n > sizeof(ud->udh))
		return -ENOSPC;
	*p++ = c->ref16 ? SMS_IEI_CONCAT16 : SMS_IEI_CONCAT8;
	*p++ = (uint8_t)(n - 2);
	if (c->ref16)
		*p++ = (uint8_t)(c->ref >> 8);
	*p++ = (uint8_t)c->ref;
	*p++ = c->total;
	*p++ = c->seq;
	ud->udh_len += n;
	ud->has_udh = true;
	return 0;
}

/* Septets the header (UDHL octet included) takes, fill bits counted. */
static size_t header_septets(size_t hdr_octets)
{
	return (hdr_octets * 8 + 6) / 7;
}

int sms_ud_decode(const uint8_t *in, size_t len, bool udhi, enum sms_alphabet alphabet,
		  struct sms_ud *ud, size_t *used, char *err, size_t errlen)
{
	bool gsm7 = alphabet == SMS_ALPHABET_GSM7;
	const uint8_t *p = in + 1;
	size_t udl, octets, hdr = 0;
	int rc;

	memset(ud, 0, sizeof(*ud));
	ud->alphabet = alphabet;
	if (len < 1)
		return reason_set(err, errlen, -EBADMSG, "TP-UDL missing");
	udl = in[0];
	if (udl > (gsm7 ? SMS_UD_SEPTETS_MAX : SMS_UD_MAX))
		return reason_set(err, errlen, -EBADMSG, "TP-UDL %zu over the limit of %u %s", udl,
				gsm7 ? SMS_UD_SEPTETS_MAX : SMS_UD_MAX, gsm7 ? "septets" : "octets");
	octets = gsm7 ? (udl * 7 + 7) / 8 : udl;
	if (octets > len - 1)
		return reason_set(err, errlen, -EBADMSG,
				"user data of %zu octets past the end (%zu left)", octets, len - 1);
	*used = 1 + octets;
	if (udhi) {
		if (octets < 1)
			return reason_set(err, errlen, -EBADMSG, "TP-UDHI set but no user data");
		ud->udh_len = p[0];
		hdr = 1 + ud->udh_len;
		if (hdr > octets || (gsm7 && header_septets(hdr) > udl))
			return reason_set(err, errlen, -EBADMSG,
					"user data header of %zu octets longer than the user data", hdr);
		ud->has_udh = true;
		memcpy(ud->udh, p + 1, ud->udh_len);
		rc = sms_udh_parse(ud->udh, ud->udh_len, &ud->has_concat, &ud->concat, err, errlen);
		if (rc < 0)
			return rc;
		ud->national_language =
			sms_udh_has(ud->udh, ud->udh_len, SMS_IEI_NATIONAL_SINGLE_SHIFT) ||
			sms_udh_has(ud->udh, ud->udh_len, SMS_IEI_NATIONAL_LOCKING_SHIFT);
	}
	if (gsm7) {
		size_t first = udhi ? header_septets(hdr) : 0;

		ud->len = udl - first;
		if (sms_gsm7_unpack(p, octets, first, ud->len, ud->data) < 0)
			return reason_set(err, errlen, -EBADMSG, "septets past the user data");
	} else {
		ud->len = octets - hdr;
		memcpy(ud->data, p + hdr, ud->len);
	}
	return 0;
}

int sms_ud_encode(const struct sms_ud *ud, uint8_t *out, size_t cap)
{
	size_t hdr = ud->has_udh ? 1 + ud->udh_len : 0, udl, octets;

	if (ud->udh_len > SMS_UD_MAX || ud->len > SMS_UD_SEPTETS_MAX)
		return -EMSGSIZE;
	if (ud->alphabet == SMS_ALPHABET_GSM7) {
		size_t first = ud->has_udh ? header_septets(hdr) : 0;

		udl = first + ud->len;
		octets = (udl * 7 + 7) / 8;
		if (udl > SMS_UD_SEPTETS_MAX || octets > SMS_UD_MAX)
			return -EMSGSIZE;
		if (1 + octets > cap)
			return -ENOSPC;
		memset(out + 1, 0, octets);
		if (ud->has_udh) {
			out[1] = (uint8_t)ud->udh_len;
			memcpy(out + 2, ud->udh, ud->udh_len);
		}
		sms_gsm7_pack(ud->data, ud->len, first, out + 1);
	} else {
		udl = octets = hdr + ud->len;
		if (octets > SMS_UD_MAX)
			return -EMSGSIZE;
		if (1 + octets > cap)
			return -ENOSPC;
		if (ud->has_udh) {
			out[1] = (uint8_t)ud->udh_len;
			memcpy(out + 2, ud->udh, ud->udh_len);
		}
		memcpy(out + 1 + hdr, ud->data, ud->len);
	}
	out[0] = (uint8_t)udl;
	return (int)(1 + octets);
}

int sms_text_from_data(enum sms_alphabet alphabet, const uint8_t *data, size_t len, char *out,
		       size_t cap, size_t *outlen)
{
	switch (alphabet) {
	case SMS_ALPHABET_GSM7:
		return sms_gsm7_to_utf8(data, len, out, cap, outlen);
	case SMS_ALPHABET_UCS2:
		return sms_ucs2_to_utf8(data, len, out, cap, outlen);
	default:
		return -EPROTONOSUPPORT;
	}
}

int sms_ud_text(const struct sms_ud *ud, char *out, size_t cap, size_t *outlen)
{
	return sms_text_from_data(ud->alphabet, ud->data, ud->len, out, cap, outlen);
}

int sms_pi_decode(const uint8_t *in, size_t len, uint8_t *pi, size_t *used, char *err,
		  size_t errlen)
{
	size_t i = 0;

	if (len < 1)
		return reason_set(err, errlen, -EBADMSG, "TP-PI missing");
	*pi = in[0];
	/* bit 8 announces another TP-PI octet, whose meaning is not defined yet: skipped */
	while (in[i] & 0x80) {
		if (++i >= len)
			return reason_set(err, errlen, -EBADMSG, "TP-PI extension past the end");
	}
	*used = i + 1;
	return 0;
}

int sms_pi_fields_decode(const uint8_t *in, size_t len, uint8_t pi, bool udhi, uint8_t *pid,
			 uint8_t *dcs, bool *has_ud, struct sms_ud *ud, size_t *used, char *err,
			 size_t errlen)
{
	struct sms_dcs d;
	size_t o = 0, n;
	int rc;

	*pid = *dcs = 0;
	*has_ud = false;
	memset(ud, 0, sizeof(*ud));
	if (pi & 0x01) {
		if (o >= len)
			return reason_set(err, errlen, -EBADMSG, "TP-PID announced by TP-PI missing");
		*pid = in[o++];
	}
	if (pi & 0x02) {
		if (o >= len)
			return reason_set(err, errlen, -EBADMSG, "TP-DCS announced by TP-PI missing");
		*dcs = in[o++];
	}
	if (pi & 0x04) {
		sms_dcs_decode(*dcs, &d);
		rc = sms_ud_decode(in + o, len - o, udhi,
				   d.compressed ? SMS_ALPHABET_8BIT : d.alphabet, ud, &n, err,
				   errlen);
		if (rc < 0)
			return rc;
		o += n;
		*has_ud = true;
	}
	*used = o;
	return 0;
}
