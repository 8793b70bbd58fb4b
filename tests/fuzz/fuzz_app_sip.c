/*
 * SIP messages from web apps over WebSocket: the whole app_sip_handle path (osip2 parse,
 * Bearer header scan, token check, scopes, local REGISTER replies) on one session that
 * lives across inputs, plus the UTF-8 check every text frame goes through.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/app_sip.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jws_policy policy = { .issuer = "op", .audience = "dev",
					    .now = 1800000000, .skew = 60 };
	static struct app_sip_session s;
	static int ready;
	struct app_sip_result res;

	if (!ready) {
		app_sip_init();
		s.policy = &policy;
		s.origin = "https://app.example";
		s.impus = "<sip:alice@ims.example.net>";
		ready = 1;
	}
	utf8_valid(data, size);
	if (app_sip_handle(&s, (const char *)data, size, &res) == 0)
		free(res.reply);
	if (app_sip_reply((const char *)data, size, 503, "Calls not available yet", &res) == 0)
		free(res.reply);
	/* pretend an earlier request authorized the session, so later paths run too */
	s.authorized = 1;
	s.token.scopes = APP_SCOPE_VOICE;
	s.token.exp = 1900000000;
	return 0;
}
