/* Pieces shared by the two call directions of the SDP translator (internal). */
#ifndef NWIT_SDP_TRANSLATE_UTIL_H
#define NWIT_SDP_TRANSLATE_UTIL_H

#include <stdarg.h>

#include "sdp/sdp_translate.h"

/* Write the reason into err and return rc. */
int xl_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

enum sdp_stream_kind xl_kind(const struct sdp_media *m);
bool xl_is_webrtc_rtp(const struct sdp_media *m); /* UDP/TLS/RTP/SAVP(F) */
bool xl_is_ims_rtp(const struct sdp_media *m);	  /* RTP/AVP or RTP/AVPF */

/* a=sendrecv/sendonly/recvonly/inactive of the media section, else of the session. */
enum sdp_direction xl_direction(const struct sdp_session *s, const struct sdp_media *m);
const char *xl_direction_name(enum sdp_direction d);
bool xl_dir_sends(enum sdp_direction d);

/* a=setup of the media section, else of the session; -1 for a value we refuse. */
int xl_setup(const struct sdp_session *s, const struct sdp_media *m);

/* A session with v=, o=, s=, c=, t= for the given side. */
int xl_new_session(const char *addr, uint64_t sess_id, uint64_t sess_version,
		   struct sdp_session **out);

/* m= format, a=rtpmap and (if fmtp) a=fmtp for codec c under payload type pt. */
int xl_add_codec(struct sdp_session *s, struct sdp_media *m, const struct sdp_codec *c,
		 uint8_t pt, const char *fmtp);

/* Copy a=ptime and a=maxptime from one media section to another. */
int xl_copy_ptime(struct sdp_session *s, struct sdp_media *to, const struct sdp_media *from);

/* ICE-lite/DTLS transport attributes of the gateway's browser-facing side. */
int xl_add_webrtc_transport(struct sdp_session *s, struct sdp_media *m,
			    const struct sdp_webrtc_local *wl, enum sdp_setup setup);
/* a=msid (when msid_stream is set) and a=ssrc (when ssrc[i] and cname are) for the
 * gateway's stream in browser-side m= index i. */
/* fmt webrtc-datachannel, the WebRTC transport, mid, sctp-port, max-message-size. */
int xl_add_webrtc_datachannel(struct sdp_session *s, struct sdp_media *m,
			      const struct sdp_webrtc_local *wl, const char *mid,
			      enum sdp_setup setup);
/* The end of a translation step: *out = s when rc is 0; otherwise s is freed and an
 * out-of-memory failure says what was being built ("browser answer", ...). Returns rc. */
int xl_finish(struct sdp_session *s, int rc, struct sdp_session **out, const char *what,
	      char *err, size_t errlen);
/* The codecs of an offered and of an answered m= line: 0 (counts in *no, *na) or -errno. */
int xl_parse_codecs(const struct sdp_media *om, struct sdp_codec *oc, int *no,
		    const struct sdp_media *am, struct sdp_codec *ac, int *na, char *err,
		    size_t errlen);
int xl_add_webrtc_ssrc(struct sdp_session *s, struct sdp_media *m,
		       const struct sdp_webrtc_local *wl, unsigned i, const char *mid);

/* Take the browser's ICE credentials and DTLS fingerprint from m (or the session). */
int xl_read_webrtc_transport(const struct sdp_session *s, const struct sdp_media *m,
			     struct sdp_xlate *x, char *err, size_t errlen);

/* The first a=ssrc of m, 0 when none. */
uint32_t xl_first_ssrc(const struct sdp_media *m);

/* The IMS peer's RTP and RTCP address of m (c=, port, a=rtcp, RFC 3605). */
int xl_read_ims_remote(const struct sdp_session *s, const struct sdp_media *m,
		       struct sdp_xlate_stream *st, char *err, size_t errlen);

/*
 * True when m offers feedback fb ("nack", "nack pli" or "ccm fir", the kinds both
 * browsers and RTP/AVPF IMS peers use) for payload type pt, directly or with "*".
 */
bool xl_has_rtcp_fb(const struct sdp_media *m, uint8_t pt, const char *fb);
/* The feedback kinds xl_has_rtcp_fb() knows, NULL-terminated. */
extern const char *const xl_rtcp_fb_kinds[];

/* Keep the codecs of in[] allowed by mask, telephone-event only at a kept clock rate. */
unsigned xl_filter_codecs(const struct sdp_codec *in, unsigned n, uint32_t mask,
			  struct sdp_codec *out, unsigned max, unsigned *n_media_codecs);

/* The local IMS port for IMS-side m= index i (0: none, refuse the m= line); -EINVAL if odd. */
int xl_ims_port(const struct sdp_ims_local *il, unsigned i, uint16_t *port, char *err,
		size_t errlen);

/* How many audio/video streams come before stream i (the index into rtp_port[]). */
unsigned xl_rtp_ordinal(const struct sdp_xlate *x, unsigned i);

/* Append a payload-type rewrite unless from is already mapped. */
void xl_map_add(struct sdp_pt_map *map, unsigned *n, uint8_t from, uint8_t to,
		enum sdp_codec_id codec);

/* "a=group:BUNDLE ..." of s, or NULL; true when mid is listed in it. */
const char *xl_bundle_group(const struct sdp_session *s);
bool xl_in_group(const char *group, const char *mid);

/* --- MSRP (sdp_translate_msrp.c) --- */
/* The caller gave both of its MSRP URIs: data channels map to m=message. */
bool xl_msrp_wanted(const struct sdp_webrtc_local *wl, const struct sdp_ims_local *il);
bool xl_is_ims_msrp(const struct sdp_media *m); /* m=message TCP/MSRP or TCP/TLS/MSRP */
/* The browser's a=sctp-port, a=max-message-size and (if any) MSRP a=dcmap/a=dcsa. */
int xl_msrp_read_dc(const struct sdp_media *m, struct sdp_xlate_msrp *ms, char *err,
		    size_t errlen);
/* Add "m=message <our port> TCP/MSRP *" with our a=path and setup, the other attributes
 * from `from` (the browser's, or NULL: accept-types "*"). */
int xl_msrp_add_ims(struct sdp_session *s, const struct sdp_ims_local *il,
		    const struct sdp_msrp *from, enum sdp_msrp_setup setup, char *err,
		    size_t errlen);
int xl_msrp_add_rejected_ims(struct sdp_session *s); /* m=message 0 TCP/MSRP * */
/* Add a=dcmap:<stream> subprotocol="msrp";label="msrp" and a=dcsa lines: our path, the
 * rest from `from` (the IMS peer's). */
int xl_msrp_add_dc(struct sdp_session *s, struct sdp_media *m, const struct sdp_webrtc_local *wl,
		   uint16_t stream, const struct sdp_msrp *from, char *err, size_t errlen);

#endif
