/* reginfo (RFC 3680) documents (reginfo.c) and Subscription-State/header helpers (sip_sub.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip/reginfo.h"
#include "sip/sip_sub.h"

/* RFC 3680 section 6, first example (full state). */
static const char rfc_full[] =
	"<?xml version=\"1.0\"?>\n"
	"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\"\n"
	"         version=\"0\" state=\"full\">\n"
	"  <registration aor=\"sip:user@example.com\" id=\"as9\"\n"
	"                state=\"active\">\n"
	"    <contact id=\"76\" state=\"active\" event=\"registered\"\n"
	"             duration-registered=\"7322\"\n"
	"             q=\"0.8\">\n"
	"             <uri>sip:user@pc887.example.com</uri>\n"
	"    </contact>\n"
	"    <contact id=\"77\" state=\"terminated\" event=\"expired\"\n"
	"             duration-registered=\"3600\"\n"
	"             q=\"0.5\">\n"
	"             <uri>sip:user@university.edu</uri>\n"
	"    </contact>\n"
	"  </registration>\n"
	"</reginfo>\n";

/* RFC 3680 section 6, second example (partial state). */
static const char rfc_partial[] =
	"<?xml version=\"1.0\"?>\n"
	"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\"\n"
	"         version=\"1\" state=\"partial\">\n"
	"  <registration aor=\"sip:user@example.com\" id=\"as9\"\n"
	"                state=\"active\">\n"
	"    <contact id=\"78\" state=\"active\" event=\"registered\"\n"
	"             duration-registered=\"0\">\n"
	"             <uri>sip:user@example.net</uri>\n"
	"    </contact>\n"
	"  </registration>\n"
	"</reginfo>\n";

static int parse(const char *doc, struct reginfo *ri, char *why)
{
	return reginfo_parse(doc, strlen(doc), ri, why, 160);
}

static void rfc3680_full(void **state)
{
	struct reginfo *ri = malloc(sizeof(*ri));
	char why[160];

	(void)state;
	assert_int_equal(parse(rfc_full, ri, why), 0);
	assert_int_equal(ri->version, 0);
	assert_true(ri->full);
	assert_int_equal(ri->n_regs, 1);
	assert_string_equal(ri->regs[0].aor, "sip:user@example.com");
	assert_string_equal(ri->regs[0].id, "as9");
	assert_int_equal(ri->regs[0].state, REGINFO_REG_ACTIVE);
	assert_int_equal(ri->regs[0].n_contacts, 2);
	assert_string_equal(ri->regs[0].contacts[0].uri, "sip:user@pc887.example.com");
	assert_int_equal(ri->regs[0].contacts[0].state, REGINFO_CONTACT_ACTIVE);
	assert_int_equal(ri->regs[0].contacts[0].event, REGINFO_EV_REGISTERED);
	assert_int_equal(ri->regs[0].contacts[0].expires, -1);
	assert_string_equal(ri->regs[0].contacts[1].uri, "sip:user@university.edu");
	assert_int_equal(ri->regs[0].contacts[1].state, REGINFO_CONTACT_TERMINATED);
	assert_int_equal(ri->regs[0].contacts[1].event, REGINFO_EV_EXPIRED);
	assert_string_equal(reginfo_event_name(ri->regs[0].contacts[1].event), "expired");
	free(ri);
}

static void rfc3680_partial(void **state)
{
	struct reginfo *ri = malloc(sizeof(*ri));
	char why[160];

	(void)state;
	assert_int_equal(parse(rfc_partial, ri, why), 0);
	assert_int_equal(ri->version, 1);
	assert_false(ri->full);
	assert_int_equal(ri->regs[0].n_contacts, 1);
	assert_string_equal(ri->regs[0].contacts[0].id, "78");
	free(ri);
}

