/*
 * The B2BUA: every call has an app leg (SIP over the app's WebSocket) and an IMS leg (SIP
 * to the P-CSCF on the registration's transport, TS 24.229 UE rules: Service-Route as the
 * route set, P-Preferred-Identity), with the SDP translated between them and the
 * browser's media terminated by media.c.
 *
 * Browser calls out:
 *   app INVITE --100--> ; SDP offer translated ; IMS INVITE --> 1xx relayed to the app
 *   IMS 200 --> ACK to IMS ; answer translated --> app 200 ; app ACK absorbed
 *   IMS 3xx-6xx --> ACK ; mapped status to the app
 * IMS calls in:
 *   IMS INVITE --100--> offered to every connected, registered app with the voice scope
 *   first app 200 --> ACK to it, CANCEL to the others ; IMS 200 (retransmitted until ACK)
 *   no app --> 480 ; all apps refuse --> their best failure
 * Either side's BYE is answered and passed on; CANCEL before an answer too.
 *
 * Each call keeps a timeline (ms since the first request) shown by `nwitctl status`;
 * the last few ended calls are kept there too.
 */
#include "calls/b2bua.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calls/call.h"
#include "calls/b2bua_msrp.h"
#include "core/counters.h"
#include "datapath/fastpath_svc.h"
#include "auth/jws_claims.h"
#include "core/log.h"
#include "media/media.h"
#include "media/media_dtls.h"
#include "nwitd.h"

/* --- entry points ------------------------------------------------------------------------ */

void b2bua_app_response(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m)
{
	struct leg *l = NULL;
	struct call *c;

	if (!d->calls)
		return;
	c = find_app_call(d->calls, m->call_id, &l);
	if (!c || l->ws != ws)
		return;	/* another app's Call-ID: not its call */
	if (strcmp(m->method, "INVITE") != 0 || m->cseq != l->inv_cseq ||
	    strcmp(m->branch, l->inv_branch) != 0)
		return;
	if (c->re_to == l)
		reinvite_response(c, m);
	else
		app_invite_response(c, l, m);
}

int b2bua_app_request(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m)
{
	struct b2bua *b = d->calls;
	struct leg *l = NULL;
	struct call *c;

	if (!b)
		return -ENOENT;
	c = find_app_call(b, m->call_id, &l);
	if (c && l->ws != ws)
		c = NULL;	/* another app's Call-ID: not its call */
	if (!c) {
		if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0])
			app_invite(b, ws, m);
		else if (strcmp(m->method, "ACK") != 0)
			return -ENOENT;
		return 0;
	}
	if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0])
		return 0;	/* the same INVITE again (a new transport would not retransmit over WS) */
	dialog_request(c, l, m);
	return 0;
}

void b2bua_app_closed(struct nwitd *d, struct app_ws *ws)
{
	struct b2bua *b = d->calls;
	struct call *c, *next;

	if (!b)
		return;
	for (c = LIST_FIRST(&b->calls); c; c = next) {
		next = LIST_NEXT(c, link);
		for (int i = 0; i < MAX_BRANCHES; i++) {
			struct leg *a = &c->app[i];

			if (!a->used || a->ws != ws)
				continue;
			a->ws = NULL;
			if (c->state == CALL_ENDED)
				continue;
			if (c->outgoing) {
				if (c->state == CALL_CONFIRMED)
					leg_send_bye(c, &c->ims);
				else if (c->ims.provisional)
					leg_send_cancel(c, &c->ims);
				call_end(c, "the app's WebSocket closed");
			} else if (c->winner == i) {
				leg_send_bye(c, &c->ims);
				call_end(c, "the app's WebSocket closed");
			} else if (c->state == CALL_SETUP) {
				int left = 0;

				a->final = 480;
				for (int k = 0; k < c->n_app; k++)
					left += c->app[k].used && !c->app[k].final;
				if (!left) {
					leg_respond(c, &c->ims, c->ims.inv, 480, NULL, NULL, NULL, 0);
					call_end(c, "the app's WebSocket closed");
				}
			}
		}
	}
}

