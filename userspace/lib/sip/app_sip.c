#include "sip/app_sip.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>
#include <osipparser2/osip_parser.h>

#include "sip/sip_msg.h"

void app_sip_init(void)
{
	parser_init();
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

int app_sip_bearer(const char *msg, size_t len, const char **tok, size_t *toklen)
{
	static const char name[] = "authorization";
	size_t pos = 0;

	/* skip the start line */
	while (pos < len && msg[pos] != '\n')
		pos++;
	pos++;
	while (pos < len) {
		const char *line = msg + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos, i;

		pos += n + 1;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			break; /* end of the headers */
		if (n <= sizeof(name) - 1 || strncasecmp(line, name, sizeof(name) - 1) != 0)
			continue;
		i = sizeof(name) - 1;
		while (i < n && is_ws(line[i]))
			i++;
		if (i >= n || line[i] != ':')
			continue;
		i++;
		while (i < n && is_ws(line[i]))
			i++;
		if (n - i < 7 || strncasecmp(line + i, "bearer", 6) != 0 || !is_ws(line[i + 6]))
			return -EINVAL;
		i += 7;
		while (i < n && is_ws(line[i]))
			i++;
		while (n > i && is_ws(line[n - 1]))
			n--;
		if (i == n)
			return -EINVAL;
		*tok = line + i;
		*toklen = n - i;
		return 0;
	}
	return -ENOENT;
}

/* Does the SDP have an m= line of this media type ("audio", ...)? */
static int sdp_has(const char *body, size_t len, const char *media, const char *attr)
{
	size_t mlen = strlen(media), pos = 0;
	int in_section = 0;

	while (pos < len) {
		const char *line = body + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + 1;
		if (n >= 2 && line[0] == 'm' && line[1] == '=') {
			in_section = n > 2 + mlen && strncmp(line + 2, media, mlen) == 0 &&
				     line[2 + mlen] == ' ';
			if (in_section && !attr)
				return 1;
		} else if (in_section && attr && n > strlen(attr) &&
			   strncmp(line, attr, strlen(attr)) == 0) {
			return 1;
		}
	}
	return 0;
}

unsigned app_sip_required_scopes(const char *method, const char *body, size_t body_len)
{
	unsigned need = 0;

	if (strcmp(method, "MESSAGE") == 0)
		return APP_SCOPE_MESSAGING;
	if (strcmp(method, "INVITE") != 0 && strcmp(method, "UPDATE") != 0)
		return 0;
	if (!body || body_len == 0)
		return strcmp(method, "INVITE") == 0 ? APP_SCOPE_VOICE : 0;
	if (sdp_has(body, body_len, "audio", NULL))
		need |= APP_SCOPE_VOICE;
	if (sdp_has(body, body_len, "video", NULL))
		need |= APP_SCOPE_VIDEO;
	if (sdp_has(body, body_len, "message", "a=file-selector:") ||
	    sdp_has(body, body_len, "application", NULL))
		need |= APP_SCOPE_FILE_TRANSFER;
	else if (sdp_has(body, body_len, "message", NULL))
		need |= APP_SCOPE_MESSAGING;
	if (!need && strcmp(method, "INVITE") == 0)
		need = APP_SCOPE_VOICE;
	return need;
}

static void random_tag(char *out, size_t size)
{
	unsigned char r[8];

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0x5a, sizeof(r));
	for (size_t i = 0; i < sizeof(r) && 2 * i + 2 < size; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

/* A response to req with the dialog headers copied (RFC 3261 8.2.6.2). */
static osip_message_t *response_to(osip_message_t *req, int status, const char *reason)
{
	osip_message_t *resp = NULL;
	osip_generic_param_t *tag_param = NULL;
	osip_via_t *via, *copy;
	char tag[17];
	int pos = 0;

	if (osip_message_init(&resp) != 0)
		return NULL;
	osip_message_set_version(resp, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(resp, status);
	osip_message_set_reason_phrase(resp, osip_strdup(reason));
	while (!osip_list_eol(&req->vias, pos)) {
		via = osip_list_get(&req->vias, pos++);
		if (osip_via_clone(via, &copy) != 0)
			goto fail;
		osip_list_add(&resp->vias, copy, -1);
	}
	if (osip_from_clone(req->from, &resp->from) != 0 ||
	    osip_to_clone(req->to, &resp->to) != 0 ||
	    osip_call_id_clone(req->call_id, &resp->call_id) != 0 ||
	    osip_cseq_clone(req->cseq, &resp->cseq) != 0)
		goto fail;
	if (status > 100 && osip_to_get_tag(resp->to, &tag_param) != 0) {
		random_tag(tag, sizeof(tag));
		osip_to_set_tag(resp->to, osip_strdup(tag));
	}
	return resp;
fail:
	osip_message_free(resp);
	return NULL;
}

static int finish(osip_message_t *resp, struct app_sip_result *res)
{
	char *text = NULL;
	size_t len = 0;

	osip_message_set_content_length(resp, "0");
	if (osip_message_to_str(resp, &text, &len) != 0 || !text) {
		osip_message_free(resp);
		return -ENOMEM;
	}
	res->reply = malloc(len + 1);
	if (!res->reply) {
		osip_free(text);
		osip_message_free(resp);
		return -ENOMEM;
	}
	memcpy(res->reply, text, len);
	res->reply[len] = '\0';
	res->reply_len = len;
	res->status = resp->status_code;
	res->action = APP_SIP_REPLY;
	osip_free(text);
	osip_message_free(resp);
	return 0;
}

static int reply(osip_message_t *req, int status, const char *reason, const char *hname,
		 const char *hvalue, struct app_sip_result *res)
{
	osip_message_t *resp = response_to(req, status, reason);

	if (!resp)
		return -ENOMEM;
	if (hname)
		osip_message_set_header(resp, hname, hvalue);
	return finish(resp, res);
}

static long requested_expires(osip_message_t *req, osip_contact_t *c)
{
	osip_generic_param_t *p = NULL;
	osip_header_t *h = NULL;
	const char *v = NULL;
	char *end;
	long e;

	if (c && osip_contact_param_get_byname(c, "expires", &p) == 0 && p && p->gvalue)
		v = p->gvalue;
	else if (osip_message_get_expires(req, 0, &h) >= 0 && h && h->hvalue)
		v = h->hvalue;
	if (!v)
		return APP_SIP_REGISTER_EXPIRES;
	e = strtol(v, &end, 10);
	if (end == v || *end || e < 0)
		return APP_SIP_REGISTER_EXPIRES;
	return e > APP_SIP_REGISTER_EXPIRES ? APP_SIP_REGISTER_EXPIRES : e;
}

/* REGISTER answered locally: the app's binding lives only on this device. */
static int do_register(struct app_sip_session *s, osip_message_t *req,
		       struct app_sip_result *res)
{
	osip_message_t *resp = response_to(req, 200, "OK");
	long granted = 0;
	char buf[24];
	int pos = 0;

	if (!resp)
		return -ENOMEM;
	if (osip_list_size(&req->contacts) <= 0) {
		/* a query (RFC 3261 10.2.3): the bindings stay as they are */
		if (s->impus && s->impus[0])
			osip_message_set_header(resp, "P-Associated-URI", s->impus);
		snprintf(res->why, sizeof(res->why), "binding query");
		return finish(resp, res);
	}
	while (!osip_list_eol(&req->contacts, pos)) {
		osip_contact_t *c = osip_list_get(&req->contacts, pos++), *copy;
		osip_generic_param_t *p = NULL;
		long e;

		if (!c->url)
			continue; /* "*" */
		e = requested_expires(req, c);
		if (e == 0 || osip_contact_clone(c, &copy) != 0)
			continue;
		snprintf(buf, sizeof(buf), "%ld", e);
		if (osip_contact_param_get_byname(copy, "expires", &p) == 0 && p) {
			osip_free(p->gvalue);
			p->gvalue = osip_strdup(buf);
		} else {
			osip_contact_param_add(copy, osip_strdup("expires"), osip_strdup(buf));
		}
		osip_list_add(&resp->contacts, copy, -1);
		if (e > granted)
			granted = e;
	}
	s->registered = granted > 0;
	snprintf(buf, sizeof(buf), "%ld", granted);
	osip_message_set_expires(resp, buf);
	if (s->impus && s->impus[0])
		osip_message_set_header(resp, "P-Associated-URI", s->impus);
	snprintf(res->why, sizeof(res->why), "registered locally for %ld s", granted);
	return finish(resp, res);
}

static int refuse(osip_message_t *req, enum jws_result r, const char *detail,
		  struct app_sip_result *res)
{
	res->refusal = r;
	snprintf(res->why, sizeof(res->why), "%s: %s", jws_result_text(r), detail);
	if (r == JWS_NO_TOKEN)
		return reply(req, 401, jws_result_text(r), "WWW-Authenticate",
			     "Bearer realm=\"nwit\"", res);
	if (r == JWS_MALFORMED || r == JWS_BAD_SIGNATURE || r == JWS_UNKNOWN_KEY ||
	    r == JWS_BAD_ALG || r == JWS_EXPIRED || r == JWS_REVOKED)
		return reply(req, 403, jws_result_text(r), "WWW-Authenticate",
			     "Bearer realm=\"nwit\", error=\"invalid_token\"", res);
	return reply(req, 403, jws_result_text(r), NULL, NULL, res);
}

static int handle_request(struct app_sip_session *s, osip_message_t *req, const char *msg,
			  size_t len, struct app_sip_result *res)
{
	const char *tok = NULL, *method = req->sip_method;
	osip_body_t *body = NULL;
	unsigned need, missing;
	char detail[160];
	size_t toklen = 0;
	int rc;

	if (strcmp(method, "ACK") == 0) {
		res->action = s->authorized ? APP_SIP_FORWARD : APP_SIP_DROP;
		snprintf(res->why, sizeof(res->why), "ACK");
		return 0;
	}
	rc = app_sip_bearer(msg, len, &tok, &toklen);
	if (rc == -EINVAL)
		return refuse(req, JWS_MALFORMED, "Authorization is not a Bearer token", res);
	if (rc == 0) {
		struct app_token t;
		enum jws_result r = jws_token_check(tok, toklen, s->policy, s->origin, &t,
						    detail, sizeof(detail));

		if (r != JWS_OK)
			return refuse(req, r, detail, res);
		s->token = t;
		s->authorized = 1;
	}
	if (!s->authorized)
		return refuse(req, JWS_NO_TOKEN, "no token in the URL or the request", res);
	/* the token was good when presented; it may have expired or been revoked since */
	if ((int64_t)s->policy->now > s->token.exp + s->policy->skew) {
		s->authorized = 0;
		return refuse(req, JWS_EXPIRED, "the session's token expired", res);
	}
	if (jws_revocation_has(s->policy->revoked, s->token.jti)) {
		s->authorized = 0;
		return refuse(req, JWS_REVOKED, "the session's token was revoked", res);
	}
	if (strcmp(method, "REGISTER") == 0)
		return do_register(s, req, res);
	if (strcmp(method, "OPTIONS") == 0)
		return reply(req, 200, "OK", "Allow",
			     "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, UPDATE, INFO, REGISTER",
			     res);
	osip_message_get_body(req, 0, &body);
	need = app_sip_required_scopes(method, body ? body->body : NULL,
				       body ? body->length : 0);
	missing = need & ~s->token.scopes;
	if (missing) {
		unsigned bit = missing & -missing;
		char phrase[64];

		res->missing_scope = bit;
		res->refusal = JWS_MISSING_SCOPE;
		snprintf(phrase, sizeof(phrase), "%s %s", jws_result_text(JWS_MISSING_SCOPE),
			 app_scope_name(bit));
		snprintf(res->why, sizeof(res->why), "%s needs scope %s, app %s lacks it",
			 method, app_scope_name(bit), s->token.app_id);
		return reply(req, 403, phrase, NULL, NULL, res);
	}
	res->action = APP_SIP_FORWARD;
	snprintf(res->why, sizeof(res->why), "%s authorized", method);
	return 0;
}

int app_sip_check(struct app_sip_session *s, const struct sip_msg *m,
		  struct app_sip_result *res)
{
	osip_message_t *o = m->osip;

	memset(res, 0, sizeof(*res));
	res->refusal = JWS_OK;
	if (!o || !m->raw)
		return -EINVAL;	/* not from sip_msg_parse_keep() */
	if (!m->is_request) {
		res->action = s->authorized ? APP_SIP_FORWARD : APP_SIP_DROP;
		snprintf(res->why, sizeof(res->why), "response %d", m->status);
		return 0;
	}
	snprintf(res->method, sizeof(res->method), "%.31s", m->method);
	return handle_request(s, o, m->raw, m->raw_len, res);
}

int app_sip_handle(struct app_sip_session *s, const char *msg, size_t len,
		   struct app_sip_result *res)
{
	struct sip_msg *m = malloc(sizeof(*m));
	int rc;

	memset(res, 0, sizeof(*res));
	res->refusal = JWS_OK;
	if (!m)
		return -ENOMEM;
	if (sip_msg_parse_keep(msg, len, m, res->why, sizeof(res->why)) < 0) {
		free(m);
		return -EBADMSG;
	}
	rc = app_sip_check(s, m, res);
	sip_msg_release(m);
	free(m);
	return rc;
}

int app_sip_reply_to(const struct sip_msg *m, int status, const char *reason,
		     struct app_sip_result *res)
{
	memset(res, 0, sizeof(*res));
	if (!m->osip || !m->is_request)
		return -EBADMSG;
	return reply(m->osip, status, reason, NULL, NULL, res);
}

int app_sip_reply(const char *msg, size_t len, int status, const char *reason,
		  struct app_sip_result *res)
{
	struct sip_msg *m = malloc(sizeof(*m));
	char why[160];
	int rc = -EBADMSG;

	memset(res, 0, sizeof(*res));
	if (!m)
		return -ENOMEM;
	if (sip_msg_parse_keep(msg, len, m, why, sizeof(why)) == 0)
		rc = app_sip_reply_to(m, status, reason, res);
	sip_msg_release(m);
	free(m);
	return rc;
}
