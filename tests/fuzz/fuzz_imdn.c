/*
 * libFuzzer harness: IMDN documents (RFC 5438) on arbitrary bytes. Every refusal says
 * why; what parses is written again and parses to the same values.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpim/imdn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[4 * IMDN_MAX_BYTES];
	struct imdn n, back;
	char err[200] = "";
	int rc = imdn_parse(data, size, &n, err, sizeof(err)), len;

	if (rc < 0) {
		if ((rc != -EBADMSG && rc != -E2BIG) || !err[0])
			abort();
		return 0;
	}
	len = imdn_build(&n, out, sizeof(out));
	if (len < 0 || imdn_parse((const uint8_t *)out, (size_t)len, &back, err, sizeof(err)) != 0 ||
	    strcmp(back.message_id, n.message_id) || strcmp(back.datetime, n.datetime) ||
	    strcmp(back.recipient_uri, n.recipient_uri) ||
	    strcmp(back.original_recipient_uri, n.original_recipient_uri) || back.kind != n.kind ||
	    back.status != n.status)
		abort();
	return 0;
}
