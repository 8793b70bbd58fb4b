/*
 * Call objects of the B2BUA: timeline, sending on legs, retransmission and timeouts
 * of our INVITE or 200 on the IMS leg (UDP), ending and freeing calls (calls/call.h).
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

static const char *const call_state_names[] = {
	[CALL_INVALID] = "invalid", [CALL_SETUP] = "setup",
	[CALL_CONFIRMED] = "confirmed", [CALL_ENDED] = "ended",
};

/* --- timeline and helpers -------------------------------------------------------------- */

void call_tl(struct call *c, const char *fmt, ...)
{
	struct timespec now;
	va_list ap;
	long ms, us;
	char what[96];

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (now.tv_sec - c->t0.tv_sec) * 1000000 + (now.tv_nsec - c->t0.tv_nsec) / 1000;
	ms = us / 1000;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_info("call %u: +%ld ms %s", c->id, ms, what);
	if (c->n_tl < TIMELINE_MAX) {
		c->tl[c->n_tl].ms = ms;
		c->tl[c->n_tl].us = us;
		memcpy(c->tl[c->n_tl].what, what, sizeof(what));
		c->n_tl++;
	}
}

struct ims_reg_info *call_ims_info(struct b2bua *b, struct ims_reg_info *i)
{
	if (ims_side_info(&b->d->ims_side, i) < 0 || !i->registered)
		return NULL;
	return i;
}

/* Our response to an IMS request, through its server transaction (sip/sip_txn.h). */
static void ims_reply(struct b2bua *b, const struct sip_msg *req, int status, const char *buf,
		      size_t len)
{
	int rc = ims_side_reply(&b->d->ims_side, req, status, buf, len);

	if (rc < 0)
		log_warnx("calls: sending a %d to the P-CSCF failed: %s", status, strerror(-rc));
}

int call_send_ims(struct call *c, const char *buf, size_t len)
{
	int rc = ims_side_send(&c->b->d->ims_side, buf, len);

	if (rc < 0)
		log_warnx("call %u: sending to the P-CSCF failed: %s", c->id, strerror(-rc));
	return rc;
}

