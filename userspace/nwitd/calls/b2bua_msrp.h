/*
 * File transfer of one call (b2bua_msrp.c): the browser's data channel with protocol
 * "msrp" (RFC 8873) joined to an MSRP session toward IMS over TCP (RFC 4975, RFC 4976)
 * by userspace/lib/msrp/msrp_bridge.c.
 *
 *   b2bua_msrp_new()    a TCP socket bound on the IMS-side address: our URIs are known
 *                       for the SDP translation (sdp_ims_local.msrp_uri and
 *                       sdp_webrtc_local.msrp_dc_uri)
 *   b2bua_msrp_start()  after the answer step: data channels on the call's DTLS
 *                       association (media_attach_dc), and toward IMS a connection to the
 *                       first hop of the peer's a=path (or a listener, per a=setup)
 *
 * The browser's path is its a=dcsa path when it wrote one, else the From-Path of the first
 * frame it sends on the channel (RFC 4975 section 5.4: the bodiless SEND that binds a
 * session); frames from IMS wait in the socket until then. When either side goes away
 * mid-transfer, the other gets one 408 failure REPORT per message it was sending
 * (msrp_bridge_side_lost); a call without audio or video then ends (lost callback).
 */
#ifndef NWITD_B2BUA_MSRP_H
#define NWITD_B2BUA_MSRP_H

#include <event2/event.h>
#include <jansson.h>

#include "sdp/sdp.h"
#include "sdp/sdp_translate.h"

struct b2bua_msrp;
struct media;

/* The session is over for good and the call has nothing else; end it. */
typedef void (*b2bua_msrp_lost_cb)(void *arg, const char *why);

/* Does this offer (either side's) ask for file transfer? */
bool b2bua_msrp_wanted(const struct sdp_session *offer);

/* ims_addr: our IMS-side (bearer) address; lan_addr and browser_port: our browser-side
 * transport. NULL on failure (logged). */
struct b2bua_msrp *b2bua_msrp_new(struct event_base *base, const char *ims_addr,
				  const char *lan_addr, uint16_t browser_port,
				  b2bua_msrp_lost_cb lost, void *arg);
void b2bua_msrp_free(struct b2bua_msrp *s);

const char *b2bua_msrp_ims_uri(const struct b2bua_msrp *s);
const char *b2bua_msrp_dc_uri(const struct b2bua_msrp *s);

/* After an answer step with x->msrp.active; later calls (re-INVITEs) change nothing.
 * 0, or -errno with the reason in err. */
int b2bua_msrp_start(struct b2bua_msrp *s, const struct sdp_xlate *x, struct media *m,
		     char *err, size_t errlen);

json_t *b2bua_msrp_json(const struct b2bua_msrp *s);

#endif
