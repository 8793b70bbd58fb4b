/*
 * BPF fast path cost per packet (BPF_PROG_TEST_RUN, XDP), side by side in one run:
 *   floor     AES-CM keystream + HMAC-SHA1 of the packet alone (nwit_bench_floor);
 *   srtp2rtp  the whole fast path unprotecting libsrtp2-protected SRTP;
 *   rtp2srtp  the whole fast path protecting RTP;
 *   forward   rewrite + redirect, no crypto (forward flow to a raw-IP device).
 * Every packet is distinct and run once (the transform is not idempotent, so `repeat`
 * cannot be used); ns/packet is the mean of the kernel's own timing over RUNS packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <srtp2/srtp.h>

#include "../bpf/pkt_build.h"
#include "fastpath/fastpath_keys.h"
#include "nwit/fastpath.h"
#include "nwit_bench.skel.h"
#include "nwit_fastpath.skel.h"
#include "srtp/srtp_kdf.h"

#define RUNS 3000
#define SSRC 0x5eed5eedu

static struct nwit_fastpath *fp;
static struct nwit_bench *bench;

/* Mean kernel-measured ns of one run of prog over pkt; -1 on error. */
static long run_once(int prog_fd, const uint8_t *pkt, size_t len, int expect)
{
	uint8_t out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &o) || (int)o.retval != expect)
		return -1;
	return (long)o.duration;
}

static size_t make_rtp(uint8_t *b, size_t len, uint16_t seq)
{
	size_t i;

	b[0] = 0x80;
	b[1] = 0;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	memset(b + 4, 0, 4);
	b[8] = SSRC >> 24;
	b[9] = (SSRC >> 16) & 0xff;
	b[10] = (SSRC >> 8) & 0xff;
	b[11] = SSRC & 0xff;
	for (i = 12; i < len; i++)
		b[i] = (uint8_t)(i * 7);
	return len;
}

static void spec(struct pkt_spec *s, uint16_t sport)
{
	memset(s, 0, sizeof(*s));
	s->l2 = 1;
	s->proto = IPPROTO_UDP;
	memcpy(s->src, (uint8_t[]){ 192, 0, 2, 1 }, 4);
	memcpy(s->dst, (uint8_t[]){ 198, 51, 100, 2 }, 4);
	s->sport = sport;
	s->dport = 50000;
}

static int flow(const struct pkt_spec *s, uint32_t id, enum nwit_flow_action act,
		uint32_t out_ifindex)
{
	struct nwit_flow_key k = { .family = NWIT_FAMILY_IPV4 };
	struct nwit_flow f = { .flow_id = id, .action = (__u8)act,
			       .out_family = NWIT_FAMILY_IPV4, .out_ifindex = out_ifindex };

	memcpy(k.src, s->src, 4);
	memcpy(k.dst, s->dst, 4);
	k.sport = htons(s->sport);
	k.dport = htons(s->dport);
	memcpy(f.out_dst, (uint8_t[]){ 203, 0, 113, 9 }, 4);
	f.out_dport = htons(4000);
	return bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_flows), &k, &f, BPF_ANY);
}

static int ssrc(uint32_t id, const struct srtp_session_keys *keys)
{
	struct nwit_ssrc_key sk = { .flow_id = id, .ssrc = htonl(SSRC) };
	struct nwit_srtp_ctx c;

	if (fastpath_srtp_ctx_fill(&c, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, keys, 0) ||
	    bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_srtp), &sk, &c, BPF_ANY))
		return -1;
	return fastpath_crypto_setup(bpf_program__fd(fp->progs.nwit_crypto_setup), &sk, keys);
}

int main(void)
{
	static const size_t sizes[2] = { 172, 1200 };
	struct nwit_ssrc_key zero = { 0, 0 };
	struct srtp_session_keys keys;
	uint8_t master[30], rtp[PKT_MAX], pkt[PKT_MAX];
	struct pkt_spec s_s2r, s_r2s, s_fwd;
	uint32_t lo = 1;
	srtp_policy_t pol;
	srtp_t tx;
	size_t z, i;

	for (i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(i * 13 + 1);
	fp = nwit_fastpath__open_and_load();
	bench = nwit_bench__open_and_load();
	if (!fp || !bench || srtp_init() != srtp_err_status_ok ||
	    srtp_derive_session_keys(master, master + 16, &keys)) {
		printf("bench_fastpath: cannot load the BPF objects (BPF and bpf_crypto needed): %s\n",
		       strerror(errno));
		return 0;
	}
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = SSRC;
	pol.key = master;
	pol.window_size = 128;
	spec(&s_s2r, 41000);
	spec(&s_r2s, 41001);
	spec(&s_fwd, 41002);
	if (srtp_create(&tx, &pol) != srtp_err_status_ok ||
	    fastpath_crypto_setup(bpf_program__fd(bench->progs.nwit_crypto_setup), &zero, &keys) ||
	    flow(&s_s2r, 1, NWIT_ACTION_SRTP_TO_RTP, 0) || ssrc(1, &keys) ||
	    flow(&s_r2s, 2, NWIT_ACTION_RTP_TO_SRTP, 0) || ssrc(2, &keys) ||
	    flow(&s_fwd, 3, NWIT_ACTION_FORWARD, lo) ||
	    bpf_map_update_elem(bpf_map__fd(fp->maps.nwit_tx_ports), &lo, &lo, BPF_ANY)) {
		printf("bench_fastpath: setup failed: %s\n", strerror(errno));
		return 1;
	}

	printf("XDP, BPF_PROG_TEST_RUN, mean of %d distinct packets, ns/packet\n", RUNS);
	printf("| RTP size | floor (AES+HMAC) | SRTP->RTP | RTP->SRTP | forward, no crypto | SRTP->RTP / floor |\n");
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (z = 0; z < 2; z++) {
		long t_floor = 0, t_s2r = 0, t_r2s = 0, t_fwd = 0, d;
		int xdp = bpf_program__fd(fp->progs.nwit_xdp);

		for (i = 0; i < RUNS; i++) {
			uint16_t seq = (uint16_t)(z * RUNS + i);
			int len = (int)make_rtp(rtp, sizeof(rtp) > sizes[z] ? sizes[z] : 0, seq);
			size_t n;

			n = pkt_build(&s_r2s, rtp, (size_t)len, pkt);
			if ((d = run_once(xdp, pkt, n, XDP_PASS)) < 0)
				goto fail;
			t_r2s += d;
			n = pkt_build(&s_fwd, rtp, (size_t)len, pkt);
			if ((d = run_once(xdp, pkt, n, XDP_REDIRECT)) < 0)
				goto fail;
			t_fwd += d;
			if (srtp_protect(tx, rtp, &len) != srtp_err_status_ok)
				goto fail;
			n = pkt_build(&s_s2r, rtp, (size_t)len, pkt);
			if ((d = run_once(bpf_program__fd(bench->progs.nwit_bench_floor), pkt, n,
					  XDP_DROP)) < 0)
				goto fail;
			t_floor += d;
			if ((d = run_once(xdp, pkt, n, XDP_PASS)) < 0)
				goto fail;
			t_s2r += d;
		}
		printf("| %zu | %ld | %ld | %ld | %ld | %.2f |\n", sizes[z], t_floor / RUNS,
		       t_s2r / RUNS, t_r2s / RUNS, t_fwd / RUNS, (double)t_s2r / (double)t_floor);
	}
	srtp_dealloc(tx);
	nwit_bench__destroy(bench);
	nwit_fastpath__destroy(fp);
	return 0;
fail:
	printf("bench_fastpath: a run failed: %s\n", strerror(errno));
	return 1;
}
