/*
 * IMS registration (TS 24.229 5.1.1, RFC 3261 10, RFC 3310): the nwitd service that keeps
 * the device registered at its P-CSCF with Digest or IMS-AKA.
 *
 *   start ──> REGISTER (empty Authorization, username=IMPI) ──401──> REGISTER with the
 *   response ──200──> registered ── refresh timer ──> REGISTER (cached credentials) ...
 *   SIGTERM ──> REGISTER Expires: 0 ──> deregistered
 *
 * Transactions: we keep exactly one REGISTER in flight, so the non-INVITE client
 * transaction of RFC 3261 17.1.2 is a few lines here (Timer E retransmissions over UDP,
 * Timer F for all transports) on libevent timers. osip2's transaction layer
 * (osip_transaction_*) would need its own fifo, a polling osip_timers_execute() tick and
 * its callback table for that one transaction; we use osip2 for what it is best at, the
 * parser (sip_reg.c), and keep the timers where the rest of nwitd keeps them.
 *
 * Failures: 403/404, a rejected credential, a MAC failure or an unanswerable challenge
 * stop registration with a clear reason (last_error) until the configuration is reloaded;
 * transport errors and timeouts move to the next P-CSCF and retry with capped backoff;
 * 423 raises the requested expiry to Min-Expires.
 */
#include "ims/ims_reg.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aka/aka.h"
#include "calls/b2bua.h"
#include "messages/pager.h"
#include "core/counters.h"
#include "core/hex.h"
#include "ims/ims_regevent.h"
#include "core/log.h"
#include "aka/milenage.h"
#include "nwitd.h"
#include "service.h"
#include "sip/sip_auth.h"
#include "sip/sip_reg.h"

#define T1_MS 500		/* RFC 3261 17.1.2.2 */
#define T2_MS 4000
#define TIMER_F_MS (64 * T1_MS)
#define BACKOFF_MAX_S 30	/* cap of the retry delay after transport errors */
#define DEREG_WAIT_MS 3000	/* how long shutdown waits for the de-registration */
#define MAX_401_PER_FLOW 4
#define MAX_423_PER_FLOW 2
#define STATE_FILE "isim-sqn.state"

enum reg_state {
	REG_DISABLED = 0,	/* no [ims] in the configuration */
	REG_UNREGISTERED,	/* before the first attempt */
	REG_REGISTERING,	/* initial registration in progress */
	REG_REGISTERED,
	REG_REFRESHING,		/* re-registration in progress, still registered */
	REG_BACKOFF,		/* waiting to retry after an error */
	REG_FAILED,		/* stopped: needs a configuration change */
	REG_DEREGISTERING,
	REG_DEREGISTERED,
};

static const char *const state_names[] = {
	[REG_DISABLED] = "disabled",
	[REG_UNREGISTERED] = "unregistered",
	[REG_REGISTERING] = "registering",
	[REG_REGISTERED] = "registered",
	[REG_REFRESHING] = "refreshing",
	[REG_BACKOFF] = "backoff",
	[REG_FAILED] = "failed",
	[REG_DEREGISTERING] = "deregistering",
	[REG_DEREGISTERED] = "deregistered",
};

struct ims_reg {
	struct nwitd *d;
	struct event_base *base;

	/* identity and credentials, from the configuration */
	char pcscf[IMS_PCSCF_MAX][256];
	int n_pcscf, pcscf_idx;
	unsigned int port;
	enum ims_transport transport;
	char domain[128], impi[128], impu[256], uri[160];
	int use_aka;
	struct aka_provider *aka;
	uint32_t expires_req;

	/* connection to the current P-CSCF */
	int fd;
	struct event *ev_udp;
	struct bufferevent *bev;
	char peer_text[300];
	char local_host[INET6_ADDRSTRLEN];
	unsigned int local_port;

	/* the REGISTER in flight */
	char tx[4096];
	size_t txlen;
	int in_flight;
	char branch[48], call_id[96], from_tag[24];
	uint32_t cseq;
	unsigned int retx_ms;
	struct event *t_retx, *t_timeout, *t_refresh, *t_retry, *t_dereg;
	int dereg;		/* the flow in progress removes the binding */

	/* authentication */
	struct sip_auth_challenge chal;
	int have_chal;
	uint32_t nc;
	char cnonce[17];
	uint8_t secret[128];	/* Digest password or AKA RES for chal */
	size_t secret_len;
	int flow_answered, flow_401s, flow_423s, flow_resyncs;

	/* outcome */
	enum reg_state state;
	char last_error[256];
	time_t expires_at;
	uint32_t granted;
	unsigned int failures;	/* consecutive transport failures */
	int n_routes, n_uris;
	char routes[SIP_REG_ROUTES_MAX][SIP_REG_VALUE_MAX];
	char uris[SIP_REG_URIS_MAX][SIP_REG_VALUE_MAX];
	uint64_t malformed_logged;
	struct ims_regevent *sub;	/* the reg event subscription (ims_regevent.c) */
};

static void begin_registration(struct ims_reg *r);
static void send_register(struct ims_reg *r, const char *authorization);

/* --- state and errors ---------------------------------------------------------------- */

static void set_state(struct ims_reg *r, enum reg_state st)
{
	int routine = (r->state == REG_REGISTERED && st == REG_REFRESHING) ||
		      (r->state == REG_REFRESHING && st == REG_REGISTERED);

	if (r->state == st)
		return;
	/* each change once; the refresh cycle only at debug level */
	(routine ? log_debug : log_info)("ims: %s -> %s (%s via %s)", state_names[r->state],
					 state_names[st], r->impu,
					 r->peer_text[0] ? r->peer_text : r->pcscf[r->pcscf_idx]);
	r->state = st;
}

