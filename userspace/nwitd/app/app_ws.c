/*
 * SIP over WebSocket sessions (RFC 7118 over RFC 6455). evhttp parses the opening
 * handshake; after the checks the connection's bufferevent is taken over and wslay does
 * the framing (masking, fragmentation, control frames, close handshake, size limit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/keyvalq_struct.h>
#include <wslay/wslay.h>

#include "app/app_http.h"
#include "sip/app_sip.h"
#include "legs.h"
#include "core/counters.h"
#include "core/log.h"
#include "nwitd.h"
#include "core/utf8.h"
#include "sip/sip_msg.h"
#include "websocket/ws_handshake.h"

#define WS_MAX_OUTPUT (4 * 1024 * 1024)	/* queued bytes before we stop writing */
#define WS_CLOSE_GRACE 5		/* s for the close handshake and the last bytes */

struct app_ws {
	LIST_ENTRY(app_ws) link;
	struct app_http *a;
	struct evhttp_connection *evcon;
	struct bufferevent *bev;
	wslay_event_context_ptr ctx;
	struct event *expiry;		/* fires when the token expires */
	struct jws_policy policy;
	struct app_sip_session sip;
	char origin[APP_ORIGIN_MAX];
	char peer[64];
	char addr[48];			/* the peer's address alone, for max_per_address */
	time_t close_deadline;		/* 0 until a close starts; then freed by this time */
	int closing;
	int tls;			/* came to the HTTPS listener (WSS) */
	time_t unauthorized_since;	/* 0 while authorized */
	int utf8_counted;
	int refusal_logged[JWS__COUNT];
};

static void ws_free(struct app_ws *ws)
{
	struct app_http *a = ws->a;
	const struct leg_events *e = &a->d->events;

	if (e->app_closed)
		e->app_closed(e->ctx, ws);	/* the router tells the calls and the pager */
	LIST_REMOVE(ws, link);
	a->n_sessions--;
	if (ws->expiry)
		event_free(ws->expiry);
	if (ws->ctx)
		wslay_event_context_free(ws->ctx);
	log_debug("app: WebSocket from %s (app %s) closed", ws->peer,
		  ws->sip.authorized ? ws->sip.token.app_id : "-");
	/* frees the request, the bufferevent and the socket */
	evhttp_connection_free(ws->evcon);
	free(ws);
}

/*
 * Once a close starts (ours, the peer's, or a framing error), the session is freed at the
 * latest WS_CLOSE_GRACE seconds later: an absolute deadline, which no byte the peer
 * sends (or does not read) can move.
 */
static void arm_close_grace(struct app_ws *ws)
{
	struct timeval tv = { WS_CLOSE_GRACE, 0 };

	if (ws->close_deadline)
		return;
	ws->close_deadline = time(NULL) + WS_CLOSE_GRACE;
	evtimer_add(ws->expiry, &tv);
}

/* Stop reading; free once what is queued has been written. */
static void ws_finish(struct app_ws *ws)
{
	arm_close_grace(ws);
	ws->closing = 1;
	bufferevent_disable(ws->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(ws->bev)) == 0)
		ws_free(ws);
}

static void ws_close(struct app_ws *ws, uint16_t code, const char *reason)
{
	wslay_event_queue_close(ws->ctx, code, (const uint8_t *)reason, strlen(reason));
	wslay_event_send(ws->ctx);
	/* the peer has WS_CLOSE_GRACE s to answer the close */
	arm_close_grace(ws);
}

static void log_refusal(struct app_ws *ws, enum jws_result r, const char *what)
{
	app_count_refusal(r);
	if (ws && r < JWS__COUNT && ws->refusal_logged[r]++)
		return; /* once per reason and session */
	if (!app_log_allowed())
		return;
	log_info("app: %s from origin %s refused: %s", ws && ws->sip.token.app_id[0] ?
		 ws->sip.token.app_id : "(unknown app)", ws ? ws->origin : "?", what);
}

