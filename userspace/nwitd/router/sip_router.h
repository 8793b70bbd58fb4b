/*
 * The SIP router of nwitd (sip_router.c, service `sip`): every SIP message from either
 * side (legs.h) is parsed here exactly once into one struct sip_msg, then handed by
 * direction, method, dialog and transaction to the service that owns it:
 *
 * From the IMS, a retransmitted request is first absorbed by its server transaction and a
 * response taken by its client transaction (sip/sip_txn.h, the IMS side's layer); what
 * is left is routed:
 *
 *   from the IMS                          from an app (after the app side admits it)
 *   stray REGISTER responses -> ims_reg   MESSAGE outside a dialog, and responses to
 *   SUBSCRIBE responses, NOTIFY             MESSAGE -> messages/pager
 *     -> ims/ims_regevent                 everything else -> calls/b2bua
 *   MESSAGE outside a dialog
 *     -> messages/pager
 *   everything else -> calls/b2bua
 *
 * A request nobody takes: 481 inside an unknown dialog (a To tag, or a method that only
 * exists in a dialog or transaction), 405 with Allow for a known method outside a
 * dialog, 501 with Allow for an unknown one; ACK never gets an answer.
 */
#ifndef NWITD_SIP_ROUTER_H
#define NWITD_SIP_ROUTER_H

#include "service.h"

extern const struct nwitd_service sip_router_service;

#endif
