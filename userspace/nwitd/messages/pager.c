/*
 * Pager-mode messages (SIP MESSAGE, RFC 3428) through the device, both ways.
 *
 * App -> IMS: an authorized app with the `messaging` scope (app_sip.c checks it) sends
 * MESSAGE over its WebSocket; the body passes pager_check() (text/plain or message/cpim,
 * RFC 3428 size limits, UTF-8); a new MESSAGE goes on the IMS leg (Request-URI and To from
 * the app, From and P-Preferred-Identity the device's IMPU, Route the Service-Route),
 * as the app's text/plain or, with [ims] message_cpim, our own message/cpim around the
 * text. On UDP it is retransmitted with the non-INVITE timers (RFC 3261 17.1.2: E from
 * T1 doubling to T2, F = 64*T1 gives the app 408). The final response goes back to the
 * app as its delivery report: 2xx as is, failures mapped like calls (sip_msg_map_failure)
 * with the IMS Warning passed on.
 *
 * IMS -> apps: a MESSAGE for the device's identity passes pager_check() and its text goes
 * to every connected app session that is authorized, registered and holds `messaging`;
 * the first 2xx from an app answers IMS (200 or 202), when all refuse their best failure,
 * none connected 480, no final answer within 64*T1 408. The answer is kept for the IMS
 * side's retransmissions (Timer J) and then freed.
 *
 * Refused bodies get 413 (size), 415 (type, charset; with Accept) or 400 (UTF-8, CPIM)
 * with a Warning saying why; pager_check() counts them (pager_refused). At most MAX_TXNS
 * messages are in flight at once; more get 503 with Retry-After.
 */
#include "messages/pager.h"

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

#include "core/counters.h"
#include "cpim/cpim.h"
#include "auth/jws_claims.h"
#include "core/log.h"
#include "legs.h"
#include "nwitd.h"
#include "sip/sip_msg.h"
#include "sip/sip_txn.h"

#define MSG_BUF 8192
#define T1_MS 500
#define APP_WAIT_MS (64 * T1_MS)	/* IMS -> apps: no app answered: 408 */
#define MAX_APPS 8		/* apps an incoming message is offered to */
#define RECENT_KEPT 8
#define MAX_TXNS 256		/* messages in flight (and absorbing retransmissions) */
#define ACCEPT_TYPES "Accept: text/plain, message/cpim\r\n"

enum txn_state {
	TXN_PENDING = 0,	/* waiting for a final response */
	TXN_ANSWERED,		/* IMS -> app: answered (its transaction absorbs the rest) */
};

struct app_branch {
	struct app_ws *ws;	/* NULL once its WebSocket closed */
	char call_id[SIP_MSG_TOKEN_MAX], branch[SIP_MSG_TOKEN_MAX];
	int final;
};

struct txn {
	LIST_ENTRY(txn) link;
	struct pager *p;
	unsigned id;
	int outgoing;			/* app -> IMS */
	enum txn_state state;
	struct sip_msg *req;		/* the request we answer (body dropped) */
	struct timespec t0;
	struct event *t_timeout;	/* incoming: how long the apps have */
	/* outgoing: the app that sent it, and our IMS MESSAGE's client transaction */
	struct app_ws *ws;
	char call_id[SIP_MSG_TOKEN_MAX], branch[SIP_MSG_TOKEN_MAX];
	struct sip_txn *ims_txn;	/* until its final response or Timer F */
	/* incoming: the apps it went to */
	int n_app;
	struct app_branch app[MAX_APPS];
	char peer[SIP_MSG_HDR_MAX];	/* To (outgoing) or From (incoming) URI, for status */
};

struct pager {
	struct nwitd *d;
	LIST_HEAD(, txn) txns;
	unsigned next_id, n_txns;
	uint64_t refusals_seen;		/* for logging only some of them */
	json_t *recent;			/* outcomes of the last RECENT_KEPT messages */
	struct {
		uint64_t out, out_delivered, out_failed, out_timeouts;
		uint64_t in, in_delivered, in_refused_by_apps, in_no_app, in_timeouts;
		uint64_t refused, not_for_us, busy;
	} st;
};

