/*
 * libFuzzer harness: SMS RP messages (TS 24.011) as they arrive in SIP MESSAGE bodies,
 * and the TPDU each carries (SMS-DELIVER or SMS-STATUS-REPORT in RP-DATA from the
 * network, SMS-SUBMIT in RP-DATA toward it, SMS-SUBMIT-REPORT in RP-ACK/RP-ERROR). Every
 * refusal is -EBADMSG with a reason; what decodes is written again and decodes to the
 * same fields.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sms/sms_rp.h"
#include "sms/sms_tpdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tpdu(const struct sms_rp *rp)
{
	struct sms_status_report sr;
	struct sms_submit_report rep;
	struct sms_deliver d;
	struct sms_submit s;
	char err[128] = "", text[SMS_UD_SEPTETS_MAX * 3 + 1];
	const uint8_t *t = rp->user_data;
	size_t n = rp->user_data_len;
	int rc;

	if (!n)
		return;
	switch (rp->mti) {
	case SMS_RP_DATA_NET:
		rc = (t[0] & 3) == SMS_MTI_STATUS ? sms_status_report_decode(t, n, &sr, err, sizeof(err))
						  : sms_deliver_decode(t, n, &d, err, sizeof(err));
		if (rc == 0 && (t[0] & 3) != SMS_MTI_STATUS)
			sms_ud_text(&d.ud, text, sizeof(text), NULL);
		break;
	case SMS_RP_DATA_MS:
		rc = sms_submit_decode(t, n, &s, err, sizeof(err));
		break;
	case SMS_RP_ACK_NET:
	case SMS_RP_ERROR_NET:
		rc = sms_submit_report_decode(t, n, rp->mti == SMS_RP_ERROR_NET, &rep, err,
					      sizeof(err));
		break;
	default:
		return;
	}
	if (rc < 0 && (rc != -EBADMSG || !err[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[SMS_RP_MAX];
	struct sms_rp rp, back;
	char err[128] = "";
	int rc, n;

	rc = sms_rp_decode(data, size, &rp, err, sizeof(err));
	if (rc < 0) {
		if (rc != -EBADMSG || !err[0])
			abort();
		return 0;
	}
	if (rp.user_data && (rp.user_data < data || rp.user_data + rp.user_data_len > data + size))
		abort();
	tpdu(&rp);
	n = sms_rp_encode(&rp, out, sizeof(out));
	if (n < 0)
		abort();
	if (sms_rp_decode(out, (size_t)n, &back, err, sizeof(err)) != 0 || back.mti != rp.mti ||
	    back.mr != rp.mr || back.has_oa != rp.has_oa || back.has_da != rp.has_da ||
	    strcmp(back.oa.text, rp.oa.text) || strcmp(back.da.text, rp.da.text) ||
	    back.oa.ton != rp.oa.ton || back.da.npi != rp.da.npi || back.cause != rp.cause ||
	    back.has_diag != rp.has_diag || back.diag != rp.diag ||
	    back.user_data_len != rp.user_data_len ||
	    (rp.user_data_len && memcmp(back.user_data, rp.user_data, rp.user_data_len)))
		abort();
	return 0;
}
