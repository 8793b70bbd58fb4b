/* RP-DATA, RP-ACK, RP-ERROR, RP-SMMA (3GPP TS 24.011 section 7.3, 8.2). */
#include <errno.h>
#include <string.h>

#include "core/counters.h"
#include "core/reason.h"
#include "sms/sms_rp.h"

const char *sms_rp_type_name(uint8_t mti)
{
	static const char *const names[] = {
		"RP-DATA (MS to network)",  "RP-DATA (network to MS)",
		"RP-ACK (MS to network)",   "RP-ACK (network to MS)",
		"RP-ERROR (MS to network)", "RP-ERROR (network to MS)",
		"RP-SMMA (MS to network)",
	};

	return mti < sizeof(names) / sizeof(names[0]) ? names[mti] : "reserved RP-MTI";
}

const char *sms_rp_cause_name(uint8_t cause)
{
	switch (cause) {
	case 1: return "Unassigned (unallocated) number";
	case 8: return "Operator determined barring";
	case 10: return "Call barred";
	case 21: return "Short message transfer rejected";
	case 22: return "Memory capacity exceeded";
	case 27: return "Destination out of order";
	case 28: return "Unidentified subscriber";
	case 29: return "Facility rejected";
	case 30: return "Unknown subscriber";
	case 38: return "Network out of order";
	case 41: return "Temporary failure";
	case 42: return "Congestion";
	case 47: return "Resources unavailable, unspecified";
	case 50: return "Requested facility not subscribed";
	case 69: return "Requested facility not implemented";
	case 81: return "Invalid short message transfer reference value";
	case 95: return "Semantically incorrect message";
	case 96: return "Invalid mandatory information";
	case 97: return "Message type non-existent or not implemented";
	case 98: return "Message not compatible with short message protocol state";
	case 99: return "Information element non-existent or not implemented";
	case 111: return "Protocol error, unspecified";
	case 127: return "Interworking, unspecified";
	default: return "Unknown cause";
	}
}

