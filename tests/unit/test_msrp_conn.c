/*
 * One MSRP connection (msrp_conn) over a socketpair, the other end written and read by
 * hand: a chunked SEND is answered 200 per chunk and a success REPORT, and delivered
 * whole; bad Byte-Range (423), wrong To-Path (481), a chunk over the limit with and
 * without its end-line in the buffer (413) are answered and skipped, and the connection
 * still works; a new frame before the end-line, or the peer closing inside a frame,
 * closes it with a reason and a counter; a 100 kB message goes out in chunks within a
 * window of unanswered chunks, and its REPORT is reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "core/counters.h"
#include "msrp/msrp_conn.h"

#define ME "msrp://127.0.0.1:4002/sb;tcp"
#define PEER "msrp://127.0.0.1:4001/sa;tcp"

struct ctx {
	struct event_base *base;
	struct msrp_conn *c;
	int fd; /* our end */
	unsigned messages, sent_reports, closed;
	size_t last_len;
	uint8_t last[200000];
	unsigned last_status;
	char why[160];
	char rx[400000]; /* what the connection wrote */
	size_t rx_len;
};

static void on_message(void *arg, struct msrp_conn *c, const struct msrp_uri *s,
		       const struct msrp_message *m)
{
	struct ctx *x = arg;

	x->messages++;
	x->last_len = m->len < sizeof(x->last) ? m->len : sizeof(x->last);
	memcpy(x->last, m->data, x->last_len);
}

static void on_sent(void *arg, struct msrp_conn *c, const char *id, unsigned status)
{
	struct ctx *x = arg;

	x->sent_reports++;
	x->last_status = status;
}

static void on_closed(void *arg, struct msrp_conn *c, const char *why)
{
	struct ctx *x = arg;

	x->closed++;
	snprintf(x->why, sizeof(x->why), "%s", why);
}

static const struct msrp_conn_cbs cbs = { on_message, on_sent, NULL, on_closed };

static struct ctx *open_ctx(size_t max_chunk)
{
	struct ctx *x = calloc(1, sizeof(*x));
	struct msrp_limits lim;
	struct msrp_uri me;
	int sv[2];

	assert_non_null(x);
	msrp_limits_default(&lim);
	lim.max_chunk = max_chunk;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	x->fd = sv[1];
	x->base = event_base_new();
	x->c = msrp_conn_new(x->base, sv[0], &lim, &cbs, x);
	assert_non_null(x->c);
	assert_int_equal(msrp_uri_parse(ME, strlen(ME), &me), 0);
	assert_int_equal(msrp_conn_add_session(x->c, &me), 0);
	return x;
}

static void close_ctx(struct ctx *x)
{
	msrp_conn_free(x->c);
	close(x->fd);
	event_base_free(x->base);
	free(x);
}

/* Let the connection run, collecting what it writes. */
static void pump(struct ctx *x)
{
	for (int idle = 0; idle < 3;) {
		ssize_t n;
		bool moved = false;

		event_base_loop(x->base, EVLOOP_NONBLOCK);
		while ((n = read(x->fd, x->rx + x->rx_len, sizeof(x->rx) - 1 - x->rx_len)) > 0) {
			x->rx_len += (size_t)n;
			moved = true;
		}
		x->rx[x->rx_len] = 0;
		idle = moved ? 0 : idle + 1;
		usleep(200);
	}
}

static void put(struct ctx *x, const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(x->fd, s + off, len - off);

		if (n > 0)
			off += (size_t)n;
		else
			pump(x);
	}
	pump(x);
}

static void puts_(struct ctx *x, const char *s)
{
	put(x, s, strlen(s));
}

static const char *chunk(const char *tid, const char *to, const char *range, const char *data,
			 char cont)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "MSRP %s SEND\r\nTo-Path: %s\r\nFrom-Path: " PEER "\r\nMessage-ID: msg1\r\n"
		 "Byte-Range: %s\r\nSuccess-Report: yes\r\nContent-Type: text/plain\r\n\r\n%s\r\n"
		 "-------%s%c\r\n",
		 tid, to, range, data, tid, cont);
	return buf;
}

