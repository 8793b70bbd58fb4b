/*
 * Bundled flows in the fast path (BPF_PROG_TEST_RUN, XDP and TC): audio and video from
 * the browser on one 5-tuple, one flow with NWIT_FLOW_BUNDLE whose "nwit_bundle" entries
 * give each SSRC its own flow (rewrite, egress port, SRTP context, counters). libsrtp2
 * protects the packets (one master key for the whole bundle, as DTLS-SRTP gives it); what
 * comes out must be libsrtp2's plaintext with that stream's payload type, on that
 * stream's port, counted on that stream's flow (IPv4 and IPv6). SRTCP follows its sender SSRC, or goes to
 * the stack with NWIT_FLOW_RTCP_TO_STACK. An SSRC without an entry, and an entry that is
 * itself bundled, go to the stack untouched.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "fp_harness.h"

#define BUNDLE_ID 100
#define AUDIO_ID 101
#define VIDEO_ID 102
#define SSRC_AUDIO 0x1a2b3c4du
#define SSRC_VIDEO 0x5e6f7081u
#define PORT_AUDIO 30000
#define PORT_VIDEO 30002

static unsigned int seed;
static uint8_t master[30];	/* key || salt of what the browser sends */
static struct srtp_session_keys keys;
static srtp_t tx;		/* libsrtp2 as the browser: every SSRC with one key */

static void bundle_entry(uint32_t ssrc, const struct nwit_flow *f)
{
	struct nwit_ssrc_key k = { .flow_id = BUNDLE_ID, .ssrc = htonl(ssrc) };

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.nwit_bundle), &k, f, BPF_ANY),
			 0);
}

static int v6;	/* the current case's family */

static void stream_flow(struct nwit_flow *f, uint32_t id, uint16_t port, uint8_t from_pt,
			uint8_t to_pt)
{
	memset(f, 0, sizeof(*f));
	f->flow_id = id;
	f->action = NWIT_ACTION_SRTP_TO_RTP;
	f->out_family = v6 ? NWIT_FAMILY_IPV6 : NWIT_FAMILY_IPV4;
	f->out_dport = htons(port);
	f->pt_map[from_pt] = NWIT_PT_MAPPED | to_pt;
}

static void setup_bundle(struct pkt_spec *s)
{
	struct nwit_flow top, f;
	srtp_policy_t pol;
	int err;

	for (size_t i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)rand();
	assert_int_equal(srtp_derive_session_keys(master, master + 16, &keys), 0);
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_any_outbound;
	pol.key = master;
	pol.window_size = 128;
	assert_int_equal(srtp_create(&tx, &pol), srtp_err_status_ok);

	spec_init(s, v6);
	memset(&top, 0, sizeof(top));
	top.flags = NWIT_FLOW_BUNDLE;
	flow_install(s, BUNDLE_ID, NWIT_ACTION_SRTP_TO_RTP, &top);
	stream_flow(&f, AUDIO_ID, PORT_AUDIO, 111, 98);	/* opus 111 -> 98 toward IMS */
	bundle_entry(SSRC_AUDIO, &f);
	stream_flow(&f, VIDEO_ID, PORT_VIDEO, 96, 100);	/* VP8 96 -> 100 toward IMS */
	bundle_entry(SSRC_VIDEO, &f);
	err = ssrc_install(AUDIO_ID, SSRC_AUDIO, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &keys, 0);
	if (!err)
		err = ssrc_install(VIDEO_ID, SSRC_VIDEO, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &keys, 0);
	if (err)
		fail_msg("bpf_crypto context setup failed: %s", strerror(-err));
}

static void teardown_bundle(const struct pkt_spec *s)
{
	struct nwit_ssrc_key k = { .flow_id = BUNDLE_ID };
	uint64_t z[4 * 256] = { 0 };
	uint32_t ids[3] = { BUNDLE_ID, AUDIO_ID, VIDEO_ID };

	k.ssrc = htonl(SSRC_AUDIO);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_bundle), &k);
	k.ssrc = htonl(SSRC_VIDEO);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_bundle), &k);
	ssrc_remove(AUDIO_ID, SSRC_AUDIO);
	ssrc_remove(VIDEO_ID, SSRC_VIDEO);
	flow_remove(s);
	for (int i = 0; i < 3; i++)	/* per-CPU counters back to zero */
		bpf_map_update_elem(bpf_map__fd(skel->maps.nwit_flow_stats), &ids[i], z, BPF_ANY);
	srtp_dealloc(tx);
}

