/*
 * App endpoint pieces: the WebSocket handshake checks (RFC 6455 4.2, with the RFC's own
 * example key), the access_token query, UTF-8 validation, and SIP from apps: local
 * REGISTER, Bearer tokens in requests, scopes per method and SDP.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "sip/app_sip.h"
#include "auth/jws_b64url.h"
#include "core/utf8.h"
#include "websocket/ws_handshake.h"

#define NOW 1800000000LL

static void handshake_rfc6455_example(void **state)
{
	struct ws_handshake h = { "GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ==",
				  "13", "chat, sip" };
	char accept[WS_ACCEPT_LEN + 1], why[128];

	(void)state;
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 0);
	/* RFC 6455 section 1.3 */
	assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	h.connection = "keep-alive, Upgrade";
	h.upgrade = "WebSocket";
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 0);
}

static void handshake_refusals(void **state)
{
	const struct ws_handshake good = { "GET", "websocket", "Upgrade",
					   "dGhlIHNhbXBsZSBub25jZQ==", "13", "sip" };
	struct ws_handshake h;
	char accept[WS_ACCEPT_LEN + 1], why[128];

	(void)state;
	h = good, h.method = "POST";
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.upgrade = NULL;
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.connection = "close";
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.version = "8";
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 426);
	h = good, h.version = NULL;
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 426);
	h = good, h.key = "dGhlIHNhbXBsZSBub25jZQ";	/* no padding: not 24 characters */
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.key = "dGhlIHNhbXBsZSBub25jZSE=";	/* 17 bytes */
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.key = "!!!!!!!!!!!!!!!!!!!!!!==";
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.protocol = NULL;
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	assert_string_equal(why, "Sec-WebSocket-Protocol must offer sip");
	h = good, h.protocol = "SIP, chat";	/* subprotocol names are case-sensitive */
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
	h = good, h.protocol = "sipx";
	assert_int_equal(ws_handshake_check(&h, accept, why, sizeof(why)), 400);
}

static void query_token(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(http_query_token("/sip?x=1&access_token=abc%2Edef", out, sizeof(out)), 7);
	assert_string_equal(out, "abc.def");
	assert_int_equal(http_query_token("/sip", out, sizeof(out)), -ENOENT);
	assert_int_equal(http_query_token("/sip?token=a", out, sizeof(out)), -ENOENT);
	assert_int_equal(http_query_token("/sip?access_token=0123456789abcdefg", out, sizeof(out)),
			 -E2BIG);
}

static void utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid((const uint8_t *)"plain", 5));
	assert_true(utf8_valid((const uint8_t *)"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	assert_false(utf8_valid((const uint8_t *)"\xc0\xaf", 2));		/* overlong '/' */
	assert_false(utf8_valid((const uint8_t *)"\xe0\x80\xaf", 3));		/* overlong */
	assert_false(utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));		/* surrogate */
	assert_false(utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4));	/* > U+10FFFF */
	assert_false(utf8_valid((const uint8_t *)"\xe2\x82", 2));		/* truncated */
	assert_false(utf8_valid((const uint8_t *)"\x80", 1));
	assert_false(utf8_valid((const uint8_t *)"\xff", 1));
}

/* --- SIP ------------------------------------------------------------------------ */

static EVP_PKEY *key;
static struct jwk_set *keys;
static struct jws_policy policy;

static int setup(void **state)
{
	uint8_t pub[32];
	char x[64], jwks[256], err[128];
	size_t len = sizeof(pub);

	(void)state;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_int_equal(EVP_PKEY_get_raw_public_key(key, pub, &len), 1);
	b64url_encode(pub, 32, x);
	snprintf(jwks, sizeof(jwks),
		 "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"kid\":\"k\",\"x\":\"%s\"}]}", x);
	keys = jwk_set_parse(jwks, strlen(jwks), err, sizeof(err));
	assert_non_null(keys);
	app_sip_init();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	jwk_set_free(keys);
	EVP_PKEY_free(key);
	return 0;
}

static char *make_token(const char *scope, long long exp)
{
	json_t *c = json_pack("{s:s, s:s, s:s, s:[s], s:s, s:I, s:I, s:s}", "iss", "op", "aud",
			      "dev", "app_id", "com.example.phone", "origins",
			      "https://app.example", "scope", scope, "iat", (json_int_t)(exp - 600),
			      "exp", (json_int_t)exp, "jti", "j1");
	char err[128], *tok = jws_sign(c, key, "k", err, sizeof(err));

	json_decref(c);
	assert_non_null(tok);
	return tok;
}

static void new_session(struct app_sip_session *s, const char *impus)
{
	memset(s, 0, sizeof(*s));
	policy = (struct jws_policy){ .keys = keys, .issuer = "op", .audience = "dev",
				      .now = (time_t)NOW, .skew = 60 };
	s->policy = &policy;
	s->origin = "https://app.example";
	s->impus = impus;
}

