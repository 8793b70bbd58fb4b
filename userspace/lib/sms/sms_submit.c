/* SMS-SUBMIT (3GPP TS 23.040 9.2.2.2): encode, and decode as a service centre would. */
#include <errno.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "sms/sms_tpdu.h"

static size_t vp_len(uint8_t vpf)
{
	return vpf == SMS_VPF_NONE ? 0 : vpf == SMS_VPF_RELATIVE ? 1 : 7;
}

int sms_submit_encode(const struct sms_submit *s, uint8_t *out, size_t cap)
{
	struct sms_dcs d;
	size_t o = 0, vl;
	int n;

	sms_dcs_decode(s->dcs, &d);
	if (s->vpf > 3 || d.compressed || d.alphabet != s->ud.alphabet)
		return -EINVAL;
	vl = vp_len(s->vpf);
	if (cap < 2)
		return -ENOSPC;
	out[o++] = (uint8_t)(SMS_MTI_SUBMIT | s->rd << 2 | s->vpf << 3 | s->srr << 5 |
			     s->ud.has_udh << 6 | s->rp << 7);
	out[o++] = s->mr;
	n = sms_tp_addr_encode(&s->da, out + o, cap - o);
	if (n < 0)
		return n;
	o += (size_t)n;
	if (cap - o < 2 + vl)
		return -ENOSPC;
	out[o++] = s->pid;
	out[o++] = s->dcs;
	memcpy(out + o, s->vp, vl);
	o += vl;
	n = sms_ud_encode(&s->ud, out + o, cap - o);
	if (n < 0)
		return n;
	return (int)(o + (size_t)n);
}

static int submit_decode(const uint8_t *in, size_t len, struct sms_submit *s, char *err,
			 size_t errlen)
{
	struct sms_dcs d;
	size_t o = 2, n, vl;
	bool udhi;
	int rc;

	memset(s, 0, sizeof(*s));
	if (len < 2)
		return reason_set(err, errlen, -EBADMSG, "SMS-SUBMIT of %zu octets", len);
	if ((in[0] & 3) != SMS_MTI_SUBMIT)
		return reason_set(err, errlen, -EBADMSG, "TP-MTI %u is not SMS-SUBMIT", in[0] & 3);
	s->rd = in[0] & 0x04;
	s->vpf = (in[0] >> 3) & 3;
	s->srr = in[0] & 0x20;
	udhi = in[0] & 0x40;
	s->rp = in[0] & 0x80;
	s->mr = in[1];
	rc = sms_tp_addr_decode(in + o, len - o, &s->da, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	vl = vp_len(s->vpf);
	if (len - o < 2 + vl)
		return reason_set(err, errlen, -EBADMSG, "SMS-SUBMIT cut short before its user data");
	s->pid = in[o++];
	s->dcs = in[o++];
	memcpy(s->vp, in + o, vl);
	o += vl;
	sms_dcs_decode(s->dcs, &d);
	rc = sms_ud_decode(in + o, len - o, udhi, d.compressed ? SMS_ALPHABET_8BIT : d.alphabet,
			   &s->ud, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (o != len)
		return reason_set(err, errlen, -EBADMSG, "%zu octets after the user data", len - o);
	return 0;
}

int sms_submit_decode(const uint8_t *in, size_t len, struct sms_submit *s, char *err,
		      size_t errlen)
{
	int rc = submit_decode(in, len, s, err, errlen);

	if (rc < 0)
		counter_inc(COUNTER_SMS_TPDU_MALFORMED);
	return rc;
}
