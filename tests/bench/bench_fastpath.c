/*
 * BPF fast path cost per packet (BPF_PROG_TEST_RUN, XDP), side by side in one run:
 *   today      the fast path of BENCH_BASE_REV (Makefile), built in this run as it was
 *              then: bpf_crypto ecb(aes), bpf_loop callbacks, rolled SHA-1;
 *   fixed-time / generic / bpf   this tree's nwit_fastpath with each AES (enum
 *              nwit_aes_impl); bpf-plain: nwit_fastpath_plain (no kfuncs);
 *   forward    rewrite + redirect, no crypto (forward flow to a raw-IP device);
 *   floors     the AES-CM keystream, the HMAC-SHA1 and both, of the same packet alone
 *              (bpf/nwit_bench.bpf.c), per AES.
 * Every packet is distinct and run once by every variant in turn (the transform is not
 * idempotent, so `repeat` cannot be used); ns/packet is the mean of the kernel's own
 * timing over RUNS packets.
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
#include "nwit_bench_base.skel.h"
#include "nwit_fastpath.skel.h"
#include "nwit_fastpath_plain.skel.h"
#include "srtp/srtp_kdf.h"

#define RUNS 3000
#define SSRC 0x5eed5eedu

enum { V_BASE, V_FIXED, V_GENERIC, V_BPF, V_PLAIN, V__N };

static const char *const vname[V__N] = { "today", "fixed-time", "generic", "bpf", "bpf-plain" };
static const enum nwit_aes_impl vaes[V__N] = { NWIT_AES_FIXED_TIME, NWIT_AES_FIXED_TIME,
					       NWIT_AES_GENERIC, NWIT_AES_BPF, NWIT_AES_BPF };

struct variant {
	struct bpf_object *obj;
	int xdp, ok;
};

static int map_fd(struct bpf_object *o, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o, name);

	return m ? bpf_map__fd(m) : -1;
}

static int prog_fd(struct bpf_object *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o, name);

	return p ? bpf_program__fd(p) : -1;
}

/* Kernel-measured ns of one run of prog over pkt; -1 on error or another verdict. */
static long run_once(int fd, const uint8_t *pkt, size_t len, int expect)
{
	uint8_t out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(fd, &o) || (int)o.retval != expect)
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

static int flow(struct bpf_object *o, const struct pkt_spec *s, uint32_t id,
		enum nwit_flow_action act, uint32_t out_ifindex)
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
	return bpf_map_update_elem(map_fd(o, NWIT_MAP_FLOWS), &k, &f, BPF_ANY);
}

static int ssrc(struct bpf_object *o, uint32_t id, const struct srtp_session_keys *keys,
		enum nwit_aes_impl aes)
{
	struct nwit_ssrc_key sk = { .flow_id = id, .ssrc = htonl(SSRC) };
	struct nwit_srtp_ctx c;

	if (fastpath_srtp_ctx_fill(&c, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, keys, 0) ||
	    bpf_map_update_elem(map_fd(o, NWIT_MAP_SRTP), &sk, &c, BPF_ANY))
		return -1;
	return fastpath_crypto_setup(prog_fd(o, "nwit_crypto_setup"), &sk, keys, aes);
}

static struct bpf_object *load(int v)
{
	struct nwit_bench_base *b;
	struct nwit_fastpath *f;
	struct nwit_fastpath_plain *p;

	switch (v) {
	case V_BASE:
		b = nwit_bench_base__open_and_load();
		return b ? b->obj : NULL;
	case V_PLAIN:
		p = nwit_fastpath_plain__open_and_load();
		return p ? p->obj : NULL;
	default:
		f = nwit_fastpath__open_and_load();
		return f ? f->obj : NULL;
	}
}

