/*
 * WebRTC <-> IMS SDP translation: pure functions of their inputs.
 *
 * The gateway is a back-to-back user agent for media: toward the browser it is an
 * ICE-lite, DTLS-SRTP, BUNDLE + rtcp-mux endpoint (RFC 8829/8843/8839/5763/8842);
 * toward IMS it is a plain RTP/AVP endpoint with one port pair per m= line and neither
 * ICE nor BUNDLE (TS 24.229). Codecs are intersected, never transcoded.
 *
 * Two call directions, each an offer step then an answer step:
 *   browser calls: sdp_xlate_webrtc_offer() (browser offer -> IMS offer), then
 *                  sdp_xlate_ims_answer()   (IMS answer -> browser answer);
 *   IMS calls:     sdp_xlate_ims_offer()    (IMS offer -> browser offer), then
 *                  sdp_xlate_webrtc_answer() (browser answer -> IMS answer).
 * The offer step fills a struct sdp_xlate that the caller keeps and hands to the answer
 * step (it is plain data: which m= line maps to which, and which payload types were
 * offered). After the answer step it also says how to rewrite payload types per
 * direction, where the IMS peer's RTP/RTCP go, and which DTLS role the gateway takes.
 * Re-offers (hold, resume) go through the same functions again.
 *
 * m= lines keep their places: every audio/video m= line on one side has a counterpart
 * on the other, with port 0 when it cannot be used (so re-offers keep the m= order that
 * RFC 3264 section 8 requires). A browser data channel (m=application ...
 * webrtc-datachannel) exists only on the browser side: it is accepted when the caller
 * asks for it (struct sdp_webrtc_local.datachannel) and rejected with port 0 otherwise;
 * other m= lines (m=text, ...) are rejected.
 *
 * MSRP file transfer (when the caller gives both of its MSRP URIs, msrp_dc_uri and
 * msrp_uri): the first browser data channel section becomes an IMS
 * "m=message <port> TCP/MSRP *" section (RFC 4975, RFC 5547) and the first IMS
 * m=message section a browser data channel section carrying a=dcmap/a=dcsa (RFC 8864,
 * RFC 8873). The gateway is the MSRP peer of both sides: each side gets the gateway's own
 * a=path; the peers' paths, setup and the browser's SCTP parameters end up in
 * struct sdp_xlate.msrp for the bridge. A browser offer without a=dcmap (what browsers
 * write) is accepted too: the channel whose DCEP protocol is "msrp" is the MSRP one and
 * the browser's path is learnt from its first frame. Such a call may carry the data
 * channel alone (no audio or video).
 *
 * Dropped on the way: rtx, red, ulpfec, CN and any codec the other side cannot decode;
 * a=extmap, ssrc signalling of the other side, ICE candidates and trickle options;
 * a=rtcp-fb except nack, nack pli and ccm fir offered by both sides when the IMS side is
 * RTP/AVPF (feedback needs AVPF, RFC 4585; our own IMS offers are RTP/AVP).
 */
#ifndef NWIT_SDP_TRANSLATE_H
#define NWIT_SDP_TRANSLATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "sdp/sdp.h"
#include "sdp/sdp_codec.h"
#include "sdp/sdp_msrp.h"

/* a=setup values (RFC 4145, RFC 8842) */
enum sdp_setup {
	SDP_SETUP_NONE = 0,
	SDP_SETUP_ACTPASS,
	SDP_SETUP_ACTIVE,
	SDP_SETUP_PASSIVE,
};

enum sdp_dtls_role {
	SDP_DTLS_ROLE_NONE = 0,
	SDP_DTLS_ROLE_CLIENT, /* a=setup:active */
	SDP_DTLS_ROLE_SERVER, /* a=setup:passive */
};

