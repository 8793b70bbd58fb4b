/* The web app endpoint: evhttp listener, discovery document, preflights, key material. */
#include "app/app_http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <event2/keyvalq_struct.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sip/app_sip.h"
#include "core/counters.h"
#include "core/log.h"
#include "nwitd.h"
#include "websocket/ws_handshake.h"

void app_count_refusal(enum jws_result r)
{
	static const enum counter_id ids[JWS__COUNT] = {
		[JWS_NO_TOKEN] = COUNTER_APP_AUTH_NO_TOKEN,
		[JWS_MALFORMED] = COUNTER_APP_AUTH_MALFORMED,
		[JWS_BAD_ALG] = COUNTER_APP_AUTH_BAD_ALG,
		[JWS_UNKNOWN_KEY] = COUNTER_APP_AUTH_UNKNOWN_KEY,
		[JWS_BAD_SIGNATURE] = COUNTER_APP_AUTH_BAD_SIGNATURE,
		[JWS_WRONG_ISSUER] = COUNTER_APP_AUTH_WRONG_ISSUER,
		[JWS_WRONG_AUDIENCE] = COUNTER_APP_AUTH_WRONG_AUDIENCE,
		[JWS_EXPIRED] = COUNTER_APP_AUTH_EXPIRED,
		[JWS_NOT_YET_VALID] = COUNTER_APP_AUTH_NOT_YET_VALID,
		[JWS_REVOKED] = COUNTER_APP_AUTH_REVOKED,
		[JWS_WRONG_ORIGIN] = COUNTER_APP_AUTH_WRONG_ORIGIN,
		[JWS_MISSING_SCOPE] = COUNTER_APP_AUTH_MISSING_SCOPE,
		[JWS_NO_KEYS] = COUNTER_APP_AUTH_NO_KEYS,
		[JWS_TOO_LONG] = COUNTER_APP_AUTH_TOO_LONG,
	};

	if (r > JWS_OK && r < JWS__COUNT)
		counter_inc(ids[r]);
}

int app_log_allowed(void)
{
	static struct log_ratelimit rl = {
		.what = "app: refusals", .burst = APP_LOG_BURST, .window = APP_LOG_WINDOW,
	};

	return log_ratelimit_allow(&rl, LOG_LEVEL_INFO);
}

void app_http_policy(struct app_http *a, struct jws_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->keys = a->keys;
	p->issuer = a->d->conf.app_token_issuer;
	p->audience = a->d->conf.app_audience;
	p->revoked = a->revoked;
	p->now = time(NULL);
	p->skew = JWS_CLOCK_SKEW;
	p->max_lifetime = a->d->conf.app_max_token_lifetime;
}

/* Read jwks_file and revocation_file; keeps going without them (apps get refused). */
static void load_keys(struct app_http *a)
{
	const struct nwit_config *c = &a->d->conf;
	struct jws_revocation *rl = NULL;
	struct jwk_set *ks;

	ks = jwk_set_load_file(c->app_jwks_file, a->keys_error, sizeof(a->keys_error));
	if (!ks) {
		counter_inc(COUNTER_APP_KEY_LOAD_FAILURES);
		log_warnx("app: cannot load the operator keys, every app will be refused: %s",
			  a->keys_error);
	} else {
		a->keys_error[0] = '\0';
		log_info("app: %zu operator key(s) from %s", ks->count, c->app_jwks_file);
	}
	jwk_set_free(a->keys);
	a->keys = ks;
	if (!c->app_token_issuer[0])
		log_warnx("app: [app] token_issuer is not set: no issuer is trusted, every app "
			  "will be refused");

	a->revoked_error[0] = '\0';
	if (c->app_revocation_file[0]) {
		rl = jws_revocation_load_file(c->app_revocation_file, a->revoked_error,
					      sizeof(a->revoked_error));
		if (!rl) {
			counter_inc(COUNTER_APP_KEY_LOAD_FAILURES);
			if (a->revoked) {
				log_warnx("app: keeping the previous revocation list: %s",
					  a->revoked_error);
				return;
			}
			log_warnx("app: no revocation list: %s", a->revoked_error);
		}
	}
	jws_revocation_free(a->revoked);
	a->revoked = rl;
}