void call_start_ms(struct event *ev, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static const char *lan_address(struct b2bua *b)
{
	const char *a = b->d->conf.http_address;

	return a[0] && strcmp(a, "0.0.0.0") && strcmp(a, "::") ? a : "127.0.0.1";
}

static void app_contact(struct call *c, char *out, size_t n)
{
	snprintf(out, n, "<sip:" APP_CONTACT_USER "@%s:%u;transport=ws>", c->lan_addr,
		 c->b->d->conf.http_port);
}

static void ims_contact(const struct ims_reg_info *i, char *out, size_t n)
{
	int v6 = strchr(i->local_host, ':') != NULL;

	snprintf(out, n, "<sip:%s%s%s:%u%s>", v6 ? "[" : "", i->local_host, v6 ? "]" : "",
		 i->local_port, i->tcp ? ";transport=tcp" : "");
}

void call_ims_via(const struct ims_reg_info *i, const char *branch, char *out, size_t n)
{
	int v6 = strchr(i->local_host, ':') != NULL;

	snprintf(out, n, "SIP/2.0/%s %s%s%s:%u;branch=%s;rport", i->tcp ? "TCP" : "UDP",
		 v6 ? "[" : "", i->local_host, v6 ? "]" : "", i->local_port, branch);
}

/* Record-Route lines of req, for a dialog-creating response (RFC 3261 12.1.1). */
static void rr_lines(const struct sip_msg *req, char *out, size_t n)
{
	size_t pos = 0;

	out[0] = '\0';
	for (int i = 0; i < req->n_rr && pos < n; i++)
		pos += (size_t)snprintf(out + pos, n - pos, "Record-Route: %s\r\n", req->rr[i]);
}

struct sip_msg *call_msg_dup(const struct sip_msg *m)
{
	struct sip_msg *c = malloc(sizeof(*c));

	if (c) {
		sip_msg_copy(c, m);	/* without the body: it points into a buffer that goes away */
	}
	return c;
}

void leg_clear(struct leg *l)
{
	sip_txn_client_forget(l->inv_txn);	/* it finishes alone */
	free(l->inv);
	free(l->last_resp);
	memset(l, 0, sizeof(*l));
}

/* --- sending on legs ------------------------------------------------------------------- */

/* A response to the INVITE received on l (or to another leg_request req on it). */
int leg_respond(struct call *c, struct leg *l, const struct sip_msg *req, int status,
		   const char *reason, const char *extra, const char *body, size_t body_len)
{
	char *buf = malloc(MSG_BUF), contact[SIP_MSG_HDR_MAX + 64], rr[2048], hdrs[3072];
	int is_ims = l == &c->ims, n, dialog = status > 100 && status < 300 &&
					     strcmp(req->method, "INVITE") == 0;
	struct ims_reg_info info;

	if (!buf)
		return -ENOMEM;
	contact[0] = '\0';
	if (dialog) {
		if (is_ims) {
			if (call_ims_info(c->b, &info))
				ims_contact(&info, contact, sizeof(contact));
		} else {
			app_contact(c, contact, sizeof(contact));
		}
	}
	rr_lines(req, rr, sizeof(rr));
	snprintf(hdrs, sizeof(hdrs), "%s%s%s", dialog ? rr : "",
		 status >= 200 && strcmp(req->method, "INVITE") == 0 ? "Allow: INVITE, ACK, BYE, "
		 "CANCEL, OPTIONS, UPDATE\r\n" : "", extra ? extra : "");
	n = sip_msg_build_response(req, status, reason, l->local_tag, contact[0] ? contact : NULL,
				   hdrs, body ? "application/sdp" : NULL, body, body_len, buf,
				   MSG_BUF);
	if (n < 0) {
		free(buf);
		log_warnx("call %u: response %d does not fit", c->id, status);
		return n;
	}
	if (is_ims)
		ims_reply(c->b, req, status, buf, (size_t)n);
	else if (l->ws)
		app_side_send(&c->b->d->app_side, l->ws, buf, (size_t)n);
	if ((l->inv && req == l->inv) || (c->re_req && req == c->re_req)) {
		/* kept for retransmitted INVITEs and for resending a 200 until its ACK */
		free(l->last_resp);
		l->last_resp = buf;
		l->last_resp_len = (size_t)n;
		return 0;
	}
	free(buf);
	return 0;
}

/* A leg_request on leg l: in-dialog when l has a remote tag, else the leg's INVITE/CANCEL. */
/* What the client transaction of our INVITE on the IMS leg hands back. */
static int on_ims_invite(void *arg, const struct sip_msg *m, int err)
{
	struct call *c = arg;
	struct leg *im = &c->ims;

	if (!m || m->status >= 200)
		im->inv_txn = NULL;	/* the transaction is over */
	if (m) {
		call_ims_invite_answer(c, m);
		return 0;
	}
	call_tl(c, "IMS INVITE: %s", err == -ETIMEDOUT ? "no response (Timer B)" :
		strerror(-err));
	if (c->re_to == im) {		/* a re-INVITE nobody answers */
		leg_respond(c, c->re_from, c->re_req, 408, NULL, NULL, NULL, 0);
		reinvite_clear(c);
	} else if (c->outgoing && c->state == CALL_SETUP) {
		call_no_answer(c);
	}
	return 0;
}

/*
 * A request on the IMS leg goes as a client transaction (sip/sip_txn.h: retransmitted
 * over UDP, its responses matched, failures of an INVITE ACKed there); responses to an
 * INVITE come back to on_ims_invite, the others are absorbed.
 */
static void ims_transaction(struct call *c, struct leg *l, const char *method,
			    const char *branch, const char *ruri, const char *const *routes,
			    const char *buf, size_t len)
{
	int invite = strcmp(method, "INVITE") == 0;
	struct sip_txn_request tr = {
		.buf = buf, .len = len, .method = method, .branch = branch, .ruri = ruri,
		.n_routes = l->n_routes, .routes = routes,
	};
	int rc;

	if (invite) {
		sip_txn_client_forget(l->inv_txn);
		l->inv_txn = NULL;
	}
	rc = sip_txn_client_start(ims_side_txns(&c->b->d->ims_side), &tr,
				  invite ? on_ims_invite : NULL, invite ? c : NULL,
				  invite ? &l->inv_txn : NULL);
	if (invite)
		l->inv_in_txn = rc == 0;
	if (rc < 0) {
		log_warnx("call %u: %s as a transaction failed (%s): sent once", c->id, method,
			  strerror(-rc));
		call_send_ims(c, buf, len);
	}
}

int leg_request(struct call *c, struct leg *l, const char *method, const char *branch_in,
		   uint32_t cseq, const char *extra, const char *body, size_t body_len,
		   char **keep, size_t *keep_len)
{
	struct sip_req_spec r = { 0 };
	const char *routes[SIP_MSG_ROUTES_MAX];
	char via[600], branch[40], contact[SIP_MSG_HDR_MAX + 64], to[SIP_MSG_HDR_MAX + 200];
	char *buf = malloc(MSG_BUF);
	struct ims_reg_info info;
	int is_ims = l == &c->ims, n;

	if (!buf)
		return -ENOMEM;
	if (branch_in)
		snprintf(branch, sizeof(branch), "%s", branch_in);
	else
		sip_msg_random(branch, sizeof(branch), "z9hG4bK");
	if (is_ims) {
		if (!call_ims_info(c->b, &info)) {
			free(buf);
			return -ENOTCONN;
		}
		call_ims_via(&info, branch, via, sizeof(via));
		ims_contact(&info, contact, sizeof(contact));
	} else {
		app_side_via(&c->b->d->app_side, l->ws, c->lan_addr, branch, via, sizeof(via));
		app_contact(c, contact, sizeof(contact));
	}
	for (int i = 0; i < l->n_routes; i++)
		routes[i] = l->routes[i];
	if (strcmp(method, "CANCEL") == 0 || (strcmp(method, "ACK") == 0 && !l->remote_tag[0]))
		snprintf(to, sizeof(to), "%s", l->remote);	/* as in the INVITE */
	else
		snprintf(to, sizeof(to), "%s", l->remote);
	r.method = method;
	r.ruri = l->remote_tag[0] && l->target[0] && strcmp(method, "CANCEL") ? l->target :
										 l->inv_ruri;
	r.via = via;
	r.n_routes = l->n_routes;
	r.routes = routes;
	r.from = l->local;
	r.to = to;
	r.call_id = l->call_id;
	r.cseq = cseq;
	r.contact = strcmp(method, "INVITE") == 0 ? contact : NULL;
	r.extra = extra;
	r.ctype = body ? "application/sdp" : NULL;
	r.body = body;
	r.body_len = body_len;
	n = sip_msg_build_request(&r, buf, MSG_BUF);
	if (n < 0) {
		free(buf);
		return n;
	}
	if (strcmp(method, "INVITE") == 0)
		snprintf(l->inv_branch, sizeof(l->inv_branch), "%s", branch);
	if (is_ims && strcmp(method, "ACK") != 0)
		ims_transaction(c, l, method, branch, r.ruri, routes, buf, (size_t)n);
	else if (is_ims)
		call_send_ims(c, buf, (size_t)n);
	else if (l->ws)
		app_side_send(&c->b->d->app_side, l->ws, buf, (size_t)n);
	if (keep) {
		*keep = buf;
		*keep_len = (size_t)n;
	} else {
		free(buf);
	}
	return 0;
}

void leg_send_bye(struct call *c, struct leg *l)
{
	l->cseq++;
	leg_request(c, l, "BYE", NULL, l->cseq, NULL, NULL, 0, NULL, NULL);
}

void leg_send_cancel(struct call *c, struct leg *l)
{
	leg_request(c, l, "CANCEL", l->inv_branch, l->inv_cseq, NULL, NULL, 0, NULL, NULL);
}

/* ACK: for a 2xx a new transaction (in-dialog), else the INVITE's branch and To. */
void leg_send_ack(struct call *c, struct leg *l, int two_xx)
{
	if (!two_xx && l == &c->ims && l->inv_in_txn)
		return;		/* its INVITE client transaction ACKs failures */
	leg_request(c, l, "ACK", two_xx ? NULL : l->inv_branch, l->inv_cseq, NULL, NULL, 0, NULL, NULL);
}

static void call_on_retx(evutil_socket_t fd, short what, void *arg);
static void call_on_timeout(evutil_socket_t fd, short what, void *arg);
static void on_end(evutil_socket_t fd, short what, void *arg);

/* --- call objects ---------------------------------------------------------------------- */

void call_media_failed(void *arg, const char *why)
{
	struct call *c = arg;

	if (c->state == CALL_ENDED)
		return;
	call_tl(c, "media failed: %s", why);
	if (c->state == CALL_CONFIRMED) {
		leg_send_bye(c, &c->ims);
		if (c->winner >= 0)
			leg_send_bye(c, &c->app[c->winner]);
	}
	call_end(c, "media: %s", why);
}

struct call *call_new(struct b2bua *b, int outgoing)
{
	struct call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->b = b;
	c->id = ++b->next_id;
	c->outgoing = outgoing;
	c->state = CALL_SETUP;
	c->winner = -1;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	c->sess_id = (uint64_t)time(NULL) * 1000 + c->id;
	snprintf(c->lan_addr, sizeof(c->lan_addr), "%s", lan_address(b));
	c->t_retx = evtimer_new(b->d->base, call_on_retx, c);
	c->t_timeout = evtimer_new(b->d->base, call_on_timeout, c);
	c->t_end = evtimer_new(b->d->base, on_end, c);
	c->t_refresh = evtimer_new(b->d->base, call_on_refresh, c);
	if (!c->t_retx || !c->t_timeout || !c->t_end || !c->t_refresh) {
		if (c->t_refresh)
			event_free(c->t_refresh);
		if (c->t_retx)
			event_free(c->t_retx);
		if (c->t_timeout)
			event_free(c->t_timeout);
		if (c->t_end)
			event_free(c->t_end);
		free(c);
		return NULL;
	}
	LIST_INSERT_HEAD(&b->calls, c, link);
	b->n_calls++;
	return c;
}

json_t *call_json(const struct call *c)
{
	json_t *t = json_array(), *o;

	for (int i = 0; i < c->n_tl; i++)
		json_array_append_new(t, json_pack("{s:I,s:I,s:s}", "ms", (json_int_t)c->tl[i].ms,
						   "us", (json_int_t)c->tl[i].us, "event",
						   c->tl[i].what));
	o = json_pack("{s:i,s:s,s:s,s:s,s:o}", "id", (int)c->id, "direction",
		      c->outgoing ? "app-to-ims" : "ims-to-app", "state", call_state_names[c->state],
		      "ims_call_id", c->ims.call_id, "timeline", t);
	if (o && c->media)
		json_object_set_new(o, "media", media_stats_json(c->media));
	if (o && c->msrp)
		json_object_set_new(o, "msrp", b2bua_msrp_json(c->msrp));
	if (o && c->end_reason[0])
		json_object_set_new(o, "end_reason", json_string(c->end_reason));
	return o;
}

void call_free(struct call *c)
{
	LIST_REMOVE(c, link);
	c->b->n_calls--;
	event_free(c->t_retx);
	event_free(c->t_timeout);
	event_free(c->t_end);
	event_free(c->t_refresh);
	b2bua_msrp_free(c->msrp);
	media_free(c->media);
	sdp_free(c->offer);
	sdp_free(c->re_offer);
	free(c->re_req);
	free(c->retx_buf);
	leg_clear(&c->ims);
	for (int i = 0; i < MAX_BRANCHES; i++)
		leg_clear(&c->app[i]);
	free(c);
}

/* The call is over: record why, keep its timeline, free it from the loop. */
void call_end(struct call *c, const char *fmt, ...)
{
	va_list ap;

	if (c->state == CALL_ENDED)
		return;
	va_start(ap, fmt);
	vsnprintf(c->end_reason, sizeof(c->end_reason), fmt, ap);
	va_end(ap);
	c->state = CALL_ENDED;
	call_tl(c, "ended: %s", c->end_reason);
	evtimer_del(c->t_retx);
	evtimer_del(c->t_timeout);
	evtimer_del(c->t_refresh);
	{
		json_t *j = call_json(c);

		if (j) {
			json_array_append_new(c->b->ended, j);
			while (json_array_size(c->b->ended) > ENDED_KEPT)
				json_array_remove(c->b->ended, 0);
		}
	}
	/*
	 * Free it at once, unless an INVITE we sent has no final response yet: then linger
	 * a while to ACK that response (and hang up a late 200).
	 */
	{
		int pending = c->outgoing && c->ims.used && !c->ims.final;

		for (int i = 0; !c->outgoing && i < c->n_app; i++)
			pending |= c->app[i].used && !c->app[i].final;
		call_start_ms(c->t_end, pending ? LINGER_MS : 0);
	}
}

static void on_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	call_free(arg);
}

