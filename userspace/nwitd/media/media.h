/*
 * Media of one call: the browser-facing UDP socket (ICE-lite, DTLS-SRTP, BUNDLE +
 * rtcp-mux) and one IMS-facing RTP/RTCP pair per IMS m= line (audio, video), joined per
 * stream by the relay core (relay.h) once the DTLS keys, the browser's address and the
 * IMS peer's address are known. Packets from the browser are given to their stream by
 * SSRC, else by payload type (bundle_demux.h); each IMS pair sends back to the browser's
 * one 5-tuple.
 *
 *   media_new()        sockets bound (ports known for the SDP we write)
 *   media_set_browser  ICE credentials, fingerprint and DTLS role from the translated SDP
 *   media_set_ims      the IMS peer's RTP/RTCP address and payload type maps
 *   (STUN checks answered, DTLS handshake, keys) -> relay flow running
 */
#ifndef NWITD_MEDIA_H
#define NWITD_MEDIA_H

#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <jansson.h>

#include "sdp/sdp_translate.h"

struct media;

/* The media failed for good (DTLS refused, consent lost); the call should end. */
typedef void (*media_fail_cb)(void *arg, const char *why);

struct fastpath;

/* fp: the loaded BPF fast path (fastpath_svc_handle), or NULL for the userspace relay only. */
struct media *media_new(struct event_base *base, struct fastpath *fp, const char *lan_addr,
			const char *ims_addr, media_fail_cb fail, void *arg);
void media_free(struct media *m);

#define MEDIA_MAX_STREAMS 4	/* IMS m= lines with media; further ones are refused */

/* Our browser-side transport: port, ICE credentials; IMS RTP port (RTCP is + 1). */
uint16_t media_browser_port(const struct media *m);
uint16_t media_ims_port(const struct media *m);
/*
 * Have RTP/RTCP port pairs for the first n IMS m= lines (at most MEDIA_MAX_STREAMS); the
 * first is opened by media_new. Returns 0 or -errno (the pairs opened so far stay).
 */
int media_ims_reserve(struct media *m, unsigned n);
/* The RTP ports of the pairs opened, by IMS m= index; returns how many (<= max). */
unsigned media_ims_ports(const struct media *m, uint16_t *ports, unsigned max);
const char *media_ice_ufrag(const struct media *m);
const char *media_ice_pwd(const struct media *m);

/* Seconds after media_configure() for the browser's first ICE check (default 30). */
void media_set_ice_timeout(struct media *m, unsigned seconds);

/* After an answer step of sdp_translate: browser credentials, DTLS role, IMS peer, PTs. */
int media_configure(struct media *m, const struct sdp_xlate *x);

/*
 * Data channels for this call (media_dc.h): m takes dc over (media_free frees it) and
 * starts its SCTP association once DTLS is up (a failure there fails the media). A call
 * may have data channels only (media_configure then accepts a translation without audio
 * or video). 0, or -EBUSY (dc not taken) when the call has data channels already.
 */
struct media_dc;
int media_attach_dc(struct media *m, struct media_dc *dc);

/* 1 when media flows (DTLS done, both remotes known). */
int media_running(const struct media *m);
json_t *media_stats_json(const struct media *m);

#endif
