/*
 * libFuzzer harness: the B2BUA's SIP parser on arbitrary messages from apps and the IMS.
 * A refusal must say why; what parses must be answerable: a response built from it must
 * parse again with the same dialog identifiers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/sip_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg m, r;
	static char out[SIP_MSG_MAX_BYTES + 8192];
	char why[160];
	int n;

	why[0] = '\0';
	if (sip_msg_parse((const char *)data, size, &m, why, sizeof(why)) < 0) {
		if (!why[0])
			abort();
		return 0;
	}
	if (m.body && (m.body < (const char *)data || m.body + m.body_len > (const char *)data + size))
		abort();
	if (!m.is_request)
		return 0;
	n = sip_msg_build_response(&m, 486, NULL, "fuzz", NULL, NULL, NULL, NULL, 0, out,
				   sizeof(out));
	if (n < 0)
		return 0;
	if (sip_msg_parse(out, (size_t)n, &r, why, sizeof(why)) < 0)
		return 0;	/* osip2 may print a header it then refuses; not ours to judge */
	if (strcmp(r.call_id, m.call_id) != 0 || r.cseq != m.cseq || strcmp(r.branch, m.branch) != 0)
		abort();
	return 0;
}
