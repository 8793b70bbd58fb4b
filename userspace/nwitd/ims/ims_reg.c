/*
 * IMS registration (TS 24.229 5.1.1, RFC 3261 10, RFC 3310): the nwitd service that keeps
 * the device registered at its P-CSCF with Digest or IMS-AKA.
 *
 *   start ──> REGISTER (empty Authorization, username=IMPI) ──401──> REGISTER with the
 *   response ──200──> registered ── refresh timer ──> REGISTER (cached credentials) ...
 *   SIGTERM ──> REGISTER Expires: 0 ──> deregistered
 *
 * Transactions: exactly one REGISTER is in flight, as a client transaction of the
 * connection's transaction layer (sip/sip_txn.h: Timer E retransmissions over UDP, Timer
 * F on every transport). The layer belongs to the connection (ims_transport.c), so the
 * calls and the pager send their requests to the P-CSCF through it too (legs.h).
 *
 * Failures: 403/404, a rejected credential, a MAC failure or an unanswerable challenge
 * stop registration with a clear reason (last_error) until the configuration is reloaded;
 * transport errors and timeouts move to the next P-CSCF and retry with capped backoff;
 * 423 raises the requested expiry to Min-Expires.
 */
#include "ims/ims_reg.h"
#include "ims/ims_reg_state.h"

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
#include "core/counters.h"
#include "core/hex.h"
#include "ims/ims_regevent.h"
#include "core/log.h"
#include "aka/milenage.h"
#include "nwitd.h"
#include "service.h"
#include "sip/sip_auth.h"
#include "sip/sip_msg.h"
#include "sip/sip_reg.h"

