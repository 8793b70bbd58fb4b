/*
 * What the app endpoint shows of the other parts of nwitd: IMS registration state (the
 * IMS side of legs.h), fast path state, which services run. It reads them; it never
 * calls a service (messages go through the router, sip_router.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/app_http.h"
#include "datapath/fastpath_svc.h"
#include "fastpath/fastpath.h"
#include "nwitd.h"

void app_ims_view(struct nwitd *d, struct app_ims_view *v)
{
	struct ims_reg_info info;

	memset(v, 0, sizeof(*v));
	/* configured identity: [ims] pcscf and impu (config.h) */
	v->provisioned = d->conf.ims_pcscf[0] != '\0' && d->conf.ims_impu[0] != '\0';
	/* registration state from the IMS registration service */
	v->registered = ims_side_info(&d->ims_side, &info) == 0 && info.registered;
	if (v->provisioned) {
		/* "a, b" -> "<a>, <b>" */
		const char *s = d->conf.ims_impu;
		size_t n = 0;

		while (*s && n + 4 < sizeof(v->impus)) {
			size_t len;

			s += strspn(s, " ,");
			len = strcspn(s, " ,");
			if (len == 0)
				break;
			n += (size_t)snprintf(v->impus + n, sizeof(v->impus) - n, "%s<%.*s>",
					      n ? ", " : "", (int)len, s);
			s += len;
		}
		if (n >= sizeof(v->impus))
			v->impus[sizeof(v->impus) - 1] = '\0';
	}
}

int app_fastpath_ready(struct nwitd *d)
{
	return fastpath_svc_handle(d) != NULL;
}

const char *app_fastpath_aes(struct nwitd *d)
{
	struct fastpath *fp = fastpath_svc_handle(d);

	return fp ? fastpath_aes_name((enum fastpath_aes)fastpath_aes(fp)) : NULL;
}

int app_b2bua_available(struct nwitd *d)
{
	return d->calls != NULL;
}

int app_pager_available(struct nwitd *d)
{
	return d->pager != NULL;
}
