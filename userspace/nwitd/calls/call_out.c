/*
 * Calls from the app: the app's INVITE becomes an IMS INVITE (SDP translated from
 * WebRTC), and the IMS answers come back to the app (calls/call.h).
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

void app_invite(struct b2bua *b, struct app_ws *ws, const struct sip_msg *m)
{
	struct ims_reg_info info;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *ims_sdp = NULL;
	struct call *c;
	struct leg *a, *im;
	char err[SDP_ERR_MAX + 40], warn[400], extra[1024], *body = NULL, *keep = NULL;
	size_t blen = 0, klen = 0;
	int rc;

	if (!call_ims_info(b, &info)) {
		app_reply_plain(b, ws, m, 480, "IMS not registered", NULL);
		return;
	}
	if (!m->body || strcmp(m->ctype, "application/sdp") != 0) {
		app_reply_plain(b, ws, m, 488, "SDP offer required", NULL);
		return;
	}
	if (m->require[0] && call_unsupported(m->require)) {
		char h[SIP_MSG_TOKEN_MAX + 24];

		snprintf(h, sizeof(h), "Unsupported: %s\r\n", m->require);
		app_reply_plain(b, ws, m, 420, NULL, h);
		return;
	}
	c = call_new(b, 1);
	if (!c) {
		app_reply_plain(b, ws, m, 500, "Out of memory", NULL);
		return;
	}
	b->st.out++;
	a = &c->app[0];
	a->used = 1;
	c->n_app = 1;
	c->winner = 0;
	a->ws = ws;
	leg_take_invite(a, m);
	a->cseq = 0;
	call_tl(c, "app %s INVITE %s", app_side_id(&b->d->app_side, ws), m->ruri);
	if (!a->inv) {
		call_end(c, "out of memory");
		return;
	}
	leg_respond(c, a, a->inv, 100, NULL, NULL, NULL, 0);

	if (call_take_offer(b, c, a, m, &info, "the app") < 0)
		return;
	call_local_sides(c, &wl, &il, &info);
	rc = sdp_xlate_webrtc_offer(c->offer, &wl, &il, &c->x, &ims_sdp, err, sizeof(err));
	if (rc < 0) {
		b->st.sdp_refused++;
		snprintf(warn, sizeof(warn), "Warning: %d nwitd \"%s\"\r\n", call_warning_code(rc, &c->x),
			 err);
		leg_respond(c, a, a->inv, 488, NULL, warn, NULL, 0);
		call_end(c, "offer refused: %s", err);
		return;
	}
	body = call_sdp_text(ims_sdp, &blen);
	sdp_free(ims_sdp);
	if (!body) {
		leg_respond(c, a, a->inv, 500, NULL, NULL, NULL, 0);
		call_end(c, "cannot write the IMS offer");
		return;
	}
	c->x_offer = c->x;

	im = &c->ims;
	im->used = 1;
	sip_msg_random(im->call_id, sizeof(im->call_id), "nwit-");
	sip_msg_random(im->local_tag, sizeof(im->local_tag), NULL);
	snprintf(im->local, sizeof(im->local), "<%s>;tag=%s", info.impu, im->local_tag);
	snprintf(im->remote, sizeof(im->remote), "<%s>", m->to_uri);
	snprintf(im->inv_ruri, sizeof(im->inv_ruri), "%s", m->ruri);
	im->n_routes = info.n_routes < SIP_MSG_ROUTES_MAX ? info.n_routes : SIP_MSG_ROUTES_MAX;
	for (int i = 0; i < im->n_routes; i++)
		snprintf(im->routes[i], sizeof(im->routes[i]), "%s", info.routes[i]);
	im->cseq = im->inv_cseq = 1;
	snprintf(extra, sizeof(extra),
		 "P-Preferred-Identity: <%s>\r\n"
		 "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE\r\n"
		 "Accept-Contact: *;+g.3gpp.icsi-ref=\"urn%%3Aurn-7%%3A3gpp-service.ims.icsi.mmtel\"\r\n"
		 "P-Preferred-Service: urn:urn-7:3gpp-service.ims.icsi.mmtel\r\n",
		 info.impu);
	log_debug("call %u: browser offer:\n%.*s\nIMS offer:\n%.*s", c->id, (int)m->body_len,
		  m->body, (int)blen, body);
	rc = leg_request(c, im, "INVITE", NULL, im->inv_cseq, extra, body, blen, &keep, &klen);
	free(body);
	if (rc < 0) {
		leg_respond(c, a, a->inv, 503, "IMS not reachable", NULL, NULL, 0);
		call_end(c, "cannot send the IMS INVITE: %s", strerror(-rc));
		return;
	}
	call_tl(c, "IMS INVITE sent (Call-ID %s)", im->call_id);
	free(keep);	/* its client transaction retransmits it (Timer A) */
	call_start_ms(c->t_timeout, b->d->conf.calls_ring_timeout * 1000);
}

