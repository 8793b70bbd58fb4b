/*
 * IMDN documents (RFC 5438): the delivery notification example of RFC 5438 section 6
 * parses to its values; what imdn_build writes for each kind and status parses back;
 * documents that break section 7.1 (no message-id, two notifications, a status the kind
 * lacks, another namespace) or XML safety (DOCTYPE, entities, size) are refused with
 * their reasons and counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "cpim/imdn.h"

/* RFC 5438 section 6, the delivery notification of the example message */
static const char rfc5438[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
	"<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n"
	"  <message-id>34jk324j</message-id>\r\n"
	"  <datetime>2008-04-04T12:16:49-05:00</datetime>\r\n"
	"  <recipient-uri>im:bob@example.com</recipient-uri>\r\n"
	"  <original-recipient-uri>im:bob@example.com</original-recipient-uri>\r\n"
	"  <subject>Project Tomorrow</subject>\r\n"
	"  <delivery-notification>\r\n"
	"    <status>\r\n"
	"      <delivered/>\r\n"
	"    </status>\r\n"
	"  </delivery-notification>\r\n"
	"</imdn>\r\n";

static int parse(const char *xml, struct imdn *n, char *err, size_t errlen)
{
	return imdn_parse((const uint8_t *)xml, strlen(xml), n, err, errlen);
}

static void rfc_example(void **state)
{
	struct imdn n;
	char err[128];

	(void)state;
	assert_int_equal(parse(rfc5438, &n, err, sizeof(err)), 0);
	assert_string_equal(n.message_id, "34jk324j");
	assert_string_equal(n.datetime, "2008-04-04T12:16:49-05:00");
	assert_string_equal(n.recipient_uri, "im:bob@example.com");
	assert_string_equal(n.original_recipient_uri, "im:bob@example.com");
	assert_int_equal(n.kind, IMDN_DELIVERY);
	assert_int_equal(n.status, IMDN_DELIVERED);
	/* a prefix instead of the default namespace is the same document */
	assert_int_equal(parse("<i:imdn xmlns:i=\"urn:ietf:params:xml:ns:imdn\">"
			       "<i:message-id>x</i:message-id><i:datetime>d</i:datetime>"
			       "<i:display-notification><i:status><i:displayed/></i:status>"
			       "</i:display-notification></i:imdn>", &n, err, sizeof(err)), 0);
	assert_int_equal(n.kind, IMDN_DISPLAY);
	assert_int_equal(n.status, IMDN_DISPLAYED);
	/* white space around a value goes, inside it stays (expat gives text in pieces) */
	assert_int_equal(parse("<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>\r\n"
			       "  a b\r\nc \n</message-id><datetime>d</datetime><delivery-notification>"
			       "<status><failed/></status></delivery-notification></imdn>", &n, err,
			       sizeof(err)), 0);
	assert_string_equal(n.message_id, "a b\nc");
	assert_int_equal(n.status, IMDN_FAILED);
}

static void build_and_back(void **state)
{
	static const struct {
		enum imdn_kind k;
		enum imdn_status s;
	} v[] = {
		{ IMDN_DELIVERY, IMDN_DELIVERED }, { IMDN_DELIVERY, IMDN_FAILED },
		{ IMDN_DELIVERY, IMDN_FORBIDDEN }, { IMDN_DELIVERY, IMDN_ERROR },
		{ IMDN_DISPLAY, IMDN_DISPLAYED },  { IMDN_DISPLAY, IMDN_ERROR },
		{ IMDN_PROCESSING, IMDN_PROCESSED }, { IMDN_PROCESSING, IMDN_STORED },
	};
	struct imdn n = { .message_id = "a<b&c>\"'", .datetime = "2026-12-08T01:02:03+00:00",
			  .recipient_uri = "tel:+15551234" }, back;
	char out[1024], err[128];
	int len;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n.kind = v[i].k;
		n.status = v[i].s;
		len = imdn_build(&n, out, sizeof(out));
		assert_true(len > 0);
		assert_int_equal((size_t)len, strlen(out));
		assert_non_null(strstr(out, "a&lt;b&amp;c&gt;&quot;&apos;"));
		assert_int_equal(parse(out, &back, err, sizeof(err)), 0);
		assert_string_equal(back.message_id, n.message_id);
		assert_string_equal(back.datetime, n.datetime);
		assert_string_equal(back.recipient_uri, n.recipient_uri);
		assert_string_equal(back.original_recipient_uri, "");
		assert_int_equal(back.kind, n.kind);
		assert_int_equal(back.status, n.status);
	}
	/* what the SMS status report mapping sends: a delivery with the RFC's layout */
	n = (struct imdn){ .message_id = "34jk324j", .datetime = "2008-04-04T12:16:49-05:00",
			   .recipient_uri = "im:bob@example.com",
			   .original_recipient_uri = "im:bob@example.com",
			   .kind = IMDN_DELIVERY, .status = IMDN_DELIVERED };
	len = imdn_build(&n, out, sizeof(out));
	assert_true(len > 0);
	assert_string_equal(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"
				 "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">\r\n"
				 "  <message-id>34jk324j</message-id>\r\n"
				 "  <datetime>2008-04-04T12:16:49-05:00</datetime>\r\n"
				 "  <recipient-uri>im:bob@example.com</recipient-uri>\r\n"
				 "  <original-recipient-uri>im:bob@example.com</original-recipient-uri>\r\n"
				 "  <delivery-notification>\r\n"
				 "    <status>\r\n"
				 "      <delivered/>\r\n"
				 "    </status>\r\n"
				 "  </delivery-notification>\r\n"
				 "</imdn>\r\n");
	/* refusals */
	n.status = IMDN_DISPLAYED;
	assert_int_equal(imdn_build(&n, out, sizeof(out)), -EINVAL);
	n.status = IMDN_DELIVERED;
	n.message_id[0] = 0;
	assert_int_equal(imdn_build(&n, out, sizeof(out)), -EINVAL);
	strcpy(n.message_id, "x");
	assert_int_equal(imdn_build(&n, out, 100), -ENOSPC);
}

