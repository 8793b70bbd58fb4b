/* SIP messages of calls: parsing, building and failure mapping (sip_msg.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sip/sip_msg.h"

/* as JsSIP 3.13 sends it over the WebSocket (SDP shortened) */
static const char app_invite[] =
	"INVITE sip:bob@ims.example.net SIP/2.0\r\n"
	"Via: SIP/2.0/WS 3b7m2d1q8k4v.invalid;branch=z9hG4bK4180093\r\n"
	"Max-Forwards: 69\r\n"
	"To: <sip:bob@ims.example.net>\r\n"
	"From: \"Alice\" <sip:alice@ims.example.net>;tag=0c2a9bq6hv\r\n"
	"Call-ID: 5vmmq3tfeo1t7bq1j0ev\r\n"
	"CSeq: 1234 INVITE\r\n"
	"Contact: <sip:k1c8b2s3@3b7m2d1q8k4v.invalid;transport=ws;ob>\r\n"
	"Content-Type: application/sdp\r\n"
	"Session-Expires: 90;refresher=uac\r\n"
	"Require: timer\r\n"
	"Allow: INVITE,ACK,CANCEL,BYE,UPDATE,MESSAGE,OPTIONS,REFER,INFO,NOTIFY\r\n"
	"Supported: timer,ice,replaces,outbound\r\n"
	"User-Agent: JsSIP 3.13.8\r\n"
	"Content-Length: 13\r\n"
	"\r\n"
	"v=0\r\no=- 1 1\r\n";

/* as Kamailio relays baresip's answer (record-routed) */
static const char ims_200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 198.51.100.1:40123;rport=40123;branch=z9hG4bKaa11\r\n"
	"Record-Route: <sip:198.51.100.10;lr>\r\n"
	"Record-Route: <sip:p2.example.net;lr>\r\n"
	"From: <sip:alice@ims.example.net>;tag=f1\r\n"
	"To: <sip:bob@ims.example.net>;tag=t2\r\n"
	"Call-ID: nwit-0011\r\n"
	"CSeq: 1 INVITE\r\n"
	"Contact: <sip:bob-0x5@198.51.100.10:5070>\r\n"
	"Warning: 399 bob \"just testing\"\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 6\r\n"
	"\r\n"
	"v=0\r\nEXTRA";

static void parse_app_invite(void **state)
{
	struct sip_msg m;
	char why[160];

	(void)state;
	assert_int_equal(sip_msg_parse(app_invite, strlen(app_invite), &m, why, sizeof(why)), 0);
	assert_true(m.is_request);
	assert_string_equal(m.method, "INVITE");
	assert_string_equal(m.ruri, "sip:bob@ims.example.net");
	assert_string_equal(m.call_id, "5vmmq3tfeo1t7bq1j0ev");
	assert_string_equal(m.from_tag, "0c2a9bq6hv");
	assert_string_equal(m.to_tag, "");
	assert_string_equal(m.from_uri, "sip:alice@ims.example.net");
	assert_string_equal(m.from_display, "\"Alice\"");
	assert_int_equal(m.cseq, 1234);
	assert_string_equal(m.branch, "z9hG4bK4180093");
	assert_int_equal(m.n_vias, 1);
	assert_string_equal(m.contact_uri, "sip:k1c8b2s3@3b7m2d1q8k4v.invalid;transport=ws;ob");
	assert_string_equal(m.ctype, "application/sdp");
	assert_string_equal(m.ctype_full, "application/sdp");
	assert_int_equal(m.session_expires, 90);
	assert_string_equal(m.se_refresher, "uac");
	assert_string_equal(m.require, "timer");
	assert_int_equal(m.body_len, 13);
	assert_memory_equal(m.body, "v=0\r\no=- 1 1\r\n", 13);
}

static void parse_ims_200(void **state)
{
	struct sip_msg m;
	char why[160];

	(void)state;
	assert_int_equal(sip_msg_parse(ims_200, strlen(ims_200), &m, why, sizeof(why)), 0);
	assert_false(m.is_request);
	assert_int_equal(m.status, 200);
	assert_string_equal(m.method, "INVITE");	/* from CSeq */
	assert_string_equal(m.to_tag, "t2");
	assert_int_equal(m.n_rr, 2);
	assert_string_equal(m.rr[0], "<sip:198.51.100.10;lr>");
	assert_string_equal(m.rr[1], "<sip:p2.example.net;lr>");
	assert_string_equal(m.contact_uri, "sip:bob-0x5@198.51.100.10:5070");
	assert_string_equal(m.warning, "399 bob \"just testing\"");
	/* Content-Length bounds the body: the trailing bytes are not SDP */
	assert_int_equal(m.body_len, 6);
	assert_int_equal(m.session_expires, -1);
	assert_string_equal(m.se_refresher, "");
	assert_string_equal(m.require, "");
}

