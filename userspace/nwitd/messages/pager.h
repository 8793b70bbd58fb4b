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

extern const struct nwitd_service pager_service;

/*
 * From the app endpoint: an authorized request or a response on ws. 0 when it was a
 * pager-mode MESSAGE (or a response to one) and is handled, -ENOENT when it is not.
 */
int pager_app_message(struct nwitd *d, struct app_ws *ws, const char *msg, size_t len);
/* The WebSocket ws is going away: its pending messages lose their app. */
void pager_app_closed(struct nwitd *d, struct app_ws *ws);
/*
 * From the IMS transport: 0 when msg was a MESSAGE (or a response to ours) and is
 * handled, -ENOENT when it is not.
 */
int pager_ims_message(struct nwitd *d, const char *msg, size_t len);
/* 1 when messages are carried (the service runs). */
int pager_available(struct nwitd *d);

#endif
