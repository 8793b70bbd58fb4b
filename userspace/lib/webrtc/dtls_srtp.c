/*
 * One DTLS-SRTP association over a datagram BIO of our own: every record OpenSSL writes
 * becomes one queued datagram, every datagram fed in is read whole. (OpenSSL 3.0's
 * memory BIO would merge datagrams into a byte stream; BIO_s_dgram_mem arrives in 3.2.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "webrtc/dtls_srtp.h"

#define QUEUE_MAX 256		  /* datagrams waiting to be sent (SCTP bursts after the handshake) */
#define TIMER_INITIAL_US 250000u  /* first retransmission (RFC 6347 allows less than 1 s) */
#define TIMER_MAX_US 4000000u

struct datagram {
	struct datagram *next;
	size_t len;
	uint8_t data[];
};

struct dtls_srtp {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *bio;
	bool client, connected, failed;
	const uint8_t *in; /* the datagram being read, NULL when consumed */
	size_t in_len;
	struct datagram *out_head, *out_tail;
	unsigned out_count;
	void (*on_data)(void *arg, const uint8_t *data, size_t len); /* application data */
	void *on_data_arg;
	char peer_alg[16];
	char peer_fp[DTLS_SRTP_FINGERPRINT_MAX];
	char error[160];
};

/* --- datagram BIO ------------------------------------------------------------------- */

static BIO_METHOD *bio_method;

static int bio_write(BIO *b, const char *buf, int len)
{
	struct dtls_srtp *d = BIO_get_data(b);
	struct datagram *g;

	if (len <= 0 || d->out_count >= QUEUE_MAX)
		return -1;
	g = malloc(sizeof(*g) + (size_t)len);
	if (!g)
		return -1;
	g->next = NULL;
	g->len = (size_t)len;
	memcpy(g->data, buf, (size_t)len);
	if (d->out_tail)
		d->out_tail->next = g;
	else
		d->out_head = g;
	d->out_tail = g;
	d->out_count++;
	return len;
}

static int bio_read(BIO *b, char *buf, int len)
{
	struct dtls_srtp *d = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (!d->in) {
		BIO_set_retry_read(b);
		return -1;
	}
	n = d->in_len < (size_t)len ? d->in_len : (size_t)len; /* a datagram is read whole */
	memcpy(buf, d->in, n);
	d->in = NULL;
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
		return DTLS_SRTP_MTU;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 48; /* IPv6 + UDP: the larger of the two */
	default:
		return 0;
	}
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO_METHOD *datagram_method(void)
{
	/* created once, never freed: one small table for the life of the process */
	if (!bio_method) {
		BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
					     "nwit datagram queue");

		if (!m || !BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
		    !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create)) {
			BIO_meth_free(m);
			return NULL;
		}
		bio_method = m;
	}
	return bio_method;
}

/* --- association ---------------------------------------------------------------------- */

static void set_error(struct dtls_srtp *d, const char *what)
{
	unsigned long e = ERR_get_error();
	char ssl_err[120] = "";

	if (e)
		ERR_error_string_n(e, ssl_err, sizeof(ssl_err));
	ERR_clear_error();
	if (!d->error[0])
		snprintf(d->error, sizeof(d->error), "%s%s%s", what, e ? ": " : "", ssl_err);
	d->failed = true;
}

/* The peer is trusted by its SDP fingerprint only (RFC 5763 section 5). */
static int verify_cb(int preverify_ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct dtls_srtp *d = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *cert = X509_STORE_CTX_get_current_cert(store);

	if (!d || !cert)
		return 0;
	if (X509_STORE_CTX_get_error_depth(store) > 0)
		return 1; /* chain certificates: only the end certificate is pinned */
	if (dtls_srtp_fingerprint_check(cert, d->peer_alg, d->peer_fp) != 0) {
		snprintf(d->error, sizeof(d->error),
			 "the peer's certificate does not match its a=fingerprint");
		return 0;
	}
	return 1;
}

static unsigned int timer_cb(SSL *ssl, unsigned int timer_us)
{
	if (timer_us == 0)
		return TIMER_INITIAL_US;
	return timer_us * 2 > TIMER_MAX_US ? TIMER_MAX_US : timer_us * 2;
}

