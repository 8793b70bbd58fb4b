/*
 * Harness for the fast path transform tests: load the object, install flows and SRTP
 * contexts the way the controller does, run packets through XDP or TC with
 * BPF_PROG_TEST_RUN and check the headers of what comes out. Header-only.
 */
#ifndef NWIT_TEST_FP_HARNESS_H
#define NWIT_TEST_FP_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#include "bpf_util.h"
#include "core/config.h"
#include "fastpath/fastpath_keys.h"
#include "nwit/fastpath.h"
#include "nwit_fastpath.skel.h"
#include "pkt_build.h"
#include "srtp/srtp_kdf.h"

static struct nwit_fastpath *skel;

/*
 * The maps and programs the harness drives, found by name in whichever object is loaded
 * (nwit_fastpath or nwit_fastpath_plain: same maps and programs), and the AES the SSRCs
 * it installs are set up with.
 */
static struct {
	int flows, srtp, aes, flow_stats, drop_stats, bundle, tx_ports, devices;
	int xdp, tc, setup;
	enum nwit_aes_impl aes_impl;
} fp = { .aes_impl = NWIT_AES_FIXED_TIME };

/* The [fastpath] aes name of an implementation (same values). */
static inline const char *aes_name(enum nwit_aes_impl a)
{
	return fastpath_aes_name((enum fastpath_aes)a);
}

static inline int fp_map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

static inline int fp_prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -1;
}

/* Point the harness at the loaded object obj. */
static inline void fp_bind(struct bpf_object *obj)
{
	fp.flows = fp_map_fd(obj, NWIT_MAP_FLOWS);
	fp.srtp = fp_map_fd(obj, NWIT_MAP_SRTP);
	fp.aes = fp_map_fd(obj, NWIT_MAP_AES);
	fp.flow_stats = fp_map_fd(obj, NWIT_MAP_FLOW_STATS);
	fp.drop_stats = fp_map_fd(obj, NWIT_MAP_DROP_STATS);
	fp.bundle = fp_map_fd(obj, NWIT_MAP_BUNDLE);
	fp.tx_ports = fp_map_fd(obj, NWIT_MAP_TX_PORTS);
	fp.devices = fp_map_fd(obj, NWIT_MAP_DEVICES);
	fp.xdp = fp_prog_fd(obj, "nwit_xdp");
	fp.tc = fp_prog_fd(obj, "nwit_tc");
	fp.setup = fp_prog_fd(obj, "nwit_crypto_setup");
}

enum hook { HOOK_XDP = 1, HOOK_TC };

static inline void spec_init(struct pkt_spec *s, int v6)
{
	memset(s, 0, sizeof(*s));
	s->l2 = 1;
	s->v6 = v6;
	s->proto = IPPROTO_UDP;
	if (v6) {
		inet_pton(AF_INET6, "2001:db8::1", s->src);
		inet_pton(AF_INET6, "2001:db8::2", s->dst);
	} else {
		memcpy(s->src, (uint8_t[]){ 192, 0, 2, 1 }, 4);
		memcpy(s->dst, (uint8_t[]){ 198, 51, 100, 2 }, 4);
	}
	s->sport = 40000;
	s->dport = 50000;
}

static inline void flow_key_of(const struct pkt_spec *s, struct nwit_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, s->src, s->v6 ? 16 : 4);
	memcpy(k->dst, s->dst, s->v6 ? 16 : 4);
	k->sport = htons(s->sport);
	k->dport = htons(s->dport);
	k->family = s->v6 ? NWIT_FAMILY_IPV6 : NWIT_FAMILY_IPV4;
}

/* Install a flow for packets matching s; the flow hands them to the stack. */
static inline void flow_install(const struct pkt_spec *s, uint32_t flow_id,
				enum nwit_flow_action action, struct nwit_flow *out)
{
	struct nwit_flow_key k;
	struct nwit_flow f;

	flow_key_of(s, &k);
	memset(&f, 0, sizeof(f));
	f.flow_id = flow_id;
	f.action = (__u8)action;
	f.out_family = k.family;
	if (out)
		f = *out, f.flow_id = flow_id, f.action = (__u8)action, f.out_family = k.family;
	assert_int_equal(bpf_map_update_elem(fp.flows, &k, &f, BPF_ANY),
			 0);
}

