/* The SIP router of nwitd: parse each message once, route it (sip_router.h). */
#include "router/sip_router.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calls/b2bua.h"
#include "core/counters.h"
#include "core/log.h"
#include "ims/ims_reg.h"
#include "ims/ims_regevent.h"
#include "legs.h"
#include "messages/pager.h"
#include "nwitd.h"
#include "sip/sip_msg.h"
#include "sip/sip_txn.h"

#define REPLY_MAX 8192

struct sip_router {
	struct nwitd *d;
	struct {
		uint64_t from_app, from_ims;		/* messages received per side */
		uint64_t app_malformed, ims_malformed;	/* of those, not usable SIP */
		uint64_t no_dialog, not_allowed, not_implemented;	/* 481, 405, 501 */
	} st;
};

enum side { SIDE_APP, SIDE_IMS };

/* Methods of RFC 3261 and its extensions that this device knows by name. */
static int known_method(const char *m)
{
	static const char *const known[] = {
		"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
		"NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", NULL,
	};

	for (int i = 0; known[i]; i++)
		if (strcmp(m, known[i]) == 0)
			return 1;
	return 0;
}

/* Methods that exist only inside a dialog or a transaction (RFC 3261 9.2, 15.1.2;
 * RFC 3262, 3311, 6086): without a match they get 481 whatever their To says. */
static int dialog_method(const char *m)
{
	return !strcmp(m, "BYE") || !strcmp(m, "CANCEL") || !strcmp(m, "PRACK") ||
	       !strcmp(m, "UPDATE") || !strcmp(m, "INFO");
}

/* What each side may send us outside a dialog, given the services that run. */
static void allow(const struct nwitd *d, enum side side, char *out, size_t n)
{
	snprintf(out, n, "Allow: %s%s%sOPTIONS%s\r\n",
		 d->calls ? "INVITE, ACK, CANCEL, BYE, UPDATE, INFO, " : "",
		 d->pager ? "MESSAGE, " : "", side == SIDE_IMS && d->ims ? "NOTIFY, " : "",
		 side == SIDE_APP ? ", REGISTER" : "");
}

static void reply(struct sip_router *r, enum side side, struct app_ws *ws,
		  const struct sip_msg *m, int status, const char *reason, const char *extra)
{
	char *buf = malloc(REPLY_MAX);
	int n;

	if (!buf)
		return;
	n = sip_msg_build_reply(m, status, reason, extra, buf, REPLY_MAX);
	if (n > 0) {
		if (side == SIDE_APP)
			app_side_send(&r->d->app_side, ws, buf, (size_t)n);
		else
			ims_side_reply(&r->d->ims_side, m, status, buf, (size_t)n);
	}
	free(buf);
}

/* A request no service took. */
static void unroutable(struct sip_router *r, enum side side, struct app_ws *ws,
		       const struct sip_msg *m)
{
	char hdr[160];

	if (strcmp(m->method, "ACK") == 0)
		return;	/* never answered (RFC 3261 17.2.3) */
	allow(r->d, side, hdr, sizeof(hdr));
	if (strcmp(m->method, "OPTIONS") == 0 && !m->to_tag[0]) {
		reply(r, side, ws, m, 200, NULL, hdr);	/* RFC 3261 11.2 */
		return;
	}
	if (m->to_tag[0] || dialog_method(m->method)) {
		r->st.no_dialog++;
		reply(r, side, ws, m, 481, NULL, NULL);
		return;
	}
	if (known_method(m->method)) {
		r->st.not_allowed++;
		reply(r, side, ws, m, 405, "Method Not Allowed", hdr);
	} else {
		r->st.not_implemented++;
		reply(r, side, ws, m, 501, NULL, hdr);
	}
	log_debug("sip: %s %s from %s: no service takes it", m->method, m->ruri,
		  side == SIDE_APP ? "an app" : "the P-CSCF");
}

static void route_app(struct sip_router *r, struct app_ws *ws, const struct sip_msg *m)
{
	struct nwitd *d = r->d;
	int message = strcmp(m->method, "MESSAGE") == 0;

	if (!m->is_request) {
		if (message)
			pager_app_response(d, ws, m);
		else
			b2bua_app_response(d, ws, m);
		return;
	}
	if (message && !m->to_tag[0] && d->pager) {
		pager_app_request(d, ws, m);
		return;
	}
	if (!d->calls) {
		/* no calls: a clear answer instead of silence (never to ACK) */
		if (strcmp(m->method, "ACK") != 0)
			reply(r, SIDE_APP, ws, m, 503, "Calls not available yet", NULL);
		return;
	}
	if (b2bua_app_request(d, ws, m) == -ENOENT)
		unroutable(r, SIDE_APP, ws, m);
}

