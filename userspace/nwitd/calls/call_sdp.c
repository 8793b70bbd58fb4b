/*
 * The offer/answer steps both call directions share: our addresses for the SDP
 * translation (sdp_translate.h), taking an offer, starting the media, refusing an answer
 * that cannot be used (calls/call.h).
 */
#include "calls/call.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calls/b2bua_msrp.h"
#include "core/counters.h"
#include "datapath/fastpath_svc.h"
#include "auth/jws_claims.h"
#include "core/log.h"
#include "media/media.h"
#include "media/media_dtls.h"
#include "nwitd.h"

/* --- SDP -------------------------------------------------------------------------------- */

void call_local_sides(struct call *c, struct sdp_webrtc_local *wl, struct sdp_ims_local *il,
			const struct ims_reg_info *info)
{
	memset(wl, 0, sizeof(*wl));
	memset(il, 0, sizeof(*il));
	wl->addr = c->lan_addr;
	wl->port = media_browser_port(c->media);
	wl->ice_ufrag = media_ice_ufrag(c->media);
	wl->ice_pwd = media_ice_pwd(c->media);
	wl->fingerprint = media_dtls_fingerprint();
	wl->answer_setup = SDP_SETUP_ACTIVE;
	wl->cname = "nwitd";
	wl->msid_stream = "nwitd";
	/*
	 * No a=ssrc toward the browser: the relay keeps the IMS peer's SSRCs, and a signalled
	 * SSRC that the packets do not carry makes Chromium play them on an unsignalled
	 * stream that no track renders (measured: packets received, audio energy 0).
	 */
	wl->sess_id = c->sess_id;
	wl->sess_version = ++c->sess_version;
	il->addr = info->local_host[0] ? info->local_host : c->b->d->conf.ims_local_address;
	{
		/* one RTP/RTCP pair per audio/video m= line of the offer at hand */
		const struct sdp_session *o = c->re_offer ? c->re_offer : c->offer;
		unsigned n = 0;

		for (unsigned i = 0; o && i < o->nmedia; i++)
			n += strcmp(o->media[i].type, "audio") == 0 ||
			     strcmp(o->media[i].type, "video") == 0;
		media_ims_reserve(c->media, n ? n : 1);	/* too few: port 0 refuses */
		media_ims_ports(c->media, il->rtp_port, SDP_MAX_MEDIA);
	}
	if (c->msrp) {
		wl->msrp_dc_uri = b2bua_msrp_dc_uri(c->msrp);
		il->msrp_uri = b2bua_msrp_ims_uri(c->msrp);
		wl->sctp_port = 5000;
		wl->max_message_size = 262144;
	}
	il->sess_id = wl->sess_id;
	il->sess_version = wl->sess_version;
}

int call_warning_code(int rc, const struct sdp_xlate *x)
{
	if (x->warning)
		return x->warning;
	return rc == -EPROTONOSUPPORT ? 305 : 399;
}

char *call_sdp_text(struct sdp_session *s, size_t *len)
{
	char *out = NULL;

	if (sdp_serialize(s, &out, len) < 0)
		return NULL;
	return out;
}

/*
 * The answer that leg `from` sent cannot be used: hang that leg up, refuse the offer that
 * leg `to` made with 488 and a Warning naming why, and end the call.
 */
void call_answer_unusable(struct call *c, struct leg *from, struct leg *to, const char *side,
			    const char *why)
{
	char warn[400];

	c->b->st.sdp_refused++;
	leg_send_bye(c, from);
	snprintf(warn, sizeof(warn), "Warning: 399 nwitd \"%s answer unusable: %s\"\r\n", side,
		 why);
	leg_respond(c, to, to->inv, 488, NULL, warn, NULL, 0);
	call_end(c, "%s answer unusable: %s", side, why);
}

