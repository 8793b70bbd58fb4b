/*
 * WebRTC data channels (RFC 8831, RFC 8832): one SCTP association (usrsctp, AF_CONN)
 * over the DTLS association of a call (RFC 8261), without sockets or threads of its own.
 * SCTP packets leave through cbs->send_packet (the caller passes them to
 * dtls_srtp_write) and enter through dc_assoc_input (from the DTLS data callback); the
 * caller's event loop calls dc_handle_timers every few tens of milliseconds.
 *
 * Channels are opened by either side with DCEP (the DTLS client takes even stream ids,
 * the server odd ones); every channel is reliable and ordered as far as we send;
 * messages are whole (partial deliveries are gathered up to max_message, the
 * a=max-message-size we announce, RFC 8841) and we send none larger than the peer's.
 * Messages that cannot be sent at once wait in a bounded queue.
 */
#ifndef NWIT_DATACHANNEL_H
#define NWIT_DATACHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DC_MAX_CHANNELS 32
#define DC_DEFAULT_SCTP_PORT 5000
#define DC_MAX_STREAMS 1024

struct dc_assoc;

struct dc_cbs {
	/* one SCTP packet for the DTLS association */
	void (*send_packet)(void *arg, const uint8_t *pkt, size_t len);
	/* the association is up (connected) or gone (why says why) */
	void (*on_state)(void *arg, struct dc_assoc *a, bool up, const char *why);
	/* a channel opened by the peer (after we acknowledged it) or acknowledged by it */
	void (*on_open)(void *arg, struct dc_assoc *a, uint16_t stream, const char *label,
			const char *protocol);
	/* a whole message; data is valid during the call */
	void (*on_message)(void *arg, struct dc_assoc *a, uint16_t stream, const uint8_t *data,
			   size_t len, bool binary);
	/* the peer closed the channel (stream reset) */
	void (*on_close)(void *arg, struct dc_assoc *a, uint16_t stream);
};

struct dc_config {
	uint16_t local_port, remote_port; /* a=sctp-port of both sides (5000 by default) */
	bool dtls_client;		  /* our DTLS role: even stream ids when client */
	size_t max_message;		  /* what we accept (our a=max-message-size) */
	size_t remote_max_message;	  /* what the peer accepts (0: 65536, RFC 8841) */
	unsigned mtu;			  /* SCTP packet size (dtls_srtp_data_mtu) */
	size_t queue_max;		  /* bytes waiting to be sent, at most */
};

/* Set up usrsctp for the process (once; later calls do nothing). 0 or -EIO. */
int dc_global_init(void);
/* Run SCTP timers; elapsed_ms since the last call. */
void dc_handle_timers(unsigned elapsed_ms);

struct dc_assoc *dc_assoc_new(const struct dc_config *cfg, const struct dc_cbs *cbs, void *arg,
			      char *err, size_t errlen);
/* Abort the association (no callbacks after this) and free it. */
void dc_assoc_free(struct dc_assoc *a);

/* Start the association (both sides connect, RFC 8841). 0 or -errno. */
int dc_assoc_connect(struct dc_assoc *a);

/* One SCTP packet from the DTLS association. */
void dc_assoc_input(struct dc_assoc *a, const uint8_t *pkt, size_t len);

bool dc_assoc_up(const struct dc_assoc *a);

/* Open a reliable ordered channel; its stream id in *stream. 0, -ENOTCONN, -ENOSPC. */
int dc_open(struct dc_assoc *a, const char *label, const char *protocol, uint16_t *stream);

/*
 * Send one message on an open channel: 0 (sent or queued), -EMSGSIZE (larger than the
 * peer accepts), -ENOBUFS (the queue is full), -ENOENT (no such channel), -ENOTCONN.
 */
int dc_send(struct dc_assoc *a, uint16_t stream, const uint8_t *data, size_t len, bool binary);

/* Bytes queued and not yet taken by SCTP. */
size_t dc_queued(const struct dc_assoc *a);

/* Close a channel (reset its outgoing stream, RFC 8831 section 6.7). 0 or -errno. */
int dc_close(struct dc_assoc *a, uint16_t stream);

/* The protocol of an open channel ("msrp"...), NULL when none. */
const char *dc_protocol(const struct dc_assoc *a, uint16_t stream);

#endif
