/*
 * Media of one call: the browser-facing UDP socket (ICE-lite, DTLS-SRTP, BUNDLE +
 * rtcp-mux) and the IMS-facing RTP/RTCP pair, joined by the relay core (relay.h) once
 * the DTLS keys, the browser's address and the IMS peer's address are known.
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

#include "sdp_translate.h"

struct media;

/* The media failed for good (DTLS refused, consent lost); the call should end. */
typedef void (*media_fail_cb)(void *arg, const char *why);

struct fastpath;

/* fp: the loaded BPF fast path (fastpath_svc_handle), or NULL for the userspace relay only. */
struct media *media_new(struct event_base *base, struct fastpath *fp, const char *lan_addr,
			const char *ims_addr, media_fail_cb fail, void *arg);
void media_free(struct media *m);

/* Our browser-side transport: port, ICE credentials; IMS RTP port (RTCP is + 1). */
uint16_t media_browser_port(const struct media *m);
uint16_t media_ims_port(const struct media *m);
const char *media_ice_ufrag(const struct media *m);
const char *media_ice_pwd(const struct media *m);

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
