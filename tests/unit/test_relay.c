/*
 * Relay core: browser SRTP (made and checked by libsrtp2) <-> IMS plain RTP or SDES-SRTP,
 * with payload type mapping, header extension stripping toward the IMS side, RTCP port
 * selection, the RFC 7983 demux, the source check and the drop counters. Expected
 * packets are assembled by the test from their parts, not by the relay code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "relay/relay.h"
#include "srtp/srtp_replay.h"
#include "srtp_testutil.h"

#define PT_BROWSER 111
#define PT_IMS 97

static uint8_t b_in[30], b_out[30], i_in[30], i_out[30];	/* key || salt */

static void set_addr(struct sockaddr_storage *ss, const char *ip, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

static void fill_desc(struct relay_flow_desc *d, int ims_srtp)
{
	struct test_rng r = { 42 };

	rng_fill(&r, b_in, 30);
	rng_fill(&r, b_out, 30);
	rng_fill(&r, i_in, 30);
	rng_fill(&r, i_out, 30);
	memset(d, 0, sizeof(*d));
	struct relay_side_desc *b = &d->side[RELAY_SIDE_BROWSER], *i = &d->side[RELAY_SIDE_IMS];

	set_addr(&b->local[0], "192.0.2.1", 40000);
	set_addr(&b->remote[0], "192.0.2.10", 50000);
	b->rtcp_mux = 1;
	b->suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
	memcpy(b->in_key, b_in, 16);
	memcpy(b->in_salt, b_in + 16, 14);
	memcpy(b->out_key, b_out, 16);
	memcpy(b->out_salt, b_out + 16, 14);
	b->pt_map[PT_IMS] = RELAY_PT_MAPPED | PT_BROWSER;

	set_addr(&i->local[0], "198.51.100.1", 30000);
	set_addr(&i->local[1], "198.51.100.1", 30001);
	set_addr(&i->remote[0], "198.51.100.20", 6000);
	set_addr(&i->remote[1], "198.51.100.20", 6001);
	i->pt_map[PT_BROWSER] = RELAY_PT_MAPPED | PT_IMS;
	i->strip_ext = 1;
	if (ims_srtp) {
		i->suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_32;
		memcpy(i->in_key, i_in, 16);
		memcpy(i->in_salt, i_in + 16, 14);
		memcpy(i->out_key, i_out, 16);
		memcpy(i->out_salt, i_out + 16, 14);
	}
}

/* RTP from parts: ext_words < 0 means no extension. */
static size_t build_rtp(uint8_t *p, uint8_t pt, int marker, uint16_t seq, uint32_t ssrc,
			unsigned int cc, int ext_words, const uint8_t *payload, size_t plen)
{
	size_t n = 12;

	p[0] = (uint8_t)(0x80 | (ext_words >= 0 ? 0x10 : 0) | cc);
	p[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memset(p + 4, 0x44, 4);
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	for (unsigned int i = 0; i < 4 * cc; i++)
		p[n++] = (uint8_t)(0xc0 + i);
	if (ext_words >= 0) {
		p[n++] = 0xbe;
		p[n++] = 0xde;
		p[n++] = 0;
		p[n++] = (uint8_t)ext_words;
		for (int i = 0; i < 4 * ext_words; i++)
			p[n++] = (uint8_t)(0xe0 + i);
	}
	memcpy(p + n, payload, plen);
	return n + plen;
}

static const struct sockaddr *addr(const struct relay_flow *f, enum relay_side s, int port)
{
	return (const struct sockaddr *)&relay_flow_desc(f)->side[s].remote[port];
}

static void browser_to_ims(int ims_srtp)
{
	struct relay_flow_desc d;
	struct relay_flow *f;
	srtp_t lib_b, lib_i = NULL;
	struct test_rng r = { 7 };
	uint8_t payload[1200], pkt[RELAY_BUF_SIZE], want[RELAY_BUF_SIZE];
	enum relay_port out;

	fill_desc(&d, ims_srtp);
	f = relay_flow_new(&d);
	assert_non_null(f);
	lib_b = oracle_session(b_in, 1, 0);
	assert_non_null(lib_b);
	if (ims_srtp) {
		lib_i = oracle_session(i_out, 0, 1);
		assert_non_null(lib_i);
	}
	for (unsigned int k = 0; k < 500; k++) {
		size_t plen = rng_range(&r, 0, sizeof(payload)), n, wn;
		unsigned int cc = k % 3;
		int ext = k % 2 ? (int)(k % 5) : -1, ilen;
		uint32_t ssrc = k % 4 ? 0x11111111 : 0x22222222;	/* BUNDLE: two SSRCs */

		rng_fill(&r, payload, plen);
		n = build_rtp(pkt, PT_BROWSER, k % 7 == 0, (uint16_t)(65300 + k), ssrc, cc, ext,
			      payload, plen);
		wn = build_rtp(want, PT_IMS, k % 7 == 0, (uint16_t)(65300 + k), ssrc, cc, -1,
			       payload, plen);
		ilen = (int)n;
		assert_int_equal(srtp_protect(lib_b, pkt, &ilen), srtp_err_status_ok);
		n = (size_t)ilen;
		assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
						 addr(f, RELAY_SIDE_BROWSER, 0), pkt, &n, sizeof(pkt),
						 &out), 0);
		assert_int_equal(out, RELAY_PORT_RTP);
		if (ims_srtp) {
			ilen = (int)n;
			assert_int_equal(srtp_unprotect(lib_i, pkt, &ilen), srtp_err_status_ok);
			n = (size_t)ilen;
		}
		assert_int_equal(n, wn);
		assert_memory_equal(pkt, want, wn);
	}
	/* RTCP on the muxed browser port goes to the IMS RTCP port */
	for (unsigned int k = 0; k < 50; k++) {
		size_t n = make_rtcp(&r, pkt, rng_range(&r, 8, 400), 0x11111111);
		int ilen = (int)n;

		memcpy(want, pkt, n);
		assert_int_equal(srtp_protect_rtcp(lib_b, pkt, &ilen), srtp_err_status_ok);
		size_t m = (size_t)ilen;
		assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt,
						 &m, sizeof(pkt), &out), 0);
		assert_int_equal(out, RELAY_PORT_RTCP);
		if (ims_srtp) {
			ilen = (int)m;
			assert_int_equal(srtp_unprotect_rtcp(lib_i, pkt, &ilen), srtp_err_status_ok);
			m = (size_t)ilen;
		}
		assert_int_equal(m, n);
		assert_memory_equal(pkt, want, n);
	}
	assert_int_equal(relay_flow_stats(f, RELAY_SIDE_BROWSER)->packets, 550);
	srtp_dealloc(lib_b);
	if (lib_i)
		srtp_dealloc(lib_i);
	relay_flow_free(f);
}