static size_t make_rtp(uint8_t *b, uint8_t pt, uint16_t seq, uint32_t ssrc, size_t len)
{
	b[0] = 0x80;
	b[1] = pt;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	for (int i = 4; i < 8; i++)
		b[i] = (uint8_t)rand();
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (size_t i = 12; i < len; i++)
		b[i] = (uint8_t)rand();
	return len;
}

/* Send SRTP (or SRTCP) from libsrtp2 through hook; check port, payload and verdict. */
static void through(enum hook hook, const struct pkt_spec *s, const uint8_t *plain, size_t plen,
		    int rtcp, uint16_t want_port, uint8_t want_pt)
{
	uint8_t prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX], want[PKT_MAX];
	const uint8_t *got;
	size_t n, olen, glen;
	int len = (int)plen, v;

	memcpy(prot, plain, plen);
	assert_int_equal(rtcp ? srtp_protect_rtcp(tx, prot, &len) : srtp_protect(tx, prot, &len),
			 srtp_err_status_ok);
	n = pkt_build(s, prot, (size_t)len, pkt);
	v = run_pkt(hook, pkt, n, out, &olen, 1, NULL);
	if (!verdict_passed(hook, v))
		fail_msg("verdict %d (seed %u)", v, seed);
	got = check_headers(out, olen, v6, &glen);
	assert_int_equal(got[-6] << 8 | got[-5], want_port);	/* UDP destination port */
	memcpy(want, plain, plen);
	if (!rtcp)
		want[1] = (uint8_t)((plain[1] & 0x80) | want_pt);
	assert_int_equal(glen, plen);
	if (memcmp(got, want, plen))
		fail_msg("%s payload differs from libsrtp2's plaintext (seed %u)",
			 rtcp ? "RTCP" : "RTP", seed);
}

static void two_streams(enum hook hook)
{
	uint8_t plain[PKT_MAX];
	struct pkt_spec s;
	uint64_t a[5], v[5], b[5];
	int n_audio = 0, n_video = 0;

	setup_bundle(&s);
	for (int i = 0; i < 400; i++) {
		int video = rand() % 3 != 0;
		size_t len = video ? 200 + (size_t)rand() % 1000 : 20 + (size_t)rand() % 140;

		make_rtp(plain, (uint8_t)(video ? 96 : 111), (uint16_t)(video ? n_video : n_audio),
			 video ? SSRC_VIDEO : SSRC_AUDIO, len);
		if (video && rand() % 2)
			plain[1] |= 0x80;	/* marker bit kept */
		through(hook, &s, plain, len, 0, video ? PORT_VIDEO : PORT_AUDIO,
			video ? 100 : 98);
		n_video += video;
		n_audio += !video;
	}
	/* SRTCP: a sender report of the video SSRC goes the video way */
	plain[0] = 0x80;
	plain[1] = 200;
	plain[2] = 0;
	plain[3] = 6;
	plain[4] = (uint8_t)(SSRC_VIDEO >> 24);
	plain[5] = (uint8_t)(SSRC_VIDEO >> 16);
	plain[6] = (uint8_t)(SSRC_VIDEO >> 8);
	plain[7] = (uint8_t)SSRC_VIDEO;
	for (int i = 8; i < 28; i++)
		plain[i] = (uint8_t)rand();
	through(hook, &s, plain, 28, 1, PORT_VIDEO, 0);
	flow_stat(AUDIO_ID, a);
	flow_stat(VIDEO_ID, v);
	flow_stat(BUNDLE_ID, b);
	assert_int_equal(a[0], (uint64_t)n_audio);
	assert_int_equal(v[0], (uint64_t)n_video + 1);
	assert_int_equal(a[2] + v[2], 0);
	assert_int_equal(b[0] + b[2] + b[3], 0);	/* the bundle flow itself forwards nothing */
	teardown_bundle(&s);
}

