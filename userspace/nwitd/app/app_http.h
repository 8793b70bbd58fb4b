/*
 * The web app endpoint of nwitd: HTTP discovery (/.well-known/webrtc-ims), CORS and
 * Private Network Access preflights, and SIP over WebSocket (/sip) for operator-authorized
 * apps. docs/app-api.md describes what apps see.
 */
#ifndef NWITD_APP_HTTP_H
#define NWITD_APP_HTTP_H

#include <sys/queue.h>

#include <event2/http.h>

#include "auth/jwk.h"
#include "auth/jws.h"
#include "auth/jws_claims.h"
#include "auth/jws_revoke.h"
#include "service.h"

#define APP_DISCOVERY_PATH "/.well-known/webrtc-ims"
#define APP_WS_PATH "/sip"
#define APP_API_VERSION 1

struct nwitd;
struct app_ws;
struct app_conn;

struct app_http {
	struct nwitd *d;
	struct evhttp *http;
	struct evhttp_bound_socket *sock;
	char listen_error[160];		/* why sock is NULL */
	struct evhttp *https;		/* the same API over TLS, when https_port is set */
	struct evhttp_bound_socket *tls_sock;
	struct ssl_ctx_st *ssl_ctx;
	char tls_error[400];
	struct jwk_set *keys;		/* NULL when jwks_file could not be read */
	char keys_error[256];
	struct jws_revocation *revoked;
	char revoked_error[256];
	LIST_HEAD(, app_ws) sessions;
	unsigned n_sessions;
	LIST_HEAD(, app_conn) conns;	/* HTTP connections with a deadline (app_conn.c) */
	unsigned n_conns;
	struct event *conn_sweep;
};

extern const struct nwitd_service app_http_service;

/* The policy tokens are checked against, at the current time. */
void app_http_policy(struct app_http *a, struct jws_policy *p);
/* Count a refusal under its reason. */
void app_count_refusal(enum jws_result r);
/*
 * Whether a refusal may be logged now: a page retrying in a loop must not flood the log.
 * At most APP_LOG_BURST lines per APP_LOG_WINDOW seconds; the rest only counted.
 */
#define APP_LOG_BURST 20
#define APP_LOG_WINDOW 10
int app_log_allowed(void);

/*
 * app_conn.c: every HTTP connection gets a deadline for its request ([app] http_timeout,
 * not extended by trickled bytes) and a per-address cap ([app] max_per_address).
 * app_conn_track is the evhttp_set_bevcb step (returns bev); app_conn_answered restarts
 * the deadline for the next request on the connection; app_conn_upgraded hands it to
 * app_ws.c.
 */
struct bufferevent *app_conn_track(struct app_http *a, struct bufferevent *bev);
void app_conn_answered(struct app_http *a, struct bufferevent *bev);
void app_conn_upgraded(struct app_http *a, struct bufferevent *bev);
void app_conn_free_all(struct app_http *a);

/* app_ws.c: the WebSocket side. */
/* A GET on /sip; tls: it came to the HTTPS listener. */
void app_ws_upgrade(struct app_http *a, struct evhttp_request *req, int tls);
void app_ws_close_all(struct app_http *a);
/* After a reload: close sessions whose token is now revoked. */
void app_ws_recheck(struct app_http *a);
json_t *app_ws_status(struct app_http *a);

struct app_side_ops;

/* The app side of legs.h (app_ws.c); app_http.c puts it in d->app_side while it runs. */
extern const struct app_side_ops app_ws_side_ops;

/*
 * What the app endpoint shows of the rest of nwitd (app_hooks.c): the IMS identity and
 * registration (through d->ims_side), the fast path, and which services run.
 */
struct app_ims_view {
	int provisioned;	/* an IMS identity is configured */
	int registered;		/* registered with the IMS now */
	char impus[512];	/* P-Associated-URI value; only for authorized apps */
};
void app_ims_view(struct nwitd *d, struct app_ims_view *v);
/* 1 when the BPF fast path is loaded, 0 when media would take the userspace relay. */
int app_fastpath_ready(struct nwitd *d);
/* The AES the fast path runs SRTP with ("fixed-time", "generic", "bpf"), or NULL. */
const char *app_fastpath_aes(struct nwitd *d);
/* 1 when the calls service runs. */
int app_b2bua_available(struct nwitd *d);
/* 1 when pager-mode MESSAGE is carried between apps and IMS. */
int app_pager_available(struct nwitd *d);

#endif
