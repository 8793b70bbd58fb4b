/*
 * The IMS registration as an nwitd service (ims/ims_reg_state.h): configuration and
 * the software ISIM, start, de-registration at shutdown, status and stats, and the ops it
 * lends to the IMS side (legs.h) and to the reg event subscription.
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

/* --- service ------------------------------------------------------------------------------- */

static int make_state_dir(const char *dir)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static const struct ims_side_ops side_ops;
static const struct regevent_host_ops host_ops;

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
	r->txns = sip_txn_layer_new_event(d->base, ims_wire_send, r);
	r->t_refresh = evtimer_new(d->base, ims_on_refresh, r);
	r->t_retry = evtimer_new(d->base, ims_on_retry, r);
	r->sub = regevent_new(&host_ops, r, d->base, c->ims_reg_event_expires);
	if (!r->txns || !r->t_refresh || !r->t_retry || !r->sub)
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
		ims_set_error(r, "[ims] impu: no sip: URI to register (tel: URIs come implicitly)");
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
			ims_set_error(r, "cannot compute OPc from OP");
			r->state = REG_FAILED;
			return r;
		}
		memcpy(p.initial_sqn, c->ims_sqn, 6);
		snprintf(path, sizeof(path), "%s/" STATE_FILE, c->state_dir);
		p.state_path = path;
		rc = make_state_dir(c->state_dir);
		if (rc < 0) {
			ims_set_error(r, "cannot create state_dir %s: %s", c->state_dir, strerror(-rc));
			r->state = REG_FAILED;
		} else {
			r->aka = aka_soft_new(&p, err, sizeof(err));
			if (!r->aka) {
				ims_set_error(r, "software ISIM: %s", err);
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
	ims_close_connection(r);
	sip_txn_layer_free(r->txns);
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
	if (!r || !r->txns || !r->t_refresh || !r->t_retry || !r->sub) {
		ims_free(r);
		return -ENOMEM;
	}
	d->ims = r;
	d->ims_side.ops = &side_ops;
	d->ims_side.ctx = r;
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
	ims_begin_registration(r);
	return 0;
}

static void on_dereg_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct ims_reg *r = arg;

	(void)fd;
	(void)what;
	if (r->state == REG_DEREGISTERING) {
		ims_set_error(r, "de-registration: no answer within %d ms", DEREG_WAIT_MS);
		ims_set_state(r, REG_DEREGISTERED);
	}
}

/* Remove our binding (Expires: 0) and wait a bounded time for the answer. */
static void deregister(struct ims_reg *r)
{
	char hdr[SIP_AUTH_HEADER_MAX];

	if (r->state != REG_REGISTERED && r->state != REG_REFRESHING)
		return;
	ims_stop_timer(r->t_refresh);
	/* TS 24.229 5.1.1.6: the reg event subscription ends first (Expires: 0) */
	regevent_unsubscribe(r->sub);
	while (regevent_unsubscribing(r->sub))
		if (event_base_loop(r->base, EVLOOP_ONCE) < 0)
			break;
	if (r->state != REG_REGISTERED && r->state != REG_REFRESHING)
		return;
	ims_stop_timer(r->t_refresh);
	ims_reg_abort(r);
	r->dereg = 1;
	ims_new_flow(r);
	ims_set_state(r, REG_DEREGISTERING);
	r->t_dereg = evtimer_new(r->base, on_dereg_deadline, r);
	if (!r->t_dereg)
		return;
	ims_start_timer_ms(r->t_dereg, DEREG_WAIT_MS);
	ims_send_register(r, ims_authorization(r, hdr, sizeof(hdr), NULL));
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
	memset(&d->ims_side, 0, sizeof(d->ims_side));
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
	json_object_set_new(o, "state", json_string(ims_reg_state_names[r->state]));
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

static int side_info(void *ctx, struct ims_reg_info *info)
{
	const struct ims_reg *r = ctx;

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

/* Our response to a request of the P-CSCF, through its transaction (only while registered). */
static int host_reply(void *ctx, const struct sip_msg *req, int status, const char *buf,
		      size_t len)
{
	struct ims_reg *r = ctx;

	if (ims_transport_send(r, NULL, 0) == -ENOTCONN)
		return -ENOTCONN;
	return sip_txn_reply(r->txns, req, status, buf, len);
}

static struct sip_txn_layer *side_txns(void *ctx)
{
	return ((struct ims_reg *)ctx)->txns;
}

static const struct ims_side_ops side_ops = {
	.send = ims_transport_send,
	.info = side_info,
	.reply = host_reply,
	.txns = side_txns,
};

struct ims_regevent *ims_reg_regevent(struct ims_reg *r)
{
	return r ? r->sub : NULL;
}

static const struct regevent_host_ops host_ops = {
	.send = ims_transport_send,
	.reply = host_reply,
	.info = side_info,
	.network_event = ims_reg_network_event,
	.answer_challenge = ims_reg_answer_challenge,
};
