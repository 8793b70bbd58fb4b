/*
 * Requests inside a call's dialog, from either leg: re-INVITE and UPDATE (hold, resume,
 * codec change), BYE, CANCEL, INFO and MESSAGE passed on; late 200s after a call ended
 * (calls/call.h).
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

/* --- re-INVITE (hold, resume, codec change) ---------------------------------------------- */

void reinvite_clear(struct call *c)
{
	sdp_free(c->re_offer);
	c->re_offer = NULL;
	free(c->re_req);
	c->re_req = NULL;
	c->re_from = c->re_to = NULL;
}

/* A session change offered on leg from: translate and pass it to the other leg. */
static void reinvite_start(struct call *c, struct leg *from, const struct sip_msg *m)
{
	int from_ims = from == &c->ims;
	struct leg *to = from_ims ? &c->app[c->winner] : &c->ims;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *out = NULL;
	struct ims_reg_info info;
	char err[SDP_ERR_MAX + 40], warn[400], *body = NULL;
	size_t blen = 0;
	int rc;

	if (c->re_req) {
		leg_respond(c, from, m, 491, NULL, NULL, NULL, 0);
		return;
	}
	if (!m->body || !call_ims_info(c->b, &info)) {
		/* no offer (RFC 3261 14.1: we would have to offer): keep the session as it is */
		leg_respond(c, from, m, 488, NULL, "Warning: 399 nwitd \"a re-INVITE needs an SDP "
			"offer here\"\r\n", NULL, 0);
		return;
	}
	rc = sdp_parse(m->body, m->body_len, &c->re_offer, err, sizeof(err));
	if (rc == 0) {
		memset(&c->re_x, 0, sizeof(c->re_x));
		call_local_sides(c, &wl, &il, &info);
		rc = from_ims ? sdp_xlate_ims_offer(c->re_offer, &il, &wl, &c->re_x, &out, err,
						    sizeof(err)) :
				sdp_xlate_webrtc_offer(c->re_offer, &wl, &il, &c->re_x, &out, err,
						       sizeof(err));
	}
	if (rc == 0)
		body = call_sdp_text(out, &blen);
	sdp_free(out);
	if (rc < 0 || !body) {
		c->b->st.sdp_refused++;
		snprintf(warn, sizeof(warn), "Warning: %d nwitd \"%s\"\r\n",
			 rc < 0 ? call_warning_code(rc, &c->re_x) : 399, rc < 0 ? err : "cannot write it");
		leg_respond(c, from, m, 488, NULL, warn, NULL, 0);
		call_tl(c, "%s re-INVITE refused: %s", from_ims ? "IMS" : "app", rc < 0 ? err : "no SDP");
		reinvite_clear(c);
		free(body);
		return;
	}
	c->re_req = call_msg_dup(m);
	if (!c->re_req) {
		leg_respond(c, from, m, 500, NULL, NULL, NULL, 0);
		reinvite_clear(c);
		free(body);
		return;
	}
	c->re_from = from;
	c->re_to = to;
	c->re_from_ims = from_ims;
	to->cseq++;
	to->inv_cseq = to->cseq;
	/* toward IMS, its client transaction retransmits it (Timer A) */
	rc = leg_request(c, to, "INVITE", NULL, to->cseq, NULL, body, blen, NULL, NULL);
	free(body);
	if (rc < 0) {
		leg_respond(c, from, m, 500, NULL, NULL, NULL, 0);
		reinvite_clear(c);
		return;
	}
	call_tl(c, "%s %s passed on%s", from_ims ? "IMS" : "app",
	   strcmp(m->method, "INVITE") == 0 ? "re-INVITE" : m->method,
	   strcmp(m->method, "INVITE") == 0 ? "" : " as re-INVITE");
}

/* The answer (or refusal) of the leg we sent the re-INVITE to. */
void reinvite_response(struct call *c, const struct sip_msg *m)
{
	struct leg *from = c->re_from, *to = c->re_to;
	char err[SDP_ERR_MAX + 40], warn[400], *body = NULL;
	size_t blen = 0;

	if (to == &c->ims)
		call_retx_stop(c);
	if (m->status < 200)
		return;
	leg_send_ack(c, to, m->status < 300);
	if (m->status >= 300) {
		call_tl(c, "session change refused: %d %s", m->status, m->reason);
		leg_respond(c, from, c->re_req, sip_msg_map_failure(m->status), m->reason[0] ? m->reason :
			NULL, NULL, NULL, 0);
		reinvite_clear(c);
		return;
	}
	body = call_translate_answer(c, m, !c->re_from_ims, c->re_offer, &c->re_x, &blen, err,
				     sizeof(err));
	if (!body || media_configure(c->media, &c->re_x) < 0) {
		/* the other leg took the change, the offerer cannot: end the call cleanly */
		snprintf(warn, sizeof(warn), "Warning: 399 nwitd \"answer unusable: %s\"\r\n",
			 body ? "media setup failed" : err);
		leg_respond(c, from, c->re_req, 488, NULL, warn, NULL, 0);
		free(body);
		reinvite_clear(c);
		leg_send_bye(c, &c->ims);
		if (c->winner >= 0)
			leg_send_bye(c, &c->app[c->winner]);
		call_end(c, "re-INVITE answer unusable: %s", body ? "media" : err);
		return;
	}
	c->x = c->re_x;
	leg_respond(c, from, c->re_req, 200, NULL, NULL, body, blen);
	free(body);
	if (from == &c->ims && from->last_resp && strcmp(c->re_req->method, "INVITE") == 0) {
		char *copy = malloc(from->last_resp_len);

		if (copy) {
			memcpy(copy, from->last_resp, from->last_resp_len);
			call_retx_start(c, copy, from->last_resp_len);
		}
	}
	call_tl(c, "session change answered");
	reinvite_clear(c);
}