/* TS 24.229 style: prefixed namespace, expires/retry-after, extension elements skipped. */
static void prefixed_and_attributes(void **state)
{
	static const char doc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<r:reginfo xmlns:r=\"urn:ietf:params:xml:ns:reginfo\" xmlns:g=\"urn:x\" "
		"version=\"7\" state=\"partial\">"
		"<r:registration aor=\"sip:alice@ims.example.net\" id=\"a\" state=\"terminated\">"
		"<r:contact id=\"1\" state=\"terminated\" event=\"probation\" retry-after=\"30\">"
		"<r:uri> sip:127.0.0.1:5062;transport=tcp </r:uri>"
		"<r:display-name>x</r:display-name><g:pub-gruu uri=\"sip:x\"/>"
		"</r:contact>"
		"<r:contact id=\"2\" state=\"active\" event=\"shortened\" expires=\"5\">"
		"<r:uri>sip:[2001:db8::1]:5060</r:uri></r:contact>"
		"</r:registration></r:reginfo>";
	struct reginfo *ri = malloc(sizeof(*ri));
	char why[160];

	(void)state;
	assert_int_equal(parse(doc, ri, why), 0);
	assert_int_equal(ri->version, 7);
	assert_int_equal(ri->regs[0].state, REGINFO_REG_TERMINATED);
	assert_string_equal(ri->regs[0].contacts[0].uri, "sip:127.0.0.1:5062;transport=tcp");
	assert_int_equal(ri->regs[0].contacts[0].event, REGINFO_EV_PROBATION);
	assert_int_equal(ri->regs[0].contacts[0].retry_after, 30);
	assert_int_equal(ri->regs[0].contacts[1].expires, 5);
	assert_true(reginfo_contact_is(ri->regs[0].contacts[0].uri, "127.0.0.1", 5062));
	assert_false(reginfo_contact_is(ri->regs[0].contacts[0].uri, "127.0.0.1", 5060));
	assert_true(reginfo_contact_is(ri->regs[0].contacts[1].uri, "2001:db8::1", 5060));
	assert_true(reginfo_contact_is("<sip:u@10.0.0.1>", "10.0.0.1", 5060));
	assert_true(reginfo_same_aor("<sip:alice@IMS.example.net>", ri->regs[0].aor));
	assert_false(reginfo_same_aor("sip:bob@ims.example.net", ri->regs[0].aor));
	free(ri);
}

static void expect_refused(const char *doc, size_t len, int rc, const char *why_part)
{
	struct reginfo *ri = malloc(sizeof(*ri));
	char why[160];

	assert_int_equal(reginfo_parse(doc, len, ri, why, sizeof(why)), rc);
	if (!strstr(why, why_part))
		fail_msg("why \"%s\" does not mention \"%s\"", why, why_part);
	assert_int_equal(ri->n_regs, 0);
	free(ri);
}

