/* DTLS-SRTP toward the browser on OpenSSL (media_dtls.h). */
#include "media_dtls.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log.h"

#define DTLS_MTU 1200
#define DTLS_HANDSHAKE_LIMIT_S 20	/* give up when the handshake has not finished */
#define SRTP_PROFILE "SRTP_AES128_CM_SHA1_80"

struct media_dtls {
	struct event_base *base;
	int fd;
	int client, started, finished, failed;
	SSL *ssl;
	BIO *rbio;	/* memory BIO holding the datagram being read */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peer_fp[200];
	struct event *timer, *deadline;
	media_dtls_done_cb cb;
	void *arg;
};

static SSL_CTX *g_ctx;
static char g_fingerprint[128];
static BIO_METHOD *g_out_method;

static int make_cert(EVP_PKEY **pkey_out, X509 **cert_out)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *name;
	unsigned char serial[8];

	if (!pkey || !x)
		goto fail;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	ASN1_INTEGER_set_int64(X509_get_serialNumber(x),
			       (int64_t)(((uint64_t)serial[0] << 24) | serial[1] << 16 | serial[2] << 8 |
					 serial[3]));
	X509_set_version(x, 2);
	X509_gmtime_adj(X509_getm_notBefore(x), -86400);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, pkey);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"nwitd", -1, -1,
				   0);
	X509_set_issuer_name(x, name);
	if (!X509_sign(x, pkey, EVP_sha256()))
		goto fail;
	*pkey_out = pkey;
	*cert_out = x;
	return 0;
fail:
	EVP_PKEY_free(pkey);
	X509_free(x);
	return -EIO;
}

static void fp_format(const unsigned char *md, unsigned int n, char *out, size_t outlen)
{
	size_t pos = 0;

	out[0] = '\0';
	for (unsigned int i = 0; i < n && pos + 4 < outlen; i++)
		pos += (size_t)snprintf(out + pos, outlen - pos, "%s%02X", i ? ":" : "", md[i]);
}

static int verify_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;	/* self-signed by design: checked against the SDP fingerprint instead */
}

/* The write side: every BIO_write is one datagram to the peer. */
static int out_write(BIO *b, const char *data, int len)
{
	struct media_dtls *t = BIO_get_data(b);

	if (!t || !t->peer_len)
		return len;	/* nowhere to send yet: the retransmission timer repeats it */
	if (sendto(t->fd, data, (size_t)len, 0, (struct sockaddr *)&t->peer, t->peer_len) < 0)
		log_debug("media: DTLS send failed: %s", strerror(errno));
	return len;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return DTLS_MTU;
	case BIO_CTRL_WPENDING:
	case BIO_CTRL_PENDING:
		return 0;
	default:
		return 0;
	}
}

static int out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int global_init(void)
{
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (g_ctx)
		return 0;
	if (make_cert(&pkey, &cert) < 0) {
		log_warnx("media: cannot make the DTLS certificate");
		return -EIO;
	}
	g_ctx = SSL_CTX_new(DTLS_method());
	if (!g_ctx || SSL_CTX_use_certificate(g_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(g_ctx, pkey) != 1 ||
	    SSL_CTX_set_tlsext_use_srtp(g_ctx, SRTP_PROFILE) != 0 ||
	    !X509_digest(cert, EVP_sha256(), md, &n))
		goto fail;
	SSL_CTX_set_min_proto_version(g_ctx, DTLS1_2_VERSION);
	SSL_CTX_set_verify(g_ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_any);
	SSL_CTX_set_read_ahead(g_ctx, 1);
	snprintf(g_fingerprint, sizeof(g_fingerprint), "sha-256 ");
	fp_format(md, n, g_fingerprint + 8, sizeof(g_fingerprint) - 8);
	g_out_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "nwit-dtls-out");
	if (!g_out_method)
		goto fail;
	BIO_meth_set_write(g_out_method, out_write);
	BIO_meth_set_ctrl(g_out_method, out_ctrl);
	BIO_meth_set_create(g_out_method, out_create);
	EVP_PKEY_free(pkey);
	X509_free(cert);
	return 0;
fail:
	log_warnx("media: cannot set up OpenSSL for DTLS-SRTP: %s",
		  ERR_error_string(ERR_get_error(), NULL));
	SSL_CTX_free(g_ctx);
	g_ctx = NULL;
	EVP_PKEY_free(pkey);
	X509_free(cert);
	return -EIO;
}

const char *media_dtls_fingerprint(void)
{
	return global_init() == 0 ? g_fingerprint : NULL;
}

void media_dtls_cleanup(void)
{
	SSL_CTX_free(g_ctx);
	g_ctx = NULL;
	BIO_meth_free(g_out_method);
	g_out_method = NULL;
}