static char *request(const char *method, const char *bearer, const char *extra,
		     const char *body)
{
	char *m = malloc(4096);

	snprintf(m, 4096,
		 "%s sip:bob@ims.example SIP/2.0\r\n"
		 "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:app@nwit.invalid>;tag=abc\r\n"
		 "To: <sip:bob@ims.example>\r\n"
		 "Call-ID: call-1@x\r\n"
		 "CSeq: 7 %s\r\n"
		 "%s%s%s"
		 "%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 method, method, bearer ? "Authorization: Bearer " : "", bearer ? bearer : "",
		 bearer ? "\r\n" : "", extra ? extra : "", body ? strlen(body) : 0,
		 body ? body : "");
	return m;
}

static int handle(struct app_sip_session *s, const char *msg, struct app_sip_result *res)
{
	int rc = app_sip_handle(s, msg, strlen(msg), res);

	print_message("# %d %s: %s\n", res->status, res->method, res->why);
	return rc;
}

static void register_locally(void **state)
{
	const char *impus = "<sip:alice@ims.example.net>, <tel:+15550100>";
	char *tok = make_token("voice", NOW + 600);
	struct app_sip_session s;
	struct app_sip_result res;
	char *m;

	(void)state;
	new_session(&s, impus);
	m = request("REGISTER", NULL, "Contact: <sip:x@df7jal23ls0d.invalid;transport=ws>\r\n"
				      "Expires: 3600\r\n", NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.action, APP_SIP_REPLY);
	assert_int_equal(res.status, 401);
	assert_int_equal(res.refusal, JWS_NO_TOKEN);
	assert_non_null(strstr(res.reply, "SIP/2.0 401 Operator authorization required\r\n"));
	assert_non_null(strstr(res.reply, "WWW-Authenticate: Bearer realm=\"nwit\"\r\n"));
	assert_null(strstr(res.reply, "alice"));
	free(res.reply);
	free(m);

	m = request("REGISTER", tok, "Contact: <sip:x@df7jal23ls0d.invalid;transport=ws>\r\n"
				     "Expires: 3600\r\n", NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.status, 200);
	assert_true(s.authorized);
	assert_true(s.registered);
	assert_string_equal(s.token.app_id, "com.example.phone");
	assert_non_null(strstr(res.reply, "SIP/2.0 200 OK\r\n"));
	assert_non_null(strstr(res.reply, "Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bKnashds7\r\n"));
	assert_non_null(strstr(res.reply, "Call-ID: call-1@x\r\n"));
	assert_non_null(strstr(res.reply, "CSeq: 7 REGISTER\r\n"));
	assert_non_null(strstr(res.reply, "To: <sip:bob@ims.example>;tag="));
	/* 3600 asked, 600 granted */
	assert_non_null(strstr(res.reply, "Contact: <sip:x@df7jal23ls0d.invalid;transport=ws>;expires=600\r\n"));
	assert_non_null(strstr(res.reply, "Expires: 600\r\n"));
	assert_non_null(strstr(res.reply, "P-Associated-URI: <sip:alice@ims.example.net>, <tel:+15550100>\r\n"));
	free(res.reply);
	free(m);

	/* a query without Contact leaves the binding alone */
	m = request("REGISTER", NULL, NULL, NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.status, 200);
	assert_true(s.registered);
	free(res.reply);
	free(m);

	/* remove the binding */
	m = request("REGISTER", NULL, "Contact: <sip:x@df7jal23ls0d.invalid;transport=ws>;expires=0\r\n",
		    NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.status, 200);
	assert_false(s.registered);
	assert_non_null(strstr(res.reply, "Expires: 0\r\n"));
	free(res.reply);
	free(m);
	free(tok);
}

