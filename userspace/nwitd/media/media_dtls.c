/*
 * DTLS-SRTP toward the browser (media_dtls.h): the socket-free helper of
 * userspace/lib/webrtc/dtls_srtp.c on a call's media socket and libevent timers.
 */
#include "media/media_dtls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "webrtc/dtls_srtp.h"
#include "core/log.h"

#define DTLS_HANDSHAKE_LIMIT_S 20	/* give up when the handshake has not finished */
#define CERT_DAYS 30

struct media_dtls {
	struct event_base *base;
	int fd;
	int client, started, finished, failed;
	struct dtls_srtp *d;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct event *timer, *deadline;
	media_dtls_done_cb cb;
	void *arg;
	media_dtls_closed_cb closed;	/* application data users (data channels) */
	void *data_arg;
	int closed_told;
};

static struct dtls_srtp_cert *g_cert;

const char *media_dtls_fingerprint(void)
{
	if (!g_cert && dtls_srtp_cert_new("nwitd", CERT_DAYS, &g_cert) < 0) {
		log_warnx("media: cannot make the DTLS certificate");
		g_cert = NULL;
		return NULL;
	}
	return g_cert->fingerprint;
}

void media_dtls_cleanup(void)
{
	dtls_srtp_cert_free(g_cert);
	g_cert = NULL;
}

int media_dtls_fp_equal(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

static void finish(struct media_dtls *t, int ok, const struct media_dtls_keys *k,
		   const char *why)
{
	if (t->finished || t->failed)
		return;
	if (ok)
		t->finished = 1;
	else
		t->failed = 1;
	evtimer_del(t->timer);
	evtimer_del(t->deadline);
	t->cb(t->arg, ok, k, why);	/* must not free t (defer it) */
}

/* Send what the helper queued, rearm its timer, and report the outcome once. */
static void pump(struct media_dtls *t)
{
	uint8_t buf[DTLS_SRTP_MTU + 64];
	long ms;
	int n;

	while ((n = dtls_srtp_output(t->d, buf, sizeof(buf))) > 0)
		if (t->peer_len &&
		    sendto(t->fd, buf, (size_t)n, 0, (struct sockaddr *)&t->peer, t->peer_len) < 0)
			log_debug("media: DTLS send failed: %s", strerror(errno));
	if (t->finished || t->failed)
		return;
	if (dtls_srtp_failed(t->d)) {
		char why[200];

		snprintf(why, sizeof(why), "DTLS handshake failed: %s", dtls_srtp_error(t->d));
		finish(t, 0, NULL, why);
		return;
	}
	if (dtls_srtp_connected(t->d)) {
		struct dtls_srtp_keys k;
		struct media_dtls_keys mk;

		if (dtls_srtp_keys(t->d, &k) < 0) {
			finish(t, 0, NULL, "cannot export the SRTP keying material");
			return;
		}
		memcpy(mk.local_key, k.local_key, sizeof(mk.local_key));
		memcpy(mk.local_salt, k.local_salt, sizeof(mk.local_salt));
		memcpy(mk.remote_key, k.remote_key, sizeof(mk.remote_key));
		memcpy(mk.remote_salt, k.remote_salt, sizeof(mk.remote_salt));
		OPENSSL_cleanse(&k, sizeof(k));
		log_info("media: DTLS-SRTP established (%s, peer fingerprint checked)",
			 t->client ? "client" : "server");
		finish(t, 1, &mk, NULL);
		OPENSSL_cleanse(&mk, sizeof(mk));
		return;
	}
	ms = dtls_srtp_timeout_ms(t->d);
	if (ms >= 0) {
		struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

		evtimer_add(t->timer, &tv);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct media_dtls *t = arg;

	(void)fd;
	(void)what;
	if (t->finished || t->failed)
		return;
	dtls_srtp_on_timeout(t->d);	/* a give-up shows in dtls_srtp_failed() */
	pump(t);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct media_dtls *t = arg;

	(void)fd;
	(void)what;
	finish(t, 0, NULL, "DTLS handshake did not finish in time");
}

struct media_dtls *media_dtls_new(struct event_base *base, int fd, int client,
				  const char *peer_fp_alg, const char *peer_fp,
				  media_dtls_done_cb cb, void *arg)
{
	struct timeval limit = { DTLS_HANDSHAKE_LIMIT_S, 0 };
	struct media_dtls *t;
	char err[200];

	if (!media_dtls_fingerprint())
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->base = base;
	t->fd = fd;
	t->client = client;
	t->cb = cb;
	t->arg = arg;
	t->d = dtls_srtp_new(g_cert, client != 0, peer_fp_alg, peer_fp, err, sizeof(err));
	t->timer = evtimer_new(base, on_timer, t);
	t->deadline = evtimer_new(base, on_deadline, t);
	if (!t->d || !t->timer || !t->deadline) {
		log_warnx("media: cannot set up DTLS-SRTP: %s", t->d ? "out of memory" : err);
		media_dtls_free(t);
		return NULL;
	}
	evtimer_add(t->deadline, &limit);
	return t;
}

void media_dtls_free(struct media_dtls *t)
{
	if (!t)
		return;
	if (t->timer)
		event_free(t->timer);
	if (t->deadline)
		event_free(t->deadline);
	dtls_srtp_free(t->d);
	free(t);
}

void media_dtls_set_peer(struct media_dtls *t, const struct sockaddr *peer, socklen_t len)
{
	if (len > sizeof(t->peer))
		return;
	memcpy(&t->peer, peer, len);
	t->peer_len = len;
	if (t->client && !t->started) {
		t->started = 1;
		if (dtls_srtp_start(t->d) < 0) {
			finish(t, 0, NULL, "cannot start the DTLS handshake");
			return;
		}
	}
	pump(t);
}

void media_dtls_input(struct media_dtls *t, const uint8_t *pkt, size_t len,
		      const struct sockaddr *src, socklen_t srclen)
{
	if (t->failed)
		return;
	if (!t->peer_len && srclen <= sizeof(t->peer)) {
		memcpy(&t->peer, src, srclen);
		t->peer_len = srclen;
	}
	t->started = 1;
	/* failures show in dtls_srtp_failed(); after the handshake only the data user cares */
	if (dtls_srtp_input(t->d, pkt, len) < 0 && t->finished && t->closed && !t->closed_told) {
		t->closed_told = 1;
		t->closed(t->data_arg, dtls_srtp_error(t->d));
	}
	pump(t);
}

void media_dtls_set_data_cb(struct media_dtls *t, media_dtls_data_cb data,
			    media_dtls_closed_cb closed, void *arg)
{
	dtls_srtp_set_data_cb(t->d, data, arg);
	t->closed = closed;
	t->data_arg = arg;
}

int media_dtls_write(struct media_dtls *t, const uint8_t *data, size_t len)
{
	int rc = dtls_srtp_write(t->d, data, len);

	if (rc == 0)
		pump(t);
	return rc;
}

int media_dtls_data_mtu(struct media_dtls *t)
{
	return dtls_srtp_data_mtu(t->d);
}

int media_dtls_is_client(const struct media_dtls *t)
{
	return t->client;
}

int media_dtls_done(const struct media_dtls *t)
{
	return t && t->finished;
}
