/*
 * CPU cost of transcoding one call's audio, per call-second, next to a plain copy of the
 * same packets measured in the same run. A "call-second" is 50 packets of 20 ms each way.
 * Input is a speech-like signal (three tones with a 4 Hz envelope and noise), made once:
 * Opus packets from libopus at 32 kbit/s (as a browser sends), AMR-WB / AMR packets from
 * the codec libraries (as an IMS peer sends), PCMU. DTX is off, so every frame is coded
 * (the worst case). CPU time is the thread's (CLOCK_THREAD_CPUTIME_ID), median of 5 runs.
 * SRTP on the browser leg costs the same with or without transcoding (bench_srtp).
 *
 *   bench_transcode [seconds of audio per run]     (default 20)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <opus/opus.h>

#include "codec/amr_codec.h"
#include "codec/amr_payload.h"
#include "codec/g711.h"
#include "codec/rtp_map.h"
#include "codec/xcode.h"

#define RUNS 5
#define MAXPKT 400

struct stream {
	size_t n;
	uint8_t (*pkt)[MAXPKT];
	size_t *len;
};

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* speech-like: 220/710/1800 Hz under a 4 Hz envelope, plus noise */
static void signal_at(int16_t *pcm, size_t n, unsigned rate, uint64_t *pos)
{
	for (size_t i = 0; i < n; i++, (*pos)++) {
		double t = (double)*pos / rate;
		double env = 0.55 + 0.45 * sin(2 * M_PI * 4 * t);
		double s = 0.5 * sin(2 * M_PI * 220 * t) + 0.3 * sin(2 * M_PI * 710 * t) +
			   0.2 * sin(2 * M_PI * 1800 * t);

		pcm[i] = (int16_t)(9000 * env * s + (rand() % 601 - 300));
	}
}

static void stream_alloc(struct stream *s, size_t n)
{
	s->n = n;
	s->pkt = calloc(n, MAXPKT);
	s->len = calloc(n, sizeof(size_t));
	if (!s->pkt || !s->len)
		exit(1);
}

static void make_web(struct stream *s, size_t n, enum xcode_web_codec web, uint8_t pt)
{
	unsigned rate = web == XCODE_WEB_OPUS ? 48000 : 8000, step = rate / 50;
	OpusEncoder *enc = NULL;
	int16_t pcm[960];
	uint64_t pos = 0;
	int rc;

	stream_alloc(s, n);
	if (web == XCODE_WEB_OPUS) {
		enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &rc);
		opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
	}
	for (size_t i = 0; i < n; i++) {
		signal_at(pcm, step, rate, &pos);
		rtp_header_write(s->pkt[i], pt, i == 0, (uint16_t)i, (uint32_t)(i * step), 0x1234);
		if (enc) {
			rc = opus_encode(enc, pcm, (int)step, s->pkt[i] + 12, MAXPKT - 12);
		} else {
			g711_encode(0, pcm, step, s->pkt[i] + 12);
			rc = (int)step;
		}
		if (rc <= 0)
			exit(1);
		s->len[i] = 12 + (size_t)rc;
	}
	if (enc)
		opus_encoder_destroy(enc);
}

static void make_ims(struct stream *s, size_t n, enum amr_codec c, unsigned mode, uint8_t pt)
{
	struct amr_enc *e = amr_enc_new(c, false);
	const struct amr_format fmt = { c, true, 0 };
	struct amr_payload pl = { .cmr = AMR_CMR_NONE, .nframes = 1 };
	unsigned frame = amr_frame_samples(c);
	int16_t pcm[320];
	uint64_t pos = 0;
	char err[160];
	int rc;

	stream_alloc(s, n);
	for (size_t i = 0; i < n; i++) {
		signal_at(pcm, frame, amr_rate(c), &pos);
		if (amr_enc_frame(e, mode, pcm, &pl.frame[0]) < 0)
			exit(1);
		rtp_header_write(s->pkt[i], pt, i == 0, (uint16_t)i, (uint32_t)(i * frame), 0x5678);
		rc = amr_payload_build(&fmt, &pl, s->pkt[i] + 12, MAXPKT - 12, err, sizeof(err));
		if (rc <= 0)
			exit(1);
		s->len[i] = 12 + (size_t)rc;
	}
	amr_enc_free(e);
}

