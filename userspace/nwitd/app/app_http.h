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

/* app_ws.c: the WebSocket side. */
void app_ws_upgrade(struct app_http *a, struct evhttp_request *req);
void app_ws_close_all(struct app_http *a);
/* After a reload: close sessions whose token is now revoked. */
void app_ws_recheck(struct app_http *a);
json_t *app_ws_status(struct app_http *a);

/*
 * Hooks for the parts written elsewhere (app_hooks.c). The IMS registration service
 * fills app_ims_view; the B2BUA takes authorized requests through app_b2bua_request.
 */
struct app_ims_view {
	int provisioned;	/* an IMS identity is configured */
	int registered;		/* registered with the IMS now */
	char impus[512];	/* P-Associated-URI value; only for authorized apps */
};
void app_ims_view(struct nwitd *d, struct app_ims_view *v);
/* 1 when the BPF fast path is loaded, 0 when media would take the userspace relay. */
int app_fastpath_ready(struct nwitd *d);
/* 1 when a B2BUA takes app requests. */
int app_b2bua_available(struct nwitd *d);
/*
 * An authorized request (or a response) from the app on ws. Returns 0 when the B2BUA took
 * it, -ENOSYS when there is none (the app then gets 503).
 */
int app_b2bua_request(struct nwitd *d, struct app_ws *ws, const char *msg, size_t len);
/* 1 when pager-mode MESSAGE is carried between apps and IMS. */
int app_pager_available(struct nwitd *d);

#endif