static void refuse_malformed(void **state)
{
	static const char *const bad[] = {
		"garbage",
		/* no Call-ID */
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
		/* CSeq method differs */
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n",
		/* no branch */
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nFrom: <sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
		/* Content-Length beyond the datagram */
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 2 BYE\r\nContent-Length: 50\r\n\r\nshort",
		/* CSeq not a number */
		"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n"
		"To: <sip:c@d>\r\nCall-ID: x\r\nCSeq: 99999999999 BYE\r\nContent-Length: 0\r\n\r\n",
	};
	struct sip_msg m;
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(sip_msg_parse(bad[i], strlen(bad[i]), &m, why, sizeof(why)), -EBADMSG);
		assert_true(why[0] != '\0');
	}
	/* a NUL byte inside */
	assert_int_equal(sip_msg_parse("INVITE\0x", 8, &m, why, sizeof(why)), -EBADMSG);
	/* nine Vias */
	{
		char buf[4096];
		size_t n = (size_t)snprintf(buf, sizeof(buf), "BYE sip:a@b SIP/2.0\r\n");

		for (int i = 0; i < 9; i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "Via: SIP/2.0/UDP h%d;branch=z9hG4bK%d\r\n", i, i);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: x\r\n"
				      "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n");
		assert_int_equal(sip_msg_parse(buf, n, &m, why, sizeof(why)), -EBADMSG);
		assert_non_null(strstr(why, "Vias"));
	}
}

static void build_response(void **state)
{
	struct sip_msg req, resp;
	char out[4096], why[160];
	int n;

	(void)state;
	assert_int_equal(sip_msg_parse(app_invite, strlen(app_invite), &req, why, sizeof(why)), 0);
	n = sip_msg_build_response(&req, 200, NULL, "ourtag", "<sip:nwitd@192.0.2.1:8461;transport=ws>",
				   "Allow: INVITE\r\n", "application/sdp", "v=0\r\n", 5, out,
				   sizeof(out));
	assert_true(n > 0);
	assert_int_equal(sip_msg_parse(out, (size_t)n, &resp, why, sizeof(why)), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.reason, "OK");
	assert_string_equal(resp.to_tag, "ourtag");
	assert_string_equal(resp.from_tag, "0c2a9bq6hv");
	assert_string_equal(resp.call_id, req.call_id);
	assert_int_equal(resp.cseq, 1234);
	assert_string_equal(resp.branch, req.branch);
	assert_string_equal(resp.contact_uri, "sip:nwitd@192.0.2.1:8461;transport=ws");
	assert_int_equal(resp.body_len, 5);
	/* 100 Trying carries no To tag (RFC 3261 8.2.6.2) */
	n = sip_msg_build_response(&req, 100, NULL, "ourtag", NULL, NULL, NULL, NULL, 0, out,
				   sizeof(out));
	assert_int_equal(sip_msg_parse(out, (size_t)n, &resp, why, sizeof(why)), 0);
	assert_string_equal(resp.to_tag, "");
	/* too small a buffer */
	assert_int_equal(sip_msg_build_response(&req, 200, NULL, "t", NULL, NULL, NULL, NULL, 0, out,
						64), -EMSGSIZE);
}