int media_dtls_fp_equal(const char *a, const char *b)
{
	while (*a && *b) {
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
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

static void arm_timer(struct media_dtls *t)
{
	struct timeval tv;

	if (DTLSv1_get_timeout(t->ssl, &tv) == 1)
		evtimer_add(t->timer, &tv);
}

static void handshake_done(struct media_dtls *t)
{
	X509 *peer = SSL_get1_peer_certificate(t->ssl);
	SRTP_PROTECTION_PROFILE *prof = SSL_get_selected_srtp_profile(t->ssl);
	unsigned char md[EVP_MAX_MD_SIZE], km[2 * (SRTP_KDF_MASTER_KEY_LEN + SRTP_KDF_MASTER_SALT_LEN)];
	unsigned int n = 0;
	char fp[200];
	struct media_dtls_keys k;
	const uint8_t *ck = km, *sk = km + 16, *cs = km + 32, *ss = km + 46;

	if (!peer) {
		finish(t, 0, NULL, "the browser sent no DTLS certificate");
		return;
	}
	if (!X509_digest(peer, EVP_sha256(), md, &n)) {
		X509_free(peer);
		finish(t, 0, NULL, "cannot hash the browser's certificate");
		return;
	}
	X509_free(peer);
	fp_format(md, n, fp, sizeof(fp));
	if (!media_dtls_fp_equal(fp, t->peer_fp)) {
		log_warnx("media: DTLS certificate %s does not match the SDP fingerprint %s", fp,
			  t->peer_fp);
		finish(t, 0, NULL, "DTLS fingerprint mismatch");
		return;
	}
	if (!prof || prof->id != SRTP_AES128_CM_SHA1_80) {
		finish(t, 0, NULL, "no SRTP profile negotiated (need AES128_CM_SHA1_80)");
		return;
	}
	if (SSL_export_keying_material(t->ssl, km, sizeof(km), "EXTRACTOR-dtls_srtp", 19, NULL, 0,
				       0) != 1) {
		finish(t, 0, NULL, "cannot export the SRTP keying material");
		return;
	}
	/* RFC 5764 4.2: client key, server key, client salt, server salt */
	memcpy(k.local_key, t->client ? ck : sk, 16);
	memcpy(k.local_salt, t->client ? cs : ss, 14);
	memcpy(k.remote_key, t->client ? sk : ck, 16);
	memcpy(k.remote_salt, t->client ? ss : cs, 14);
	OPENSSL_cleanse(km, sizeof(km));
	log_info("media: DTLS-SRTP established (%s, %s, peer fingerprint checked)",
		 t->client ? "client" : "server", SSL_get_version(t->ssl));
	finish(t, 1, &k, NULL);
	OPENSSL_cleanse(&k, sizeof(k));
}

/* Run the handshake as far as it goes; 1 when t was freed by the callback. */
static void drive(struct media_dtls *t)
{
	int rc, err;

	if (t->finished || t->failed)
		return;
	ERR_clear_error();
	rc = SSL_do_handshake(t->ssl);
	if (rc == 1) {
		handshake_done(t);
		return;
	}
	err = SSL_get_error(t->ssl, rc);
	if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
		arm_timer(t);
		return;
	}
	{
		char why[200];

		snprintf(why, sizeof(why), "DTLS handshake failed: %s",
			 ERR_reason_error_string(ERR_get_error()) ?: "protocol error");
		finish(t, 0, NULL, why);
	}
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct media_dtls *t = arg;

	(void)fd;
	(void)what;
	if (t->finished || t->failed)
		return;
	if (DTLSv1_handle_timeout(t->ssl) < 0) {
		finish(t, 0, NULL, "DTLS retransmission limit reached");
		return;
	}
	arm_timer(t);
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
	struct media_dtls *t;
	BIO *wbio;
	struct timeval limit = { DTLS_HANDSHAKE_LIMIT_S, 0 };

	if (global_init() < 0)
		return NULL;
	if (!peer_fp_alg || strcasecmp(peer_fp_alg, "sha-256") != 0) {
		log_warnx("media: browser fingerprint algorithm %s is not sha-256",
			  peer_fp_alg ? peer_fp_alg : "(none)");
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->base = base;
	t->fd = fd;
	t->client = client;
	t->cb = cb;
	t->arg = arg;
	snprintf(t->peer_fp, sizeof(t->peer_fp), "%s", peer_fp);
	t->ssl = SSL_new(g_ctx);
	t->rbio = BIO_new(BIO_s_mem());
	wbio = BIO_new(g_out_method);
	t->timer = evtimer_new(base, on_timer, t);
	t->deadline = evtimer_new(base, on_deadline, t);
	if (!t->ssl || !t->rbio || !wbio || !t->timer || !t->deadline) {
		BIO_free(wbio);
		BIO_free(t->rbio);
		t->rbio = NULL;
		media_dtls_free(t);
		return NULL;
	}
	BIO_set_mem_eof_return(t->rbio, -1);
	BIO_set_data(wbio, t);
	SSL_set_bio(t->ssl, t->rbio, wbio);
	SSL_set_options(t->ssl, SSL_OP_NO_QUERY_MTU);
	SSL_set_mtu(t->ssl, DTLS_MTU);
	DTLS_set_link_mtu(t->ssl, DTLS_MTU);
	if (client)
		SSL_set_connect_state(t->ssl);
	else
		SSL_set_accept_state(t->ssl);
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
	SSL_free(t->ssl);	/* frees both BIOs */
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
		drive(t);
	}
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
	if (t->finished) {
		/* a retransmitted final flight from the peer: let OpenSSL answer it */
		unsigned char buf[256];

		BIO_write(t->rbio, pkt, (int)len);
		(void)SSL_read(t->ssl, buf, sizeof(buf));
		(void)BIO_reset(t->rbio);
		return;
	}
	t->started = 1;
	BIO_write(t->rbio, pkt, (int)len);
	drive(t);
	if (!t->finished && !t->failed)
		(void)BIO_reset(t->rbio);	/* only this datagram was for this read */
}

int media_dtls_done(const struct media_dtls *t)
{
	return t && t->finished;
}
