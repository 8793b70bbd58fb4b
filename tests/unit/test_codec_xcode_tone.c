/*
 * The transcoder against independent implementations, by the frequency of a tone.
 * Browser -> IMS: a 440 Hz tone encoded by libopus (as a browser would) goes through
 * xcode_packet; the AMR-WB / AMR frames it sends are written as an RFC 4867 storage file
 * and decoded by ffmpeg's own AMR decoders (not opencore); tone.py measures 440 Hz.
 * IMS -> browser: a 1000 Hz tone encoded straight with vo-amrwbenc / opencore-amrnb
 * into a storage file (and checked by ffmpeg), its frames sent as RTP through
 * xcode_packet, the Opus packets decoded by libopus; tone.py measures 1000 Hz. Both
 * payload modes; PCMU and PCMA with sox decoding the G.711 side.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <opencore-amrnb/interf_enc.h>
#include <opus/opus.h>
#include <vo-amrwbenc/enc_if.h>

#include "codec/amr_payload.h"
#include "codec/g711.h"
#include "codec/rtp_map.h"
#include "codec/xcode.h"
#include "codec_testutil.h"

#define SECONDS 3
#define PACKETS (SECONDS * 50)

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = test_tmpdir();
	return dir ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	if (dir && !getenv("NWIT_KEEP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static void need(const char *tool)
{
	if (!have_tool(tool)) {
		fprintf(stderr, "# %s is not installed (scripts/install-deps.sh installs it)\n", tool);
		skip();
	}
}

static void check_tone(const char *wav, double want)
{
	double rms, hz = tone_freq(wav, 0.3, &rms);

	if (hz < want * 0.98 || hz > want * 1.02 || rms < 1000)
		fail_msg("%s: %.1f Hz rms %.0f, want %.0f Hz", wav, hz, rms, want);
}

/* --- browser -> IMS ---------------------------------------------------------------- */

static void web_to_ims(enum xcode_web_codec web, enum amr_codec ims, bool oa, uint16_t mode_set)
{
	unsigned web_rate = web == XCODE_WEB_OPUS ? 48000 : 8000, step = web_rate / 50;
	unsigned frame = amr_frame_samples(ims);
	struct amr_format fmt = { ims, oa, mode_set };
	struct xcode_config c;
	struct xcode *x;
	OpusEncoder *enc = NULL;
	int16_t pcm[960];
	uint8_t pkt[1500], out[1500];
	char err[200], path[128], wav[128], cmd[400];
	uint64_t pos = 0;
	uint32_t next_ts = 0;
	int rc, sent = 0;
	FILE *f;

	need("ffmpeg");
	xcode_config_default(&c, web, ims);
	c.ims_fmtp.octet_align = oa;
	c.ims_fmtp.mode_set = mode_set;
	assert_int_equal(xcode_new(&c, &x, err, sizeof(err)), 0);
	if (web == XCODE_WEB_OPUS) {
		enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &rc);
		assert_non_null(enc);
		opus_encoder_ctl(enc, OPUS_SET_BITRATE(32000));
	}
	snprintf(path, sizeof(path), "%s/up.%s", dir, ims == AMR_WB ? "awb" : "amr");
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(ims == AMR_WB ? "#!AMR-WB\n" : "#!AMR\n", f);
	for (unsigned i = 0; i < PACKETS; i++) {
		struct rtp_view v;
		struct amr_payload pl;
		int n;

		sine(pcm, step, web_rate, 440, 8000, &pos);
		rtp_header_write(pkt, c.web_pt, i == 0, (uint16_t)(40000 + i),
				 0xfffff000u + i * step, 0x11223344);
		if (enc)
			n = opus_encode(enc, pcm, (int)step, pkt + 12, 1400);
		else
			g711_encode(web == XCODE_WEB_PCMA, pcm, step, pkt + 12), n = (int)step;
		assert_true(n > 0);
		rc = xcode_packet(x, XCODE_TO_IMS, pkt, 12 + (size_t)n, out, sizeof(out), err,
				  sizeof(err));
		if (rc < 0)
			fail_msg("packet %u: %s", i, err);
		if (!rc)
			continue;
		assert_int_equal(rtp_view_parse(out, (size_t)rc, &v), 0);
		assert_int_equal(v.pt, c.ims_pt);
		assert_int_equal(v.ssrc, c.ssrc_to_ims);
		if (sent) {
			/* a gap (DTX) is written as NO_DATA frames; at most 2 s of them */
			for (unsigned k = 0; k < 100 && (int32_t)(v.ts - next_ts) >= (int32_t)frame;
			     k++, next_ts += frame)
				fputc(AMR_FT_NO_DATA << 3 | 4, f);
			if (v.ts != next_ts)
				fail_msg("packet %u: timestamp %u, %u expected", i, v.ts, next_ts);
		}
		if (amr_payload_parse(&fmt, v.payload, v.payload_len, &pl, err, sizeof(err)) < 0)
			fail_msg("our own payload: %s", err);
		assert_int_equal(pl.warnings, 0);
		for (unsigned k = 0; k < pl.nframes; k++) {
			uint8_t s[64];

			if (mode_set && amr_ft_is_speech(ims, pl.frame[k].ft))
				assert_true(mode_set & (1u << pl.frame[k].ft));
			fwrite(s, 1, amr_frame_to_storage(&pl.frame[k], s), f);
		}
		next_ts = v.ts + pl.nframes * frame;
		sent++;
	}
	assert_int_equal(fclose(f), 0);
	assert_true(sent > PACKETS - 5);
	snprintf(wav, sizeof(wav), "%s/up.wav", dir);
	snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -i %s %s", path, wav);
	assert_int_equal(system(cmd), 0);
	check_tone(wav, 440);
	if (enc)
		opus_encoder_destroy(enc);
	xcode_free(x);
}

