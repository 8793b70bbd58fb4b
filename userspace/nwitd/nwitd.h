/* nwitd: process-wide state shared by its parts. */
#ifndef NWITD_H
#define NWITD_H

#include <time.h>

#include <event2/event.h>

#include "core/config.h"
#include "legs.h"

struct ctl_server;
struct app_http;
struct ims_reg;
struct b2bua;
struct fastpath_svc;
struct pager;
struct sip_router;

struct nwitd {
	struct event_base *base;
	const char *conf_path;
	struct nwit_config conf;	/* the configuration in force */
	time_t started;
	struct ctl_server *ctl;
	struct event *sig_hup, *sig_term, *sig_int;
	char last_reload_error[CONFIG_ERR_MAX];

	/* State of each service (service.h), owned by that service. */
	struct app_http *app;		/* app_http.c: web app endpoint */
	struct ims_reg *ims;		/* ims_reg.c */
	struct b2bua *calls;		/* b2bua.c: calls between apps and IMS */
	struct fastpath_svc *fastpath;	/* fastpath_svc.c: BPF fast path */
	struct pager *pager;		/* pager.c: MESSAGE between apps and IMS */
	struct sip_router *router;	/* router/sip_router.c: each SIP message parsed once */

	/* The SIP sides (legs.h): filled by each side's service while it runs. */
	struct app_side app_side;	/* app/app_ws.c */
	struct ims_side ims_side;	/* ims/ims_reg.c */
	struct leg_events events;	/* filled by the router */
};

/* Parse the file again; apply it only if it is valid. Returns 0 or -1 (reason logged). */
int nwitd_reload(struct nwitd *d);

#endif
