/*
 * Data channels between two of our own associations, SCTP over real DTLS (dtls_srtp)
 * over in-memory datagram queues, SCTP timers on a virtual clock (the real one where
 * retransmissions are needed): both sides
 * connect, the DTLS client opens two channels (even streams) and the server one (odd)
 * with DCEP, text, empty and 1 MiB binary messages go both ways byte for byte, also
 * with every 13th datagram lost; a message over the peer's max-message-size is refused
 * before sending, one over ours is dropped and counted; a channel closed by one side is
 * reported closed on the other; freeing one side aborts the association on the other.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/counters.h"
#include "webrtc/datachannel.h"
#include "webrtc/dtls_srtp.h"

#define BIG (1u << 20)

struct wire {
	struct wire *next;
	size_t len;
	uint8_t data[];
};

struct side {
	struct wire *wire, *wire_tail; /* datagrams on their way to the other side */
	struct dtls_srtp *dtls;
	struct dc_assoc *dc;
	bool up;
	unsigned opened, closed, messages;
	uint16_t open_stream[4], closed_stream;
	char label[4][64], protocol[4][64];
	uint8_t *last;
	size_t last_len;
	bool last_binary;
	uint16_t last_stream;
	unsigned drop_every, sent;
};

static void on_packet(void *arg, const uint8_t *pkt, size_t len)
{
	struct side *s = arg;

	struct wire *w;
	uint8_t buf[2048];
	int n;

	/* every packet fits one record */
	assert_int_equal(dtls_srtp_write(s->dtls, pkt, len), 0);
	/* on the wire at once, as a caller with a socket would do */
	while ((n = dtls_srtp_output(s->dtls, buf, sizeof(buf))) > 0) {
		w = malloc(sizeof(*w) + (size_t)n);
		assert_non_null(w);
		w->next = NULL;
		w->len = (size_t)n;
		memcpy(w->data, buf, (size_t)n);
		if (s->wire_tail)
			s->wire_tail->next = w;
		else
			s->wire = w;
		s->wire_tail = w;
	}
}

static void on_state(void *arg, struct dc_assoc *a, bool up, const char *why)
{
	((struct side *)arg)->up = up;
}

static void on_open(void *arg, struct dc_assoc *a, uint16_t stream, const char *label,
		    const char *protocol)
{
	struct side *s = arg;

	assert_true(s->opened < 4);
	s->open_stream[s->opened] = stream;
	snprintf(s->label[s->opened], 64, "%s", label);
	snprintf(s->protocol[s->opened], 64, "%s", protocol);
	s->opened++;
}

static void on_message(void *arg, struct dc_assoc *a, uint16_t stream, const uint8_t *data,
		       size_t len, bool binary)
{
	struct side *s = arg;

	free(s->last);
	s->last = malloc(len + 1);
	assert_non_null(s->last);
	memcpy(s->last, data, len);
	s->last_len = len;
	s->last_binary = binary;
	s->last_stream = stream;
	s->messages++;
}

static void on_close(void *arg, struct dc_assoc *a, uint16_t stream)
{
	struct side *s = arg;

	s->closed++;
	s->closed_stream = stream;
}

static void on_dtls_data(void *arg, const uint8_t *data, size_t len)
{
	struct side *s = arg;

	if (s->dc)
		dc_assoc_input(s->dc, data, len);
}

static const struct dc_cbs cbs = { on_packet, on_state, on_open, on_message, on_close };