static const struct pager_limits *limits(void)
{
	static struct pager_limits l;

	if (!l.max_body)
		pager_limits_default(&l);
	return &l;
}

static long elapsed_ms(const struct txn *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->t0.tv_sec) * 1000 + (now.tv_nsec - t->t0.tv_nsec) / 1000000;
}

static struct ims_reg_info *ims_info(struct pager *p, struct ims_reg_info *i)
{
	if (ims_side_info(&p->d->ims_side, i) < 0 || !i->registered)
		return NULL;
	return i;
}

static void start_ms(struct event *ev, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static void txn_free(struct txn *t)
{
	LIST_REMOVE(t, link);
	t->p->n_txns--;
	sip_txn_client_forget(t->ims_txn);	/* it finishes alone, telling nobody */
	if (t->t_timeout)
		event_free(t->t_timeout);
	free(t->req);
	free(t);
}

/* The message's outcome is known: log it and keep it for `nwitctl status`. */
static void outcome(struct txn *t, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void outcome(struct txn *t, int status, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_info("message %u (%s %s): %d, %s after %ld ms", t->id,
		 t->outgoing ? "app to" : "IMS from", t->peer, status, what, elapsed_ms(t));
	json_array_append_new(t->p->recent,
			      json_pack("{s:i, s:s, s:s, s:i, s:s, s:I}", "id", t->id, "direction",
					t->outgoing ? "app-to-ims" : "ims-to-app", "peer", t->peer,
					"status", status, "outcome", what, "ms",
					(json_int_t)elapsed_ms(t)));
	while (json_array_size(t->p->recent) > RECENT_KEPT)
		json_array_remove(t->p->recent, 0);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg);
static int on_ims_answer(void *arg, const struct sip_msg *m, int err);

static struct txn *txn_new(struct pager *p, int outgoing, const struct sip_msg *req)
{
	struct txn *t;

	if (p->n_txns >= MAX_TXNS) {
		p->st.busy++;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	p->n_txns++;
	t->p = p;
	t->id = ++p->next_id;
	t->outgoing = outgoing;
	clock_gettime(CLOCK_MONOTONIC, &t->t0);
	t->req = malloc(sizeof(*t->req));
	t->t_timeout = evtimer_new(p->d->base, on_timeout, t);
	LIST_INSERT_HEAD(&p->txns, t, link);
	if (!t->req || !t->t_timeout) {
		txn_free(t);
		return NULL;
	}
	sip_msg_copy(t->req, req);	/* without the body: it points into a buffer that goes away */
	t->req->body_len = 0;
	return t;
}

/*
 * A response to req with a fresh To tag: to the app on ws, or to IMS when ws is NULL
 * (through req's server transaction, which answers its retransmissions).
 */
static int reply(struct pager *p, struct app_ws *ws, const struct sip_msg *req, int status,
		 const char *reason, const char *extra)
{
	char *buf = malloc(MSG_BUF);
	int n;

	if (!buf)
		return -ENOMEM;
	n = sip_msg_build_reply(req, status, reason, extra, buf, MSG_BUF);
	if (n < 0) {
		free(buf);
		log_warnx("messages: a %d response does not fit", status);
		return n;
	}
	if (ws)
		app_side_send(&p->d->app_side, ws, buf, (size_t)n);
	else
		ims_side_reply(&p->d->ims_side, req, status, buf, (size_t)n);
	free(buf);
	return 0;
}

/* Refusals are always counted; a hostile peer must not flood the log: ten, then 1 in 100. */
static int refusal_logged(struct pager *p)
{
	static struct log_ratelimit rl = LOG_RATELIMIT("messages: refused MESSAGEs");

	p->refusals_seen++;
	return log_ratelimit_allow(&rl, LOG_LEVEL_INFO);
}

/*
 * Check a body; on refusal the status, a Warning (and Accept) for the reply in extra and
 * the reason in err.
 */
static int check_body(struct pager *p, const struct sip_msg *m, struct cpim *cpim,
		      const uint8_t **text, size_t *text_len, int *status, char *extra,
		      size_t extralen, char *err, size_t errlen)
{
	int rc;

	if (!m->body && !m->ctype[0]) {
		snprintf(err, errlen, "no message body");
		rc = -EBADMSG;
		counter_inc(COUNTER_PAGER_REFUSED);
	} else if (!m->ctype_full[0]) {
		snprintf(err, errlen, "Content-Type missing or too long");
		rc = -EPROTONOSUPPORT;
		counter_inc(COUNTER_PAGER_REFUSED);
	} else {
		rc = pager_check(m->ctype_full, (const uint8_t *)(m->body ? m->body : ""),
				 m->body_len, limits(), cpim, text, text_len, err, errlen);
	}
	if (rc == 0)
		return 0;
	p->st.refused++;
	*status = rc == -EMSGSIZE ? 413 : rc == -EPROTONOSUPPORT ? 415 : 400;
	/* the reason may quote the sender's Content-Type: fit it for a quoted string */
	for (char *c = err; *c; c++)
		if (*c == '"' || *c == '\\')
			*c = '\'';
		else if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	snprintf(extra, extralen, "Warning: 399 nwitd \"%s\"\r\n%s", err,
		 *status == 415 ? ACCEPT_TYPES : "");
	return rc;
}

/* --- app -> IMS -------------------------------------------------------------------------- */

static void ims_via(const struct ims_reg_info *i, const char *branch, char *out, size_t n)
{
	int v6 = strchr(i->local_host, ':') != NULL;

	snprintf(out, n, "SIP/2.0/%s %s%s%s:%u;branch=%s;rport", i->tcp ? "TCP" : "UDP",
		 v6 ? "[" : "", i->local_host, v6 ? "]" : "", i->local_port, branch);
}

/* "2026-12-03T08:10:04Z" (RFC 3339, the CPIM DateTime) */
static void now_rfc3339(char *out, size_t n)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void app_message(struct pager *p, struct app_ws *ws, const struct sip_msg *m)
{
	const char *routes[SIP_MSG_ROUTES_MAX], *ctype, *body;
	struct sip_req_spec r = { 0 };
	struct ims_reg_info info;
	char extra[600], via[600], from[SIP_MSG_HDR_MAX + 64], to[SIP_MSG_HDR_MAX + 4];
	char tag[24], wrapped_type[] = "message/cpim", err[200];
	uint8_t *wrapped = NULL;
	const uint8_t *text;
	size_t text_len, body_len;
	struct cpim cpim;
	struct txn *t;
	char *buf;
	int status, n;

	p->st.out++;
	if (check_body(p, m, &cpim, &text, &text_len, &status, extra, sizeof(extra), err,
		       sizeof(err)) < 0) {
		if (refusal_logged(p))
			log_info("messages: MESSAGE from app %s to %s refused (%d): %s (%llu so far)",
				 app_side_id(&p->d->app_side, ws), m->to_uri, status, err,
				 (unsigned long long)p->st.refused);
		reply(p, ws, m, status, NULL, extra);
		return;
	}
	if (!ims_info(p, &info)) {
		reply(p, ws, m, 480, "IMS not registered", NULL);
		return;
	}
	t = txn_new(p, 1, m);
	if (!t) {
		reply(p, ws, m, 503, "Too many messages in flight", "Retry-After: 5\r\n");
		return;
	}
	t->ws = ws;
	snprintf(t->peer, sizeof(t->peer), "%s", m->to_uri);
	/* only the text goes on: an app's own CPIM wrapper could claim another sender */
	ctype = m->ctype_full;
	body = (const char *)text;
	body_len = text_len;
	if (!strcasecmp(m->ctype, "message/cpim"))
		ctype = cpim.content_type;
	if (p->d->conf.ims_message_cpim) {
		struct cpim w;
		int len;

		memset(&w, 0, sizeof(w));
		snprintf(w.from, sizeof(w.from), "%s", info.impu);
		snprintf(w.to, sizeof(w.to), "%.*s", (int)sizeof(w.to) - 1, m->to_uri);
		now_rfc3339(w.datetime, sizeof(w.datetime));
		sip_msg_random(w.imdn_message_id, sizeof(w.imdn_message_id), NULL);
		snprintf(w.content_type, sizeof(w.content_type), "%s", ctype);
		w.body = text;
		w.body_len = text_len;
		wrapped = malloc(MSG_BUF / 2);
		len = wrapped ? cpim_build(&w, wrapped, MSG_BUF / 2) : -ENOMEM;
		if (len < 0) {
			outcome(t, 500, "cannot wrap the text in message/cpim");
			reply(p, ws, m, 500, "Cannot wrap the message", NULL);
			free(wrapped);
			txn_free(t);
			return;
		}
		ctype = wrapped_type;
		body = (const char *)wrapped;
		body_len = (size_t)len;
	}
	sip_msg_random(t->call_id, sizeof(t->call_id), "nwit-");
	sip_msg_random(t->branch, sizeof(t->branch), "z9hG4bK");
	sip_msg_random(tag, sizeof(tag), NULL);
	ims_via(&info, t->branch, via, sizeof(via));
	snprintf(from, sizeof(from), "<%s>;tag=%s", info.impu, tag);
	snprintf(to, sizeof(to), "<%s>", m->to_uri);
	snprintf(extra, sizeof(extra), "P-Preferred-Identity: <%s>\r\n", info.impu);
	r.method = "MESSAGE";
	r.ruri = m->ruri;
	r.via = via;
	r.n_routes = info.n_routes < SIP_MSG_ROUTES_MAX ? info.n_routes : SIP_MSG_ROUTES_MAX;
	for (int i = 0; i < r.n_routes; i++)
		routes[i] = info.routes[i];
	r.routes = routes;
	r.from = from;
	r.to = to;
	r.call_id = t->call_id;
	r.cseq = 1;
	r.extra = extra;
	r.ctype = ctype;
	r.body = body;
	r.body_len = body_len;
	buf = malloc(MSG_BUF);
	n = buf ? sip_msg_build_request(&r, buf, MSG_BUF) : -ENOMEM;
	free(wrapped);
	/* a client transaction: Timer E retransmits over UDP, Timer F gives the app 408 */
	if (n < 0 || sip_txn_client_start(ims_side_txns(&p->d->ims_side),
					  &(struct sip_txn_request){ .buf = buf, .len = (size_t)n,
								     .method = "MESSAGE",
								     .branch = t->branch },
					  on_ims_answer, t, &t->ims_txn) < 0) {
		free(buf);
		outcome(t, 503, "cannot send the IMS MESSAGE");
		reply(p, ws, m, 503, "IMS not reachable", NULL);
		txn_free(t);
		return;
	}
	free(buf);
	log_info("message %u: app %s to %s: %zu bytes of text sent to IMS (Call-ID %s)", t->id,
		 app_side_id(&p->d->app_side, ws), m->to_uri, text_len, t->call_id);
}

/* What our MESSAGE t's client transaction hands back: a response, or none (Timer F, or
 * the transport refused it: RFC 3261 8.1.3.1 counts that as a 503). */
static int on_ims_answer(void *arg, const struct sip_msg *m, int err)
{
	struct txn *t = arg;
	struct pager *p = t->p;
	char extra[SIP_MSG_HDR_MAX + 16];
	int status;

	if (m && m->status < 200)
		return 0;	/* provisional: Timer E goes on at T2 in the transaction */
	t->ims_txn = NULL;	/* the transaction is over */
	if (!m) {
		p->st.out_timeouts++;
		outcome(t, err == -ETIMEDOUT ? 408 : 503, "%s",
			err == -ETIMEDOUT ? "no final response from IMS (Timer F)" :
					    "the IMS transport failed");
		if (t->ws)
			reply(p, t->ws, t->req, err == -ETIMEDOUT ? 408 : 503, NULL, NULL);
		txn_free(t);
		return 0;
	}
	extra[0] = '\0';
	if (m->status < 300) {
		status = m->status;
		p->st.out_delivered++;
	} else {
		status = sip_msg_map_failure(m->status);
		p->st.out_failed++;
		if (m->warning[0])
			snprintf(extra, sizeof(extra), "Warning: %s\r\n", m->warning);
	}
	outcome(t, m->status, "IMS answered %d %s", m->status, m->reason);
	/* the IMS reason phrase goes with its own status only */
	if (t->ws)
		reply(p, t->ws, t->req, status,
		      status == m->status && m->reason[0] ? m->reason : NULL,
		      extra[0] ? extra : NULL);
	txn_free(t);
	return 0;
}

/* --- IMS -> apps ------------------------------------------------------------------------- */

/* "sip:alice@ims.example.net;x=y" and "SIP:Alice@IMS.example.net" are the same identity */
static int same_uri(const char *a, const char *b)
{
	size_t la = strcspn(a, ";?>"), lb = strcspn(b, ";?>");

	return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

/* Is m addressed to this device: To or Request-URI an IMPU, or the Request-URI our contact? */
static int for_device(struct pager *p, const struct sip_msg *m, const struct ims_reg_info *info)
{
	char items[IMS_IMPU_MAX][256];
	int n = config_split_list(p->d->conf.ims_impu, items, IMS_IMPU_MAX);
	const char *at = strchr(m->ruri, '@');
	size_t hl = strlen(info->local_host);

	if (same_uri(m->to_uri, info->impu) || same_uri(m->ruri, info->impu))
		return 1;
	for (int i = 0; i < n; i++)
		if (same_uri(m->to_uri, items[i]) || same_uri(m->ruri, items[i]))
			return 1;
	if (at) {
		at++;
		if (*at == '[')
			at++;
		if (strncasecmp(at, info->local_host, hl) == 0 && strchr(":;]>", at[hl] ? at[hl] : ';'))
			return 1;
	}
	return 0;
}

/* Answer IMS (once): 2xx from an app, or the best failure once every app refused. */
static void ims_answer(struct txn *t, int status, const char *reason, const char *extra)
{
	struct pager *p = t->p;

	if (t->state != TXN_PENDING)
		return;
	t->state = TXN_ANSWERED;
	/* its server transaction keeps the answer for the retransmissions (Timer J) */
	reply(p, NULL, t->req, status, reason, extra);
	txn_free(t);
}

/* Every app has answered (or is gone) without a 2xx: answer IMS with the best failure. */
static void maybe_all_refused(struct txn *t)
{
	int best = 0;

	for (int i = 0; i < t->n_app; i++) {
		if (!t->app[i].final)
			return;
		if (best == 0 || t->app[i].final == 486 || t->app[i].final == 603)
			best = t->app[i].final;
	}
	t->p->st.in_refused_by_apps++;
	outcome(t, best, "every app refused (%d)", best);
	ims_answer(t, sip_msg_map_failure(best), NULL, NULL);
}

static void ims_message(struct pager *p, const struct sip_msg *m)
{
	struct ims_reg_info info;
	struct app_ws *ws = NULL;
	char extra[600], ctype[CPIM_VALUE_MAX + 16], buf[MSG_BUF], err[200];
	const uint8_t *text;
	size_t text_len;
	struct cpim cpim;
	struct txn *t;
	int status;

	p->st.in++;
	if (!ims_info(p, &info) || !for_device(p, m, &info)) {
		p->st.not_for_us++;
		if (refusal_logged(p))
			log_info("messages: MESSAGE from %s for %s: not for this device (or not "
				 "registered)", m->from_uri, m->ruri);
		reply(p, NULL, m, 404, "Not for this device", NULL);
		return;
	}
	if (check_body(p, m, &cpim, &text, &text_len, &status, extra, sizeof(extra), err,
		       sizeof(err)) < 0) {
		if (refusal_logged(p))
			log_info("messages: MESSAGE from %s refused (%d): %s (%llu so far)",
				 m->from_uri, status, err, (unsigned long long)p->st.refused);
		reply(p, NULL, m, status, NULL, extra);
		return;
	}
	t = txn_new(p, 0, m);
	if (!t) {
		reply(p, NULL, m, 503, "Too many messages in flight", "Retry-After: 5\r\n");
		return;
	}
	snprintf(t->peer, sizeof(t->peer), "%s", m->from_uri);
	snprintf(ctype, sizeof(ctype), "%s",
		 strcasecmp(m->ctype, "message/cpim") ? m->ctype_full : cpim.content_type);
	while (t->n_app < MAX_APPS && p->d->app &&
	       (ws = app_side_next_callable(&p->d->app_side, ws, APP_SCOPE_MESSAGING)) != NULL) {
		struct app_branch *a = &t->app[t->n_app];
		char via[200], from[SIP_MSG_HDR_MAX + SIP_MSG_TOKEN_MAX + 40], to[SIP_MSG_HDR_MAX];
		char disp[SIP_MSG_TOKEN_MAX + 4], tag[24];
		const char *lan = p->d->conf.http_address;
		struct sip_req_spec r = { 0 };
		int n;

		if (!lan[0] || !strcmp(lan, "0.0.0.0") || !strcmp(lan, "::"))
			lan = "127.0.0.1";
		sip_msg_random(a->call_id, sizeof(a->call_id), "nwit-");
		sip_msg_random(a->branch, sizeof(a->branch), "z9hG4bK");
		sip_msg_random(tag, sizeof(tag), NULL);
		disp[0] = '\0';
		if (m->from_display[0])
			snprintf(disp, sizeof(disp), "%s ", m->from_display);
		app_side_via(&p->d->app_side, ws, lan, a->branch, via, sizeof(via));
		snprintf(from, sizeof(from), "%s<%s>;tag=%s", disp, m->from_uri, tag);
		snprintf(to, sizeof(to), "<%s>", info.impu);
		r = (struct sip_req_spec){ .method = "MESSAGE", .ruri = info.impu, .via = via,
					   .from = from, .to = to, .call_id = a->call_id, .cseq = 1,
					   .ctype = ctype, .body = (const char *)text,
					   .body_len = text_len };
		n = sip_msg_build_request(&r, buf, sizeof(buf));
		if (n < 0)
			break;
		a->ws = ws;
		app_side_send(&p->d->app_side, ws, buf, (size_t)n);
		log_info("message %u: from %s: %zu bytes of text to app %s", t->id, m->from_uri,
			 text_len, app_side_id(&p->d->app_side, ws));
		t->n_app++;
	}
	if (t->n_app == 0) {
		p->st.in_no_app++;
		outcome(t, 480, "no app with the messaging scope connected");
		ims_answer(t, 480, "No web app connected", NULL);
		return;
	}
	start_ms(t->t_timeout, APP_WAIT_MS);
}

/* An app's response to the MESSAGE branch a of t. */
static void app_response(struct txn *t, struct app_branch *a, const struct sip_msg *m)
{
	if (m->status < 200 || a->final)
		return;
	a->final = m->status;
	if (t->state != TXN_PENDING)
		return;
	if (m->status < 300) {
		t->p->st.in_delivered++;
		outcome(t, m->status, "delivered to app %s",
			app_side_id(&t->p->d->app_side, a->ws));
		ims_answer(t, m->status, m->reason[0] ? m->reason : NULL, NULL);
		return;
	}
	maybe_all_refused(t);
}

/* --- timers ------------------------------------------------------------------------------ */

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct txn *t = arg;
	struct pager *p = t->p;

	(void)fd;
	(void)what;
	if (t->outgoing) {
		/* Timer F: the IMS side never answered */
		p->st.out_timeouts++;
		outcome(t, 408, "no final response from IMS (Timer F)");
		if (t->ws)
			reply(p, t->ws, t->req, 408, NULL, NULL);
		txn_free(t);
		return;
	}
	if (t->state == TXN_PENDING) {
		p->st.in_timeouts++;
		outcome(t, 408, "no app answered in time");
		ims_answer(t, 408, NULL, NULL);
		return;
	}
	txn_free(t);	/* Timer J ran out */
}

/* --- entry points ------------------------------------------------------------------------ */

void pager_app_request(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m)
{
	if (d->pager)
		app_message(d->pager, ws, m);
}

void pager_app_response(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m)
{
	struct pager *p = d->pager;
	struct txn *t;

	if (!p)
		return;
	LIST_FOREACH(t, &p->txns, link) {
		if (t->outgoing)
			continue;
		for (int i = 0; i < t->n_app; i++)
			if (t->app[i].ws == ws && !strcmp(t->app[i].call_id, m->call_id) &&
			    !strcmp(t->app[i].branch, m->branch)) {
				app_response(t, &t->app[i], m);
				return;
			}
	}
	/* a late or stray response to a MESSAGE: nothing to do */
}

void pager_app_closed(struct nwitd *d, struct app_ws *ws)
{
	struct pager *p = d->pager;
	struct txn *t, *next;

	if (!p)
		return;
	for (t = LIST_FIRST(&p->txns); t; t = next) {
		next = LIST_NEXT(t, link);
		if (t->outgoing) {
			if (t->ws == ws)
				t->ws = NULL;	/* the IMS transaction completes; nobody to tell */
			continue;
		}
		for (int i = 0; i < t->n_app; i++) {
			if (t->app[i].ws != ws)
				continue;
			t->app[i].ws = NULL;
			if (!t->app[i].final) {
				t->app[i].final = 480;
				if (t->state == TXN_PENDING)
					maybe_all_refused(t);
				break;	/* t may be gone */
			}
		}
	}
}

/* (Its retransmissions never come here: its server transaction absorbs them.) */
void pager_ims_request(struct nwitd *d, const struct sip_msg *m)
{
	if (d->pager)
		ims_message(d->pager, m);
}

/* --- service ----------------------------------------------------------------------------- */

static int pager_start(struct nwitd *d)
{
	struct pager *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->d = d;
	LIST_INIT(&p->txns);
	p->recent = json_array();
	if (!p->recent) {
		free(p);
		return -ENOMEM;
	}
	sip_msg_init();
	d->pager = p;
	return 0;
}

static void pager_stop(struct nwitd *d)
{
	struct pager *p = d->pager;

	if (!p)
		return;
	while (!LIST_EMPTY(&p->txns))
		txn_free(LIST_FIRST(&p->txns));
	json_decref(p->recent);
	free(p);
	d->pager = NULL;
}

static json_t *pager_status(struct nwitd *d)
{
	struct pager *p = d->pager;
	json_t *pending = json_array();
	struct txn *t;

	if (!p)
		return NULL;
	LIST_FOREACH(t, &p->txns, link)
		if (t->state == TXN_PENDING)
			json_array_append_new(pending,
					      json_pack("{s:i, s:s, s:s, s:I}", "id", t->id,
							"direction", t->outgoing ? "app-to-ims" :
							"ims-to-app", "peer", t->peer, "ms",
							(json_int_t)elapsed_ms(t)));
	return json_pack("{s:i, s:o, s:O}", "pending", (int)json_array_size(pending), "messages",
			 pending, "recent", p->recent);
}

static json_t *pager_stats(struct nwitd *d)
{
	struct pager *p = d->pager;

	if (!p)
		return NULL;
	{
		const struct stat_row rows[] = {
			{ "app_to_ims", p->st.out },
			{ "app_to_ims_delivered", p->st.out_delivered },
			{ "app_to_ims_failed", p->st.out_failed },
			{ "app_to_ims_timeouts", p->st.out_timeouts },
			{ "ims_to_app", p->st.in },
			{ "ims_to_app_delivered", p->st.in_delivered },
			{ "ims_to_app_refused_by_apps", p->st.in_refused_by_apps },
			{ "ims_to_app_no_app", p->st.in_no_app },
			{ "ims_to_app_timeouts", p->st.in_timeouts },
			{ "refused", p->st.refused },
			{ "not_for_device", p->st.not_for_us },
			{ "busy", p->st.busy },
		};
		return STAT_ROWS_JSON(rows);
	}
}

const struct nwitd_service pager_service = {
	.name = "messages",
	.start = pager_start,
	.stop = pager_stop,
	.status = pager_status,
	.stats = pager_stats,
};