static void route_ims(struct sip_router *r, const struct sip_msg *m)
{
	struct nwitd *d = r->d;
	int message = strcmp(m->method, "MESSAGE") == 0;

	if (!m->is_request) {
		if (strcmp(m->method, "REGISTER") == 0) {
			if (d->ims)
				ims_reg_response(d->ims, m);
		} else if (strcmp(m->method, "SUBSCRIBE") == 0) {
			regevent_message(ims_reg_regevent(d->ims), m);
		} else if (!message) {
			b2bua_ims_response(d, m);	/* 2xx retransmissions to INVITE */
		}	/* (a MESSAGE response without its transaction: nothing waits for it) */
		return;
	}
	if (strcmp(m->method, "NOTIFY") == 0 &&
	    regevent_message(ims_reg_regevent(d->ims), m) == 0)
		return;
	if (message && !m->to_tag[0] && d->pager) {
		pager_ims_request(d, m);
		return;
	}
	if (b2bua_ims_request(d, m) == -ENOENT)
		unroutable(r, SIDE_IMS, NULL, m);
}

static void app_message(void *ctx, struct app_ws *ws, const char *buf, size_t len)
{
	struct sip_router *r = ctx;
	const struct app_side *app = &r->d->app_side;
	struct sip_msg *m = malloc(sizeof(*m));
	char why[160];

	r->st.from_app++;
	if (!m)
		return;
	if (sip_msg_parse_keep(buf, len, m, why, sizeof(why)) < 0) {
		r->st.app_malformed++;
		counter_inc(COUNTER_APP_SIP_MALFORMED);
		LOG_RATELIMITED(LOG_LEVEL_INFO, "sip: app messages ignored",
				"sip: message from app %s ignored: %s", app_side_id(app, ws), why);
	} else if (app->ops && app->ops->admit(ws, m)) {
		route_app(r, ws, m);
	}
	sip_msg_release(m);
	free(m);
}

static void app_closed(void *ctx, struct app_ws *ws)
{
	struct sip_router *r = ctx;

	b2bua_app_closed(r->d, ws);	/* its calls end first */
	pager_app_closed(r->d, ws);	/* and its messages lose their app */
}

static void ims_message(void *ctx, const char *buf, size_t len)
{
	struct sip_router *r = ctx;
	struct sip_txn_layer *txns = ims_side_txns(&r->d->ims_side);
	struct sip_msg *m = malloc(sizeof(*m));
	char why[160];

	r->st.from_ims++;
	if (!m)
		return;
	if (sip_msg_parse_keep(buf, len, m, why, sizeof(why)) < 0) {
		r->st.ims_malformed++;
		counter_inc(COUNTER_IMS_MALFORMED);
		/* a hostile peer must not flood the log */
		LOG_RATELIMITED(LOG_LEVEL_INFO, "sip: P-CSCF messages ignored",
				"sip: message from the P-CSCF ignored: %s", why);
	} else if (m->is_request ? sip_txn_request(txns, m) == 1 : sip_txn_response(txns, m) < 0) {
		route_ims(r, m);	/* not a retransmission, nor a response a transaction took */
	}
	sip_msg_release(m);
	free(m);
}

/* --- service ----------------------------------------------------------------------------- */

static int router_start(struct nwitd *d)
{
	struct sip_router *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->d = d;
	sip_msg_init();
	d->router = r;
	d->events.app_message = app_message;
	d->events.app_closed = app_closed;
	d->events.ims_message = ims_message;
	d->events.ctx = r;
	return 0;
}

static void router_stop(struct nwitd *d)
{
	memset(&d->events, 0, sizeof(d->events));
	free(d->router);
	d->router = NULL;
}

static json_t *router_stats(struct nwitd *d)
{
	struct sip_router *r = d->router;
	const struct stat_row rows[] = {
		{ "parses", counter_get(COUNTER_SIP_PARSES) },
		{ "received_app", r ? r->st.from_app : 0 },
		{ "received_ims", r ? r->st.from_ims : 0 },
		{ "malformed_app", r ? r->st.app_malformed : 0 },
		{ "malformed_ims", r ? r->st.ims_malformed : 0 },
		{ "answered_481", r ? r->st.no_dialog : 0 },
		{ "answered_405", r ? r->st.not_allowed : 0 },
		{ "answered_501", r ? r->st.not_implemented : 0 },
	};
	return r ? STAT_ROWS_JSON(rows) : NULL;
}

const struct nwitd_service sip_router_service = {
	.name = "sip",
	.start = router_start,
	.stop = router_stop,
	.stats = router_stats,
};