void b2bua_ims_response(struct nwitd *d, const struct sip_msg *m)
{
	struct b2bua *b = d->calls;
	struct call *c;
	int invite = strcmp(m->method, "INVITE") == 0;

	if (!b)
		return;
	/* the first response to each INVITE comes through its client transaction
	 * (call_ims_invite_answer); what is left here are 2xx retransmissions */
	c = find_ims_call(b, m->call_id);
	if (c && invite)
		call_ims_invite_answer(c, m);
	else if (!c && invite && m->status >= 200 && m->status < 300 &&
		 strncmp(m->call_id, "nwit-", 5) == 0)
		ims_stray_2xx(b, m);
}

int b2bua_ims_request(struct nwitd *d, const struct sip_msg *m)
{
	struct b2bua *b = d->calls;
	struct call *c;

	if (!b)
		return -ENOENT;
	c = find_ims_call(b, m->call_id);
	if (!c) {
		if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0])
			ims_invite(b, m);
		else if (strcmp(m->method, "ACK") != 0)
			return -ENOENT;
		return 0;
	}
	if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0]) {
		/* a retransmitted INVITE: the last response again */
		if (c->ims.last_resp)
			call_send_ims(c, c->ims.last_resp, c->ims.last_resp_len);
		return 0;
	}
	dialog_request(c, &c->ims, m);
	return 0;
}

/* --- service ----------------------------------------------------------------------------- */

static int b2bua_start(struct nwitd *d)
{
	struct b2bua *b = calloc(1, sizeof(*b));

	if (!b)
		return -ENOMEM;
	b->d = d;
	LIST_INIT(&b->calls);
	b->ended = json_array();
	if (!b->ended) {
		free(b);
		return -ENOMEM;
	}
	sip_msg_init();
	if (!media_dtls_fingerprint())
		log_warnx("b2bua: no DTLS certificate: calls cannot carry media");
	d->calls = b;
	return 0;
}

static void b2bua_stop(struct nwitd *d)
{
	struct b2bua *b = d->calls;

	if (!b)
		return;
	while (!LIST_EMPTY(&b->calls)) {
		struct call *c = LIST_FIRST(&b->calls);

		if (c->state == CALL_CONFIRMED) {
			leg_send_bye(c, &c->ims);
			if (c->winner >= 0)
				leg_send_bye(c, &c->app[c->winner]);
		}
		call_free(c);
	}
	json_decref(b->ended);
	free(b);
	d->calls = NULL;
	media_dtls_cleanup();
}

static json_t *b2bua_status(struct nwitd *d)
{
	struct b2bua *b = d->calls;
	json_t *active = json_array();
	struct call *c;

	if (!b)
		return NULL;
	LIST_FOREACH(c, &b->calls, link)
		if (c->state != CALL_ENDED)
			json_array_append_new(active, call_json(c));
	return json_pack("{s:i,s:o,s:O}", "active_calls", (int)json_array_size(active), "calls",
			 active, "ended", b->ended);
}

static json_t *b2bua_stats(struct nwitd *d)
{
	struct b2bua *b = d->calls;

	if (!b)
		return NULL;
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "outgoing", (json_int_t)b->st.out,
			 "incoming", (json_int_t)b->st.in, "answered", (json_int_t)b->st.answered,
			 "failed", (json_int_t)b->st.failed, "malformed",
			 (json_int_t)b->st.malformed, "sdp_refused", (json_int_t)b->st.sdp_refused,
			 "no_app", (json_int_t)b->st.no_app);
}

const struct nwitd_service b2bua_service = {
	.name = "calls",
	.start = b2bua_start,
	.stop = b2bua_stop,
	.status = b2bua_status,
	.stats = b2bua_stats,
};