static void add_cors(struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *origin = evhttp_find_header(in, "Origin");

	/* the discovery document is public: any page may read it */
	evhttp_add_header(out, "Access-Control-Allow-Origin", origin ? origin : "*");
	evhttp_add_header(out, "Vary", "Origin");
}

static void send_text(struct evhttp_request *req, int status, const char *reason,
		      const char *type, const char *body)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *buf = evbuffer_new();
	char len[24];

	evhttp_add_header(out, "Content-Type", type);
	evhttp_add_header(out, "Cache-Control", "no-store");
	/* HEAD: the headers GET would have, Content-Length included, and no body */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
		snprintf(len, sizeof(len), "%zu", body ? strlen(body) : 0);
		evhttp_add_header(out, "Content-Length", len);
		body = NULL;
	}
	if (buf && body)
		evbuffer_add(buf, body, strlen(body));
	evhttp_send_reply(req, status, reason, buf);
	if (buf)
		evbuffer_free(buf);
}

/* Host header when it looks like host[:port], for URLs pointing back at us. */
static int usable_host(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	if (n == 0 || n > 255)
		return 0;
	return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") ==
	       n;
}

/*
 * Whether origin is in [app] private_network_origins (space or comma separated origins,
 * or "*"): only those pages get Private Network Access to this device from a public
 * network. A preflight carries no credentials, so this is the device's policy alone.
 */
static int pna_allowed(const struct nwit_config *c, const char *origin)
{
	const char *s = c->app_pna_origins;
	size_t olen = origin ? strlen(origin) : 0;

	while (*s) {
		size_t n;

		s += strspn(s, " ,");
		n = strcspn(s, " ,");
		if (n == 1 && s[0] == '*')
			return 1;
		if (n && n == olen && strncasecmp(s, origin, n) == 0)
			return 1;
		s += n;
	}
	return 0;
}

static void preflight(struct app_http *a, struct evhttp_request *req)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *pna = evhttp_find_header(in, "Access-Control-Request-Private-Network");

	add_cors(req);
	evhttp_add_header(out, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
	evhttp_add_header(out, "Access-Control-Allow-Headers", "Authorization");
	evhttp_add_header(out, "Access-Control-Max-Age", "600");
	/* Private Network Access: a public page may reach this private address if listed */
	if (pna && strcmp(pna, "true") == 0 &&
	    pna_allowed(&a->d->conf, evhttp_find_header(in, "Origin")))
		evhttp_add_header(out, "Access-Control-Allow-Private-Network", "true");
	evhttp_send_reply(req, 204, "No Content", NULL);
}