static inline void flow_remove(const struct pkt_spec *s)
{
	struct nwit_flow_key k;

	flow_key_of(s, &k);
	bpf_map_delete_elem(fp.flows, &k);
}

/* Install the SRTP context of ssrc on flow_id; returns 0 or the crypto setup error. */
static inline int ssrc_install(uint32_t flow_id, uint32_t ssrc, enum nwit_srtp_profile profile,
			       const struct srtp_session_keys *keys, uint32_t roc)
{
	struct nwit_ssrc_key sk = { .flow_id = flow_id, .ssrc = htonl(ssrc) };
	struct nwit_srtp_ctx c;

	assert_int_equal(fastpath_srtp_ctx_fill(&c, profile, keys, roc), 0);
	assert_int_equal(bpf_map_update_elem(fp.srtp, &sk, &c, BPF_ANY),
			 0);
	return fastpath_crypto_setup(fp.setup, &sk, keys, fp.aes_impl);
}

static inline void ssrc_remove(uint32_t flow_id, uint32_t ssrc)
{
	struct nwit_ssrc_key sk = { .flow_id = flow_id, .ssrc = htonl(ssrc) };

	bpf_map_delete_elem(fp.srtp, &sk);
	bpf_map_delete_elem(fp.aes, &sk);
}

/* Run one packet; returns the verdict, out/out_len receive the resulting packet. */
static inline int run_pkt(enum hook hook, const uint8_t *pkt, size_t len, uint8_t *out,
			  size_t *out_len, uint32_t repeat, uint32_t *duration_ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = PKT_MAX, .repeat = repeat ? repeat : 1);
	int fd = hook == HOOK_XDP ? fp.xdp : fp.tc;

	if (bpf_prog_test_run_opts(fd, &opts))
		fail_msg("BPF_PROG_TEST_RUN of a %zu-byte packet failed: %s", len, strerror(errno));
	*out_len = opts.data_size_out;
	if (duration_ns)
		*duration_ns = opts.duration;
	return (int)opts.retval;
}

static inline int verdict_passed(enum hook hook, int v)
{
	return hook == HOOK_XDP ? v == XDP_PASS : v == TC_ACT_OK;
}

static inline int verdict_dropped(enum hook hook, int v)
{
	return hook == HOOK_XDP ? v == XDP_DROP : v == TC_ACT_SHOT;
}

/*
 * Check the Ethernet/IP/UDP headers of an output packet (lengths, IPv4 header checksum,
 * UDP checksum) and return a pointer to its UDP payload and the payload length.
 */
static inline const uint8_t *check_headers(const uint8_t *p, size_t len, int v6,
					   size_t *plen)
{
	size_t l3 = 14, l4, ulen;

	assert_true(len >= l3 + (v6 ? 40 : 20) + 8);
	if (v6) {
		l4 = l3 + 40;
		assert_int_equal((size_t)(p[l3 + 4] << 8 | p[l3 + 5]), len - l4);
	} else {
		l4 = l3 + 20;
		assert_int_equal((size_t)(p[l3 + 2] << 8 | p[l3 + 3]), len - l3);
		assert_int_equal(csum_fold(csum_add_bytes(0, p + l3, 20)), 0);
	}
	ulen = (size_t)(p[l4 + 4] << 8 | p[l4 + 5]);
	assert_int_equal(ulen, len - l4);
	{
		uint16_t want = udp_csum_expected(v6, p + l3 + (v6 ? 8 : 12),
						  p + l3 + (v6 ? 24 : 16), p + l4, ulen);
		uint16_t got = (uint16_t)(p[l4 + 6] << 8 | p[l4 + 7]);

		if (got != want)
			fail_msg("UDP checksum %04x, expected %04x", got, want);
	}
	*plen = ulen - 8;
	return p + l4 + 8;
}

static inline uint64_t drop_count(enum nwit_drop_reason r)
{
	uint32_t key = r;
	uint64_t v[2] = { 0, 0 };

	assert_int_equal(percpu_sum_u64(fp.drop_stats, &key, 2, v), 0);
	return v[0];
}

/* v: packets, bytes, dropped, to_stack, unknown_ssrc (struct nwit_flow_stat) */
static inline void flow_stat(uint32_t flow_id, uint64_t v[5])
{
	assert_int_equal(percpu_sum_u64(fp.flow_stats, &flow_id, 5, v), 0);
}

#endif