/* An SSRC without an entry, or an entry that is bundled itself: the stack gets it as is. */
static void unknown_to_stack(enum hook hook)
{
	uint8_t plain[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	struct nwit_flow nested;
	struct pkt_spec s;
	uint64_t b[5];
	size_t n, olen;
	int len;

	setup_bundle(&s);
	len = (int)make_rtp(plain, 96, 1, 0x0badf00d, 300);
	memcpy(prot, plain, (size_t)len);
	assert_int_equal(srtp_protect(tx, prot, &len), srtp_err_status_ok);
	n = pkt_build(&s, prot, (size_t)len, pkt);
	assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(olen, n);
	assert_memory_equal(out, pkt, n);

	stream_flow(&nested, VIDEO_ID, PORT_VIDEO, 96, 100);
	nested.flags = NWIT_FLOW_BUNDLE;
	bundle_entry(0x0badf00d, &nested);
	assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
	assert_memory_equal(out, pkt, n);
	{
		struct nwit_ssrc_key k = { .flow_id = BUNDLE_ID, .ssrc = htonl(0x0badf00d) };

		bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_bundle), &k);
	}
	/* too short to name an SSRC */
	n = pkt_build(&s, prot, 10, pkt);
	assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
	assert_memory_equal(out, pkt, n);
	flow_stat(BUNDLE_ID, b);
	assert_int_equal(b[3], 3);	/* to_stack */
	assert_int_equal(b[0], 0);
	teardown_bundle(&s);
}

/*
 * NWIT_FLOW_RTCP_TO_STACK (the IMS side takes RTCP on a port of its own): the stream's
 * SRTCP goes to the stack untouched and is counted in to_stack; its SRTP still passes.
 */
static void rtcp_to_stack(enum hook hook)
{
	uint8_t plain[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	struct nwit_flow f;
	struct pkt_spec s;
	uint64_t v[5];
	size_t n, olen;
	int len;

	setup_bundle(&s);
	stream_flow(&f, VIDEO_ID, PORT_VIDEO, 96, 100);
	f.flags = NWIT_FLOW_RTCP_TO_STACK;
	bundle_entry(SSRC_VIDEO, &f);
	memset(plain, 0, 28);
	plain[0] = 0x80;
	plain[1] = 200;
	plain[3] = 6;
	plain[4] = (uint8_t)(SSRC_VIDEO >> 24);
	plain[5] = (uint8_t)(SSRC_VIDEO >> 16);
	plain[6] = (uint8_t)(SSRC_VIDEO >> 8);
	plain[7] = (uint8_t)SSRC_VIDEO;
	len = 28;
	memcpy(prot, plain, 28);
	assert_int_equal(srtp_protect_rtcp(tx, prot, &len), srtp_err_status_ok);
	n = pkt_build(&s, prot, (size_t)len, pkt);
	assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(olen, n);
	assert_memory_equal(out, pkt, n);
	flow_stat(VIDEO_ID, v);
	assert_int_equal(v[0], 0);
	assert_int_equal(v[3], 1);	/* the RTCP packet, to the stack */
	make_rtp(plain, 96, 7, SSRC_VIDEO, 500);
	through(hook, &s, plain, 500, 0, PORT_VIDEO, 100);
	flow_stat(VIDEO_ID, v);
	assert_int_equal(v[0], 1);	/* the RTP packet, translated */
	teardown_bundle(&s);
}

/*
 * What the SSRC lookup costs: 172-byte SRTP audio packets through a plain 5-tuple flow
 * and through the bundled one, alternately (printed, not asserted: timings are noisy).
 */
static void bundle_cost(void **st)
{
	uint8_t plain[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	struct pkt_spec s, ps;
	uint64_t total[2] = { 0, 0 };
	struct nwit_flow pf;
	srtp_policy_t pol;
	srtp_t tx2;	/* the plain flow's sender: each session protects an index once */
	size_t n, olen;
	int len, i;

	(void)st;
	v6 = 0;
	setup_bundle(&s);
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_any_outbound;
	pol.key = master;
	pol.window_size = 128;
	assert_int_equal(srtp_create(&tx2, &pol), srtp_err_status_ok);
	ps = s;
	ps.sport = 40002;
	stream_flow(&pf, 110, PORT_AUDIO, 111, 98);
	flow_install(&ps, 110, NWIT_ACTION_SRTP_TO_RTP, &pf);
	assert_int_equal(ssrc_install(110, SSRC_AUDIO, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &keys, 0),
			 0);
	for (i = 0; i < 4000; i++) {
		uint32_t ns = 0;
		int bundled = i % 2;

		make_rtp(plain, 111, (uint16_t)(i / 2), SSRC_AUDIO, 172);
		len = 172;
		memcpy(prot, plain, 172);
		assert_int_equal(srtp_protect(bundled ? tx : tx2, prot, &len), srtp_err_status_ok);
		n = pkt_build(bundled ? &s : &ps, prot, (size_t)len, pkt);
		assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, &ns)));
		total[bundled] += ns;
	}
	printf("# cost 172 B SRTP->RTP: %llu ns/packet through a 5-tuple flow, %llu through a "
	       "bundled flow (XDP, BPF_PROG_TEST_RUN)\n", (unsigned long long)(total[0] / 2000),
	       (unsigned long long)(total[1] / 2000));
	srtp_dealloc(tx2);
	ssrc_remove(110, SSRC_AUDIO);
	flow_remove(&ps);
	teardown_bundle(&s);
}

