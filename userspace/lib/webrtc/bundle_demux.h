/*
 * Which stream of a BUNDLE group (RFC 8843) a datagram from the browser belongs to.
 *
 * All media of a call reach the gateway on one 5-tuple; the IMS side has one RTP/RTCP
 * port pair per m= line, so every RTP/RTCP packet must be given to its stream. RFC 8843
 * section 9.2: by SSRC when known (signalled with a=ssrc or learned from an earlier
 * packet), else by payload type (payload types are unique within a BUNDLE group). RTCP
 * carries no payload type: its sender SSRC decides, and an unknown sender goes to the
 * default stream.
 *
 * SSRCs are learned only after the packet that named them was authenticated
 * (bundle_demux_learn), so a forged packet cannot steer a stream. The same table, used
 * for what the IMS side sends, finds an SSRC that two IMS streams would both use toward
 * the browser: with one SRTP master key for the whole bundle that would reuse keystream,
 * so the second stream's packets are refused.
 */
#ifndef NWIT_BUNDLE_DEMUX_H
#define NWIT_BUNDLE_DEMUX_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_MAX_STREAMS 4
#define BUNDLE_MAX_SSRCS 32

struct bundle_demux {
	uint8_t pt_stream[128];		/* stream index + 1; 0 = no stream */
	unsigned nssrc;
	struct {
		uint32_t ssrc;
		uint8_t stream;
	} ssrc[BUNDLE_MAX_SSRCS];
	int default_stream;		/* for RTCP of unknown senders; -1 = none */
};

void bundle_demux_init(struct bundle_demux *d);
/* Forget the payload types (a new answer assigns them again); SSRCs stay. */
void bundle_demux_clear_pts(struct bundle_demux *d);
/* Payload type pt (0..127) belongs to stream; -EINVAL for a bad pt or stream. */
int bundle_demux_set_pt(struct bundle_demux *d, unsigned pt, unsigned stream);
/*
 * SSRC ssrc belongs to stream. Returns 0 (also when already so), -EEXIST when it belongs
 * to another stream (left unchanged), -ENOSPC when the table is full, -EINVAL.
 */
int bundle_demux_learn(struct bundle_demux *d, uint32_t ssrc, unsigned stream);
/* The stream of ssrc, or -ENOENT. */
int bundle_demux_find(const struct bundle_demux *d, uint32_t ssrc);
/* Forget every SSRC of stream (it was removed by a re-offer); returns how many. */
int bundle_demux_forget_stream(struct bundle_demux *d, unsigned stream);

/*
 * The stream of one RTP or RTCP datagram (RFC 5761 demux by the second byte). *ssrc gets
 * the SSRC that decided (RTP SSRC or RTCP sender SSRC). Returns the stream index, or
 * -EBADMSG (too short, not version 2), -ENOENT (RTP of an unknown SSRC with a payload
 * type of no stream; RTCP when there is no default stream).
 */
int bundle_demux_pick(const struct bundle_demux *d, const uint8_t *pkt, size_t len,
		      uint32_t *ssrc);

#endif
