/*
 * MSRP (RFC 4975): the RFC's SEND / 200 / REPORT exchanges parse to the values written in
 * them and are rebuilt byte for byte; URIs (section 9 syntax, section 6.1 comparison);
 * byte ranges with '*'; end-lines with $ + #; streaming (a frame fed a byte at a time);
 * the errors (bad byte range, missing end-line, oversize chunk, bad URI) with their
 * counters; chunking a message and reassembling it by Message-ID and Byte-Range, with
 * the limits; transaction responses and REPORTs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "msrp/msrp.h"

/* RFC 4975 section 4 (Byte-Range written for the 23 bytes of the text) */
static const char rfc_send[] =
	"MSRP a786hjs2 SEND\r\n"
	"To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
	"From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
	"Message-ID: 87652491\r\n"
	"Byte-Range: 1-23/23\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"Hey Bob, are you there?\r\n"
	"-------a786hjs2$\r\n";

static const char rfc_ok[] =
	"MSRP a786hjs2 200 OK\r\n"
	"To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
	"From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
	"-------a786hjs2$\r\n";

/* RFC 4975 section 7.1.2 style REPORT */
static const char rfc_report[] =
	"MSRP dkei38sd REPORT\r\n"
	"To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
	"From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
	"Message-ID: 12339sdqwer\r\n"
	"Byte-Range: 1-106/106\r\n"
	"Status: 000 200 OK\r\n"
	"-------dkei38sd$\r\n";

/* a first chunk of unknown length, through a relay (RFC 4976 paths) */
static const char chunk_star[] =
	"MSRP d93kswow SEND\r\n"
	"To-Path: msrps://relay.example.net:9000;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
	"From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
	"Message-ID: 12339sdqwer\r\n"
	"Byte-Range: 1-*/*\r\n"
	"Success-Report: yes\r\n"
	"Failure-Report: partial\r\n"
	"Content-Type: text/plain\r\n"
	"\r\n"
	"Hi Bob, here it comes\r\n"
	"-------d93kswow+\r\n";

static struct msrp_limits lim;

static int setup(void **state)
{
	msrp_limits_default(&lim);
	counters_reset();
	return 0;
}

static int parse(const char *s, size_t len, bool eof, struct msrp_frame *f, enum msrp_error *why)
{
	char err[160];

	return msrp_parse((const uint8_t *)s, len, eof, &lim, f, why, err, sizeof(err));
}

static void test_rfc_send(void **state)
{
	struct msrp_frame f;
	uint8_t out[1024];
	int n;

	assert_int_equal(parse(rfc_send, strlen(rfc_send), true, &f, NULL), strlen(rfc_send));
	assert_true(f.is_request);
	assert_int_equal(f.method, MSRP_SEND);
	assert_string_equal(f.tid, "a786hjs2");
	assert_int_equal(f.to.n, 1);
	assert_false(f.to.uri[0].secure);
	assert_string_equal(f.to.uri[0].host, "biloxi.example.com");
	assert_int_equal(f.to.uri[0].port, 12763);
	assert_string_equal(f.to.uri[0].session, "kjhd37s2s20w2a");
	assert_string_equal(f.to.uri[0].transport, "tcp");
	assert_string_equal(f.from.uri[0].session, "jshA7weztas");
	assert_string_equal(f.message_id, "87652491");
	assert_true(f.has_byte_range);
	assert_int_equal(f.range_start, 1);
	assert_int_equal(f.range_end, 23);
	assert_int_equal(f.range_total, 23);
	assert_string_equal(f.content_type, "text/plain");
	assert_int_equal(f.body_len, 23);
	assert_memory_equal(f.body, "Hey Bob, are you there?", 23);
	assert_int_equal(f.cont, '$');
	n = msrp_build(&f, out, sizeof(out));
	assert_int_equal(n, strlen(rfc_send));
	assert_memory_equal(out, rfc_send, n);

	/* the 200 the RFC shows is the response we build */
	assert_true(msrp_wants_response(&f, 200));
	n = msrp_build_response(&f, 200, NULL, out, sizeof(out));
	assert_int_equal(n, strlen(rfc_ok));
	assert_memory_equal(out, rfc_ok, n);
}