static void rtcp_to_stack_xdp(void **st) { (void)st; rtcp_to_stack(HOOK_XDP); }
static void rtcp_to_stack_tc(void **st) { (void)st; rtcp_to_stack(HOOK_TC); }
static void two_streams_xdp(void **st) { (void)st; v6 = 0; two_streams(HOOK_XDP); }
static void two_streams_tc(void **st) { (void)st; v6 = 0; two_streams(HOOK_TC); }
static void two_streams_v6_xdp(void **st) { (void)st; v6 = 1; two_streams(HOOK_XDP); v6 = 0; }
static void two_streams_v6_tc(void **st) { (void)st; v6 = 1; two_streams(HOOK_TC); v6 = 0; }
static void unknown_to_stack_xdp(void **st) { (void)st; unknown_to_stack(HOOK_XDP); }
static void unknown_to_stack_tc(void **st) { (void)st; unknown_to_stack(HOOK_TC); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_streams_xdp),
		cmocka_unit_test(two_streams_tc),
		cmocka_unit_test(two_streams_v6_xdp),
		cmocka_unit_test(two_streams_v6_tc),
		cmocka_unit_test(unknown_to_stack_xdp),
		cmocka_unit_test(unknown_to_stack_tc),
		cmocka_unit_test(rtcp_to_stack_xdp),
		cmocka_unit_test(rtcp_to_stack_tc),
		cmocka_unit_test(bundle_cost),
	};
	const char *env = getenv("NWIT_TEST_SEED");
	int rc, err;

	seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	printf("# seed %u (set NWIT_TEST_SEED to repeat)\n", seed);
	srand(seed);
	skel = nwit_fastpath__open_and_load();
	if (skel)
		fp_bind(skel->obj);
	if (!skel)
		load_failed("the fast path BPF object loads", errno);
	{
		struct srtp_session_keys k;
		struct nwit_ssrc_key sk = { .flow_id = 0, .ssrc = 0 };

		memset(&k, 0x42, sizeof(k));
		err = fastpath_crypto_setup(fp.setup, &sk, &k, NWIT_AES_FIXED_TIME);
		if (err)
			skip_all("bpf_crypto ecb(aes) context cannot be created", err);
		bpf_map_delete_elem(bpf_map__fd(skel->maps.nwit_aes), &sk);
	}
	if (srtp_init() != srtp_err_status_ok) {
		printf("libsrtp2 init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	srtp_shutdown();
	nwit_fastpath__destroy(skel);
	return rc;
}
