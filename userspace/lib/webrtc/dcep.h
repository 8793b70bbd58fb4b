/*
 * The Data Channel Establishment Protocol (RFC 8832): DATA_CHANNEL_OPEN and
 * DATA_CHANNEL_ACK, carried on the channel's own SCTP stream with PPID 50.
 */
#ifndef NWIT_DCEP_H
#define NWIT_DCEP_H

#include <stddef.h>
#include <stdint.h>

/* SCTP payload protocol identifiers of WebRTC data channels (RFC 8831 section 8) */
#define DC_PPID_DCEP 50
#define DC_PPID_STRING 51
#define DC_PPID_BINARY 53
#define DC_PPID_STRING_EMPTY 56
#define DC_PPID_BINARY_EMPTY 57

#define DCEP_OPEN 0x03
#define DCEP_ACK 0x02

/* Channel types (RFC 8832 section 8.2.2); 0x80 = unordered */
#define DCEP_RELIABLE 0x00
#define DCEP_PARTIAL_REXMIT 0x01
#define DCEP_PARTIAL_TIMED 0x02
#define DCEP_UNORDERED 0x80

#define DCEP_LABEL_MAX 256    /* we refuse longer labels and protocols */
#define DCEP_OPEN_HEADER 12

struct dcep_open {
	uint8_t channel_type;
	uint16_t priority;
	uint32_t reliability;
	char label[DCEP_LABEL_MAX + 1];
	char protocol[DCEP_LABEL_MAX + 1];
};

/*
 * Parse a DCEP message. Returns DCEP_OPEN (o filled) or DCEP_ACK, or -EBADMSG (too short,
 * lengths beyond the message, trailing bytes, unknown channel type, NUL in label or
 * protocol), -ENAMETOOLONG (label or protocol over DCEP_LABEL_MAX), -ENOTSUP (another
 * message type), with the reason in err. Counted (dcep_malformed).
 */
int dcep_parse(const uint8_t *msg, size_t len, struct dcep_open *o, char *err, size_t errlen);

/* Write a DATA_CHANNEL_OPEN. Its length, -ENOSPC, or -EINVAL (label/protocol too long). */
int dcep_build_open(const struct dcep_open *o, uint8_t *buf, size_t cap);

/* Write a DATA_CHANNEL_ACK (one byte). 1 or -ENOSPC. */
int dcep_build_ack(uint8_t *buf, size_t cap);

#endif
