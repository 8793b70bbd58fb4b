/*
 * The MSRP bridge between a data channel (RFC 8873) and a TCP session toward IMS, fed
 * with frames written by hand: a browser SEND is answered 200 on the data channel and
 * goes to IMS with IMS-side paths, a new transaction id, the same Message-ID and data
 * cut into chunks of the IMS chunk size with their Byte-Ranges; an IMS chunk larger
 * than the browser's max-message-size reaches the browser in pieces that each fit; a
 * success REPORT passes through with its paths rewritten; an error response to a
 * forwarded chunk becomes a failure REPORT to the sender; wrong To-Path, wrong
 * From-Path, two frames in one message, a bad Byte-Range and unknown methods are
 * refused with 481/400/423/501 and counted; when one side is lost mid-transfer, each
 * message with unanswered chunks toward it gets one 408 failure REPORT.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/counters.h"
#include "msrp/msrp_bridge.h"

#define BROWSER "msrp://browser.invalid/b1;dc"
#define GW_DC "msrp://gw.invalid/g1;dc"
#define GW_IMS "msrp://192.0.2.1:2855/g2;tcp"
#define RELAY "msrp://198.51.100.1:2855/r9;tcp"
#define IMS_PEER "msrp://203.0.113.5:4001/p7;tcp"

struct sent {
	enum msrp_bridge_side to;
	uint8_t *data;
	size_t len;
};

static struct sent out[512];
static unsigned n_out;
static struct msrp_limits lim;

static void on_send(void *arg, enum msrp_bridge_side to, const uint8_t *frame, size_t len)
{
	assert_true(n_out < 512);
	out[n_out].to = to;
	out[n_out].data = malloc(len + 1);
	memcpy(out[n_out].data, frame, len);
	out[n_out].data[len] = 0;
	out[n_out].len = len;
	n_out++;
}

static void clear(void)
{
	for (unsigned i = 0; i < n_out; i++)
		free(out[i].data);
	n_out = 0;
}

static struct msrp_bridge *bridge(size_t dc_max_frame, size_t ims_chunk)
{
	static const struct msrp_bridge_out o = { on_send };
	struct msrp_bridge_config c = { 0 };
	struct msrp_bridge *b;

	msrp_limits_default(&lim);
	c.lim = lim;
	assert_int_equal(msrp_uri_parse(GW_DC, strlen(GW_DC), &c.local[MSRP_SIDE_DC]), 0);
	assert_int_equal(msrp_uri_parse(GW_IMS, strlen(GW_IMS), &c.local[MSRP_SIDE_IMS]), 0);
	assert_int_equal(msrp_path_parse(BROWSER, strlen(BROWSER), &c.peer[MSRP_SIDE_DC]), 0);
	assert_int_equal(msrp_path_parse(RELAY " " IMS_PEER, strlen(RELAY " " IMS_PEER),
					 &c.peer[MSRP_SIDE_IMS]),
			 0);
	c.max_frame[MSRP_SIDE_DC] = dc_max_frame;
	c.max_chunk[MSRP_SIDE_IMS] = ims_chunk;
	b = msrp_bridge_new(&c, &o, NULL);
	assert_non_null(b);
	return b;
}

static void parse_out(unsigned i, struct msrp_frame *f)
{
	char err[160];

	assert_int_equal(msrp_parse(out[i].data, out[i].len, true, &lim, f, NULL, err, sizeof(err)),
			 (int)out[i].len);
}

static char *frame(const char *tid, const char *to, const char *from, const char *headers,
		   const char *body, char cont)
{
	static char buf[300000];

	if (body)
		snprintf(buf, sizeof(buf),
			 "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: %s\r\n%s"
			 "Content-Type: text/plain\r\n\r\n%s\r\n-------%s%c\r\n",
			 tid, to, from, headers, body, tid, cont);
	else /* tid is "<tid> <METHOD>" */
		snprintf(buf, sizeof(buf),
			 "MSRP %s\r\nTo-Path: %s\r\nFrom-Path: %s\r\n%s-------%.*s%c\r\n", tid, to,
			 from, headers, (int)strcspn(tid, " "), tid, cont);
	return buf;
}

