/*
 * libFuzzer harness: RFC 4568 inline keys (the key form and the a=crypto attribute form)
 * on arbitrary bytes. Every refusal says why, and every accepted key formats to a text
 * that parses back to the same key.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdp/sdes_inline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int attr, const char *text, size_t len)
{
	struct sdes_inline_key k, back;
	char out[SDES_INLINE_MAX];
	const char *why = NULL;
	int rc, n;

	rc = attr ? sdes_crypto_attr_parse(text, len, &k, &why)
		  : sdes_inline_parse(text, len, &k, &why);
	if (rc < 0) {
		if (!why || (rc != -EINVAL && rc != -ENOTSUP))
			abort();
		return;
	}
	n = attr ? sdes_crypto_attr_format(&k, out, sizeof(out))
		 : sdes_inline_format(&k, out, sizeof(out));
	if (n <= 0 || (size_t)n >= sizeof(out))
		abort();
	rc = attr ? sdes_crypto_attr_parse(out, (size_t)n, &back, &why)
		  : sdes_inline_parse(out, (size_t)n, &back, &why);
	if (rc != 0 || memcmp(&k, &back, sizeof(k)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so reading past len is caught */
	char *text = malloc(size ? size : 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	check(0, text, size);
	check(1, text, size);
	free(text);
	return 0;
}
