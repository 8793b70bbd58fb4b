/*
 * The MSRP bridge between a browser's data channel with protocol "msrp" (RFC 8873: one
 * MSRP frame per data channel message) and an MSRP session toward IMS over TCP
 * (RFC 4975), as a pure module: frames go in, frames come out through callbacks; no
 * sockets, no clock.
 *
 * The gateway is the peer of both sides (a back-to-back MSRP endpoint, as the SDP
 * translation makes it): a request is answered on its own hop (200, or the error) and
 * forwarded to the other side with the paths of that side, a new transaction id, the
 * same Message-ID, Byte-Range, flags and data, cut into smaller chunks where the other
 * side takes less (the browser's a=max-message-size; the IMS chunk size). REPORTs are
 * forwarded the same way; an error response to a forwarded chunk becomes a failure
 * REPORT toward the sender (RFC 4975 section 7.1.2, when its Failure-Report allows).
 */
#ifndef NWIT_MSRP_BRIDGE_H
#define NWIT_MSRP_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "msrp/msrp.h"

enum msrp_bridge_side { MSRP_SIDE_DC = 0, MSRP_SIDE_IMS = 1 };

struct msrp_bridge_config {
	struct msrp_uri local[2];   /* the gateway's URI on each side (a=path of our SDP) */
	struct msrp_path peer[2];   /* each peer's a=path (relays first) */
	size_t max_frame[2];	    /* largest frame each side takes (DC: its max-message-size) */
	size_t max_chunk[2];	    /* largest chunk data we send each side (0: no limit) */
	struct msrp_limits lim;	    /* what we accept from either side */
};

struct msrp_bridge_out {
	/* one frame for a side: a data channel message, or bytes on the TCP connection */
	void (*send)(void *arg, enum msrp_bridge_side to, const uint8_t *frame, size_t len);
};

struct msrp_bridge_stats {
	uint64_t forwarded[2];	 /* frames forwarded to each side */
	uint64_t refused[2];	 /* frames refused from each side */
	uint64_t failure_reports; /* REPORTs made from error responses */
};

struct msrp_bridge;

struct msrp_bridge *msrp_bridge_new(const struct msrp_bridge_config *cfg,
				    const struct msrp_bridge_out *out, void *arg);
void msrp_bridge_free(struct msrp_bridge *b);

/*
 * One whole frame from a side (for DC: one data channel message, which must hold
 * exactly one frame). 0 when handled (forwarded or answered), or -errno when refused
 * (the sender got the error response where it could be addressed). err says why.
 */
int msrp_bridge_input(struct msrp_bridge *b, enum msrp_bridge_side from, const uint8_t *frame,
		      size_t len, char *err, size_t errlen);

/*
 * The connection (or channel) of one side is gone mid-transfer: every message with
 * chunks forwarded to that side and not yet answered gets one failure REPORT (408,
 * Byte-Range of the unanswered chunks) toward its sender. Returns how many REPORTs.
 */
unsigned msrp_bridge_side_lost(struct msrp_bridge *b, enum msrp_bridge_side lost);

const struct msrp_bridge_stats *msrp_bridge_stats(const struct msrp_bridge *b);

#endif
