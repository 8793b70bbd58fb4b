/*
 * Calls from IMS: an IMS INVITE is offered to every connected app that may take it;
 * the first 200 wins, the others get CANCEL (calls/call.h).
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

/* --- IMS -> app -------------------------------------------------------------------------- */

/* The token scopes an app needs to take a call from IMS with this translated offer. */
static unsigned call_scopes(const struct sdp_xlate *x)
{
	unsigned need = x->msrp.stream >= 0 ? APP_SCOPE_FILE_TRANSFER : 0;

	for (unsigned i = 0; i < x->nstreams; i++)
		if (x->s[i].npairs && x->s[i].webrtc_index >= 0)
			need |= APP_SCOPE_VOICE;
	return need ? need : APP_SCOPE_VOICE;
}

void ims_invite(struct b2bua *b, const struct sip_msg *m)
{
	struct ims_reg_info info;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *web = NULL;
	struct app_ws *ws = NULL;
	struct call *c;
	struct leg *im;
	char err[SDP_ERR_MAX + 40], warn[400], *body = NULL;
	size_t blen = 0;
	int rc;

	if (!call_ims_info(b, &info) || !b->d->app_side.ops) {
		ims_reply_plain(b, m, 480, "No web app connected", NULL);
		return;
	}
	if (m->require[0] && call_unsupported(m->require)) {
		char h[SIP_MSG_TOKEN_MAX + 24];

		snprintf(h, sizeof(h), "Unsupported: %s\r\n", m->require);
		ims_reply_plain(b, m, 420, NULL, h);
		return;
	}
	c = call_new(b, 0);
	if (!c) {
		ims_reply_plain(b, m, 500, NULL, NULL);
		return;
	}
	b->st.in++;
	im = &c->ims;
	im->used = 1;
	leg_take_invite(im, m);
	snprintf(im->inv_branch, sizeof(im->inv_branch), "%s", m->branch);
	im->n_routes = m->n_rr;	/* UAS route set: Record-Route in order */
	for (int i = 0; i < m->n_rr; i++)
		snprintf(im->routes[i], sizeof(im->routes[i]), "%s", m->rr[i]);
	call_tl(c, "IMS INVITE from %s", m->from_uri);
	if (!im->inv) {
		call_end(c, "out of memory");
		return;
	}
	leg_respond(c, im, im->inv, 100, NULL, NULL, NULL, 0);
	if (!m->body || strcmp(m->ctype, "application/sdp") != 0) {
		leg_respond(c, im, im->inv, 488, "SDP offer required", NULL, NULL, 0);
		call_end(c, "INVITE without SDP");
		return;
	}
	if (call_take_offer(b, c, im, m, &info, "IMS") < 0)
		return;
	call_local_sides(c, &wl, &il, &info);
	rc = sdp_xlate_ims_offer(c->offer, &il, &wl, &c->x, &web, err, sizeof(err));
	if (rc == 0)
		body = call_sdp_text(web, &blen);
	sdp_free(web);
	if (rc < 0 || !body) {
		b->st.sdp_refused++;
		snprintf(warn, sizeof(warn), "Warning: %d nwitd \"%s\"\r\n", call_warning_code(rc, &c->x),
			 rc < 0 ? err : "cannot write the offer");
		leg_respond(c, im, im->inv, 488, NULL, warn, NULL, 0);
		call_end(c, "offer refused: %s", rc < 0 ? err : "cannot write the offer");
		free(body);
		return;
	}
	/* offer it to every app that may take voice calls (and file transfer, when offered) */
	while (c->n_app < MAX_BRANCHES &&
	       (ws = app_side_next_callable(&b->d->app_side, ws, call_scopes(&c->x))) != NULL) {
		struct leg *a = &c->app[c->n_app];
		char extra[512], disp[SIP_MSG_TOKEN_MAX + 4];

		a->used = 1;
		a->ws = ws;
		sip_msg_random(a->call_id, sizeof(a->call_id), "nwit-");
		sip_msg_random(a->local_tag, sizeof(a->local_tag), NULL);
		disp[0] = '\0';
		if (m->from_display[0])
			snprintf(disp, sizeof(disp), "%s ", m->from_display);
		{
			char tag[40];

			memcpy(tag, a->local_tag, sizeof(tag));
			snprintf(a->local, sizeof(a->local), "%s<%s>;tag=%s", disp, m->from_uri, tag);
		}
		snprintf(a->remote, sizeof(a->remote), "<%s>", info.impu);
		snprintf(a->inv_ruri, sizeof(a->inv_ruri), "%s", info.impu);
		a->cseq = a->inv_cseq = 1;
		snprintf(extra, sizeof(extra), "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n");
		if (leg_request(c, a, "INVITE", NULL, 1, extra, body, blen, NULL, NULL) == 0) {
			call_tl(c, "offered to app %s", app_side_id(&b->d->app_side, ws));
			c->n_app++;
		} else {
			leg_clear(a);
		}
	}
	free(body);
	if (c->n_app == 0 && (call_scopes(&c->x) & APP_SCOPE_FILE_TRANSFER) &&
	    app_side_next_callable(&b->d->app_side, NULL, call_scopes(&c->x) & ~APP_SCOPE_FILE_TRANSFER)) {
		b->st.no_app++;
		leg_respond(c, im, im->inv, 403, "File transfer not allowed",
			"Warning: 399 nwitd \"no connected app has the file-transfer scope\"\r\n",
			NULL, 0);
		call_end(c, "no app with the file-transfer scope");
		return;
	}
	if (c->n_app == 0) {
		b->st.no_app++;
		leg_respond(c, im, im->inv, 480, "No web app connected", NULL, NULL, 0);
		call_end(c, "no app to offer it to");
		return;
	}
	call_start_ms(c->t_timeout, b->d->conf.calls_ring_timeout * 1000);
}

