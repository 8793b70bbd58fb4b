/*
 * RFC 7983 classifier of the fast path, run in the kernel with BPF_PROG_TEST_RUN:
 * STUN, DTLS, RTP, unknown, truncated, IPv6 and TCP packets through the XDP and TC
 * entry points; each is passed to the stack untouched and counted in its class.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "bpf_util.h"
#include "nwit/fastpath.h"
#include "nwit_fastpath.skel.h"
#include "pkt_build.h"

static struct nwit_fastpath *skel;

static uint64_t class_packets(enum nwit_pkt_class cls)
{
	uint32_t key = cls;
	uint64_t v[2] = { 0, 0 };

	assert_int_equal(percpu_sum_u64(bpf_map__fd(skel->maps.nwit_class_stats), &key, 2, v), 0);
	return v[0];
}

enum hook { HOOK_XDP = 1, HOOK_TC };

/* Run pkt through the hook; check the verdict, unchanged bytes, and +1 in class only. */
static void run_expect(enum hook hook, const uint8_t *pkt, size_t len, enum nwit_pkt_class cls,
		       uint32_t ifindex)
{
	uint8_t out[PKT_MAX];
	uint64_t before[NWIT_CLASS__COUNT], after;
	struct xdp_md xctx = { .data_end = (uint32_t)len, .ingress_ifindex = ifindex };
	struct __sk_buff sctx = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
	int fd, i;

	for (i = 1; i < NWIT_CLASS__COUNT; i++)
		before[i] = class_packets(i);
	if (hook == HOOK_XDP) {
		fd = bpf_program__fd(skel->progs.nwit_xdp);
		if (ifindex) {
			opts.ctx_in = &xctx;
			opts.ctx_size_in = sizeof(xctx);
		}
	} else {
		fd = bpf_program__fd(skel->progs.nwit_tc);
		if (ifindex) {
			opts.ctx_in = &sctx;
			opts.ctx_size_in = sizeof(sctx);
		}
	}
	if (bpf_prog_test_run_opts(fd, &opts))
		fail_msg("test run of a %zu-byte packet failed: %s", len, strerror(errno));
	assert_int_equal(opts.retval, hook == HOOK_XDP ? XDP_PASS : TC_ACT_OK);
	assert_int_equal(opts.data_size_out, len);
	assert_memory_equal(out, pkt, len);
	for (i = 1; i < NWIT_CLASS__COUNT; i++) {
		after = class_packets(i);
		if (after != before[i] + (i == (int)cls))
			fail_msg("class %d: %llu packets, expected %llu (packet of %zu bytes)", i,
				 (unsigned long long)after,
				 (unsigned long long)(before[i] + (i == (int)cls)), len);
	}
}

static const uint8_t stun_binding[] = {
	0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42,
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
};
static const uint8_t dtls_hello[] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
static const uint8_t rtp_pkt[] = {
	0x80, 0x00, 0x12, 0x34, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef, 0xd5, 0xd5, 0xd5, 0xd5,
};
static const uint8_t rtcp_sr[] = { 0x80, 200, 0, 6, 0xde, 0xad, 0xbe, 0xef };
static const uint8_t zrtp_pkt[] = { 0x10, 0, 0, 1 };
static const uint8_t turn_chan[] = { 0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4 };
static const uint8_t unknown_pkt[] = { 0xff, 1, 2, 3 };

static void spec_v4(struct pkt_spec *s, int l2)
{
	memset(s, 0, sizeof(*s));
	s->l2 = l2;
	s->proto = IPPROTO_UDP;
	memcpy(s->src, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(s->dst, (uint8_t[]){ 198, 51, 100, 2 }, 4);
	s->sport = 40000;
	s->dport = 50000;
}

static void spec_v6(struct pkt_spec *s)
{
	spec_v4(s, 1);
	s->v6 = 1;
	inet_pton(AF_INET6, "2001:db8::1", s->src);
	inet_pton(AF_INET6, "2001:db8::2", s->dst);
}

static void classes_v4(enum hook hook)
{
	struct pkt_spec s;
	uint8_t pkt[PKT_MAX];
	size_t n;

	spec_v4(&s, 1);
	n = pkt_build(&s, stun_binding, sizeof(stun_binding), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_STUN, 0);
	n = pkt_build(&s, dtls_hello, sizeof(dtls_hello), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_DTLS, 0);
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_RTP_RTCP, 0);
	n = pkt_build(&s, rtcp_sr, sizeof(rtcp_sr), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_RTP_RTCP, 0);
	n = pkt_build(&s, zrtp_pkt, sizeof(zrtp_pkt), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_ZRTP, 0);
	n = pkt_build(&s, turn_chan, sizeof(turn_chan), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_TURN, 0);
	n = pkt_build(&s, unknown_pkt, sizeof(unknown_pkt), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_UNKNOWN, 0);
}

