/*
 * The two sides of nwitd's SIP as small interfaces (no module includes a side's own
 * header to reach it):
 *   - the app side: web apps' WebSocket sessions (app/app_ws.c);
 *   - the IMS side: the registration's transport to the P-CSCF (ims/ims_reg.c).
 * Each side fills its ops in struct nwitd while its service runs; the router, the calls
 * and the pager use them through the helpers below. What a side receives it raises as an
 * event (struct leg_events, filled by the router): a side knows no consumer of its
 * messages or of its sessions closing.
 */
#ifndef NWITD_LEGS_H
#define NWITD_LEGS_H

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct app_ws;		/* one web app's WebSocket session */
struct sip_msg;
struct sip_txn_layer;

struct app_side_ops {
	/* Queue a SIP message to the app on ws and start writing it. */
	void (*send)(struct app_ws *ws, const char *text, size_t len);
	/* The app id of an authorized session ("-" otherwise). */
	const char *(*app_id)(const struct app_ws *ws);
	/* Our Via toward ws: "SIP/2.0/WS host:port;branch=b" (WSS and the HTTPS port when
	 * ws came over TLS). */
	void (*via)(const struct app_ws *ws, const char *host, const char *branch, char *out,
		    size_t outlen);
	/* The session after prev (NULL: the first) authorized for scope and registered. */
	struct app_ws *(*next_callable)(void *ctx, struct app_ws *prev, unsigned scope);
	/*
	 * The app side's own checks of one parsed message from ws (operator authorization,
	 * scopes, the local REGISTER and OPTIONS answers): 1 when it goes on to the services,
	 * 0 when the app side answered or dropped it.
	 */
	int (*admit)(struct app_ws *ws, const struct sip_msg *m);
};

struct app_side {
	const struct app_side_ops *ops;	/* NULL while the app endpoint does not run */
	void *ctx;
};

/* What the calls and the pager need of the registration. */
struct ims_reg_info {
	int registered;
	int tcp;
	char local_host[46];		/* our address toward the P-CSCF */
	unsigned int local_port;
	char impu[256];
	char domain[128];
	int n_routes;
	char routes[8][256];		/* Service-Route, in order */
};

struct ims_side_ops {
	/* Send one SIP message to the P-CSCF on the registration's connection. */
	int (*send)(void *ctx, const char *buf, size_t len);
	int (*info)(void *ctx, struct ims_reg_info *info);
	/* Send buf, our response (status) to the request req, through req's server
	 * transaction (it answers req's retransmissions). */
	int (*reply)(void *ctx, const struct sip_msg *req, int status, const char *buf,
		     size_t len);
	/* The transactions on that connection (sip/sip_txn.h): requests we send start a
	 * client transaction there. */
	struct sip_txn_layer *(*txns)(void *ctx);
};

struct ims_side {
	const struct ims_side_ops *ops;	/* NULL while the registration does not run */
	void *ctx;
};

/* What the sides raise; the router fills it and fans each event out. */
struct leg_events {
	void (*app_message)(void *ctx, struct app_ws *ws, const char *buf, size_t len);
	void (*app_closed)(void *ctx, struct app_ws *ws);
	void (*ims_message)(void *ctx, const char *buf, size_t len);
	void *ctx;
};

static inline void app_side_send(const struct app_side *s, struct app_ws *ws, const char *text,
				 size_t len)
{
	if (s->ops && ws)
		s->ops->send(ws, text, len);
}

static inline const char *app_side_id(const struct app_side *s, const struct app_ws *ws)
{
	return s->ops && ws ? s->ops->app_id(ws) : "-";
}

static inline void app_side_via(const struct app_side *s, const struct app_ws *ws,
				const char *host, const char *branch, char *out, size_t outlen)
{
	if (s->ops && ws)
		s->ops->via(ws, host, branch, out, outlen);
	else
		snprintf(out, outlen, "SIP/2.0/WS %s;branch=%s", host, branch);
}

static inline struct app_ws *app_side_next_callable(const struct app_side *s,
						    struct app_ws *prev, unsigned scope)
{
	return s->ops ? s->ops->next_callable(s->ctx, prev, scope) : NULL;
}

static inline int ims_side_send(const struct ims_side *s, const char *buf, size_t len)
{
	return s->ops ? s->ops->send(s->ctx, buf, len) : -ENOTCONN;
}

static inline int ims_side_reply(const struct ims_side *s, const struct sip_msg *req,
				 int status, const char *buf, size_t len)
{
	return s->ops ? s->ops->reply(s->ctx, req, status, buf, len) : -ENOTCONN;
}

static inline struct sip_txn_layer *ims_side_txns(const struct ims_side *s)
{
	return s->ops ? s->ops->txns(s->ctx) : NULL;
}

static inline int ims_side_info(const struct ims_side *s, struct ims_reg_info *info)
{
	if (!s->ops) {
		memset(info, 0, sizeof(*info));
		return -ENOENT;
	}
	return s->ops->info(s->ctx, info);
}

#endif