static int input(struct msrp_bridge *b, enum msrp_bridge_side from, const char *s)
{
	char err[160];

	return msrp_bridge_input(b, from, (const uint8_t *)s, strlen(s), err, sizeof(err));
}

static void browser_to_ims(void **state)
{
	struct msrp_bridge *b = bridge(65536, 10);
	struct msrp_frame f;
	char body[26] = "abcdefghijklmnopqrstuvwxy";
	const char *s = frame("t1browser", GW_DC, BROWSER,
			      "Message-ID: m1file\r\nByte-Range: 1-25/25\r\nSuccess-Report: yes\r\n",
			      body, '$');
	char joined[32] = "";
	char first_tid[MSRP_IDENT_MAX + 1];

	(void)state;
	assert_int_equal(input(b, MSRP_SIDE_DC, s), 0);
	/* three chunks of at most 10 bytes to IMS, then the 200 on the data channel */
	assert_int_equal(n_out, 4);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(out[i].to, MSRP_SIDE_IMS);
		parse_out(i, &f);
		assert_int_equal(f.method, MSRP_SEND);
		assert_string_not_equal(f.tid, "t1browser");
		assert_int_equal(f.to.n, 2);
		assert_string_equal(f.to.uri[0].host, "198.51.100.1");
		assert_string_equal(f.to.uri[1].session, "p7");
		assert_int_equal(f.from.n, 1);
		assert_string_equal(f.from.uri[0].session, "g2");
		assert_string_equal(f.message_id, "m1file");
		assert_int_equal(f.success_report, MSRP_REPORT_YES);
		assert_int_equal(f.range_start, 1 + 10 * i);
		assert_int_equal(f.range_end, i < 2 ? 10 * (i + 1) : 25);
		assert_int_equal(f.range_total, 25);
		assert_int_equal(f.cont, i < 2 ? '+' : '$');
		strncat(joined, (const char *)f.body, f.body_len);
		if (i == 0)
			strcpy(first_tid, f.tid);
	}
	assert_string_equal(joined, body);
	assert_int_equal(out[3].to, MSRP_SIDE_DC);
	assert_string_equal((char *)out[3].data, "MSRP t1browser 200 OK\r\n"
						 "To-Path: " BROWSER "\r\n"
						 "From-Path: " GW_DC "\r\n"
						 "-------t1browser$\r\n");
	clear();

	/* the IMS side's 200 for a chunk: nothing more; a 413: a failure REPORT */
	{
		char resp[512];

		snprintf(resp, sizeof(resp),
			 "MSRP %s 413 Too big\r\nTo-Path: %s\r\nFrom-Path: %s\r\n-------%s$\r\n",
			 first_tid, GW_IMS, RELAY, first_tid);
		assert_int_equal(input(b, MSRP_SIDE_IMS, resp), 0);
		assert_int_equal(n_out, 1);
		assert_int_equal(out[0].to, MSRP_SIDE_DC);
		parse_out(0, &f);
		assert_int_equal(f.method, MSRP_REPORT);
		assert_string_equal(f.message_id, "m1file");
		assert_int_equal(f.status_code, 413);
		assert_int_equal(f.range_start, 1);
		assert_int_equal(f.range_end, 10);
		assert_int_equal(f.range_total, 25);
		assert_string_equal(f.to.uri[0].session, "b1");
		assert_string_equal(f.from.uri[0].session, "g1");
		assert_int_equal(msrp_bridge_stats(b)->failure_reports, 1);
		clear();
		/* the same response again: already answered, ignored */
		assert_int_equal(input(b, MSRP_SIDE_IMS, resp), 0);
		assert_int_equal(n_out, 0);
	}
	msrp_bridge_free(b);
}

