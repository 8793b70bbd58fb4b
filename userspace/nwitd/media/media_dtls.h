/*
 * DTLS-SRTP toward the browser (RFC 5763, RFC 5764) on a call's media socket: the
 * socket-free helper userspace/lib/webrtc/dtls_srtp.c (DTLS client or server per a=setup, peer
 * certificate checked against the SDP fingerprint, SRTP_AES128_CM_SHA1_80, keys from
 * "EXTRACTOR-dtls_srtp") driven by the socket's datagrams and libevent timers, with one
 * self-signed ECDSA certificate per nwitd process (its SHA-256 fingerprint goes into
 * every SDP we write).
 */
#ifndef NWITD_MEDIA_DTLS_H
#define NWITD_MEDIA_DTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>

#include "srtp/srtp_kdf.h"

struct media_dtls;

struct media_dtls_keys {
	/* what we send (protect with local_*) and what we receive (unprotect with remote_*) */
	uint8_t local_key[SRTP_KDF_MASTER_KEY_LEN], local_salt[SRTP_KDF_MASTER_SALT_LEN];
	uint8_t remote_key[SRTP_KDF_MASTER_KEY_LEN], remote_salt[SRTP_KDF_MASTER_SALT_LEN];
};

/* ok 1 with keys, or 0 with a reason (handshake failed, fingerprint mismatch, timeout). */
typedef void (*media_dtls_done_cb)(void *arg, int ok, const struct media_dtls_keys *keys,
				   const char *why);

/* "sha-256 AB:CD:..." of this process's certificate (made on first use); NULL on failure. */
const char *media_dtls_fingerprint(void);
/* Free the process certificate (at shutdown). */
void media_dtls_cleanup(void);

/*
 * A DTLS association on the UDP socket fd. client: we send the ClientHello (a=setup:active
 * on our side). peer_fp: the peer's "sha-256 AB:..." from its SDP. Returns NULL on failure.
 */
struct media_dtls *media_dtls_new(struct event_base *base, int fd, int client,
				  const char *peer_fp_alg, const char *peer_fp,
				  media_dtls_done_cb cb, void *arg);
void media_dtls_free(struct media_dtls *t);

/* Where to send records (the browser's ICE-selected address); a client starts here. */
void media_dtls_set_peer(struct media_dtls *t, const struct sockaddr *peer, socklen_t len);
/* One received DTLS datagram. */
void media_dtls_input(struct media_dtls *t, const uint8_t *pkt, size_t len,
		      const struct sockaddr *src, socklen_t srclen);
/* 1 when the handshake completed and keys were delivered. */
int media_dtls_done(const struct media_dtls *t);

/*
 * Application data over the association (SCTP for data channels, RFC 8261): records that
 * arrive after the handshake go to data; closed is told once when the association ends
 * afterwards (close_notify, a fatal alert). media_dtls_write sends one record at once
 * (0, -EAGAIN before the handshake, -EMSGSIZE, -ENOBUFS, -EIO).
 */
typedef void (*media_dtls_data_cb)(void *arg, const uint8_t *data, size_t len);
typedef void (*media_dtls_closed_cb)(void *arg, const char *why);
void media_dtls_set_data_cb(struct media_dtls *t, media_dtls_data_cb data,
			    media_dtls_closed_cb closed, void *arg);
int media_dtls_write(struct media_dtls *t, const uint8_t *data, size_t len);
/* Largest record media_dtls_write takes; 1 when we are the DTLS client. */
int media_dtls_data_mtu(struct media_dtls *t);
int media_dtls_is_client(const struct media_dtls *t);

/* Compare "AB:CD:.." fingerprints ignoring case; 1 when equal. */
int media_dtls_fp_equal(const char *a, const char *b);

#endif