int main(void)
{
	static const size_t sizes[2] = { 172, 1200 };
	struct srtp_session_keys keys;
	struct variant var[V__N];
	struct nwit_ssrc_key zero = { 0, 0 };
	int floor_ok[V__N] = { 0 }, floor_fd[V__N][3];
	uint8_t master[30], rtp[PKT_MAX], srtp[PKT_MAX], pkt[PKT_MAX];
	struct pkt_spec s_s2r, s_r2s, s_fwd;
	double t[2][2][V__N] = { { { 0 } } }, fl[2][V__N][3] = { { { 0 } } }, fwd[2] = { 0 };
	uint32_t lo = 1;
	int fwd_v;
	srtp_policy_t pol;
	srtp_t tx;
	size_t z, i;
	int v;

	for (i = 0; i < sizeof(master); i++)
		master[i] = (uint8_t)(i * 13 + 1);
	if (srtp_init() != srtp_err_status_ok ||
	    srtp_derive_session_keys(master, master + 16, &keys)) {
		printf("bench_fastpath: libsrtp2 or the key derivation failed\n");
		return 1;
	}
	spec(&s_s2r, 41000);
	spec(&s_r2s, 41001);
	spec(&s_fwd, 41002);
	memset(var, 0, sizeof(var));
	for (v = 0; v < V__N; v++) {
		var[v].obj = load(v);
		if (!var[v].obj) {
			printf("# %s: cannot load its BPF object: %s\n", vname[v], strerror(errno));
			continue;
		}
		var[v].xdp = prog_fd(var[v].obj, "nwit_xdp");
		if (flow(var[v].obj, &s_s2r, 1, NWIT_ACTION_SRTP_TO_RTP, 0) ||
		    flow(var[v].obj, &s_r2s, 2, NWIT_ACTION_RTP_TO_SRTP, 0) ||
		    ssrc(var[v].obj, 1, &keys, vaes[v]) || ssrc(var[v].obj, 2, &keys, vaes[v])) {
			printf("# %s: flow or AES setup failed\n", vname[v]);
			continue;
		}
		var[v].ok = 1;
		/* the floors of each AES of this tree */
		if (v == V_BASE || v == V_PLAIN)
			continue;
		{
			struct nwit_bench *b = nwit_bench__open_and_load();

			if (!b || fastpath_crypto_setup(bpf_program__fd(b->progs.nwit_crypto_setup),
							&zero, &keys, vaes[v]))
				continue;
			floor_fd[v][0] = bpf_program__fd(b->progs.nwit_bench_aes);
			floor_fd[v][1] = bpf_program__fd(b->progs.nwit_bench_hmac);
			floor_fd[v][2] = bpf_program__fd(b->progs.nwit_bench_floor);
			floor_ok[v] = 1;
		}
	}
	if (!var[V_FIXED].ok && !var[V_BPF].ok && !var[V_PLAIN].ok) {
		printf("bench_fastpath: the fast path cannot run SRTP here (BPF needed)\n");
		return 0;
	}
	/* forward flow (no crypto) on the first of this tree's objects that loaded */
	for (fwd_v = V_FIXED; fwd_v < V__N && !var[fwd_v].ok; fwd_v++)
		;
	if (flow(var[fwd_v].obj, &s_fwd, 3, NWIT_ACTION_FORWARD, lo) ||
	    bpf_map_update_elem(map_fd(var[fwd_v].obj, NWIT_MAP_TX_PORTS), &lo, &lo, BPF_ANY)) {
		printf("bench_fastpath: forward flow setup failed: %s\n", strerror(errno));
		return 1;
	}
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = SSRC;
	pol.key = master;
	pol.window_size = 128;
	if (srtp_create(&tx, &pol) != srtp_err_status_ok)
		return 1;

	for (z = 0; z < 2; z++) {
		long d;

		for (i = 0; i < RUNS; i++) {
			uint16_t seq = (uint16_t)(z * RUNS + i);
			int len = (int)make_rtp(rtp, sizes[z], seq), slen = len, f;
			size_t n, ns;

			memcpy(srtp, rtp, (size_t)len);
			if (srtp_protect(tx, srtp, &slen) != srtp_err_status_ok)
				goto fail;
			n = pkt_build(&s_r2s, rtp, (size_t)len, pkt);
			for (v = 0; v < V__N; v++) {
				if (!var[v].ok)
					continue;
				if ((d = run_once(var[v].xdp, pkt, n, XDP_PASS)) < 0)
					goto fail;
				t[z][1][v] += (double)d / RUNS;
			}
			ns = pkt_build(&s_s2r, srtp, (size_t)slen, pkt);
			for (v = 0; v < V__N; v++) {
				if (!var[v].ok)
					continue;
				if ((d = run_once(var[v].xdp, pkt, ns, XDP_PASS)) < 0)
					goto fail;
				t[z][0][v] += (double)d / RUNS;
				for (f = 0; floor_ok[v] && f < 3; f++) {
					if ((d = run_once(floor_fd[v][f], pkt, ns, XDP_DROP)) < 0)
						goto fail;
					fl[z][v][f] += (double)d / RUNS;
				}
			}
			n = pkt_build(&s_fwd, rtp, (size_t)len, pkt);
			if ((d = run_once(var[fwd_v].xdp, pkt, n, XDP_REDIRECT)) < 0)
				goto fail;
			fwd[z] += (double)d / RUNS;
		}
	}

	printf("XDP, BPF_PROG_TEST_RUN, mean of %d distinct packets, ns/packet; all columns "
	       "interleaved packet by packet\n\n", RUNS);
	printf("| RTP size | direction | today (ecb(aes)) | fixed-time | generic | bpf | "
	       "bpf, plain object | fixed-time vs today | bpf vs today |\n");
	printf("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (z = 0; z < 2; z++)
		for (int dir = 0; dir < 2; dir++) {
			printf("| %zu | %s |", sizes[z], dir ? "RTP->SRTP" : "SRTP->RTP");
			for (v = 0; v < V__N; v++)
				printf(var[v].ok ? " %.0f |" : " - |", t[z][dir][v]);
			if (var[V_BASE].ok && var[V_FIXED].ok)
				printf(" %.2fx |", t[z][dir][V_BASE] / t[z][dir][V_FIXED]);
			else
				printf(" - |");
			if (var[V_BASE].ok && var[V_BPF].ok)
				printf(" %.2fx |\n", t[z][dir][V_BASE] / t[z][dir][V_BPF]);
			else
				printf(" - |\n");
		}
	printf("\nThe crypto alone on the SRTP->RTP packet (bpf/nwit_bench.bpf.c), and a flow "
	       "without crypto, ns/packet:\n\n");
	printf("| RTP size | AES | AES-CM keystream | HMAC-SHA1 | both (floor) | "
	       "SRTP->RTP / floor | forward, no crypto |\n|---:|---|---:|---:|---:|---:|---:|\n");
	for (z = 0; z < 2; z++)
		for (v = V_FIXED; v <= V_BPF; v++)
			if (floor_ok[v])
				printf("| %zu | %s | %.0f | %.0f | %.0f | %.2f | %.0f |\n", sizes[z],
				       vname[v], fl[z][v][0], fl[z][v][1], fl[z][v][2],
				       t[z][0][v] / fl[z][v][2], fwd[z]);
	srtp_dealloc(tx);
	return 0;
fail:
	printf("bench_fastpath: a run failed: %s\n", strerror(errno));
	return 1;
}