struct dtls_srtp *dtls_srtp_new(const struct dtls_srtp_cert *cert, bool client,
				const char *peer_alg, const char *peer_fp, char *err,
				size_t errlen)
{
	struct dtls_srtp *d = calloc(1, sizeof(*d));
	BIO_METHOD *m = datagram_method();
	const char *what = "cannot allocate";

	if (!d || !m)
		goto err;
	d->client = client;
	if (strlen(peer_alg) >= sizeof(d->peer_alg) || strlen(peer_fp) >= sizeof(d->peer_fp)) {
		what = "peer fingerprint too long";
		goto err;
	}
	strcpy(d->peer_alg, peer_alg);
	strcpy(d->peer_fp, peer_fp);
	switch (dtls_srtp_fingerprint_check(cert->cert, peer_alg, peer_fp)) {
	case -ENOTSUP:
		what = "unsupported peer fingerprint hash function";
		goto err;
	case -EINVAL:
		what = "malformed peer fingerprint";
		goto err;
	}
	what = "cannot set up the DTLS context";
	d->ctx = SSL_CTX_new(DTLS_method());
	if (!d->ctx || SSL_CTX_set_min_proto_version(d->ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(d->ctx, cert->cert) != 1 ||
	    SSL_CTX_use_PrivateKey(d->ctx, cert->key) != 1 ||
	    SSL_CTX_check_private_key(d->ctx) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(d->ctx, "SRTP_AES128_CM_SHA1_80") != 0) /* 0 = ok */
		goto err;
	SSL_CTX_set_verify(d->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	d->ssl = SSL_new(d->ctx);
	d->bio = BIO_new(m);
	if (!d->ssl || !d->bio)
		goto err;
	BIO_set_data(d->bio, d);
	SSL_set_bio(d->ssl, d->bio, d->bio); /* the SSL owns the one reference */
	SSL_set_app_data(d->ssl, d);
	SSL_set_options(d->ssl, SSL_OP_NO_QUERY_MTU);
	if (!DTLS_set_link_mtu(d->ssl, DTLS_SRTP_MTU))
		goto err;
	DTLS_set_timer_cb(d->ssl, timer_cb);
	if (client)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
	return d;
err:
	if (errlen) {
		unsigned long e = ERR_get_error();
		char ssl_err[120] = "";

		if (e)
			ERR_error_string_n(e, ssl_err, sizeof(ssl_err));
		snprintf(err, errlen, "DTLS-SRTP: %s%s%s", what, e ? ": " : "", ssl_err);
	}
	ERR_clear_error();
	if (d && d->bio && !d->ssl)
		BIO_free(d->bio);
	dtls_srtp_free(d);
	return NULL;
}

void dtls_srtp_free(struct dtls_srtp *d)
{
	struct datagram *g, *next;

	if (!d)
		return;
	SSL_free(d->ssl); /* frees the BIO */
	SSL_CTX_free(d->ctx);
	for (g = d->out_head; g; g = next) {
		next = g->next;
		free(g);
	}
	free(d);
}

/* Run the handshake as far as it goes. */
static int step(struct dtls_srtp *d)
{
	int rc;

	if (d->failed)
		return -EIO;
	if (d->connected)
		return 0;
	rc = SSL_do_handshake(d->ssl);
	if (rc == 1) {
		const SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);

		if (!p || p->id != SRTP_AES128_CM_SHA1_80) {
			set_error(d, "the peer did not agree to use_srtp SRTP_AES128_CM_SHA1_80");
			return -EIO;
		}
		d->connected = true;
		return 0;
	}
	switch (SSL_get_error(d->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		return 0;
	default:
		set_error(d, "DTLS handshake failed");
		return -EIO;
	}
}

int dtls_srtp_start(struct dtls_srtp *d)
{
	return step(d);
}

/* Read every record of the datagram being fed: application data goes to on_data. */
static int read_records(struct dtls_srtp *d)
{
	uint8_t buf[2048];
	int n;

	for (;;) {
		n = SSL_read(d->ssl, buf, sizeof(buf));
		if (n > 0) {
			if (d->on_data)
				d->on_data(d->on_data_arg, buf, (size_t)n);
			continue;
		}
		switch (SSL_get_error(d->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			ERR_clear_error();
			return 0;
		case SSL_ERROR_ZERO_RETURN:
			snprintf(d->error, sizeof(d->error), "the peer closed the DTLS association");
			d->failed = true;
			return -EIO;
		default:
			set_error(d, "DTLS read failed");
			return -EIO;
		}
	}
}

int dtls_srtp_input(struct dtls_srtp *d, const uint8_t *pkt, size_t len)
{
	int rc;

	if (d->failed)
		return -EIO;
	d->in = pkt;
	d->in_len = len;
	if (!d->connected) {
		rc = step(d);
		/* records after the last handshake message of this datagram */
		if (rc == 0 && d->connected && d->on_data)
			rc = read_records(d);
		d->in = NULL;
		return rc;
	}
	/* after the handshake: retransmitted flights, alerts, application data */
	rc = read_records(d);
	d->in = NULL;
	return rc;
}

void dtls_srtp_set_data_cb(struct dtls_srtp *d,
			   void (*cb)(void *arg, const uint8_t *data, size_t len), void *arg)
{
	d->on_data = cb;
	d->on_data_arg = arg;
}

int dtls_srtp_write(struct dtls_srtp *d, const uint8_t *data, size_t len)
{
	int n;

	if (d->failed)
		return -EIO;
	if (!d->connected)
		return -EAGAIN;
	if (len == 0 || len > (size_t)dtls_srtp_data_mtu(d))
		return -EMSGSIZE;
	if (d->out_count >= QUEUE_MAX)
		return -ENOBUFS; /* dropped like a lost packet: the caller drains too slowly */
	n = SSL_write(d->ssl, data, (int)len);
	if (n == (int)len)
		return 0;
	set_error(d, "DTLS write failed");
	return -EIO;
}

int dtls_srtp_data_mtu(struct dtls_srtp *d)
{
	size_t mtu = d->connected ? DTLS_get_data_mtu(d->ssl) : 0;

	return mtu ? (int)mtu : DTLS_SRTP_MTU - 100; /* a safe guess before the cipher is known */
}

int dtls_srtp_output(struct dtls_srtp *d, uint8_t *buf, size_t cap)
{
	struct datagram *g = d->out_head;
	int n;

	if (!g)
		return 0;
	if (g->len > cap)
		return -ENOSPC;
	memcpy(buf, g->data, g->len);
	n = (int)g->len;
	d->out_head = g->next;
	if (!d->out_head)
		d->out_tail = NULL;
	d->out_count--;
	free(g);
	return n;
}

long dtls_srtp_timeout_ms(struct dtls_srtp *d)
{
	struct timeval tv;

	if (d->connected || d->failed || DTLSv1_get_timeout(d->ssl, &tv) != 1)
		return -1;
	return tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
}

int dtls_srtp_on_timeout(struct dtls_srtp *d)
{
	if (d->failed)
		return -EIO;
	if (d->connected)
		return 0;
	if (DTLSv1_handle_timeout(d->ssl) < 0) {
		set_error(d, "the DTLS handshake timed out");
		return -EIO;
	}
	return 0;
}

bool dtls_srtp_connected(const struct dtls_srtp *d)
{
	return d->connected;
}

bool dtls_srtp_failed(const struct dtls_srtp *d)
{
	return d->failed;
}

const char *dtls_srtp_error(const struct dtls_srtp *d)
{
	return d->error;
}

int dtls_srtp_keys(struct dtls_srtp *d, struct dtls_srtp_keys *k)
{
	static const char label[] = "EXTRACTOR-dtls_srtp";
	uint8_t m[2 * (DTLS_SRTP_KEY_LEN + DTLS_SRTP_SALT_LEN)];
	const uint8_t *client_key = m, *server_key = m + DTLS_SRTP_KEY_LEN;
	const uint8_t *client_salt = m + 2 * DTLS_SRTP_KEY_LEN;
	const uint8_t *server_salt = client_salt + DTLS_SRTP_SALT_LEN;

	if (!d->connected)
		return -EAGAIN;
	/* RFC 5764 section 4.2: client key | server key | client salt | server salt */
	if (SSL_export_keying_material(d->ssl, m, sizeof(m), label, sizeof(label) - 1, NULL, 0,
				       0) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	k->profile = DTLS_SRTP_PROFILE_AES128_CM_SHA1_80;
	memcpy(k->local_key, d->client ? client_key : server_key, DTLS_SRTP_KEY_LEN);
	memcpy(k->local_salt, d->client ? client_salt : server_salt, DTLS_SRTP_SALT_LEN);
	memcpy(k->remote_key, d->client ? server_key : client_key, DTLS_SRTP_KEY_LEN);
	memcpy(k->remote_salt, d->client ? server_salt : client_salt, DTLS_SRTP_SALT_LEN);
	OPENSSL_cleanse(m, sizeof(m));
	return 0;
}

SSL *dtls_srtp_ssl(struct dtls_srtp *d)
{
	return d->ssl;
}
