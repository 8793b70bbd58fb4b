/*
 * WebRTC <-> IMS SDP translation against golden files in tests/unit/sdp/.
 *
 * Inputs are real descriptions (Chromium 156's offers and its answers to our offers,
 * baresip 1.0's offer) or hand-written IMS descriptions (answers in baresip's shape, a
 * TS 26.114-style ViLTE offer); every *.expected.sdp was written by hand from RFC
 * 8829/8843/8839/5763/8842/3264 and checked line by line, and each expected browser offer
 * was also fed to Chromium, which accepted and answered it (chromium156_answer_to_*.sdp). Payload type rewrites and the other
 * results are spelled out below, derived by hand from those files.
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

#include "sdp/sdp.h"
#include "sdp/sdp_codec.h"
#include "sdp/sdp_translate.h"

#define FP "sha-256 0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0"

static char *read_data(const char *name, size_t *len)
{
	const char *top = getenv("NWIT_TOP");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/unit/sdp/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (set NWIT_TOP to the repository)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct sdp_session *parse_text(const char *text, size_t len)
{
	struct sdp_session *s;
	char err[SDP_ERR_MAX];

	if (sdp_parse(text, len, &s, err, sizeof(err)) != 0)
		fail_msg("input does not parse: %s", err);
	return s;
}

static struct sdp_session *load(const char *name)
{
	size_t len;
	char *text = read_data(name, &len);
	struct sdp_session *s = parse_text(text, len);

	free(text);
	return s;
}

/* Compare the serialization of s with a golden file; name the first differing line. */
static void expect_golden(const struct sdp_session *s, const char *name)
{
	size_t len, glen;
	char *out, *golden = read_data(name, &glen);
	unsigned line = 1;

	assert_int_equal(sdp_serialize(s, &out, &len), 0);
	if (len != glen || memcmp(out, golden, len) != 0) {
		size_t i = 0, start = 0;

		while (i < len && i < glen && out[i] == golden[i]) {
			if (out[i] == '\n') {
				line++;
				start = i + 1;
			}
			i++;
		}
		print_error("%s differs at line %u:\n  got:  %.*s\n  want: %.*s\n", name, line,
			    (int)strcspn(out + start, "\r\n"), out + start,
			    (int)strcspn(golden + start, "\r\n"), golden + start);
		print_error("whole output:\n%s\n", out);
		fail();
	}
	free(out);
	free(golden);
}

static void local_sides(struct sdp_webrtc_local *wl, struct sdp_ims_local *il)
{
	memset(wl, 0, sizeof(*wl));
	wl->addr = "192.0.2.1";
	wl->port = 50000;
	wl->ice_ufrag = "gw4u";
	wl->ice_pwd = "gatewaypassword0123456";
	wl->fingerprint = FP;
	wl->cname = "nwitgw";
	wl->msid_stream = "nwit";
	wl->ssrc[0] = 11111111;
	wl->ssrc[1] = 22222222;
	wl->ssrc[2] = 33333333;
	wl->datachannel = true;
	wl->sctp_port = 5000;
	wl->max_message_size = 262144;
	wl->sess_id = 1000;
	wl->sess_version = 1;

	memset(il, 0, sizeof(*il));
	il->addr = "198.51.100.1";
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		il->rtp_port[i] = (uint16_t)(40000 + 2 * i);
	il->sess_id = 2000;
	il->sess_version = 1;
}

struct map_want {
	uint8_t from, to;
};

static void expect_map(const struct sdp_pt_map *map, unsigned n, const struct map_want *want,
		       unsigned nwant, const char *what)
{
	if (n != nwant) {
		for (unsigned i = 0; i < n; i++)
			print_error("  %s[%u]: %u -> %u\n", what, i, map[i].from, map[i].to);
		fail_msg("%s: %u entries, want %u", what, n, nwant);
	}
	for (unsigned i = 0; i < n; i++)
		if (map[i].from != want[i].from || map[i].to != want[i].to)
			fail_msg("%s[%u]: %u -> %u, want %u -> %u", what, i, map[i].from, map[i].to,
				 want[i].from, want[i].to);
}

