/*
 * The libevent UDP relay on loopback: a "browser" socket sends SRTP made by libsrtp2, an
 * "IMS" socket pair receives plain RTP and RTCP on their own ports, and back; STUN goes
 * to the not-media callback; a stranger's datagrams are dropped and counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "relay/relay_udp.h"
#include "srtp_testutil.h"

struct lab {
	struct event_base *base;
	struct relay_udp *relay;
	int browser, ims_rtp, ims_rtcp, stranger;
	struct sockaddr_storage relay_b, relay_i_rtp, relay_i_rtcp;
	uint8_t b_in[30], b_out[30];
	unsigned int other_seen;
	uint8_t other_first;
};

static int udp_sock(struct sockaddr_storage *bound)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(*bound);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)bound, &len), 0);
	return fd;
}

static void loopback_any(struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void on_other(struct relay_udp *r, enum relay_side side, enum relay_port port, int fd,
		     const uint8_t *pkt, size_t len, const struct sockaddr *src, socklen_t srclen,
		     void *arg)
{
	struct lab *lab = arg;

	(void)r;
	(void)port;
	(void)fd;
	(void)src;
	(void)srclen;
	assert_int_equal(side, RELAY_SIDE_BROWSER);
	assert_true(len > 0);
	if (lab->other_seen++ == 0)
		lab->other_first = pkt[0];
}

static int lab_setup(void **state)
{
	static struct lab lab;
	struct relay_flow_desc d;
	struct test_rng r = { 99 };
	struct relay_side_desc *b = &d.side[RELAY_SIDE_BROWSER], *i = &d.side[RELAY_SIDE_IMS];
	struct sockaddr_storage tmp;

	memset(&lab, 0, sizeof(lab));
	memset(&d, 0, sizeof(d));
	assert_int_equal(srtp_init(), srtp_err_status_ok);
	lab.base = event_base_new();
	assert_non_null(lab.base);
	lab.browser = udp_sock(&b->remote[0]);
	lab.ims_rtp = udp_sock(&i->remote[0]);
	lab.ims_rtcp = udp_sock(&i->remote[1]);
	lab.stranger = udp_sock(&tmp);
	rng_fill(&r, lab.b_in, 30);
	rng_fill(&r, lab.b_out, 30);
	loopback_any(&b->local[0]);
	b->rtcp_mux = 1;
	b->suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	memcpy(b->in_key, lab.b_in, 16);
	memcpy(b->in_salt, lab.b_in + 16, 14);
	memcpy(b->out_key, lab.b_out, 16);
	memcpy(b->out_salt, lab.b_out + 16, 14);
	b->dscp = 46;
	loopback_any(&i->local[0]);
	loopback_any(&i->local[1]);
	i->pt_map[111] = RELAY_PT_MAPPED | 96;
	b->pt_map[96] = RELAY_PT_MAPPED | 111;
	lab.relay = relay_udp_new(lab.base, &d, on_other, &lab);
	assert_non_null(lab.relay);
	assert_int_equal(relay_udp_local_addr(lab.relay, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					      &lab.relay_b), 0);
	assert_int_equal(relay_udp_local_addr(lab.relay, RELAY_SIDE_BROWSER, RELAY_PORT_RTCP,
					      &tmp), -ENOENT);
	assert_int_equal(relay_udp_local_addr(lab.relay, RELAY_SIDE_IMS, RELAY_PORT_RTP,
					      &lab.relay_i_rtp), 0);
	assert_int_equal(relay_udp_local_addr(lab.relay, RELAY_SIDE_IMS, RELAY_PORT_RTCP,
					      &lab.relay_i_rtcp), 0);
	*state = &lab;
	return 0;
}

static int lab_teardown(void **state)
{
	struct lab *lab = *state;

	relay_udp_free(lab->relay);
	event_base_free(lab->base);
	close(lab->browser);
	close(lab->ims_rtp);
	close(lab->ims_rtcp);
	close(lab->stranger);
	srtp_shutdown();
	return 0;
}

static void send_to(int fd, const uint8_t *p, size_t n, const struct sockaddr_storage *dst)
{
	assert_int_equal(sendto(fd, p, n, 0, (const struct sockaddr *)dst,
				sizeof(struct sockaddr_in)), (ssize_t)n);
}

/* Run the loop until fd has a datagram (or about ms milliseconds pass); -1 if none. */
static ssize_t pump_recv_for(struct lab *lab, int fd, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (int i = 0; i < ms; i++) {
		ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);

		if (n >= 0)
			return n;
		event_base_loop(lab->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		poll(&pfd, 1, 1);
	}
	return -1;
}

