/*
 * RTP across a transcoder: reading a packet's header, and mapping timestamps, sequence
 * numbers and the marker bit from one leg's clock rate to the other's. The output is a
 * new stream: its own SSRC, its own contiguous sequence numbers (one per packet sent),
 * and timestamps that keep the input's timing at the output rate
 * (out = base + (in - first in) * out_rate / in_rate, on 64-bit extended timestamps).
 * Duplicate and late packets are refused; a new input SSRC starts a new mapping that
 * continues the output's timeline. RFC 4733 telephone events are rescaled too.
 */
#ifndef NWIT_CODEC_RTP_MAP_H
#define NWIT_CODEC_RTP_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rtp_view {
	uint8_t pt;
	bool marker;
	uint16_t seq;
	uint32_t ts, ssrc;
	const uint8_t *payload;
	size_t payload_len; /* without RTP padding */
};

/* Parse an RTP packet (RFC 3550): -EINVAL if it is not one, or its padding is wrong. */
int rtp_view_parse(const uint8_t *pkt, size_t len, struct rtp_view *v);
/* Write a 12-octet RTP header; return 12. */
size_t rtp_header_write(uint8_t *out, uint8_t pt, bool marker, uint16_t seq, uint32_t ts,
			uint32_t ssrc);

struct rtp_map {
	uint32_t in_rate, out_rate;
	uint32_t out_ssrc;
	bool started;
	uint32_t in_ssrc;
	uint16_t in_seq;      /* highest sequence number seen */
	uint32_t in_last_ts;
	int64_t in_ext;       /* extended timestamp of in_last_ts */
	int64_t in_first;     /* extended timestamp the mapping starts at */
	uint32_t out_first;   /* output timestamp of in_first */
	uint16_t out_seq;     /* next sequence number out */
	uint32_t out_next_ts; /* timestamp right after what was last sent */
	bool sent_any;
};

void rtp_map_init(struct rtp_map *m, uint32_t in_rate, uint32_t out_rate, uint32_t out_ssrc,
		  uint16_t first_seq, uint32_t first_ts);
/*
 * Take an input packet: 0 and *out_ts its output timestamp, or -EALREADY for a
 * duplicate or a packet older than the newest seen (it is dropped).
 */
int rtp_map_in(struct rtp_map *m, const struct rtp_view *v, uint32_t *out_ts);
/* A packet goes out with timestamp ts covering `duration` output units: its header. */
size_t rtp_map_out(struct rtp_map *m, uint8_t *out, uint8_t pt, bool marker, uint32_t ts,
		   uint32_t duration);
/* Rescale a duration (RFC 4733 event duration), saturating at 0xffff. */
uint32_t rtp_map_duration(const struct rtp_map *m, uint32_t d);
/*
 * Copy the RFC 4733 events of payload into out with their durations rescaled; return
 * the length, or -EINVAL if the payload is not whole 4-octet events.
 */
int rtp_map_telephone_event(const struct rtp_map *m, const uint8_t *payload, size_t len,
			    uint8_t *out, size_t cap);

#endif