/* Fill the dialog fields of a leg that received an INVITE (we are its UAS). */
void leg_take_invite(struct leg *l, const struct sip_msg *m)
{
	l->inv = call_msg_dup(m);
	snprintf(l->call_id, sizeof(l->call_id), "%s", m->call_id);
	sip_msg_random(l->local_tag, sizeof(l->local_tag), NULL);
	snprintf(l->local, sizeof(l->local), "%s;tag=%s", m->to, l->local_tag);
	snprintf(l->remote, sizeof(l->remote), "%s", m->from);
	snprintf(l->remote_tag, sizeof(l->remote_tag), "%s", m->from_tag);
	snprintf(l->target, sizeof(l->target), "%s", m->contact_uri);
}

/*
 * Parse the offer of the INVITE that leg l received and open the call's media sockets.
 * On failure the INVITE is answered (488 with a Warning, or 500), the call ended, and -1
 * returned.
 */
int call_take_offer(struct b2bua *b, struct call *c, struct leg *l, const struct sip_msg *m,
		      const struct ims_reg_info *info, const char *side)
{
	char err[SDP_ERR_MAX + 40], warn[400];

	if (sdp_parse(m->body, m->body_len, &c->offer, err, sizeof(err)) < 0) {
		b->st.malformed++;
		snprintf(warn, sizeof(warn), "Warning: 399 nwitd \"malformed SDP: %s\"\r\n", err);
		leg_respond(c, l, l->inv, 488, NULL, warn, NULL, 0);
		call_end(c, "malformed SDP from %s: %s", side, err);
		return -1;
	}
	c->media = media_new(b->d->base, fastpath_svc_handle(b->d), c->lan_addr, info->local_host,
			     call_media_failed, c);
	if (!c->media) {
		leg_respond(c, l, l->inv, 500, "No media ports", NULL, NULL, 0);
		call_end(c, "cannot open media sockets");
		return -1;
	}
	media_set_ice_timeout(c->media, b->d->conf.calls_ice_timeout);
	if (b2bua_msrp_wanted(c->offer)) {
		c->msrp = b2bua_msrp_new(b->d->base, info->local_host[0] ? info->local_host :
				b->d->conf.ims_local_address, c->lan_addr,
				media_browser_port(c->media), call_media_failed, c);
		if (!c->msrp) {
			leg_respond(c, l, l->inv, 500, "No MSRP port", NULL, NULL, 0);
			call_end(c, "cannot open the MSRP socket");
			return -1;
		}
	}
	return 0;
}

/* Media configured for an answered call: start its file transfer too. 0 or -1 (why in err). */
int call_start_media(struct call *c, char *err, size_t errlen)
{
	if (media_configure(c->media, &c->x) < 0) {
		snprintf(err, errlen, "media setup failed");
		return -1;
	}
	if (c->msrp && c->x.msrp.active && b2bua_msrp_start(c->msrp, &c->x, c->media, err, errlen) < 0)
		return -1;
	return 0;
}

char *call_translate_answer(struct call *c, const struct sip_msg *m, int from_ims,
			    const struct sdp_session *offer, struct sdp_xlate *x, size_t *len,
			    char *err, size_t errlen)
{
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *ans = NULL, *out = NULL;
	struct ims_reg_info info;
	char *body = NULL;
	int rc;

	*len = 0;
	if (!m->body || !call_ims_info(c->b, &info)) {
		snprintf(err, errlen, "no SDP answer");
		return NULL;
	}
	rc = sdp_parse(m->body, m->body_len, &ans, err, errlen);
	if (rc == 0) {
		call_local_sides(c, &wl, &il, &info);
		rc = from_ims ? sdp_xlate_ims_answer(offer, ans, &wl, x, &out, err, errlen) :
				sdp_xlate_webrtc_answer(offer, ans, &il, x, &out, err, errlen);
	}
	sdp_free(ans);
	if (rc == 0) {
		body = call_sdp_text(out, len);
		if (!body)
			snprintf(err, errlen, "cannot write the answer");
	}
	sdp_free(out);
	return body;
}