static void opus_to_amrwb_oa(void **s) { (void)s; web_to_ims(XCODE_WEB_OPUS, AMR_WB, true, 0); }
static void opus_to_amrwb_be(void **s) { (void)s; web_to_ims(XCODE_WEB_OPUS, AMR_WB, false, 7); }
static void opus_to_amr_oa(void **s) { (void)s; web_to_ims(XCODE_WEB_OPUS, AMR_NB, true, 0); }
static void opus_to_amr_be(void **s) { (void)s; web_to_ims(XCODE_WEB_OPUS, AMR_NB, false, 1 << 7); }
static void pcmu_to_amrwb(void **s) { (void)s; web_to_ims(XCODE_WEB_PCMU, AMR_WB, true, 0); }
static void pcma_to_amr(void **s) { (void)s; web_to_ims(XCODE_WEB_PCMA, AMR_NB, false, 0); }

/* --- IMS -> browser ---------------------------------------------------------------- */

/* A storage file of 1000 Hz made with the codec library directly, none of our code. */
static void make_amr_file(enum amr_codec ims, unsigned mode, const char *path)
{
	unsigned rate = ims == AMR_WB ? 16000 : 8000, frame = rate / 50;
	void *st = ims == AMR_WB ? E_IF_init() : Encoder_Interface_init(0);
	uint64_t pos = 0;
	int16_t pcm[320];
	uint8_t buf[64];
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	fputs(ims == AMR_WB ? "#!AMR-WB\n" : "#!AMR\n", f);
	for (unsigned i = 0; i < PACKETS; i++) {
		int n;

		sine(pcm, frame, rate, 1000, 8000, &pos);
		n = ims == AMR_WB ? E_IF_encode(st, (int)mode, pcm, buf, 0)
				  : Encoder_Interface_Encode(st, (enum Mode)mode, pcm, buf, 0);
		assert_true(n > 0);
		fwrite(buf, 1, (size_t)n, f);
	}
	if (ims == AMR_WB)
		E_IF_exit(st);
	else
		Encoder_Interface_exit(st);
	assert_int_equal(fclose(f), 0);
}

