/*
 * Browser -> IMS: Opus or G.711 in, AMR / AMR-WB (RFC 4867) out.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "codec/g711.h"
#include "codec/xcode_priv.h"

static int event(struct xcode *x, const struct rtp_view *v, uint8_t *out, size_t cap, char *err,
		 size_t errlen)
{
	uint32_t ts;
	int n;

	if (x->cfg.ims_te_pt < 0) {
		snprintf(err, errlen, "transcoder: telephone-event from the browser, none toward IMS");
		return -EINVAL;
	}
	if (rtp_map_in(&x->map_up, v, &ts) < 0) {
		snprintf(err, errlen, "transcoder: browser packet %u is late or a duplicate", v->seq);
		return -EALREADY;
	}
	n = rtp_map_telephone_event(&x->map_up, v->payload, v->payload_len, out + 12, cap - 12);
	if (n < 0) {
		snprintf(err, errlen, "transcoder: telephone-event payload of %zu octets",
			 v->payload_len);
		return -EINVAL;
	}
	rtp_map_out(&x->map_up, out, (uint8_t)x->cfg.ims_te_pt, v->marker, ts, 0);
	x->st.events[XCODE_TO_IMS]++;
	return 12 + n;
}

/* Decode the browser's payload into x->pcm_web; return the samples or -errno. */
static int decode(struct xcode *x, const struct rtp_view *v, char *err, size_t errlen)
{
	int n;

	if (x->cfg.web != XCODE_WEB_OPUS) {
		if (v->payload_len > XCODE_MAX_WEB_SAMPLES || !v->payload_len) {
			snprintf(err, errlen, "transcoder: G.711 payload of %zu octets", v->payload_len);
			return -EIO;
		}
		g711_decode(x->cfg.web == XCODE_WEB_PCMA, v->payload, v->payload_len, x->pcm_web);
		return (int)v->payload_len;
	}
	n = opus_decode(x->opus_dec, v->payload, (opus_int32)v->payload_len, x->pcm_web,
			XCODE_MAX_WEB_SAMPLES, 0);
	if (n < 0) {
		snprintf(err, errlen, "transcoder: Opus packet %u of %zu octets: %s", v->seq,
			 v->payload_len, opus_strerror(n));
		return -EIO;
	}
	return n;
}

int xcode_to_ims(struct xcode *x, const struct rtp_view *v, uint8_t *out, size_t cap, char *err,
		 size_t errlen)
{
	struct amr_payload pl = { .cmr = AMR_CMR_NONE };
	unsigned first = 0, last, nf;
	uint32_t ts, first_ts;
	int n, m, len;
	bool marker;

	if (x->cfg.web_te_pt >= 0 && v->pt == x->cfg.web_te_pt)
		return event(x, v, out, cap, err, errlen);
	if (v->pt != x->cfg.web_pt) {
		snprintf(err, errlen, "transcoder: browser payload type %u was not negotiated", v->pt);
		return -EINVAL;
	}
	if (rtp_map_in(&x->map_up, v, &ts) < 0) {
		snprintf(err, errlen, "transcoder: browser packet %u is late or a duplicate", v->seq);
		return -EALREADY;
	}
	n = decode(x, v, err, errlen);
	if (n < 0)
		return n;
	/* after a gap, samples left over from before it belong to no frame */
	if (x->fifo_len && ts != x->fifo_next_ts)
		x->fifo_len = 0;
	m = resampler_run(x->rs_up, x->pcm_web, (size_t)n, x->fifo + x->fifo_len,
			  XCODE_FIFO - x->fifo_len);
	if (m < 0) {
		snprintf(err, errlen, "transcoder: resampling %d samples failed", n);
		return -EIO;
	}
	first_ts = ts - (uint32_t)x->fifo_len;
	x->fifo_len += (size_t)m;
	x->fifo_next_ts = ts + (uint32_t)((uint64_t)n * x->ims_rate / x->web_rate);
	nf = (unsigned)(x->fifo_len / x->ims_frame);
	if (nf > AMR_MAX_FRAMES)
		nf = AMR_MAX_FRAMES;
	for (unsigned i = 0; i < nf; i++) {
		if (amr_enc_frame(x->enc, amr_mode_next(&x->mode), x->fifo + i * x->ims_frame,
				  &pl.frame[i]) < 0) {
			snprintf(err, errlen, "transcoder: %s encoder failed",
				 amr_codec_name(x->cfg.ims));
			x->fifo_len = 0;
			return -EIO;
		}
	}
	x->fifo_len -= nf * x->ims_frame;
	memmove(x->fifo, x->fifo + nf * x->ims_frame, x->fifo_len * sizeof(x->fifo[0]));

	/* DTX: NO_DATA frames at either end of the packet are not sent */
	while (first < nf && pl.frame[first].ft == AMR_FT_NO_DATA)
		first++;
	last = nf;
	while (last > first && pl.frame[last - 1].ft == AMR_FT_NO_DATA)
		last--;
	x->st.silent_frames += nf - (last - first);
	if (first == last) {
		if (nf)
			x->talkspurt = false;
		return 0;
	}
	pl.nframes = last - first;
	memmove(pl.frame, pl.frame + first, pl.nframes * sizeof(pl.frame[0]));
	first_ts += first * x->ims_frame;
	for (unsigned i = 0; i < pl.nframes; i++)
		if (amr_ft_is_sid(x->cfg.ims, pl.frame[i].ft))
			x->st.sid_frames[XCODE_TO_IMS]++;
	/* RFC 4867 4.1: M=1 when the first frame is the first speech of a talkspurt */
	marker = amr_ft_is_speech(x->cfg.ims, pl.frame[0].ft) && (!x->talkspurt || first);
	x->talkspurt = amr_ft_is_speech(x->cfg.ims, pl.frame[pl.nframes - 1].ft) && last == nf;
	len = amr_payload_build(&x->fmt, &pl, out + 12, cap - 12, err, errlen);
	if (len < 0)
		return -EIO;
	rtp_map_out(&x->map_up, out, x->cfg.ims_pt, marker, first_ts, pl.nframes * x->ims_frame);
	return 12 + len;
}
