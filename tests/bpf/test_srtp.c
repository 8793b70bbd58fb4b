/*
 * SRTP/SRTCP in the fast path (BPF_PROG_TEST_RUN, XDP and TC), with libsrtp2 as the
 * independent oracle: packets libsrtp2 protects come out of the kernel as the original
 * RTP/RTCP byte for byte; packets the kernel protects are accepted by libsrtp2 and give
 * back the original. Random sizes 12..1400 B with CSRCs, extensions and padding, both
 * tag lengths, ROC rollover, IPv4 and IPv6; the RFC 3711 B.2 AES-CM keystream and B.3 key
 * derivation; the AES-CM keystream against OpenSSL's AES-128 over the counter blocks;
 * tampered, replayed and truncated packets dropped and counted by reason; packets of an
 * unknown SSRC handed to the stack untouched and counted.
 *
 * Every case runs once per AES implementation (enum nwit_aes_impl) of the bpf_crypto
 * object nwit_fastpath, and once more on nwit_fastpath_plain (AES in BPF, no kfuncs).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <srtp2/srtp.h>

#include "fp_harness.h"
#include "nwit_fastpath_plain.skel.h"

#define PACKETS_PER_CASE 10000

static unsigned int seed;

struct oracle {
	uint8_t master[30];	/* key || salt */
	struct srtp_session_keys keys;
	srtp_t tx;		/* libsrtp2 sender (protects) */
	srtp_t rx;		/* libsrtp2 receiver (unprotects) */
};

