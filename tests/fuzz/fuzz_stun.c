/*
 * libFuzzer harness: STUN parser and the ICE-lite responder on arbitrary datagrams.
 * Drops must say why; every response written must parse, carry FINGERPRINT, and
 * authenticate with our password when it says it does.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webrtc/stun.h"
#include "webrtc/stun_ice.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct stun_ice_creds creds = {
		.local_ufrag = "evtj", .local_pwd = "VOkJxbRl1RmTxUk/WvJxBt", .remote_ufrag = "h6vY",
	};
	struct sockaddr_in6 src = { .sin6_family = AF_INET6, .sin6_port = htons(5000) };
	uint8_t out[STUN_MAX_MSG];
	struct stun_ice_request req;
	struct stun_msg m;
	char why[128];
	int len;

	src.sin6_addr.s6_addr[15] = 1;
	(void)stun_parse(data, size, &m, why, sizeof(why));
	len = stun_ice_handle(data, size, &creds, (struct sockaddr *)&src, out, sizeof(out), &req,
			      why, sizeof(why));
	if (len < 0 && !why[0])
		abort(); /* every drop says why */
	if (len <= 0)
		return 0;
	if (stun_parse(out, (size_t)len, &m, why, sizeof(why)) < 0 || !m.has_fingerprint)
		abort();
	if (m.has_integrity && stun_check_integrity(&m, (const uint8_t *)creds.local_pwd,
						    strlen(creds.local_pwd)) < 0)
		abort();
	if (req.error_code == 0 && (!req.authenticated || !m.has_xor_mapped))
		abort(); /* success only for an authenticated request */
	return 0;
}
