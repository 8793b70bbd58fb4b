/*
 * The transcoder of one audio stream of a call whose legs share no codec: the browser
 * side speaks Opus (48 kHz) or PCMU/PCMA (8 kHz), the IMS side AMR-WB (16 kHz) or AMR
 * (8 kHz) in the RFC 4867 payload format. It takes plain RTP packets (SRTP is removed
 * and added around it) and returns the packet to send on the other leg, or nothing.
 *
 * Browser -> IMS: decode, resample, encode 20 ms AMR frames in the mode the IMS side's
 * mode-set and CMRs allow; with DTX on, silence becomes SID frames and packets that
 * would carry only NO_DATA are not sent; M=1 on the first speech packet of a talkspurt.
 * IMS -> browser: the payload is checked (bad ones are refused and counted), its CMR is
 * handed to the other direction's encoder, every frame is decoded (SID and NO_DATA give
 * the decoder's comfort noise), resampled and sent as one packet; during the IMS side's
 * DTX only its SID frames' comfort noise reaches the browser, the gaps between them are
 * the browser's to conceal. RFC 4733 telephone events cross with their timestamps and
 * durations rescaled. Each direction is its own RTP stream (rtp_map.h).
 */
#ifndef NWIT_CODEC_XCODE_H
#define NWIT_CODEC_XCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec/amr_fmtp.h"
#include "codec/amr_frame.h"

enum xcode_web_codec { XCODE_WEB_OPUS, XCODE_WEB_PCMU, XCODE_WEB_PCMA };
enum xcode_dir { XCODE_TO_IMS, XCODE_TO_WEB };

struct xcode_config {
	enum xcode_web_codec web;
	uint8_t web_pt;
	int web_te_pt;            /* telephone-event at the web codec's rate; -1 none */
	enum amr_codec ims;
	uint8_t ims_pt;
	int ims_te_pt;            /* telephone-event at the AMR rate; -1 none */
	struct amr_fmtp ims_fmtp; /* the parameters agreed for the IMS side */
	bool dtx;                 /* AMR DTX toward IMS */
	uint32_t ssrc_to_ims, ssrc_to_web;
	int opus_bitrate;         /* bit/s; 0 = 24000 (AMR-WB) or 16000 (AMR) */
	int opus_complexity;      /* 0-10; -1 = 5 */
	int resample_quality;     /* 0-10; -1 = 3 (libspeexdsp's VoIP quality) */
};

struct xcode_stats {
	uint64_t packets_in[2], packets_out[2]; /* [enum xcode_dir] */
	uint64_t events[2];                     /* telephone-event packets passed */
	uint64_t late[2], bad_rtp[2], codec_errors[2];
	uint64_t amr_refused, amr_ignored;      /* IMS payloads refused, with warnings */
	uint64_t silent_frames;                 /* AMR frames toward IMS not sent (DTX) */
	uint64_t sid_frames[2];                 /* SID frames sent to / received from IMS */
};

struct xcode;

/* Defaults for the given codecs (payload types 111/96, no telephone-event, DTX on). */
void xcode_config_default(struct xcode_config *c, enum xcode_web_codec web, enum amr_codec ims);
int xcode_new(const struct xcode_config *c, struct xcode **out, char *err, size_t errlen);
void xcode_free(struct xcode *x);

/*
 * One RTP packet from the browser (XCODE_TO_IMS) or the IMS peer (XCODE_TO_WEB): the
 * packet to send on the other leg is written to out (cap octets, 1500 is always
 * enough); return its length, 0 when nothing is to be sent, or -errno with the reason
 * in err: -EINVAL not RTP or not a negotiated payload type, -EALREADY duplicate or late,
 * -EBADMSG/-E2BIG an AMR payload refused (amr_payload.h), -EIO a codec failure.
 */
int xcode_packet(struct xcode *x, enum xcode_dir dir, const uint8_t *pkt, size_t len,
		 uint8_t *out, size_t cap, char *err, size_t errlen);

const struct xcode_stats *xcode_get_stats(const struct xcode *x);
/* "opus/48000 <-> AMR-WB/16000 (octet-aligned, mode 2)" for status output */
const char *xcode_describe(const struct xcode *x, char *buf, size_t len);

#endif
