/* SIP transactions, RFC 3261 section 17 and RFC 6026 (sip_txn.h). */
#include "sip/sip_txn.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "sip/sip_msg.h"

#define BUCKETS 256

enum kind { ICT = 1, NICT, IST, NIST };

enum state {
	ST_CALLING = 1,		/* ICT before any response; NICT Trying; IST/NIST first state */
	ST_PROCEEDING,
	ST_ACCEPTED,		/* IST after a 2xx (RFC 6026) */
	ST_COMPLETED,
	ST_CONFIRMED,		/* IST after the ACK of a failure */
};

struct sip_txn {
	LIST_ENTRY(sip_txn) link;
	struct sip_txn_layer *l;
	enum kind kind;
	enum state state;
	int reliable;
	char branch[SIP_MSG_TOKEN_MAX], method[SIP_MSG_TOKEN_MAX];
	char *buf;			/* client: the request; server: the last response */
	size_t len;
	char *ack;			/* ICT: the ACK sent for a failure */
	size_t ack_len;
	char *ruri, **routes;		/* ICT: for that ACK */
	int n_routes;
	unsigned interval;		/* of the retransmission timer (A, E, G) */
	void *t_retx, *t_end;		/* A/E/G; B/D/F/H/I/J/K/L and the TU's deadline */
	sip_txn_response_fn cb;
	void *arg;
};

LIST_HEAD(txn_list, sip_txn);

struct sip_txn_layer {
	sip_txn_send_fn send;
	void *send_ctx;
	const struct sip_txn_timer_ops *timers;
	void *timer_ctx;
	struct event_base *base;	/* the libevent timers' */
	int reliable;
	unsigned t1, t2, t4, count;
	struct txn_list client[BUCKETS], server[BUCKETS];
};

/* --- timers on libevent ------------------------------------------------------------------ */

struct ev_timer {
	struct event *ev;
	void (*fire)(void *arg);
	void *arg;
};

static void ev_fired(evutil_socket_t fd, short what, void *p)
{
	struct ev_timer *t = p;

	(void)fd;
	(void)what;
	t->fire(t->arg);	/* may stop (free) t: nothing after this */
}

static void *ev_start(void *ctx, unsigned ms, void (*fire)(void *arg), void *arg)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	struct ev_timer *t = malloc(sizeof(*t));

	if (!t)
		return NULL;
	t->fire = fire;
	t->arg = arg;
	t->ev = evtimer_new((struct event_base *)ctx, ev_fired, t);
	if (!t->ev || evtimer_add(t->ev, &tv) < 0) {
		if (t->ev)
			event_free(t->ev);
		free(t);
		return NULL;
	}
	return t;
}

static void ev_stop(void *ctx, void *p)
{
	struct ev_timer *t = p;

	(void)ctx;
	if (t) {
		event_free(t->ev);
		free(t);
	}
}

static const struct sip_txn_timer_ops ev_timers = { ev_start, ev_stop };

/* --- the layer ----------------------------------------------------------------------------- */

struct sip_txn_layer *sip_txn_layer_new(sip_txn_send_fn send, void *send_ctx,
					const struct sip_txn_timer_ops *timers, void *timer_ctx)
{
	struct sip_txn_layer *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	*l = (struct sip_txn_layer){ .send = send, .send_ctx = send_ctx, .timers = timers,
				     .timer_ctx = timer_ctx, .t1 = SIP_TXN_T1_MS,
				     .t2 = SIP_TXN_T2_MS, .t4 = SIP_TXN_T4_MS };
	for (int i = 0; i < BUCKETS; i++) {
		LIST_INIT(&l->client[i]);
		LIST_INIT(&l->server[i]);
	}
	return l;
}

struct sip_txn_layer *sip_txn_layer_new_event(struct event_base *base, sip_txn_send_fn send,
					      void *send_ctx)
{
	return sip_txn_layer_new(send, send_ctx, &ev_timers, base);
}

void sip_txn_layer_set_reliable(struct sip_txn_layer *l, int reliable)
{
	l->reliable = reliable != 0;
}

void sip_txn_layer_set_timers(struct sip_txn_layer *l, unsigned t1, unsigned t2, unsigned t4)
{
	l->t1 = t1 ? t1 : SIP_TXN_T1_MS;
	l->t2 = t2 ? t2 : SIP_TXN_T2_MS;
	l->t4 = t4 ? t4 : SIP_TXN_T4_MS;
}

