/*
 * The relay layer of short messages (3GPP TS 24.011 section 7.3, 8.2): RP-DATA, RP-ACK,
 * RP-ERROR and RP-SMMA, the body of a SIP MESSAGE with Content-Type
 * application/vnd.3gpp.sms in SMS over IP (TS 24.341).
 *
 *   RP-DATA   MTI, RP-MR, RP-OA, RP-DA, RP-User-Data (LV: the TPDU)
 *   RP-ACK    MTI, RP-MR, [RP-User-Data (TLV, IEI 0x41)]
 *   RP-ERROR  MTI, RP-MR, RP-Cause (LV), [RP-User-Data (TLV, IEI 0x41)]
 *   RP-SMMA   MTI, RP-MR
 */
#ifndef NWIT_SMS_RP_H
#define NWIT_SMS_RP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sms/sms_tpdu.h"

/* RP-MTI (8.2.2): bits 1-3 of the first octet */
#define SMS_RP_DATA_MS 0x00  /* MS -> network */
#define SMS_RP_DATA_NET 0x01 /* network -> MS */
#define SMS_RP_ACK_MS 0x02
#define SMS_RP_ACK_NET 0x03
#define SMS_RP_ERROR_MS 0x04
#define SMS_RP_ERROR_NET 0x05
#define SMS_RP_SMMA 0x06 /* MS -> network */

#define SMS_RP_IEI_USER_DATA 0x41
#define SMS_RP_USER_DATA_MAX 232 /* 8.2.5.3: RP-User-Data LV of 3..233 octets */
#define SMS_RP_MAX 256		 /* an encoded RP message fits in this */

/* RP-Cause values (8.2.5.4, table 8.4) */
#define SMS_RP_CAUSE_UNASSIGNED_NUMBER 1
#define SMS_RP_CAUSE_OPERATOR_BARRING 8
#define SMS_RP_CAUSE_CALL_BARRED 10
#define SMS_RP_CAUSE_SM_REJECTED 21
#define SMS_RP_CAUSE_MEMORY_EXCEEDED 22
#define SMS_RP_CAUSE_DESTINATION_OUT_OF_ORDER 27
#define SMS_RP_CAUSE_UNIDENTIFIED_SUBSCRIBER 28
#define SMS_RP_CAUSE_FACILITY_REJECTED 29
#define SMS_RP_CAUSE_UNKNOWN_SUBSCRIBER 30
#define SMS_RP_CAUSE_NETWORK_OUT_OF_ORDER 38
#define SMS_RP_CAUSE_TEMPORARY_FAILURE 41
#define SMS_RP_CAUSE_CONGESTION 42
#define SMS_RP_CAUSE_RESOURCES_UNAVAILABLE 47
#define SMS_RP_CAUSE_NOT_SUBSCRIBED 50
#define SMS_RP_CAUSE_NOT_IMPLEMENTED 69
#define SMS_RP_CAUSE_INVALID_REFERENCE 81
#define SMS_RP_CAUSE_SEMANTICALLY_INCORRECT 95
#define SMS_RP_CAUSE_INVALID_MANDATORY_INFO 96
#define SMS_RP_CAUSE_MSG_TYPE_NONEXISTENT 97
#define SMS_RP_CAUSE_MSG_NOT_COMPATIBLE 98
#define SMS_RP_CAUSE_IE_NONEXISTENT 99
#define SMS_RP_CAUSE_PROTOCOL_ERROR 111
#define SMS_RP_CAUSE_INTERWORKING 127

struct sms_rp {
	uint8_t mti;
	uint8_t mr; /* RP-Message Reference (8.2.3) */
	/* RP-DATA: the service centre is RP-DA toward the network and RP-OA from it; the
	 * other address is empty (8.2.5.1, 8.2.5.2). */
	bool has_oa, has_da;
	struct sms_addr oa, da;
	/* RP-ERROR */
	uint8_t cause;	 /* 0..127 */
	bool has_diag;
	uint8_t diag;
	/* RP-DATA: the TPDU (mandatory); RP-ACK, RP-ERROR: optional. Points into the
	 * decoded buffer, or to the caller's TPDU when encoding. */
	const uint8_t *user_data;
	size_t user_data_len;
};

/*
 * Decode an RP message. 0, or -EBADMSG with the reason: an unknown message type, a
 * field past the end, an RP-DATA whose addresses do not fit its direction, a missing or
 * oversized RP-User-Data, octets left over. Unknown optional elements of RP-ACK and
 * RP-ERROR are skipped (TS 24.011 section 9). Counted in sms_rp_malformed.
 */
int sms_rp_decode(const uint8_t *buf, size_t len, struct sms_rp *rp, char *err, size_t errlen);

/* Encode: octets written, -EINVAL (a field the type does not allow), -ENOSPC. */
int sms_rp_encode(const struct sms_rp *rp, uint8_t *out, size_t cap);

/* Name of an RP-MTI ("RP-DATA (network to MS)") and of an RP-Cause value. */
const char *sms_rp_type_name(uint8_t mti);
const char *sms_rp_cause_name(uint8_t cause);

#endif
