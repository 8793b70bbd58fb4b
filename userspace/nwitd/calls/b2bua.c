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
#include <sys/queue.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "app/app_http.h"
#include "calls/b2bua_msrp.h"
#include "core/counters.h"
#include "datapath/fastpath_svc.h"
#include "ims/ims_reg.h"
#include "auth/jws_claims.h"
#include "core/log.h"
#include "media/media.h"
#include "media/media_dtls.h"
#include "nwitd.h"
#include "sdp/sdp.h"
#include "sdp/sdp_translate.h"
#include "sip/sip_msg.h"

#define MSG_BUF 16384
#define T1_MS 500
#define TIMER_B_MS (64 * T1_MS)
#define LINGER_MS 5000		/* an ended call waits this long for final responses */
#define MAX_BRANCHES 8		/* apps an incoming call is offered to */
#define TIMELINE_MAX 24
#define ENDED_KEPT 8
#define APP_CONTACT_USER "nwitd"

enum call_state {
	CALL_INVALID = 0,
	CALL_SETUP,		/* INVITE sent, no answer yet */
	CALL_CONFIRMED,
	CALL_ENDED,
};

static const char *const state_names[] = {
	[CALL_INVALID] = "invalid", [CALL_SETUP] = "setup",
	[CALL_CONFIRMED] = "confirmed", [CALL_ENDED] = "ended",
};

struct leg {
	int used;
	struct app_ws *ws;		/* app legs */
	char call_id[SIP_MSG_TOKEN_MAX];
	char local[SIP_MSG_HDR_MAX + 160], remote[SIP_MSG_HDR_MAX + 8];	/* From/To values */
	char local_tag[40], remote_tag[SIP_MSG_TOKEN_MAX];
	char target[SIP_MSG_HDR_MAX];	/* remote target (Contact) */
	int n_routes;
	char routes[SIP_MSG_ROUTES_MAX][SIP_MSG_HDR_MAX];
	uint32_t cseq;			/* our last CSeq on this leg */
	/* the INVITE we sent on this leg (UAC) */
	char inv_ruri[SIP_MSG_HDR_MAX], inv_branch[SIP_MSG_TOKEN_MAX];
	uint32_t inv_cseq;
	int provisional, final;		/* responses seen to our INVITE */
	/* the INVITE we received on this leg (UAS) */
	struct sip_msg *inv;
	char *last_resp;
	size_t last_resp_len;
	int acked;
};

struct call {
	LIST_ENTRY(call) link;
	struct b2bua *b;
	unsigned id;
	int outgoing;			/* the app called */
	enum call_state state;
	struct leg ims;
	struct leg app[MAX_BRANCHES];	/* outgoing calls use app[0] only */
	int n_app, winner;
	struct media *media;
	struct b2bua_msrp *msrp;	/* file transfer, when the offer has it */
	struct sdp_session *offer;	/* the offer as received, for the answer step */
	struct sdp_xlate x;
	struct sdp_xlate x_offer;	/* x after the offer step: each answer step starts here */
	int early;			/* early media (18x with SDP) passed to the app */
	char lan_addr[64];
	struct event *t_retx, *t_timeout, *t_end, *t_refresh;
	long session_expires;		/* RFC 4028 interval on the IMS leg, 0 = none */
	unsigned retx_ms;
	char *retx_buf;			/* IMS INVITE or IMS 200, retransmitted over UDP */
	size_t retx_len;
	uint64_t sess_id, sess_version;	/* o= of the SDP we write, both sides */
	/* a re-INVITE in progress (hold, resume, codec change): from one leg to the other */
	struct leg *re_from, *re_to;
	struct sip_msg *re_req;
	struct sdp_session *re_offer;
	struct sdp_xlate re_x;
	int re_from_ims;
	struct timespec t0;
	int n_tl;
	struct { long ms, us; char what[96]; } tl[TIMELINE_MAX];
	char end_reason[128];
};

struct b2bua {
	struct nwitd *d;
	LIST_HEAD(, call) calls;
	unsigned next_id, n_calls;
	json_t *ended;			/* the last ENDED_KEPT timelines */
	struct {
		uint64_t out, in, answered, failed, malformed, sdp_refused, no_app;
	} st;
};

