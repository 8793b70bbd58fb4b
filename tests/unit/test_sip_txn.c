/*
 * SIP transactions (userspace/lib/sip/sip_txn.c) against the timer values of RFC 3261
 * section 17 (T1 = 500 ms, T2 = 4 s, T4 = 5 s, 64*T1 = 32 s) and RFC 6026, on a virtual
 * clock: each test drives the timers itself and checks when each message went out.
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

#include "sip/sip_msg.h"
#include "sip/sip_txn.h"

/* --- a virtual clock ----------------------------------------------------------------------- */

struct vtimer {
	int used, pending;
	unsigned due;
	void (*fire)(void *arg);
	void *arg;
};

static struct vtimer timers[64];
static unsigned now;

static void *vt_start(void *ctx, unsigned ms, void (*fire)(void *arg), void *arg)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
		if (!timers[i].used) {
			timers[i] = (struct vtimer){ 1, 1, now + ms, fire, arg };
			return &timers[i];
		}
	fail_msg("out of virtual timers");
	return NULL;
}

static void vt_stop(void *ctx, void *t)
{
	struct vtimer *v = t;

	(void)ctx;
	assert_true(v->used);	/* every handle is stopped exactly once */
	v->used = v->pending = 0;
}

static const struct sip_txn_timer_ops vt_ops = { vt_start, vt_stop };

/* Fire every timer due up to ms, in order; the clock ends at ms. */
static void run_until(unsigned ms)
{
	for (;;) {
		struct vtimer *next = NULL;

		for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
			if (timers[i].pending && timers[i].due <= ms &&
			    (!next || timers[i].due < next->due))
				next = &timers[i];
		if (!next)
			break;
		now = next->due;
		next->pending = 0;
		next->fire(next->arg);
	}
	now = ms;
}

/* --- the transport and the TU -------------------------------------------------------------- */

#define SENT_MAX 64

static struct { unsigned at; char line[96]; char text[2048]; } sent[SENT_MAX];
static int n_sent, n_resp, last_status, last_err, fail_send, refuse_final;

static int record_send(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	if (fail_send)
		return -ENOTCONN;
	assert_true(n_sent < SENT_MAX);
	sent[n_sent].at = now;
	snprintf(sent[n_sent].line, sizeof(sent[n_sent].line), "%.*s",
		 (int)strcspn(buf, "\r"), buf);
	snprintf(sent[n_sent].text, sizeof(sent[n_sent].text), "%.*s", (int)len, buf);
	n_sent++;
	return 0;
}

static int on_response(void *arg, const struct sip_msg *resp, int err)
{
	(void)arg;
	n_resp++;
	last_status = resp ? resp->status : -1;
	last_err = err;
	if (resp && resp->status >= 200 && refuse_final) {
		refuse_final--;
		return -EBADMSG;
	}
	return 0;
}

static struct sip_txn_layer *layer(int reliable)
{
	struct sip_txn_layer *l = sip_txn_layer_new(record_send, NULL, &vt_ops, NULL);

	assert_non_null(l);
	sip_txn_layer_set_reliable(l, reliable);
	memset(timers, 0, sizeof(timers));
	now = 0;
	n_sent = n_resp = last_status = last_err = fail_send = refuse_final = 0;
	return l;
}

static void check_times(const unsigned *want, int n)
{
	assert_int_equal(n_sent, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(sent[i].at, want[i]);
}

static char req_text[1024];

static const char *request(const char *method, const char *branch)
{
	snprintf(req_text, sizeof(req_text),
		 "%s sip:bob@ims.example SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=%s\r\n"
		 "Max-Forwards: 70\r\nRoute: <sip:pcscf.ims.example;lr>\r\n"
		 "From: <sip:alice@ims.example>;tag=a1\r\nTo: <sip:bob@ims.example>\r\n"
		 "Call-ID: c1@192.0.2.1\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
		 method, branch, strcmp(method, "ACK") ? method : "INVITE");
	return req_text;
}

static struct sip_msg *parse(const char *text)
{
	static struct sip_msg m;
	char why[160];

	assert_int_equal(sip_msg_parse(text, strlen(text), &m, why, sizeof(why)), 0);
	return &m;
}

static struct sip_msg *response(int status, const char *method, const char *branch)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "SIP/2.0 %d X\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=%s\r\n"
		 "From: <sip:alice@ims.example>;tag=a1\r\nTo: <sip:bob@ims.example>;tag=b2\r\n"
		 "Call-ID: c1@192.0.2.1\r\nCSeq: 1 %s\r\nContent-Length: 0\r\n\r\n",
		 status, branch, method);
	return parse(text);
}

