/*
 * Userspace SRTP cost per packet, side by side: our transform (srtp.h), libsrtp2 on the
 * same packets, the crypto floor (one AES-128-CTR pass and one HMAC-SHA1 over the same
 * bytes through OpenSSL EVP, nothing else), and the relay core (relay.h) in both
 * directions. RTP packets of 172 B (voice: 12 B header + 160 B) and 1200 B (video),
 * sizes before the tag. Prints ns/packet (median of 5 runs) and ratios to the floor.
 *
 *   bench_srtp [packets per run]     (default 50000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <srtp2/srtp.h>

#include "relay/relay.h"
#include "srtp/srtp.h"

#define BATCH 1024
#define RUNS 5

static uint8_t key_salt[30] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30 };
static uint8_t pkts[BATCH][RELAY_BUF_SIZE];
static size_t lens[BATCH];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void make_batch(size_t size, uint32_t first_seq, uint8_t pt)
{
	for (int i = 0; i < BATCH; i++) {
		uint16_t seq = (uint16_t)(first_seq + (uint32_t)i);

		memset(pkts[i], 0x5a, size);
		pkts[i][0] = 0x80;
		pkts[i][1] = pt;
		pkts[i][2] = (uint8_t)(seq >> 8);
		pkts[i][3] = (uint8_t)seq;
		memset(pkts[i] + 4, 0, 4);
		pkts[i][8] = 0x11, pkts[i][9] = 0x22, pkts[i][10] = 0x33, pkts[i][11] = 0x44;
		lens[i] = size;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_double);
	return v[RUNS / 2];
}

/* The floor: AES-128-CTR over the payload and HMAC-SHA1 over the packet and 4 bytes of
 * ROC, nothing more (contexts set up once, like the transform's). */
struct floor_ctx {
	EVP_CIPHER_CTX *c;
	EVP_MAC *mac;
	EVP_MAC_CTX *m;
};

static int floor_init(struct floor_ctx *f)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0),
		OSSL_PARAM_construct_end(),
	};

	f->c = EVP_CIPHER_CTX_new();
	f->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	f->m = f->mac ? EVP_MAC_CTX_new(f->mac) : NULL;
	return f->c && f->m && EVP_EncryptInit_ex(f->c, EVP_aes_128_ctr(), NULL, key_salt, NULL) &&
	       EVP_MAC_init(f->m, key_salt, 20, params) ? 0 : -1;
}

static void floor_free(struct floor_ctx *f)
{
	EVP_MAC_CTX_free(f->m);
	EVP_MAC_free(f->mac);
	EVP_CIPHER_CTX_free(f->c);
}

static void floor_packet(struct floor_ctx *f, uint8_t *p, size_t size, uint16_t i)
{
	uint8_t iv[16] = { 0 }, tag[20];
	size_t tl;
	int outl;

	iv[14] = (uint8_t)(i >> 8);
	iv[15] = (uint8_t)i;
	EVP_EncryptInit_ex(f->c, NULL, NULL, NULL, iv);
	EVP_EncryptUpdate(f->c, p + 12, &outl, p + 12, (int)size - 12);
	EVP_MAC_init(f->m, NULL, 0, NULL);
	EVP_MAC_update(f->m, p, size + 4);
	EVP_MAC_final(f->m, tag, &tl, sizeof(tag));
}

enum op { FLOOR, OURS_PROTECT, OURS_UNPROTECT, LIB_PROTECT, LIB_UNPROTECT, RELAY_S2R, RELAY_R2S, OP__N };

