/* libFuzzer harness: operator flow specifications (the args of nwitctl flow add). */
#include <stdint.h>
#include <stdlib.h>

#include "fastpath/fastpath_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fastpath_spec sp;
	char err[256] = "";
	json_t *args = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);

	if (!args)
		return 0;
	if (fastpath_spec_parse(args, &sp, err, sizeof(err)) == 0) {
		if (!sp.flow.flow_id || sp.flow.flow_id >= NWIT_MAX_FLOWS || !sp.flow.action ||
		    sp.n_ssrcs > FASTPATH_SPEC_MAX_SSRCS || sp.key.family != sp.flow.out_family)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	json_decref(args);
	return 0;
}