static void start(struct sip_txn_layer *l, const char *method, const char *branch)
{
	static const char *const routes[] = { "<sip:pcscf.ims.example;lr>" };
	const char *text = request(method, branch);
	struct sip_txn_request r = {
		.buf = text, .len = strlen(text), .method = method, .branch = branch,
		.ruri = "sip:bob@ims.example", .n_routes = 1, .routes = routes,
	};

	assert_int_equal(sip_txn_client_start(l, &r, on_response, NULL, NULL), 0);
}

/* --- client non-INVITE ---------------------------------------------------------------------- */

/* Timer E from T1 doubling up to T2, Timer F at 64*T1 (17.1.2.2). */
static void nict_udp_timeout(void **state)
{
	static const unsigned want[] = { 0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500,
					 27500, 31500 };
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "MESSAGE", "z9hG4bK-m1");
	run_until(31999);
	assert_int_equal(n_resp, 0);
	run_until(32000);
	check_times(want, 11);
	assert_int_equal(n_resp, 1);
	assert_int_equal(last_status, -1);	/* Timer F */
	assert_int_equal(last_err, -ETIMEDOUT);
	assert_int_equal(sip_txn_layer_count(l), 0);
	run_until(60000);
	assert_int_equal(n_sent, 11);
	sip_txn_layer_free(l);
}

/* After a 1xx the pending Timer E fires as armed, then every T2 (17.1.2.2). */
static void nict_proceeding_t2(void **state)
{
	static const unsigned want[] = { 0, 500, 1500, 5500, 9500 };
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "MESSAGE", "z9hG4bK-m2");
	run_until(700);
	assert_int_equal(sip_txn_response(l, response(100, "MESSAGE", "z9hG4bK-m2")), 0);
	assert_int_equal(last_status, 100);
	run_until(10000);
	check_times(want, 5);
	sip_txn_layer_free(l);
}

/* A final response: delivered once; its retransmissions absorbed for Timer K = T4. */
static void nict_final_and_timer_k(void **state)
{
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "MESSAGE", "z9hG4bK-m3");
	run_until(600);
	assert_int_equal(sip_txn_response(l, response(200, "MESSAGE", "z9hG4bK-m3")), 0);
	assert_int_equal(n_resp, 1);
	assert_int_equal(last_status, 200);
	run_until(5599);
	assert_int_equal(sip_txn_response(l, response(200, "MESSAGE", "z9hG4bK-m3")), 0);
	assert_int_equal(n_resp, 1);
	assert_int_equal(n_sent, 2);	/* the request at 0 and 500, nothing since */
	run_until(5600);
	assert_int_equal(sip_txn_layer_count(l), 0);
	assert_int_equal(sip_txn_response(l, response(200, "MESSAGE", "z9hG4bK-m3")), -ENOENT);
	/* another method on the same branch is another transaction */
	assert_int_equal(sip_txn_response(l, response(200, "CANCEL", "z9hG4bK-m3")), -ENOENT);
	sip_txn_layer_free(l);
}

/* A final response the TU cannot use is dropped: the next one completes the transaction. */
static void nict_refused_final(void **state)
{
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "REGISTER", "z9hG4bK-m4");
	refuse_final = 1;
	assert_int_equal(sip_txn_response(l, response(200, "REGISTER", "z9hG4bK-m4")), 0);
	assert_int_equal(n_resp, 1);
	run_until(600);
	assert_int_equal(n_sent, 2);	/* Timer E still runs */
	assert_int_equal(sip_txn_response(l, response(200, "REGISTER", "z9hG4bK-m4")), 0);
	assert_int_equal(n_resp, 2);
	run_until(2000);
	assert_int_equal(n_sent, 2);	/* completed */
	assert_int_equal(sip_txn_response(l, response(200, "REGISTER", "z9hG4bK-m4")), 0);
	assert_int_equal(n_resp, 2);	/* absorbed */
	sip_txn_layer_free(l);
}