static json_t *discovery(struct app_http *a, struct evhttp_request *req, int tls)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	const char *host = evhttp_find_header(in, "Host");
	const char *authz = evhttp_find_header(in, "Authorization");
	int fastpath = app_fastpath_ready(a->d), b2bua = app_b2bua_available(a->d);
	json_t *doc, *reasons = json_array(), *tokinfo = NULL, *services;
	struct app_ims_view ims;
	int authorized = 0;
	const char *status;
	char url[320];

	app_ims_view(a->d, &ims);
	if (!ims.provisioned)
		json_array_append_new(reasons, json_string("ims_not_provisioned"));
	else if (!ims.registered)
		json_array_append_new(reasons, json_string("ims_not_registered"));
	if (!b2bua)
		json_array_append_new(reasons, json_string("calls_not_available"));
	if (!a->keys)
		json_array_append_new(reasons, json_string("no_operator_keys"));
	if (!fastpath)
		json_array_append_new(reasons, json_string("fastpath_unavailable"));
	if (!a->d->conf.app_token_issuer[0])
		json_array_append_new(reasons, json_string("no_token_issuer"));
	if (!ims.provisioned || !ims.registered || !b2bua || !a->keys ||
	    !a->d->conf.app_token_issuer[0])
		status = "unavailable";
	else
		status = fastpath ? "available" : "degraded";

	/* the scheme the page used: a page on https needs wss */
	if (usable_host(host))
		snprintf(url, sizeof(url), "%s://%s%s", tls ? "wss" : "ws", host, APP_WS_PATH);
	else if (strchr(a->d->conf.http_address, ':'))
		snprintf(url, sizeof(url), "%s://[%s]:%u%s", tls ? "wss" : "ws",
			 a->d->conf.http_address,
			 tls ? a->d->conf.app_https_port : a->d->conf.http_port, APP_WS_PATH);
	else
		snprintf(url, sizeof(url), "%s://%s:%u%s", tls ? "wss" : "ws",
			 a->d->conf.http_address,
			 tls ? a->d->conf.app_https_port : a->d->conf.http_port, APP_WS_PATH);

	/*
	 * Any page learns only whether the device offers the translation and how to ask for
	 * it; the state behind that (status, reasons, services, codecs) and personal data
	 * only go to a caller with a valid token for its origin (docs/app-api.md).
	 */
	if (authz && strncasecmp(authz, "Bearer ", 7) == 0) {
		struct jws_policy p;
		struct app_token t;
		char detail[160];
		enum jws_result r;

		app_http_policy(a, &p);
		r = jws_token_check(authz + 7, strlen(authz + 7), &p,
				    evhttp_find_header(in, "Origin"), &t, detail, sizeof(detail));
		authorized = r == JWS_OK;
		if (r == JWS_OK)
			tokinfo = json_pack("{s:b, s:s, s:o, s:I, s:s?}", "authorized", 1,
					    "app_id", t.app_id, "scopes",
					    app_scopes_to_json(t.scopes), "expires",
					    (json_int_t)t.exp, "impu",
					    ims.impus[0] ? ims.impus : NULL);
		else
			tokinfo = json_pack("{s:b, s:s, s:s}", "authorized", 0, "refusal",
					    jws_result_name(r), "reason", jws_result_text(r));
		if (r != JWS_OK)
			app_count_refusal(r);
	}

	/*
	 * Only what works today: voice and video calls (each m= line its own IMS port pair),
	 * file transfer (a data channel with protocol "msrp" bridged to MSRP, b2bua_msrp.c),
	 * and pager-mode messaging (SIP MESSAGE) when its service runs.
	 * Codecs: RTP passes through untranscoded, so what both sides decode.
	 */
	services = json_array();
	json_array_append_new(services, json_string("voice"));
	json_array_append_new(services, json_string("video"));
	json_array_append_new(services, json_string("file-transfer"));
	if (app_pager_available(a->d))
		json_array_append_new(services, json_string("messaging"));
	doc = json_pack("{s:i, s:s, s:b, s:{s:s, s:s}, s:{s:s, s:[ss], s:s, s:s}}",
			"version", APP_API_VERSION,
			"service", "nwit",
			"available", strcmp(status, "unavailable") != 0,
			"websocket", "url", url, "subprotocol", WS_SUBPROTOCOL,
			"authorization", "type", "Bearer", "algs", "ES256", "EdDSA",
			"query_parameter", "access_token", "header", "Authorization");
	if (doc && authorized) {
		json_object_set_new(doc, "status", json_string(status));
		json_object_set(doc, "reasons", reasons);
		json_object_set(doc, "services", services);
		json_object_set_new(doc, "codecs",
				    json_pack("{s:[ssss], s:[ss]}", "audio", "opus/48000/2",
					      "PCMU/8000", "PCMA/8000", "telephone-event/8000",
					      "video", "H264/90000", "VP8/90000"));
		/* which media path SRTP takes, and with which AES in the kernel (docs/fastpath.md) */
		json_object_set_new(doc, "fastpath",
				    json_pack("{s:s, s:s?}", "srtp", fastpath ? "kernel" : "relay",
					      "aes", app_fastpath_aes(a->d)));
	}
	json_decref(reasons);
	json_decref(services);
	if (doc && tokinfo)
		json_object_set_new(doc, "token", tokinfo);
	else
		json_decref(tokinfo);
	return doc;
}

