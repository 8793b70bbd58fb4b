/*
 * The reg event subscription (RFC 3680 over RFC 6665; TS 24.229 5.1.1.3 UE behaviour):
 *
 *   initial registration 200 ──> SUBSCRIBE sip:<IMPU> (Event: reg, Expires: [ims]
 *   reg_event_expires = 600000, Route: Service-Route, P-Preferred-Identity)
 *   ──200──> active ── refresh ──> ...
 *   NOTIFY (application/reginfo+xml) ──> 200, then our contact's state decides:
 *     terminated + deactivated/expired  ──> initial registration now
 *     terminated + probation            ──> initial registration after retry-after
 *     terminated + rejected/unregistered ─> registration stops, last_error says why
 *     active + shortened (expires)      ──> re-registration before the new expiry
 *   Subscription-State: terminated ──> subscribe again, unless reason=rejected/noresource
 *   shutdown ──> SUBSCRIBE Expires: 0 (then ims_reg.c de-registers)
 *
 * One SUBSCRIBE is in flight at a time, with the same Timer E/F transaction as REGISTER
 * (ims_reg.c). Everything from the network is bounded and counted when refused.
 */
#include "ims/ims_regevent.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/counters.h"
#include "core/log.h"
#include "sip/reginfo.h"
#include "sip/sip_auth.h"
#include "sip/sip_msg.h"
#include "sip/sip_sub.h"

#define T1_MS 500
#define T2_MS 4000
#define TIMER_F_MS (64 * T1_MS)
#define UNSUB_WAIT_MS 1000	/* shutdown waits this long for the un-SUBSCRIBE's answer */
#define RETRY_S 30		/* after a failed or timed-out SUBSCRIBE */
#define PROBATION_DEFAULT_S 30	/* probation without retry-after */
#define MAX_CHALLENGES 1

enum sub_state {
	SUB_NONE = 0,		/* not subscribed (not registered yet) */
	SUB_SUBSCRIBING,
	SUB_ACTIVE,
	SUB_REFRESHING,
	SUB_TERMINATED,		/* ended by the network */
	SUB_FAILED,		/* refused: not retried until the next registration */
	SUB_UNSUBSCRIBING,
	SUB_UNSUBSCRIBED,
	SUB_DISABLED,		/* [ims] reg_event_expires = 0 */
};

static const char *const sub_names[] = {
	[SUB_NONE] = "none",
	[SUB_SUBSCRIBING] = "subscribing",
	[SUB_ACTIVE] = "active",
	[SUB_REFRESHING] = "refreshing",
	[SUB_TERMINATED] = "terminated",
	[SUB_FAILED] = "failed",
	[SUB_UNSUBSCRIBING] = "unsubscribing",
	[SUB_UNSUBSCRIBED] = "unsubscribed",
	[SUB_DISABLED] = "disabled",
};

struct ims_regevent {
	const struct regevent_host_ops *host;	/* the registration (ims_reg.c) */
	void *host_ctx;
	struct event_base *base;
	enum sub_state state;

	/* the dialog */
	char call_id[64], from_tag[24], to_tag[SIP_MSG_TOKEN_MAX];
	char target[SIP_MSG_HDR_MAX];
	int n_rr;
	char rr[SIP_MSG_ROUTES_MAX][SIP_MSG_HDR_MAX];
	uint32_t cseq;
	uint32_t expires_conf, expires_req, granted;
	time_t expires_at;

	/* the SUBSCRIBE in flight */
	char tx[6144];
	size_t txlen;
	int in_flight, challenges, min_expires_tries, new_dialog_tries;
	char branch[48], auth[SIP_AUTH_HEADER_MAX];
	int proxy_auth;
	unsigned int retx_ms;
	struct event *t_retx, *t_timeout, *t_refresh;

	/* the reg event state */
	long version;		/* -1 before the first document */
	char reason[200];	/* why the subscription is not active ("" when it is) */
	char last_event[300];
	time_t last_event_at;
	uint64_t notifies;
};