/* Reliable: sent once, Timer F still applies, gone at once when complete (Timer K = 0). */
static void nict_reliable(void **state)
{
	struct sip_txn_layer *l = layer(1);

	(void)state;
	start(l, "REGISTER", "z9hG4bK-r1");
	run_until(31999);
	assert_int_equal(n_sent, 1);
	run_until(32000);
	assert_int_equal(last_status, -1);
	start(l, "REGISTER", "z9hG4bK-r2");
	assert_int_equal(sip_txn_response(l, response(200, "REGISTER", "z9hG4bK-r2")), 0);
	assert_int_equal(sip_txn_layer_count(l), 0);
	sip_txn_layer_free(l);
}

/* --- client INVITE --------------------------------------------------------------------------- */

/* Timer A doubles without a cap, Timer B at 64*T1 (17.1.1.2). */
static void ict_udp_timeout(void **state)
{
	static const unsigned want[] = { 0, 500, 1500, 3500, 7500, 15500, 31500 };
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "INVITE", "z9hG4bK-i1");
	run_until(32000);
	check_times(want, 7);
	assert_int_equal(last_status, -1);	/* Timer B */
	assert_int_equal(sip_txn_layer_count(l), 0);
	sip_txn_layer_free(l);
}

/* 1xx stops Timer A and B; a failure is ACKed here, again on its retransmissions, and
 * absorbed for Timer D (at least 32 s on UDP, 17.1.1.2). */
static void ict_failure_ack(void **state)
{
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "INVITE", "z9hG4bK-i2");
	run_until(100);
	assert_int_equal(sip_txn_response(l, response(180, "INVITE", "z9hG4bK-i2")), 0);
	run_until(40000);	/* no retransmission, no Timer B once proceeding */
	assert_int_equal(n_sent, 1);
	assert_int_equal(last_status, 180);
	assert_int_equal(sip_txn_response(l, response(486, "INVITE", "z9hG4bK-i2")), 0);
	assert_int_equal(last_status, 486);
	assert_int_equal(n_sent, 2);
	assert_string_equal(sent[1].line, "ACK sip:bob@ims.example SIP/2.0");
	assert_non_null(strstr(sent[1].text, "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-i2"));
	assert_non_null(strstr(sent[1].text, "\r\nRoute: <sip:pcscf.ims.example;lr>\r\n"));
	assert_non_null(strstr(sent[1].text, "\r\nTo: <sip:bob@ims.example>;tag=b2\r\n"));
	assert_non_null(strstr(sent[1].text, "\r\nCSeq: 1 ACK\r\n"));
	run_until(50000);
	assert_int_equal(sip_txn_response(l, response(486, "INVITE", "z9hG4bK-i2")), 0);
	assert_int_equal(n_resp, 2);	/* the retransmission is not delivered */
	assert_int_equal(n_sent, 3);
	assert_string_equal(sent[2].line, "ACK sip:bob@ims.example SIP/2.0");
	run_until(40000 + 32000 - 1);
	assert_int_equal(sip_txn_layer_count(l), 1);
	run_until(40000 + 32000);	/* Timer D */
	assert_int_equal(sip_txn_layer_count(l), 0);
	sip_txn_layer_free(l);
}

/* A 2xx goes to the TU and ends the transaction: its retransmissions are the TU's. */
static void ict_2xx(void **state)
{
	struct sip_txn_layer *l = layer(0);

	(void)state;
	start(l, "INVITE", "z9hG4bK-i3");
	assert_int_equal(sip_txn_response(l, response(200, "INVITE", "z9hG4bK-i3")), 0);
	assert_int_equal(last_status, 200);
	assert_int_equal(sip_txn_layer_count(l), 0);
	assert_int_equal(n_sent, 1);	/* no ACK from the transaction */
	assert_int_equal(sip_txn_response(l, response(200, "INVITE", "z9hG4bK-i3")), -ENOENT);
	run_until(64000);
	assert_int_equal(n_sent, 1);
	sip_txn_layer_free(l);
}