/* The RP-DATA part after RP-MR. */
static int data_decode(const uint8_t *buf, size_t len, size_t o, struct sms_rp *rp, char *err,
		       size_t errlen)
{
	bool to_ms = rp->mti == SMS_RP_DATA_NET;
	size_t n, l;
	int rc;

	rc = sms_rp_addr_decode(buf + o, len - o, &rp->oa, &rp->has_oa, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	rc = sms_rp_addr_decode(buf + o, len - o, &rp->da, &rp->has_da, &n, err, errlen);
	if (rc < 0)
		return rc;
	o += n;
	if (to_ms ? !rp->has_oa || rp->has_da : rp->has_oa || !rp->has_da)
		return reason_set(err, errlen, -EBADMSG, "%s with %s RP-OA and %s RP-DA (the %s)",
				sms_rp_type_name(rp->mti), rp->has_oa ? "an" : "no",
				rp->has_da ? "an" : "no",
				to_ms ? "SC is the originator" : "SC is the destination");
	if (o >= len)
		return reason_set(err, errlen, -EBADMSG, "RP-User-Data missing");
	l = buf[o++];
	if (l == 0 || l > SMS_RP_USER_DATA_MAX)
		return reason_set(err, errlen, -EBADMSG, "RP-User-Data of %zu octets (1..%d)", l,
				SMS_RP_USER_DATA_MAX);
	if (l > len - o)
		return reason_set(err, errlen, -EBADMSG, "RP-User-Data of %zu octets past the end",
				l);
	rp->user_data = buf + o;
	rp->user_data_len = l;
	o += l;
	if (o != len)
		return reason_set(err, errlen, -EBADMSG, "%zu octets after RP-User-Data", len - o);
	return 0;
}

/* Optional elements of RP-ACK and RP-ERROR from o on. */
static int optional_decode(const uint8_t *buf, size_t len, size_t o, struct sms_rp *rp,
			   char *err, size_t errlen)
{
	while (o < len) {
		uint8_t iei = buf[o], l;

		if (len - o < 2)
			return reason_set(err, errlen, -EBADMSG, "element %02x cut short", iei);
		l = buf[o + 1];
		if (l > len - o - 2)
			return reason_set(err, errlen, -EBADMSG,
					"element %02x of %u octets past the end", iei, l);
		if (iei == SMS_RP_IEI_USER_DATA && !rp->user_data) {
			if (l == 0 || l > SMS_RP_USER_DATA_MAX)
				return reason_set(err, errlen, -EBADMSG,
						"RP-User-Data of %u octets (1..%d)", l,
						SMS_RP_USER_DATA_MAX);
			rp->user_data = buf + o + 2;
			rp->user_data_len = l;
		}
		/* other elements, and a repeated RP-User-Data, are skipped */
		o += 2u + l;
	}
	return 0;
}

static int rp_decode(const uint8_t *buf, size_t len, struct sms_rp *rp, char *err,
		     size_t errlen)
{
	size_t o = 2, l;

	memset(rp, 0, sizeof(*rp));
	if (len < 2)
		return reason_set(err, errlen, -EBADMSG, "RP message of %zu octets", len);
	rp->mti = buf[0] & 0x07; /* bits 4-8 are spare */
	rp->mr = buf[1];
	switch (rp->mti) {
	case SMS_RP_DATA_MS:
	case SMS_RP_DATA_NET:
		return data_decode(buf, len, o, rp, err, errlen);
	case SMS_RP_ACK_MS:
	case SMS_RP_ACK_NET:
		return optional_decode(buf, len, o, rp, err, errlen);
	case SMS_RP_ERROR_MS:
	case SMS_RP_ERROR_NET:
		if (o >= len)
			return reason_set(err, errlen, -EBADMSG, "RP-Cause missing");
		l = buf[o++];
		if (l < 1 || l > 2)
			return reason_set(err, errlen, -EBADMSG, "RP-Cause of %zu octets (1 or 2)", l);
		if (l > len - o)
			return reason_set(err, errlen, -EBADMSG, "RP-Cause past the end");
		rp->cause = buf[o] & 0x7f;
		if (l == 2) {
			rp->has_diag = true;
			rp->diag = buf[o + 1];
		}
		return optional_decode(buf, len, o + l, rp, err, errlen);
	case SMS_RP_SMMA:
		if (len != 2)
			return reason_set(err, errlen, -EBADMSG, "%zu octets after RP-SMMA", len - 2);
		return 0;
	default:
		return reason_set(err, errlen, -EBADMSG, "reserved RP-MTI %u", rp->mti);
	}
}

int sms_rp_decode(const uint8_t *buf, size_t len, struct sms_rp *rp, char *err, size_t errlen)
{
	int rc = rp_decode(buf, len, rp, err, errlen);

	if (rc < 0)
		counter_inc(COUNTER_SMS_RP_MALFORMED);
	return rc;
}

int sms_rp_encode(const struct sms_rp *rp, uint8_t *out, size_t cap)
{
	size_t o = 2;
	int n;

	if (cap < 2)
		return -ENOSPC;
	out[0] = rp->mti;
	out[1] = rp->mr;
	switch (rp->mti) {
	case SMS_RP_DATA_MS:
	case SMS_RP_DATA_NET:
		if (rp->mti == SMS_RP_DATA_NET ? !rp->has_oa || rp->has_da
					       : rp->has_oa || !rp->has_da)
			return -EINVAL;
		if (rp->user_data_len == 0 || rp->user_data_len > SMS_RP_USER_DATA_MAX)
			return -EINVAL;
		n = sms_rp_addr_encode(&rp->oa, rp->has_oa, out + o, cap - o);
		if (n < 0)
			return n;
		o += (size_t)n;
		n = sms_rp_addr_encode(&rp->da, rp->has_da, out + o, cap - o);
		if (n < 0)
			return n;
		o += (size_t)n;
		if (cap - o < 1 + rp->user_data_len)
			return -ENOSPC;
		out[o++] = (uint8_t)rp->user_data_len;
		break;
	case SMS_RP_ERROR_MS:
	case SMS_RP_ERROR_NET:
		if (rp->cause > 127)
			return -EINVAL;
		if (cap - o < (rp->has_diag ? 3u : 2u))
			return -ENOSPC;
		out[o++] = rp->has_diag ? 2 : 1;
		out[o++] = rp->cause;
		if (rp->has_diag)
			out[o++] = rp->diag;
		/* fall through */
	case SMS_RP_ACK_MS:
	case SMS_RP_ACK_NET:
		if (rp->user_data_len == 0)
			return (int)o;
		if (rp->user_data_len > SMS_RP_USER_DATA_MAX)
			return -EINVAL;
		if (cap - o < 2 + rp->user_data_len)
			return -ENOSPC;
		out[o++] = SMS_RP_IEI_USER_DATA;
		out[o++] = (uint8_t)rp->user_data_len;
		break;
	case SMS_RP_SMMA:
		return (int)o;
	default:
		return -EINVAL;
	}
	memcpy(out + o, rp->user_data, rp->user_data_len);
	return (int)(o + rp->user_data_len);
}
