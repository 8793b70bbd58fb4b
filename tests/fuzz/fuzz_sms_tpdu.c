/*
 * libFuzzer harness: SMS TPDUs (TS 23.040) and texts. The first octet picks what the rest
 * is: an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT to decode (refusals give
 * -EBADMSG and a reason; what decodes is written again and decodes to the same fields
 * and text), or a UTF-8 text to cut into SMS-SUBMITs (options from the second octet),
 * whose parts must decode, carry consistent concatenation headers and TP-MRs, and join
 * back to the text byte for byte, or a URI whose phone number is taken.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "sms/sms_tpdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char text_a[SMS_UD_SEPTETS_MAX * 3 + 1], text_b[sizeof(text_a)];

static void same_ud(const struct sms_ud *a, const struct sms_ud *b)
{
	int ra, rb;

	if (a->alphabet != b->alphabet || a->has_udh != b->has_udh || a->udh_len != b->udh_len ||
	    memcmp(a->udh, b->udh, a->udh_len) || a->len != b->len ||
	    memcmp(a->data, b->data, a->len) || a->has_concat != b->has_concat)
		abort();
	ra = sms_ud_text(a, text_a, sizeof(text_a), NULL);
	rb = sms_ud_text(b, text_b, sizeof(text_b), NULL);
	if (ra != rb || (ra == 0 && (strcmp(text_a, text_b) ||
				     !utf8_valid((const uint8_t *)text_a, strlen(text_a)))))
		abort();
}

static void refused(int rc, const char *err)
{
	if (rc != -EBADMSG || !err[0])
		abort();
}

static void deliver(const uint8_t *p, size_t n)
{
	struct sms_deliver d, back;
	uint8_t out[SMS_TPDU_MAX];
	char err[128] = "";
	int rc = sms_deliver_decode(p, n, &d, err, sizeof(err)), m;

	if (rc < 0)
		return refused(rc, err);
	m = sms_deliver_encode(&d, out, sizeof(out));
	if (m == -EINVAL && (d.oa.ton == SMS_TON_ALPHANUMERIC || d.dcs_info.compressed))
		return;
	if (m < 0 || sms_deliver_decode(out, (size_t)m, &back, err, sizeof(err)) != 0 ||
	    strcmp(back.oa.text, d.oa.text) || back.dcs != d.dcs ||
	    memcmp(&back.scts, &d.scts, sizeof(d.scts)))
		abort();
	same_ud(&d.ud, &back.ud);
}

static void submit(const uint8_t *p, size_t n)
{
	struct sms_submit s, back;
	uint8_t out[SMS_TPDU_MAX];
	char err[128] = "";
	int rc = sms_submit_decode(p, n, &s, err, sizeof(err)), m;
	struct sms_dcs dcs;

	if (rc < 0)
		return refused(rc, err);
	sms_dcs_decode(s.dcs, &dcs);
	m = sms_submit_encode(&s, out, sizeof(out));
	if (m == -EINVAL && (s.da.ton == SMS_TON_ALPHANUMERIC || dcs.compressed))
		return;
	if (m < 0 || sms_submit_decode(out, (size_t)m, &back, err, sizeof(err)) != 0 ||
	    strcmp(back.da.text, s.da.text) || back.mr != s.mr || back.vpf != s.vpf ||
	    back.srr != s.srr || memcmp(back.vp, s.vp, sizeof(s.vp)))
		abort();
	same_ud(&s.ud, &back.ud);
}

static void status(const uint8_t *p, size_t n)
{
	struct sms_status_report r;
	char err[128] = "";
	int rc = sms_status_report_decode(p, n, &r, err, sizeof(err));

	if (rc < 0)
		return refused(rc, err);
	if (r.has_ud)
		sms_ud_text(&r.ud, text_a, sizeof(text_a), NULL);
}

static void split(uint8_t opt, const uint8_t *p, size_t n)
{
	static struct sms_tpdu_buf parts[8];
	static char joined[8 * sizeof(text_a)];
	struct sms_submit_req r = { .to = "+15551234", .text = p, .text_len = n,
				    .srr = opt & 1, .ref16 = opt & 2,
				    .validity_minutes = (opt >> 2) * 1000u };
	uint8_t mr = opt, mr0 = opt;
	uint16_t ref = (uint16_t)(opt * 257), ref0 = ref;
	struct sms_submit s;
	char err[128] = "";
	size_t np, o = 0, l;
	int rc = sms_submit_text(&r, &mr, &ref, parts, 8, &np, err, sizeof(err));

	if (rc < 0) {
		if (!err[0] || mr != mr0 || ref != ref0 ||
		    (rc == -EILSEQ) != (!utf8_valid(p, n) || memchr(p, 0, n)) ||
		    (rc != -EILSEQ && rc != -EMSGSIZE))
			abort();
		return;
	}
	if (!utf8_valid(p, n) || memchr(p, 0, n) || np < 1 || np > 8 || mr != (uint8_t)(mr0 + np))
		abort();
	for (size_t i = 0; i < np; i++) {
		if (sms_submit_decode(parts[i].data, parts[i].len, &s, err, sizeof(err)) != 0 ||
		    s.mr != (uint8_t)(mr0 + 1 + i) || s.srr != (bool)(opt & 1) ||
		    s.ud.has_concat != (np > 1) ||
		    (np > 1 && (s.ud.concat.seq != i + 1 || s.ud.concat.total != np ||
				s.ud.concat.ref != ref || s.ud.concat.ref16 != (bool)(opt & 2))) ||
		    sms_ud_text(&s.ud, joined + o, sizeof(joined) - o, &l) != 0)
			abort();
		o += l;
	}
	if (o != n || memcmp(joined, p, n))
		abort();
}

static void uri(const uint8_t *p, size_t n)
{
	static char s[512];
	struct sms_addr a;
	char back[SMS_ADDR_TEXT_MAX + 2];

	if (n >= sizeof(s))
		return;
	memcpy(s, p, n);
	s[n] = 0;
	if (sms_addr_from_uri(s, &a) == 0 &&
	    (!a.text[0] || strlen(a.text) > SMS_TP_ADDR_DIGITS_MAX ||
	     sms_addr_format(&a, back, sizeof(back)) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] == 0xff)
		return uri(data + 1, size - 1), 0;
	switch (data[0] & 3) {
	case 0:
		deliver(data + 1, size - 1);
		break;
	case 1:
		submit(data + 1, size - 1);
		break;
	case 2:
		status(data + 1, size - 1);
		break;
	default:
		if (size >= 2 && size - 2 <= 8 * 160)
			split(data[1], data + 2, size - 2);
		break;
	}
	return 0;
}
