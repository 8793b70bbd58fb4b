/*
 * Inside a call's media (media/): the state media.c and media_stats.c share. Only they
 * include this; the rest of nwitd sees media/media.h.
 */
#ifndef NWITD_MEDIA_STATE_H
#define NWITD_MEDIA_STATE_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/event.h>

#include "media/media.h"
#include "media/media_dtls.h"
#include "webrtc/bundle_demux.h"
#include "relay/relay.h"

struct media_dc;
struct fastpath;

/* One m= line's media: its IMS port pair and the relay between it and the bundle. */
struct media_stream {
	struct media *m;
	unsigned idx;			/* IMS m= index = port pair index */
	int ifd[2];
	struct event *iev[2];
	struct sockaddr_storage ilocal[2];

	/* from the last answer step */
	int used;			/* an active audio/video m= line maps here */
	enum sdp_stream_kind kind;
	char mid[33];
	struct sockaddr_storage ims_remote[2];
	uint8_t pt_to_ims[128], pt_to_webrtc[128];

	struct relay_flow *flow;
	uint32_t fp_flow[2];		/* kernel flow per direction, by enum relay_side */

	struct {
		uint64_t rx_ims, tx_ims, tx_browser;
		uint64_t rtp_in_userspace[2];	/* RTP (not RTCP) relayed here, by sender */
		uint64_t ssrc_collision;	/* IMS SSRC already used by another stream */
	} st;
};

struct media {
	struct event_base *base;
	int bfd;
	struct event *bev, *tick, *fail_ev;
	struct sockaddr_storage blocal;
	char ufrag[9], pwd[25];
	char peer_ufrag[257];		/* the browser's, once its SDP is known */
	char ims_addr[INET6_ADDRSTRLEN];

	/* IMS port pairs, one per IMS m= line, opened as the offers need them */
	unsigned npairs;
	struct media_stream s[MEDIA_MAX_STREAMS];
	struct bundle_demux demux;	/* browser packets -> stream */
	struct bundle_demux ims_ssrcs;	/* SSRCs each IMS stream sends toward the browser */

	/* from the SDP answer step */
	int configured;
	int dtls_client;
	char fp_alg[16], fp[200];
	time_t configured_at;
	unsigned ice_timeout_s;		/* for the first check after configured_at */

	/* ICE */
	struct sockaddr_storage bremote;
	socklen_t bremote_len;
	time_t last_consent;

	/* DTLS */
	struct media_dtls *dtls;
	int have_keys;
	struct media_dtls_keys keys;
	struct media_dc *dc;		/* data channels, when the call has them */

	/* the BPF fast path, when loaded */
	struct fastpath *fpath;
	uint32_t fp_bundle;		/* the browser 5-tuple's bundled kernel flow */
	int fp_failed;

	media_fail_cb fail;
	void *arg;
	char fail_why[200];
	int failed;

	struct {
		uint64_t stun_ok, stun_bad, stun_unauth, dtls_in, media_early, other;
		uint64_t rx_browser, no_stream;
	} st;
};

/* The port of ss (IPv4 or IPv6), host order. */
uint16_t media_sa_port(const struct sockaddr_storage *ss);

#endif