#define EXPECT_MAP(map, n, ...)                                                        \
	do {                                                                           \
		static const struct map_want w_[] = { __VA_ARGS__ };                   \
		expect_map(map, n, w_, sizeof(w_) / sizeof(w_[0]), #map);              \
	} while (0)

/* Browser calls with audio, video and a data channel; the IMS peer renumbers. */
static void browser_call_av_dc(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_av_dc_offer.sdp"), *ims_offer, *ims_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];
	const struct sdp_xlate_stream *a = &x.s[0], *v = &x.s[1], *d = &x.s[2];

	(void)state;
	local_sides(&wl, &il);
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(ims_offer, "chromium156_av_dc.ims_offer.expected.sdp");
	assert_int_equal(x.nstreams, 3);
	assert_int_equal(a->kind, SDP_STREAM_AUDIO);
	assert_int_equal(v->kind, SDP_STREAM_VIDEO);
	assert_int_equal(d->kind, SDP_STREAM_DATACHANNEL);
	assert_int_equal(a->ims_index, 0);
	assert_int_equal(v->ims_index, 1);
	assert_int_equal(d->ims_index, -1);
	assert_string_equal(d->mid, "2");
	assert_int_equal(a->webrtc_ssrc, 2445701557u);
	assert_int_equal(v->webrtc_ssrc, 1027050249u);
	assert_string_equal(x.ice_ufrag, "vmjz");
	assert_string_equal(x.ice_pwd, "0lmbAwrbjEL5PCTjUtiSlTnM");
	assert_string_equal(x.fingerprint_alg, "sha-256");
	assert_string_equal(x.fingerprint, "94:FB:37:30:E9:B3:12:03:A1:4C:1A:DC:E3:BB:3E:D1:0E:84:99:DF:F1:C2:99:04:98:7A:54:64:01:F5:B5:6C");

	ims_answer = load("chromium156_av_dc.ims_answer.sdp");
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "chromium156_av_dc.webrtc_answer.expected.sdp");
	assert_int_equal(x.dtls_role, SDP_DTLS_ROLE_CLIENT); /* we answered actpass with active */
	assert_true(a->active && v->active && d->active);
	/* the browser sends 111/0/126; the IMS peer asked for 96/0/101 */
	EXPECT_MAP(a->to_ims, a->n_to_ims, { 111, 96 }, { 0, 0 }, { 126, 101 });
	/* the IMS peer should send our offer's numbers, and may send its own */
	EXPECT_MAP(a->to_webrtc, a->n_to_webrtc, { 111, 111 }, { 0, 0 }, { 126, 126 }, { 96, 111 },
		   { 101, 126 });
	EXPECT_MAP(v->to_ims, v->n_to_ims, { 96, 96 });
	EXPECT_MAP(v->to_webrtc, v->n_to_webrtc, { 96, 96 });
	assert_string_equal(a->ims_addr, "192.0.2.20");
	assert_int_equal(a->ims_rtp_port, 10048);
	assert_int_equal(a->ims_rtcp_port, 10049);
	assert_int_equal(v->ims_rtp_port, 10066);
	assert_int_equal(v->ims_rtcp_port, 10067);
	assert_int_equal(a->ims_dir, SDP_DIR_SENDRECV);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

/*
 * Browser calls with audio and video only (Chromium 156 with its fake camera); the IMS
 * peer takes PCMU and H.264 Constrained Baseline with packetization-mode 1 under its own
 * payload type, as a ViLTE phone would, RTCP on a port of its own.
 */
static void browser_call_av_h264(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_av_offer.sdp"), *ims_offer, *ims_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];
	const struct sdp_xlate_stream *a = &x.s[0], *v = &x.s[1];

	(void)state;
	local_sides(&wl, &il);
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	/* one RTP/AVP port pair per m= line: 40000 audio, 40002 video */
	expect_golden(ims_offer, "chromium156_av.ims_offer.expected.sdp");
	assert_int_equal(x.nstreams, 2);
	assert_int_equal(a->ims_index, 0);
	assert_int_equal(v->ims_index, 1);
	assert_string_equal(a->mid, "0");
	assert_string_equal(v->mid, "1");
	/* the first a=ssrc of each m= line (video's is the primary of its FID group) */
	assert_int_equal(a->webrtc_ssrc, 3829248528u);
	assert_int_equal(v->webrtc_ssrc, 2430804197u);

	ims_answer = load("chromium156_av.ims_answer.sdp");
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "chromium156_av.webrtc_answer.expected.sdp");
	assert_true(a->active && v->active);
	EXPECT_MAP(a->to_ims, a->n_to_ims, { 0, 0 });
	EXPECT_MAP(a->to_webrtc, a->n_to_webrtc, { 0, 0 });
	/* 108 is Chromium's 42e01f with packetization-mode=1; the peer calls it 112 */
	EXPECT_MAP(v->to_ims, v->n_to_ims, { 108, 112 });
	EXPECT_MAP(v->to_webrtc, v->n_to_webrtc, { 108, 108 }, { 112, 108 });
	assert_string_equal(v->ims_addr, "198.51.100.77");
	assert_int_equal(a->ims_rtp_port, 49170);
	assert_int_equal(a->ims_rtcp_port, 49171);
	assert_int_equal(v->ims_rtp_port, 49172);
	assert_int_equal(v->ims_rtcp_port, 49181);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

/* Without data channel support the m=application line is refused and left out of BUNDLE. */
static void browser_call_datachannel_refused(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_av_dc_offer.sdp"), *ims_offer, *ims_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256], *out;
	size_t len;

	(void)state;
	local_sides(&wl, &il);
	wl.datachannel = false;
	assert_int_equal(sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)), 0);
	ims_answer = load("chromium156_av_dc.ims_answer.sdp");
	assert_int_equal(sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)), 0);
	assert_int_equal(sdp_serialize(answer, &out, &len), 0);
	assert_non_null(strstr(out, "a=group:BUNDLE 0 1\r\n"));
	assert_non_null(strstr(out, "\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\n"));
	assert_null(strstr(out, "sctp-port"));
	assert_false(x.s[2].active);
	free(out);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

