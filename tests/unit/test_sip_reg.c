/* REGISTER building, stream framing and response parsing (sip_reg.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sip/sip_reg.h"

static const char ok_200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKabc;rport=40000;received=127.0.0.1\r\n"
	"From: <sip:alice@ims.example.net>;tag=1\r\n"
	"To: <sip:alice@ims.example.net>;tag=2\r\n"
	"Call-ID: reg-1@127.0.0.1\r\n"
	"CSeq: 7 REGISTER\r\n"
	"Contact: <sip:127.0.0.1:40001>;expires=99, <sip:127.0.0.1:40000>;expires=30\r\n"
	"Expires: 50\r\n"
	"Service-Route: <sip:orig@scscf.ims.example.net;lr>, <sip:x@y;lr>\r\n"
	"P-Associated-URI: <sip:alice@ims.example.net>, <tel:+15551234>\r\n"
	"P-Associated-URI: \"Alice, the UE\" <sip:a2@ims.example.net>\r\n"
	"Content-Length: 0\r\n\r\n";

static void build_and_parse_back(void **state)
{
	struct sip_reg_request r = {
		.transport = "UDP", .local_host = "::1", .local_port = 5062,
		.domain = "ims.example.net", .impu = "sip:alice@ims.example.net",
		.from_tag = "ft", .call_id = "cid@x", .cseq = 3, .branch = "z9hG4bKb1",
		.expires = 600000, .authorization = "Digest username=\"a\"",
	};
	char buf[2048];
	int n;

	(void)state;
	n = sip_reg_build(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_non_null(strstr(buf, "REGISTER sip:ims.example.net SIP/2.0\r\n"));
	assert_non_null(strstr(buf, "Via: SIP/2.0/UDP [::1]:5062;branch=z9hG4bKb1;rport\r\n"));
	assert_non_null(strstr(buf, "Contact: <sip:[::1]:5062>;expires=600000\r\n"));
	assert_non_null(strstr(buf, "Authorization: Digest username=\"a\"\r\n"));
	assert_int_equal(sip_frame_length(buf, (size_t)n), n);
	assert_int_equal(sip_reg_build(&r, buf, 100), -EMSGSIZE);
	r.transport = "TCP";
	r.authorization = NULL;
	r.local_host = "192.0.2.1";
	n = sip_reg_build(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Contact: <sip:192.0.2.1:5062;transport=tcp>;expires=600000"));
	assert_null(strstr(buf, "Authorization"));
}

static void framing(void **state)
{
	char two[512];
	size_t l1 = strlen(ok_200);

	(void)state;
	assert_int_equal(sip_frame_length(ok_200, l1), (long)l1);
	assert_int_equal(sip_frame_length(ok_200, l1 - 1), 0);
	assert_int_equal(sip_frame_length(ok_200, 10), 0);
	assert_int_equal(sip_frame_length("\r\n\r\n", 4), 4);	/* keep-alives */
	snprintf(two, sizeof(two), "SIP/2.0 200 OK\r\nl: 3\r\n\r\nabcSIP/2.0");
	assert_int_equal(sip_frame_length(two, strlen(two)), 27);
	assert_int_equal(sip_frame_length("SIP/2.0 200 OK\r\nX: 1\r\n\r\n", 24), -EBADMSG);
	assert_int_equal(sip_frame_length("SIP/2.0 200 OK\r\nContent-Length: 99999999\r\n\r\n",
					  44), -EBADMSG);
	assert_int_equal(sip_frame_length("SIP/2.0 200 OK\r\nl: 1\r\nl: 1\r\n\r\nx", 31), -EBADMSG);
}

static void parse_200(void **state)
{
	struct sip_reg_response r;
	char why[128];

	(void)state;
	assert_int_equal(sip_reg_parse_response(ok_200, strlen(ok_200), "127.0.0.1", 40000, &r,
						why, sizeof(why)), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.cseq, 7);
	assert_string_equal(r.branch, "z9hG4bKabc");
	assert_string_equal(r.call_id, "reg-1@127.0.0.1");
	assert_int_equal(r.expires, 30);
	assert_int_equal(r.n_routes, 2);
	assert_string_equal(r.routes[0], "<sip:orig@scscf.ims.example.net;lr>");
	assert_int_equal(r.n_uris, 3);
	assert_string_equal(r.uris[1], "<tel:+15551234>");
	assert_string_equal(r.uris[2], "\"Alice, the UE\" <sip:a2@ims.example.net>");
	/* not our contact: falls back to the Expires header */
	assert_int_equal(sip_reg_parse_response(ok_200, strlen(ok_200), "127.0.0.1", 5999, &r,
						why, sizeof(why)), 0);
	assert_int_equal(r.expires, 50);
}

static void parse_401_and_errors(void **state)
{
	static const char c401[] =
		"SIP/2.0 401 Unauthorized\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bKq\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
		"WWW-Authenticate: Digest realm=\"b\", nonce=\"xyz\", qop=\"auth\", algorithm=MD5\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char dup401[] =
		"SIP/2.0 401 Unauthorized\r\n"
		"Via: SIP/2.0/TCP 127.0.0.1:40000;branch=z9hG4bKq\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
		"WWW-Authenticate: Digest realm=\"b\", nonce=\"xyz\"\r\n"
		"WWW-Authenticate: Digest realm=\"b\", nonce=\"abc\"\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char absurd[] =
		"SIP/2.0 200 OK\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKq\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
		"Contact: <sip:127.0.0.1:40000>;expires=99999999999\r\n"
		"Content-Length: 0\r\n\r\n";
	static const char request[] =
		"OPTIONS sip:a@b SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bKq\r\n"
		"From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sip_reg_response r;
	char why[128];

	(void)state;
	assert_int_equal(sip_reg_parse_response(c401, strlen(c401), "127.0.0.1", 40000, &r, why,
						sizeof(why)), 0);
	assert_int_equal(r.status, 401);
	assert_int_equal(r.challenges, 1);
	assert_int_equal(r.challenge_rc, 0);
	assert_string_equal(r.challenge.nonce, "xyz");
	assert_true(r.challenge.qop_auth);

	assert_int_equal(sip_reg_parse_response(dup401, strlen(dup401), "127.0.0.1", 40000, &r,
						why, sizeof(why)), 0);
	assert_int_equal(r.challenges, 2);

	assert_int_equal(sip_reg_parse_response(absurd, strlen(absurd), "127.0.0.1", 40000, &r,
						why, sizeof(why)), -EBADMSG);
	assert_string_equal(why, "bad Contact expires value");
	assert_int_equal(sip_reg_parse_response(request, strlen(request), "127.0.0.1", 40000, &r,
						why, sizeof(why)), -EBADMSG);
	assert_int_equal(sip_reg_parse_response("garbage", 7, "127.0.0.1", 40000, &r, why,
						sizeof(why)), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_and_parse_back),
		cmocka_unit_test(framing),
		cmocka_unit_test(parse_200),
		cmocka_unit_test(parse_401_and_errors),
	};

	return cmocka_run_group_tests_name("sip_reg", tests, NULL, NULL);
}