static void ims_to_browser(int ims_srtp)
{
	struct relay_flow_desc d;
	struct relay_flow *f;
	srtp_t lib_b, lib_i = NULL;
	struct test_rng r = { 8 };
	uint8_t payload[1200], pkt[RELAY_BUF_SIZE], want[RELAY_BUF_SIZE];
	enum relay_port out;

	fill_desc(&d, ims_srtp);
	f = relay_flow_new(&d);
	assert_non_null(f);
	lib_b = oracle_session(b_out, 1, 1);
	assert_non_null(lib_b);
	if (ims_srtp) {
		lib_i = oracle_session(i_in, 0, 0);
		assert_non_null(lib_i);
	}
	for (unsigned int k = 0; k < 500; k++) {
		size_t plen = rng_range(&r, 0, sizeof(payload)), n, wn;
		int ilen, rtcp = k % 10 == 9;

		rng_fill(&r, payload, plen);
		if (rtcp) {
			n = make_rtcp(&r, pkt, plen + 8, 0x33333333);
			memcpy(want, pkt, n);
			wn = n;
		} else {
			/* extensions toward the browser are kept; only the PT changes */
			n = build_rtp(pkt, PT_IMS, 0, (uint16_t)(65500 + k), 0x33333333, 1,
				      k % 2 ? 1 : -1, payload, plen);
			wn = build_rtp(want, PT_BROWSER, 0, (uint16_t)(65500 + k), 0x33333333, 1,
				       k % 2 ? 1 : -1, payload, plen);
		}
		if (ims_srtp) {
			ilen = (int)n;
			assert_int_equal(rtcp ? srtp_protect_rtcp(lib_i, pkt, &ilen)
					      : srtp_protect(lib_i, pkt, &ilen), srtp_err_status_ok);
			n = (size_t)ilen;
		}
		assert_int_equal(relay_translate(f, RELAY_SIDE_IMS, rtcp ? RELAY_PORT_RTCP : RELAY_PORT_RTP,
						 addr(f, RELAY_SIDE_IMS, rtcp), pkt, &n, sizeof(pkt),
						 &out), 0);
		assert_int_equal(out, RELAY_PORT_RTP);	/* rtcp-mux toward the browser */
		ilen = (int)n;
		assert_int_equal(rtcp ? srtp_unprotect_rtcp(lib_b, pkt, &ilen)
				      : srtp_unprotect(lib_b, pkt, &ilen), srtp_err_status_ok);
		assert_int_equal((size_t)ilen, wn);
		assert_memory_equal(pkt, want, wn);
	}
	assert_int_equal(relay_flow_stats(f, RELAY_SIDE_IMS)->packets, 500);
	srtp_dealloc(lib_b);
	if (lib_i)
		srtp_dealloc(lib_i);
	relay_flow_free(f);
}