/* The browser holds (sendonly); the IMS side (IPv6) answers recvonly with PCMA only. */
static void browser_hold_ipv6(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_audio_hold_offer.sdp"), *ims_offer,
			   *ims_answer, *answer;
	struct sdp_xlate x;
	char err[256];
	const struct sdp_xlate_stream *a = &x.s[0];

	(void)state;
	local_sides(&wl, &il);
	il.addr = "2001:db8::1";
	il.sess_version = 2;
	wl.sess_version = 2;
	wl.answer_setup = SDP_SETUP_PASSIVE;
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(ims_offer, "chromium156_audio_hold.ims_offer.expected.sdp");
	ims_answer = load("chromium156_audio_hold.ims_answer.sdp");
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "chromium156_audio_hold.webrtc_answer.expected.sdp");
	assert_int_equal(x.dtls_role, SDP_DTLS_ROLE_SERVER);
	assert_int_equal(a->webrtc_dir, SDP_DIR_SENDONLY);
	assert_int_equal(a->ims_dir, SDP_DIR_RECVONLY);
	EXPECT_MAP(a->to_ims, a->n_to_ims, { 8, 8 }, { 126, 126 });
	EXPECT_MAP(a->to_webrtc, a->n_to_webrtc, { 8, 8 }, { 126, 126 });
	assert_string_equal(a->ims_addr, "2001:db8::20");
	assert_int_equal(a->ims_rtp_port, 30010);
	assert_int_equal(a->ims_rtcp_port, 30021); /* a=rtcp, RFC 3605 */
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

