#include "service.h"

#include <string.h>

#include "app/app_http.h"
#include "calls/b2bua.h"
#include "datapath/fastpath_svc.h"
#include "ims/ims_reg.h"
#include "core/log.h"
#include "nwitd.h"
#include "messages/pager.h"
#include "router/sip_router.h"

/* In start order; stopped in reverse. */
const struct nwitd_service *const nwitd_services[] = {
	&sip_router_service,	/* first: the sides raise their messages to it */
	&ims_reg_service,
	&app_http_service,
	&b2bua_service,
	&pager_service,
	&fastpath_service,
	NULL,
};

static size_t started_count;

int services_start(struct nwitd *d)
{
	for (started_count = 0; nwitd_services[started_count]; started_count++) {
		const struct nwitd_service *s = nwitd_services[started_count];
		int rc = s->start ? s->start(d) : 0;

		if (rc < 0) {
			log_warnx("%s: cannot start: %s", s->name, strerror(-rc));
			services_stop(d);
			return rc;
		}
	}
	return 0;
}

void services_stop(struct nwitd *d)
{
	while (started_count > 0) {
		const struct nwitd_service *s = nwitd_services[--started_count];

		if (s->stop)
			s->stop(d);
	}
}

void services_reload(struct nwitd *d, const struct nwit_config *old)
{
	for (size_t i = 0; i < started_count; i++)
		if (nwitd_services[i]->reload)
			nwitd_services[i]->reload(d, old);
}

void services_report(struct nwitd *d, json_t *obj, int stats)
{
	for (size_t i = 0; i < started_count; i++) {
		const struct nwitd_service *s = nwitd_services[i];
		json_t *part = NULL;

		if (stats && s->stats)
			part = s->stats(d);
		else if (!stats && s->status)
			part = s->status(d);
		if (part)
			json_object_set_new(obj, s->name, part);
	}
}