unsigned sip_txn_layer_count(const struct sip_txn_layer *l)
{
	return l ? l->count : 0;
}

static unsigned bucket(const char *branch)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *branch; branch++)
		h = (h ^ (uint8_t)*branch) * 16777619u;
	return h % BUCKETS;
}

static void timer_stop(struct sip_txn_layer *l, void **t)
{
	if (*t) {
		l->timers->stop(l->timer_ctx, *t);
		*t = NULL;
	}
}

static void txn_free(struct sip_txn *t)
{
	struct sip_txn_layer *l = t->l;

	timer_stop(l, &t->t_retx);
	timer_stop(l, &t->t_end);
	LIST_REMOVE(t, link);
	l->count--;
	for (int i = 0; i < t->n_routes; i++)
		free(t->routes[i]);
	free(t->routes);
	free(t->ruri);
	free(t->buf);
	free(t->ack);
	free(t);
}

void sip_txn_layer_free(struct sip_txn_layer *l)
{
	if (!l)
		return;
	for (int i = 0; i < BUCKETS; i++) {
		while (!LIST_EMPTY(&l->client[i]))
			txn_free(LIST_FIRST(&l->client[i]));
		while (!LIST_EMPTY(&l->server[i]))
			txn_free(LIST_FIRST(&l->server[i]));
	}
	free(l);
}

static void on_retx(void *arg);
static void on_end(void *arg);

static int retx_arm(struct sip_txn *t, unsigned ms)
{
	timer_stop(t->l, &t->t_retx);
	t->interval = ms;
	t->t_retx = t->l->timers->start(t->l->timer_ctx, ms, on_retx, t);
	return t->t_retx ? 0 : -ENOMEM;
}

/* The timer that ends the state t is in (B, D, F, H, I, J, K, L); 0 ms: at once. */
static void end_arm(struct sip_txn *t, unsigned ms)
{
	timer_stop(t->l, &t->t_end);
	if (ms == 0) {
		txn_free(t);
		return;
	}
	t->t_end = t->l->timers->start(t->l->timer_ctx, ms, on_end, t);
	if (!t->t_end)
		txn_free(t);	/* cannot wait: forget it now rather than never */
}

static struct sip_txn *txn_new(struct sip_txn_layer *l, enum kind kind, const char *branch,
			       const char *method)
{
	struct sip_txn *t;
	size_t nb = strlen(branch), nm = strlen(method);

	if (l->count >= SIP_TXN_MAX || nb == 0 || nb >= sizeof(t->branch) ||
	    nm == 0 || nm >= sizeof(t->method))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->l = l;
	t->kind = kind;
	t->state = ST_CALLING;
	t->reliable = l->reliable;
	memcpy(t->branch, branch, nb + 1);
	memcpy(t->method, method, nm + 1);
	LIST_INSERT_HEAD(kind == ICT || kind == NICT ? &l->client[bucket(branch)] :
						       &l->server[bucket(branch)], t, link);
	l->count++;
	return t;
}

static struct sip_txn *find(struct txn_list *lists, const char *branch, const char *method)
{
	struct sip_txn *t;

	LIST_FOREACH(t, &lists[bucket(branch)], link)
		if (strcmp(t->branch, branch) == 0 && strcmp(t->method, method) == 0)
			return t;
	return NULL;
}

static void deliver(struct sip_txn *t, const struct sip_msg *resp)
{
	if (t->cb)
		t->cb(t->arg, resp, 0);	/* a provisional one: what the TU says does not matter */
}

/* The client transaction t ends without a final response. */
static void give_up(struct sip_txn *t, int err)
{
	sip_txn_response_fn cb = t->cb;
	void *arg = t->arg;

	txn_free(t);
	if (cb)
		cb(arg, NULL, err);
}

/* Timer A, E or G fired: send again, with the next interval. */
static void on_retx(void *arg)
{
	struct sip_txn *t = arg;
	struct sip_txn_layer *l = t->l;
	unsigned next = t->interval * 2;
	int rc;

	if (t->kind == NICT && (next > l->t2 || t->state == ST_PROCEEDING))
		next = l->t2;			/* Timer E (17.1.2.2) */
	else if (t->kind == IST && next > l->t2)
		next = l->t2;			/* Timer G (17.2.1) */
	/* Timer A doubles without a cap (17.1.1.2) */
	rc = l->send(l->send_ctx, t->buf, t->len);
	if (rc < 0 && (t->kind == ICT || t->kind == NICT)) {
		give_up(t, rc);		/* a transport error (17.1.4) */
		return;
	}
	if (retx_arm(t, next) < 0)
		t->interval = 0;
}

