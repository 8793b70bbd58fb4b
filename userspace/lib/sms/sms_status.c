/* SMS-STATUS-REPORT (3GPP TS 23.040 9.2.2.3) and its TP-ST (9.2.3.15). */
#include <errno.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "sms/sms_tpdu.h"

enum sms_status_class sms_status_classify(uint8_t st)
{
	if (st & 0x80 || st >= 0x40)
		return SMS_STATUS_FAILED;
	return st < 0x20 ? SMS_STATUS_DELIVERED : SMS_STATUS_PENDING;
}

static int status_decode(const uint8_t *in, size_t len, struct sms_status_report *r, char *err,
			 size_t errlen)
{
	size_t o = 2, n;
	bool udhi;
	int rc;

	memset(r, 0, sizeof(*r));
	if (len < 2)
		return reason_set(err, errlen, -EBADMSG, "SMS-STATUS-REPORT of %zu octets", len);
	if ((in[0] & 3) != SMS_MTI_STATUS)
		return reason_set(err, errlen, -EBADMSG, "TP-MTI %u is not SMS-STATUS-REPORT",
				in[0] & 3);
	r->mms = in[0] & 0x04;
	r->lp = in[0] & 0x08;
	r->srq = in[0] & 0x20;
	udhi = in[0] & 0x40;
	r->mr = in[1];
	rc = sms_tp_addr_decode(in + o, len - o, &r->ra, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (len - o < 15)
		return reason_set(err, errlen, -EBADMSG, "SMS-STATUS-REPORT cut short before TP-ST");
	rc = sms_time_decode(in + o, &r->scts, err, errlen);
	if (rc < 0)
		return rc;
	o += 7;
	rc = sms_time_decode(in + o, &r->dt, err, errlen);
	if (rc < 0)
		return rc;
	o += 7;
	r->st = in[o++];
	if (o == len)
		return 0;
	rc = sms_pi_decode(in + o, len - o, &r->pi, &n, err, errlen);
	if (rc < 0)
		return rc;
	r->has_pi = true;
	o += n;
	rc = sms_pi_fields_decode(in + o, len - o, r->pi, udhi, &r->pid, &r->dcs, &r->has_ud,
				  &r->ud, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (o != len)
		return reason_set(err, errlen, -EBADMSG, "%zu octets after the last field", len - o);
	return 0;
}

int sms_status_report_decode(const uint8_t *in, size_t len, struct sms_status_report *r,
			     char *err, size_t errlen)
{
	int rc = status_decode(in, len, r, err, errlen);

	if (rc < 0)
		counter_inc(COUNTER_SMS_TPDU_MALFORMED);
	return rc;
}