/*
 * One timer per session: at token expiry while authorized; while unauthorized, at the end
 * of the auth_timeout grace period (counted from connect or from losing authorization).
 */
static void arm_expiry(struct app_ws *ws)
{
	struct timeval tv = { 0, 0 };
	int64_t left;

	if (ws->close_deadline)
		return;	/* the close grace owns the timer */
	if (ws->sip.authorized) {
		left = ws->sip.token.exp + JWS_CLOCK_SKEW - (int64_t)time(NULL);
		ws->unauthorized_since = 0;
	} else {
		if (!ws->unauthorized_since)
			ws->unauthorized_since = time(NULL);
		left = (int64_t)ws->unauthorized_since + ws->a->d->conf.app_auth_timeout -
		       (int64_t)time(NULL);
	}
	tv.tv_sec = left > 0 ? (time_t)left + 1 : 0;
	evtimer_add(ws->expiry, &tv);
}

static void on_expiry(evutil_socket_t fd, short what, void *arg)
{
	struct app_ws *ws = arg;

	(void)fd;
	(void)what;
	if (ws->close_deadline) {
		if (time(NULL) < ws->close_deadline) {
			struct timeval tv = { 1, 0 };

			evtimer_add(ws->expiry, &tv);
			return;
		}
		counter_inc(COUNTER_APP_WS_CLOSE_TIMEOUTS);
		LOG_RATELIMITED(LOG_LEVEL_INFO, "app: WebSockets dropped after the close grace",
				"app: WebSocket from %s: close not finished in %d s, dropped",
				ws->peer, WS_CLOSE_GRACE);
		ws_free(ws);
		return;
	}
	if (ws->closing || wslay_event_get_close_sent(ws->ctx))
		return;
	if (!ws->sip.authorized) {
		if ((int64_t)time(NULL) < (int64_t)ws->unauthorized_since +
					       ws->a->d->conf.app_auth_timeout) {
			arm_expiry(ws);
			return;
		}
		counter_inc(COUNTER_APP_WS_AUTH_TIMEOUTS);
		LOG_RATELIMITED(LOG_LEVEL_INFO, "app: WebSockets closed for no token",
				"app: WebSocket from %s origin %s: no valid token after %u s, "
				"closing", ws->peer, ws->origin, ws->a->d->conf.app_auth_timeout);
		ws_close(ws, WSLAY_CODE_POLICY_VIOLATION, "Operator authorization required");
		return;
	}
	if ((int64_t)time(NULL) <= ws->sip.token.exp + JWS_CLOCK_SKEW) {
		arm_expiry(ws);
		return;
	}
	counter_inc(COUNTER_APP_SESSIONS_EXPIRED);
	log_info("app: %s from origin %s: token expired, closing", ws->sip.token.app_id,
		 ws->origin);
	ws->sip.authorized = 0;
	ws_close(ws, WSLAY_CODE_POLICY_VIOLATION, "Token expired");
}

static void send_text(struct app_ws *ws, const char *text, size_t len)
{
	struct wslay_event_msg m = { WSLAY_TEXT_FRAME, (const uint8_t *)text, len };

	wslay_event_queue_msg(ws->ctx, &m);
}

/* A whole text or binary message: SIP for the router, which parses it once. */
static void handle_sip(struct app_ws *ws, const char *msg, size_t len)
{
	const struct leg_events *e = &ws->a->d->events;

	if (e->app_message)
		e->app_message(e->ctx, ws, msg, len);
}

/*
 * The app side's checks of a message the router parsed (legs.h admit): authorization,
 * scopes, the local answers to REGISTER and OPTIONS.
 */