static void srtp_to_rtp(void **state) { (void)state; browser_to_ims(0); }
static void rtp_to_srtp(void **state) { (void)state; ims_to_browser(0); }
static void srtp_to_sdes_srtp(void **state) { (void)state; browser_to_ims(1); }
static void sdes_srtp_to_srtp(void **state) { (void)state; ims_to_browser(1); }

/*
 * RTP from the IMS side: n packets from seq on, relayed and checked by the browser's
 * SRTP (libsrtp2). Returns how many were relayed and authenticated; want_rc is what
 * relay_translate must return for each.
 */
static unsigned ims_rtp(struct relay_flow *f, srtp_t lib_b, uint16_t seq, unsigned n,
			int want_rc)
{
	uint8_t payload[160], pkt[RELAY_BUF_SIZE];
	unsigned ok = 0;
	enum relay_port out;

	memset(payload, 0x55, sizeof(payload));
	for (unsigned k = 0; k < n; k++) {
		size_t len = build_rtp(pkt, PT_IMS, 0, (uint16_t)(seq + k), 0x33333333, 0, -1,
				       payload, sizeof(payload));
		int rc = relay_translate(f, RELAY_SIDE_IMS, RELAY_PORT_RTP,
					 addr(f, RELAY_SIDE_IMS, 0), pkt, &len, sizeof(pkt), &out);
		int ilen = (int)len;

		assert_int_equal(rc, want_rc);
		if (rc == 0 && srtp_unprotect(lib_b, pkt, &ilen) == srtp_err_status_ok)
			ok++;
	}
	return ok;
}

/*
 * One packet forged with the IMS peer's address and seq + 30000 must not move the SRTP
 * index: it is refused as an unconfirmed jump, and the genuine packets that follow all
 * reach the browser and authenticate there. A real jump (the sender restarted its
 * sequence) is taken once SRTP_JUMP_CONFIRM packets follow it in sequence.
 */
static void spoofed_jump_does_not_mute(void **state)
{
	struct relay_flow_desc d;
	struct relay_flow *f;
	srtp_t lib_b;
	const struct relay_dir_stats *st;

	(void)state;
	fill_desc(&d, 0);
	f = relay_flow_new(&d);
	assert_non_null(f);
	lib_b = oracle_session(b_out, 1, 1);
	assert_non_null(lib_b);
	assert_int_equal(ims_rtp(f, lib_b, 1000, 10, 0), 10);
	/* the forged packet */
	assert_int_equal(ims_rtp(f, lib_b, 1010 + 30000, 1, -ERANGE), 0);
	/* 100 genuine packets: all relayed and authentic at the browser */
	assert_int_equal(ims_rtp(f, lib_b, 1010, 100, 0), 100);
	st = relay_flow_stats(f, RELAY_SIDE_IMS);
	assert_int_equal(st->drops[RELAY_DROP_SEQ_JUMP], 1);
	assert_int_equal(st->drops[RELAY_DROP_REPLAY], 0);
	/* forged jumps interleaved with genuine packets never confirm */
	for (unsigned k = 0; k < 5; k++) {
		assert_int_equal(ims_rtp(f, lib_b, (uint16_t)(20000 + k), 1, -ERANGE), 0);
		assert_int_equal(ims_rtp(f, lib_b, (uint16_t)(1110 + k), 1, 0), 1);
	}
	/* a real jump of 5000: the first SRTP_JUMP_CONFIRM packets wait, the next go out */
	assert_int_equal(ims_rtp(f, lib_b, 1115 + 5000, SRTP_JUMP_CONFIRM, -ERANGE), 0);
	assert_int_equal(ims_rtp(f, lib_b, 1115 + 5000 + SRTP_JUMP_CONFIRM, 50, 0), 50);
	/* and the old sequence is behind it now (what the browser would refuse too) */
	assert_int_equal(ims_rtp(f, lib_b, 1115, 1, -EALREADY), 0);
	assert_int_equal(st->drops[RELAY_DROP_SEQ_JUMP], 1 + 5 + SRTP_JUMP_CONFIRM);
	srtp_dealloc(lib_b);
	relay_flow_free(f);
}