static void ims_to_web(enum xcode_web_codec web, enum amr_codec ims, bool oa, unsigned mode)
{
	unsigned web_rate = web == XCODE_WEB_OPUS ? 48000 : 8000;
	struct amr_format fmt = { ims, oa, 0 };
	static uint8_t file[65536];
	static int16_t pcm[48000 * SECONDS];
	struct xcode_config c;
	struct xcode *x;
	OpusDecoder *dec = NULL;
	uint8_t pkt[1500], out[1500];
	char err[200], path[128], wav[128], cmd[400];
	size_t len, off, got = 0;
	unsigned i = 0;
	uint32_t want_ts = 0;
	FILE *f;
	int rc;

	need("ffmpeg");
	snprintf(path, sizeof(path), "%s/down.%s", dir, ims == AMR_WB ? "awb" : "amr");
	make_amr_file(ims, mode, path);
	/* the file itself is what ffmpeg's decoder hears as 1000 Hz */
	snprintf(wav, sizeof(wav), "%s/down-ffmpeg.wav", dir);
	snprintf(cmd, sizeof(cmd), "ffmpeg -v error -y -i %s %s", path, wav);
	assert_int_equal(system(cmd), 0);
	check_tone(wav, 1000);

	xcode_config_default(&c, web, ims);
	c.ims_fmtp.octet_align = oa;
	assert_int_equal(xcode_new(&c, &x, err, sizeof(err)), 0);
	if (web == XCODE_WEB_OPUS) {
		dec = opus_decoder_create(48000, 1, &rc);
		assert_non_null(dec);
	}
	f = fopen(path, "rb");
	assert_non_null(f);
	len = fread(file, 1, sizeof(file), f);
	fclose(f);
	off = ims == AMR_WB ? 9 : 6;
	while (off < len) {
		struct amr_payload pl = { .cmr = AMR_CMR_NONE, .nframes = 1 };
		struct rtp_view v;
		int n = amr_frame_from_storage(ims, file + off, len - off, &pl.frame[0], err,
					       sizeof(err));

		if (n < 0)
			fail_msg("storage file at %zu: %s", off, err);
		off += (size_t)n;
		rtp_header_write(pkt, c.ims_pt, i == 0, (uint16_t)(65530 + i),
				 0x7ffffe00u + i * amr_frame_samples(ims), 0x55667788);
		n = amr_payload_build(&fmt, &pl, pkt + 12, sizeof(pkt) - 12, err, sizeof(err));
		assert_true(n > 0);
		rc = xcode_packet(x, XCODE_TO_WEB, pkt, 12 + (size_t)n, out, sizeof(out), err,
				  sizeof(err));
		if (rc <= 0)
			fail_msg("packet %u: %d %s", i, rc, err);
		assert_int_equal(rtp_view_parse(out, (size_t)rc, &v), 0);
		assert_int_equal(v.pt, c.web_pt);
		assert_int_equal(v.marker, i == 0);
		if (i)
			assert_int_equal(v.ts, want_ts);
		want_ts = v.ts + web_rate / 50;
		if (dec) {
			n = opus_decode(dec, v.payload, (opus_int32)v.payload_len, pcm + got, 5760, 0);
			assert_int_equal(n, 960);
			got += (size_t)n;
		} else {
			assert_int_equal(v.payload_len, 160);
			memcpy((uint8_t *)pcm + got, v.payload, 160); /* decoded by sox below */
			got += 160;
		}
		i++;
	}
	assert_int_equal(i, PACKETS);
	snprintf(wav, sizeof(wav), "%s/down.wav", dir);
	if (dec) {
		assert_int_equal(write_wav(wav, 48000, pcm, got), 0);
	} else {
		snprintf(path, sizeof(path), "%s/down.g711", dir);
		f = fopen(path, "wb");
		assert_non_null(f);
		fwrite(pcm, 1, got, f);
		fclose(f);
		need("sox");
		snprintf(cmd, sizeof(cmd), "sox -t %s -r 8000 -c 1 %s -b 16 %s",
			 web == XCODE_WEB_PCMA ? "al" : "ul", path, wav);
		assert_int_equal(system(cmd), 0);
	}
	check_tone(wav, 1000);
	if (dec)
		opus_decoder_destroy(dec);
	xcode_free(x);
}

static void amrwb_to_opus_oa(void **s) { (void)s; ims_to_web(XCODE_WEB_OPUS, AMR_WB, true, 8); }
static void amrwb_to_opus_be(void **s) { (void)s; ims_to_web(XCODE_WEB_OPUS, AMR_WB, false, 2); }
static void amr_to_opus_oa(void **s) { (void)s; ims_to_web(XCODE_WEB_OPUS, AMR_NB, true, 7); }
static void amr_to_opus_be(void **s) { (void)s; ims_to_web(XCODE_WEB_OPUS, AMR_NB, false, 4); }
static void amrwb_to_pcma(void **s) { (void)s; ims_to_web(XCODE_WEB_PCMA, AMR_WB, true, 2); }
static void amr_to_pcmu(void **s) { (void)s; ims_to_web(XCODE_WEB_PCMU, AMR_NB, false, 7); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opus_to_amrwb_oa),
		cmocka_unit_test(opus_to_amrwb_be),
		cmocka_unit_test(opus_to_amr_oa),
		cmocka_unit_test(opus_to_amr_be),
		cmocka_unit_test(pcmu_to_amrwb),
		cmocka_unit_test(pcma_to_amr),
		cmocka_unit_test(amrwb_to_opus_oa),
		cmocka_unit_test(amrwb_to_opus_be),
		cmocka_unit_test(amr_to_opus_oa),
		cmocka_unit_test(amr_to_opus_be),
		cmocka_unit_test(amrwb_to_pcma),
		cmocka_unit_test(amr_to_pcmu),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
