/*
 * libFuzzer harness: the SDP translator on arbitrary descriptions, as a browser offer,
 * an IMS offer, an IMS answer to a fixed browser offer and a browser answer to a fixed
 * IMS offer. Refusals must say why; every description produced must parse again. Inputs
 * of odd length run with the gateway's MSRP URIs set (data channel <-> m=message).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"
#include "sdp/sdp_translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char browser_offer[] =
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1 2\r\n"
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\n"
	"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
	"a=fingerprint:sha-256 00:11:22:33\r\na=setup:actpass\r\na=mid:0\r\na=rtcp-mux\r\n"
	"a=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\na=ssrc:1 cname:x\r\n"
	"m=video 9 UDP/TLS/RTP/SAVPF 96 102\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=rtcp-mux\r\n"
	"a=rtpmap:96 VP8/90000\r\na=rtpmap:102 H264/90000\r\n"
	"a=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n";

static const char ims_offer[] =
	"v=0\r\no=- 1 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n"
	"m=audio 10000 RTP/AVP 0 8 96 101\r\na=rtpmap:96 opus/48000/2\r\n"
	"a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n"
	"m=video 10002 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n"
	"m=message 10004 TCP/MSRP *\r\na=accept-types:*\r\n"
	"a=path:msrp://192.0.2.20:2855/r;tcp msrp://192.0.2.20:10004/p;tcp\r\n";

static void setup(struct sdp_webrtc_local *wl, struct sdp_ims_local *il)
{
	memset(wl, 0, sizeof(*wl));
	wl->addr = "192.0.2.1";
	wl->port = 50000;
	wl->ice_ufrag = "gw4u";
	wl->ice_pwd = "gatewaypassword0123456";
	wl->fingerprint = "sha-256 00:11";
	wl->cname = "c";
	wl->msid_stream = "s";
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		wl->ssrc[i] = (uint32_t)i + 1;
	wl->datachannel = true;
	wl->sctp_port = 5000;
	memset(il, 0, sizeof(*il));
	il->addr = "2001:db8::1";
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		il->rtp_port[i] = (uint16_t)(40000 + 2 * i);
}

static void check(int rc, struct sdp_session *out, const char *err)
{
	struct sdp_session *again;
	char e[SDP_ERR_MAX], *text;
	size_t len;

	if (rc < 0) {
		if (out || !err[0])
			abort(); /* refusals say why and return nothing */
		return;
	}
	if (sdp_serialize(out, &text, &len) < 0 || sdp_parse(text, len, &again, e, sizeof(e)) < 0)
		abort(); /* what we write must be valid SDP */
	sdp_free(again);
	free(text);
}

static struct sdp_session *parse(const char *text)
{
	struct sdp_session *s;
	char err[SDP_ERR_MAX];

	if (sdp_parse(text, strlen(text), &s, err, sizeof(err)) < 0)
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *in, *out, *out2, *fixed;
	struct sdp_xlate x;
	char err[256];
	int rc;

	if (sdp_parse((const char *)data, size, &in, err, sizeof(err)) < 0)
		return 0;
	setup(&wl, &il);
	if (size % 2) {
		wl.msrp_dc_uri = "msrp://192.0.2.1:50000/d;dc";
		il.msrp_uri = "msrp://[2001:db8::1]:40100/i;tcp";
	}

	/* the input as a browser offer; our IMS offer back as the IMS answer */
	err[0] = '\0';
	rc = sdp_xlate_webrtc_offer(in, &wl, &il, &x, &out, err, sizeof(err));
	check(rc, out, err);
	if (rc == 0) {
		err[0] = '\0';
		rc = sdp_xlate_ims_answer(in, out, &wl, &x, &out2, err, sizeof(err));
		check(rc, out2, err);
		sdp_free(out2);
		sdp_free(out);
	}

	/* the input as an IMS offer */
	err[0] = '\0';
	rc = sdp_xlate_ims_offer(in, &il, &wl, &x, &out, err, sizeof(err));
	check(rc, out, err);
	sdp_free(out);

	/* the input as the IMS answer to a fixed browser offer */
	fixed = parse(browser_offer);
	if (sdp_xlate_webrtc_offer(fixed, &wl, &il, &x, &out, err, sizeof(err)) < 0)
		abort();
	sdp_free(out);
	err[0] = '\0';
	rc = sdp_xlate_ims_answer(fixed, in, &wl, &x, &out, err, sizeof(err));
	check(rc, out, err);
	sdp_free(out);
	sdp_free(fixed);

	/* the input as the browser answer to a fixed IMS offer */
	fixed = parse(ims_offer);
	if (sdp_xlate_ims_offer(fixed, &il, &wl, &x, &out, err, sizeof(err)) < 0)
		abort();
	sdp_free(out);
	err[0] = '\0';
	rc = sdp_xlate_webrtc_answer(fixed, in, &il, &x, &out, err, sizeof(err));
	check(rc, out, err);
	sdp_free(out);
	sdp_free(fixed);

	sdp_free(in);
	return 0;
}