static void ims_to_browser(void **state)
{
	struct msrp_bridge *b = bridge(2000, 0);
	size_t total = 100000, got = 0;
	char *body = malloc(total + 1), *s, hdr[128];
	struct msrp_frame f;

	(void)state;
	for (size_t i = 0; i < total; i++)
		body[i] = (char)('a' + (i * 7) % 26);
	body[total] = 0;
	snprintf(hdr, sizeof(hdr), "Message-ID: imsmsg1\r\nByte-Range: 1-%zu/%zu\r\n", total, total);
	s = frame("t2ims", GW_IMS, RELAY " " IMS_PEER, hdr, body, '$');
	assert_int_equal(input(b, MSRP_SIDE_IMS, s), 0);
	/* pieces of at most 2000 bytes of frame each, in order, then the 200 to IMS */
	assert_true(n_out > 50);
	for (unsigned i = 0; i + 1 < n_out; i++) {
		assert_int_equal(out[i].to, MSRP_SIDE_DC);
		assert_true(out[i].len <= 2000);
		parse_out(i, &f);
		assert_int_equal(f.range_start, got + 1);
		assert_memory_equal(f.body, body + got, f.body_len);
		got += f.body_len;
		assert_int_equal(f.range_end, got);
		assert_int_equal(f.cont, got == total ? '$' : '+');
		assert_string_equal(f.to.uri[0].session, "b1");
	}
	assert_int_equal(got, total);
	assert_int_equal(out[n_out - 1].to, MSRP_SIDE_IMS);
	parse_out(n_out - 1, &f);
	assert_int_equal(f.status, 200);
	assert_string_equal(f.tid, "t2ims");
	assert_int_equal(f.to.n, 2); /* back along the From-Path, through the relay */
	clear();

	/* the browser's success REPORT goes to IMS with IMS-side paths */
	assert_int_equal(input(b, MSRP_SIDE_DC,
			       frame("rep1 REPORT", GW_DC, BROWSER,
				     "Message-ID: imsmsg1\r\nByte-Range: 1-100000/100000\r\n"
				     "Status: 000 200 OK\r\n",
				     NULL, '$')),
			 0);
	assert_int_equal(n_out, 1);
	assert_int_equal(out[0].to, MSRP_SIDE_IMS);
	parse_out(0, &f);
	assert_int_equal(f.method, MSRP_REPORT);
	assert_string_equal(f.message_id, "imsmsg1");
	assert_int_equal(f.status_code, 200);
	assert_int_equal(f.range_end, 100000);
	assert_string_equal(f.to.uri[1].session, "p7");
	clear();
	free(body);
	msrp_bridge_free(b);
}

static void side_lost(void **state)
{
	struct msrp_bridge *b = bridge(65536, 10);
	struct msrp_frame f;

	(void)state;
	/* two messages from the browser, 25 and 15 bytes: 3 + 2 chunks to IMS */
	assert_int_equal(input(b, MSRP_SIDE_DC,
			       frame("t5aa", GW_DC, BROWSER, "Message-ID: m5one\r\nByte-Range: 1-25/25\r\n",
				     "abcdefghijklmnopqrstuvwxy", '$')),
			 0);
	assert_int_equal(input(b, MSRP_SIDE_DC,
			       frame("t5ab", GW_DC, BROWSER,
				     "Message-ID: m5two\r\nByte-Range: 1-15/15\r\nFailure-Report: no\r\n",
				     "abcdefghijklmno", '$')),
			 0);
	clear();
	/* nothing is lost when the browser side goes: nothing went to it */
	assert_int_equal(msrp_bridge_side_lost(b, MSRP_SIDE_DC), 0);
	/* IMS goes: one 408 REPORT for m5one (all its chunks), none for m5two (Failure-Report: no) */
	assert_int_equal(msrp_bridge_side_lost(b, MSRP_SIDE_IMS), 1);
	assert_int_equal(n_out, 1);
	assert_int_equal(out[0].to, MSRP_SIDE_DC);
	parse_out(0, &f);
	assert_int_equal(f.method, MSRP_REPORT);
	assert_string_equal(f.message_id, "m5one");
	assert_int_equal(f.status_code, 408);
	assert_int_equal(f.range_start, 1);
	assert_int_equal(f.range_end, 25);
	assert_int_equal(f.range_total, 25);
	clear();
	/* and only once */
	assert_int_equal(msrp_bridge_side_lost(b, MSRP_SIDE_IMS), 0);
	msrp_bridge_free(b);
}