enum sdp_direction {
	SDP_DIR_NONE = 0,
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

enum sdp_stream_kind {
	SDP_STREAM_NONE = 0,
	SDP_STREAM_AUDIO,
	SDP_STREAM_VIDEO,
	SDP_STREAM_DATACHANNEL,
	SDP_STREAM_OTHER,
	SDP_STREAM_MSRP, /* IMS m=message TCP/MSRP carried as a browser data channel */
};

/* The gateway's browser-facing transport (one bundled ICE-lite candidate). */
struct sdp_webrtc_local {
	const char *addr; /* IPv4 or IPv6 literal */
	uint16_t port;
	const char *ice_ufrag, *ice_pwd; /* RFC 8839: 4-256 and 22-256 ice-chars */
	const char *fingerprint;	 /* "sha-256 AB:CD:..." of our DTLS certificate */
	/* role taken when answering an offer with a=setup:actpass: ACTIVE (JSEP's
	 * choice, RFC 8829 section 5.3.1) or PASSIVE; NONE means ACTIVE */
	enum sdp_setup answer_setup;
	const char *cname;		   /* RTCP CNAME announced in a=ssrc */
	const char *msid_stream;	   /* a=msid stream id; NULL = no a=msid */
	uint32_t ssrc[SDP_MAX_MEDIA];	   /* our SSRC per browser-side m= index; 0 = no a=ssrc */
	uint32_t codecs;		   /* SDP_CODEC_BIT mask; 0 = SDP_CODECS_WEBRTC */
	bool datachannel;		   /* accept a data channel m= line */
	uint16_t sctp_port;		   /* a=sctp-port when accepting one (RFC 8841) */
	uint32_t max_message_size;	   /* a=max-message-size, 0 = not announced */
	/* our browser-side MSRP URI ("msrp://host:port/id;dc"); NULL: no MSRP mapping */
	const char *msrp_dc_uri;
	uint64_t sess_id, sess_version;	   /* o= line */
};

/* The gateway's IMS-facing side. */
struct sdp_ims_local {
	const char *addr; /* IPv4 or IPv6 literal */
	/* RTP port (even; RTCP is port + 1) per IMS-side audio/video m= line, in order (an
	 * m=message line takes none); 0 = none allocated, which refuses that m= line (port 0
	 * on both sides) instead of failing */
	uint16_t rtp_port[SDP_MAX_MEDIA];
	uint32_t codecs; /* SDP_CODEC_BIT mask; 0 = SDP_CODECS_IMS */
	/* our IMS-side MSRP URI ("msrp://addr:port/id;tcp"); NULL: no MSRP mapping */
	const char *msrp_uri;
	uint64_t sess_id, sess_version;
};

#define SDP_XLATE_MAX_PT 16

/* Rewrite RTP payload type from -> to. Identity entries are listed too (an allow-list). */
struct sdp_pt_map {
	uint8_t from, to;
	enum sdp_codec_id codec;
};

/* One offered codec: its number on each side. */
struct sdp_pt_pair {
	uint8_t webrtc_pt, ims_pt;
};

struct sdp_xlate_stream {
	enum sdp_stream_kind kind;
	int webrtc_index, ims_index; /* m= index on each side, -1 when absent there */
	char mid[33];		     /* browser-side a=mid */
	bool active;		     /* both sides accepted it (after the answer step) */
	/* directions as each peer wrote them (the browser's and the IMS peer's SDP) */
	enum sdp_direction webrtc_dir, ims_dir;
	unsigned npairs;
	struct sdp_pt_pair pairs[SDP_XLATE_MAX_PT]; /* offered codecs (offer step) */
	/* after the answer step: payload type rewrites per direction of RTP */
	unsigned n_to_ims, n_to_webrtc;
	struct sdp_pt_map to_ims[SDP_XLATE_MAX_PT], to_webrtc[SDP_XLATE_MAX_PT];
	uint32_t webrtc_ssrc;		/* the browser's first a=ssrc, 0 when none */
	/* the IMS peer's media address (from its offer or answer) */
	char ims_addr[INET6_ADDRSTRLEN];
	uint16_t ims_rtp_port, ims_rtcp_port;
};

/* The MSRP session of a call (one at most), both sides. */
struct sdp_xlate_msrp {
	int stream;		/* index in s[] of the MSRP stream, -1 when none */
	bool active;		/* both sides accepted it (after the answer step) */
	/* the browser side */
	bool dc_mapped;		/* its section had a=dcmap with subprotocol "msrp" */
	uint16_t dc_stream;	/* that a=dcmap stream id */
	uint16_t dc_sctp_port;	/* its a=sctp-port (5000 when absent) */
	uint32_t dc_max_message; /* its a=max-message-size (65536 when absent, RFC 8841) */
	struct sdp_msrp dc;	/* its a=dcsa attributes when dc_mapped (path: its path) */
	/* the IMS side */
	struct sdp_msrp ims;	/* the IMS peer's m=message attributes (path: relays first) */
	bool we_connect;	/* our a=setup toward IMS is active: we connect to path[0] */
};

struct sdp_xlate {
	unsigned nstreams;
	struct sdp_xlate_stream s[SDP_MAX_MEDIA]; /* in the offer's m= order */
	/* the browser's transport, from its offer or answer */
	char ice_ufrag[257], ice_pwd[257];
	char fingerprint_alg[16];
	char fingerprint[200];
	enum sdp_dtls_role dtls_role; /* the gateway's role, known after the answer step */
	struct sdp_xlate_msrp msrp;
	/* on failure: the SIP Warning code for the 488 (RFC 3261 section 20.43) */
	int warning;
};

/*
 * Error returns of the four functions (err holds a sentence for logs and the Warning):
 *   -EINVAL           malformed or incoherent SDP (answer 488, or 400 for garbage)
 *   -ENOTSUP          a WebRTC feature the gateway requires is missing (no BUNDLE, no
 *                     rtcp-mux, no DTLS fingerprint, a=setup:holdconn): answer 488
 *   -EPROTONOSUPPORT  no common codec / no usable media: answer 488 with x->warning
 *                     (304 media type not available, 305 incompatible media format)
 *   -ENOMEM
 * On success *out is a new session owned by the caller (sdp_free).
 */
int sdp_xlate_webrtc_offer(const struct sdp_session *offer, const struct sdp_webrtc_local *wl,
			   const struct sdp_ims_local *il, struct sdp_xlate *x,
			   struct sdp_session **out, char *err, size_t errlen);
int sdp_xlate_ims_answer(const struct sdp_session *webrtc_offer,
			 const struct sdp_session *ims_answer, const struct sdp_webrtc_local *wl,
			 struct sdp_xlate *x, struct sdp_session **out, char *err, size_t errlen);
int sdp_xlate_ims_offer(const struct sdp_session *offer, const struct sdp_ims_local *il,
			const struct sdp_webrtc_local *wl, struct sdp_xlate *x,
			struct sdp_session **out, char *err, size_t errlen);
int sdp_xlate_webrtc_answer(const struct sdp_session *ims_offer,
			    const struct sdp_session *webrtc_answer, const struct sdp_ims_local *il,
			    struct sdp_xlate *x, struct sdp_session **out, char *err,
			    size_t errlen);

#endif