/* ns per packet: the transcoder in one direction */
static double run_xcode(const struct xcode_config *c, enum xcode_dir dir, const struct stream *s)
{
	static uint8_t out[1500];
	struct xcode *x;
	char err[200];
	double t0, t1;

	if (xcode_new(c, &x, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_transcode: %s\n", err);
		exit(1);
	}
	t0 = cpu_ns();
	for (size_t i = 0; i < s->n; i++)
		if (xcode_packet(x, dir, s->pkt[i], s->len[i], out, sizeof(out), err, sizeof(err)) <= 0) {
			fprintf(stderr, "bench_transcode: packet %zu: %s\n", i, err);
			exit(1);
		}
	t1 = cpu_ns();
	xcode_free(x);
	return (t1 - t0) / (double)s->n;
}

/* ns per packet: a plain copy with the same RTP handling (parse, map, new header) */
static double run_copy(const struct stream *s, unsigned in_rate, unsigned out_rate)
{
	static uint8_t out[1500];
	struct rtp_map m;
	struct rtp_view v;
	uint32_t ts;
	double t0, t1;

	rtp_map_init(&m, in_rate, out_rate, 0xabcd, 1, 1);
	t0 = cpu_ns();
	for (size_t i = 0; i < s->n; i++) {
		if (rtp_view_parse(s->pkt[i], s->len[i], &v) < 0 || rtp_map_in(&m, &v, &ts) < 0)
			exit(1);
		rtp_map_out(&m, out, 96, v.marker, ts, 320);
		memcpy(out + 12, v.payload, v.payload_len);
		__asm__ volatile("" : : "r"(out) : "memory");
	}
	t1 = cpu_ns();
	return (t1 - t0) / (double)s->n;
}

struct row {
	const char *name;
	enum xcode_web_codec web;
	enum amr_codec ims;
	unsigned mode;
};

int main(int argc, char **argv)
{
	static const struct row rows[] = {
		{ "Opus <-> AMR-WB 23.85", XCODE_WEB_OPUS, AMR_WB, 8 },
		{ "Opus <-> AMR-WB 12.65", XCODE_WEB_OPUS, AMR_WB, 2 },
		{ "Opus <-> AMR 12.2", XCODE_WEB_OPUS, AMR_NB, 7 },
		{ "PCMU <-> AMR-WB 12.65", XCODE_WEB_PCMU, AMR_WB, 2 },
	};
	size_t n = (size_t)(argc > 1 ? atoi(argv[1]) : 20) * 50;
	struct stream opus, pcmu;

	if (n < 50)
		n = 50;
	srand(1);
	make_web(&opus, n, XCODE_WEB_OPUS, 111);
	make_web(&pcmu, n, XCODE_WEB_PCMU, 0);
	printf("# %zu packets (%zu s of audio) per run, median of %d runs, thread CPU time\n", n,
	       n / 50, RUNS);
	printf("# us/pkt: CPU per 20 ms packet; call-s: CPU per second of a call, both directions;\n"
	       "# %%core: that share of one core (target < 5 %%); x copy: ratio to the plain copy\n");
	printf("%-22s %12s %12s %12s %8s %9s\n", "path", "to IMS us/pkt", "to web us/pkt",
	       "call-s us", "%core", "x copy");
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct xcode_config c;
		struct stream ims;
		double up[RUNS], down[RUNS], cp[RUNS], u, d, k, call, copy_call;
		const struct stream *web = rows[r].web == XCODE_WEB_OPUS ? &opus : &pcmu;

		make_ims(&ims, n, rows[r].ims, rows[r].mode, 96);
		xcode_config_default(&c, rows[r].web, rows[r].ims);
		c.dtx = false;
		c.ims_fmtp.octet_align = true;
		c.ims_fmtp.mode_set = (uint16_t)(1u << rows[r].mode);
		for (int i = 0; i < RUNS; i++) {
			/* interleaved, so that noise from other work hits all columns alike */
			up[i] = run_xcode(&c, XCODE_TO_IMS, web);
			down[i] = run_xcode(&c, XCODE_TO_WEB, &ims);
			cp[i] = run_copy(web, 48000, 16000) + run_copy(&ims, 16000, 48000);
		}
		qsort(up, RUNS, sizeof(double), cmp_double);
		qsort(down, RUNS, sizeof(double), cmp_double);
		qsort(cp, RUNS, sizeof(double), cmp_double);
		u = up[RUNS / 2] / 1e3;
		d = down[RUNS / 2] / 1e3;
		k = cp[RUNS / 2] / 1e3;
		call = 50 * (u + d);
		copy_call = 50 * k;
		printf("%-22s %12.1f %12.1f %12.0f %7.2f%% %9.0f\n", rows[r].name, u, d, call,
		       call / 1e4, call / copy_call);
		if (r == 0)
			printf("%-22s %12s %12s %12.2f %7.4f%% %9s\n", "plain copy (both ways)", "", "",
			       copy_call, copy_call / 1e4, "1");
		free(ims.pkt);
		free(ims.len);
	}
	return 0;
}
