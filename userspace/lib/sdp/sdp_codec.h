/*
 * RTP payload formats of one SDP media section (a=rtpmap / a=fmtp, RFC 8866 section 6.6
 * and 6.15, static types of RFC 3551), and the rules that decide whether a format on
 * one side of the gateway is the same codec as a format on the other side (so RTP can
 * pass through without transcoding).
 */
#ifndef NWIT_SDP_CODEC_H
#define NWIT_SDP_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "sdp/sdp.h"

enum sdp_codec_id {
	SDP_CODEC_NONE = 0,
	SDP_CODEC_OPUS,
	SDP_CODEC_PCMU,
	SDP_CODEC_PCMA,
	SDP_CODEC_TELEPHONE_EVENT,
	SDP_CODEC_AMR_WB,
	SDP_CODEC_H264,
	SDP_CODEC_VP8,
	SDP_CODEC_OTHER, /* anything else: rtx, red, ulpfec, CN, G722, VP9, ... never passed on */
};

#define SDP_CODEC_BIT(id) (1u << (id))
/* What browsers decode (RFC 7874, RFC 7742 plus telephone-event). */
#define SDP_CODECS_WEBRTC                                                              \
	(SDP_CODEC_BIT(SDP_CODEC_OPUS) | SDP_CODEC_BIT(SDP_CODEC_PCMU) |                \
	 SDP_CODEC_BIT(SDP_CODEC_PCMA) | SDP_CODEC_BIT(SDP_CODEC_TELEPHONE_EVENT) |     \
	 SDP_CODEC_BIT(SDP_CODEC_H264) | SDP_CODEC_BIT(SDP_CODEC_VP8))
/* What the gateway passes toward IMS: the WebRTC set plus AMR-WB. */
#define SDP_CODECS_IMS (SDP_CODECS_WEBRTC | SDP_CODEC_BIT(SDP_CODEC_AMR_WB))

struct sdp_codec {
	uint8_t pt;
	enum sdp_codec_id id;
	char name[32];     /* encoding name as written (or the static type's name) */
	uint32_t clock;
	uint8_t channels;  /* 1 unless the rtpmap says otherwise */
	const char *fmtp;  /* parameters after "a=fmtp:<pt> ", or NULL */
	/* H.264 (RFC 6184): profile_idc, profile-iop, level_idc, packetization-mode */
	uint8_t h264_profile, h264_iop, h264_level, h264_mode;
	/* AMR-WB (RFC 4867): octet-align=1 */
	bool amr_octet_align;
};

#define SDP_CODEC_MAX SDP_MAX_FMTS

/*
 * Fill out[] with the formats of m in m= order. Returns how many, or -EINVAL with the
 * reason in err (an rtpmap/fmtp that does not parse, a dynamic type without rtpmap).
 */
int sdp_codecs_parse(const struct sdp_media *m, struct sdp_codec *out, char *err,
		     size_t errlen);

/* True when a and b are the same codec with parameters that let RTP pass unchanged. */
bool sdp_codec_match(const struct sdp_codec *a, const struct sdp_codec *b);

#endif
