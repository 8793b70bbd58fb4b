/*
 * DTLS application data (the path SCTP takes for data channels, RFC 8261): after a
 * handshake between two instances over in-memory datagram queues, records written on
 * one side come out of the other's data callback byte for byte, in both directions and
 * with several records in one datagram; writing before the handshake, an oversize
 * record and a full output queue are refused with their own errors; the association
 * still works afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "webrtc/dtls_srtp.h"

struct got {
	uint8_t data[8][2048];
	size_t len[8];
	unsigned n;
};

static void on_data(void *arg, const uint8_t *data, size_t len)
{
	struct got *g = arg;

	assert_true(g->n < 8 && len <= sizeof(g->data[0]));
	memcpy(g->data[g->n], data, len);
	g->len[g->n++] = len;
}

/* Move every queued datagram from one side to the other; how many moved. */
static int pass(struct dtls_srtp *from, struct dtls_srtp *to)
{
	uint8_t buf[2048];
	int n, moved = 0;

	while ((n = dtls_srtp_output(from, buf, sizeof(buf))) > 0) {
		assert_int_equal(dtls_srtp_input(to, buf, (size_t)n), 0);
		moved++;
	}
	assert_int_equal(n, 0);
	return moved;
}

static void pair(struct dtls_srtp_cert **cc, struct dtls_srtp_cert **sc, struct dtls_srtp **c,
		 struct dtls_srtp **s)
{
	char err[200], alg[16], fp[DTLS_SRTP_FINGERPRINT_MAX];

	assert_int_equal(dtls_srtp_cert_new("client", 1, cc), 0);
	assert_int_equal(dtls_srtp_cert_new("server", 1, sc), 0);
	sscanf((*sc)->fingerprint, "%15s %199s", alg, fp);
	*c = dtls_srtp_new(*cc, true, alg, fp, err, sizeof(err));
	sscanf((*cc)->fingerprint, "%15s %199s", alg, fp);
	*s = dtls_srtp_new(*sc, false, alg, fp, err, sizeof(err));
	assert_non_null(*c);
	assert_non_null(*s);
}

static void data_both_ways(void **state)
{
	struct dtls_srtp_cert *cc, *sc;
	struct dtls_srtp *c, *s;
	struct got gc = { 0 }, gs = { 0 };
	uint8_t big[4096], buf[2048];
	int mtu;

	(void)state;
	pair(&cc, &sc, &c, &s);
	dtls_srtp_set_data_cb(c, on_data, &gc);
	dtls_srtp_set_data_cb(s, on_data, &gs);
	assert_int_equal(dtls_srtp_write(c, (const uint8_t *)"early", 5), -EAGAIN);
	assert_int_equal(dtls_srtp_start(c), 0);
	for (int i = 0; i < 10 && !(dtls_srtp_connected(c) && dtls_srtp_connected(s)); i++) {
		pass(c, s);
		pass(s, c);
	}
	assert_true(dtls_srtp_connected(c));
	assert_true(dtls_srtp_connected(s));
	pass(c, s);
	pass(s, c);

	/* one record each way */
	assert_int_equal(dtls_srtp_write(c, (const uint8_t *)"from the client", 15), 0);
	assert_int_equal(pass(c, s), 1);
	assert_int_equal(gs.n, 1);
	assert_int_equal(gs.len[0], 15);
	assert_memory_equal(gs.data[0], "from the client", 15);
	assert_int_equal(dtls_srtp_write(s, (const uint8_t *)"and back", 8), 0);
	assert_int_equal(pass(s, c), 1);
	assert_int_equal(gc.n, 1);
	assert_memory_equal(gc.data[0], "and back", 8);

	/* the largest record that fits, and one byte more */
	mtu = dtls_srtp_data_mtu(c);
	assert_true(mtu >= 1000 && mtu < DTLS_SRTP_MTU);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 31 + 7);
	assert_int_equal(dtls_srtp_write(c, big, (size_t)mtu), 0);
	assert_int_equal(dtls_srtp_write(c, big, (size_t)mtu + 1), -EMSGSIZE);
	assert_int_equal(dtls_srtp_write(c, big, 0), -EMSGSIZE);
	{
		int n = dtls_srtp_output(c, buf, sizeof(buf));

		assert_true(n > mtu && n <= DTLS_SRTP_MTU);
		assert_int_equal(dtls_srtp_input(s, buf, (size_t)n), 0);
	}
	assert_int_equal(gs.n, 2);
	assert_int_equal(gs.len[1], (size_t)mtu);
	assert_memory_equal(gs.data[1], big, (size_t)mtu);

	/* two records in one datagram are both delivered */
	{
		uint8_t two[2048];
		int a, b;

		assert_int_equal(dtls_srtp_write(s, (const uint8_t *)"one", 3), 0);
		assert_int_equal(dtls_srtp_write(s, (const uint8_t *)"two", 3), 0);
		a = dtls_srtp_output(s, two, sizeof(two));
		b = dtls_srtp_output(s, two + a, sizeof(two) - (size_t)a);
		assert_true(a > 0 && b > 0);
		assert_int_equal(dtls_srtp_input(c, two, (size_t)(a + b)), 0);
		assert_int_equal(gc.n, 3);
		assert_memory_equal(gc.data[1], "one", 3);
		assert_memory_equal(gc.data[2], "two", 3);
	}

	/* a full output queue refuses, and the association carries on once drained */
	{
		int rc = 0, written = 0;

		while ((rc = dtls_srtp_write(c, big, 100)) == 0)
			written++;
		assert_int_equal(rc, -ENOBUFS);
		assert_true(written >= 64);
		gs.n = 0;
		while (dtls_srtp_output(c, buf, sizeof(buf)) > 0)
			;
		assert_int_equal(dtls_srtp_write(c, (const uint8_t *)"again", 5), 0);
		pass(c, s);
		assert_int_equal(gs.n, 1);
		assert_memory_equal(gs.data[0], "again", 5);
	}
	assert_false(dtls_srtp_failed(c));
	assert_false(dtls_srtp_failed(s));
	dtls_srtp_free(c);
	dtls_srtp_free(s);
	dtls_srtp_cert_free(cc);
	dtls_srtp_cert_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(data_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