static void test_rfc_response_and_report(void **state)
{
	struct msrp_frame f;
	uint8_t out[1024];
	int n;

	assert_int_equal(parse(rfc_ok, strlen(rfc_ok), true, &f, NULL), strlen(rfc_ok));
	assert_false(f.is_request);
	assert_int_equal(f.status, 200);
	assert_string_equal(f.comment, "OK");
	assert_int_equal(f.body_len, 0);

	assert_int_equal(parse(rfc_report, strlen(rfc_report), true, &f, NULL),
			 strlen(rfc_report));
	assert_int_equal(f.method, MSRP_REPORT);
	assert_true(f.has_status);
	assert_int_equal(f.status_code, 200);
	assert_string_equal(f.status_reason, "OK");
	assert_int_equal(f.range_end, 106);
	assert_false(msrp_wants_response(&f, 200)); /* REPORTs get no response */
	n = msrp_build(&f, out, sizeof(out));
	assert_int_equal(n, strlen(rfc_report));
	assert_memory_equal(out, rfc_report, n);
}

static void test_star_and_relay_path(void **state)
{
	struct msrp_frame f;
	uint8_t out[1024];
	int n;

	assert_int_equal(parse(chunk_star, strlen(chunk_star), false, &f, NULL),
			 strlen(chunk_star));
	assert_int_equal(f.to.n, 2);
	assert_true(f.to.uri[0].secure);
	assert_string_equal(f.to.uri[0].session, ""); /* a relay */
	assert_int_equal(f.to.uri[0].port, 9000);
	assert_int_equal(f.range_end, MSRP_RANGE_UNKNOWN);
	assert_int_equal(f.range_total, MSRP_RANGE_UNKNOWN);
	assert_int_equal(f.success_report, MSRP_REPORT_YES);
	assert_int_equal(f.failure_report, MSRP_REPORT_PARTIAL);
	assert_int_equal(f.cont, '+');
	assert_false(msrp_wants_response(&f, 200)); /* partial: failures only */
	assert_true(msrp_wants_response(&f, 413));
	n = msrp_build(&f, out, sizeof(out));
	assert_int_equal(n, strlen(chunk_star));
	assert_memory_equal(out, chunk_star, n);

	/* the response goes back along the whole From-Path, from the last To-Path hop */
	n = msrp_build_response(&f, 413, NULL, out, sizeof(out));
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(strstr((char *)out, "MSRP d93kswow 413 Message Too Large\r\n"
					    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
					    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
					    "-------d93kswow$\r\n"));
}

static void test_report_build(void **state)
{
	static const char want_tail[] =
		"To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
		"From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
		"Message-ID: 87652491\r\n"
		"Byte-Range: 1-23/23\r\n"
		"Status: 000 200 OK\r\n";
	struct msrp_frame f, r;
	uint8_t out[1024];
	int n;

	assert_true(parse(rfc_send, strlen(rfc_send), true, &f, NULL) > 0);
	n = msrp_build_report(&f, 23, 23, 200, NULL, out, sizeof(out));
	assert_true(n > 0);
	out[n] = 0;
	assert_memory_equal(out, "MSRP ", 5);
	assert_non_null(strstr((char *)out, " REPORT\r\n"));
	assert_non_null(strstr((char *)out, want_tail));
	assert_int_equal(parse((char *)out, (size_t)n, true, &r, NULL), n);
	assert_int_equal(r.method, MSRP_REPORT);
}