static void call_end(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --- timeline and helpers -------------------------------------------------------------- */

static void tl(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tl(struct call *c, const char *fmt, ...)
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

static struct ims_reg_info *ims_info(struct b2bua *b, struct ims_reg_info *i)
{
	if (ims_reg_get_info(b->d->ims, i) < 0 || !i->registered)
		return NULL;
	return i;
}

static int send_ims(struct call *c, const char *buf, size_t len)
{
	int rc = ims_reg_send(c->b->d->ims, buf, len);

	if (rc < 0)
		log_warnx("call %u: sending to the P-CSCF failed: %s", c->id, strerror(-rc));
	return rc;
}

static void start_ms(struct event *ev, unsigned ms)
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

static void ims_via(const struct ims_reg_info *i, const char *branch, char *out, size_t n)
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

static struct sip_msg *msg_dup(const struct sip_msg *m)
{
	struct sip_msg *c = malloc(sizeof(*c));

	if (c) {
		*c = *m;
		c->body = NULL;	/* points into a buffer that goes away */
		c->body_len = 0;
	}
	return c;
}

static void leg_clear(struct leg *l)
{
	free(l->inv);
	free(l->last_resp);
	memset(l, 0, sizeof(*l));
}

/* --- sending on legs ------------------------------------------------------------------- */

/* A response to the INVITE received on l (or to another request req on it). */
static int respond(struct call *c, struct leg *l, const struct sip_msg *req, int status,
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
			if (ims_info(c->b, &info))
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
		send_ims(c, buf, (size_t)n);
	else if (l->ws)
		app_ws_send(l->ws, buf, (size_t)n);
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

/* A request on leg l: in-dialog when l has a remote tag, else the leg's INVITE/CANCEL. */
static int request(struct call *c, struct leg *l, const char *method, const char *branch_in,
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
		if (!ims_info(c->b, &info)) {
			free(buf);
			return -ENOTCONN;
		}
		ims_via(&info, branch, via, sizeof(via));
		ims_contact(&info, contact, sizeof(contact));
	} else {
		snprintf(via, sizeof(via), "SIP/2.0/WSS %s:%u;branch=%s", c->lan_addr,
			 c->b->d->conf.http_port, branch);
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
	if (is_ims)
		send_ims(c, buf, (size_t)n);
	else if (l->ws)
		app_ws_send(l->ws, buf, (size_t)n);
	if (keep) {
		*keep = buf;
		*keep_len = (size_t)n;
	} else {
		free(buf);
	}
	return 0;
}

static void send_bye(struct call *c, struct leg *l)
{
	l->cseq++;
	request(c, l, "BYE", NULL, l->cseq, NULL, NULL, 0, NULL, NULL);
}

static void send_cancel(struct call *c, struct leg *l)
{
	request(c, l, "CANCEL", l->inv_branch, l->inv_cseq, NULL, NULL, 0, NULL, NULL);
}

/* ACK: for a 2xx a new transaction (in-dialog), else the INVITE's branch and To. */
static void send_ack(struct call *c, struct leg *l, int two_xx)
{
	request(c, l, "ACK", two_xx ? NULL : l->inv_branch, l->inv_cseq, NULL, NULL, 0, NULL, NULL);
}

/* --- call objects ---------------------------------------------------------------------- */

static void on_retx(evutil_socket_t fd, short what, void *arg);
static void on_timeout(evutil_socket_t fd, short what, void *arg);
static void on_end(evutil_socket_t fd, short what, void *arg);
static void on_refresh(evutil_socket_t fd, short what, void *arg);

static void media_failed(void *arg, const char *why)
{
	struct call *c = arg;

	if (c->state == CALL_ENDED)
		return;
	tl(c, "media failed: %s", why);
	if (c->state == CALL_CONFIRMED) {
		send_bye(c, &c->ims);
		if (c->winner >= 0)
			send_bye(c, &c->app[c->winner]);
	}
	call_end(c, "media: %s", why);
}

static struct call *call_new(struct b2bua *b, int outgoing)
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
	c->t_retx = evtimer_new(b->d->base, on_retx, c);
	c->t_timeout = evtimer_new(b->d->base, on_timeout, c);
	c->t_end = evtimer_new(b->d->base, on_end, c);
	c->t_refresh = evtimer_new(b->d->base, on_refresh, c);
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

static json_t *call_json(const struct call *c)
{
	json_t *t = json_array(), *o;

	for (int i = 0; i < c->n_tl; i++)
		json_array_append_new(t, json_pack("{s:I,s:I,s:s}", "ms", (json_int_t)c->tl[i].ms,
						   "us", (json_int_t)c->tl[i].us, "event",
						   c->tl[i].what));
	o = json_pack("{s:i,s:s,s:s,s:s,s:o}", "id", (int)c->id, "direction",
		      c->outgoing ? "app-to-ims" : "ims-to-app", "state", state_names[c->state],
		      "ims_call_id", c->ims.call_id, "timeline", t);
	if (o && c->media)
		json_object_set_new(o, "media", media_stats_json(c->media));
	if (o && c->msrp)
		json_object_set_new(o, "msrp", b2bua_msrp_json(c->msrp));
	if (o && c->end_reason[0])
		json_object_set_new(o, "end_reason", json_string(c->end_reason));
	return o;
}

static void call_free(struct call *c)
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
static void call_end(struct call *c, const char *fmt, ...)
{
	va_list ap;

	if (c->state == CALL_ENDED)
		return;
	va_start(ap, fmt);
	vsnprintf(c->end_reason, sizeof(c->end_reason), fmt, ap);
	va_end(ap);
	c->state = CALL_ENDED;
	tl(c, "ended: %s", c->end_reason);
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
		start_ms(c->t_end, pending ? LINGER_MS : 0);
	}
}

static void on_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	call_free(arg);
}

/* Session timer (RFC 4028) on the IMS leg: we refresh with UPDATE at half the interval. */
static void refresh_start(struct call *c, long interval)
{
	if (interval < 90)
		interval = 90;	/* RFC 4028 Min-SE */
	c->session_expires = interval;
	start_ms(c->t_refresh, (unsigned)(interval * 1000 / 2));
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	char extra[96];

	(void)fd;
	(void)what;
	if (c->state != CALL_CONFIRMED)
		return;
	if (!c->re_req) {
		snprintf(extra, sizeof(extra), "Session-Expires: %ld;refresher=%s\r\n",
			 c->session_expires, c->outgoing ? "uac" : "uas");
		c->ims.cseq++;
		request(c, &c->ims, "UPDATE", NULL, c->ims.cseq, extra, NULL, 0, NULL, NULL);
		tl(c, "session refreshed (UPDATE, %ld s)", c->session_expires);
	}
	start_ms(c->t_refresh, (unsigned)(c->session_expires * 1000 / 2));
}

/* A Require naming an extension we do not implement (only "timer" is known). */
static int unsupported(const char *require)
{
	char buf[SIP_MSG_TOKEN_MAX], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", require);
	for (tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		if (strcasecmp(tok, "timer") != 0)
			return 1;
	return 0;
}

static void on_retx(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (!c->retx_buf || c->state == CALL_ENDED)
		return;
	send_ims(c, c->retx_buf, c->retx_len);
	c->retx_ms = c->retx_ms * 2 > 4000 ? 4000 : c->retx_ms * 2;
	start_ms(c->t_retx, c->retx_ms);
}

static void retx_start(struct call *c, char *buf, size_t len)
{
	struct ims_reg_info info;

	free(c->retx_buf);
	c->retx_buf = buf;
	c->retx_len = len;
	c->retx_ms = T1_MS;
	if (ims_info(c->b, &info) && !info.tcp)
		start_ms(c->t_retx, c->retx_ms);
}

static void retx_stop(struct call *c)
{
	evtimer_del(c->t_retx);
	free(c->retx_buf);
	c->retx_buf = NULL;
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;

	(void)fd;
	(void)what;
	if (c->state != CALL_SETUP)
		return;
	if (c->outgoing) {
		tl(c, "no answer from IMS");
		if (c->ims.provisional)
			send_cancel(c, &c->ims);
		respond(c, &c->app[0], c->app[0].inv, c->ims.provisional ? 480 : 408, NULL, NULL,
			NULL, 0);
		call_end(c, "no answer");
	} else {
		tl(c, "no app answered");
		for (int i = 0; i < c->n_app; i++)
			if (c->app[i].used && !c->app[i].final)
				send_cancel(c, &c->app[i]);
		respond(c, &c->ims, c->ims.inv, 480, "No answer from the web app", NULL, NULL, 0);
		call_end(c, "no answer");
	}
}

/* --- SDP -------------------------------------------------------------------------------- */

static void local_sides(struct call *c, struct sdp_webrtc_local *wl, struct sdp_ims_local *il,
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

static int warning_code(int rc, const struct sdp_xlate *x)
{
	if (x->warning)
		return x->warning;
	return rc == -EPROTONOSUPPORT ? 305 : 399;
}

static char *serialize(struct sdp_session *s, size_t *len)
{
	char *out = NULL;

	if (sdp_serialize(s, &out, len) < 0)
		return NULL;
	return out;
}

/* --- app -> IMS -------------------------------------------------------------------------- */

static struct call *find_app_call(struct b2bua *b, const char *call_id, struct leg **leg)
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

static struct call *find_ims_call(struct b2bua *b, const char *call_id)
{
	struct call *c;

	LIST_FOREACH(c, &b->calls, link)
		if (strcmp(c->ims.call_id, call_id) == 0)
			return c;
	return NULL;
}

/* A one-off response to an app request that belongs to no call. */
static void app_reply_plain(struct app_ws *ws, const struct sip_msg *req, int status,
			    const char *reason, const char *extra)
{
	char buf[MSG_BUF], tag[24];
	int n;

	sip_msg_random(tag, sizeof(tag), NULL);
	n = sip_msg_build_response(req, status, reason, tag, NULL, extra, NULL, NULL, 0, buf,
				   sizeof(buf));
	if (n > 0)
		app_ws_send(ws, buf, (size_t)n);
}

static void ims_reply_plain(struct b2bua *b, const struct sip_msg *req, int status,
			    const char *reason, const char *extra)
{
	char buf[MSG_BUF], tag[24];
	int n;

	sip_msg_random(tag, sizeof(tag), NULL);
	n = sip_msg_build_response(req, status, reason, tag, NULL, extra, NULL, NULL, 0, buf,
				   sizeof(buf));
	if (n > 0)
		ims_reg_send(b->d->ims, buf, (size_t)n);
}

/*
 * The answer that leg `from` sent cannot be used: hang that leg up, refuse the offer that
 * leg `to` made with 488 and a Warning naming why, and end the call.
 */
static void answer_unusable(struct call *c, struct leg *from, struct leg *to, const char *side,
			    const char *why)
{
	char warn[400];

	c->b->st.sdp_refused++;
	send_bye(c, from);
	snprintf(warn, sizeof(warn), "Warning: 399 nwitd \"%s answer unusable: %s\"\r\n", side,
		 why);
	respond(c, to, to->inv, 488, NULL, warn, NULL, 0);
	call_end(c, "%s answer unusable: %s", side, why);
}

/* Fill the dialog fields of a leg that received an INVITE (we are its UAS). */
static void leg_take_invite(struct leg *l, const struct sip_msg *m)
{
	l->inv = msg_dup(m);
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
static int take_offer(struct b2bua *b, struct call *c, struct leg *l, const struct sip_msg *m,
		      const struct ims_reg_info *info, const char *side)
{
	char err[SDP_ERR_MAX + 40], warn[400];

	if (sdp_parse(m->body, m->body_len, &c->offer, err, sizeof(err)) < 0) {
		b->st.malformed++;
		snprintf(warn, sizeof(warn), "Warning: 399 nwitd \"malformed SDP: %s\"\r\n", err);
		respond(c, l, l->inv, 488, NULL, warn, NULL, 0);
		call_end(c, "malformed SDP from %s: %s", side, err);
		return -1;
	}
	c->media = media_new(b->d->base, fastpath_svc_handle(b->d), c->lan_addr, info->local_host,
			     media_failed, c);
	if (!c->media) {
		respond(c, l, l->inv, 500, "No media ports", NULL, NULL, 0);
		call_end(c, "cannot open media sockets");
		return -1;
	}
	media_set_ice_timeout(c->media, b->d->conf.calls_ice_timeout);
	if (b2bua_msrp_wanted(c->offer)) {
		c->msrp = b2bua_msrp_new(b->d->base, info->local_host[0] ? info->local_host :
				b->d->conf.ims_local_address, c->lan_addr,
				media_browser_port(c->media), media_failed, c);
		if (!c->msrp) {
			respond(c, l, l->inv, 500, "No MSRP port", NULL, NULL, 0);
			call_end(c, "cannot open the MSRP socket");
			return -1;
		}
	}
	return 0;
}

/* Media configured for an answered call: start its file transfer too. 0 or -1 (why in err). */
static int start_media(struct call *c, char *err, size_t errlen)
{
	if (media_configure(c->media, &c->x) < 0) {
		snprintf(err, errlen, "media setup failed");
		return -1;
	}
	if (c->msrp && c->x.msrp.active && b2bua_msrp_start(c->msrp, &c->x, c->media, err, errlen) < 0)
		return -1;
	return 0;
}

static void app_invite(struct b2bua *b, struct app_ws *ws, const struct sip_msg *m)
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

	if (!ims_info(b, &info)) {
		app_reply_plain(ws, m, 480, "IMS not registered", NULL);
		return;
	}
	if (!m->body || strcmp(m->ctype, "application/sdp") != 0) {
		app_reply_plain(ws, m, 488, "SDP offer required", NULL);
		return;
	}
	if (m->require[0] && unsupported(m->require)) {
		char h[SIP_MSG_TOKEN_MAX + 24];

		snprintf(h, sizeof(h), "Unsupported: %s\r\n", m->require);
		app_reply_plain(ws, m, 420, NULL, h);
		return;
	}
	c = call_new(b, 1);
	if (!c) {
		app_reply_plain(ws, m, 500, "Out of memory", NULL);
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
	tl(c, "app %s INVITE %s", app_ws_app_id(ws), m->ruri);
	if (!a->inv) {
		call_end(c, "out of memory");
		return;
	}
	respond(c, a, a->inv, 100, NULL, NULL, NULL, 0);

	if (take_offer(b, c, a, m, &info, "the app") < 0)
		return;
	local_sides(c, &wl, &il, &info);
	rc = sdp_xlate_webrtc_offer(c->offer, &wl, &il, &c->x, &ims_sdp, err, sizeof(err));
	if (rc < 0) {
		b->st.sdp_refused++;
		snprintf(warn, sizeof(warn), "Warning: %d nwitd \"%s\"\r\n", warning_code(rc, &c->x),
			 err);
		respond(c, a, a->inv, 488, NULL, warn, NULL, 0);
		call_end(c, "offer refused: %s", err);
		return;
	}
	body = serialize(ims_sdp, &blen);
	sdp_free(ims_sdp);
	if (!body) {
		respond(c, a, a->inv, 500, NULL, NULL, NULL, 0);
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
	rc = request(c, im, "INVITE", NULL, im->inv_cseq, extra, body, blen, &keep, &klen);
	free(body);
	if (rc < 0) {
		respond(c, a, a->inv, 503, "IMS not reachable", NULL, NULL, 0);
		call_end(c, "cannot send the IMS INVITE: %s", strerror(-rc));
		return;
	}
	tl(c, "IMS INVITE sent (Call-ID %s)", im->call_id);
	retx_start(c, keep, klen);
	start_ms(c->t_timeout, b->d->conf.calls_ring_timeout * 1000);
}

/* A response from the IMS to our INVITE of an outgoing call. */
static void ims_invite_response(struct call *c, const struct sip_msg *m)
{
	struct leg *im = &c->ims, *a = &c->app[0];
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *ans = NULL, *web = NULL;
	struct ims_reg_info info;
	char err[SDP_ERR_MAX + 40], *body = NULL, warn[600];
	size_t blen = 0;
	int rc;

	if (m->cseq != im->inv_cseq)
		return;
	retx_stop(c);
	if (m->status < 200) {
		if (m->status == 100)
			return;
		if (c->state != CALL_SETUP)
			return;
		im->provisional = 1;
		if (m->to_tag[0])
			snprintf(im->remote, sizeof(im->remote), "%s", m->to);
		tl(c, "IMS %d %s%s", m->status, m->reason, m->body ? " with SDP" : "");
		if (m->body && !c->early && ims_info(c->b, &info)) {
			/* early media: the answer in a 183 goes to the app as its answer */
			c->x = c->x_offer;
			rc = sdp_parse(m->body, m->body_len, &ans, err, sizeof(err));
			if (rc == 0) {
				local_sides(c, &wl, &il, &info);
				rc = sdp_xlate_ims_answer(c->offer, ans, &wl, &c->x, &web, err, sizeof(err));
			}
			sdp_free(ans);
			if (rc == 0)
				body = serialize(web, &blen);
			sdp_free(web);
			if (rc == 0 && body && media_configure(c->media, &c->x) == 0) {
				c->early = 1;
				respond(c, a, a->inv, 183, "Session Progress", NULL, body, blen);
				free(body);
				tl(c, "app 183 with SDP (early media)");
				return;
			}
			free(body);
			log_info("call %u: early media not passed on: %s", c->id,
				 rc < 0 ? err : "media setup failed");
		}
		respond(c, a, a->inv, m->status == 183 ? 180 : m->status, m->status == 183 ? "Ringing" :
			m->reason, NULL, NULL, 0);
		return;
	}
	if (m->status >= 300) {
		if (!m->to_tag[0] || im->final) {
			im->final = 1;
			snprintf(im->remote, sizeof(im->remote), "%s", m->to);
			send_ack(c, im, 0);
			return;
		}
		im->final = 1;
		snprintf(im->remote, sizeof(im->remote), "%s", m->to);
		send_ack(c, im, 0);
		if (c->state != CALL_SETUP)
			return;
		tl(c, "IMS %d %s", m->status, m->reason);
		warn[0] = '\0';
		if (m->warning[0])
			snprintf(warn, sizeof(warn), "Warning: %s\r\n", m->warning);
		respond(c, a, a->inv, sip_msg_map_failure(m->status), m->reason[0] ? m->reason : NULL,
			warn, NULL, 0);
		c->b->st.failed++;
		call_end(c, "IMS refused: %d %s", m->status, m->reason);
		return;
	}
	/* 2xx */
	if (im->final) {	/* a retransmitted 200: its ACK was lost */
		send_ack(c, im, 1);
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
	send_ack(c, im, 1);
	tl(c, "IMS 200 OK, ACK sent");
	if (c->state != CALL_SETUP) {	/* the app cancelled meanwhile */
		send_bye(c, im);
		return;
	}
	if (!ims_info(c->b, &info) || !m->body) {
		send_bye(c, im);
		respond(c, a, a->inv, 502, "No SDP answer from IMS", NULL, NULL, 0);
		call_end(c, "IMS answered without SDP");
		return;
	}
	c->x = c->x_offer;
	rc = sdp_parse(m->body, m->body_len, &ans, err, sizeof(err));
	if (rc == 0) {
		local_sides(c, &wl, &il, &info);
		rc = sdp_xlate_ims_answer(c->offer, ans, &wl, &c->x, &web, err, sizeof(err));
	}
	sdp_free(ans);
	if (rc == 0)
		body = serialize(web, &blen);
	sdp_free(web);
	if (rc < 0 || !body || start_media(c, err, sizeof(err)) < 0) {
		free(body);
		answer_unusable(c, im, a, "IMS", rc < 0 || body ? err : "cannot write the answer");
		return;
	}
	log_debug("call %u: IMS answer:\n%.*s\nbrowser answer:\n%.*s", c->id, (int)m->body_len,
		  m->body, (int)blen, body);
	respond(c, a, a->inv, 200, NULL, NULL, body, blen);
	free(body);
	evtimer_del(c->t_timeout);
	c->state = CALL_CONFIRMED;
	c->b->st.answered++;
	if (m->session_expires > 0)
		refresh_start(c, m->session_expires);
	tl(c, "app 200 OK sent (answer translated)");
}

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

static void ims_invite(struct b2bua *b, const struct sip_msg *m)
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

	if (!ims_info(b, &info) || !b->d->app) {
		ims_reply_plain(b, m, 480, "No web app connected", NULL);
		return;
	}
	if (m->require[0] && unsupported(m->require)) {
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
	tl(c, "IMS INVITE from %s", m->from_uri);
	if (!im->inv) {
		call_end(c, "out of memory");
		return;
	}
	respond(c, im, im->inv, 100, NULL, NULL, NULL, 0);
	if (!m->body || strcmp(m->ctype, "application/sdp") != 0) {
		respond(c, im, im->inv, 488, "SDP offer required", NULL, NULL, 0);
		call_end(c, "INVITE without SDP");
		return;
	}
	if (take_offer(b, c, im, m, &info, "IMS") < 0)
		return;
	local_sides(c, &wl, &il, &info);
	rc = sdp_xlate_ims_offer(c->offer, &il, &wl, &c->x, &web, err, sizeof(err));
	if (rc == 0)
		body = serialize(web, &blen);
	sdp_free(web);
	if (rc < 0 || !body) {
		b->st.sdp_refused++;
		snprintf(warn, sizeof(warn), "Warning: %d nwitd \"%s\"\r\n", warning_code(rc, &c->x),
			 rc < 0 ? err : "cannot write the offer");
		respond(c, im, im->inv, 488, NULL, warn, NULL, 0);
		call_end(c, "offer refused: %s", rc < 0 ? err : "cannot write the offer");
		free(body);
		return;
	}
	/* offer it to every app that may take voice calls (and file transfer, when offered) */
	while (c->n_app < MAX_BRANCHES &&
	       (ws = app_ws_next_callable(b->d->app, ws, call_scopes(&c->x))) != NULL) {
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
		if (request(c, a, "INVITE", NULL, 1, extra, body, blen, NULL, NULL) == 0) {
			tl(c, "offered to app %s", app_ws_app_id(ws));
			c->n_app++;
		} else {
			leg_clear(a);
		}
	}
	free(body);
	if (c->n_app == 0 && (call_scopes(&c->x) & APP_SCOPE_FILE_TRANSFER) &&
	    app_ws_next_callable(b->d->app, NULL, call_scopes(&c->x) & ~APP_SCOPE_FILE_TRANSFER)) {
		b->st.no_app++;
		respond(c, im, im->inv, 403, "File transfer not allowed",
			"Warning: 399 nwitd \"no connected app has the file-transfer scope\"\r\n",
			NULL, 0);
		call_end(c, "no app with the file-transfer scope");
		return;
	}
	if (c->n_app == 0) {
		b->st.no_app++;
		respond(c, im, im->inv, 480, "No web app connected", NULL, NULL, 0);
		call_end(c, "no app to offer it to");
		return;
	}
	start_ms(c->t_timeout, b->d->conf.calls_ring_timeout * 1000);
}

/* A response from an app to the INVITE we offered it. */
static void app_invite_response(struct call *c, struct leg *a, const struct sip_msg *m)
{
	struct leg *im = &c->ims;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *ans = NULL, *ims_sdp = NULL;
	struct ims_reg_info info;
	char err[SDP_ERR_MAX + 40], *body = NULL;
	size_t blen = 0;
	int rc, idx = (int)(a - c->app);

	if (m->status < 200) {
		if (m->status == 180 && c->state == CALL_SETUP && !im->provisional) {
			im->provisional = 1;
			tl(c, "app %s ringing", app_ws_app_id(a->ws));
			respond(c, im, im->inv, 180, NULL, NULL, NULL, 0);
		}
		return;
	}
	if (m->status >= 300) {
		int best = 0;

		a->final = m->status;
		send_ack(c, a, 0);
		if (c->state != CALL_SETUP)
			return;
		tl(c, "app %s refused: %d %s", app_ws_app_id(a->ws), m->status, m->reason);
		for (int i = 0; i < c->n_app; i++) {
			if (c->app[i].used && !c->app[i].final)
				return;	/* still ringing elsewhere */
			if (c->app[i].final && (best == 0 || c->app[i].final == 486 ||
						c->app[i].final == 603))
				best = c->app[i].final;
		}
		respond(c, im, im->inv, sip_msg_map_failure(best), NULL, NULL, NULL, 0);
		c->b->st.failed++;
		call_end(c, "every app refused (%d)", best);
		return;
	}
	/* 2xx */
	if (a->final) {
		send_ack(c, a, 1);
		return;
	}
	a->final = m->status;
	snprintf(a->remote, sizeof(a->remote), "%s", m->to);
	snprintf(a->remote_tag, sizeof(a->remote_tag), "%s", m->to_tag);
	snprintf(a->target, sizeof(a->target), "%s", m->contact_uri[0] ? m->contact_uri :
								     a->inv_ruri);
	send_ack(c, a, 1);
	if (c->state != CALL_SETUP || c->winner >= 0) {
		send_bye(c, a);	/* answered too late */
		return;
	}
	c->winner = idx;
	tl(c, "app %s answered", app_ws_app_id(a->ws));
	for (int i = 0; i < c->n_app; i++)
		if (i != idx && c->app[i].used && !c->app[i].final) {
			send_cancel(c, &c->app[i]);
			tl(c, "CANCEL to app %s", app_ws_app_id(c->app[i].ws));
		}
	rc = -EINVAL;
	snprintf(err, sizeof(err), "no SDP answer");
	if (m->body && ims_info(c->b, &info)) {
		rc = sdp_parse(m->body, m->body_len, &ans, err, sizeof(err));
		if (rc == 0) {
			local_sides(c, &wl, &il, &info);
			rc = sdp_xlate_webrtc_answer(c->offer, ans, &il, &c->x, &ims_sdp, err,
						     sizeof(err));
		}
	}
	sdp_free(ans);
	if (rc == 0)
		body = serialize(ims_sdp, &blen);
	sdp_free(ims_sdp);
	if (rc < 0 || !body || start_media(c, err, sizeof(err)) < 0) {
		free(body);
		answer_unusable(c, a, im, "app", rc < 0 || body ? err : "cannot write the answer");
		return;
	}
	{
		char se[128] = "";

		if (im->inv->session_expires > 0) {
			refresh_start(c, im->inv->session_expires);
			snprintf(se, sizeof(se), "Require: timer\r\nSession-Expires: %ld;refresher=uas\r\n",
				 c->session_expires);
		}
		respond(c, im, im->inv, 200, NULL, se[0] ? se : NULL, body, blen);
	}
	free(body);
	/* retransmit the 200 until the ACK (RFC 3261 13.3.1.4) */
	if (im->last_resp) {
		char *copy = malloc(im->last_resp_len);

		if (copy) {
			memcpy(copy, im->last_resp, im->last_resp_len);
			retx_start(c, copy, im->last_resp_len);
		}
	}
	evtimer_del(c->t_timeout);
	c->state = CALL_CONFIRMED;
	c->b->st.answered++;
	tl(c, "IMS 200 OK sent (answer translated)");
}

/* --- re-INVITE (hold, resume, codec change) ---------------------------------------------- */

static void reinvite_clear(struct call *c)
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
	char err[SDP_ERR_MAX + 40], warn[400], *body = NULL, *keep = NULL;
	size_t blen = 0, klen = 0;
	int rc;

	if (c->re_req) {
		respond(c, from, m, 491, NULL, NULL, NULL, 0);
		return;
	}
	if (!m->body || !ims_info(c->b, &info)) {
		/* no offer (RFC 3261 14.1: we would have to offer): keep the session as it is */
		respond(c, from, m, 488, NULL, "Warning: 399 nwitd \"a re-INVITE needs an SDP "
			"offer here\"\r\n", NULL, 0);
		return;
	}
	rc = sdp_parse(m->body, m->body_len, &c->re_offer, err, sizeof(err));
	if (rc == 0) {
		memset(&c->re_x, 0, sizeof(c->re_x));
		local_sides(c, &wl, &il, &info);
		rc = from_ims ? sdp_xlate_ims_offer(c->re_offer, &il, &wl, &c->re_x, &out, err,
						    sizeof(err)) :
				sdp_xlate_webrtc_offer(c->re_offer, &wl, &il, &c->re_x, &out, err,
						       sizeof(err));
	}
	if (rc == 0)
		body = serialize(out, &blen);
	sdp_free(out);
	if (rc < 0 || !body) {
		c->b->st.sdp_refused++;
		snprintf(warn, sizeof(warn), "Warning: %d nwitd \"%s\"\r\n",
			 rc < 0 ? warning_code(rc, &c->re_x) : 399, rc < 0 ? err : "cannot write it");
		respond(c, from, m, 488, NULL, warn, NULL, 0);
		tl(c, "%s re-INVITE refused: %s", from_ims ? "IMS" : "app", rc < 0 ? err : "no SDP");
		reinvite_clear(c);
		free(body);
		return;
	}
	c->re_req = msg_dup(m);
	if (!c->re_req) {
		respond(c, from, m, 500, NULL, NULL, NULL, 0);
		reinvite_clear(c);
		free(body);
		return;
	}
	c->re_from = from;
	c->re_to = to;
	c->re_from_ims = from_ims;
	to->cseq++;
	to->inv_cseq = to->cseq;
	rc = request(c, to, "INVITE", NULL, to->cseq, NULL, body, blen, from_ims ? NULL : &keep,
		     from_ims ? NULL : &klen);
	free(body);
	if (rc < 0) {
		respond(c, from, m, 500, NULL, NULL, NULL, 0);
		reinvite_clear(c);
		return;
	}
	if (keep)
		retx_start(c, keep, klen);
	tl(c, "%s %s passed on%s", from_ims ? "IMS" : "app",
	   strcmp(m->method, "INVITE") == 0 ? "re-INVITE" : m->method,
	   strcmp(m->method, "INVITE") == 0 ? "" : " as re-INVITE");
}

/* The answer (or refusal) of the leg we sent the re-INVITE to. */
static void reinvite_response(struct call *c, const struct sip_msg *m)
{
	struct leg *from = c->re_from, *to = c->re_to;
	struct sdp_webrtc_local wl;
	struct sdp_ims_local il;
	struct sdp_session *ans = NULL, *out = NULL;
	struct ims_reg_info info;
	char err[SDP_ERR_MAX + 40], warn[400], *body = NULL;
	size_t blen = 0;
	int rc;

	if (to == &c->ims)
		retx_stop(c);
	if (m->status < 200)
		return;
	send_ack(c, to, m->status < 300);
	if (m->status >= 300) {
		tl(c, "session change refused: %d %s", m->status, m->reason);
		respond(c, from, c->re_req, sip_msg_map_failure(m->status), m->reason[0] ? m->reason :
			NULL, NULL, NULL, 0);
		reinvite_clear(c);
		return;
	}
	rc = -EINVAL;
	snprintf(err, sizeof(err), "no SDP answer");
	if (m->body && ims_info(c->b, &info)) {
		rc = sdp_parse(m->body, m->body_len, &ans, err, sizeof(err));
		if (rc == 0) {
			local_sides(c, &wl, &il, &info);
			rc = c->re_from_ims ?
				sdp_xlate_webrtc_answer(c->re_offer, ans, &il, &c->re_x, &out, err,
							sizeof(err)) :
				sdp_xlate_ims_answer(c->re_offer, ans, &wl, &c->re_x, &out, err,
						     sizeof(err));
		}
	}
	sdp_free(ans);
	if (rc == 0)
		body = serialize(out, &blen);
	sdp_free(out);
	if (rc < 0 || !body || media_configure(c->media, &c->re_x) < 0) {
		/* the other leg took the change, the offerer cannot: end the call cleanly */
		snprintf(warn, sizeof(warn), "Warning: 399 nwitd \"answer unusable: %s\"\r\n",
			 rc < 0 ? err : "media setup failed");
		respond(c, from, c->re_req, 488, NULL, warn, NULL, 0);
		free(body);
		reinvite_clear(c);
		send_bye(c, &c->ims);
		if (c->winner >= 0)
			send_bye(c, &c->app[c->winner]);
		call_end(c, "re-INVITE answer unusable: %s", rc < 0 ? err : "media");
		return;
	}
	c->x = c->re_x;
	respond(c, from, c->re_req, 200, NULL, NULL, body, blen);
	free(body);
	if (from == &c->ims && from->last_resp && strcmp(c->re_req->method, "INVITE") == 0) {
		char *copy = malloc(from->last_resp_len);

		if (copy) {
			memcpy(copy, from->last_resp, from->last_resp_len);
			retx_start(c, copy, from->last_resp_len);
		}
	}
	tl(c, "session change answered");
	reinvite_clear(c);
}

/* --- in-dialog requests ------------------------------------------------------------------ */

/* BYE, CANCEL, ACK, re-INVITE, UPDATE, ... received on leg l of call c. */
static void dialog_request(struct call *c, struct leg *l, const struct sip_msg *m)
{
	int from_ims = l == &c->ims;
	struct leg *peer = from_ims ? (c->winner >= 0 ? &c->app[c->winner] : NULL) : &c->ims;

	if (strcmp(m->method, "ACK") == 0) {
		if (from_ims && c->retx_buf) {
			retx_stop(c);
			tl(c, "IMS ACK");
		}
		return;
	}
	if (strcmp(m->method, "CANCEL") == 0) {
		respond(c, l, m, 200, NULL, NULL, NULL, 0);
		if (c->state != CALL_SETUP || !l->inv || strcmp(m->branch, l->inv->branch) != 0)
			return;
		tl(c, "%s CANCEL", from_ims ? "IMS" : "app");
		respond(c, l, l->inv, 487, NULL, NULL, NULL, 0);
		if (from_ims) {
			for (int i = 0; i < c->n_app; i++)
				if (c->app[i].used && !c->app[i].final)
					send_cancel(c, &c->app[i]);
		} else if (c->ims.provisional) {
			send_cancel(c, &c->ims);
		} else {
			/* nothing heard yet: CANCEL now and again when a response comes */
			send_cancel(c, &c->ims);
		}
		call_end(c, "cancelled by the %s", from_ims ? "IMS caller" : "app");
		return;
	}
	if (strcmp(m->method, "BYE") == 0) {
		respond(c, l, m, 200, NULL, NULL, NULL, 0);
		tl(c, "%s BYE", from_ims ? "IMS" : "app");
		if (peer && c->state == CALL_CONFIRMED)
			send_bye(c, peer);
		call_end(c, "BYE from the %s", from_ims ? "IMS side" : "app");
		return;
	}
	if (strcmp(m->method, "OPTIONS") == 0) {
		respond(c, l, m, 200, NULL, NULL, NULL, 0);
		return;
	}
	if ((strcmp(m->method, "INVITE") == 0 || (strcmp(m->method, "UPDATE") == 0 && m->body)) &&
	    c->state == CALL_CONFIRMED && peer) {
		/* a session change; an UPDATE's offer goes on as a re-INVITE */
		reinvite_start(c, l, m);
		return;
	}
	if (strcmp(m->method, "UPDATE") == 0 && !m->body) {
		respond(c, l, m, 200, NULL, NULL, NULL, 0);	/* a session refresh */
		return;
	}
	if (strcmp(m->method, "INVITE") == 0 || strcmp(m->method, "UPDATE") == 0) {
		respond(c, l, m, 491, NULL, NULL, NULL, 0);	/* during setup: try later */
		return;
	}
	respond(c, l, m, 501, NULL, NULL, NULL, 0);
}

/*
 * A 2xx to an INVITE of a call that is already gone (the app cancelled while the callee
 * answered): ACK it and hang up at once, from the response alone (RFC 3261 15, the dialog
 * a 2xx creates must be ended with BYE).
 */
static void ims_stray_2xx(struct b2bua *b, const struct sip_msg *m)
{
	struct ims_reg_info info;
	const char *routes[SIP_MSG_ROUTES_MAX];
	struct sip_req_spec r = { 0 };
	char via[600], branch[40], buf[MSG_BUF];
	int n;

	if (!ims_info(b, &info) || !m->contact_uri[0])
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
		ims_via(&info, branch, via, sizeof(via));
		r.method = k ? "BYE" : "ACK";
		r.cseq = m->cseq + (uint32_t)k;
		n = sip_msg_build_request(&r, buf, sizeof(buf));
		if (n > 0)
			ims_reg_send(b->d->ims, buf, (size_t)n);
	}
	log_info("b2bua: a 200 OK for call %s came after the call ended: ACK and BYE sent",
		 m->call_id);
}

/* --- entry points ------------------------------------------------------------------------ */

int b2bua_app_message(struct nwitd *d, struct app_ws *ws, const char *msg, size_t len)
{
	struct b2bua *b = d->calls;
	struct sip_msg *m;
	struct call *c;
	struct leg *l = NULL;
	char why[160];

	if (!b)
		return -ENOSYS;
	m = malloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (sip_msg_parse(msg, len, m, why, sizeof(why)) < 0) {
		b->st.malformed++;
		counter_inc(COUNTER_APP_SIP_MALFORMED);
		log_info("b2bua: message from app %s ignored: %s", app_ws_app_id(ws), why);
		free(m);
		return 0;
	}
	c = find_app_call(b, m->call_id, &l);
	if (c && l->ws != ws)
		c = NULL;	/* another app's Call-ID: not its call */
	if (!m->is_request) {
		if (c && c->re_to == l && strcmp(m->method, "INVITE") == 0 &&
		    m->cseq == l->inv_cseq && strcmp(m->branch, l->inv_branch) == 0)
			reinvite_response(c, m);
		else if (c && strcmp(m->method, "INVITE") == 0 && m->cseq == l->inv_cseq &&
			 strcmp(m->branch, l->inv_branch) == 0)
			app_invite_response(c, l, m);
		free(m);
		return 0;
	}
	if (!c) {
		if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0])
			app_invite(b, ws, m);
		else if (strcmp(m->method, "OPTIONS") == 0)
			app_reply_plain(ws, m, 200, NULL, "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS\r\n");
		else if (strcmp(m->method, "ACK") != 0)
			app_reply_plain(ws, m, 481, NULL, NULL);
		free(m);
		return 0;
	}
	if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0]) {
		/* the same INVITE again (a new transport would not retransmit over WS) */
		free(m);
		return 0;
	}
	dialog_request(c, l, m);
	free(m);
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
					send_bye(c, &c->ims);
				else if (c->ims.provisional)
					send_cancel(c, &c->ims);
				call_end(c, "the app's WebSocket closed");
			} else if (c->winner == i) {
				send_bye(c, &c->ims);
				call_end(c, "the app's WebSocket closed");
			} else if (c->state == CALL_SETUP) {
				int left = 0;

				a->final = 480;
				for (int k = 0; k < c->n_app; k++)
					left += c->app[k].used && !c->app[k].final;
				if (!left) {
					respond(c, &c->ims, c->ims.inv, 480, NULL, NULL, NULL, 0);
					call_end(c, "the app's WebSocket closed");
				}
			}
		}
	}
}

