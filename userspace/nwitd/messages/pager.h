/*
 * Pager-mode messages (SIP MESSAGE, RFC 3428) between web apps and IMS (pager.c,
 * service `messages`). Each MESSAGE is one transaction on each leg; nothing is kept once
 * it is answered (beyond absorbing retransmissions).
 */
#ifndef NWITD_PAGER_H
#define NWITD_PAGER_H

#include <stddef.h>

#include "service.h"

struct nwitd;
struct app_ws;
struct sip_msg;

extern const struct nwitd_service pager_service;

/*
 * From the router (router/sip_router.c), each message parsed once: a MESSAGE outside a
 * dialog from an app or the IMS, and the apps' responses to MESSAGE (responses from IMS
 * reach the pager through its client transactions, sip/sip_txn.h).
 */
void pager_app_request(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m);
void pager_app_response(struct nwitd *d, struct app_ws *ws, const struct sip_msg *m);
void pager_ims_request(struct nwitd *d, const struct sip_msg *m);
/* The WebSocket ws is going away: its pending messages lose their app. */
void pager_app_closed(struct nwitd *d, struct app_ws *ws);

#endif