/* baresip calls the browser: opus and VP8 both use 96, so VP8 becomes 97 in the bundle. */
static void ims_call_baresip(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("baresip100_av_offer.sdp"), *webrtc_offer, *webrtc_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];
	const struct sdp_xlate_stream *a = &x.s[0], *v = &x.s[1];

	(void)state;
	local_sides(&wl, &il);
	if (sdp_xlate_ims_offer(offer, &il, &wl, &x, &webrtc_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(webrtc_offer, "baresip100_av.webrtc_offer.expected.sdp");
	assert_int_equal(x.nstreams, 2);
	assert_string_equal(a->ims_addr, "192.0.2.20");
	assert_int_equal(a->ims_rtp_port, 10082);
	assert_int_equal(a->ims_rtcp_port, 10083);
	assert_int_equal(v->ims_rtp_port, 10002);

	webrtc_answer = load("chromium156_answer_to_baresip100_av.sdp");
	if (sdp_xlate_webrtc_answer(offer, webrtc_answer, &il, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "baresip100_av.ims_answer.expected.sdp");
	assert_int_equal(x.dtls_role, SDP_DTLS_ROLE_SERVER); /* Chromium answered active */
	assert_string_equal(x.ice_ufrag, "WKR7");
	assert_string_equal(x.fingerprint_alg, "sha-256");
	assert_int_equal(a->webrtc_ssrc, 1133357668u);
	assert_int_equal(v->webrtc_ssrc, 1969534634u);
	EXPECT_MAP(a->to_ims, a->n_to_ims, { 0, 0 }, { 8, 8 }, { 96, 96 }, { 101, 101 });
	EXPECT_MAP(a->to_webrtc, a->n_to_webrtc, { 0, 0 }, { 8, 8 }, { 96, 96 }, { 101, 101 });
	EXPECT_MAP(v->to_ims, v->n_to_ims, { 97, 96 });
	EXPECT_MAP(v->to_webrtc, v->n_to_webrtc, { 96, 97 });
	sdp_free(answer);
	sdp_free(webrtc_answer);
	sdp_free(webrtc_offer);
	sdp_free(offer);
}

/* A ViLTE-style IMS offer (IPv6, AMR-WB and PCMA, events at 16 and 8 kHz, H.264 over
 * RTP/AVPF with feedback): PCMA, events at 8 kHz and H.264 reach the browser; Chromium's
 * Constrained Baseline 42e01f matches the offer's 42C01F; nack, PLI and FIR feedback,
 * offered by both, pass (ccm tmmbr, which browsers do not do, does not). */
static void ims_call_vilte(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("ims_vilte_offer.sdp"), *webrtc_offer, *webrtc_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];
	const struct sdp_xlate_stream *a = &x.s[0], *v = &x.s[1];

	(void)state;
	local_sides(&wl, &il);
	il.addr = "2001:db8::1";
	if (sdp_xlate_ims_offer(offer, &il, &wl, &x, &webrtc_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(webrtc_offer, "ims_vilte.webrtc_offer.expected.sdp");
	assert_string_equal(a->ims_addr, "2001:db8::20");
	assert_int_equal(a->ims_rtp_port, 49152);
	assert_int_equal(v->ims_rtp_port, 49154);
	assert_int_equal(v->ims_rtcp_port, 49155);

	webrtc_answer = load("chromium156_answer_to_ims_vilte.sdp");
	if (sdp_xlate_webrtc_answer(offer, webrtc_answer, &il, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "ims_vilte.ims_answer.expected.sdp");
	EXPECT_MAP(a->to_ims, a->n_to_ims, { 8, 8 }, { 101, 101 });
	EXPECT_MAP(a->to_webrtc, a->n_to_webrtc, { 8, 8 }, { 101, 101 });
	EXPECT_MAP(v->to_ims, v->n_to_ims, { 99, 99 });
	EXPECT_MAP(v->to_webrtc, v->n_to_webrtc, { 99, 99 });
	assert_int_equal(a->webrtc_ssrc, 4084030316u);
	assert_int_equal(v->webrtc_ssrc, 3840611992u);
	sdp_free(answer);
	sdp_free(webrtc_answer);
	sdp_free(webrtc_offer);
	sdp_free(offer);
}

/* --- refusals ------------------------------------------------------------------------ */

#define WEBRTC_HEAD                                                                    \
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define WEBRTC_AUDIO(fmts, extra)                                                      \
	"m=audio 9 UDP/TLS/RTP/SAVPF " fmts "\r\n"                                    \
	"c=IN IP4 0.0.0.0\r\n"                                                         \
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n" extra              \
	"a=mid:0\r\n"
#define FPLINE "a=fingerprint:" FP "\r\n"

static int webrtc_offer_rc(const char *text, struct sdp_xlate *x, char *err, size_t errlen)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = parse_text(text, strlen(text)), *out = (void *)1;
	int rc;

	local_sides(&wl, &il);
	rc = sdp_xlate_webrtc_offer(offer, &wl, &il, x, &out, err, errlen);
	if (rc == 0)
		sdp_free(out);
	else
		assert_null(out);
	sdp_free(offer);
	return rc;
}

static void browser_offer_refusals(void **state)
{
	static const struct {
		const char *text;
		int rc, warning;
		const char *err;
	} cases[] = {
		{ WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		  WEBRTC_AUDIO("9 13", FPLINE "a=setup:actpass\r\na=rtcp-mux\r\n")
		  "a=rtpmap:9 G722/8000\r\na=rtpmap:13 CN/8000\r\n",
		  -EPROTONOSUPPORT, 305, "no audio or video codec in common with the IMS side" },
		{ WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n",
		  -EPROTONOSUPPORT, 304, "the offer has no audio or video to carry to IMS" },
		{ WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		  WEBRTC_AUDIO("0", "a=setup:actpass\r\na=rtcp-mux\r\n"),
		  -ENOTSUP, 0, "m= line 6: no a=fingerprint (DTLS-SRTP required)" },
		{ WEBRTC_HEAD "a=group:BUNDLE 0\r\n" WEBRTC_AUDIO("0", FPLINE "a=setup:actpass\r\n"),
		  -ENOTSUP, 0, "m= line 6: no a=rtcp-mux" },
		{ WEBRTC_HEAD WEBRTC_AUDIO("0", FPLINE "a=setup:actpass\r\na=rtcp-mux\r\n"),
		  -ENOTSUP, 0, "m= line 5: mid \"0\" is not in a BUNDLE group" },
		{ WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		  WEBRTC_AUDIO("96", FPLINE "a=setup:actpass\r\na=rtcp-mux\r\n"),
		  -EINVAL, 0, "dynamic payload type 96 has no a=rtpmap" },
		{ WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		  "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:ab\r\n"
		  "a=ice-pwd:abcdefghijklmnopqrstuv\r\n" FPLINE "a=mid:0\r\na=rtcp-mux\r\n",
		  -EINVAL, 0, "m= line 6: missing or malformed a=ice-ufrag/a=ice-pwd" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sdp_xlate x;
		char err[256] = "";
		int rc = webrtc_offer_rc(cases[i].text, &x, err, sizeof(err));

		if (rc != cases[i].rc || strcmp(err, cases[i].err) != 0 ||
		    x.warning != cases[i].warning)
			fail_msg("case %zu: got %d/%d \"%s\", want %d/%d \"%s\"", i, rc, x.warning,
				 err, cases[i].rc, cases[i].warning, cases[i].err);
	}
}

/* An offer step that works, then an answer step given answer_text; returns its rc. */
static int ims_answer_rc(const char *offer_text, const char *answer_text, char *err,
			 size_t errlen)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = parse_text(offer_text, strlen(offer_text)), *ims_offer,
			   *ims_answer = parse_text(answer_text, strlen(answer_text)), *out;
	struct sdp_xlate x;
	int rc;

	local_sides(&wl, &il);
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, errlen) != 0)
		fail_msg("offer: %s", err);
	rc = sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &out, err, errlen);
	if (rc == 0)
		sdp_free(out);
	sdp_free(ims_offer);
	sdp_free(ims_answer);
	sdp_free(offer);
	return rc;
}