/* --- in-dialog requests ------------------------------------------------------------------ */

/* BYE, CANCEL, ACK, re-INVITE, UPDATE, ... received on leg l of call c. */
void dialog_request(struct call *c, struct leg *l, const struct sip_msg *m)
{
	int from_ims = l == &c->ims;
	struct leg *peer = from_ims ? (c->winner >= 0 ? &c->app[c->winner] : NULL) : &c->ims;

	if (strcmp(m->method, "ACK") == 0) {
		if (from_ims && c->retx_buf) {
			call_retx_stop(c);
			call_tl(c, "IMS ACK");
		}
		return;
	}
	if (strcmp(m->method, "CANCEL") == 0) {
		leg_respond(c, l, m, 200, NULL, NULL, NULL, 0);
		if (c->state != CALL_SETUP || !l->inv || strcmp(m->branch, l->inv->branch) != 0)
			return;
		call_tl(c, "%s CANCEL", from_ims ? "IMS" : "app");
		leg_respond(c, l, l->inv, 487, NULL, NULL, NULL, 0);
		if (from_ims) {
			for (int i = 0; i < c->n_app; i++)
				if (c->app[i].used && !c->app[i].final)
					leg_send_cancel(c, &c->app[i]);
		} else if (c->ims.provisional) {
			leg_send_cancel(c, &c->ims);
		} else {
			/* nothing heard yet: CANCEL now and again when a response comes */
			leg_send_cancel(c, &c->ims);
		}
		call_end(c, "cancelled by the %s", from_ims ? "IMS caller" : "app");
		return;
	}
	if (strcmp(m->method, "BYE") == 0) {
		leg_respond(c, l, m, 200, NULL, NULL, NULL, 0);
		call_tl(c, "%s BYE", from_ims ? "IMS" : "app");
		if (peer && c->state == CALL_CONFIRMED)
			leg_send_bye(c, peer);
		call_end(c, "BYE from the %s", from_ims ? "IMS side" : "app");
		return;
	}
	if (strcmp(m->method, "OPTIONS") == 0) {
		leg_respond(c, l, m, 200, NULL, NULL, NULL, 0);
		return;
	}
	if ((strcmp(m->method, "INVITE") == 0 || (strcmp(m->method, "UPDATE") == 0 && m->body)) &&
	    c->state == CALL_CONFIRMED && peer) {
		/* a session change; an UPDATE's offer goes on as a re-INVITE */
		reinvite_start(c, l, m);
		return;
	}
	if (strcmp(m->method, "UPDATE") == 0 && !m->body) {
		leg_respond(c, l, m, 200, NULL, NULL, NULL, 0);	/* a session refresh */
		return;
	}
	if (strcmp(m->method, "INVITE") == 0 || strcmp(m->method, "UPDATE") == 0) {
		leg_respond(c, l, m, 491, NULL, NULL, NULL, 0);	/* during setup: try later */
		return;
	}
	leg_respond(c, l, m, 501, NULL, NULL, NULL, 0);
}

/*
 * A 2xx to an INVITE of a call that is already gone (the app cancelled while the callee
 * answered): ACK it and hang up at once, from the response alone (RFC 3261 15, the dialog
 * a 2xx creates must be ended with BYE).
 */
void ims_stray_2xx(struct b2bua *b, const struct sip_msg *m)
{
	struct ims_reg_info info;
	const char *routes[SIP_MSG_ROUTES_MAX];
	struct sip_req_spec r = { 0 };
	char via[600], branch[40], buf[MSG_BUF];
	int n;

	if (!call_ims_info(b, &info) || !m->contact_uri[0])
		return;
	for (int i = 0; i < m->n_rr; i++)
		routes[i] = m->rr[m->n_rr - 1 - i];
	r.ruri = m->contact_uri;
	r.via = via;
	r.n_routes = m->n_rr;
	r.routes = routes;
	r.from = m->from;
	r.to = m->to;
	r.call_id = m->call_id;
	for (int k = 0; k < 2; k++) {
		sip_msg_random(branch, sizeof(branch), "z9hG4bK");
		call_ims_via(&info, branch, via, sizeof(via));
		r.method = k ? "BYE" : "ACK";
		r.cseq = m->cseq + (uint32_t)k;
		n = sip_msg_build_request(&r, buf, sizeof(buf));
		if (n > 0)
			ims_side_send(&b->d->ims_side, buf, (size_t)n);
	}
	log_info("b2bua: a 200 OK for call %s came after the call ended: ACK and BYE sent",
		 m->call_id);
}
