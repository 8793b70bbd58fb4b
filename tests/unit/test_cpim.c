/*
 * message/cpim (RFC 3862) and pager-mode checks: the RFC 3862 section 6 example and an
 * IMDN (RFC 5438) message as IMS sends them parse to their values; what we build parses
 * back; malformed wrappers are refused with their errors; pager_check takes text/plain
 * and message/cpim around text/plain and refuses other types, other charsets, bodies
 * and texts over the limits and text that is not UTF-8, counting every refusal.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "cpim/cpim.h"

/* RFC 3862 section 6 (the message/cpim part) */
static const char rfc3862[] =
	"From: MR SANDERS <im:piglet@100akerwood.com>\r\n"
	"To: Depressed Donkey <im:eeyore@100akerwood.com>\r\n"
	"DateTime: 2000-12-13T13:40:00-08:00\r\n"
	"Subject: the weather will be fine today\r\n"
	"Subject:;lang=fr beau temps prevu pour aujourd'hui\r\n"
	"NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n"
	"Require: MyFeatures.VitalMessageOption\r\n"
	"MyFeatures.VitalMessageOption: Confirmation-requested\r\n"
	"MyFeatures.WackyMessageOption: Use-silly-font\r\n"
	"\r\n"
	"Content-type: text/xml; charset=utf-8\r\n"
	"Content-ID: <1234567890@foo.com>\r\n"
	"\r\n"
	"<body>\r\n"
	"Here is the text of my message.\r\n"
	"</body>\r\n";

/* RFC 5438 style, with another prefix for the IMDN namespace */
static const char imdn[] =
	"From: Alice <sip:alice@ims.example.net>\r\n"
	"To: <tel:+15551234>\r\n"
	"NS: disp <urn:ietf:params:imdn>\r\n"
	"disp.Message-ID: 34jk324j\r\n"
	"DateTime: 2006-04-04T12:16:49-05:00\r\n"
	"disp.Disposition-Notification: positive-delivery, display\r\n"
	"\r\n"
	"Content-Type: text/plain;charset=UTF-8\r\n"
	"Content-Length: 12\r\n"
	"\r\n"
	"Hello World!";

static void parse_examples(void **state)
{
	struct cpim c;
	char err[128];

	(void)state;
	assert_int_equal(cpim_parse((const uint8_t *)rfc3862, strlen(rfc3862), &c, err, sizeof(err)), 0);
	assert_string_equal(c.from, "im:piglet@100akerwood.com");
	assert_string_equal(c.to, "im:eeyore@100akerwood.com");
	assert_string_equal(c.datetime, "2000-12-13T13:40:00-08:00");
	assert_string_equal(c.imdn_message_id, "");
	assert_string_equal(c.content_type, "text/xml; charset=utf-8");
	assert_int_equal(c.body_len, strlen("<body>\r\nHere is the text of my message.\r\n</body>\r\n"));
	assert_memory_equal(c.body, "<body>\r\n", 8);

	assert_int_equal(cpim_parse((const uint8_t *)imdn, strlen(imdn), &c, err, sizeof(err)), 0);
	assert_string_equal(c.from, "sip:alice@ims.example.net");
	assert_string_equal(c.to, "tel:+15551234");
	assert_string_equal(c.imdn_message_id, "34jk324j");
	assert_string_equal(c.imdn_disposition, "positive-delivery, display");
	assert_string_equal(c.content_type, "text/plain;charset=UTF-8");
	assert_int_equal(c.body_len, 12);
	assert_memory_equal(c.body, "Hello World!", 12);
}

static void build_and_back(void **state)
{
	static const char want[] =
		"From: <sip:app@ims.example.net>\r\n"
		"To: <sip:bob@ims.example.net>\r\n"
		"DateTime: 2026-11-25T15:00:00Z\r\n"
		"NS: imdn <urn:ietf:params:imdn>\r\n"
		"imdn.Message-ID: a1b2c3\r\n"
		"imdn.Disposition-Notification: positive-delivery\r\n"
		"\r\n"
		"Content-Type: text/plain;charset=UTF-8\r\n"
		"Content-Length: 7\r\n"
		"\r\n"
		"h\xc3\xa9llo!";
	struct cpim c = { .body = (const uint8_t *)"h\xc3\xa9llo!", .body_len = 7 }, d;
	uint8_t buf[1024];
	char err[128];
	int n;

	(void)state;
	strcpy(c.from, "sip:app@ims.example.net");
	strcpy(c.to, "sip:bob@ims.example.net");
	strcpy(c.datetime, "2026-11-25T15:00:00Z");
	strcpy(c.imdn_message_id, "a1b2c3");
	strcpy(c.imdn_disposition, "positive-delivery");
	strcpy(c.content_type, "text/plain;charset=UTF-8");
	n = cpim_build(&c, buf, sizeof(buf));
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
	assert_int_equal(cpim_parse(buf, (size_t)n, &d, err, sizeof(err)), 0);
	assert_string_equal(d.imdn_message_id, "a1b2c3");
	assert_int_equal(d.body_len, 7);
	assert_int_equal(cpim_build(&c, buf, 50), -ENOSPC);
	strcpy(c.to, "sip:bob@x>\r\nEvil: 1");
	assert_int_equal(cpim_build(&c, buf, sizeof(buf)), -EINVAL);
}