static void expect_refused(struct msrp_bridge *b, enum msrp_bridge_side from, const char *s,
			   int rc, const char *status_line)
{
	assert_int_equal(input(b, from, s), rc);
	if (status_line) {
		assert_int_equal(n_out, 1);
		assert_int_equal(out[0].to, from);
		assert_non_null(strstr((char *)out[0].data, status_line));
	} else {
		assert_int_equal(n_out, 0);
	}
	clear();
}

static void refused(void **state)
{
	struct msrp_bridge *b = bridge(65536, 0);
	char two[1024], *s;
	uint64_t wrong = counter_get(COUNTER_MSRP_WRONG_TO_PATH);

	(void)state;
	expect_refused(b, MSRP_SIDE_DC,
		       frame("t3aa", "msrp://gw.invalid/other;dc", BROWSER, "Message-ID: m3aa\r\n",
			     "x", '$'),
		       -ENOENT, "MSRP t3aa 481 ");
	expect_refused(b, MSRP_SIDE_DC,
		       frame("t3ab", GW_DC, "msrp://intruder.invalid/z;dc", "Message-ID: m3ab\r\n",
			     "x", '$'),
		       -ENOENT, "MSRP t3ab 481 ");
	/* a data channel frame for the IMS side's URI is not ours either */
	expect_refused(b, MSRP_SIDE_DC,
		       frame("t3ac", GW_IMS, BROWSER, "Message-ID: m3ac\r\n", "x", '$'), -ENOENT,
		       "MSRP t3ac 481 ");
	assert_int_equal(counter_get(COUNTER_MSRP_WRONG_TO_PATH), wrong + 3);
	expect_refused(b, MSRP_SIDE_DC,
		       frame("t3ad", GW_DC, BROWSER, "Message-ID: m3ad\r\nByte-Range: 1-9/3\r\n",
			     "xyz", '$'),
		       -ERANGE, "MSRP t3ad 423 ");
	expect_refused(b, MSRP_SIDE_DC, frame("t3ae FETCH", GW_DC, BROWSER, "", NULL, '$'),
		       -EOPNOTSUPP, "MSRP t3ae 501 ");
	s = frame("t3af", GW_DC, BROWSER, "Message-ID: m3af\r\n", "x", '$');
	assert_true(strlen(s) + 20 < sizeof(two));
	strcpy(two, s);
	strcat(two, "MSRP t3ag SEND\r\n");
	expect_refused(b, MSRP_SIDE_DC, two, -EBADMSG, "MSRP t3af 400 ");
	/* no end-line: no transaction to answer on a data channel message either */
	expect_refused(b, MSRP_SIDE_DC,
		       "MSRP t3ah SEND\r\nTo-Path: " GW_DC "\r\nFrom-Path: " BROWSER
		       "\r\nMessage-ID: m3ah\r\nContent-Type: text/plain\r\n\r\nabc",
		       -EBADMSG, "MSRP t3ah 400 ");
	expect_refused(b, MSRP_SIDE_DC, "garbage", -EBADMSG, NULL);
	/* Failure-Report: no gets no error response */
	expect_refused(b, MSRP_SIDE_DC,
		       frame("t3ai", "msrp://gw.invalid/other;dc", BROWSER,
			     "Message-ID: m3ai\r\nFailure-Report: no\r\n", "x", '$'),
		       -ENOENT, NULL);
	assert_int_equal(msrp_bridge_stats(b)->refused[MSRP_SIDE_DC], 9);
	assert_int_equal(msrp_bridge_stats(b)->forwarded[MSRP_SIDE_IMS], 0);
	msrp_bridge_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(browser_to_ims),
		cmocka_unit_test(ims_to_browser),
		cmocka_unit_test(side_lost),
		cmocka_unit_test(refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