static void test_uri(void **state)
{
	struct msrp_uri a, b;
	char s[300];

	assert_int_equal(msrp_uri_parse("msrp://[2001:db8::1]:2855/abc+/=;tcp;x=y", 39, &a), 0);
	assert_string_equal(a.host, "[2001:db8::1]");
	assert_int_equal(a.port, 2855);
	assert_string_equal(a.session, "abc+/=");
	assert_int_equal(msrp_uri_parse("msrp://user@10.0.0.1:2855/s1;tcp", 32, &b), 0);
	assert_string_equal(b.host, "10.0.0.1");
	assert_int_equal(msrp_uri_format(&b, s, sizeof(s)), strlen("msrp://10.0.0.1:2855/s1;tcp"));
	assert_string_equal(s, "msrp://10.0.0.1:2855/s1;tcp");

	/* section 6.1: host any case, session exact */
	assert_int_equal(msrp_uri_parse("msrp://Bob.Example.com:8888/Si;TCP", 34, &a), 0);
	assert_int_equal(msrp_uri_parse("msrp://bob.example.com:8888/Si;tcp", 34, &b), 0);
	assert_true(msrp_uri_equal(&a, &b));
	assert_int_equal(msrp_uri_parse("msrp://bob.example.com:8888/si;tcp", 34, &b), 0);
	assert_false(msrp_uri_equal(&a, &b));
	assert_int_equal(msrp_uri_parse("msrp://bob.example.com:8889/Si;tcp", 34, &b), 0);
	assert_false(msrp_uri_equal(&a, &b));

	/* refused */
	const char *bad[] = {
		"sip://a.example.com:1/x;tcp",	 "msrp://a.example.com:1/x",
		"msrp://a.example.com:0/x;tcp",	 "msrp://a.example.com:65536/x;tcp",
		"msrp://:1/x;tcp",		 "msrp://a.example.com:1/;tcp",
		"msrp://a.example.com:1/x y;tcp", "msrp://[zz::1]:1/x;tcp",
		"msrp://a.example.com:1/x;",	 "msrp://a.example.com:1/x;t-p",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(msrp_uri_parse(bad[i], strlen(bad[i]), &a), -EINVAL);
}

static void test_streaming(void **state)
{
	struct msrp_frame f;
	char two[sizeof(rfc_send) + sizeof(rfc_ok)];

	/* every prefix needs more bytes; the whole frame parses */
	for (size_t i = 0; i < strlen(rfc_send); i++)
		assert_int_equal(parse(rfc_send, i, false, &f, NULL), 0);
	/* two frames back to back: the first one's length comes back */
	strcpy(two, rfc_send);
	strcat(two, rfc_ok);
	assert_int_equal(parse(two, strlen(two), false, &f, NULL), strlen(rfc_send));
	assert_int_equal(parse(two + strlen(rfc_send), strlen(rfc_ok), false, &f, NULL),
			 strlen(rfc_ok));
	assert_int_equal(f.status, 200);
}

static void test_dashes_in_data(void **state)
{
	static const char s[] = "MSRP abcd SEND\r\n"
				"To-Path: msrp://b.example.com:1/s;tcp\r\n"
				"From-Path: msrp://a.example.com:1/t;tcp\r\n"
				"Message-ID: mid1\r\n"
				"Content-Type: text/plain\r\n\r\n"
				"x\r\n-------abce$\r\n-------ab\r\n"
				"\r\n-------abcd$\r\n";
	struct msrp_frame f;

	assert_int_equal(parse(s, strlen(s), true, &f, NULL), strlen(s));
	assert_int_equal(f.body_len, strlen("x\r\n-------abce$\r\n-------ab\r\n"));
	assert_false(f.has_byte_range);
}

#define HDR "MSRP tid1 SEND\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\n" \
	    "From-Path: msrp://a.example.com:1/t;tcp\r\nMessage-ID: mid1\r\n"

static void expect_error(const char *s, bool eof, int rc, enum msrp_error why_want,
			 enum counter_id counter)
{
	struct msrp_frame f;
	enum msrp_error why;
	char err[160] = "";
	uint64_t before = counter_get(counter);

	assert_int_equal(msrp_parse((const uint8_t *)s, strlen(s), eof, &lim, &f, &why, err,
				    sizeof(err)),
			 rc);
	assert_int_equal(why, why_want);
	assert_true(err[0] != '\0');
	assert_int_equal(counter_get(counter), before + 1);
}

static void test_errors(void **state)
{
	/* bad byte ranges */
	expect_error(HDR "Byte-Range: 0-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------tid1$\r\n",
		     true, -ERANGE, MSRP_ERR_BYTE_RANGE, COUNTER_MSRP_BAD_BYTE_RANGE);
	expect_error(HDR "Byte-Range: 5-3/9\r\n-------tid1$\r\n", true, -ERANGE,
		     MSRP_ERR_BYTE_RANGE, COUNTER_MSRP_BAD_BYTE_RANGE);
	expect_error(HDR "Byte-Range: 1-10/5\r\n-------tid1$\r\n", true, -ERANGE,
		     MSRP_ERR_BYTE_RANGE, COUNTER_MSRP_BAD_BYTE_RANGE);
	expect_error(HDR "Byte-Range: 1-x/5\r\n-------tid1$\r\n", true, -ERANGE,
		     MSRP_ERR_BYTE_RANGE, COUNTER_MSRP_BAD_BYTE_RANGE);
	expect_error(HDR "Byte-Range: 1-4/4\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------tid1$\r\n",
		     true, -ERANGE, MSRP_ERR_BYTE_RANGE, COUNTER_MSRP_BAD_BYTE_RANGE);
	expect_error(HDR "Byte-Range: 3-*/4\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------tid1$\r\n",
		     true, -ERANGE, MSRP_ERR_BYTE_RANGE, COUNTER_MSRP_BAD_BYTE_RANGE);

	/* end-lines: missing at the end of the stream, a new frame before it, bad flag */
	expect_error(HDR "Content-Type: text/plain\r\n\r\nhello\r\n", true, -EBADMSG,
		     MSRP_ERR_END_LINE, COUNTER_MSRP_BAD_END_LINE);
	expect_error(HDR "MSRP tid2 SEND\r\n", false, -EBADMSG, MSRP_ERR_END_LINE,
		     COUNTER_MSRP_BAD_END_LINE);
	expect_error(HDR "Content-Type: text/plain\r\n\r\nhello\r\n-------tid1!\r\n", false,
		     -EBADMSG, MSRP_ERR_END_LINE, COUNTER_MSRP_BAD_END_LINE);
	expect_error(HDR "-------tid1*\r\n", false, -EBADMSG, MSRP_ERR_END_LINE,
		     COUNTER_MSRP_BAD_END_LINE);

	/* syntax */
	expect_error("HTTP/1.1 200 OK\r\n\r\n", false, -EBADMSG, MSRP_ERR_SYNTAX,
		     COUNTER_MSRP_MALFORMED);
	expect_error("MSRP t1 SEND\r\n", false, -EBADMSG, MSRP_ERR_SYNTAX, COUNTER_MSRP_MALFORMED);
	expect_error("MSRP tid1 send\r\n", false, -EBADMSG, MSRP_ERR_SYNTAX,
		     COUNTER_MSRP_MALFORMED);
	expect_error("MSRP tid1 SEND\r\nFrom-Path: msrp://a.example.com:1/t;tcp\r\n", false,
		     -EBADMSG, MSRP_ERR_SYNTAX, COUNTER_MSRP_MALFORMED);
	expect_error("MSRP tid1 SEND\r\nTo-Path: http://b/s;tcp\r\n", false, -EBADMSG,
		     MSRP_ERR_SYNTAX, COUNTER_MSRP_MALFORMED);
	expect_error("MSRP tid1 SEND\r\nTo-Path: msrp://b.example.com:1/s;tcp\r\n"
		     "From-Path: msrp://a.example.com:1/t;tcp\r\n-------tid1$\r\n",
		     true, -EBADMSG, MSRP_ERR_SYNTAX, COUNTER_MSRP_MALFORMED); /* no Message-ID */
	expect_error(HDR "\r\nhello\r\n-------tid1$\r\n", true, -EBADMSG, MSRP_ERR_SYNTAX,
		     COUNTER_MSRP_MALFORMED); /* data without Content-Type */
	expect_error(HDR "Status: 200 OK\r\n-------tid1$\r\n", true, -EBADMSG, MSRP_ERR_SYNTAX,
		     COUNTER_MSRP_MALFORMED);
	expect_error(HDR "Failure-Report: maybe\r\n-------tid1$\r\n", true, -EBADMSG,
		     MSRP_ERR_SYNTAX, COUNTER_MSRP_MALFORMED);
}

static void test_oversize(void **state)
{
	size_t n = lim.max_chunk + 200;
	char *s = malloc(n + 512), *big = malloc(lim.max_header + 512);

	assert_non_null(s);
	assert_non_null(big);
	/* chunk data over max_chunk, before its end-line arrives */
	strcpy(s, HDR "Content-Type: application/octet-stream\r\n\r\n");
	memset(s + strlen(s), 'A', n);
	s[strlen(HDR "Content-Type: application/octet-stream\r\n\r\n") + n] = '\0';
	expect_error(s, false, -EMSGSIZE, MSRP_ERR_OVERSIZE, COUNTER_MSRP_OVERSIZE);
	/* and with its end-line */
	strcat(s, "\r\n-------tid1$\r\n");
	expect_error(s, false, -EMSGSIZE, MSRP_ERR_OVERSIZE, COUNTER_MSRP_OVERSIZE);
	/* a header block that never ends */
	strcpy(big, HDR "X-Filler: ");
	memset(big + strlen(big), 'b', lim.max_header);
	big[strlen(HDR "X-Filler: ") + lim.max_header] = '\0';
	expect_error(big, false, -EMSGSIZE, MSRP_ERR_OVERSIZE, COUNTER_MSRP_OVERSIZE);
	free(s);
	free(big);
}

static void test_chunk_and_reassemble(void **state)
{
	struct msrp_frame tmpl = { 0 }, f;
	struct msrp_chunker c;
	struct msrp_message m;
	struct msrp_reasm *r;
	size_t total = 100000, cap = 40000, off = 0;
	uint8_t *data = malloc(total), *buf = malloc(cap);
	unsigned chunks = 0;
	uint64_t received;
	bool aborted;
	char err[160];
	int n, rc = 0;

	assert_non_null(data);
	for (size_t i = 0; i < total; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8));
	assert_int_equal(msrp_path_parse("msrp://b.example.com:2/s2;tcp", 29, &tmpl.to), 0);
	assert_int_equal(msrp_path_parse("msrp://a.example.com:1/s1;tcp", 29, &tmpl.from), 0);
	strcpy(tmpl.message_id, "file0001");
	strcpy(tmpl.content_type, "application/octet-stream");
	msrp_chunker_init(&c, &tmpl, data, total, 30000);
	r = msrp_reasm_new(&lim);
	assert_non_null(r);
	while ((n = msrp_chunker_next(&c, buf, cap)) > 0) {
		assert_int_equal(parse((char *)buf, (size_t)n, false, &f, NULL), n);
		chunks++;
		/* 30000 + 30000 + 30000 + 10000, each with its range, '+' then '$' */
		assert_int_equal(f.range_start, off + 1);
		assert_int_equal(f.range_end, off + (chunks < 4 ? 30000 : 10000));
		assert_int_equal(f.range_total, 100000);
		assert_int_equal(f.cont, chunks < 4 ? '+' : '$');
		off = f.range_end;
		rc = msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err));
		assert_int_equal(received, off);
		if (chunks == 2) /* a resent chunk is ignored */
			assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err,
							sizeof(err)), 0);
		assert_int_equal(rc, chunks < 4 ? 0 : 1);
	}
	assert_int_equal(n, 0);
	assert_int_equal(chunks, 4);
	assert_int_equal(m.len, total);
	assert_memory_equal(m.data, data, total);
	assert_string_equal(m.message_id, "file0001");
	assert_string_equal(m.content_type, "application/octet-stream");
	assert_int_equal(msrp_reasm_pending(r), 0);
	free(m.data);

	/* the chunker refuses a buffer that is too small */
	msrp_chunker_init(&c, &tmpl, data, total, 30000);
	assert_int_equal(msrp_chunker_next(&c, buf, 1000), -ENOSPC);
	msrp_reasm_free(r);
	free(data);
	free(buf);
}