static int ws_admit(struct app_ws *ws, const struct sip_msg *m)
{
	struct app_sip_result res;
	struct app_ims_view ims;
	int was_authorized = ws->sip.authorized;
	int rc;

	if (ws->closing)
		return 0;
	app_http_policy(ws->a, &ws->policy);
	app_ims_view(ws->a->d, &ims);
	ws->sip.impus = ims.impus[0] ? ims.impus : NULL;
	rc = app_sip_check(&ws->sip, m, &res);
	ws->sip.impus = NULL;
	if (rc < 0) {
		counter_inc(COUNTER_APP_SIP_MALFORMED);
		log_debug("app: message from %s ignored: %s", ws->peer, res.why);
		return 0;
	}
	if (res.refusal != JWS_OK)
		log_refusal(ws, res.refusal, res.why);
	if (ws->sip.authorized != was_authorized)
		arm_expiry(ws);	/* token expiry, or the grace period to present a new one */
	if (res.action == APP_SIP_REPLY && res.reply)
		send_text(ws, res.reply, res.reply_len);
	free(res.reply);
	return res.action == APP_SIP_FORWARD;
}

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
		       void *user)
{
	struct app_ws *ws = user;
	int n = evbuffer_remove(bufferevent_get_input(ws->bev), buf, len);

	(void)flags;
	if (n <= 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	return n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
		       int flags, void *user)
{
	struct app_ws *ws = user;
	struct evbuffer *out = bufferevent_get_output(ws->bev);

	(void)flags;
	if (evbuffer_get_length(out) > WS_MAX_OUTPUT || evbuffer_add(out, data, len) < 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	return (ssize_t)len;
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
		   void *user)
{
	struct app_ws *ws = user;

	if (arg->opcode == WSLAY_TEXT_FRAME && !utf8_valid(arg->msg, arg->msg_length)) {
		counter_inc(COUNTER_APP_WS_BAD_UTF8);
		ws->utf8_counted = 1;
		wslay_event_queue_close(ctx, WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA,
					(const uint8_t *)"invalid UTF-8", 13);
		return;
	}
	if (arg->opcode == WSLAY_TEXT_FRAME || arg->opcode == WSLAY_BINARY_FRAME)
		handle_sip(ws, (const char *)arg->msg, arg->msg_length);
}

/* After reading or writing: flush, and free once both sides are done. */
static void ws_after_io(struct app_ws *ws)
{
	if (wslay_event_send(ws->ctx) != 0 && !ws->closing) {
		ws_finish(ws);
		return;
	}
	if (wslay_event_get_close_sent(ws->ctx) || wslay_event_get_close_received(ws->ctx))
		arm_close_grace(ws);
	if (!wslay_event_want_read(ws->ctx) && !wslay_event_want_write(ws->ctx)) {
		int sent = wslay_event_get_status_code_sent(ws->ctx);

		if (!ws->closing && (sent == WSLAY_CODE_PROTOCOL_ERROR ||
				     sent == WSLAY_CODE_MESSAGE_TOO_BIG))
			counter_inc(COUNTER_APP_WS_PROTOCOL_ERRORS);
		/* wslay checks text frames itself; on_msg checks what it lets through */
		if (!ws->closing && sent == WSLAY_CODE_INVALID_FRAME_PAYLOAD_DATA &&
		    !ws->utf8_counted)
			counter_inc(COUNTER_APP_WS_BAD_UTF8);
		if (!ws->closing)
			ws_finish(ws);
	}
}

static void on_read(struct bufferevent *bev, void *arg)
{
	struct app_ws *ws = arg;
	int rc;

	if (ws->closing)
		return;
	/*
	 * No idle timeout on a WebSocket (a call can be silent on it for hours): evhttp's
	 * 30 s read timeout comes back on this bufferevent after the first message (seen
	 * with libevent 2.1), so clear it on every read.
	 */
	bufferevent_set_timeouts(bev, NULL, NULL);
	rc = wslay_event_recv(ws->ctx);
	if (rc != 0) {
		log_debug("app: WebSocket from %s: framing error %d", ws->peer, rc);
		counter_inc(COUNTER_APP_WS_PROTOCOL_ERRORS);
		/* wslay gives up on the stream: say why in a close frame of our own */
		if (!wslay_event_get_close_sent(ws->ctx)) {
			static const uint8_t close_1002[] = { 0x88, 0x02, 0x03, 0xea };

			bufferevent_write(ws->bev, close_1002, sizeof(close_1002));
		}
		ws_finish(ws);
		return;
	}
	ws_after_io(ws);
}

static void on_write(struct bufferevent *bev, void *arg)
{
	struct app_ws *ws = arg;

	(void)bev;
	if (ws->closing) {
		ws_free(ws);
		return;
	}
	ws_after_io(ws);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
	struct app_ws *ws = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		ws_free(ws);
}

static void refuse_http(struct evhttp_request *req, int status, const char *reason,
			const char *body)
{
	struct evbuffer *buf = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
	if (status == 426)
		evhttp_add_header(evhttp_request_get_output_headers(req),
				  "Sec-WebSocket-Version", "13");
	if (buf) {
		evbuffer_add_printf(buf, "%s\n", body);
		evhttp_send_reply(req, status, reason, buf);
		evbuffer_free(buf);
	} else {
		evhttp_send_reply(req, status, reason, NULL);
	}
}

/*
 * SIP messages are small and come in bursts (100, 180, 200): without TCP_NODELAY, Nagle
 * holds a message until the browser acknowledges the previous one (tens of ms).
 */
static void disable_nagle(struct bufferevent *bev)
{
	evutil_socket_t fd = bufferevent_getfd(bev);
	int one = 1;

	if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		log_warn("app: cannot set TCP_NODELAY on a WebSocket connection");
}

/*
 * Room for one more session without a valid token from addr? At most max_unauthorized
 * of them (and never more than half of max_connections, so that apps with a token in
 * their URL always find room), and at most max_per_address from one address. Each is
 * closed auth_timeout seconds after it connected unless it presents a token.
 */
static int unauthorized_room(struct app_http *a, const char *addr)
{
	const struct nwit_config *c = &a->d->conf;
	unsigned cap = c->app_max_connections / 2, total = 0, same = 0;
	struct app_ws *ws;

	if (cap > c->app_max_unauthorized)
		cap = c->app_max_unauthorized;
	if (cap == 0)
		cap = 1;
	LIST_FOREACH(ws, &a->sessions, link) {
		if (ws->sip.authorized)
			continue;
		total++;
		same += strcmp(ws->addr, addr) == 0;
	}
	return total < cap && same < c->app_max_per_address;
}

static const struct wslay_event_callbacks callbacks = {
	.recv_callback = recv_cb,
	.send_callback = send_cb,
	.on_msg_recv_callback = on_msg,
};

void app_ws_upgrade(struct app_http *a, struct evhttp_request *req, int tls)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *origin = evhttp_find_header(in, "Origin");
	struct ws_handshake h = {
		.method = "GET",
		.upgrade = evhttp_find_header(in, "Upgrade"),
		.connection = evhttp_find_header(in, "Connection"),
		.key = evhttp_find_header(in, "Sec-WebSocket-Key"),
		.version = evhttp_find_header(in, "Sec-WebSocket-Version"),
		.protocol = evhttp_find_header(in, "Sec-WebSocket-Protocol"),
	};
	char accept[WS_ACCEPT_LEN + 1], why[160], token[JWS_MAX_TOKEN + 1], *host;
	struct app_ws *ws;
	struct evbuffer *out;
	ev_uint16_t port;
	int status, toklen;

	status = ws_handshake_check(&h, accept, why, sizeof(why));
	if (status) {
		counter_inc(COUNTER_APP_WS_HANDSHAKE_REFUSED);
		refuse_http(req, status, status == 426 ? "Upgrade Required" : "Bad Request", why);
		return;
	}
	if (!origin || strlen(origin) >= APP_ORIGIN_MAX) {
		counter_inc(COUNTER_APP_WS_HANDSHAKE_REFUSED);
		refuse_http(req, 403, "Origin required", "a browser Origin header is required");
		return;
	}
	if (a->n_sessions >= a->d->conf.app_max_connections) {
		counter_inc(COUNTER_APP_WS_TOO_MANY);
		refuse_http(req, 503, "Too many connections", "max_connections reached");
		return;
	}
	ws = calloc(1, sizeof(*ws));
	if (!ws) {
		refuse_http(req, 500, "Internal Server Error", "out of memory");
		return;
	}
	ws->a = a;
	ws->tls = tls;
	snprintf(ws->origin, sizeof(ws->origin), "%s", origin);
	ws->sip.policy = &ws->policy;
	ws->sip.origin = ws->origin;
	app_http_policy(a, &ws->policy);

	toklen = http_query_token(evhttp_request_get_uri(req), token, sizeof(token));
	if (toklen == -EINVAL || toklen == -E2BIG) {
		log_refusal(NULL, JWS_MALFORMED, "access_token query is malformed or too long");
		refuse_http(req, 403, jws_result_text(JWS_MALFORMED), "malformed access_token");
		free(ws);
		return;
	}
	if (toklen >= 0) {
		enum jws_result r = jws_token_check(token, (size_t)toklen, &ws->policy, origin,
						    &ws->sip.token, why, sizeof(why));

		if (r != JWS_OK) {
			app_count_refusal(r);
			if (app_log_allowed())
				log_info("app: %s from origin %s refused at connect: %s",
					 ws->sip.token.app_id[0] ? ws->sip.token.app_id : "(unknown app)",
					 origin, why);
			refuse_http(req, 403, jws_result_text(r), why);
			free(ws);
			return;
		}
		ws->sip.authorized = 1;
	}

	ws->evcon = evhttp_request_get_connection(req);
	evhttp_connection_get_peer(ws->evcon, &host, &port);
	snprintf(ws->peer, sizeof(ws->peer), "%s:%u", host ? host : "?", port);
	snprintf(ws->addr, sizeof(ws->addr), "%s", host ? host : "?");
	if (!ws->sip.authorized && !unauthorized_room(a, ws->addr)) {
		counter_inc(COUNTER_APP_WS_TOO_MANY_UNAUTHORIZED);
		LOG_RATELIMITED(LOG_LEVEL_INFO, "app: WebSockets without a token refused",
				"app: WebSocket from %s origin %s without a token refused: too many "
				"such connections", ws->peer, origin);
		refuse_http(req, 503, "Too many unauthorized connections",
			    "too many connections without a token: put the token in the URL");
		free(ws);
		return;
	}
	ws->bev = evhttp_connection_get_bufferevent(ws->evcon);
	disable_nagle(ws->bev);
	ws->expiry = evtimer_new(a->d->base, on_expiry, ws);
	if (!ws->expiry || wslay_event_context_server_init(&ws->ctx, &callbacks, ws) != 0) {
		if (ws->expiry)
			event_free(ws->expiry);
		refuse_http(req, 500, "Internal Server Error", "out of memory");
		free(ws);
		return;
	}
	wslay_event_config_set_max_recv_msg_length(ws->ctx, a->d->conf.app_max_message_size);
	LIST_INSERT_HEAD(&a->sessions, ws, link);
	a->n_sessions++;

	/* take the connection over from evhttp: it no longer reads or writes it */
	app_conn_upgraded(a, ws->bev);
	out = bufferevent_get_output(ws->bev);
	evbuffer_add_printf(out,
			    "HTTP/1.1 101 Switching Protocols\r\n"
			    "Upgrade: websocket\r\n"
			    "Connection: Upgrade\r\n"
			    "Sec-WebSocket-Accept: %s\r\n"
			    "Sec-WebSocket-Protocol: " WS_SUBPROTOCOL "\r\n\r\n",
			    accept);
	bufferevent_set_timeouts(ws->bev, NULL, NULL);
	bufferevent_setcb(ws->bev, on_read, on_write, on_event, ws);
	bufferevent_enable(ws->bev, EV_READ | EV_WRITE);
	arm_expiry(ws);
	if (ws->sip.authorized)
		log_info("app: WebSocket from %s origin %s, app %s", ws->peer, origin,
			 ws->sip.token.app_id);
	else
		LOG_RATELIMITED(LOG_LEVEL_INFO, "app: WebSockets without a token",
				"app: WebSocket from %s origin %s (token expected in requests)",
				ws->peer, origin);
	/* frames sent right behind the handshake are already buffered */
	if (evbuffer_get_length(bufferevent_get_input(ws->bev)) > 0)
		on_read(ws->bev, ws);
}

void app_ws_close_all(struct app_http *a)
{
	while (!LIST_EMPTY(&a->sessions))
		ws_free(LIST_FIRST(&a->sessions));
}

void app_ws_recheck(struct app_http *a)
{
	struct app_ws *ws, *next;

	for (ws = LIST_FIRST(&a->sessions); ws; ws = next) {
		next = LIST_NEXT(ws, link);
		if (ws->closing || !ws->sip.authorized ||
		    !jws_revocation_has(a->revoked, ws->sip.token.jti))
			continue;
		log_refusal(ws, JWS_REVOKED, "token revoked while connected");
		ws->sip.authorized = 0;
		ws_close(ws, WSLAY_CODE_POLICY_VIOLATION, "Token revoked");
		ws_after_io(ws);
	}
}

json_t *app_ws_status(struct app_http *a)
{
	json_t *arr = json_array();
	struct app_ws *ws;

	LIST_FOREACH(ws, &a->sessions, link) {
		json_t *o;

		if (ws->sip.authorized)
			o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:I}", "peer", ws->peer, "origin",
				      ws->origin, "app_id", ws->sip.token.app_id, "scopes",
				      app_scopes_to_json(ws->sip.token.scopes), "registered",
				      ws->sip.registered, "token_expires",
				      (json_int_t)ws->sip.token.exp);
		else
			o = json_pack("{s:s, s:s, s:b}", "peer", ws->peer, "origin", ws->origin,
				      "authorized", 0);
		if (o)
			json_array_append_new(arr, o);
	}
	return arr;
}

