/*
 * One MSRP connection over TCP (RFC 4975) on a libevent bufferevent: frames are read
 * with msrp_parse, SEND chunks are reassembled and answered, a message is sent in
 * chunks with the output buffer as flow control, and AUTH toward a relay (RFC 4976)
 * learns its Use-Path. Requests whose To-Path does not end in one of the connection's
 * sessions get 481.
 *
 * A frame that parses up to its transaction id and paths but is bad (Byte-Range,
 * headers) is answered with an error and skipped to its end-line; a stream that cannot
 * be resynchronised (no end-line, oversize) is closed.
 */
#ifndef NWIT_MSRP_CONN_H
#define NWIT_MSRP_CONN_H

#include <event2/event.h>

#include "msrp/msrp.h"

#define MSRP_CONN_MAX_SESSIONS 4

struct msrp_conn;

struct msrp_conn_cbs {
	/* a whole message arrived for session (one of the local URIs); m->data stays ours */
	void (*on_message)(void *arg, struct msrp_conn *c, const struct msrp_uri *session,
			   const struct msrp_message *m);
	/* the peer's verdict on a message we sent: a REPORT's status, or an error response */
	void (*on_sent)(void *arg, struct msrp_conn *c, const char *message_id,
			unsigned status);
	/* AUTH answered: status, and the relay's Use-Path when 200 */
	void (*on_auth)(void *arg, struct msrp_conn *c, unsigned status,
			const struct msrp_path *use_path);
	/* the connection is over (closed by the peer, or refused for bad input) */
	void (*on_closed)(void *arg, struct msrp_conn *c, const char *why);
};

/* Take over a connected TCP socket. NULL on failure (the fd is then closed). */
struct msrp_conn *msrp_conn_new(struct event_base *base, int fd, const struct msrp_limits *lim,
				const struct msrp_conn_cbs *cbs, void *arg);
void msrp_conn_free(struct msrp_conn *c);

/* Accept requests addressed to this URI. 0, -ENOSPC. */
int msrp_conn_add_session(struct msrp_conn *c, const struct msrp_uri *local);

/* AUTH to a relay, From-Path local. 0 or -errno. */
int msrp_conn_auth(struct msrp_conn *c, const struct msrp_uri *relay,
		   const struct msrp_uri *local);

/*
 * Send a message of len bytes along to (relays first, the peer's session last) from
 * local, in chunks of max_chunk, with Success-Report: yes. data is copied. One message
 * at a time: -EBUSY while one is going out. message_id receives its Message-ID.
 */
int msrp_conn_send(struct msrp_conn *c, const struct msrp_path *to, const struct msrp_uri *local,
		   const char *content_type, const uint8_t *data, size_t len, size_t max_chunk,
		   char message_id[MSRP_IDENT_MAX + 1]);

/* Chunks written so far of the message going out, and whether all were. */
bool msrp_conn_send_done(const struct msrp_conn *c);

#endif
