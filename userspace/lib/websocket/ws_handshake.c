#include "websocket/ws_handshake.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

int http_list_has(const char *value, const char *token, int case_sensitive)
{
	size_t tlen = strlen(token);

	while (value && *value) {
		size_t n;

		while (*value == ' ' || *value == '\t' || *value == ',')
			value++;
		n = strcspn(value, ",");
		while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t'))
			n--;
		if (n == tlen && (case_sensitive ? strncmp(value, token, n) == 0
						 : strncasecmp(value, token, n) == 0))
			return 1;
		value += strcspn(value, ",");
	}
	return 0;
}

static int fail(char *why, size_t len, int status, const char *what)
{
	snprintf(why, len, "%s", what);
	return status;
}

int ws_handshake_check(const struct ws_handshake *h, char accept[WS_ACCEPT_LEN + 1],
		       char *why, size_t whylen)
{
	unsigned char key[32], digest[SHA_DIGEST_LENGTH];
	char buf[24 + sizeof(ws_guid)];
	EVP_MD_CTX *md;
	int ok;

	if (!h->method || strcmp(h->method, "GET") != 0)
		return fail(why, whylen, 400, "WebSocket handshake must be a GET");
	if (!http_list_has(h->upgrade, "websocket", 0))
		return fail(why, whylen, 400, "Upgrade: websocket missing");
	if (!http_list_has(h->connection, "upgrade", 0))
		return fail(why, whylen, 400, "Connection: Upgrade missing");
	if (!h->version || strcmp(h->version, "13") != 0)
		return fail(why, whylen, 426, "Sec-WebSocket-Version must be 13");
	/* the key is 16 random bytes in base64: 24 characters ending in "==" */
	if (!h->key || strlen(h->key) != 24 || h->key[22] != '=' || h->key[23] != '=' ||
	    EVP_DecodeBlock(key, (const unsigned char *)h->key, 24) != 18)
		return fail(why, whylen, 400, "Sec-WebSocket-Key is not 16 bytes in base64");
	if (!http_list_has(h->protocol, WS_SUBPROTOCOL, 1))
		return fail(why, whylen, 400, "Sec-WebSocket-Protocol must offer sip");
	memcpy(buf, h->key, 24);
	memcpy(buf + 24, ws_guid, sizeof(ws_guid) - 1);
	md = EVP_MD_CTX_new();
	ok = md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 &&
	     EVP_DigestUpdate(md, buf, 24 + sizeof(ws_guid) - 1) == 1 &&
	     EVP_DigestFinal_ex(md, digest, NULL) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		return fail(why, whylen, 500, "SHA-1 failed");
	EVP_EncodeBlock((unsigned char *)accept, digest, SHA_DIGEST_LENGTH);
	why[0] = '\0';
	return 0;
}

int http_query_token(const char *uri, char *out, size_t outlen)
{
	struct evkeyvalq q = { 0 };	/* evhttp_parse_query_str initializes it */
	const char *query = strchr(uri, '?'), *v;
	size_t n;
	int rc;

	if (!query)
		return -ENOENT;
	if (evhttp_parse_query_str(query + 1, &q) != 0) {
		evhttp_clear_headers(&q);
		return -EINVAL;
	}
	v = evhttp_find_header(&q, "access_token");
	if (!v) {
		rc = -ENOENT;
	} else if ((n = strlen(v)) >= outlen) {
		rc = -E2BIG;
	} else {
		memcpy(out, v, n + 1);
		rc = (int)n;
	}
	evhttp_clear_headers(&q);
	return rc;
}