static ssize_t pump_recv(struct lab *lab, int fd, uint8_t *buf, size_t cap)
{
	return pump_recv_for(lab, fd, buf, cap, 2000);
}

static void browser_to_ims_and_back(void **state)
{
	struct lab *lab = *state;
	struct test_rng r = { 5 };
	srtp_t lib_tx = oracle_session(lab->b_in, 1, 0), lib_rx = oracle_session(lab->b_out, 1, 1);
	uint8_t orig[TEST_PKT_MAX], pkt[TEST_PKT_MAX], got[TEST_PKT_MAX];
	const unsigned int burst = 16, rounds = 60;

	assert_non_null(lib_tx);
	assert_non_null(lib_rx);
	for (unsigned int round = 0; round < rounds; round++) {
		static uint8_t sent[16][TEST_PKT_MAX];
		static size_t sent_len[16];

		/* a burst from the browser: the relay reads it in one batch */
		for (unsigned int k = 0; k < burst; k++) {
			uint16_t seq = (uint16_t)(round * burst + k);
			size_t n = make_rtp(&r, orig, rng_range(&r, 12, 1200), seq, seq * 960u,
					    0xabcdef01, 111);
			int len = (int)n;

			/* the relay writes PT 96 toward IMS: so does the expected copy */
			memcpy(sent[k], orig, n);
			sent[k][1] = (uint8_t)((sent[k][1] & 0x80) | 96);
			sent_len[k] = n;
			memcpy(pkt, orig, n);
			assert_int_equal(srtp_protect(lib_tx, pkt, &len), srtp_err_status_ok);
			send_to(lab->browser, pkt, (size_t)len, &lab->relay_b);
		}
		for (unsigned int k = 0; k < burst; k++) {
			ssize_t n = pump_recv(lab, lab->ims_rtp, got, sizeof(got));

			assert_int_equal(n, (ssize_t)sent_len[k]);
			assert_memory_equal(got, sent[k], sent_len[k]);
		}
		/* IMS answers on its RTP port; the browser gets SRTP with PT 111 */
		size_t n = make_rtp(&r, orig, rng_range(&r, 12, 1200), (uint16_t)(1000 + round),
				    round * 160u, 0x12345678, 96);
		send_to(lab->ims_rtp, orig, n, &lab->relay_i_rtp);
		ssize_t m = pump_recv(lab, lab->browser, got, sizeof(got));
		int len = (int)m;

		assert_true(m > 0);
		assert_int_equal(srtp_unprotect(lib_rx, got, &len), srtp_err_status_ok);
		orig[1] = (uint8_t)((orig[1] & 0x80) | 111);
		assert_int_equal(len, (int)n);
		assert_memory_equal(got, orig, n);
	}
	/* RTCP from the IMS RTCP port arrives muxed on the browser's one port as SRTCP */
	size_t n = make_rtcp(&r, orig, 64, 0x12345678);
	send_to(lab->ims_rtcp, orig, n, &lab->relay_i_rtcp);
	ssize_t m = pump_recv(lab, lab->browser, got, sizeof(got));
	int len = (int)m;

	assert_int_equal(m, (ssize_t)(n + 14));
	assert_int_equal(srtp_unprotect_rtcp(lib_rx, got, &len), srtp_err_status_ok);
	assert_memory_equal(got, orig, n);
	/* SRTCP from the browser goes out of the IMS RTCP socket */
	n = make_rtcp(&r, orig, 80, 0xabcdef01);
	memcpy(pkt, orig, n);
	len = (int)n;
	assert_int_equal(srtp_protect_rtcp(lib_tx, pkt, &len), srtp_err_status_ok);
	send_to(lab->browser, pkt, (size_t)len, &lab->relay_b);
	m = pump_recv(lab, lab->ims_rtcp, got, sizeof(got));
	assert_int_equal(m, (ssize_t)n);
	assert_memory_equal(got, orig, n);

	const struct relay_dir_stats *bs = relay_flow_stats(relay_udp_flow(lab->relay),
							    RELAY_SIDE_BROWSER);
	assert_int_equal(bs->packets, burst * rounds + 1);
	assert_true(relay_udp_stats(lab->relay)->wakeups < burst * rounds);	/* batched */
	srtp_dealloc(lib_tx);
	srtp_dealloc(lib_rx);
}