static void oracle_init(struct oracle *o, enum nwit_srtp_profile profile, uint32_t ssrc)
{
	srtp_policy_t pol;
	size_t i;

	for (i = 0; i < sizeof(o->master); i++)
		o->master[i] = (uint8_t)rand();
	assert_int_equal(srtp_derive_session_keys(o->master, o->master + 16, &o->keys), 0);
	memset(&pol, 0, sizeof(pol));
	if (profile == NWIT_SRTP_AES_CM_128_HMAC_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	else
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = ssrc_specific;
	pol.ssrc.value = ssrc;
	pol.key = o->master;
	pol.window_size = 128;
	assert_int_equal(srtp_create(&o->tx, &pol), srtp_err_status_ok);
	assert_int_equal(srtp_create(&o->rx, &pol), srtp_err_status_ok);
}

static void oracle_free(struct oracle *o)
{
	srtp_dealloc(o->tx);
	srtp_dealloc(o->rx);
}

/* A random RTP packet of 12..max bytes: CSRCs, header extension, padding at random. */
static size_t make_rtp(uint8_t *b, size_t max, uint16_t seq, uint32_t ssrc)
{
	size_t total = 12 + (size_t)rand() % (max - 11), hdr = 12, i, room;
	unsigned int cc = (unsigned int)rand() % 16;
	int x = rand() % 3 == 0, p;

	if (12 + cc * 4 > total)
		cc = (unsigned int)(total - 12) / 4;
	hdr += cc * 4;
	b[0] = (uint8_t)(0x80 | cc);
	b[1] = (uint8_t)(rand() % 128);
	if (b[1] >= 72 && b[1] <= 79)	/* would read as RTCP under rtcp-mux (RFC 5761) */
		b[1] = 111;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	for (i = 4; i < 8; i++)
		b[i] = (uint8_t)rand();
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (i = 12; i < hdr; i++)
		b[i] = (uint8_t)rand();
	if (x && hdr + 4 <= total) {
		size_t words = (size_t)rand() % 8;

		if (hdr + 4 + words * 4 > total)
			words = (total - hdr - 4) / 4;
		b[0] |= 0x10;
		b[hdr] = 0xbe;
		b[hdr + 1] = 0xde;
		b[hdr + 2] = (uint8_t)(words >> 8);
		b[hdr + 3] = (uint8_t)words;
		for (i = hdr + 4; i < hdr + 4 + words * 4; i++)
			b[i] = (uint8_t)rand();
		hdr += 4 + words * 4;
	}
	for (i = hdr; i < total; i++)
		b[i] = (uint8_t)rand();
	room = total - hdr;
	p = room > 0 && rand() % 4 == 0;
	if (p) {
		size_t pad = 1 + (size_t)rand() % (room < 16 ? room : 16);

		b[0] |= 0x20;
		b[total - 1] = (uint8_t)pad;
	}
	return total;
}

/* A random RTCP packet (SR/RR/SDES/BYE type, 8..max bytes, multiple of 4). */
static size_t make_rtcp(uint8_t *b, size_t max, uint32_t ssrc)
{
	size_t total = 8 + 4 * ((size_t)rand() % ((max - 8) / 4 + 1)), i;

	b[0] = (uint8_t)(0x80 | (rand() % 32));
	b[1] = (uint8_t)(200 + rand() % 4);
	b[2] = (uint8_t)((total / 4 - 1) >> 8);
	b[3] = (uint8_t)(total / 4 - 1);
	b[4] = (uint8_t)(ssrc >> 24);
	b[5] = (uint8_t)(ssrc >> 16);
	b[6] = (uint8_t)(ssrc >> 8);
	b[7] = (uint8_t)ssrc;
	for (i = 8; i < total; i++)
		b[i] = (uint8_t)rand();
	return total;
}

struct timing {
	uint64_t ns[2], n[2];	/* [0]: payload < 400 B, [1]: >= 400 B */
};

static void timing_add(struct timing *t, size_t plen, uint32_t ns)
{
	int i = plen >= 400;

	t->ns[i] += ns;
	t->n[i]++;
}

static void timing_print(const char *what, const struct timing *t)
{
	printf("# %s: %.0f ns/packet under 400 B (%llu), %.0f ns/packet 400 B and over (%llu)\n",
	       what, t->n[0] ? (double)t->ns[0] / (double)t->n[0] : 0.0,
	       (unsigned long long)t->n[0],
	       t->n[1] ? (double)t->ns[1] / (double)t->n[1] : 0.0, (unsigned long long)t->n[1]);
}

/*
 * libsrtp2 protects, the fast path unprotects. rtcp: SRTCP instead of SRTP. Alternates
 * the XDP and TC entry points. Starts at seq0 so that the ROC rolls over.
 */
static void unprotect_case(enum nwit_srtp_profile profile, int v6, int rtcp, int n_pkts,
			   uint16_t seq0)
{
	uint32_t ssrc = (uint32_t)rand() | 1, flow_id = 1 + (uint32_t)rand() % 4000;
	uint8_t plain[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	struct pkt_spec s;
	struct oracle o;
	struct timing t = { { 0 }, { 0 } };
	uint64_t fs[5];
	int i, err;

	oracle_init(&o, profile, ssrc);
	spec_init(&s, v6);
	flow_install(&s, flow_id, NWIT_ACTION_SRTP_TO_RTP, NULL);
	err = ssrc_install(flow_id, ssrc, profile, &o.keys, 0);
	if (err)
		fail_msg("AES setup (%s) failed: %s", aes_name(fp.aes_impl),
			 strerror(-err));
	for (i = 0; i < n_pkts; i++) {
		enum hook hook = i % 2 ? HOOK_TC : HOOK_XDP;
		int len, v;
		size_t plen, n, olen;
		const uint8_t *got;

		if (rtcp)
			plen = make_rtcp(plain, 1400, ssrc);
		else
			plen = make_rtp(plain, 1400, (uint16_t)(seq0 + i), ssrc);
		memcpy(prot, plain, plen);
		len = (int)plen;
		err = rtcp ? srtp_protect_rtcp(o.tx, prot, &len) : srtp_protect(o.tx, prot, &len);
		assert_int_equal(err, srtp_err_status_ok);
		n = pkt_build(&s, prot, (size_t)len, pkt);
		{
			uint32_t ns = 0;

			v = run_pkt(hook, pkt, n, out, &olen, 1, &ns);
			timing_add(&t, (size_t)len, ns);
		}
		if (!verdict_passed(hook, v))
			fail_msg("packet %d (%zu B, seed %u): verdict %d", i, plen, seed, v);
		got = check_headers(out, olen, v6, &n);
		assert_int_equal(n, plen);
		if (memcmp(got, plain, plen))
			fail_msg("packet %d (%zu B, seed %u) differs from libsrtp2's plaintext", i,
				 plen, seed);
	}
	flow_stat(flow_id, fs);
	assert_int_equal(fs[0], (uint64_t)n_pkts);
	assert_int_equal(fs[2], 0);
	timing_print(rtcp ? "SRTCP->RTCP" : "SRTP->RTP", &t);
	ssrc_remove(flow_id, ssrc);
	flow_remove(&s);
	oracle_free(&o);
}

/* The fast path protects, libsrtp2 unprotects and must give back the original. */
static void protect_case(enum nwit_srtp_profile profile, int v6, int rtcp, int n_pkts,
			 uint16_t seq0)
{
	uint32_t ssrc = (uint32_t)rand() | 1, flow_id = 1 + (uint32_t)rand() % 4000;
	uint8_t plain[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX], got[PKT_MAX];
	struct pkt_spec s;
	struct oracle o;
	struct timing t = { { 0 }, { 0 } };
	int i, err;

	oracle_init(&o, profile, ssrc);
	spec_init(&s, v6);
	flow_install(&s, flow_id, NWIT_ACTION_RTP_TO_SRTP, NULL);
	err = ssrc_install(flow_id, ssrc, profile, &o.keys, 0);
	if (err)
		fail_msg("AES setup (%s) failed: %s", aes_name(fp.aes_impl),
			 strerror(-err));
	for (i = 0; i < n_pkts; i++) {
		enum hook hook = i % 2 ? HOOK_XDP : HOOK_TC;
		size_t plen, n, olen, glen;
		const uint8_t *p;
		uint32_t ns = 0;
		int len, v;

		if (rtcp)
			plen = make_rtcp(plain, 1400, ssrc);
		else
			plen = make_rtp(plain, 1400, (uint16_t)(seq0 + i), ssrc);
		n = pkt_build(&s, plain, plen, pkt);
		v = run_pkt(hook, pkt, n, out, &olen, 1, &ns);
		timing_add(&t, plen, ns);
		if (!verdict_passed(hook, v))
			fail_msg("packet %d (%zu B, seed %u): verdict %d", i, plen, seed, v);
		p = check_headers(out, olen, v6, &glen);
		assert_int_equal(glen, plen + (rtcp ? 14 : (profile == NWIT_SRTP_AES_CM_128_HMAC_SHA1_32
							     ? 4 : 10)));
		memcpy(got, p, glen);
		len = (int)glen;
		err = rtcp ? srtp_unprotect_rtcp(o.rx, got, &len) : srtp_unprotect(o.rx, got, &len);
		if (err != srtp_err_status_ok)
			fail_msg("libsrtp2 refused packet %d (%zu B, seed %u): status %d", i, plen,
				 seed, err);
		assert_int_equal((size_t)len, plen);
		if (memcmp(got, plain, plen))
			fail_msg("packet %d (%zu B, seed %u): libsrtp2's plaintext differs", i, plen,
				 seed);
	}
	timing_print(rtcp ? "RTCP->SRTCP" : "RTP->SRTP", &t);
	ssrc_remove(flow_id, ssrc);
	flow_remove(&s);
	oracle_free(&o);
}

static void unprotect_80_v4(void **st) { (void)st; unprotect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 0, PACKETS_PER_CASE, 60000); }
static void unprotect_32_v4(void **st) { (void)st; unprotect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_32, 0, 0, PACKETS_PER_CASE, 61000); }
static void unprotect_80_v6(void **st) { (void)st; unprotect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, PACKETS_PER_CASE / 5, 65000); }
static void unprotect_srtcp(void **st) { (void)st; unprotect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 1, PACKETS_PER_CASE, 0); }
static void protect_80_v4(void **st) { (void)st; protect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 0, PACKETS_PER_CASE, 62000); }
static void protect_32_v4(void **st) { (void)st; protect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_32, 0, 0, PACKETS_PER_CASE, 63000); }
static void protect_80_v6(void **st) { (void)st; protect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, 1, 0, PACKETS_PER_CASE / 5, 65000); }
static void protect_srtcp(void **st) { (void)st; protect_case(NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 1, PACKETS_PER_CASE, 0); }

