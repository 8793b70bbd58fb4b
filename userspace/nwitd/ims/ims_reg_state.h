/*
 * Inside the IMS registration (ims/): the state its three files share. Only they include
 * this; the rest of nwitd sees ims/ims_reg.h (the service) and legs.h (the IMS side).
 *
 *   ims_reg.c          the registration: REGISTER flows, challenges, responses, timers
 *   ims_transport.c    the connection to the P-CSCF (UDP or TCP), framing, sending
 *   ims_reg_service.c  the service: configuration, start, de-registration, status
 */
#ifndef NWITD_IMS_REG_STATE_H
#define NWITD_IMS_REG_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <netinet/in.h>

#include "aka/aka.h"
#include "core/config.h"
#include "ims/ims_regevent.h"
#include "sip/sip_auth.h"
#include "sip/sip_reg.h"
#include "sip/sip_txn.h"

struct nwitd;
struct sip_msg;

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
	struct sip_txn *reg_txn;	/* its client transaction (sip_txn.h) */
	char branch[48], call_id[96], from_tag[24];
	uint32_t cseq;
	struct event *t_refresh, *t_retry, *t_dereg;
	struct sip_txn_layer *txns;	/* the transactions on the connection */
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

extern const char *const ims_reg_state_names[];

/* ims_reg.c */
void ims_begin_registration(struct ims_reg *r);
void ims_send_register(struct ims_reg *r, const char *authorization);
const char *ims_authorization(struct ims_reg *r, char *buf, size_t len, const uint8_t *auts);
void ims_set_state(struct ims_reg *r, enum reg_state st);
void ims_set_error(struct ims_reg *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ims_stop_timer(struct event *ev);
void ims_start_timer_ms(struct event *ev, unsigned int ms);
/* A transport error or timeout: next P-CSCF, capped exponential backoff. */
void ims_transport_failed(struct ims_reg *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The REGISTER in flight is no longer wanted (its connection went, a new flow began). */
void ims_reg_abort(struct ims_reg *r);
void ims_new_flow(struct ims_reg *r);
void ims_on_retry(evutil_socket_t fd, short what, void *arg);
void ims_on_refresh(evutil_socket_t fd, short what, void *arg);
/* Count and log (rate-limited) a response from the P-CSCF that cannot be used. */
void ims_reg_malformed(struct ims_reg *r, const char *why);
void ims_reg_network_event(void *ctx, enum ims_reg_netev ev, long seconds, const char *why);
int ims_reg_answer_challenge(void *ctx, const char *challenge, const char *method,
			     const char *uri, char *out, size_t outlen);

/* ims_transport.c */
void ims_close_connection(struct ims_reg *r);
int ims_open_connection(struct ims_reg *r);
int ims_wire_send(void *ctx, const char *buf, size_t len);
int ims_transport_send(void *ctx, const char *buf, size_t len);

#endif
