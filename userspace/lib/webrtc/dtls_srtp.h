/*
 * DTLS-SRTP (RFC 5763, RFC 5764) on OpenSSL, without sockets: datagrams go in with
 * dtls_srtp_input() and come out of dtls_srtp_output(), so the caller owns the socket
 * (and its demultiplexing, RFC 7983) and the clock (dtls_srtp_timeout_ms() /
 * dtls_srtp_on_timeout() for retransmissions).
 *
 * The peer's certificate is self-signed and trusted only through the a=fingerprint of
 * its SDP: the handshake fails when they differ. The only SRTP profile offered and
 * accepted is SRTP_AES128_CM_SHA1_80, which the fast path implements.
 */
#ifndef NWIT_DTLS_SRTP_H
#define NWIT_DTLS_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#define DTLS_SRTP_FINGERPRINT_MAX 200 /* "sha-512 " and 64 "XX:" groups fit */
#define DTLS_SRTP_MTU 1200
#define DTLS_SRTP_KEY_LEN 16
#define DTLS_SRTP_SALT_LEN 14
#define DTLS_SRTP_PROFILE_AES128_CM_SHA1_80 0x0001 /* RFC 5764 section 4.1.2 */

/* Our DTLS identity: an ECDSA P-256 key and a self-signed certificate. */
struct dtls_srtp_cert {
	EVP_PKEY *key;
	X509 *cert;
	char fingerprint[DTLS_SRTP_FINGERPRINT_MAX]; /* "sha-256 AB:CD:..." for a=fingerprint */
};

/* Make a new key and certificate (CN=common_name, valid for days). 0, -ENOMEM, -EIO. */
int dtls_srtp_cert_new(const char *common_name, unsigned days, struct dtls_srtp_cert **out);
void dtls_srtp_cert_free(struct dtls_srtp_cert *c);

/*
 * "<alg> XX:XX:..." (uppercase, RFC 8122 section 5) of cert under alg, one of sha-1,
 * sha-224, sha-256, sha-384, sha-512. 0, -ENOTSUP for another alg, -ENOSPC, -EIO.
 */
int dtls_srtp_fingerprint(X509 *cert, const char *alg, char *out, size_t outlen);

/*
 * Does cert hash to value ("XX:XX:...", either case) under alg? 0 when it does, -EACCES
 * when not, -ENOTSUP for an unknown alg, -EINVAL for a malformed value.
 */
int dtls_srtp_fingerprint_check(X509 *cert, const char *alg, const char *value);

struct dtls_srtp;

/*
 * One DTLS association. client: true for a=setup:active (we send the ClientHello).
 * peer_alg/peer_fp: the peer's a=fingerprint, split at the space. NULL on failure with
 * the reason in err.
 */
struct dtls_srtp *dtls_srtp_new(const struct dtls_srtp_cert *cert, bool client,
				const char *peer_alg, const char *peer_fp, char *err,
				size_t errlen);
void dtls_srtp_free(struct dtls_srtp *d);

/* Start the handshake (the client queues its ClientHello). 0 or -EIO. */
int dtls_srtp_start(struct dtls_srtp *d);

/*
 * Feed one received DTLS datagram. Returns 0 (handshake going on or finished), -EIO when
 * the association failed (dtls_srtp_error() says why; any alert is queued for output).
 */
int dtls_srtp_input(struct dtls_srtp *d, const uint8_t *pkt, size_t len);

/*
 * Application data (SCTP for data channels, RFC 8261): records received after the
 * handshake go to cb (during dtls_srtp_input), and dtls_srtp_write() queues one record
 * of at most dtls_srtp_data_mtu() bytes for output. write: 0, -EAGAIN before the
 * handshake finished, -EMSGSIZE, -ENOBUFS when the output queue is full (the record is
 * dropped, as a lost packet would be), -EIO.
 */
void dtls_srtp_set_data_cb(struct dtls_srtp *d,
			   void (*cb)(void *arg, const uint8_t *data, size_t len), void *arg);
int dtls_srtp_write(struct dtls_srtp *d, const uint8_t *data, size_t len);
/* The largest record payload that fits one datagram of DTLS_SRTP_MTU. */
int dtls_srtp_data_mtu(struct dtls_srtp *d);

/* Next datagram to send: its length, 0 when none is queued, -ENOSPC when cap is small. */
int dtls_srtp_output(struct dtls_srtp *d, uint8_t *buf, size_t cap);

/* Milliseconds until dtls_srtp_on_timeout() is due, or -1 when no timer runs. */
long dtls_srtp_timeout_ms(struct dtls_srtp *d);
/* Retransmit the last flight if its timer expired. 0, or -EIO when the peer gave up. */
int dtls_srtp_on_timeout(struct dtls_srtp *d);

bool dtls_srtp_connected(const struct dtls_srtp *d);
bool dtls_srtp_failed(const struct dtls_srtp *d);
const char *dtls_srtp_error(const struct dtls_srtp *d);

struct dtls_srtp_keys {
	uint16_t profile; /* DTLS_SRTP_PROFILE_AES128_CM_SHA1_80 */
	/* what we protect our SRTP/SRTCP with, and what the peer protects its with */
	uint8_t local_key[DTLS_SRTP_KEY_LEN], local_salt[DTLS_SRTP_SALT_LEN];
	uint8_t remote_key[DTLS_SRTP_KEY_LEN], remote_salt[DTLS_SRTP_SALT_LEN];
};

/* The SRTP master keys (RFC 5764 section 4.2) once connected; -EAGAIN before, -EIO. */
int dtls_srtp_keys(struct dtls_srtp *d, struct dtls_srtp_keys *k);

/* The OpenSSL connection (for tests and diagnostics). */
SSL *dtls_srtp_ssl(struct dtls_srtp *d);

#endif
