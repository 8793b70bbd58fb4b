/*
 * SIP from web apps over WebSocket (RFC 7118): one message in, at most one response out.
 * REGISTER is answered locally from the device's own state; every request is checked
 * against the app's operator authorization (token from the WebSocket URL or an
 * "Authorization: Bearer" header, RFC 8898) and the scope its method and SDP need.
 * Requests that pass are for the B2BUA (nwitd's hook decides what happens to them).
 * Everything here parses untrusted input: bounded, and fuzzed (tests/fuzz/fuzz_app_sip.c).
 */
#ifndef NWIT_APP_SIP_H
#define NWIT_APP_SIP_H

#include <stddef.h>

#include "auth/jws.h"
#include "auth/jws_claims.h"

#define APP_SIP_MAX_MSG 65536
#define APP_SIP_REGISTER_EXPIRES 600	/* longest binding granted to an app */

struct app_sip_session {
	/* set by the caller */
	const struct jws_policy *policy;	/* now must be current on each call */
	const char *origin;		/* the WebSocket's Origin */
	const char *impus;		/* P-Associated-URI value for authorized apps, or NULL */
	/* authorization state, kept across messages */
	int authorized;
	struct app_token token;
	int registered;			/* the app holds a local binding */
};

enum app_sip_action {
	APP_SIP_INVALID = 0,
	APP_SIP_REPLY,		/* send *reply (a final response) */
	APP_SIP_FORWARD,	/* authorized request (or a response) for the B2BUA */
	APP_SIP_DROP,		/* nothing to answer (garbage, an ACK to a local reply) */
};

struct app_sip_result {
	enum app_sip_action action;
	char *reply;		/* malloc'ed when action is APP_SIP_REPLY */
	size_t reply_len;
	int status;		/* of the reply */
	enum jws_result refusal;	/* JWS_OK unless authorization failed */
	unsigned missing_scope;	/* the scope bit when refusal is JWS_MISSING_SCOPE */
	char method[32];	/* "" for responses */
	char why[160];		/* what happened, for the log */
};

struct sip_msg;

/* Call once (osip2's parser tables). */
void app_sip_init(void);

/*
 * Check one message, parsed by sip_msg_parse_keep() (nwitd's router does it once).
 * Returns 0 with *res filled (free res->reply), -EINVAL when m was not kept.
 */
int app_sip_check(struct app_sip_session *s, const struct sip_msg *m,
		  struct app_sip_result *res);
/* A response to the request m (e.g. 503 when no service takes it). */
int app_sip_reply_to(const struct sip_msg *m, int status, const char *reason,
		     struct app_sip_result *res);

/*
 * Parse (sip_msg_parse_keep) and check one message of len bytes. Returns 0 with *res
 * filled (free res->reply), or -EBADMSG when the text is not SIP (res->why says why;
 * nothing to answer).
 */
int app_sip_handle(struct app_sip_session *s, const char *msg, size_t len,
		   struct app_sip_result *res);

/* A response with status and reason to the request msg (e.g. 503 when no B2BUA takes it). */
int app_sip_reply(const char *msg, size_t len, int status, const char *reason,
		  struct app_sip_result *res);

/* The scopes a request needs: by method, and by the media lines of an SDP body. */
unsigned app_sip_required_scopes(const char *method, const char *body, size_t body_len);

/*
 * Value of the first "Authorization: Bearer <token>" header in the header part of msg,
 * as a pointer into msg and its length; 0 when found, -ENOENT when absent, -EINVAL when an
 * Authorization header is there but is not a Bearer token.
 */
int app_sip_bearer(const char *msg, size_t len, const char **tok, size_t *toklen);

#endif
