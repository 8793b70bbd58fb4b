/*
 * Session timers (RFC 4028) on the IMS leg of a call: we refresh with UPDATE at half
 * the interval; a Require we do not implement is refused (calls/call.h).
 */
#include "calls/call.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calls/b2bua_msrp.h"
#include "core/counters.h"
#include "datapath/fastpath_svc.h"
#include "auth/jws_claims.h"
#include "core/log.h"
#include "media/media.h"
#include "media/media_dtls.h"
#include "nwitd.h"

/* Session timer (RFC 4028) on the IMS leg: we refresh with UPDATE at half the interval. */
void call_refresh_start(struct call *c, long interval)
{
	if (interval < 90)
		interval = 90;	/* RFC 4028 Min-SE */
	c->session_expires = interval;
	call_start_ms(c->t_refresh, (unsigned)(interval * 1000 / 2));
}

void call_on_refresh(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	char extra[96];

	(void)fd;
	(void)what;
	if (c->state != CALL_CONFIRMED)
		return;
	if (!c->re_req) {
		snprintf(extra, sizeof(extra), "Session-Expires: %ld;refresher=%s\r\n",
			 c->session_expires, c->outgoing ? "uac" : "uas");
		c->ims.cseq++;
		leg_request(c, &c->ims, "UPDATE", NULL, c->ims.cseq, extra, NULL, 0, NULL, NULL);
		call_tl(c, "session refreshed (UPDATE, %ld s)", c->session_expires);
	}
	call_start_ms(c->t_refresh, (unsigned)(c->session_expires * 1000 / 2));
}

/* A Require naming an extension we do not implement (only "timer" is known). */
int call_unsupported(const char *require)
{
	char buf[SIP_MSG_TOKEN_MAX], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", require);
	for (tok = strtok_r(buf, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save))
		if (strcasecmp(tok, "timer") != 0)
			return 1;
	return 0;
}
