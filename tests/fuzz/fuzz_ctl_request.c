/* libFuzzer harness: control protocol request and reply parsing on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include "core/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request req;
	json_t *result;
	char err[256] = "";

	if (ctl_request_parse((const char *)data, size, &req, err, sizeof(err)) == 0) {
		if (!json_is_object(req.args))
			abort();
		ctl_request_clear(&req);
	} else if (err[0] == '\0') {
		abort();
	}
	if (ctl_reply_parse((const char *)data, size, &result, err, sizeof(err)) == 0)
		json_decref(result);
	return 0;
}