static void drops_are_counted(void **state)
{
	struct relay_flow_desc d;
	struct relay_flow *f;
	srtp_t lib_b;
	uint8_t pkt[RELAY_BUF_SIZE], good[RELAY_BUF_SIZE], payload[100] = { 0 };
	struct sockaddr_storage other;
	const struct relay_dir_stats *st;
	enum relay_port out;
	size_t n, gn;
	int ilen;

	(void)state;
	fill_desc(&d, 0);
	f = relay_flow_new(&d);
	assert_non_null(f);
	lib_b = oracle_session(b_in, 1, 0);
	assert_non_null(lib_b);
	st = relay_flow_stats(f, RELAY_SIDE_BROWSER);

	/* STUN binding request and DTLS handshake: not media, packet untouched */
	memset(pkt, 0, 20);
	pkt[1] = 1;
	n = 20;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EPROTO);
	pkt[0] = 22;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EPROTO);
	assert_int_equal(n, 20);
	assert_int_equal(st->drops[RELAY_DROP_NOT_MEDIA], 2);

	gn = build_rtp(good, PT_BROWSER, 0, 100, 0x11111111, 0, -1, payload, sizeof(payload));
	ilen = (int)gn;
	assert_int_equal(srtp_protect(lib_b, good, &ilen), srtp_err_status_ok);
	gn = (size_t)ilen;

	/* from an address that is not the browser's */
	set_addr(&other, "192.0.2.66", 50000);
	memcpy(pkt, good, gn);
	n = gn;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					 (struct sockaddr *)&other, pkt, &n, sizeof(pkt), &out),
			 -EPERM);
	assert_int_equal(st->drops[RELAY_DROP_WRONG_SOURCE], 1);
	/* tampered tag */
	memcpy(pkt, good, gn);
	pkt[gn - 1] ^= 1;
	n = gn;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EBADMSG);
	assert_int_equal(st->drops[RELAY_DROP_AUTH_FAIL], 1);
	/* good once, then replayed */
	memcpy(pkt, good, gn);
	n = gn;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), 0);
	memcpy(pkt, good, gn);
	n = gn;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EALREADY);
	assert_int_equal(st->drops[RELAY_DROP_REPLAY], 1);
	/* truncated */
	n = 15;
	memcpy(pkt, good, n);
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EINVAL);
	assert_int_equal(st->drops[RELAY_DROP_MALFORMED], 1);
	/* too big */
	memset(pkt, 0x80, sizeof(pkt));
	n = RELAY_MAX_PACKET + 1;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EMSGSIZE);
	assert_int_equal(st->drops[RELAY_DROP_TOO_BIG], 1);
	assert_int_equal(st->packets, 1);

	/* plain side: a datagram too short for an RTP header, and RTCP shorter than 8 */
	st = relay_flow_stats(f, RELAY_SIDE_IMS);
	memset(pkt, 0, 16);
	pkt[0] = 0x80;
	n = 11;
	assert_int_equal(relay_translate(f, RELAY_SIDE_IMS, RELAY_PORT_RTP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EINVAL);
	n = 7;
	assert_int_equal(relay_translate(f, RELAY_SIDE_IMS, RELAY_PORT_RTCP, NULL, pkt, &n,
					 sizeof(pkt), &out), -EINVAL);
	assert_int_equal(st->drops[RELAY_DROP_MALFORMED], 2);
	assert_string_equal(relay_drop_name(RELAY_DROP_AUTH_FAIL), "auth_fail");
	srtp_dealloc(lib_b);
	relay_flow_free(f);
}

/*
 * The browser moves to another address after its sequence number wrapped: with
 * relay_flow_set_remote the flow keeps its ROC, so packets keep authenticating (a
 * fresh flow would guess ROC 0 and fail) and old ones stay replays.
 */