static void malformed(void **state)
{
	static const char *const docs[][2] = {
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">",
		  "not well-formed" },
		{ "", "not well-formed" },
		{ "<reginfo version=\"0\" state=\"full\"/>", "root element" },
		{ "<x xmlns=\"urn:ietf:params:xml:ns:reginfo\"/>", "root element" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" state=\"full\"/>", "version" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"-1\" state=\"full\"/>",
		  "version" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"half\"/>",
		  "state" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		  "<registration aor=\"sip:a@b\" id=\"1\" state=\"dancing\"/></reginfo>", "registration" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		  "<registration aor=\"sip:a@b\" id=\"1\" state=\"active\"><contact id=\"1\" "
		  "state=\"active\" event=\"exploded\"><uri>sip:a@b</uri></contact></registration>"
		  "</reginfo>", "contact" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		  "<registration aor=\"sip:a@b\" id=\"1\" state=\"active\"><contact id=\"1\" "
		  "state=\"active\" event=\"registered\" expires=\"9x\"><uri>sip:a@b</uri></contact>"
		  "</registration></reginfo>", "expires" },
		{ "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		  "<registration aor=\"sip:a@b\" id=\"1\" state=\"active\"><contact id=\"1\" "
		  "state=\"active\" event=\"registered\"></contact></registration></reginfo>",
		  "without a uri" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		expect_refused(docs[i][0], strlen(docs[i][0]), -EBADMSG, docs[i][1]);
}

static void entities_refused(void **state)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n<!ENTITY a \"aaaaaaaaaa\">\n"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
		"<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
		"<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n]>\n"
		"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		"<registration aor=\"sip:a@b\" id=\"1\" state=\"active\"><contact id=\"1\" "
		"state=\"active\" event=\"registered\"><uri>&d;</uri></contact></registration>"
		"</reginfo>";
	static const char external[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"file:///etc/passwd\">\n"
		"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\"/>";
	static const char ext_entity[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
		"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		"&x;</reginfo>";
	static const char undeclared[] =
		"<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" state=\"full\">"
		"<registration aor=\"sip:a@b\" id=\"1\" state=\"active\"><contact id=\"1\" "
		"state=\"active\" event=\"registered\"><uri>&x;</uri></contact></registration>"
		"</reginfo>";

	(void)state;
	expect_refused(laughs, strlen(laughs), -EBADMSG, "DOCTYPE");
	expect_refused(external, strlen(external), -EBADMSG, "DOCTYPE");
	expect_refused(ext_entity, strlen(ext_entity), -EBADMSG, "DOCTYPE");
	expect_refused(undeclared, strlen(undeclared), -EBADMSG, "not well-formed");
}

static void limits(void **state)
{
	size_t big = REGINFO_MAX_BYTES + 1, n;
	char *doc = malloc(big + 1);
	char *p;

	(void)state;
	memset(doc, ' ', big);
	doc[big] = '\0';
	expect_refused(doc, big, -E2BIG, "limit");

	/* nine registrations: more than kept */
	p = doc;
	p += sprintf(p, "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" "
			"state=\"full\">");
	for (int i = 0; i < REGINFO_REGS_MAX + 1; i++)
		p += sprintf(p, "<registration aor=\"sip:a%d@b\" id=\"%d\" state=\"init\"/>", i, i);
	p += sprintf(p, "</reginfo>");
	expect_refused(doc, (size_t)(p - doc), -E2BIG, "registrations");

	/* nesting */
	p = doc;
	p += sprintf(p, "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" "
			"state=\"full\">");
	for (int i = 0; i < 40; i++)
		p += sprintf(p, "<x>");
	for (int i = 0; i < 40; i++)
		p += sprintf(p, "</x>");
	p += sprintf(p, "</reginfo>");
	expect_refused(doc, (size_t)(p - doc), -EBADMSG, "deeply");

	/* an over-long uri */
	p = doc;
	p += sprintf(p, "<reginfo xmlns=\"urn:ietf:params:xml:ns:reginfo\" version=\"0\" "
			"state=\"full\"><registration aor=\"sip:a@b\" id=\"1\" state=\"active\">"
			"<contact id=\"1\" state=\"active\" event=\"registered\"><uri>sip:");
	for (n = 0; n < 300; n++)
		*p++ = 'a';
	p += sprintf(p, "</uri></contact></registration></reginfo>");
	expect_refused(doc, (size_t)(p - doc), -EBADMSG, "too long");
	free(doc);
}

static const char notify[] =
	"NOTIFY sip:127.0.0.1:5062 SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
	"o: reg;id=7\r\n"
	"Subscription-State: terminated ;reason=probation; retry-after=20\r\n"
	"Expires:  600 \r\n"
	"Content-Length: 0\r\n\r\n"
	"Event: not-a-header\r\n";

static void headers_and_state(void **state)
{
	struct sip_sub_state st;
	char v[64];

	(void)state;
	assert_int_equal(sip_sub_header(notify, strlen(notify), "Event", 'o', v, sizeof(v)), 8);
	assert_string_equal(v, "reg;id=7");
	assert_true(sip_sub_event_is(v, "reg"));
	assert_false(sip_sub_event_is("presence", "reg"));
	assert_false(sip_sub_event_is("regx", "reg"));
	assert_int_equal(sip_sub_header(notify, strlen(notify), "Expires", 0, v, sizeof(v)), 3);
	assert_int_equal(sip_sub_number(v), 600);
	assert_int_equal(sip_sub_header(notify, strlen(notify), "Accept", 0, v, sizeof(v)),
			 -ENOENT);
	assert_int_equal(sip_sub_header(notify, strlen(notify), "Subscription-State", 0, v, 8),
			 -EMSGSIZE);
	assert_true(sip_sub_header(notify, strlen(notify), "Subscription-State", 0, v,
				   sizeof(v)) > 0);
	assert_int_equal(sip_sub_parse_state(v, &st), 0);
	assert_int_equal(st.state, SIP_SUB_TERMINATED);
	assert_string_equal(st.reason, "probation");
	assert_int_equal(st.retry_after, 20);
	assert_int_equal(sip_sub_parse_state("active;expires=3600", &st), 0);
	assert_int_equal(st.state, SIP_SUB_ACTIVE);
	assert_int_equal(st.expires, 3600);
	assert_int_equal(sip_sub_parse_state("active;expires=many", &st), -EBADMSG);
	assert_int_equal(sip_sub_parse_state("sleepy", &st), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc3680_full),
		cmocka_unit_test(rfc3680_partial),
		cmocka_unit_test(prefixed_and_attributes),
		cmocka_unit_test(malformed),
		cmocka_unit_test(entities_refused),
		cmocka_unit_test(limits),
		cmocka_unit_test(headers_and_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
