/*
 * The server side of the WebSocket opening handshake (RFC 6455 section 4.2) for SIP over
 * WebSocket (RFC 7118): which request headers must be there, the Sec-WebSocket-Accept
 * value, and the access token in the request URI's query. The HTTP request itself is
 * parsed by libevent's evhttp; these checks take its header values (NULL when absent).
 */
#ifndef NWIT_WS_HANDSHAKE_H
#define NWIT_WS_HANDSHAKE_H

#include <stddef.h>

#define WS_ACCEPT_LEN 28	/* base64 of a SHA-1 digest */
#define WS_SUBPROTOCOL "sip"

struct ws_handshake {
	const char *method;	/* "GET" */
	const char *upgrade, *connection, *key, *version, *protocol;
};

/*
 * Returns 0 and writes the Sec-WebSocket-Accept value (NUL-terminated) to accept, or the
 * HTTP status to answer (400, or 426 for another version) with the reason in why.
 */
int ws_handshake_check(const struct ws_handshake *h, char accept[WS_ACCEPT_LEN + 1],
		       char *why, size_t whylen);

/* Does the comma-separated header value list contain token (case-insensitive)? */
int http_list_has(const char *value, const char *token, int case_sensitive);

/*
 * The access_token query parameter of a request URI ("/sip?access_token=..."), decoded.
 * Returns its length, -ENOENT when absent, -EINVAL on a bad query, -E2BIG if over outlen-1.
 */
int http_query_token(const char *uri, char *out, size_t outlen);

#endif