const char *const ims_reg_state_names[] = {
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

/* --- state and errors ---------------------------------------------------------------- */

void ims_set_state(struct ims_reg *r, enum reg_state st)
{
	int routine = (r->state == REG_REGISTERED && st == REG_REFRESHING) ||
		      (r->state == REG_REFRESHING && st == REG_REGISTERED);

	if (r->state == st)
		return;
	/* each change once; the refresh cycle only at debug level */
	(routine ? log_debug : log_info)("ims: %s -> %s (%s via %s)", ims_reg_state_names[r->state],
					 ims_reg_state_names[st], r->impu,
					 r->peer_text[0] ? r->peer_text : r->pcscf[r->pcscf_idx]);
	r->state = st;
}

void ims_set_error(struct ims_reg *r, const char *fmt, ...)
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

void ims_stop_timer(struct event *ev)
{
	if (ev)
		evtimer_del(ev);
}

void ims_start_timer_ms(struct event *ev, unsigned int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	evtimer_add(ev, &tv);
}

static void fail_stop(struct ims_reg *r)
{
	regevent_reset(r->sub);
	ims_close_connection(r);
	ims_stop_timer(r->t_refresh);
	ims_stop_timer(r->t_retry);
	r->expires_at = 0;
	ims_set_state(r, REG_FAILED);
}

/* A transport error or timeout: next P-CSCF, capped exponential backoff. */
void ims_transport_failed(struct ims_reg *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void ims_transport_failed(struct ims_reg *r, const char *fmt, ...)
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
	ims_close_connection(r);
	if (r->dereg) {		/* shutting down: nothing more to try */
		ims_set_error(r, "de-registration: %s", msg);
		ims_set_state(r, REG_DEREGISTERED);
		return;
	}
	ims_set_error(r, "%s (P-CSCF %s)", msg, r->peer_text);
	r->failures++;
	delay = r->failures > 6 ? BACKOFF_MAX_S : 1u << (r->failures - 1);
	if (delay > BACKOFF_MAX_S)
		delay = BACKOFF_MAX_S;
	if (r->n_pcscf > 1)
		r->pcscf_idx = (r->pcscf_idx + 1) % r->n_pcscf;
	ims_stop_timer(r->t_refresh);
	r->expires_at = 0;
	ims_set_state(r, REG_BACKOFF);
	tv.tv_sec = delay;
	tv.tv_usec = 0;
	evtimer_add(r->t_retry, &tv);
	log_info("ims: retrying in %u s via %s", delay, r->pcscf[r->pcscf_idx]);
}

void ims_reg_abort(struct ims_reg *r)
{
	sip_txn_client_abort(r->reg_txn);
	r->reg_txn = NULL;
	r->in_flight = 0;
}

/* What the transaction layer hands back for our REGISTER (sip_txn.h). */
static int on_register_answer(void *arg, const struct sip_msg *m, int err)
{
	struct ims_reg *r = arg;
	struct sip_txn *t = r->reg_txn;
	int rc;

	if (m) {
		if (m->status >= 200)
			r->reg_txn = NULL;	/* over, unless the answer is unusable */
		rc = ims_reg_response(r, m);
		if (rc == -EBADMSG && m->status >= 200)
			r->reg_txn = t;	/* dropped: a better answer may still come */
		return rc;
	}
	r->reg_txn = NULL;
	if (!r->in_flight)
		return 0;
	if (err == -ETIMEDOUT)
		ims_transport_failed(r, "no answer to REGISTER within %d s", TIMER_F_MS / 1000);
	else
		ims_transport_failed(r, "send to %s failed: %s", r->peer_text, strerror(-err));
	return 0;
}

/* Send a REGISTER of the current dialog (new CSeq and branch). */
void ims_send_register(struct ims_reg *r, const char *authorization)
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

	if (r->fd < 0 && ims_open_connection(r) < 0)
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
		ims_set_error(r, "cannot build REGISTER (too long)");
		fail_stop(r);
		return;
	}
	r->txlen = (size_t)n;
	ims_reg_abort(r);	/* one REGISTER in flight */
	rc = sip_txn_client_start(r->txns, &(struct sip_txn_request){
		.buf = r->tx, .len = r->txlen, .method = "REGISTER", .branch = r->branch },
		on_register_answer, r, &r->reg_txn);
	if (rc < 0) {
		ims_transport_failed(r, "send to %s failed: %s", r->peer_text, strerror(-rc));
		return;
	}
	counter_inc(COUNTER_IMS_REGISTERS_SENT);
	log_debug("ims: REGISTER CSeq %u expires %u to %s", r->cseq, r->dereg ? 0 : r->expires_req,
		  r->peer_text);
	r->in_flight = 1;	/* Timer E (UDP) and F run in the transaction */
}

/* The Authorization header answering r->chal with r->secret (nc advanced), or NULL. */
const char *ims_authorization(struct ims_reg *r, char *buf, size_t len, const uint8_t *auts)
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

void ims_new_flow(struct ims_reg *r)
{
	r->flow_answered = 0;
	r->flow_401s = 0;
	r->flow_423s = 0;
	r->flow_resyncs = 0;
}

/* Initial registration: new Call-ID, empty-response Authorization (TS 24.229 5.1.1.2). */
void ims_begin_registration(struct ims_reg *r)
{
	char hdr[SIP_AUTH_HEADER_MAX];
	char tag[13], id[25];

	ims_stop_timer(r->t_retry);
	ims_stop_timer(r->t_refresh);
	regevent_reset(r->sub);	/* subscribed again once registered (TS 24.229 5.1.1.3) */
	random_hex(tag, 6);
	random_hex(id, 12);
	snprintf(r->from_tag, sizeof(r->from_tag), "%s", tag);
	snprintf(r->call_id, sizeof(r->call_id), "%s@nwitd", id);
	r->cseq = 0;
	r->have_chal = 0;
	r->dereg = 0;
	ims_new_flow(r);
	ims_set_state(r, REG_REGISTERING);
	if (sip_auth_build_initial(r->impi, r->domain, r->uri, hdr, sizeof(hdr)) < 0) {
		ims_set_error(r, "identity too long for the Authorization header");
		fail_stop(r);
		return;
	}
	ims_send_register(r, hdr);
}