static void refused(void **state)
{
	static const struct {
		const char *s;
		int rc;
	} bad[] = {
		{ "From: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n", -EBADMSG },
		{ "From: <sip:a@b>\r\nTo: <sip:c@d>\r\nContent-Type: text/plain\r\n\r\nhi", -EBADMSG },
		{ "From: <sip:a@b>\nTo: <sip:c@d>\n\nContent-Type: text/plain\n\nhi", -EBADMSG },
		{ "From: sip:a@b\r\nTo: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n\r\nhi", -EBADMSG },
		{ "To: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n\r\nhi", -EBADMSG },
		{ "From: <sip:a@b>\r\nFrom: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n\r\nhi", -EBADMSG },
		{ "From: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\nContent-Length: 3\r\n\r\nhi", -EBADMSG },
		{ "From: <sip:a@b>\r\nTo: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nhi", -EMSGSIZE },
		{ "From: <sip:a@b>\r\nTo: <sip:c@d>\r\nno colon here\r\n\r\nContent-Type: text/plain\r\n\r\nhi", -EBADMSG },
		{ "From: <>\r\nTo: <sip:c@d>\r\n\r\nContent-Type: text/plain\r\n\r\nhi", -EBADMSG },
	};
	char many[4096] = "From: <sip:a@b>\r\nTo: <sip:c@d>\r\n";
	struct cpim c;
	char err[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		assert_int_equal(cpim_parse((const uint8_t *)bad[i].s, strlen(bad[i].s), &c, err,
					    sizeof(err)),
				 bad[i].rc);
		assert_true(err[0] != 0);
	}
	for (int i = 0; i < 40; i++)
		strcat(many, "X-Filler: 1\r\n");
	strcat(many, "\r\nContent-Type: text/plain\r\n\r\nhi");
	assert_int_equal(cpim_parse((const uint8_t *)many, strlen(many), &c, err, sizeof(err)), -E2BIG);
}

static void pager(void **state)
{
	struct pager_limits l;
	const uint8_t *text;
	size_t text_len;
	struct cpim c;
	char err[128], big[1400];
	uint64_t before = counter_get(COUNTER_PAGER_REFUSED);

	(void)state;
	pager_limits_default(&l);
	assert_int_equal(pager_check("text/plain", (const uint8_t *)"hi", 2, &l, &c, &text,
				     &text_len, err, sizeof(err)), 0);
	assert_int_equal(text_len, 2);
	assert_int_equal(pager_check("text/plain; charset=\"UTF-8\"", (const uint8_t *)"h\xc3\xa9", 3,
				     &l, &c, &text, &text_len, err, sizeof(err)), 0);
	assert_int_equal(pager_check("message/cpim", (const uint8_t *)imdn, strlen(imdn), &l, &c,
				     &text, &text_len, err, sizeof(err)), 0);
	assert_int_equal(text_len, 12);
	assert_memory_equal(text, "Hello World!", 12);
	assert_string_equal(c.imdn_message_id, "34jk324j");
	assert_int_equal(counter_get(COUNTER_PAGER_REFUSED), before);

	/* refusals */
	assert_int_equal(pager_check("message/cpim", (const uint8_t *)rfc3862, strlen(rfc3862), &l,
				     &c, &text, &text_len, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_int_equal(pager_check("text/html", (const uint8_t *)"hi", 2, &l, &c, &text,
				     &text_len, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_int_equal(pager_check("text/plainx", (const uint8_t *)"hi", 2, &l, &c, &text,
				     &text_len, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_int_equal(pager_check("text/plain;charset=iso-8859-1", (const uint8_t *)"hi", 2, &l,
				     &c, &text, &text_len, err, sizeof(err)), -EPROTONOSUPPORT);
	assert_int_equal(pager_check("text/plain", (const uint8_t *)"h\xe9", 2, &l, &c, &text,
				     &text_len, err, sizeof(err)), -EILSEQ);
	memset(big, 'a', sizeof(big));
	assert_int_equal(pager_check("text/plain", (const uint8_t *)big, 1301, &l, &c, &text,
				     &text_len, err, sizeof(err)), -EMSGSIZE);
	assert_int_equal(pager_check("text/plain", (const uint8_t *)big, 1025, &l, &c, &text,
				     &text_len, err, sizeof(err)), -EMSGSIZE);
	assert_int_equal(pager_check("message/cpim", (const uint8_t *)"garbage", 7, &l, &c, &text,
				     &text_len, err, sizeof(err)), -EBADMSG);
	assert_int_equal(counter_get(COUNTER_PAGER_REFUSED), before + 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_examples),
		cmocka_unit_test(build_and_back),
		cmocka_unit_test(refused),
		cmocka_unit_test(pager),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