/* Deliver one side's datagrams to the other (dropping every drop_every-th); any moved? */
static bool deliver(struct side *from, struct side *to)
{
	uint8_t buf[2048];
	bool moved = false;
	int n;

	/* handshake flights still come from the DTLS queue */
	while ((n = dtls_srtp_output(from->dtls, buf, sizeof(buf))) > 0) {
		moved = true;
		assert_int_equal(dtls_srtp_input(to->dtls, buf, (size_t)n), 0);
	}
	while (from->wire) {
		struct wire *w = from->wire;

		from->wire = w->next;
		if (!from->wire)
			from->wire_tail = NULL;
		moved = true;
		if (!(from->drop_every && ++from->sent % from->drop_every == 0))
			assert_int_equal(dtls_srtp_input(to->dtls, w->data, w->len), 0);
		free(w);
	}
	return moved;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Move datagrams both ways until nothing moves, then let 10 ms of virtual time pass. */
static void run(struct side *a, struct side *b, unsigned rounds)
{
	for (unsigned r = 0; r < rounds; r++) {
		bool moved = true;

		while (moved) {
			moved = deliver(a, b);
			moved |= deliver(b, a);
		}
		dc_handle_timers(10);
	}
}

/* The same, sleeping ms between rounds and running the timers by the real clock. */
static void run_real(struct side *a, struct side *b, unsigned ms)
{
	bool moved = true;

	while (moved) {
		moved = deliver(a, b);
		moved |= deliver(b, a);
	}
	usleep(ms * 1000);
	dc_handle_timers(ms);
}

static void setup_pair(struct side *a, struct side *b)
{
	struct dtls_srtp_cert *ca, *cb;
	char err[200], alg[16], fp[DTLS_SRTP_FINGERPRINT_MAX];
	struct dc_config cfg = { .max_message = 2u << 20, .remote_max_message = 2u << 20 };

	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	assert_int_equal(dtls_srtp_cert_new("a", 1, &ca), 0);
	assert_int_equal(dtls_srtp_cert_new("b", 1, &cb), 0);
	sscanf(cb->fingerprint, "%15s %199s", alg, fp);
	a->dtls = dtls_srtp_new(ca, true, alg, fp, err, sizeof(err));
	sscanf(ca->fingerprint, "%15s %199s", alg, fp);
	b->dtls = dtls_srtp_new(cb, false, alg, fp, err, sizeof(err));
	assert_non_null(a->dtls);
	assert_non_null(b->dtls);
	dtls_srtp_cert_free(ca);
	dtls_srtp_cert_free(cb);
	dtls_srtp_set_data_cb(a->dtls, on_dtls_data, a);
	dtls_srtp_set_data_cb(b->dtls, on_dtls_data, b);
	assert_int_equal(dtls_srtp_start(a->dtls), 0);
	run(a, b, 3);
	assert_true(dtls_srtp_connected(a->dtls) && dtls_srtp_connected(b->dtls));

	cfg.dtls_client = true;
	cfg.mtu = (unsigned)dtls_srtp_data_mtu(a->dtls);
	a->dc = dc_assoc_new(&cfg, &cbs, a, err, sizeof(err));
	assert_non_null(a->dc);
	cfg.dtls_client = false;
	cfg.max_message = 1u << 20; /* b accepts 1 MiB, a 2 MiB */
	b->dc = dc_assoc_new(&cfg, &cbs, b, err, sizeof(err));
	assert_non_null(b->dc);
	assert_int_equal(dc_assoc_connect(a->dc), 0);
	assert_int_equal(dc_assoc_connect(b->dc), 0);
	run(a, b, 50);
	assert_true(a->up);
	assert_true(b->up);
}

static void drop_wire(struct side *s)
{
	while (s->wire) {
		struct wire *w = s->wire;

		s->wire = w->next;
		free(w);
	}
	s->wire_tail = NULL;
}

static void teardown_pair(struct side *a, struct side *b)
{
	/* freeing one side sends an ABORT: the other side sees the association go */
	dc_assoc_free(a->dc);
	a->dc = NULL;
	assert_true(b->up);
	deliver(a, b);
	assert_false(b->up);
	dc_assoc_free(b->dc);
	drop_wire(a);
	drop_wire(b);
	dtls_srtp_free(a->dtls);
	dtls_srtp_free(b->dtls);
	free(a->last);
	free(b->last);
}

static void channels_and_messages(void **state)
{
	struct side a, b;
	uint16_t chat, aux, back;
	uint8_t *big = malloc(BIG + 1);
	uint64_t dropped;

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i <= BIG; i++)
		big[i] = (uint8_t)((i * 2654435761u) >> 13);
	setup_pair(&a, &b);

	/* a is the DTLS client: even streams; b odd */
	assert_int_equal(dc_open(a.dc, "chat", "msrp", &chat), 0);
	assert_int_equal(dc_open(a.dc, "aux", "", &aux), 0);
	assert_int_equal(dc_open(b.dc, "back", "msrp", &back), 0);
	assert_int_equal(chat, 0);
	assert_int_equal(aux, 2);
	assert_int_equal(back, 1);
	run(&a, &b, 5);
	assert_int_equal(b.opened, 3); /* a's two, opened by the peer, and its own acknowledged */
	assert_int_equal(b.open_stream[0], 0);
	assert_string_equal(b.label[0], "chat");
	assert_string_equal(b.protocol[0], "msrp");
	assert_int_equal(b.open_stream[1], 2);
	assert_string_equal(b.label[1], "aux");
	assert_int_equal(a.opened, 3); /* a's two acknowledged, and b's */
	assert_string_equal(dc_protocol(b.dc, 0), "msrp");

	/* text, empty, binary */
	assert_int_equal(dc_send(a.dc, chat, (const uint8_t *)"hello", 5, false), 0);
	run(&a, &b, 2);
	assert_int_equal(b.messages, 1);
	assert_int_equal(b.last_len, 5);
	assert_false(b.last_binary);
	assert_memory_equal(b.last, "hello", 5);
	assert_int_equal(dc_send(b.dc, back, NULL, 0, true), 0);
	run(&a, &b, 2);
	assert_int_equal(a.messages, 1);
	assert_int_equal(a.last_len, 0);
	assert_true(a.last_binary);
	assert_int_equal(a.last_stream, back);

	/* 1 MiB each way, in order behind a text message on another channel */
	assert_int_equal(dc_send(a.dc, aux, big, BIG, true), 0);
	assert_int_equal(dc_send(a.dc, chat, (const uint8_t *)"after", 5, false), 0);
	run(&a, &b, 200);
	assert_int_equal(b.messages, 3);
	assert_int_equal(b.last_stream, chat);
	assert_memory_equal(b.last, "after", 5);
	assert_int_equal(dc_send(b.dc, back, big, BIG, true), 0);
	run(&a, &b, 200);
	assert_int_equal(a.messages, 2);
	assert_int_equal(a.last_len, BIG);
	assert_memory_equal(a.last, big, BIG);

	/* with losses both ways */
	a.drop_every = b.drop_every = 13;
	assert_int_equal(dc_send(b.dc, back, big + 1, BIG, true), 0);
	/* retransmissions go by the real clock: let it pass */
	for (long end = now_ms() + 15000; a.messages < 3 && now_ms() < end;)
		run_real(&a, &b, 5);
	assert_int_equal(a.messages, 3);
	assert_int_equal(a.last_len, BIG);
	assert_memory_equal(a.last, big + 1, BIG);
	a.drop_every = b.drop_every = 0;

	/* over the peer's limit: refused here; over ours: dropped there and counted */
	assert_int_equal(dc_send(a.dc, chat, big, BIG + 1, true), 0); /* b said 1 MiB... */
	dropped = counter_get(COUNTER_DC_MESSAGES_DROPPED);
	run(&a, &b, 200);
	assert_int_equal(b.messages, 3); /* ...but a was told 2 MiB: b drops it */
	assert_int_equal(counter_get(COUNTER_DC_MESSAGES_DROPPED), dropped + 1);
	assert_int_equal(dc_send(b.dc, back, big, (2u << 20) + 1, true), -EMSGSIZE);
	assert_int_equal(dc_send(a.dc, 40, big, 1, true), -ENOENT);
	/* the channel still works after the drop */
	assert_int_equal(dc_send(a.dc, chat, (const uint8_t *)"still", 5, false), 0);
	run(&a, &b, 5);
	assert_int_equal(b.messages, 4);
	assert_memory_equal(b.last, "still", 5);

	/* b closes "chat": a hears of it */
	assert_int_equal(dc_close(b.dc, chat), 0);
	run(&a, &b, 10);
	assert_int_equal(a.closed, 1);
	assert_int_equal(a.closed_stream, chat);
	assert_int_equal(dc_send(a.dc, chat, (const uint8_t *)"x", 1, false), -ENOENT);
	assert_null(dc_protocol(b.dc, chat));
	assert_string_equal(dc_protocol(b.dc, aux), "");

	teardown_pair(&a, &b);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(channels_and_messages),
	};

	assert_int_equal(dc_global_init(), 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
