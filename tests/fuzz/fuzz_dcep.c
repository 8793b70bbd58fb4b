/*
 * libFuzzer harness: DCEP messages (RFC 8832). Every refusal says why; every OPEN that
 * parses is rebuilt byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "webrtc/dcep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[DCEP_OPEN_HEADER + 2 * DCEP_LABEL_MAX];
	struct dcep_open o;
	char err[128] = "";
	int rc = dcep_parse(data, size, &o, err, sizeof(err)), n;

	if (rc < 0 && !err[0])
		abort();
	if (rc == DCEP_OPEN) {
		n = dcep_build_open(&o, out, sizeof(out));
		if (n < 0 || (size_t)n != size || memcmp(out, data, size))
			abort();
	}
	return 0;
}
