/*
 * The SMS relay layer (3GPP TS 24.011 section 7.3, 8.2): RP-DATA both ways, RP-ACK,
 * RP-ERROR and RP-SMMA written octet by octet as the message layouts of 7.3 give them
 * (the expected octets are spelled out field by field from the spec, with the service
 * centre +27381000015 and the "hellohello" TPDUs of the classic PDU examples), decoded
 * back, and malformed messages refused with their reasons and counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "core/hex.h"
#include "sms/sms_rp.h"

#define SUBMIT "11000B916407281553F80000AA0AE8329BFD4697D9EC37"		/* 23 octets */
#define DELIVER "040BC87238880900F10000993092516195800AE8329BFD4697D9EC37"	/* 28 octets */

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2;

	assert_int_equal(hex_decode(s, out, n), 0);
	return n;
}

/* Encode rp, compare with want, decode it back and compare the fields. */
static void round_trip(const struct sms_rp *rp, const char *want)
{
	uint8_t out[SMS_RP_MAX], w[SMS_RP_MAX];
	struct sms_rp d;
	size_t wl = unhex(want, w);
	char err[128];
	int n;

	n = sms_rp_encode(rp, out, sizeof(out));
	assert_int_equal(n, wl);
	assert_memory_equal(out, w, wl);
	assert_int_equal(sms_rp_decode(out, (size_t)n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.mti, rp->mti);
	assert_int_equal(d.mr, rp->mr);
	assert_int_equal(d.has_oa, rp->has_oa);
	assert_int_equal(d.has_da, rp->has_da);
	assert_string_equal(d.oa.text, rp->oa.text);
	assert_string_equal(d.da.text, rp->da.text);
	assert_int_equal(d.cause, rp->cause);
	assert_int_equal(d.has_diag, rp->has_diag);
	assert_int_equal(d.user_data_len, rp->user_data_len);
	if (rp->user_data_len)
		assert_memory_equal(d.user_data, rp->user_data, rp->user_data_len);
}

static void data_both_ways(void **state)
{
	uint8_t tpdu[64];
	struct sms_rp rp = { .mti = SMS_RP_DATA_MS, .mr = 0x2a, .has_da = true };

	(void)state;
	assert_int_equal(sms_addr_parse("+27381000015", &rp.da), 0);
	rp.user_data = tpdu;
	rp.user_data_len = unhex(SUBMIT, tpdu);
	/* MTI 000, RP-MR, RP-OA length 0, RP-DA 07 91 <BCD>, RP-User-Data length 23 */
	round_trip(&rp, "00" "2A" "00" "07" "91" "7283010010F5" "17" SUBMIT);

	memset(&rp, 0, sizeof(rp));
	rp.mti = SMS_RP_DATA_NET;
	rp.mr = 0x80;
	rp.has_oa = true;
	assert_int_equal(sms_addr_parse("+27381000015", &rp.oa), 0);
	rp.user_data = tpdu;
	rp.user_data_len = unhex(DELIVER, tpdu);
	/* MTI 001, RP-MR, RP-OA (the SC), RP-DA length 0, RP-User-Data length 28 */
	round_trip(&rp, "01" "80" "07" "91" "7283010010F5" "00" "1C" DELIVER);
}

static void ack_error_smma(void **state)
{
	uint8_t report[] = { 0x00, 0x00 }, report_err[] = { 0x00, 0xd3, 0x00 };
	struct sms_rp rp = { .mti = SMS_RP_ACK_MS, .mr = 0x80 };

	(void)state;
	round_trip(&rp, "0280");
	/* with RP-User-Data (IEI 0x41) holding an SMS-DELIVER-REPORT */
	rp.user_data = report;
	rp.user_data_len = sizeof(report);
	round_trip(&rp, "0280" "41" "02" "0000");
	rp.mti = SMS_RP_ACK_NET;
	rp.mr = 0x2a;
	round_trip(&rp, "032A" "41" "02" "0000");

	/* RP-ERROR: RP-Cause length 1, 22 memory capacity exceeded, TP-FCS 0xD3 */
	memset(&rp, 0, sizeof(rp));
	rp.mti = SMS_RP_ERROR_MS;
	rp.mr = 0x80;
	rp.cause = SMS_RP_CAUSE_MEMORY_EXCEEDED;
	round_trip(&rp, "0480" "01" "16");
	rp.user_data = report_err;
	rp.user_data_len = sizeof(report_err);
	round_trip(&rp, "0480" "01" "16" "41" "03" "00D300");
	/* from the network, with a diagnostic octet: 42 congestion */
	memset(&rp, 0, sizeof(rp));
	rp.mti = SMS_RP_ERROR_NET;
	rp.mr = 0x2a;
	rp.cause = SMS_RP_CAUSE_CONGESTION;
	rp.has_diag = true;
	rp.diag = 5;
	round_trip(&rp, "052A" "02" "2A05");

	memset(&rp, 0, sizeof(rp));
	rp.mti = SMS_RP_SMMA;
	rp.mr = 0x07;
	round_trip(&rp, "0607");
	assert_string_equal(sms_rp_cause_name(22), "Memory capacity exceeded");
	assert_string_equal(sms_rp_type_name(SMS_RP_ERROR_NET), "RP-ERROR (network to MS)");
}

static void lenient_where_the_spec_says(void **state)
{
	struct sms_rp rp;
	uint8_t b[64];
	char err[128];
	size_t n;

	(void)state;
	/* spare bits 4-8 of the first octet are ignored */
	n = unhex("F380", b);
	assert_int_equal(sms_rp_decode(b, n, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.mti, SMS_RP_ACK_NET);
	/* an unknown element is skipped; a repeated RP-User-Data counts once, the first */
	n = unhex("0380" "7701FF" "410100" "410101", b);
	assert_int_equal(sms_rp_decode(b, n, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.user_data_len, 1);
	assert_int_equal(rp.user_data[0], 0x00);
	/* the cause's extension bit is not part of the value */
	n = unhex("058001AA", b);
	assert_int_equal(sms_rp_decode(b, n, &rp, err, sizeof(err)), 0);
	assert_int_equal(rp.cause, 0x2a);
}

static void malformed(void **state)
{
	static const struct {
		const char *hex, *reason;
	} bad[] = {
		{ "", "RP message of 0 octets" },
		{ "00", "RP message of 1 octets" },
		{ "0701", "reserved RP-MTI 7" },
		/* RP-DATA toward the network with an originator, without a destination */
		{ "0001" "0791" "7283010010F5" "00" "0100", "an RP-OA and no RP-DA" },
		{ "0101" "00" "0791" "7283010010F5" "0100", "no RP-OA and an RP-DA" },
		{ "0001" "00" "0C91" "7283010010F5", "RP address of 12 octets" },
		{ "0001" "00" "0791" "72830100", "past the end" },
		{ "0001" "00" "0791" "7283010010F5", "RP-User-Data missing" },
		{ "0001" "00" "0791" "7283010010F5" "00", "RP-User-Data of 0 octets" },
		{ "0001" "00" "0791" "7283010010F5" "0500", "RP-User-Data of 5 octets past the end" },
		{ "0001" "00" "0791" "7283010010F5" "010000", "1 octets after RP-User-Data" },
		{ "0001" "00" "0791" "7F83010010F5" "0100", "filler F in digit 1" },
		{ "0401", "RP-Cause missing" },
		{ "040100", "RP-Cause of 0 octets" },
		{ "0401031600", "RP-Cause of 3 octets" },
		{ "040102", "RP-Cause past the end" }, /* claims 2, none there */
		{ "040101", "RP-Cause past the end" },
		{ "0201" "41", "element 41 cut short" },
		{ "0201" "4105" "0000", "element 41 of 5 octets past the end" },
		{ "0201" "4100", "RP-User-Data of 0 octets" },
		{ "060100", "1 octets after RP-SMMA" },
	};
	uint64_t before = counter_get(COUNTER_SMS_RP_MALFORMED);
	struct sms_rp rp;
	uint8_t b[64];
	char err[128];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = unhex(bad[i].hex, b);
		err[0] = 0;
		assert_int_equal(sms_rp_decode(b, n, &rp, err, sizeof(err)), -EBADMSG);
		if (!strstr(err, bad[i].reason))
			fail_msg("%s: reason \"%s\", wanted \"%s\"", bad[i].hex, err, bad[i].reason);
	}
	assert_int_equal(counter_get(COUNTER_SMS_RP_MALFORMED), before + sizeof(bad) / sizeof(bad[0]));
}

static void encode_refusals(void **state)
{
	uint8_t tpdu[300] = { 0 }, out[SMS_RP_MAX];
	struct sms_rp rp = { .mti = SMS_RP_DATA_MS, .has_da = true, .user_data = tpdu };

	(void)state;
	assert_int_equal(sms_addr_parse("+27381000015", &rp.da), 0);
	rp.user_data_len = 0;
	assert_int_equal(sms_rp_encode(&rp, out, sizeof(out)), -EINVAL);
	rp.user_data_len = 233;
	assert_int_equal(sms_rp_encode(&rp, out, sizeof(out)), -EINVAL);
	rp.user_data_len = 232;
	assert_int_equal(sms_rp_encode(&rp, out, sizeof(out)), 2 + 1 + 8 + 1 + 232);
	assert_int_equal(sms_rp_encode(&rp, out, 100), -ENOSPC);
	rp.has_oa = true; /* toward the network, the originator is empty */
	assert_int_equal(sms_rp_encode(&rp, out, sizeof(out)), -EINVAL);
	rp.mti = 7;
	assert_int_equal(sms_rp_encode(&rp, out, sizeof(out)), -EINVAL);
	rp.mti = SMS_RP_ERROR_MS;
	rp.cause = 128;
	assert_int_equal(sms_rp_encode(&rp, out, sizeof(out)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_both_ways),
		cmocka_unit_test(ack_error_smma),
		cmocka_unit_test(lenient_where_the_spec_says),
		cmocka_unit_test(malformed),
		cmocka_unit_test(encode_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