static struct msrp_frame chunk(const char *mid, uint64_t start, const char *data, uint64_t total,
			       char cont)
{
	struct msrp_frame f = { .is_request = true, .method = MSRP_SEND };

	strcpy(f.message_id, mid);
	strcpy(f.content_type, "text/plain");
	f.has_byte_range = true;
	f.range_start = start;
	f.body = (const uint8_t *)data;
	f.body_len = strlen(data);
	f.range_end = start - 1 + f.body_len;
	f.range_total = total;
	f.cont = cont;
	return f;
}

static void test_reasm_limits(void **state)
{
	struct msrp_limits l = lim;
	struct msrp_reasm *r;
	struct msrp_message m;
	struct msrp_frame f;
	uint64_t received;
	bool aborted;
	char err[160];
	uint64_t before = counter_get(COUNTER_MSRP_REASSEMBLY_ERRORS);

	l.max_concurrent = 2;
	l.max_message = 10;
	r = msrp_reasm_new(&l);
	assert_non_null(r);
	f = chunk("m001", 1, "abc", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)), 0);
	f = chunk("m002", 1, "abc", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)), 0);
	/* a third message at once */
	f = chunk("m003", 1, "abc", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)),
			 -EUSERS);
	/* over max_message */
	f = chunk("m004", 1, "abc", 11, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)),
			 -EMSGSIZE);
	/* a gap drops the message */
	f = chunk("m001", 5, "ef", 6, '$');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)),
			 -ERANGE);
	assert_int_equal(msrp_reasm_pending(r), 1);
	/* different bytes over received ones */
	f = chunk("m002", 2, "xyz", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)),
			 -ERANGE);
	/* aborted with '#' */
	f = chunk("m005", 1, "abc", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)), 0);
	f = chunk("m005", 4, "d", 6, '#');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)), 0);
	assert_true(aborted);
	assert_int_equal(msrp_reasm_pending(r), 0);
	/* '$' with bytes missing */
	f = chunk("m006", 1, "abc", 6, '$');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)),
			 -ERANGE);
	/* a message that does not start at byte 1 */
	f = chunk("m007", 2, "abc", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)),
			 -ERANGE);
	assert_int_equal(counter_get(COUNTER_MSRP_REASSEMBLY_ERRORS), before + 6);
	/* overlapping same bytes, then complete */
	f = chunk("m008", 1, "abcd", 6, '+');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)), 0);
	f = chunk("m008", 3, "cdef", 6, '$');
	assert_int_equal(msrp_reasm_add(r, &f, &m, &aborted, &received, err, sizeof(err)), 1);
	assert_int_equal(m.len, 6);
	assert_memory_equal(m.data, "abcdef", 6);
	free(m.data);
	msrp_reasm_free(r); /* frees what is still pending */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rfc_send, setup),
		cmocka_unit_test_setup(test_rfc_response_and_report, setup),
		cmocka_unit_test_setup(test_star_and_relay_path, setup),
		cmocka_unit_test_setup(test_report_build, setup),
		cmocka_unit_test_setup(test_uri, setup),
		cmocka_unit_test_setup(test_streaming, setup),
		cmocka_unit_test_setup(test_dashes_in_data, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_oversize, setup),
		cmocka_unit_test_setup(test_chunk_and_reassemble, setup),
		cmocka_unit_test_setup(test_reasm_limits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