/* A response from the IMS to our INVITE of an outgoing call. */
void ims_invite_response(struct call *c, const struct sip_msg *m)
{
	struct leg *im = &c->ims, *a = &c->app[0];
	struct ims_reg_info info;
	char err[SDP_ERR_MAX + 40], *body = NULL, warn[600];
	size_t blen = 0;

	if (m->cseq != im->inv_cseq)
		return;
	call_retx_stop(c);
	if (m->status < 200) {
		if (m->status == 100)
			return;
		if (c->state != CALL_SETUP)
			return;
		im->provisional = 1;
		if (m->to_tag[0])
			snprintf(im->remote, sizeof(im->remote), "%s", m->to);
		call_tl(c, "IMS %d %s%s", m->status, m->reason, m->body ? " with SDP" : "");
		if (m->body && !c->early) {
			/* early media: the answer in a 183 goes to the app as its answer */
			c->x = c->x_offer;
			body = call_translate_answer(c, m, 1, c->offer, &c->x, &blen, err, sizeof(err));
			if (body && media_configure(c->media, &c->x) == 0) {
				c->early = 1;
				leg_respond(c, a, a->inv, 183, "Session Progress", NULL, body, blen);
				free(body);
				call_tl(c, "app 183 with SDP (early media)");
				return;
			}
			free(body);
			log_info("call %u: early media not passed on: %s", c->id,
				 body ? "media setup failed" : err);
		}
		leg_respond(c, a, a->inv, m->status == 183 ? 180 : m->status, m->status == 183 ? "Ringing" :
			m->reason, NULL, NULL, 0);
		return;
	}
	if (m->status >= 300) {
		if (!m->to_tag[0] || im->final) {
			im->final = 1;
			snprintf(im->remote, sizeof(im->remote), "%s", m->to);
			leg_send_ack(c, im, 0);
			return;
		}
		im->final = 1;
		snprintf(im->remote, sizeof(im->remote), "%s", m->to);
		leg_send_ack(c, im, 0);
		if (c->state != CALL_SETUP)
			return;
		call_tl(c, "IMS %d %s", m->status, m->reason);
		warn[0] = '\0';
		if (m->warning[0])
			snprintf(warn, sizeof(warn), "Warning: %s\r\n", m->warning);
		leg_respond(c, a, a->inv, sip_msg_map_failure(m->status), m->reason[0] ? m->reason : NULL,
			warn, NULL, 0);
		c->b->st.failed++;
		call_end(c, "IMS refused: %d %s", m->status, m->reason);
		return;
	}
	/* 2xx */
	if (im->final) {	/* a retransmitted 200: its ACK was lost */
		leg_send_ack(c, im, 1);
		return;
	}
	im->final = 1;
	snprintf(im->remote, sizeof(im->remote), "%s", m->to);
	snprintf(im->remote_tag, sizeof(im->remote_tag), "%s", m->to_tag);
	snprintf(im->target, sizeof(im->target), "%s", m->contact_uri[0] ? m->contact_uri :
								     im->inv_ruri);
	/* UAC route set: Record-Route reversed (RFC 3261 12.1.2) */
	im->n_routes = m->n_rr;
	for (int i = 0; i < m->n_rr; i++)
		snprintf(im->routes[i], sizeof(im->routes[i]), "%s", m->rr[m->n_rr - 1 - i]);
	leg_send_ack(c, im, 1);
	call_tl(c, "IMS 200 OK, ACK sent");
	if (c->state != CALL_SETUP) {	/* the app cancelled meanwhile */
		leg_send_bye(c, im);
		return;
	}
	if (!call_ims_info(c->b, &info) || !m->body) {
		leg_send_bye(c, im);
		leg_respond(c, a, a->inv, 502, "No SDP answer from IMS", NULL, NULL, 0);
		call_end(c, "IMS answered without SDP");
		return;
	}
	c->x = c->x_offer;
	body = call_translate_answer(c, m, 1, c->offer, &c->x, &blen, err, sizeof(err));
	if (!body || call_start_media(c, err, sizeof(err)) < 0) {
		free(body);
		call_answer_unusable(c, im, a, "IMS", err);
		return;
	}
	log_debug("call %u: IMS answer:\n%.*s\nbrowser answer:\n%.*s", c->id, (int)m->body_len,
		  m->body, (int)blen, body);
	leg_respond(c, a, a->inv, 200, NULL, NULL, body, blen);
	free(body);
	evtimer_del(c->t_timeout);
	c->state = CALL_CONFIRMED;
	c->b->st.answered++;
	if (m->session_expires > 0)
		call_refresh_start(c, m->session_expires);
	call_tl(c, "app 200 OK sent (answer translated)");
}

void call_ims_invite_answer(struct call *c, const struct sip_msg *m)
{
	struct leg *im = &c->ims;

	if (c->re_to == im && m->cseq == im->inv_cseq && strcmp(m->branch, im->inv_branch) == 0) {
		reinvite_response(c, m);
		return;
	}
	if (!c->outgoing || strcmp(m->branch, im->inv_branch) != 0)
		return;
	if (c->state != CALL_ENDED) {
		ims_invite_response(c, m);
	} else if (m->status >= 300) {	/* e.g. 487 after our CANCEL */
		snprintf(im->remote, sizeof(im->remote), "%s", m->to);
		leg_send_ack(c, im, 0);
		im->final = m->status;
	} else if (m->status >= 200) {
		ims_stray_2xx(c->b, m);
		im->final = m->status;
	}
}
