/*
 * Where the app endpoint meets the other parts of nwitd. Each function is the single
 * place to connect a part when it lands: IMS registration state, fast path state, B2BUA.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/app_http.h"
#include "datapath/fastpath_svc.h"
#include "calls/b2bua.h"
#include "ims/ims_reg.h"
#include "nwitd.h"
#include "messages/pager.h"

void app_ims_view(struct nwitd *d, struct app_ims_view *v)
{
	struct ims_reg_info info;

	memset(v, 0, sizeof(*v));
	/* configured identity: [ims] pcscf and impu (config.h) */
	v->provisioned = d->conf.ims_pcscf[0] != '\0' && d->conf.ims_impu[0] != '\0';
	/* registration state from the IMS registration service */
	v->registered = ims_reg_get_info(d->ims, &info) == 0 && info.registered;
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

int app_b2bua_available(struct nwitd *d)
{
	return d->calls != NULL;
}

int app_b2bua_request(struct nwitd *d, struct app_ws *ws, const char *msg, size_t len)
{
	/* pager-mode MESSAGE first (pager.c), everything else is the B2BUA's */
	if (pager_app_message(d, ws, msg, len) == 0)
		return 0;
	return b2bua_app_message(d, ws, msg, len);
}

int app_pager_available(struct nwitd *d)
{
	return pager_available(d);
}