int b2bua_ims_message(struct nwitd *d, const char *msg, size_t len)
{
	struct b2bua *b = d->calls;
	struct sip_msg *m;
	struct call *c;
	char why[160];

	if (!b)
		return -ENOENT;
	if (len >= 8 && memcmp(msg, "SIP/2.0 ", 8) == 0) {
		/* responses: only those of calls */
		const char *cs = NULL;

		for (size_t i = 0; i + 6 < len && !cs; i++)
			if ((msg[i] == '\n') && (strncasecmp(msg + i + 1, "CSeq:", 5) == 0))
				cs = msg + i + 6;
		if (!cs || strncasecmp(cs + strspn(cs, " 0123456789"), "REGISTER", 8) == 0)
			return -ENOENT;
	}
	m = malloc(sizeof(*m));
	if (!m)
		return 0;
	if (sip_msg_parse(msg, len, m, why, sizeof(why)) < 0) {
		b->st.malformed++;
		counter_inc(COUNTER_IMS_MALFORMED);
		log_info("b2bua: message from the P-CSCF ignored: %s", why);
		free(m);
		return 0;
	}
	if (!m->is_request && strcmp(m->method, "REGISTER") == 0) {
		free(m);
		return -ENOENT;
	}
	c = find_ims_call(b, m->call_id);
	if (!m->is_request) {
		int invite = strcmp(m->method, "INVITE") == 0;

		if (c && invite && c->re_to == &c->ims && m->cseq == c->ims.inv_cseq &&
		    strcmp(m->branch, c->ims.inv_branch) == 0) {
			reinvite_response(c, m);
			free(m);
			return 0;
		}
		if (c && c->outgoing && invite && strcmp(m->branch, c->ims.inv_branch) == 0) {
			if (c->state != CALL_ENDED) {
				ims_invite_response(c, m);
			} else if (m->status >= 300) {	/* e.g. 487 after our CANCEL */
				snprintf(c->ims.remote, sizeof(c->ims.remote), "%s", m->to);
				send_ack(c, &c->ims, 0);
				c->ims.final = m->status;
			} else if (m->status >= 200) {
				ims_stray_2xx(b, m);
				c->ims.final = m->status;
			}
		} else if (!c && invite && m->status >= 200 && m->status < 300 &&
			   strncmp(m->call_id, "nwit-", 5) == 0) {
			ims_stray_2xx(b, m);
		}
		free(m);
		return 0;
	}
	if (!c) {
		if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0])
			ims_invite(b, m);
		else if (strcmp(m->method, "OPTIONS") == 0)
			ims_reply_plain(b, m, 200, NULL, NULL);
		else if (strcmp(m->method, "ACK") != 0)
			ims_reply_plain(b, m, 481, NULL, NULL);
		free(m);
		return 0;
	}
	if (strcmp(m->method, "INVITE") == 0 && !m->to_tag[0]) {
		/* a retransmitted INVITE: the last response again */
		if (c->ims.last_resp)
			send_ims(c, c->ims.last_resp, c->ims.last_resp_len);
		free(m);
		return 0;
	}
	dialog_request(c, &c->ims, m);
	free(m);
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
			send_bye(c, &c->ims);
			if (c->winner >= 0)
				send_bye(c, &c->app[c->winner]);
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
