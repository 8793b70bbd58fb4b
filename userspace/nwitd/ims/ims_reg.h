/*
 * IMS registration service of nwitd (ims_reg.c). While it runs it is the IMS side of
 * legs.h (d->ims_side: send on the registration's connection, registration info); what
 * it reads from the P-CSCF it raises to d->events unread (the router parses it once).
 */
#ifndef NWITD_IMS_REG_H
#define NWITD_IMS_REG_H

#include "service.h"

struct ims_reg;
struct ims_regevent;
struct sip_msg;

extern const struct nwitd_service ims_reg_service;

/* A response to REGISTER (from its transaction, or a stray one from the router): 0, or
 * -EBADMSG when it was unusable (counted and logged). */
int ims_reg_response(struct ims_reg *r, const struct sip_msg *m);
/* The reg event subscription (ims_regevent.h) the router hands SUBSCRIBE/NOTIFY to. */
struct ims_regevent *ims_reg_regevent(struct ims_reg *r);

#endif