/* ns/packet of each op for one size; protect and unprotect alternate on fresh packets. */
static void measure(size_t size, unsigned int packets, double out[OP__N])
{
	double t[OP__N][RUNS];

	for (int run = 0; run < RUNS; run++) {
		struct srtp_session *otx = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key_salt,
							    key_salt + 16, SRTP_F_ANY_SSRC, 0);
		struct srtp_session *orx = srtp_session_new(SRTP_SUITE_AES_CM_128_HMAC_SHA1_80, key_salt,
							    key_salt + 16, SRTP_F_ANY_SSRC, 0);
		srtp_policy_t pol;
		srtp_t ltx, lrx, ltx2;
		struct relay_flow_desc d;
		struct relay_flow *rf;
		enum relay_port port;
		struct floor_ctx fc;
		double acc[OP__N] = { 0 }, t0;
		uint32_t seq = 0;

		memset(&pol, 0, sizeof(pol));
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		pol.key = key_salt;
		pol.window_size = 128;
		pol.ssrc.type = ssrc_any_outbound;
		srtp_create(&ltx, &pol);
		srtp_create(&ltx2, &pol);	/* the browser feeding the relay */
		pol.ssrc.type = ssrc_any_inbound;
		srtp_create(&lrx, &pol);
		memset(&d, 0, sizeof(d));
		d.side[RELAY_SIDE_BROWSER].rtcp_mux = 1;
		d.side[RELAY_SIDE_BROWSER].suite = SRTP_SUITE_AES_CM_128_HMAC_SHA1_80;
		memcpy(d.side[RELAY_SIDE_BROWSER].in_key, key_salt, 16);
		memcpy(d.side[RELAY_SIDE_BROWSER].in_salt, key_salt + 16, 14);
		memcpy(d.side[RELAY_SIDE_BROWSER].out_key, key_salt, 16);
		memcpy(d.side[RELAY_SIDE_BROWSER].out_salt, key_salt + 16, 14);
		d.side[RELAY_SIDE_IMS].pt_map[111] = RELAY_PT_MAPPED | 96;
		d.side[RELAY_SIDE_BROWSER].pt_map[96] = RELAY_PT_MAPPED | 111;
		rf = relay_flow_new(&d);
		if (floor_init(&fc) < 0 || !otx || !orx || !ltx || !lrx || !ltx2 || !rf) {
			fprintf(stderr, "bench_srtp: setting up the sessions failed\n");
			exit(1);
		}
		for (unsigned int done = 0; done < packets; done += BATCH, seq += BATCH) {
			make_batch(size, seq, 0);
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++)
				floor_packet(&fc, pkts[i], size, (uint16_t)i);
			acc[FLOOR] += now_ns() - t0;
			/* ours */
			make_batch(size, seq, 0);
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++)
				srtp_session_protect_rtp(otx, pkts[i], &lens[i], RELAY_BUF_SIZE);
			acc[OURS_PROTECT] += now_ns() - t0;
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++)
				if (srtp_session_unprotect_rtp(orx, pkts[i], &lens[i]) != 0)
					abort();
			acc[OURS_UNPROTECT] += now_ns() - t0;
			/* libsrtp2 */
			make_batch(size, seq, 0);
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++) {
				int l = (int)lens[i];

				srtp_protect(ltx, pkts[i], &l);
				lens[i] = (size_t)l;
			}
			acc[LIB_PROTECT] += now_ns() - t0;
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++) {
				int l = (int)lens[i];

				if (srtp_unprotect(lrx, pkts[i], &l) != srtp_err_status_ok)
					abort();
			}
			acc[LIB_UNPROTECT] += now_ns() - t0;
			/* relay: SRTP from the browser (made by libsrtp2) -> RTP, then RTP -> SRTP */
			make_batch(size, seq, 111);
			for (int i = 0; i < BATCH; i++) {
				int l = (int)lens[i];

				srtp_protect(ltx2, pkts[i], &l);
				lens[i] = (size_t)l;
			}
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++)
				if (relay_translate(rf, RELAY_SIDE_BROWSER, RELAY_PORT_RTP, NULL, pkts[i],
						    &lens[i], RELAY_BUF_SIZE, &port) != 0)
					abort();
			acc[RELAY_S2R] += now_ns() - t0;
			make_batch(size, seq, 96);
			t0 = now_ns();
			for (int i = 0; i < BATCH; i++)
				if (relay_translate(rf, RELAY_SIDE_IMS, RELAY_PORT_RTP, NULL, pkts[i],
						    &lens[i], RELAY_BUF_SIZE, &port) != 0)
					abort();
			acc[RELAY_R2S] += now_ns() - t0;
		}
		for (int o = 0; o < OP__N; o++)
			t[o][run] = acc[o] / (double)((packets + BATCH - 1) / BATCH * BATCH);
		srtp_session_free(otx);
		srtp_session_free(orx);
		srtp_dealloc(ltx);
		srtp_dealloc(lrx);
		srtp_dealloc(ltx2);
		relay_flow_free(rf);
		floor_free(&fc);
	}
	for (int o = 0; o < OP__N; o++)
		out[o] = median(t[o]);
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 172, 1200 };
	unsigned int packets = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 50000;

	if (packets < BATCH)
		packets = BATCH;
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	printf("# AES_CM_128_HMAC_SHA1_80, RTP size before the tag, ns/packet (median of %d runs"
	       " of %u packets); ratio = ns / floor\n", RUNS, packets);
	printf("%-6s %-8s %-10s %-10s %-10s %-10s %-10s %-10s %-10s\n", "size", "floor",
	       "protect", "unprotect", "lib_prot", "lib_unpr", "relay_s2r", "relay_r2s",
	       "ratio_s2r");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		double r[OP__N], fl;

		measure(sizes[s], packets, r);
		fl = r[FLOOR];
		printf("%-6zu %-8.0f %-10.0f %-10.0f %-10.0f %-10.0f %-10.0f %-10.0f %-10.2f\n",
		       sizes[s], fl, r[OURS_PROTECT], r[OURS_UNPROTECT], r[LIB_PROTECT],
		       r[LIB_UNPROTECT], r[RELAY_S2R], r[RELAY_R2S], r[RELAY_S2R] / fl);
	}
	srtp_shutdown();
	return 0;
}
