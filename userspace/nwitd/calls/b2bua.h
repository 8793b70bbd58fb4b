/*
 * The B2BUA of nwitd (b2bua.c): joins a web app's SIP-over-WebSocket call leg to an IMS
 * call leg toward the P-CSCF, translating SDP between WebRTC and IMS (sdp_translate.h)
 * and terminating the browser's media (media.h).
 */
#ifndef NWITD_B2BUA_H
#define NWITD_B2BUA_H

#include <stddef.h>

#include "service.h"

struct nwitd;
struct app_ws;
struct b2bua;
struct sip_msg;

extern const struct nwitd_service b2bua_service;

/*
 * From the router (router/sip_router.c), each message parsed once. A request returns 0
 * when it belongs to a call (or starts one), -ENOENT when no call takes it (the router
 * answers it); responses go to the call and transaction they match, or nowhere.
 */
int b2bua_app_request(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m);
void b2bua_app_response(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m);
int b2bua_ims_request(struct nwitd *d, const struct sip_msg *m);
void b2bua_ims_response(struct nwitd *d, const struct sip_msg *m);
/* The WebSocket ws is going away: end or cancel its calls. */
void b2bua_app_closed(struct nwitd *d, struct app_ws *ws);

#endif