static void call_on_retx(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (!c->retx_buf || c->state == CALL_ENDED)
		return;
	call_send_ims(c, c->retx_buf, c->retx_len);
	c->retx_ms = c->retx_ms * 2 > 4000 ? 4000 : c->retx_ms * 2;
	call_start_ms(c->t_retx, c->retx_ms);
}

void call_retx_start(struct call *c, char *buf, size_t len)
{
	struct ims_reg_info info;

	free(c->retx_buf);
	c->retx_buf = buf;
	c->retx_len = len;
	c->retx_ms = T1_MS;
	if (call_ims_info(c->b, &info) && !info.tcp)
		call_start_ms(c->t_retx, c->retx_ms);
}

void call_retx_stop(struct call *c)
{
	evtimer_del(c->t_retx);
	free(c->retx_buf);
	c->retx_buf = NULL;
}

void call_no_answer(struct call *c)
{
	call_tl(c, "no answer from IMS");
	if (c->ims.provisional)
		leg_send_cancel(c, &c->ims);
	leg_respond(c, &c->app[0], c->app[0].inv, c->ims.provisional ? 480 : 408, NULL, NULL,
		    NULL, 0);
	call_end(c, "no answer");
}

static void call_on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (c->state != CALL_SETUP)
		return;
	if (c->outgoing) {
		call_no_answer(c);
	} else {
		call_tl(c, "no app answered");
		for (int i = 0; i < c->n_app; i++)
			if (c->app[i].used && !c->app[i].final)
				leg_send_cancel(c, &c->app[i]);
		leg_respond(c, &c->ims, c->ims.inv, 480, "No answer from the web app", NULL, NULL, 0);
		call_end(c, "no answer");
	}
}

