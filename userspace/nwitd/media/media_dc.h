/*
 * WebRTC data channels of a call (RFC 8831, RFC 8261): the SCTP association of
 * userspace/lib/webrtc/datachannel.c over the call's DTLS association (media_dtls), started once
 * the handshake is done, with usrsctp's timers on one libevent timer for the process.
 * Works for data-only sessions (Chromium negotiates use_srtp there too) and next to
 * audio on the same bundled transport.
 */
#ifndef NWITD_MEDIA_DC_H
#define NWITD_MEDIA_DC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

struct media_dc;
struct media_dtls;

struct media_dc_cbs {
	/* the association is up, or gone (why says why; no channel works after that) */
	void (*on_state)(void *arg, bool up, const char *why);
	/* a channel opened by the browser (acknowledged), or by us (acknowledged by it) */
	void (*on_open)(void *arg, uint16_t stream, const char *label, const char *protocol);
	void (*on_message)(void *arg, uint16_t stream, const uint8_t *data, size_t len,
			   bool binary);
	void (*on_close)(void *arg, uint16_t stream);
};

struct media_dc_config {
	uint16_t remote_port;	   /* the browser's a=sctp-port */
	size_t max_message;	   /* what we announced (a=max-message-size) */
	size_t remote_max_message; /* the browser's a=max-message-size */
};

struct media_dc *media_dc_new(struct event_base *base, const struct media_dc_config *cfg,
			      const struct media_dc_cbs *cbs, void *arg);
/* Abort the association (no callbacks after this) and free. */
void media_dc_free(struct media_dc *d);

/* The DTLS association is up: start SCTP over it (our DTLS role picks the stream ids). */
int media_dc_start(struct media_dc *d, struct media_dtls *t);

int media_dc_send(struct media_dc *d, uint16_t stream, const uint8_t *data, size_t len,
		  bool binary);
int media_dc_open(struct media_dc *d, const char *label, const char *protocol,
		  uint16_t *stream);
/* Bytes waiting for SCTP. */
size_t media_dc_queued(const struct media_dc *d);
json_t *media_dc_stats_json(const struct media_dc *d);

#endif