/* What an RTP packet looks like without its header extension (X cleared). */
static size_t without_extension(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t start = 12 + (size_t)(in[0] & 0x0f) * 4, xlen;

	memcpy(out, in, n);
	if (!(in[0] & 0x10))
		return n;
	xlen = 4 + 4 * (size_t)(in[start + 2] << 8 | in[start + 3]);
	out[0] &= (uint8_t)~0x10;
	memcpy(out + start, in + start + xlen, n - start - xlen);
	return n - xlen;
}

/* A flow towards IMS strips RTP header extensions after unprotecting. */
static void unprotect_strips_extensions(void **st)
{
	uint32_t ssrc = 0x5eed0001, flow_id = 4004;
	uint8_t plain[PKT_MAX], exp[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	struct nwit_flow f;
	struct pkt_spec s;
	struct oracle o;
	int i, with_ext = 0;

	(void)st;
	oracle_init(&o, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, ssrc);
	spec_init(&s, 0);
	s.sport = 41003;
	memset(&f, 0, sizeof(f));
	f.flags = NWIT_FLOW_STRIP_EXT;
	flow_install(&s, flow_id, NWIT_ACTION_SRTP_TO_RTP, &f);
	assert_int_equal(ssrc_install(flow_id, ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &o.keys, 0),
			 0);
	for (i = 0; i < 1000; i++) {
		size_t plen = make_rtp(plain, 1400, (uint16_t)(3000 + i), ssrc), elen, n, olen;
		const uint8_t *got;
		int len = (int)plen;

		elen = without_extension(plain, plen, exp);
		with_ext += elen != plen;
		memcpy(prot, plain, plen);
		assert_int_equal(srtp_protect(o.tx, prot, &len), srtp_err_status_ok);
		n = pkt_build(&s, prot, (size_t)len, pkt);
		assert_true(verdict_passed(i % 2 ? HOOK_TC : HOOK_XDP,
					   run_pkt(i % 2 ? HOOK_TC : HOOK_XDP, pkt, n, out, &olen, 1,
						   NULL)));
		got = check_headers(out, olen, 0, &n);
		assert_int_equal(n, elen);
		if (memcmp(got, exp, elen))
			fail_msg("packet %d (seed %u): not the plaintext without its extension", i,
				 seed);
	}
	assert_true(with_ext > 100);
	ssrc_remove(flow_id, ssrc);
	flow_remove(&s);
	oracle_free(&o);
}

/*
 * Cost per packet for voice-sized (172 B) and video-sized (1200 B) RTP packets, XDP,
 * both directions, averaged over 2000 distinct packets (each run once: the transform
 * is not idempotent). Printed for docs/fastpath.md; checks only that all pass.
 */
static void per_packet_cost(void **st)
{
	static const size_t sizes[2] = { 172, 1200 };
	uint8_t plain[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	uint32_t ssrc = 0xbe0c0001;
	struct pkt_spec s;
	struct oracle o;
	int z, dir, i;

	(void)st;
	oracle_init(&o, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, ssrc);
	spec_init(&s, 0);
	s.sport = 41004;
	for (dir = 0; dir < 2; dir++) {
		flow_install(&s, 4005, dir ? NWIT_ACTION_RTP_TO_SRTP : NWIT_ACTION_SRTP_TO_RTP, NULL);
		assert_int_equal(ssrc_install(4005, ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &o.keys,
					      0), 0);
		for (z = 0; z < 2; z++) {
			uint64_t total = 0;

			for (i = 0; i < 2000; i++) {
				size_t n, olen, j;
				uint32_t ns = 0;
				int len = (int)sizes[z];

				plain[0] = 0x80;
				plain[1] = 0;
				plain[2] = (uint8_t)((z * 2000 + i) >> 8);
				plain[3] = (uint8_t)(z * 2000 + i);
				memset(plain + 4, 0, 4);
				plain[8] = 0xbe, plain[9] = 0x0c, plain[10] = 0, plain[11] = 1;
				for (j = 12; j < sizes[z]; j++)
					plain[j] = (uint8_t)j;
				memcpy(prot, plain, sizes[z]);
				if (!dir)
					assert_int_equal(srtp_protect(o.tx, prot, &len),
							 srtp_err_status_ok);
				n = pkt_build(&s, prot, (size_t)len, pkt);
				assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out,
									      &olen, 1, &ns)));
				total += ns;
			}
			printf("# cost %s %zu B RTP, AES %s: %llu ns/packet (XDP, "
			       "BPF_PROG_TEST_RUN)\n", dir ? "RTP->SRTP" : "SRTP->RTP", sizes[z],
			       aes_name(fp.aes_impl),
			       (unsigned long long)(total / 2000));
		}
		ssrc_remove(4005, ssrc);
	}
	flow_remove(&s);
	oracle_free(&o);
}