/* --- server non-INVITE -------------------------------------------------------------------- */

static const char resp_200[] = "SIP/2.0 200 OK\r\n\r\n";
static const char resp_100[] = "SIP/2.0 100 Trying\r\n\r\n";
static const char resp_486[] = "SIP/2.0 486 Busy Here\r\n\r\n";

/* Retransmissions get the last response; completed, only the response is kept for
 * Timer J = 64*T1 on UDP (17.2.2). */
static void nist_udp(void **state)
{
	struct sip_txn_layer *l = layer(0);
	struct sip_msg req;

	(void)state;
	req = *parse(request("MESSAGE", "z9hG4bK-s1"));
	assert_int_equal(sip_txn_request(l, &req), 1);
	assert_int_equal(sip_txn_request(l, &req), 0);	/* the TU is deciding: nothing */
	assert_int_equal(n_sent, 0);
	run_until(1000);
	assert_int_equal(sip_txn_reply(l, &req, 200, resp_200, sizeof(resp_200) - 1), 0);
	assert_int_equal(n_sent, 1);
	run_until(5000);
	assert_int_equal(sip_txn_request(l, &req), 0);
	assert_int_equal(n_sent, 2);
	assert_string_equal(sent[1].line, "SIP/2.0 200 OK");
	run_until(1000 + 32000 - 1);
	assert_int_equal(sip_txn_layer_count(l), 1);
	run_until(1000 + 32000);	/* Timer J */
	assert_int_equal(sip_txn_layer_count(l), 0);
	assert_int_equal(sip_txn_request(l, &req), 1);	/* new again */
	sip_txn_layer_free(l);
}

/* Reliable: Timer J is zero; the entry is gone with the response. */
static void nist_reliable(void **state)
{
	struct sip_txn_layer *l = layer(1);
	struct sip_msg req;

	(void)state;
	req = *parse(request("BYE", "z9hG4bK-s2"));
	assert_int_equal(sip_txn_request(l, &req), 1);
	assert_int_equal(sip_txn_reply(l, &req, 100, resp_100, sizeof(resp_100) - 1), 0);
	assert_int_equal(sip_txn_request(l, &req), 0);
	assert_int_equal(n_sent, 2);	/* the 100 again */
	assert_int_equal(sip_txn_reply(l, &req, 200, resp_200, sizeof(resp_200) - 1), 0);
	assert_int_equal(sip_txn_layer_count(l), 0);
	sip_txn_layer_free(l);
}

/* --- server INVITE ------------------------------------------------------------------------- */

/* A failure: Timer G from T1 doubling to T2 until the ACK or Timer H = 64*T1; after the
 * ACK, Confirmed absorbs ACKs for Timer I = T4 (17.2.1). */
static void ist_failure(void **state)
{
	static const unsigned want[] = { 0, 0, 500, 1500, 3500, 7500, 11500 };
	struct sip_txn_layer *l = layer(0);
	struct sip_msg inv, ack;

	(void)state;
	inv = *parse(request("INVITE", "z9hG4bK-s3"));
	ack = *parse(request("ACK", "z9hG4bK-s3"));
	assert_int_equal(sip_txn_request(l, &inv), 1);
	assert_int_equal(sip_txn_reply(l, &inv, 100, resp_100, sizeof(resp_100) - 1), 0);
	assert_int_equal(sip_txn_reply(l, &inv, 486, resp_486, sizeof(resp_486) - 1), 0);
	run_until(12000);
	check_times(want, 7);
	assert_string_equal(sent[6].line, "SIP/2.0 486 Busy Here");
	assert_int_equal(sip_txn_request(l, &ack), 0);	/* absorbed: the TU never sees it */
	run_until(16999);
	assert_int_equal(n_sent, 7);	/* Timer G stopped */
	assert_int_equal(sip_txn_request(l, &ack), 0);
	run_until(17000);		/* Timer I */
	assert_int_equal(sip_txn_layer_count(l), 0);
	/* without an ACK: Timer H ends it */
	inv = *parse(request("INVITE", "z9hG4bK-s4"));
	assert_int_equal(sip_txn_request(l, &inv), 1);
	assert_int_equal(sip_txn_reply(l, &inv, 486, resp_486, sizeof(resp_486) - 1), 0);
	run_until(17000 + 32000 - 1);
	assert_int_equal(sip_txn_layer_count(l), 1);
	run_until(17000 + 32000);
	assert_int_equal(sip_txn_layer_count(l), 0);
	sip_txn_layer_free(l);
}

