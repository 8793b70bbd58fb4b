/*
 * libFuzzer harness: message/cpim parsing and the pager-mode checks on arbitrary
 * bodies. Every refusal says why; what parses is rebuilt and parses again to the same
 * addresses and content.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpim/cpim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[1 << 16];
	struct pager_limits l;
	const uint8_t *text;
	size_t text_len;
	struct cpim c, d;
	char err[128] = "";
	int n;

	if (cpim_parse(data, size, &c, err, sizeof(err)) < 0) {
		if (!err[0])
			abort();
	} else {
		n = cpim_build(&c, out, sizeof(out));
		if (n > 0) {
			if (cpim_parse(out, (size_t)n, &d, err, sizeof(err)) != 0 ||
			    strcmp(c.from, d.from) || strcmp(c.to, d.to) ||
			    d.body_len != c.body_len || memcmp(d.body, c.body, c.body_len))
				abort();
		}
	}
	pager_limits_default(&l);
	err[0] = 0;
	if (pager_check("message/cpim", data, size, &l, &c, &text, &text_len, err, sizeof(err)) < 0 &&
	    !err[0])
		abort();
	err[0] = 0;
	if (pager_check("text/plain", data, size, &l, &c, &text, &text_len, err, sizeof(err)) < 0 &&
	    !err[0])
		abort();
	return 0;
}