static void on_request(struct app_http *a, struct evhttp_request *req, int tls)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);

	counter_inc(COUNTER_APP_HTTP_REQUESTS);
	/* the next request on this connection has its own http_timeout */
	app_conn_answered(a, evhttp_connection_get_bufferevent(evhttp_request_get_connection(req)));
	if (!path)
		path = "";
	if (strcmp(path, APP_DISCOVERY_PATH) == 0 || strcmp(path, APP_WS_PATH) == 0) {
		if (cmd == EVHTTP_REQ_OPTIONS) {
			preflight(a, req);
			return;
		}
		if (strcmp(path, APP_WS_PATH) == 0) {
			if (cmd == EVHTTP_REQ_GET) {
				app_ws_upgrade(a, req, tls);
				return;
			}
		} else if (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD) {
			json_t *doc = discovery(a, req, tls);
			char *text = doc ? json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;

			add_cors(req);
			if (text)
				send_text(req, 200, "OK", "application/json", text);
			else
				send_text(req, 500, "Internal Server Error", "text/plain",
					  "out of memory\n");
			free(text);
			json_decref(doc);
			return;
		}
		counter_inc(COUNTER_APP_HTTP_REFUSED);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
				  "GET, HEAD, OPTIONS");
		send_text(req, 405, "Method Not Allowed", "text/plain", "method not allowed\n");
		return;
	}
	counter_inc(COUNTER_APP_HTTP_REFUSED);
	send_text(req, 404, "Not Found", "text/plain", "not found; see " APP_DISCOVERY_PATH "\n");
}

static void on_plain_request(struct evhttp_request *req, void *arg)
{
	on_request(arg, req, 0);
}

static void on_tls_request(struct evhttp_request *req, void *arg)
{
	on_request(arg, req, 1);
}

/* Each plain connection: a socket bufferevent, tracked for its deadline (app_conn.c). */
static struct bufferevent *plain_bufferevent(struct event_base *base, void *arg)
{
	return app_conn_track(arg, bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE));
}

static struct evhttp *new_server(struct app_http *a, void (*cb)(struct evhttp_request *, void *))
{
	struct evhttp *http = evhttp_new(a->d->base);

	if (!http)
		return NULL;
	/* the others reach on_request too, to be answered 405 and counted */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS |
					 EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
					 EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(http, 16384);
	evhttp_set_max_body_size(http, 4096);
	/* evhttp's own idle timeout; app_conn.c enforces the deadline it cannot */
	evhttp_set_timeout(http, (int)a->d->conf.app_http_timeout);
	evhttp_set_gencb(http, cb, a);
	evhttp_set_bevcb(http, plain_bufferevent, a);
	return http;
}

/* Each TLS connection gets an OpenSSL bufferevent; evhttp and app_ws.c use it as any other. */
static struct bufferevent *tls_bufferevent(struct event_base *base, void *arg)
{
	struct app_http *a = arg;
	SSL *ssl = SSL_new(a->ssl_ctx);

	if (!ssl) {
		log_warnx("app: cannot create a TLS session");
		return NULL;
	}
	return app_conn_track(a, bufferevent_openssl_socket_new(base, -1, ssl,
							       BUFFEREVENT_SSL_ACCEPTING,
							       BEV_OPT_CLOSE_ON_FREE));
}

static void tls_fail(struct app_http *a, const char *what)
{
	unsigned long e = ERR_get_error();

	snprintf(a->tls_error, sizeof(a->tls_error), "%.256s: %.100s", what,
		 e ? ERR_reason_error_string(e) : "unknown error");
	ERR_clear_error();
	log_warnx("app: no HTTPS: %s", a->tls_error);
}