static void new_remote_keeps_srtp_state(void **state)
{
	struct relay_flow_desc d;
	struct relay_flow *f, *fresh;
	struct sockaddr_storage moved;
	srtp_t lib_b;
	uint8_t pkt[RELAY_BUF_SIZE], copy[RELAY_BUF_SIZE], payload[50] = { 1 };
	enum relay_port out;
	size_t n = 0, copy_len = 0, cn;

	(void)state;
	fill_desc(&d, 0);
	f = relay_flow_new(&d);
	fresh = relay_flow_new(&d);
	assert_non_null(f);
	assert_non_null(fresh);
	lib_b = oracle_session(b_in, 1, 0);
	assert_non_null(lib_b);
	for (unsigned int k = 0; k < 300; k++) {	/* 65400 .. wraps at k = 136 */
		int ilen;

		n = build_rtp(pkt, PT_BROWSER, 0, (uint16_t)(65400 + k), 0x11111111, 0, -1,
			      payload, sizeof(payload));
		ilen = (int)n;
		assert_int_equal(srtp_protect(lib_b, pkt, &ilen), srtp_err_status_ok);
		n = (size_t)ilen;
		memcpy(copy, pkt, n);
		copy_len = n;
		assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
						 addr(f, RELAY_SIDE_BROWSER, 0), pkt, &n, sizeof(pkt),
						 &out), 0);
	}
	set_addr(&moved, "192.0.2.77", 51000);
	/* the last packet, replayed from the new address before the move: wrong source */
	cn = copy_len;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					 (struct sockaddr *)&moved, copy, &cn, sizeof(copy), &out),
			 -EPERM);
	assert_int_equal(relay_flow_set_remote(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					       (struct sockaddr *)&moved, sizeof(struct sockaddr_in)), 0);
	/* now it is a replay, not a new packet */
	cn = copy_len;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					 (struct sockaddr *)&moved, copy, &cn, sizeof(copy), &out),
			 -EALREADY);
	/* the next packet (ROC 1) from the new address passes; a fresh flow cannot know
	 * the ROC and refuses it */
	n = build_rtp(pkt, PT_BROWSER, 0, (uint16_t)(65400 + 300), 0x11111111, 0, -1, payload,
		      sizeof(payload));
	int ilen = (int)n;

	assert_int_equal(srtp_protect(lib_b, pkt, &ilen), srtp_err_status_ok);
	memcpy(copy, pkt, (size_t)ilen);
	n = (size_t)ilen;
	assert_int_equal(relay_translate(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					 (struct sockaddr *)&moved, pkt, &n, sizeof(pkt), &out), 0);
	n = (size_t)ilen;
	assert_int_equal(relay_translate(fresh, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, copy,
					 &n, sizeof(copy), &out), -EBADMSG);
	/* bad addresses */
	moved.ss_family = AF_UNIX;
	assert_int_equal(relay_flow_set_remote(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					       (struct sockaddr *)&moved, sizeof(moved)), -EINVAL);
	moved.ss_family = AF_INET6;
	assert_int_equal(relay_flow_set_remote(f, RELAY_SIDE_BROWSER, RELAY_PORT_RTP,
					       (struct sockaddr *)&moved, sizeof(struct sockaddr_in)),
			 -EINVAL);
	srtp_dealloc(lib_b);
	relay_flow_free(f);
	relay_flow_free(fresh);
}

static void bad_description(void **state)
{
	struct relay_flow_desc d;

	(void)state;
	fill_desc(&d, 0);
	d.side[RELAY_SIDE_IMS].suite = (enum srtp_suite)77;
	assert_null(relay_flow_new(&d));
	assert_int_equal(errno, EINVAL);
}

static int setup(void **state)
{
	(void)state;
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	srtp_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(srtp_to_rtp),
		cmocka_unit_test(rtp_to_srtp),
		cmocka_unit_test(srtp_to_sdes_srtp),
		cmocka_unit_test(sdes_srtp_to_srtp),
		cmocka_unit_test(drops_are_counted),
		cmocka_unit_test(spoofed_jump_does_not_mute),
		cmocka_unit_test(new_remote_keeps_srtp_state),
		cmocka_unit_test(bad_description),
	};

	return cmocka_run_group_tests_name("relay", tests, setup, teardown);
}
