/*
 * The WebSocket opening handshake values a client controls: the input is split at '\n'
 * into method, Upgrade, Connection, Sec-WebSocket-Key, -Version, -Protocol and the request
 * URI (whose access_token query evhttp decodes).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "websocket/ws_handshake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *field[7] = { 0 }, *p, accept[WS_ACCEPT_LEN + 1];
	char why[160], token[8193];
	int n = 0;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (p = copy; n < 7; n++) {
		field[n] = p;
		p = strchr(p, '\n');
		if (!p)
			break;
		*p++ = '\0';
	}
	struct ws_handshake h = { field[0], field[1], field[2], field[3], field[4], field[5] };
	ws_handshake_check(&h, accept, why, sizeof(why));
	if (field[6])
		http_query_token(field[6], token, sizeof(token));
	http_list_has(field[0], "sip", 1);
	free(copy);
	return 0;
}