#define IMS_HEAD "v=0\r\no=- 5 5 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n"

static void ims_answer_refusals(void **state)
{
	const char *offer = WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		WEBRTC_AUDIO("0 8", FPLINE "a=setup:actpass\r\na=rtcp-mux\r\n");
	const char *holdconn = WEBRTC_HEAD "a=group:BUNDLE 0\r\n"
		WEBRTC_AUDIO("0 8", FPLINE "a=setup:holdconn\r\na=rtcp-mux\r\n");
	char err[256];

	(void)state;
	assert_int_equal(ims_answer_rc(offer, IMS_HEAD "m=audio 10000 RTP/AVP 8\r\n", err,
				       sizeof(err)), 0);
	assert_int_equal(ims_answer_rc(offer, IMS_HEAD "m=audio 10000 RTP/AVP 18\r\n", err,
				       sizeof(err)), -EINVAL);
	assert_string_equal(err, "IMS answer m= line 6 accepts no codec that the offer listed");
	assert_int_equal(ims_answer_rc(offer, IMS_HEAD "m=audio 10000 RTP/AVP 8\r\n"
					      "m=video 10002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n",
				       err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "IMS answer has 2 m= lines, the offer had 1");
	assert_int_equal(ims_answer_rc(offer, IMS_HEAD "m=audio 0 RTP/AVP 8\r\n", err,
				       sizeof(err)), -EPROTONOSUPPORT);
	assert_string_equal(err, "the IMS side accepted no audio or video");
	assert_int_equal(ims_answer_rc(offer, IMS_HEAD "m=audio 10000 RTP/SAVP 8\r\n", err,
				       sizeof(err)), -EINVAL);
	assert_int_equal(ims_answer_rc(holdconn, IMS_HEAD "m=audio 10000 RTP/AVP 8\r\n", err,
				       sizeof(err)), -ENOTSUP);
	assert_string_equal(err, "m= line 6: a=setup:holdconn is not supported");
}

/* AMR-WB only when both sides have it; no common codec otherwise (488, Warning 305). */
static void ims_offer_amr_wb(void **state)
{
	const char *text = IMS_HEAD "m=audio 10000 RTP/AVP 97\r\n"
				    "a=rtpmap:97 AMR-WB/16000\r\na=fmtp:97 octet-align=1\r\n";
	struct sdp_session *offer = parse_text(text, strlen(text)), *out;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_xlate x;
	char err[256], *s;
	size_t len;

	(void)state;
	local_sides(&wl, &il);
	assert_int_equal(sdp_xlate_ims_offer(offer, &il, &wl, &x, &out, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	assert_int_equal(x.warning, 305);
	assert_string_equal(err, "no audio or video codec in common with the browser");
	assert_null(out);

	wl.codecs = SDP_CODECS_WEBRTC | SDP_CODEC_BIT(SDP_CODEC_AMR_WB);
	assert_int_equal(sdp_xlate_ims_offer(offer, &il, &wl, &x, &out, err, sizeof(err)), 0);
	assert_int_equal(sdp_serialize(out, &s, &len), 0);
	assert_non_null(strstr(s, "m=audio 50000 UDP/TLS/RTP/SAVPF 97\r\n"));
	assert_non_null(strstr(s, "a=rtpmap:97 AMR-WB/16000\r\na=fmtp:97 octet-align=1\r\n"));
	free(s);
	sdp_free(out);
	sdp_free(offer);
}

/* The IMS peer holds with RFC 2543's c=0.0.0.0: the browser is told sendonly. */
static void ims_offer_old_hold(void **state)
{
	const char *text = "v=0\r\no=- 5 5 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n"
			   "m=audio 10000 RTP/AVP 0\r\n";
	struct sdp_session *offer = parse_text(text, strlen(text)), *out;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_xlate x;
	char err[256], *s;
	size_t len;

	(void)state;
	local_sides(&wl, &il);
	assert_int_equal(sdp_xlate_ims_offer(offer, &il, &wl, &x, &out, err, sizeof(err)), 0);
	assert_int_equal(x.s[0].ims_dir, SDP_DIR_SENDONLY);
	assert_int_equal(sdp_serialize(out, &s, &len), 0);
	assert_non_null(strstr(s, "a=mid:0\r\na=sendonly\r\n"));
	free(s);
	sdp_free(out);
	sdp_free(offer);
}

/* Wildcard feedback ("*") of an RTP/AVPF offer applies to each codec, under its new number. */
static void ims_offer_wildcard_feedback(void **state)
{
	const char *text = IMS_HEAD "m=audio 10000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n"
				    "m=video 10002 RTP/AVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
				    "a=rtcp-fb:* nack pli\r\na=rtcp-fb:96 goog-remb\r\n";
	struct sdp_session *offer = parse_text(text, strlen(text)), *out;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_xlate x;
	char err[256], *s;
	size_t len;

	(void)state;
	local_sides(&wl, &il);
	assert_int_equal(sdp_xlate_ims_offer(offer, &il, &wl, &x, &out, err, sizeof(err)), 0);
	assert_int_equal(sdp_serialize(out, &s, &len), 0);
	assert_non_null(strstr(s, "a=rtpmap:97 VP8/90000\r\na=rtcp-fb:97 nack pli\r\na=msid"));
	assert_null(strstr(s, "goog-remb"));
	assert_null(strstr(s, "rtcp-fb:96"));
	free(s);
	sdp_free(out);
	sdp_free(offer);
}

static void webrtc_answer_refusals(void **state)
{
	struct sdp_session *offer = load("baresip100_av_offer.sdp"), *webrtc_offer, *out;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_xlate x;
	size_t len;
	char err[256], *text = read_data("chromium156_answer_to_baresip100_av.sdp", &len);
	char *bad = malloc(len + 2), *p;
	struct sdp_session *answer;

	(void)state;
	local_sides(&wl, &il);
	assert_int_equal(sdp_xlate_ims_offer(offer, &il, &wl, &x, &webrtc_offer, err, sizeof(err)), 0);

	/* an answer must not say actpass (RFC 8842 section 5.3) */
	p = strstr(text, "a=setup:active");
	assert_non_null(p);
	assert_non_null(bad);
	memcpy(bad, text, (size_t)(p - text));
	strcpy(bad + (p - text), "a=setup:actpass");
	strcat(bad, p + strlen("a=setup:active"));
	answer = parse_text(bad, strlen(bad));
	assert_int_equal(sdp_xlate_webrtc_answer(offer, answer, &il, &x, &out, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "browser answer m= line 7: a=setup must be active or passive");
	sdp_free(answer);
	free(bad);

	/* an odd local RTP port is a caller error */
	il.rtp_port[1] = 40003;
	answer = parse_text(text, len);
	assert_int_equal(sdp_xlate_webrtc_answer(offer, answer, &il, &x, &out, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "local RTP port 40003 for IMS m= line 1 is not even");
	sdp_free(answer);
	free(text);
	sdp_free(webrtc_offer);
	sdp_free(offer);
}

/* Only an audio port on the IMS side: video is refused on both sides, the call goes on.
 * No SSRC signalled: a=msid alone. */
static void audio_port_only(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_av_dc_offer.sdp"), *ims_offer, *ims_answer,
			   *answer, *bare = load("baresip100_av_offer.sdp");
	struct sdp_xlate x;
	char err[256], *out;
	size_t len;
	const char *text = IMS_HEAD "m=audio 10000 RTP/AVP 0\r\nm=video 0 RTP/AVP 96\r\n";

	(void)state;
	local_sides(&wl, &il);
	memset(il.rtp_port, 0, sizeof(il.rtp_port));
	il.rtp_port[0] = 40000;
	memset(wl.ssrc, 0, sizeof(wl.ssrc));
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	assert_int_equal(sdp_serialize(ims_offer, &out, &len), 0);
	assert_non_null(strstr(out, "\r\nm=video 0 RTP/AVP 96\r\n"));
	assert_null(strstr(out, "H264"));
	free(out);
	ims_answer = parse_text(text, strlen(text));
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	assert_int_equal(sdp_serialize(answer, &out, &len), 0);
	assert_non_null(strstr(out, "a=group:BUNDLE 0 2\r\n"));
	assert_non_null(strstr(out, "\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\nm=application 50000 "));
	assert_non_null(strstr(out, "a=rtpmap:0 PCMU/8000\r\na=msid:nwit nwit-0\r\nm=video"));
	assert_null(strstr(out, "a=ssrc"));
	assert_true(x.s[0].active);
	assert_false(x.s[1].active);
	free(out);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);

	/* the same from the IMS side: baresip's video is not offered to the browser */
	if (sdp_xlate_ims_offer(bare, &il, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("IMS offer: %s", err);
	assert_int_equal(sdp_serialize(answer, &out, &len), 0);
	assert_non_null(strstr(out, "a=group:BUNDLE 0\r\n"));
	assert_non_null(strstr(out, "\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n"));
	free(out);
	sdp_free(answer);
	sdp_free(bare);
	sdp_free(offer);
}

/* H.264: same profile (Constrained Baseline in any spelling) and packetization-mode. */
static void h264_matching(void **state)
{
	static const struct {
		const char *a, *b;
		bool match;
	} cases[] = {
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=42e01f;packetization-mode=1", true },
		{ "profile-level-id=42e01f;packetization-mode=1", "packetization-mode=1;profile-level-id=42e00d", true },
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=42c01f;packetization-mode=1", true },
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=4de01f;packetization-mode=1", true },
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=42e01f;packetization-mode=0", false },
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=42e01f", false },
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=42001f;packetization-mode=1", false },
		{ "profile-level-id=42e01f;packetization-mode=1", "profile-level-id=4d001f;packetization-mode=1", false },
		{ "profile-level-id=64001f;packetization-mode=1", "profile-level-id=640032;packetization-mode=1", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[512];
		struct sdp_session *s;
		struct sdp_codec c[2];
		char err[128];

		snprintf(text, sizeof(text), IMS_HEAD "m=video 1 RTP/AVP 96 97\r\n"
			 "a=rtpmap:96 H264/90000\r\na=fmtp:96 %s\r\n"
			 "a=rtpmap:97 H264/90000\r\na=fmtp:97 %s\r\n", cases[i].a, cases[i].b);
		s = parse_text(text, strlen(text));
		assert_int_equal(sdp_codecs_parse(&s->media[0], c, err, sizeof(err)), 2);
		if (sdp_codec_match(&c[0], &c[1]) != cases[i].match)
			fail_msg("case %zu: \"%s\" vs \"%s\" should %smatch", i, cases[i].a, cases[i].b,
				 cases[i].match ? "" : "not ");
		sdp_free(s);
	}
}

/* The browser's H.264 under the IMS answer's profile picks the right one of six. */
static void h264_answer_picks_profile(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_av_dc_offer.sdp"), *ims_offer, *ims_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256], *out;
	size_t len;
	const char *text = IMS_HEAD "m=audio 10000 RTP/AVP 8\r\n"
				    "m=video 10002 RTP/AVP 100\r\na=rtpmap:100 H264/90000\r\n"
				    "a=fmtp:100 profile-level-id=42e00d;packetization-mode=0\r\n";

	(void)state;
	local_sides(&wl, &il);
	assert_int_equal(sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)), 0);
	ims_answer = parse_text(text, strlen(text));
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	/* 114 is Chromium's Constrained Baseline with packetization-mode=0 */
	EXPECT_MAP(x.s[1].to_ims, x.s[1].n_to_ims, { 114, 100 });
	EXPECT_MAP(x.s[1].to_webrtc, x.s[1].n_to_webrtc, { 114, 114 }, { 100, 114 });
	assert_int_equal(sdp_serialize(answer, &out, &len), 0);
	assert_non_null(strstr(out, "m=video 50000 UDP/TLS/RTP/SAVPF 114\r\n"));
	assert_non_null(strstr(out, "a=rtpmap:114 H264/90000\r\n"
				    "a=fmtp:114 profile-level-id=42e00d;packetization-mode=0\r\n"));
	free(out);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

#define GW_DC_URI "msrp://192.0.2.1:50000/gwdc1;dc"
#define GW_IMS_URI "msrp://198.51.100.1:40100/gw1;tcp"

static void msrp_sides(struct sdp_webrtc_local *wl, struct sdp_ims_local *il)
{
	local_sides(wl, il);
	wl->msrp_dc_uri = GW_DC_URI;
	il->msrp_uri = GW_IMS_URI;
}

static void expect_path(const struct msrp_path *p, const char *want)
{
	struct msrp_path w;

	assert_int_equal(msrp_path_parse(want, strlen(want), &w), 0);
	assert_int_equal(p->n, w.n);
	for (unsigned i = 0; i < w.n; i++)
		assert_true(msrp_uri_equal(&p->uri[i], &w.uri[i]));
}

/* A data channel alone (what Chromium offers: no a=dcmap) becomes an MSRP session. */
static void browser_file_transfer_only(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("chromium156_dc_offer.sdp"), *ims_offer, *ims_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];

	(void)state;
	msrp_sides(&wl, &il);
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(ims_offer, "chromium156_dc.ims_offer.expected.sdp");
	assert_int_equal(x.msrp.stream, 0);
	assert_int_equal(x.s[0].kind, SDP_STREAM_DATACHANNEL);
	assert_int_equal(x.s[0].ims_index, 0);
	assert_false(x.msrp.dc_mapped);
	assert_int_equal(x.msrp.dc_max_message, 262144);
	assert_int_equal(x.msrp.dc_sctp_port, 5000);
	assert_string_equal(x.ice_ufrag, "vmjz");

	ims_answer = load("chromium156_dc.ims_answer.sdp");
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "chromium156_dc.webrtc_answer.expected.sdp");
	assert_true(x.msrp.active);
	assert_true(x.s[0].active);
	assert_true(x.msrp.we_connect); /* the peer answered passive */
	expect_path(&x.msrp.ims.path,
		    "msrp://198.51.100.10:2855/s4xq;tcp msrp://198.51.100.10:4001/ue;tcp");
	assert_int_equal(x.dtls_role, SDP_DTLS_ROLE_CLIENT);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);

	/* the IMS side refuses the file transfer: nothing left of the call */
	ims_answer = parse_text("v=0\r\no=- 1 1 IN IP4 198.51.100.10\r\ns=-\r\n"
				"c=IN IP4 198.51.100.10\r\nt=0 0\r\nm=message 0 TCP/MSRP *\r\n",
				strlen("v=0\r\no=- 1 1 IN IP4 198.51.100.10\r\ns=-\r\n"
				       "c=IN IP4 198.51.100.10\r\nt=0 0\r\nm=message 0 TCP/MSRP *\r\n"));
	assert_int_equal(sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)), 0);
	assert_int_equal(sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	assert_int_equal(x.warning, 304);
	sdp_free(ims_answer);
	sdp_free(ims_offer);

	/* without MSRP URIs the gateway does not carry a lone data channel */
	wl.msrp_dc_uri = NULL;
	assert_int_equal(sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	assert_string_equal(err, "the offer has no audio or video to carry to IMS");
	sdp_free(offer);
}

/* RFC 8873 data channel with a=dcmap/a=dcsa and an RFC 5547 file, next to audio. */
static void browser_audio_and_file(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("rfc8873_audio_dc_offer.sdp"), *ims_offer, *ims_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];

	(void)state;
	msrp_sides(&wl, &il);
	if (sdp_xlate_webrtc_offer(offer, &wl, &il, &x, &ims_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(ims_offer, "rfc8873_audio_dc.ims_offer.expected.sdp");
	assert_int_equal(x.msrp.stream, 1);
	assert_true(x.msrp.dc_mapped);
	assert_int_equal(x.msrp.dc_stream, 3);
	assert_int_equal(x.msrp.dc_max_message, 100000);
	expect_path(&x.msrp.dc.path, "msrp://browser.invalid/b7;dc");
	assert_int_equal(x.msrp.dc.file.size, 5242880);

	ims_answer = load("rfc8873_audio_dc.ims_answer.sdp");
	if (sdp_xlate_ims_answer(offer, ims_answer, &wl, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "rfc8873_audio_dc.webrtc_answer.expected.sdp");
	assert_true(x.msrp.active && x.s[0].active && x.s[1].active);
	assert_int_equal(x.s[0].ims_rtp_port, 49170);
	assert_int_equal(x.msrp.ims.dir, SDP_MSRP_RECVONLY);
	assert_true(x.msrp.we_connect);
	sdp_free(answer);
	sdp_free(ims_answer);
	sdp_free(ims_offer);
	sdp_free(offer);
}

/* IMS offers a file (RFC 5547 push through a relay) before the audio line. */
static void ims_audio_and_file(void **state)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *offer = load("ims_audio_file_offer.sdp"), *webrtc_offer, *webrtc_answer,
			   *answer;
	struct sdp_xlate x;
	char err[256];

	(void)state;
	msrp_sides(&wl, &il);
	if (sdp_xlate_ims_offer(offer, &il, &wl, &x, &webrtc_offer, err, sizeof(err)) != 0)
		fail_msg("offer: %s", err);
	expect_golden(webrtc_offer, "ims_audio_file.webrtc_offer.expected.sdp");
	assert_int_equal(x.msrp.stream, 0);
	assert_int_equal(x.s[0].kind, SDP_STREAM_MSRP);
	assert_int_equal(x.s[0].webrtc_index, 0);
	assert_int_equal(x.s[1].webrtc_index, 1);
	expect_path(&x.msrp.ims.path,
		    "msrp://198.51.100.10:2855/rel9;tcp msrp://198.51.100.10:7654/jshA7we;tcp");

	webrtc_answer = load("chromium156_answer_to_ims_audio_file.sdp");
	if (sdp_xlate_webrtc_answer(offer, webrtc_answer, &il, &x, &answer, err, sizeof(err)) != 0)
		fail_msg("answer: %s", err);
	expect_golden(answer, "ims_audio_file.ims_answer.expected.sdp");
	assert_true(x.msrp.active);
	assert_true(x.msrp.we_connect); /* the offer said actpass: we connect */
	assert_false(x.msrp.dc_mapped);
	assert_int_equal(x.msrp.dc_max_message, 262144);
	assert_int_equal(x.dtls_role, SDP_DTLS_ROLE_SERVER);
	sdp_free(answer);
	sdp_free(webrtc_answer);
	sdp_free(webrtc_offer);
	sdp_free(offer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(browser_call_av_dc),
		cmocka_unit_test(browser_call_av_h264),
		cmocka_unit_test(browser_call_datachannel_refused),
		cmocka_unit_test(browser_hold_ipv6),
		cmocka_unit_test(ims_call_baresip),
		cmocka_unit_test(ims_call_vilte),
		cmocka_unit_test(browser_offer_refusals),
		cmocka_unit_test(ims_answer_refusals),
		cmocka_unit_test(ims_offer_amr_wb),
		cmocka_unit_test(ims_offer_old_hold),
		cmocka_unit_test(ims_offer_wildcard_feedback),
		cmocka_unit_test(webrtc_answer_refusals),
		cmocka_unit_test(audio_port_only),
		cmocka_unit_test(h264_matching),
		cmocka_unit_test(h264_answer_picks_profile),
		cmocka_unit_test(browser_file_transfer_only),
		cmocka_unit_test(browser_audio_and_file),
		cmocka_unit_test(ims_audio_and_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