static void xdp_classes_v4(void **state) { (void)state; classes_v4(HOOK_XDP); }
static void tc_classes_v4(void **state) { (void)state; classes_v4(HOOK_TC); }

static void classes_v6(enum hook hook)
{
	struct pkt_spec s;
	uint8_t pkt[PKT_MAX];
	size_t n;

	spec_v6(&s);
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_RTP_RTCP, 0);
	n = pkt_build(&s, stun_binding, sizeof(stun_binding), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_STUN, 0);
	n = pkt_build(&s, dtls_hello, sizeof(dtls_hello), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_DTLS, 0);
}

static void xdp_classes_v6(void **state) { (void)state; classes_v6(HOOK_XDP); }
static void tc_classes_v6(void **state) { (void)state; classes_v6(HOOK_TC); }

static void not_udp(enum hook hook)
{
	struct pkt_spec s;
	uint8_t pkt[PKT_MAX];
	size_t n;

	spec_v4(&s, 1);
	s.proto = IPPROTO_TCP;
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_NOT_UDP, 0);
	spec_v6(&s);
	s.proto = IPPROTO_TCP;
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	run_expect(hook, pkt, n, NWIT_CLASS_NOT_UDP, 0);
	/* ARP */
	spec_v4(&s, 1);
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	pkt[12] = 0x08;
	pkt[13] = 0x06;
	run_expect(hook, pkt, n, NWIT_CLASS_NOT_UDP, 0);
}

static void xdp_not_udp(void **state) { (void)state; not_udp(HOOK_XDP); }
static void tc_not_udp(void **state) { (void)state; not_udp(HOOK_TC); }

static void truncated(enum hook hook)
{
	struct pkt_spec s;
	uint8_t pkt[PKT_MAX];
	size_t n;

	spec_v4(&s, 1);
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	/* cut inside the UDP header; the stack would drop it, we must not crash */
	run_expect(hook, pkt, 14 + 20 + 4, NWIT_CLASS_MALFORMED, 0);
	/* UDP header present, no payload byte */
	run_expect(hook, pkt, 14 + 20 + 8, NWIT_CLASS_MALFORMED, 0);
	/* IPv4 header length below 20 */
	pkt[14] = 0x44;
	run_expect(hook, pkt, n, NWIT_CLASS_MALFORMED, 0);
	/* a non-first fragment */
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	pkt[14 + 6] = 0x00;
	pkt[14 + 7] = 0x10;
	run_expect(hook, pkt, n, NWIT_CLASS_MALFORMED, 0);
	/* IPv6 cut inside its header (the skb test run refuses such a packet itself) */
	if (hook == HOOK_TC)
		return;
	spec_v6(&s);
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	run_expect(hook, pkt, 14 + 30, NWIT_CLASS_MALFORMED, 0);
}

static void xdp_truncated(void **state) { (void)state; truncated(HOOK_XDP); }
static void tc_truncated(void **state) { (void)state; truncated(HOOK_TC); }

/* A raw-IP device (no Ethernet header) declared in nwit_devices: loopback's ifindex 1. */
static void xdp_raw_ip_device(void **state)
{
	struct nwit_dev_info dev = { .flags = NWIT_DEV_RAW_IP };
	uint32_t ifindex = 1;
	struct pkt_spec s;
	uint8_t pkt[PKT_MAX];
	size_t n;

	(void)state;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.nwit_devices), &ifindex, &dev,
					     BPF_ANY), 0);
	spec_v4(&s, 0);
	n = pkt_build(&s, rtp_pkt, sizeof(rtp_pkt), pkt);
	run_expect(HOOK_XDP, pkt, n, NWIT_CLASS_RTP_RTCP, ifindex);
	spec_v6(&s);
	s.l2 = 0;
	n = pkt_build(&s, dtls_hello, sizeof(dtls_hello), pkt);
	run_expect(HOOK_XDP, pkt, n, NWIT_CLASS_DTLS, ifindex);
	/* the same bytes on a device with L2 do not parse as IP */
	assert_int_equal(bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_devices), &ifindex), 0);
	n = pkt_build(&s, dtls_hello, sizeof(dtls_hello), pkt);
	run_expect(HOOK_XDP, pkt, n, NWIT_CLASS_NOT_UDP, ifindex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xdp_classes_v4),
		cmocka_unit_test(tc_classes_v4),
		cmocka_unit_test(xdp_classes_v6),
		cmocka_unit_test(tc_classes_v6),
		cmocka_unit_test(xdp_not_udp),
		cmocka_unit_test(tc_not_udp),
		cmocka_unit_test(xdp_truncated),
		cmocka_unit_test(tc_truncated),
		cmocka_unit_test(xdp_raw_ip_device),
	};
	int rc;

	skel = nwit_fastpath__open_and_load();
	if (!skel)
		load_failed("the fast path BPF object loads", errno);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	nwit_fastpath__destroy(skel);
	return rc;
}