static void send_subscribe(struct ims_regevent *s);
static void subscription_state(struct ims_regevent *s, const struct sip_sub_state *st);

static void set_sub_state(struct ims_regevent *s, enum sub_state st)
{
	if (s->state == st)
		return;
	((s->state == SUB_ACTIVE && st == SUB_REFRESHING) ||
	 (s->state == SUB_REFRESHING && st == SUB_ACTIVE) ? log_debug : log_info)(
		"ims: reg event subscription %s -> %s", sub_names[s->state], sub_names[st]);
	s->state = st;
}

static void start_ms(struct event *ev, unsigned long ms)
{
	struct timeval tv = { .tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static void stop_transaction(struct ims_regevent *s)
{
	s->in_flight = 0;
	evtimer_del(s->t_retx);
	evtimer_del(s->t_timeout);
}

/* TS 24.229 5.1.1.3: 600 s before expiry when over 1200 s were granted, else at half-time. */
static unsigned long refresh_ms(uint32_t granted)
{
	unsigned long ms = granted > 1200 ? (granted - 600) * 1000UL : granted * 500UL;

	return ms ? ms : 500;
}

static void schedule_retry(struct ims_regevent *s, unsigned int seconds)
{
	evtimer_del(s->t_refresh);
	start_ms(s->t_refresh, seconds * 1000UL);
}

static void new_dialog(struct ims_regevent *s)
{
	sip_msg_random(s->call_id, 17, NULL);
	strcat(s->call_id, "@nwitd");
	sip_msg_random(s->from_tag, 17, NULL);
	s->to_tag[0] = s->target[0] = '\0';
	s->n_rr = 0;
	s->cseq = 0;
	s->version = -1;
}

/* --- lifecycle ------------------------------------------------------------------------ */

static void on_retx(evutil_socket_t fd, short what, void *arg)
{
	struct ims_regevent *s = arg;

	(void)fd;
	(void)what;
	if (!s->in_flight)
		return;
	if (s->host->send(s->host_ctx, s->tx, s->txlen) < 0)
		return;	/* the registration notices transport errors itself */
	s->retx_ms = s->retx_ms * 2 > T2_MS ? T2_MS : s->retx_ms * 2;
	start_ms(s->t_retx, s->retx_ms);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ims_regevent *s = arg;

	(void)fd;
	(void)what;
	if (!s->in_flight)
		return;
	stop_transaction(s);
	if (s->state == SUB_UNSUBSCRIBING) {
		set_sub_state(s, SUB_UNSUBSCRIBED);
		return;
	}
	snprintf(s->reason, sizeof(s->reason), "no answer to SUBSCRIBE within %d s: retrying in %d s",
		 TIMER_F_MS / 1000, RETRY_S);
	log_warnx("ims: reg event: %s", s->reason);
	set_sub_state(s, SUB_FAILED);
	new_dialog(s);
	schedule_retry(s, RETRY_S);
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct ims_regevent *s = arg;

	(void)fd;
	(void)what;
	if (s->state == SUB_UNSUBSCRIBING || s->state == SUB_UNSUBSCRIBED)
		return;
	set_sub_state(s, s->state == SUB_ACTIVE ? SUB_REFRESHING : SUB_SUBSCRIBING);
	send_subscribe(s);
}

struct ims_regevent *regevent_new(const struct regevent_host_ops *host, void *ctx,
				  struct event_base *base, uint32_t expires)
{
	struct ims_regevent *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->host = host;
	s->host_ctx = ctx;
	s->base = base;
	s->version = -1;
	s->expires_conf = expires;
	s->state = expires ? SUB_NONE : SUB_DISABLED;
	s->t_retx = evtimer_new(base, on_retx, s);
	s->t_timeout = evtimer_new(base, on_timeout, s);
	s->t_refresh = evtimer_new(base, on_refresh, s);
	if (!s->t_retx || !s->t_timeout || !s->t_refresh) {
		regevent_free(s);
		return NULL;
	}
	return s;
}

void regevent_free(struct ims_regevent *s)
{
	if (!s)
		return;
	if (s->t_retx)
		event_free(s->t_retx);
	if (s->t_timeout)
		event_free(s->t_timeout);
	if (s->t_refresh)
		event_free(s->t_refresh);
	free(s);
}

void regevent_start(struct ims_regevent *s)
{
	if (!s || s->state == SUB_SUBSCRIBING || s->state == SUB_ACTIVE ||
	    s->state == SUB_REFRESHING || s->state == SUB_DISABLED)
		return;
	new_dialog(s);
	s->expires_req = s->expires_conf;
	s->new_dialog_tries = 0;
	s->reason[0] = '\0';
	set_sub_state(s, SUB_SUBSCRIBING);
	send_subscribe(s);
}

void regevent_reset(struct ims_regevent *s)
{
	if (!s)
		return;
	stop_transaction(s);
	evtimer_del(s->t_refresh);
	s->expires_at = 0;
	if (s->state != SUB_NONE && s->state != SUB_UNSUBSCRIBED && s->state != SUB_DISABLED)
		set_sub_state(s, SUB_NONE);
}

void regevent_unsubscribe(struct ims_regevent *s)
{
	if (!s || (s->state != SUB_ACTIVE && s->state != SUB_REFRESHING &&
		   s->state != SUB_SUBSCRIBING))
		return;
	evtimer_del(s->t_refresh);
	stop_transaction(s);
	s->expires_req = 0;
	set_sub_state(s, SUB_UNSUBSCRIBING);
	send_subscribe(s);
	if (s->in_flight) {
		evtimer_del(s->t_timeout);
		start_ms(s->t_timeout, UNSUB_WAIT_MS);
	} else {
		set_sub_state(s, SUB_UNSUBSCRIBED);
	}
}

int regevent_unsubscribing(const struct ims_regevent *s)
{
	return s && s->state == SUB_UNSUBSCRIBING && s->in_flight;
}

/* --- SUBSCRIBE ------------------------------------------------------------------------- */

static void send_subscribe(struct ims_regevent *s)
{
	struct ims_reg_info info;
	const char *routes[SIP_MSG_ROUTES_MAX];
	char via[SIP_MSG_HDR_MAX], from[SIP_MSG_HDR_MAX], to[SIP_MSG_HDR_MAX];
	char contact[SIP_MSG_HDR_MAX], extra[SIP_AUTH_HEADER_MAX + 512], host[64];
	struct sip_req_spec req = { .method = "SUBSCRIBE" };
	int n, n_routes = 0, rc;

	if (s->host->info(s->host_ctx, &info) < 0 || !info.registered) {
		stop_transaction(s);
		return;
	}
	snprintf(host, sizeof(host), strchr(info.local_host, ':') ? "[%s]" : "%s",
		 info.local_host);
	memcpy(s->branch, "z9hG4bK", 8);
	sip_msg_random(s->branch + 7, sizeof(s->branch) - 7, NULL);
	snprintf(via, sizeof(via), "SIP/2.0/%s %s:%u;branch=%s;rport", info.tcp ? "TCP" : "UDP",
		 host, info.local_port, s->branch);
	snprintf(from, sizeof(from), "<%s>;tag=%s", info.impu, s->from_tag);
	if (s->to_tag[0])
		snprintf(to, sizeof(to), "<%s>;tag=%s", info.impu, s->to_tag);
	else
		snprintf(to, sizeof(to), "<%s>", info.impu);
	snprintf(contact, sizeof(contact), "<sip:%s:%u%s>", host, info.local_port,
		 info.tcp ? ";transport=tcp" : "");
	/* in the dialog: its route set and remote target; else the Service-Route */
	if (s->to_tag[0] && s->n_rr > 0)
		for (int i = 0; i < s->n_rr; i++)
			routes[n_routes++] = s->rr[i];
	else
		for (int i = 0; i < info.n_routes && i < SIP_MSG_ROUTES_MAX; i++)
			routes[n_routes++] = info.routes[i];
	n = snprintf(extra, sizeof(extra),
		     "Event: reg\r\nAccept: application/reginfo+xml\r\nExpires: %u\r\n"
		     "P-Preferred-Identity: <%s>\r\n%s%s%s",
		     s->expires_req, info.impu,
		     s->auth[0] ? (s->proxy_auth ? "Proxy-Authorization: " : "Authorization: ") : "",
		     s->auth, s->auth[0] ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(extra))
		goto too_long;
	req.ruri = s->to_tag[0] && s->target[0] ? s->target : info.impu;
	req.via = via;
	req.n_routes = n_routes;
	req.routes = routes;
	req.from = from;
	req.to = to;
	req.call_id = s->call_id;
	req.cseq = ++s->cseq;
	req.contact = contact;
	req.extra = extra;
	n = sip_msg_build_request(&req, s->tx, sizeof(s->tx));
	if (n < 0)
		goto too_long;
	s->txlen = (size_t)n;
	rc = s->host->send(s->host_ctx, s->tx, s->txlen);
	if (rc < 0) {
		log_warnx("ims: reg event: cannot send SUBSCRIBE: %s", strerror(-rc));
		stop_transaction(s);
		return;
	}
	log_debug("ims: SUBSCRIBE (reg) CSeq %u expires %u", s->cseq, s->expires_req);
	s->in_flight = 1;
	evtimer_del(s->t_retx);
	evtimer_del(s->t_timeout);
	if (!info.tcp) {
		s->retx_ms = T1_MS;
		start_ms(s->t_retx, s->retx_ms);
	}
	start_ms(s->t_timeout, TIMER_F_MS);
	return;
too_long:
	stop_transaction(s);
	snprintf(s->reason, sizeof(s->reason), "cannot build SUBSCRIBE (too long)");
	log_warnx("ims: reg event: %s", s->reason);
	set_sub_state(s, SUB_FAILED);
}

static void subscribe_response(struct ims_regevent *s, const struct sip_msg *m)
{
	char v[SIP_AUTH_HEADER_MAX];
	long expires = -1;

	if (!s->in_flight || m->cseq != s->cseq || strcmp(m->branch, s->branch) != 0 ||
	    strcmp(m->call_id, s->call_id) != 0) {
		log_debug("ims: reg event: ignored a stray %d to SUBSCRIBE", m->status);
		return;
	}
	if (m->status < 200)
		return;
	stop_transaction(s);
	if (sip_msg_header(m, "Expires", 0, v, sizeof(v)) >= 0)
		expires = sip_sub_number(v);
	if (s->state == SUB_UNSUBSCRIBING) {
		log_info("ims: reg event: unsubscribed (%d)", m->status);
		set_sub_state(s, SUB_UNSUBSCRIBED);
		return;
	}
	if (m->status >= 200 && m->status < 300) {
		s->challenges = 0;
		s->min_expires_tries = 0;
		if (!s->to_tag[0]) {	/* the dialog is established (RFC 6665 4.1.2.1) */
			snprintf(s->to_tag, sizeof(s->to_tag), "%s", m->to_tag);
			snprintf(s->target, sizeof(s->target), "%s", m->contact_uri);
			s->n_rr = m->n_rr;
			for (int i = 0; i < m->n_rr; i++)	/* UAC: reversed */
				memcpy(s->rr[i], m->rr[m->n_rr - 1 - i], sizeof(s->rr[i]));
		}
		if (expires < 0 || expires > (long)s->expires_req)
			expires = s->expires_req;	/* absent (RFC 6665 wants it) or longer */
		if (expires == 0) {
			snprintf(s->reason, sizeof(s->reason), "the notifier granted 0 s");
			set_sub_state(s, SUB_TERMINATED);
			return;
		}
		s->granted = (uint32_t)expires;
		s->expires_at = time(NULL) + expires;
		s->reason[0] = '\0';
		set_sub_state(s, SUB_ACTIVE);
		evtimer_del(s->t_refresh);
		start_ms(s->t_refresh, refresh_ms(s->granted));
		return;
	}
	if ((m->status == 401 || m->status == 407) && s->challenges++ < MAX_CHALLENGES &&
	    sip_msg_header(m, m->status == 401 ? "WWW-Authenticate" : "Proxy-Authenticate",
			   0, v, sizeof(v)) >= 0) {
		char uri[SIP_MSG_HDR_MAX];
		struct ims_reg_info info;

		s->host->info(s->host_ctx, &info);
		snprintf(uri, sizeof(uri), "%s", s->to_tag[0] && s->target[0] ? s->target : info.impu);
		if (s->host->answer_challenge(s->host_ctx, v, "SUBSCRIBE", uri, s->auth,
					     sizeof(s->auth)) == 0) {
			s->proxy_auth = m->status == 407;
			send_subscribe(s);
			return;
		}
	}
	if (m->status == 423 && s->min_expires_tries++ < 2 &&
	    sip_msg_header(m, "Min-Expires", 0, v, sizeof(v)) >= 0 &&
	    sip_sub_number(v) > (long)s->expires_req) {
		s->expires_req = (uint32_t)sip_sub_number(v);
		send_subscribe(s);
		return;
	}
	if (m->status == 481 && s->to_tag[0] && s->new_dialog_tries++ < 1) {
		log_info("ims: reg event: the subscription is gone (481): subscribing anew");
		new_dialog(s);
		s->auth[0] = '\0';
		set_sub_state(s, SUB_SUBSCRIBING);
		send_subscribe(s);
		return;
	}
	snprintf(s->reason, sizeof(s->reason), "SUBSCRIBE answered %d %s%s", m->status,
		 m->reason[0] ? m->reason : sip_msg_reason(m->status),
		 m->status >= 500 || m->status == 408 ? ": retrying in 30 s" : "");
	log_warnx("ims: reg event: %s", s->reason);
	set_sub_state(s, SUB_FAILED);
	evtimer_del(s->t_refresh);
	if (m->status >= 500 || m->status == 408) {
		new_dialog(s);
		s->auth[0] = '\0';
		schedule_retry(s, RETRY_S);
	}
}

/* --- NOTIFY ---------------------------------------------------------------------------- */

static void reply(struct ims_regevent *s, const struct sip_msg *m, int status,
		  const char *extra)
{
	char out[4096];
	int n = sip_msg_build_response(m, status, NULL, NULL, NULL, extra, NULL, NULL, 0, out,
				       sizeof(out));

	if (n > 0)
		s->host->reply(s->host_ctx, m, status, out, (size_t)n);
}

static void refuse(struct ims_regevent *s, const struct sip_msg *m, int status,
		   enum counter_id counter, const char *extra, const char *why)
{
	counter_inc(counter);
	LOG_RATELIMITED(LOG_LEVEL_WARN, "ims: reg event: NOTIFYs refused",
			"ims: reg event: refused a NOTIFY (%d): %s", status, why);
	reply(s, m, status, extra);
}

/* What our registration's entry in the document says; acts on it. */
static void act_on_document(struct ims_regevent *s, const struct reginfo *ri)
{
	struct ims_reg_info info;
	const struct reginfo_registration *g = NULL;
	const struct reginfo_contact *ct = NULL;
	char why[240];

	s->host->info(s->host_ctx, &info);
	for (int i = 0; i < ri->n_regs && !g; i++)
		if (reginfo_same_aor(ri->regs[i].aor, info.impu))
			g = &ri->regs[i];
	if (!g) {
		snprintf(s->last_event, sizeof(s->last_event), "version %ld: nothing about %s",
			 ri->version, info.impu);
		return;
	}
	for (int i = 0; i < g->n_contacts && !ct; i++)
		if (reginfo_contact_is(g->contacts[i].uri, info.local_host, info.local_port))
			ct = &g->contacts[i];
	if (!ct) {
		snprintf(s->last_event, sizeof(s->last_event),
			 "version %ld: registration %s, our contact not listed", ri->version,
			 reginfo_reg_state_name(g->state));
		if (g->state == REGINFO_REG_TERMINATED && ri->full) {
			s->host->network_event(s->host_ctx, IMS_NETEV_REREGISTER, 0,
					      "the network ended the registration (reg event)");
		}
		return;
	}
	snprintf(s->last_event, sizeof(s->last_event), "version %ld: contact %s %s (%s)",
		 ri->version, ct->uri,
		 ct->state == REGINFO_CONTACT_ACTIVE ? "active" : "terminated",
		 reginfo_event_name(ct->event));
	if (ct->expires >= 0)
		snprintf(s->last_event + strlen(s->last_event),
			 sizeof(s->last_event) - strlen(s->last_event), " expires %ld", ct->expires);
	log_info("ims: reg event: %s", s->last_event);
	if (ct->state == REGINFO_CONTACT_ACTIVE) {
		if (ct->event == REGINFO_EV_SHORTENED && ct->expires >= 0)
			s->host->network_event(s->host_ctx, IMS_NETEV_SHORTEN, ct->expires,
					      "the network shortened the registration");
		return;
	}
	switch (ct->event) {
	case REGINFO_EV_PROBATION:
		snprintf(why, sizeof(why), "the network put the registration on probation "
			 "(reg event): registering again in %ld s",
			 ct->retry_after >= 0 ? ct->retry_after : (long)PROBATION_DEFAULT_S);
		s->host->network_event(s->host_ctx, IMS_NETEV_RETRY_AFTER,
				      ct->retry_after >= 0 ? ct->retry_after : PROBATION_DEFAULT_S,
				      why);
		break;
	case REGINFO_EV_REJECTED:
		s->host->network_event(s->host_ctx, IMS_NETEV_STOP, 0,
				      "the network rejected the registration (reg event "
				      "\"rejected\"): not registering again until reload");
		break;
	case REGINFO_EV_UNREGISTERED:
		s->host->network_event(s->host_ctx, IMS_NETEV_STOP, 0,
				      "the network unregistered this contact (reg event "
				      "\"unregistered\"): not registering again until reload");
		break;
	case REGINFO_EV_DEACTIVATED:
	case REGINFO_EV_EXPIRED:
	default:
		snprintf(why, sizeof(why), "the network ended the registration (reg event \"%s\"): "
			 "registering again", reginfo_event_name(ct->event));
		s->host->network_event(s->host_ctx, IMS_NETEV_REREGISTER, 0, why);
		break;
	}
}

/*
 * Where a document stands in the subscription's version order (RFC 3680 5.2): the first
 * sets it; older ones are dropped; after a gap a partial document is taken and full state
 * asked for. A full document with the version already held replaces the state: Kamailio
 * 5.6 (presence_reginfo) repeats the version in the NOTIFY of every SUBSCRIBE refresh.
 */
enum { DOC_TAKE = 1, DOC_ASK_FULL, DOC_OLD };

static int version_order(const struct ims_regevent *s, const struct reginfo *ri)
{
	if (s->version < 0)
		return ri->full || ri->version == 0 ? DOC_TAKE : DOC_ASK_FULL;
	if (ri->version < s->version || (ri->version == s->version && !ri->full))
		return DOC_OLD;
	if (ri->full || ri->version == s->version + 1)
		return DOC_TAKE;
	counter_inc(COUNTER_IMS_REGEVENT_VERSION);
	return DOC_ASK_FULL;
}

static void notify(struct ims_regevent *s, const struct sip_msg *m)
{
	char v[256], why[160];
	struct sip_sub_state st;
	struct reginfo *ri;
	int ours = s->call_id[0] && strcmp(m->call_id, s->call_id) == 0 &&
		   strcmp(m->to_tag, s->from_tag) == 0 &&
		   (!s->to_tag[0] || strcmp(m->from_tag, s->to_tag) == 0);
	int rc;

	if (sip_msg_header(m, "Event", 'o', v, sizeof(v)) < 0) {
		refuse(s, m, 489, COUNTER_IMS_REGEVENT_NO_EVENT, "Allow-Events: reg\r\n",
		       "no Event header");
		return;
	}
	if (!sip_sub_event_is(v, "reg")) {
		refuse(s, m, 489, COUNTER_IMS_REGEVENT_NO_EVENT, "Allow-Events: reg\r\n",
		       "not the reg event package");
		return;
	}
	if (!ours || (s->state != SUB_SUBSCRIBING && s->state != SUB_ACTIVE &&
		      s->state != SUB_REFRESHING && s->state != SUB_UNSUBSCRIBING)) {
		refuse(s, m, 481, COUNTER_IMS_REGEVENT_WRONG_DIALOG, NULL,
		       "no such subscription (Call-ID or tags do not match)");
		return;
	}
	if (sip_msg_header(m, "Subscription-State", 0, v, sizeof(v)) < 0 ||
	    sip_sub_parse_state(v, &st) < 0) {
		refuse(s, m, 400, COUNTER_IMS_REGEVENT_BAD_BODY, NULL,
		       "missing or malformed Subscription-State");
		return;
	}
	ri = NULL;
	if (m->body_len > 0) {
		if (strcasecmp(m->ctype, "application/reginfo+xml") != 0) {
			refuse(s, m, 415, COUNTER_IMS_REGEVENT_BAD_BODY,
			       "Accept: application/reginfo+xml\r\n",
			       "body is not application/reginfo+xml");
			return;
		}
		ri = malloc(sizeof(*ri));
		if (!ri) {
			reply(s, m, 500, NULL);
			return;
		}
		rc = reginfo_parse(m->body, m->body_len, ri, why, sizeof(why));
		if (rc < 0) {
			free(ri);
			refuse(s, m, 400, COUNTER_IMS_REGEVENT_BAD_BODY, NULL, why);
			return;
		}
	}
	/* the dialog is established by the first NOTIFY too (RFC 6665 4.1.2.4) */
	if (!s->to_tag[0])
		snprintf(s->to_tag, sizeof(s->to_tag), "%s", m->from_tag);
	if (m->contact_uri[0])
		snprintf(s->target, sizeof(s->target), "%s", m->contact_uri);
	counter_inc(COUNTER_IMS_REGEVENT_NOTIFIES);
	s->notifies++;
	reply(s, m, 200, NULL);

	if (ri && s->state != SUB_UNSUBSCRIBING) {
		int order = version_order(s, ri);

		if (order == DOC_OLD) {
			counter_inc(COUNTER_IMS_REGEVENT_VERSION);
			log_info("ims: reg event: ignored %s document version %ld (have %ld)",
				 ri->full ? "a full" : "a partial", ri->version, s->version);
		} else {
			s->version = ri->version;
			s->last_event_at = time(NULL);
			act_on_document(s, ri);
			if (order == DOC_ASK_FULL && s->state != SUB_NONE) {
				log_info("ims: reg event: partial version %ld without the ones before: "
					 "asking for full state", ri->version);
				evtimer_del(s->t_refresh);
				start_ms(s->t_refresh, 0);
			}
		}
	}
	free(ri);
	if (s->state == SUB_NONE || s->state == SUB_UNSUBSCRIBING)
		return;	/* the registration started anew meanwhile, or we are leaving */
	subscription_state(s, &st);
}

/* Subscription-State of a NOTIFY of our dialog (RFC 6665 4.1.3). */
static void subscription_state(struct ims_regevent *s, const struct sip_sub_state *st)
{
	if (st->state != SIP_SUB_TERMINATED) {
		time_t now = time(NULL);

		if (st->expires >= 0 && (s->expires_at == 0 || now + st->expires < s->expires_at)) {
			s->granted = (uint32_t)st->expires;
			s->expires_at = now + st->expires;
			evtimer_del(s->t_refresh);
			start_ms(s->t_refresh, refresh_ms(s->granted));
		}
		if (s->state == SUB_SUBSCRIBING && !s->in_flight)
			set_sub_state(s, SUB_ACTIVE);
		return;
	}
	stop_transaction(s);
	evtimer_del(s->t_refresh);
	s->expires_at = 0;
	if (strcasecmp(st->reason, "rejected") == 0 || strcasecmp(st->reason, "noresource") == 0 ||
	    strcasecmp(st->reason, "invariant") == 0) {
		snprintf(s->reason, sizeof(s->reason), "ended by the network (reason=%s): not "
			 "subscribing again", st->reason);
		log_warnx("ims: reg event: subscription %s", s->reason);
		set_sub_state(s, SUB_TERMINATED);
		return;
	}
	new_dialog(s);
	s->auth[0] = '\0';
	s->expires_req = s->expires_conf;
	if (strcasecmp(st->reason, "probation") == 0 || strcasecmp(st->reason, "giveup") == 0) {
		long after = st->retry_after >= 0 ? st->retry_after : PROBATION_DEFAULT_S;

		snprintf(s->reason, sizeof(s->reason), "ended by the network (reason=%s): "
			 "subscribing again in %ld s", st->reason, after);
		set_sub_state(s, SUB_TERMINATED);
		schedule_retry(s, after > 86400 ? 86400 : (unsigned int)after);
		return;
	}
	snprintf(s->reason, sizeof(s->reason), "ended by the network (reason=%s): subscribed "
		 "again", st->reason[0] ? st->reason : "none");
	log_info("ims: reg event: subscription %s", s->reason);
	set_sub_state(s, SUB_SUBSCRIBING);
	send_subscribe(s);
}

int regevent_message(struct ims_regevent *s, const struct sip_msg *m)
{
	char v[64];

	if (!s)
		return -ENOENT;
	if (!m->is_request) {
		if (strcmp(m->method, "SUBSCRIBE") != 0)
			return -ENOENT;
		subscribe_response(s, m);
		return 0;
	}
	if (strcmp(m->method, "NOTIFY") != 0)
		return -ENOENT;
	/* NOTIFYs of other packages in other dialogs are not ours */
	if (sip_msg_header(m, "Event", 'o', v, sizeof(v)) >= 0 && !sip_sub_event_is(v, "reg") &&
	    (!s->call_id[0] || strcmp(m->call_id, s->call_id) != 0))
		return -ENOENT;
	notify(s, m);
	return 0;
}

json_t *regevent_status(const struct ims_regevent *s)
{
	time_t now = time(NULL);
	json_t *o;

	if (!s)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "state", json_string(sub_names[s->state]));
	json_object_set_new(o, "expires", json_integer(s->expires_at > now &&
						       (s->state == SUB_ACTIVE || s->state == SUB_REFRESHING) ?
						       (json_int_t)(s->expires_at - now) : 0));
	json_object_set_new(o, "reason", s->reason[0] ? json_string(s->reason) : json_null());
	json_object_set_new(o, "notifies", json_integer((json_int_t)s->notifies));
	json_object_set_new(o, "version", json_integer(s->version));
	json_object_set_new(o, "last_event", s->last_event[0] ? json_string(s->last_event) :
								json_null());
	json_object_set_new(o, "last_event_age", s->last_event_at ?
				    json_integer((json_int_t)(now - s->last_event_at)) : json_null());
	return o;
}
