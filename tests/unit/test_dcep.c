/*
 * DCEP (RFC 8832): DATA_CHANNEL_OPEN and ACK bytes written by hand from section 5's
 * layout parse to their fields and are rebuilt byte for byte; bad messages are refused
 * with their errors and counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "webrtc/dcep.h"

/* reliable ordered, priority 256, reliability 0, label "chat", protocol "msrp" */
static const uint8_t open_msrp[] = {
	0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x04,
	'c', 'h', 'a', 't', 'm', 's', 'r', 'p',
};

/* partial reliability by retransmissions, unordered, 3 retransmissions, empty label */
static const uint8_t open_rexmit[] = {
	0x03, 0x81, 0x00, 0x80, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
};

static void parse_and_build(void **state)
{
	struct dcep_open o;
	uint8_t buf[64];
	char err[128];

	(void)state;
	assert_int_equal(dcep_parse(open_msrp, sizeof(open_msrp), &o, err, sizeof(err)), DCEP_OPEN);
	assert_int_equal(o.channel_type, DCEP_RELIABLE);
	assert_int_equal(o.priority, 256);
	assert_int_equal(o.reliability, 0);
	assert_string_equal(o.label, "chat");
	assert_string_equal(o.protocol, "msrp");
	assert_int_equal(dcep_build_open(&o, buf, sizeof(buf)), sizeof(open_msrp));
	assert_memory_equal(buf, open_msrp, sizeof(open_msrp));

	assert_int_equal(dcep_parse(open_rexmit, sizeof(open_rexmit), &o, err, sizeof(err)),
			 DCEP_OPEN);
	assert_int_equal(o.channel_type, DCEP_PARTIAL_REXMIT | DCEP_UNORDERED);
	assert_int_equal(o.priority, 128);
	assert_int_equal(o.reliability, 3);
	assert_string_equal(o.label, "");
	assert_int_equal(dcep_build_open(&o, buf, sizeof(buf)), sizeof(open_rexmit));
	assert_memory_equal(buf, open_rexmit, sizeof(open_rexmit));
	assert_int_equal(dcep_build_open(&o, buf, 11), -ENOSPC);

	assert_int_equal(dcep_build_ack(buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 0x02);
	assert_int_equal(dcep_parse(buf, 1, &o, err, sizeof(err)), DCEP_ACK);
}

static void refused(void **state)
{
	uint8_t m[DCEP_OPEN_HEADER + 600];
	struct dcep_open o;
	char err[128];
	uint64_t before = counter_get(COUNTER_DCEP_MALFORMED);

	(void)state;
	assert_int_equal(dcep_parse(m, 0, &o, err, sizeof(err)), -EBADMSG);
	assert_int_equal(dcep_parse((const uint8_t *)"\x02\x00", 2, &o, err, sizeof(err)), -EBADMSG);
	assert_int_equal(dcep_parse((const uint8_t *)"\x07", 1, &o, err, sizeof(err)), -ENOTSUP);
	assert_int_equal(dcep_parse(open_msrp, 11, &o, err, sizeof(err)), -EBADMSG);
	assert_int_equal(dcep_parse(open_msrp, sizeof(open_msrp) - 1, &o, err, sizeof(err)),
			 -EBADMSG); /* lengths beyond the message */
	memcpy(m, open_msrp, sizeof(open_msrp));
	m[sizeof(open_msrp)] = 'x';
	assert_int_equal(dcep_parse(m, sizeof(open_msrp) + 1, &o, err, sizeof(err)),
			 -EBADMSG); /* trailing byte */
	memcpy(m, open_msrp, sizeof(open_msrp));
	m[1] = 0x03;
	assert_int_equal(dcep_parse(m, sizeof(open_msrp), &o, err, sizeof(err)), -EBADMSG);
	memcpy(m, open_msrp, sizeof(open_msrp));
	m[13] = 0;
	assert_int_equal(dcep_parse(m, sizeof(open_msrp), &o, err, sizeof(err)), -EBADMSG);
	/* a label of 300 bytes */
	memset(m, 'a', sizeof(m));
	memcpy(m, "\x03\x00\x00\x00\x00\x00\x00\x00\x01\x2c\x00\x00", DCEP_OPEN_HEADER);
	assert_int_equal(dcep_parse(m, DCEP_OPEN_HEADER + 300, &o, err, sizeof(err)), -ENAMETOOLONG);
	assert_true(strlen(err) > 0);
	assert_int_equal(counter_get(COUNTER_DCEP_MALFORMED), before + 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_and_build),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