static void receive_and_errors(void **state)
{
	struct ctx *x = open_ctx(1024);
	uint64_t wrong = counter_get(COUNTER_MSRP_WRONG_TO_PATH);
	char big[4096];

	(void)state;
	puts_(x, chunk("tidaaa1", ME, "1-5/10", "hello", '+'));
	puts_(x, chunk("tidaaa2", ME, "6-10/10", "world", '$'));
	assert_int_equal(x->messages, 1);
	assert_int_equal(x->last_len, 10);
	assert_memory_equal(x->last, "helloworld", 10);
	assert_non_null(strstr(x->rx, "MSRP tidaaa1 200 OK\r\nTo-Path: " PEER "\r\nFrom-Path: " ME
				       "\r\n-------tidaaa1$\r\n"));
	assert_non_null(strstr(x->rx, "MSRP tidaaa2 200 OK\r\n"));
	assert_non_null(strstr(x->rx, " REPORT\r\nTo-Path: " PEER "\r\nFrom-Path: " ME
				       "\r\nMessage-ID: msg1\r\nByte-Range: 1-10/10\r\n"
				       "Status: 000 200 OK\r\n"));
	x->rx_len = 0;

	/* bad Byte-Range: 423, skipped */
	puts_(x, chunk("tidbbb1", ME, "1-99/5", "hello", '$'));
	assert_non_null(strstr(x->rx, "MSRP tidbbb1 423 "));
	/* wrong To-Path: 481 */
	puts_(x, chunk("tidbbb2", "msrp://127.0.0.1:4002/other;tcp", "1-5/5", "hello", '$'));
	assert_non_null(strstr(x->rx, "MSRP tidbbb2 481 "));
	assert_int_equal(counter_get(COUNTER_MSRP_WRONG_TO_PATH), wrong + 1);
	/* over the chunk limit, whole: 413 */
	memset(big, 'x', 1500);
	big[1500] = 0;
	puts_(x, chunk("tidbbb3", ME, "1-1500/1500", big, '$'));
	assert_non_null(strstr(x->rx, "MSRP tidbbb3 413 "));
	/* over the limit and arriving in pieces: 413 at once, the rest read and dropped */
	{
		const char *s = chunk("tidbbb4", ME, "1-3000/3000", "", '$');
		const char *data = strstr(s, "\r\n\r\n") + 4;
		char tail[64];

		put(x, s, (size_t)(data - s));
		for (int i = 0; i < 3; i++)
			put(x, big, 1000);
		assert_non_null(strstr(x->rx, "MSRP tidbbb4 413 "));
		snprintf(tail, sizeof(tail), "\r\n-------tidbbb4$\r\n");
		puts_(x, tail);
	}
	/* still in business */
	puts_(x, chunk("tidccc1", ME, "1-5/5", "again", '$'));
	assert_int_equal(x->messages, 2);
	assert_memory_equal(x->last, "again", 5);
	assert_int_equal(x->closed, 0);

	/* a new frame before the end-line: the stream is lost */
	puts_(x, "MSRP tidddd1 SEND\r\nTo-Path: " ME "\r\nFrom-Path: " PEER "\r\nMessage-ID: m2222\r\n"
		 "MSRP tidddd2 SEND\r\n");
	assert_int_equal(x->closed, 1);
	assert_non_null(strstr(x->why, "end-line"));
	close_ctx(x);
}

static void close_inside_frame(void **state)
{
	struct ctx *x = open_ctx(1024);
	uint64_t before = counter_get(COUNTER_MSRP_BAD_END_LINE);
	const char *s = chunk("tideee1", ME, "1-5/5", "hello", '$');

	(void)state;
	put(x, s, strlen(s) - 10); /* no end-line */
	shutdown(x->fd, SHUT_WR);
	pump(x);
	assert_int_equal(x->closed, 1);
	assert_non_null(strstr(x->why, "inside a frame"));
	assert_int_equal(counter_get(COUNTER_MSRP_BAD_END_LINE), before + 1);
	assert_int_equal(x->messages, 0);
	close_ctx(x);
}

static void send_message(void **state)
{
	struct ctx *x = open_ctx(65536);
	struct msrp_limits lim;
	struct msrp_path to;
	struct msrp_uri me;
	size_t total = 100000, got = 0, off = 0;
	uint8_t *data = malloc(total);
	char id[MSRP_IDENT_MAX + 1];
	unsigned chunks = 0;

	(void)state;
	msrp_limits_default(&lim);
	for (size_t i = 0; i < total; i++)
		data[i] = (uint8_t)(i * 13 + 5);
	assert_int_equal(msrp_path_parse(PEER, strlen(PEER), &to), 0);
	assert_int_equal(msrp_uri_parse(ME, strlen(ME), &me), 0);
	assert_int_equal(msrp_conn_send(x->c, &to, &me, "application/octet-stream", data, total,
					 1000, id),
			 0);
	assert_int_equal(msrp_conn_send(x->c, &to, &me, "text/plain", data, 1, 1000, id), -EBUSY);
	/* the peer side: parse chunks, answer each with 200 */
	for (int round = 0; round < 500 && got < total; round++) {
		struct msrp_frame f;
		char err[160], resp[512];
		int n;

		pump(x);
		while ((n = msrp_parse((uint8_t *)x->rx + off, x->rx_len - off, false, &lim, &f, NULL,
				       err, sizeof(err))) > 0) {
			assert_int_equal(f.method, MSRP_SEND);
			assert_int_equal(f.range_start, got + 1);
			assert_memory_equal(f.body, data + got, f.body_len);
			got += f.body_len;
			chunks++;
			snprintf(resp, sizeof(resp), "MSRP %s 200 OK\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
				 "-------%s$\r\n", f.tid, ME, PEER, f.tid);
			puts_(x, resp);
			off += (size_t)n;
		}
		assert_true(n == 0);
		if (off == x->rx_len)
			off = x->rx_len = 0;
	}
	assert_int_equal(got, total);
	assert_int_equal(chunks, 100);
	assert_true(msrp_conn_send_done(x->c));
	/* the success REPORT */
	{
		char rep[512];

		snprintf(rep, sizeof(rep), "MSRP rep00001 REPORT\r\nTo-Path: %s\r\nFrom-Path: %s\r\n"
			 "Message-ID: %s\r\nByte-Range: 1-100000/100000\r\nStatus: 000 200 OK\r\n"
			 "-------rep00001$\r\n", ME, PEER, id);
		puts_(x, rep);
	}
	assert_int_equal(x->sent_reports, 1);
	assert_int_equal(x->last_status, 200);
	free(data);
	close_ctx(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(receive_and_errors),
		cmocka_unit_test(close_inside_frame),
		cmocka_unit_test(send_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