static void set_error(struct ims_reg *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(struct ims_reg *r, const char *fmt, ...)
{
	char msg[sizeof(r->last_error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (strcmp(msg, r->last_error) != 0)
		log_warnx("ims: %s", msg);
	memcpy(r->last_error, msg, sizeof(msg));
}

static void random_hex(char *out, size_t bytes)
{
	uint8_t buf[32];

	if (bytes > sizeof(buf))
		bytes = sizeof(buf);
	if (RAND_bytes(buf, (int)bytes) != 1)
		fatalx("ims: no randomness from OpenSSL");
	hex_encode(buf, bytes, out);
}

static void stop_timer(struct event *ev)
{
	if (ev)
		evtimer_del(ev);
}

static void start_timer_ms(struct event *ev, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

/* --- connection ------------------------------------------------------------------------ */

static void close_connection(struct ims_reg *r)
{
	if (r->ev_udp) {
		event_free(r->ev_udp);
		r->ev_udp = NULL;
	}
	if (r->bev) {
		bufferevent_free(r->bev);	/* closes fd */
		r->bev = NULL;
		r->fd = -1;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	r->in_flight = 0;
	stop_timer(r->t_retx);
	stop_timer(r->t_timeout);
}

static void fail_stop(struct ims_reg *r)
{
	regevent_reset(r->sub);
	close_connection(r);
	stop_timer(r->t_refresh);
	stop_timer(r->t_retry);
	r->expires_at = 0;
	set_state(r, REG_FAILED);
}

/* A transport error or timeout: next P-CSCF, capped exponential backoff. */
static void transport_failed(struct ims_reg *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void transport_failed(struct ims_reg *r, const char *fmt, ...)
{
	char msg[200];
	unsigned int delay;
	struct timeval tv;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	counter_inc(COUNTER_IMS_TRANSPORT_ERRORS);
	regevent_reset(r->sub);
	close_connection(r);
	if (r->dereg) {		/* shutting down: nothing more to try */
		set_error(r, "de-registration: %s", msg);
		set_state(r, REG_DEREGISTERED);
		return;
	}
	set_error(r, "%s (P-CSCF %s)", msg, r->peer_text);
	r->failures++;
	delay = r->failures > 6 ? BACKOFF_MAX_S : 1u << (r->failures - 1);
	if (delay > BACKOFF_MAX_S)
		delay = BACKOFF_MAX_S;
	if (r->n_pcscf > 1)
		r->pcscf_idx = (r->pcscf_idx + 1) % r->n_pcscf;
	stop_timer(r->t_refresh);
	r->expires_at = 0;
	set_state(r, REG_BACKOFF);
	tv.tv_sec = delay;
	tv.tv_usec = 0;
	evtimer_add(r->t_retry, &tv);
	log_info("ims: retrying in %u s via %s", delay, r->pcscf[r->pcscf_idx]);
}

static void handle_message(struct ims_reg *r, const char *buf, size_t len);

static void on_udp_readable(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;
	static char buf[SIP_MSG_MAX + 2];

	(void)what;
	for (int i = 0; i < 32 && r->fd == fd; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			transport_failed(r, "UDP receive failed: %s", strerror(errno));
			return;
		}
		if ((size_t)n > SIP_MSG_MAX) {
			counter_inc(COUNTER_IMS_MALFORMED);
			log_warnx("ims: dropped a %zd-byte datagram (limit %d)", n, SIP_MSG_MAX);
			continue;
		}
		handle_message(r, buf, (size_t)n);
	}
}

static void on_tcp_read(struct bufferevent *bev, void *arg)
{
	struct ims_reg *r = arg;
	struct evbuffer *in = bufferevent_get_input(bev);

	while (r->bev == bev) {
		size_t avail = evbuffer_get_length(in), look = avail;
		const char *data;
		long total;

		if (avail == 0)
			return;
		if (look > SIP_MSG_MAX + 4)
			look = SIP_MSG_MAX + 4;
		data = (const char *)evbuffer_pullup(in, (ssize_t)look);
		total = sip_frame_length(data, look);
		if (total < 0) {
			counter_inc(COUNTER_IMS_MALFORMED);
			transport_failed(r, "unframeable data on the TCP connection");
			return;
		}
		if (total == 0)
			return;
		{
			char *copy = malloc((size_t)total);

			if (!copy) {
				transport_failed(r, "out of memory");
				return;
			}
			evbuffer_remove(in, copy, (size_t)total);
			/* bare CRLF keep-alives (RFC 5626) have nothing to parse */
			if (strspn(copy, "\r\n") < (size_t)total)
				handle_message(r, copy, (size_t)total);
			free(copy);
		}
	}
}

static void on_tcp_event(struct bufferevent *bev, short what, void *arg)
{
	struct ims_reg *r = arg;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		log_debug("ims: TCP connected to %s", r->peer_text);
		return;
	}
	if (what & BEV_EVENT_EOF)
		transport_failed(r, "the P-CSCF closed the TCP connection");
	else if (what & BEV_EVENT_ERROR)
		transport_failed(r, "TCP connection failed: %s",
				 evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static int open_connection(struct ims_reg *r)
{
	const struct nwit_config *c = &r->d->conf;
	struct addrinfo hints = { .ai_family = AF_UNSPEC }, *res = NULL;
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	char port[8], host[INET6_ADDRSTRLEN];
	const char *name = r->pcscf[r->pcscf_idx];
	int tcp = r->transport == IMS_TRANSPORT_TCP, rc;

	hints.ai_socktype = tcp ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	snprintf(port, sizeof(port), "%u", r->port);
	snprintf(r->peer_text, sizeof(r->peer_text), "%s:%u/%s", name, r->port,
		 ims_transport_name(r->transport));
	/* Resolution blocks the loop briefly; a P-CSCF is normally an address literal. */
	rc = getaddrinfo(name, port, &hints, &res);
	if (rc != 0) {
		transport_failed(r, "cannot resolve P-CSCF %s: %s", name, gai_strerror(rc));
		return -1;
	}
	r->fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0) {
		freeaddrinfo(res);
		transport_failed(r, "socket: %s", strerror(errno));
		return -1;
	}
	if (c->ims_local_address[0]) {
		struct addrinfo lh = { .ai_family = res->ai_family, .ai_socktype = res->ai_socktype,
				       .ai_flags = AI_NUMERICHOST | AI_PASSIVE }, *lres = NULL;

		if (getaddrinfo(c->ims_local_address, "0", &lh, &lres) != 0 ||
		    bind(r->fd, lres->ai_addr, lres->ai_addrlen) < 0) {
			if (lres)
				freeaddrinfo(lres);
			freeaddrinfo(res);
			transport_failed(r, "cannot bind local_address %s: %s",
					 c->ims_local_address, strerror(errno));
			return -1;
		}
		freeaddrinfo(lres);
	}
	if (res->ai_family == AF_INET6 || res->ai_family == AF_INET) {
		char a[INET6_ADDRSTRLEN] = "";

		getnameinfo(res->ai_addr, res->ai_addrlen, a, sizeof(a), NULL, 0, NI_NUMERICHOST);
		snprintf(r->peer_text, sizeof(r->peer_text), "%s%s%s:%u/%s",
			 res->ai_family == AF_INET6 ? "[" : "", a,
			 res->ai_family == AF_INET6 ? "]" : "", r->port,
			 ims_transport_name(r->transport));
	}
	if (tcp) {
		r->bev = bufferevent_socket_new(r->base, r->fd, BEV_OPT_CLOSE_ON_FREE);
		if (!r->bev || bufferevent_socket_connect(r->bev, res->ai_addr,
							  (int)res->ai_addrlen) < 0) {
			freeaddrinfo(res);
			if (!r->bev) {
				close(r->fd);
				r->fd = -1;
			}
			transport_failed(r, "TCP connect to %s failed", r->peer_text);
			return -1;
		}
		bufferevent_setcb(r->bev, on_tcp_read, NULL, on_tcp_event, r);
		bufferevent_enable(r->bev, EV_READ | EV_WRITE);
	} else {
		if (connect(r->fd, res->ai_addr, res->ai_addrlen) < 0) {
			freeaddrinfo(res);
			transport_failed(r, "UDP connect to %s failed: %s", r->peer_text,
					 strerror(errno));
			return -1;
		}
		r->ev_udp = event_new(r->base, r->fd, EV_READ | EV_PERSIST, on_udp_readable, r);
		if (!r->ev_udp || event_add(r->ev_udp, NULL) < 0) {
			freeaddrinfo(res);
			transport_failed(r, "cannot watch the UDP socket");
			return -1;
		}
	}
	freeaddrinfo(res);
	if (getsockname(r->fd, (struct sockaddr *)&local, &len) < 0 ||
	    getnameinfo((struct sockaddr *)&local, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		transport_failed(r, "cannot learn the local address: %s", strerror(errno));
		return -1;
	}
	snprintf(r->local_host, sizeof(r->local_host), "%s", host);
	r->local_port = (unsigned int)atoi(port);
	return 0;
}

/* --- transactions ---------------------------------------------------------------------- */

static int transmit(struct ims_reg *r)
{
	if (r->bev)
		return bufferevent_write(r->bev, r->tx, r->txlen) == 0 ? 0 : -EIO;
	if (send(r->fd, r->tx, r->txlen, 0) < 0)
		return -errno;
	return 0;
}

static void on_retx(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;
	int rc;

	(void)fd;
	(void)what;
	if (!r->in_flight)
		return;
	rc = transmit(r);
	if (rc < 0) {
		transport_failed(r, "send to %s failed: %s", r->peer_text, strerror(-rc));
		return;
	}
	r->retx_ms = r->retx_ms * 2 > T2_MS ? T2_MS : r->retx_ms * 2;
	start_timer_ms(r->t_retx, r->retx_ms);
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;

	(void)fd;
	(void)what;
	if (r->in_flight)
		transport_failed(r, "no answer to REGISTER within %d s", TIMER_F_MS / 1000);
}

/* Send a REGISTER of the current dialog (new CSeq and branch). */
static void send_register(struct ims_reg *r, const char *authorization)
{
	struct sip_reg_request req = {
		.transport = r->transport == IMS_TRANSPORT_TCP ? "TCP" : "UDP",
		.local_host = r->local_host,
		.local_port = r->local_port,
		.domain = r->domain,
		.impu = r->impu,
		.from_tag = r->from_tag,
		.call_id = r->call_id,
		.branch = r->branch,
		.expires = r->dereg ? 0 : r->expires_req,
		.authorization = authorization,
	};
	int n, rc;

	if (r->fd < 0 && open_connection(r) < 0)
		return;
	req.local_host = r->local_host;
	req.local_port = r->local_port;
	r->cseq++;
	req.cseq = r->cseq;
	memcpy(r->branch, "z9hG4bK", 7);
	random_hex(r->branch + 7, 12);
	n = sip_reg_build(&req, r->tx, sizeof(r->tx));
	OPENSSL_cleanse(&req, sizeof(req));
	if (n < 0) {
		set_error(r, "cannot build REGISTER (too long)");
		fail_stop(r);
		return;
	}
	r->txlen = (size_t)n;
	rc = transmit(r);
	if (rc < 0) {
		transport_failed(r, "send to %s failed: %s", r->peer_text, strerror(-rc));
		return;
	}
	counter_inc(COUNTER_IMS_REGISTERS_SENT);
	log_debug("ims: REGISTER CSeq %u expires %u to %s", r->cseq, r->dereg ? 0 : r->expires_req,
		  r->peer_text);
	r->in_flight = 1;
	if (!r->bev) {
		r->retx_ms = T1_MS;
		start_timer_ms(r->t_retx, r->retx_ms);
	}
	start_timer_ms(r->t_timeout, TIMER_F_MS);
}

/* The Authorization header answering r->chal with r->secret (nc advanced), or NULL. */
static const char *authorization(struct ims_reg *r, char *buf, size_t len, const uint8_t *auts)
{
	struct sip_auth_answer a = {
		.username = r->impi,
		.password = r->secret,
		.password_len = r->secret_len,
		.method = "REGISTER",
		.uri = r->uri,
		.cnonce = r->cnonce,
		.auts = auts,
	};

	if (!r->have_chal)
		return NULL;
	a.nc = ++r->nc;
	if (auts)	/* RFC 3310 3.4: the resync request's response uses an empty password */
		a.password_len = 0;
	if (sip_auth_build_authorization(&r->chal, &a, buf, len) < 0)
		return NULL;
	return buf;
}

static void new_flow(struct ims_reg *r)
{
	r->flow_answered = 0;
	r->flow_401s = 0;
	r->flow_423s = 0;
	r->flow_resyncs = 0;
}

/* Initial registration: new Call-ID, empty-response Authorization (TS 24.229 5.1.1.2). */
static void begin_registration(struct ims_reg *r)
{
	char hdr[SIP_AUTH_HEADER_MAX];
	char tag[13], id[25];

	stop_timer(r->t_retry);
	stop_timer(r->t_refresh);
	regevent_reset(r->sub);	/* subscribed again once registered (TS 24.229 5.1.1.3) */
	random_hex(tag, 6);
	random_hex(id, 12);
	snprintf(r->from_tag, sizeof(r->from_tag), "%s", tag);
	snprintf(r->call_id, sizeof(r->call_id), "%s@nwitd", id);
	r->cseq = 0;
	r->have_chal = 0;
	r->dereg = 0;
	new_flow(r);
	set_state(r, REG_REGISTERING);
	if (sip_auth_build_initial(r->impi, r->domain, r->uri, hdr, sizeof(hdr)) < 0) {
		set_error(r, "identity too long for the Authorization header");
		fail_stop(r);
		return;
	}
	send_register(r, hdr);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	begin_registration(arg);
}

static void on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;
	char hdr[SIP_AUTH_HEADER_MAX];

	(void)fd;
	(void)what;
	new_flow(r);
	set_state(r, REG_REFRESHING);
	send_register(r, authorization(r, hdr, sizeof(hdr), NULL));
}

/* --- responses ------------------------------------------------------------------------- */

static void registered(struct ims_reg *r, const struct sip_reg_response *resp)
{
	uint32_t granted = resp->expires >= 0 ? (uint32_t)resp->expires : r->expires_req;
	uint32_t refresh;
	struct timeval tv = { 0, 0 };
	int initial = r->state == REG_REGISTERING;

	if (granted == 0) {
		set_error(r, "the registrar answered 200 but kept no binding for our contact");
		counter_inc(COUNTER_IMS_MALFORMED);
		transport_failed(r, "registration not kept");
		return;
	}
	/* TS 24.229 5.1.1.4.1: 600 s before expiry when over 1200 s, else at half-time. */
	refresh = granted > 1200 ? granted - 600 : granted / 2;
	if (refresh == 0)
		refresh = 1;
	r->granted = granted;
	r->expires_at = time(NULL) + granted;
	r->failures = 0;
	r->n_routes = resp->n_routes;
	memcpy(r->routes, resp->routes, sizeof(r->routes));
	r->n_uris = resp->n_uris;
	memcpy(r->uris, resp->uris, sizeof(r->uris));
	if (r->state != REG_REFRESHING || r->last_error[0])
		log_info("ims: registered %s at %s for %u s (%d service routes, %d associated "
			 "URIs)", r->impu, r->peer_text, granted, r->n_routes, r->n_uris);
	r->last_error[0] = '\0';
	counter_inc(COUNTER_IMS_REGISTRATIONS);
	set_state(r, REG_REGISTERED);
	tv.tv_sec = refresh;
	evtimer_add(r->t_refresh, &tv);
	if (initial)
		regevent_start(r->sub);
}

static void auth_failed(struct ims_reg *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void auth_failed(struct ims_reg *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	counter_inc(COUNTER_IMS_AUTH_FAILURES);
	set_error(r, "%s", msg);
	if (r->dereg) {
		set_state(r, REG_DEREGISTERED);
		close_connection(r);
		return;
	}
	fail_stop(r);
}

static void challenged(struct ims_reg *r, const struct sip_reg_response *resp)
{
	const struct sip_auth_challenge *c = &resp->challenge;
	char hdr[SIP_AUTH_HEADER_MAX];
	uint8_t rand[16], autn[16];
	struct aka_result res;
	int rc;

	if (resp->challenges != 1) {
		counter_inc(COUNTER_IMS_MALFORMED);
		transport_failed(r, "401 with %d WWW-Authenticate headers (need exactly one)",
				 resp->challenges);
		return;
	}
	if (resp->challenge_rc == -ENOTSUP) {
		auth_failed(r, "the registrar asks for an algorithm or qop we do not support");
		return;
	}
	if (resp->challenge_rc < 0) {
		counter_inc(COUNTER_IMS_MALFORMED);
		transport_failed(r, "malformed WWW-Authenticate: %s",
				 strerror(-resp->challenge_rc));
		return;
	}
	if (r->flow_answered && !c->stale) {
		auth_failed(r, "authentication failed: the registrar rejected the %s credentials "
			    "of %s (wrong %s?)", r->use_aka ? "IMS-AKA" : "Digest", r->impi,
			    r->use_aka ? "K/OPc" : "password");
		return;
	}
	if (++r->flow_401s > MAX_401_PER_FLOW) {
		auth_failed(r, "authentication failed: %d challenges in a row", MAX_401_PER_FLOW);
		return;
	}
	if ((c->alg == SIP_AUTH_ALG_AKAV1_MD5) != r->use_aka) {
		auth_failed(r, "the registrar asks for %s but %s credentials are configured",
			    sip_auth_alg_name(c->alg), r->use_aka ? "IMS-AKA" : "Digest");
		return;
	}
	r->chal = *c;
	r->have_chal = 1;
	r->nc = 0;
	random_hex(r->cnonce, 8);
	if (!r->use_aka) {
		const char *pw = r->d->conf.ims_password;

		r->secret_len = strlen(pw);
		memcpy(r->secret, pw, r->secret_len);
		r->flow_answered = 1;
		send_register(r, authorization(r, hdr, sizeof(hdr), NULL));
		return;
	}

	rc = sip_auth_aka_nonce(c->nonce, rand, autn);
	if (rc < 0) {
		counter_inc(COUNTER_IMS_MALFORMED);
		r->have_chal = 0;
		transport_failed(r, "AKA nonce %s", rc == -EBADMSG ?
				 "too short for RAND (16 bytes) and AUTN (16 bytes)" :
				 "is not base64(RAND || AUTN || ...)");
		return;
	}
	if (!r->aka) {
		auth_failed(r, "no ISIM available for IMS-AKA");
		return;
	}
	rc = aka_authenticate(r->aka, rand, autn, &res);
	if (rc < 0) {
		r->have_chal = 0;
		auth_failed(r, "ISIM: authentication could not run: %s", strerror(-rc));
		return;
	}
	switch (res.status) {
	case AKA_STATUS_OK:
		memcpy(r->secret, res.res, res.res_len);
		r->secret_len = res.res_len;
		r->flow_answered = 1;
		send_register(r, authorization(r, hdr, sizeof(hdr), NULL));
		break;
	case AKA_STATUS_SYNC_FAILURE:
		if (++r->flow_resyncs > 1) {
			r->have_chal = 0;
			auth_failed(r, "IMS-AKA: sequence number still out of range after "
				    "resynchronisation");
			break;
		}
		log_info("ims: IMS-AKA sequence number out of range: resynchronising (AUTS)");
		counter_inc(COUNTER_IMS_AKA_RESYNCS);
		r->secret_len = 0;
		send_register(r, authorization(r, hdr, sizeof(hdr), res.auts));
		r->have_chal = 0;	/* never reuse a challenge we could not answer */
		break;
	case AKA_STATUS_MAC_FAILURE:
	default:
		r->have_chal = 0;
		auth_failed(r, "IMS-AKA: network authentication failed (MAC in AUTN does not "
			    "match: the challenge is not from our home network)");
		break;
	}
	OPENSSL_cleanse(&res, sizeof(res));
}

static void log_malformed(struct ims_reg *r, const char *why)
{
	counter_inc(COUNTER_IMS_MALFORMED);
	/* hostile peers must not flood the log: the first ten, then every 100th */
	if (r->malformed_logged++ < 10 || r->malformed_logged % 100 == 0)
		log_warnx("ims: ignored a malformed message from %s: %s (%llu so far)",
			  r->peer_text, why, (unsigned long long)r->malformed_logged);
}

static void handle_message(struct ims_reg *r, const char *buf, size_t len)
{
	struct sip_reg_response *resp;
	char why[128];

	/* NOTIFYs of the reg event package and SUBSCRIBE responses (ims_regevent.c) */
	if (regevent_message(r->sub, buf, len) == 0)
		return;
	/* pager-mode MESSAGE and responses to ours (pager.c) */
	if (pager_ims_message(r->d, buf, len) == 0)
		return;
	/* requests and responses of calls are the B2BUA's (b2bua.c) */
	if (b2bua_ims_message(r->d, buf, len) == 0)
		return;
	resp = malloc(sizeof(*resp));
	if (!resp)
		return;
	if (sip_reg_parse_response(buf, len, r->local_host, r->local_port, resp, why,
				   sizeof(why)) < 0) {
		log_malformed(r, why);
		goto out;
	}
	if (resp->warning[0])
		log_warnx("ims: %s", resp->warning);
	if (!r->in_flight || strcmp(resp->branch, r->branch) != 0 || resp->cseq != r->cseq ||
	    strcmp(resp->call_id, r->call_id) != 0) {
		log_debug("ims: ignored a stray %d response", resp->status);
		goto out;
	}
	if (resp->status < 200)
		goto out;	/* provisional: Timer F keeps running */
	r->in_flight = 0;
	stop_timer(r->t_retx);
	stop_timer(r->t_timeout);

	if (resp->status >= 200 && resp->status < 300) {
		if (r->dereg) {
			log_info("ims: de-registered %s", r->impu);
			r->expires_at = 0;
			set_state(r, REG_DEREGISTERED);
		} else {
			registered(r, resp);
		}
	} else if (resp->status == 401) {
		challenged(r, resp);
	} else if (resp->status == 423) {
		if (r->dereg || resp->min_expires <= (long)r->expires_req ||
		    ++r->flow_423s > MAX_423_PER_FLOW) {
			counter_inc(COUNTER_IMS_MALFORMED);
			transport_failed(r, "423 Interval Too Brief without a usable Min-Expires");
		} else {
			char hdr[SIP_AUTH_HEADER_MAX];

			log_info("ims: registrar wants at least %ld s (Min-Expires)",
				 resp->min_expires);
			r->expires_req = (uint32_t)resp->min_expires;
			/* before any challenge: the initial empty-response Authorization again */
			if (r->have_chal)
				send_register(r, authorization(r, hdr, sizeof(hdr), NULL));
			else if (sip_auth_build_initial(r->impi, r->domain, r->uri, hdr,
							sizeof(hdr)) >= 0)
				send_register(r, hdr);
		}
	} else if (resp->status == 403 || resp->status == 404) {
		counter_inc(COUNTER_IMS_AUTH_FAILURES);
		set_error(r, "registration refused: %d %s", resp->status,
			  resp->status == 403 ? "Forbidden (the operator does not allow this "
						"identity to register)" :
						"Not Found (the home network does not know this IMPU)");
		if (r->dereg) {
			set_state(r, REG_DEREGISTERED);
			close_connection(r);
		} else {
			fail_stop(r);
		}
	} else {
		transport_failed(r, "registrar answered %d", resp->status);
	}
out:
	free(resp);
}

/* --- service ------------------------------------------------------------------------------- */

static int make_state_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static struct ims_reg *ims_new(struct nwitd *d)
{
	const struct nwit_config *c = &d->conf;
	char impus[IMS_IMPU_MAX][256];
	struct ims_reg *r = calloc(1, sizeof(*r));
	int n;

	if (!r)
		return NULL;
	r->d = d;
	r->base = d->base;
	r->fd = -1;
	r->t_retx = evtimer_new(d->base, on_retx, r);
	r->t_timeout = evtimer_new(d->base, on_timeout, r);
	r->t_refresh = evtimer_new(d->base, on_refresh, r);
	r->t_retry = evtimer_new(d->base, on_retry, r);
	r->sub = regevent_new(r, d->base, c->ims_reg_event_expires);
	if (!r->t_retx || !r->t_timeout || !r->t_refresh || !r->t_retry || !r->sub)
		goto fail;
	if (!config_is_set(c, "ims", "pcscf")) {
		r->state = REG_DISABLED;
		return r;
	}
	r->n_pcscf = config_split_list(c->ims_pcscf, r->pcscf, IMS_PCSCF_MAX);
	r->port = c->ims_pcscf_port;
	r->transport = c->ims_transport;
	r->expires_req = c->ims_expires;
	snprintf(r->domain, sizeof(r->domain), "%s", c->ims_home_domain);
	snprintf(r->uri, sizeof(r->uri), "sip:%s", c->ims_home_domain);
	snprintf(r->impi, sizeof(r->impi), "%s", c->ims_impi);
	n = config_split_list(c->ims_impu, impus, IMS_IMPU_MAX);
	for (int i = 0; i < n; i++)	/* REGISTER needs a SIP URI (RFC 3261 10.2) */
		if (strncmp(impus[i], "sip:", 4) == 0 || strncmp(impus[i], "sips:", 5) == 0) {
			snprintf(r->impu, sizeof(r->impu), "%.255s", impus[i]);
			break;
		}
	r->state = REG_UNREGISTERED;
	if (!r->impu[0]) {
		snprintf(r->impu, sizeof(r->impu), "%.255s", impus[0]);
		set_error(r, "[ims] impu: no sip: URI to register (tel: URIs come implicitly)");
		r->state = REG_FAILED;
		return r;
	}
	r->use_aka = config_is_set(c, "ims", "k");
	if (r->use_aka) {
		struct aka_soft_params p = { .has_initial_sqn = config_is_set(c, "ims", "sqn") };
		char path[CONFIG_PATH_MAX + 32], err[256];
		int rc;

		memcpy(p.k, c->ims_k, 16);
		if (config_is_set(c, "ims", "opc"))
			memcpy(p.opc, c->ims_opc, 16);
		else if (milenage_opc(c->ims_k, c->ims_op, p.opc) < 0) {
			set_error(r, "cannot compute OPc from OP");
			r->state = REG_FAILED;
			return r;
		}
		memcpy(p.initial_sqn, c->ims_sqn, 6);
		snprintf(path, sizeof(path), "%s/" STATE_FILE, c->state_dir);
		p.state_path = path;
		rc = make_state_dir(c->state_dir);
		if (rc < 0) {
			set_error(r, "cannot create state_dir %s: %s", c->state_dir, strerror(-rc));
			r->state = REG_FAILED;
		} else {
			r->aka = aka_soft_new(&p, err, sizeof(err));
			if (!r->aka) {
				set_error(r, "software ISIM: %s", err);
				r->state = REG_FAILED;
			}
		}
		OPENSSL_cleanse(&p, sizeof(p));
	}
	return r;
fail:
	return r;
}

static void ims_free(struct ims_reg *r)
{
	if (!r)
		return;
	close_connection(r);
	if (r->t_retx)
		event_free(r->t_retx);
	if (r->t_timeout)
		event_free(r->t_timeout);
	if (r->t_refresh)
		event_free(r->t_refresh);
	if (r->t_retry)
		event_free(r->t_retry);
	if (r->t_dereg)
		event_free(r->t_dereg);
	regevent_free(r->sub);
	aka_provider_free(r->aka);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

static int ims_start(struct nwitd *d)
{
	struct ims_reg *r;

	sip_reg_parser_init();
	r = ims_new(d);
	if (!r || !r->t_retx || !r->t_timeout || !r->t_refresh || !r->t_retry || !r->sub) {
		ims_free(r);
		return -ENOMEM;
	}
	d->ims = r;
	if (r->state == REG_DISABLED) {
		log_debug("ims: no [ims] pcscf configured: not registering");
		return 0;
	}
	if (r->state == REG_FAILED) {
		log_warnx("ims: not registering: %s", r->last_error);
		return 0;
	}
	log_info("ims: registering %s (IMPI %s, %s) via %s", r->impu, r->impi,
		 r->use_aka ? "IMS-AKA" : "Digest", r->pcscf[0]);
	begin_registration(r);
	return 0;
}

static void on_dereg_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;

	(void)fd;
	(void)what;
	if (r->state == REG_DEREGISTERING) {
		set_error(r, "de-registration: no answer within %d ms", DEREG_WAIT_MS);
		set_state(r, REG_DEREGISTERED);
	}
}

/* Remove our binding (Expires: 0) and wait a bounded time for the answer. */
static void deregister(struct ims_reg *r)
{
	char hdr[SIP_AUTH_HEADER_MAX];

	if (r->state != REG_REGISTERED && r->state != REG_REFRESHING)
		return;
	stop_timer(r->t_refresh);
	/* TS 24.229 5.1.1.6: the reg event subscription ends first (Expires: 0) */
	regevent_unsubscribe(r->sub);
	while (regevent_unsubscribing(r->sub))
		if (event_base_loop(r->base, EVLOOP_ONCE) < 0)
			break;
	if (r->state != REG_REGISTERED && r->state != REG_REFRESHING)
		return;
	stop_timer(r->t_refresh);
	stop_timer(r->t_retx);
	stop_timer(r->t_timeout);
	r->in_flight = 0;
	r->dereg = 1;
	new_flow(r);
	set_state(r, REG_DEREGISTERING);
	r->t_dereg = evtimer_new(r->base, on_dereg_deadline, r);
	if (!r->t_dereg)
		return;
	start_timer_ms(r->t_dereg, DEREG_WAIT_MS);
	send_register(r, authorization(r, hdr, sizeof(hdr), NULL));
	while (r->state == REG_DEREGISTERING)
		if (event_base_loop(r->base, EVLOOP_ONCE) < 0)
			break;
}

static void ims_stop(struct nwitd *d)
{
	struct ims_reg *r = d->ims;

	if (!r)
		return;
	deregister(r);
	ims_free(r);
	d->ims = NULL;
}

/* Did anything under [ims] (or state_dir, where the ISIM keeps its SQN) change? */
static int ims_config_changed(const struct nwit_config *a, const struct nwit_config *b)
{
	return strcmp(a->ims_pcscf, b->ims_pcscf) || a->ims_pcscf_port != b->ims_pcscf_port ||
	       a->ims_transport != b->ims_transport ||
	       strcmp(a->ims_home_domain, b->ims_home_domain) ||
	       strcmp(a->ims_impi, b->ims_impi) || strcmp(a->ims_impu, b->ims_impu) ||
	       strcmp(a->ims_password, b->ims_password) ||
	       memcmp(a->ims_k, b->ims_k, sizeof(a->ims_k)) ||
	       memcmp(a->ims_op, b->ims_op, sizeof(a->ims_op)) ||
	       memcmp(a->ims_opc, b->ims_opc, sizeof(a->ims_opc)) ||
	       memcmp(a->ims_sqn, b->ims_sqn, sizeof(a->ims_sqn)) ||
	       a->ims_expires != b->ims_expires ||
	       strcmp(a->ims_local_address, b->ims_local_address) ||
	       a->ims_reg_event_expires != b->ims_reg_event_expires ||
	       strcmp(a->state_dir, b->state_dir) ||
	       config_is_set(a, "ims", "pcscf") != config_is_set(b, "ims", "pcscf");
}

static void ims_reload(struct nwitd *d, const struct nwit_config *old)
{
	struct ims_reg *r = d->ims;

	if (r && !ims_config_changed(&d->conf, old) && r->state != REG_FAILED)
		return;
	log_info("ims: configuration changed%s: registering anew",
		 r && r->state == REG_FAILED ? " (or registration had failed)" : "");
	ims_free(r);	/* the old binding is replaced or expires at the registrar */
	d->ims = NULL;
	if (ims_start(d) < 0)
		log_warnx("ims: cannot restart after reload: out of memory");
}

static json_t *ims_status(struct nwitd *d)
{
	struct ims_reg *r = d->ims;
	json_t *o, *routes, *uris;
	time_t now = time(NULL);

	if (!r)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "state", json_string(state_names[r->state]));
	if (r->state == REG_DISABLED)
		return o;
	json_object_set_new(o, "impu", json_string(r->impu));
	json_object_set_new(o, "impi", json_string(r->impi));
	json_object_set_new(o, "auth", json_string(r->use_aka ? "ims-aka" : "digest"));
	json_object_set_new(o, "pcscf", json_string(r->peer_text[0] ? r->peer_text :
						     r->pcscf[r->pcscf_idx]));
	json_object_set_new(o, "expires",
			    json_integer(r->expires_at > now ? (json_int_t)(r->expires_at - now) : 0));
	json_object_set_new(o, "granted_expires", json_integer(r->granted));
	json_object_set_new(o, "last_error", r->last_error[0] ? json_string(r->last_error) :
								json_null());
	routes = json_array();
	for (int i = 0; routes && i < r->n_routes; i++)
		json_array_append_new(routes, json_string(r->routes[i]));
	json_object_set_new(o, "service_route", routes);
	uris = json_array();
	for (int i = 0; uris && i < r->n_uris; i++)
		json_array_append_new(uris, json_string(r->uris[i]));
	json_object_set_new(o, "associated_uris", uris);
	json_object_set_new(o, "regevent", regevent_status(r->sub));
	return o;
}

static json_t *ims_stats(struct nwitd *d)
{
	(void)d;
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
			 "registers_sent", (json_int_t)counter_get(COUNTER_IMS_REGISTERS_SENT),
			 "registrations", (json_int_t)counter_get(COUNTER_IMS_REGISTRATIONS),
			 "malformed_responses", (json_int_t)counter_get(COUNTER_IMS_MALFORMED),
			 "auth_failures", (json_int_t)counter_get(COUNTER_IMS_AUTH_FAILURES),
			 "transport_errors", (json_int_t)counter_get(COUNTER_IMS_TRANSPORT_ERRORS),
			 "aka_resyncs", (json_int_t)counter_get(COUNTER_IMS_AKA_RESYNCS));
}

const struct nwitd_service ims_reg_service = {
	.name = "ims",
	.start = ims_start,
	.stop = ims_stop,
	.reload = ims_reload,
	.status = ims_status,
	.stats = ims_stats,
};

/* --- for the B2BUA (ims_reg.h) ------------------------------------------------------- */

int ims_reg_send(struct ims_reg *r, const char *buf, size_t len)
{
	if (!r || (r->state != REG_REGISTERED && r->state != REG_REFRESHING) ||
	    (r->fd < 0 && !r->bev))
		return -ENOTCONN;
	if (r->bev)
		return bufferevent_write(r->bev, buf, len) == 0 ? 0 : -EIO;
	if (send(r->fd, buf, len, 0) < 0)
		return -errno;
	return 0;
}

int ims_reg_get_info(const struct ims_reg *r, struct ims_reg_info *info)
{
	memset(info, 0, sizeof(*info));
	if (!r)
		return -ENOENT;
	info->registered = r->state == REG_REGISTERED || r->state == REG_REFRESHING;
	info->tcp = r->transport == IMS_TRANSPORT_TCP;
	snprintf(info->local_host, sizeof(info->local_host), "%s", r->local_host);
	info->local_port = r->local_port;
	snprintf(info->impu, sizeof(info->impu), "%s", r->impu);
	snprintf(info->domain, sizeof(info->domain), "%s", r->domain);
	info->n_routes = r->n_routes;
	memcpy(info->routes, r->routes, sizeof(info->routes));
	return 0;
}

/* --- for the reg event subscription (ims_regevent.h) ----------------------------------- */

void ims_reg_network_event(struct ims_reg *r, enum ims_reg_netev ev, long seconds,
			   const char *why)
{
	time_t now = time(NULL);

	if (r->state != REG_REGISTERED && r->state != REG_REFRESHING)
		return;
	switch (ev) {
	case IMS_NETEV_SHORTEN: {
		unsigned long ms;

		if (seconds < 0 || (r->expires_at && now + seconds >= r->expires_at))
			return;	/* not shorter than what we know */
		if (seconds == 0) {
			set_error(r, "%s to 0 s: registering again", why);
			begin_registration(r);
			return;
		}
		r->granted = (uint32_t)seconds;
		r->expires_at = now + seconds;
		/* the same rule as after a 200 (TS 24.229 5.1.1.4.1), in milliseconds */
		ms = seconds > 1200 ? (unsigned long)(seconds - 600) * 1000UL :
				      (unsigned long)seconds * 500UL;
		log_info("ims: %s to %ld s: refreshing in %lu ms", why, seconds, ms);
		stop_timer(r->t_refresh);
		if (!r->in_flight)
			start_timer_ms(r->t_refresh, (unsigned int)(ms ? ms : 1));
		return;
	}
	case IMS_NETEV_REREGISTER:
		set_error(r, "%s", why);
		begin_registration(r);
		return;
	case IMS_NETEV_RETRY_AFTER: {
		struct timeval tv = { .tv_sec = seconds > 86400 ? 86400 : seconds };

		set_error(r, "%s", why);
		regevent_reset(r->sub);
		stop_timer(r->t_refresh);
		stop_timer(r->t_retx);
		stop_timer(r->t_timeout);
		r->in_flight = 0;
		r->expires_at = 0;
		set_state(r, REG_BACKOFF);
		evtimer_add(r->t_retry, &tv);
		return;
	}
	case IMS_NETEV_STOP:
	default:
		counter_inc(COUNTER_IMS_AUTH_FAILURES);
		set_error(r, "%s", why);
		fail_stop(r);
		return;
	}
}

int ims_reg_answer_challenge(struct ims_reg *r, const char *challenge, const char *method,
			     const char *uri, char *out, size_t outlen)
{
	struct sip_auth_challenge c;
	struct sip_auth_answer a = {
		.username = r->impi, .method = method, .uri = uri, .nc = 1,
	};
	char cnonce[17];
	int rc;

	rc = sip_auth_parse_challenge(challenge, &c);
	if (rc < 0)
		return rc;
	if (r->use_aka) {
		/* a new AKA challenge would need the ISIM (and move SQN) for a SUBSCRIBE:
		 * only the registration's own challenge is answered, with its RES */
		if (!r->have_chal || c.alg != SIP_AUTH_ALG_AKAV1_MD5 ||
		    strcmp(c.nonce, r->chal.nonce) != 0)
			return -EPERM;
	} else if (c.alg == SIP_AUTH_ALG_AKAV1_MD5) {
		return -EPERM;
	}
	random_hex(cnonce, 8);
	a.cnonce = cnonce;
	if (r->use_aka) {
		a.password = r->secret;
		a.password_len = r->secret_len;
		a.nc = ++r->nc;
	} else {
		a.password = (const uint8_t *)r->d->conf.ims_password;
		a.password_len = strlen(r->d->conf.ims_password);
	}
	rc = sip_auth_build_authorization(&c, &a, out, outlen);
	OPENSSL_cleanse(&a, sizeof(a));
	return rc < 0 ? rc : 0;
}
