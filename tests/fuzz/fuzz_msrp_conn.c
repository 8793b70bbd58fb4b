/*
 * libFuzzer harness: an MSRP connection (msrp_conn) reading arbitrary bytes from its
 * peer over a socketpair, with small limits: answers, skips of refused frames, closes,
 * reassembly and REPORTs, without a crash, a hang or a leak. Every answer it writes
 * must parse.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "msrp/msrp_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct msrp_conn_cbs cbs = { 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char me[] = "msrp://127.0.0.1:4002/sb;tcp";
	static uint8_t out[1 << 17];
	struct msrp_limits lim = {
		.max_header = 1024, .max_chunk = 1024, .max_message = 4096, .max_concurrent = 2,
	};
	struct event_base *base = event_base_new();
	struct msrp_conn *c;
	struct msrp_uri uri;
	size_t got = 0, off = 0;
	int sv[2];

	if (!base || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	c = msrp_conn_new(base, sv[0], &lim, &cbs, NULL);
	if (!c || msrp_uri_parse(me, strlen(me), &uri) < 0 || msrp_conn_add_session(c, &uri) < 0)
		abort();
	for (int round = 0; round < 64; round++) {
		ssize_t n = 0;

		if (off < size && (n = write(sv[1], data + off, size - off)) > 0)
			off += (size_t)n;
		event_base_loop(base, EVLOOP_NONBLOCK);
		while (got < sizeof(out) && (n = read(sv[1], out + got, sizeof(out) - got)) > 0)
			got += (size_t)n;
		if (off == size && round > 2)
			break;
	}
	/* what it wrote is a sequence of whole frames */
	for (size_t at = 0; at < got && got < sizeof(out);) {
		struct msrp_limits big = { .max_header = 1 << 16, .max_chunk = 1 << 16,
					   .max_message = 1 << 20, .max_concurrent = 1 };
		struct msrp_frame f;
		char err[160];
		int n = msrp_parse(out + at, got - at, true, &big, &f, NULL, err, sizeof(err));

		if (n <= 0)
			abort();
		at += (size_t)n;
	}
	msrp_conn_free(c);
	close(sv[1]);
	event_base_free(base);
	return 0;
}