/* The ROC the kernel keeps after a rollover: 65000 + 10000 packets -> ROC 1. */
static void roc_after_rollover(void **st)
{
	uint32_t ssrc = 0x11223344, flow_id = 4001;
	uint8_t plain[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	struct nwit_ssrc_key sk = { .flow_id = flow_id, .ssrc = htonl(ssrc) };
	struct nwit_srtp_ctx c;
	struct pkt_spec s;
	struct oracle o;
	int i;

	(void)st;
	oracle_init(&o, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, ssrc);
	spec_init(&s, 0);
	s.sport = 41000;
	flow_install(&s, flow_id, NWIT_ACTION_SRTP_TO_RTP, NULL);
	assert_int_equal(ssrc_install(flow_id, ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &o.keys, 0),
			 0);
	for (i = 0; i < 1000; i++) {
		size_t plen = make_rtp(plain, 200, (uint16_t)(65000 + i), ssrc), n, olen;
		int len = (int)plen;

		assert_int_equal(srtp_protect(o.tx, plain, &len), srtp_err_status_ok);
		n = pkt_build(&s, plain, (size_t)len, pkt);
		assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	}
	assert_int_equal(bpf_map_lookup_elem(fp.srtp, &sk, &c), 0);
	assert_int_equal(c.index >> 16, 1);
	assert_int_equal(c.index & 0xffff, (65000 + 999) & 0xffff);
	ssrc_remove(flow_id, ssrc);
	flow_remove(&s);
	oracle_free(&o);
}

/*
 * RFC 3711 Appendix B.2: with session key 2B7E1516..., salt F0F1...FD, SSRC 0 and index
 * 0, the IV is F0F1...FD0000 and the keystream is E03EAD09... An RTP packet with SSRC 0,
 * SEQ 0 and a zero payload, protected by the kernel, carries the keystream itself.
 */
static void aes_cm_rfc3711_b2(void **st)
{
	static const uint8_t key[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
					 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
	static const uint8_t salt[14] = { 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
					  0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd };
	static const uint8_t keystream[48] = {
		0xe0, 0x3e, 0xad, 0x09, 0x35, 0xc9, 0x5e, 0x80, 0xe1, 0x66, 0xb1, 0x6d,
		0xd9, 0x2b, 0x4e, 0xb4, 0xd2, 0x35, 0x13, 0x16, 0x2b, 0x02, 0xd0, 0xf7,
		0x2a, 0x43, 0xa2, 0xfe, 0x4a, 0x5f, 0x97, 0xab, 0x41, 0xe9, 0x5b, 0x3b,
		0xb0, 0xa2, 0xe8, 0xdd, 0x47, 0x79, 0x01, 0xe4, 0xfc, 0xa8, 0x94, 0xc0,
	};
	struct srtp_session_keys k;
	uint8_t rtp[12 + 48], pkt[PKT_MAX], out[PKT_MAX];
	struct pkt_spec s;
	size_t n, olen, plen;
	const uint8_t *p;
	uint32_t flow_id = 4002;

	(void)st;
	memset(&k, 0, sizeof(k));
	memcpy(k.rtp_enc, key, 16);
	memcpy(k.rtp_salt, salt, 14);
	memcpy(k.rtcp_enc, key, 16);
	memset(rtp, 0, sizeof(rtp));
	rtp[0] = 0x80;
	spec_init(&s, 0);
	s.sport = 41001;
	flow_install(&s, flow_id, NWIT_ACTION_RTP_TO_SRTP, NULL);
	assert_int_equal(ssrc_install(flow_id, 0, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &k, 0), 0);
	n = pkt_build(&s, rtp, sizeof(rtp), pkt);
	assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	p = check_headers(out, olen, 0, &plen);
	assert_int_equal(plen, sizeof(rtp) + 10);
	assert_memory_equal(p, rtp, 12);
	assert_memory_equal(p + 12, keystream, sizeof(keystream));
	ssrc_remove(flow_id, 0);
	flow_remove(&s);
}

/*
 * RFC 3711 Appendix B.3 key derivation through the kernel's AES-CM: the KDF output of
 * label l is the keystream under the master key with IV (master_salt ^ (l << 48)) * 2^16,
 * which is what protecting a zero payload with SSRC 0 and index 0 yields when the
 * session key is the master key and the session salt that salt.
 */
static void kdf_rfc3711_b3(void **st)
{
	static const uint8_t master_key[16] = { 0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0,
						0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39 };
	static const uint8_t master_salt[14] = { 0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe,
						 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6 };
	static const uint8_t expect[3][20] = {
		/* label 0: cipher key */
		{ 0xc6, 0x1e, 0x7a, 0x93, 0x74, 0x4f, 0x39, 0xee, 0x10, 0x73, 0x4a, 0xfe, 0x3f,
		  0xf7, 0xa0, 0x87 },
		/* label 1: auth key */
		{ 0xce, 0xbe, 0x32, 0x1f, 0x6f, 0xf7, 0x71, 0x6b, 0x6f, 0xd4, 0xab, 0x49, 0xaf,
		  0x25, 0x6a, 0x15, 0x6d, 0x38, 0xba, 0xa4 },
		/* label 2: salt */
		{ 0x30, 0xcb, 0xbc, 0x08, 0x86, 0x3d, 0x8c, 0x85, 0xd4, 0x9d, 0xb3, 0x4a, 0x9a,
		  0xe1 },
	};
	static const size_t len[3] = { 16, 20, 14 };
	uint8_t rtp[12 + 32], pkt[PKT_MAX], out[PKT_MAX];
	struct srtp_session_keys k;
	struct pkt_spec s;
	const uint8_t *p;
	size_t n, olen, plen;
	uint32_t flow_id = 4007;
	int l;

	(void)st;
	spec_init(&s, 0);
	s.sport = 41006;
	flow_install(&s, flow_id, NWIT_ACTION_RTP_TO_SRTP, NULL);
	memset(rtp, 0, sizeof(rtp));
	rtp[0] = 0x80;
	for (l = 0; l < 3; l++) {
		memset(&k, 0, sizeof(k));
		memcpy(k.rtp_enc, master_key, 16);
		memcpy(k.rtcp_enc, master_key, 16);
		memcpy(k.rtp_salt, master_salt, 14);
		k.rtp_salt[7] ^= (uint8_t)l;
		assert_int_equal(ssrc_install(flow_id, 0, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &k, 0),
				 0);
		n = pkt_build(&s, rtp, sizeof(rtp), pkt);
		assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
		p = check_headers(out, olen, 0, &plen);
		if (memcmp(p + 12, expect[l], len[l]))
			fail_msg("label %d: the kernel's AES-CM does not give the B.3 vector", l);
		ssrc_remove(flow_id, 0);
	}
	flow_remove(&s);
}

struct drop_env {
	struct oracle o;
	struct pkt_spec s;
	uint32_t ssrc, flow_id;
	uint16_t seq;
};

static void drop_env_init(struct drop_env *e)
{
	e->ssrc = 0xcafe0001;
	e->flow_id = 4003;
	e->seq = 100;
	oracle_init(&e->o, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, e->ssrc);
	spec_init(&e->s, 0);
	e->s.sport = 41002;
	flow_install(&e->s, e->flow_id, NWIT_ACTION_SRTP_TO_RTP, NULL);
	assert_int_equal(ssrc_install(e->flow_id, e->ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80,
				      &e->o.keys, 0), 0);
}

static void drop_env_free(struct drop_env *e)
{
	ssrc_remove(e->flow_id, e->ssrc);
	flow_remove(&e->s);
	oracle_free(&e->o);
}

/* An SRTP packet of the next sequence number, protected by libsrtp2. */
static size_t next_srtp(struct drop_env *e, uint8_t *buf)
{
	size_t plen = make_rtp(buf, 300, e->seq++, e->ssrc);
	int len = (int)plen;

	assert_int_equal(srtp_protect(e->o.tx, buf, &len), srtp_err_status_ok);
	return (size_t)len;
}

/* Run payload through both hooks... once; expect a drop counted under reason. */
static void expect_drop(struct drop_env *e, enum hook hook, const uint8_t *payload, size_t len,
			enum nwit_drop_reason reason)
{
	uint8_t pkt[PKT_MAX], out[PKT_MAX];
	uint64_t before[NWIT_DROP__COUNT], after;
	size_t n, olen;
	int v, r;

	for (r = 1; r < NWIT_DROP__COUNT; r++)
		before[r] = drop_count(r);
	n = pkt_build(&e->s, payload, len, pkt);
	v = run_pkt(hook, pkt, n, out, &olen, 1, NULL);
	if (!verdict_dropped(hook, v))
		fail_msg("expected a drop for reason %d, verdict %d", reason, v);
	for (r = 1; r < NWIT_DROP__COUNT; r++) {
		after = drop_count(r);
		if (after != before[r] + (r == (int)reason))
			fail_msg("drop reason %d: %llu, expected %llu", r, (unsigned long long)after,
				 (unsigned long long)(before[r] + (r == (int)reason)));
	}
}

static void expect_pass(struct drop_env *e, enum hook hook, const uint8_t *payload, size_t len)
{
	uint8_t pkt[PKT_MAX], out[PKT_MAX];
	size_t n, olen;

	n = pkt_build(&e->s, payload, len, pkt);
	assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
}

static void drops(enum hook hook)
{
	struct drop_env e;
	uint8_t a[PKT_MAX], b[PKT_MAX], old[PKT_MAX];
	size_t la, lb, lold;
	int i;

	drop_env_init(&e);
	la = next_srtp(&e, a);
	memcpy(old, a, la);
	lold = la;
	expect_pass(&e, hook, a, la);

	/* replayed */
	expect_drop(&e, hook, a, la, NWIT_DROP_REPLAY);

	/* tampered tag, tampered payload, tampered header */
	lb = next_srtp(&e, b);
	b[lb - 1] ^= 0x01;
	expect_drop(&e, hook, b, lb, NWIT_DROP_AUTH_FAIL);
	b[lb - 1] ^= 0x01;
	b[lb / 2] ^= 0x80;
	expect_drop(&e, hook, b, lb, NWIT_DROP_AUTH_FAIL);
	b[lb / 2] ^= 0x80;
	b[1] ^= 0x01;
	expect_drop(&e, hook, b, lb, NWIT_DROP_AUTH_FAIL);
	b[1] ^= 0x01;
	/* after all that, the genuine packet is still accepted (no state was touched) */
	expect_pass(&e, hook, b, lb);

	/* truncated: shorter than header + tag; and a header extension past the end */
	expect_drop(&e, hook, b, 12 + 10 - 1, NWIT_DROP_MALFORMED);
	lb = next_srtp(&e, b);
	b[0] |= 0x1f;	/* 15 CSRCs, extension: longer than the packet */
	expect_drop(&e, hook, b, 12 + 10 + 4, NWIT_DROP_MALFORMED);

	/* unknown SSRC: to the stack (unknown_ssrc_to_stack checks how) */
	lb = next_srtp(&e, b);
	b[11] ^= 0xff;
	expect_pass(&e, hook, b, lb);

	/* older than the 64-packet window */
	for (i = 0; i < 70; i++) {
		lb = next_srtp(&e, b);
		expect_pass(&e, hook, b, lb);
	}
	expect_drop(&e, hook, old, lold, NWIT_DROP_REPLAY);

	/* within the window but not yet seen: accepted once, then a replay */
	e.seq += 5;
	lb = next_srtp(&e, b);
	expect_pass(&e, hook, b, lb);
	e.seq -= 4;
	la = next_srtp(&e, a);
	expect_pass(&e, hook, a, la);
	expect_drop(&e, hook, a, la, NWIT_DROP_REPLAY);
	drop_env_free(&e);
}

/* Protect never uses an index twice: a repeated RTP packet would reuse keystream. */
static void protect_refuses_index_reuse(void **st)
{
	uint8_t plain[PKT_MAX], other[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	uint32_t ssrc = 0xcafe0002, flow_id = 4006;
	struct pkt_spec s;
	struct oracle o;
	uint64_t before;
	size_t n, olen, plen;
	int i;

	(void)st;
	oracle_init(&o, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, ssrc);
	spec_init(&s, 0);
	s.sport = 41005;
	flow_install(&s, flow_id, NWIT_ACTION_RTP_TO_SRTP, NULL);
	assert_int_equal(ssrc_install(flow_id, ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &o.keys, 0),
			 0);
	for (i = 0; i < 5; i++) {
		plen = make_rtp(plain, 300, (uint16_t)(500 + i), ssrc);
		n = pkt_build(&s, plain, plen, pkt);
		assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	}
	/* seq 502 again, other payload: refused and counted */
	plen = make_rtp(other, 300, 502, ssrc);
	n = pkt_build(&s, other, plen, pkt);
	before = drop_count(NWIT_DROP_REPLAY);
	assert_true(verdict_dropped(HOOK_TC, run_pkt(HOOK_TC, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(drop_count(NWIT_DROP_REPLAY), before + 1);
	/* late but unused (seq 499) is fine, once */
	plen = make_rtp(other, 300, 499, ssrc);
	n = pkt_build(&s, other, plen, pkt);
	assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	assert_true(verdict_dropped(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	ssrc_remove(flow_id, ssrc);
	flow_remove(&s);
	oracle_free(&o);
}

/*
 * Random datagrams on an SRTP flow (RTP/RTCP first byte, half of them with the flow's SSRC):
 * none may come out transformed; each one is either dropped and counted under exactly one
 * reason, or (an SSRC the flow does not know) handed to the stack byte for byte and
 * counted in the flow's unknown_ssrc.
 */
static void random_datagrams_dropped(void **st)
{
	uint8_t junk[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	uint64_t before = 0, after = 0, fs0[5], fs1[5];
	struct drop_env e;
	int i, r, passed = 0;

	(void)st;
	drop_env_init(&e);
	for (r = 1; r < NWIT_DROP__COUNT; r++)
		before += drop_count(r);
	flow_stat(e.flow_id, fs0);
	for (i = 0; i < 2000; i++) {
		size_t len = 1 + (size_t)rand() % 1500, n, olen, j;
		enum hook hook = i % 2 ? HOOK_TC : HOOK_XDP;
		int v;

		for (j = 0; j < len; j++)
			junk[j] = (uint8_t)rand();
		junk[0] = (uint8_t)(0x80 | (junk[0] & 0x3f));	/* classified as RTP/RTCP */
		if (i % 2 && len >= 12) {
			junk[8] = 0xca, junk[9] = 0xfe, junk[10] = 0x00, junk[11] = 0x01;
			junk[4] = 0xca, junk[5] = 0xfe, junk[6] = 0x00, junk[7] = 0x01;
		}
		n = pkt_build(&e.s, junk, len, pkt);
		v = run_pkt(hook, pkt, n, out, &olen, 1, NULL);
		if (verdict_passed(hook, v)) {
			if (olen != n || memcmp(out, pkt, n))
				fail_msg("random datagram %d (%zu B, seed %u) passed changed", i, len,
					 seed);
			passed++;
		} else if (!verdict_dropped(hook, v)) {
			fail_msg("random datagram %d (%zu B, seed %u): verdict %d", i, len, seed, v);
		}
	}
	for (r = 1; r < NWIT_DROP__COUNT; r++)
		after += drop_count(r);
	flow_stat(e.flow_id, fs1);
	assert_int_equal(after - before, 2000 - passed);
	assert_int_equal(fs1[4] - fs0[4], passed);
	assert_int_equal(fs1[3] - fs0[3], passed);
	assert_true(passed > 300);	/* about half have a random SSRC */
	drop_env_free(&e);
}

/*
 * An SSRC the flow has no context for (an IMS peer's announcement, a transfer) goes to the
 * stack untouched, for the relay: RTP and RTCP, both actions, both hooks; counted in the
 * flow's to_stack and unknown_ssrc, in no drop reason. Once its context is installed the
 * same SSRC is translated.
 */
static void unknown_ssrc_to_stack(void **st)
{
	uint8_t plain[PKT_MAX], prot[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX];
	uint32_t known = 0xaaaa0001, other = 0xbbbb0002, flow_id = 4010;
	uint64_t drops0 = 0, drops1 = 0, fs0[5], fs1[5];
	struct oracle o, o2;
	struct pkt_spec s;
	int act, i, r, sent = 0;

	(void)st;
	oracle_init(&o, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, known);
	oracle_init(&o2, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, other);
	spec_init(&s, 0);
	s.sport = 41010;
	for (act = 0; act < 2; act++) {
		enum nwit_flow_action a = act ? NWIT_ACTION_RTP_TO_SRTP : NWIT_ACTION_SRTP_TO_RTP;

		flow_install(&s, flow_id, a, NULL);
		assert_int_equal(ssrc_install(flow_id, known, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80,
					      &o.keys, 0), 0);
		for (r = 1; r < NWIT_DROP__COUNT; r++)
			drops0 += drop_count(r);
		flow_stat(flow_id, fs0);
		for (i = 0; i < 40; i++) {
			enum hook hook = i % 2 ? HOOK_TC : HOOK_XDP;
			int rtcp = i % 4 >= 2, len;
			size_t plen, n, olen;

			plen = rtcp ? make_rtcp(plain, 300, other)
				    : make_rtp(plain, 300, (uint16_t)(act * 1000 + i), other);
			memcpy(prot, plain, plen);
			len = (int)plen;
			if (!act)
				assert_int_equal(rtcp ? srtp_protect_rtcp(o2.tx, prot, &len)
						      : srtp_protect(o2.tx, prot, &len),
						 srtp_err_status_ok);
			n = pkt_build(&s, prot, (size_t)len, pkt);
			if (!verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)))
				fail_msg("packet %d of an unknown SSRC (action %d) was not passed", i,
					 (int)a);
			assert_int_equal(olen, n);
			assert_memory_equal(out, pkt, n);
			sent++;
		}
		flow_stat(flow_id, fs1);
		for (r = 1; r < NWIT_DROP__COUNT; r++)
			drops1 += drop_count(r);
		assert_int_equal(drops1 - drops0, 0);
		assert_int_equal(fs1[4] - fs0[4], 40);
		assert_int_equal(fs1[3] - fs0[3], 40);
		assert_int_equal(fs1[0] - fs0[0], 0);
		drops0 = drops1 = 0;
		ssrc_remove(flow_id, known);
	}
	/* with a context, the SSRC is the flow's like any other */
	flow_install(&s, flow_id, NWIT_ACTION_SRTP_TO_RTP, NULL);
	assert_int_equal(ssrc_install(flow_id, other, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &o2.keys,
				      0), 0);
	{
		size_t plen = make_rtp(plain, 300, 5000, other), n, olen, glen;
		const uint8_t *got;
		int len = (int)plen;

		memcpy(prot, plain, plen);
		assert_int_equal(srtp_protect(o2.tx, prot, &len), srtp_err_status_ok);
		n = pkt_build(&s, prot, (size_t)len, pkt);
		assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
		got = check_headers(out, olen, 0, &glen);
		assert_int_equal(glen, plen);
		assert_memory_equal(got, plain, plen);
	}
	assert_int_equal(sent, 80);
	ssrc_remove(flow_id, other);
	flow_remove(&s);
	oracle_free(&o);
	oracle_free(&o2);
}

/*
 * The AES-CM keystream against OpenSSL: RTP with a zero payload of 4..1400 bytes under
 * random keys, salts, SSRCs and indexes, protected by the fast path, carries the keystream
 * itself, which must equal OpenSSL's AES-128-ECB over the counter blocks (IV + j) computed
 * here from RFC 3711 section 4.1.1.
 */
static void keystream_vs_openssl(void **st)
{
	uint8_t rtp[PKT_MAX], pkt[PKT_MAX], out[PKT_MAX], ctr[1408], ks[1408 + 16];
	uint32_t flow_id = 4011;
	struct srtp_session_keys k;
	struct pkt_spec s;
	int i;

	(void)st;
	spec_init(&s, 0);
	s.sport = 41011;
	flow_install(&s, flow_id, NWIT_ACTION_RTP_TO_SRTP, NULL);
	for (i = 0; i < 300; i++) {
		uint32_t ssrc = (uint32_t)rand(), roc = (uint32_t)rand() & 0xffff;
		uint16_t seq = (uint16_t)rand();
		size_t plen = 4 + (size_t)rand() % 1397, n, olen, glen, j, nblk = (plen + 15) / 16;
		uint64_t index = (uint64_t)roc << 16 | seq;
		const uint8_t *p;
		EVP_CIPHER_CTX *c;
		enum hook hook;
		int outl = 0;

		memset(&k, 0, sizeof(k));
		for (j = 0; j < 16; j++)
			k.rtp_enc[j] = (uint8_t)rand(), k.rtcp_enc[j] = (uint8_t)rand();
		for (j = 0; j < 14; j++)
			k.rtp_salt[j] = (uint8_t)rand();
		assert_int_equal(ssrc_install(flow_id, ssrc, NWIT_SRTP_AES_CM_128_HMAC_SHA1_80, &k,
					      roc), 0);
		for (j = 0; j < nblk; j++) {
			uint8_t *b = ctr + 16 * j;
			size_t q;

			memcpy(b, k.rtp_salt, 14);
			b[14] = b[15] = 0;
			for (q = 0; q < 4; q++)
				b[4 + q] ^= (uint8_t)(ssrc >> (24 - 8 * q));
			for (q = 0; q < 6; q++)
				b[8 + q] ^= (uint8_t)(index >> (40 - 8 * q));
			b[14] ^= (uint8_t)(j >> 8);
			b[15] ^= (uint8_t)j;
		}
		c = EVP_CIPHER_CTX_new();
		assert_non_null(c);
		assert_int_equal(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, k.rtp_enc, NULL), 1);
		EVP_CIPHER_CTX_set_padding(c, 0);
		assert_int_equal(EVP_EncryptUpdate(c, ks, &outl, ctr, (int)(nblk * 16)), 1);
		EVP_CIPHER_CTX_free(c);
		memset(rtp, 0, 12 + plen);
		rtp[0] = 0x80;
		rtp[2] = (uint8_t)(seq >> 8), rtp[3] = (uint8_t)seq;
		rtp[8] = (uint8_t)(ssrc >> 24), rtp[9] = (uint8_t)(ssrc >> 16);
		rtp[10] = (uint8_t)(ssrc >> 8), rtp[11] = (uint8_t)ssrc;
		n = pkt_build(&s, rtp, 12 + plen, pkt);
		hook = i % 2 ? HOOK_TC : HOOK_XDP;
		assert_true(verdict_passed(hook, run_pkt(hook, pkt, n, out, &olen, 1, NULL)));
		p = check_headers(out, olen, 0, &glen);
		assert_int_equal(glen, 12 + plen + 10);
		if (memcmp(p + 12, ks, plen))
			fail_msg("keystream %d (%zu B, AES %s, seed %u) differs from OpenSSL's", i,
				 plen, aes_name(fp.aes_impl), seed);
		ssrc_remove(flow_id, ssrc);
	}
	flow_remove(&s);
}

static void drops_xdp(void **st) { (void)st; drops(HOOK_XDP); }
static void drops_tc(void **st) { (void)st; drops(HOOK_TC); }

/* STUN and DTLS on a flow's 5-tuple are not media: the stack gets them untouched. */
static void non_media_on_flow(void **st)
{
	static const uint8_t stun[20] = { 0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42 };
	static const uint8_t dtls[13] = { 22, 0xfe, 0xfd };
	uint8_t pkt[PKT_MAX], out[PKT_MAX];
	struct drop_env e;
	size_t n, olen;

	(void)st;
	drop_env_init(&e);
	n = pkt_build(&e.s, stun, sizeof(stun), pkt);
	assert_true(verdict_passed(HOOK_XDP, run_pkt(HOOK_XDP, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(olen, n);
	assert_memory_equal(out, pkt, n);
	n = pkt_build(&e.s, dtls, sizeof(dtls), pkt);
	assert_true(verdict_passed(HOOK_TC, run_pkt(HOOK_TC, pkt, n, out, &olen, 1, NULL)));
	assert_int_equal(olen, n);
	assert_memory_equal(out, pkt, n);
	drop_env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aes_cm_rfc3711_b2),
		cmocka_unit_test(kdf_rfc3711_b3),
		cmocka_unit_test(unprotect_80_v4),
		cmocka_unit_test(unprotect_32_v4),
		cmocka_unit_test(unprotect_80_v6),
		cmocka_unit_test(unprotect_srtcp),
		cmocka_unit_test(protect_80_v4),
		cmocka_unit_test(protect_32_v4),
		cmocka_unit_test(protect_80_v6),
		cmocka_unit_test(protect_srtcp),
		cmocka_unit_test(roc_after_rollover),
		cmocka_unit_test(unprotect_strips_extensions),
		cmocka_unit_test(per_packet_cost),
		cmocka_unit_test(drops_xdp),
		cmocka_unit_test(drops_tc),
		cmocka_unit_test(protect_refuses_index_reuse),
		cmocka_unit_test(random_datagrams_dropped),
		cmocka_unit_test(unknown_ssrc_to_stack),
		cmocka_unit_test(keystream_vs_openssl),
		cmocka_unit_test(non_media_on_flow),
	};
	static const struct {
		int plain;
		enum nwit_aes_impl aes;
	} variants[] = {
		{ 0, NWIT_AES_FIXED_TIME },
		{ 0, NWIT_AES_GENERIC },
		{ 0, NWIT_AES_BPF },
		{ 1, NWIT_AES_BPF },
	};
	const char *env = getenv("NWIT_TEST_SEED");
	int rc = 0, ran = 0, loaded = 0, err;
	size_t v;

	seed = env ? (unsigned int)strtoul(env, NULL, 0) : (unsigned int)time(NULL);
	printf("# seed %u (set NWIT_TEST_SEED to repeat)\n", seed);
	if (srtp_init() != srtp_err_status_ok) {
		printf("libsrtp2 init failed\n");
		return 1;
	}
	for (v = 0; v < sizeof(variants) / sizeof(variants[0]); v++) {
		const char *obj = variants[v].plain ? "nwit_fastpath_plain" : "nwit_fastpath";
		struct nwit_fastpath_plain *plain = NULL;
		struct srtp_session_keys k;
		struct nwit_ssrc_key sk = { .flow_id = 0, .ssrc = 0 };

		srand(seed);
		skel = NULL;
		if (variants[v].plain) {
			plain = nwit_fastpath_plain__open_and_load();
			if (plain)
				fp_bind(plain->obj);
		} else {
			skel = nwit_fastpath__open_and_load();
			if (skel)
				fp_bind(skel->obj);
		}
		fp.aes_impl = variants[v].aes;
		printf("# %s, AES %s\n", obj, aes_name(fp.aes_impl));
		err = -errno;
		if (!skel && !plain) {
			printf("# skipped: cannot load %s: %s\n", obj, strerror(-err));
			continue;
		}
		loaded++;
		/* probe the AES once: without it this variant is skipped */
		memset(&k, 0x42, sizeof(k));
		err = fastpath_crypto_setup(fp.setup, &sk, &k, fp.aes_impl);
		bpf_map_delete_elem(fp.aes, &sk);
		if (err) {
			printf("# skipped: %s cannot set up AES %s: %s\n", obj,
			       aes_name(fp.aes_impl), strerror(-err));
		} else {
			rc += cmocka_run_group_tests_name(aes_name(fp.aes_impl), tests, NULL,
							  NULL);
			ran++;
		}
		nwit_fastpath__destroy(skel);
		nwit_fastpath_plain__destroy(plain);
	}
	srtp_shutdown();
	/* a kernel may lack one variant's helpers, never every object */
	if (!loaded)
		load_failed("a fast path BPF object loads", EOPNOTSUPP);
	if (!ran)
		skip_all("no AES variant of the fast path can be set up here", EOPNOTSUPP);
	return rc;
}