/* Timer B, D, F, H, I, J, K or L fired: the state is over. */
static void on_end(void *arg)
{
	struct sip_txn *t = arg;

	if ((t->kind == ICT || t->kind == NICT) && t->state != ST_COMPLETED) {
		give_up(t, -ETIMEDOUT);		/* B or F: no final response */
		return;
	}
	txn_free(t);	/* D, H, I, J, K, L, or a server transaction never answered */
}

/* --- client transactions ------------------------------------------------------------------ */

int sip_txn_client_start(struct sip_txn_layer *l, const struct sip_txn_request *req,
			 sip_txn_response_fn cb, void *arg, struct sip_txn **out)
{
	int invite = strcmp(req->method, "INVITE") == 0;
	struct sip_txn *t;
	int rc;

	if (out)
		*out = NULL;
	if (!l)
		return -ENOTCONN;	/* no transport */
	if (!strcmp(req->method, "ACK"))
		return -EINVAL;	/* an ACK is no transaction */
	if (find(l->client, req->branch, req->method))
		return -EEXIST;
	t = txn_new(l, invite ? ICT : NICT, req->branch, req->method);
	if (!t)
		return l->count >= SIP_TXN_MAX ? -EBUSY : -ENOMEM;
	t->buf = malloc(req->len);
	if (!t->buf)
		goto nomem;
	memcpy(t->buf, req->buf, req->len);
	t->len = req->len;
	if (invite && req->ruri) {
		t->ruri = strdup(req->ruri);
		t->routes = req->n_routes ? calloc((size_t)req->n_routes, sizeof(char *)) : NULL;
		if (!t->ruri || (req->n_routes && !t->routes))
			goto nomem;
		for (; t->n_routes < req->n_routes; t->n_routes++)
			if (!(t->routes[t->n_routes] = strdup(req->routes[t->n_routes])))
				goto nomem;
	}
	rc = l->send(l->send_ctx, t->buf, t->len);
	if (rc < 0) {
		txn_free(t);
		return rc;
	}
	if (!t->reliable && retx_arm(t, l->t1) < 0)
		goto nomem;
	/* Timer B or F, on every transport */
	t->t_end = l->timers->start(l->timer_ctx, 64 * l->t1, on_end, t);
	if (!t->t_end)
		goto nomem;
	t->cb = cb;
	t->arg = arg;
	if (out)
		*out = t;
	return 0;
nomem:
	txn_free(t);
	return -ENOMEM;
}

void sip_txn_client_forget(struct sip_txn *t)
{
	if (t) {
		t->cb = NULL;
		t->arg = NULL;
	}
}

void sip_txn_client_abort(struct sip_txn *t)
{
	if (t)
		txn_free(t);
}

/* The ACK to a failure of an INVITE (RFC 3261 17.1.1.3), sent now and on every
 * retransmission of the failure. */
static void send_ack(struct sip_txn *t, const struct sip_msg *m)
{
	struct sip_req_spec r = { 0 };
	char buf[8192];
	int n;

	if (!t->ack && t->ruri) {
		r.method = "ACK";
		r.ruri = t->ruri;
		r.via = m->vias[0];
		r.n_routes = t->n_routes;
		r.routes = (const char *const *)t->routes;
		r.from = m->from;
		r.to = m->to;
		r.call_id = m->call_id;
		r.cseq = m->cseq;
		n = sip_msg_build_request(&r, buf, sizeof(buf));
		if (n > 0 && (t->ack = malloc((size_t)n)) != NULL) {
			memcpy(t->ack, buf, (size_t)n);
			t->ack_len = (size_t)n;
		}
	}
	if (t->ack)
		t->l->send(t->l->send_ctx, t->ack, t->ack_len);
}