/* --- the app side of legs.h ---------------------------------------------------------- */

static void ws_send(struct app_ws *ws, const char *text, size_t len)
{
	if (ws->closing)
		return;
	send_text(ws, text, len);
	wslay_event_send(ws->ctx);
	bufferevent_set_timeouts(ws->bev, NULL, NULL);	/* see on_read */
}

static struct app_ws *ws_next_callable(void *ctx, struct app_ws *prev, unsigned scope)
{
	struct app_http *a = ctx;
	struct app_ws *ws = prev ? LIST_NEXT(prev, link) : LIST_FIRST(&a->sessions);

	for (; ws; ws = LIST_NEXT(ws, link))
		if (!ws->closing && ws->sip.authorized && ws->sip.registered &&
		    (ws->sip.token.scopes & scope) == scope)
			return ws;
	return NULL;
}

static void ws_via(const struct app_ws *ws, const char *host, const char *branch, char *out,
		   size_t outlen)
{
	const struct nwit_config *c = &ws->a->d->conf;

	snprintf(out, outlen, "SIP/2.0/%s %s:%u;branch=%s", ws->tls ? "WSS" : "WS", host,
		 ws->tls ? c->app_https_port : c->http_port, branch);
}

static const char *ws_app_id(const struct app_ws *ws)
{
	return ws->sip.authorized ? ws->sip.token.app_id : "-";
}

const struct app_side_ops app_ws_side_ops = {
	.send = ws_send,
	.app_id = ws_app_id,
	.via = ws_via,
	.next_callable = ws_next_callable,
	.admit = ws_admit,
};
