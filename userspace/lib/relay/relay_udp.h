/*
 * The userspace media relay on libevent: one relay_flow (relay.h) on its own UDP
 * sockets, one per side with rtcp-mux, else one for RTP and one for RTCP. Datagrams
 * are read and written in batches (recvmmsg/sendmmsg). What is not media (STUN, DTLS)
 * goes to a callback so the ICE/DTLS code can answer on the same socket.
 */
#ifndef NWIT_RELAY_UDP_H
#define NWIT_RELAY_UDP_H

#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <jansson.h>

#include "relay/relay.h"

struct relay_udp;

/* A datagram that is not RTP/RTCP, received on fd (the side's socket for port). */
typedef void (*relay_udp_other_cb)(struct relay_udp *r, enum relay_side side,
				   enum relay_port port, int fd, const uint8_t *pkt, size_t len,
				   const struct sockaddr *src, socklen_t srclen, void *arg);

struct relay_udp_stats {
	uint64_t wakeups;	/* read events handled */
	uint64_t rx, tx;	/* datagrams received, sent */
	uint64_t rx_errors, tx_errors;
	uint64_t other;		/* handed to the not-media callback */
};

/*
 * Bind the sockets of desc's local addresses (port 0 picks a free port), set DSCP and
 * start reading on base. other may be NULL (not-media datagrams are then only counted).
 * Returns NULL with errno set; the reason is logged.
 */
struct relay_udp *relay_udp_new(struct event_base *base, const struct relay_flow_desc *desc,
				relay_udp_other_cb other, void *arg);
void relay_udp_free(struct relay_udp *r);

/* The bound address of a side's transport; -ENOENT for RTCP on an rtcp-mux side. */
int relay_udp_local_addr(const struct relay_udp *r, enum relay_side side,
			 enum relay_port port, struct sockaddr_storage *out);
struct relay_flow *relay_udp_flow(const struct relay_udp *r);
const struct relay_udp_stats *relay_udp_stats(const struct relay_udp *r);

/* {"rx":..,"tx":..,..,"browser":{"packets":..,"bytes":..,"drops":{reason:n}},"ims":{..}} */
json_t *relay_udp_stats_json(const struct relay_udp *r);

#endif
