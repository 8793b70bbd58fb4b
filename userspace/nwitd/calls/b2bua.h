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
struct app_http;
struct b2bua;

extern const struct nwitd_service b2bua_service;

/* From the app endpoint: an authorized request or a response on ws. 0 when taken. */
int b2bua_app_message(struct nwitd *d, struct app_ws *ws, const char *msg, size_t len);
/* The WebSocket ws is going away: end or cancel its calls. */
void b2bua_app_closed(struct nwitd *d, struct app_ws *ws);
/*
 * From the IMS transport: a message that is not a response to REGISTER. Returns 0 when
 * the B2BUA took it, -ENOENT when it is for the registration (a REGISTER response).
 */
int b2bua_ims_message(struct nwitd *d, const char *msg, size_t len);

/* Provided by app_ws.c for the B2BUA. */
/* Queue a SIP message to the app on ws and start writing it. */
void app_ws_send(struct app_ws *ws, const char *text, size_t len);
/* The session after prev (NULL: the first) that is authorized for scope and registered. */
struct app_ws *app_ws_next_callable(struct app_http *a, struct app_ws *prev, unsigned scope);
/* The app id of an authorized session ("-" otherwise), and the local address it reached. */
const char *app_ws_app_id(const struct app_ws *ws);

#endif