/* HTTPS/WSS on https_port; without it the plain endpoint still works. */
static void start_tls(struct app_http *a)
{
	const struct nwit_config *c = &a->d->conf;

	if (!c->app_https_port)
		return;
	a->ssl_ctx = SSL_CTX_new(TLS_server_method());
	if (!a->ssl_ctx) {
		tls_fail(a, "cannot create the TLS context");
		return;
	}
	SSL_CTX_set_min_proto_version(a->ssl_ctx, TLS1_2_VERSION);
	if (SSL_CTX_use_certificate_chain_file(a->ssl_ctx, c->app_tls_certificate) != 1) {
		tls_fail(a, c->app_tls_certificate);
		return;
	}
	if (SSL_CTX_use_PrivateKey_file(a->ssl_ctx, c->app_tls_key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(a->ssl_ctx) != 1) {
		tls_fail(a, c->app_tls_key);
		return;
	}
	a->https = new_server(a, on_tls_request);
	if (!a->https) {
		snprintf(a->tls_error, sizeof(a->tls_error), "out of memory");
		return;
	}
	evhttp_set_bevcb(a->https, tls_bufferevent, a);
	a->tls_sock = evhttp_bind_socket_with_handle(a->https, c->http_address,
						     (uint16_t)c->app_https_port);
	if (!a->tls_sock) {
		snprintf(a->tls_error, sizeof(a->tls_error), "cannot listen on %s port %u: %s",
			 c->http_address, c->app_https_port, strerror(errno));
		log_warnx("app: no HTTPS: %s", a->tls_error);
		return;
	}
	log_info("app: discovery at https://%s:%u%s", c->http_address, c->app_https_port,
		 APP_DISCOVERY_PATH);
}

static int app_start(struct nwitd *d)
{
	struct app_http *a = calloc(1, sizeof(*a));
	int bind_errno;

	if (!a)
		return -ENOMEM;
	a->d = d;
	LIST_INIT(&a->sessions);
	LIST_INIT(&a->conns);
	app_sip_init();
	a->http = new_server(a, on_plain_request);
	if (!a->http) {
		log_warnx("app: cannot create the HTTP server");
		free(a);
		return -ENOMEM;
	}
	a->sock = evhttp_bind_socket_with_handle(a->http, d->conf.http_address,
						 (uint16_t)d->conf.http_port);
	bind_errno = errno;
	load_keys(a);
	d->app = a;
	d->app_side.ops = &app_ws_side_ops;
	d->app_side.ctx = a;
	start_tls(a);
	if (!a->sock) {
		/* the rest of nwitd (IMS registration, ...) is still useful without apps */
		snprintf(a->listen_error, sizeof(a->listen_error), "cannot listen on %s port %u: %s",
			 d->conf.http_address, d->conf.http_port, strerror(bind_errno));
		log_warnx("app: %s; web apps cannot reach this device", a->listen_error);
		return 0;
	}
	log_info("app: discovery at http://%s:%u%s", d->conf.http_address, d->conf.http_port,
		 APP_DISCOVERY_PATH);
	return 0;
}

static void app_stop(struct nwitd *d)
{
	struct app_http *a = d->app;

	if (!a)
		return;
	app_ws_close_all(a);
	memset(&d->app_side, 0, sizeof(d->app_side));
	evhttp_free(a->http);
	if (a->https)
		evhttp_free(a->https);
	app_conn_free_all(a);	/* after evhttp let go of its connections */
	SSL_CTX_free(a->ssl_ctx);
	jwk_set_free(a->keys);
	jws_revocation_free(a->revoked);
	free(a);
	d->app = NULL;
}

static void app_reload(struct nwitd *d, const struct nwit_config *old)
{
	struct app_http *a = d->app;

	if (!a)
		return;
	if (strcmp(old->http_address, d->conf.http_address) != 0 ||
	    old->http_port != d->conf.http_port)
		log_warnx("app: http_address/http_port changes take effect on restart");
	if (old->app_https_port != d->conf.app_https_port ||
	    strcmp(old->app_tls_certificate, d->conf.app_tls_certificate) != 0 ||
	    strcmp(old->app_tls_key, d->conf.app_tls_key) != 0)
		log_warnx("app: https_port/tls_certificate/tls_key changes take effect on restart");
	load_keys(a);
	app_ws_recheck(a);
}

static json_t *app_status(struct nwitd *d)
{
	struct app_http *a = d->app;

	if (!a)
		return NULL;
	return json_pack("{s:s, s:I, s:s*, s:I, s:s*, s:I, s:s*, s:I, s:s*, s:o}",
			 "listen", d->conf.http_address, "port", (json_int_t)d->conf.http_port,
			 "listen_error", a->listen_error[0] ? a->listen_error : NULL,
			 "https_port", a->tls_sock ? (json_int_t)d->conf.app_https_port : 0,
			 "https_error", a->tls_error[0] ? a->tls_error : NULL,
			 "operator_keys", (json_int_t)(a->keys ? a->keys->count : 0),
			 "keys_error", a->keys_error[0] ? a->keys_error : NULL,
			 "revoked_tokens", (json_int_t)(a->revoked ? a->revoked->count : 0),
			 "revocation_error", a->revoked_error[0] ? a->revoked_error : NULL,
			 "apps", app_ws_status(a));
}

const struct nwitd_service app_http_service = {
	.name = "app",
	.start = app_start,
	.stop = app_stop,
	.reload = app_reload,
	.status = app_status,
};