static void stun_and_strangers(void **state)
{
	struct lab *lab = *state;
	uint8_t stun[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42 };
	uint8_t rtp[40] = { 0x80, 0x00 }, got[64];
	const struct relay_dir_stats *bs = relay_flow_stats(relay_udp_flow(lab->relay),
							    RELAY_SIDE_BROWSER);
	uint64_t wrong = bs->drops[RELAY_DROP_WRONG_SOURCE];
	json_t *js;

	send_to(lab->browser, stun, sizeof(stun), &lab->relay_b);
	/* nothing reaches IMS; the callback saw the STUN request */
	assert_int_equal(pump_recv_for(lab, lab->ims_rtp, got, sizeof(got), 100), -1);
	assert_int_equal(lab->other_seen, 1);
	assert_int_equal(lab->other_first, 0x00);
	/* an RTP-looking datagram from another port is dropped as a wrong source */
	send_to(lab->stranger, rtp, sizeof(rtp), &lab->relay_b);
	assert_int_equal(pump_recv_for(lab, lab->ims_rtp, got, sizeof(got), 100), -1);
	assert_int_equal(bs->drops[RELAY_DROP_WRONG_SOURCE], wrong + 1);
	js = relay_udp_stats_json(lab->relay);
	assert_non_null(js);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(js, "browser"), "drops"),
				 "wrong_source")), (json_int_t)(wrong + 1));
	json_decref(js);
}

static uint16_t csum16(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A UDP datagram from the IMS peer's RTP address to the relay, sent on a raw socket. */
static void send_raw_udp(struct lab *lab, int raw, const uint8_t *payload, size_t plen,
			 int corrupt)
{
	const struct sockaddr_in *src = (const struct sockaddr_in *)
		&relay_flow_desc(relay_udp_flow(lab->relay))->side[RELAY_SIDE_IMS].remote[0];
	const struct sockaddr_in *dst = (const struct sockaddr_in *)&lab->relay_i_rtp;
	uint8_t dgram[1500], pseudo[12];
	uint16_t ulen = (uint16_t)(8 + plen), sum;

	memcpy(pseudo, &src->sin_addr, 4);
	memcpy(pseudo + 4, &dst->sin_addr, 4);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_UDP;
	pseudo[10] = (uint8_t)(ulen >> 8);
	pseudo[11] = (uint8_t)ulen;
	memcpy(dgram, &src->sin_port, 2);
	memcpy(dgram + 2, &dst->sin_port, 2);
	dgram[4] = (uint8_t)(ulen >> 8);
	dgram[5] = (uint8_t)ulen;
	dgram[6] = dgram[7] = 0;
	memcpy(dgram + 8, payload, plen);
	sum = csum16(0, pseudo, sizeof(pseudo));
	sum = csum16((uint16_t)~sum, dgram, ulen);
	if (sum == 0)
		sum = 0xffff;
	/* one flipped payload bit after the checksum was computed: corruption in transit */
	if (corrupt)
		dgram[8 + plen - 1] ^= 0x01;
	dgram[6] = (uint8_t)(sum >> 8);
	dgram[7] = (uint8_t)sum;
	assert_int_equal(sendto(raw, dgram, ulen, 0, (const struct sockaddr *)dst, sizeof(*dst)),
			 (ssize_t)ulen);
}

/*
 * RTP from the IMS side whose UDP checksum does not match never leaves as authenticated
 * SRTP: the kernel verifies the checksum before the relay's socket sees the datagram
 * (and counts it in Udp InCsumErrors); the same datagram intact goes through.
 */
static void corrupted_udp_never_reprotected(void **state)
{
	struct lab *lab = *state;
	struct test_rng r = { 77 };
	srtp_t lib_rx = oracle_session(lab->b_out, 1, 1);
	uint8_t rtp[200], got[TEST_PKT_MAX];
	const struct relay_dir_stats *is = relay_flow_stats(relay_udp_flow(lab->relay),
							    RELAY_SIDE_IMS);
	uint64_t before;
	int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP), len;
	size_t n;
	ssize_t m;

	if (raw < 0) {
		srtp_dealloc(lib_rx);
		skip();	/* needs CAP_NET_RAW */
	}
	assert_non_null(lib_rx);
	before = is->packets;
	n = make_rtp(&r, rtp, sizeof(rtp), 2000, 320000, 0x12345678, 96);
	send_raw_udp(lab, raw, rtp, n, 1);
	assert_int_equal(pump_recv_for(lab, lab->browser, got, sizeof(got), 200), -1);
	assert_int_equal(is->packets, before);
	send_raw_udp(lab, raw, rtp, n, 0);
	m = pump_recv(lab, lab->browser, got, sizeof(got));
	assert_true(m > 0);
	len = (int)m;
	assert_int_equal(srtp_unprotect(lib_rx, got, &len), srtp_err_status_ok);
	assert_int_equal(len, (int)n);
	assert_memory_equal(got + 12, rtp + 12, n - 12);
	assert_int_equal(is->packets, before + 1);
	close(raw);
	srtp_dealloc(lib_rx);
}

