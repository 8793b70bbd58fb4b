/*
 * The parts of nwitd that run inside its event loop (IMS registration, the app
 * endpoint, the fast path, ...). Each one is described by a struct nwitd_service;
 * services.c lists them in start order. Adding a part = one file + one row there.
 */
#ifndef NWITD_SERVICE_H
#define NWITD_SERVICE_H

#include <jansson.h>

#include "core/config.h"

struct nwitd;

struct nwitd_service {
	const char *name;	/* its section in `nwitctl status` / `stats` */
	/* Start with d->conf; returns 0 or -errno (the daemon then stops, reason logged). */
	int (*start)(struct nwitd *d);
	/* Stop and free everything; called in reverse order, also after a failed start. */
	void (*stop)(struct nwitd *d);
	/* d->conf was replaced by a valid new configuration; old is the previous one. */
	void (*reload)(struct nwitd *d, const struct nwit_config *old);
	/* New references, or NULL when the part has nothing to say. */
	json_t *(*status)(struct nwitd *d);
	json_t *(*stats)(struct nwitd *d);
};

extern const struct nwitd_service *const nwitd_services[];

int services_start(struct nwitd *d);
void services_stop(struct nwitd *d);
void services_reload(struct nwitd *d, const struct nwit_config *old);
/* Add each service's status (or stats) object to obj under its name. */
void services_report(struct nwitd *d, json_t *obj, int stats);

#endif
