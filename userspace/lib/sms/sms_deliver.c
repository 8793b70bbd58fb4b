/* SMS-DELIVER (3GPP TS 23.040 9.2.2.1): decode, and encode as a service centre would. */
#include <errno.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "sms/sms_tpdu.h"

static int deliver_decode(const uint8_t *in, size_t len, struct sms_deliver *d, char *err,
			  size_t errlen)
{
	size_t o = 1, n;
	bool udhi;
	int rc;

	memset(d, 0, sizeof(*d));
	if (len < 1)
		return reason_set(err, errlen, -EBADMSG, "empty SMS-DELIVER");
	if ((in[0] & 3) != SMS_MTI_DELIVER)
		return reason_set(err, errlen, -EBADMSG, "TP-MTI %u is not SMS-DELIVER", in[0] & 3);
	d->mms = in[0] & 0x04;
	d->lp = in[0] & 0x08;
	d->sri = in[0] & 0x20;
	udhi = in[0] & 0x40;
	d->rp = in[0] & 0x80;
	rc = sms_tp_addr_decode(in + o, len - o, &d->oa, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (len - o < 2 + 7)
		return reason_set(err, errlen, -EBADMSG, "SMS-DELIVER cut short before its user data");
	d->pid = in[o++];
	d->dcs = in[o++];
	sms_dcs_decode(d->dcs, &d->dcs_info);
	rc = sms_time_decode(in + o, &d->scts, err, errlen);
	if (rc < 0)
		return rc;
	o += 7;
	rc = sms_ud_decode(in + o, len - o, udhi,
			   d->dcs_info.compressed ? SMS_ALPHABET_8BIT : d->dcs_info.alphabet,
			   &d->ud, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (o != len)
		return reason_set(err, errlen, -EBADMSG, "%zu octets after the user data", len - o);
	return 0;
}

int sms_deliver_decode(const uint8_t *in, size_t len, struct sms_deliver *d, char *err,
		       size_t errlen)
{
	int rc = deliver_decode(in, len, d, err, errlen);

	if (rc < 0)
		counter_inc(COUNTER_SMS_TPDU_MALFORMED);
	return rc;
}

int sms_deliver_encode(const struct sms_deliver *d, uint8_t *out, size_t cap)
{
	struct sms_dcs dcs;
	size_t o = 0;
	int n;

	sms_dcs_decode(d->dcs, &dcs);
	if (dcs.compressed || dcs.alphabet != d->ud.alphabet)
		return -EINVAL;
	if (cap < 1)
		return -ENOSPC;
	out[o++] = (uint8_t)(SMS_MTI_DELIVER | d->mms << 2 | d->lp << 3 | d->sri << 5 |
			     d->ud.has_udh << 6 | d->rp << 7);
	n = sms_tp_addr_encode(&d->oa, out + o, cap - o);
	if (n < 0)
		return n;
	o += (size_t)n;
	if (cap - o < 9)
		return -ENOSPC;
	out[o++] = d->pid;
	out[o++] = d->dcs;
	sms_time_encode(&d->scts, out + o);
	o += 7;
	n = sms_ud_encode(&d->ud, out + o, cap - o);
	if (n < 0)
		return n;
	return (int)(o + (size_t)n);
}