/* A 2xx: Accepted absorbs retransmitted INVITEs for Timer L = 64*T1; its ACK goes to the
 * TU (RFC 6026 7.1). */
static void ist_accepted(void **state)
{
	struct sip_txn_layer *l = layer(0);
	struct sip_msg inv, ack;

	(void)state;
	inv = *parse(request("INVITE", "z9hG4bK-s5"));
	ack = *parse(request("ACK", "z9hG4bK-s5"));
	assert_int_equal(sip_txn_request(l, &inv), 1);
	assert_int_equal(sip_txn_reply(l, &inv, 200, resp_200, sizeof(resp_200) - 1), 0);
	assert_int_equal(sip_txn_request(l, &inv), 0);
	assert_int_equal(n_sent, 1);	/* absorbed, not answered: the TU retransmits its 2xx */
	assert_int_equal(sip_txn_reply(l, &inv, 200, resp_200, sizeof(resp_200) - 1), 0);
	assert_int_equal(n_sent, 2);	/* the TU's retransmission goes out */
	assert_int_equal(sip_txn_request(l, &ack), 1);
	run_until(32000);
	assert_int_equal(sip_txn_layer_count(l), 0);
	assert_int_equal(sip_txn_request(l, &ack), 1);
	sip_txn_layer_free(l);
}

/* --- limits ------------------------------------------------------------------------------ */

static void limits(void **state)
{
	struct sip_txn_layer *l = layer(0);
	const char *text = request("OPTIONS", "z9hG4bK-x");
	struct sip_txn_request r = { .buf = text, .len = strlen(text), .method = "OPTIONS",
				     .branch = "z9hG4bK-x" };

	(void)state;
	assert_int_equal(sip_txn_client_start(l, &r, NULL, NULL, NULL), 0);
	assert_int_equal(sip_txn_client_start(l, &r, NULL, NULL, NULL), -EEXIST);
	r.method = "ACK";
	assert_int_equal(sip_txn_client_start(l, &r, NULL, NULL, NULL), -EINVAL);
	r.method = "OPTIONS";
	r.branch = "z9hG4bK-y";
	fail_send = 1;
	assert_int_equal(sip_txn_client_start(l, &r, NULL, NULL, NULL), -ENOTCONN);
	assert_int_equal(sip_txn_layer_count(l), 1);
	fail_send = 0;
	sip_txn_layer_free(l);
	/* a retransmission the transport refuses ends the transaction (17.1.4) */
	l = layer(0);
	start(l, "MESSAGE", "z9hG4bK-z");
	fail_send = 1;
	run_until(500);
	assert_int_equal(last_status, -1);
	assert_int_equal(last_err, -ENOTCONN);
	assert_int_equal(sip_txn_layer_count(l), 0);
	sip_txn_layer_free(l);	/* frees what is left, stopping its timers (vt_stop checks) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nict_udp_timeout),
		cmocka_unit_test(nict_proceeding_t2),
		cmocka_unit_test(nict_final_and_timer_k),
		cmocka_unit_test(nict_refused_final),
		cmocka_unit_test(nict_reliable),
		cmocka_unit_test(ict_udp_timeout),
		cmocka_unit_test(ict_failure_ack),
		cmocka_unit_test(ict_2xx),
		cmocka_unit_test(nist_udp),
		cmocka_unit_test(nist_reliable),
		cmocka_unit_test(ist_failure),
		cmocka_unit_test(ist_accepted),
		cmocka_unit_test(limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
