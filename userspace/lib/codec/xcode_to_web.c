/*
 * IMS -> browser: AMR / AMR-WB (RFC 4867) in, Opus or G.711 out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/g711.h"
#include "codec/xcode_priv.h"
#include "core/counters.h"

static int event(struct xcode *x, const struct rtp_view *v, uint8_t *out, size_t cap, char *err,
		 size_t errlen)
{
	uint32_t ts;
	int n;

	if (x->cfg.web_te_pt < 0) {
		snprintf(err, errlen, "transcoder: telephone-event from IMS, none toward the browser");
		return -EINVAL;
	}
	if (rtp_map_in(&x->map_down, v, &ts) < 0) {
		snprintf(err, errlen, "transcoder: IMS packet %u is late or a duplicate", v->seq);
		return -EALREADY;
	}
	n = rtp_map_telephone_event(&x->map_down, v->payload, v->payload_len, out + 12, cap - 12);
	if (n < 0) {
		snprintf(err, errlen, "transcoder: telephone-event payload of %zu octets",
			 v->payload_len);
		return -EINVAL;
	}
	rtp_map_out(&x->map_down, out, (uint8_t)x->cfg.web_te_pt, v->marker, ts, 0);
	x->st.events[XCODE_TO_WEB]++;
	return 12 + n;
}

int xcode_to_web(struct xcode *x, const struct rtp_view *v, uint8_t *out, size_t cap, char *err,
		 size_t errlen)
{
	struct amr_payload *pl = &x->pl_down;
	size_t n = 0, want;
	uint32_t ts;
	bool marker;
	int m, len;

	if (x->cfg.ims_te_pt >= 0 && v->pt == x->cfg.ims_te_pt)
		return event(x, v, out, cap, err, errlen);
	if (v->pt != x->cfg.ims_pt) {
		snprintf(err, errlen, "transcoder: IMS payload type %u was not negotiated", v->pt);
		return -EINVAL;
	}
	if (amr_payload_parse(&x->fmt, v->payload, v->payload_len, pl, err, errlen) < 0)
		return -EBADMSG;
	if (pl->nframes > XCODE_MAX_AMR_FRAMES) {
		snprintf(err, errlen, "transcoder: %u AMR frames in one packet, at most %d",
			 pl->nframes, XCODE_MAX_AMR_FRAMES);
		return -E2BIG;
	}
	if (rtp_map_in(&x->map_down, v, &ts) < 0) {
		snprintf(err, errlen, "transcoder: IMS packet %u is late or a duplicate", v->seq);
		return -EALREADY;
	}
	if (pl->warnings) {
		x->st.amr_ignored++;
		counter_inc(COUNTER_XCODE_AMR_IGNORED);
	}
	/* the peer's codec mode request is for what we send it */
	amr_mode_request(&x->mode, pl->cmr);
	for (unsigned i = 0; i < pl->nframes; i++) {
		if (amr_ft_is_sid(x->cfg.ims, pl->frame[i].ft))
			x->st.sid_frames[XCODE_TO_WEB]++;
		if (amr_dec_frame(x->dec, &pl->frame[i], x->pcm_ims + n) < 0) {
			snprintf(err, errlen, "transcoder: %s decoder refused frame type %u",
				 amr_codec_name(x->cfg.ims), pl->frame[i].ft);
			return -EIO;
		}
		n += x->ims_frame;
	}
	m = resampler_run(x->rs_down, x->pcm_ims, n, x->pcm_web, XCODE_MAX_WEB_SAMPLES);
	if (m < 0) {
		snprintf(err, errlen, "transcoder: resampling %zu samples failed", n);
		return -EIO;
	}
	/* the encoder needs whole 20 ms frames */
	want = n * x->web_rate / x->ims_rate;
	if ((size_t)m < want) {
		memmove(x->pcm_web + (want - (size_t)m), x->pcm_web, (size_t)m * sizeof(int16_t));
		memset(x->pcm_web, 0, (want - (size_t)m) * sizeof(int16_t));
	}
	if (x->cfg.web == XCODE_WEB_OPUS) {
		len = opus_encode(x->opus_enc, x->pcm_web, (int)want, out + 12, (opus_int32)(cap - 12));
		if (len < 0) {
			snprintf(err, errlen, "transcoder: Opus encoder: %s", opus_strerror(len));
			return -EIO;
		}
	} else {
		g711_encode(x->cfg.web == XCODE_WEB_PCMA, x->pcm_web, want, out + 12);
		len = (int)want;
	}
	marker = !x->map_down.sent_any || ts != x->map_down.out_next_ts;
	rtp_map_out(&x->map_down, out, x->cfg.web_pt, marker, ts, (uint32_t)want);
	return 12 + len;
}