/* A response from an app to the INVITE we offered it. */
void app_invite_response(struct call *c, struct leg *a, const struct sip_msg *m)
{
	struct leg *im = &c->ims;
	char err[SDP_ERR_MAX + 40], *body = NULL;
	size_t blen = 0;
	int idx = (int)(a - c->app);

	if (m->status < 200) {
		if (m->status == 180 && c->state == CALL_SETUP && !im->provisional) {
			im->provisional = 1;
			call_tl(c, "app %s ringing", app_side_id(&c->b->d->app_side, a->ws));
			leg_respond(c, im, im->inv, 180, NULL, NULL, NULL, 0);
		}
		return;
	}
	if (m->status >= 300) {
		int best = 0;

		a->final = m->status;
		leg_send_ack(c, a, 0);
		if (c->state != CALL_SETUP)
			return;
		call_tl(c, "app %s refused: %d %s", app_side_id(&c->b->d->app_side, a->ws), m->status, m->reason);
		for (int i = 0; i < c->n_app; i++) {
			if (c->app[i].used && !c->app[i].final)
				return;	/* still ringing elsewhere */
			if (c->app[i].final && (best == 0 || c->app[i].final == 486 ||
						c->app[i].final == 603))
				best = c->app[i].final;
		}
		leg_respond(c, im, im->inv, sip_msg_map_failure(best), NULL, NULL, NULL, 0);
		c->b->st.failed++;
		call_end(c, "every app refused (%d)", best);
		return;
	}
	/* 2xx */
	if (a->final) {
		leg_send_ack(c, a, 1);
		return;
	}
	a->final = m->status;
	snprintf(a->remote, sizeof(a->remote), "%s", m->to);
	snprintf(a->remote_tag, sizeof(a->remote_tag), "%s", m->to_tag);
	snprintf(a->target, sizeof(a->target), "%s", m->contact_uri[0] ? m->contact_uri :
								     a->inv_ruri);
	leg_send_ack(c, a, 1);
	if (c->state != CALL_SETUP || c->winner >= 0) {
		leg_send_bye(c, a);	/* answered too late */
		return;
	}
	c->winner = idx;
	call_tl(c, "app %s answered", app_side_id(&c->b->d->app_side, a->ws));
	for (int i = 0; i < c->n_app; i++)
		if (i != idx && c->app[i].used && !c->app[i].final) {
			leg_send_cancel(c, &c->app[i]);
			call_tl(c, "CANCEL to app %s", app_side_id(&c->b->d->app_side, c->app[i].ws));
		}
	body = call_translate_answer(c, m, 0, c->offer, &c->x, &blen, err, sizeof(err));
	if (!body || call_start_media(c, err, sizeof(err)) < 0) {
		free(body);
		call_answer_unusable(c, a, im, "app", err);
		return;
	}
	{
		char se[128] = "";

		if (im->inv->session_expires > 0) {
			call_refresh_start(c, im->inv->session_expires);
			snprintf(se, sizeof(se), "Require: timer\r\nSession-Expires: %ld;refresher=uas\r\n",
				 c->session_expires);
		}
		leg_respond(c, im, im->inv, 200, NULL, se[0] ? se : NULL, body, blen);
	}
	free(body);
	/* retransmit the 200 until the ACK (RFC 3261 13.3.1.4) */
	if (im->last_resp) {
		char *copy = malloc(im->last_resp_len);

		if (copy) {
			memcpy(copy, im->last_resp, im->last_resp_len);
			call_retx_start(c, copy, im->last_resp_len);
		}
	}
	evtimer_del(c->t_timeout);
	c->state = CALL_CONFIRMED;
	c->b->st.answered++;
	call_tl(c, "IMS 200 OK sent (answer translated)");
}