int sip_txn_response(struct sip_txn_layer *l, const struct sip_msg *m)
{
	struct sip_txn *t;

	if (!l || m->is_request || !(t = find(l->client, m->branch, m->method)))
		return -ENOENT;
	if (t->state == ST_COMPLETED) {
		/* a retransmission of the final response: absorbed (an ICT ACKs it again) */
		if (t->kind == ICT && m->status >= 300)
			send_ack(t, m);
		return 0;
	}
	if (m->status < 200) {
		t->state = ST_PROCEEDING;
		/* an ICT stops Timer A, and Timer B is for Calling only (17.1.1.2); a NICT's
		 * Timer E fires as armed, then every T2 (17.1.2.2, see on_retx) */
		if (t->kind == ICT) {
			timer_stop(l, &t->t_retx);
			timer_stop(l, &t->t_end);
		}
		deliver(t, m);
		return 0;
	}
	/* a final response: the TU first; one it finds unusable is dropped as malformed
	 * (RFC 3261 8.1.3.2 lets it discard responses), the transaction waits on */
	if (t->cb && t->cb(t->arg, m, 0) < 0)
		return 0;
	timer_stop(l, &t->t_retx);
	if (t->kind == ICT && m->status < 300) {
		txn_free(t);	/* 2xx: the TU ACKs it and takes its retransmissions (17.1.1.2) */
		return 0;
	}
	t->state = ST_COMPLETED;
	t->cb = NULL;	/* the TU is done with t; the layer still owns it */
	if (t->kind == ICT)
		send_ack(t, m);
	end_arm(t, t->reliable ? 0 : t->kind == ICT ? 64 * l->t1 : l->t4);	/* D or K */
	return 0;
}

/* --- server transactions ------------------------------------------------------------------ */

int sip_txn_request(struct sip_txn_layer *l, const struct sip_msg *m)
{
	int ack = strcmp(m->method, "ACK") == 0;
	struct sip_txn *t;

	if (!l || !m->is_request)
		return 1;
	t = find(l->server, m->branch, ack ? "INVITE" : m->method);
	if (!t) {
		if (ack)
			return 1;	/* the ACK of a 2xx: end to end, for the TU */
		t = txn_new(l, strcmp(m->method, "INVITE") == 0 ? IST : NIST, m->branch, m->method);
		if (t)
			end_arm(t, SIP_TXN_UNANSWERED_MS);
		return 1;	/* without a transaction when full: the TU still answers */
	}
	if (ack) {
		if (t->state == ST_ACCEPTED)
			return 1;	/* 2xx ACK: the TU's */
		if (t->state == ST_COMPLETED) {
			t->state = ST_CONFIRMED;
			timer_stop(l, &t->t_retx);	/* no more Timer G */
			end_arm(t, t->reliable ? 0 : l->t4);	/* Timer I */
		}
		return 0;
	}
	/* a retransmission: the last response again (none yet: the TU is deciding) */
	if (t->buf && t->state != ST_ACCEPTED)
		l->send(l->send_ctx, t->buf, t->len);
	return 0;
}

int sip_txn_reply(struct sip_txn_layer *l, const struct sip_msg *req, int status,
		  const char *buf, size_t len)
{
	struct sip_txn *t = l ? find(l->server, req->branch, req->method) : NULL;
	char *copy;
	int rc;

	if (!l)
		return -ENOTCONN;
	if (!t || t->state == ST_ACCEPTED || t->state == ST_COMPLETED ||
	    t->state == ST_CONFIRMED)
		return l->send(l->send_ctx, buf, len);	/* e.g. the TU's 2xx retransmissions */
	copy = malloc(len);
	if (copy) {
		memcpy(copy, buf, len);
		free(t->buf);
		t->buf = copy;
		t->len = len;
	}
	rc = l->send(l->send_ctx, buf, len);
	if (status < 200) {
		t->state = ST_PROCEEDING;
		return rc;
	}
	if (t->kind == IST && status < 300) {
		t->state = ST_ACCEPTED;
		free(t->buf);		/* retransmitted INVITEs are absorbed, not answered */
		t->buf = NULL;
		end_arm(t, 64 * l->t1);			/* Timer L */
		return rc;
	}
	t->state = ST_COMPLETED;
	if (t->kind == IST) {
		if (!t->reliable && t->buf)
			retx_arm(t, l->t1);		/* Timer G */
		end_arm(t, 64 * l->t1);			/* Timer H */
		return rc;
	}
	end_arm(t, t->reliable ? 0 : 64 * l->t1);	/* Timer J */
	return rc;
}