static void refused(void **state)
{
	static const struct {
		const char *xml, *reason;
	} bad[] = {
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdnx\"/>", "root element is not imdn" },
		{ "<imdn><message-id>x</message-id></imdn>", "root element is not imdn" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><datetime>d</datetime>"
		  "<delivery-notification><status><delivered/></status></delivery-notification>"
		  "</imdn>", "no message-id" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<delivery-notification><status><delivered/></status></delivery-notification>"
		  "</imdn>", "no datetime" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime></imdn>", "no notification" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime><delivery-notification><status/></delivery-notification>"
		  "</imdn>", "no status" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime><delivery-notification><status><displayed/></status>"
		  "</delivery-notification></imdn>", "status displayed in a delivery-notification" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime><display-notification><status><delivered/></status>"
		  "</display-notification></imdn>", "status delivered in a display-notification" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime><processing-notification><status><displayed/></status>"
		  "</processing-notification></imdn>", "status displayed in a processing-notification" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<message-id>y</message-id></imdn>", "more than one message-id" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime><delivery-notification><status><delivered/></status>"
		  "</delivery-notification><display-notification/></imdn>",
		  "more than one notification" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>"
		  "<datetime>d</datetime><delivery-notification><status><delivered/><failed/>"
		  "</status></delivery-notification></imdn>", "more than one status" },
		{ "<!DOCTYPE imdn [<!ENTITY a \"b\">]><imdn xmlns=\"urn:ietf:params:xml:ns:imdn\">"
		  "<message-id>&a;</message-id></imdn>", "DOCTYPE refused" },
		{ "<imdn xmlns=\"urn:ietf:params:xml:ns:imdn\"><message-id>x</message-id>",
		  "not well-formed XML" },
	};
	uint64_t before = counter_get(COUNTER_IMDN_MALFORMED);
	char big[IMDN_MAX_BYTES + 200], err[200];
	struct imdn n;
	size_t o;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(parse(bad[i].xml, &n, err, sizeof(err)), -EBADMSG);
		if (!strstr(err, bad[i].reason))
			fail_msg("%zu: reason \"%s\", wanted \"%s\"", i, err, bad[i].reason);
		assert_string_equal(n.message_id, "");
	}
	/* a message-id over its field; a document over the size limit */
	o = (size_t)snprintf(big, sizeof(big), "<imdn xmlns=\"" IMDN_NS "\"><message-id>");
	memset(big + o, 'x', CPIM_VALUE_MAX);
	strcpy(big + o + CPIM_VALUE_MAX, "</message-id></imdn>");
	assert_int_equal(parse(big, &n, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "message-id longer than 127 bytes"));
	memset(big, ' ', IMDN_MAX_BYTES + 1);
	big[IMDN_MAX_BYTES + 1] = 0;
	assert_int_equal(parse(big, &n, err, sizeof(err)), -E2BIG);
	assert_int_equal(counter_get(COUNTER_IMDN_MALFORMED),
			 before + sizeof(bad) / sizeof(bad[0]) + 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_example),
		cmocka_unit_test(build_and_back),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
