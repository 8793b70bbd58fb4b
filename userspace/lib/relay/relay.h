/*
 * Media relay core: one call leg pair between the browser side (SRTP, rtcp-mux, BUNDLE:
 * several SSRCs on one 5-tuple) and the IMS side (RTP and RTCP on their own ports, plain
 * or SDES-SRTP). relay_translate() turns one received datagram into the datagram to send
 * on the other side, in place; it does no I/O, so any socket loop (or a test) can drive
 * it. relay_udp.h puts it on libevent UDP sockets.
 *
 * Per side, the description gives the addresses, the crypto (suite INVALID = plain RTP),
 * the keys of what that side sends us (in_*) and of what we send it (out_*), and the
 * rewrite applied to RTP sent out of that side: payload type map and header-extension
 * stripping (extensions negotiated with the browser mean nothing to the IMS side).
 */
#ifndef NWIT_RELAY_H
#define NWIT_RELAY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "srtp/srtp.h"

enum relay_side {
	RELAY_SIDE_BROWSER = 0,
	RELAY_SIDE_IMS = 1,
};

/* Which of a side's two transports (the same one with rtcp-mux). */
enum relay_port {
	RELAY_PORT_RTP = 0,
	RELAY_PORT_RTCP = 1,
};

/* pt_map[pt] = RELAY_PT_MAPPED | new_pt rewrites payload type pt; 0 keeps it. */
#define RELAY_PT_MAPPED 0x80

/* Largest datagram relayed; buffers passed to relay_translate hold RELAY_BUF_SIZE. */
#define RELAY_MAX_PACKET 1600
#define RELAY_BUF_SIZE (RELAY_MAX_PACKET + SRTP_SESSION_MAX_TRAILER_LEN)

struct relay_side_desc {
	/* local and remote transport addresses of RTP and of RTCP (ignored with rtcp_mux) */
	struct sockaddr_storage local[2], remote[2];
	int rtcp_mux;
	enum srtp_suite suite;		/* SRTP_SUITE_INVALID: plain RTP/RTCP */
	uint8_t in_key[SRTP_KDF_MASTER_KEY_LEN], in_salt[SRTP_KDF_MASTER_SALT_LEN];
	uint8_t out_key[SRTP_KDF_MASTER_KEY_LEN], out_salt[SRTP_KDF_MASTER_SALT_LEN];
	uint8_t pt_map[128];		/* for RTP sent out of this side */
	int strip_ext;			/* drop RTP header extensions sent out of this side */
	uint8_t dscp;			/* DSCP of what we send to this side (0..63; 0 = leave) */
	int no_rx;			/* one-way flow: nothing from this side is relayed
					   (dropped as wrong_source); we only send to it */
};

struct relay_flow_desc {
	struct relay_side_desc side[2];	/* indexed by enum relay_side */
};

/* Why relay_translate refused a datagram (index into relay_dir_stats.drops). */
enum relay_drop {
	RELAY_DROP_INVALID = 0,
	RELAY_DROP_NOT_MEDIA,		/* STUN, DTLS, anything not RTP/RTCP (RFC 7983) */
	RELAY_DROP_WRONG_SOURCE,	/* not from the side's remote address */
	RELAY_DROP_MALFORMED,
	RELAY_DROP_AUTH_FAIL,
	RELAY_DROP_REPLAY,
	RELAY_DROP_UNKNOWN_SSRC,
	RELAY_DROP_TOO_BIG,
	RELAY_DROP_ERROR,		/* crypto or stream-table failure */
	RELAY_DROP_SEQ_JUMP,		/* RTP sequence jump not confirmed yet (srtp_replay.h) */
	RELAY_DROP__COUNT,
};

/* Counters of packets received from one side. */
struct relay_dir_stats {
	uint64_t packets, bytes;		/* forwarded: count and bytes as sent */
	uint64_t drops[RELAY_DROP__COUNT];
};

struct relay_flow;

/* A flow for desc; NULL with errno set (EINVAL for a bad description, ENOMEM, EIO). */
struct relay_flow *relay_flow_new(const struct relay_flow_desc *desc);
void relay_flow_free(struct relay_flow *f);
const struct relay_flow_desc *relay_flow_desc(const struct relay_flow *f);
/* Counters of what was received from side. */
const struct relay_dir_stats *relay_flow_stats(const struct relay_flow *f, enum relay_side side);
const char *relay_drop_name(enum relay_drop reason);

/*
 * Follow a new remote address of a side (the browser nominated another ICE pair, the
 * IMS peer moved) while keeping the SRTP state: ROCs, replay windows and used indexes
 * must survive, or a rollover-old call would fail authentication and, worse, a fresh
 * sender state could reuse keystream. port is ignored on an rtcp-mux side. Returns 0,
 * or -EINVAL for an address that is not IPv4/IPv6 or does not fit.
 */
int relay_flow_set_remote(struct relay_flow *f, enum relay_side side, enum relay_port port,
			  const struct sockaddr *addr, socklen_t len);

/*
 * Declare an SSRC on a side's SRTP session with its starting ROC: the session for what
 * the side sends us (outgoing 0) or for what we send it (outgoing 1). Streams of
 * undeclared SSRCs still appear on their first authentic packet, with ROC 0. Returns 0
 * (also when already declared), -EINVAL on a plain side, -ENOBUFS or -ENOMEM.
 */
int relay_flow_add_stream(struct relay_flow *f, enum relay_side side, int outgoing,
			  uint32_t ssrc, uint32_t roc);

/*
 * Translate one datagram received from side `from` on its transport `port`, sent by
 * `src` (NULL skips the source check; with a non-NULL src it must equal the side's
 * remote address). pkt holds cap bytes (>= RELAY_BUF_SIZE is always enough); *len is
 * updated. On success *out_port says which transport of the other side to send it to.
 * Returns 0, or -(errno) with a counted drop reason: -EPROTO not media, -EPERM wrong
 * source, -EMSGSIZE too big, and the srtp.h codes (-EINVAL, -EBADMSG, -EALREADY,
 * -ENOENT, -ENOSPC, -ENOBUFS, -EIO, -ERANGE: an unconfirmed sequence jump of plain RTP
 * about to be protected).
 */
int relay_translate(struct relay_flow *f, enum relay_side from, enum relay_port port,
		    const struct sockaddr *src, uint8_t *pkt, size_t *len, size_t cap,
		    enum relay_port *out_port);

/* RFC 5761 section 4: an RTP/RTCP datagram is RTCP when its second byte is 192..223. */
static inline int relay_is_rtcp(const uint8_t *pkt, size_t len)
{
	return len >= 2 && pkt[1] >= 192 && pkt[1] <= 223;
}

/* Same address family, address and port. */
int relay_sockaddr_equal(const struct sockaddr *a, const struct sockaddr *b);

#endif