static void scopes_per_request(void **state)
{
	const char *audio = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\n"
			    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
	const char *video = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nt=0 0\r\n"
			    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
	char *tok = make_token("voice", NOW + 600);
	struct app_sip_session s;
	struct app_sip_result res;
	char *m;

	(void)state;
	new_session(&s, NULL);
	m = request("INVITE", tok, "Content-Type: application/sdp\r\n", audio);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.action, APP_SIP_FORWARD);
	assert_int_equal(res.refusal, JWS_OK);
	free(m);
	/* the session stays authorized without a token in each request */
	m = request("INVITE", NULL, "Content-Type: application/sdp\r\n", video);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.status, 403);
	assert_int_equal(res.refusal, JWS_MISSING_SCOPE);
	assert_int_equal(res.missing_scope, APP_SCOPE_VIDEO);
	assert_non_null(strstr(res.reply, "SIP/2.0 403 Missing scope video\r\n"));
	free(res.reply);
	free(m);
	m = request("MESSAGE", NULL, "Content-Type: text/plain\r\n", "hi");
	assert_int_equal(handle(&s, m, &res), 0);
	assert_non_null(strstr(res.reply, "SIP/2.0 403 Missing scope messaging\r\n"));
	free(res.reply);
	free(m);
	m = request("OPTIONS", NULL, NULL, NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.status, 200);
	free(res.reply);
	free(m);

	/* later, the token has expired: refused and the session loses its authorization */
	policy.now = (time_t)(NOW + 600 + 61);
	m = request("INVITE", NULL, "Content-Type: application/sdp\r\n", audio);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_non_null(strstr(res.reply, "SIP/2.0 403 Token expired\r\n"));
	assert_false(s.authorized);
	free(res.reply);
	free(m);
	free(tok);

	assert_int_equal(app_sip_required_scopes("INVITE", NULL, 0), APP_SCOPE_VOICE);
	assert_int_equal(app_sip_required_scopes("INVITE", video, strlen(video)),
			 APP_SCOPE_VOICE | APP_SCOPE_VIDEO);
	assert_int_equal(app_sip_required_scopes("INVITE", "m=application 9 UDP/DTLS/SCTP x\r\n",
						 33), APP_SCOPE_FILE_TRANSFER);
	assert_int_equal(app_sip_required_scopes("INVITE", "m=message 9 TCP/MSRP *\r\n"
						 "a=file-selector:name:\"a\"\r\n", 48),
			 APP_SCOPE_FILE_TRANSFER);
	assert_int_equal(app_sip_required_scopes("INVITE", "m=message 9 TCP/MSRP *\r\n", 24),
			 APP_SCOPE_MESSAGING);
	assert_int_equal(app_sip_required_scopes("MESSAGE", NULL, 0), APP_SCOPE_MESSAGING);
	assert_int_equal(app_sip_required_scopes("BYE", NULL, 0), 0);
	/* "m=videox" is not video */
	assert_int_equal(app_sip_required_scopes("UPDATE", "m=videox 9 RTP/AVP 0\r\n", 22), 0);
}

static void bad_tokens_and_messages(void **state)
{
	char *tok = make_token("voice", NOW + 600), *other, *m;
	struct app_sip_session s;
	struct app_sip_result res;
	const char *tokp;
	size_t toklen;

	(void)state;
	new_session(&s, NULL);
	/* a token for another origin */
	s.origin = "https://evil.example";
	m = request("REGISTER", tok, NULL, NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_non_null(strstr(res.reply, "SIP/2.0 403 Origin not allowed by token\r\n"));
	assert_int_equal(res.refusal, JWS_WRONG_ORIGIN);
	free(res.reply);
	free(m);
	s.origin = "https://app.example";
	/* a changed signature */
	other = strdup(tok);
	other[strlen(other) - 2] = other[strlen(other) - 2] == 'A' ? 'B' : 'A';
	m = request("REGISTER", other, NULL, NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_non_null(strstr(res.reply, "SIP/2.0 403 Bad token signature\r\n"));
	free(res.reply);
	free(m);
	free(other);
	/* Digest instead of Bearer */
	m = request("REGISTER", NULL, "Authorization: Digest username=\"a\"\r\n", NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.refusal, JWS_MALFORMED);
	free(res.reply);
	free(m);
	/* an ACK from an unauthorized app is dropped without an answer */
	m = request("ACK", NULL, NULL, NULL);
	assert_int_equal(handle(&s, m, &res), 0);
	assert_int_equal(res.action, APP_SIP_DROP);
	assert_null(res.reply);
	free(m);
	/* not SIP, and SIP without the headers a response needs */
	assert_int_equal(app_sip_handle(&s, "hello", 5, &res), -EBADMSG);
	m = strdup("INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(handle(&s, m, &res), -EBADMSG);
	free(m);
	m = request("INVITE", NULL, NULL, NULL);
	memcpy(strstr(m, "CSeq: 7 INVITE") + 8, "BYE   ", 6);
	assert_int_equal(handle(&s, m, &res), -EBADMSG);
	free(m);

	m = request("INVITE", tok, NULL, NULL);
	assert_int_equal(app_sip_bearer(m, strlen(m), &tokp, &toklen), 0);
	assert_int_equal(toklen, strlen(tok));
	assert_memory_equal(tokp, tok, toklen);
	free(m);
	m = strdup("INVITE sip:a@b SIP/2.0\r\nauthorization :  bearer  abc  \r\n\r\n"
		   "Authorization: Bearer body\r\n");
	assert_int_equal(app_sip_bearer(m, strlen(m), &tokp, &toklen), 0);
	assert_int_equal(toklen, 3);
	assert_memory_equal(tokp, "abc", 3);
	free(m);
	m = strdup("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\nAuthorization: Bearer body\r\n");
	assert_int_equal(app_sip_bearer(m, strlen(m), &tokp, &toklen), -ENOENT);
	free(m);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_rfc6455_example),
		cmocka_unit_test(handshake_refusals),
		cmocka_unit_test(query_token),
		cmocka_unit_test(utf8),
		cmocka_unit_test(register_locally),
		cmocka_unit_test(scopes_per_request),
		cmocka_unit_test(bad_tokens_and_messages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
