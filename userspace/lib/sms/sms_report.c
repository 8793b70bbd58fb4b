/*
 * The reports carried in RP-ACK and RP-ERROR (3GPP TS 23.040 9.2.2.1a, 9.2.2.2a):
 * SMS-SUBMIT-REPORT from the service centre decoded, SMS-DELIVER-REPORT from the phone
 * written.
 */
#include <errno.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "sms/sms_tpdu.h"

static int submit_report_decode(const uint8_t *in, size_t len, bool error,
				struct sms_submit_report *r, char *err, size_t errlen)
{
	uint8_t pid, dcs;
	struct sms_ud ud;
	bool has_ud;
	size_t o = 1, n;
	int rc;

	memset(r, 0, sizeof(*r));
	if (len < 1)
		return reason_set(err, errlen, -EBADMSG, "empty SMS-SUBMIT-REPORT");
	if ((in[0] & 3) != SMS_MTI_SUBMIT)
		return reason_set(err, errlen, -EBADMSG, "TP-MTI %u is not SMS-SUBMIT-REPORT",
				in[0] & 3);
	if (error) {
		if (o >= len)
			return reason_set(err, errlen, -EBADMSG, "TP-FCS missing");
		r->has_fcs = true;
		r->fcs = in[o++];
	}
	rc = sms_pi_decode(in + o, len - o, &r->pi, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (len - o < 7)
		return reason_set(err, errlen, -EBADMSG, "TP-SCTS missing");
	rc = sms_time_decode(in + o, &r->scts, err, errlen);
	if (rc < 0)
		return rc;
	o += 7;
	rc = sms_pi_fields_decode(in + o, len - o, r->pi, in[0] & 0x40, &pid, &dcs, &has_ud, &ud,
				  &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (o != len)
		return reason_set(err, errlen, -EBADMSG, "%zu octets after the last field", len - o);
	return 0;
}

int sms_submit_report_decode(const uint8_t *in, size_t len, bool error,
			     struct sms_submit_report *r, char *err, size_t errlen)
{
	int rc = submit_report_decode(in, len, error, r, err, errlen);

	if (rc < 0)
		counter_inc(COUNTER_SMS_TPDU_MALFORMED);
	return rc;
}

int sms_deliver_report_encode(bool error, uint8_t fcs, uint8_t *out, size_t cap)
{
	size_t o = 0;

	if (cap < (error ? 3u : 2u))
		return -ENOSPC;
	out[o++] = SMS_MTI_DELIVER; /* TP-UDHI 0 */
	if (error)
		out[o++] = fcs;
	out[o++] = 0; /* TP-PI: no TP-PID, TP-DCS, TP-UD */
	return (int)o;
}
