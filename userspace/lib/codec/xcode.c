/*
 * Transcoder setup, teardown, and the packet entry point shared by both directions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec/xcode_priv.h"
#include "core/counters.h"

void xcode_config_default(struct xcode_config *c, enum xcode_web_codec web, enum amr_codec ims)
{
	memset(c, 0, sizeof(*c));
	c->web = web;
	c->web_pt = web == XCODE_WEB_OPUS ? 111 : web == XCODE_WEB_PCMU ? 0 : 8;
	c->web_te_pt = -1;
	c->ims = ims;
	c->ims_pt = 96;
	c->ims_te_pt = -1;
	amr_fmtp_default(&c->ims_fmtp);
	c->dtx = true;
	c->ssrc_to_ims = 0x1a2b3c4d;
	c->ssrc_to_web = 0x5e6f7081;
	c->opus_complexity = -1;
	c->resample_quality = -1;
}

static int setup_opus(struct xcode *x, char *err, size_t errlen)
{
	int rc, bitrate = x->cfg.opus_bitrate;

	x->opus_dec = opus_decoder_create(48000, 1, &rc);
	if (!x->opus_dec) {
		snprintf(err, errlen, "Opus decoder: %s", opus_strerror(rc));
		return -ENOMEM;
	}
	x->opus_enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &rc);
	if (!x->opus_enc) {
		snprintf(err, errlen, "Opus encoder: %s", opus_strerror(rc));
		return -ENOMEM;
	}
	if (!bitrate)
		bitrate = x->cfg.ims == AMR_WB ? 24000 : 16000;
	/* nothing above the AMR side's audio band reaches the browser */
	if (opus_encoder_ctl(x->opus_enc, OPUS_SET_BITRATE(bitrate)) != OPUS_OK ||
	    opus_encoder_ctl(x->opus_enc, OPUS_SET_COMPLEXITY(x->cfg.opus_complexity < 0 ? 5 :
							       x->cfg.opus_complexity)) != OPUS_OK ||
	    opus_encoder_ctl(x->opus_enc, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK ||
	    opus_encoder_ctl(x->opus_enc, OPUS_SET_MAX_BANDWIDTH(x->cfg.ims == AMR_WB ?
				     OPUS_BANDWIDTH_WIDEBAND : OPUS_BANDWIDTH_NARROWBAND)) != OPUS_OK) {
		snprintf(err, errlen, "Opus encoder: bitrate %d or complexity %d refused", bitrate,
			 x->cfg.opus_complexity);
		return -EINVAL;
	}
	return 0;
}

int xcode_new(const struct xcode_config *c, struct xcode **out, char *err, size_t errlen)
{
	struct xcode *x;
	int q = c->resample_quality < 0 ? 3 : c->resample_quality, rc;

	*out = NULL;
	if (c->opus_complexity > 10 || (c->web_te_pt >= 0 && c->web_te_pt > 127) ||
	    c->ims_te_pt > 127 || c->web_pt > 127 || c->ims_pt > 127) {
		snprintf(err, errlen, "transcoder: payload type or Opus complexity out of range");
		return -EINVAL;
	}
	x = calloc(1, sizeof(*x));
	if (!x) {
		snprintf(err, errlen, "transcoder: out of memory");
		return -ENOMEM;
	}
	x->cfg = *c;
	amr_fmtp_format_of(c->ims, &c->ims_fmtp, &x->fmt);
	x->web_rate = c->web == XCODE_WEB_OPUS ? 48000 : 8000;
	x->ims_rate = amr_rate(c->ims);
	x->ims_frame = amr_frame_samples(c->ims);
	rc = -ENOMEM;
	if (c->web == XCODE_WEB_OPUS && (rc = setup_opus(x, err, errlen)) < 0)
		goto fail;
	x->rs_up = resampler_new(x->web_rate, x->ims_rate, q, err, errlen);
	x->rs_down = resampler_new(x->ims_rate, x->web_rate, q, err, errlen);
	if (!x->rs_up || !x->rs_down) {
		rc = -EINVAL;
		goto fail;
	}
	x->enc = amr_enc_new(c->ims, c->dtx);
	x->dec = amr_dec_new(c->ims);
	if (!x->enc || !x->dec) {
		snprintf(err, errlen, "%s encoder or decoder: out of memory", amr_codec_name(c->ims));
		rc = -ENOMEM;
		goto fail;
	}
	amr_mode_init(&x->mode, c->ims, &c->ims_fmtp);
	/* each direction starts its own stream: random-looking but fixed first numbers */
	rtp_map_init(&x->map_up, x->web_rate, x->ims_rate, c->ssrc_to_ims,
		     (uint16_t)(c->ssrc_to_ims >> 7), c->ssrc_to_ims * 2654435761u);
	rtp_map_init(&x->map_down, x->ims_rate, x->web_rate, c->ssrc_to_web,
		     (uint16_t)(c->ssrc_to_web >> 7), c->ssrc_to_web * 2654435761u);
	*out = x;
	return 0;
fail:
	xcode_free(x);
	return rc;
}

void xcode_free(struct xcode *x)
{
	if (!x)
		return;
	if (x->opus_dec)
		opus_decoder_destroy(x->opus_dec);
	if (x->opus_enc)
		opus_encoder_destroy(x->opus_enc);
	resampler_free(x->rs_up);
	resampler_free(x->rs_down);
	amr_enc_free(x->enc);
	amr_dec_free(x->dec);
	free(x);
}

int xcode_packet(struct xcode *x, enum xcode_dir dir, const uint8_t *pkt, size_t len,
		 uint8_t *out, size_t cap, char *err, size_t errlen)
{
	struct rtp_view v;
	int rc;

	x->st.packets_in[dir]++;
	if (cap < 1500) {
		snprintf(err, errlen, "transcoder: output buffer of %zu octets", cap);
		return -ENOSPC;
	}
	if (rtp_view_parse(pkt, len, &v) < 0) {
		snprintf(err, errlen, "transcoder: %zu octets from the %s side are not RTP", len,
			 dir == XCODE_TO_IMS ? "browser" : "IMS");
		rc = -EINVAL;
	} else {
		rc = dir == XCODE_TO_IMS ? xcode_to_ims(x, &v, out, cap, err, errlen)
					 : xcode_to_web(x, &v, out, cap, err, errlen);
	}
	switch (rc) {
	case -EINVAL:
		x->st.bad_rtp[dir]++;
		counter_inc(COUNTER_XCODE_BAD_RTP);
		break;
	case -EALREADY:
		x->st.late[dir]++;
		counter_inc(COUNTER_XCODE_LATE);
		break;
	case -EBADMSG:
	case -E2BIG:
		x->st.amr_refused++;
		counter_inc(COUNTER_XCODE_AMR_REFUSED);
		break;
	case -EIO:
		x->st.codec_errors[dir]++;
		counter_inc(COUNTER_XCODE_CODEC_ERRORS);
		break;
	default:
		if (rc > 0)
			x->st.packets_out[dir]++;
	}
	return rc;
}

const struct xcode_stats *xcode_get_stats(const struct xcode *x)
{
	return &x->st;
}

const char *xcode_describe(const struct xcode *x, char *buf, size_t len)
{
	static const char *const web[] = { "opus/48000", "PCMU/8000", "PCMA/8000" };

	snprintf(buf, len, "%s <-> %s/%u (%s, mode %u)", web[x->cfg.web],
		 amr_codec_name(x->cfg.ims), x->ims_rate,
		 x->fmt.octet_align ? "octet-aligned" : "bandwidth-efficient", x->mode.mode);
	return buf;
}