static void build_request(void **state)
{
	const char *routes[] = { "<sip:orig@198.51.100.10:5060;lr>" };
	struct sip_req_spec r = {
		.method = "INVITE", .ruri = "sip:bob@ims.example.net",
		.via = "SIP/2.0/UDP 198.51.100.1:40000;branch=z9hG4bKxyz;rport",
		.n_routes = 1, .routes = routes,
		.from = "<sip:alice@ims.example.net>;tag=a1", .to = "<sip:bob@ims.example.net>",
		.call_id = "nwit-1", .cseq = 1, .contact = "<sip:198.51.100.1:40000>",
		.extra = "P-Preferred-Identity: <sip:alice@ims.example.net>\r\n",
		.ctype = "application/sdp", .body = "v=0\r\n", .body_len = 5,
	};
	struct sip_msg m;
	char out[4096], why[160];
	int n = sip_msg_build_request(&r, out, sizeof(out));

	(void)state;
	assert_true(n > 0);
	assert_non_null(strstr(out, "Route: <sip:orig@198.51.100.10:5060;lr>\r\n"));
	assert_non_null(strstr(out, "P-Preferred-Identity: <sip:alice@ims.example.net>\r\n"));
	assert_non_null(strstr(out, "Content-Length: 5\r\n\r\nv=0\r\n"));
	assert_int_equal(sip_msg_parse(out, (size_t)n, &m, why, sizeof(why)), 0);
	assert_string_equal(m.method, "INVITE");
	assert_string_equal(m.branch, "z9hG4bKxyz");
	/* CANCEL and ACK keep the INVITE's CSeq number with their own method */
	r.method = "ACK";
	r.body = NULL;
	n = sip_msg_build_request(&r, out, sizeof(out));
	assert_int_equal(sip_msg_parse(out, (size_t)n, &m, why, sizeof(why)), 0);
	assert_string_equal(m.method, "ACK");
	assert_int_equal(m.cseq, 1);
	assert_int_equal(sip_msg_build_request(&r, out, 32), -EMSGSIZE);
}

static void failure_mapping(void **state)
{
	(void)state;
	assert_int_equal(sip_msg_map_failure(486), 486);
	assert_int_equal(sip_msg_map_failure(488), 488);
	assert_int_equal(sip_msg_map_failure(407), 403);	/* the app cannot answer it */
	assert_int_equal(sip_msg_map_failure(401), 403);
	assert_int_equal(sip_msg_map_failure(499), 400);	/* unknown: x00 of the class */
	assert_int_equal(sip_msg_map_failure(580), 500);
	assert_int_equal(sip_msg_map_failure(699), 600);
	assert_int_equal(sip_msg_map_failure(200), 500);	/* not a failure at all */
	assert_string_equal(sip_msg_reason(487), "Request Terminated");
}

/* A MESSAGE's Content-Type with its parameters (pager.c checks the charset). */
static void content_type_parameters(void **state)
{
	static const char msg[] =
		"MESSAGE sip:alice@ims.example.net SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bK1\r\n"
		"From: <sip:bob@ims.example.net>;tag=1\r\nTo: <sip:alice@ims.example.net>\r\n"
		"Call-ID: m1\r\nCSeq: 7 MESSAGE\r\n"
		"Content-Type: text/plain;charset=ISO-8859-1\r\nContent-Length: 2\r\n\r\nhi";
	struct sip_msg m;
	char why[160], big[600];
	int n;

	(void)state;
	assert_int_equal(sip_msg_parse(msg, strlen(msg), &m, why, sizeof(why)), 0);
	assert_string_equal(m.ctype, "text/plain");
	assert_string_equal(m.ctype_full, "text/plain; charset=ISO-8859-1");
	/* a value too long for the field: none rather than a cut one */
	n = snprintf(big, sizeof(big), "%.*s", (int)(strstr(msg, "ISO") - msg), msg);
	n += snprintf(big + n, sizeof(big) - (size_t)n, "%0150d\r\nContent-Length: 2\r\n\r\nhi", 0);
	assert_int_equal(sip_msg_parse(big, (size_t)n, &m, why, sizeof(why)), 0);
	assert_string_equal(m.ctype, "text/plain");
	assert_string_equal(m.ctype_full, "");
}

static void randoms(void **state)
{
	char a[40], b[40];

	(void)state;
	sip_msg_random(a, sizeof(a), "z9hG4bK");
	sip_msg_random(b, sizeof(b), "z9hG4bK");
	assert_int_equal(strlen(a), 7 + 16);
	assert_string_not_equal(a, b);
	sip_msg_random(a, 5, NULL);
	assert_int_equal(strlen(a), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_app_invite),
		cmocka_unit_test(parse_ims_200),
		cmocka_unit_test(refuse_malformed),
		cmocka_unit_test(build_response),
		cmocka_unit_test(build_request),
		cmocka_unit_test(failure_mapping),
		cmocka_unit_test(content_type_parameters),
		cmocka_unit_test(randoms),
	};

	return cmocka_run_group_tests_name("sip_msg", tests, NULL, NULL);
}