static int udp6_sock(struct sockaddr_storage *bound)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	socklen_t len = sizeof(*bound);
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	assert_int_equal(getsockname(fd, (struct sockaddr *)bound, &len), 0);
	return fd;
}

/* IPv6 on ::1, both sides plain, IMS side with rtcp-mux too: the payload type map applies. */
static void ipv6_plain(void **state)
{
	struct lab lab6 = { 0 };
	struct relay_flow_desc d;
	struct sockaddr_storage rb, ri;
	struct sockaddr_in6 *l;
	uint8_t pkt[64] = { 0x80, 8, 0, 1 }, got[64];
	int b, i;

	(void)state;
	memset(&d, 0, sizeof(d));
	b = udp6_sock(&d.side[RELAY_SIDE_BROWSER].remote[0]);
	i = udp6_sock(&d.side[RELAY_SIDE_IMS].remote[0]);
	if (b < 0 || i < 0) {
		if (b >= 0)
			close(b);
		if (i >= 0)
			close(i);
		skip();	/* no IPv6 loopback here */
	}
	for (int k = 0; k < 2; k++) {
		l = (struct sockaddr_in6 *)&d.side[k].local[0];
		l->sin6_family = AF_INET6;
		l->sin6_addr = in6addr_loopback;
		d.side[k].rtcp_mux = 1;
		d.side[k].dscp = 34;
	}
	d.side[RELAY_SIDE_IMS].pt_map[8] = RELAY_PT_MAPPED | 0;
	lab6.base = event_base_new();
	assert_non_null(lab6.base);
	lab6.relay = relay_udp_new(lab6.base, &d, NULL, NULL);
	assert_non_null(lab6.relay);
	assert_int_equal(relay_udp_local_addr(lab6.relay, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, &rb), 0);
	assert_int_equal(relay_udp_local_addr(lab6.relay, RELAY_SIDE_IMS, RELAY_PORT_RTP, &ri), 0);
	assert_int_equal(sendto(b, pkt, sizeof(pkt), 0, (struct sockaddr *)&rb,
				sizeof(struct sockaddr_in6)), (ssize_t)sizeof(pkt));
	assert_int_equal(pump_recv(&lab6, i, got, sizeof(got)), (ssize_t)sizeof(pkt));
	assert_int_equal(got[1], 0);	/* PCMA 8 -> PCMU 0 toward IMS */
	assert_memory_equal(got + 2, pkt + 2, sizeof(pkt) - 2);
	pkt[1] = 0x80 | 8;		/* marker bit survives, PT 8 is not mapped toward the browser */
	assert_int_equal(sendto(i, pkt, sizeof(pkt), 0, (struct sockaddr *)&ri,
				sizeof(struct sockaddr_in6)), (ssize_t)sizeof(pkt));
	assert_int_equal(pump_recv(&lab6, b, got, sizeof(got)), (ssize_t)sizeof(pkt));
	assert_memory_equal(got, pkt, sizeof(pkt));
	relay_udp_free(lab6.relay);
	event_base_free(lab6.base);
	close(b);
	close(i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(browser_to_ims_and_back),
		cmocka_unit_test(stun_and_strangers),
		cmocka_unit_test(corrupted_udp_never_reprotected),
		cmocka_unit_test(ipv6_plain),
	};

	return cmocka_run_group_tests_name("relay_udp", tests, lab_setup, lab_teardown);
}
