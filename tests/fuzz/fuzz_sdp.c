/*
 * libFuzzer harness: SDP parser on arbitrary bytes. Every refusal must say why, and
 * whatever parses must serialize to text that parses again to the same serialization.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *s, *again;
	char err[SDP_ERR_MAX], *out, *out2;
	size_t len, len2;

	if (sdp_parse((const char *)data, size, &s, err, sizeof(err)) < 0) {
		if (err[0] == '\0')
			abort(); /* every refusal must say why */
		return 0;
	}
	if (sdp_serialize(s, &out, &len) < 0)
		abort();
	if (sdp_parse(out, len, &again, err, sizeof(err)) < 0)
		abort(); /* our own output must be valid */
	if (sdp_serialize(again, &out2, &len2) < 0 || len2 != len || memcmp(out, out2, len) != 0)
		abort(); /* and stable */
	free(out2);
	free(out);
	sdp_free(again);
	sdp_free(s);
	return 0;
}
