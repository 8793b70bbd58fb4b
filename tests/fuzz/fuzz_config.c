/* libFuzzer harness: nwit.conf parser on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwit_config conf;
	char err[CONFIG_ERR_MAX];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_set_defaults(&conf);
	if (config_load_string("fuzz.conf", text, &conf, err, sizeof(err)) < 0 && err[0] == '\0')
		abort(); /* every refusal must say why */
	free(text);
	return 0;
}