void ims_on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	ims_begin_registration(arg);
}

void ims_on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;
	char hdr[SIP_AUTH_HEADER_MAX];

	(void)fd;
	(void)what;
	ims_new_flow(r);
	ims_set_state(r, REG_REFRESHING);
	ims_send_register(r, ims_authorization(r, hdr, sizeof(hdr), NULL));
}

/* --- responses ------------------------------------------------------------------------- */

static void registered(struct ims_reg *r, const struct sip_reg_response *resp)
{
	uint32_t granted = resp->expires >= 0 ? (uint32_t)resp->expires : r->expires_req;
	uint32_t refresh;
	struct timeval tv = { 0, 0 };
	int initial = r->state == REG_REGISTERING;

	if (granted == 0) {
		ims_set_error(r, "the registrar answered 200 but kept no binding for our contact");
		counter_inc(COUNTER_IMS_MALFORMED);
		ims_transport_failed(r, "registration not kept");
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
	ims_set_state(r, REG_REGISTERED);
	tv.tv_sec = refresh;
	evtimer_add(r->t_refresh, &tv);
	if (initial)
		regevent_start(r->sub);
}

static void auth_failed(struct ims_reg *r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	counter_inc(COUNTER_IMS_AUTH_FAILURES);
	ims_set_error(r, "%s", msg);
	if (r->dereg) {
		ims_set_state(r, REG_DEREGISTERED);
		ims_close_connection(r);
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
		ims_transport_failed(r, "401 with %d WWW-Authenticate headers (need exactly one)",
				 resp->challenges);
		return;
	}
	if (resp->challenge_rc == -ENOTSUP) {
		auth_failed(r, "the registrar asks for an algorithm or qop we do not support");
		return;
	}
	if (resp->challenge_rc < 0) {
		counter_inc(COUNTER_IMS_MALFORMED);
		ims_transport_failed(r, "malformed WWW-Authenticate: %s",
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
		ims_send_register(r, ims_authorization(r, hdr, sizeof(hdr), NULL));
		return;
	}

	rc = sip_auth_aka_nonce(c->nonce, rand, autn);
	if (rc < 0) {
		counter_inc(COUNTER_IMS_MALFORMED);
		r->have_chal = 0;
		ims_transport_failed(r, "AKA nonce %s", rc == -EBADMSG ?
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
		ims_send_register(r, ims_authorization(r, hdr, sizeof(hdr), NULL));
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
		ims_send_register(r, ims_authorization(r, hdr, sizeof(hdr), res.auts));
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

void ims_reg_malformed(struct ims_reg *r, const char *why)
{
	static struct log_ratelimit rl = LOG_RATELIMIT("ims: malformed messages ignored");

	counter_inc(COUNTER_IMS_MALFORMED);
	if (!r)
		return;
	r->malformed_logged++;
	/* hostile peers must not flood the log */
	if (log_ratelimit_allow(&rl, LOG_LEVEL_WARN))
		log_warnx("ims: ignored a malformed message from %s: %s (%llu so far)",
			  r->peer_text, why, (unsigned long long)r->malformed_logged);
}

int ims_reg_response(struct ims_reg *r, const struct sip_msg *m)
{
	struct sip_reg_response *resp;
	char why[128];
	int rc = 0;

	resp = malloc(sizeof(*resp));
	if (!resp)
		return -ENOMEM;
	if (sip_reg_read_response(m, r->local_host, r->local_port, resp, why, sizeof(why)) < 0) {
		ims_reg_malformed(r, why);
		rc = -EBADMSG;
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

	if (resp->status >= 200 && resp->status < 300) {
		if (r->dereg) {
			log_info("ims: de-registered %s", r->impu);
			r->expires_at = 0;
			ims_set_state(r, REG_DEREGISTERED);
		} else {
			registered(r, resp);
		}
	} else if (resp->status == 401) {
		challenged(r, resp);
	} else if (resp->status == 423) {
		if (r->dereg || resp->min_expires <= (long)r->expires_req ||
		    ++r->flow_423s > MAX_423_PER_FLOW) {
			counter_inc(COUNTER_IMS_MALFORMED);
			ims_transport_failed(r, "423 Interval Too Brief without a usable Min-Expires");
		} else {
			char hdr[SIP_AUTH_HEADER_MAX];

			log_info("ims: registrar wants at least %ld s (Min-Expires)",
				 resp->min_expires);
			r->expires_req = (uint32_t)resp->min_expires;
			/* before any challenge: the initial empty-response Authorization again */
			if (r->have_chal)
				ims_send_register(r, ims_authorization(r, hdr, sizeof(hdr), NULL));
			else if (sip_auth_build_initial(r->impi, r->domain, r->uri, hdr,
							sizeof(hdr)) >= 0)
				ims_send_register(r, hdr);
		}
	} else if (resp->status == 403 || resp->status == 404) {
		counter_inc(COUNTER_IMS_AUTH_FAILURES);
		ims_set_error(r, "registration refused: %d %s", resp->status,
			  resp->status == 403 ? "Forbidden (the operator does not allow this "
						"identity to register)" :
						"Not Found (the home network does not know this IMPU)");
		if (r->dereg) {
			ims_set_state(r, REG_DEREGISTERED);
			ims_close_connection(r);
		} else {
			fail_stop(r);
		}
	} else {
		ims_transport_failed(r, "registrar answered %d", resp->status);
	}
out:
	free(resp);
	return rc;
}

/* --- for the reg event subscription (its host, ims_regevent.h) -------------------------- */

void ims_reg_network_event(void *ctx, enum ims_reg_netev ev, long seconds, const char *why)
{
	struct ims_reg *r = ctx;

	time_t now = time(NULL);

	if (r->state != REG_REGISTERED && r->state != REG_REFRESHING)
		return;
	switch (ev) {
	case IMS_NETEV_SHORTEN: {
		unsigned long ms;

		if (seconds < 0 || (r->expires_at && now + seconds >= r->expires_at))
			return;	/* not shorter than what we know */
		if (seconds == 0) {
			ims_set_error(r, "%s to 0 s: registering again", why);
			ims_begin_registration(r);
			return;
		}
		r->granted = (uint32_t)seconds;
		r->expires_at = now + seconds;
		/* the same rule as after a 200 (TS 24.229 5.1.1.4.1), in milliseconds */
		ms = seconds > 1200 ? (unsigned long)(seconds - 600) * 1000UL :
				      (unsigned long)seconds * 500UL;
		log_info("ims: %s to %ld s: refreshing in %lu ms", why, seconds, ms);
		ims_stop_timer(r->t_refresh);
		if (!r->in_flight)
			ims_start_timer_ms(r->t_refresh, (unsigned int)(ms ? ms : 1));
		return;
	}
	case IMS_NETEV_REREGISTER:
		ims_set_error(r, "%s", why);
		ims_begin_registration(r);
		return;
	case IMS_NETEV_RETRY_AFTER: {
		struct timeval tv = { .tv_sec = seconds > 86400 ? 86400 : seconds };

		ims_set_error(r, "%s", why);
		regevent_reset(r->sub);
		ims_stop_timer(r->t_refresh);
		ims_reg_abort(r);
		r->expires_at = 0;
		ims_set_state(r, REG_BACKOFF);
		evtimer_add(r->t_retry, &tv);
		return;
	}
	case IMS_NETEV_STOP:
	default:
		counter_inc(COUNTER_IMS_AUTH_FAILURES);
		ims_set_error(r, "%s", why);
		fail_stop(r);
		return;
	}
}

int ims_reg_answer_challenge(void *ctx, const char *challenge, const char *method,
			    const char *uri, char *out, size_t outlen)
{
	struct ims_reg *r = ctx;
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
