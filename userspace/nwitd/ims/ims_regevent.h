/*
 * The reg event subscription of the IMS registration (ims_regevent.c): SUBSCRIBE to the
 * registration's own state (RFC 3680, TS 24.229 5.1.1.3) and acting on its NOTIFYs
 * (TS 24.229 5.1.1.5, 5.1.1.7). ims_reg.c owns it and drives it, and is its host: the
 * subscription reaches the registration only through the ops it was given.
 */
#ifndef NWITD_IMS_REGEVENT_H
#define NWITD_IMS_REGEVENT_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "legs.h"

struct ims_regevent;
struct sip_msg;

/* What a NOTIFY tells the registration to do. */
enum ims_reg_netev {
	IMS_NETEV_REREGISTER,	/* binding deactivated or expired: initial registration now */
	IMS_NETEV_RETRY_AFTER,	/* probation: initial registration after seconds */
	IMS_NETEV_STOP,		/* rejected / unregistered by the network: stop */
	IMS_NETEV_SHORTEN,	/* the binding now expires in seconds: refresh earlier */
};

/* The registration, as the subscription sees it (ims_reg.c fills it); ctx is its own. */
struct regevent_host_ops {
	/* Send one SIP message to the P-CSCF on the registration's connection. */
	int (*send)(void *ctx, const char *buf, size_t len);
	/* Send buf, the response (status) to req, through req's server transaction. */
	int (*reply)(void *ctx, const struct sip_msg *req, int status, const char *buf,
		     size_t len);
	int (*info)(void *ctx, struct ims_reg_info *info);
	void (*network_event)(void *ctx, enum ims_reg_netev ev, long seconds, const char *why);
	/* Authorization header value answering a challenge to a request of ours other than
	 * REGISTER with the registration's credentials. Returns 0 or -errno. */
	int (*answer_challenge)(void *ctx, const char *challenge, const char *method,
				const char *uri, char *out, size_t outlen);
};

/* expires: what SUBSCRIBE asks for ([ims] reg_event_expires); 0 = never subscribe. */
struct ims_regevent *regevent_new(const struct regevent_host_ops *host, void *ctx,
				  struct event_base *base, uint32_t expires);
void regevent_free(struct ims_regevent *s);

/* After an initial registration: subscribe (unless a subscription is already running). */
void regevent_start(struct ims_regevent *s);
/* The registration is gone (or starts anew): forget the dialog without a word. */
void regevent_reset(struct ims_regevent *s);
/* Shutdown: SUBSCRIBE Expires: 0; regevent_unsubscribing() is true until it is answered
 * or a short deadline passes. */
void regevent_unsubscribe(struct ims_regevent *s);
int regevent_unsubscribing(const struct ims_regevent *s);

/*
 * A message from the P-CSCF, parsed once by the router (sip_msg_parse_keep): NOTIFY
 * requests of the reg event package (and NOTIFYs that name no event package, or our
 * subscription's Call-ID) and responses to SUBSCRIBE are ours. Returns 0 when handled
 * (answered, counted), -ENOENT when the message is not ours.
 */
int regevent_message(struct ims_regevent *s, const struct sip_msg *m);

json_t *regevent_status(const struct ims_regevent *s);

#endif