/* --- app -> IMS -------------------------------------------------------------------------- */

struct call *find_app_call(struct b2bua *b, const char *call_id, struct leg **leg)
{
	struct call *c;

	LIST_FOREACH(c, &b->calls, link)
		for (int i = 0; i < MAX_BRANCHES; i++)
			if (c->app[i].used && strcmp(c->app[i].call_id, call_id) == 0) {
				*leg = &c->app[i];
				return c;
			}
	return NULL;
}

struct call *find_ims_call(struct b2bua *b, const char *call_id)
{
	struct call *c;

	LIST_FOREACH(c, &b->calls, link)
		if (strcmp(c->ims.call_id, call_id) == 0)
			return c;
	return NULL;
}

/* One-off responses to requests that belong to no call. */
void app_reply_plain(struct b2bua *b, struct app_ws *ws, const struct sip_msg *req,
		     int status, const char *reason, const char *extra)
{
	char buf[MSG_BUF];
	int n = sip_msg_build_reply(req, status, reason, extra, buf, sizeof(buf));

	if (n > 0)
		app_side_send(&b->d->app_side, ws, buf, (size_t)n);
}

void ims_reply_plain(struct b2bua *b, const struct sip_msg *req, int status,
		     const char *reason, const char *extra)
{
	char buf[MSG_BUF];
	int n = sip_msg_build_reply(req, status, reason, extra, buf, sizeof(buf));

	if (n > 0)
		ims_reply(b, req, status, buf, (size_t)n);
}
